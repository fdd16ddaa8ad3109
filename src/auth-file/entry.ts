/**
 * One `auths` entry: decoding the JSON object every format shares, and writing it back in the
 * style of each consumer (docker save, podman, old docker's .dockercfg, kubectl).
 */
import { ParseError } from '../errors.js';
import { PLAIN_BYTE } from './json-bytes.js';
import type { JSONBytes } from './json-bytes.js';
import { TOO_DEEP, nestsTooDeep, setOwn } from './json-text.js';
import type { RegistryKey } from '../registry.js';
import { credentialInKey, isRegistryHost, parseRegistryKey } from '../registry.js';
import { maskKey, shownKey } from '../redact.js';
import type { KeyPlace } from '../redact.js';
import type { AuthEntry, AuthFile, AuthProblem, Origin } from './model.js';

const LINE_BREAKS = /[\r\n]/g;
const NON_ASCII = /[^\x00-\x7f]/;

// Standard base64 alphabet → 6-bit value; -1 for anything else ('=' included: padding is stripped first).
const BASE64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) BASE64_VALUE['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;
// Decoded bytes of the current `auth`, reused: one Buffer per value was most of the decoding time.
let scratch = Buffer.allocUnsafeSlow(256);

/** The decoded `auth` field: username and password, or why it cannot be used. */
export interface DecodedAuth {
  username?: string;
  password?: string;
  problem?: AuthProblem;
}

/**
 * Decodes an `auth` value: standard base64 of `user:password`, split at the first `:`.
 * Line breaks inside are tolerated (podman does); missing padding is accepted but flagged.
 */
export function decodeAuth(value: string): DecodedAuth {
  const text = withoutLineBreaks(value);
  const decoded = decodeBase64(text);
  if (decoded === undefined) return { problem: 'invalid-base64' };
  const colon = decoded.indexOf(':');
  if (colon < 0) return { problem: 'no-colon' };
  const out: DecodedAuth = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  if (text.length % 4 !== 0) out.problem = 'unpadded';
  return out;
}

function withoutLineBreaks(value: string): string {
  return value.includes('\n') || value.includes('\r') ? value.replace(LINE_BREAKS, '') : value;
}

// Whether any byte of the last decode was >= 0x80 (so UTF-8 rather than latin1 is needed).
let scratchHigh = false;

// The characters of the value being decoded, as bytes (reused, like `scratch`).
let scratchText = Buffer.allocUnsafeSlow(256);

/**
 * Decodes standard base64 into `scratch` and returns the number of bytes, or -1 unless `text`
 * matches `^[A-Za-z0-9+/]*={0,2}$` with a length that is not 1 modulo 4, and a multiple of 4 when
 * it ends in `=` (what Go's StdEncoding, or its RawStdEncoding without padding, accepts: every
 * Go reader refuses `YWI6Yw=`, padded short of a whole group). Decodes as Buffer does (the bits
 * of an incomplete group dropped), but validates and decodes in one pass, into reused buffers: a
 * Buffer per value was most of the time of reading a big file.
 */
function decodeBase64Bytes(text: string): number {
  // Only ASCII can be base64, and only ASCII keeps its code as one latin1 byte.
  if (NON_ASCII.test(text)) return -1;
  if (scratch.length < text.length) scratch = Buffer.allocUnsafeSlow(text.length);
  if (scratchText.length < text.length) scratchText = Buffer.allocUnsafeSlow(text.length);
  scratchText.write(text, 0, 'latin1');
  return decodeBase64Into(scratchText, 0, text.length, scratch, 0);
}

/**
 * {@link decodeBase64Bytes} of the ASCII characters `text[from, to)`, held as bytes, into `bytes`
 * from index `at` (which must have room for `to - from` bytes): the number of bytes, or -1. One
 * decoder for a value read (above) and for the pull-secret writer, which has every `auth` as
 * bytes already; a loop over bytes is several times faster than one over a string's characters.
 */
function decodeBase64Into(text: Uint8Array, from: number, to: number, bytes: Uint8Array, at: number): number {
  const length = to - from;
  if (length % 4 === 1) return -1;
  let end = to;
  if (end > from && text[end - 1] === 0x3d) end--;
  if (end > from && text[end - 1] === 0x3d) end--;
  if (end < to && length % 4 !== 0) return -1;
  const value = BASE64_VALUE;
  let n = at;
  let high = 0;
  let i = from;
  for (const whole = end - ((end - from) % 4); i < whole; i += 4) {
    const c0 = text[i] as number;
    const c1 = text[i + 1] as number;
    const c2 = text[i + 2] as number;
    const c3 = text[i + 3] as number;
    if ((c0 | c1 | c2 | c3) >= 128) return -1;
    const v0 = value[c0] as number;
    const v1 = value[c1] as number;
    const v2 = value[c2] as number;
    const v3 = value[c3] as number;
    if ((v0 | v1 | v2 | v3) < 0) return -1;
    const group = (v0 << 18) | (v1 << 12) | (v2 << 6) | v3;
    high |= group;
    bytes[n] = group >> 16;
    bytes[n + 1] = (group >> 8) & 0xff;
    bytes[n + 2] = group & 0xff;
    n += 3;
  }
  // The last, incomplete group: two characters make one byte, three make two.
  let acc = 0;
  for (let bits = 0; i < end; i++) {
    const c = text[i] as number;
    const v = c < 128 ? (value[c] as number) : -1;
    if (v < 0) return -1;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      const b = (acc >> bits) & 0xff;
      high |= b << 16;
      bytes[n++] = b;
    }
  }
  // `high` holds every byte at bit 23, 15 or 7 by its place in a group: 0x808080 catches one >= 0x80.
  scratchHigh = (high & 0x808080) !== 0;
  return n - at;
}

