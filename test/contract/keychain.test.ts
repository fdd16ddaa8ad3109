/**
 * The keychain backend against a real gnome-keyring on a private D-Bus session bus, plus the ways
 * it fails on Linux: no bus, a bus without a Secret Service, a bus that never answers, a locked
 * collection. Each failure must be one line on stdout, exit 1, and no hang.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runStoreContract } from './store-contract.js';
import { BIN, basePath, makeSandbox, run, skipUnlessPrograms, type Sandbox } from '../support/sandbox.js';
import { checkConcurrentStores, startPrivateBus, startSilentSocket, storeInput, uniqueService, type PrivateBus } from '../support/os-keyring.js';

const PROGRAMS = ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon', 'secret-tool'];

/** One line, ending in a newline, exit 1. */
function expectOneLineFailure(r: { code: number | null; stdout: string }, pattern: RegExp): void {
  expect(r.code, r.stdout).to.equal(1);
  expect(r.stdout).to.match(/^[^\n]+\n$/);
  expect(r.stdout, r.stdout).to.match(pattern);
}

/**
 * The one item secret-tool finds for a server in a (non-default) credkit service, as `secret-tool
 * search --all` prints it (label, secret, schema on stdout; `attribute.*` lines on stderr).
 */
async function secretToolItem(bus: PrivateBus, service: string, server: string): Promise<Record<string, string>> {
  const r = await run('secret-tool', ['search', '--all', 'server', server, 'credkit_service', service], {
    env: { PATH: basePath(), DBUS_SESSION_BUS_ADDRESS: bus.address },
  });
  expect(r.stdout.match(/^\[/gm), 'items found').to.have.length(1);
  const item: Record<string, string> = {};
  for (const line of `${r.stdout}\n${r.stderr}`.split('\n')) {
    const m = /^(\S+) = (.*)$/.exec(line);
    if (m) item[m[1]!] = m[2]!;
  }
  return item;
}

describe('store contract: keychain (Secret Service on a private gnome-keyring)', function () {
  let bus: PrivateBus | undefined;
  before(async function () {
    await skipUnlessPrograms(this, PROGRAMS);
    bus = await startPrivateBus({ secrets: true });
  });
  after(async () => {
    await bus?.stop();
  });

  const sandbox = (backend = 'keychain', extra: Record<string, string> = {}) =>
    makeSandbox({ CREDKIT_BACKEND: backend, CREDKIT_KEYCHAIN_SERVICE: uniqueService(), DBUS_SESSION_BUS_ADDRESS: bus!.address, ...extra });

  runStoreContract({ sandbox: () => sandbox() });

  describe('beyond the contract', () => {
    let sb: Sandbox | undefined;
    afterEach(async () => {
      await sb?.cleanup();
      sb = undefined;
    });

    // The schema of docker-credential-secretservice (interop: secret-service-interop.test.ts); a
    // non-default service adds credkit_service, which keeps these tests apart on one keyring.
    it('keeps items in the Secret Service itself, in docker-credential-secretservice\'s schema', async () => {
      sb = await sandbox();
      const r = await sb.helper('store', storeInput('quay.io', 'bob', 'fake-pw'));
      expect(r.code, r.stdout).to.equal(0);
      expect(await secretToolItem(bus!, sb.env.CREDKIT_KEYCHAIN_SERVICE!, 'quay.io')).to.include({
        label: 'quay.io',
        secret: 'fake-pw',
        schema: 'io.docker.Credentials',
        'attribute.label': 'Docker Credentials',
        'attribute.server': 'quay.io',
        'attribute.username': 'bob',
        'attribute.docker_cli': '1',
      });
    });

    it('30 parallel store processes: list has all 30 and each get works', async () => {
      sb = await sandbox();
      await checkConcurrentStores(sb, 30);
    });

    it('works inside a user namespace, where rootless podman runs credential helpers (getuid() is not the uid the bus sees)', async function () {
      // Rootless podman 4.3 runs docker-credential-* as uid 0 of its user namespace; the bus sees
      // the user's uid, and refused the uid credkit claimed. Here: another uid inside than outside.
      const mapping = process.getuid?.() === 0 ? ['--map-user=4242', '--map-group=4242'] : ['--map-root-user'];
      if ((await run('unshare', ['--user', ...mapping, 'true'], { env: { PATH: basePath() } })).code !== 0) {
        console.log('      skipped: unshare --user is not allowed here');
        this.skip();
      }
      sb = await sandbox();
      const inNamespace = (verb: string, input: string) => run('unshare', ['--user', ...mapping, process.execPath, BIN.helper, verb], { input, env: sb!.env });
      expect(await inNamespace('store', storeInput('userns.example.com', 'una', 'fake-userns-secret')), 'store').to.include({ code: 0, stdout: '' });
      const got = await inNamespace('get', 'userns.example.com');
      expect(got.code, 'get').to.equal(0);
      expect(JSON.parse(got.stdout)).to.deep.equal({ ServerURL: 'userns.example.com', Username: 'una', Secret: 'fake-userns-secret' });
      // And it is the one keyring: outside the namespace, the same item.
      expect(JSON.parse((await sb.helper('list', 'unused')).stdout)).to.deep.equal({ 'userns.example.com': 'una' });
    });

    it('list drops an entry whose item was removed behind its back', async () => {
      sb = await sandbox();
      await sb.helper('store', storeInput('a.example.com', 'ann', 'fake-1'));
      await sb.helper('store', storeInput('b.example.com', 'ben', 'fake-2'));
      const gone = await run('secret-tool', ['clear', 'server', 'a.example.com', 'credkit_service', sb.env.CREDKIT_KEYCHAIN_SERVICE!], {
        env: { PATH: basePath(), DBUS_SESSION_BUS_ADDRESS: bus!.address },
      });
      expect(gone.code).to.equal(0);
      const r = await sb.helper('list', 'unused');
      expect(r.stdout).to.equal('{"b.example.com":"ben"}\n');
    });

    it('auto picks the keychain when a Secret Service is up', async () => {
      sb = await sandbox('auto', { CREDKIT_FALLBACK: 'file' });
      const r = await sb.helper('store', storeInput('auto.example.com', 'amy', 'fake-3'));
      expect(r.code, r.stdout).to.equal(0);
      expect((await secretToolItem(bus!, sb.env.CREDKIT_KEYCHAIN_SERVICE!, 'auto.example.com'))).to.include({ 'attribute.username': 'amy' });
      expect(existsSync(join(sb.env.XDG_DATA_HOME!, 'credkit', 'credentials.json'))).to.equal(false);
      const backends = await sb.credkit(['store', 'backends', '--json']);
      const keychain = JSON.parse(backends.stdout).backends.find((b: { name: string }) => b.name === 'keychain');
      expect(keychain.usable, backends.stdout).to.equal(true);
    });

    it('a NUL in a server URL or username: a clear error for store, not found for get (never "cannot reach the bus")', async () => {
      sb = await sandbox();
      expectOneLineFailure(await sb.helper('store', storeInput('nul\0.example.com', 'ann', 'fake-pw')), /NUL character cannot be stored/);
      expectOneLineFailure(await sb.helper('store', storeInput('nul.example.com', 'a\0nn', 'fake-pw')), /NUL character cannot be stored/);
      expectOneLineFailure(await sb.helper('get', 'nul\0.example.com'), /^credentials not found in native keychain\n$/);
    });

    it('rejects server URLs in its reserved "credkit:" namespace', async () => {
      sb = await sandbox();
      expectOneLineFailure(await sb.helper('store', storeInput('credkit:index', 'eve', 'fake-pw')), /reserved/);
    });
  });
});

describe('keychain failures on Linux', function () {
  let sb: Sandbox | undefined;
  before(async function () {
    await skipUnlessPrograms(this, PROGRAMS);
  });
  afterEach(async () => {
    await sb?.cleanup();
    sb = undefined;
  });

  it('no D-Bus session: one line saying so and what to do, exit 1', async () => {
    sb = await makeSandbox({ CREDKIT_BACKEND: 'keychain', CREDKIT_KEYCHAIN_SERVICE: uniqueService() });
    for (const verb of ['get', 'list', 'store']) {
      const r = await sb.helper(verb, verb === 'store' ? storeInput('quay.io', 'bob', 'fake-pw') : 'quay.io');
      expectOneLineFailure(r, /no D-Bus session bus.*dbus-run-session.*CREDKIT_BACKEND=keyutils\|pass\|file/);
    }
  });

  it('auto without a Secret Service: a clear error, or the configured fallback', async () => {
    sb = await makeSandbox({ CREDKIT_BACKEND: 'auto', CREDKIT_KEYCHAIN_SERVICE: uniqueService() });
    expectOneLineFailure(await sb.helper('list', 'unused'), /no usable OS keychain \(no D-Bus session bus.*fallback = file/);
    const r = await sb.helper('store', storeInput('quay.io', 'bob', 'fake-pw'), { CREDKIT_FALLBACK: 'file' });
    expect(r.code, r.stdout).to.equal(0);
    expect(existsSync(join(sb.env.XDG_DATA_HOME!, 'credkit', 'credentials.json'))).to.equal(true);
  });

  it('a bus without a Secret Service: one line naming org.freedesktop.secrets, exit 1', async () => {
    const bus = await startPrivateBus({ secrets: false });
    try {
      sb = await makeSandbox({ CREDKIT_BACKEND: 'keychain', CREDKIT_KEYCHAIN_SERVICE: uniqueService(), DBUS_SESSION_BUS_ADDRESS: bus.address });
      expectOneLineFailure(await sb.helper('get', 'quay.io'), /no Secret Service on the D-Bus session bus .*org\.freedesktop\.secrets/);
      expectOneLineFailure(await sb.helper('store', storeInput('quay.io', 'bob', 'fake-pw')), /no Secret Service/);
    } finally {
      await bus.stop();
    }
  });

  it('a bus that never answers: one line, exit 1, no hang', async () => {
    const silent = await startSilentSocket();
    try {
      sb = await makeSandbox({ CREDKIT_BACKEND: 'keychain', CREDKIT_KEYCHAIN_SERVICE: uniqueService(), DBUS_SESSION_BUS_ADDRESS: silent.address });
      const r = await sb.helper('get', 'quay.io');
      expect(r.signal, 'the helper hung and was killed').to.equal(null);
      expectOneLineFailure(r, /D-Bus session bus did not answer/);
    } finally {
      await silent.stop();
    }
  });

  it('a bus that never answers within a shorter helper timeout: the message gives the time it waited', async () => {
    const silent = await startSilentSocket();
    try {
      sb = await makeSandbox({ CREDKIT_BACKEND: 'keychain', CREDKIT_KEYCHAIN_SERVICE: uniqueService(), DBUS_SESSION_BUS_ADDRESS: silent.address, CREDKIT_HELPER_TIMEOUT: '0.5' });
      expectOneLineFailure(await sb.helper('get', 'quay.io'), /D-Bus session bus did not answer within 0\.5 s/);
    } finally {
      await silent.stop();
    }
  });

  it('a credential over the bus\'s message size limit: one line saying the bus closed the connection, not that it cannot be reached', async () => {
    // dbus-daemon drops a connection whose message exceeds max_message_size (32 MiB by default; a
    // 20 MB server URL goes out twice in CreateItem); a lower limit keeps the data small.
    const bus = await startPrivateBus({ secrets: true, maxMessageSize: 100_000 });
    try {
      sb = await makeSandbox({ CREDKIT_BACKEND: 'keychain', CREDKIT_KEYCHAIN_SERVICE: uniqueService(), DBUS_SESSION_BUS_ADDRESS: bus.address });
      const secret = `fake-${'s'.repeat(200_000)}`;
      for (const input of [storeInput(`${'h'.repeat(200_000)}.example.com`, 'bob', 'fake-pw'), storeInput('big.example.com', 'bob', secret)]) {
        const r = await sb.helper('store', input);
        expect(r.stdout.includes(secret), 'the secret was printed').to.equal(false);
        expectOneLineFailure(r, /store failed: the D-Bus session bus closed the connection on a \d+-byte message, likely over its message size limit/);
      }
      // The connection was the only casualty: a normal credential still goes in.
      expect((await sb.helper('store', storeInput('quay.io', 'bob', 'fake-pw'))).code).to.equal(0);
    } finally {
      await bus.stop();
    }
  });

  it('a locked collection: one line saying it is locked, exit 1, no hang', async () => {
    const bus = await startPrivateBus({ secrets: true });
    try {
      sb = await makeSandbox({ CREDKIT_BACKEND: 'keychain', CREDKIT_KEYCHAIN_SERVICE: uniqueService(), DBUS_SESSION_BUS_ADDRESS: bus.address, CREDKIT_HELPER_TIMEOUT: '20' });
      expect((await sb.helper('store', storeInput('quay.io', 'bob', 'fake-pw'))).code).to.equal(0);
      const lock = await run(
        'dbus-send',
        ['--session', '--print-reply', '--dest=org.freedesktop.secrets', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', 'array:objpath:/org/freedesktop/secrets/collection/login'],
        { env: { PATH: basePath(), DBUS_SESSION_BUS_ADDRESS: bus.address } },
      );
      expect(lock.code, lock.stderr).to.equal(0);
      const r = await sb.helper('get', 'quay.io');
      expect(r.signal).to.equal(null);
      expectOneLineFailure(r, /collection is locked/);
      expect(r.stdout).to.not.contain('fake');

      // auto with a fallback: a keychain that is there but locked is an error, not a switch to
      // the file (which would answer "not found" for what the keychain holds, and keep new logins
      // where the keychain never sees them).
      const fallback = { CREDKIT_BACKEND: 'auto', CREDKIT_FALLBACK: 'file' };
      expectOneLineFailure(await sb.helper('get', 'quay.io', fallback), /keychain is there but cannot be used now: .*locked.*"file" fallback .* not used.*CREDKIT_BACKEND=file/);
      expectOneLineFailure(await sb.helper('store', storeInput('new.example.com', 'ann', 'fake-2'), fallback), /cannot be used now/);
      expect(existsSync(join(sb.env.XDG_DATA_HOME!, 'credkit', 'credentials.json')), 'no fallback file').to.equal(false);
    } finally {
      await bus.stop();
    }
  });
});
