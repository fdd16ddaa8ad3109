/**
 * Selecting registries (`--registry`): of an auth file, only the entries and `credHelpers` routes a
 * client would use for the registries, namespaces or repositories named, so that a pull secret can
 * be made for one registry out of a config.json that holds ten, and so that only what is selected
 * is materialised (an unrelated helper that is missing or broken no longer matters).
 *
 * A selector `host[/path]` selects a key of the same host whose path is on one line with its own:
 * the key's scope contains the selector's (`quay.io` for `quay.io/org`: the key a client falls back
 * to) or lies within it (`quay.io/org/app` for `quay.io/org`: a repository of the namespace).
 * Paths are compared by whole segments (`quay.io/org` does not select `quay.io/organization`), and
 * keys in their canonical form (src/registry.ts), so every spelling of a registry is one. Where
 * kubelet reads the keys (a pull secret in or out), a key is matched as kubelet matches it: its
 * host by glob and port (`*.example.com` is selected by `foo.example.com`), and its path as a plain
 * string prefix of the selector's (`quay.io/org` is selected by `quay.io/organization`); elsewhere
 * hosts are compared literally and paths by segments, as docker and podman compare them. Where docker reads the keys (a config.json in, or
 * `--to docker`), a namespace or repository also selects a key of its registry with another path
 * when docker would fall back to it: docker reads only a key's host, so with no registry-wide key,
 * no `credHelpers` route and no `credsStore`, `quay.io/org` is what it sends for `quay.io/other`.
 */
import { NotFoundError, UsageError } from '../errors.js';
import { DOCKER_HUB_HOST, DOCKER_HUB_KEY, isPathComponent, isRegistryHost, parseRegistryKey } from '../registry.js';
import { maskKey, maskUserinfo } from '../redact.js';
import type { RegistryKey } from '../registry.js';
import type { HelperLookup } from './materialize.js';
import type { AuthFile, Origin } from './model.js';
import { keyOf } from './model.js';
import { hostMatches } from './lookup-kubelet.js';

/** One registry, namespace or repository to select, as parsed from what the user gave. */
export interface RegistrySelector {
  /** The value as given. */
  input: string;
  /** `host[:port]`, Docker Hub as `docker.io`. */
  host: string;
  /** The namespace or repository below the host ('' for the whole registry). */
  path: string;
  /** `host` or `host/path`: the scope, in the form keys are compared in. */
  scope: string;
  hub: boolean;
}

/** What one selector selected, for the report. */
export interface Selection {
  /** The value as given (`registries` in ConvertOptions, `--registry` on the command line). */
  registry: string;
  /** The scope it names, canonical (`docker.io` for every spelling of Docker Hub). */
  scope: string;
  /** The entries and `credHelpers` routes it selected, by file and key as written. */
  keys: Origin[];
  /**
   * Files whose `credsStore` is asked for it because none of their selected keys or routes covers
   * the whole registry (docker asks the store for any registry, stub or not).
   */
  stores: { file: string; helper: string; key: string }[];
}

/** What selecting did to one file. */
export interface SelectedFile {
  file: AuthFile;
  /** The keys to ask the file's `credsStore` for (no entry names them): one per registry. */
  storeKeys: string[];
  /** Entries selected only as the key docker falls back to (`readers.docker`), by selector. */
  dockerOnly: { origin: Origin; registry: string }[];
}

// `@sha256:…` as the distribution reference grammar has it.
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;
const TAG = /^\w[\w.-]{0,127}$/;

/**
 * Parses a selector: `host[:port]`, then optionally `/namespace` or `/namespace/repository`, read
 * as an auth-file key is (the first component is always the host: `docker.io/library/nginx`, not
 * `nginx`). A tag or digest is dropped, so an image reference with its registry written out names
 * its repository. A scheme is allowed on a registry alone (`https://index.docker.io/v1/`, as docker
 * writes Docker Hub's key), with nothing after the host but `/` or the API path `/v1/` or `/v2/`.
 * Throws UsageError naming the value and `flag` for anything else.
 */