/** The UTF-8 text of standard base64 (see {@link decodeBase64Bytes}), or undefined. */
function decodeBase64(text: string): string | undefined {
  const n = decodeBase64Bytes(text);
  // ASCII (nearly always) decodes the same as latin1, which is cheaper than UTF-8.
  return n < 0 ? undefined : scratch.toString(scratchHigh ? 'utf8' : 'latin1', 0, n);
}

/**
 * True for an `auth` that is padded standard base64 on one line and decodes to text with a `:`:
 * what convert needs to know, found without decoding into memory or making a string (a 0x3a
 * byte is `:` in any UTF-8). Agrees with {@link decodeBase64Bytes} on what is valid; its own loop
 * (no stores, colon test only until found) made a whole 10k-entry conversion a tenth faster than
 * decoding and scanning (bench/auth-files.ts).
 */
function isCanonicalAuth(text: string): boolean {
  const length = text.length;
  if (length === 0 || length % 4 !== 0) return false;
  const value = BASE64_VALUE;
  let colon = false;
  // Whole groups but the last, which may end in padding.
  for (let i = 0; i < length - 4; i += 4) {
    const c0 = text.charCodeAt(i);
    const c1 = text.charCodeAt(i + 1);
    const c2 = text.charCodeAt(i + 2);
    const c3 = text.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) >= 128) return false;
    const group = ((value[c0] as number) << 18) | ((value[c1] as number) << 12) | ((value[c2] as number) << 6) | (value[c3] as number);
    // A -1 anywhere makes the whole group negative.
    if (group < 0) return false;
    if (!colon) colon = group >> 16 === 0x3a || ((group >> 8) & 0xff) === 0x3a || (group & 0xff) === 0x3a;
  }
  // The last group, decoded here rather than sliced off and passed to decodeBase64Bytes (a string
  // and a call per entry): `xx==` is one byte, `xxx=` two; a `=` anywhere else is invalid.
  const last = length - 4;
  const c0 = text.charCodeAt(last);
  const c1 = text.charCodeAt(last + 1);
  const c2 = text.charCodeAt(last + 2);
  const c3 = text.charCodeAt(last + 3);
  if ((c0 | c1 | c2 | c3) >= 128) return false;
  const bytes = c3 !== 0x3d ? 3 : c2 !== 0x3d ? 2 : 1;
  // Padding counts as 0 in its place; value['='] is -1, so a misplaced one fails below.
  const v2 = bytes === 1 ? 0 : (value[c2] as number);
  const v3 = bytes < 3 ? 0 : (value[c3] as number);
  const group = ((value[c0] as number) << 18) | ((value[c1] as number) << 12) | (v2 << 6) | v3;
  if (group < 0) return false;
  return colon || group >> 16 === 0x3a || (bytes > 1 && ((group >> 8) & 0xff) === 0x3a) || (bytes > 2 && (group & 0xff) === 0x3a);
}

