/**
 * `keychain`: the OS keychain. macOS Keychain, Windows Credential Manager, and on Linux the
 * Secret Service (GNOME Keyring, KWallet, KeePassXC), pinned: credkit never falls back to the
 * kernel keyring silently (that is the `keyutils` backend, chosen on purpose).
 *
 * On Linux with a `unix:path=` session bus, credkit speaks the Secret Service itself
 * (secret-service.ts, docker-credential-secretservice's items); elsewhere, and on buses this Node
 * cannot dial, it goes through @napi-rs/keyring (os-keyring.ts), which is loaded only then.
 */
import { join } from 'node:path';
import type { CredkitConfig } from '../config.js';
import type { Host } from '../io.js';
import type { CredentialStore } from './store.js';
import { StoreUnavailableError } from '../errors.js';
import { storeLockFor } from './lock-path.js';
import { inRootlessPodmanNamespace } from './podman-namespace.js';
import { parseBusAddress } from './dbus-wire.js';
import { checkSecretServiceBus, isSocket } from './secret-service-bus.js';
import { DEFAULT_SERVICE, SecretServiceStore } from './secret-service.js';
import { referenceBusSocket, secretServiceLocation } from './secret-service-location.js';

/** One backend line for `credkit store backends`. */
export const description = 'the OS keychain: macOS Keychain, Windows Credential Manager, Secret Service on Linux';

const PROBE_TIMEOUT_MS = 3000;
const FIX = 'otherwise set CREDKIT_BACKEND=keyutils|pass|file (or "fallback = file" in credkit\'s config.ini)';
/** The fix to name: keyutils refuses to work inside rootless podman's namespace, so it is not offered there. */
const fixFor = (host: Host): string => (inRootlessPodmanNamespace(host.env) ? FIX.replace('keyutils|', '') : FIX);

function labelFor(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service';
}

// `auto` asks availability and then openStore; probe the machine once per host.
const checks = new WeakMap<Host, Promise<Availability>>();

/** Why the keychain cannot be used, and whether that is how this machine is (see registry.ts). */
export interface Availability {
  problem: string | undefined;
  /** False for a keychain that is there but unusable right now (locked, not answering). */
  lasting: boolean;
}

/** Whether the keychain can be used here, and if not, why. Quick, and never prompts. */
export function availability(config: CredkitConfig, host: Host): Promise<Availability> {
  let check = checks.get(host);
  if (!check) {
    check = (async () => {
      if (host.platform === 'linux' || host.platform === 'freebsd' || host.platform === 'openbsd') {
        const bus = await checkSecretServiceBus(host, PROBE_TIMEOUT_MS);
        if (bus.problem || bus.checked) return bus;
        // A bus address we could not dial (tcp:, launchd:, …): ask the keyring library (reading an item
        // that does not exist).
        const { probeKeyring } = await import('./os-keyring.js');
        const why = await probeKeyring(config.keychainService, 'secret-service', PROBE_TIMEOUT_MS);
        return { problem: why && `Secret Service: ${why}`, lasting: true };
      }
      const { probeKeyring } = await import('./os-keyring.js');
      const why = await probeKeyring(config.keychainService, undefined, PROBE_TIMEOUT_MS);
      return { problem: why && `${labelFor(host.platform)}: ${why}`, lasting: true };
    })();
    checks.set(host, check);
  }
  return check;
}

/** Why the keychain cannot be used here, or undefined. Quick, and never prompts. */
export async function checkAvailable(config: CredkitConfig, host: Host): Promise<string | undefined> {
  return (await availability(config, host)).problem;
}

/**
 * The session bus socket our own client can dial: the first usable `unix:path=` address (or
 * `$XDG_RUNTIME_DIR/bus`). Undefined when there is none, or when the first is an abstract socket
 * (Node 20 pads its name, so it cannot connect) or a transport we do not speak.
 */
async function dialableBus(host: Host): Promise<string | undefined> {
  const address = host.env.DBUS_SESSION_BUS_ADDRESS;
  if (address) {
    const first = parseBusAddress(address).find((e) => !('unsupported' in e));
    return first && 'path' in first && !first.path.startsWith('\0') ? first.path : undefined;
  }
  const runtime = host.env.XDG_RUNTIME_DIR;
  if (!runtime) return undefined;
  const path = join(runtime, 'bus');
  return isSocket(path) ? path : undefined;
}

/**
 * Where the keychain on Linux keeps its items when they are docker-credential-secretservice's
 * (CredentialStore.location), so that `copy` refuses the two names for one store and `list` reads
 * it once; undefined when they are not. They are only with the default `[keychain] service`
 * (with another, credkit sees only the items tagged with it, a part of the helper's store) and on
 * the bus that helper dials (a Secret Service belongs to one bus). The library path (a bus this
 * Node cannot dial, and macOS and Windows) keeps service/account items that no docker helper
 * reads: on macOS and Windows the same question would be whether the items are
 * docker-credential-osxkeychain's or -wincred's (they are not: docs/backend-keychain.md), and
 * there the store would be the user's login Keychain or Credential Manager, with no bus to compare.
 */
export function keychainLocation(service: string, socketPath: string, host: Host): string | undefined {
  if (service !== DEFAULT_SERVICE) return undefined;
  const reference = referenceBusSocket(host);
  if (reference === undefined) return undefined;
  const location = secretServiceLocation(socketPath);
  return location === secretServiceLocation(reference) ? location : undefined;
}

/** Opens the keychain store, or says what is missing and how to fix it. */
export async function openStore(config: CredkitConfig, host: Host): Promise<CredentialStore> {
  const label = labelFor(host.platform);
  if (host.platform === 'linux') {
    // No probe first: the store's own calls report a missing Secret Service, a wedged bus or a
    // locked collection in the same words, and a probe would cost one more connection per call.
    const socketPath = await dialableBus(host);
    if (socketPath !== undefined) {
      return new SecretServiceStore({
        socketPath,
        service: config.keychainService,
        timeoutMs: config.helperTimeoutMs,
        busTimeoutMs: PROBE_TIMEOUT_MS,
        lock: storeLockFor(host, 'keychain', config.keychainService),
        fixHint: fixFor(host),
        location: () => keychainLocation(config.keychainService, socketPath, host),
      });
    }
  }
  const why = await checkAvailable(config, host);
  if (why) throw new StoreUnavailableError(`credkit keychain (${label}): ${why}; ${fixFor(host)}`);
  const { OsKeyringStore, maxItemChars } = await import('./os-keyring.js');
  const linuxStore = host.platform === 'linux' ? 'secret-service' : undefined;
  return new OsKeyringStore({
    name: 'keychain',
    label,
    service: config.keychainService,
    linuxStore,
    maxItemChars: maxItemChars(host.platform, linuxStore),
    timeoutMs: config.helperTimeoutMs,
    lock: storeLockFor(host, 'keychain', config.keychainService),
    fixHint: fixFor(host),
  });
}
