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
