/**
 * Docker `config.json` and podman `auth.json`: the `{"auths": {…}}` shape they share, read into
 * the model and written in each tool's own style.
 */
import { ParseError } from '../errors.js';
import { keyForStyle, parseRegistryKey } from '../registry.js';
import { shownKey } from '../redact.js';
import { KUBELET_DECODES, PODMAN_DECODES, entryToJSON, jsonType, parseEntry, writeKubernetesEntries } from './entry.js';
import type { IgnoredField, PartialReader } from './entry.js';
import { JSONBytes } from './json-bytes.js';
import { TOO_DEEP, goEscape, isJSONObject, nestsTooDeep, setOwn } from './json-text.js';
import { asDockerDecodes } from './raw-config.js';
import type { MistypedValue } from './raw-config.js';
import type { AuthEntry, AuthFile } from './model.js';
import { styledKeyOf } from './model.js';
import { emptyAuthFile } from './model.js';

/** True when a parsed JSON object looks like config.json / auth.json rather than a legacy map. */
export function looksLikeConfigJSON(value: Record<string, unknown>): boolean {
  return 'auths' in value || 'credHelpers' in value || 'credsStore' in value || Object.keys(value).length === 0;
}

/**
 * Reads a parsed config.json / auth.json document (or, with `kubelet`, a `.dockerconfigjson`
 * payload, see {@link parseEntry}), as asGoReadsConfig (raw-config.ts) gives it: every
 * reader normalises right after JSON.parse, so that its own checks (`"auths" in doc`) see the
 * document as docker and podman do. An auth.json (`podman`) is read as containers/image decodes
 * it: a value of any type where it decodes nothing (an entry's `username`, `email`…, and
 * `credsStore`) is left out and listed in `mistyped`; `auth` and `identitytoken` must be strings.
 */
export function parseConfigJSON(value: unknown, source: string, format: 'docker' | 'podman', kubelet?: IgnoredField[]): AuthFile {
  if (!isJSONObject(value)) throw new ParseError('expected a JSON object', { file: source });
  const file = emptyAuthFile(source, format);
  const podman = format === 'podman' && kubelet === undefined;
  let partial: PartialReader | undefined;
  if (kubelet !== undefined) partial = { decodes: KUBELET_DECODES, ignored: kubelet };
  else if (podman) partial = { decodes: PODMAN_DECODES, ignored: [] };
  let mistypedStore: string | undefined;
  for (const name in value) {
    const v = value[name];
    if (name === 'auths') {
      if (v === null || v === undefined) continue;
      if (!isJSONObject(v)) throw new ParseError('"auths" must be a JSON object', { file: source, key: 'auths' });
      // docker reads an entry that is no object as empty (and warns); podman and kubelet refuse the file.
      const asDocker = format === 'docker' && kubelet === undefined;
      // One place, renumbered: parseEntry uses it only while it runs (an object per entry was garbage).
      const place = { index: 0, member: 'auths' };
      for (const key in v) {
        place.index++;
        file.entries.push(parseEntry(v[key], key, source, partial, asDocker, place));
      }
    } else if (name === 'credsStore') {
      // Go decodes null into a string as nothing at all: docker and podman read no credsStore.
      if (v === null) continue;
      if (typeof v !== 'string') {
        // containers/image has no credsStore field: podman reads the file whatever it holds.
        if (podman) {
          mistypedStore = jsonType(v);
          continue;
        }
        throw new ParseError('"credsStore" must be a string', { file: source, key: 'credsStore' });
      }
      if (v !== '') file.credsStore = v;
    } else if (name === 'credHelpers') {
      if (v === null || v === undefined) continue;
      if (!isJSONObject(v)) throw new ParseError('"credHelpers" must be a JSON object', { file: source, key: 'credHelpers' });
      let helpers = 0;
      for (const key in v) {
        helpers++;
        const helper = v[key];
        // Go decodes null into a map's string as "": podman (and docker) read the file, and name no helper.
        if (helper === null) {
          file.credHelpers.set(key, '');
          continue;
        }
        if (typeof helper !== 'string') throw new ParseError('credHelpers value must be a string', { file: source, key: shownKey(key, { index: helpers, member: 'credHelpers' }) });
        file.credHelpers.set(key, helper);
      }
    } else {
      if (nestsTooDeep(v)) throw new ParseError(TOO_DEEP, { file: source, key: name });
      setOwn(file.extra, name, v);
    }
  }
  if (podman && (partial?.ignored.length || mistypedStore !== undefined)) {
    const mistyped: MistypedValue[] = (partial?.ignored ?? []).map((f) => ({ member: 'auths', key: f.key, field: f.field, type: f.type, format: 'podman' }));
    if (mistypedStore !== undefined) mistyped.push({ member: 'credsStore', type: mistypedStore, format: 'podman' });
    file.mistyped = mistyped;
  }
  return file;
}

