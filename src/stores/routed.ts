/**
 * The store `docker-credential-credkit` (and `credkit store` without `--backend`) uses when
 * config.ini has `[routes]`: each call goes to the store its server URL's host is routed to, the
 * rest to the configured backend. Each store is opened only when a call needs it, so a `get`
 * loads one backend, as without routes.
 *
 * `list` is the union. docker calls it only to gather every credential (the classic builder's
 * `GetAllCredentials`, then a `get` per key), and ignores that call's error, so a failing list
 * would send a build no credential at all: a routed store that fails is left out with a warning
 * on stderr (stdout is the protocol), as docker itself does for a failing `credHelpers` helper.
 * The configured backend failing is still an error, as it was before routes. Each store lists
 * only the keys routed to it: a key routed elsewhere would be asked of the other store by `get`.
 */
import type { CredkitConfig } from '../config.js';
import type { Host } from '../io.js';
import type { CredentialStore, StoredCredential } from './store.js';
import { ParseError, messageOf } from '../errors.js';
import { shownKey } from '../redact.js';
import { asConfigFileError, openConfiguredStore } from './registry.js';
import { findRoute, parseRoutes, routeSetting, routingHost, type Route } from './routes.js';

/** The store names (`auto`, `keychain`…) that opened one store, for list. */
interface StoreGroup {
  names: string[];
  store: CredentialStore | undefined;
  /** Why opening it failed, when `store` is undefined. */
  error: unknown;
}

/** A CredentialStore that sends each server URL to its routed store. */
export class RoutedStore implements CredentialStore {
  readonly name: string;
  private readonly opened = new Map<string, Promise<CredentialStore>>();
  private readonly openedNames = new Map<string, string>();

  constructor(
    private readonly routes: readonly Route[],
    private readonly defaultStore: string,
    private readonly openStore: (name: string) => Promise<CredentialStore>,
    private readonly warn: (text: string) => void,
  ) {
    this.name = defaultStore;
  }

  /** The name of the store `serverURL` goes to. */
  storeFor(serverURL: string): string {
    return findRoute(this.routes, serverURL)?.store ?? this.defaultStore;
  }

  /**
   * The name of the store that keeps `serverURL`, for messages: storeFor's, except that `auto`,
   * once opened, is named by the store it opened (the keychain, or its fallback such as `file`).
   */
  shownStoreFor(serverURL: string): string {
    const name = this.storeFor(serverURL);
    return this.openedNames.get(name) ?? name;
  }

  private open(name: string): Promise<CredentialStore> {
    let store = this.opened.get(name);
    if (store === undefined) {
      store = this.openStore(name).then((opened) => {
        this.openedNames.set(name, opened.name);
        return opened;
      });
      this.opened.set(name, store);
    }
    return store;
  }

  async add(credential: StoredCredential): Promise<void> {
    return (await this.open(this.storeFor(credential.serverURL))).add(credential);
  }

  async get(serverURL: string): Promise<StoredCredential | undefined> {
    return (await this.open(this.storeFor(serverURL))).get(serverURL);
  }

  async delete(serverURL: string): Promise<boolean> {
    return (await this.open(this.storeFor(serverURL))).delete(serverURL);
  }

  /**
   * Where the store `serverURL` goes to keeps it (CredentialStore.location, else undefined), so
   * that copy can tell an entry this store keeps in the very store it is copied from or to.
   */
  async locationFor(serverURL: string): Promise<string | undefined> {
    return (await this.open(this.storeFor(serverURL))).location?.();
  }

  /** The routed store's reason, with the route that sends `serverURL` there (the line to change). */
  async whyNoAccounts(serverURL: string): Promise<string | undefined> {
    const why = await (await this.open(this.storeFor(serverURL))).whyNoAccounts?.(serverURL);
    const route = findRoute(this.routes, serverURL);
    return why === undefined || route === undefined ? why : `${why} (the route ${JSON.stringify(route.pattern)} under [routes] in credkit's config.ini sends ${routingHost(serverURL)} there)`;
  }

  async list(): Promise<Map<string, string>> {
    const names = [...new Set([this.defaultStore, ...this.routes.map((r) => r.store)])];
    const opened = await Promise.allSettled(names.map((name) => this.open(name)));
    // Names that open one store are one store: `auto` is the keychain or the fallback, so with
    // `backend = auto` a route to `keychain` (to take a host out of a glob) keeps its credentials
    // in the same place, `pass` and `helper:pass` read one password store, and `keychain` and
    // `helper:secretservice` one Secret Service (location(), as copy compares stores). Listing it
    // twice would call each copy's keys "routed elsewhere".
    const groups = new Map<string, StoreGroup>();
    for (const [i, result] of opened.entries()) {
      const name = names[i] as string;
      const id = result.status === 'fulfilled' ? (result.value.location?.() ?? result.value.name) : `\u0000${name}`;
      const group: StoreGroup = groups.get(id) ?? { names: [], store: result.status === 'fulfilled' ? result.value : undefined, error: result.status === 'rejected' ? result.reason : undefined };
      group.names.push(name);
      groups.set(id, group);
    }
    // In parallel: a slow helper's list should cost the slowest store's time, not the sum.
    const all = [...groups.values()];
    const listed = await Promise.allSettled(all.map(async (g) => (g.store === undefined ? Promise.reject(g.error) : g.store.list())));
    const out = new Map<string, string>();
    for (const [i, result] of listed.entries()) {
      const group = all[i] as StoreGroup;
      const name = group.store?.name ?? (group.names[0] as string);
      if (result.status === 'rejected') {
        if (group.names.includes(this.defaultStore)) throw result.reason;
        const patterns = this.routes.filter((r) => group.names.includes(r.store)).map((r) => r.pattern).join(', ');
        this.warn(`warning: list left out the credentials of ${patterns} (routed to ${group.names.join(', ')}): ${messageOf(result.reason)}`);
        continue;
      }
      const elsewhere: string[] = [];
      for (const [key, username] of result.value) {
        if (group.names.includes(this.storeFor(key))) out.set(key, username);
        else elsewhere.push(key);
      }
      if (elsewhere.length > 0) {
        this.warn(
          `warning: ${name} holds ${elsewhere.length === 1 ? 'a credential' : `${elsewhere.length} credentials`} that [routes] sends to another store, so docker never gets ${elsewhere.length === 1 ? 'it' : 'them'} and list leaves ${elsewhere.length === 1 ? 'it' : 'them'} out: ${elsewhere.sort().map((key) => shownKey(key)).join(', ')} (see credkit store list --backend ${name})`,
        );
      }
    }
    return out;
  }
}

/**
 * Opens credkit's configured store with its routes (config.routes must not be empty). A route
 * credkit cannot use is a ParseError naming it: ignoring it would put a registry's credentials in
 * another store than the one the user chose. `warn` gets one line without a prefix.
 */
export function openRoutedStore(config: CredkitConfig, host: Host, warn: (text: string) => void): RoutedStore {
  const { routes, problems } = parseRoutes(config.routes);
  const first = problems[0];
  if (first !== undefined) throw new ParseError(first.message, { file: config.source, key: `[routes] ${first.pattern}` });
  // A store only routes name is reported at those routes (a helper not on PATH, a mistyped name);
  // one the backend setting names too keeps that setting's words.
  const open = (name: string) =>
    name === config.backend ? openConfiguredStore(config, host) : asConfigFileError(true, () => openConfiguredStore(config, host, name, routeSetting(routes, name)));
  return new RoutedStore(routes, config.backend, open, warn);
}
