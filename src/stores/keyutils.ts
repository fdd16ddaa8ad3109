/**
 * `keyutils`: the Linux kernel keyring, for headless machines without a Secret Service. Keys live
 * in kernel memory only: they are gone after a reboot, and the persistent keyring they are
 * linked into expires after some days unused (kernel.keys.persistent_keyring_expiry).
 */
import type { CredkitConfig } from '../config.js';
import type { Host } from '../io.js';
import type { CredentialStore } from './store.js';
import { StoreUnavailableError } from '../errors.js';
import { KEYUTILS_ACCESS_DENIED, OsKeyringStore, keyutilsMaxAccountBytes, lockPathFor, maxItemChars, probeKeyring } from './os-keyring.js';

/** One backend line for `credkit store backends`. */
export const description = 'the Linux kernel keyring (headless; lost on reboot)';

const PROBE_TIMEOUT_MS = 3000;
const FIX = 'set CREDKIT_BACKEND=keychain|pass|file';

/** Why the kernel keyring cannot be used here, or undefined. */
export async function checkAvailable(config: CredkitConfig, host: Host): Promise<string | undefined> {
  if (host.platform !== 'linux') return 'the kernel keyring (keyutils) exists only on Linux';
  // Writing a key of our own prompts nobody here (unlike a desktop keychain), so the probe writes.
  const why = await probeKeyring(config.keychainService, 'keyutils', PROBE_TIMEOUT_MS, true);
  // keyctl works (the probe's read passed); only the link into the persistent keyring was refused.
  if (why !== undefined && /\bAccessDenied\b/.test(why)) return `kernel keyring: ${KEYUTILS_ACCESS_DENIED}`;
  return why && `kernel keyring: ${why}`;
}

/** Opens the kernel-keyring store, or says what is missing. */
export async function openStore(config: CredkitConfig, host: Host): Promise<CredentialStore> {
  if (host.platform !== 'linux') throw new StoreUnavailableError(`credkit keyutils: the kernel keyring exists only on Linux; ${FIX}`);
  return new OsKeyringStore({
    name: 'keyutils',
    label: 'kernel keyring',
    service: config.keychainService,
    linuxStore: 'keyutils',
    maxItemChars: maxItemChars(host.platform, 'keyutils'),
    maxAccountBytes: keyutilsMaxAccountBytes(config.keychainService),
    timeoutMs: config.helperTimeoutMs,
    lockPath: lockPathFor(host, 'keyutils', config.keychainService),
    fixHint: FIX,
  });
}
