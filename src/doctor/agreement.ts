/**
 * Where docker and podman disagree about credentials (users.md #6): each tool's view of which
 * registries it has a credential for, built from the files each reads and the way each looks
 * entries up (formats.md §2.4, §4.3, §6.6, §6.9), then compared registry by registry. Each view
 * runs the lookup `credkit explain` runs for that tool, so the two commands cannot contradict
 * each other.
 */
import type { RootlessRuntimeDirs } from '../auth-file/rootless-runtime-dir.js';
import type { Host } from '../io.js';
import type { ImageRef } from '../image-ref.js';
import { DOCKER_HUB_HOST, DOCKER_HUB_KEY, credentialInKey, isPlainHostKey, isRegistryHost, parseRegistryKey } from '../registry.js';
import { keyOf } from '../auth-file/model.js';
import type { ClientExplanation, FileText, HelperAnswer, LookupDeps } from '../auth-file/lookup.js';
import { lookupContainers } from '../auth-file/lookup-containers.js';
import type { ContainersTool } from '../auth-file/locate.js';
import { lookupDocker } from '../auth-file/lookup-docker.js';
import { dockerEnvRegistry, readDockerAuthConfig } from '../auth-file/docker-env-config.js';
import { stripListLabel } from '../stores/helper.js';
import type { LoadedAuthFile } from './auth-files.js';
import type { DoctorFinding } from './report.js';
import { displayPath } from './report.js';

/** How one tool gets its credential for one registry. */
export interface ToolCredential {
  /** Canonical registry host (`docker.io` for Docker Hub). */
  registry: string;
  /** The file; '' when {@link variable} holds the credential. */
  path: string;
  /** Set when an environment variable holds it: docker 28.3+'s `DOCKER_AUTH_CONFIG`. */
  variable?: string;
  /** The key as written, or the helper route (`credsStore`, `credHelpers[…]`). */
  key: string;
  /** The helper that holds the secret, when one does. */
  helper: string | undefined;
  /** True when the helper is docker's `credsStore`, which podman ignores. */
  viaCredsStore: boolean;
  /** The username, when the file or the helper's `list` tells. */
  username: string | undefined;
  /** docker's credsStore answers for a registry no auth file names: the credential is only in the helper. */
  onlyInHelper?: boolean;
  /**
   * Whether the helper holding docker's credential would answer podman's query for the registry
   * too (its `list` has the key podman asks: the host, `docker.io` for Docker Hub); undefined when
   * the helper could not be listed.
   */
  helperAnswersPodman?: boolean;
  /**
   * True when the secret is in a helper doctor could not list (not called, missing, failing): the
   * lookup assumed the helper holds it, so the credential was not seen.
   */
  unseen?: boolean;
  /**
   * podman only: a later file it reads routes the registry to this helper (`credHelpers`), which
   * podman never asks because this plaintext entry comes first.
   */
  shadowedHelper?: { helper: string; path: string };
}

/** Helper name → what its `list` returned. */
export type Listings = ReadonlyMap<string, ReadonlyMap<string, string>>;

/**
 * The username a helper's `list` shows under exactly the server URL a client asks it for. A
 * helper's `get` takes the string as it is (credkit, pass and secretservice look the key up as
 * written): docker asks `host[:port]` (Docker Hub: `https://index.docker.io/v1/`) and podman the
 * registry host (Docker Hub: `docker.io`), so `https://quay.io`, `quay.io:8443`, `quay.io/org` or
 * `docker.io` under a helper do not answer for `quay.io` or for docker's Hub key. Only
 * secretservice's label prefix is dropped: its `list` shows it, its `get` does not need it.
 */
function listedUsername(listings: Listings, helper: string, serverURL: string): string | undefined {
  const listed = listings.get(helper);
  if (!listed) return undefined;
  const exact = listed.get(serverURL);
  if (exact !== undefined) return exact;
  for (const [key, user] of listed) if (stripListLabel(key) === serverURL) return user;
  return undefined;
}

/** A registry on its own, as `credkit explain REGISTRY` would parse it. */
function registryRef(registry: string): ImageRef {
  return { input: registry, kind: 'registry', registry, path: '', name: registry, hub: registry === DOCKER_HUB_HOST, tag: undefined, digest: undefined };
}

/**
 * Every registry some file docker or podman reads has a registry-wide key or a credHelpers entry
 * for: the registries the two views are compared on. Repository-scoped keys alone do not make a
 * registry (podman uses them only below their path): {@link scopeViews} compares the tools there.
 */