/**
 * True when a valid `auth` decodes to text that starts with `:` (an empty username), read off its
 * first two characters without decoding: the first byte is `:` (0x3a = 001110 10…) exactly when
 * they are `O` (14) and one of `g`…`v` (32…47).
 */
export function authHasEmptyUsername(text: string): boolean {
  const second = text.charCodeAt(1);
  return text.charCodeAt(0) === 0x4f && second >= 0x67 && second <= 0x76;
}

/** Padded standard base64 of `username:password`, as docker, podman and kubectl write it. */
export function encodeAuth(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
}

// A Map, not an object: a field named "constructor" or "toString" is an unknown field, kept.
const FIELD_NAMES: ReadonlyMap<string, keyof AuthEntry | 'auth'> = new Map([
  ['auth', 'auth'],
  ['username', 'username'],
  ['password', 'password'],
  ['email', 'email'],
  ['identitytoken', 'identityToken'],
  ['registrytoken', 'registryToken'],
  ['serveraddress', 'serverAddress'],
]);

/**
 * An entry as read. A canonical `auth` is only validated when read: username and password are
 * decoded when something first asks for them, which a conversion that writes `auth` back never
 * does (decoding every entry was a fifth of converting a big file). Every entry has one shape:
 * the common fields are set in the constructor, the rare ones start on the prototype.
 */
class ReadEntry implements AuthEntry {
  key: string;
  // Fields few entries have start on the prototype (set below), so the common entry stays small.
  declare email: string | undefined;
  declare identityToken: string | undefined;
  declare registryToken: string | undefined;
  declare serverAddress: string | undefined;
  declare extra: Record<string, unknown> | undefined;
  declare authProblem: AuthProblem | undefined;
  declare authRegistry: string | undefined;
  declare authDisagrees: boolean | undefined;
  declare explicitOnly: boolean | undefined;
  declare notObject: string | undefined;
  authText: string | undefined = undefined;
  plain: Readonly<Record<string, unknown>> | undefined = undefined;
  parsedKey: RegistryKey | undefined = undefined;
  private user: string | undefined = undefined;
  private pass: string | undefined = undefined;
  /**
   * How `user` and `pass` stand to `authText`: not decoded from it yet, decoded from it (so still
   * exactly what it holds), or set since (or never taken from it).
   */
  private credential: 'deferred' | 'decoded' | 'set' = 'set';
  private readonly file: string;
  /** The stand-in for a key that holds a credential (shownKey, with its place); on the prototype for every other key. */
  declare private shown: string | undefined;

  /** The key as read, once found to hold no credential: assertUsable then need not look again. */
  private registryKey: string | undefined = undefined;

  constructor(key: string, file: string, place?: KeyPlace) {
    this.key = key;
    this.file = file;
    if (place !== undefined) {
      // shownKey, with what it finds kept.
      if (credentialInKey(key) === undefined) {
        this.registryKey = key;
        const shown = maskKey(key);
        if (shown !== key) this.shown = shown;
      } else {
        this.shown = shownKey(key, place);
      }
    }
  }

