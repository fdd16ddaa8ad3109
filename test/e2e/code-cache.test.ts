/**
 * The bins' start-up code cache (src/boot.ts): written once per call variant (verb, config.ini),
 * reused, never trusted when it is wrong, absent when turned off, and never holding a credential.
 */
import { expect } from 'chai';
import { chmod, chown, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN, makeSandbox, makeSandboxPerTest, run, type Sandbox } from '../support/sandbox.js';

const store = `${JSON.stringify({ ServerURL: 'quay.io', Username: 'bob', Secret: 'fake-code-cache-secret-7' })}\n`;
const answer = '{"ServerURL":"quay.io","Username":"bob","Secret":"fake-code-cache-secret-7"}\n';

async function cacheFiles(root: string): Promise<string[]> {
  const base = join(root, 'credkit', 'code-cache');
  const out: string[] = [];
  for (const dir of await readdir(base).catch(() => [] as string[])) {
    for (const f of await readdir(join(base, dir))) out.push(join(base, dir, f));
  }
  return out.sort();
}

/** The cache files' names with the content hash replaced by HASH. */
async function cacheNames(root: string): Promise<string[]> {
  return (await cacheFiles(root)).map((f) => f.replace(/^.*\//, '').replace(/-[0-9a-f]{32}(?=[-.])/, '-HASH')).sort();
}

describe('start-up code cache (docker-credential-credkit and credkit)', () => {
  let sb: Sandbox;
  makeSandboxPerTest({ CREDKIT_BACKEND: 'file' }, (made) => (sb = made));

  /** Stores the credential and gets it once: the path of the cache `get` wrote. */
  async function getCache(): Promise<string> {
    await sb.helper('store', store);
    await sb.helper('get', 'quay.io');
    const file = (await cacheFiles(join(sb.home, '.cache'))).find((f) => f.endsWith('-get.bin'));
    expect(file).to.be.a('string');
    return file as string;
  }

  it('is written on the first call (0600 in a 0700 directory), reused after, and holds no credential', async () => {
    expect((await sb.helper('store', store)).code).to.equal(0);
    const files = await cacheFiles(join(sb.home, '.cache'));
    // The main bundle, named by its content hash and the verb; the file backend needs no other bundle.
    expect(files.map((f) => f.replace(/^.*\//, ''))).to.have.length(1);
    expect(files[0]).to.match(/\/v8-[^/]+\/helper\.cjs-[0-9a-f]{32}-store\.bin$/);
    expect((await stat(files[0] as string)).mode & 0o777).to.equal(0o600);
    expect((await stat(join(files[0] as string, '..'))).mode & 0o777).to.equal(0o700);
    const before = await readFile(files[0] as string);
    expect(before.includes(Buffer.from('fake-code-cache-secret-7'))).to.equal(false);

    expect(await sb.helper('store', store)).to.include({ code: 0, stdout: '' });
    // A cache V8 accepted is not written again.
    expect((await readFile(files[0] as string)).equals(before)).to.equal(true);
  });

  it('each helper verb has a cache of its own, and so has a call with a config.ini', async () => {
    // V8 caches what the call that wrote a cache compiled: a `get` finding the cache of a `version`
    // (or of a call without config.ini, when it routes) would compile its own code every time.
    await sb.helper('version');
    expect(await sb.helper('store', store)).to.include({ code: 0 });
    expect(await sb.helper('get', 'quay.io')).to.include({ code: 0, stdout: answer });
    expect(await sb.helper('list')).to.include({ code: 0 });
    expect(await sb.helper('erase', 'quay.io')).to.include({ code: 0 });
    await sb.helper(['get', 'extra']);
    await sb.helper('--help');
    expect(await cacheNames(join(sb.home, '.cache'))).to.deep.equal(['helper.cjs-HASH-erase.bin', 'helper.cjs-HASH-get.bin', 'helper.cjs-HASH-list.bin', 'helper.cjs-HASH-other.bin', 'helper.cjs-HASH-store.bin']);

    await mkdir(join(sb.home, '.config', 'credkit'), { recursive: true });
    await writeFile(join(sb.home, '.config', 'credkit', 'config.ini'), 'backend = file\n[routes]\nquay.io = file\n');
    expect(await sb.helper('store', store)).to.include({ code: 0 });
    expect(await sb.helper('get', 'quay.io')).to.include({ code: 0, stdout: answer });
    const named = join(sb.home, 'named.ini');
    await writeFile(named, 'backend = file\n');
    expect(await sb.helper('list', '', { CREDKIT_CONFIG: named })).to.include({ code: 0 });
    const names = await cacheNames(join(sb.home, '.cache'));
    expect(names.filter((n) => n.includes('-ini'))).to.deep.equal(['helper.cjs-HASH-get-ini.bin', 'helper.cjs-HASH-list-ini.bin', 'helper.cjs-HASH-store-ini.bin']);
  });

  it("a backend's bundle is cached per verb too", async () => {
    // A helper:NAME backend: dist/helper-helper.cjs, loaded by the main bundle.
    const bin = join(sb.home, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'docker-credential-cachefake'), `#!/bin/sh\ncat >/dev/null\necho '{"ServerURL":"quay.io","Username":"bob","Secret":"fake-code-cache-secret-7"}'\n`, { mode: 0o755 });
    const env = { CREDKIT_BACKEND: 'helper:cachefake', PATH: `${bin}:${sb.env.PATH}` };
    expect(await sb.helper('get', 'quay.io', env)).to.include({ code: 0, stdout: answer });
    expect(await sb.helper('store', store, env)).to.include({ code: 0 });
    expect(await cacheNames(join(sb.home, '.cache'))).to.deep.equal(['helper-helper.cjs-HASH-get.bin', 'helper-helper.cjs-HASH-store.bin', 'helper.cjs-HASH-get.bin', 'helper.cjs-HASH-store.bin']);
  });

  it('credkit-kubelet-provider keeps --version and runs with a config.ini apart', async () => {
    const request = `${JSON.stringify({ kind: 'CredentialProviderRequest', apiVersion: 'credentialprovider.kubelet.k8s.io/v1', image: 'quay.io/team/app' })}\n`;
    expect((await sb.helper('store', store)).code).to.equal(0);
    const provider = (args: string[], more: Record<string, string> = {}) => run(process.execPath, [BIN.kubeletProvider, ...args], { input: request, env: { ...sb.env, ...more } });
    expect((await provider(['--version'])).code).to.equal(0);
    const r = await provider([]);
    expect(r.code).to.equal(0);
    expect(r.stdout.includes('fake-code-cache-secret-7')).to.equal(true);
    const named = join(sb.home, 'named.ini');
    await writeFile(named, 'backend = file\n');
    expect((await provider([], { CREDKIT_CONFIG: named })).code).to.equal(0);
    const names = (await cacheNames(join(sb.home, '.cache'))).filter((n) => n.startsWith('kubelet-provider'));
    expect(names).to.deep.equal(['kubelet-provider.cjs-HASH-ini.bin', 'kubelet-provider.cjs-HASH-other.bin', 'kubelet-provider.cjs-HASH.bin']);
  });

  it("a new build's cache replaces the caches of earlier builds, whatever their variant, and only those", async () => {
    expect((await sb.helper('get', 'quay.io')).code).to.equal(1);
    const [get] = await cacheFiles(join(sb.home, '.cache'));
    const dir = join(get as string, '..');
    const hash = /-([0-9a-f]{32})-/.exec(get as string)?.[1] as string;
    const old = '0'.repeat(32);
    // Older builds' caches: one per variant, and one named as before the helper had variants.
    const older = [`helper.cjs-${old}.bin`, `helper.cjs-${old}-get.bin`, `helper.cjs-${old}-store.bin`, `helper.cjs-${old}-list-ini.bin`];
    // This build's other variants, other bundles, credkit's commands, and what is not a cache.
    const kept = [`helper.cjs-${hash}-list.bin`, `helper.cjs-${hash}-get-ini.bin`, `helper-pass.cjs-${old}-get.bin`, `cli.cjs-${old}-ls.bin`, `helper.cjs-${old}-get.bin.123.tmp`, 'helper.cjs-notes.bin'];
    for (const f of [...older, ...kept]) await writeFile(join(dir, f), 'stale', { mode: 0o600 });
    expect((await sb.helper('store', store)).code).to.equal(0);
    const names = await readdir(dir);
    expect(names.filter((n) => older.includes(n))).to.deep.equal([]);
    expect(names).to.include.members([...kept, `helper.cjs-${hash}-get.bin`, `helper.cjs-${hash}-store.bin`]);
  });

  it('a cache V8 rejects (garbage) is compiled around and replaced', async () => {
    const file = await getCache();
    await writeFile(file, Buffer.alloc(4096, 0x5a));
    const r = await sb.helper('get', 'quay.io');
    expect(r).to.include({ code: 0, stdout: answer, stderr: '' });
    const rewritten = await readFile(file);
    expect(rewritten.equals(Buffer.alloc(4096, 0x5a))).to.equal(false);
    expect(rewritten.length).to.be.greaterThan(1000);
  });

  it('a cache directory others can write is not written, and a file others can write is not read', async () => {
    const file = await getCache();
    const dir = join(file, '..');
    const planted = Buffer.alloc(4096, 0x5a);
    await writeFile(file, planted);
    await chmod(dir, 0o777);
    expect(await sb.helper('get', 'quay.io')).to.include({ code: 0, stdout: answer, stderr: '' });
    expect((await readFile(file)).equals(planted), 'left alone').to.equal(true);
    // A file others can write, in a directory of ours: not read either, and replaced.
    await chmod(dir, 0o700);
    await chmod(file, 0o666);
    expect(await sb.helper('get', 'quay.io')).to.include({ code: 0, stdout: answer, stderr: '' });
    expect((await readFile(file)).equals(planted)).to.equal(false);
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
  });

  it("run as root with another user's HOME (sudo -E): writes no cache there, so that user's own runs still cache", async function () {
    if (process.getuid?.() !== 0) this.skip(); // the case is root's: another user cannot write into a home not its own anyway
    const home = join(sb.home, 'user-home');
    await mkdir(home, { recursive: true });
    await chown(home, 65534, 65534);
    expect(await sb.helper('store', store, { HOME: home })).to.include({ code: 0 });
    expect(await readdir(home)).to.deep.equal([]);
    // The cache home being the user's own directory (XDG_CACHE_HOME), not yet there: the same.
    expect(await sb.helper('get', 'quay.io', { XDG_CACHE_HOME: join(home, 'cache') })).to.include({ code: 0, stdout: answer });
    expect(await readdir(home)).to.deep.equal([]);
    // Our own home still gets one.
    expect(await sb.helper('get', 'quay.io')).to.include({ code: 0, stdout: answer });
    expect((await cacheFiles(join(sb.home, '.cache'))).length).to.be.greaterThan(0);
  });

  it('follows XDG_CACHE_HOME, and CREDKIT_CODE_CACHE=off writes nothing', async () => {
    const xdg = join(sb.home, 'xdg-cache');
    await sb.helper('store', store, { XDG_CACHE_HOME: xdg });
    expect(await cacheFiles(xdg)).to.have.length(1);
    const off = await makeSandbox({ CREDKIT_BACKEND: 'file', CREDKIT_CODE_CACHE: 'off' });
    try {
      expect((await off.helper('store', store)).code).to.equal(0);
      expect(await off.helper('get', 'quay.io')).to.include({ code: 0, stdout: answer });
      expect(await readdir(off.home)).to.not.include('.cache');
    } finally {
      await off.cleanup();
    }
  });

  it('credkit keeps one cache of its bundle per command', async () => {
    expect((await sb.credkit(['--version'])).code).to.equal(0);
    expect((await sb.credkit(['ls'])).code).to.equal(0);
    expect((await sb.credkit(['ls', '--json'])).code).to.equal(0);
    const names = (await cacheFiles(join(sb.home, '.cache'))).map((f) => f.replace(/^.*\//, ''));
    expect(names.filter((n) => n.startsWith('cli.cjs-')).map((n) => n.replace(/-[0-9a-f]{32}-/, '-HASH-'))).to.deep.equal(['cli.cjs-HASH-ls.bin', 'cli.cjs-HASH-other.bin']);
  });

  it('an unwritable cache directory changes nothing for the caller', async () => {
    // A file where the cache directory would be: mkdir fails, the call does not.
    await writeFile(join(sb.home, '.cache'), 'not a directory');
    expect((await sb.helper('store', store)).code).to.equal(0);
    expect(await sb.helper('get', 'quay.io')).to.include({ code: 0, stdout: answer, stderr: '' });
  });

  it('a cache directory under /proc (where Node\'s recursive mkdir spins) changes nothing for the caller', async function () {
    if (process.platform !== 'linux') this.skip();
    const opts = { XDG_CACHE_HOME: '/proc/self/credkit-cache' };
    expect(await sb.helper('store', store, opts)).to.include({ code: 0, signal: null });
    expect(await sb.helper('get', 'quay.io', opts)).to.include({ code: 0, signal: null, stdout: answer, stderr: '' });
    expect(await sb.credkit(['--version'], '', opts)).to.include({ code: 0, signal: null });
  });
});
