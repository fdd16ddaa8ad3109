/**
 * What `copy --from/--to` and `migrate --into-store` accept as a store: a credkit backend name
 * (`keychain`, `keyutils`, `pass`, `file`, `env`, `auto`), `credkit` for the store
 * docker-credential-credkit uses (its backend with its `[routes]`), `helper:NAME` for any
 * `docker-credential-NAME`, or `authfile:PATH` for the plaintext entries of an auth file.
 */
import { resolve } from 'node:path';
import type { CredkitConfig } from '../config.js';
import type { Host } from '../io.js';
import type { CredentialStore, StoreUse } from './store.js';
import { StoreUnavailableError, UsageError } from '../errors.js';
import { BACKENDS, openConfiguredStore } from './registry.js';
import { HELPER_BACKEND_PREFIX } from './helper.js';
import { AUTH_FILE_STORE_PREFIX } from './auth-file-store.js';

/** The helper name under which credkit installs itself (`docker-credential-credkit`), and the store name for what it uses. */
const CREDKIT_HELPER = 'credkit';

/** A parsed store name. */
export type StoreSpec =
  | { kind: 'backend'; name: string }
  /** The store docker-credential-credkit uses: the configured backend, with `[routes]`. */
  | { kind: 'credkit' }
  | { kind: 'helper'; helper: string }
  | { kind: 'authfile'; path: string };

/** Stores that can only be read. */
const READ_ONLY_BACKENDS: ReadonlySet<string> = new Set(['env']);

/** The command-line options that name a store. */
export type StoreOption = '--from' | '--to' | '--store' | '--into-store';

/**
 * Every store name an option takes, as its messages list them: a store written to is never a
 * read-only backend, and only copy (and the kubelet provider's --from) reads or writes auth files.
 */
export function storeNamesFor(option: StoreOption): string[] {
  const backends = Object.keys(BACKENDS).filter((name) => option === '--from' || !READ_ONLY_BACKENDS.has(name));
  const files = option === '--from' || option === '--to' ? [`${AUTH_FILE_STORE_PREFIX}PATH`] : [];
  return ['auto', ...backends, CREDKIT_HELPER, `${HELPER_BACKEND_PREFIX}NAME`, ...files];
}

/** Parses a store name; throws UsageError for an empty one, listing what `option` takes. */
export function parseStoreSpec(text: string, option?: StoreOption): StoreSpec {
  if (text.startsWith(AUTH_FILE_STORE_PREFIX)) {
    const path = text.slice(AUTH_FILE_STORE_PREFIX.length);
    if (path === '') throw new UsageError(`"${AUTH_FILE_STORE_PREFIX}" needs a path, e.g. authfile:~/.docker/config.json`);
    return { kind: 'authfile', path };
  }
  if (text.startsWith(HELPER_BACKEND_PREFIX)) {
    const helper = text.slice(HELPER_BACKEND_PREFIX.length);
    if (helper === '') throw new UsageError(`"${HELPER_BACKEND_PREFIX}" needs a helper name, e.g. helper:pass`);
    return { kind: 'helper', helper };
  }
  if (text === '') {
    throw new UsageError(option === undefined ? 'name a store: a credkit backend, credkit, helper:NAME or authfile:PATH' : `${option} needs a store: one of ${storeNamesFor(option).join(', ')}`);
  }
  if (text === CREDKIT_HELPER) return { kind: 'credkit' };
  return { kind: 'backend', name: text };
}

/**
 * Whether `copy` into this store carries saved accounts (account-key.ts): a credkit backend keeps
 * them as accounts; a helper or an auth file would take their keys for server URLs.
 */
export function keepsAccounts(spec: StoreSpec): boolean {
  // `credkit` too: where [routes] send a server URL to another program's store, the routed store's
  // whyNoAccounts leaves its accounts out (copyCredentials asks it per server URL).
  return spec.kind === 'backend' || spec.kind === 'credkit';
}

/** True when the store cannot be written (credkit's env backend). */
export function isReadOnlySpec(spec: StoreSpec): boolean {
  return spec.kind === 'backend' && READ_ONLY_BACKENDS.has(spec.name);
}