  /** True when the key, as it is now, was found to hold no credential when read. */
  keyHoldsNoCredential(): boolean {
    return this.registryKey === this.key;
  }

  /** Built on demand: one object fewer per entry read (only reports use it). */
  get origin(): Origin {
    return { file: this.file, key: this.shown ?? this.key };
  }

  get username(): string | undefined {
    if (this.credential === 'deferred') this.decode();
    return this.user;
  }

  set username(value: string | undefined) {
    if (this.credential === 'deferred') this.decode();
    this.user = value;
    this.credential = 'set';
  }

  get password(): string | undefined {
    if (this.credential === 'deferred') this.decode();
    return this.pass;
  }

  set password(value: string | undefined) {
    if (this.credential === 'deferred') this.decode();
    this.pass = value;
    this.credential = 'set';
  }

  /**
   * `authText` while username and password have not been set since it was read: they are then
   * exactly what it decodes to, so a writer may decode it itself. Reading them keeps it so: a
   * report that looks at the password of each entry with an identity token (lossesFor) sent every
   * such entry the slow way, which made writing a big pull secret's payload a fifth slower.
   */
  authAsRead(): string | undefined {
    return this.credential === 'set' ? undefined : this.authText;
  }

  /** Sets `authText`, already checked by {@link isCanonicalAuth}, to be decoded on first use. */
  deferDecoding(auth: string): void {
    this.authText = auth;
    this.credential = 'deferred';
  }

  private decode(): void {
    this.credential = 'decoded';
    // `authText` passed isCanonicalAuth, so the platform's decoder gives its exact bytes (as
    // latin1 characters), faster than decodeBase64 and its Buffer round trip.
    let text = atob(this.authText as string);
    if (NON_ASCII.test(text)) text = Buffer.from(text, 'latin1').toString('utf8');
    const colon = text.indexOf(':');
    this.user = text.slice(0, colon);
    this.pass = text.slice(colon + 1);
  }
}

for (const name of ['email', 'identityToken', 'registryToken', 'serverAddress', 'extra', 'authProblem', 'authRegistry', 'authDisagrees', 'explicitOnly', 'notObject'] as const) {
  ReadEntry.prototype[name] = undefined;
}
(ReadEntry.prototype as unknown as { shown: undefined }).shown = undefined;

/** A field of an entry that its reader (kubelet, podman) never decodes and that held no string: left out. */
export interface IgnoredField {
  key: string;
  field: string;
  /** What the value was: "a number", "an object"…. */
  type: string;
}

/**
 * A reader that decodes only some fields of an entry, so that a value of any type in another
 * one is no error to it: kubelet's DockerConfigEntry (username, password, email, auth), and
 * containers/image's dockerAuthConfig (auth, identitytoken). Such values go to `ignored`.
 */
export interface PartialReader {
  decodes: ReadonlySet<string>;
  ignored: IgnoredField[];
}

/** The fields kubelet decodes (as named in {@link AuthEntry}). */
export const KUBELET_DECODES: ReadonlySet<string> = new Set(['auth', 'username', 'password', 'email']);
/** The fields containers/image (podman, skopeo, buildah) decodes. */
export const PODMAN_DECODES: ReadonlySet<string> = new Set(['auth', 'identityToken']);

/**
 * Reads one entry object. Field names match case-insensitively, as Go's decoder does; unknown
 * fields are kept in `extra`. A bad `auth` is recorded in `authProblem`, not thrown, so that
 * `check` can report it; {@link assertUsable} turns it into an error for convert and merge.
 * A `null` entry is an empty one, as every client reads it. `partial` (kubelet for a pull secret's
 * payload, podman for an auth.json) reads as that reader does: a field it never decodes that holds
 * no string is listed there instead of refused. `asDocker` (a docker config.json) reads an entry
 * that is no object (an array, a number) as docker does, empty, with `notObject` set; every other
 * reader refuses it. `place` is read only during the call: a caller may renumber one for every entry.
 */
