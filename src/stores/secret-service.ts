/**
 * `keychain` on Linux: the freedesktop Secret Service spoken directly over the session bus with our
 * own D-Bus client (dbus-wire.ts). Loading a native keyring library and its synchronous D-Bus
 * set-up per item cost more than the whole `docker pull` helper call may (see bench/).
 *
 * Items use docker-credential-secretservice's schema (`io.docker.Credentials`: attributes
 * `label="Docker Credentials"`, `server`, `username`, `docker_cli="1"`), so that helper and credkit
 * read each other's credentials. The display label is the URL itself (as up to v0.8): both helper
 * generations list items by label, so v0.9's `Registry credentials for <url>` would leak that prefix
 * into their `list` keys, and docker's list-then-get would miss (formats.md §6.17). With
 * a `[keychain] service` other than the default, credkit's items also carry `credkit_service`, and
 * credkit then sees only those (the reference helper still reads them: extra attributes do not
 * stop a match).
 */
import type { CredentialStore, StoredCredential } from './store.js';
import { StoreUnavailableError, UsageError, messageOf } from '../errors.js';
import { withStoreLock, type StoreLock } from './lock-path.js';
import { BusFailure, callBus, type BusCall, type BusValue } from './dbus-wire.js';
import { SECRET_SERVICE_PROBLEM } from './secret-service-bus.js';

const DEST = 'org.freedesktop.secrets';
const SERVICE_PATH = '/org/freedesktop/secrets';
const SERVICE = 'org.freedesktop.Secret.Service';
const COLLECTION = 'org.freedesktop.Secret.Collection';
const ITEM = 'org.freedesktop.Secret.Item';
const PROPERTIES = 'org.freedesktop.DBus.Properties';

/** docker-credential-secretservice's libsecret schema name. */
export const DOCKER_SCHEMA = 'io.docker.Credentials';
/** The `[keychain] service` whose items are exactly docker-credential-secretservice's. */
export const DEFAULT_SERVICE = 'credkit';
/** Server URLs with this prefix stay reserved, as on the other keychain platforms. */
const RESERVED_PREFIX = 'credkit:';

/** The attributes an item for `serverURL` carries (the schema's, plus a non-default service). */
export function itemAttributes(serverURL: string, username: string, service: string): Record<string, string> {
  return { 'xdg:schema': DOCKER_SCHEMA, label: 'Docker Credentials', server: serverURL, username, docker_cli: '1', ...scope(service) };
}

/** The display label: the URL, so that the reference helpers' `list` (which shows labels) shows URLs. */
export function itemLabel(serverURL: string): string {
  return serverURL;
}

function scope(service: string): Record<string, string> {
  return service === DEFAULT_SERVICE ? {} : { credkit_service: service };
}

/** How the keychain backend configures this store. */
export interface SecretServiceOptions {
  /** The session bus socket (a `unix:path=` address). */
  socketPath: string;
  /** `[keychain] service`. */
  service: string;
  /** Upper bound for one whole operation. */
  timeoutMs: number;
  /** How long the bus daemon itself may take to answer. */
  busTimeoutMs: number;
  /** The lock that serialises writers (lock-path.ts). */
  lock: StoreLock;
  /** Appended to errors: how to get out of trouble. */
  fixHint: string;
  /**
   * CredentialStore.location, when these items are docker-credential-secretservice's
   * (keychainLocation); asked only by copy and list, so a helper `get` does not resolve paths.
   */
  location?(): string | undefined;
}

/** An error reply from the Secret Service. */
class ServiceError extends Error {
  constructor(readonly errorName: string, text: string) {
    super(text);
  }
}

/** A locked item or collection that would need a prompt (which credkit never shows). */
class LockedError extends Error {}

type Ask = (path: string, iface: string, member: string, signature?: string, args?: BusValue[]) => Promise<BusValue[]>;

function askerFor(call: BusCall): Ask {
  return async (path, iface, member, signature, args) => {
    const reply = await call({ destination: DEST, path, interface: iface, member, signature, args });
    if (reply.error !== undefined) throw new ServiceError(reply.errorName, reply.error);
    return reply.values;
  };
}

/**
 * A "plain" session: secrets cross the bus unencrypted. Only processes of the same user can connect
 * to the session bus, and they could ask the Secret Service for the same secrets anyway; the
 * "dh-ietf1024-sha256-aes128-cbc-pkcs7" alternative would load node:crypto and add a key exchange
 * to every call for no protection against anyone who could read the bus. libsecret's own tools
 * and many other clients use plain on the session bus too.
 */
async function openSession(ask: Ask): Promise<string> {
  const [, session] = await ask(SERVICE_PATH, SERVICE, 'OpenSession', 'sv', ['plain', ['s', '']]);
  return session as string;
}

