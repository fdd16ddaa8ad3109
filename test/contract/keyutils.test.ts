/**
 * The keyutils backend against the real kernel keyring. Every helper call runs in a throwaway
 * session keyring (`keyctl session -`), each sandbox uses its own service name, and the keys that
 * keyring-rs links into the persistent keyring are invalidated afterwards.
 */
import { expect } from 'chai';
import { readlinkSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runStoreContract } from './store-contract.js';
import { BIN, makeSandbox, run, skipUnlessPrograms, type Sandbox } from '../support/sandbox.js';
import { checkConcurrentStores, kernelKeysOf, purgeKernelKeys, storeInput, uniqueService } from '../support/os-keyring.js';

/** A sandbox whose helper runs under `keyctl session -`, with its keys purged on clean-up. */
async function keyutilsSandbox(): Promise<Sandbox> {
  const service = uniqueService();
  const sb = await makeSandbox({ CREDKIT_BACKEND: 'keyutils', CREDKIT_KEYCHAIN_SERVICE: service });
  const cleanup = sb.cleanup;
  sb.helper = (verb, input = '', more = {}) =>
    run('keyctl', ['session', '-', process.execPath, BIN.helper, ...(typeof verb === 'string' ? [verb] : verb)], { input, env: { ...sb.env, ...more } });
  sb.cleanup = async () => {
    await purgeKernelKeys(service);
    await cleanup();
  };
  return sb;
}

