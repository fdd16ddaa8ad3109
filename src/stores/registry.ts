/**
 * The backends credkit can use, by name. Each is loaded only when chosen, so the helper path pays
 * for one backend's imports and no other's. Adding a backend is one file and one line here.
 */
import type { CredkitConfig } from '../config.js';
import type { Host } from '../io.js';
import type { CredentialStore, StoreUse } from './store.js';
import { ParseError, StoreUnavailableError, UsageError, isCredkitError, messageOf } from '../errors.js';
import { inRootlessPodmanNamespace } from './podman-namespace.js';

/** What a backend module exports. */
export interface BackendModule {
  /** Opens the store for `use` (every use by default), or throws StoreUnavailableError saying what is missing and how to fix it. */
  openStore(config: CredkitConfig, host: Host, use?: StoreUse): Promise<CredentialStore>;
  /** Why the store cannot be used here, or undefined when it can. Never hangs. */
  checkAvailable(config: CredkitConfig, host: Host): Promise<string | undefined>;
  /**
   * The keychain's: whether a problem is how this machine is (`lasting`), or a keychain that is
   * there but unusable right now; `auto` falls back only in the first case.
   */
  availability?(config: CredkitConfig, host: Host): Promise<{ problem: string | undefined; lasting: boolean }>;
  /** One line for `credkit store backends`. */
  readonly description: string;
}

/** Backend name → loader. */
export const BACKENDS: Readonly<Record<string, () => Promise<BackendModule>>> = {
  keychain: () => import('./keychain.js'),
  keyutils: () => import('./keyutils.js'),
  pass: () => import('./pass.js'),
  file: () => import('./file.js'),
  env: () => import('./env.js'),
};

/** Every name `CREDKIT_BACKEND` / `backend =` accepts; `helper:NAME` uses `docker-credential-NAME`. */
export const BACKEND_NAMES = ['auto', ...Object.keys(BACKENDS), 'helper:NAME'] as const;

/**
 * `setting` describes where the name was written when it is not the backend setting (a route under
 * `[routes]`), so that a mistake there is reported at that line, not at `backend =`.
 */
async function load(name: string, setting?: string, names: readonly string[] = BACKEND_NAMES): Promise<BackendModule> {
  if (name.startsWith('helper:')) return (await import('./helper.js')).helperBackend(name.slice('helper:'.length), setting === undefined ? 'backend' : { setting });
  const loader = BACKENDS[name];
  if (!loader) {
    throw new UsageError(`unknown credkit backend "${name}"${setting === undefined ? '' : ` in ${setting}`} (choose one of: ${names.join(', ')})`);
  }
  return loader();
}

/** Whether config.ini (not the environment, nor a default) gave `backend` or `fallback` its value. */
function inConfigFile(config: CredkitConfig, key: 'backend' | 'fallback'): boolean {
  return config.source !== undefined && config.fromEnv?.[key] !== true;
}

/**
 * Runs `open` for a store that config.ini names (`backend =`, `fallback =`, a route): a name
 * credkit cannot use there (unknown, `helper:a/b`, credkit itself) is a mistake in that file,
 * reported as one (PARSE, exit 1, like every other config.ini error) rather than as a usage error
 * (exit 2) of a command line that named no store. The message stays as it is: docker quotes it.
 */
export async function asConfigFileError<T>(inFile: boolean, open: () => Promise<T>): Promise<T> {
  if (!inFile) return open();
  try {
    return await open();
  } catch (err) {
    // Backends may be bundles of their own: recognise their errors by brand and code.
    if (isCredkitError(err) && err.code === 'USAGE') throw new ParseError(messageOf(err), {}, { cause: err });
    throw err;
  }
}

/**
 * Opens the configured backend, or the store `name` names (`--backend`, `--from`, a route).
 * `auto` means the OS keychain where one is usable, else the configured fallback, else an error
 * that says what is missing and how to choose another backend. `setting` describes the setting
 * that named the store when it is not `backend =` (see load); `names`, every store name that
 * setting takes, for the message about one it does not (a command's option takes more than
 * credkit's backends, such as `credkit` and `authfile:PATH`). `use` goes to a backend `name`
 * names, not to what `auto` picks: only a store named as a copy's source, or by `credkit store
 * list|get|erase --backend`, is opened as one.
 */
