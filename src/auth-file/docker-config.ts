/**
 * Docker `config.json` and podman `auth.json`: the `{"auths": {…}}` shape they share, read into
 * the model and written in each tool's own style.
 */
import { ParseError } from '../errors.js';
import { keyForStyle, parseRegistryKey } from '../registry.js';
import { entryToJSON, parseEntry } from './entry.js';
import { goEscape, isJSONObject, setOwn } from './json-text.js';
import { asGoReadsConfig } from './raw-config.js';
import type { AuthFile } from './model.js';
import { styledKeyOf } from './model.js';
import { emptyAuthFile } from './model.js';

/** True when a parsed JSON object looks like config.json / auth.json rather than a legacy map. */
export function looksLikeConfigJSON(value: Record<string, unknown>): boolean {
  return 'auths' in value || 'credHelpers' in value || 'credsStore' in value || Object.keys(value).length === 0;
}

/** Reads a parsed config.json / auth.json document. */
export function parseConfigJSON(parsed: unknown, source: string, format: 'docker' | 'podman'): AuthFile {
  if (!isJSONObject(parsed)) throw new ParseError('expected a JSON object', { file: source });
  // As docker, podman and kubelet decode it: `Auths` is `auths`, and the two merge.
  const value = asGoReadsConfig(parsed);
  const file = emptyAuthFile(source, format);
  for (const name in value) {
    const v = value[name];
    if (name === 'auths') {
      if (v === null || v === undefined) continue;
      if (!isJSONObject(v)) throw new ParseError('"auths" must be a JSON object', { file: source, key: 'auths' });
      for (const key in v) file.entries.push(parseEntry(v[key], key, source));
    } else if (name === 'credsStore') {
      if (typeof v !== 'string') throw new ParseError('"credsStore" must be a string', { file: source, key: 'credsStore' });
      if (v !== '') file.credsStore = v;
    } else if (name === 'credHelpers') {
      if (v === null || v === undefined) continue;
      if (!isJSONObject(v)) throw new ParseError('"credHelpers" must be a JSON object', { file: source, key: 'credHelpers' });
      for (const key in v) {
        const helper = v[key];
        if (typeof helper !== 'string') throw new ParseError('credHelpers value must be a string', { file: source, key });
        file.credHelpers.set(key, helper);
      }
    } else {
      setOwn(file.extra, name, v);
    }
  }
  return file;
}

function buildDoc(file: AuthFile, style: 'docker' | 'podman' | 'kubernetes'): Record<string, unknown> {
  const keyStyle = style;
  const auths: Record<string, unknown> = {};
  // setOwn: a registry key "__proto__" is a key like any other (an assignment would drop it).
  for (const e of file.entries) setOwn(auths, styledKeyOf(e, keyStyle), entryToJSON(e, style));
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
 */
export function serializeConfigJSON(file: AuthFile, style: 'docker' | 'podman'): string {
  return goEscape(JSON.stringify(buildDoc(file, style), null, '\t'));
}

/** The `.dockerconfigjson` payload of a pull secret: compact, kubectl's entry layout, Go-escaped. */
export function serializeConfigJSONCompact(file: AuthFile): string {
  return goEscape(JSON.stringify(buildDoc(file, 'kubernetes')));
}
