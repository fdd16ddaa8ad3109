/**
 * A config.json / auth.json as its raw JSON document, for edits that must change one thing and
 * keep every other key, entry and field exactly (copy into an auth file, migrate into a store).
 */
import { shownKey } from '../redact.js';
import { ParseError } from '../errors.js';
import { jsonType } from './entry.js';
import { TOO_DEEP, goEscape, isJSONObject, nestsTooDeep, parseJSONText, setOwn, topLevelMembers } from './json-text.js';

/** A parsed top-level document. */
export type RawConfig = Record<string, unknown>;

/**
 * Parses the text of a config file; missing or blank text is an empty document. An `auths` or
 * `credHelpers` that is no object is refused (a writer would have to drop it), unless `asDocker`:
 * a reader that takes the document as docker decodes it (asDockerDecodes) reads it as empty.
 */
export function parseRawConfig(text: string | undefined, path: string, asDocker = false): RawConfig {
  if (text === undefined || text.trim() === '') return {};
  const parsed = parseJSONText(text);
  if (!parsed.ok) throw new ParseError(`${parsed.message}; the file was left untouched`, { file: path });
  if (!isJSONObject(parsed.value)) throw new ParseError('expected a JSON object; the file was left untouched', { file: path });
  const doc = asGoReadsConfig(parsed.value, text);
  for (const name in doc) {
    if (nestsTooDeep(doc[name])) throw new ParseError(`${TOO_DEEP}; the file was left untouched`, { file: path, key: name });
  }
  for (const name of ['auths', 'credHelpers'] as const) {
    const v = doc[name];
    if (!asDocker && v !== undefined && v !== null && !isJSONObject(v)) {
      // docker 28.2 reads it as empty (and warns), and its next save empties every entry: credkit
      // would have to drop the value to write here, so it says how to correct it instead.
      throw new ParseError(`"${name}" is ${jsonType(v)}, not a JSON object; the file was left untouched (correct it, or run credkit convert ${path} --to docker -o ${path}, which reads it as docker does: as empty)`, { file: path, key: name });
    }
  }
  return doc;
}

/** The `auths` object of a document (empty when absent). */
export function rawAuths(doc: RawConfig): Record<string, unknown> {
  return isJSONObject(doc.auths) ? doc.auths : {};
}

/**
 * A config document as docker writes it: tab indent, Go escaping, no final newline. Key order is
 * kept; a document that had no `auths` gets it first.
 */
export function serializeRawConfig(doc: RawConfig, hadAuths: boolean): string {
  const ordered = hadAuths ? doc : { auths: doc.auths, ...doc };
  return goEscape(JSON.stringify(ordered, null, '\t'));
}

// The config fields Go's decoder fills from members whose names match case-insensitively.
const MAP_FIELDS: ReadonlyMap<string, string> = new Map([
  ['auths', 'auths'],
  ['credhelpers', 'credHelpers'],
]);

/**
 * A parsed config document as docker, podman and kubelet read it. They decode it with Go's
 * encoding/json into a struct, where a member name matches its field in any case (`Auths` is
 * `auths`), and each member for a map field (`auths`, `credHelpers`) adds its keys to that one
 * map, later keys replacing earlier ones (a `null` clears it). Such members become one, under its
 * usual name, where the first stood; for `credsStore` the last one wins. Returns `doc` itself in
 * the common case (every name spelled as usual, none repeated).
 *
 * `text` is the JSON text `doc` was parsed from: JSON.parse keeps only the last of two members
 * with the *same* name (two `"auths"`), so those are merged from the text. Only a name that
 * occurs twice in the text sends it through that scan, so a big file pays one `indexOf`.
 */
export function asGoReadsConfig(doc: Record<string, unknown>, text?: string): Record<string, unknown> {
  if (text !== undefined && mayRepeatMapMember(doc, text)) {
    return mergeGoMembers(topLevelMembers(text).map(([name, valueText]): [string, unknown] => [name, JSON.parse(valueText)]));
  }
  if (!Object.keys(doc).some(isOtherSpelling)) return doc;
  return mergeGoMembers(Object.entries(doc));
}

/** True when the name of a map member of `doc` appears twice in `text` (anywhere: a cheap gate). */
function mayRepeatMapMember(doc: Record<string, unknown>, text: string): boolean {
  for (const name in doc) {
    if (MAP_FIELDS.has(name.toLowerCase()) && occursTwice(text, JSON.stringify(name))) return true;
  }
  return false;
}

/**
 * Whether `quoted` occurs twice in `text`. Found through its last three characters (`hs"` of
 * `"auths"`), which seldom occur in a config: V8 scans for a three-character needle about three
 * times as fast as for `"auths"`, whose leading quote stands before every key and value. On a
 * 10,000-entry file the plain search was a twelfth of the time of parsing and writing it.
 */
function occursTwice(text: string, quoted: string): boolean {
  const tail = quoted.slice(-3);
  const head = quoted.length - tail.length;
  let found = 0;
  for (let i = text.indexOf(tail, head); i >= 0; i = text.indexOf(tail, i + tail.length)) {
    if (text.startsWith(quoted, i - head) && ++found === 2) return true;
  }
  return false;
}

