/**
 * Two `credkit copy` or `credkit migrate --into-store` runs at once into one store, through the
 * shipped bin, as two CI jobs migrating one user's files would: each run locks every entry it works
 * on from its first read to its last write (src/stores/entry-lock.ts), so whatever the order, the
 * store holds one credential per key and both runs' reports say how it got there. Without the
 * lock both saw the key absent and reported it added (one silently replaced the other), or one
 * read back the other's credential and erased it as its own bad copy.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN, makeSandbox, run, type RunResult, type Sandbox } from '../support/sandbox.js';
import { usePassStore } from '../support/real-helpers.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** The two runs' credentials: run `a` logs in as `user-a` with `fake-race-a-N`, run `b` as `user-b`. */
const RUNS = ['a', 'b'] as const;
type RunName = (typeof RUNS)[number];
const secretOf = (run: RunName, i: number) => `fake-race-${run}-${i}`;

function keysOf(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `r${i}.race.example.test`);
}

/** A config.json holding every key with `run`'s credential. */
function authFileOf(run: RunName, keys: readonly string[]): string {
  return `${JSON.stringify({ auths: Object.fromEntries(keys.map((k, i) => [k, { auth: b64(`user-${run}:${secretOf(run, i)}`) }])) }, null, 2)}\n`;
}

function credkitIn(sb: Sandbox, cwd: string, args: readonly string[]): Promise<RunResult> {
  return run(process.execPath, [BIN.credkit, ...args], { cwd, env: sb.env });
}

function expectNoSecrets(results: readonly RunResult[]): void {
  for (const r of results) {
    expect(r.stdout + r.stderr).not.to.match(/fake-race-/);
  }
}

/** Each key's username in the store, as `credkit store list` shows it. */
async function storeUsers(sb: Sandbox, backend: string): Promise<Record<string, string>> {
  const r = await sb.credkit(['store', 'list', '--backend', backend, '--json']);
  expect(r.code, r.stderr).to.equal(0);
  return JSON.parse(r.stdout) as Record<string, string>;
}

async function eraseAll(sb: Sandbox, backend: string, keys: readonly string[]): Promise<void> {
  if (backend === 'file') {
    await rm(join(sb.env.XDG_DATA_HOME as string, 'credkit', 'credentials.json'), { force: true });
    return;
  }
  for (const key of Object.keys(await storeUsers(sb, backend))) {
    if (!keys.includes(key)) continue;
    const r = await sb.credkit(['store', 'erase', key, '--backend', backend]);
    expect(r.code, r.stderr).to.equal(0);
  }
}

/** The directories of the two runs, each with its config.json. */
async function writeRunFiles(sb: Sandbox, keys: readonly string[]): Promise<Record<RunName, string>> {
  const dirs = {} as Record<RunName, string>;
  for (const run of RUNS) {
    const dir = join(sb.home, 'work', run);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), authFileOf(run, keys), { mode: 0o600 });
    dirs[run] = dir;
  }
  return dirs;
}

interface CopyEntry {
  serverURL: string;
  action: string;
  status: string;
  reason?: string;
}

/**
 * Two copies of the same keys with different credentials at once, `rounds` times: per key one run
 * added and the other replaced (or both failed, never one), both say copied, and the store holds
 * the credential of the run that replaced, the later one.
 */
async function copiesAtOnce(sb: Sandbox, backend: string, keys: readonly string[], rounds: number, targets: Record<RunName, string> = { a: backend, b: backend }): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    await eraseAll(sb, backend, keys);
    const dirs = await writeRunFiles(sb, keys);
    const results = await Promise.all(RUNS.map((run) => credkitIn(sb, dirs[run], ['copy', '--from', 'authfile:config.json', '--to', targets[run], '--json'])));
    expectNoSecrets(results);
    const reports = results.map((r, i) => {
      expect(r.code, `run ${RUNS[i]}, round ${round}: ${r.stdout}${r.stderr}`).to.equal(0);
      return new Map((JSON.parse(r.stdout).entries as CopyEntry[]).map((e) => [e.serverURL, e]));
    });
    const users = await storeUsers(sb, backend);
    for (const key of keys) {
      const [a, b] = reports.map((m) => m.get(key) as CopyEntry);
      const actions = [a?.action, b?.action].sort();
      expect(actions, `round ${round}, ${key}: ${JSON.stringify([a, b])}`).to.deep.equal(['add', 'replace']);
      expect([a?.status, b?.status], `round ${round}, ${key}`).to.deep.equal(['copied', 'copied']);
      const later: RunName = a?.action === 'replace' ? 'a' : 'b';
      expect(users[key], `round ${round}, ${key}: the store holds the later run's credential`).to.equal(`user-${later}`);
    }
  }
}

