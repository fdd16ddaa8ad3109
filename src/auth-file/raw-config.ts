/**
 * A config.json / auth.json as its raw JSON document, for edits that must change one thing and
 * keep every other key, entry and field exactly (copy into an auth file, migrate into a store).
 */
import { ParseError } from '../errors.js';
import { goEscape, isJSONObject, parseJSONText } from './json-text.js';

/** A parsed top-level document. */
export type RawConfig = Record<string, unknown>;

/** Parses the text of a config file; missing or blank text is an empty document. */
export function parseRawConfig(text: string | undefined, path: string): RawConfig {
  if (text === undefined || text.trim() === '') return {};
  const parsed = parseJSONText(text);
  if (!parsed.ok) throw new ParseError(`${parsed.message}; the file was left untouched`, { file: path });
  const doc = parsed.value;
  if (!isJSONObject(doc)) throw new ParseError('expected a JSON object; the file was left untouched', { file: path });
  for (const name of ['auths', 'credHelpers'] as const) {
    const v = doc[name];
    if (v !== undefined && v !== null && !isJSONObject(v)) {
      throw new ParseError(`"${name}" must be a JSON object; the file was left untouched`, { file: path, key: name });
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