export function candidateRegistries(files: readonly LoadedAuthFile[]): string[] {
  const out = new Set<string>();
  for (const f of files) {
    if (!f.file || f.readers.length === 0) continue;
    // A key that holds a credential names no registry (check reports it): it is no candidate, and
    // a finding about it would print the credential as the registry.
    for (const e of f.file.entries) {
      if (credentialInKey(e.key) !== undefined) continue;
      const k = keyOf(e);
      if (k.path === '' && k.host !== '') out.add(k.host);
    }
    for (const key of f.file.credHelpers.keys()) {
      if (credentialInKey(key) !== undefined) continue;
      const k = parseRegistryKey(key);
      if (k.path === '' && k.host !== '') out.add(k.host);
    }
  }
  return [...out].sort();
}

/**
 * Registries docker has a credential for only in its `credsStore` helper: keys of that helper's
 * `list` that docker would ask it for (a bare `host[:port]`, or `https://index.docker.io/v1/` for
 * Docker Hub) and that no file names. docker asks the credsStore for every registry, so it uses
 * them; podman has no credsStore and never asks. Keys docker never asks for (`docker.io`,
 * `https://quay.io`, `quay.io/org`, Docker Desktop's token entries) are left out.
 */
export function storeOnlyRegistries(files: readonly LoadedAuthFile[], listings: Listings): string[] {
  const store = files.find((f) => f.readers.includes('docker'))?.file?.credsStore;
  const listed = store === undefined ? undefined : listings.get(store);
  if (!listed) return [];
  const named = new Set(candidateRegistries(files));
  const out = new Set<string>();
  for (const raw of listed.keys()) {
    const key = stripListLabel(raw);
    const registry = key === DOCKER_HUB_KEY ? DOCKER_HUB_HOST : isPlainHostKey(key) && isRegistryHost(key) ? key : undefined;
    if (registry !== undefined && !named.has(registry)) out.add(registry);
  }
  return [...out].sort();
}

/** The file texts a lookup reads, from what doctor already loaded (missing files absent). */
function lookupTexts(files: readonly LoadedAuthFile[]): Map<string, FileText> {
  const out = new Map<string, FileText>();
  for (const f of files) {
    if (f.readError !== undefined) out.set(f.path, { error: f.readError });
    else if (f.text !== undefined) out.set(f.path, { text: f.text });
    else if (f.facts && !f.facts.isFile) out.set(f.path, { error: 'not a regular file' });
  }
  return out;
}

/**
 * The lookups' outside world, without calling anything: a helper's `get` is answered from what it
 * listed (doctor calls only `list`, with its short timeout). A helper doctor could not list (not
 * called, no `list`, not runnable) is taken to hold the credential, with an unknown username: the
 * helper checks report what is wrong with it, and the comparison marks the credential unseen. docker's default store is not modelled (onPath is
 * always false): doctor runs no helper that no file names.
 */
function listingDeps(listings: Listings): LookupDeps {
  return {
    onPath: () => false,
    askHelper: async (helper, serverURL): Promise<HelperAnswer> => {
      if (!listings.has(helper)) return { kind: 'found', username: '', password: '', identityToken: undefined };
      const username = listedUsername(listings, helper, serverURL);
      return username === undefined ? { kind: 'not-found' } : { kind: 'found', username, password: '', identityToken: undefined };
    },
  };
}

/** What a lookup's explanation says about one registry, as a ToolCredential (undefined: none, or the lookup fails). */
function credentialOf(registry: string, x: ClientExplanation, listings: Listings): ToolCredential | undefined {
  const c = x.credential;
  if (x.outcome !== 'credential' || !c) return undefined;
  const unseen = c.source.helper !== undefined && !listings.has(c.source.helper);
  const variable = c.source.variable !== undefined ? { variable: c.source.variable } : {};
  return { registry, path: c.source.file, ...variable, key: c.source.key, helper: c.source.helper, viaCredsStore: false, username: c.username, ...(unseen ? { unseen } : {}) };
}

/**
 * podman's view, from containers/image's own lookup (the one `credkit explain` runs) for each
 * registry: the files in its search order, `credHelpers[registry]`, exact then normalised keys;
 * stubs and `credsStore` count for nothing, and the search goes on in the next file.
 */