/** Members merged as Go decodes them into docker's config struct (see {@link asGoReadsConfig}). */
export function mergeGoMembers(members: readonly [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of members) {
    const lower = name.toLowerCase();
    const field = MAP_FIELDS.get(lower);
    if (field !== undefined) {
      const current = out[field];
      if (isJSONObject(value) && isJSONObject(current)) for (const key in value) setOwn(current, key, value[key]);
      else setOwn(out, field, isJSONObject(value) ? { ...value } : value);
    } else if (lower === 'credsstore') {
      out.credsStore = value;
    } else {
      setOwn(out, name, value);
    }
  }
  return out;
}

function isOtherSpelling(name: string): boolean {
  const lower = name.toLowerCase();
  return (lower === 'auths' || lower === 'credhelpers' || lower === 'credsstore') && name !== 'auths' && name !== 'credHelpers' && name !== 'credsStore';
}

/**
 * A value of a config.json that Go's decoder could not put in docker's field for it (a number
 * where a string goes, an array where an object goes): docker leaves the field empty, warns
 * ("WARNING: Error parsing config file") and uses the rest of the file.
 */
export interface MistypedValue {
  /** The top-level member it is in. */
  member: 'auths' | 'credsStore' | 'credHelpers';
  /** The `auths` or `credHelpers` key, for a value inside one of them. */
  key?: string;
  /** The field of the `auths` entry, for a field (no field: the entry itself). */
  field?: string;
  /** What the value was: "an array", "a number"…. */
  type: string;
  /**
   * Set for an auth.json read as podman reads it: a value containers/image never decodes (it
   * reads the file), rather than one docker decodes as empty.
   */
  format?: 'podman';
}

/** A mistyped value in words, as docker's warning would place it (names and keys, never a value). */
export function describeMistyped(m: MistypedValue): string {
  const key = JSON.stringify(shownKey(m.key ?? ''));
  if (m.key === undefined) return `"${m.member}" is ${m.type}, not ${m.member === 'credsStore' ? 'a string' : 'an object'}`;
  if (m.member === 'credHelpers') return `credHelpers[${key}] is ${m.type}, not a string`;
  if (m.field === undefined) return `key ${key}: the entry is ${m.type}, not an object`;
  return `key ${key}: "${m.field}" is ${m.type}, not a string`;
}

// The fields of docker's AuthConfig, whose names match in any case.
const ENTRY_FIELDS = new Set(['auth', 'username', 'password', 'email', 'serveraddress', 'identitytoken', 'registrytoken']);

/**
 * A config document (as {@link asGoReadsConfig} gives it) as Go decodes it into docker's
 * ConfigFile: a value of the wrong JSON type (`"credsStore": 5`, an entry that is an array, a
 * field `"auth": 5`) leaves its field empty, and decoding goes on, so docker warns and uses the
 * rest; `null` leaves a field empty without a warning. `mistyped` lists what docker's warning is
 * about, in document order. Returns `doc` itself when every value has its type.
 */
export function asDockerDecodes(doc: Record<string, unknown>): { doc: Record<string, unknown>; mistyped: MistypedValue[] } {
  const mistyped: MistypedValue[] = [];
  let out = doc;
  const set = (name: string, value: unknown) => {
    if (out === doc) out = { ...doc };
    if (value === undefined) delete out[name];
    else setOwn(out, name, value);
  };
  const auths = doc.auths;
  if (auths !== undefined && auths !== null && !isJSONObject(auths)) {
    mistyped.push({ member: 'auths', type: jsonType(auths) });
    set('auths', undefined);
  } else if (auths) {
    let copy: Record<string, unknown> | undefined;
    for (const key in auths) {
      const entry = auths[key];
      const decoded = entryAsDecoded(entry, key, mistyped);
      if (decoded !== entry) setOwn((copy ??= { ...auths }), key, decoded);
    }
    if (copy) set('auths', copy);
  }
  const store = doc.credsStore;
  if (store !== undefined && store !== null && typeof store !== 'string') {
    mistyped.push({ member: 'credsStore', type: jsonType(store) });
    set('credsStore', undefined);
  }
  const helpers = doc.credHelpers;
  if (helpers !== undefined && helpers !== null && !isJSONObject(helpers)) {
    mistyped.push({ member: 'credHelpers', type: jsonType(helpers) });
    set('credHelpers', undefined);
  } else if (helpers) {
    let copy: Record<string, unknown> | undefined;
    for (const key in helpers) {
      const helper = helpers[key];
      if (typeof helper === 'string') continue;
      // The key stays, naming no helper: docker then reads the file for it.
      if (helper !== null) mistyped.push({ member: 'credHelpers', key, type: jsonType(helper) });
      setOwn((copy ??= { ...helpers }), key, '');
    }
    if (copy) set('credHelpers', copy);
  }
  return { doc: out, mistyped };
}

/** One `auths` value as Go decodes it into an AuthConfig (see {@link asDockerDecodes}). */
function entryAsDecoded(entry: unknown, key: string, mistyped: MistypedValue[]): unknown {
  if (entry === null) return {};
  if (!isJSONObject(entry)) {
    mistyped.push({ member: 'auths', key, type: jsonType(entry) });
    return {};
  }
  let copy: Record<string, unknown> | undefined;
  for (const name in entry) {
    const value = entry[name];
    if (value === null || typeof value === 'string' || !ENTRY_FIELDS.has(name.toLowerCase())) continue;
    mistyped.push({ member: 'auths', key, field: name, type: jsonType(value) });
    delete (copy ??= { ...entry })[name];
  }
  return copy ?? entry;
}
