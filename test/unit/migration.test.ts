/**
 * The library's migrateAuthFiles, imported by the package's name as a script would, on real files
 * and credkit's file store, against `credkit migrate --json` run on a copy of the same files: the
 * same report, errors in the library's words.
 */
import { expect } from 'chai';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import * as credkit from 'credkit';
import type { MigrateAuthFilesOptions, MigrateResult } from 'credkit';
import { rejection } from '../support/rejection.js';
import { BIN, FIXTURES, makeSandboxPerTest, run, type RunResult, type Sandbox } from '../support/sandbox.js';

const PW = 'fake-lib-migrate-password';
const TOKEN = 'fake-lib-migrate-token';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const auth = (user: string, pw = PW) => ({ auth: b64(`${user}:${pw}`) });

/**
 * One tree of auth files under `dir`: podman files, a docker config.json, one that cannot be read
 * as an auth file, and one whose key holds a credential (swapped key and auth).
 */
async function writeTree(dir: string): Promise<void> {
  for (const runner of ['a', 'b', 'c', 'd']) await mkdir(join(dir, 'runners', runner), { recursive: true });
  await writeFile(join(dir, 'runners', 'a', 'auth.json'), JSON.stringify({ auths: { 'quay.io': auth('alice'), 'quay.io/team': auth('team') } }));
  await writeFile(join(dir, 'runners', 'b', 'auth.json'), JSON.stringify({ auths: { 'https://index.docker.io/v1/': auth('bob') } }));
  await writeFile(join(dir, 'runners', 'c', 'auth.json'), '{ "auths": ');
  await writeFile(join(dir, 'runners', 'd', 'config.json'), JSON.stringify({ auths: { 'ghcr.io': { identitytoken: TOKEN, auth: b64('carol:') }, [b64(`dave:${PW}`)]: auth('x') } }));
}

