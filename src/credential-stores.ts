/**
 * The library's credential stores: {@link openStore} opens a store by the names `credkit copy`
 * takes (a credkit backend, `credkit`, `helper:NAME`, `authfile:PATH`) as a small object with
 * list, get, store and erase, and {@link copyCredentials} runs `credkit copy` between two of them
 * (src/stores/copy-run.ts, the function the command calls) and returns its report. Both take the
 * host facts of this process unless the caller gives others, as getCredential does.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { resolve } from 'node:path';
import { loadConfig } from './config.js';
import type { CredkitConfig } from './config.js';
import { UsageError } from './errors.js';
import type { Env, Host } from './io.js';
import { libraryHost } from './process-host.js';
import { credentialInServerURL, maskKey, maskUserinfo, maskUserinfoDeep } from './redact.js';
import type { CopyAction, CopyEntry, CopyStatus } from './stores/copy.js';
import { openCopyStores, runCopy } from './stores/copy-run.js';
import type { CopyRunReport } from './stores/copy-run.js';
import { hiddenEntryById, numberEntries } from './stores/listing.js';
import type { ListedEntry } from './stores/listing.js';
import type { CredentialStore, StoreUse, StoredCredential } from './stores/store.js';
import { TOKEN_USERNAME } from './stores/store.js';
import { formatStoreSpec, openStoreSpec, parseStoreSpec, storeNamesFor } from './stores/store-spec.js';
import type { OpenedStore } from './stores/store-spec.js';

export type { CopyAction, CopyEntry, CopyStatus };

/** Where a store is opened, when not this process's own: each option replaces one default. */
export interface OpenStoreOptions {
  /**
   * The environment credkit would run with: `CREDKIT_BACKEND`, `CREDKIT_FALLBACK`, `CREDKIT_CONFIG`,
   * `XDG_CONFIG_HOME`, `PASSWORD_STORE_DIR`, `DBUS_SESSION_BUS_ADDRESS`, …; helpers are looked up on
   * its `PATH` and run with it. Replaces `process.env` as a whole.
   */
  env?: Env;
  /** The home directory (`~` in `authfile:~/…`, credkit's config.ini and file store under it): `env.HOME`, else the account's. */
  home?: string;
  /** The directory a relative `authfile:PATH` (or `home`) is taken from, and helpers are started in: `process.cwd()`. */
  cwd?: string;
  /** Milliseconds before a `docker-credential-*` helper (or gpg, or the keychain) is given up on: credkit's own setting, else 30 s. */
  helperTimeoutMs?: number;
  /** Receives what helpers write to standard error; dropped by default. What it throws is ignored. */
  onHelperStderr?: (text: string) => void;
  /**
   * Receives one-line warnings: a store `[routes]` sends registries to that `list()` of the
   * `credkit` store had to leave out, and why. By default a copyCredentials call the store is used
   * in puts them in its report's notes (or gives them to its `onWarning`); elsewhere they are dropped.
   */
  onWarning?: (text: string) => void;
}

/**
 * A credential as a store keeps it, under exactly `serverURL`: a username and password, or an
 * identity token (an OAuth refresh token; docker stores it as Username `<token>`) with the
 * account's username where the store keeps one (an auth file does, a helper cannot).
 */
export type StoreCredential = { serverURL: string } & ({ username: string; password: string } | { identityToken: string; username?: string });

/** What every entry of a store's list has: never a secret. */
interface ListedStoreEntry {
  /** The server URL as stored; for a `hidden` entry its stand-in. */
  serverURL: string;
  /** The username; `''` for an identity token. */
  username: string;
  identityToken: boolean;
}

/** One entry of a store's list: never a secret. A plain one, a {@link HiddenStoreEntry} or a {@link MaskedStoreEntry}. */
export type StoreEntry = (ListedStoreEntry & { hidden?: undefined; masked?: undefined }) | HiddenStoreEntry | MaskedStoreEntry;

