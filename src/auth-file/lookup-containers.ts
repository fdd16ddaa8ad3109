/**
 * containers/image's lookup (podman, skopeo, buildah), as verified against skopeo 1.9.3 /
 * containers/image 5.23 (containers-image-facts.md, formats.md §4):
 *
 * - files in order: `--authfile` / `$REGISTRY_AUTH_FILE` / (podman and buildah only, with
 *   DOCKER_CONFIG set: `$DOCKER_CONFIG/config.json`) / `$XDG_RUNTIME_DIR/containers/auth.json`
 *   (unset: rootless podman's own runtime directory, skopeo's `/run/containers/$UID`),
 *   `${XDG_CONFIG_HOME:-~/.config}/containers/auth.json`, `${DOCKER_CONFIG:-~/.docker}/config.json`,
 *   `~/.dockercfg`; the first file that yields credentials wins; a file that cannot be parsed
 *   aborts the lookup, but only when the search reaches it;
 * - in a file: `credHelpers[registry]` takes over; else exact keys from the repository up to the
 *   registry, the first key that exists decides (a `{}` entry gives nothing and sends the search to
 *   the next file); else keys normalised (scheme stripped and cut at `/`, Docker Hub aliases) in
 *   random map order. `.dockercfg` has only the registry key and the normalised pass.
 *
 * Matching here follows containers/image's own normalisation, which differs from credkit's
 * canonical keys (src/registry.ts) on purpose: containers/image matches a key without a scheme
 * exactly as written, so `quay.io/org/` never matches.
 */
import { join } from 'node:path';
import { ParseError, messageOf } from '../errors.js';
import { parseConfigJSON } from './docker-config.js';
import { emptyUsernameEffect } from './fidelity.js';
import { parseDockercfgJSON } from './dockercfg.js';
import { isJSONObject, parseJSONText, setOwn } from './json-text.js';
import { asGoReadsConfig } from './raw-config.js';
import { buildahDiffers, locateAuthFiles, podmanReadsDockerConfigFirst, rootlessToolsDiffer } from './locate.js';
import type { ContainersTool } from './locate.js';
import type { RootlessRuntimeDirs } from './rootless-runtime-dir.js';
import type { AuthEntry, AuthFile } from './model.js';
import { isStub, shownKeyOf } from './model.js';
import type { ClientExplanation, FileStep, HelperAnswer, LookupDeps, LookupInput, ShadowedEntry } from './lookup.js';
import { helperReport, isHang, makeCredential, quoteKey, waited } from './lookup.js';
import { trimNul } from './lookup-docker.js';
import { KEYUTILS_IN_PODMAN_NAMESPACE } from '../stores/podman-namespace-refusal.js';
import { isShortName } from '../image-ref.js';
import type { ImageRef } from '../image-ref.js';
import { AUTH_FILES_HELPER, findRegistryTable, pullSources, resolveShortName } from './registries-conf.js';
import type { PullSource, RegistriesConf } from './registries-conf.js';

const TITLE = 'containers/image: podman, skopeo, buildah';
const TITLES: Record<'podman' | 'skopeo', string> = {
  podman: 'containers/image: podman, buildah (and skopeo login)',
  skopeo: 'containers/image: skopeo inspect, copy',
};
/** podman's section where credkit refuses its user namespace (keyutils): skopeo is shown apart. */
const NAMESPACE_TITLES: Record<string, string> = {
  [TITLE]: 'containers/image: podman, buildah (rootless, credential helpers in their user namespace)',
  'containers/image: podman, skopeo': 'containers/image: podman (rootless, credential helpers in its user namespace)',
  [TITLES.podman]: 'containers/image: podman, buildah (rootless, credential helpers in their user namespace)',
};
// Without XDG_RUNTIME_DIR, skopeo login too uses /run/containers/$UID, and buildah a file of its own.
const ROOTLESS_TITLES: Record<ContainersTool, string> = {
  podman: 'containers/image: podman (rootless, no XDG_RUNTIME_DIR)',
  buildah: 'containers/image: buildah (rootless, no XDG_RUNTIME_DIR)',
  skopeo: 'containers/image: skopeo (rootless, no XDG_RUNTIME_DIR)',
};

/** Where only a short name sets skopeo apart: podman and buildah resolve it, skopeo reads it as Docker Hub's. */
const SHORT_NAME_TITLES: Record<'podman' | 'skopeo', string> = {
  podman: 'containers/image: podman, buildah (short names through registries.conf)',
  skopeo: 'containers/image: skopeo (a short name is Docker Hub\'s)',
};

/**
 * True when the image is a short name that podman and buildah resolve through registries.conf
 * (read: {@link LookupInput.registriesConf}) to another name than skopeo's Docker Hub one, or refuse:
 * skopeo is shown apart.
 */
export function shortNameApart(input: Pick<LookupInput, 'ref' | 'registriesConf'>): boolean {
  if (input.registriesConf === undefined || !isShortName(input.ref)) return false;
  const r = resolveShortName(input.ref, input.registriesConf);
  return r.kind === 'fails' || (r.kind === 'alias' ? r.ref : r.refs[0])?.name !== input.ref.name;
}

// Sections where only CONTAINERS_REGISTRIES_CONF, which skopeo ignores, sets skopeo apart.
const CONF_TITLES: Record<'podman' | 'skopeo', string> = {
  podman: 'containers/image: podman, buildah (registries.conf from CONTAINERS_REGISTRIES_CONF)',
  skopeo: 'containers/image: skopeo (which ignores CONTAINERS_REGISTRIES_CONF)',
};

/**
 * True when skopeo, which ignores CONTAINERS_REGISTRIES_CONF, reads a registries.conf that
 * decides a credential otherwise than podman's and buildah's (other credential helpers or
 * [[registry]] tables, or one of them cannot be loaded): skopeo is shown apart.
 */
export function registriesConfApart(input: Pick<LookupInput, 'registriesConf' | 'skopeoRegistriesConf'>): boolean {
  const podman = input.registriesConf;
  const skopeo = input.skopeoRegistriesConf;
  if (podman === undefined || skopeo === undefined || podman === skopeo) return false;
  // What decides a credential: the helpers, and where a pull goes ([[registry]], without the file that set it).
  const decides = (c: typeof podman) => JSON.stringify([c.credentialHelpers?.helpers ?? [AUTH_FILES_HELPER], c.registries.map(({ file: _, ...t }) => t), c.broken === undefined]);
  return decides(podman) !== decides(skopeo);
}

