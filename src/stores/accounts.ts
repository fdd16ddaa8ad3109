/**
 * credkit's store with a saved account selected (`CREDKIT_ACCOUNT=NAME`, or `account =` in
 * config.ini; the key form is in account-key.ts). docker runs its `credsStore` helper with its own
 * environment, so `CREDKIT_ACCOUNT=work docker login` and `docker pull` reach this.
 *
 * - `get`: the account's credential where the server URL has one, else the plain entry. A name
 *   applies to the registries that have it, so one `CREDKIT_ACCOUNT` for a whole shell keeps pulls
 *   from every other registry working.
 * - `add` goes to the account (the plain entry stays); `delete` takes the account only.
 * - `list`: the plain entries with, for each server URL the account has, the account's username.
 *
 * Accounts are kept by credkit's own writable backends only. A server URL whose store is another
 * program's (`helper:NAME`, as the backend or by `[routes]`) or the read-only env backend
 * (CredentialStore.whyNoAccounts) gets its plain entry without the account's key being asked for (a
 * cloud helper fails on a server URL it cannot parse, which would fail the pull), and `add` and
 * `delete` are refused before anything is written (pass would keep the key and list it to docker).
 *
 * Loaded only when an account is selected: the helper bundles it apart (scripts/bundle-helper.mjs).
 */
import type { CredentialStore, StoredCredential } from './store.js';
import { canonicalKey } from '../registry.js';
import { shownKey } from '../redact.js';
import { UsageError } from '../errors.js';
import { ACCOUNT_NAME, ACCOUNT_NAME_RULE, accountKey, parseAccountKey, withoutAccountKeys } from './account-key.js';

/** `name`, when it is an account name; else a UsageError naming `setting` (`--account`). */
export function checkAccountName(name: string, setting: string): string {
  if (!ACCOUNT_NAME.test(name)) throw new UsageError(`${setting}: ${ACCOUNT_NAME_RULE}`);
  return name;
}

/** `store` as the helper sees it with the account `account` selected. */
export class AccountStore implements CredentialStore {
  readonly name: string;

  constructor(
    readonly base: CredentialStore,
    readonly account: string,
  ) {
    this.name = base.name;
  }

  async get(serverURL: string): Promise<StoredCredential | undefined> {
    return (await this.lookup(serverURL))?.credential;
  }

  /** What `get` answers with, and whether it is the account's credential or the plain entry's (for messages). */
  async lookup(serverURL: string): Promise<{ credential: StoredCredential; fromAccount: boolean } | undefined> {
    if ((await this.base.whyNoAccounts?.(serverURL)) === undefined) {
      const own = await this.base.get(accountKey(serverURL, this.account));
      if (own !== undefined) return { credential: { ...own, serverURL }, fromAccount: true };
    }
    const plain = await this.base.get(serverURL);
    return plain && { credential: plain, fromAccount: false };
  }

  async add(credential: StoredCredential): Promise<void> {
    await assertKeepsAccounts(this.base, credential.serverURL, this.account, 'stored');
    const key = accountKey(credential.serverURL, this.account);
    // `docker login` (and podman's) without -u first asks `get`, which for an account not saved
    // yet answers with the plain entry; when that logs in, the client stores it back, and the new
    // account would silently be a copy of the plain credential. Refused, so the login says so.
    if ((await this.base.get(key)) === undefined) {
      const plain = await this.base.get(credential.serverURL);
      if (plain !== undefined && plain.username === credential.username && plain.secret === credential.secret) {
        throw new UsageError(
          `the account "${this.account}" of ${credential.serverURL} was not saved: it would hold the same credential as the plain entry, which a login without a user name is offered; log in with -u USER as the account`,
        );
      }
    }
    return this.base.add({ ...credential, serverURL: key });
  }

  async delete(serverURL: string): Promise<boolean> {
    await assertKeepsAccounts(this.base, serverURL, this.account, 'erased');
    return this.base.delete(accountKey(serverURL, this.account));
  }

  async list(): Promise<Map<string, string>> {
    const listed = await this.base.list();
    const { entries } = withoutAccountKeys(listed);
    for (const [key, username] of listed) {
      const parsed = parseAccountKey(key);
      // As get: a key another program's store holds is not what get answers with.
      if (parsed?.account === this.account && (await this.base.whyNoAccounts?.(parsed.serverURL)) === undefined) entries.set(parsed.serverURL, username);
    }
    return entries;
  }

  location(): string | undefined {
    return this.base.location?.();
  }

  /** The name of the store `serverURL` goes to with [routes] (RoutedStore.storeFor), which the kubelet provider's messages name. */
  storeFor(serverURL: string): string {
    return (this.base as { storeFor?: (url: string) => string }).storeFor?.(serverURL) ?? this.base.name;
  }
}

/**
 * Refuses (UsageError, before anything is written) to keep the account `account` of `serverURL` in
 * a store that keeps no accounts for it (CredentialStore.whyNoAccounts); `done` is "stored" or "erased".
 */