function toDict(attributes: Record<string, string>): BusValue[] {
  return Object.entries(attributes);
}

async function searchItems(ask: Ask, attributes: Record<string, string>): Promise<{ unlocked: string[]; locked: string[] }> {
  const [unlocked, locked] = await ask(SERVICE_PATH, SERVICE, 'SearchItems', 'a{ss}', [toDict(attributes)]);
  return { unlocked: unlocked as string[], locked: locked as string[] };
}

async function attributesOf(ask: Ask, item: string): Promise<Map<string, string>> {
  const [dict] = await ask(item, PROPERTIES, 'Get', 'ss', [ITEM, 'Attributes']);
  return new Map(dict as [string, string][]);
}

async function deleteItem(ask: Ask, item: string): Promise<void> {
  const [prompt] = await ask(item, ITEM, 'Delete');
  if (prompt !== '/') throw new LockedError('deleting needs a prompt');
}

/**
 * Of several items for one server (docker-credential-secretservice adds one per username, and its
 * `get` returns whichever libsecret lists last, which varies), the newest: gnome-keyring numbers
 * items in creation order. Ties and other naming schemes fall back to the path's order.
 */
function pickItem(items: readonly string[]): string | undefined {
  const number = (p: string) => Number(/(\d+)$/.exec(p)?.[1] ?? -1);
  return [...items].sort((a, b) => number(b) - number(a) || (a < b ? 1 : a > b ? -1 : 0))[0];
}

/** A message this large holds a credential far beyond any real one (tokens run to a few KiB). */
const LARGE_MESSAGE = 64 * 1024;

/** A Secret Service store using docker-credential-secretservice's items. */
export class SecretServiceStore implements CredentialStore {
  readonly name = 'keychain';
  constructor(private readonly options: SecretServiceOptions) {}

  location(): string | undefined {
    return this.options.location?.();
  }

  /** Turns a failure into one line that says what is wrong and how to fix it. */
  private failure(op: string, err: unknown): Error {
    if (err instanceof StoreUnavailableError || err instanceof UsageError) return err;
    const { fixHint, timeoutMs, busTimeoutMs } = this.options;
    const seconds = (ms: number) => (ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(1));
    let what: string;
    if (err instanceof LockedError) {
      what = SECRET_SERVICE_PROBLEM.locked;
    } else if (err instanceof BusFailure) {
      // callBus waits for the bus daemon at most the shorter of the two.
      if (err.stage === 'timeout' && !err.busAnswered) what = `the D-Bus session bus did not answer within ${seconds(Math.min(busTimeoutMs, timeoutMs))} s`;
      else if (err.stage === 'timeout') what = `the Secret Service did not answer within ${seconds(timeoutMs)} s (it is busy or wedged); try again, or restart it`;
      // The bus was reached; a hang-up right after a message far larger than any credential
      // (dbus-daemon drops the connection over max_message_size, 32 MiB by default) is that.
      else if (err.hungUp && err.largestSent >= LARGE_MESSAGE) what = `the D-Bus session bus closed the connection on a ${err.largestSent}-byte message, likely over its message size limit (the server URL, username or secret is too large to store)`;
      else what = `cannot reach the D-Bus session bus (${err.message}); run inside dbus-run-session or a desktop login, or set DBUS_SESSION_BUS_ADDRESS`;
    } else if (err instanceof ServiceError) {
      if (/ServiceUnknown|NameHasNoOwner/.test(err.errorName)) {
        what = SECRET_SERVICE_PROBLEM.absent;
      } else if (/IsLocked/.test(err.errorName)) {
        what = SECRET_SERVICE_PROBLEM.locked;
      } else if (/NoReply|Timeout/.test(err.errorName)) {
        what = 'the Secret Service did not answer in time (it is busy or wedged); try again, or restart it';
      } else {
        what = messageOf(err).replace(/\s*\n\s*/g, ' ').trim();
      }
    } else {
      what = messageOf(err).replace(/\s*\n\s*/g, ' ').trim();
    }
    return new StoreUnavailableError(`credkit keychain (Secret Service): ${op} failed: ${what}; ${fixHint}`, { cause: err });
  }

  /** One connection for one operation, bounded as a whole. */
  private async talk<T>(op: string, fn: (ask: Ask) => Promise<T>): Promise<T> {
    const { socketPath, timeoutMs, busTimeoutMs } = this.options;
    try {
      return await callBus(socketPath, undefined, timeoutMs, (call) => fn(askerFor(call)), busTimeoutMs);
    } catch (err) {
      throw this.failure(op, err);
    }
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return withStoreLock(this.options.lock, fn);
  }

