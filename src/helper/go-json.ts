/**
 * JSON read the way Go's `json.NewDecoder(r).Decode(&v)` reads it, for the two sides of the helper
 * protocol that decode with it: helpers reading `store` input into a Credentials struct, and
 * clients (docker, podman, skopeo: docker-credential-helpers `client/client.go`) reading `get` and
 * `list` answers. `JSON.parse` differs where it shows: Go decodes only the first value and never
 * looks at the bytes after it, takes duplicate and differently-cased fields in document order
 * (a later `null` leaves the earlier value), reports the first wrong type in document order,
 * matches field names with Unicode case folding, and turns an unpaired surrogate escape into
 * U+FFFD.
 */
import { jsonValueEnd, skipJSONSpace, topLevelMembers } from '../auth-file/json-text.js';

/** Why the decoder refused the input. Messages quote nothing of the input (it may hold a secret). */
export class GoJSONError extends Error {
  /** `eof`: nothing but white space; `syntax`: not JSON (at `at`); `type`: a value of the wrong kind. */
  readonly kind: 'eof' | 'syntax' | 'type';
  /** Where the syntax error is, in characters from the start of the text. */
  readonly at: number | undefined;
  /** For a member of the wrong type: the struct field, or the map key, it was for. */
  readonly member: string | undefined;
  constructor(kind: 'eof' | 'syntax' | 'type', message: string, at?: number, member?: string) {
    super(message);
    this.kind = kind;
    this.at = at;
    this.member = member;
  }
}

/** A member of the decoded top-level object; `value` is set for strings only. */
interface Member {
  key: string;
  kind: 'string' | 'number' | 'bool' | 'null' | 'object' | 'array';
  value?: string;
}

/** The kind of JSON value a (valid) token starts with, in Go's words. */
function kindOf(token: string): Member['kind'] {
  switch (token[0]) {
    case '"':
      return 'string';
    case '{':
      return 'object';
    case '[':
      return 'array';
    case 'n':
      return 'null';
    case 't':
    case 'f':
      return 'bool';
    default:
      return 'number';
  }
}

// An unpaired surrogate escape, which Go decodes as U+FFFD.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The first JSON value of `text`, checked, with a top-level object split into its members in
 * document order (duplicates kept). Throws GoJSONError for nothing (`EOF`), a value cut short
 * (`unexpected EOF`) or invalid JSON.
 */
function firstValue(text: string): { kind: Member['kind']; members: Member[] } {
  // JSON white space is all Go skips (JS `trim` also drops NBSP, BOM and others).
  const start = skipJSONSpace(text, 0);
  if (start === text.length) throw new GoJSONError('eof', 'EOF');
  const end = jsonValueEnd(text, start);
  if (end === undefined) throw new GoJSONError('syntax', 'unexpected EOF', text.length);
  const token = text.slice(start, end);
  try {
    JSON.parse(token);
  } catch (err) {
    // Node's message quotes the input; keep only where it broke.
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new GoJSONError('syntax', 'invalid JSON', at === undefined ? undefined : start + Number(at));
  }
  const kind = kindOf(token);
  if (kind !== 'object') return { kind, members: [] };
  const members = topLevelMembers(token).map(([name, valueText]): Member => {
    const member: Member = { key: name.replace(LONE_SURROGATE, '\ufffd'), kind: kindOf(valueText) };
    if (member.kind === 'string') member.value = (JSON.parse(valueText) as string).replace(LONE_SURROGATE, '\ufffd');
    return member;
  });
  return { kind, members };
}

/**
 * Go's case-insensitive field match (encoding/json folds with unicode.SimpleFold): ASCII letters
 * either case, plus U+017F (long s) for `s` and U+212A (Kelvin sign) for `k`.
 */
function foldsTo(key: string, field: string): boolean {
  const folded = key.replace(/[A-Z\u017f\u212a]/g, (c) => (c === '\u017f' ? 's' : c === '\u212a' ? 'k' : c.toLowerCase()));
  return folded === field.toLowerCase();
}

/**
 * Decodes the first JSON value of `text` into a Go struct of string fields named `fields` (struct
 * `type`, e.g. "credentials.Credentials"): `null` gives no fields; a field named exactly wins over
 * one matched case-insensitively; members apply in document order, and a `null` member leaves the
 * field as it was; the first member of the wrong kind is reported once the value is read.
 */
export function decodeStringStruct<F extends string>(text: string, type: string, fields: readonly F[]): Partial<Record<F, string>> {
  const { kind, members } = firstValue(text);
  const out: Partial<Record<F, string>> = {};
  if (kind === 'null') return out;
  if (kind !== 'object') throw new GoJSONError('type', `json: cannot unmarshal ${kind} into Go value of type ${type}`);
  const struct = type.slice(type.lastIndexOf('.') + 1);
  let typeError: GoJSONError | undefined;
  for (const m of members) {
    const field = fields.find((f) => f === m.key) ?? fields.find((f) => foldsTo(m.key, f));
    if (field === undefined || m.kind === 'null') continue;
    if (m.kind !== 'string') {
      typeError ??= new GoJSONError('type', `json: cannot unmarshal ${m.kind} into Go struct field ${struct}.${field} of type string`, undefined, field);
      continue;
    }
    out[field] = m.value as string;
  }
  if (typeError) throw typeError;
  return out;
}

/**
 * Decodes the first JSON value of `text` into a Go `map[string]string`: `null` is an empty map, a
 * `null` member is "", a later duplicate key wins; the first member of the wrong kind is reported.
 */
export function decodeStringMap(text: string): Map<string, string> {
  const { kind, members } = firstValue(text);
  const out = new Map<string, string>();
  if (kind === 'null') return out;
  if (kind !== 'object') throw new GoJSONError('type', `json: cannot unmarshal ${kind} into Go value of type map[string]string`);
  let typeError: GoJSONError | undefined;
  for (const m of members) {
    if (m.kind !== 'string' && m.kind !== 'null') {
      typeError ??= new GoJSONError('type', `json: cannot unmarshal ${m.kind} into Go value of type string`, undefined, m.key);
      continue;
    }
    out.set(m.key, m.value ?? '');
  }
  if (typeError) throw typeError;
  return out;
}
