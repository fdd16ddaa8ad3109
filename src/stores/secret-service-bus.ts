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

/** What went wrong, or undefined when the bus is there and something provides the Secret Service. */
export type BusCheck = { problem: string | undefined; checked: boolean };

/** Whether something owns, or the bus can start, the Secret Service. */
async function askForSecrets(call: BusCall): Promise<boolean> {
  const owner = await call('NameHasOwner', [SECRETS]);
  if (owner.error !== undefined) throw new BusFailure(owner.error, 'protocol');
  if (owner.values[0] === true) return true;
  const activatable = await call('ListActivatableNames');
  return Array.isArray(activatable.values?.[0]) && activatable.values[0].includes(SECRETS);
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
 * Checks the session bus: an address (or `$XDG_RUNTIME_DIR/bus`), a bus that answers, and an owner
 * (or an activatable service) for org.freedesktop.secrets, all within `timeoutMs`. `checked` is
 * false when no address could be dialled for want of support (tcp:, launchd:, …, or an abstract
 * socket this Node cannot reach), so that the caller can ask the keyring library instead.
 */
export async function checkSecretServiceBus(host: Host, timeoutMs: number): Promise<BusCheck> {
  let endpoints: BusEndpoint[];
  const address = host.env.DBUS_SESSION_BUS_ADDRESS;
  if (address) {
    endpoints = parseBusAddress(address);
  } else {
    const runtime = host.env.XDG_RUNTIME_DIR;
    if (!runtime || !isSocket(join(runtime, 'bus'))) {
      return {
        problem: 'no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset and there is no $XDG_RUNTIME_DIR/bus); run inside dbus-run-session or a desktop login',
        checked: true,
      };
    }
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
      const found = await callBus(endpoint.path, host.uid, deadline - Date.now(), askForSecrets);
      if (found) return { problem: undefined, checked: true };
      return {
        problem: `no Secret Service on the D-Bus session bus (nothing provides ${SECRETS}); start gnome-keyring-daemon --components=secrets or KeePassXC's Secret Service`,
        checked: true,
      };
    } catch (err) {
      const failure = err as BusFailure;
      if (failure.stage === 'timeout') return { problem: `the D-Bus session bus did not answer within ${Math.round(timeoutMs / 1000)} s`, checked: true };
      if (failure.stage !== 'connect') return { problem: `cannot reach the D-Bus session bus (${failure.message})`, checked: true };
      // The libuv of Node 20 (before 1.48) pads an abstract name with NULs to the full sockaddr,
      // so no bus matches it and the connect is refused: we cannot tell that from a bus that is
      // gone, so leave abstract names to the keyring library (libdbus) in that case.
      if (endpoint.path.startsWith('\0') && failure.code === 'ECONNREFUSED') undialled = true;
      unreachable = failure.message;
    }
  }
  if (undialled) return { problem: undefined, checked: false };
  return { problem: `cannot reach the D-Bus session bus (${unreachable ?? `no usable address in "${address}"`})`, checked: true };
}
