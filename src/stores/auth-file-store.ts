/**
 * `authfile:PATH`: the plaintext `auths` of a docker config.json or podman auth.json as a
 * CredentialStore, for `credkit copy`. Keys are the exact strings written in the file (no
 * normalisation, as for every store). Only entries that hold a credential are listed: `{}`
 * markers belong to the file's credsStore. Writes are one locked, atomic read-modify-write of the
 * raw document that changes exactly one `auths` key and keeps every other key, entry and field
 * as it was.
 */
import type { CredentialStore, StoredCredential } from './store.js';
import { TOKEN_USERNAME } from './store.js';
import { ParseError, UsageError } from '../errors.js';
import { PODMAN_DECODES, entryToJSON, parseEntry } from '../auth-file/entry.js';
import type { IgnoredField } from '../auth-file/entry.js';
import { asDockerDecodes, describeMistyped, parseRawConfig as parseDoc, rawAuths as authsOf, serializeRawConfig as serializeDoc } from '../auth-file/raw-config.js';
import { readTextIfExists, realPathOf, updateFile } from '../auth-file/safe-file.js';
import { keyForStyle, parseRegistryKey } from '../registry.js';
import { basename } from 'node:path';

/** The prefix that names an auth file as a store on the command line. */
export const AUTH_FILE_STORE_PREFIX = 'authfile:';

/**
 * The credential an entry holds, in the store's terms, or undefined for a marker. An auth.json
 * entry is read as podman reads it: a field it never decodes (`"username": true`, `"email": {}`)
 * may hold anything, and goes to `ignored`; a credential only in `username`/`password` (no
 * `auth`) is none to podman, which decodes neither, so its key goes to `unread`.
 */
function credentialOf(raw: unknown, key: string, path: string, style: 'docker' | 'podman', ignored: IgnoredField[], unread: string[]): StoredCredential | undefined {
  // An entry that is no object is an empty one to docker (which warns); podman refuses the file.
  const e = parseEntry(raw, key, path, style === 'podman' ? { decodes: PODMAN_DECODES, ignored } : undefined, style === 'docker');
  if (e.authProblem === 'invalid-base64' || e.authProblem === 'no-colon') {
    throw new ParseError('"auth" cannot be decoded', { file: path, key });
  }
  // docker sends an identity token as Username "<token>" (formats.md §1.4); the username in
  // `auth` beside it goes along, so that writing it to another file keeps that `auth` (§6.12).
  if (e.identityToken !== undefined) return { serverURL: key, username: TOKEN_USERNAME, secret: e.identityToken, tokenUsername: e.username ?? '' };
  if (e.username === undefined && e.password === undefined) return undefined;
  if (style === 'podman' && e.explicitOnly) {
    unread.push(key);
    return undefined;
  }
  return { serverURL: key, username: e.username ?? '', secret: e.password ?? '' };
}

/** A store over one auth file's plaintext entries. */
export class AuthFileStore implements CredentialStore {
  readonly name: string;
  private readonly style: 'docker' | 'podman';

  constructor(readonly path: string, label = path) {
    this.name = `${AUTH_FILE_STORE_PREFIX}${label}`;
    // podman reads an identity token only beside an `auth` with a colon (formats.md §4.5).
    this.style = basename(path) === 'auth.json' ? 'podman' : 'docker';
  }

  async get(serverURL: string): Promise<StoredCredential | undefined> {
    return this.read((auths, ignored, unread) => (Object.hasOwn(auths, serverURL) ? credentialOf(auths[serverURL], serverURL, this.path, this.style, ignored, unread) : undefined));
  }

  async list(): Promise<Map<string, string>> {
    return this.read((auths, ignored, unread) => {
      const out = new Map<string, string>();
      for (const key in auths) {
        const c = credentialOf(auths[key], key, this.path, this.style, ignored, unread);
        if (c) out.set(key, c.username);
      }
      return out;
    });
  }

  /** What reading the file as docker (or podman) does left empty or unread (a value of the wrong type), in words. */
  readonly readNotes: string[] = [];

  private note(text: string): void {
    if (!this.readNotes.includes(text)) this.readNotes.push(text);
  }

  /**
   * `use` on the file's `auths`. A config.json with a value of the wrong type is read as docker
   * 28.2 reads it (asDockerDecodes: the value empty, the rest used), with a note for each such
   * value. An auth.json is read as podman reads it: a field podman never decodes may hold
   * anything (a note for each), while a mistyped `auth`, `identitytoken` or `auths` makes podman
   * refuse the file, and this too. The strict read comes first: a well-typed file is the rule,
   * and decoding walks every field of every entry.
   */
  private async read<T>(use: (auths: Record<string, unknown>, ignored: IgnoredField[], unread: string[]) => T): Promise<T> {
    const text = await readTextIfExists(this.path);
    let strict: ParseError;
    try {
      const ignored: IgnoredField[] = [];
      const unread: string[] = [];
      const result = use(authsOf(parseDoc(text, this.path)), ignored, unread);
      // podman 4.3 and skopeo 1.9 read such an auth.json, and use the entry's `auth`.
      for (const f of ignored) {
        this.note(`${this.path}: ${describeMistyped({ member: 'auths', key: f.key, field: f.field, type: f.type })}: not read, as podman 4.3 never decodes it (it reads the rest of the entry)`);
      }
      // podman 4.3 and skopeo 1.9 have no credential there ("not logged into"); convert is the repair.
      for (const key of unread) {
        this.note(`${this.path}: key "${key}": credential only in "username"/"password", which podman 4.3 never decodes (it has no credential there): not read; \`credkit convert ${this.path} --to podman\` folds them into "auth"`);
      }
      return result;
    } catch (err) {
      if (!(err instanceof ParseError) || this.style !== 'docker') throw err;
      strict = err;
    }
    const decoded = asDockerDecodes(parseDoc(text, this.path, true));
    if (decoded.mistyped.length === 0) throw strict;
    const result = use(authsOf(decoded.doc), [], []);
    for (const m of decoded.mistyped) this.note(`${this.path}: ${describeMistyped(m)}: read as docker 28.2 reads it (as empty), which warns about it on every command`);
    return result;
  }