export function parseRegistrySelector(input: string, flag = 'registries'): RegistrySelector {
  const bad = (why: string) => new UsageError(`${flag} ${JSON.stringify(input)}: ${why}`);
  const shape = 'give a registry as host[:port], optionally with /namespace or /namespace/repository';
  if (input === '') throw bad(`empty; ${shape}`);
  if (maskKey(input) !== input) {
    throw new UsageError(`${flag} ${JSON.stringify(maskKey(input))}: a user name and password do not go in a registry name; name the registry alone`);
  }
  if (/\s/.test(input)) throw bad(`contains white space; ${shape}`);
  let text = input;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text);
  if (scheme) {
    if (scheme[1] !== 'https' && scheme[1] !== 'http') throw bad(`the scheme "${scheme[1]}://" is no registry's; name the registry without one (or with https://)`);
    const rest = text.slice(scheme[0].length);
    const slash = rest.indexOf('/');
    const host = slash < 0 ? rest : rest.slice(0, slash);
    const path = slash < 0 ? '' : rest.slice(slash);
    if (!isRegistryHost(host)) throw bad(`"${host}" is not a registry host[:port]`);
    if (path !== '' && !/^\/(?:v[12]\/?)?$/.test(path)) {
      // docker and podman drop the path of a scheme key, kubelet keeps it: ask for the plain form.
      throw bad(`a URL with a path, which docker and podman ignore in a key; name a namespace or repository without the scheme (${host}${path.replace(/\/+$/, '')})`);
    }
    return selectorOf(input, parseRegistryKey(text));
  }
  if (text.includes('://')) throw bad(`not a registry; ${shape}`);
  const at = text.indexOf('@');
  if (at >= 0) {
    if (!DIGEST.test(text.slice(at + 1))) throw bad('an invalid digest after "@"');
    text = text.slice(0, at);
  }
  const firstSlash = text.indexOf('/');
  if (firstSlash >= 0) {
    // A `:` after the last `/` is a tag; one in the first component is the port.
    const lastSlash = text.lastIndexOf('/');
    const colon = text.indexOf(':', lastSlash + 1);
    if (colon >= 0) {
      if (!TAG.test(text.slice(colon + 1))) throw bad('an invalid tag after ":"');
      text = text.slice(0, colon);
    }
  }
  const slash = text.indexOf('/');
  const host = slash < 0 ? text : text.slice(0, slash);
  if (!isRegistryHost(host)) {
    // `nginx:1.27`: docker's short name for a Docker Hub image, which a key never is.
    const hint = slash < 0 && host.includes(':') ? ` (an image is named with its registry: docker.io/library/${input} for Docker Hub's)` : '';
    throw bad(`"${host}" is not a registry host[:port]${hint}`);
  }
  if (slash >= 0) {
    const path = text.slice(slash + 1).replace(/\/$/, '');
    if (path !== '' && !path.split('/').every((c) => isPathComponent(c))) {
      throw bad(`"${path}" is not a namespace or repository (lower-case components separated by single "/")`);
    }
  }
  return selectorOf(input, parseRegistryKey(text));
}

function selectorOf(input: string, k: RegistryKey): RegistrySelector {
  return { input, host: k.host, path: k.path, scope: k.canonical, hub: k.hub };
}

/**
 * True when `selector` selects `key`: same host (with `kubelet`, or a key host kubelet would take
 * for it: a glob, see {@link hostMatches}), and one path is the other or lies below it by whole
 * segments, or (with `kubelet`) the key's path is a plain string prefix of the selector's. A key
 * that names no host is never selected.
 */
export function selectsKey(selector: RegistrySelector, key: RegistryKey, kubelet = false): boolean {
  if (key.host === '') return false;
  if (key.host !== selector.host && !(kubelet && hostMatches(key.host, selector.host))) return false;
  if (key.path === '' || selector.path === '' || within(key.path, selector.path) || within(selector.path, key.path)) return true;
  // kubelet's URLsMatch takes a key whose path is a string prefix of the image's (kubernetes#102472):
  // it sends "quay.io/org" for quay.io/organization/app. A key written with a trailing "/" keeps it
  // there ("/org/"), which only whole segments below it match, as above.
  return kubelet && !key.trailingSlash && selector.path.startsWith(key.path);
}

