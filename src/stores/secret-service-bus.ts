/**
 * Answers "is there a Secret Service on this session bus?" without touching the keyring library,
 * whose D-Bus connect is synchronous and cannot be bounded: our own few-message D-Bus client
 * (dbus-wire.ts) runs on a socket that a timer can destroy.
 */
// node:fs, not fs/promises: the helper has loaded node:fs already, and fs/promises costs a
// keychain `get` more than a millisecond of start-up (see bench/).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Host } from '../io.js';
import { BusFailure, callBus, parseBusAddress, type BusCall, type BusEndpoint } from './dbus-wire.js';

const SECRETS = 'org.freedesktop.secrets';

/**
 * What went wrong, or undefined when the bus is there and something provides the Secret Service.
 * `lasting`: the machine has no usable Secret Service (no bus, nothing providing it, no default
 * collection), as opposed to one that is there but cannot be used right now (locked, not
 * answering), where switching to a fallback store would hide its credentials.
 */
export type BusCheck = { problem: string | undefined; checked: boolean; lasting: boolean };

const SERVICE_PATH = '/org/freedesktop/secrets';
/** What stops the Secret Service from being used without a prompt, in the words every check uses. */
export const SECRET_SERVICE_PROBLEM = {
  absent: `no Secret Service on the D-Bus session bus (nothing provides ${SECRETS}); start gnome-keyring-daemon --components=secrets or KeePassXC's Secret Service`,
  // A second gnome-keyring-daemon, even with --replace, leaves the running one owning the bus name
  // ("another secret service is running"): headless, the running one has to be stopped first.
  locked:
    'the Secret Service collection is locked, and credkit never shows an unlock prompt: log in to the desktop session (which unlocks it), unlock it in Seahorse, or without a desktop stop the running gnome-keyring-daemon and start it again with --unlock reading the password on stdin',
  noDefault:
    'the Secret Service has no default collection (credkit does not create one, which would prompt); create a "login" keyring (e.g. in Seahorse), or without a desktop stop the running gnome-keyring-daemon and start it again with --unlock reading a new password on stdin',
} as const;

/**
 * Why the Secret Service on this bus cannot be used without a prompt, or undefined: nobody owns
 * (or the bus cannot start) the name, or a running service's default collection is missing or
 * locked. Reading the `Locked` property never prompts. A service the bus would only start is not
 * started for this: whether it would come up unlocked is for the first real call to say.
 */
async function inspectSecrets(call: BusCall): Promise<Omit<BusCheck, 'checked'>> {
  const usable = { problem: undefined, lasting: true };
  const owner = await call('NameHasOwner', [SECRETS]);
  if (owner.error !== undefined) throw new BusFailure(owner.error, 'protocol');
  if (owner.values[0] !== true) {
    const activatable = await call('ListActivatableNames');
    return Array.isArray(activatable.values?.[0]) && activatable.values[0].includes(SECRETS) ? usable : { problem: SECRET_SERVICE_PROBLEM.absent, lasting: true };
  }
  const alias = await call({ destination: SECRETS, path: SERVICE_PATH, interface: 'org.freedesktop.Secret.Service', member: 'ReadAlias', signature: 's', args: ['default'] });
  // A service without aliases (older KeePassXC) gets the benefit of the doubt.
  if (alias.error !== undefined) return usable;
  const collection = alias.values[0];
  if (collection === '/') return { problem: SECRET_SERVICE_PROBLEM.noDefault, lasting: true };
  if (typeof collection !== 'string') return usable;
  const locked = await call({ destination: SECRETS, path: collection, interface: 'org.freedesktop.DBus.Properties', member: 'Get', signature: 'ss', args: ['org.freedesktop.Secret.Collection', 'Locked'] });
  return locked.error === undefined && locked.values[0] === true ? { problem: SECRET_SERVICE_PROBLEM.locked, lasting: false } : usable;
}