  /**
   * A registry-wide URL is written as `docker login` (config.json) or `podman login` (auth.json)
   * writes it: the bare host, and Docker Hub as `https://index.docker.io/v1/` or `docker.io`.
   * Each client takes that exact key before any other spelling (podman `docker.io` before
   * `https://index.docker.io/v1/`, both before `https://quay.io`), so a credential written under
   * another spelling beside an older one would never be used. A namespace or repository key is a
   * scope podman honours as written, and stays.
   */
  keyFor(serverURL: string): string {
    const k = parseRegistryKey(serverURL);
    if (k.scope !== 'registry' || k.host === '') return serverURL;
    return keyForStyle(k, this.style);
  }

  /** Replaces the whole entry (never a field-level merge, so no stale token survives). */
  async add(c: StoredCredential): Promise<void> {
    // The username goes into `auth` = base64(user:password), which every reader splits at the
    // first ":": written, "a:b" would read back as user "a". Refused before the file is touched.
    const token = c.username === TOKEN_USERNAME;
    const username = token ? (c.tokenUsername ?? '') : c.username;
    if (username.includes(':')) {
      throw new UsageError(`${this.path}: key "${c.serverURL}": the username contains ":", which an auth file cannot hold (readers split "auth" at the first ":"); keep it in a credential store`);
    }
    const origin = { file: this.path, key: c.serverURL };
    // A token keeps its username as docker writes it: `auth` = base64(user:) beside `identitytoken`.
    // Without one, docker style writes the token alone (base64(":") would make docker refuse the
    // file, formats.md §2.3) and podman style `auth` = base64(":") (podman needs the colon, §4.5).
    const entry = token
      ? entryToJSON({ key: c.serverURL, ...(username !== '' ? { username } : {}), identityToken: c.secret, origin }, this.style)
      : entryToJSON({ key: c.serverURL, username, password: c.secret, origin }, this.style);
    await updateFile(this.path, (text) => {
      const doc = parseDoc(text, this.path);
      const auths = { ...authsOf(doc), [c.serverURL]: entry };
      return serializeDoc({ ...doc, auths }, 'auths' in doc);
    });
  }

  async delete(serverURL: string): Promise<boolean> {
    let existed = false;
    await updateFile(this.path, (text) => {
      if (text === undefined) return undefined;
      const doc = parseDoc(text, this.path);
      const auths = { ...authsOf(doc) };
      existed = Object.hasOwn(auths, serverURL);
      if (!existed) return undefined;
      delete auths[serverURL];
      return serializeDoc({ ...doc, auths }, true);
    });
    return existed;
  }

  /**
   * The file's real path, as for the file backend: one file is one store, however it is spelled
   * (and credkit's own credential file named as an auth file is that file too).
   */
  location(): string {
    return `file ${realPathOf(this.path)}`;
  }

  /**
   * The helper that holds `serverURL`'s credential for docker instead of this file, when the file
   * says so for that registry: `credHelpers` names it (exact key, as docker looks it up), or the
   * file keeps only a `{}` marker for the registry (any spelling, no path) beside a `credsStore`.
   * Undefined when the file has nothing of the registry's, or holds its credential itself.
   */
  async helperFor(serverURL: string): Promise<{ helper: string; via: string } | undefined> {
    const doc = parseDoc(await readTextIfExists(this.path), this.path);
    const helpers = doc.credHelpers;
    if (typeof helpers === 'object' && helpers !== null && !Array.isArray(helpers)) {
      const named = (helpers as Record<string, unknown>)[serverURL];
      if (Object.hasOwn(helpers, serverURL) && typeof named === 'string' && named !== '') return { helper: named, via: `credHelpers["${serverURL}"]` };
    }
    const store = typeof doc.credsStore === 'string' && doc.credsStore !== '' ? doc.credsStore : undefined;
    if (store === undefined) return undefined;
    const host = parseRegistryKey(serverURL).host;
    const auths = authsOf(doc);
    const marker = Object.keys(auths).find((key) => {
      const k = parseRegistryKey(key);
      return k.host === host && k.path === '';
    });
    return marker === undefined ? undefined : { helper: store, via: `credsStore (the file keeps only a marker under "${marker}")` };
  }

  /** The file's credsStore, if any: docker then ignores the plaintext entries written here. */
  async credsStore(): Promise<string | undefined> {
    const v = parseDoc(await readTextIfExists(this.path), this.path).credsStore;
    return typeof v === 'string' && v !== '' ? v : undefined;
  }
}
