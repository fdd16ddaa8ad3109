import { expect } from 'chai';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Host } from '../../../src/io.js';
import { keychainLocation } from '../../../src/stores/keychain.js';
import { referenceBusSocket, referenceSecretServiceLocation, secretServiceLocation } from '../../../src/stores/secret-service-location.js';

describe('the Secret Service location: keychain and docker-credential-secretservice as one store', () => {
  let dir: string;
  let bus: string;
  let server: Server;
  const host = (env: Record<string, string | undefined>): Host => ({ env, home: dir, platform: 'linux', cwd: dir });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credkit-bus-location-'));
    await mkdir(join(dir, 'run'));
    bus = join(dir, 'run', 'bus');
    server = createServer();
    await new Promise<void>((resolve) => server.listen(bus, resolve));
    await symlink(bus, join(dir, 'linked-bus'));
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the bus as GDBus does: DBUS_SESSION_BUS_ADDRESS as set, else $XDG_RUNTIME_DIR/bus', () => {
    expect(referenceBusSocket(host({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${bus},guid=0123` }))).to.equal(bus);
    expect(referenceBusSocket(host({ XDG_RUNTIME_DIR: join(dir, 'run') }))).to.equal(bus);
    // Set, the variable wins over the runtime directory, even empty (GDBus then has no bus).
    expect(referenceBusSocket(host({ DBUS_SESSION_BUS_ADDRESS: '', XDG_RUNTIME_DIR: join(dir, 'run') }))).to.equal(undefined);
    expect(referenceBusSocket(host({ XDG_RUNTIME_DIR: dir }))).to.equal(undefined);
    expect(referenceBusSocket(host({}))).to.equal(undefined);
  });

  it('names no bus when the first address is not a socket path: GDBus may reach that one', () => {
    expect(referenceBusSocket(host({ DBUS_SESSION_BUS_ADDRESS: `tcp:host=localhost,port=1;unix:path=${bus}` }))).to.equal(undefined);
    expect(referenceBusSocket(host({ DBUS_SESSION_BUS_ADDRESS: `unix:abstract=credkit;unix:path=${bus}` }))).to.equal(undefined);
  });

  it('gives the keychain the helper\'s location only with the default service, on the bus the helper dials', () => {
    const env = { DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'linked-bus')}` };
    const helper = referenceSecretServiceLocation(host(env));
    expect(helper).to.equal(secretServiceLocation(bus));
    // Another spelling of one socket is one bus.
    expect(keychainLocation('credkit', bus, host(env))).to.equal(helper);
    // With another service credkit sees only its own items, a part of the helper's store.
    expect(keychainLocation('credkit-work', bus, host(env))).to.equal(undefined);
    // credkit dials the unix path after a tcp: address; the helper may reach the tcp: one.
    expect(keychainLocation('credkit', bus, host({ DBUS_SESSION_BUS_ADDRESS: `tcp:host=localhost,port=1;unix:path=${bus}` }))).to.equal(undefined);
    expect(keychainLocation('credkit', join(dir, 'other-bus'), host(env))).to.equal(undefined);
  });
});
