/**
 * Copying (or moving) credentials from one store to another: plan what would change, write, read
 * every written credential back from the target, and erase from the source only what the target
 * verifiably holds. Every entry is handled on its own: one failure is reported and the rest go on.
 * Reports name server URLs and usernames, never secrets.
 *
 * Two names for one store are refused before a run (store-spec.ts), but not every sharing can be
 * seen from outside (a helper over the same keyring as a backend). So `move` also checks after
 * each erase that the target still holds the credential; if the erase took it from the target
 * too, the credential is put back and nothing more is erased in that run.
 */
import type { CredentialStore, StoredCredential } from './store.js';
import { canonicalKey, credentialInKey } from '../registry.js';
import { maskKey, maskUserinfo, shownKey } from '../redact.js';
import { isCredkitError, messageOf } from '../errors.js';
import { parseAccountKey, serverURLOfKey } from './account-key.js';
import type { EntryLocker } from './entry-lock.js';

/** What copying an entry would do to the target. */
export type CopyAction = 'add' | 'replace' | 'same' | 'skip';

/** How an entry ended. `planned` only in a dry run. */
export type CopyStatus = 'planned' | 'copied' | 'moved' | 'unchanged' | 'skipped' | 'failed';

/** One line of the report. */
export interface CopyEntry {
  serverURL: string;
  /** The source's username; `<token>` for an identity token. Empty when unknown. */
  username: string;
  action: CopyAction;
  status: CopyStatus;
  /** Why an entry was skipped or failed (never a secret). */
  reason?: string;
  /** With `move`: true once the source entry was erased. */
  erased?: boolean;
  /** The target's key for it, when the target keeps it under another spelling ({@link CredentialStore.keyFor}). */
  targetKey?: string;
}

/** Options of {@link copyCredentials}. */
export interface CopyOptions {
  /** Registry filters; empty means every credential of the source. */
  registries: readonly string[];
  dryRun: boolean;
  /** Erase each entry from the source after the target's copy was read back and matched. */
  move: boolean;
  /**
   * Whether saved accounts' keys (account-key.ts) go too, as they are: only into another credkit
   * backend, where they stay accounts, and only where the opened target keeps them
   * (CredentialStore.whyNoAccounts). Elsewhere (a helper, an auth file) such a key would be a
   * server URL that no registry has, so they are left out and counted.
   */
  accounts?: boolean;
  /**
   * Locks each entry's target key (and, with `move`, its source entry) against other credkit runs
   * for the whole read, compare, add, read-back, restore and erase of it (entry-lock.ts). Without
   * it, a run at the same time may interleave with this one.
   */
  lockEntries?: EntryLocker;
}

/** The whole run. */
export interface CopyReport {
  entries: CopyEntry[];
  /** Filters that matched nothing in the source (a failure each). */
  unmatched: string[];
  /** Saved accounts of the source (of the registries asked for) left out: without `accounts`, or where the target keeps none. */
  accountsLeft: number;
  ok: boolean;
}

/**
 * The report's entries as people see them: a server URL (or target key) that holds a credential
 * (an auth file's swapped key, refused by copyCredentials) by its stand-in, one with a password
 * before the host with that password masked ({@link shownKey}), every other entry as it is.
 */
export function shownCopyEntries(entries: readonly CopyEntry[]): CopyEntry[] {
  return entries.map((e) => {
    const serverURL = shownKey(e.serverURL);
    const targetKey = e.targetKey === undefined ? undefined : shownKey(e.targetKey);
    return serverURL === e.serverURL && targetKey === e.targetKey ? e : { ...e, serverURL, ...(targetKey !== undefined ? { targetKey } : {}) };
  });
}

/**
 * The source URLs a run covers. A filter matches a URL that is equal to it or has the same
 * canonical registry key (scheme, `/v1/` and Docker Hub aliases ignored; src/registry.ts).
 */
export function selectServerURLs(listed: readonly string[], registries: readonly string[]): { urls: string[]; unmatched: string[] } {
  const sorted = [...listed].sort();
  if (registries.length === 0) return { urls: sorted, unmatched: [] };
  const wanted = registries.map((r) => ({ raw: r, canonical: canonicalKey(r), hit: false }));
  const urls = sorted.filter((key) => {
    // A saved account's key is matched by the server URL it is for.
    const url = serverURLOfKey(key);
    const c = canonicalKey(url);
    let any = false;
    for (const w of wanted) {
      if (w.raw === url || w.canonical === c) {
        w.hit = true;
        any = true;
      }
    }
    return any;
  });
  return { urls, unmatched: wanted.filter((w) => !w.hit).map((w) => w.raw) };
}

