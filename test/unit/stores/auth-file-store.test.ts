import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthFileStore } from '../../../src/stores/auth-file-store.js';
import { copyCredentials } from '../../../src/stores/copy.js';
import type { CredentialStore, StoredCredential } from '../../../src/stores/store.js';
import { UsageError } from '../../../src/errors.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A helper-like store: username and secret only, as the helper protocol carries them. */
class MemoryStore implements CredentialStore {
  readonly name = 'memory';
  readonly items = new Map<string, StoredCredential>();
  async add(c: StoredCredential): Promise<void> {
    this.items.set(c.serverURL, { serverURL: c.serverURL, username: c.username, secret: c.secret });
  }
  async get(url: string): Promise<StoredCredential | undefined> {
    return this.items.get(url);
  }
  async delete(url: string): Promise<boolean> {
    return this.items.delete(url);
  }
  async list(): Promise<Map<string, string>> {
    return new Map([...this.items].map(([url, c]) => [url, c.username]));
  }
}

describe('authfile: store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credkit-unit-authfile-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('refuses a username with ":" (readers split auth at the first ":") and leaves the file as it was', async () => {
    const path = join(dir, 'config.json');
    const before = JSON.stringify({ auths: { 'ghcr.io': { auth: b64('bob:fake-pw') } } });
    await writeFile(path, before);
    const store = new AuthFileStore(path);
    let caught: unknown;
    await store.add({ serverURL: 'quay.io', username: 'al:ice', secret: 'fake-s3cret' }).catch((e: unknown) => (caught = e));
    expect(caught).to.be.instanceOf(UsageError);
    expect((caught as Error).message).to.include('quay.io').and.include('contains ":"').and.not.include('fake-s3cret');
    expect(await readFile(path, 'utf8')).to.equal(before);
    // copy reports it as failed for that entry, and goes on.
    const source = new MemoryStore();
    await source.add({ serverURL: 'quay.io', username: 'al:ice', secret: 'fake-s3cret' });
    const report = await copyCredentials(source, store, { registries: [], dryRun: false, move: false });
    expect(report.entries.map((e) => [e.serverURL, e.status])).to.deep.equal([['quay.io', 'failed']]);
    expect(report.entries[0]!.reason).to.match(/writing to authfile:.*contains ":"/);
    expect(await readFile(path, 'utf8')).to.equal(before);
  });
});