/**
 * Reads a docker config.json document (as asGoReadsConfig gives it) as docker decodes it
 * (asDockerDecodes): a value of the wrong type is read as empty and listed in `mistyped` (an
 * entry that is no object is marked `notObject`), where podman and kubelet refuse the file.
 */
export function parseDockerConfigJSON(value: Record<string, unknown>, source: string): AuthFile {
  // The strict reader refuses every value asDockerDecodes would change, and a well-typed file is
  // the rule: read it once, and walk it a second time only when it was refused (the walk visits
  // every field of every entry, a tenth of converting a 10,000-entry file).
  try {
    return parseConfigJSON(value, source, 'docker');
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
  }
  const decoded = asDockerDecodes(value);
  const file = parseConfigJSON(decoded.doc, source, 'docker');
  if (decoded.mistyped.length === 0) return file;
  const notObject = new Map<string, string>();
  const mistyped: MistypedValue[] = [];
  for (const m of decoded.mistyped) {
    if (m.member === 'auths' && m.key !== undefined && m.field === undefined) notObject.set(m.key, m.type);
    else mistyped.push(m);
  }
  if (notObject.size > 0) {
    for (const e of file.entries) {
      const type = notObject.get(e.key);
      if (type !== undefined) e.notObject = type;
    }
  }
  if (mistyped.length > 0) file.mistyped = mistyped;
  return file;
}

function buildAuths(file: AuthFile, style: 'docker' | 'podman' | 'kubernetes'): Record<string, unknown> {
  const auths: Record<string, unknown> = {};
  // setOwn: a registry key "__proto__" is a key like any other (an assignment would drop it).
  for (const e of file.entries) setOwn(auths, styledKeyOf(e, style), entryToJSON(e, style));
  return auths;
}

function buildDoc(file: AuthFile, style: 'docker' | 'podman' | 'kubernetes', auths = buildAuths(file, style)): Record<string, unknown> {
  const keyStyle = style;
  const helpers: Record<string, unknown> = {};
  for (const [key, helper] of file.credHelpers) {
    // Two spellings of one registry routed to one helper (merge keeps both: docker looks up one,
    // podman the other) would become one key in the target's spelling: a key already spelled so
    // keeps it, and the other stays as written.
    const styled = keyForStyle(parseRegistryKey(key), keyStyle);
    setOwn(helpers, styled !== key && file.credHelpers.has(styled) ? key : styled, helper);
  }
  const doc: Record<string, unknown> = { auths };
  if (style === 'podman' && file.credHelpers.size > 0) doc.credHelpers = helpers;
  for (const name in file.extra) setOwn(doc, name, file.extra[name]);
  if (file.credsStore !== undefined) doc.credsStore = file.credsStore;
  if (style !== 'podman' && file.credHelpers.size > 0) doc.credHelpers = helpers;
  return doc;
}

/**
 * Writes a config file. `docker` style: `auths` first (always present), the other keys as read,
 * then `credsStore` and `credHelpers`. `podman` style: `auths`, `credHelpers` (when not empty),
 * then the rest. Both: tab indent, Go escaping, no final newline, as the tools write them.
 * The entries' keys must be distinct once styled, as mergeAuthFiles leaves those of files read
 * from JSON (where an object's keys are): each is written where it stands, without a check that
 * costs as much as the object it replaces.
 *
 * The text is `JSON.stringify(buildDoc(file, style), null, '\t')`, but `auths` is written entry
 * by entry rather than built as an object for JSON.stringify to walk: an object of 100,000 keys
 * and its text took a third of converting a 100,000-entry file. An entry kept as read (`plain`,
 * nearly all) is made of strings that exist already; any other entry, and everything around
 * `auths`, is JSON.stringify's text. The text grows by `+=`, which V8 keeps as a tree of the
 * parts and copies once, when goEscape first reads it: an array of the parts joined at the end
 * took 1.6 times as long at 10,000 entries, and up to 1.3 times at 100,000.
 */