/**
 * True when two stored credentials are the same (URL aside). The username beside an identity
 * token counts where both stores know it: an auth file does, a helper cannot say (undefined),
 * and a helper's copy is still the same token.
 */
export function sameStored(a: StoredCredential, b: StoredCredential): boolean {
  return a.username === b.username && a.secret === b.secret && (a.tokenUsername === undefined || b.tokenUsername === undefined || a.tokenUsername === b.tokenUsername);
}

// An unpaired UTF-16 surrogate, which JSON text can hold as an escape ("\ud800") and no UTF-8 can.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A credential as a Go reader of its source sees it. An auth file (or credkit's file, or an env
 * JSON) may hold an unpaired surrogate escape, which docker and podman (encoding/json) read as
 * U+FFFD; a UTF-8 store (keychain, pass, keyutils, a helper through the protocol) cannot hold it
 * and keeps U+FFFD, so copying it as is would fail its read-back, and a JSON target would keep
 * what no Go client reads. Every target gets U+FFFD.
 */
function asGoReads(c: StoredCredential): StoredCredential {
  const fix = (s: string) => s.replace(LONE_SURROGATE, '\ufffd');
  const out: StoredCredential = { ...c, username: fix(c.username), secret: fix(c.secret) };
  if (c.tokenUsername !== undefined) out.tokenUsername = fix(c.tokenUsername);
  return out;
}

/** What copying `source` over `target` does. */
export function planAction(source: StoredCredential | undefined, target: StoredCredential | undefined): CopyAction {
  if (source === undefined) return 'skip';
  if (target === undefined) return 'add';
  return sameStored(source, target) ? 'same' : 'replace';
}

/** Copies (or moves) credentials between two open stores. */
export async function copyCredentials(source: CredentialStore, target: CredentialStore, options: CopyOptions): Promise<CopyReport> {
  const listed = await source.list();
  const selected = selectServerURLs([...listed.keys()], options.registries);
  const urls: string[] = [];
  let accountsLeft = 0;
  for (const key of selected.urls) {
    const account = parseAccountKey(key);
    // Decided by the store opened, not by the name given: `auto` may have fallen back to
    // helper:NAME, and [routes] may send the server URL to another program's store.
    if (account !== undefined && (!options.accounts || (await target.whyNoAccounts?.(account.serverURL)) !== undefined)) accountsLeft++;
    else urls.push(key);
  }
  // A filter that matched only accounts left out still matched: they are reported as left out.
  const unmatched = selected.unmatched;
  const entries: CopyEntry[] = [];
  const run: RunState = { shared: false };
  const lock = options.dryRun ? undefined : options.lockEntries;
  for (const url of urls) {
    const one = () => copyOne(source, target, url, listed.get(url) ?? '', options, run);
    if (lock === undefined || credentialServerURL(url) !== undefined) {
      entries.push(await one());
      continue;
    }
    const locked = [{ store: target, key: target.keyFor?.(url) ?? url }, ...(options.move ? [{ store: source, key: url }] : [])];
    try {
      entries.push(await lock(locked, one));
    } catch (err) {
      // Only taking the lock fails so (copyOne reports its own failures): this entry failed, the run goes on.
      if (!isCredkitError(err)) throw err;
      entries.push({ serverURL: url, username: listed.get(url) ?? '', action: 'skip', status: 'failed', reason: messageOf(err) });
    }
  }
  return { entries, unmatched, accountsLeft, ok: unmatched.length === 0 && entries.every((e) => e.status !== 'failed') };
}

/**
 * Why a server URL is refused, for one that holds a credential: a key and "auth" swapped (base64
 * of user:password), a user:password, or a password before the host (`alice:pw@ghcr.io`). No
 * client ever asks for it, and a store keeps the server URL in the clear as an item's label, a
 * file name (pass) or a JSON key, so the credential would be written where no secret belongs.
 */
function credentialServerURL(url: string): string | undefined {
  const held = credentialInKey(url);
  if (held !== undefined) {
    const what = held === 'user-password' ? 'a user:password' : 'what looks like a base64 user:password';
    return `refused: the server URL holds ${what}, not a registry, and the target would keep it in the clear as its name; correct the source (credkit check names the entry)`;
  }
  if (maskKey(url) !== url) return 'refused: the server URL holds a user name and password before the host, and the target would keep them in the clear as its name; store it under the host alone';
  return undefined;
}