/**
 * An entry whose stored key holds a credential where the server URL belongs (a swapped key and
 * `auth`): `serverURL` is then a stand-in, `<entry #2 (id 3f9a), hidden: …>`, which `get` and
 * `erase` do not take as a server URL. `erase(entry)` removes it by its `entry` and `id`.
 */
export interface HiddenStoreEntry extends ListedStoreEntry {
  hidden: true;
  masked?: undefined;
  /** Its number in the listing (as in the stand-in, and `credkit store erase --entry`). */
  entry: number;
  /** Four hex digits that tell it from the other hidden entries (as in the stand-in, and `--id`). */
  id: string;
}

/**
 * An entry whose stored key has a user name and password before the host (`alice:pw@ghcr.io`, as
 * docker-credential-pass or an older script was given it): `serverURL` is the key with the
 * password masked, `alice:********@ghcr.io`, which names no entry, so `erase(entry)` removes it by
 * its `entry` and `id`, as a hidden one, without the password being typed.
 */
export interface MaskedStoreEntry extends ListedStoreEntry {
  hidden?: undefined;
  masked: true;
  /** Its number in the listing (as `credkit store list` shows it, and `credkit store erase --entry`). */
  entry: number;
  /** Four hex digits that tell it from the other entries whose key cannot be typed (`--id`). */
  id: string;
}

/** What `erase` takes for a hidden or masked entry: a {@link HiddenStoreEntry} or {@link MaskedStoreEntry} `list()` returned is one. */
export interface HiddenEntryHandle {
  entry: number;
  id: string;
}

/** A credential store opened by {@link openStore}. */
export interface Store {
  /** The store as reports name it: `file`, `helper:pass`, `authfile:ci/config.json`, `credkit`, or for `auto` the backend it opened. */
  readonly name: string;
  /**
   * Every plain entry, sorted by server URL, without secrets. Saved accounts (`credkit account`)
   * are left out; a server URL with a password in it (`alice:pw@ghcr.io`) has it masked, and is
   * a {@link MaskedStoreEntry} that `erase` takes.
   */
  list(): Promise<StoreEntry[]>;
  /** The credential stored under exactly `serverURL` (no normalisation), secret in clear, or `undefined`. */
  get(serverURL: string): Promise<StoreCredential | undefined>;
  /** Adds or replaces the credential for exactly `credential.serverURL`. */
  store(credential: StoreCredential): Promise<void>;
  /**
   * Removes the credential stored under exactly `serverURL`, or the hidden or masked entry
   * `list()` gave (its `entry` and `id`); `false` when the store says there was none, or no such
   * entry has that id any more. An entry this store's last `list()` gave costs one get and one
   * erase, no listing.
   */
  erase(target: string | HiddenEntryHandle): Promise<boolean>;
}

/** What each Store stands for, for copyCredentials; kept out of the object a caller sees. */
const OPENED = new WeakMap<Store, OpenedStore>();

/** How the library names a store name in messages (credkit's own option names are the CLI's). */
const NAME_SETTING = 'the store name';

function checkNumber(helperTimeoutMs: unknown): void {
  if (helperTimeoutMs !== undefined && !(typeof helperTimeoutMs === 'number' && Number.isFinite(helperTimeoutMs) && helperTimeoutMs > 0)) {
    throw new UsageError('helperTimeoutMs must be a positive number of milliseconds');
  }
}

function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name === '') throw new UsageError(`${what} needs a store name: one of ${storeNamesFor('--from').join(', ')}`);
  return name;
}

