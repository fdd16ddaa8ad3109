/**
 * Combining entries by canonical registry key (src/registry.ts), in one pass: a later or earlier
 * entry replaces the *whole* other entry (never a field-level deep merge, so no stale
 * `identitytoken` survives beside a new `auth`). Conflicts are reported by file and key only.
 */
import { CredkitError } from '../errors.js';
import { maskUserinfoDeep } from '../redact.js';
import { parseRegistryKey } from '../registry.js';
import type { RegistryKey } from '../registry.js';
import type { AuthEntry, AuthFile, AuthFormat, Origin } from './model.js';
import { canonicalOf, keyOf } from './model.js';
import { emptyAuthFile, sameCredential } from './model.js';
import { setOwn } from './json-text.js';

/** Which entry wins when two keys mean the same registry scope with different credentials. */
export type ConflictPolicy = 'first' | 'last' | 'fail';

/** Two entries (or helper settings) for one canonical key that disagree. */
export interface Conflict {
  /** The canonical key (or top-level field name) they share. */
  key: string;
  kind: 'entry' | 'credHelpers' | 'credsStore' | 'top-level';
  kept: Origin;
  dropped: Origin;
}

/** The merged file and what disagreed. */
export interface MergeResult {
  file: AuthFile;
  conflicts: Conflict[];
  /** Entries dropped because an equal credential under the same canonical key was kept. */
  duplicates: { kept: Origin; dropped: Origin }[];
}

/**
 * Raised by the `fail` policy; the message lists file and key of every conflict. `advice` says
 * how to choose: the library's policy by default (a library caller has no flags), the CLI's
 * `--prefer` from `credkit merge`.
 */
export class ConflictError extends CredkitError {
  readonly conflicts: Conflict[];
  constructor(conflicts: Conflict[], advice = 'choose one with the policy "first" or "last"') {
    // Keys written with a password in them (`https://alice:pw@quay.io`) show it masked, as in every report.
    const shown = maskUserinfoDeep(conflicts);
    const lines = shown.map((c) => `  ${c.key}: ${c.kept.file} (key "${c.kept.key}") vs ${c.dropped.file} (key "${c.dropped.key}")`);
    super('CONFLICT', `${conflicts.length} conflicting ${conflicts.length === 1 ? 'entry' : 'entries'}; ${advice}:\n${lines.join('\n')}`);
    this.conflicts = shown;
  }
}

/** True when an entry's key is the exact spelling its own file's consumer looks up. */
function isExactKey(entry: AuthEntry, format: AuthFormat): boolean {
  return isExactSpelling(entry.key, keyOf(entry), format);
}

/** True when `raw` (parsed: `k`) is the spelling a `format` file's consumer looks up. */
function isExactSpelling(raw: string, k: RegistryKey, format: AuthFormat): boolean {
  if (format === 'podman') return raw === k.canonical;
  return k.hub && k.path === '' ? raw === 'https://index.docker.io/v1/' : raw === k.canonical;
}

/**
 * Merges files in order. Within one file, when two keys normalise to the same scope, the key that
 * file's own consumer looks up exactly wins (docker: `https://index.docker.io/v1/`, podman:
 * `docker.io`); across files, `policy` decides. Linear in the number of entries.
 */
export function mergeAuthFiles(files: readonly AuthFile[], policy: ConflictPolicy, format: AuthFormat = 'docker'): MergeResult {
  const out = emptyAuthFile(files.length === 1 ? (files[0] as AuthFile).source : files.map((f) => f.source).join(' + '), format);
  const conflicts: Conflict[] = [];
  const duplicates: MergeResult['duplicates'] = [];
  // One pass: canonical key → index in out.entries, and which input file that entry came from.
  const slots = new Map<string, number>();
  const slotFile: number[] = [];
  const sources = new Map<string, string>();
  const owners = new Map<string, AuthFile>();
  // One file: only the scopes two of its entries share need a slot (`slotFile` is not kept).
  const one = files.length === 1 ? sharedScopes(files[0]!.entries) : undefined;
  const shared = one?.shared;
  for (let fileIndex = 0; fileIndex < files.length; fileIndex++) {
    const file = files[fileIndex]!;
    if (shared?.size === 0) {
      out.entries = file.entries.slice();
      mergeHelpers(out, file, policy, conflicts, sources, owners);
      continue;
    }
    const entries = file.entries;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const canonical = one !== undefined ? one.canonical[i]! : canonicalOf(entry);
      if (shared !== undefined && !shared.has(canonical)) {
        // No other entry has this scope: nothing to look up or remember.
        out.entries.push(entry);
        continue;
      }
      const at = slots.get(canonical);
      if (at === undefined) {
        slots.set(canonical, out.entries.length);
        if (shared === undefined) slotFile[out.entries.length] = fileIndex;
        out.entries.push(entry);
        continue;
      }
      const old = out.entries[at]!;
      let takeNew: boolean;
      if (shared !== undefined || slotFile[at] === fileIndex) takeNew = !isExactKey(old, file.format) && isExactKey(entry, file.format);
      else takeNew = policy === 'last';
      const kept = takeNew ? entry : old;
      const dropped = takeNew ? old : entry;
      if (sameCredential(old, entry)) duplicates.push({ kept: kept.origin, dropped: dropped.origin });
      else conflicts.push({ key: canonical, kind: 'entry', kept: kept.origin, dropped: dropped.origin });
      if (takeNew) {
        out.entries[at] = entry;
        if (shared === undefined) slotFile[at] = fileIndex;
      }
    }
    mergeHelpers(out, file, policy, conflicts, sources, owners);
  }
  if (policy === 'fail') {
    const across = conflicts.filter((c) => c.kept.file !== c.dropped.file);
    if (across.length > 0) throw new ConflictError(across);
  }
  return { file: out, conflicts, duplicates };
}

