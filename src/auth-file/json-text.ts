/**
 * JSON text the way Go's encoding/json writes it, for byte compatibility with docker, podman
 * and kubectl output: `<`, `>`, `&`, U+2028 and U+2029 escaped.
 */

// One pass over the whole document, compiled once.
const GO_ESCAPED = /[<>&\u2028\u2029]/g;

function escapeChar(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Applies Go's HTML-safe escaping to JSON text (only string contents can hold these characters). */
export function goEscape(json: string): string {
  // Five indexOf scans of megabytes cost a tenth of one regular-expression test.
  const escaped = json.includes('<') || json.includes('>') || json.includes('&') || json.includes('\u2028') || json.includes('\u2029');
  return escaped ? json.replace(GO_ESCAPED, escapeChar) : json;
}

/** JSON.parse with the file named in the error; `what` says what the text should have been. */
export function parseJSONText(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    // V8's messages quote a few characters of the input; they could be part of a secret.
    const m = /position (\d+)/.exec((err as Error).message);
    return { ok: false, message: m ? `invalid JSON at position ${m[1]}` : 'invalid JSON' };
  }
}

/**
 * How deep arrays and objects may nest in a value credkit keeps and writes back. JSON.stringify
 * and the YAML library recurse, and overflow the stack at a few thousand levels (YAML: a few
 * hundred), so deeper input is refused when read instead of crashing when written. Go's decoder,
 * which docker, podman and kubelet use, stops at 10,000; no real file comes near either.
 */
export const MAX_NESTING = 256;

/**
 * True when `value` nests arrays or objects more than {@link MAX_NESTING} levels deep (the value
 * itself is level 1). Walks with its own stack, so that the check cannot overflow either.
 */
export function nestsTooDeep(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: [object, number][] = [[value, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [node, depth] = top;
    if (depth > MAX_NESTING) return true;
    for (const child of Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** The error text for a value {@link nestsTooDeep} refuses. */
export const TOO_DEEP = `nested more than ${MAX_NESTING} levels deep, which credkit cannot write back`;

/** True for a plain JSON object (not null, not an array). */
export function isJSONObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Sets an own property, "__proto__" included: JSON.parse makes that key an own property, and a
 * plain assignment would set the object's prototype instead, losing the field.
 */
export function setOwn(target: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  else target[name] = value;
}

/**
 * The members of the top-level object of `text`, in order and duplicates included (JSON.parse
 * keeps only the last of two equal names), each with its value's text. `text` must be valid JSON
 * (it has been through JSON.parse) holding an object.
 */
export function topLevelMembers(text: string): [name: string, valueText: string][] {
  const out: [string, string][] = [];
  let i = skipJSONSpace(text, 0) + 1;
  for (;;) {
    i = skipJSONSpace(text, i);
    if (text.charCodeAt(i) !== 0x22) break; // `}`: the end
    const nameEnd = jsonValueEnd(text, i) as number;
    const name = JSON.parse(text.slice(i, nameEnd)) as string;
    const start = skipJSONSpace(text, skipJSONSpace(text, nameEnd) + 1);
    const end = jsonValueEnd(text, start) as number;
    out.push([name, text.slice(start, end)]);
    i = skipJSONSpace(text, end);
    if (text.charCodeAt(i) === 0x2c) i++;
  }
  return out;
}

/** The index of the first character from `i` on that is not JSON white space (which is all Go skips). */
export function skipJSONSpace(text: string, i: number): number {
  for (let c = text.charCodeAt(i); c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d; c = text.charCodeAt(++i));
  return i;
}

const LITERAL = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The index after the JSON value that starts at `i`, found by its quotes and brackets alone
 * (the caller parses the value, which checks the rest), or undefined when the text ends first.
 * A literal ends where its grammar does (`true` of `truex`), as in Go's decoder; a character no
 * value starts with is taken as one, for JSON.parse to refuse.
 */
export function jsonValueEnd(text: string, i: number): number | undefined {
  const first = text.charCodeAt(i);
  if (first !== 0x22 && first !== 0x7b && first !== 0x5b) {
    if (i >= text.length) return undefined;
    LITERAL.lastIndex = i;
    return LITERAL.test(text) ? LITERAL.lastIndex : i + 1;
  }
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x22) {
      // To the closing quote, a backslash escaping the character after it.
      for (j++; j < text.length && text.charCodeAt(j) !== 0x22; j++) if (text.charCodeAt(j) === 0x5c) j++;
      if (j >= text.length) return undefined;
      if (depth === 0) return j + 1;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
    } else if ((c === 0x7d || c === 0x5d) && --depth === 0) {
      return j + 1;
    }
  }
  return undefined;
}

/**
 * The text of the object or array `text` starts with (after white space), when something other
 * than white space follows it; undefined otherwise. Go's json.Decoder, which docker reads
 * config.json with, decodes that first value and never reads what follows. Brackets are matched
 * (strings skipped) without checking the rest of the syntax: the caller parses the result.
 */
export function leadingValueText(text: string): string | undefined {
  const start = skipJSONSpace(text, 0);
  const first = text.charCodeAt(start);
  if (first !== 0x7b && first !== 0x5b) return undefined;
  const end = jsonValueEnd(text, start);
  return end !== undefined && skipJSONSpace(text, end) < text.length ? text.slice(0, end) : undefined;
}