/** The host and configuration a call opens stores with: credkit's own settings, read as credkit run with `options` reads them. */
export async function setUp(options: OpenStoreOptions): Promise<{ host: Host; load: (host: Host) => Promise<CredkitConfig> }> {
  checkNumber(options.helperTimeoutMs);
  const given = libraryHost(options);
  // A relative home is taken from `cwd`, as credkit run there takes a relative HOME: the file
  // store, config.ini and the lock directory are joined to it and would otherwise be read and
  // written below this process's working directory instead.
  const host = { ...given, home: resolve(given.cwd, given.home) };
  const timeout = options.helperTimeoutMs;
  const load = async (h: Host) => {
    const config = await loadConfig(h);
    return timeout === undefined ? config : { ...config, helperTimeoutMs: timeout };
  };
  return { host, load };
}

function credentialOf(c: StoredCredential, serverURL: string): StoreCredential {
  if (c.username !== TOKEN_USERNAME) return { serverURL, username: c.username, password: c.secret };
  return { serverURL, identityToken: c.secret, ...(c.tokenUsername ? { username: c.tokenUsername } : {}) };
}

function checkServerURL(serverURL: unknown): string {
  if (typeof serverURL !== 'string' || serverURL === '') throw new UsageError('serverURL must be a non-empty string');
  return serverURL;
}

/** A hidden entry's handle, checked as TypeScript would for a JavaScript caller. */
function checkHandle(target: unknown): HiddenEntryHandle {
  const { entry, id } = (typeof target === 'object' && target !== null ? target : {}) as Partial<Record<keyof HiddenEntryHandle, unknown>>;
  if (!(typeof entry === 'number' && Number.isInteger(entry) && entry >= 1) || !(typeof id === 'string' && /^[0-9a-f]{4}$/i.test(id.trim()))) {
    throw new UsageError('erase takes a server URL, or a hidden or masked entry list() returned ({ entry, id }: its number and the four hex digits of its id)');
  }
  return { entry, id };
}

/**
 * Refuses a server URL that holds a credential, without quoting it, as `credkit store store` does:
 * a user:password or base64 of one where the registry belongs (a credential and a registry mixed
 * up in a script), or a user name and password before the host. No client ever asks a store for
 * such a URL, and every store keeps the URL in the clear as the entry's name (an item label, a
 * file name under pass, a JSON key), so the secret would end up where listings show it.
 */
function refuseCredentialServer(serverURL: string): string {
  const held = credentialInServerURL(serverURL);
  if (held === undefined) return serverURL;
  if ('what' in held) throw new UsageError(`serverURL holds ${held.what}, not a registry: no client ever asks for it, and the store would keep it in the clear as the entry's name; give the registry (e.g. quay.io) as serverURL, the username and password beside it`);
  throw new UsageError(`serverURL holds a user name and password before the host: no client ever asks for it, and the store would keep them in the clear as the entry's name; store the credential under ${held.host !== '' ? `"${held.host}"` : 'the host'} alone, the username and password beside it`);
}

/**
 * What `store` hands the backend. Checked as TypeScript would, for a JavaScript caller; no value
 * is quoted (any may be a secret). A username is required, as the helper protocol requires one.
 */
function storedOf(credential: unknown): StoredCredential {
  if (credential === null || typeof credential !== 'object') throw new UsageError('store takes { serverURL, username, password } or { serverURL, identityToken }');
  const c = credential as Record<string, unknown>;
  const serverURL = refuseCredentialServer(checkServerURL(c.serverURL));
  if (c.identityToken !== undefined) {
    if (typeof c.identityToken !== 'string' || c.identityToken === '') throw new UsageError('identityToken must be a non-empty string');
    if (c.password !== undefined) throw new UsageError('give either password or identityToken, not both');
    if (c.username !== undefined && typeof c.username !== 'string') throw new UsageError('username must be a string');
    return { serverURL, username: TOKEN_USERNAME, secret: c.identityToken, ...(typeof c.username === 'string' ? { tokenUsername: c.username } : {}) };
  }
  if (typeof c.username !== 'string' || c.username === '') throw new UsageError('username must be a non-empty string (or give identityToken)');
  if (c.username === TOKEN_USERNAME) throw new UsageError('the username "<token>" marks an identity token: give it as identityToken');
  if (typeof c.password !== 'string') throw new UsageError('password must be a string');
  return { serverURL, username: c.username, secret: c.password };
}