export function parseEntry(raw: unknown, key: string, file: string, partial?: PartialReader, asDocker?: boolean, place?: KeyPlace): AuthEntry {
  // Go decodes `null` into a struct as its zero value: docker, podman (both also write it back
  // as `{}` on their next save) and kubelet's DockerConfigEntry.UnmarshalJSON all read an empty entry.
  if (raw === null) return new ReadEntry(key, file, place);
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    const type = jsonType(raw);
    // docker's decoder leaves such an entry empty and goes on (the CLI warns and uses the file);
    // podman and kubelet fail on the whole file.
    if (asDocker) {
      const entry = new ReadEntry(key, file, place);
      entry.notObject = type;
      return entry;
    }
    throw new ParseError(`entry is ${type}, not a JSON object`, { file, key: shownKey(key, place) });
  }
  const entry = new ReadEntry(key, file, place);
  let auth: string | undefined;
  let explicitUser: string | undefined;
  let explicitPassword: string | undefined;
  let fields = 0;
  let plainShape = true;
  for (const name in raw) {
    const value = (raw as Record<string, unknown>)[name];
    // The common shape {"auth": …} or {"auth": …, "email": …}, in that order.
    fields++;
    if (!((fields === 1 && name === 'auth') || (fields === 2 && name === 'email'))) plainShape = false;
    // The two names nearly every entry has first, then the table (Go matches names case-insensitively).
    const field = name === 'auth' ? 'auth' : name === 'email' ? 'email' : (FIELD_NAMES.get(name) ?? FIELD_NAMES.get(name.toLowerCase()));
    if (field === undefined) {
      if (nestsTooDeep(value)) throw new ParseError(`field "${name}" is ${TOO_DEEP}`, entry.origin);
      setOwn((entry.extra ??= {}), name, value);
      continue;
    }
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string') {
      // kubelet and podman decode only some fields: the others may hold anything. Such a value is
      // no credential any client could use as one, so it is left out.
      if (partial !== undefined && !partial.decodes.has(field)) {
        partial.ignored.push({ key, field: name, type: jsonType(value) });
        continue;
      }
      throw new ParseError(`field "${name}" must be a string`, entry.origin);
    }
    switch (field) {
      case 'auth':
        auth = value;
        break;
      case 'username':
        explicitUser = value;
        break;
      case 'password':
        explicitPassword = value;
        break;
      case 'email':
        entry.email = value;
        break;
      case 'identityToken':
        if (value !== '') entry.identityToken = value;
        break;
      case 'registryToken':
        if (value !== '') entry.registryToken = value;
        break;
      case 'serverAddress':
        entry.serverAddress = value;
        break;
    }
  }
  if (auth !== undefined && auth !== '') {
    if (explicitUser === undefined && explicitPassword === undefined && isCanonicalAuth(auth)) {
      // The common case: nothing to compare with, so nothing is decoded yet.
      entry.deferDecoding(auth);
      if (plainShape && (fields === 1 || typeof entry.email === 'string')) entry.plain = raw as Record<string, unknown>;
      return entry;
    }
    // A line break is not base64: only a value that fails is searched for them.
    let text = auth;
    let decoded = decodeBase64(text);
    if (decoded === undefined && (auth.includes('\n') || auth.includes('\r'))) {
      text = auth.replace(LINE_BREAKS, '');
      decoded = decodeBase64(text);
    }
    const colon = decoded === undefined ? -1 : decoded.indexOf(':');
    if (decoded === undefined) entry.authProblem = 'invalid-base64';
    else if (colon < 0) entry.authProblem = 'no-colon';
    else if (text.length % 4 !== 0) entry.authProblem = 'unpadded';
    if (colon < 0) {
      // A key and `auth` swapped (by hand, by a template): `check` then says so, naming the host.
      const k = parseRegistryKey(auth.trim());
      if (isRegistryHost(k.host) && (k.host.includes('.') || k.host.includes(':') || k.host === 'localhost')) entry.authRegistry = k.host;
    }
    if (decoded !== undefined && colon >= 0) {
      const username = decoded.slice(0, colon);
      const password = decoded.slice(colon + 1);
      // docker and kubelet: a readable `auth` overrides explicit fields.
      entry.username = username;
      entry.password = password;
      if (entry.authProblem === undefined && auth.length % 4 === 0 && !auth.includes('\n')) entry.authText = auth;
      if ((explicitUser !== undefined && explicitUser !== username) || (explicitPassword !== undefined && explicitPassword !== password)) {
        entry.authDisagrees = true;
      }
      return entry;
    }
  }
  if (explicitUser !== undefined && explicitUser !== '') entry.username = explicitUser;
  if (explicitPassword !== undefined && explicitPassword !== '') entry.password = explicitPassword;
  if (entry.username !== undefined || entry.password !== undefined) entry.explicitOnly = true;
  return entry;
}