/**
 * Which programs a section stands for: one title for all three where they search the same files,
 * else each tool's own (buildah under podman's where only skopeo is apart).
 */
function titleOf(input: Pick<LookupInput, 'host' | 'locate' | 'ref' | 'registriesConf' | 'skopeoRegistriesConf'>, tool: ContainersTool): string {
  const locate = input.locate ?? {};
  if (locate.runtimeDirRefused !== undefined) return tool === 'skopeo' ? 'containers/image: skopeo' : 'containers/image: podman, buildah (rootless, XDG_RUNTIME_DIR refused)';
  const skopeoApart = containersToolsDiffer(input);
  const buildahApart = buildahDiffers(input.host, locate);
  if (tool === 'buildah' && buildahApart) return buildahTakesRegistryAuthFile(input) ? 'containers/image: buildah (--authfile "" reads REGISTRY_AUTH_FILE)' : ROOTLESS_TITLES.buildah;
  const as = tool === 'buildah' ? 'podman' : tool;
  if (!skopeoApart && shortNameApart(input)) return as === 'podman' && buildahApart ? 'containers/image: podman (short names through registries.conf)' : SHORT_NAME_TITLES[as];
  if (!skopeoApart && registriesConfApart(input)) return as === 'podman' && buildahApart ? 'containers/image: podman (registries.conf from CONTAINERS_REGISTRIES_CONF)' : CONF_TITLES[as];
  if (!skopeoApart) return buildahApart ? 'containers/image: podman, skopeo' : TITLE;
  return podmanReadsDockerConfigFirst(input.host, locate) ? TITLES[as] : ROOTLESS_TITLES[as];
}

/** containers/image's `normalizeRegistry`: Docker Hub's names become `index.docker.io`. */
function normalizeRegistry(registry: string): string {
  return registry === 'docker.io' || registry === 'registry-1.docker.io' ? 'index.docker.io' : registry;
}

/** containers/image's `normalizeAuthFileKey`: strip the scheme; cut at `/` if there was one (or in legacy files). */
export function normalizeAuthFileKey(key: string, legacy: boolean): string {
  // Two TrimPrefix calls in this order, as containers/image does: `http://https://host` is `host`.
  const noHttp = key.startsWith('http://') ? key.slice('http://'.length) : key;
  const stripped = noHttp.startsWith('https://') ? noHttp.slice('https://'.length) : noHttp;
  const cut = legacy || stripped !== key ? (stripped.split('/')[0] ?? '') : stripped;
  return normalizeRegistry(cut);
}

/** The exact keys tried in one file, most specific first (`quay.io/a/b`, `quay.io/a`, `quay.io`). */
export function exactKeys(key: string, legacy: boolean, registry: string): string[] {
  if (legacy) return [registry];
  const out: string[] = [];
  for (let k = key; ; ) {
    out.push(k);
    const slash = k.lastIndexOf('/');
    if (slash < 0) break;
    k = k.slice(0, slash);
  }
  return out;
}

/** How one file answers, before any helper is called. */
export interface FileMatch {
  /** credHelpers names a helper for the registry: it takes over this file. */
  helper?: string;
  /** The entry that decides for this file. */
  claim?: AuthEntry;
  via?: 'exact' | 'normalised';
  /** All entries the normalised pass would accept (several = random pick). */
  candidates: AuthEntry[];
  tried: string[];
}

/** How containers/image answers for `key` (of `registry`) from one file: its exact keys, then the normalised pass. */
export function matchInFile(file: AuthFile, legacy: boolean, key: string, registry: string): FileMatch {
  const tried = exactKeys(key, legacy, registry);
  if (!legacy && file.credHelpers.has(registry)) return { helper: file.credHelpers.get(registry) as string, candidates: [], tried };
  for (const k of tried) {
    const claim = file.entries.find((e) => e.key === k);
    if (claim) return { claim, via: 'exact', candidates: [], tried };
  }
  const wanted = normalizeRegistry(registry);
  const candidates = file.entries.filter((e) => normalizeAuthFileKey(e.key, legacy) === wanted);
  const match: FileMatch = { candidates, tried };
  if (candidates[0]) {
    match.claim = candidates[0];
    match.via = 'normalised';
  }
  return match;
}

/** True when the entry would be accepted by some step of the lookup in its file. */
function entryMatches(e: AuthEntry, legacy: boolean, key: string, registry: string): boolean {
  return exactKeys(key, legacy, registry).includes(e.key) || normalizeAuthFileKey(e.key, legacy) === normalizeRegistry(registry);
}

/** What containers/image decodes from an entry: credentials, nothing, or a hard error. */
function decodeEntry(e: AuthEntry): { kind: 'found'; username: string; password: string; identityToken: string | undefined } | { kind: 'empty'; why: string } | { kind: 'error'; why: string } {
  if (e.authProblem === 'invalid-base64') return { kind: 'error', why: '"auth" is not valid standard base64 (illegal base64 data)' };
  if (e.authProblem === 'unpadded') return { kind: 'error', why: '"auth" is base64 without padding (illegal base64 data)' };
  if (e.authProblem === 'no-colon') return { kind: 'empty', why: `"auth" has no ":" (podman warns "missing semicolon")` };
  if (e.explicitOnly) return { kind: 'empty', why: 'only "username"/"password" fields, which containers/image ignores' };
  if (e.username === undefined) return { kind: 'empty', why: isStub(e) ? 'an empty {} entry (a docker credsStore marker?)' : 'no "auth" field' };
  const password = trimNul(e.password) ?? '';
  if (e.username === '' && password === '' && e.identityToken === undefined) return { kind: 'empty', why: '"auth" holds an empty username and password' };
  return { kind: 'found', username: e.username, password, identityToken: e.identityToken };
}

/**
 * An `auths` entry as containers/image decodes it into its two-field struct (`auth`,
 * `identitytoken`, names in any case): `null` is an empty entry, and other fields are never
 * decoded, so a number or object there is no error. String fields are kept for the explanation
 * (an entry with only `username`/`password`); anything but an object is left for parseEntry to
 * refuse, as Go refuses it.
 */