function storeOf(opened: OpenedStore): Store {
  const inner: CredentialStore = opened.store;
  // The hidden and masked entries of the last listing, by id: their keys (credentials, so kept
  // here, out of sight of a caller who logs the store) are what erase(entry) tries first.
  let listedById = new Map<string, ListedEntry[]>();
  const rememberedKey = ({ entry, id }: HiddenEntryHandle): string | undefined => {
    const same = listedById.get(id.trim().toLowerCase()) ?? [];
    return (same.length === 1 ? same[0] : same.find((e) => e.index === entry))?.key;
  };
  const store: Store = {
    name: opened.spec.kind === 'credkit' ? formatStoreSpec(opened.spec) : inner.name,
    async list() {
      const { entries } = numberEntries(await inner.list());
      listedById = new Map();
      for (const e of entries) if (e.id !== undefined) listedById.set(e.id, [...(listedById.get(e.id) ?? []), e]);
      return entries.map((e) => {
        const token = e.username === TOKEN_USERNAME;
        const entry = { serverURL: maskUserinfo(e.shown), username: token ? '' : e.username, identityToken: token };
        if (e.hidden) return { ...entry, hidden: true as const, entry: e.index, id: e.id as string };
        // Named as it is shown everywhere (the masked key); the number and id are what erase takes.
        return e.masked ? { ...entry, serverURL: maskKey(e.key), masked: true as const, entry: e.index, id: e.id as string } : entry;
      });
    },
    async get(serverURL) {
      const url = checkServerURL(serverURL);
      const c = await inner.get(url);
      return c === undefined ? undefined : credentialOf(c, url);
    },
    async store(credential) {
      await inner.add(storedOf(credential));
    },
    async erase(target) {
      if (typeof target === 'string') return inner.delete(checkServerURL(target));
      const { entry, id } = checkHandle(target);
      // The key itself, which the caller never sees. An entry this store's last listing gave is
      // that key (its id is the key's hash): one get tells whether it is still there, where a
      // listing would cost a read of every entry and a slow id per hidden one (seconds for a
      // few dozen on pass), on every call of a loop over the listing. Gone, it is gone: no other
      // entry that happens to share its id is taken for it.
      const key = rememberedKey({ entry, id });
      if (key !== undefined) return (await inner.get(key)) === undefined ? false : inner.delete(key);
      // A handle from another listing (another openStore, a person's typing): found again by the
      // id the listing showed (a hidden or a masked entry's).
      const found = hiddenEntryById(await inner.list(), entry, id);
      return found === undefined ? false : inner.delete(found.key);
    },
  };
  OPENED.set(store, opened);
  return Object.freeze(store);
}

/**
 * Opens a credential store by the names `credkit copy --from` takes: a credkit backend (`keychain`,
 * `keyutils`, `pass`, `file`, `env`, or `auto`: the OS keychain where one is usable, else credkit's
 * configured fallback), `credkit` (the store docker-credential-credkit uses, with its `[routes]`),
 * `helper:NAME` (any `docker-credential-NAME` on PATH) or `authfile:PATH` (an auth file's plaintext
 * entries). Throws a UsageError for a name credkit has no store for, a StoreUnavailableError (code
 * `STORE_UNAVAILABLE`) for a store that cannot be used here, saying what is missing.
 */
export async function openStore(name: string, options: OpenStoreOptions = {}): Promise<Store> {
  return storeOf(await openNamed(checkName(name, 'openStore'), options, options.onWarning ?? copyWarning));
}

/**
 * Where a copyCredentials call in progress takes warnings: its `onWarning`, else its notes. Per
 * call (not per store), so that two copies running at once from one store each get their own.
 */
const copyWarnings = new AsyncLocalStorage<(line: string) => void>();

