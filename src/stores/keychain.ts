/**
 * `keychain`: the OS keychain. macOS Keychain, Windows Credential Manager, and on Linux the
 * Secret Service (GNOME Keyring, KWallet, KeePassXC), pinned: credkit never falls back to the
 * kernel keyring silently (that is the `keyutils` backend, chosen on purpose).
 */
import type { CredkitConfig } from '../config.js';
import type { Host } from '../io.js';
import type { CredentialStore } from './store.js';
import { StoreUnavailableError } from '../errors.js';
import { OsKeyringStore, lockPathFor, maxItemChars, probeKeyring } from './os-keyring.js';
import { checkSecretServiceBus } from './secret-service-bus.js';

/** One backend line for `credkit store backends`. */
export const description = 'the OS keychain: macOS Keychain, Windows Credential Manager, Secret Service on Linux';

const PROBE_TIMEOUT_MS = 3000;
const FIX = 'otherwise set CREDKIT_BACKEND=keyutils|pass|file (or "fallback = file" in credkit\'s config.ini)';

function labelFor(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service';
}

// `auto` asks checkAvailable and then openStore; probe the machine once per host.
const checks = new WeakMap<Host, Promise<string | undefined>>();

/** Why the keychain cannot be used here, or undefined. Quick, and never prompts. */
export function checkAvailable(config: CredkitConfig, host: Host): Promise<string | undefined> {
  let check = checks.get(host);
  if (!check) {
    check = (async () => {
      if (host.platform === 'linux' || host.platform === 'freebsd' || host.platform === 'openbsd') {
        const bus = await checkSecretServiceBus(host, PROBE_TIMEOUT_MS);
        if (bus.problem || bus.checked) return bus.problem;
        // A bus address we could not dial (tcp:, launchd:, …): ask the keyring library (reading an item
        // that does not exist).
        const why = await probeKeyring(config.keychainService, 'secret-service', PROBE_TIMEOUT_MS);
        return why && `Secret Service: ${why}`;
      }
      const why = await probeKeyring(config.keychainService, undefined, PROBE_TIMEOUT_MS);
      return why && `${labelFor(host.platform)}: ${why}`;
    })();
    checks.set(host, check);
  }
  return check;
}

/** Opens the keychain store, or says what is missing and how to fix it. */
export async function openStore(config: CredkitConfig, host: Host): Promise<CredentialStore> {
  const label = labelFor(host.platform);
  const why = await checkAvailable(config, host);
  if (why) throw new StoreUnavailableError(`credkit keychain (${label}): ${why}; ${FIX}`);
  const linuxStore = host.platform === 'linux' ? 'secret-service' : undefined;
  return new OsKeyringStore({
    name: 'keychain',
    label,
    service: config.keychainService,
    linuxStore,
    maxItemChars: maxItemChars(host.platform, linuxStore),
    timeoutMs: config.helperTimeoutMs,
    lockPath: lockPathFor(host, 'keychain', config.keychainService),
    fixHint: FIX,
  });
}