/** True when `path` is `scope` or lies below it. */
function within(path: string, scope: string): boolean {
  return path === scope || (path.startsWith(scope) && path.charCodeAt(scope.length) === 47 /* '/' */);
}

/**
 * Keeps only the selected entries and `credHelpers` routes of `file` (and the notes on them),
 * records what each selector took in `selections` (same order as `selectors`) and what was left
 * out in `leftOut`, and lists the registries to ask the file's `credsStore` for: those a selector
 * names where no selected entry or route covers the whole registry, as docker asks its store for
 * any registry without a route (podman reads no `credsStore`). Only with `askStore` (materialising):
 * otherwise nothing is asked, and the file keeps its `credsStore` as it is. `readers` are the
 * clients besides podman that read the file or the output: with `kubelet`, entries' hosts are
 * matched as kubelet matches them (`credHelpers` routes, which docker looks up by host, never
 * are); with `docker`, a selector with a path also selects the keys docker falls back to for it.
 */
export function selectFromFile(file: AuthFile, selectors: readonly RegistrySelector[], selections: Selection[], leftOut: Origin[], askStore: boolean, readers: { kubelet?: boolean; docker?: boolean } = {}): SelectedFile {
  const fallback = readers.docker === true ? dockerFallbackHosts(file) : undefined;
  const dockerOnly: SelectedFile['dockerOnly'] = [];
  const picked = (k: RegistryKey, origin: Origin, entry = false): boolean => {
    let any = false;
    selectors.forEach((s, i) => {
      if (!selectsKey(s, k, entry && readers.kubelet === true)) {
        if (!(entry && fallback !== undefined && !s.hub && s.path !== '' && k.host === s.host && fallback.has(k.host))) return;
        dockerOnly.push({ origin, registry: s.input });
      }
      selections[i]!.keys.push(origin);
      any = true;
    });
    if (!any) leftOut.push(origin);
    return any;
  };
  const entries = file.entries.filter((e) => picked(keyOf(e), e.origin, true));
  const credHelpers = new Map<string, string>();
  for (const [key, helper] of file.credHelpers) {
    if (picked(parseRegistryKey(key), { file: file.source, key: `credHelpers[${key}]` })) credHelpers.set(key, helper);
  }
  const kept = new Set(entries.map((e) => e.key));
  const out: AuthFile = { ...file, entries, credHelpers };
  if (file.mistyped !== undefined) {
    // A note on a value of a left-out entry or route goes with it; one on the file itself stays.
    out.mistyped = file.mistyped.filter((m) => m.key === undefined || (m.member === 'credHelpers' ? credHelpers.has(m.key) : kept.has(m.key)));
  }
  const storeKeys: string[] = [];
  const store = askStore && file.format !== 'podman' ? file.credsStore : undefined;
  if (store !== undefined) {
    const covered = new Set<string>();
    for (const e of entries) if (keyOf(e).path === '') covered.add(keyOf(e).host);
    for (const key of credHelpers.keys()) covered.add(parseRegistryKey(key).host);
    const asked = new Set<string>();
    selectors.forEach((s, i) => {
      if (covered.has(s.host)) return;
      // The key docker asks its store with: the bare host, Docker Hub as its index URL.
      const key = s.hub ? DOCKER_HUB_KEY : s.host;
      if (!asked.has(key)) storeKeys.push(key);
      asked.add(key);
      selections[i]!.stores.push({ file: file.source, helper: store, key });
    });
  }
  return { file: out, storeKeys, dockerOnly };
}

/**
 * The hosts for which docker would send a key with a path for any image of the registry: docker
 * looks a registry up by its host alone, in `auths` and then in every key cut to its host
 * (docker/cli `fileStore.Get`, `ConvertToHostname`), so where the file has no registry-wide key,
 * no `credHelpers` route and no `credsStore` (whose helper docker asks instead) for a host, a key
 * of that host with any path is what docker uses. Not for Docker Hub, which docker looks up by its
 * index URL alone.
 */
