/**
 * The bins' start-up code cache (src/boot.ts): written once, reused, never trusted when
 * it is wrong, absent when turned off, and never holding a credential.
 */
import { expect } from 'chai';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeSandbox, makeSandboxPerTest, type Sandbox } from '../support/sandbox.js';

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

describe('start-up code cache (docker-credential-credkit and credkit)', () => {
  let sb: Sandbox;
  makeSandboxPerTest({ CREDKIT_BACKEND: 'file' }, (made) => (sb = made));

  it('is written on the first call (0600 in a 0700 directory), reused after, and holds no credential', async () => {
    expect((await sb.helper('store', store)).code).to.equal(0);
    const files = await cacheFiles(join(sb.home, '.cache'));
    // The main bundle, named by its content hash; the file backend needs no other bundle.
    expect(files.map((f) => f.replace(/^.*\//, ''))).to.have.length(1);
    expect(files[0]).to.match(/\/v8-[^/]+\/helper\.cjs-[0-9a-f]{32}\.bin$/);
    expect((await stat(files[0] as string)).mode & 0o777).to.equal(0o600);
    expect((await stat(join(files[0] as string, '..'))).mode & 0o777).to.equal(0o700);
    const before = await readFile(files[0] as string);
    expect(before.includes(Buffer.from('fake-code-cache-secret-7'))).to.equal(false);

    const r = await sb.helper('get', 'quay.io');
    expect(r).to.include({ code: 0, stdout: answer });
    // A cache V8 accepted is not written again.
    expect((await readFile(files[0] as string)).equals(before)).to.equal(true);
  });

  it("a new build's cache replaces the caches of earlier builds, and only those", async () => {
    const dir = join(sb.home, '.cache', 'credkit', 'code-cache', `v8-${process.versions.v8}-${process.arch}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const older = `helper.cjs-${'0'.repeat(32)}.bin`;
    const otherBundle = `helper-pass.cjs-${'0'.repeat(32)}.bin`;
    const otherCommand = `cli.cjs-${'0'.repeat(32)}-ls.bin`;
    for (const f of [older, otherBundle, otherCommand]) await writeFile(join(dir, f), 'stale', { mode: 0o600 });
    expect((await sb.helper('store', store)).code).to.equal(0);
    const names = await readdir(dir);
    expect(names).to.not.include(older);
    expect(names).to.include.members([otherBundle, otherCommand]);
    expect(names.filter((n) => /^helper\.cjs-[0-9a-f]{32}\.bin$/.test(n))).to.have.length(1);
  });

  it('a cache V8 rejects (garbage) is compiled around and replaced', async () => {
    await sb.helper('store', store);
    const [file] = await cacheFiles(join(sb.home, '.cache'));
    await writeFile(file as string, Buffer.alloc(4096, 0x5a));
    const r = await sb.helper('get', 'quay.io');
    expect(r).to.include({ code: 0, stdout: answer, stderr: '' });
    const rewritten = await readFile(file as string);
    expect(rewritten.equals(Buffer.alloc(4096, 0x5a))).to.equal(false);
    expect(rewritten.length).to.be.greaterThan(1000);
  });

  it('a cache directory others can write is not written, and a file others can write is not read', async () => {
    await sb.helper('store', store);
    const [file] = await cacheFiles(join(sb.home, '.cache'));
    const dir = join(file as string, '..');
    const planted = Buffer.alloc(4096, 0x5a);
    await writeFile(file as string, planted);
    await chmod(dir, 0o777);
    expect(await sb.helper('get', 'quay.io')).to.include({ code: 0, stdout: answer, stderr: '' });
    expect((await readFile(file as string)).equals(planted), 'left alone').to.equal(true);
    // A file others can write, in a directory of ours: not read either, and replaced.
    await chmod(dir, 0o700);
    await chmod(file as string, 0o666);
    expect(await sb.helper('get', 'quay.io')).to.include({ code: 0, stdout: answer, stderr: '' });
    expect((await readFile(file as string)).equals(planted)).to.equal(false);
    expect((await stat(file as string)).mode & 0o777).to.equal(0o600);
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