export async function podmanView(files: readonly LoadedAuthFile[], listings: Listings, host: Host, uid: number | undefined, rootless?: RootlessRuntimeDirs): Promise<Map<string, ToolCredential>> {
  const out = new Map<string, ToolCredential>();
  for (const { registry, x, c } of await containersLookups(files, listings, host, uid, 'podman', rootless)) {
    // containers/image stops at the first file with a credential: a plaintext entry left by an
    // earlier `podman login` (the runtime auth.json) hides the helper a later file names for the
    // registry, so a password changed through that helper never reaches podman (seen with skopeo 1.9).
    if (c.helper === undefined && c.variable === undefined) {
      const at = x.files.findIndex((step) => step.path === c.path);
      for (const step of at < 0 ? [] : x.files.slice(at + 1)) {
        const helper = files.find((f) => f.path === step.path && f.readers.includes('podman'))?.file?.credHelpers.get(registry);
        // Only a helper seen to hold the key podman would ask: one with nothing for it (or not
        // listed) gives podman nothing better, and removing the entry would lose its credential.
        if (helper !== undefined && helper !== '' && listedUsername(listings, helper, registry) !== undefined) {
          c.shadowedHelper = { helper, path: step.path };
          break;
        }
      }
    }
    out.set(registry, c);
  }
  return out;
}

/** Each registry's lookup by containers/image as `tool` searches, with the credential it gives. */
async function containersLookups(files: readonly LoadedAuthFile[], listings: Listings, host: Host, uid: number | undefined, tool: ContainersTool, rootless?: RootlessRuntimeDirs): Promise<{ registry: string; x: ClientExplanation; c: ToolCredential }[]> {
  const texts = lookupTexts(files);
  const deps = listingDeps(listings);
  const locate = uid === undefined ? {} : { uid, ...(rootless ? { rootless } : {}) };
  const out: { registry: string; x: ClientExplanation; c: ToolCredential }[] = [];
  for (const registry of [...candidateRegistries(files), ...storeOnlyRegistries(files, listings)]) {
    // A missing REGISTRY_AUTH_FILE is its own finding (registry-auth-file-missing): here the
    // credentials the other files give (skopeo uses them now, podman once the file exists).
    const x = await lookupContainers({ host, ref: registryRef(registry), files: texts, locate, missingNamedFileIsEmpty: true }, deps, tool);
    const c = credentialOf(registry, x, listings);
    if (c) out.push({ registry, x, c });
  }
  return out;
}

/**
 * skopeo inspect and copy's view, for a machine where their search differs from podman's
 * (containersToolsDiffer: DOCKER_CONFIG set, no REGISTRY_AUTH_FILE): they start at the runtime
 * auth.json, which podman and buildah then never read, and take ~/.config/containers/auth.json
 * before `$DOCKER_CONFIG/config.json` (seen in a registry's log with skopeo 1.9.3, podman 4.3.1
 * and buildah 1.28.2; `skopeo login --get-login` follows podman's search, not inspect's).
 */
export async function skopeoView(files: readonly LoadedAuthFile[], listings: Listings, host: Host, uid: number | undefined, rootless?: RootlessRuntimeDirs): Promise<Map<string, ToolCredential>> {
  return new Map((await containersLookups(files, listings, host, uid, 'skopeo', rootless)).map(({ registry, c }) => [registry, c]));
}

/** One namespace or repository key podman uses below its path, with what each tool sends there. */
export interface ScopeCredentials {
  /** The scope as podman matches it (`quay.io/org`, `docker.io/org/app`). */
  scope: string;
  /** Its registry host (`docker.io` for Docker Hub). */
  registry: string;
  /** podman's credential for images under the scope. */
  podman: ToolCredential;
  /** docker's credential for them: its credential for the registry, as docker ignores paths. */
  docker: ToolCredential | undefined;
}

/**
 * The scoped keys (`quay.io/org`) of the files podman reads where podman sends another credential
 * than its registry-wide one, with docker's credential for the registry: for images under such a
 * key the tools may disagree although they agree on the registry (docker keeps one credential per
 * registry, and uses a key with a path only when it has no other for the host).
 */