/** One way of spelling a spec, for reports and comparisons. */
export function formatStoreSpec(spec: StoreSpec): string {
  if (spec.kind === 'authfile') return `${AUTH_FILE_STORE_PREFIX}${spec.path}`;
  if (spec.kind === 'helper') return `${HELPER_BACKEND_PREFIX}${spec.helper}`;
  if (spec.kind === 'credkit') return CREDKIT_HELPER;
  return spec.name;
}

function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? `${home}/${path.slice(2)}` : path;
}

/**
 * Opens the store a spec names; `warn` gets a routed store's line for `credkit` (RoutedStore.list).
 * `option` is the command-line option that named it (`--from`), which a helper not on PATH or an
 * unknown backend name tells the user to change, rather than credkit's backend setting;
 * `setting` names it in those messages instead when it is no option (the library's store name).
 * `use` reaches a backend named by name only (openConfiguredStore).
 */
export async function openStoreSpec(spec: StoreSpec, config: CredkitConfig, host: Host, warn: (text: string) => void = () => undefined, option?: StoreOption, setting: string | undefined = option, use: StoreUse = 'store'): Promise<CredentialStore> {
  switch (spec.kind) {
    case 'authfile': {
      // Loaded only here: credkit-kubelet-provider, which runs on every pull, has it in a bundle of
      // its own (dist/helper-authfile.cjs), read only for --from authfile:.
      const { AuthFileStore } = await import('./auth-file-store.js');
      return new AuthFileStore(resolve(host.cwd, expandHome(spec.path, host.home)), spec.path);
    }
    case 'helper':
      return openConfiguredStore(config, host, `${HELPER_BACKEND_PREFIX}${spec.helper}`, setting);
    case 'backend':
      return openConfiguredStore(config, host, spec.name, setting, option && storeNamesFor(option), use);
    case 'credkit':
      // As the helper opens it, with its [routes], but with no account selected: copy carries
      // saved accounts' keys as they are, and migrate stores plain entries.
      return (await import('./registry.js')).openCredkitStore({ ...config, account: undefined }, host, warn);
  }
}


/**
 * Where the store opened from `spec` really keeps its credentials (CredentialStore.location), so
 * that two names for one store compare equal: `auto` is compared as what it opened, files by
 * their real path, `helper:credkit` as the backend it is configured to use, `helper:pass` as the
 * password store directory it uses, `helper:secretservice` and the Linux keychain as their session
 * bus. Other stores are known by their name only.
 */
export async function storeLocation(spec: StoreSpec, store: CredentialStore, config: CredkitConfig, host: Host): Promise<string> {
  const credkit = spec.kind === 'credkit' || (spec.kind === 'helper' && spec.helper === CREDKIT_HELPER);
  // With [routes] the helper's store is several stores, one per server URL: no single store is
  // all of it, so it is one store only with itself (`credkit` and `helper:credkit`). An entry that
  // the routes keep in the other store named is found so per entry (RoutedStore.locationFor, copy.ts).
  if (credkit && config.routes.length > 0) return `docker-credential-credkit with [routes] (${config.source ?? 'config.ini'})`;
  if (spec.kind !== 'helper') return store.location?.() ?? store.name;
  if (spec.helper === CREDKIT_HELPER) {
    // docker-credential-credkit runs with our environment (helper/client.ts passes it on), so it
    // reads this configuration and opens the backend this configuration names.
    let own: CredentialStore;
    try {
      own = await openConfiguredStore(config, host);
    } catch {
      return store.name; // the helper cannot open it either; copy's own checks report that
    }
    const ownSpec = parseStoreSpec(config.backend);
    return ownSpec.kind === 'helper' && ownSpec.helper !== CREDKIT_HELPER ? storeLocation(ownSpec, own, config, host) : (own.location?.() ?? own.name);
  }
  // helper:pass knows its password store's directory, helper:secretservice its bus (HelperStore.location).
  return store.location?.() ?? store.name;
}

/** An opened store with its name and the configuration and host it was opened with. */
export interface OpenedStore {
  spec: StoreSpec;
  store: CredentialStore;
  config: CredkitConfig;
  host: Host;
}

/**
 * Refuses two names for one store (UsageError): copying a store onto itself changes nothing, and
 * `--move` would erase every credential it "moved". Each is compared as what its own
 * configuration and host opened (a library caller may open the two with different homes).
 * `named` says how the message names each side (`--from file`).
 */
