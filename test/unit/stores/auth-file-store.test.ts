import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthFileStore } from '../../../src/stores/auth-file-store.js';
import { copyCredentials } from '../../../src/stores/copy.js';
import type { CredentialStore, StoredCredential } from '../../../src/stores/store.js';
import { ParseError, UsageError } from '../../../src/errors.js';

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

  it('reads an entry that is no object as empty in a config.json (docker does) and refuses it in an auth.json (podman does)', async () => {
    const doc = JSON.stringify({ auths: { 'quay.io': [], 'ghcr.io': { auth: b64('bob:fake-pw') } } });
    await writeFile(join(dir, 'config.json'), doc);
    const docker = new AuthFileStore(join(dir, 'config.json'));
    expect([...(await docker.list())]).to.deep.equal([['ghcr.io', 'bob']]);
    expect(await docker.get('quay.io')).to.equal(undefined);
    await docker.add({ serverURL: 'gcr.io', username: 'al', secret: 'fake-s3cret' });
    expect(Object.keys((JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { auths: object }).auths)).to.deep.equal(['quay.io', 'ghcr.io', 'gcr.io']);
    await writeFile(join(dir, 'auth.json'), doc);
    let caught: unknown;
    await new AuthFileStore(join(dir, 'auth.json')).list().catch((e: unknown) => (caught = e));
    expect(caught).to.be.instanceOf(ParseError);
    expect((caught as Error).message).to.include('quay.io').and.include('an array');
  });

  // docker 28.2 warns "Error parsing config file", reads such a value as empty and uses the rest;
  // podman refuses an auth.json whose "auth" or "auths" has the wrong type.
  it('reads a config.json with values of the wrong type as docker does (with a note each), keeps them as they are when writing, and refuses an "auths" or "credHelpers" it would have to drop', async () => {
    const path = join(dir, 'config.json');
    const doc = { auths: { 'quay.io': { auth: b64('bob:fake-pw') }, 'ghcr.io': { username: 'al', password: 'fake-pw2', auth: 5 } }, credsStore: 7 };
    await writeFile(path, JSON.stringify(doc));
    const docker = new AuthFileStore(path);
    expect([...(await docker.list())]).to.deep.equal([['quay.io', 'bob'], ['ghcr.io', 'al']]);
    expect((await docker.get('ghcr.io'))?.secret === 'fake-pw2').to.equal(true);
    expect(docker.readNotes).to.deep.equal([`${path}: key "ghcr.io": "auth" is a number, not a string: read as docker 28.2 reads it (as empty), which warns about it on every command`, `${path}: "credsStore" is a number, not a string: read as docker 28.2 reads it (as empty), which warns about it on every command`]);
    await docker.add({ serverURL: 'gcr.io', username: 'cy', secret: 'fake-s3' });
    const written = JSON.parse(await readFile(path, 'utf8')) as typeof doc;
    expect([written.auths['ghcr.io'].auth, written.credsStore]).to.deep.equal([5, 7]);

    await writeFile(join(dir, 'auth.json'), JSON.stringify(doc));
    const caught = await new AuthFileStore(join(dir, 'auth.json')).list().catch((e: unknown) => e);
    expect(caught).to.be.instanceOf(ParseError);

    for (const bad of [{ auths: [], credHelpers: {} }, { auths: {}, credHelpers: [] }]) {
      const text = JSON.stringify(bad);
      await writeFile(path, text);
      const store = new AuthFileStore(path);
      expect([...(await store.list())]).to.deep.equal([]);
      const refused = await store.add({ serverURL: 'gcr.io', username: 'cy', secret: 'fake-s3' }).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(ParseError);
      expect((refused as Error).message).to.include('an array, not a JSON object').and.include(`credkit convert ${path} --to docker -o ${path}`);
      expect(await readFile(path, 'utf8')).to.equal(text);
    }
  });

  // podman 4.3 and skopeo 1.9 decode only "auth" and "identitytoken" of an entry: they read such
  // an auth.json (podman login --get-login answers the user in "auth").
  it('reads an auth.json entry whose field podman never decodes has the wrong type (with a note), copies into and out of it, and keeps every other value', async () => {
    const path = join(dir, 'auth.json');
    const doc = { auths: { 'quay.io': { auth: b64('bob:fake-pw'), username: true, email: {} }, 'ghcr.io': { auth: b64('al:fake-pw2'), password: 5 } }, credsStore: 9 };
    await writeFile(path, JSON.stringify(doc));
    const podman = new AuthFileStore(path);
    expect([...(await podman.list())]).to.deep.equal([['quay.io', 'bob'], ['ghcr.io', 'al']]);
    expect((await podman.get('quay.io'))?.secret === 'fake-pw').to.equal(true);
    expect(podman.readNotes).to.deep.equal([
      `${path}: key "quay.io": "username" is a boolean, not a string: not read, as podman 4.3 never decodes it (it reads the rest of the entry)`,
      `${path}: key "quay.io": "email" is an object, not a string: not read, as podman 4.3 never decodes it (it reads the rest of the entry)`,
      `${path}: key "ghcr.io": "password" is a number, not a string: not read, as podman 4.3 never decodes it (it reads the rest of the entry)`,
    ]);
    // Into it: the registry it holds already is "same", a new one is added, and nothing else changes.
    const source = new MemoryStore();
    await source.add({ serverURL: 'quay.io', username: 'bob', secret: 'fake-pw' });
    await source.add({ serverURL: 'gcr.io', username: 'cy', secret: 'fake-s3' });
    const into = await copyCredentials(source, podman, { registries: [], dryRun: false, move: false });
    expect(into.entries.map((e) => [e.serverURL, e.action, e.status])).to.deep.equal([['gcr.io', 'add', 'copied'], ['quay.io', 'same', 'unchanged']]);
    const written = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    expect(written).to.deep.equal({ auths: { ...doc.auths, 'gcr.io': { auth: b64('cy:fake-s3') } }, credsStore: 9 });
    // Out of it, and moved: the entry goes, every other value stays.
    const out = new MemoryStore();
    const moved = await copyCredentials(podman, out, { registries: ['quay.io'], dryRun: false, move: true });
    expect(moved.entries.map((e) => [e.serverURL, e.status])).to.deep.equal([['quay.io', 'moved']]);
    expect(out.items.get('quay.io')?.username).to.equal('bob');
    expect(JSON.parse(await readFile(path, 'utf8'))).to.deep.equal({ auths: { 'ghcr.io': doc.auths['ghcr.io'], 'gcr.io': { auth: b64('cy:fake-s3') } }, credsStore: 9 });
    // What podman refuses stays refused: "auth" of the wrong type.
    await writeFile(path, JSON.stringify({ auths: { 'quay.io': { auth: 5 } } }));
    expect(await new AuthFileStore(path).list().catch((e: unknown) => e)).to.be.instanceOf(ParseError);
  });

  describe('an identity token keeps the username beside it (auth = base64(user:), as docker writes it)', () => {
    const TOKEN = 'fake-identity-token';
    const source = { auths: { 'tok.io': { auth: b64('tu:'), identitytoken: TOKEN } } };

    for (const name of ['config.json', 'auth.json']) {
      it(`authfile → authfile (${name}): an equivalent entry, verified, and a second run is unchanged`, async () => {
        const from = join(dir, 'a.json');
        await writeFile(from, JSON.stringify(source));
        const to = new AuthFileStore(join(dir, name));
        const r = await copyCredentials(new AuthFileStore(from), to, { registries: [], dryRun: false, move: false });
        expect(r.entries.map((e) => [e.serverURL, e.action, e.status])).to.deep.equal([['tok.io', 'add', 'copied']]);
        expect(JSON.parse(await readFile(join(dir, name), 'utf8')).auths).to.deep.equal(source.auths);
        expect(await to.get('tok.io')).to.deep.equal({ serverURL: 'tok.io', username: '<token>', secret: TOKEN, tokenUsername: 'tu' });
        const again = await copyCredentials(new AuthFileStore(from), to, { registries: [], dryRun: false, move: false });
        expect(again.entries.map((e) => e.status)).to.deep.equal(['unchanged']);
      });
    }

    it('a target entry with the token but not the username is replaced, not left "unchanged"', async () => {
      const from = join(dir, 'a.json');
      const path = join(dir, 'b.json');
      await writeFile(from, JSON.stringify(source));
      await writeFile(path, JSON.stringify({ auths: { 'tok.io': { identitytoken: TOKEN } } }));
      const r = await copyCredentials(new AuthFileStore(from), new AuthFileStore(path), { registries: [], dryRun: false, move: false });
      expect(r.entries.map((e) => [e.action, e.status])).to.deep.equal([['replace', 'copied']]);
      expect(JSON.parse(await readFile(path, 'utf8')).auths).to.deep.equal(source.auths);
    });

    it('from a helper (no username to give): docker style writes the token alone, podman style auth = base64(":"), and a known username is kept', async () => {
      const helper = new MemoryStore();
      await helper.add({ serverURL: 'tok.io', username: '<token>', secret: TOKEN });
      const docker = join(dir, 'config.json');
      const podman = join(dir, 'auth.json');
      for (const path of [docker, podman]) await copyCredentials(helper, new AuthFileStore(path), { registries: [], dryRun: false, move: false });
      // docker cannot decode base64(":") and would lose other entries; podman needs the colon to read the token.
      expect(JSON.parse(await readFile(docker, 'utf8')).auths).to.deep.equal({ 'tok.io': { identitytoken: TOKEN } });
      expect(JSON.parse(await readFile(podman, 'utf8')).auths).to.deep.equal({ 'tok.io': { auth: b64(':'), identitytoken: TOKEN } });
      // A target that already knows the username keeps it: the helper's token is the same credential.
      const known = join(dir, 'known.json');
      await writeFile(known, JSON.stringify(source));
      const r = await copyCredentials(helper, new AuthFileStore(known), { registries: [], dryRun: false, move: false });
      expect(r.entries.map((e) => e.status)).to.deep.equal(['unchanged']);
      expect(JSON.parse(await readFile(known, 'utf8')).auths).to.deep.equal(source.auths);
    });

    it('authfile → helper: the token is copied as "<token>"; the helper protocol has no place for the username (as with docker)', async () => {
      const from = join(dir, 'a.json');
      await writeFile(from, JSON.stringify(source));
      const helper = new MemoryStore();
      const r = await copyCredentials(new AuthFileStore(from), helper, { registries: [], dryRun: false, move: false });
      expect(r.entries.map((e) => e.status)).to.deep.equal(['copied']);
      expect(helper.items.get('tok.io')).to.deep.equal({ serverURL: 'tok.io', username: '<token>', secret: TOKEN });
    });
  });
});
