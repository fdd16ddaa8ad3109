/**
 * The one interface every credential backend implements. A store is a map from the exact server
 * URL a client sends to exactly one credential: no guessing, no normalisation, no duplicates.
 */

/** One stored credential. `username` "<token>" marks an identity token, as in the helper protocol. */
export interface StoredCredential {
  serverURL: string;
  username: string;
  secret: string;
  /**
   * Beside an identity token (`username` "<token>"): the account it belongs to, where the store
   * keeps one: an auth file holds it as `auth` = base64(user:) next to `identitytoken` (formats.md
   * §2.3), and podman reads the token only beside such an `auth`. `''` means the store knows there
   * is none; undefined means it cannot say (the helper protocol has no place for it, §1.4).
   */
  tokenUsername?: string;
}

/** A backend: the four operations of docker-credential-helpers' `Helper` interface. */
export interface CredentialStore {
  /** The backend name as configured (`file`, `keychain`, `pass`, `env`…). */
  readonly name: string;
  /** Adds or replaces the credential for `serverURL`; any older one for that URL is gone after. */
  add(credential: StoredCredential): Promise<void>;
  /** The credential stored under exactly `serverURL`, or undefined. */
  get(serverURL: string): Promise<StoredCredential | undefined>;
  /** Removes the credential; resolves false if there was none. */
  delete(serverURL: string): Promise<boolean>;
  /** Every server URL with its username. */
  list(): Promise<Map<string, string>>;
  /**
   * Where the credentials really are (a file's real path, the password store's directory), equal
   * for two stores that read and write the same entries under different names; undefined when the
   * store cannot tell. `copy` compares it so that `--move` never erases a store into itself.
   */
  location?(): string | undefined;
  /**
   * The key under which this store keeps a credential copied in for `serverURL`, when it is not
   * `serverURL` itself: an auth file keeps a registry under the one spelling its client looks up.
   */
  keyFor?(serverURL: string): string;
  /**
   * Why this store keeps no saved account (account-key.ts) for `serverURL`, or undefined when it
   * does. Only credkit's own writable backends keep accounts; a store without this method does.
   */
  whyNoAccounts?(serverURL: string): Promise<string | undefined>;
}

/** The username docker-credential-helpers use to mark an identity token. */
/**
 * What a store is opened for: `store`, every read and write (the helper's verbs, credkit store
 * store, a copy's target); `copy-source`, the store `copy --from` names by backend name, which the
 * copy reads and with `--move` erases once the target holds each entry; `inspect`, the backend
 * `credkit store list|get|erase --backend NAME` names, which a person reads or cleans up and
 * nothing stores into.
 */
export type StoreUse = 'store' | 'copy-source' | 'inspect';

export const TOKEN_USERNAME = '<token>';