function asContainersEntry(raw: unknown): unknown {
  if (raw === null) return {};
  if (!isJSONObject(raw)) return raw;
  const out: Record<string, unknown> = {};
  for (const name in raw) {
    const lower = name.toLowerCase();
    const value = raw[name];
    if (lower === 'auth' || lower === 'identitytoken' || typeof value === 'string') setOwn(out, name, value);
  }
  return out;
}

function asContainersEntries(map: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in map) setOwn(out, key, asContainersEntry(map[key]));
  return out;
}

/**
 * The document containers/image decodes (`auths` and `credHelpers` only; `credsStore` and every
 * other member are never read, whatever their type), from one as Go's decoder merges its members
 * (asGoReadsConfig). A `null` helper name decodes as "".
 */
function asContainersConfig(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name in doc) {
    const v = doc[name];
    if (name === 'auths') out.auths = isJSONObject(v) ? asContainersEntries(v) : v;
    else if (name === 'credHelpers') {
      if (!isJSONObject(v)) out.credHelpers = v;
      else {
        const helpers: Record<string, unknown> = {};
        for (const key in v) setOwn(helpers, key, v[key] === null ? '' : v[key]);
        out.credHelpers = helpers;
      }
    }
  }
  return out;
}

/** Parses a file as containers/image does; throws ParseError (which aborts the lookup when reached). */
function parseForContainers(path: string, text: string, legacy: boolean): { file: AuthFile; note?: string } {
  if (text.trim() === '') throw new ParseError('unexpected end of JSON input', { file: path });
  const parsed = parseJSONText(text);
  if (!parsed.ok) throw new ParseError(parsed.message, { file: path });
  // Go decodes a top-level `null` into the config struct (or the legacy map) as nothing: no entries.
  if (parsed.value === null) return { file: legacy ? parseDockercfgJSON({}, path) : parseConfigJSON({}, path, 'podman') };
  if (!isJSONObject(parsed.value)) throw new ParseError('not a JSON object', { file: path });
  if (legacy) {
    const file = parseDockercfgJSON(asContainersEntries(parsed.value), path);
    return 'auths' in parsed.value ? { file, note: 'an {"auths": …} document in the legacy .dockercfg place: its keys are not registries, so it gives nothing' } : { file };
  }
  const doc = asContainersConfig(asGoReadsConfig(parsed.value, text));
  const file = parseConfigJSON(doc, path, 'podman');
  if (!('auths' in doc) && !('credHelpers' in doc) && Object.keys(parsed.value).length > 0) {
    return { file, note: 'no "auths": a legacy .dockercfg map here is ignored' };
  }
  return { file };
}

/** `--authfile ""` with REGISTRY_AUTH_FILE set: buildah 1.28 reads that file first, podman and skopeo their own. */
function buildahTakesRegistryAuthFile(input: Pick<LookupInput, 'host' | 'locate'>): boolean {
  return input.locate?.authfile === '' && Boolean(input.host.env.REGISTRY_AUTH_FILE);
}

/**
 * True when podman (and buildah) and skopeo's inspect and copy search different files: with
 * DOCKER_CONFIG set and no `--authfile` nor REGISTRY_AUTH_FILE, only podman starts at
 * `$DOCKER_CONFIG/config.json`; for a user other than root without XDG_RUNTIME_DIR, podman starts
 * in the runtime directory it sets for itself and skopeo at `/run/containers/$UID` (verified
 * with podman 4.3.1, buildah 1.28.2, skopeo 1.9.3); and where rootless podman and buildah refuse
 * XDG_RUNTIME_DIR, which skopeo reads.
 */
export function containersToolsDiffer(input: Pick<LookupInput, 'host' | 'locate'>): boolean {
  return input.locate?.runtimeDirRefused !== undefined || podmanReadsDockerConfigFirst(input.host, input.locate ?? {}) || rootlessToolsDiffer(input.host, input.locate ?? {});
}

/**
 * Explains which credential podman (`tool` podman, the default), buildah or skopeo's inspect and
 * copy send for the image. They search the same files unless {@link containersToolsDiffer} (skopeo)
 * or {@link buildahDiffers}.
 */
export async function lookupContainers(input: LookupInput, deps: LookupDeps, tool: ContainersTool = 'podman'): Promise<ClientExplanation> {
  if (tool === 'skopeo' || input.registriesConf === undefined || !isShortName(input.ref)) return lookupSources(input, deps, tool);
  const name = input.ref.input.trim();
  const resolution = resolveShortName(input.ref, input.registriesConf);
  if (resolution.kind === 'fails') {
    const out: ClientExplanation = { client: tool, title: titleOf(input, tool), query: name, files: [], helperCalls: [], outcome: 'error', reason: '', shadowed: [], notes: [] };
    const locations = locateAuthFiles(input.host, { ...input.locate, tool }).filter((l) => l.readers.includes('podman'));
    failedBeforeLookup(out, input, locations, `podman and buildah fail before any request: ${resolution.why}`);
    out.notes.push(`skopeo reads "${name}" as ${input.ref.name} (explain --as skopeo)`);
    return out;
  }
  const [first, ...rest] = resolution.kind === 'alias' ? [resolution.ref] : resolution.refs;
  const out = await lookupSources({ ...input, ref: first as ImageRef }, deps, tool);
  // Titled as the short name sets it apart, which the resolved name alone does not.
  out.title = titleOf(input, tool);
  const how =
    resolution.kind === 'alias'
      ? `the short-name alias in ${resolution.file}`
      : rest.length === 0
        ? `the one unqualified-search registry in ${resolution.file}`
        : `the unqualified-search registries in ${resolution.file}, tried in turn: ${rest.map((r) => r.name).join(', then ')} after it, each with its own credential, when the one before has no such image (on a terminal podman asks which instead, unless short-name-mode is disabled)`;
  out.notes.unshift(`"${name}" is a short name: podman and buildah pull ${(first as ImageRef).name}, by ${how}; docker and skopeo read it as ${input.ref.name}`);
  return out;
}

/** The registries.conf `tool` reads: skopeo ignores CONTAINERS_REGISTRIES_CONF. */
function confOf(input: LookupInput, tool: ContainersTool): RegistriesConf | undefined {
  return tool === 'skopeo' ? (input.skopeoRegistriesConf ?? input.registriesConf) : input.registriesConf;
}