/** How a JSON value that is not an object is named in messages: "an array", "a number"…. */
export function jsonType(value: unknown): string {
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Throws a ParseError for the first entry whose `auth` is unusable (invalid base64, no `:`), or
 * whose key (or credHelpers key) holds a credential instead of a registry: no client can use such
 * an entry, and writing it out would carry the credential into another file under a key that
 * every listing of that file would show.
 */
export function assertUsable(file: AuthFile): void {
  for (const [key] of file.credHelpers) {
    if (credentialInKey(key) !== undefined) throw new ParseError(`a credHelpers key holds a credential, not a registry: ${KEY_FIX}`, { file: file.source, key: `credHelpers[${shownKey(key)}]` });
  }
  for (const e of file.entries) {
    if (!(e instanceof ReadEntry && e.keyHoldsNoCredential()) && credentialInKey(e.key) !== undefined) throw new ParseError(`the key holds a credential, not a registry: ${KEY_FIX}`, e.origin);
    if (e.authProblem === 'invalid-base64') throw new ParseError('"auth" is not valid standard base64', e.origin);
    if (e.authProblem === 'no-colon') throw new ParseError('"auth" has no ":" between username and password', e.origin);
  }
}

// No client can use such an entry; `credkit check` says whether the key and `auth` were swapped.
const KEY_FIX = 'write the registry there (e.g. quay.io), and the credential as "auth" (credkit check tells more)';

/** How an entry is laid out on disk. */
export type EntryStyle = 'docker' | 'podman' | 'dockercfg' | 'kubernetes';

function hasBasic(e: AuthEntry): boolean {
  return (e.username ?? '') !== '' || (e.password ?? '') !== '';
}

// The constant parts of kubectl's entry layout, as bytes.
const USERNAME_OPEN = Buffer.from('":{"username":"', 'latin1');
const PASSWORD_OPEN = Buffer.from('","password":"', 'latin1');
const EMAIL_OPEN = Buffer.from('","email":"', 'latin1');
const AUTH_OPEN = Buffer.from('","auth":"', 'latin1');
const SERVER_OPEN = Buffer.from('","serveraddress":"', 'latin1');
const IDENTITY_OPEN = Buffer.from('","identitytoken":"', 'latin1');
const REGISTRY_OPEN = Buffer.from('","registrytoken":"', 'latin1');
// The most bytes of constants one entry adds: the comma, the quotes, every opener and `"}`.
const ENTRY_CONSTANTS = 128;

/**
 * Writes the members of kubectl's `auths` object for `entries` under `keys` (each entry's key
 * in the kubernetes style), in order, into `out`. An entry as read from a canonical `auth` and
 * not changed since is written here, as `JSON.stringify` of {@link entryToJSON} in the
 * kubernetes style writes it, Go-escaped, its `auth` decoded straight into `out`; `other` writes
 * any other entry (with a comma before it when `comma`), and any this cannot prove to write the
 * same bytes for: a character that JSON or Go would escape or that is not ASCII, an unknown
 * field, an empty credential.
 *
 * It works on bytes, because on the machines this was measured on V8 spends about 3 ns per
 * character in a `charCodeAt` loop, 1 ns per byte in a loop over a Uint8Array, and 50 to 150 ns
 * on any call into Node's native code: the keys and the `auth` values are each joined and made
 * bytes by one native write, then checked, decoded and copied byte by byte. Decoding and
 * stringifying an object per entry was most of the time of writing a big pull secret; an entry
 * at a time, with native calls per entry, still half of it.
 */
export function writeKubernetesEntries(entries: readonly AuthEntry[], keys: readonly string[], out: JSONBytes, other: (index: number, comma: boolean) => void): void {
  const count = entries.length;
  // '' for an entry written by `other` (a canonical `auth` is never empty).
  const auths: string[] = new Array<string>(count);
  let room = 0;
  for (let i = 0; i < count; i++) {
    const e = entries[i] as AuthEntry;
    const auth = e instanceof ReadEntry && e.extra === undefined ? e.authAsRead() : undefined;
    auths[i] = auth ?? '';
    if (auth !== undefined) room += entryRoom(e, keys[i] as string, auth);
  }
  const keyText = keys.join('');
  const authText = auths.join('');
  const text = Buffer.allocUnsafe(keyText.length * 3 + authText.length);
  const keyBytes = text.write(keyText, 0, 'utf8');
  // A key that is not ASCII is never written here; with one, the keys' bytes no longer line up
  // with their characters, and each key is read as a string instead.
  const asciiKeys = keyBytes === keyText.length;
  // Canonical base64 is ASCII.
  text.write(authText, keyBytes, 'latin1');
  out.reserve(room);
  let bytes = out.buffer;
  let at = out.length;
  let keyEnd = 0;
  let authEnd = keyBytes;
  for (let i = 0; i < count; i++) {
    const key = keys[i] as string;
    const auth = auths[i] as string;
    const keyStart = keyEnd;
    const authStart = authEnd;
    keyEnd += key.length;
    authEnd += auth.length;
    const e = entries[i] as AuthEntry;
    const start = at;
    wrote: if (auth !== '') {
      room -= entryRoom(e, key, auth);
      if (i > 0) bytes[at++] = 0x2c;
      bytes[at++] = 0x22;
      if (asciiKeys) {
        for (let j = keyStart; j < keyEnd; j++) {
          const b = text[j] as number;
          if (PLAIN_BYTE[b] === 0) break wrote;
          bytes[at++] = b;
        }
      } else {
        at = putPlain(bytes, at, key);
        if (at < 0) break wrote;
      }
      at = put(bytes, at, USERNAME_OPEN);
      // `user:password` is decoded to where the password belongs once the colon has become
      // `","password":"`; the username is then moved down to where it belongs.
      const decodedAt = at + PASSWORD_OPEN.length - 1;
      const decoded = decodeBase64Into(text, authStart, authEnd, bytes, decodedAt);
      if (decoded < 0) break wrote;
      const decodedEnd = decodedAt + decoded;
      let j = decodedAt;
      for (; j < decodedEnd; j++) {
        const b = bytes[j] as number;
        if (b === 0x3a) break;
        if (PLAIN_BYTE[b] === 0) break wrote;
        bytes[at++] = b;
      }
      // No colon; or nothing but one, which entryToJSON writes as no username and no password (nor `auth`).
      if (j === decodedEnd || decodedEnd - decodedAt === 1) break wrote;
      at = put(bytes, at, PASSWORD_OPEN);
      for (j++; j < decodedEnd; j++) if (PLAIN_BYTE[bytes[j] as number] === 0) break wrote;
      at = decodedEnd;
      // The fields in the order entryToJSON gives them in the kubernetes style.
      const { email, serverAddress, identityToken, registryToken } = e;
      if (email !== undefined) {
        at = putPlain(bytes, put(bytes, at, EMAIL_OPEN), email);
        if (at < 0) break wrote;
      }
      at = put(bytes, at, AUTH_OPEN);
      for (let k = authStart; k < authEnd; k++) bytes[at++] = text[k] as number;
      if (serverAddress !== undefined) {
        at = putPlain(bytes, put(bytes, at, SERVER_OPEN), serverAddress);
        if (at < 0) break wrote;
      }
      if (identityToken !== undefined) {
        at = putPlain(bytes, put(bytes, at, IDENTITY_OPEN), identityToken);
        if (at < 0) break wrote;
      }
      if (registryToken !== undefined) {
        at = putPlain(bytes, put(bytes, at, REGISTRY_OPEN), registryToken);
        if (at < 0) break wrote;
      }
      bytes[at++] = 0x22;
      bytes[at++] = 0x7d;
      continue;
    }
    // Written by `other`, from where this entry started; it makes its own room, and then the
    // rest of the entries' room is made again.
    out.length = start;
    other(i, i > 0);
    out.reserve(room);
    bytes = out.buffer;
    at = out.length;
  }
  out.length = at;
}

/** The most bytes {@link writeKubernetesEntries} writes for an entry (decoded `auth` is shorter than its text). */
function entryRoom(e: AuthEntry, key: string, auth: string): number {
  return key.length + 2 * auth.length + (e.email?.length ?? 0) + (e.serverAddress?.length ?? 0) + (e.identityToken?.length ?? 0) + (e.registryToken?.length ?? 0) + ENTRY_CONSTANTS;
}

/** Copies `part` into `bytes` at `at`; returns the index after it. */
function put(bytes: Uint8Array, at: number, part: Uint8Array): number {
  for (let i = 0; i < part.length; i++) bytes[at++] = part[i] as number;
  return at;
}

/**
 * Writes `text` into `bytes` at `at` when it is its own JSON string content (PLAIN_BYTE) and
 * returns the index after it, or -1 (having written part of it). For the few fields beside
 * `auth`, read as strings: one native call each would cost more than the loop.
 */
function putPlain(bytes: Uint8Array, at: number, text: string): number {
  if (at < 0) return -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f || PLAIN_BYTE[c] === 0) return -1;
    bytes[at++] = c;
  }
  return at;
}

