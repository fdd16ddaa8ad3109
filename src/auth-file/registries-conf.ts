/**
 * registries.conf as containers/image's sysregistriesv2 reads it, for what decides a credential
 * (as in podman 4.3, buildah 1.28 and skopeo 1.9):
 * - short names: podman and buildah pull `centos` from `quay.io/centos/centos` where a short-name
 *   alias says so (Debian's and Fedora's shortnames.conf), else from the
 *   `unqualified-search-registries`, else not at all (docker, skopeo and kubelet read every short
 *   name as Docker Hub's). The credential a pull sends is the one for the resolved name, so
 *   explain has to resolve it first;
 * - `credential-helpers`: the helpers podman, buildah and skopeo ask, in order, where
 *   `containers-auth.json` stands for the auth files; by default that alone;
 * - `[[registry]]` tables: where a pull of a name goes (blocked, mirrors first, another location),
 *   each place asked with the credential for its own name.
 *
 * Pure: the files are located here and read by the caller (credential-lookup.ts). The facts below
 * were checked against podman 4.3.1, buildah 1.28.2 and skopeo 1.9.3 (their debug log names each
 * file they load), and the answers against their pulls in test/e2e/explain-real-clients.test.ts.
 */
import { join } from 'node:path';
import type { Host } from '../io.js';
import type { ImageRef } from '../image-ref.js';
import { namesNoRegistry, parseImageRef } from '../image-ref.js';
import { isJSONObject } from './json-text.js';

/** Where the configuration is, in the order it is read; drop-in directories are listed by the caller. */
export interface RegistriesConfPlaces {
  /** The main file: CONTAINERS_REGISTRIES_CONF, else the user's, else the system's (the user's replaces it). */
  main: string;
  /** Directories whose `*.conf` files are read after it, in byte order of their names. */
  dropInDirs: string[];
  /** The aliases podman recorded after a prompt, which come before every file's. */
  aliasCache: string;
}

const SYSTEM_FILE = '/etc/containers/registries.conf';
const SYSTEM_DROP_INS = '/etc/containers/registries.conf.d';

/**
 * The files podman and buildah read. `$HOME/.config/containers/registries.conf` replaces the
 * system file and its drop-ins (XDG_CONFIG_HOME is not consulted); CONTAINERS_REGISTRIES_CONF
 * replaces the main file and leaves both drop-in directories. `userFileExists` says whether the
 * user's file is there (the caller looked). skopeo 1.9 (`readsVariable` false) never reads
 * CONTAINERS_REGISTRIES_CONF, only its own `--registries-conf` flag.
 */
export function registriesConfPlaces(host: Host, userFileExists: boolean, uid: number | undefined, readsVariable = true): RegistriesConfPlaces {
  const userFile = userRegistriesConf(host);
  const userDropIns = `${userFile}.d`;
  const named = readsVariable ? host.env.CONTAINERS_REGISTRIES_CONF : undefined;
  const main = named ? named : userFileExists ? userFile : SYSTEM_FILE;
  const dropInDirs = !named && userFileExists ? [userDropIns] : [SYSTEM_DROP_INS, userDropIns];
  const xdgCache = host.env.XDG_CACHE_HOME;
  const aliasCache = uid === 0 ? '/var/cache/containers/short-name-aliases.conf' : join(xdgCache ? xdgCache : join(host.home, '.cache'), 'containers', 'short-name-aliases.conf');
  return { main, dropInDirs, aliasCache };
}

/** The user's own registries.conf, whose existence decides the main file. */
export function userRegistriesConf(host: Host): string {
  return join(host.home, '.config', 'containers', 'registries.conf');
}

/** A registries.conf file as the caller read it (absent from the list: missing). */
export interface RegistriesConfText {
  path: string;
  text: string;
  /**
   * Why it could not be read (a directory, permission denied; a CONTAINERS_REGISTRIES_CONF that
   * does not exist): containers/image then loads no configuration, and every pull fails.
   */
  error?: string;
}

type ShortNameMode = 'enforcing' | 'permissive' | 'disabled';

/** The name that stands for the auth files in `credential-helpers` (sysregistriesv2.AuthenticationFileHelper). */
export const AUTH_FILES_HELPER = 'containers-auth.json';