/**
 * {@link lookupName} for where a pull of the image goes: registries.conf's `[[registry]]` with the
 * longest prefix of its name may block it, or send it to its mirrors first, or to another
 * location. The first place is explained; the others, tried in turn when the one before fails
 * (each with the credential for its own name), are named in a note.
 */
async function lookupSources(input: LookupInput, deps: LookupDeps, tool: ContainersTool): Promise<ClientExplanation> {
  const conf = confOf(input, tool);
  const name = input.ref.name;
  const table = conf !== undefined && conf.broken === undefined && input.ref.kind === 'image' ? findRegistryTable(name, conf) : undefined;
  if (table === undefined) return lookupName(input, deps, tool);
  const where = `the [[registry]] "${table.prefix}" in ${table.file}`;
  let sources: PullSource[] | undefined;
  try {
    sources = table.blocked ? undefined : pullSources(input.ref, table);
  } catch {
    // parseImageRef refused the rewritten name, as the reference library does.
  }
  if (sources === undefined) {
    const out: ClientExplanation = { client: tool, title: titleOf(input, tool), query: name, files: [], helperCalls: [], outcome: 'error', reason: '', shadowed: [], notes: [] };
    const locations = locateAuthFiles(input.host, { ...input.locate, tool }).filter((l) => l.readers.includes('podman'));
    const why = table.blocked ? `${where} blocks it` : `${where} rewrites ${name} to a name that is not valid`;
    return failedBeforeLookup(out, input, locations, `the pull fails before any request: ${why}`);
  }
  const [first, ...rest] = sources as [PullSource, ...PullSource[]];
  const out = await lookupName({ ...input, ref: first.ref }, deps, tool);
  const then = rest.length === 0 ? '' : `; when that fails, ${rest.map((r) => `${r.ref.name}${r.mirror !== undefined ? ' (a mirror)' : ''}`).join(', then ')}, ${rest.length === 1 ? 'with the credential for that name' : 'each with the credential for its own name'}`;
  const skipped = table.mirrors.length - (sources.length - 1);
  const unused = skipped === table.mirrors.length ? `its ${skipped === 1 ? 'mirror is' : 'mirrors are'}` : `${skipped} of its mirrors ${skipped === 1 ? 'is' : 'are'}`;
  const byDigest = skipped > 0 ? `; ${unused} not used for a pull by ${input.ref.digest !== undefined ? 'digest' : 'tag'} (mirror-by-digest-only or pull-from-mirror)` : '';
  if (first.mirror !== undefined) out.notes.unshift(`${where} sends ${name} to its mirror ${first.mirror} first: the pull asks for ${first.ref.name} there, with the credential for that name${then}${byDigest}`);
  else if (first.ref.name !== name) out.notes.unshift(`${where} sends ${name} to ${first.ref.name}: the pull asks for that name, with the credential for it${byDigest}`);
  else if (byDigest !== '') out.notes.unshift(`${where}${byDigest.slice(1)}`);
  return out;
}

