/**
 * The pass backend against the real password store: the shared contract, interop both ways with the
 * real docker-credential-pass, and the failure modes a headless user hits, through the shipped bins.
 */
import { expect } from 'chai';
import { mkdtemp, mkdir, rm, readdir, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStoreContract } from './store-contract.js';
import { FIXTURES, basePath, makeSandbox, run, skipUnlessPrograms } from '../support/sandbox.js';
import type { Sandbox } from '../support/sandbox.js';

const PROGRAMS = ['pass', 'gpg', 'gpgconf', 'docker-credential-pass'];
const FAKE_PASSPHRASE = 'fake-passphrase-for-tests';

let base = '';
/** A GnuPG home with an unprotected key, and one whose key needs a passphrase. */
const gnupg = { open: { home: '', fpr: '' }, locked: { home: '', fpr: '' }, empty: { home: '', fpr: '' } };

function gpgEnv(home: string): Record<string, string> {
  return { GNUPGHOME: home, HOME: base, PATH: basePath(), LANG: 'C.UTF-8' };
}

async function makeKey(home: string, passphrase: string): Promise<string> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  // The passphrase goes on stdin (--passphrase-fd 0), never on the command line.
  const r = await run('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase-fd', '0', '--quick-gen-key',
    'credkit test <credkit-test@example.invalid>', 'future-default', 'default', 'never'], { env: gpgEnv(home), input: `${passphrase}\n` });
  expect(r.code, r.stderr).to.equal(0);
  const l = await run('gpg', ['--batch', '--with-colons', '--list-keys'], { env: gpgEnv(home) });
  const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(l.stdout)?.[1];
  expect(fpr, l.stdout).to.be.a('string');
  // Forget any passphrase the agent cached while generating, so the locked key really is locked.
  await run('gpgconf', ['--kill', 'gpg-agent'], { env: gpgEnv(home) });
  return fpr as string;
}

/** A sandbox selecting the pass backend, with its own PASSWORD_STORE_DIR, initialised unless told. */
async function passSandbox(key: { home: string; fpr: string } = gnupg.open, init = true): Promise<Sandbox> {
  const sb = await makeSandbox({ CREDKIT_BACKEND: 'pass', GNUPGHOME: key.home });
  sb.env.PASSWORD_STORE_DIR = join(sb.home, 'store');
  if (init) {
    const r = await run('pass', ['init', key.fpr], { env: sb.env });
    expect(r.code, r.stderr).to.equal(0);
  }
  return sb;
}

function storeInput(serverURL: string, username: string, secret: string): string {
  return `${JSON.stringify({ ServerURL: serverURL, Username: username, Secret: secret })}\n`;
}

/** Runs the real reference helper in the sandbox's environment. */
function reference(sb: Sandbox, verb: string, input = '') {
  return run('docker-credential-pass', [verb], { input, env: sb.env });
}