/** The settings credkit reads, merged over every file. */
export interface RegistriesConf {
  /** Alias → target (a fully qualified name) and the file that set it. */
  aliases: Map<string, { target: string; file: string }>;
  search: { registries: string[]; file: string } | undefined;
  mode: ShortNameMode | undefined;
  /**
   * `credential-helpers`, when a file sets a list that is not empty, and the last file that set
   * it (a later file's list replaces an earlier one's; `[]` sets the default back): the helper
   * names in the order they are asked, {@link AUTH_FILES_HELPER} standing for the auth files.
   * Absent: the default, the auth files alone.
   */
  credentialHelpers?: { helpers: string[]; file: string };
  /** The `[[registry]]` tables, one per prefix (a later file's replaces an earlier one's). */
  registries: RegistryTable[];
  /** The first file podman cannot load, which fails every pull: why, without quoting it. */
  broken?: { file: string; why: string };
}

/** A TOML parser, loaded by the caller (smol-toml's `parse`): the pure core takes it as given. */
export type TomlParse = (text: string) => unknown;

/**
 * Merges the files read in order (main file, drop-ins, then the alias cache): a later file
 * replaces an alias it names (`""` removes it), and the search list, mode and credential helpers
 * whole. The alias cache is read last and wins, as podman consults it first.
 */
export function mergeRegistriesConf(files: readonly RegistriesConfText[], aliasCache: RegistriesConfText | undefined, parse: TomlParse): RegistriesConf {
  const out: RegistriesConf = { aliases: new Map(), search: undefined, mode: undefined, registries: [] };
  for (const f of aliasCache === undefined ? files : [...files, aliasCache]) {
    if (f.error !== undefined) {
      out.broken ??= { file: f.path, why: f.error };
      continue;
    }
    let doc: unknown;
    try {
      doc = parse(f.text);
    } catch (err) {
      // The parser's message shows the line; only its number is said.
      const line = (err as { line?: unknown }).line;
      out.broken ??= { file: f.path, why: `invalid TOML${typeof line === 'number' ? ` at line ${line}` : ''}` };
      continue;
    }
    if (!isJSONObject(doc)) continue;
    const search = doc['unqualified-search-registries'];
    if (Array.isArray(search) && f !== aliasCache) out.search = { registries: search.filter((r): r is string => typeof r === 'string'), file: f.path };
    const mode = doc['short-name-mode'];
    if (f !== aliasCache && (mode === 'enforcing' || mode === 'permissive' || mode === 'disabled')) out.mode = mode;
    if (f !== aliasCache && doc.registry !== undefined) {
      const tables = registryTables(doc.registry, f.path);
      if (typeof tables === 'string') out.broken ??= { file: f.path, why: tables };
      else for (const t of tables) out.registries = [...out.registries.filter((r) => r.prefix !== t.prefix), t];
    }
    const helpers = doc['credential-helpers'];
    if (f !== aliasCache && helpers !== undefined) {
      // Go decodes the list into []string: anything else fails the file, and with it every pull.
      if (!Array.isArray(helpers) || !helpers.every((h) => typeof h === 'string')) out.broken ??= { file: f.path, why: 'credential-helpers is not a list of names' };
      else if (helpers.length > 0) out.credentialHelpers = { helpers: helpers as string[], file: f.path };
      else delete out.credentialHelpers;
    }
    const aliases = doc.aliases;
    if (!isJSONObject(aliases)) continue;
    for (const [name, target] of Object.entries(aliases)) {
      if (typeof target !== 'string') continue;
      if (target === '') {
        out.aliases.delete(name);
        continue;
      }
      const bad = badAlias(name, target);
      if (bad !== undefined) {
        out.broken ??= { file: f.path, why: bad };
        continue;
      }
      out.aliases.set(name, { target, file: f.path });
    }
  }
  return out;
}

/** Why podman refuses an alias (and with it the file, and every pull), or undefined. */
function badAlias(name: string, target: string): string | undefined {
  const key = refOf(name);
  if (key === undefined || !namesNoRegistry(name) || name.includes('@') || /:[^/]*$/.test(name)) return `the short-name alias "${name}" is not a short name without a tag or digest`;
  const value = refOf(target);
  if (value === undefined || namesNoRegistry(target) || target.includes('@') || /:[^/]*$/.test(target.slice(target.indexOf('/') + 1))) {
    return `the short-name alias "${name}" names "${target}", which is not a fully qualified name without a tag or digest`;
  }
  return undefined;
}

function refOf(text: string): ImageRef | undefined {
  try {
    return parseImageRef(text);
  } catch {
    return undefined;
  }
}