/** {@link lookupContainers} for a name as given, or as a short name resolved, pulled where registries.conf sends it. */
async function lookupName(input: LookupInput, deps: LookupDeps, tool: ContainersTool): Promise<ClientExplanation> {
  const { host, ref } = input;
  const registry = ref.registry;
  const key = ref.name;
  const differ = containersToolsDiffer(input);
  const out: ClientExplanation = { client: tool, title: titleOf(input, tool), query: key, files: [], helperCalls: [], outcome: 'anonymous', reason: '', shadowed: [], notes: [] };
  const locations = locateAuthFiles(host, { ...input.locate, tool }).filter((l) => l.readers.includes('podman'));
  const refused = tool === 'skopeo' ? undefined : input.locate?.runtimeDirRefused;
  if (refused !== undefined) return refusedLookup(out, input, locations, tool, refused);
  const conf = confOf(input, tool);
  if (conf?.broken !== undefined) {
    const why = `they cannot load ${conf.broken.file}: ${conf.broken.why}`;
    return failedBeforeLookup(out, input, locations, `${tool === 'skopeo' ? 'skopeo fails' : 'podman and buildah fail'} before any request: ${why}`);
  }
  const parsed: ({ file: AuthFile; legacy: boolean; match: FileMatch } | undefined)[] = [];
  let decidedAt = -1;
  let endedAt = -1;
  let stopped = false;
  let namespaceRefused = false;
  let skopeoApartNote = false;
  // registries.conf's credential-helpers: the helpers asked before the auth files, the files (if
  // named at all), then the helpers after them. podman and buildah stat a named first file
  // (--authfile, REGISTRY_AUTH_FILE) before any of it: then only the files are gone through, to fail there.
  const listed = conf?.credentialHelpers;
  if (listed !== undefined) out.credentialHelpers = { helpers: [...listed.helpers], file: listed.file };
  const helpers = listed?.helpers ?? [AUTH_FILES_HELPER];
  const statFails = tool !== 'skopeo' && !input.missingNamedFileIsEmpty && locations.some((l) => l.named && !input.files.has(l.path));
  const filesAt = statFails ? 0 : helpers.indexOf(AUTH_FILES_HELPER);
  const before = statFails ? [] : filesAt < 0 ? helpers : helpers.slice(0, filesAt);
  const after = filesAt < 0 ? [] : helpers.slice(filesAt + 1).filter((h) => h !== AUTH_FILES_HELPER);
  // Errors of helpers (and of the auth files) that containers/image passes over for the next helper.
  const passedOver: string[] = [];
  const asked = { namespaceRefused: false, skopeoApartNote: false };
  const askListed = (names: readonly string[]) => askListedHelpers(names, listed?.file ?? '', input, deps, tool, out, passedOver, asked);
  // Why the files were not gone through, when they were not.
  let filesSkipped: string | undefined;
  if ((await askListed(before)) !== undefined) {
    stopped = true;
    filesSkipped = out.outcome === 'hang' ? `not reached: the lookup waits for helper "${out.helperCalls.at(-1)?.helper ?? ''}" first` : `not reached: credential helper "${out.credential?.source.helper ?? ''}" comes first (credential-helpers in ${listed?.file ?? 'registries.conf'}) and has a credential`;
  } else if (filesAt < 0) {
    stopped = true;
    filesSkipped = `not consulted: credential-helpers in ${listed?.file ?? 'registries.conf'} does not name ${AUTH_FILES_HELPER}`;
  }

  for (const [i, loc] of locations.entries()) {
    const legacy = loc.legacy === true;
    const loaded = input.files.get(loc.path);
    const step: FileStep = { path: loc.path, why: loc.why, exists: loaded !== undefined, status: 'missing', detail: 'does not exist' };
    out.files.push(step);
    let file: AuthFile | undefined;
    let note: string | undefined;
    let parseError: string | undefined;
    if (loaded && 'error' in loaded) parseError = `cannot be read (${loaded.error})`;
    else if (loaded) {
      try {
        ({ file, note } = parseForContainers(loc.path, loaded.text, legacy));
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
        parseError = messageOf(err);
      }
    }
    const match = file ? matchInFile(file, legacy, key, registry) : undefined;
    parsed.push(file && match ? { file, legacy, match } : undefined);
    if (!loaded && !stopped && !input.missingNamedFileIsEmpty && tool !== 'skopeo' && loc.named) {
      // REGISTRY_AUTH_FILE, else $DOCKER_CONFIG/config.json, is the default of podman's and
      // buildah's --authfile, which they stat before any lookup; only skopeo reads a missing one as empty.
      const skopeo = loc.why === 'DOCKER_CONFIG' ? 'skopeo inspect never makes it its first file' : 'skopeo reads it as empty';
      step.status = 'error';
      step.detail = `does not exist: podman pull and buildah refuse it ("stat ${loc.path}: no such file or directory") before any lookup; ${skopeo}`;
      out.outcome = 'error';
      out.reason =
        loc.why === 'DOCKER_CONFIG'
          ? `DOCKER_CONFIG is set, so podman and buildah take ${loc.path} as their --authfile, and it does not exist: they refuse it (skopeo inspect reads its own first file and goes on)`
          : `${loc.why} names a file that does not exist: podman and buildah refuse it (skopeo goes on to the other files)`;
      stopped = true;
      endedAt = i;
      continue;
    }
    if (!loaded) continue;
    if (stopped) {
      step.status = 'not-reached';
      step.detail = filesSkipped ?? (parseError ? `not reached (it would fail: ${parseError})` : 'not reached');
      continue;
    }
    if (parseError !== undefined || !file || !match) {
      step.status = 'error';
      step.detail = parseError ?? 'cannot be parsed';
      out.outcome = 'error';
      out.reason = `the lookup fails: ${parseError ?? loc.path}`;
      stopped = true;
      endedAt = i;
      continue;
    }
    const tried = `tried ${match.tried.map(quoteKey).join(', ')}${legacy ? ' (legacy file: registry only)' : ''}`;
    if (match.helper !== undefined) {
      // The store credkit keeps the registry in, when podman's namespace refuses it (keyutils, or
      // auto opening it); skopeo runs helpers as the user, and gets what credkit answers outside it.
      const { answer, refusedStore, refusedHere, skopeoApart } = await askAs(match.helper, input, deps, tool, registry);
      if (skopeoApart) skopeoApartNote = true;
      const report = helperReport(match.helper, registry, `credHelpers[${quoteKey(registry)}]`, loc.path, answer);
      if (refusedHere) {
        report.userNamespace = true;
        namespaceRefused = true;
      }
      out.helperCalls.push(report);
      step.detail = `credHelpers[${quoteKey(registry)}] names helper "${match.helper}"; auths in this file is not consulted`;
      // "<token>" with an empty Secret decodes to an all-empty credential, which containers/image
      // takes for none: the search goes on, as for a helper with nothing stored.
      const emptyToken = answer.kind === 'found' && answer.identityToken === '' && answer.username === '' && answer.password === '';
      if (emptyToken) {
        step.status = 'empty-match';
        step.detail += '; it answered an empty identity token, which containers/image takes for no credential, so the search goes on to the next file';
      } else if (answer.kind === 'found') {
        step.status = 'matched';
        const fields = answer.identityToken !== undefined ? { identityToken: answer.identityToken } : { username: answer.username, password: answer.password };
        out.credential = makeCredential(registry, fields, { file: loc.path, key: `credHelpers[${registry}]`, helper: match.helper });
        out.outcome = 'credential';
        decidedAt = endedAt = i;
        stopped = true;
      } else if (answer.kind === 'not-found') {
        step.status = 'empty-match';
        step.detail += '; it has no credential, so the search goes on to the next file';
      } else if (isHang(answer)) {
        // containers/image runs helpers with no deadline either (formats.md §1.1).
        step.status = 'error';
        step.detail += `; it did not answer (credkit stopped waiting${waited(answer)}; containers/image would keep waiting)`;
        out.outcome = 'hang';
        out.reason = `podman, skopeo and buildah wait for helper "${match.helper}" with no time limit, so the pull hangs until the helper answers or is stopped; credkit stopped waiting${waited(answer)}`;
        stopped = true;
        endedAt = i;
      } else {
        step.status = 'error';
        step.detail += `; ${answer.message}`;
        out.outcome = 'error';
        out.reason = refusedHere
          ? `rootless ${tool} runs docker-credential-credkit in a user namespace of its own, and credkit's config sends ${registry} to ${refusedStore === 'auto' ? 'auto, which falls back to its keyutils backend here' : 'its keyutils backend'}, which refuses to work there, so the lookup fails: ${KEYUTILS_IN_PODMAN_NAMESPACE}`
          : `the lookup fails: ${answer.message}`;
        stopped = true;
        endedAt = i;
      }
      continue;
    }
    if (!match.claim) {
      step.status = note ? 'ignored' : 'no-match';
      step.detail = note ?? `no matching key (${tried}, then scheme and alias keys for ${registry})`;
      continue;
    }
    const decoded = decodeEntry(match.claim);
    const claimed = match.via === 'exact' ? `key ${quoteKey(match.claim.key)}` : `no exact key (${tried}); normalised key ${quoteKey(match.claim.key)}`;
    if (match.candidates.length > 1) {
      out.notes.push(`${loc.path}: ${match.candidates.length} keys normalise to ${registry} (${match.candidates.map((c) => quoteKey(c.key)).join(', ')}); containers/image picks one at random (Go map order)`);
    }
    if (decoded.kind === 'error') {
      step.status = 'error';
      step.detail = `${claimed}: ${decoded.why}`;
      out.outcome = 'error';
      // The step already names the key (claimed); the reason stands alone, so it names it too.
      out.reason = `the lookup fails: ${loc.path}: key ${quoteKey(match.claim.key)}: ${decoded.why}`;
      stopped = true;
      endedAt = i;
    } else if (decoded.kind === 'empty') {
      step.status = 'empty-match';
      step.detail = `${claimed}: ${decoded.why}; it claims the key (broader keys in this file are not tried), so the search goes on to the next file`;
    } else {
      step.status = 'matched';
      step.detail = claimed;
      out.credential = makeCredential(registry, { username: decoded.username, password: decoded.password, identityToken: decoded.identityToken }, { file: loc.path, key: match.claim.key });
      // Found, but sent only to a Basic registry: check's empty-username words, so both agree.
      if (decoded.username === '' && decoded.password !== '' && decoded.identityToken === undefined) {
        out.notes.push(`${loc.path}: key ${quoteKey(match.claim.key)} has an empty username in "auth": ${emptyUsernameEffect('podman') ?? ''}`);
      }
      out.outcome = 'credential';
      decidedAt = endedAt = i;
      stopped = true;
    }
  }

  // The auth files failing is one more error containers/image passes over when a helper follows.
  if (out.outcome === 'error' && !statFails && after.length > 0) {
    passedOver.push(`the auth files: ${out.reason.replace(/^the lookup fails: /, '')}`);
    out.outcome = 'anonymous';
    out.reason = '';
  }
  if (out.outcome === 'anonymous' && (await askListed(after)) === undefined && passedOver.length > 0) {
    out.outcome = 'error';
    out.reason = `the lookup fails: no helper has a credential, and ${passedOver.join('; ')}`;
  }
  // The files failing with nothing after them: containers/image's error lists the helpers' before it.
  if (out.outcome === 'error' && !statFails && after.length === 0 && passedOver.length > 0) {
    out.reason += `; before the files, ${passedOver.join('; ')}`;
  }
  if (out.outcome === 'credential' && passedOver.length > 0) {
    out.notes.push(`containers/image passed over ${passedOver.join('; ')}, and went on to the next credential helper`);
  }
  if (out.outcome === 'anonymous') out.reason = listed === undefined ? 'no file has a credential for this image; the pull is anonymous' : 'no credential helper has a credential for this image, nor any file they read; the pull is anonymous';
  if (asked.namespaceRefused) namespaceRefused = true;
  if (asked.skopeoApartNote) skopeoApartNote = true;
  out.shadowed = shadowedEntries(parsed, decidedAt, endedAt, key, registry, locations.map((l) => l.path), filesSkipped);
  addNotes(out, input, tool, differ);
  // podman's and buildah's answer is credkit's refusal, skopeo's the credential: not one section.
  if (namespaceRefused) out.title = NAMESPACE_TITLES[out.title] ?? out.title;
  if (skopeoApartNote) {
    if (out.title === TITLE) out.title = 'containers/image: skopeo';
    out.notes.push(`rootless podman and buildah run docker-credential-credkit in a user namespace of their own, where credkit's keyutils backend, which its config sends ${registry} to, refuses to work, so they fail here; skopeo runs it as you (explain --as podman)`);
  }
  return out;
}