export async function assertDifferentStores(from: OpenedStore, to: OpenedStore, named: (side: 'from' | 'to', spec: StoreSpec) => string): Promise<void> {
  const where = await storeLocation(from.spec, from.store, from.config, from.host);
  if (where !== (await storeLocation(to.spec, to.store, to.config, to.host))) return;
  throw new UsageError(`${named('from', from.spec)} and ${named('to', to.spec)} are the same store (${where}); nothing was changed`);
}

/** The store `migrate --into-store` fills, and the `credsStore` value that makes docker use it. */
export interface CredsStoreTarget {
  store: CredentialStore;
  credsStore: string;
}

/**
 * Opens the store for `migrate --into-store`. `helper:NAME` becomes `"credsStore": "NAME"`;
 * `credkit` or a credkit backend becomes `"credsStore": "credkit"`, which only works when that
 * backend is the one docker-credential-credkit is configured to use, and then opens the store that
 * helper uses, with its `[routes]`. `warn` gets one line without a prefix (RoutedStore's).
 * Messages name `--into-store`, or with `cliFlags` false the library's `intoStore` option.
 */
export async function openCredsStoreTarget(text: string, config: CredkitConfig, host: Host, warn: (text: string) => void = () => undefined, wording: { cliFlags: boolean } = { cliFlags: true }): Promise<CredsStoreTarget> {
  const flag = wording.cliFlags ? '--into-store' : 'intoStore';
  const named = (value: string) => (wording.cliFlags ? `--into-store ${value}` : `intoStore ${JSON.stringify(value)}`);
  const parsed = parseStoreSpec(text, '--into-store');
  const spec = parsed.kind === 'credkit' ? ({ kind: 'backend', name: config.backend } as const) : parsed;
  if (spec.kind === 'authfile') throw new UsageError(`${flag} needs a credential store, not an auth file (docker cannot use a file as credsStore)`);
  if (isReadOnlySpec(spec)) throw new UsageError(`${named(spec.kind === 'backend' ? spec.name : text)}: that store is read-only`);
  if (spec.kind === 'helper') return { store: await openStoreSpec(spec, config, host, warn, '--into-store', flag), credsStore: spec.helper };
  const elsewhere = (configured: string) =>
    new UsageError(
      `${named(spec.name)}: docker-credential-credkit uses the "${configured}" backend here, so docker would not find credentials stored in "${spec.name}"; set CREDKIT_BACKEND (or "backend =" in config.ini) to ${spec.name}, or use ${named('credkit')}`,
    );
  // Two named backends that differ need no store opened to tell (a keychain that cannot be
  // reached would otherwise be the error, not the mismatch).
  // A name that is no backend at all is reported as such when opened, not as another backend.
  const known = spec.name === 'auto' || Object.hasOwn(BACKENDS, spec.name);
  if (known && spec.name !== config.backend && spec.name !== 'auto' && config.backend !== 'auto') throw elsewhere(config.backend);
  // auto's own failure says what it lacks, not why --into-store needed it.
  const openAutoFor = async (name: string): Promise<CredentialStore> => {
    try {
      return await openConfiguredStore(config, host);
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      throw new StoreUnavailableError(`${named(name)}: docker-credential-credkit uses the "auto" backend here, which does not open, so docker would not find credentials stored in "${name}": ${err.message}`, { cause: err });
    }
  };
  // `credkit` is the configured backend: a mistake there is config.ini's, not --into-store's.
  const store = parsed.kind === 'credkit' ? await openConfiguredStore(config, host) : await openConfiguredStore(config, host, spec.name, flag, storeNamesFor('--into-store'));
  if (spec.name !== config.backend) {
    const configured = config.backend === 'auto' ? (await openAutoFor(spec.name)).name : config.backend;
    if (configured !== store.name) throw elsewhere(configured);
  }
  if (config.routes.length === 0) return { store, credsStore: 'credkit' };
  // "credsStore": "credkit" sends docker to docker-credential-credkit, which follows [routes]: a
  // routed registry's credential kept in the backend alone is one docker would never be given.
  // So each goes where the helper's `store` puts it (no account: docker's file holds none).
  const { openCredkitStore } = await import('./registry.js');
  return { store: await openCredkitStore({ ...config, account: undefined }, host, warn), credsStore: 'credkit' };
}