/**
 * Two migrations of files holding the same keys with different credentials at once: one file is
 * changed, the other failed for a different credential and left untouched, and the store holds the
 * changed file's credentials.
 */
async function migrationsAtOnce(sb: Sandbox, backend: string, keys: readonly string[], rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    await eraseAll(sb, backend, keys);
    const dirs = await writeRunFiles(sb, keys);
    const results = await Promise.all(RUNS.map((run) => credkitIn(sb, dirs[run], ['migrate', 'config.json', '--into-store', backend, '--json'])));
    expectNoSecrets(results);
    const files = results.map((r) => (JSON.parse(r.stdout) as { files: { status: string; message?: string }[] }).files[0]);
    const statuses = files.map((f) => f?.status);
    expect([...statuses].sort(), `round ${round}: ${JSON.stringify(files)}`).to.deep.equal(['changed', 'failed']);
    const winner = RUNS[statuses.indexOf('changed')] as RunName;
    const loser = RUNS[statuses.indexOf('failed')] as RunName;
    expect(results[statuses.indexOf('changed')]?.code).to.equal(0);
    expect(results[statuses.indexOf('failed')]?.code).to.equal(1);
    expect(files[statuses.indexOf('failed')]?.message).to.match(/already holds a different credential for "r\d+\.race\.example\.test"; the file was left untouched/);
    const users = await storeUsers(sb, backend);
    for (const key of keys) expect(users[key], `round ${round}, ${key}`).to.equal(`user-${winner}`);
    expect(await readFile(join(dirs[loser], 'config.json'), 'utf8')).to.equal(authFileOf(loser, keys));
    expect(JSON.parse(await readFile(join(dirs[winner], 'config.json'), 'utf8'))).to.deep.equal({ auths: Object.fromEntries(keys.map((k) => [k, {}])), credsStore: 'credkit' });
  }
}

