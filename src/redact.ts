/**
 * How secrets appear in listings and reports: never as themselves unless the user asks.
 */
import { credentialInKey, parseRegistryKey, passwordEnd } from './registry.js';

/** A stand-in for a secret that says whether there was one, without hinting at its content. */
export function redact(secret: string | undefined): string {
  return secret === undefined || secret === '' ? '' : '********';
}

/** How many characters of a secret, found together in a text, count as part of it. */
const PIECE = 8;

/** `text` with every one of `forms` (spellings of secrets) replaced by `********`, longest first. */
export function maskForms(text: string, forms: Iterable<string>): string {
  let out = text;
  // Longest first, so that a form that contains another is masked whole.
  for (const form of [...new Set(forms)].filter((f) => f !== '').sort((a, b) => b.length - a.length)) out = out.split(form).join('********');
  return out;
}

/**
 * True when `text` still holds a run of 8 characters of `secret` (all of it, when shorter): what
 * masking the known spellings missed, because another program decoded, re-encoded or cut it.
 */
export function holdsPieceOf(text: string, secret: string): boolean {
  if (secret === '') return false;
  const n = Math.min(PIECE, secret.length);
  for (let i = 0; i + n <= secret.length; i++) if (text.includes(secret.slice(i, i + n))) return true;
  return false;
}

/**
 * A user name and password before `@` (`https://alice:pw@quay.io`, `alice:pw@quay.io/org`), at the
 * start of the text or after a space, quote, parenthesis or `=`: the user name holds no `/`, `@` or
 * `:`, and the rest runs to the next space or quote. Which `@` ends the password is decided in
 * {@link maskUserinfo}, since a password may hold `@` and `/` (`p@ssw0rd`, `robot:Tok/en+==`).
 */