/**
 * The name of the store that keeps `key` in `store`: with `[routes]` (`--to credkit`, `--from
 * credkit`) the store the routes send it to, which is the one read and written, not the
 * configured backend that names the routed store as a whole (`auto` named by what it opened).
 */
function storeNameFor(store: CredentialStore, key: string): string {
  const routed = store as Partial<RoutingView> & { shownStoreFor?: (serverURL: string) => string };
  return routed.shownStoreFor?.(key) ?? routed.storeFor?.(key) ?? store.name;
}

/** What one entry of a run learnt that the next ones must know. */
interface RunState {
  /** An erase from the source took the credential from the target too: erase nothing more. */
  shared: boolean;
}

async function copyOne(source: CredentialStore, target: CredentialStore, url: string, listedUser: string, options: CopyOptions, run: RunState): Promise<CopyEntry> {
  const entry: CopyEntry = { serverURL: url, username: listedUser, action: 'skip', status: 'failed' };
  const refused = credentialServerURL(url);
  if (refused !== undefined) return { ...entry, reason: refused };
  let from: StoredCredential | undefined;
  try {
    from = await source.get(url);
  } catch (err) {
    return { ...entry, reason: `reading from ${storeNameFor(source, url)} failed: ${messageOf(err)}` };
  }
  if (from === undefined) return { ...entry, status: 'skipped', reason: `${storeNameFor(source, url)} lists it but has no credential for it` };
  from = asGoReads(from);
  entry.username = from.username;
  const key = target.keyFor?.(url) ?? url;
  if (key !== url) entry.targetKey = key;
  let current: StoredCredential | undefined;
  try {
    current = await target.get(key);
  } catch (err) {
    return { ...entry, reason: `reading from ${storeNameFor(target, key)} failed: ${messageOf(err)}` };
  }
  entry.action = planAction(from, current);
  // With [routes] (`--to credkit`, `--from credkit`), one entry may be kept by the other store
  // itself: it is there already, and erasing it from the source would erase it from the target.
  if (entry.action === 'same' && (await oneStoreFor(source, url, target, key))) {
    return { ...entry, status: options.dryRun ? 'planned' : 'unchanged', reason: `there already: [routes] keep it in the one store that is both source and target here${options.move ? ', so it is not erased (that would erase it from the target)' : ''}`, ...(options.move && !options.dryRun ? { erased: false } : {}) };
  }
  if (options.dryRun) return { ...entry, status: 'planned' };
  if (entry.action !== 'same') {
    try {
      await target.add({ serverURL: key, username: from.username, secret: from.secret, ...(from.tokenUsername !== undefined ? { tokenUsername: from.tokenUsername } : {}) });
    } catch (err) {
      return { ...entry, reason: `writing to ${storeNameFor(target, key)} failed: ${messageOf(err)}` };
    }
    // Some stores change what they are given (pass drops trailing newlines; a helper may
    // normalise the URL): only what reads back the same counts as copied.
    let back: StoredCredential | undefined;
    try {
      back = await target.get(key);
    } catch (err) {
      return { ...entry, reason: `reading back from ${storeNameFor(target, key)} failed: ${messageOf(err)}` };
    }
    if (back === undefined) return { ...entry, reason: `${storeNameFor(target, key)} accepted it but has no credential for it when read back; ${await restoreTarget(target, key, current, false)}` };
    if (!sameStored(back, from)) {
      const what = back.username !== from.username ? 'username' : back.secret !== from.secret ? 'secret' : 'username beside the identity token';
      return { ...entry, reason: `${storeNameFor(target, key)} returns a different ${what} when read back; ${await restoreTarget(target, key, current, true)}` };
    }
  }
  entry.status = entry.action === 'same' ? 'unchanged' : 'copied';
  if (!options.move) return entry;
  if (run.shared) {
    return { ...entry, status: 'failed', erased: false, reason: `not erased from ${storeNameFor(source, url)}: an earlier entry showed that it and ${storeNameFor(target, key)} are one store` };
  }
  try {
    await source.delete(url);
  } catch (err) {
    return { ...entry, status: 'failed', erased: false, reason: `copied and verified, but erasing from ${storeNameFor(source, url)} failed: ${messageOf(err)}` };
  }
  // The target held the credential a moment ago; if the erase took it from there too, source and
  // target are one store under two names, and the credential now exists nowhere but in memory.
  let after: StoredCredential | undefined;
  try {
    after = await target.get(key);
  } catch {
    after = undefined; // cannot show the target still holds it: treat it as gone and put it back
  }
  if (after !== undefined && sameStored(after, from)) return { ...entry, status: 'moved', erased: true };
  run.shared = true;
  return { ...entry, status: 'failed', erased: false, reason: `erasing it from ${storeNameFor(source, url)} erased it from ${storeNameFor(target, key)} too (one store under two names?); ${await putBack(source, target, from)}` };
}