describe('runs at once: two copies or migrations into one credkit file store', function () {
  this.timeout(300_000);
  let sb: Sandbox;
  before(async () => {
    sb = await makeSandbox({ CREDKIT_BACKEND: 'file' });
  });
  after(async () => {
    await sb?.cleanup();
  });

  it('copy --to file, twice at once: per key one run adds and the other replaces, and the store holds what the later one stored', async () => {
    await copiesAtOnce(sb, 'file', keysOf(40), 8);
  });

  it('migrate --into-store file, twice at once: one file changed, the other failed for a different credential, the store holds the first', async () => {
    await migrationsAtOnce(sb, 'file', keysOf(40), 16);
  });

  it('copy --to credkit, whose [routes] send the keys to the file backend, beside copy --to file: one lock for the two names, as for one', async () => {
    const dir = join(sb.env.XDG_CONFIG_HOME as string, 'credkit');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.ini'), 'backend = file\n[routes]\n*.race.example.test = file\n');
    try {
      await copiesAtOnce(sb, 'file', keysOf(40), 6, { a: 'credkit', b: 'file' });
    } finally {
      await rm(join(dir, 'config.ini'));
    }
  });

  it('docker-credential-credkit store beside a copy of the same keys: the copy says add where the login came after it, replace where before, and the store agrees', async () => {
    const keys = keysOf(24);
    for (let round = 0; round < 4; round++) {
      await eraseAll(sb, 'file', keys);
      const dirs = await writeRunFiles(sb, keys);
      // Logins as docker makes them, four helpers at a time, each of a few keys in turn.
      const logins = async (part: number) => {
        for (const [i, key] of keys.entries()) {
          if (i % 4 !== part) continue;
          const r = await sb.helper('store', `${JSON.stringify({ ServerURL: key, Username: 'user-h', Secret: `fake-race-h-${i}` })}\n`);
          expect(r.code, r.stdout).to.equal(0);
        }
      };
      const [copy] = await Promise.all([credkitIn(sb, dirs.a, ['copy', '--from', 'authfile:config.json', '--to', 'file', '--json']), ...[0, 1, 2, 3].map(logins)]);
      expectNoSecrets([copy as RunResult]);
      expect(copy?.code, copy?.stdout).to.equal(0);
      const entries = new Map((JSON.parse(copy?.stdout ?? '').entries as CopyEntry[]).map((e) => [e.serverURL, e]));
      const users = await storeUsers(sb, 'file');
      for (const key of keys) {
        const e = entries.get(key) as CopyEntry;
        expect(e.status, `round ${round}, ${key}: ${JSON.stringify(e)}`).to.equal('copied');
        // add: the store was empty when the copy read it, so the login came after and is what it holds.
        expect(users[key], `round ${round}, ${key}: ${JSON.stringify(e)}`).to.equal(e.action === 'add' ? 'user-h' : 'user-a');
      }
    }
  });

  it('a copy that finds an entry locked past the wait fails that entry, naming the key and the lock, and goes on', async () => {
    await eraseAll(sb, 'file', []);
    const keys = keysOf(2);
    const dirs = await writeRunFiles(sb, keys);
    // The lock another run would hold on r0 (entry-lock.ts), taken by this test's own process.
    const state = join(sb.env.XDG_STATE_HOME as string, 'credkit');
    const place = `file ${join(sb.env.XDG_DATA_HOME as string, 'credkit', 'credentials.json')}`;
    const name = `entry-${createHash('sha256').update(place).update('\u0000').update(keys[0] as string).digest('hex').slice(0, 32)}`;
    await mkdir(state, { recursive: true, mode: 0o700 });
    const host = (await run('hostname', [])).stdout.trim();
    const { readlink } = await import('node:fs/promises');
    await writeFile(join(state, `${name}.lock`), `${process.pid} ${host || '-'} ${await readlink('/proc/self/ns/pid')}\n`);
    const started = Date.now();
    const r = await credkitIn(sb, dirs.a, ['copy', '--from', 'authfile:config.json', '--to', 'file', '--json']);
    expect(Date.now() - started).to.be.greaterThan(10_000);
    expect(r.code, r.stderr).to.equal(1);
    const entries = JSON.parse(r.stdout).entries as CopyEntry[];
    expect(entries.map((e) => [e.serverURL, e.status])).to.deep.equal([
      [keys[0], 'failed'],
      [keys[1], 'copied'],
    ]);
    expect(entries[0]?.reason).to.match(/^"r0\.race\.example\.test" in file, which another credkit run may be writing: .*timed out waiting for lock .*entry-[0-9a-f]{32}\.lock held by process \d+/);
    expect(Object.keys(await storeUsers(sb, 'file'))).to.deep.equal([keys[1]]);
    await rm(join(state, `${name}.lock`));
  });

  it('where the state directory cannot be made, a login and logout still work, and copy and migrate --into-store work and say once that they ran without entry locks', async () => {
    await eraseAll(sb, 'file', []);
    const keys = keysOf(3);
    const dirs = await writeRunFiles(sb, keys);
    // A directory under /proc can never be made: as a read-only home or a file in the way would.
    const nowhere = { XDG_STATE_HOME: '/proc/credkit-test-no-such-dir' };
    const login = await sb.helper('store', `${JSON.stringify({ ServerURL: 'login.race.example.test', Username: 'user-h', Secret: 'fake-race-h-0' })}\n`, nowhere);
    expect([login.code, login.stdout, login.stderr]).to.deep.equal([0, '', '']);
    const logout = await sb.helper('erase', 'login.race.example.test\n', nowhere);
    expect([logout.code, logout.stdout, logout.stderr]).to.deep.equal([0, '', '']);
    const copy = await run(process.execPath, [BIN.credkit, 'copy', '--from', 'authfile:config.json', '--to', 'file'], { cwd: dirs.a, env: { ...sb.env, ...nowhere } });
    expectNoSecrets([copy]);
    expect(copy.code, copy.stderr).to.equal(0);
    const notes = copy.stderr.split('\n').filter((l) => l.includes('without entry locks'));
    expect(notes).to.have.length(1);
    expect(notes[0]).to.match(/^credkit: note: copied without entry locks, .*cannot create directory \/proc\/credkit-test-no-such-dir\/credkit .*; make XDG_STATE_HOME .* a directory you can write$/);
    expect(await storeUsers(sb, 'file')).to.deep.equal(Object.fromEntries(keys.map((k) => [k, 'user-a'])));
    await eraseAll(sb, 'file', []);
    const migrate = await run(process.execPath, [BIN.credkit, 'migrate', '--into-store', 'file', 'config.json'], { cwd: dirs.b, env: { ...sb.env, ...nowhere } });
    expectNoSecrets([migrate]);
    expect(migrate.code, migrate.stderr).to.equal(0);
    expect(migrate.stderr.split('\n').filter((l) => l.includes('without entry locks'))).to.have.length(1);
    expect(await storeUsers(sb, 'file')).to.deep.equal(Object.fromEntries(keys.map((k) => [k, 'user-b'])));
  });
});

describe('runs at once: two copies or migrations into one pass store (real pass and gpg)', function () {
  this.timeout(600_000);
  let sb: Sandbox;
  const pass = usePassStore();
  before(async () => {
    sb = await makeSandbox({ CREDKIT_BACKEND: 'pass', ...pass.env });
  });
  after(async () => {
    await sb?.cleanup();
  });

  it('copy --to pass, twice at once: per key one run adds and the other replaces, and pass holds what the later one stored', async () => {
    await copiesAtOnce(sb, 'pass', keysOf(3), 4);
  });

  it('migrate --into-store pass, twice at once: one file changed, the other failed, pass holds the first', async () => {
    await migrationsAtOnce(sb, 'pass', keysOf(3), 4);
  });
});