function dockerFallbackHosts(file: AuthFile): Set<string> {
  const out = new Set<string>();
  if (file.credsStore !== undefined) return out;
  const wide = new Set<string>();
  for (const e of file.entries) {
    const k = keyOf(e);
    if (k.path === '') wide.add(k.host);
    else if (!k.hub) out.add(k.host);
  }
  for (const key of file.credHelpers.keys()) wide.add(parseRegistryKey(key).host);
  for (const host of wide) out.delete(host);
  return out;
}

/** The empty report for each selector. */
export function emptySelections(selectors: readonly RegistrySelector[]): Selection[] {
  return selectors.map((s) => ({ registry: s.input, scope: s.scope, keys: [], stores: [] }));
}

/**
 * For a selector whose first component has no "." or ":" and is not localhost (`nginx`,
 * `library/nginx`), which docker and podman read as a Docker Hub image while a selector reads it
 * as a registry host: says what to write for the image, since that is what such a value usually
 * meant. Empty for any other selector.
 */
function hubNameHint(s: Selection): string {
  const first = s.scope.split('/')[0] ?? '';
  if (first.includes('.') || first.includes(':') || first === 'localhost') return '';
  const path = s.scope.includes('/') ? s.scope : `library/${s.scope}`;
  return `; "${first}" is read as a registry host (for the Docker Hub image, write ${DOCKER_HUB_HOST}/${path})`;
}

/**
 * Throws NotFoundError for the selectors that selected nothing (no key, route or store to ask),
 * naming each, so that no empty output is written for them. `hint` is said after.
 */
export function assertSelected(selections: readonly Selection[], sources: readonly string[], flag: string, hint = ''): void {
  const empty = selections.filter((s) => s.keys.length === 0 && s.stores.length === 0);
  if (empty.length === 0) return;
  const where = sources.length === 1 ? sources[0]! : `any of ${sources.join(', ')}`;
  const named = empty.map((s) => `${flag} ${s.registry}`).join(', ');
  const hubHints = empty.map((s) => hubNameHint(s).replace(/^; /, empty.length === 1 ? '; ' : `; ${flag} ${s.registry}: `)).join('');
  throw new NotFoundError(`${named} ${empty.length === 1 ? 'selects' : 'select'} nothing: no key or credHelpers route of ${where} is for ${empty.length === 1 ? 'it' : 'them'}${hint}${hubHints}`);
}

/**
 * After materialising: throws NotFoundError for the selectors that selected no key or route and
 * whose every store lookup (`unanswered` lists those that got no credential) came back empty, so
 * that no empty output is written for them.
 */
export function assertStoresAnswered(selections: readonly Selection[], unanswered: readonly HelperLookup[], sources: readonly string[], flag: string): void {
  const missed = new Map<string, HelperLookup>();
  for (const u of unanswered) missed.set(`${u.origin.file}\0${u.key}`, u);
  const empty = selections.filter((s) => s.keys.length === 0 && s.stores.every((st) => missed.has(`${st.file}\0${st.key}`)));
  if (empty.length === 0) return;
  const where = sources.length === 1 ? sources[0]! : `any of ${sources.join(', ')}`;
  const lines = empty.map((s) => {
    const why = s.stores.map((st) => {
      const u = missed.get(`${st.file}\0${st.key}`)!;
      const of = sources.length === 1 ? 'its' : `the ${st.file}`;
      return u.failure === undefined ? `${of} credsStore "${st.helper}" has no credential for ${st.key}` : `${of} credsStore "${st.helper}" could not be asked (${u.failure})`;
    });
    return `${flag} ${s.registry} selects nothing: no key or credHelpers route of ${where} is for it, and ${why.join(', and ')}${hubNameHint(s)}`;
  });
  throw new NotFoundError(lines.join('\n'));
}