const USERINFO = /(^|[\s"'(=]|[a-z][a-z0-9+.-]*:\/\/)([^\s"'/@:]*):(?!\/\/)([^\s"']*@[^\s"']*)/gi;
/**
 * `text` with the password of every URL user-info in it replaced by `********`. Messages quote
 * the registry or image a user typed, and one typed as a URL with credentials would otherwise put
 * the password on the terminal (and in CI logs). A password may hold `@` or `/`, so the user-info
 * ends at the last `@` that starts no digest; when what follows that `@` is no host (`alice:p@ssw0rd`),
 * it is the rest of the password, and all of it is masked.
 */
export function maskUserinfo(text: string): string {
  // Every line credkit prints for people passes here (a listing of 100,000 keys included).
  if (!text.includes('@')) return text;
  return text.replace(QUOTED_USERINFO, masked).replace(USERINFO, masked);
}

/** One user-info found by {@link USERINFO}, {@link QUOTED_USERINFO} or {@link KEY_USERINFO}, masked. */
function masked(whole: string, before: string | undefined, user: string, rest: string): string {
  const end = passwordEnd(rest);
  if (end === undefined) return whole;
  return end.host ? `${before ?? ''}${user}:********${rest.slice(end.at)}` : `${before ?? ''}${user}:********`;
}

/**
 * A user-info inside quotes whose password holds a space (`key "alice:fake pass phrase@ghcr.io"`):
 * messages quote keys, and a key is one string, so there the password runs to the closing quote
 * rather than to the first space. Only a quoted text with whitespace in it is taken here; the rest
 * is {@link USERINFO}'s.
 */
const QUOTED_USERINFO = /(["'](?:[a-z][a-z0-9+.-]*:\/\/)?)([^\s"'/@:]*):(?!\/\/)([^"'\n]*\s[^"'\n]*)(?=["'])/gi;

/**
 * A key (a server URL, an auth file's key, a store's entry name) that starts with a user name and
 * password: the whole key is one string, so the password may hold spaces (a passphrase:
 * `alice:fake pass phrase@ghcr.io`, as docker-credential-pass stores whatever URL it is given).
 */
const KEY_USERINFO = /^((?:[a-z][a-z0-9+.-]*:\/\/)?)([^/@:]*):(?!\/\/)(.*)$/is;

/**
 * A key as people may see it: {@link maskUserinfo}, and a password before the host masked whole
 * even where it holds whitespace, which in free text would end it.
 */
export function maskKey(key: string): string {
  if (!key.includes('@')) return key;
  const whole = key.replace(KEY_USERINFO, masked);
  return whole !== key ? whole : maskUserinfo(key);
}

/** Members of the library's reports that hold one key each, masked as a key ({@link maskKey}). */
const KEY_FIELDS: ReadonlySet<string> = new Set(['key', 'serverURL', 'registry', 'targetKey']);

/**
 * `value` with {@link maskUserinfo} applied to every string in its plain objects and arrays, and
 * {@link maskKey} to members named as keys (`key`, `serverURL`, `registry`, `targetKey`), copied
 * only where a string changed; anything else (a HiddenSecret, a number) is kept as it is. What
 * the library returns for people to read (listings, findings, explanations, losses) goes through
 * it, so that a caller who logs a row does not print a password written into a file's key.
 */
export function maskUserinfoDeep<T>(value: T): T {
  if (typeof value === 'string') return maskUserinfo(value) as T;
  if (value === null || typeof value !== 'object') return value;
  // Copy on write: a report of 100,000 entries without a URL password in it (the rule) is returned
  // as it is, without allocating a copy of every object and array in it.
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const m = maskUserinfoDeep(v);
      if (m !== v) (out ??= value.slice())[i] = m;
    }
    return (out ?? value) as T;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  let out: Record<string, unknown> | undefined;
  for (const k in value) {
    const v: unknown = (value as Record<string, unknown>)[k];
    const m = typeof v === 'string' && KEY_FIELDS.has(k) ? maskKey(v) : maskUserinfoDeep(v);
    if (m !== v) (out ??= { ...(value as Record<string, unknown>) })[k] = m;
  }
  return (out ?? value) as T;
}

/** Where a key sits in its file, for {@link shownKey}: its 1-based position in `member` (`auths`; none in a .dockercfg). */
export interface KeyPlace {
  index: number;
  member?: string;
  /** A short id that names the entry whatever its number (`credkit store list`'s, listing.ts). */
  id?: string;
}

const HIDDEN_WHY = { 'base64-user-password': 'it looks like a base64 user:password', 'user-password': 'it looks like a user:password' } as const;

/**
 * The key as people see it: as written, with a password before the host masked ({@link maskKey}),
 * or, for a key that holds a credential instead of a registry ({@link credentialInKey}), a
 * stand-in that says where it is (when `place` is known) and why it is hidden:
 * `<entry #2 of auths, hidden: it looks like a base64 user:password>`.
 * Every report and message that quotes a key of a file quotes this; the stand-in is never one itself.
 */
export function shownKey(key: string, place?: KeyPlace): string {
  const held = credentialInKey(key);
  if (held === undefined) return maskKey(key);
  const where = place === undefined ? '' : `entry #${place.index}${place.member !== undefined ? ` of ${place.member}` : ''}${place.id !== undefined ? ` (id ${place.id})` : ''}, `;
  return `<${where}hidden: ${HIDDEN_WHY[held]}>`;
}

/**
 * What a server URL given to a store holds instead of a registry, or undefined for a URL that may
 * name one: a user:password or base64 of one where the registry belongs (`what`), or a user name
 * and password before the host (`host`, the registry it meant, possibly ''). No client ever asks
 * a store for such a URL, and every store keeps the URL in the clear as the entry's name, so
 * `credkit store store` and the library's Store.store both refuse it, each in its own words.
 */
export function credentialInServerURL(server: string): { what: string } | { host: string } | undefined {
  const held = credentialInKey(server);
  if (held !== undefined) return { what: held === 'user-password' ? 'a user:password' : 'what looks like a base64 user:password' };
  const shown = maskKey(server);
  // The host it meant is what the masking kept after the password (none when no host follows it).
  if (shown !== server) return { host: shown.includes('********@') ? parseRegistryKey(shown.slice(shown.lastIndexOf('********@') + 9)).host : '' };
  return undefined;
}