/** What a store with `[routes]` (RoutedStore) tells about where it keeps a server URL. */
export interface RoutingView {
  storeFor(serverURL: string): string;
  locationFor(serverURL: string): Promise<string | undefined>;
}

/**
 * The copied entries that docker-credential-credkit (`helper`, its store with `[routes]`) will not
 * look for in `target`, a store it uses for other registries: each with the store the routes send
 * it to. A backend named as the target is that backend alone, as `credkit store --backend` is.
 */
export async function routedElsewhere(entries: readonly CopyEntry[], target: CredentialStore, helper: RoutingView): Promise<{ serverURL: string; store: string }[]> {
  const here = target.location?.() ?? target.name;
  const out: { serverURL: string; store: string }[] = [];
  for (const e of entries) {
    if (e.status === 'failed' || e.status === 'skipped' || parseAccountKey(e.serverURL) !== undefined) continue;
    const key = e.targetKey ?? e.serverURL;
    let there: string;
    try {
      there = (await helper.locationFor(key)) ?? helper.storeFor(key);
    } catch {
      there = helper.storeFor(key); // cannot be opened here: compared by name
    }
    if (there !== here) out.push({ serverURL: key, store: helper.storeFor(key) });
  }
  return out;
}

/**
 * True when both stores keep this entry in one place: a store with `[routes]` (RoutedStore) is
 * asked where it keeps the server URL, any other where it keeps everything (location).
 */
async function oneStoreFor(source: CredentialStore, url: string, target: CredentialStore, key: string): Promise<boolean> {
  const where = async (store: CredentialStore, serverURL: string) => {
    const routed = (store as { locationFor?: (serverURL: string) => Promise<string | undefined> }).locationFor;
    try {
      return routed !== undefined ? await routed.call(store, serverURL) : store.location?.();
    } catch {
      return undefined; // a routed store that cannot be opened: the copy's own calls report it
    }
  };
  const a = await where(source, url);
  return a !== undefined && a === (await where(target, key));
}

/**
 * Puts the target back as it was before a write that did not read back the same (pass drops a
 * trailing newline): a failed entry must not leave the target holding a credential that differs
 * from the source's, nor cost it the one it held (`replace`), which a client would otherwise send.
 * `written`: the target holds the changed copy (else nothing). Says what was done.
 */
async function restoreTarget(target: CredentialStore, key: string, before: StoredCredential | undefined, written: boolean): Promise<string> {
  try {
    if (before !== undefined) {
      await target.add({ ...before, serverURL: key });
      const back = await target.get(key);
      return back !== undefined && sameStored(back, before) ? `the credential ${storeNameFor(target, key)} held before was put back` : `the credential ${storeNameFor(target, key)} held before could not be put back as it was; log in to it again`;
    }
    if (!written) return 'the target holds nothing for it';
    await target.delete(key);
    return `the changed copy was erased from ${storeNameFor(target, key)}`;
  } catch (err) {
    return `restoring ${storeNameFor(target, key)} failed (${messageOf(err)}); check it (credkit store list)`;
  }
}

/** Stores `credential` again after an erase that emptied both stores; says where it went. */
async function putBack(source: CredentialStore, target: CredentialStore, credential: StoredCredential): Promise<string> {
  const problems: string[] = [];
  for (const store of [source, target]) {
    try {
      const key = store === target ? (target.keyFor?.(credential.serverURL) ?? credential.serverURL) : credential.serverURL;
      await store.add({ ...credential, serverURL: key });
      const back = await store.get(key);
      if (back !== undefined && sameStored(back, credential)) return `it was put back into ${storeNameFor(store, key)}`;
      problems.push(`${storeNameFor(store, key)} does not return it`);
    } catch (err) {
      problems.push(`${storeNameFor(store, credential.serverURL)}: ${messageOf(err)}`);
    }
  }
  return `putting it back failed (${problems.join('; ')}); store it again by hand`;
}