/** How podman and buildah resolve a short name. */
export type ShortNameResolution =
  /** An alias: they pull `ref`. */
  | { kind: 'alias'; ref: ImageRef; file: string }
  /** The search registries, tried in turn (no terminal to prompt on): the first that has the image is pulled. */
  | { kind: 'search'; refs: ImageRef[]; file: string }
  /** They fail before any request. */
  | { kind: 'fails'; why: string };

/**
 * Resolves `ref` (a short name, {@link isShortName}) as podman and buildah do without a terminal:
 * the alias of its name without tag or digest (`centos:7` looks up `centos`, `library/centos` its
 * own key), the tag or digest carried over; else each search registry in turn, or the only one in
 * enforcing mode, which otherwise prompts on a terminal and fails without one.
 */
export function resolveShortName(ref: ImageRef, config: RegistriesConf): ShortNameResolution {
  if (config.broken !== undefined) return { kind: 'fails', why: `they cannot load ${config.broken.file}: ${config.broken.why}` };
  // The name as typed, without the tag and digest parseImageRef split off.
  const suffix = `${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
  const text = ref.input.trim();
  const name = text.slice(0, text.length - suffix.length);
  const alias = config.aliases.get(name);
  if (alias !== undefined) return { kind: 'alias', ref: parseImageRef(`${alias.target}${suffix}`), file: alias.file };
  const search = config.search;
  if (search === undefined || search.registries.length === 0) {
    return { kind: 'fails', why: `short-name "${name}" did not resolve to an alias and no unqualified-search registries are defined` };
  }
  if (search.registries.length > 1 && config.mode === 'enforcing') {
    return { kind: 'fails', why: `short-name resolution is enforced (short-name-mode), and "${name}" has no alias: on a terminal they ask which of ${search.registries.join(', ')} to pull from, and fail without one` };
  }
  return { kind: 'search', refs: search.registries.map((r) => parseImageRef(`${r}/${name}${suffix}`)), file: search.file };
}

/** A `[[registry]]` table as sysregistriesv2 keeps it once loaded. */
export interface RegistryTable {
  /** What it matches: a name or namespace (`quay.io/org`), or `*.example.com` for subdomains. */
  prefix: string;
  /** Where a pull goes instead of the prefix ('' for a wildcard prefix: where it was going). */
  location: string;
  blocked: boolean;
  mirrorByDigestOnly: boolean;
  mirrors: { location: string; pullFromMirror: 'all' | 'digest-only' | 'tag-only' | undefined }[];
  /** The file that set it. */
  file: string;
}

/** The location as sysregistriesv2's parseLocation keeps it, or why it refuses it. */
function locationOf(text: string): string | { refused: string } {
  const trimmed = text.replace(/\/+$/, '');
  return /^https?:\/\//.test(trimmed) ? { refused: `the location "${text}" has a URI scheme` } : trimmed;
}

/**
 * The `[[registry]]` tables of one file, checked as sysregistriesv2's postProcessRegistries and
 * loadConfigFile check them (a table it refuses fails the file, and every pull), the first of two
 * with one prefix kept; or why the file is refused. Only the fields that decide where a pull goes
 * are read (`insecure` only for its conflicts).
 */
function registryTables(raw: unknown, file: string): RegistryTable[] | string {
  if (!Array.isArray(raw)) return 'registry is not a list of [[registry]] tables';
  const out: RegistryTable[] = [];
  const seen = new Map<string, { blocked: boolean; insecure: boolean }>();
  for (const t of raw) {
    if (!isJSONObject(t)) return 'registry is not a list of [[registry]] tables';
    const str = (v: unknown) => (v === undefined || typeof v === 'string' ? (v ?? '') : undefined);
    const bool = (v: unknown) => (v === undefined || typeof v === 'boolean' ? v === true : undefined);
    const [prefixText, locationText, blocked, insecure, byDigest] = [str(t.prefix), str(t.location), bool(t.blocked), bool(t.insecure), bool(t['mirror-by-digest-only'])];
    if (prefixText === undefined || locationText === undefined || blocked === undefined || insecure === undefined || byDigest === undefined) return 'a [[registry]] field has the wrong type';
    const location = locationOf(locationText);
    if (typeof location !== 'string') return location.refused;
    let prefix: string;
    if (prefixText === '') {
      if (location === '') return 'a [[registry]] sets neither location nor prefix';
      prefix = location;
    } else {
      const p = locationOf(prefixText);
      if (typeof p !== 'string') return p.refused;
      if (!p.startsWith('*.') && location === '') return `the [[registry]] prefix "${p}" has no location and is not *.example.com`;
      prefix = p;
    }
    if (prefix.startsWith('*.') && /[/@:]/.test(prefix)) return `the wildcard prefix "${prefix}" is not *.example.com`;
    if (t['pull-from-mirror'] !== undefined) return `pull-from-mirror is set for the registry "${prefix}", not a mirror`;
    const mirrors: RegistryTable['mirrors'] = [];
    if (t.mirror !== undefined && !Array.isArray(t.mirror)) return `the mirrors of "${prefix}" are not a list of [[registry.mirror]] tables`;
    for (const m of (t.mirror ?? []) as unknown[]) {
      if (!isJSONObject(m) || str(m.location) === undefined || str(m['pull-from-mirror']) === undefined) return `a mirror of "${prefix}" has a field of the wrong type`;
      const ml = locationOf(m.location as string);
      if (typeof ml !== 'string') return ml.refused;
      if (ml === '') return `a mirror of "${prefix}" has no location`;
      const pull = m['pull-from-mirror'] as string | undefined;
      if (pull !== undefined && pull !== '' && byDigest) return `the registry "${prefix}" sets mirror-by-digest-only and its mirror "${ml}" pull-from-mirror`;
      if (pull !== undefined && pull !== '' && pull !== 'all' && pull !== 'digest-only' && pull !== 'tag-only') return `the mirror "${ml}" has pull-from-mirror "${pull}"`;
      mirrors.push({ location: ml, pullFromMirror: pull === '' ? undefined : (pull as 'all' | 'digest-only' | 'tag-only' | undefined) });
    }
    // One location written twice must agree on blocked and insecure.
    const key = location === '' ? prefix : location;
    const before = seen.get(key);
    if (before !== undefined && (before.blocked !== blocked || before.insecure !== insecure)) return `the registry "${key}" is set twice with conflicting blocked or insecure`;
    seen.set(key, { blocked, insecure });
    if (!out.some((r) => r.prefix === prefix)) out.push({ prefix, location, blocked, mirrorByDigestOnly: byDigest, mirrors, file });
  }
  return out;
}

/** sysregistriesv2's refMatchingPrefix: the length of `ref` the prefix covers, or -1. */
function matchingPrefix(ref: string, prefix: string): number {
  if (prefix.startsWith('*.')) {
    const domain = prefix.slice(1);
    const at = ref.indexOf(domain);
    if (at < 0 || ref.slice(0, at).includes('/')) return -1;
    const end = at + domain.length;
    return end === ref.length || ':/@'.includes(ref[end] as string) ? end : -1;
  }
  if (ref === prefix) return prefix.length;
  // ("example.com:5000" matching "example.com" is sysregistriesv2's own, unintended, behaviour.)
  return ref.startsWith(prefix) && ':/@'.includes(ref[prefix.length] ?? '') ? prefix.length : -1;
}

/** The `[[registry]]` whose prefix matches the image name longest (FindRegistry), if any. */
export function findRegistryTable(name: string, config: RegistriesConf): RegistryTable | undefined {
  let found: RegistryTable | undefined;
  for (const r of config.registries) if (matchingPrefix(name, r.prefix) >= 0 && r.prefix.length > (found?.prefix.length ?? 0)) found = r;
  return found;
}

/** Where a pull of `ref` goes under `table`, in the order tried: the mirrors that apply, then the location. */
export interface PullSource {
  ref: ImageRef;
  /** The mirror's location, or undefined for the registry's own. */
  mirror?: string;
}

/**
 * PullSourcesFromReference: the mirrors (all of them, only for a pull by digest under
 * mirror-by-digest-only, or as each one's pull-from-mirror says), then the registry's location,
 * each with the reference rewritten from the prefix to its location (the tag or digest kept).
 */
export function pullSources(ref: ImageRef, table: RegistryTable): PullSource[] {
  const digested = ref.digest !== undefined;
  const mirrors = table.mirrors.filter((m) => (table.mirrorByDigestOnly ? digested : m.pullFromMirror === 'digest-only' ? digested : m.pullFromMirror === 'tag-only' ? !digested : true));
  const text = `${ref.name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
  const rewritten = (location: string): ImageRef => (location === '' ? ref : parseImageRef(location + text.slice(matchingPrefix(text, table.prefix))));
  return [...mirrors.map((m) => ({ ref: rewritten(m.location), mirror: m.location })), { ref: rewritten(table.location) }];
}
