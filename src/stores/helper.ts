/**
 * `helper:NAME`: any external `docker-credential-NAME` program as a credkit store, so that
 * `credkit store list --backend helper:pass` (and later `copy`, `materialise`) can read and write
 * the stores docker already uses. Every call goes through the helper client (timeout, typed
 * errors, no secret in messages).
 *
 * Replacing a credential. The store contract says one credential per URL, but pass and
 * secretservice keep the old item when the username changes (formats.md §6.16), and pass then
 * returns the alphabetically first one, possibly stale. For those helpers `add` reads the current
 * credential, erases, stores, and if the store fails puts the old credential back, so a failure
 * never leaves the URL empty when it had a credential before. Other helpers (osxkeychain, wincred,
 * desktop, credkit…) replace in place, and erasing first would only open a window in which a
 * failed store loses the old credential; for them `add` is a plain `store`.
 */
import type { CredkitConfig } from '../config.js';
import type { Host } from '../io.js';
import type { CredentialStore, StoredCredential } from './store.js';
import type { BackendModule } from './registry.js';
import { TOKEN_USERNAME } from './store.js';
import { HelperError, StoreUnavailableError, UsageError, messageOf } from '../errors.js';
import { callHelper, helperProgram, resolveHelper, type HelperCallOptions, type HelperNamedBy } from '../helper/client.js';
import { referencePassLocation } from './pass-location.js';
import { referenceSecretServiceLocation } from './secret-service-location.js';

/** The prefix `credkit`'s `--backend` and `CREDKIT_BACKEND` use for external helpers. */
export const HELPER_BACKEND_PREFIX = 'helper:';

/** secretservice ≥ 0.9 lists the item label, `Registry credentials for <url>` (formats.md §6.17). */
export const SECRETSERVICE_LABEL_PREFIX = 'Registry credentials for ';

/** Helpers known to keep an old item when the same URL is stored with another username. */
const KEEPS_DUPLICATES: ReadonlySet<string> = new Set(['pass', 'secretservice']);

/** A CredentialStore backed by `docker-credential-<helper>`. */
export class HelperStore implements CredentialStore {
  readonly name: string;
  readonly helper: string;
  private readonly options: HelperCallOptions;

  /** CredentialStore.location, where it is known (docker-credential-pass's password store, secretservice's bus). */
  private readonly where: string | undefined;

  constructor(helper: string, options: HelperCallOptions, location?: string) {
    this.helper = helper;
    this.name = `${HELPER_BACKEND_PREFIX}${helper}`;
    this.options = options;
    this.where = location;
  }

  location(): string | undefined {
    return this.where;
  }

  async add(credential: StoredCredential): Promise<void> {
    const input = { serverURL: credential.serverURL, username: credential.username, secret: credential.secret };
    if (!KEEPS_DUPLICATES.has(this.helper)) return callHelper(this.helper, 'store', input, this.options);
    const previous = await this.get(credential.serverURL);
    if (previous === undefined) return callHelper(this.helper, 'store', input, this.options);
    await callHelper(this.helper, 'erase', credential.serverURL, this.options);
    try {
      await callHelper(this.helper, 'store', input, this.options);
    } catch (err) {
      let restored = 'the previous credential was put back';
      try {
        await callHelper(this.helper, 'store', previous, this.options);
      } catch (restoreErr) {
        restored = `putting the previous credential back failed too (${messageOf(restoreErr)})`;
      }
      throw new HelperError(`${messageOf(err)}; ${restored}`, { cause: err });
    }
  }

  async get(serverURL: string): Promise<StoredCredential | undefined> {
    const c = await callHelper(this.helper, 'get', serverURL, this.options);
    if (c === undefined) return undefined;
    // The key is the one asked for: helpers echo the query, not the stored key (formats.md §1.2).
    return c.identityToken !== undefined
      ? { serverURL, username: TOKEN_USERNAME, secret: c.identityToken }
      : { serverURL, username: c.username, secret: c.password };
  }