export async function openConfiguredStore(config: CredkitConfig, host: Host, name?: string, setting?: string, names?: readonly string[], use: StoreUse = 'store'): Promise<CredentialStore> {
  if (name === undefined) return asConfigFileError(inConfigFile(config, 'backend'), () => openConfiguredStore(config, host, config.backend, setting));
  if (name !== 'auto') return (await load(name, setting, names)).openStore(config, host, use);
  const keychain = await load('keychain');
  const fallback = config.fallback && config.fallback !== 'auto' ? config.fallback : undefined;
  if (fallback === undefined) {
    // Nothing to fall back to, so no probe first: the keychain store reports a missing Secret
    // Service in the same words, and a probe would cost every helper call a second bus connection.
    try {
      return await keychain.openStore(config, host);
    } catch (err) {
      // The keychain may be a bundle of its own: recognise its errors by brand and code.
      if (!isCredkitError(err) || err.code !== 'STORE_UNAVAILABLE') throw err;
      throw noKeychain((await keychain.checkAvailable(config, host)) ?? messageOf(err), setting, host);
    }
  }
  // A keychain that is there but locked or not answering is an error, not a reason to switch:
  // the fallback would hide every credential the keychain holds, and keep new logins where the
  // keychain will not see them once it is unlocked.
  const { problem, lasting } = keychain.availability ? await keychain.availability(config, host) : { problem: await keychain.checkAvailable(config, host), lasting: true };
  if (problem === undefined) return keychain.openStore(config, host);
  if (!lasting) {
    throw new StoreUnavailableError(
      `the OS keychain is there but cannot be used now: ${problem}. The "${fallback}" fallback is for machines without a keychain and is not used (it would hide the keychain's credentials); to use it anyway for now, set CREDKIT_BACKEND=${fallback}`,
    );
  }
  // Named as the fallback: the error would otherwise read as if `backend =` (auto here) were wrong.
  return asConfigFileError(inConfigFile(config, 'fallback'), async () => (await load(fallback, "credkit's fallback setting")).openStore(config, host));
}

function noKeychain(why: string, setting: string | undefined, host: Host): StoreUnavailableError {
  // No "credkit:" here: the CLI adds its own prefix, and the helper prints store errors as they are.
  const change = setting === undefined ? `set CREDKIT_BACKEND or "backend =" in credkit's config.ini` : `change ${setting}`;
  // Inside rootless podman's namespace keyutils refuses to work (podman-namespace.ts): not offered.
  const backends = inRootlessPodmanNamespace(host.env) ? 'pass or file' : 'keyutils, pass or file';
  return new StoreUnavailableError(`no usable OS keychain (${why}); ${change} to ${backends}, or set "fallback = file"`);
}

/** Loads a backend module by name (for `credkit store backends` and doctor-style checks); `setting` as for openConfiguredStore. */
export function loadBackend(name: string, setting?: string): Promise<BackendModule> {
  return load(name, setting);
}

/**
 * credkit's store as its helper uses it: the configured backend, or with `[routes]` in config.ini
 * the store each server URL is routed to (src/stores/routed.ts), seen through the selected saved
 * account when config.account names one (src/stores/accounts.ts). `warn` gets one line without a
 * prefix (a routed store left out of `list`).
 */
export async function openCredkitStore(config: CredkitConfig, host: Host, warn: (text: string) => void): Promise<CredentialStore> {
  const store = config.routes.length === 0 ? await openConfiguredStore(config, host) : (await import('./routed.js')).openRoutedStore(config, host, warn);
  // Loaded only with an account selected: a bundle of its own for the helper, so a call without
  // one reads and compiles none of it.
  return config.account === undefined ? store : (await import('./accounts.js')).withAccount(store, config.account);
}