export function serializeConfigJSON(file: AuthFile, style: 'docker' | 'podman'): string {
  const entries = file.entries;
  const rest = JSON.stringify(buildDoc(file, style, {}), null, '\t');
  if (entries.length === 0 || !rest.startsWith(AUTHS_EMPTY_INDENTED)) return goEscape(JSON.stringify(buildDoc(file, style), null, '\t'));
  let text = AUTHS_OPEN_INDENTED;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as AuthEntry;
    const key = styledKeyOf(e, style);
    // JSON.stringify lists array-index keys first, out of entry order: that file is written its way.
    if (key.charCodeAt(0) <= 0x39 && ALL_DIGITS.test(key)) return goEscape(JSON.stringify(buildDoc(file, style), null, '\t'));
    const value = entryToJSON(e, style);
    const email = value.email;
    // `plain` is `{"auth": …}` or `{"auth": …, "email": …}`, string values in that order, its
    // `auth` canonical base64 (parseEntry): with a key and email that need no escaping, its text
    // is what is written below. An entry built anew in that same shape (one read from a pull secret, whose
    // kubectl layout has username and password too) is checked for it instead: a JSON.stringify
    // of each such entry made writing a 100,000-entry Secret's config.json slower than one
    // JSON.stringify of the whole document had been.
    if ((value === e.plain || isAuthEmailOnly(value)) && isPlainJSON(key) && (email === undefined || isPlainJSON(email as string))) {
      text += `${i === 0 ? '\n\t\t"' : ',\n\t\t"'}${key}": {\n\t\t\t"auth": "${value.auth as string}${email === undefined ? '' : `",\n\t\t\t"email": "${email as string}`}"\n\t\t}`;
      continue;
    }
    // What JSON.stringify writes for this member of auths: JSON text holds no raw line break
    // (strings escape it), so the entry's own text indented by the two levels it stands at.
    text += `${i === 0 ? '' : ','}\n\t\t${JSON.stringify(key)}: ${JSON.stringify(value, null, '\t').replaceAll('\n', '\n\t\t')}`;
  }
  // `rest` is the document with an empty auths object: from that object's closing brace on.
  text += `\n\t${rest.slice(AUTHS_EMPTY_INDENTED.length - 1)}`;
  return goEscape(text);
}

// How JSON.stringify(…, null, '\t') starts a document whose first key is `auths`, empty or not.
const AUTHS_EMPTY_INDENTED = '{\n\t"auths": {}';
const AUTHS_OPEN_INDENTED = '{\n\t"auths": {';

/** True when `value` is `{"auth": …}` or `{"auth": …, "email": …}`, string values in that order, its auth written as it is. */
function isAuthEmailOnly(value: Readonly<Record<string, unknown>>): boolean {
  let i = 0;
  for (const name in value) {
    const v = value[name];
    if (typeof v !== 'string' || (i === 0 ? name !== 'auth' || !isPlainJSON(v) : i === 1 ? name !== 'email' : true)) return false;
    i++;
  }
  return i > 0;
}

/** True when JSON.stringify writes `text` as it is between its quotes: printable ASCII but `"` and `\`. */
function isPlainJSON(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

/** The `.dockerconfigjson` payload of a pull secret: compact, kubectl's entry layout, Go-escaped. */
export function serializeConfigJSONCompact(file: AuthFile): string {
  return goEscape(JSON.stringify(buildDoc(file, 'kubernetes')));
}

// The start of every document buildDoc makes: `auths` is its first key, and not an array index.
const AUTHS_OPEN = '{"auths":{';

/**
 * True when an object given these keys in this order lists them (JSON.stringify) in this order,
 * once each: no key repeats (a second set overwrites the first in its place) and none is an
 * array index (those come first, in numeric order). Any all-digit key counts as one.
 */
function keysKeepOrder(keys: readonly string[]): boolean {
  const seen = new Set<string>();
  for (const key of keys) {
    const c = key.charCodeAt(0);
    if (c >= 0x30 && c <= 0x39 && ALL_DIGITS.test(key)) return false;
    seen.add(key);
  }
  return seen.size === keys.length;
}
const ALL_DIGITS = /^[0-9]+$/;

/**
 * The UTF-8 bytes of {@link serializeConfigJSONCompact}, for a pull secret's data, which is only
 * ever needed as bytes (base64 of them, and their count). Entries are written straight into one
 * buffer ({@link writeKubernetesEntries}); one it cannot write byte for byte is written as
 * `JSON.stringify` writes it, and so is everything around `auths`. At 100,000 entries this took
 * half the time of building the text and encoding it.
 */
export function encodeConfigJSONCompact(file: AuthFile): Buffer {
  const entries = file.entries;
  const keys: string[] = new Array(entries.length);
  let capacity = AUTHS_OPEN.length;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as AuthEntry;
    const key = styledKeyOf(e, 'kubernetes');
    keys[i] = key;
    // About right for an entry decoded from `auth` (username and password beside it).
    capacity += key.length + 2 * (e.authText?.length ?? 0) + 64;
  }
  // The auths object is written key by key in entry order, which is its order only when this holds.
  if (!keysKeepOrder(keys)) return Buffer.from(serializeConfigJSONCompact(file), 'utf8');
  const rest = JSON.stringify(buildDoc(file, 'kubernetes', {}));
  if (!rest.startsWith(`${AUTHS_OPEN}}`)) return Buffer.from(serializeConfigJSONCompact(file), 'utf8');
  const out = new JSONBytes(capacity + rest.length);
  out.json(AUTHS_OPEN);
  writeKubernetesEntries(entries, keys, out, (i, comma) => {
    // What JSON.stringify writes for this property of the auths object.
    out.json(`${comma ? ',' : ''}${JSON.stringify(keys[i])}:${JSON.stringify(entryToJSON(entries[i] as AuthEntry, 'kubernetes'))}`);
  });
  // `rest` is the document with an empty auths object: from that object's closing brace on.
  out.json(rest.slice(AUTHS_OPEN.length));
  return out.bytes();
}