export async function scopeViews(files: readonly LoadedAuthFile[], listings: Listings, host: Host, uid: number | undefined, podmanRegistries: ReadonlyMap<string, ToolCredential>, oldDocker?: string, rootless?: RootlessRuntimeDirs): Promise<ScopeCredentials[]> {
  const scopes = scopedKeys(files);
  if (scopes.length === 0) return [];
  const texts = lookupTexts(files);
  const deps = listingDeps(listings);
  const dockerDeps: LookupDeps = { ...deps, ...(oldDocker !== undefined ? { dockerVersion: async () => oldDocker } : {}) };
  const locate = uid === undefined ? {} : { uid, ...(rootless ? { rootless } : {}) };
  const out: ScopeCredentials[] = [];
  for (const { scope, registry, ref } of scopes) {
    const podman = credentialOf(registry, await lookupContainers({ host, ref, files: texts, locate, missingNamedFileIsEmpty: true }, deps), listings);
    if (!podman) continue;
    // The registry-wide credential answers here too: the registry's own comparison covers it.
    const wide = podmanRegistries.get(registry);
    if (wide !== undefined && wide.path === podman.path && wide.key === podman.key) continue;
    const docker = credentialOf(registry, await lookupDocker({ host, ref: registryRef(registry), files: texts }, dockerDeps), listings);
    out.push({ scope, registry, podman, docker });
  }
  return out;
}

/** The namespace and repository keys of the files containers/image reads, sorted, each as an image name podman matches below. */
function scopedKeys(files: readonly LoadedAuthFile[]): { scope: string; registry: string; ref: ImageRef }[] {
  const scopes = new Map<string, { registry: string; path: string; hub: boolean }>();
  for (const f of files) {
    if (!f.file || !f.readers.includes('podman')) continue;
    for (const e of f.file.entries) {
      if (credentialInKey(e.key) !== undefined) continue;
      const k = keyOf(e);
      if (k.path === '' || k.host === '') continue;
      const registry = k.hub ? DOCKER_HUB_HOST : k.host;
      scopes.set(`${registry}/${k.path}`, { registry, path: k.path, hub: k.hub });
    }
  }
  return [...scopes]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([scope, { registry, path, hub }]) => ({ scope, registry, ref: { input: scope, kind: 'image', registry, path, name: scope, hub, tag: undefined, digest: undefined } }));
}

/** One namespace or repository key below which skopeo inspect and copy send another credential than podman and buildah. */
export interface SkopeoScopeCredentials {
  /** The scope as containers/image matches it (`quay.io/org`). */
  scope: string;
  registry: string;
  /** skopeo's credential for images under the scope. */
  skopeo: ToolCredential;
  /** podman's (and buildah's) for them, if any. */
  podman: ToolCredential | undefined;
  /** docker's: its one credential for the registry. */
  docker: ToolCredential | undefined;
}

const sameCredential = (a: ToolCredential | undefined, b: ToolCredential | undefined) => (a === undefined ? b === undefined : b !== undefined && a.path === b.path && a.key === b.key);

/**
 * skopeo's view below each scoped key, for the searches {@link skopeoView} is for: where skopeo's
 * order of files (the runtime auth.json, then ~/.config/containers/auth.json, before
 * $DOCKER_CONFIG/config.json) makes it send another credential than podman for images under the
 * key (skopeo 1.9.3 sent bob from `HOST/team` in ~/.config/containers/auth.json where podman 4.3.1
 * and buildah 1.28.2 sent carol from `HOST` in $DOCKER_CONFIG/config.json). Left out where the
 * two send what they send for the whole registry, which the registry's own comparison covers.
 * `podmanFails`: podman and buildah refuse XDG_RUNTIME_DIR and send nothing.
 */
export async function skopeoScopeViews(files: readonly LoadedAuthFile[], listings: Listings, host: Host, uid: number | undefined, registries: { skopeo: ReadonlyMap<string, ToolCredential>; podman: ReadonlyMap<string, ToolCredential>; docker: ReadonlyMap<string, ToolCredential> }, rootless?: RootlessRuntimeDirs, podmanFails = false): Promise<SkopeoScopeCredentials[]> {
  const texts = lookupTexts(files);
  const deps = listingDeps(listings);
  const locate = uid === undefined ? {} : { uid, ...(rootless ? { rootless } : {}) };
  const out: SkopeoScopeCredentials[] = [];
  for (const { scope, registry, ref } of scopedKeys(files)) {
    const input = { host, ref, files: texts, locate, missingNamedFileIsEmpty: true };
    const skopeo = credentialOf(registry, await lookupContainers(input, deps, 'skopeo'), listings);
    if (!skopeo) continue;
    const podman = podmanFails ? undefined : credentialOf(registry, await lookupContainers(input, deps, 'podman'), listings);
    // The same credential for both, or what each sends for the whole registry: nothing to add.
    if (sameCredential(skopeo, podman) || (sameCredential(skopeo, registries.skopeo.get(registry)) && sameCredential(podman, registries.podman.get(registry)))) continue;
    out.push({ scope, registry, skopeo, podman, docker: registries.docker.get(registry) });
  }
  return out;
}

