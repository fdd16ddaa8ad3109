/**
 * The store behind `keychain` and `keyutils`: credentials in the OS keyring through
 * @napi-rs/keyring. Item layout (service = `[keychain] service`, default `credkit`):
 *
 * - account = the exact server URL; password = `{"v":1,"username":…,"secret":…}`;
 * - account `credkit:index`; password = `{"v":1,"entries":{"<url>":"<username>"}}`, so `list`
 *   works on every platform (keyrings cannot all enumerate, and Linux enumeration is not pinned);
 * - an item larger than the platform allows (Windows: 2,560-byte blobs; kernel keyring: 32 KiB
 *   keys) holds `{"v":1,"parts":n,"id":"…"}` and its text lives in `credkit:part:<id>:<i>` items.
 *
 * Every payload is ASCII (non-ASCII escaped as `\uXXXX`), so one character is one unit on every
 * platform and a payload can be split anywhere. Writes run under a file lock in the user's
 * state directory (lock-path.ts) so parallel `store` calls lose no index entry. Every keyring call is
 * bounded by a timeout.
 */
import { randomBytes } from 'node:crypto';
import type { AsyncEntry } from '@napi-rs/keyring';
import type { CredentialStore, StoredCredential } from './store.js';
import { ParseError, StoreUnavailableError, UsageError, messageOf } from '../errors.js';
import { withStoreLock, type StoreLock } from './lock-path.js';

/** Which Linux store an entry is pinned to (ignored elsewhere). */
export type LinuxKeyring = 'secret-service' | 'keyutils';

/** Accounts starting with this prefix are credkit's own bookkeeping items. */
export const RESERVED_PREFIX = 'credkit:';
/** The account of the URL → username index. */
export const INDEX_ACCOUNT = 'credkit:index';
/** The account availability probes read, write and remove. */
export const PROBE_ACCOUNT = 'credkit:probe';

/** How one backend configures the shared store. */
export interface OsKeyringOptions {
  /** Backend name (`keychain`, `keyutils`). */
  name: string;
  /** Human name of the underlying store for messages, e.g. "Secret Service". */
  label: string;
  /** The keyring service name (`[keychain] service`). */
  service: string;
  linuxStore: LinuxKeyring | undefined;
  /** The largest payload (characters of ASCII text) one item may hold. */
  maxItemChars: number;
  /** The longest account (server URL) the store can name, in UTF-8 bytes; unbounded if absent. */
  maxAccountBytes?: number;
  /** Upper bound for each keyring call. */
  timeoutMs: number;
  /** The lock that serialises writers (lock-path.ts). */
  lock: StoreLock;
  /** Appended to errors: how to get out of trouble. */
  fixHint: string;
}

/**
 * Why the kernel keyring answers AccessDenied (EACCES). keyring-rs adds each key to the session
 * keyring and links it into the user's persistent keyring. A process without a session keyring of
 * its own (no pam_keyinit: su, cron, `docker exec`, many containers and VMs), or with only the
 * user-session keyring, joins a new session keyring when the library builds its first entry
 * (KEYCTL_GET_PERSISTENT with a session keyring to link into). Only the thread that built it
 * possesses the new keyring: a thread started before (libuv's worker threads, once a lock file or
 * an async read started them) is refused every search, add and invalidate there. credkit
 * therefore calls the kernel keyring from the main thread (see OsKeyringStore.entry), where this
 * is only reached when the kernel itself refuses, e.g. under a security policy.
 */
export const KEYUTILS_ACCESS_DENIED =
  'the kernel refused to search, add or link a key (AccessDenied): the session keyring this process uses does not let it (a security policy, or a keyring another program gave it); run docker, podman and credkit from a shell started with `keyctl session -` (the keyutils package), which has a session keyring of its own, or have logins create one (pam_keyinit)';

/** Windows Credential Manager: CRED_MAX_CREDENTIAL_BLOB_SIZE is 2,560 bytes of UTF-16. */
export const WINDOWS_MAX_ITEM_CHARS = 1280;
/** Kernel `user` keys hold at most 32,767 bytes; keep a margin. */
export const KEYUTILS_MAX_ITEM_CHARS = 30_000;

/** The kernel's limit on a key's description (KEY_MAX_DESC_SIZE, 4,096 with its NUL), in bytes. */
export const KEYUTILS_MAX_DESCRIPTION_BYTES = 4095;