  /**
   * Erasing a missing entry is success, as for `docker logout` (formats.md §6.20). Resolves false
   * when the helper said so (the not-found text, pass's "not in the password store"); helpers that
   * answer exit 0 either way (secretservice, wincred) resolve true.
   */
  async delete(serverURL: string): Promise<boolean> {
    return (await callHelper(this.helper, 'erase', serverURL, this.options)) === 'erased';
  }

  /**
   * Another program's store has no place for a saved account: a cloud helper fails on a server URL
   * it cannot parse, and pass or secretservice would keep the derived key and list it to docker.
   */
  async whyNoAccounts(): Promise<string> {
    return `${this.name} is ${helperProgram(this.helper)}'s own store, which would take an account's key for a server URL`;
  }

  async list(): Promise<Map<string, string>> {
    const listed = await callHelper(this.helper, 'list', undefined, this.options);
    const out = new Map<string, string>();
    for (const [key, username] of listed) out.set(stripListLabel(key), username);
    return out;
  }
}

/**
 * The server URL behind a listed key. No URL contains a space, so the prefix is stripped whatever
 * the helper's name (desktop on Linux wraps secretservice too).
 */
export function stripListLabel(key: string): string {
  return key.startsWith(SECRETSERVICE_LABEL_PREFIX) ? key.slice(SECRETSERVICE_LABEL_PREFIX.length) : key;
}

/**
 * Why `helper:credkit` cannot be the backend credkit itself is configured with: the
 * docker-credential-credkit it runs reads this same configuration and would run itself again
 * (the nesting guard stops it, but `get` hides a helper's output, so the user saw only "get
 * failed"). As a source for `copy` under another backend it is fine.
 */
function callsItself(helper: string, config: CredkitConfig): string | undefined {
  const self = `${HELPER_BACKEND_PREFIX}credkit`;
  if (helper !== 'credkit' || (config.backend !== self && config.fallback !== self)) return undefined;
  const setting = config.backend === self ? 'backend' : 'fallback';
  return `the ${setting} "${self}" is credkit itself: docker-credential-credkit reads the same settings and would ask itself again; choose keychain, keyutils, pass, file or env`;
}

/** The backend module for `helper:<name>`; `namedBy` is the setting a missing helper's message tells the user to change. */
export function helperBackend(helper: string, namedBy: HelperNamedBy = 'backend'): BackendModule {
  return {
    description: `the external credential helper ${helperProgram(helper)}`,
    async openStore(config: CredkitConfig, host: Host): Promise<CredentialStore> {
      const loop = callsItself(helper, config);
      if (loop) throw new UsageError(loop);
      try {
        resolveHelper(helper, 'list', host.env, host.platform, namedBy); // fail early, with the PATH message
      } catch (err) {
        // A name no helper can have (helper:a/b) is a mistake in the setting that names it, as an
        // unknown backend name is, not a store that is down.
        if ((err as { reason?: unknown }).reason === 'invalid-name') throw new UsageError(messageOf(err), { cause: err });
        throw new StoreUnavailableError(messageOf(err), { cause: err });
      }
      // docker-credential-pass keeps its entries where credkit's pass backend (default prefix) does,
      // and docker-credential-secretservice its items where the keychain backend on Linux does
      // (default service, same bus): list and copy must see one store under both names.
      const location = helper === 'pass' ? referencePassLocation(host) : helper === 'secretservice' ? referenceSecretServiceLocation(host) : undefined;
      const options: HelperCallOptions = {
        env: host.env,
        timeoutMs: config.helperTimeoutMs,
        platform: host.platform,
        ...(host.stderr ? { stderr: host.stderr.bind(host) } : {}),
        ...(host.helperTimeoutSetting !== undefined ? { timeoutSetting: host.helperTimeoutSetting } : {}),
      };
      return new HelperStore(helper, options, location);
    },
    async checkAvailable(config: CredkitConfig, host: Host): Promise<string | undefined> {
      const loop = callsItself(helper, config);
      if (loop) return loop;
      try {
        resolveHelper(helper, 'list', host.env, host.platform, namedBy);
        return undefined;
      } catch (err) {
        return messageOf(err);
      }
    },
  };
}
