import { expect } from 'chai';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Host } from '../../../src/io.js';
import type { CredentialStore } from '../../../src/stores/store.js';
import { entryLocker } from '../../../src/stores/entry-lock.js';
import { HELD_LOCKS_VARIABLE, heldLocks, heldLocksText, inheritedLocks, whileHolding } from '../../../src/stores/held-locks.js';

const store = { name: 'file', location: () => 'file /somewhere/credentials.json' } as unknown as CredentialStore;
const A = `entry-${'a'.repeat(32)}`;
const B = `entry-${'b'.repeat(32)}`;

describe('entry locks', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credkit-entry-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const hostWith = (env: Record<string, string>): Host => ({ env: { XDG_STATE_HOME: join(dir, 'state'), ...env }, home: dir, platform: 'linux', cwd: dir });
  const lockFiles = () => (existsSync(join(dir, 'state', 'credkit')) ? readdirSync(join(dir, 'state', 'credkit')).filter((n) => n.endsWith('.lock')) : []);

  describe('the names a parent credkit hands down', () => {
    it('reads only lock names: entry- and 32 hex digits', () => {
      expect([...inheritedLocks(`${A},../../etc/passwd,,entry-xyz,${B}`)]).to.deep.equal([A, B]);
      expect([...inheritedLocks(undefined)]).to.deep.equal([]);
    });

    it('hands a helper what was inherited and what is held where it is called, and nothing held elsewhere', async () => {
      expect(heldLocksText(A)).to.equal(A);
      const inside = await whileHolding([B], async () => heldLocksText(A));
      expect(inside).to.equal(`${A},${B}`);
      const nested = await whileHolding([A], () => whileHolding([B], async () => heldLocks()));
      expect(nested).to.deep.equal([A, B]);
      expect(heldLocks()).to.deep.equal([]);
    });
  });

  describe('entryLocker', () => {
    it('holds the entry\'s lock file while fn runs, names it as held there, and removes it after', async () => {
      const lock = entryLocker(hostWith({}));
      const seen = await lock([{ store, key: 'quay.io' }], async () => ({ files: lockFiles(), held: heldLocks() }));
      expect(seen.files).to.have.length(1);
      expect(seen.held).to.deep.equal([seen.files[0]?.replace(/\.lock$/, '')]);
      expect(lockFiles()).to.deep.equal([]);
    });

    it('does not take (or wait for) a lock its parent credkit holds', async () => {
      const lock = entryLocker(hostWith({}));
      const name = (await lock([{ store, key: 'quay.io' }], async () => heldLocks()))[0] as string;
      // The parent's lock, held by a process that runs (this one): anyone else would wait 15 s.
      await writeFile(join(dir, 'state', 'credkit', `${name}.lock`), `${process.pid} - -\n`);
      const child = entryLocker(hostWith({ [HELD_LOCKS_VARIABLE]: name }), { timeoutMs: 200 });
      const started = Date.now();
      expect(await child([{ store, key: 'quay.io' }], async () => 'ran')).to.equal('ran');
      expect(Date.now() - started).to.be.lessThan(150);
      // Another key is locked as ever, and one held by a running process is waited for.
      await child([{ store, key: 'ghcr.io' }], async () => expect(lockFiles()).to.have.length(2));
      const stranger = entryLocker(hostWith({}), { timeoutMs: 200 });
      let err: unknown;
      await stranger([{ store, key: 'quay.io' }], async () => 'ran').catch((e: unknown) => (err = e));
      expect(String(err)).to.match(/"quay\.io" in file, which another credkit run may be writing: .*timed out waiting for lock/);
    });

    it('runs without locks where the state directory cannot be made, and says why once', async () => {
      await writeFile(join(dir, 'state'), 'a file where the directory should be\n');
      const why: string[] = [];
      const lock = entryLocker(hostWith({}), {}, (text) => why.push(text));
      expect(await lock([{ store, key: 'quay.io' }], async () => 1)).to.equal(1);
      expect(await lock([{ store, key: 'ghcr.io' }], async () => 2)).to.equal(2);
      expect(why).to.have.length(1);
      expect(why[0]).to.match(/state\/credkit\/entry-[0-9a-f]{32}: cannot (inspect|create directory)/);
    });
  });
});