  private query(serverURL?: string): Record<string, string> {
    return { ...(serverURL === undefined ? {} : { server: serverURL }), docker_cli: '1', ...scope(this.options.service) };
  }

  async add(c: StoredCredential): Promise<void> {
    if (c.serverURL.startsWith(RESERVED_PREFIX)) {
      throw new UsageError(`server URLs starting with "${RESERVED_PREFIX}" are reserved by credkit's keychain backend`);
    }
    // D-Bus strings cannot hold NUL; the bus would drop the connection over it.
    if (c.serverURL.includes('\0') || c.username.includes('\0')) {
      throw new UsageError('credkit keychain (Secret Service): a server URL or username with a NUL character cannot be stored (D-Bus strings cannot hold one)');
    }
    await this.locked(() =>
      this.talk('store', async (ask) => {
        // All three go out in one write; Promise.all keeps a failure of any from going unhandled.
        const [session, found, [collection]] = await Promise.all([
          openSession(ask),
          searchItems(ask, this.query(c.serverURL)),
          ask(SERVICE_PATH, SERVICE, 'ReadAlias', 's', ['default']),
        ]);
        if (found.locked.length) throw new LockedError('locked items');
        if (collection === '/') {
          throw new StoreUnavailableError(
            `credkit keychain (Secret Service): store failed: ${SECRET_SERVICE_PROBLEM.noDefault}; ${this.options.fixHint}`,
          );
        }
        // One credential per URL: the reference helper's duplicates go too. Deletions finish
        // before the create, whose replace may reuse an old item's path.
        await Promise.all(found.unlocked.map((item) => deleteItem(ask, item)));
        const properties: BusValue[] = [
          [`${ITEM}.Label`, ['s', itemLabel(c.serverURL)]],
          [`${ITEM}.Attributes`, ['a{ss}', toDict(itemAttributes(c.serverURL, c.username, this.options.service))]],
        ];
        const secret: BusValue[] = [session, Buffer.alloc(0), Buffer.from(c.secret, 'utf8'), 'text/plain'];
        const [, prompt] = await ask(collection as string, COLLECTION, 'CreateItem', 'a{sv}(oayays)b', [properties, secret, true]);
        if (prompt !== '/') throw new LockedError('creating needs a prompt');
      }),
    );
  }

  async get(serverURL: string): Promise<StoredCredential | undefined> {
    // Nothing with a NUL can have been stored (see add).
    if (serverURL.startsWith(RESERVED_PREFIX) || serverURL.includes('\0')) return undefined;
    return this.talk('get', async (ask) => {
      const [session, found] = await Promise.all([openSession(ask), searchItems(ask, this.query(serverURL))]);
      const item = pickItem(found.unlocked);
      if (item === undefined) {
        if (found.locked.length) throw new LockedError('only locked items');
        return undefined;
      }
      const [[secrets], attributes] = await Promise.all([
        ask(SERVICE_PATH, SERVICE, 'GetSecrets', 'aoo', [[item], session]),
        attributesOf(ask, item),
      ]);
      const entry = (secrets as BusValue[][]).find(([path]) => path === item);
      // Deleted between the search and the read (a parallel store replacing it): not there.
      if (!entry) return undefined;
      const value = (entry[1] as BusValue[])[2] as Buffer;
      return { serverURL, username: attributes.get('username') ?? '', secret: value.toString('utf8') };
    });
  }

  async delete(serverURL: string): Promise<boolean> {
    if (serverURL.startsWith(RESERVED_PREFIX) || serverURL.includes('\0')) return false;
    return this.locked(() =>
      this.talk('erase', async (ask) => {
        const found = await searchItems(ask, this.query(serverURL));
        if (found.locked.length) throw new LockedError('locked items');
        await Promise.all(found.unlocked.map((item) => deleteItem(ask, item)));
        return found.unlocked.length > 0;
      }),
    );
  }

  async list(): Promise<Map<string, string>> {
    return this.talk('list', async (ask) => {
      const found = await searchItems(ask, this.query());
      if (found.locked.length && !found.unlocked.length) throw new LockedError('only locked items');
      const attributes = await Promise.all(found.unlocked.map((item) => attributesOf(ask, item)));
      const byServer = new Map<string, { item: string; username: string }[]>();
      found.unlocked.forEach((item, i) => {
        const a = attributes[i];
        const server = a?.get('server');
        if (a === undefined || server === undefined) return;
        byServer.set(server, [...(byServer.get(server) ?? []), { item, username: a.get('username') ?? '' }]);
      });
      const out = new Map<string, string>();
      for (const [server, items] of [...byServer].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const chosen = pickItem(items.map((x) => x.item));
        out.set(server, items.find((x) => x.item === chosen)?.username ?? '');
      }
      return out;
    });
  }
}