export async function assertKeepsAccounts(store: CredentialStore, serverURL: string, account: string, done: string): Promise<void> {
  const why = await store.whyNoAccounts?.(serverURL);
  if (why === undefined) return;
  throw new UsageError(`the account "${account}" of ${serverURL} cannot be ${done} here: ${why}; saved accounts are kept by credkit's own backends (file, keychain, keyutils, pass)`);
}

/** credkit's store with `account` selected, or the store itself when none is. */
export function withAccount(store: CredentialStore, account: string | undefined): CredentialStore {
  return account === undefined ? store : new AccountStore(store, account);
}

/** One saved account, or (`account` undefined) the plain entry of a server URL that has accounts. */
export interface AccountEntry {
  serverURL: string;
  account: string | undefined;
  username: string;
  /**
   * What the helper answers the server URL with: the selected account's row where the server URL
   * has it, else the plain entry's (AccountStore.get), so a list says what each registry gets.
   */
  answers: boolean;
}

/** A saved account's key in a store that keeps no accounts for its server URL: the helper never answers with it. */
export interface UnusedAccount {
  /** The key as stored (`<server URL>#credkit-account=<name>`), for `credkit store erase --backend`. */
  key: string;
  serverURL: string;
  account: string;
  username: string;
  /** CredentialStore.whyNoAccounts, with the route that sends the server URL there. */
  why: string;
}

/**
 * Takes out of a store's list the saved accounts' keys that the helper never answers with: those
 * of a server URL whose store keeps no accounts (another program's, by `backend =` or `[routes]`;
 * CredentialStore.whyNoAccounts), where a key was left by docker-credential-pass or a route
 * changed after the account was saved. `server` keeps those of one registry, as listAccounts does.
 */
export async function withoutUnusedAccounts(store: CredentialStore, listed: ReadonlyMap<string, string>, server?: string): Promise<{ listed: Map<string, string>; unused: UnusedAccount[] }> {
  const kept = new Map(listed);
  const unused: UnusedAccount[] = [];
  const whyFor = new Map<string, string | undefined>();
  for (const [key, username] of listed) {
    const parsed = parseAccountKey(key);
    if (parsed === undefined) continue;
    if (!whyFor.has(parsed.serverURL)) whyFor.set(parsed.serverURL, await store.whyNoAccounts?.(parsed.serverURL));
    const why = whyFor.get(parsed.serverURL);
    if (why === undefined) continue;
    kept.delete(key);
    if (server === undefined || parsed.serverURL === server || canonicalKey(parsed.serverURL) === canonicalKey(server)) unused.push({ key, serverURL: parsed.serverURL, account: parsed.account, username, why });
  }
  unused.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { listed: kept, unused };
}

/**
 * The saved accounts in a store (its plain list, as the backend returns it), each server URL's
 * plain entry first when it has one, sorted by server URL. `server` keeps the server URLs equal to
 * it or of the same registry (`docker.io` finds `https://index.docker.io/v1/`); `selected` is the
 * account the helper answers with (CREDKIT_ACCOUNT, `account =`), for `answers`.
 */
export function listAccounts(listed: ReadonlyMap<string, string>, server?: string, selected?: string): AccountEntry[] {
  const wanted = server === undefined ? undefined : { raw: server, canonical: canonicalKey(server) };
  const matches = (url: string) => wanted === undefined || url === wanted.raw || canonicalKey(url) === wanted.canonical;
  const accounts: AccountEntry[] = [];
  const hasSelected = new Set<string>();
  for (const [key, username] of listed) {
    const parsed = parseAccountKey(key);
    if (parsed === undefined || !matches(parsed.serverURL)) continue;
    const answers = selected !== undefined && parsed.account === selected;
    if (answers) hasSelected.add(parsed.serverURL);
    accounts.push({ serverURL: parsed.serverURL, account: parsed.account, username, answers });
  }
  const servers = new Set(accounts.map((a) => a.serverURL));
  const defaults: AccountEntry[] = [...servers]
    .filter((url) => listed.has(url))
    .map((url) => ({ serverURL: url, account: undefined, username: listed.get(url) ?? '', answers: !hasSelected.has(url) }));
  const order = (a: AccountEntry, b: AccountEntry) =>
    a.serverURL === b.serverURL ? (a.account === undefined ? -1 : b.account === undefined ? 1 : a.account < b.account ? -1 : 1) : a.serverURL < b.serverURL ? -1 : 1;
  // A server URL that holds a credential (stored so on purpose, e.g. `credkit store store
  // user:pw --account x`) is shown by its stand-in, as every listing shows such a key.
  return [...defaults, ...accounts].sort(order).map((e) => (shownKey(e.serverURL) === e.serverURL ? e : { ...e, serverURL: shownKey(e.serverURL) }));
}