/** A plaintext entry in docker's config.json that docker does not use, because a helper answers for its registry. */
export interface IgnoredPlaintext {
  path: string;
  key: string;
  username: string;
  helper: string;
  /** `credsStore` or `credHelpers["…"]`. */
  via: string;
}

/** docker's view: its credentials, and the plaintext entries it ignores where its helper has nothing. */
export interface DockerView {
  credentials: Map<string, ToolCredential>;
  ignoredPlaintext: Map<string, IgnoredPlaintext>;
}

/**
 * docker's view, from docker's own lookup (the one `credkit explain` runs) for each registry:
 * only `${DOCKER_CONFIG:-~/.docker}/config.json`; `credHelpers[key]` wins over `credsStore`,
 * which wins over `auths`. A helper's answer replaces the file's entry even when it has nothing
 * (formats.md §2.4), so a plaintext `auth` next to a credsStore is not a credential for docker.
 */
export async function dockerView(files: readonly LoadedAuthFile[], listings: Listings, host: Host, oldDocker?: string): Promise<DockerView> {
  const credentials = new Map<string, ToolCredential>();
  const ignoredPlaintext = new Map<string, IgnoredPlaintext>();
  const texts = lookupTexts(files);
  // A docker before 28.3 (`oldDocker`, its version) is explained as such: DOCKER_AUTH_CONFIG ignored.
  const deps: LookupDeps = { ...listingDeps(listings), ...(oldDocker !== undefined ? { dockerVersion: async () => oldDocker } : {}) };
  const storeOnly = storeOnlyRegistries(files, listings);
  // docker 28.3+ also takes credentials from DOCKER_AUTH_CONFIG, which podman never reads.
  const fromEnv = oldDocker === undefined ? dockerEnvRegistries(host) : [];
  for (const registry of new Set([...candidateRegistries(files), ...storeOnly, ...fromEnv])) {
    const x = await lookupDocker({ host, ref: registryRef(registry), files: texts }, deps);
    const c = credentialOf(registry, x, listings);
    if (c) {
      const shared: Partial<ToolCredential> = {};
      if (storeOnly.includes(registry)) shared.onlyInHelper = true;
      // podman asks a helper for the registry host (docker.io for Hub), not for docker's key.
      if (c.helper !== undefined && listings.has(c.helper)) shared.helperAnswersPodman = listedUsername(listings, c.helper, registry) !== undefined;
      credentials.set(registry, { ...c, viaCredsStore: c.key === 'credsStore', ...shared });
      continue;
    }
    const call = x.helperCalls[0];
    const plain = x.shadowed.find((e) => e.username !== '' && !e.key.startsWith('credHelpers['));
    if (call?.outcome === 'not-found' && plain) ignoredPlaintext.set(registry, { path: plain.file, key: plain.key, username: plain.username, helper: call.helper, via: call.via });
  }
  return { credentials, ignoredPlaintext };
}

/** The registries docker 28.3+ would take from DOCKER_AUTH_CONFIG (keys it never asks for left out). */
function dockerEnvRegistries(host: Host): string[] {
  const read = readDockerAuthConfig(host.env);
  if (read.status !== 'ok') return [];
  return [...read.entries.keys()].map(dockerEnvRegistry).filter((r): r is string => r !== undefined);
}

