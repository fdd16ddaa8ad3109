/**
 * One `auths` entry: decoding the JSON object every format shares, and writing it back in the
 * style of each consumer (docker save, podman, old docker's .dockercfg, kubectl).
 */
import { ParseError } from '../errors.js';
import type { AuthEntry, AuthFile, AuthProblem } from './model.js';

const LINE_BREAKS = /[\r\n]/g;

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
 * Accepts exactly `^[A-Za-z0-9+/]*={0,2}$` with a length that is not 1 modulo 4, and decodes as
 * Buffer does (trailing bits of an incomplete group dropped, UTF-8 with replacement characters);
 * validating and decoding in one pass without allocating is what makes big files fast.
 */
export function decodeAuth(value: string): DecodedAuth {
  let text = value;
  if (text.includes('\n') || text.includes('\r')) text = text.replace(LINE_BREAKS, '');
  const length = text.length;
  if (length % 4 === 1) return { problem: 'invalid-base64' };
  let end = length;
  if (end > 0 && text.charCodeAt(end - 1) === 0x3d) end--;
  if (end > 0 && text.charCodeAt(end - 1) === 0x3d) end--;
  if (scratch.length < end) scratch = Buffer.allocUnsafeSlow(end);
  const bytes = scratch;
  let n = 0;
  let bits = 0;
  let acc = 0;
  let high = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? (BASE64_VALUE[c] as number) : -1;
    if (v < 0) return { problem: 'invalid-base64' };
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      const b = (acc >> bits) & 0xff;
      high |= b;
      bytes[n++] = b;
    }
  }
  // ASCII (nearly always) decodes the same as latin1, which is cheaper than UTF-8.
  const decoded = bytes.toString(high < 0x80 ? 'latin1' : 'utf8', 0, n);
  const colon = decoded.indexOf(':');
  if (colon < 0) return { problem: 'no-colon' };
  const out: DecodedAuth = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  if (length % 4 !== 0) out.problem = 'unpadded';
  return out;
}

/** Padded standard base64 of `username:password`, as docker, podman and kubectl write it. */
export function encodeAuth(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
}

const FIELD_NAMES: Readonly<Record<string, keyof AuthEntry | 'auth'>> = {
  auth: 'auth',
  username: 'username',
  password: 'password',
  email: 'email',
  identitytoken: 'identityToken',
  registrytoken: 'registryToken',
  serveraddress: 'serverAddress',
};

/**
 * Reads one entry object. Field names match case-insensitively, as Go's decoder does; unknown
 * fields are kept in `extra`. A bad `auth` is recorded in `authProblem`, not thrown, so that
 * `check` can report it; {@link assertUsable} turns it into an error for convert and merge.
 */
export function parseEntry(raw: unknown, key: string, file: string): AuthEntry {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ParseError('entry is not a JSON object', { file, key });
  }
  const entry: AuthEntry = { key, origin: { file, key } };
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
    const field = FIELD_NAMES[name] ?? FIELD_NAMES[name.toLowerCase()];
    if (field === undefined) {
      (entry.extra ??= {})[name] = value;
      continue;
    }
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string') throw new ParseError(`field "${name}" must be a string`, { file, key });
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
    const decoded = decodeAuth(auth);
    if (decoded.problem) entry.authProblem = decoded.problem;
    if (decoded.username !== undefined) {
      // docker and kubelet: a readable `auth` overrides explicit fields.
      entry.username = decoded.username;
      entry.password = decoded.password;
      if (decoded.problem === undefined && auth.length % 4 === 0 && !auth.includes('\n')) {
        entry.authText = auth;
        if (plainShape && explicitUser === undefined && (fields === 1 || typeof entry.email === 'string')) entry.plain = raw as Record<string, unknown>;
      }
      if ((explicitUser !== undefined && explicitUser !== decoded.username) || (explicitPassword !== undefined && explicitPassword !== decoded.password)) {
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

/** Throws a ParseError for the first entry whose `auth` is unusable (invalid base64, no `:`). */
export function assertUsable(file: AuthFile): void {
  for (const e of file.entries) {
    if (e.authProblem === 'invalid-base64') throw new ParseError('"auth" is not valid standard base64', e.origin);
    if (e.authProblem === 'no-colon') throw new ParseError('"auth" has no ":" between username and password', e.origin);
  }
}

/** How an entry is laid out on disk. */
export type EntryStyle = 'docker' | 'podman' | 'dockercfg' | 'kubernetes';

function hasBasic(e: AuthEntry): boolean {
  return (e.username ?? '') !== '' || (e.password ?? '') !== '';
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
  if (e.extra) for (const name in e.extra) if (!(name in out)) out[name] = e.extra[name];
  return out;
}