/** `credkit ARGS` in `cwd` (patterns are taken from it). */
function credkitIn(sb: Sandbox, cwd: string, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<RunResult> {
  return run(process.execPath, [BIN.credkit, ...args], { cwd, env: { ...sb.env, ...extraEnv } });
}

describe('library: migrateAuthFiles', function () {
  this.timeout(60_000);
  let sb: Sandbox;
  makeSandboxPerTest({ CREDKIT_BACKEND: 'file' }, (made) => (sb = made));

  /** The library in `lib`, the CLI in `cli`, on the same tree, with the same options. */
  async function both(options: MigrateAuthFilesOptions, patterns: string[], args: string[]): Promise<{ lib: MigrateResult; cli: MigrateResult; code: number | null; libDir: string; cliDir: string }> {
    const [libDir, cliDir] = [join(sb.home, 'lib'), join(sb.home, 'cli')];
    await writeTree(libDir);
    await writeTree(cliDir);
    // Each its own file store: a store the other filled would make its entries `same`.
    const lib = await credkit.migrateAuthFiles(patterns, { env: { ...sb.env, CREDKIT_FILE: join(libDir, 'store.json') }, cwd: libDir, ...options });
    const r = await credkitIn(sb, cliDir, ['migrate', ...patterns, ...args, '--json'], { CREDKIT_FILE: join(cliDir, 'store.json') });
    return { lib, cli: JSON.parse(r.stdout) as MigrateResult, code: r.code, libDir, cliDir };
  }

  it('converts in place with to: the report credkit migrate --json prints, a bad file in it with ok false, nothing thrown', async () => {
    for (const dryRun of [true, false]) {
      const { lib, cli, code, libDir, cliDir } = await both({ to: 'docker', dryRun }, ['runners/[bc]/auth.json', 'absent/*.json'], ['--to', 'docker', ...(dryRun ? ['--dry-run'] : [])]);
      expect(code).to.equal(1);
      expect(lib).to.deep.equal(cli);
      expect(lib.ok).to.equal(false);
      expect(lib.files.map((f) => [f.file, f.status])).to.deep.equal([
        ['runners/b/auth.json', dryRun ? 'would-change' : 'changed'],
        ['runners/c/auth.json', 'failed'],
      ]);
      expect([lib.unmatched, lib.summary]).to.deep.equal([['absent/*.json'], { files: 2, changed: dryRun ? 0 : 1, 'would-change': dryRun ? 1 : 0, unchanged: 0, lossy: 0, failed: 1 }]);
      const written = await readFile(join(libDir, 'runners', 'b', 'auth.json'), 'utf8');
      // The same file the command writes (or, in a dry run, left as both found it).
      expect(written === (await readFile(join(cliDir, 'runners', 'b', 'auth.json'), 'utf8'))).to.equal(true);
      expect(JSON.stringify(lib).includes('fake-')).to.equal(false);
    }
  });

  it('a lossy file is reported, not written, naming allowLossy; with it, written', async () => {
    const dir = join(sb.home, 'lossy');
    await mkdir(dir);
    // A path under a registry, which docker ignores (a scope loss).
    const text = JSON.stringify({ auths: { 'quay.io/team': auth('team') } });
    await writeFile(join(dir, 'auth.json'), text);
    const options = { env: sb.env, cwd: dir, to: 'docker' as const };
    const lossy = await credkit.migrateAuthFiles(['auth.json'], options);
    expect([lossy.ok, lossy.files[0]?.status, lossy.files[0]?.message]).to.deep.equal([false, 'lossy', 'docker cannot express 1 item; not written (set allowLossy to accept)']);
    expect(await readFile(join(dir, 'auth.json'), 'utf8')).to.equal(text);
    const cli = await credkitIn(sb, dir, ['migrate', 'auth.json', '--to', 'docker', '--json']);
    expect((JSON.parse(cli.stdout) as MigrateResult).files[0]?.message).to.equal('docker cannot express 1 item; not written (pass --allow-lossy to accept)');
    const done = await credkit.migrateAuthFiles(['auth.json'], { ...options, allowLossy: true, backup: true });
    expect([done.ok, done.files[0]?.status]).to.deep.equal([true, 'changed']);
    expect(done.files[0]?.backup).to.match(/^auth\.json\.credkit-backup-\d{8}T\d{6}Z$/);
    expect(await readFile(join(dir, done.files[0]!.backup!), 'utf8')).to.equal(text);
  });

  it('moves plaintext logins into a store with intoStore: the same report, the file store filled, podman auth.json files routed to it by credHelpers', async () => {
    const progress: number[] = [];
    const { lib, cli, code, libDir } = await both({ intoStore: 'file', onProgress: (done) => progress.push(done) }, ['runners/**/*.json'], ['--into-store', 'file']);
    expect(code).to.equal(1);
    expect(lib).to.deep.equal(cli);
    expect(progress).to.deep.equal([1, 2, 3, 4]);
    expect(lib.files.map((f) => [f.file, f.status, (f.stored ?? []).map((s) => `${s.key} ${s.username} ${s.action} ${s.store}`)])).to.deep.equal([
      // podman asks a credHelpers entry for quay.io before quay.io/team: a has nothing to move.
      ['runners/a/auth.json', 'unchanged', []],
      ['runners/b/auth.json', 'changed', ['docker.io bob add file']],
      ['runners/c/auth.json', 'failed', []],
      ['runners/d/config.json', 'failed', []],
    ]);
    // The key that holds a credential is named by its stand-in, never as written.
    expect(lib.files[3]?.message).to.include('<entry #2 of auths, hidden: it looks like a base64 user:password>');
    expect(JSON.stringify(lib).includes('fake-') || JSON.stringify(lib).includes(b64(`dave:${PW}`).slice(0, 12))).to.equal(false);
    const store = await credkit.openStore('file', { env: { ...sb.env, CREDKIT_FILE: join(libDir, 'store.json') } });
    expect(await store.get('docker.io')).to.deep.equal({ serverURL: 'docker.io', username: 'bob', password: PW });
    expect(JSON.parse(await readFile(join(libDir, 'runners', 'b', 'auth.json'), 'utf8'))).to.deep.equal({ auths: {}, credHelpers: { 'docker.io': 'credkit' } });
  });

  it('names files and backups relative to a cwd given as dir/., a/../dir or a relative path, as credkit migrate run there does', async () => {
    const dir = join(sb.home, 'w');
    await writeTree(dir);
    const expected = await credkitIn(sb, dir, ['migrate', 'runners/b/auth.json', '--to', 'docker', '--dry-run', '--json']);
    expect((JSON.parse(expected.stdout) as MigrateResult).files.map((f) => [f.file, f.status])).to.deep.equal([['runners/b/auth.json', 'would-change']]);
    for (const cwd of [`${dir}/.`, `${dir}/runners/..`, `${relative(process.cwd(), join(dir, 'runners'))}/..`]) {
      const plan = await credkit.migrateAuthFiles(['runners/b/auth.json'], { env: sb.env, cwd, to: 'docker', dryRun: true });
      expect(plan, cwd).to.deep.equal(JSON.parse(expected.stdout));
    }
    const done = await credkit.migrateAuthFiles(['runners/b/auth.json'], { env: sb.env, cwd: `${dir}/runners/..`, to: 'docker', backup: true });
    expect(done.files.map((f) => [f.file, f.status, f.backup?.replace(/\d{8}T\d{6}Z$/, 'STAMP')])).to.deep.equal([['runners/b/auth.json', 'changed', 'runners/b/auth.json.credkit-backup-STAMP']]);
  });

  it('throws only before any file is touched: a UsageError naming the library\'s options, with its code', async () => {
    await writeTree(sb.home);
    const cases: Array<[MigrateAuthFilesOptions, string[], string]> = [
      [{}, ['runners/*/auth.json'], 'set exactly one of to (a format) or intoStore (a store name)'],
      [{ to: 'docker', intoStore: 'file' }, ['runners/*/auth.json'], 'set exactly one of to (a format) or intoStore (a store name)'],
      [{ intoStore: 'file', allowLossy: true }, ['runners/*/auth.json'], 'allowLossy goes with to'],
      [{ intoStore: 'file', from: 'dockercfg' }, ['runners/*/auth.json'], 'from dockercfg cannot go with intoStore: a legacy .dockercfg has no place to name a credential store (from docker or podman says whose files these are)'],
      [{ to: 'secret' as 'docker' }, ['runners/*/auth.json'], 'to must be one of docker, podman, dockercfg: migrate rewrites auth files in place (convertAuth converts to and from a Secret)'],
      [{ to: 'docker' }, [], 'patterns must be a list of one or more files or glob patterns'],
      [{ intoStore: 'authfile:x.json' }, ['runners/*/auth.json'], 'intoStore needs a credential store, not an auth file (docker cannot use a file as credsStore)'],
      [{ intoStore: 'env' }, ['runners/*/auth.json'], 'intoStore "env": that store is read-only'],
      [{ intoStore: '' }, ['runners/*/auth.json'], 'intoStore needs a store: one of auto, keychain, keyutils, pass, file, credkit, helper:NAME'],
      [{ intoStore: 'pass' }, ['runners/*/auth.json'], 'intoStore "pass": docker-credential-credkit uses the "file" backend here, so docker would not find credentials stored in "pass"; set CREDKIT_BACKEND (or "backend =" in config.ini) to pass, or use intoStore "credkit"'],
      [{ intoStore: 'kechain' }, ['runners/*/auth.json'], 'unknown credkit backend "kechain" in intoStore (choose one of: auto, keychain, keyutils, pass, file, credkit, helper:NAME)'],
      [{ to: 'docker', helperTimeoutMs: 0 }, ['runners/*/auth.json'], 'helperTimeoutMs must be a positive number of milliseconds'],
    ];
    for (const [options, patterns, message] of cases) {
      const err = await rejection(credkit.migrateAuthFiles(patterns, { env: sb.env, cwd: sb.home, ...options }));
      expect(err, message).to.be.instanceOf(credkit.UsageError);
      expect([err.code, err.message]).to.deep.equal(['USAGE', message]);
    }
    // Nothing was touched.
    expect(JSON.parse(await readFile(join(sb.home, 'runners', 'a', 'auth.json'), 'utf8'))).to.deep.equal({ auths: { 'quay.io': auth('alice'), 'quay.io/team': auth('team') } });
  });

  it('a store that does not answer fails each file, naming helperTimeoutMs, and leaves it as it was', async () => {
    await writeTree(sb.home);
    const env = { ...sb.env, PATH: `${join(FIXTURES, 'helper-that-hangs')}:${sb.env.PATH}` };
    const result = await credkit.migrateAuthFiles(['runners/b/auth.json'], { env, cwd: sb.home, intoStore: 'helper:hangs', helperTimeoutMs: 300 });
    expect([result.ok, result.files]).to.deep.equal([false, [{ file: 'runners/b/auth.json', status: 'failed', message: 'docker-credential-hangs get did not finish within 0.3 s and was stopped (raise helperTimeoutMs if it needs longer)' }]]);
    expect(JSON.parse(await readFile(join(sb.home, 'runners', 'b', 'auth.json'), 'utf8'))).to.deep.equal({ auths: { 'https://index.docker.io/v1/': auth('bob') } });
  });
});