describe('store contract: pass', function () {
  before(async function () {
    await skipUnlessPrograms(this, PROGRAMS);
    base = await mkdtemp(join(tmpdir(), 'credkit-gnupg-'));
    gnupg.open = { home: join(base, 'open'), fpr: '' };
    gnupg.open.fpr = await makeKey(gnupg.open.home, '');
    gnupg.locked = { home: join(base, 'locked'), fpr: '' };
    gnupg.locked.fpr = await makeKey(gnupg.locked.home, FAKE_PASSPHRASE);
    // A keyring with the public key only: it can encrypt to the store's key but never decrypt.
    gnupg.empty = { home: join(base, 'empty'), fpr: gnupg.open.fpr };
    await mkdir(gnupg.empty.home, { mode: 0o700 });
    const pub = await run('gpg', ['--batch', '--armor', '--export', gnupg.open.fpr], { env: gpgEnv(gnupg.open.home) });
    const imp = await run('gpg', ['--batch', '--import'], { env: gpgEnv(gnupg.empty.home), input: pub.stdout });
    expect(imp.code, imp.stderr).to.equal(0);
    await run('gpg', ['--batch', '--import-ownertrust'], { env: gpgEnv(gnupg.empty.home), input: `${gnupg.open.fpr}:6:\n` });
  });

  after(async () => {
    if (!base) return;
    for (const k of Object.values(gnupg)) if (k.home) await run('gpgconf', ['--kill', 'all'], { env: gpgEnv(k.home) });
    await rm(base, { recursive: true, force: true });
  });

  describe('contract', () => {
    runStoreContract({ sandbox: () => passSandbox() });
  });

  describe('interop with the real docker-credential-pass', () => {
    let sb: Sandbox;
    beforeEach(async () => {
      sb = await passSandbox();
    });
    afterEach(async () => {
      await sb.cleanup();
    });

    it('uses the same layout: <prefix>/<padded base64url(server URL)>/<username>.gpg', async () => {
      // "a>>?~~~" encodes with "-" and "_"-alphabet characters and needs padding.
      const r = await sb.helper('store', storeInput('reg.example.com/a>>?~~~', 'alice', 'fake-pw'));
      expect(r.code, r.stdout).to.equal(0);
      const dirs = await readdir(join(sb.env.PASSWORD_STORE_DIR as string, 'docker-credential-helpers'));
      expect(dirs).to.include('cmVnLmV4YW1wbGUuY29tL2E-Pj9-fn4=');
      expect(await readdir(join(sb.env.PASSWORD_STORE_DIR as string, 'docker-credential-helpers', 'cmVnLmV4YW1wbGUuY29tL2E-Pj9-fn4='))).to.deep.equal(['alice.gpg']);
    });

    it('credkit stores → docker-credential-pass get and list return it', async () => {
      let r = await sb.helper('store', storeInput('https://index.docker.io/v1/', 'alice', 'fake-s3cret'));
      expect(r.code, r.stdout).to.equal(0);
      r = await sb.helper('store', storeInput('ghcr.io', '<token>', 'fake-token'));
      expect(r.code, r.stdout).to.equal(0);
      r = await reference(sb, 'get', 'https://index.docker.io/v1/');
      expect(r.code, r.stdout).to.equal(0);
      expect(JSON.parse(r.stdout)).to.deep.equal({ ServerURL: 'https://index.docker.io/v1/', Username: 'alice', Secret: 'fake-s3cret' });
      r = await reference(sb, 'list');
      expect(JSON.parse(r.stdout)).to.deep.equal({ 'https://index.docker.io/v1/': 'alice', 'ghcr.io': '<token>' });
    });

    it('invalid UTF-8 in a server URL becomes one U+FFFD per byte as in docker-credential-pass, so both store it under one key', async () => {
      // "\xe2\x82" is one maximal invalid sequence (one U+FFFD for Node's decoder), two bytes for Go.
      const url = Buffer.from('reg.example.com/a\xff\xfeb\xe2\x82c', 'latin1');
      const input = (user: string) => Buffer.concat([Buffer.from('{"ServerURL":"'), url, Buffer.from(`","Username":"${user}","Secret":"fake-pw"}\n`)]);
      const key = 'reg.example.com/a\ufffd\ufffdb\ufffd\ufffdc';
      expect((await sb.helper('store', input('alice'))).code).to.equal(0);
      expect((await run('docker-credential-pass', ['store'], { input: input('bob'), env: sb.env })).code).to.equal(0);
      expect(Object.keys(JSON.parse((await reference(sb, 'list')).stdout))).to.deep.equal([key]);
      expect(Object.keys(JSON.parse((await sb.helper('list')).stdout))).to.deep.equal([key]);
      const got = await sb.helper('get', url);
      expect(got.code, got.stdout).to.equal(0);
      expect(JSON.parse(got.stdout)).to.include({ ServerURL: key, Secret: 'fake-pw' });
      expect((await sb.helper('erase', url)).code).to.equal(0);
      expect(JSON.parse((await reference(sb, 'list')).stdout)).to.deep.equal({});
    });

    it('docker-credential-pass stores → credkit get, list and credkit store list return it', async () => {
      let r = await reference(sb, 'store', storeInput('quay.io', 'bob', 'fake-pw:with:colons'));
      expect(r.code, r.stdout).to.equal(0);
      r = await sb.helper('get', 'quay.io');
      expect(r.code, r.stdout).to.equal(0);
      expect(r.stdout).to.equal('{"ServerURL":"quay.io","Username":"bob","Secret":"fake-pw:with:colons"}\n');
      r = await sb.helper('list', 'unused');
      expect(r.stdout).to.equal('{"quay.io":"bob"}\n');
      r = await sb.credkit(['store', 'list', '--json']);
      expect(r.code, r.stderr).to.equal(0);
      expect(JSON.parse(r.stdout)).to.deep.equal({ 'quay.io': 'bob' });
    });

    it('stale users left by docker-credential-pass: credkit reads the newest and store removes the rest', async () => {
      await reference(sb, 'store', storeInput('quay.io', 'bob', 'fake-old'));
      await reference(sb, 'store', storeInput('quay.io', 'carol', 'fake-new'));
      // Make "which was written last" explicit rather than trusting timestamp resolution.
      const dir = join(sb.env.PASSWORD_STORE_DIR as string, 'docker-credential-helpers', 'cXVheS5pbw==');
      await utimes(join(dir, 'bob.gpg'), new Date(2001, 0, 1), new Date(2001, 0, 1));
      let r = await reference(sb, 'get', 'quay.io');
      expect(JSON.parse(r.stdout).Username, 'the reference returns the stale, alphabetically first user').to.equal('bob');
      r = await sb.helper('get', 'quay.io');
      expect(JSON.parse(r.stdout)).to.deep.include({ Username: 'carol', Secret: 'fake-new' });

      r = await sb.helper('store', storeInput('quay.io', 'dave', 'fake-newest'));
      expect(r.code, r.stdout).to.equal(0);
      expect(await readdir(dir)).to.deep.equal(['dave.gpg']);
      r = await reference(sb, 'get', 'quay.io');
      expect(JSON.parse(r.stdout)).to.deep.include({ Username: 'dave', Secret: 'fake-newest' });
    });

    it('trailing newlines: credkit round-trips them exactly; the reference strips them', async () => {
      let r = await sb.helper('store', storeInput('nl.example.com', 'u', 'fake-abc\n\n'));
      expect(r.code, r.stdout).to.equal(0);
      r = await sb.helper('get', 'nl.example.com');
      expect(JSON.parse(r.stdout).Secret).to.equal('fake-abc\n\n');
      r = await reference(sb, 'get', 'nl.example.com');
      expect(JSON.parse(r.stdout).Secret).to.equal('fake-abc');
      // An entry written by `pass insert` (which appends one newline) reads as the bare secret.
      const p = await run('pass', ['insert', '-e', '-f', 'docker-credential-helpers/bWFudWFsLmV4YW1wbGUuY29t/u'], { env: sb.env, input: 'fake-typed\n' });
      expect(p.code, p.stderr).to.equal(0);
      r = await sb.helper('get', 'manual.example.com');
      expect(JSON.parse(r.stdout).Secret).to.equal('fake-typed');
    });

    it('parallel stores for one URL leave exactly one credential', async () => {
      const users = ['u1', 'u2', 'u3', 'u4'];
      const results = await Promise.all(users.map((u) => sb.helper('store', storeInput('quay.io', u, `fake-${u}`))));
      for (const r of results) expect(r.code, r.stdout).to.equal(0);
      const dir = join(sb.env.PASSWORD_STORE_DIR as string, 'docker-credential-helpers', 'cXVheS5pbw==');
      const files = await readdir(dir);
      expect(files).to.have.length(1);
      const user = (files[0] as string).replace(/\.gpg$/, '');
      const g = await sb.helper('get', 'quay.io');
      expect(JSON.parse(g.stdout)).to.deep.include({ Username: user, Secret: `fake-${user}` });
    });

    it('a git-backed store (pass git init): parallel stores of different registries all succeed, each committed', async function () {
      await skipUnlessPrograms(this, ['git']);
      Object.assign(sb.env, { GIT_AUTHOR_NAME: 'credkit test', GIT_AUTHOR_EMAIL: 'test@example.invalid', GIT_COMMITTER_NAME: 'credkit test', GIT_COMMITTER_EMAIL: 'test@example.invalid' });
      const g = await run('pass', ['git', 'init'], { env: sb.env });
      expect(g.code, g.stderr).to.equal(0);
      // pass commits every insert; two at once in one repository collide on git's index lock.
      const n = 12;
      const results = await Promise.all(Array.from({ length: n }, (_, i) => sb.helper('store', storeInput(`r${i}.example.com`, 'u', `fake-${i}`))));
      expect(results.map((r) => r.code), results.map((r) => r.stdout).join('')).to.deep.equal(Array(n).fill(0));
      const store = sb.env.PASSWORD_STORE_DIR as string;
      const status = await run('git', ['-C', store, 'status', '--porcelain'], { env: sb.env });
      expect(status.stdout, 'files left uncommitted').to.equal('');
      const log = await run('git', ['-C', store, 'log', '--format=%s'], { env: sb.env });
      expect(log.stdout.split('\n').filter((l) => l.startsWith('Add given password'))).to.have.length(n);
    });

    it('list skips empty directories and names that are not padded base64url', async () => {
      const prefix = join(sb.env.PASSWORD_STORE_DIR as string, 'docker-credential-helpers');
      await mkdir(join(prefix, 'cXVheS5pbw=='), { recursive: true }); // quay.io, but no entry
      await mkdir(join(prefix, 'not base64!'));
      await mkdir(join(prefix, 'cXVheS5pbw')); // unpadded
      await sb.helper('store', storeInput('ok.example.com', 'u', 'fake-pw'));
      const r = await sb.helper('list', 'unused');
      expect(r.stdout).to.equal('{"ok.example.com":"u"}\n');
      const g = await sb.helper('get', 'quay.io');
      expect(g.stdout).to.equal('credentials not found in native keychain\n');
    });
  });

  describe('failure modes, reported on one line without prompting', () => {
    let sb: Sandbox | undefined;
    afterEach(async () => {
      await sb?.cleanup();
      sb = undefined;
    });

    function expectOneLineFailure(r: { code: number | null; signal: string | null; stdout: string }, pattern: RegExp): void {
      expect(r.signal, 'the helper must finish on its own').to.equal(null);
      expect(r.code, r.stdout).to.equal(1);
      expect(r.stdout).to.match(pattern);
      expect(r.stdout.split('\n')).to.have.length(2); // one line + final newline
      expect(r.stdout.includes('fake-'), 'a secret on stdout').to.equal(false); // never printed, even when failing
    }

    it('an uninitialised store says to run `pass init`', async () => {
      sb = await passSandbox(gnupg.open, false);
      expectOneLineFailure(await sb.helper('get', 'quay.io'), /not initialised; run `pass init <gpg-id>`/);
      expectOneLineFailure(await sb.helper('store', storeInput('quay.io', 'u', 'fake-pw')), /not initialised/);
      const b = await sb.credkit(['store', 'backends', '--json']);
      const row = JSON.parse(b.stdout).backends.find((x: { name: string }) => x.name === 'pass');
      expect(row.usable).to.equal(false);
      expect(row.problem).to.match(/not initialised/);
    });

    it('a passphrase-protected key with nothing cached fails fast instead of prompting', async () => {
      sb = await passSandbox(gnupg.locked);
      // Encrypting needs only the public key, so storing works.
      let r = await sb.helper('store', storeInput('quay.io', 'u', 'fake-pw'));
      expect(r.code, r.stdout).to.equal(0);
      r = await sb.helper('get', 'quay.io');
      expectOneLineFailure(r, /needs a passphrase and no gpg-agent has it cached/);
      const b = await sb.credkit(['store', 'backends', '--json']);
      const row = JSON.parse(b.stdout).backends.find((x: { name: string }) => x.name === 'pass');
      expect(row.usable).to.equal(false);
      expect(row.problem).to.match(/needs a passphrase/);
    });

    it('a keyring without the secret key says so', async () => {
      sb = await passSandbox(gnupg.open);
      let r = await sb.helper('store', storeInput('quay.io', 'u', 'fake-pw'));
      expect(r.code, r.stdout).to.equal(0);
      r = await sb.helper('get', 'quay.io', { GNUPGHOME: gnupg.empty.home });
      expectOneLineFailure(r, /no GnuPG secret key can decrypt docker-credential-helpers\/cXVheS5pbw==\/u/);
    });

    it('a pass that never answers is stopped after the helper timeout, children included', async () => {
      sb = await passSandbox(gnupg.open);
      const r = await sb.helper('store', storeInput('quay.io', 'u', 'fake-pw'), {
        PATH: `${join(FIXTURES, 'pass-that-hangs')}:${basePath()}`,
        CREDKIT_HELPER_TIMEOUT: '1',
      });
      expectOneLineFailure(r, /`pass insert` did not finish within 1s and was stopped/);
    });

    it('a pass that echoes the secret when it fails: the error quotes its output with the secret masked (one line, multi-line secrets too)', async () => {
      sb = await passSandbox(gnupg.open);
      const PATH = `${join(FIXTURES, 'pass-that-echoes')}:${basePath()}`;
      for (const secret of ['fake-echoed-pw', 'fake-first-line\nfake-second-line']) {
        const helper = await sb.helper('store', storeInput('quay.io', 'u', secret), { PATH });
        const cli = await sb.credkit(['store', 'store', 'quay.io', '-u', 'u', '--password-stdin'], secret, { PATH });
        // Plain checks, so that a failure never prints the secret.
        if (helper.code !== 1 || cli.code !== 1) throw new Error('expected both to fail');
        if (helper.stdout !== 'pass backend: `pass insert` failed for docker-credential-helpers/cXVheS5pbw==/u: pass: cannot insert ********\n') throw new Error('expected one line quoting pass with the secret masked');
        if (!cli.stderr.includes('pass: cannot insert ********')) throw new Error('expected credkit to quote pass with the secret masked');
        if ([helper, cli].some((r) => r.stdout.includes('fake-') || r.stderr.includes('fake-'))) throw new Error('a secret was printed');
      }
    });

    it('a gpg that never answers a get is stopped after the helper timeout, children included', async () => {
      sb = await passSandbox(gnupg.open);
      expect((await sb.helper('store', storeInput('quay.io', 'u', 'fake-pw'))).code).to.equal(0);
      const r = await sb.helper('get', 'quay.io', { PATH: `${join(FIXTURES, 'gpg-that-hangs')}:${basePath()}`, CREDKIT_HELPER_TIMEOUT: '1' });
      expectOneLineFailure(r, /`gpg --decrypt` did not finish within 1s and was stopped/);
    });

    it('a server URL too long for a file name: store is a one-line usage error (never "spawn E2BIG"), get is not found, erase has nothing to do', async () => {
      sb = await passSandbox(gnupg.open);
      // 200 KiB encodes to an entry name longer than an argument may be; 5000 bytes to a path
      // longer than PATH_MAX; 300 bytes only to a file name longer than NAME_MAX.
      for (const n of [200 * 1024, 5000, 300]) {
        const url = `${'x'.repeat(n - 12)}.example.com`;
        const s = await sb.helper('store', storeInput(url, 'u', 'fake-pw'));
        expectOneLineFailure(s, new RegExp(`^pass backend: the server URL \\(${n} bytes\\) is too long to be an entry of the password store`));
        expect(await sb.helper('get', url)).to.include({ code: 1, stdout: 'credentials not found in native keychain\n' });
        expect(await sb.helper('erase', url)).to.include({ code: 0, stdout: '' });
      }
      const user = await sb.helper('store', storeInput('quay.io', 'u'.repeat(252), 'fake-pw'));
      expectOneLineFailure(user, /^pass backend: the username for "quay\.io" is too long/);
      expect((await sb.helper('store', storeInput('quay.io', 'u'.repeat(251), 'fake-pw'))).code).to.equal(0);
    });

    it('pass missing from PATH', async () => {
      sb = await passSandbox(gnupg.open);
      const emptyBin = join(sb.home, 'empty-bin');
      await mkdir(emptyBin);
      const r = await sb.helper('get', 'quay.io', { PATH: emptyBin });
      expectOneLineFailure(r, /`pass` is not installed or not on PATH/);
    });
  });
});
