/**
 * Where the Secret Service keeps docker's items, for CredentialStore.location: on Linux credkit's
 * `keychain` (with the default `[keychain] service`) and docker-credential-secretservice
 * (`helper:secretservice`) read and write the same items (secret-service.ts). A Secret Service
 * belongs to one session bus, so the location is that bus's socket. A module of its own so that
 * the `helper:` store can name it without loading the keychain.
 */
import { join } from 'node:path';
import type { Host } from '../io.js';
import { realPathOf } from '../auth-file/safe-file.js';
import { parseBusAddress } from './dbus-wire.js';
import { isSocket } from './secret-service-bus.js';

/** The location (CredentialStore.location) of the Secret Service on the bus at `socketPath`. */
export function secretServiceLocation(socketPath: string): string {
  return `Secret Service on the session bus ${realPathOf(socketPath)}`;
}

/**
 * The socket of the session bus docker-credential-secretservice dials with `host`'s environment,
 * where credkit can tell which it is. libsecret asks GDBus, which takes DBUS_SESSION_BUS_ADDRESS as
 * it is (even empty) and only without it `$XDG_RUNTIME_DIR/bus` (gdbusaddress.c). GDBus tries a
 * list of addresses in turn: only a first address that is a socket path names the bus for sure (a
 * tcp: or an abstract one first may be the one it reaches, and credkit cannot dial those anyway).
 */
export function referenceBusSocket(host: Host): string | undefined {
  const address = host.env.DBUS_SESSION_BUS_ADDRESS;
  if (address !== undefined) {
    const first = parseBusAddress(address)[0];
    return first !== undefined && 'path' in first && !first.path.startsWith('\0') ? first.path : undefined;
  }
  const runtime = host.env.XDG_RUNTIME_DIR;
  if (!runtime) return undefined;
  const path = join(runtime, 'bus');
  return isSocket(path) ? path : undefined;
}

/** The location of docker-credential-secretservice's items, run with `host`'s environment. */
export function referenceSecretServiceLocation(host: Host): string | undefined {
  const socket = referenceBusSocket(host);
  return socket === undefined ? undefined : secretServiceLocation(socket);
}
