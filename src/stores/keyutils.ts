/**
 * `keyutils`: the Linux kernel keyring, for headless machines without a Secret Service. Keys live
 * in kernel memory only: they are gone after a reboot, and the persistent keyring they are
 * linked into expires after some days unused (kernel.keys.persistent_keyring_expiry).
 */
import type { CredkitConfig } from '../config.js';
import type { Host } from '../io.js';
import type { CredentialStore, StoreUse } from './store.js';
import { storeLockFor } from './lock-path.js';
import { StoreUnavailableError, messageOf } from '../errors.js';
import { KEYUTILS_ACCESS_DENIED, OsKeyringStore, keyutilsMaxAccountBytes, maxItemChars, type OsKeyringOptions } from './os-keyring.js';
import { inRootlessPodmanNamespace } from './podman-namespace.js';
import { KEYUTILS_NAMESPACE_REFUSAL } from './podman-namespace-refusal.js';

/** One backend line for `credkit store backends`. */
export const description = 'the Linux kernel keyring (headless; lost on reboot)';

const PROBE_TIMEOUT_MS = 3000;
const FIX = 'set CREDKIT_BACKEND=keychain|pass|file';

/**
 * Why keyutils refuses `use` here, or undefined. Inside podman's namespace it refuses every use
 * but a copy's source: a copy (or move) out of the namespace's keyring is how logins an older
 * credkit stored there reach a store docker and podman both see (podman-namespace-refusal.ts),
 * while no new login lands there.
 */
export function namespaceRefusal(inPodmanNamespace: boolean, use: StoreUse): string | undefined {
  if (!inPodmanNamespace || use !== 'store') return undefined;
  return KEYUTILS_NAMESPACE_REFUSAL;
}

/** Why the kernel keyring cannot be used here, or undefined. */
export async function checkAvailable(config: CredkitConfig, host: Host): Promise<string | undefined> {
  if (host.platform !== 'linux') return 'the kernel keyring (keyutils) exists only on Linux';
  const refused = namespaceRefusal(inRootlessPodmanNamespace(host.env), 'store');
  if (refused !== undefined) return `kernel keyring: ${refused}`;
  // Writing a key of our own prompts nobody here (unlike a desktop keychain), so the probe writes:
  // where reads pass and writes are refused (some seccomp profiles, KEYUTILS_ACCESS_DENIED), a
  // read would call the store usable. It writes as a store call does, lock first, because what the
  // kernel allows depends on what the process did before (KEYUTILS_ACCESS_DENIED).
  try {
    await new OsKeyringStore(storeOptions(config, host, PROBE_TIMEOUT_MS)).probeWrite();
    return undefined;
  } catch (err) {
    // The keyring's own words (the store's message adds "probe failed" and the fix hint).
    const why = messageOf(err instanceof StoreUnavailableError && err.cause !== undefined ? err.cause : err).replace(/\s*\n\s*/g, ' ').trim();
    if (/\bAccessDenied\b/.test(why)) return `kernel keyring: ${KEYUTILS_ACCESS_DENIED}`;
    return `kernel keyring: ${why}`;
  }
}

function storeOptions(config: CredkitConfig, host: Host, timeoutMs: number): OsKeyringOptions {
  return {
    name: 'keyutils',
    label: 'kernel keyring',
    service: config.keychainService,
    linuxStore: 'keyutils',
    maxItemChars: maxItemChars(host.platform, 'keyutils'),
    maxAccountBytes: keyutilsMaxAccountBytes(config.keychainService),
    timeoutMs,
    lock: storeLockFor(host, 'keyutils', config.keychainService),
    fixHint: FIX,
  };
}

/** Opens the kernel-keyring store for `use`, or says what is missing. */
export async function openStore(config: CredkitConfig, host: Host, use: StoreUse = 'store'): Promise<CredentialStore> {
  if (host.platform !== 'linux') throw new StoreUnavailableError(`credkit keyutils: the kernel keyring exists only on Linux; ${FIX}`);
  const refused = namespaceRefusal(inRootlessPodmanNamespace(host.env), use);
  if (refused !== undefined) throw new StoreUnavailableError(`credkit keyutils: ${refused}`);
  return new OsKeyringStore(storeOptions(config, host, config.helperTimeoutMs));
}