/**
 * The longest account a kernel key can be named for: keyring-rs describes each key as
 * `keyring:<account>@<service>`, and the kernel refuses a longer description with EINVAL, which
 * the library reports as an invalid "password" for every call, get and erase included.
 */
export function keyutilsMaxAccountBytes(service: string): number {
  return KEYUTILS_MAX_DESCRIPTION_BYTES - Buffer.byteLength(`keyring:@${service}`);
}

/** The largest single item for a platform and Linux store, in ASCII characters. */
export function maxItemChars(platform: NodeJS.Platform, linuxStore: LinuxKeyring | undefined): number {
  if (platform === 'win32') return WINDOWS_MAX_ITEM_CHARS;
  if (platform === 'linux' && linuxStore === 'keyutils') return KEYUTILS_MAX_ITEM_CHARS;
  return Number.POSITIVE_INFINITY;
}

/** JSON with every non-ASCII UTF-16 unit escaped, so length = bytes in UTF-8 = units in UTF-16. */
export function asciiJSON(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Splits text into pieces of at most `max` characters (at least one piece). */
export function splitText(text: string, max: number): string[] {
  if (!(max >= 1)) throw new RangeError('max must be at least 1');
  if (text.length <= max) return [text];
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += max) parts.push(text.slice(i, i + max));
  return parts;
}

/** What to write for one logical item: the main item's text and any part items. */
export interface ItemPlan {
  main: string;
  parts: { account: string; text: string }[];
}

/** Plans the items for a payload under a size limit; `id` names the parts (random per write). */
export function planItem(payload: string, max: number, id: string): ItemPlan {
  if (payload.length <= max) return { main: payload, parts: [] };
  const pieces = splitText(payload, max);
  const main = asciiJSON({ v: 1, parts: pieces.length, id });
  if (main.length > max) throw new RangeError('item limit too small for a part header');
  return { main, parts: pieces.map((text, i) => ({ account: partAccount(id, i), text })) };
}

/** The account of part `i` of a split item. */
export function partAccount(id: string, i: number): string {
  return `${RESERVED_PREFIX}part:${id}:${i}`;
}

/** A split item's header, or undefined when the text is a whole payload. */
export function parseHeader(text: string): { parts: number; id: string } | undefined {
  if (!text.startsWith('{"v":1,"parts":')) return undefined;
  try {
    const h = JSON.parse(text) as { parts?: unknown; id?: unknown };
    if (typeof h.parts === 'number' && Number.isInteger(h.parts) && h.parts > 0 && typeof h.id === 'string') return { parts: h.parts, id: h.id };
  } catch {
    /* fall through */
  }
  return undefined;
}

