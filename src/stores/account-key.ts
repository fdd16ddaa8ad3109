/**
 * Saved accounts: a second (third…) credential for one server URL, kept in credkit's store beside
 * the plain entry under a derived key, `<server URL>#credkit-account=<name>`. The helper protocol
 * keys a credential by server URL alone, so the plain entry stays what every client gets; the
 * helper answers with an account's credential only when `CREDKIT_ACCOUNT` (or `account =` in
 * config.ini) names one (src/stores/accounts.ts).
 *
 * Why this form: no client sends a `#` fragment as a server URL (docker sends
 * `https://index.docker.io/v1/` or a host[:port], podman and skopeo a host), and `#` is in no
 * registry host, so a derived key is never a real server URL. It is an ordinary string for every
 * backend (a JSON key in the file, an attribute in the Secret Service, a key description in the
 * kernel keyring, base64 in pass) and does not start with `credkit:`, which the keyring backends
 * keep for their own items. `[routes]` routes it by the server URL in front (routes.ts).
 *
 * This module is small and imports nothing: the helper's `list` runs it on every call.
 */

/** What comes between the server URL and the account name. */
export const ACCOUNT_KEY_SEPARATOR = '#credkit-account=';

/** The names an account may have: a small safe set, so a name never needs quoting anywhere. */
export const ACCOUNT_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** What a refused name is told (the name itself is not repeated: it may hold anything). */
export const ACCOUNT_NAME_RULE = 'an account name is 1 to 64 letters, digits, ".", "_" or "-"';

/** The key under which the account `name` of `serverURL` is kept. */
export function accountKey(serverURL: string, name: string): string {
  return `${serverURL}${ACCOUNT_KEY_SEPARATOR}${name}`;
}

/** The server URL and account name a derived key stands for, or undefined for a plain key. */
export function parseAccountKey(key: string): { serverURL: string; account: string } | undefined {
  const at = key.lastIndexOf(ACCOUNT_KEY_SEPARATOR);
  if (at <= 0) return undefined;
  const account = key.slice(at + ACCOUNT_KEY_SEPARATOR.length);
  return ACCOUNT_NAME.test(account) ? { serverURL: key.slice(0, at), account } : undefined;
}

/** The server URL a key is for: the key itself, or the server URL in front of an account's key. */
export function serverURLOfKey(key: string): string {
  return parseAccountKey(key)?.serverURL ?? key;
}

/**
 * A store's list without the accounts' keys, and how many there were. docker hands every key a
 * `list` returns to builds (and asks `get` for each), so a derived key must never reach a client.
 */
export function withoutAccountKeys(listed: ReadonlyMap<string, string>): { entries: Map<string, string>; accounts: number } {
  const entries = new Map<string, string>();
  let accounts = 0;
  for (const [key, username] of listed) {
    if (key.includes(ACCOUNT_KEY_SEPARATOR) && parseAccountKey(key) !== undefined) accounts++;
    else entries.set(key, username);
  }
  return { entries, accounts };
}