describe('store contract: keyutils (kernel keyring)', function () {
  before(async function () {
    await skipUnlessPrograms(this, ['keyctl']);
  });

  runStoreContract({ sandbox: keyutilsSandbox });

  describe('beyond the contract', () => {
    let sb: Sandbox | undefined;
    afterEach(async () => {
      await sb?.cleanup();
      sb = undefined;
    });

    it('the availability check writes and removes a probe key (a keyring that refuses writes is not usable)', async () => {
      sb = await keyutilsSandbox();
      const r = await run('keyctl', ['session', '-', process.execPath, BIN.credkit, 'store', 'backends', '--json'], { env: sb.env });
      const keyutils = JSON.parse(r.stdout).backends.find((b: { name: string }) => b.name === 'keyutils');
      expect(keyutils.usable, r.stdout).to.equal(true);
      expect(await kernelKeysOf(sb.env.CREDKIT_KEYCHAIN_SERVICE!)).to.deep.equal([]);
    });

    it('store backends and doctor say what `store store` and `store erase` then do, in this process and under `keyctl session`, and leave no probe key', async () => {
      // Assert agreement, not an outcome: a machine that gives each process a session keyring of
      // its own can use keyutils everywhere; one that does not (su, cron, CI runners) only inside
      // `keyctl session`. The probe once said usable where every store was refused.
      sb = await makeSandbox({ CREDKIT_BACKEND: 'keyutils', CREDKIT_KEYCHAIN_SERVICE: uniqueService() });
      const service = sb.env.CREDKIT_KEYCHAIN_SERVICE!;
      const probeKeys = async () => (await readFile('/proc/keys', 'utf8')).split('\n').filter((l) => l.includes(`credkit:probe@${service}:`));
      try {
        for (const inSession of [false, true]) {
          const credkit = (args: string[], input = '') =>
            inSession ? run('keyctl', ['session', '-', process.execPath, BIN.credkit, ...args], { input, env: sb!.env }) : sb!.credkit(args, input);
          const where = inSession ? 'under keyctl session' : 'in this process';
          const backends = await credkit(['store', 'backends', '--json']);
          const usable = (JSON.parse(backends.stdout) as { backends: { name: string; usable: boolean }[] }).backends.find((b) => b.name === 'keyutils')!.usable;
          const doctor = JSON.parse((await credkit(['doctor', '--json', '--no-call-helpers'])).stdout) as { findings: { code: string; level: string }[] };
          const configured = doctor.findings.find((f) => f.code === 'configured-backend')!;
          expect(configured.level === 'ok', `doctor agrees with store backends (usable: ${usable}) ${where}`).to.equal(usable);
          const stored = await credkit(['store', 'store', 'quay.io', '-u', 'alice', '--password-stdin'], 'fake-agree-secret');
          expect(stored.code === 0, `store store agrees with store backends (usable: ${usable}) ${where}: ${stored.stderr}`).to.equal(usable);
          const erased = await credkit(['store', 'erase', 'quay.io']);
          expect(erased.code === 0, `store erase agrees with store backends (usable: ${usable}) ${where}: ${erased.stderr}`).to.equal(usable);
          expect(await probeKeys(), `probe keys left ${where}`).to.deep.equal([]);
          if (usable) expect(await kernelKeysOf(service), `keys left ${where}`).to.deep.equal([]);
        }
      } finally {
        await purgeKernelKeys(service);
      }
    });

    it('get and list in this process see what a `keyctl session` stored, as each other do (list once read an empty index here)', async () => {
      // In a process without a session keyring of its own, the library's first entry searched the
      // shared keyring, where no key is: list (whose first read is the index) answered {}, while
      // get found its item only on its retry. Agreement is what holds on every machine.
      sb = await keyutilsSandbox();
      const stored = await sb.helper('store', storeInput('https://ks.example', 'alice', 'fake-ks-secret'));
      expect(stored.code, stored.stdout).to.equal(0);
      const here = (verb: string, input = '') => run(process.execPath, [BIN.helper, verb], { input, env: sb!.env });
      const got = await here('get', 'https://ks.example');
      expect(got.code, 'get in this process').to.equal(0);
      expect((JSON.parse(got.stdout) as { Username: string }).Username).to.equal('alice');
      const listed = await here('list');
      expect(JSON.parse(listed.stdout), 'list in this process').to.deep.equal({ 'https://ks.example': 'alice' });
    });

    it('a process with no session keyring of its own (only the user-session keyring): store, get, list and erase all work, by the helper and credkit, and leave no key', async () => {
      // Joining the user-session keyring gives what su, cron, CI runners and containers have (the
      // kernel then makes the keyring library's first entry join a new session keyring that only
      // the main thread possesses): store and erase, whose lock file starts libuv's worker threads
      // first, were refused there while get and list, which take no lock, worked.
      const us = (await run('keyctl', ['rdescribe', '@us'])).stdout.trim().split(';').pop()!;
      expect(us).to.match(/^_uid_ses\.\d+$/);
      sb = await makeSandbox({ CREDKIT_BACKEND: 'keyutils', CREDKIT_KEYCHAIN_SERVICE: uniqueService() });
      const service = sb.env.CREDKIT_KEYCHAIN_SERVICE!;
      const shared = (bin: string, args: string[], input = '') => run('keyctl', ['session', us, process.execPath, bin, ...args], { input, env: sb!.env });
      expect((await run('keyctl', ['session', us, 'keyctl', 'rdescribe', '@s'])).stdout, 'the test process shares the user-session keyring').to.include(`;${us}`);
      try {
        const stored = await shared(BIN.helper, ['store'], storeInput('quay.io', 'alice', 'fake-shared-secret'));
        expect(stored, 'helper store').to.include({ code: 0, stdout: '' });
        const got = await shared(BIN.helper, ['get'], 'quay.io');
        expect(got.code, 'helper get').to.equal(0);
        expect(JSON.parse(got.stdout)).to.deep.equal({ ServerURL: 'quay.io', Username: 'alice', Secret: 'fake-shared-secret' });
        expect(JSON.parse((await shared(BIN.helper, ['list'])).stdout), 'helper list').to.deep.equal({ 'quay.io': 'alice' });
        // What another session (a later `keyctl session`) sees: the key is in the persistent keyring.
        expect(JSON.parse((await run('keyctl', ['session', '-', process.execPath, BIN.helper, 'list'], { env: sb.env })).stdout)).to.deep.equal({ 'quay.io': 'alice' });
        expect(await shared(BIN.helper, ['erase'], 'quay.io'), 'helper erase').to.include({ code: 0, stdout: '' });
        expect(await shared(BIN.helper, ['get'], 'quay.io')).to.include({ code: 1, stdout: 'credentials not found in native keychain\n' });
        const viaCredkit = await shared(BIN.credkit, ['store', 'store', 'ghcr.io', '-u', 'bob', '--password-stdin'], 'fake-shared-two');
        expect(viaCredkit.code, `credkit store store: ${viaCredkit.stderr}`).to.equal(0);
        expect((await shared(BIN.credkit, ['store', 'list'])).stdout).to.match(/^ghcr\.io\s+bob$/m);
        const erased = await shared(BIN.credkit, ['store', 'erase', 'ghcr.io']);
        expect(erased.code, `credkit store erase: ${erased.stderr}`).to.equal(0);
        const backends = JSON.parse((await shared(BIN.credkit, ['store', 'backends', '--json'])).stdout) as { backends: { name: string; usable: boolean }[] };
        expect(backends.backends.find((b) => b.name === 'keyutils')!.usable, 'store backends').to.equal(true);
        expect(await kernelKeysOf(service), 'keys of the service left in the kernel').to.deep.equal([]);
      } finally {
        await purgeKernelKeys(service);
      }
    });

    it('a server URL too long to describe a kernel key: get is not found, erase has nothing to do, store is one line; the longest that fits works', async () => {
      sb = await keyutilsSandbox();
      const service = sb.env.CREDKIT_KEYCHAIN_SERVICE!;
      // The kernel takes descriptions of up to 4,095 bytes; keyring-rs's is keyring:<url>@<service>.
      const fits = 4095 - Buffer.byteLength(`keyring:@${service}`);
      for (const n of [5000, fits + 1]) {
        const url = `${'x'.repeat(n - 12)}.example.com`;
        expect(await sb.helper('get', url)).to.include({ code: 1, stdout: 'credentials not found in native keychain\n' });
        expect(await sb.helper('erase', url)).to.include({ code: 0, stdout: '' });
        const s = await sb.helper('store', storeInput(url, 'u', 'fake-pw'));
        expect(s.code, s.stdout).to.equal(1);
        expect(s.stdout).to.match(new RegExp(`^keyutils backend: the server URL \\(${n} bytes\\) is too long to name an item of the kernel keyring \\(at most ${fits} bytes`));
        expect(s.stdout.split('\n')).to.have.length(2);
      }
      const longest = `${'é'.repeat((fits - 12) / 2)}${'x'.repeat((fits - 12) % 2)}.example.com`;
      expect(Buffer.byteLength(longest)).to.equal(fits);
      expect((await sb.helper('store', storeInput(longest, 'u', 'fake-pw'))).code).to.equal(0);
      expect(JSON.parse((await sb.helper('get', longest)).stdout).Secret).to.equal('fake-pw');
      expect(Object.keys(JSON.parse((await sb.helper('list')).stdout))).to.deep.equal([longest]);
      expect((await sb.helper('erase', longest)).code).to.equal(0);
      expect(await kernelKeysOf(service)).to.deep.equal([]);
    });

    it('a server URL with a NUL character, which no kernel key can be described by: get is not found, erase has nothing to do, store is one line', async () => {
      sb = await keyutilsSandbox();
      expect(await sb.helper('get', 'quay.io\0x')).to.include({ code: 1, stdout: 'credentials not found in native keychain\n' });
      expect(await sb.helper('erase', 'quay.io\0x')).to.include({ code: 0, stdout: '' });
      const s = await sb.helper('store', storeInput('quay.io\0x', 'u', 'fake-pw'));
      expect(s).to.include({ code: 1, stdout: 'keyutils backend: the server URL contains a NUL character, which cannot name an item of the kernel keyring\n' });
    });

    it('30 parallel store processes: list has all 30 and each get works', async () => {
      sb = await keyutilsSandbox();
      await checkConcurrentStores(sb, 30);
    });

    it('30 parallel store processes, half with the XDG_RUNTIME_DIR rootless podman sets for its helpers: list still has all 30', async () => {
      // `docker login` and `podman login` at once where the environment has no XDG_RUNTIME_DIR
      // (su, cron, ssh): podman hands its helpers one of its own ($TMPDIR/podman-run-UID, seen
      // with podman 4.3.1), docker none. A lock kept under XDG_RUNTIME_DIR was then two locks over
      // one keyring, and index updates were lost.
      sb = await keyutilsSandbox();
      const podmanRuntime = join(sb.home, 'tmp', `podman-run-${process.getuid?.() ?? 0}`);
      await mkdir(podmanRuntime, { recursive: true, mode: 0o700 });
      await checkConcurrentStores(sb, 30, (i) => ({ XDG_RUNTIME_DIR: i % 2 ? podmanRuntime : '' }));
    });

    it('a store with the XDG_RUNTIME_DIR rootless podman sets waits for a writer run without one (docker from cron)', async () => {
      // The race above, made certain: the lock such a writer holds, under $XDG_STATE_HOME/credkit
      // (docs/backend-keychain.md), with the line of a running process (this one).
      sb = await keyutilsSandbox();
      const podmanRuntime = join(sb.home, 'tmp', `podman-run-${process.getuid?.() ?? 0}`);
      await mkdir(podmanRuntime, { recursive: true, mode: 0o700 });
      const lock = join(sb.env.XDG_STATE_HOME!, 'credkit', `keyutils-${sb.env.CREDKIT_KEYCHAIN_SERVICE!}.lock`);
      await mkdir(dirname(lock), { recursive: true, mode: 0o700 });
      await writeFile(lock, `${process.pid} ${hostname() || '-'} ${readlinkSync('/proc/self/ns/pid')}\n`);
      let done = false;
      const storing = sb.helper('store', storeInput('podman.example.com', 'pat', 'fake-podman-secret'), { XDG_RUNTIME_DIR: podmanRuntime }).finally(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(done, 'the store finished while the lock was held').to.equal(false);
      await rm(lock);
      expect(await storing).to.include({ code: 0, stdout: '' });
      expect(JSON.parse((await sb.helper('list', '', { XDG_RUNTIME_DIR: '' })).stdout)).to.deep.equal({ 'podman.example.com': 'pat' });
    });

    it('in a user namespace as rootless podman runs its helpers: every verb, credkit and auto with fallback keyutils fail in one line naming the fix, no key is written there, and only copy --from keyutils and store list, get and erase --backend keyutils open its keyring', async () => {
      // podman 4.3.1 runs helpers as uid 0 of its namespace with _CONTAINERS_ROOTLESS_UID set to
      // the user's uid; `unshare --map-root-user` makes such a namespace for root (0 maps to 0).
      // There the kernel keyring is the namespace's: podman login --get-login said "not logged
      // into" for what the helper had stored outside, and a podman login was gone with podman's
      // pause process (test/e2e/rootless-podman.test.ts runs the real podman).
      sb = await keyutilsSandbox();
      const service = sb.env.CREDKIT_KEYCHAIN_SERVICE!;
      const podmanEnv = { _CONTAINERS_ROOTLESS_UID: String(process.getuid?.() ?? 0), _CONTAINERS_USERNS_CONFIGURED: 'init' };
      const inNamespace = (bin: string, args: string[], input = '', more: Record<string, string> = {}) =>
        run('unshare', ['--user', '--map-root-user', process.execPath, bin, ...args], { input, env: { ...sb!.env, ...podmanEnv, ...more } });
      expect((await inNamespace(BIN.helper, ['version'])).code, 'unshare --user works here').to.equal(0);
      expect(await sb.helper('store', storeInput('quay.io', 'alice', 'fake-outside-secret'))).to.include({ code: 0, stdout: '' });
      const fix = /^credkit keyutils: rootless podman and buildah run credential helpers in a user namespace of their own, .*send the registries podman uses to pass or file under \[routes\] in credkit's config\.ini \(REGISTRY = pass\), or run podman with CREDKIT_BACKEND=pass \(or file\); to move out logins kept there before, run podman unshare credkit copy --from keyutils --to pass --move\n$/;
      for (const [verb, input] of [['get', 'quay.io'], ['store', storeInput('ghcr.io', 'bob', 'fake-inside-secret')], ['erase', 'quay.io'], ['list', '']] as const) {
        const r = await inNamespace(BIN.helper, [verb], input);
        expect(r.code, verb).to.equal(1);
        expect(r.stdout, verb).to.match(fix);
        expect(r.stdout.includes('fake-outside-secret'), `${verb} printed the secret`).to.equal(false);
      }
      // auto falls back only to a store that works, so never to this keyring (no bus here, so the keychain has lasting trouble).
      const auto = await inNamespace(BIN.helper, ['get'], 'quay.io', { CREDKIT_BACKEND: 'auto', CREDKIT_FALLBACK: 'keyutils', DBUS_SESSION_BUS_ADDRESS: '', XDG_RUNTIME_DIR: '' });
      expect(auto.code).to.equal(1);
      expect(auto.stdout).to.match(fix);
      // Without a keychain there, the fixes the keychain and auto name leave keyutils out.
      for (const backend of ['keychain', 'auto']) {
        const none = await inNamespace(BIN.helper, ['get'], 'quay.io', { CREDKIT_BACKEND: backend, CREDKIT_FALLBACK: '', DBUS_SESSION_BUS_ADDRESS: '', XDG_RUNTIME_DIR: '' });
        expect(none.code, backend).to.equal(1);
        expect(none.stdout, backend).to.match(/pass.*file/);
        expect(none.stdout.includes('keyutils'), `${backend} offered keyutils: ${none.stdout}`).to.equal(false);
      }
      const cli = await inNamespace(BIN.credkit, ['store', 'list']);
      expect(cli.code).to.equal(1);
      expect(cli.stderr).to.include('rootless podman and buildah run credential helpers in a user namespace of their own');
      // The way out: keyutils named as a copy's source is opened there (test/e2e/rootless-podman.test.ts
      // moves a login out of the real podman's namespace), and as nothing else: not as a copy's
      // target, nor as what auto falls back to, nor through credkit's own store.
      const source = await inNamespace(BIN.credkit, ['copy', '--from', 'keyutils', '--to', 'file', '--dry-run']);
      expect(source.code, source.stderr).to.equal(0);
      expect(source.stdout + source.stderr).to.not.include('fake-outside-secret');
      for (const [args, more] of [
        [['--from', 'file', '--to', 'keyutils'], {}],
        [['--from', 'auto', '--to', 'file'], { CREDKIT_BACKEND: 'auto', CREDKIT_FALLBACK: 'keyutils', DBUS_SESSION_BUS_ADDRESS: '', XDG_RUNTIME_DIR: '' }],
        [['--from', 'credkit', '--to', 'file'], {}],
      ] as const) {
        const r = await inNamespace(BIN.credkit, ['copy', ...args, '--dry-run'], '', more);
        expect(r.code, args.join(' ')).to.equal(1);
        expect(r.stderr, args.join(' ')).to.include('rootless podman and buildah run credential helpers in a user namespace of their own');
      }
      // The library as the CLI: copyCredentials opens keyutils named as its source, whether the
      // target is a name or a store openStore opened; openStore alone does not.
      const library = pathToFileURL(join(dirname(BIN.credkit), '..', 'dist', 'src', 'index.js')).href;
      const script = `const m = await import(${JSON.stringify(library)});
const named = await m.copyCredentials('keyutils', 'file', { dryRun: true });
const opened = await m.copyCredentials('keyutils', await m.openStore('file'), { dryRun: true });
const alone = await m.openStore('keyutils').then(() => 'opened', (err) => err.code);
console.log(JSON.stringify([named.ok, opened.ok, alone]));`;
      const lib = await inNamespace('--input-type=module', ['-e', script]);
      expect(lib.stdout.trim(), lib.stderr).to.equal('[true,true,"STORE_UNAVAILABLE"]');
      // And credkit store list, get and erase --backend keyutils, run by a person to see and clean up
      // what is kept there: they read the namespace's keyring (the key stored outside is not in it),
      // while store store --backend keyutils, and the helper's store without --backend, refuse.
      const listed = await inNamespace(BIN.credkit, ['store', 'list', '--backend', 'keyutils', '--json']);
      expect([listed.code, listed.stderr]).to.deep.equal([0, '']);
      expect(JSON.parse(listed.stdout)).to.deep.equal({});
      for (const verb of ['get', 'erase']) {
        const r = await inNamespace(BIN.credkit, ['store', verb, 'quay.io', '--backend', 'keyutils']);
        expect([r.code, r.stderr], verb).to.deep.equal([1, 'credkit: no credential stored for "quay.io"\n']);
      }
      const stored = await inNamespace(BIN.credkit, ['store', 'store', 'ghcr.io', '--backend', 'keyutils', '-u', 'bob', '--password-stdin'], 'fake-inside-secret');
      expect(stored.code).to.equal(1);
      expect(stored.stderr).to.include('rootless podman and buildah run credential helpers in a user namespace of their own');
      const backends = JSON.parse((await inNamespace(BIN.credkit, ['store', 'backends', '--json'])).stdout) as { backends: { name: string; usable: boolean; reason?: string }[] };
      expect(backends.backends.find((b) => b.name === 'keyutils')).to.include({ usable: false });
      // Outside, the variables alone change nothing (anyone can set them), and the credential stored
      // outside is still there: the erase inside did not reach it, nor the store add one.
      expect(JSON.parse((await sb.helper('list', '', podmanEnv)).stdout)).to.deep.equal({ 'quay.io': 'alice' });
      expect((await sb.helper('erase', 'quay.io', podmanEnv)).code).to.equal(0);
      expect(await kernelKeysOf(service)).to.deep.equal([]);
    });

    it('splits a 70 KB secret over several kernel keys and leaves none behind on erase', async () => {
      sb = await keyutilsSandbox();
      const service = sb.env.CREDKIT_KEYCHAIN_SERVICE!;
      const big = 'fake-' + 'y'.repeat(70_000);
      expect((await sb.helper('store', storeInput('big.example.com', 'bob', big))).code).to.equal(0);
      const keys = await kernelKeysOf(service);
      expect(keys.filter((k) => k.includes('credkit:part:')).length).to.be.greaterThan(2);
      // Replacing with a small secret drops the old parts.
      expect((await sb.helper('store', storeInput('big.example.com', 'bob', 'fake-small'))).code).to.equal(0);
      expect((await kernelKeysOf(service)).filter((k) => k.includes('credkit:part:'))).to.deep.equal([]);
      expect(JSON.parse((await sb.helper('get', 'big.example.com')).stdout).Secret).to.equal('fake-small');
      expect((await sb.helper('store', storeInput('big.example.com', 'bob', big))).code).to.equal(0);
      expect((await sb.helper('erase', 'big.example.com')).code).to.equal(0);
      expect(await kernelKeysOf(service)).to.deep.equal([]);
    });
  });
});