/** True when `path` is a socket; false when it is anything else, missing or unreadable. */
export function isSocket(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isSocket() ?? false;
  } catch {
    return false;
  }
}

/**
 * Why there is no bus to dial without DBUS_SESSION_BUS_ADDRESS. Under rootless podman (which marks
 * the helpers it runs with _CONTAINERS_ROOTLESS_UID, the user's uid outside its user namespace)
 * XDG_RUNTIME_DIR may be the one podman chose where the environment had none, such as
 * $TMPDIR/podman-run-UID (podman 4.3 takes /run/user/UID, where a user session's bus is, only when
 * it is the user's): no bus is there, and the fix is an address given to podman.
 */
function noBusProblem(host: Host): string {
  const podmanUid = host.env._CONTAINERS_ROOTLESS_UID;
  if (podmanUid && /^\d+$/.test(podmanUid) && host.env.XDG_RUNTIME_DIR) {
    return `no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset and there is no bus in $XDG_RUNTIME_DIR, ${host.env.XDG_RUNTIME_DIR}, which rootless podman sets itself where the environment has none); run podman with DBUS_SESSION_BUS_ADDRESS set (unix:path=/run/user/${podmanUid}/bus where a user session or lingering systemd --user runs) or inside dbus-run-session`;
  }
  return 'no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset and there is no $XDG_RUNTIME_DIR/bus); run inside dbus-run-session or a desktop login';
}

/**
 * Checks the session bus: an address (or `$XDG_RUNTIME_DIR/bus`), a bus that answers, and an owner
 * (or an activatable service) for org.freedesktop.secrets whose default collection is there and
 * unlocked, all within `timeoutMs`. `checked` is false when no address could be dialled for want
 * of support (tcp:, launchd:, …, or an abstract socket this Node cannot reach), so that the
 * caller can ask the keyring library instead.
 */
export async function checkSecretServiceBus(host: Host, timeoutMs: number): Promise<BusCheck> {
  let endpoints: BusEndpoint[];
  const address = host.env.DBUS_SESSION_BUS_ADDRESS;
  if (address) {
    endpoints = parseBusAddress(address);
  } else {
    const runtime = host.env.XDG_RUNTIME_DIR;
    if (!runtime || !isSocket(join(runtime, 'bus'))) return { problem: noBusProblem(host), checked: true, lasting: true };
    endpoints = [{ path: join(runtime, 'bus') }];
  }
  const deadline = Date.now() + timeoutMs;
  let unreachable: string | undefined;
  let undialled = false;
  // Like libdbus: try each address in turn until one connects.
  for (const endpoint of endpoints) {
    if ('unsupported' in endpoint) {
      undialled = true;
      continue;
    }
    try {
      return { ...(await callBus(endpoint.path, undefined, deadline - Date.now(), inspectSecrets)), checked: true };
    } catch (err) {
      const failure = err as BusFailure;
      if (failure.stage === 'timeout') return { problem: `the D-Bus session bus did not answer within ${Math.round(timeoutMs / 1000)} s`, checked: true, lasting: false };
      // A refused authentication (the bus of another user, under sudo say) is how things are here.
      if (failure.stage !== 'connect') return { problem: `cannot reach the D-Bus session bus (${failure.message})`, checked: true, lasting: failure.stage === 'auth' };
      // The libuv of Node 20 (before 1.48) pads an abstract name with NULs to the full sockaddr,
      // so no bus matches it and the connect is refused: we cannot tell that from a bus that is
      // gone, so leave abstract names to the keyring library (libdbus) in that case.
      if (endpoint.path.startsWith('\0') && failure.code === 'ECONNREFUSED') undialled = true;
      unreachable = failure.message;
    }
  }
  if (undialled) return { problem: undefined, checked: false, lasting: true };
  // Nothing listens at the address (a stale one, in an SSH session say): no bus on this machine.
  return { problem: `cannot reach the D-Bus session bus (${unreachable ?? `no usable address in "${address}"`})`, checked: true, lasting: true };
}