/**
 * Where rootless podman and buildah (uid not 0, Linux) would get credkit's refusal for `registry`,
 * the store credkit's config sends it to: `keyutils`, or `auto` where auto opens keyutils; both are
 * refused in their user namespace (checked with podman 4.3.1, buildah 1.28.2, skopeo 1.9.3; root's
 * podman runs helpers in no namespace). Undefined elsewhere. Asks `deps.credkitStore` once.
 */
async function credkitRefusedInNamespace(input: LookupInput, deps: LookupDeps, registry: string): Promise<'keyutils' | 'auto' | undefined> {
  const uid = input.locate?.uid;
  if (input.host.platform !== 'linux' || uid === undefined || uid === 0 || deps.credkitStore === undefined) return undefined;
  const kept = await deps.credkitStore(registry);
  if (kept?.store === 'keyutils') return 'keyutils';
  return kept?.store === 'auto' && kept.opens === 'keyutils' ? 'auto' : undefined;
}

/** A lookup that fails before any file is read or helper asked: every file is listed as not reached. */
function failedBeforeLookup(out: ClientExplanation, input: LookupInput, locations: readonly { path: string; why: string }[], reason: string): ClientExplanation {
  for (const loc of locations) {
    const exists = input.files.has(loc.path);
    out.files.push({ path: loc.path, why: loc.why, exists, status: exists ? 'not-reached' : 'missing', detail: exists ? 'not reached' : 'does not exist' });
  }
  out.outcome = 'error';
  out.reason = reason;
  return out;
}

/**
 * Asks helpers named in registries.conf's credential-helpers (`file`), in order, for the image's
 * registry, as containers/image does: the first with a credential decides; one that has none
 * passes to the next; one that fails is passed over too, its error kept in `passedOver` (the
 * lookup fails with them only when no helper has a credential); one that does not answer hangs
 * the pull. Returns 'found' or 'hang' (set in `out`) when the lookup ends here.
 */
