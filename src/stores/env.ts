/**
 * `env`: read-only credentials from environment variables, for CI. Two forms, both keyed by the
 * exact server URL the client sends:
 *
 * - `CREDKIT_AUTH_CONFIG`: a JSON document shaped like config.json,
 *   `{"auths": {"<server URL>": {"auth": "base64(user:pass)"}}}`; `username`/`password` and
 *   `identitytoken` are accepted too.
 * - Triples with any label NAME: `CREDKIT_CRED_<NAME>_SERVER`, `CREDKIT_CRED_<NAME>_USERNAME`,
 *   `CREDKIT_CRED_<NAME>_SECRET`. They win over `CREDKIT_AUTH_CONFIG` for the same server URL.
 */
import type { Host, Env } from '../io.js';
import type { CredentialStore, StoredCredential } from './store.js';
import { TOKEN_USERNAME } from './store.js';
import { ParseError, ReadOnlyStoreError } from '../errors.js';

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
  for (const [name, value] of Object.entries(env)) {
    const m = /^CREDKIT_CRED_(.+)_SERVER$/.exec(name);
    if (!m || !value) continue;
    const username = env[`CREDKIT_CRED_${m[1]}_USERNAME`];
    const secret = env[`CREDKIT_CRED_${m[1]}_SECRET`];
    if (username === undefined || username === '' || secret === undefined) {
      throw new ParseError(`needs CREDKIT_CRED_${m[1]}_USERNAME and CREDKIT_CRED_${m[1]}_SECRET too`, { file: 'environment', key: name });
    }
    out.set(value, { serverURL: value, username, secret });
  }
  return out;
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
  async add(): Promise<void> {
    throw new ReadOnlyStoreError('the env backend is read-only: set CREDKIT_CRED_<NAME>_SERVER/_USERNAME/_SECRET or CREDKIT_AUTH_CONFIG instead');
  }
  async delete(): Promise<boolean> {
    throw new ReadOnlyStoreError('the env backend is read-only: unset the environment variable instead');
  }
}

/** Opens the env store over the given environment. */
export async function openStore(_config: unknown, host: Host): Promise<CredentialStore> {
  return new EnvStore(host.env);
}

/** Always usable. */
export async function checkAvailable(): Promise<string | undefined> {
  return undefined;
}