/**
 * A store opened without `onWarning` warns the copy it is used in: a routed store that could not
 * be listed leaves its credentials out of the copy, which `credkit copy` says on stderr and the
 * same copy by store name says in its notes; outside a copy the warning is dropped, as documented.
 */
function copyWarning(line: string): void {
  copyWarnings.getStore()?.(line);
}

async function openNamed(text: string, options: OpenStoreOptions, warn: (line: string) => void, setting = NAME_SETTING, use: StoreUse = 'store'): Promise<OpenedStore> {
  const { host, load } = await setUp(options);
  const spec = parseStoreSpec(text);
  const config = await load(host);
  const store = await openStoreSpec(spec, config, host, (line) => warn(line), '--from', setting, use);
  return { spec, store, config, host };
}

/** Options of {@link copyCredentials}. */
export interface CopyCredentialsOptions extends OpenStoreOptions {
  /** Only these registries: server URLs equal to one, or with the same registry key (`docker.io` takes `https://index.docker.io/v1/`). All by default. */
  registries?: readonly string[];
  /** Report what would be written; change nothing. */
  dryRun?: boolean;
  /** Erase each entry from the source once the target holds it (read back and compared). */
  move?: boolean;
}

/** What {@link copyCredentials} did: the object `credkit copy --json` prints. */
export type CopyResult = CopyRunReport;

function openedOf(store: Store, what: string): OpenedStore {
  const opened = typeof store === 'object' && store !== null ? OPENED.get(store) : undefined;
  if (opened === undefined) throw new UsageError(`${what} must be a store name or a store openStore returned`);
  return opened;
}

/**
 * `credkit copy`: copies (or with `move`, moves) every credential of `from`, or those of
 * `registries`, into `to`, reading each back from `to` before it counts, and putting `to` back as
 * it was when it does not read back the same. `from` and `to` are store names (opened with
 * `options`' env and home) or stores {@link openStore} returned (each as it was opened, so two
 * homes can be copied between). One entry's failure is reported and the rest go on: the result's
 * `ok` says whether all went. Throws only before anything is copied: a UsageError for a read-only
 * `to` or one store under two names, an IoError for an `authfile:` source that is not there.
 */
export async function copyCredentials(from: string | Store, to: string | Store, options: CopyCredentialsOptions = {}): Promise<CopyResult> {
  const { registries = [], dryRun = false, move = false } = options;
  if (!Array.isArray(registries) || !registries.every((r) => typeof r === 'string')) throw new UsageError('registries must be a list of strings');
  const wording = { cliFlags: false };
  const notes: string[] = [];
  // Kept for the report (the CLI prints them on stderr as they come), unless the caller takes them.
  const warn = (line: string) => void (options.onWarning ? options.onWarning(line) : notes.push(line));
  const setting = (side: 'from' | 'to') => `the ${side} ${NAME_SETTING}`;
  let ends: { from: OpenedStore; to: OpenedStore };
  if (typeof from === 'string' && typeof to === 'string') {
    const { host, load } = await setUp(options);
    ends = await openCopyStores(checkName(from, 'from'), checkName(to, 'to'), Boolean(move), host, load, warn, wording, { from: setting('from'), to: setting('to') });
  } else {
    // A source named here is opened as openCopyStores opens one (keyutils in podman's namespace).
    const open = async (given: string | Store, side: 'from' | 'to') =>
      typeof given === 'string' ? openNamed(checkName(given, side), options, warn, setting(side), side === 'from' ? 'copy-source' : 'store') : openedOf(given, side);
    ends = { from: await open(from, 'from'), to: await open(to, 'to') };
  }
  const result = await copyWarnings.run(warn, () => runCopy(ends.from, ends.to, { registries, dryRun: Boolean(dryRun), move: Boolean(move) }, wording));
  // Loggable as it is: a server URL with a password in it is shown masked, as the CLI prints it.
  return maskUserinfoDeep({ ...result, notes: [...notes, ...result.notes] });
}