async function askListedHelpers(
  names: readonly string[],
  file: string,
  input: LookupInput,
  deps: LookupDeps,
  tool: ContainersTool,
  out: ClientExplanation,
  passedOver: string[],
  flags: { namespaceRefused: boolean; skopeoApartNote: boolean },
): Promise<'found' | 'hang' | undefined> {
  const registry = input.ref.registry;
  const via = `credential-helpers in ${file}`;
  for (const helper of names) {
    const { answer, refusedHere, skopeoApart } = await askAs(helper, input, deps, tool, registry);
    if (skopeoApart) flags.skopeoApartNote = true;
    const report = helperReport(helper, registry, via, file, answer);
    if (refusedHere) {
      report.userNamespace = true;
      flags.namespaceRefused = true;
    }
    out.helperCalls.push(report);
    // "<token>" with an empty Secret is an all-empty credential, which containers/image takes for none.
    const empty = answer.kind === 'found' && answer.identityToken === '' && answer.username === '' && answer.password === '';
    if (answer.kind === 'found' && !empty) {
      const fields = answer.identityToken !== undefined ? { identityToken: answer.identityToken } : { username: answer.username, password: answer.password };
      out.credential = makeCredential(registry, fields, { file, key: 'credential-helpers', helper });
      out.outcome = 'credential';
      return 'found';
    }
    if (isHang(answer)) {
      out.outcome = 'hang';
      out.reason = `podman, skopeo and buildah wait for helper "${helper}" (credential-helpers in ${file}) with no time limit, so the pull hangs until it answers or is stopped; credkit stopped waiting${waited(answer)}`;
      return 'hang';
    }
    if (answer.kind === 'failed') passedOver.push(`helper "${helper}" failed (${answer.message})`);
  }
  return undefined;
}

/**
 * What `tool` gets from `docker-credential-HELPER get`: for credkit's own helper run by rootless
 * podman or buildah in their user namespace, credkit's refusal where its config sends the
 * registry to keyutils (skopeo runs it as the user, and gets the answer: `skopeoApart`).
 */
async function askAs(helper: string, input: LookupInput, deps: LookupDeps, tool: ContainersTool, registry: string): Promise<{ answer: HelperAnswer; refusedStore: 'keyutils' | 'auto' | undefined; refusedHere: boolean; skopeoApart: boolean }> {
  const refusedStore = helper === 'credkit' ? await credkitRefusedInNamespace(input, deps, registry) : undefined;
  const inNamespace = refusedStore !== undefined;
  const refusedHere = inNamespace && tool !== 'skopeo';
  const answer: HelperAnswer = refusedHere
    ? { kind: 'failed', reason: 'failed', message: `run by rootless ${tool} in its user namespace, docker-credential-credkit get fails (exit status 1): ${KEYUTILS_IN_PODMAN_NAMESPACE}` }
    : await deps.askHelper(helper, registry);
  return { answer, refusedStore, refusedHere, skopeoApart: inNamespace && tool === 'skopeo' };
}

/**
 * podman or buildah, rootless, refusing XDG_RUNTIME_DIR: the command fails before any file is
 * read, whatever the files hold (`credkit get` has no credential to give).
 */
function refusedLookup(out: ClientExplanation, input: LookupInput, locations: readonly { path: string; why: string }[], tool: ContainersTool, refused: string): ClientExplanation {
  failedBeforeLookup(out, input, locations, `rootless podman and buildah refuse XDG_RUNTIME_DIR before any lookup, so every ${tool} command fails: ${refused}`);
  out.notes.push(`skopeo makes no such check and reads ${input.host.env.XDG_RUNTIME_DIR ?? '$XDG_RUNTIME_DIR'}/containers/auth.json first (explain --as skopeo); unset XDG_RUNTIME_DIR (podman and buildah then pick a directory of their own) or point it at a directory of yours that you may write`);
  return out;
}

function shadowedEntries(
  parsed: readonly ({ file: AuthFile; legacy: boolean; match: FileMatch } | undefined)[],
  decidedAt: number,
  endedAt: number,
  key: string,
  registry: string,
  paths: readonly string[],
  skipped?: string,
): ShadowedEntry[] {
  const out: ShadowedEntry[] = [];
  const winner = decidedAt >= 0 ? paths[decidedAt] : undefined;
  for (const [i, p] of parsed.entries()) {
    if (!p) continue;
    const { file, legacy, match } = p;
    for (const e of file.entries) {
      if (skipped !== undefined) {
        // No file was gone through: every matching entry is left for the reason they were not.
        if (entryMatches(e, legacy, key, registry)) out.push({ file: file.source, key: shownKeyOf(e), username: decodeEntry(e).kind === 'found' ? (e.username ?? '') : '', reason: skipped });
        continue;
      }
      const reached = endedAt < 0 || i <= endedAt;
      // A reached file's deciding entry is the file step itself, not a shadowed entry.
      if (!entryMatches(e, legacy, key, registry) || (reached && e === match.claim)) continue;
      let reason: string;
      if (winner !== undefined && i > decidedAt) reason = `${winner} comes first in the search and has a credential`;
      else if (endedAt >= 0 && i > endedAt) reason = `not reached: the lookup fails at ${paths[endedAt] ?? 'an earlier file'}`;
      else if (match.helper !== undefined) reason = `credHelpers[${quoteKey(registry)}] in this file takes over; auths is not consulted`;
      else if (match.via === 'exact' && match.claim && exactKeys(key, legacy, registry).includes(e.key)) reason = `the more specific key ${quoteKey(match.claim.key)} decides in this file, even when it is empty`;
      else if (match.via === 'exact' && match.claim) reason = `scheme and alias keys are read only when no exact key exists; ${quoteKey(match.claim.key)} does`;
      else if (match.via === 'normalised' && match.claim) reason = `also normalises to ${registry}; containers/image picks one at random, shown here: ${quoteKey(match.claim.key)}`;
      else reason = 'not reached';
      out.push({ file: file.source, key: shownKeyOf(e), username: decodeEntry(e).kind === 'found' ? (e.username ?? '') : '', reason });
    }
  }
  return out;
}

