/**
 * The legacy `~/.dockercfg`: a JSON map from registry key to entry (no `auths` wrapper), or the
 * older two-line form `auth = …` / `email = …`, which always means Docker Hub.
 */
import { parse as parseIni } from 'ini';
import { ParseError } from '../errors.js';
import { DOCKER_HUB_KEY, isPlainHostKey, keyForStyle, parseRegistryKey } from '../registry.js';
import { KUBELET_DECODES, entryToJSON, parseEntry } from './entry.js';
import type { IgnoredField } from './entry.js';
import { goEscape, isJSONObject, setOwn } from './json-text.js';
import type { AuthEntry, AuthFile } from './model.js';
import { styledKeyOf } from './model.js';
import { emptyAuthFile } from './model.js';

/**
 * Reads a parsed `.dockercfg` JSON map. In a `~/.dockercfg` file (`hostOnly`) the path of a key
 * means nothing: containers/image and the old docker cut every key to its host
 * (containers-image-facts item 19; `podman login --get-login quay.io/other` answers from a
 * `quay.io/org` key), so such a key is read, and written, as all of its registry. kubelet reads a
 * dockercfg Secret's keys with their paths, so a Secret's payload is read as written, and with
 * `kubelet` as kubelet decodes entries (see {@link parseEntry}).
 */
export function parseDockercfgJSON(value: unknown, source: string, options: { hostOnly?: boolean; kubelet?: IgnoredField[] } = {}): AuthFile {
  if (!isJSONObject(value)) throw new ParseError('expected a JSON object mapping registry keys to entries', { file: source });
  const file = emptyAuthFile(source, 'dockercfg');
  const kubelet = options.kubelet && { decodes: KUBELET_DECODES, ignored: options.kubelet };
  let index = 0;
  for (const key in value) {
    const entry = parseEntry(value[key], key, source, kubelet, undefined, { index: ++index });
    const k = options.hostOnly && !isPlainHostKey(key) ? parseRegistryKey(key) : undefined;
    // The cached parse is what every comparison and writer uses (keyOf); the key stays as read.
    if (k !== undefined && k.path !== '') entry.parsedKey = { ...k, path: '', canonical: k.host, scope: 'registry', trailingSlash: false, droppedPath: k.path };
    file.entries.push(entry);
  }
  return file;
}

/** True for an entry of a `~/.dockercfg` file whose key had a path its readers ignore ({@link parseDockercfgJSON}). */
export function isWidenedDockercfgKey(entry: AuthEntry): boolean {
  const k = entry.parsedKey;
  return k !== undefined && k.raw === entry.key && k.scheme === undefined && k.droppedPath !== undefined;
}

/** True when text looks like the line form (`auth = …`). */
export function looksLikeDockercfgLines(text: string): boolean {
  return text.trimStart().startsWith('auth = ') || text.trimStart().startsWith('auth=');
}

const LINE_KEYS = [['auth', /^\s*auth\s*=/], ['email', /^\s*email\s*=/]] as const;

/** Reads the line form; it always stands for the Docker Hub key. */
export function parseDockercfgLines(text: string, source: string): AuthFile {
  // ini keeps the last of repeated keys, where the old docker read only the first line: with two
  // `auth` lines either choice would silently drop a credential, so the file is refused instead.
  for (const [key, line] of LINE_KEYS) {
    const lines = text.split('\n').filter((l) => line.test(l)).length;
    if (lines > 1) throw new ParseError(`${lines} "${key} = …" lines; the line form holds one credential (the old docker read only the first): keep one`, { file: source, key });
  }
  const fields = parseIni(text) as Record<string, unknown>;
  if (typeof fields.auth !== 'string' || fields.auth === '') {
    throw new ParseError('the first line must be "auth = <base64>"', { file: source, key: 'auth' });
  }
  const raw: Record<string, unknown> = { auth: fields.auth };
  if (typeof fields.email === 'string') raw.email = fields.email;
  const file = emptyAuthFile(source, 'dockercfg');
  file.variant = 'line';
  file.entries.push(parseEntry(raw, DOCKER_HUB_KEY, source));
  return file;
}

/** Writes the JSON map form, compact as old docker wrote it (`json.Marshal`), Go-escaped. */
export function serializeDockercfg(file: AuthFile): string {
  const doc: Record<string, unknown> = {};
  for (const e of file.entries) setOwn(doc, styledKeyOf(e, 'docker'), entryToJSON(e, 'dockercfg'));
  return goEscape(JSON.stringify(doc));
}

/** The `.dockercfg` payload of a pull secret: the map with kubectl's entry layout. */
export function serializeDockercfgKube(file: AuthFile): string {
  const doc: Record<string, unknown> = {};
  for (const e of file.entries) setOwn(doc, styledKeyOf(e, 'kubernetes'), entryToJSON(e, 'kubernetes'));
  return goEscape(JSON.stringify(doc));
}