/**
 * The canonical keys that more than one entry of one file has (`shared`), and each entry's
 * canonical key by index, which the merge reuses rather than working every one out twice (for a
 * 10,000-entry file that was a twentieth of converting it). Keys that are already canonical are distinct (they are the keys of one JSON
 * object), so only a key that is not canonical can share its scope: the set is found without
 * indexing every entry (a Map of 100,000 keys was a tenth of converting a big file).
 */
function sharedScopes(entries: readonly AuthEntry[]): { shared: Set<string>; canonical: string[] } {
  const canonical: string[] = new Array(entries.length);
  const respelled = new Map<string, number>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const c = canonicalOf(e);
    canonical[i] = c;
    if (c !== e.key) respelled.set(c, (respelled.get(c) ?? 0) + 1);
  }
  const shared = new Set<string>();
  if (respelled.size === 0) return { shared, canonical };
  for (const [c, count] of respelled) if (count > 1) shared.add(c);
  for (const e of entries) if (respelled.has(e.key)) shared.add(e.key);
  return { shared, canonical };
}

/**
 * `sources` remembers which file each credHelpers key (and `credsStore`) came from, by name for
 * reports; `owners` the file itself, to tell two spellings in one file from two files.
 */
function mergeHelpers(out: AuthFile, file: AuthFile, policy: ConflictPolicy, conflicts: Conflict[], sources: Map<string, string>, owners: Map<string, AuthFile>): void {
  const canonicalHelpers = new Map<string, string>();
  if (file.credHelpers.size > 0) for (const key of out.credHelpers.keys()) canonicalHelpers.set(parseRegistryKey(key).canonical, key);
  for (const [key, helper] of file.credHelpers) {
    const canonical = parseRegistryKey(key).canonical;
    const oldKey = canonicalHelpers.get(canonical);
    if (oldKey === undefined) {
      out.credHelpers.set(key, helper);
      canonicalHelpers.set(canonical, key);
      sources.set(`helper:${key}`, file.source);
      owners.set(key, file);
      continue;
    }
    const oldHelper = out.credHelpers.get(oldKey)!;
    if (oldHelper === helper) {
      // The same route under another spelling: each client looks up one spelling (docker
      // `https://index.docker.io/v1/`, podman `docker.io`), so both stay, and nothing disagrees.
      if (!out.credHelpers.has(key)) {
        out.credHelpers.set(key, helper);
        sources.set(`helper:${key}`, file.source);
        owners.set(key, file);
      }
      continue;
    }
    // Two spellings in one file: as for entries, the one this file's consumer looks up wins
    // (docker matches credHelpers keys exactly, so the other route was never taken by it).
    const sameFile = owners.get(oldKey) === file;
    const takeNew = sameFile ? !isExactSpelling(oldKey, parseRegistryKey(oldKey), file.format) && isExactSpelling(key, parseRegistryKey(key), file.format) : policy === 'last';
    const a = { file: sources.get(`helper:${oldKey}`) ?? out.source, key: oldKey };
    const b = { file: file.source, key };
    conflicts.push({ key: canonical, kind: 'credHelpers', kept: takeNew ? b : a, dropped: takeNew ? a : b });
    if (takeNew) {
      out.credHelpers.delete(oldKey);
      out.credHelpers.set(key, helper);
      canonicalHelpers.set(canonical, key);
      sources.set(`helper:${key}`, file.source);
      owners.set(key, file);
    }
  }
  if (file.credsStore !== undefined) {
    if (out.credsStore !== undefined && out.credsStore !== file.credsStore) {
      const a = { file: sources.get('credsStore') ?? out.source, key: 'credsStore' };
      const b = { file: file.source, key: 'credsStore' };
      conflicts.push({ key: 'credsStore', kind: 'credsStore', kept: policy === 'last' ? b : a, dropped: policy === 'last' ? a : b });
    }
    if (out.credsStore === undefined || policy === 'last') {
      out.credsStore = file.credsStore;
      sources.set('credsStore', file.source);
    }
  }
  for (const name in file.extra) {
    const value = file.extra[name];
    if (Object.hasOwn(out.extra, name)) {
      if (!sameJSON(out.extra[name], value)) {
        const a = { file: sources.get(`extra:${name}`) ?? out.source, key: name };
        const b = { file: file.source, key: name };
        conflicts.push({ key: name, kind: 'top-level', kept: policy === 'last' ? b : a, dropped: policy === 'last' ? a : b });
      }
      if (policy !== 'last') continue;
    }
    setOwn(out.extra, name, value);
    sources.set(`extra:${name}`, file.source);
  }
}

/** Deep equality of parsed JSON values (object key order does not matter, as for their readers). */
function sameJSON(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => sameJSON(x, (b as unknown[])[i]));
  const ak = Object.keys(a);
  const bo = b as Record<string, unknown>;
  return ak.length === Object.keys(bo).length && ak.every((k) => Object.hasOwn(bo, k) && sameJSON((a as Record<string, unknown>)[k], bo[k]));
}