/** Bounds a keyring call: rejects after `ms` even if the call itself cannot be cancelled. */
export async function withTimeout<T>(ms: number, onTimeout: () => Error, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(onTimeout());
    }, ms);
  });
  try {
    return await Promise.race([call(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** D-Bus's "Did not receive a reply" (org.freedesktop.DBus.Error.NoReply): a busy daemon, transient. */
export function isNoReply(text: string): boolean {
  return /Did not receive a reply|Error\.NoReply/i.test(text);
}

/**
 * Runs a keyring operation, retrying (twice, with a short pause) when the daemon did not reply in
 * time: gnome-keyring answers many simultaneous clients slowly enough for the library's own D-Bus
 * timeout to fire. Every operation here is idempotent (get, set to a value, delete), so a retry is
 * safe. Other errors are mapped by `fail` at once.
 */
export async function retryNoReply<T>(op: () => Promise<T>, fail: (err: unknown) => Error, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (attempt >= attempts || !isNoReply(messageOf(err))) throw fail(err);
      await new Promise((r) => setTimeout(r, 100 * attempt + Math.random() * 100));
    }
  }
}

type KeyringModule = typeof import('@napi-rs/keyring');
/** The calls the store makes on one keyring item. */
type KeyringEntry = Pick<AsyncEntry, 'getPassword' | 'setPassword' | 'deleteCredential'>;
let keyringModule: Promise<KeyringModule> | undefined;
/** Whether this process has built its first kernel-keyring entry (see OsKeyringStore.entry). */
let keyutilsPrimed = false;

function loadKeyring(): Promise<KeyringModule> {
  keyringModule ??= import('@napi-rs/keyring');
  return keyringModule;
}

/** A store over the OS keyring, pinned to one Linux store where that applies. */
export class OsKeyringStore implements CredentialStore {
  readonly name: string;
  constructor(private readonly options: OsKeyringOptions) {
    this.name = options.name;
  }

  /** Turns a keyring failure into one line that says what is wrong and how to fix it. */
  private failure(op: string, err: unknown): Error {
    if (err instanceof StoreUnavailableError || err instanceof UsageError || err instanceof ParseError) return err;
    const { label, fixHint } = this.options;
    const text = messageOf(err).replace(/\s*\n\s*/g, ' ').trim();
    let what: string;
    // Word boundaries matter: D-Bus's "no reply" text says "…security policy blocked the reply…".
    if (isNoReply(text)) {
      what = `the ${label} did not answer in time (it is busy or wedged); try again, or restart it`;
    } else if (/unlock prompt|\blocked\b|dismissed/i.test(text)) {
      what = `the ${label} collection is locked and was not unlocked (log in to the desktop session, or stop the running gnome-keyring-daemon and start it again with --unlock reading the password on stdin)`;
    } else if (/no result found|org\.freedesktop\.secrets|ServiceUnknown/i.test(text)) {
      what = 'no Secret Service on the D-Bus session bus (start gnome-keyring-daemon --components=secrets or another Secret Service)';
    } else if (/dbus|autolaunch|failed to connect to socket/i.test(text)) {
      what = 'cannot reach the D-Bus session bus (run inside dbus-run-session or a desktop login, or set DBUS_SESSION_BUS_ADDRESS)';
    } else if (this.options.linuxStore === 'keyutils' && /\bAccessDenied\b/.test(text)) {
      what = KEYUTILS_ACCESS_DENIED;
    } else if (/quota/i.test(text)) {
      what = 'the kernel keyring quota is exhausted (raise kernel.keys.maxbytes / kernel.keys.maxkeys)';
    } else if (/not permitted|not implemented|not supported|function not/i.test(text)) {
      what = `the ${label} is blocked here (${text}); containers often forbid keyctl`;
    } else {
      what = `${text}`;
    }
    return new StoreUnavailableError(`credkit ${this.options.name} (${label}): ${op} failed: ${what}; ${fixHint}`, { cause: err });
  }

  private async entry(account: string): Promise<KeyringEntry> {
    const { AsyncEntry, Entry } = await loadKeyring();
    const { service, linuxStore } = this.options;
    if (linuxStore === 'keyutils') {
      if (!keyutilsPrimed) {
        // In a process without a session keyring of its own, the first entry the library builds
        // keeps the shared keyring, where no key is found (KEYUTILS_ACCESS_DENIED): a throwaway
        // first entry lets every real one search the keyrings its keys live in. Otherwise `list`
        // read an empty index there, and `get` found its item only on its retry.
        keyutilsPrimed = true;
        new Entry(service, PROBE_ACCOUNT, { linux: { store: linuxStore } });
      }
      // Synchronous calls, on the thread that built the entry and so possesses the session
      // keyring it may have joined (KEYUTILS_ACCESS_DENIED): on a worker thread started before
      // that, which the lock file of every store and erase starts, the kernel refused them all,
      // while a get or list, which take no lock, passed. Kernel keyring calls are system calls
      // that never wait for a daemon or a prompt, so they need no timeout.
      const e = new Entry(service, account, { linux: { store: linuxStore } });
      return {
        getPassword: async () => e.getPassword(),
        setPassword: async (text) => e.setPassword(text),
        deleteCredential: async () => e.deleteCredential(),
      };
    }
    // The constructor connects to the store (D-Bus on Linux); it is synchronous and cannot be
    // bounded, which is why checkAvailable probes the bus first.
    return retryNoReply(
      async () => new AsyncEntry(service, account, linuxStore ? { linux: { store: linuxStore } } : undefined),
      (err) => this.failure('opening', err),
    );
  }

  private call<T>(op: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const { timeoutMs, name, label, fixHint } = this.options;
    return retryNoReply(
      () =>
        withTimeout(
          timeoutMs,
          () => new StoreUnavailableError(`credkit ${name} (${label}): ${op} did not answer within ${Math.round(timeoutMs / 1000)} s (a locked keyring waiting for a prompt?); ${fixHint}`),
          fn,
        ),
      (err) => this.failure(op, err),
    );
  }

  private async readRaw(account: string, op: string): Promise<string | null> {
    const e = await this.entry(account);
    return this.call(op, (signal) => e.getPassword(signal));
  }

  private async writeRaw(account: string, text: string, op: string): Promise<void> {
    const e = await this.entry(account);
    await this.call(op, (signal) => e.setPassword(text, signal));
  }

  private async deleteRaw(account: string, op: string): Promise<boolean> {
    const e = await this.entry(account);
    return this.call(op, (signal) => e.deleteCredential(signal));
  }

  /** Reads a logical item, joining its parts; undefined when missing or when a part vanished. */
  private async readItem(account: string, op: string): Promise<{ text: string; header: { parts: number; id: string } | undefined } | undefined> {
    const main = await this.readRaw(account, op);
    if (main === null) return undefined;
    const header = parseHeader(main);
    if (!header) return { text: main, header };
    const pieces = await Promise.all(Array.from({ length: header.parts }, (_, i) => this.readRaw(partAccount(header.id, i), op)));
    if (pieces.some((p) => p === null)) return undefined;
    return { text: pieces.join(''), header };
  }

  /** Writes a logical item (parts first, then the main item), then drops the parts it replaced. */
  private async writeItem(account: string, payload: string, op: string): Promise<void> {
    // Where items are never split, there are no old parts to find. For the kernel keyring this
    // read must also come first: when a write is a process's first keyring call and the kernel
    // refuses the link (no session keyring of its own), keyring-rs leaves the key it added, secret
    // and all, in the shared session keyring; after a read the refused write adds nothing.
    const old = Number.isFinite(this.options.maxItemChars) ? await this.readRaw(account, op) : null;
    const oldHeader = old === null ? undefined : parseHeader(old);
    const plan = planItem(payload, this.options.maxItemChars, randomBytes(6).toString('hex'));
    for (const p of plan.parts) await this.writeRaw(p.account, p.text, op);
    await this.writeRaw(account, plan.main, op);
    if (oldHeader) await this.deleteParts(oldHeader, op);
  }

  private async deleteParts(header: { parts: number; id: string }, op: string): Promise<void> {
    for (let i = 0; i < header.parts; i++) await this.deleteRaw(partAccount(header.id, i), op);
  }

  private async deleteItem(account: string, op: string): Promise<boolean> {
    const old = Number.isFinite(this.options.maxItemChars) ? await this.readRaw(account, op) : null;
    const header = old === null ? undefined : parseHeader(old);
    const existed = await this.deleteRaw(account, op);
    if (header) await this.deleteParts(header, op);
    return existed || old !== null;
  }

  private async readIndex(op: string): Promise<Record<string, string>> {
    const item = await this.readItem(INDEX_ACCOUNT, op);
    if (!item) return Object.create(null) as Record<string, string>;
    try {
      const parsed = JSON.parse(item.text) as { entries?: unknown };
      const out = Object.create(null) as Record<string, string>;
      if (parsed.entries && typeof parsed.entries === 'object') {
        for (const [url, user] of Object.entries(parsed.entries as Record<string, unknown>)) if (typeof user === 'string') out[url] = user;
      }
      return out;
    } catch {
      throw new ParseError(`the index item is not valid JSON; delete it (service "${this.options.service}", account "${INDEX_ACCOUNT}") and store again`, { file: this.options.label });
    }
  }

  private async writeIndex(entries: Record<string, string>, op: string): Promise<void> {
    if (Object.keys(entries).length === 0) {
      await this.deleteItem(INDEX_ACCOUNT, op);
      return;
    }
    await this.writeItem(INDEX_ACCOUNT, asciiJSON({ v: 1, entries }), op);
  }

  /**
   * Writes and removes a probe item as `add` and `delete` write and remove a credential: under the
   * writers' lock, each call through an entry of its own. What the kernel keyring allows depends
   * on the order of a process's first entry and its worker threads (KEYUTILS_ACCESS_DENIED), so
   * a probe that calls differently can pass where every store call is refused.
   */
  async probeWrite(): Promise<void> {
    await this.locked(async () => {
      await this.writeItem(PROBE_ACCOUNT, 'probe', 'probe');
      await this.deleteItem(PROBE_ACCOUNT, 'probe');
    });
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return withStoreLock(this.options.lock, fn);
  }

  private checkURL(serverURL: string): void {
    if (serverURL.startsWith(RESERVED_PREFIX)) {
      throw new UsageError(`server URLs starting with "${RESERVED_PREFIX}" are reserved by credkit's ${this.options.name} backend`);
    }
    const why = this.unnamable(serverURL);
    if (why !== undefined) throw new UsageError(`${this.options.name} backend: the server URL ${why}`);
  }

  /** Why no item can be named for this URL (so none holds a credential for it), or undefined. */
  private unnamable(serverURL: string): string | undefined {
    const max = this.options.maxAccountBytes;
    if (max !== undefined && Buffer.byteLength(serverURL) > max) {
      return `(${Buffer.byteLength(serverURL)} bytes) is too long to name an item of the ${this.options.label} (at most ${max} bytes with service "${this.options.service}")`;
    }
    // The kernel takes a key's description as a C string.
    if (this.options.linuxStore === 'keyutils' && serverURL.includes('\0')) return `contains a NUL character, which cannot name an item of the ${this.options.label}`;
    return undefined;
  }

  async add(c: StoredCredential): Promise<void> {
    this.checkURL(c.serverURL);
    await this.locked(async () => {
      await this.writeItem(c.serverURL, asciiJSON({ v: 1, username: c.username, secret: c.secret }), 'store');
      const index = await this.readIndex('store');
      if (index[c.serverURL] !== c.username) {
        index[c.serverURL] = c.username;
        await this.writeIndex(index, 'store');
      }
    });
  }

  async get(serverURL: string): Promise<StoredCredential | undefined> {
    // A URL that cannot name an item is not stored: the protocol's "not found", as for pass.
    if (serverURL.startsWith(RESERVED_PREFIX) || this.unnamable(serverURL) !== undefined) return undefined;
    // A concurrent replace may delete the parts we are about to read; one retry sees the new item.
    const item = (await this.readItem(serverURL, 'get')) ?? (await this.readItem(serverURL, 'get'));
    if (!item) return undefined;
    let parsed: { username?: unknown; secret?: unknown };
    try {
      parsed = JSON.parse(item.text) as typeof parsed;
    } catch {
      throw new ParseError('the keyring item is not a credkit credential', { file: `${this.options.label} service "${this.options.service}"`, key: serverURL });
    }
    if (typeof parsed.username !== 'string' || typeof parsed.secret !== 'string') {
      throw new ParseError('the keyring item lacks "username" or "secret"', { file: `${this.options.label} service "${this.options.service}"`, key: serverURL });
    }
    return { serverURL, username: parsed.username, secret: parsed.secret };
  }

  async delete(serverURL: string): Promise<boolean> {
    if (serverURL.startsWith(RESERVED_PREFIX) || this.unnamable(serverURL) !== undefined) return false;
    return this.locked(async () => {
      const existed = await this.deleteItem(serverURL, 'erase');
      const index = await this.readIndex('erase');
      if (Object.hasOwn(index, serverURL)) {
        delete index[serverURL];
        await this.writeIndex(index, 'erase');
        return true;
      }
      return existed;
    });
  }

  async list(): Promise<Map<string, string>> {
    const index = await this.readIndex('list');
    // Drop entries whose item was removed behind credkit's back (e.g. in Seahorse).
    const urls = Object.keys(index);
    const accounts = await this.enumerate();
    const present = accounts
      ? urls.map((url) => accounts.has(url))
      : await Promise.all(urls.map(async (url) => (await this.readRaw(url, 'list')) !== null));
    return new Map(urls.filter((_, i) => present[i]).map((url) => [url, index[url] as string]));
  }

  /**
   * Every account of the service in one call, where the keyring can enumerate (Secret Service,
   * macOS, Windows): reading each item instead costs a keyring session per item. Undefined for the
   * kernel keyring, which cannot be searched this way, or when the search fails.
   */
  private async enumerate(): Promise<Set<string> | undefined> {
    if (this.options.linuxStore === 'keyutils') return undefined;
    try {
      const { findCredentialsAsync } = await loadKeyring();
      const found = await withTimeout(this.options.timeoutMs, () => new Error('timeout'), (signal) => findCredentialsAsync(this.options.service, undefined, signal));
      return new Set(found.map((c) => c.account));
    } catch {
      return undefined;
    }
  }
}


/** Makes a probe entry and reads an account that does not exist: quiet, never prompts. */
export async function probeKeyring(service: string, linuxStore: LinuxKeyring | undefined, timeoutMs: number): Promise<string | undefined> {
  try {
    const { AsyncEntry } = await loadKeyring();
    const e = new AsyncEntry(service, PROBE_ACCOUNT, linuxStore ? { linux: { store: linuxStore } } : undefined);
    await withTimeout(timeoutMs, () => new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`), (signal) => e.getPassword(signal));
    return undefined;
  } catch (err) {
    return messageOf(err).replace(/\s*\n\s*/g, ' ').trim();
  }
}
