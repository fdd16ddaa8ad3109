/**
 * `env`: read-only credentials from environment variables, for CI. Two forms, both keyed by the
 * exact server URL the client sends:
 *
 * - `CREDKIT_AUTH_CONFIG`: a JSON document shaped like config.json,
 *   `{"auths": {"<server URL>": {"auth": "base64(user:pass)"}}}`; `username`/`password` and
 *   `identitytoken` are accepted too.
 * - Triples with any label NAME: `CREDKIT_CRED_<NAME>_SERVER`, `CREDKIT_CRED_<NAME>_USERNAME`,
 *   `CREDKIT_CRED_<NAME>_SECRET`. They win over `CREDKIT_AUTH_CONFIG` for the same server URL.
 *   Two groups for one server, and a group with a username or secret but no server, are errors
 *   that name the variables (never their values). A group whose secret is empty is switched off.
 */
import type { Host, Env } from '../io.js';
import type { CredentialStore, StoredCredential } from './store.js';
import { TOKEN_USERNAME } from './store.js';
import { ParseError, ReadOnlyStoreError, messageOf } from '../errors.js';

/** One backend line for `credkit store backends`. */
export const description = 'read-only, from CREDKIT_AUTH_CONFIG or CREDKIT_CRED_<NAME>_{SERVER,USERNAME,SECRET} (for CI)';

function decodeAuth(auth: string, key: string): { username: string; password: string } {
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(auth) || auth.length % 4 !== 0 || colon < 0) {
    throw new ParseError('"auth" must be padded base64 of user:password', { file: 'CREDKIT_AUTH_CONFIG', key });
  }
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Reads every credential the environment defines. */
export function credentialsFromEnv(env: Env): Map<string, StoredCredential> {
  const out = new Map<string, StoredCredential>();
  const json = env.CREDKIT_AUTH_CONFIG;
  if (json !== undefined && json.trim() !== '') {
    let doc: unknown;
    try {
      doc = JSON.parse(json);
    } catch {
      throw new ParseError('not valid JSON', { file: 'CREDKIT_AUTH_CONFIG' });
    }
    const auths = (doc as { auths?: unknown } | null)?.auths;
    if (!auths || typeof auths !== 'object' || Array.isArray(auths)) {
      throw new ParseError('expected {"auths": {…}}', { file: 'CREDKIT_AUTH_CONFIG' });
    }
    for (const [url, entry] of Object.entries(auths as Record<string, unknown>)) {
      const e = (entry ?? {}) as Record<string, unknown>;
      const field = (f: string): string => (typeof e[f] === 'string' ? (e[f] as string) : '');
      let username = field('username');
      let secret = field('password');
      if (field('auth') !== '') ({ username, password: secret } = decodeAuth(field('auth'), url));
      if (field('identitytoken') !== '') {
        username = TOKEN_USERNAME;
        secret = field('identitytoken');
      }
      if (username === '' && secret === '') continue;
      out.set(url, { serverURL: url, username, secret });
    }
  }
  // Sorted, so that errors name the groups in the same order whatever the environment's order.
  const names = Object.keys(env).sort();
  const groups = new Set<string>();
  for (const name of names) {
    const m = /^CREDKIT_CRED_(.+)_(SERVER|USERNAME|SECRET)$/.exec(name);
    if (m) groups.add(m[1] as string);
  }
  // Which group named each server: a second group for it is an error, not a silent choice.
  const claimedBy = new Map<string, string>();
  for (const group of groups) {
    const prefix = `CREDKIT_CRED_${group}`;
    const server = env[`${prefix}_SERVER`];
    const username = env[`${prefix}_USERNAME`];
    const secret = env[`${prefix}_SECRET`];
    if (!server) {
      // A group without a server would be ignored, and the client would pull anonymously. All
      // three empty is a group switched off (CI systems often define every variable).
      if (username || secret) {
        const set = [username ? `${prefix}_USERNAME` : '', secret ? `${prefix}_SECRET` : ''].filter(Boolean).join(' and ');
        throw new ParseError(`${set} ${username && secret ? 'are' : 'is'} set but ${prefix}_SERVER is not (or is empty), so the group names no server; set ${prefix}_SERVER or unset the group`, { file: 'environment' });
      }
      continue;
    }
    // An empty secret switches the group off, whatever the username holds: CI systems give an
    // empty value for a secret the job may not read (a pull request from a fork), and such a job
    // should pull public images anonymously. Answering a user with an empty password would make
    // the client try it (the registry refuses it, public images included); an error would fail
    // every lookup, and containers/image clients stop on a helper's error. doctor warns.
    if (secret === '') continue;
    if (username === undefined || username === '' || secret === undefined) {
      throw new ParseError(`needs ${prefix}_USERNAME and ${prefix}_SECRET too`, { file: 'environment', key: `${prefix}_SERVER` });
    }
    const other = claimedBy.get(server);
    if (other !== undefined) {
      throw new ParseError(`CREDKIT_CRED_${other}_SERVER and ${prefix}_SERVER name the same server, and each server can have one credential; remove one of the two groups`, { file: 'environment' });
    }
    claimedBy.set(server, group);
    out.set(server, { serverURL: server, username, secret });
  }
  return out;
}

/** The `CREDKIT_CRED_<NAME>` prefixes of groups with a server whose `_SECRET` is set but empty (switched off). */
export function emptySecretGroups(env: Env): string[] {
  return Object.keys(env)
    .sort()
    .filter((name) => /^CREDKIT_CRED_.+_SECRET$/.test(name) && env[name] === '')
    .map((name) => name.slice(0, -'_SECRET'.length))
    .filter((prefix) => Boolean(env[`${prefix}_SERVER`]));
}

/** A read-only store over environment variables. */
export class EnvStore implements CredentialStore {
  readonly name = 'env';
  constructor(private readonly env: Env) {}
  async get(serverURL: string): Promise<StoredCredential | undefined> {
    return credentialsFromEnv(this.env).get(serverURL);
  }
  async list(): Promise<Map<string, string>> {
    return new Map([...credentialsFromEnv(this.env)].map(([url, c]) => [url, c.username]));
  }
  /** The variables name plain entries only: a saved account is read from credkit's writable backends. */
  async whyNoAccounts(): Promise<string> {
    return 'the env backend is read-only and holds plain entries only';
  }
  async add(): Promise<void> {
    throw new ReadOnlyStoreError('the env backend is read-only: set CREDKIT_CRED_<NAME>_SERVER/_USERNAME/_SECRET or CREDKIT_AUTH_CONFIG instead');
  }
  async delete(): Promise<boolean> {
    throw new ReadOnlyStoreError('the env backend is read-only: unset the environment variable instead');
  }
}

/**
 * Opens the env store over the given environment. A misconfigured environment fails here, so that
 * every use fails with it (a `get` for a server it does not concern too): a mistake there would
 * otherwise surface only as an anonymous pull, or as a read-only error that hides it.
 */
export async function openStore(_config: unknown, host: Host): Promise<CredentialStore> {
  credentialsFromEnv(host.env);
  return new EnvStore(host.env);
}

/** Usable unless the variables are misconfigured (the same error every use would give). */
export async function checkAvailable(_config: unknown, host: Host): Promise<string | undefined> {
  try {
    credentialsFromEnv(host.env);
    return undefined;
  } catch (err) {
    return messageOf(err);
  }
}
