/**
 * The keychain's bus check (our own D-Bus client) against real dbus-daemons: the address forms it
 * must dial, the ones it must leave to the keyring library, and both ways of authenticating.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { SECRET_SERVICE_PROBLEM, checkSecretServiceBus } from '../../src/stores/secret-service-bus.js';
import { BusFailure, callBus } from '../../src/stores/dbus-wire.js';
import type { Host } from '../../src/io.js';
import { basePath, makeSandbox, run, skipUnlessPrograms, type Sandbox } from '../support/sandbox.js';
import { startPrivateBus, startSilentSocket, storeInput, uniqueService, type PrivateBus } from '../support/os-keyring.js';

const OK = { problem: undefined, checked: true, lasting: true };
const LEFT_TO_LIBRARY = { problem: undefined, checked: false, lasting: true };

// Before libuv 1.48 (all of Node 20), Node pads an abstract socket name with NULs, so it cannot
// reach dbus-daemon's abstract socket; the check must then step aside rather than fail.
const [uvMajor = 0, uvMinor = 0] = process.versions.uv.split('.').map(Number);
const NODE_DIALS_ABSTRACT = uvMajor > 1 || (uvMajor === 1 && uvMinor >= 48);

function hostWith(env: Record<string, string>, uid: number | undefined = process.getuid?.()): Host {
  return { env, home: '/nonexistent', platform: 'linux', cwd: '/', uid };
}

describe('Secret Service bus check on real buses', function () {
  let secrets: PrivateBus | undefined;
  let bare: PrivateBus | undefined;
  before(async function () {
    await skipUnlessPrograms(this, ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon']);
    if (process.platform !== 'linux') this.skip();
    // One after the other, so that `after` stops whichever started if the other fails.
    secrets = await startPrivateBus({ secrets: true });
    bare = await startPrivateBus({ secrets: false });
  });
  after(async () => {
    await Promise.all([secrets?.stop(), bare?.stop()]);
  });

  it('a running service whose default collection is locked is a problem, found without a prompt', async () => {
    const locked = await startPrivateBus({ secrets: true });
    try {
      const lock = await run(
        'dbus-send',
        ['--session', '--print-reply', '--dest=org.freedesktop.secrets', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', 'array:objpath:/org/freedesktop/secrets/collection/login'],
        { env: { PATH: basePath(), DBUS_SESSION_BUS_ADDRESS: locked.address } },
      );
      expect(lock.code, lock.stderr).to.equal(0);
      expect(await checkSecretServiceBus(hostWith({ DBUS_SESSION_BUS_ADDRESS: locked.address }), 3000)).to.deep.equal({ problem: SECRET_SERVICE_PROBLEM.locked, checked: true, lasting: false });
    } finally {
      await locked.stop();
    }
  });

  it('finds gnome-keyring on a unix:path= bus', async () => {
    expect(await checkSecretServiceBus(hostWith({ DBUS_SESSION_BUS_ADDRESS: secrets!.address }), 3000)).to.deep.equal(OK);
  });

  it('authenticates without a uid too (EXTERNAL with an empty response)', async () => {
    expect(await checkSecretServiceBus(hostWith({ DBUS_SESSION_BUS_ADDRESS: secrets!.address }, undefined), 3000)).to.deep.equal(OK);
  });

  it('claims no uid, so that a process whose uid is not the one the bus sees (in a user namespace) is let in', async () => {
    const notOurs = (process.getuid?.() ?? 0) + 4242;
    expect(await checkSecretServiceBus(hostWith({ DBUS_SESSION_BUS_ADDRESS: secrets!.address }, notOurs), 3000)).to.deep.equal(OK);
  });

  it('the wire reports a refused authentication (a claimed uid that is not ours) at once', async () => {
    const notOurs = (process.getuid?.() ?? 0) + 4242;
    const failure = await callBus(join(secrets!.dir, 'bus'), notOurs, 3000, async () => undefined).then(() => undefined, (err: unknown) => err as BusFailure);
    expect(failure).to.be.instanceOf(BusFailure);
    expect([failure!.stage, failure!.message]).to.deep.equal(['auth', 'authentication failed (REJECTED EXTERNAL)']);
  });

  it('under rootless podman, with no bus in the XDG_RUNTIME_DIR podman chose, says to give podman DBUS_SESSION_BUS_ADDRESS', async () => {
    const runtime = join(bare!.dir, 'podman-run-1002');
    const r = await checkSecretServiceBus(hostWith({ XDG_RUNTIME_DIR: runtime, _CONTAINERS_ROOTLESS_UID: '1002' }, 0), 3000);
    expect(r).to.deep.equal({
      problem: `no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset and there is no bus in $XDG_RUNTIME_DIR, ${runtime}, which rootless podman sets itself where the environment has none); run podman with DBUS_SESSION_BUS_ADDRESS set (unix:path=/run/user/1002/bus where a user session or lingering systemd --user runs) or inside dbus-run-session`,
      checked: true,
      lasting: true,
    });
    // Under rootless podman too, the bus in its XDG_RUNTIME_DIR (/run/user/UID, when it is the user's) is used.
    expect(await checkSecretServiceBus(hostWith({ XDG_RUNTIME_DIR: secrets!.dir, _CONTAINERS_ROOTLESS_UID: '1002' }, 0), 3000)).to.deep.equal(OK);
  });

  it('uses $XDG_RUNTIME_DIR/bus when DBUS_SESSION_BUS_ADDRESS is unset', async () => {
    expect(await checkSecretServiceBus(hostWith({ XDG_RUNTIME_DIR: secrets!.dir }), 3000)).to.deep.equal(OK);
  });

  it('tries ;-separated addresses in turn: skips tcp: and a missing socket, then uses unix:path=', async () => {
    const address = `tcp:host=127.0.0.1,port=9;unix:path=${join(secrets!.dir, 'missing')};${secrets!.address},guid=00000000000000000000000000000000`;
    expect(await checkSecretServiceBus(hostWith({ DBUS_SESSION_BUS_ADDRESS: address }), 3000)).to.deep.equal(OK);
  });

  it('names the missing Secret Service on a bus without one', async () => {
    const r = await checkSecretServiceBus(hostWith({ DBUS_SESSION_BUS_ADDRESS: bare!.address }), 3000);
    expect(r.checked).to.equal(true);
    expect(r.problem).to.match(/^no Secret Service on the D-Bus session bus .*org\.freedesktop\.secrets/);
  });

  it('says it cannot reach a socket that is not there', async () => {
    const r = await checkSecretServiceBus(hostWith({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(bare!.dir, 'missing')}` }), 3000);
    expect(r.problem).to.match(/^cannot reach the D-Bus session bus \(.*ENOENT/);
  });

  it('gives up on a socket that never answers when the time is up, and says so', async () => {
    const silent = await startSilentSocket();
    try {
      const started = Date.now();
      const r = await checkSecretServiceBus(hostWith({ DBUS_SESSION_BUS_ADDRESS: silent.address }), 500);
      expect(Date.now() - started).to.be.within(400, 1500);
      expect(r).to.deep.equal({ problem: 'the D-Bus session bus did not answer within 1 s', checked: true, lasting: false });
    } finally {
      await silent.stop();
    }
  });

  it('leaves transports it does not dial to the keyring library', async () => {
    expect(await checkSecretServiceBus(hostWith({ DBUS_SESSION_BUS_ADDRESS: 'tcp:host=127.0.0.1,port=9' }), 3000)).to.deep.equal(LEFT_TO_LIBRARY);
  });
});

describe('Secret Service on a unix:abstract= bus', function () {
  let bus: PrivateBus | undefined;
  let sb: Sandbox | undefined;
  before(async function () {
    await skipUnlessPrograms(this, ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon']);
    if (process.platform !== 'linux') this.skip();
    bus = await startPrivateBus({ secrets: true, abstract: true });
  });
  after(async () => {
    await sb?.cleanup();
    await bus?.stop();
  });

  it(`the check ${NODE_DIALS_ABSTRACT ? 'finds it in-process' : 'steps aside for the keyring library (this Node pads abstract names)'}`, async () => {
    const r = await checkSecretServiceBus(hostWith({ DBUS_SESSION_BUS_ADDRESS: bus!.address }), 3000);
    expect(r).to.deep.equal(NODE_DIALS_ABSTRACT ? OK : LEFT_TO_LIBRARY);
  });

  it('the helper stores and gets through it', async () => {
    sb = await makeSandbox({ CREDKIT_BACKEND: 'keychain', CREDKIT_KEYCHAIN_SERVICE: uniqueService(), DBUS_SESSION_BUS_ADDRESS: bus!.address });
    const stored = await sb.helper('store', storeInput('abstract.example.com', 'ann', 'fake-abstract'));
    expect(stored.code, stored.stdout).to.equal(0);
    const got = await sb.helper('get', 'abstract.example.com');
    expect(got.code, got.stdout).to.equal(0);
    expect(JSON.parse(got.stdout)).to.deep.equal({ ServerURL: 'abstract.example.com', Username: 'ann', Secret: 'fake-abstract' });
  });
});