function addNotes(out: ClientExplanation, input: LookupInput, tool: ContainersTool, differ: boolean): void {
  const env = input.host.env;
  const takesNamed = input.locate?.authfile === undefined || (tool === 'buildah' && buildahTakesRegistryAuthFile(input));
  const named = input.locate?.authfile ? '--authfile' : takesNamed && env.REGISTRY_AUTH_FILE ? 'REGISTRY_AUTH_FILE' : undefined;
  if (named) {
    out.notes.push(`${named} replaces only the first file: containers/image 5.23 (skopeo 1.9, podman 4.3) still reads the others when it has no match; newer releases read only the named file`);
  }
  // skopeo's first file: the runtime auth.json on Linux, which podman then never reads.
  const skopeoFirst = differ ? locateAuthFiles(input.host, { ...input.locate, tool: 'skopeo' })[0]?.path : undefined;
  const dockerConfigFirst = podmanReadsDockerConfigFirst(input.host, input.locate ?? {});
  const rootless = input.locate?.rootless;
  // buildah searching podman's files gets podman's notes.
  const buildahApart = buildahDiffers(input.host, input.locate ?? {});
  const as = tool === 'buildah' && !buildahApart ? 'podman' : tool;
  if (buildahApart && buildahTakesRegistryAuthFile(input)) {
    if (tool === 'buildah') out.notes.push(`--authfile "" names no file, so buildah 1.28 falls back to REGISTRY_AUTH_FILE (its getAuthFile; not DOCKER_CONFIG), reads it first, and reads it as empty when it is missing; podman and skopeo take their own first file instead (explain --as podman)`);
    else if (tool === 'podman') out.notes.push(`buildah (1.28) reads REGISTRY_AUTH_FILE (${env.REGISTRY_AUTH_FILE ?? ''}) first under --authfile "", and logs in there (explain --as buildah)`);
  }
  if (differ && rootless !== undefined && !dockerConfigFirst) addRootlessNotes(out, input, as, rootless, skopeoFirst);
  if (differ && dockerConfigFirst && as === 'podman') {
    const skipped = skopeoFirst !== undefined && !out.files.some((f) => f.path === skopeoFirst) ? ` and never read ${skopeoFirst}, which skopeo inspect and copy read first` : '; skopeo inspect and copy do not';
    out.notes.push(`DOCKER_CONFIG is set and neither --authfile nor REGISTRY_AUTH_FILE: podman and buildah (containers/common) take $DOCKER_CONFIG/config.json as their --authfile, so they read it first${skipped} (explain --as skopeo)`);
  }
  if (differ && dockerConfigFirst && as === 'skopeo') {
    out.notes.push(`DOCKER_CONFIG is set: skopeo inspect and copy start at ${skopeoFirst ?? 'their usual first file'}, but podman, buildah and skopeo login and logout (--get-login too) take $DOCKER_CONFIG/config.json as their --authfile and read it first (explain --as podman)`);
  }
  if (tool === 'skopeo' && input.locate?.runtimeDirRefused !== undefined) {
    out.notes.push(`rootless podman and buildah refuse this XDG_RUNTIME_DIR and fail at every command (${input.locate.runtimeDirRefused}); skopeo does not check it (explain --as podman)`);
  }
  if (tool !== 'skopeo' && isShortName(input.ref) && input.registriesConf === undefined) {
    // Debian's and Fedora's containers-common ship shortnames.conf: `centos` is quay.io/centos/centos to podman.
    out.notes.push(`"${input.ref.input.trim()}" is a short name: podman and buildah resolve it through registries.conf (a short-name alias, such as those shortnames.conf ships, else unqualified-search-registries, else they refuse it), which credkit does not read; this is the answer for ${input.ref.name}, as docker and skopeo read it: name the image with its registry to explain another`);
  }
  if (input.ref.hub) out.notes.push('containers/image asks credential helpers for "docker.io" (docker asks for "https://index.docker.io/v1/")');
  // docker 28.3+ reads it before config.json; containers/image has no such variable.
  if (env.DOCKER_AUTH_CONFIG) out.notes.push('DOCKER_AUTH_CONFIG is set: containers/image (podman, skopeo, buildah) never reads it, only the files above');
  for (const step of out.files) {
    if (step.path.startsWith('/run/containers/') && rootless === undefined) out.notes.push(`${step.path} is the first file of podman, buildah and skopeo run as root when XDG_RUNTIME_DIR is unset`);
  }
}

/**
 * Rootless without XDG_RUNTIME_DIR: podman and buildah set one for themselves (each its own, see
 * rootless-runtime-dir.ts) and log in there; skopeo uses `/run/containers/$UID`, which it cannot
 * create (login fails) nor, once root's podman has made /run/containers (mode 0700), read.
 */
function addRootlessNotes(out: ClientExplanation, input: LookupInput, tool: ContainersTool, rootless: RootlessRuntimeDirs, skopeoFirst: string | undefined): void {
  const uid = input.locate?.uid ?? '$UID';
  const skopeoFile = skopeoFirst ?? `/run/containers/${uid}/auth.json`;
  const podmanFile = join(rootless.podman, 'containers', 'auth.json');
  const buildahFile = join(rootless.buildah, 'containers', 'auth.json');
  if (tool === 'podman') {
    out.notes.push(`XDG_RUNTIME_DIR is unset: rootless podman sets it to ${rootless.podman} for itself, so it logs in to and reads ${podmanFile} first; skopeo reads ${skopeoFile} instead (explain --as skopeo)`);
    if (!buildahTakesRegistryAuthFile(input)) out.notes.push(`buildah (1.28) sets XDG_RUNTIME_DIR to ${rootless.buildah} instead, so buildah login writes and buildah pull reads ${buildahFile} first, then the files after the first here (explain --as buildah)`);
  } else if (tool === 'buildah') {
    // Its first file is REGISTRY_AUTH_FILE under --authfile "" (a note above says so).
    if (out.files[0]?.path === buildahFile) {
      out.notes.push(`XDG_RUNTIME_DIR is unset: rootless buildah (1.28) sets it to ${rootless.buildah} for itself (containers/storage's runtime directory, never /run/user/${uid}), so buildah login writes and buildah pull reads ${buildahFile} first; podman logs in to ${podmanFile} (explain --as podman) and skopeo to ${skopeoFile} (explain --as skopeo)`);
      if (rootless.buildah === join(input.host.home, 'rundir', 'containers')) {
        out.notes.push(`buildah found its directory under ${input.host.env.TMPDIR || '/var/tmp'} not its own or open to others, so it uses ${rootless.buildah}`);
      }
    }
    return;
  } else {
    out.notes.push(`XDG_RUNTIME_DIR is unset: skopeo (login too) uses ${skopeoFile}, which a user other than root cannot create (skopeo login fails: "mkdir /run/containers…: permission denied") and, once root has run podman, cannot read (every skopeo command fails: "permission denied"); podman logs in to ${podmanFile} (explain --as podman)`);
  }
  if (rootless.podman === join(input.host.home, 'rundir')) {
    out.notes.push(`podman found neither /run/user/${uid} nor its directory under ${input.host.env.TMPDIR || '/tmp'} usable, so it uses ${rootless.podman}, and podman login fails when that does not exist`);
  }
}