function source(c: ToolCredential, home: string): string {
  if (c.variable !== undefined) return `${c.variable}, key "${c.key}"`;
  // A lookup names a helper route by where it is configured (`credHelpers[docker.io]`), not by an auths key.
  const named = /^credHelpers\[|^credsStore$/.test(c.key) ? c.key : `key "${c.key}"`;
  const where = `${named} in ${displayPath(c.path, home)}`;
  return c.helper !== undefined ? `${where}, secret in helper "${c.helper}"` : where;
}

const comparable = (u: string | undefined): u is string => u !== undefined && u !== '' && u !== '<token>';

/** Compares the two views; one finding per registry that differs, and one summary when none does and both tools share a registry. */
export function compareViews(
  docker: ReadonlyMap<string, ToolCredential>,
  podman: ReadonlyMap<string, ToolCredential>,
  host: Host,
  podmanAuthFile: string,
  ignoredPlaintext: ReadonlyMap<string, IgnoredPlaintext> = new Map(),
  brokenHelpers: ReadonlySet<string> = new Set(),
  scopes: readonly ScopeCredentials[] = [],
): DoctorFinding[] {
  const out: DoctorFinding[] = [];
  const home = host.home;
  const registries = [...new Set([...docker.keys(), ...podman.keys()])].sort();
  let agree = 0;
  // Registries both tools route to a helper doctor could not list: assumed, not seen, so not counted as agreeing.
  const unchecked = new Map<string, Set<string>>();
  const podmanFile = displayPath(podmanAuthFile, home);
  for (const r of registries) {
    const d = docker.get(r);
    const p = podman.get(r);
    const name = r === DOCKER_HUB_HOST ? 'Docker Hub' : r;
    const shadowed = p?.shadowedHelper;
    if (shadowed !== undefined && !(d && comparable(d.username) && comparable(p!.username) && d.username !== p!.username)) {
      // Reported whatever docker has (a different user is different-username's): the usernames
      // may agree while the password podman sends is the older one.
      const dockerToo = d?.helper === shadowed.helper ? ' and docker asks' : '';
      out.push({
        level: 'warn',
        area: 'agreement',
        code: 'plaintext-shadows-helper',
        what: `${name}: podman uses the plaintext entry "${p!.key}" (user "${p!.username ?? ''}") in ${displayPath(p!.path, home)} and never asks helper "${shadowed.helper}", which credHelpers["${r}"] in ${displayPath(shadowed.path, home)} names for it${dockerToo}: a password changed through the helper since (a login, a rotated token) does not reach podman`,
        fix: `remove the plaintext entry, so that podman asks the helper: credkit logout ${r} --authfile ${displayPath(p!.path, home)}`,
      });
      continue;
    }
    if (d && p && (d.unseen || p.unseen)) {
      const helpers = [d, p].filter((c) => c.unseen && c.helper !== undefined).map((c) => c.helper as string);
      unchecked.set(name, new Set(helpers));
    } else if (d && p) {
      // Not only across files: in one config.json docker may ask a helper while podman reads the plaintext entry.
      if (comparable(d.username) && comparable(p.username) && d.username !== p.username) {
        out.push({ level: 'warn', area: 'agreement', code: 'different-username', what: `${name}: docker logs in as "${d.username}" (${source(d, home)}), podman as "${p.username}" (${source(p, home)})`, fix: d.variable !== undefined ? `change the credential for "${d.key}" in ${d.variable}, or podman login ${r} with the account docker uses` : `log in again with the account you want in the other tool (${r === DOCKER_HUB_HOST ? 'docker login' : `docker login ${r}`} / podman login ${r}), or remove the stale entry` });
      } else agree++;
    } else if (d) {
      const hubKey = r === DOCKER_HUB_HOST ? DOCKER_HUB_HOST : r;
      // Pointing podman at a helper the helper checks found broken would only move the failure,
      // and so would pointing it at a helper that holds the credential under docker's key only.
      const brokenHelper = d.helper !== undefined && brokenHelpers.has(d.helper);
      const shareable = d.helper !== undefined && !brokenHelper && d.helperAnswersPodman !== false;
      const broken = brokenHelper ? ` (helper "${d.helper}" does not work here: see its finding above)` : '';
      const unshared = d.helper !== undefined && !brokenHelper && !shareable ? ` (a helper is asked for the exact key: podman would ask helper "${d.helper}" for "${hubKey}", and it holds ${name} only as "${r === DOCKER_HUB_HOST ? DOCKER_HUB_KEY : r}")` : '';
      const onlyInHelper = d.onlyInHelper ? `; no auth file names ${r}: the credential is only in the helper` : '';
      if (d.variable !== undefined) {
        // CI sets it instead of writing config.json: a podman step then pulls anonymously.
        out.push({ level: 'warn', area: 'agreement', code: 'docker-auth-config-only', what: `${name}: docker 28.3 and later take the credential from ${d.variable} (user "${d.username}"), which podman never reads: podman has none${r === DOCKER_HUB_HOST ? ' (and looks for "docker.io")' : ''}`, fix: `podman login ${r}; in a job with no auth.json of its own, printf %s "$${d.variable}" | credkit convert - --to podman -o auth.json and export REGISTRY_AUTH_FILE=$PWD/auth.json` });
      } else if (d.viaCredsStore) {
        out.push({ level: 'warn', area: 'agreement', code: 'creds-store-ignored', what: `${name}: docker keeps the credential in credsStore "${d.helper}" (${displayPath(d.path, home)}), which podman ignores: podman pulls from ${r} anonymously${onlyInHelper}`, fix: shareable ? `podman login ${r}, or let podman ask the same helper: add "credHelpers": {"${hubKey}": "${d.helper}"} to ${podmanFile}` : `podman login ${r}${broken}${unshared}` });
      } else if (r === DOCKER_HUB_HOST) {
        out.push({ level: 'warn', area: 'agreement', code: 'hub-docker-only', what: `Docker Hub: docker has a credential (${source(d, home)}) but podman has none (podman looks for "${DOCKER_HUB_HOST}")`, fix: shareable ? `podman login docker.io, or add "credHelpers": {"${DOCKER_HUB_HOST}": "${d.helper}"} to ${podmanFile}` : `podman login docker.io${broken}${unshared}` });
      } else {
        out.push({ level: 'info', area: 'agreement', code: 'docker-only', what: `${name}: only docker has a credential (${source(d, home)})`, fix: `podman login ${r}, if you pull from it with podman too` });
      }
    } else if (p) {
      const stale = ignoredPlaintext.get(r);
      // docker's helper answers for the registry and has nothing: the plaintext entry looks like a login but is not one.
      const ignored = stale ? `; docker asks helper "${stale.helper}" (${stale.via}), which has none, and ignores the plaintext entry "${stale.key}" (user "${stale.username}") left in ${displayPath(stale.path, home)}` : '';
      const relogin = stale ? ` (the secret goes to helper "${stale.helper}" and the plaintext entry becomes a {} marker)` : '';
      if (r === DOCKER_HUB_HOST) {
        out.push({ level: 'warn', area: 'agreement', code: 'hub-podman-only', what: `Docker Hub: podman has a credential (${source(p, home)}) but docker has none (docker looks only for "${DOCKER_HUB_KEY}")${ignored}`, fix: `docker login${relogin}` });
      } else if (stale) {
        out.push({ level: 'warn', area: 'agreement', code: 'podman-only', what: `${name}: only podman has a credential (${source(p, home)})${ignored}`, fix: `docker login ${r}${relogin}` });
      } else {
        out.push({ level: 'info', area: 'agreement', code: 'podman-only', what: `${name}: only podman has a credential (${source(p, home)})`, fix: `docker login ${r}, if you pull from it with docker too` });
      }
    }
  }
  // Below a scoped key podman may send another user than docker, which sends its one credential
  // for the registry: a pull of an image there works with one tool and not the other.
  for (const { scope, registry, podman: p, docker: d } of scopes) {
    if (d && (d.unseen || p.unseen)) continue;
    const under = `images under ${scope}`;
    if (d && comparable(d.username) && comparable(p.username) && d.username !== p.username) {
      out.push({ level: 'warn', area: 'agreement', code: 'different-username', what: `${under}: docker logs in as "${d.username}" (${source(d, home)}; docker keeps one credential for all of ${registry === DOCKER_HUB_HOST ? 'Docker Hub' : registry}), podman as "${p.username}" (${source(p, home)})`, fix: `if the scoped login is stale, remove it, so that podman uses its credential for the registry: credkit logout ${scope} --authfile ${displayPath(p.path, home)}; if it is meant (a robot account for this path), docker cannot follow it, as it keeps one credential per registry` });
    } else if (!d) {
      out.push({ level: 'info', area: 'agreement', code: 'podman-only', what: `${under}: only podman has a credential (${source(p, home)})`, fix: `${registry === DOCKER_HUB_HOST ? 'docker login' : `docker login ${registry}`}, if you pull them with docker too (docker keeps one credential for the whole registry)` });
    }
  }
  // Only a registry both tools have is something they can agree on: with none (nothing at all,
  // or each registry in one tool only, reported above) there is nothing to compare.
  if (!out.some((f) => f.level === 'warn') && agree > 0) {
    const checked = unchecked.size > 0 ? ' that doctor could check' : '';
    out.push({ level: 'ok', area: 'agreement', code: 'agree', what: `docker and podman agree on the ${agree} ${agree === 1 ? 'registry' : 'registries'} both have credentials for${checked}` });
  }
  if (unchecked.size > 0) {
    const names = [...unchecked.keys()];
    const helpers = [...new Set([...unchecked.values()].flatMap((h) => [...h]))].map((h) => `"${h}"`);
    const n = names.length;
    out.push({
      level: 'info',
      area: 'agreement',
      code: 'agreement-unchecked',
      what: `docker and podman could not be compared for ${n === 1 ? 'registry' : `${n} registries`} ${names.join(', ')}: the credential is in ${helpers.length === 1 ? 'helper' : 'helpers'} ${helpers.join(', ')}, which doctor could not list (missing, failing, or not called with --no-call-helpers), so whether ${n === 1 ? 'it holds one' : 'they hold one'} is unknown`,
      fix: 'make the helper answer list (see its finding above), then run doctor again',
    });
  }
  return out;
}

/** The files whose order sets skopeo inspect and copy apart from podman and buildah. */
export interface SkopeoFirstFiles {
  /** The file skopeo inspect and copy read first (the runtime auth.json on Linux), which podman and buildah never read. */
  skopeo: string;
  /** `$DOCKER_CONFIG/config.json`, which podman and buildah read first. */
  podman: string;
}

/**
 * Where skopeo inspect and copy send another user than podman and buildah (or, where those have
 * none, than docker), or a credential where neither has one: with DOCKER_CONFIG set a login left in
 * the runtime auth.json (an earlier `podman login`) is used by skopeo alone, so a stale one breaks
 * skopeo only. Only for the searches {@link skopeoView} is for; registries whose credential is in a
 * helper doctor could not list are left out, as in {@link compareViews}. `podmanFails`: podman and
 * buildah refuse XDG_RUNTIME_DIR (`podman` is then empty), so skopeo is compared with docker alone.
 */
export function compareSkopeo(
  skopeo: ReadonlyMap<string, ToolCredential>,
  podman: ReadonlyMap<string, ToolCredential>,
  docker: ReadonlyMap<string, ToolCredential>,
  host: Host,
  first: SkopeoFirstFiles,
  scopes: readonly SkopeoScopeCredentials[] = [],
  podmanFails = false,
): DoctorFinding[] {
  const out: DoctorFinding[] = [];
  const home = host.home;
  const compared = [
    ...[...skopeo.keys()].sort().map((r) => ({ r, scope: undefined as string | undefined, s: skopeo.get(r) as ToolCredential, p: podman.get(r), d: docker.get(r) })),
    // Below a scoped key, as skopeoScopeViews found them.
    ...scopes.map((x) => ({ r: x.registry, scope: x.scope, s: x.skopeo, p: x.podman, d: x.docker })),
  ];
  for (const { r, scope, s, p, d } of compared) {
    const other = p ?? d;
    if (s.unseen || other?.unseen) continue;
    const name = scope !== undefined ? `images under ${scope}` : r === DOCKER_HUB_HOST ? 'Docker Hub' : r;
    const file = displayPath(s.path, home);
    const order =
      s.path === first.skopeo
        ? `skopeo inspect and copy read ${file} first, and podman and buildah never read it while DOCKER_CONFIG is set (skopeo login --get-login follows podman)`
        : `skopeo inspect and copy read ${displayPath(first.skopeo, home)} and then ${file} before ${displayPath(first.podman, home)}, which podman and buildah read first while DOCKER_CONFIG is set`;
    // The entry only skopeo takes is the one to remove; a credHelpers route is no login to log out of
    // (credkit logout would erase the helper's credential, which others may use).
    // Below a scope, the key skopeo takes may be that scope's, a broader one's, or the registry's.
    const login = scope !== undefined && (s.key === scope || scope.startsWith(`${s.key}/`)) && s.key.startsWith(`${r}/`) ? s.key : r;
    const remove = s.helper !== undefined && /^credHelpers\[/.test(s.key) ? `remove ${s.key.replace(/^credHelpers\[(.*)\]$/, 'credHelpers["$1"]')} from ${file}` : `credkit logout ${login} --authfile ${file}`;
    if (other && comparable(other.username) && comparable(s.username) && other.username !== s.username) {
      const none = podmanFails ? 'podman and buildah fail at every command here (runtime-dir-refused)' : 'podman and buildah have none';
      const others = p ? `podman and buildah as "${p.username}" (${source(p, home)})` : `docker as "${other.username}" (${source(other, home)}), and ${none}`;
      out.push({ level: 'warn', area: 'agreement', code: 'skopeo-different-username', path: s.path, what: `${name}: skopeo inspect and copy log in as "${s.username}" (${source(s, home)}), ${others}: ${order}`, fix: `if that login is stale, remove it, so that skopeo goes on to the credential ${p ? 'podman' : 'docker'} uses: ${remove}` });
    } else if (!other) {
      out.push({ level: 'info', area: 'agreement', code: 'skopeo-only', path: s.path, what: `${name}: only skopeo inspect and copy have a credential (${source(s, home)}${comparable(s.username) ? `, user "${s.username}"` : ''}), which podman, buildah and docker do not use: ${order}`, fix: `if that login is stale (skopeo then fails where the others pull anonymously), remove it: ${remove}` });
    }
  }
  return out;
}