/**
 * The JSON object for an entry in a given style. Credentials always go into padded `auth`;
 * only kubectl also spells out `username`/`password`. Other fields follow, then `extra`.
 */
export function entryToJSON(e: AuthEntry, style: EntryStyle): Readonly<Record<string, unknown>> {
  // Unchanged since it was read, and already in the shape every non-kubectl style writes.
  if (e.plain !== undefined && style !== 'kubernetes' && e.authText !== undefined) return e.plain;
  const out: Record<string, unknown> = {};
  const user = e.username ?? '';
  const password = e.password ?? '';
  if (style === 'kubernetes' && hasBasic(e)) {
    out.username = user;
    out.password = password;
  }
  if (style === 'kubernetes' && e.email !== undefined) out.email = e.email;
  if (hasBasic(e)) out.auth = e.authText ?? encodeAuth(user, password);
  // podman uses an identity token only beside an `auth` that has a colon.
  else if (style === 'podman' && e.identityToken !== undefined) out.auth = encodeAuth('', '');
  if (style !== 'kubernetes' && e.email !== undefined) out.email = e.email;
  if (e.serverAddress !== undefined) out.serveraddress = e.serverAddress;
  if (e.identityToken !== undefined) out.identitytoken = e.identityToken;
  if (e.registryToken !== undefined) out.registrytoken = e.registryToken;
  if (e.extra) for (const name in e.extra) if (!Object.hasOwn(out, name)) setOwn(out, name, e.extra[name]);
  return out;
}
