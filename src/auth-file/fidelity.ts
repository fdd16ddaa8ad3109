/**
 * What a target format cannot express. An item here means a consumer of the written file will
 * behave differently from a consumer of the source: a scope widened, a helper route or a
 * credential that the target's reader ignores, a `{}` stub that authenticates nothing, a
 * top-level key with no place in the target, two keys for one scope of which one had to go, or an
 * entry the target cannot hold at all (left out, see {@link withoutUnwritable}).
 * Fields the target can carry but its readers ignore (email, serveraddress, unknown fields) are
 * written and are not listed.
 */
import { DOCKER_HUB_HOST, isPlainHostKey, keyForStyle, parseRegistryKey } from '../registry.js';
import { authHasEmptyUsername } from './entry.js';
import type { AuthEntry, AuthFile, AuthFormat } from './model.js';
import { canonicalOf, keyOf, styledKeyOf } from './model.js';
import { isStub } from './model.js';
import type { PullSecretType } from '../kube/pull-secret.js';

/** A kubelet host glob: `filepath.Match` wildcards (a `[` is left out: it is also IPv6's bracket). */
const HOST_GLOB = /[*?]/;

/** Kinds of loss, for scripts. */
export type LossKind = 'scope' | 'helper' | 'stub' | 'token' | 'top-level' | 'duplicate' | 'missing' | 'size' | 'username';

/** One thing the target cannot express, named by file and key (never by value). */
export interface Loss {
  kind: LossKind;
  file: string;
  key: string;
  message: string;
}

/**
 * True when `loss` means the written file does not hold something the input had (an entry left
 * out, one of two keys, a helper route or a setting the target has no place for), rather than
 * holding it where its reader makes less of it (a path docker ignores, a token kubelet skips).
 * Writing over the input is then the end of it.
 */
export function dropsData(loss: Loss, target: AuthFormat): boolean {
  switch (loss.kind) {
    case 'duplicate':
    case 'missing':
    case 'username':
    case 'top-level':
      return true;
    case 'helper':
      // podman's file keeps credsStore for docker; .dockercfg and Secrets have no place for helpers.
      return target !== 'podman';
    default:
      return false;
  }
}

/**
 * What podman, which reads a config.json too, makes of a scoped key written in docker's spelling:
 * containers/image matches a key without a scheme only exactly as written, so a respelt one
 * (`index.docker.io/org`, `quay.io/org/`) was never matched. (A key with a scheme is
 * registry-wide, to both: it has no scope to report here.)
 */
function podmanReadingDockerKey(key: string, written: string): string {
  if (written === key) return 'written as is; podman reading the file still honours it';
  return `written as ${JSON.stringify(written)}: podman reading the file never matched the key as it was spelt, and now uses it`;
}

/** Every loss of writing `file` as `target` (secrets: of `secretType`). Linear in entries. */
export function lossesFor(file: AuthFile, target: AuthFormat, secretType: PullSecretType = 'dockerconfigjson'): Loss[] {
  const out: Loss[] = [];
  const helperHosts = new Set<string>();
  for (const key of file.credHelpers.keys()) helperHosts.add(parseRegistryKey(key).canonical);
  const legacyHosts = target === 'dockercfg' ? dockercfgHosts(file) : undefined;
  for (const e of file.entries) {
    // A plain host is registry-wide: no RegistryKey is built for it.
    const k = isPlainHostKey(e.key) ? undefined : keyOf(e);
    if (k !== undefined && k.scope !== 'registry' && target === 'docker') {
      // docker cuts a key to its host for its fallback, which for Docker Hub never equals the URL it looks up.
      const docker = k.hub ? 'docker uses no key with a path for Docker Hub: it never uses this entry' : `docker ignores the path: it uses this entry only as a fallback for all of ${k.host}`;
      // A Hub alias is respelt (`index.docker.io/org` → `docker.io/org`); say what is written.
      const written = styledKeyOf(e, 'docker');
      out.push({ kind: 'scope', file: e.origin.file, key: e.origin.key, message: `${docker} (${podmanReadingDockerKey(e.key, written)})` });
    }
    if (k !== undefined && k.scope !== 'registry' && target === 'dockercfg') {
      out.push({ kind: 'scope', file: e.origin.file, key: e.origin.key, message: dockercfgScopeLoss(e, k.host, legacyHosts?.get(k.host)) });
    }
    // kubelet matches each host label as a glob (`*.example.com`); docker and podman compare hosts
    // literally, and no image name holds a "*" or "?", so outside a pull secret the entry is dead.
    if (target !== 'secret' && HOST_GLOB.test(k?.host ?? e.key)) {
      out.push({ kind: 'scope', file: e.origin.file, key: e.origin.key, message: `the host is a glob, which only kubelet expands (pull secrets); docker and podman compare hosts literally, so this entry matches no image (written as is)` });
    }
    if (isStub(e)) {
      const viaHelper = helperHosts.has(canonicalOf(e));
      if (target === 'secret') out.push({ kind: 'stub', file: e.origin.file, key: e.origin.key, message: 'empty entry whose secret is in a credential helper; kubelet runs no helpers, so it authenticates nothing (materialise it)' });
      else if (target === 'dockercfg') out.push({ kind: 'stub', file: e.origin.file, key: e.origin.key, message: 'empty entry whose secret is in a credential helper; .dockercfg cannot name helpers (materialise it)' });
      else if (target === 'podman' && !viaHelper) out.push({ kind: 'stub', file: e.origin.file, key: e.origin.key, message: 'empty entry that relies on credsStore; podman has no credsStore support and pulls anonymously (materialise it)' });
    }
    if (e.identityToken !== undefined && target === 'secret') {
      out.push({ kind: 'token', file: e.origin.file, key: e.origin.key, message: 'kubelet ignores identitytoken' + ((e.password ?? '') === '' ? '; this entry has no password, so it authenticates nothing' : '') });
    }
    if (e.registryToken !== undefined && (target === 'secret' || target === 'podman' || target === 'dockercfg')) {
      out.push({ kind: 'token', file: e.origin.file, key: e.origin.key, message: `${target === 'secret' ? 'kubelet' : 'podman'} ignores registrytoken (written, but unused)` });
    }
  }
  if (target === 'dockercfg' || target === 'secret') {
    if (file.credsStore !== undefined) out.push({ kind: 'helper', file: file.source, key: 'credsStore', message: target === 'secret' ? 'kubelet does not run credential helpers' : '.dockercfg cannot name a credential store' });
    for (const key of file.credHelpers.keys()) {
      out.push({ kind: 'helper', file: file.source, key: `credHelpers[${key}]`, message: target === 'secret' ? 'kubelet does not run credential helpers' : '.dockercfg cannot name credential helpers' });
    }
  }
  if (target === 'podman' && file.credsStore !== undefined) {
    out.push({ kind: 'helper', file: file.source, key: 'credsStore', message: 'podman ignores credsStore (kept in the file for docker)' });
  }
  if (target === 'dockercfg' || (target === 'secret' && secretType === 'dockercfg')) {
    for (const name in file.extra) out.push({ kind: 'top-level', file: file.source, key: name, message: `${target === 'secret' ? 'a .dockercfg payload' : '.dockercfg'} has no top-level settings; dropped` });
  }
  return out;
}

/** The keys a .dockercfg is written with for one registry host, and whether one is the bare host. */
interface DockercfgHost {
  keys: string[];
  exact: boolean;
}

/**
 * The written keys of a .dockercfg by host. containers/image reads a legacy file with the registry
 * host as its only exact key, then cuts every key to its host and takes one of those at random (Go
 * map order): see containers-image-facts.md #19 and lookup-containers.ts.
 */
function dockercfgHosts(file: AuthFile): Map<string, DockercfgHost> {
  const out = new Map<string, DockercfgHost>();
  for (const e of file.entries) {
    const plain = isPlainHostKey(e.key);
    const k = plain ? undefined : keyOf(e);
    const host = k === undefined ? e.key : k.host;
    const written = plain ? e.key : styledKeyOf(e, 'docker');
    const seen = out.get(host) ?? { keys: [], exact: false };
    seen.keys.push(written);
    // The registry containers/image asks for: Docker Hub is docker.io, whose key here is the /v1/ URL.
    if (written === (k?.hub ? DOCKER_HUB_HOST : host)) seen.exact = true;
    out.set(host, seen);
  }
  return out;
}

/**
 * What podman and skopeo make of the scoped key of `e` in a .dockercfg: registry-wide, unless the
 * bare host is also written (then it is never used), or other keys of the host are (then one of
 * them is taken at random for every image of the host).
 */
function dockercfgScopeLoss(e: AuthEntry, host: string, written: DockercfgHost | undefined): string {
  const key = styledKeyOf(e, 'docker');
  const others = (written?.keys ?? []).filter((k) => k !== key);
  if (written?.exact) return `.dockercfg has no scoping: podman and skopeo never use this entry, as they take "${host}" in the same file for all of ${host}`;
  if (others.length > 0) return `.dockercfg has no scoping: podman and skopeo cut this key to ${host}, as they do ${others.map((k) => JSON.stringify(k)).join(', ')}, and take one of them at random for every image of ${host}`;
  return `.dockercfg has no scoping: readers use this entry for all of ${host}`;
}

/** What kubelet and containerd do with a pull-secret entry that has an empty username. */
export const CONTAINERD_EMPTY_USERNAME = 'kubelet reads it, but containerd uses no credential without a username (the pull goes anonymous; older containerd fails it with "invalid auth config")';

/** What podman (containers/image) does with an `auth` that has an empty username. */
export const PODMAN_EMPTY_USERNAME = 'podman sends the password only to a registry that asks for Basic auth (with an empty username): a token registry (Docker Hub, quay.io, ghcr.io…) gets an anonymous token request, and podman login --get-login says "not logged into" it';

/**
 * What the readers of a `target` file do with an entry written with an empty username and a
 * password (docker: none, as such an entry is left out of a config.json).
 */
export function emptyUsernameEffect(target: AuthFormat): string | undefined {
  if (target === 'secret') return CONTAINERD_EMPTY_USERNAME;
  if (target === 'podman') return `podman takes this entry and looks in no later auth file, but ${PODMAN_EMPTY_USERNAME}`;
  if (target === 'dockercfg') return `docker has not read a .dockercfg since 20.10, ${PODMAN_EMPTY_USERNAME}, and from a .dockercfg on a node ${CONTAINERD_EMPTY_USERNAME}`;
  return undefined;
}

/**
 * True when `e` is written with an empty username and a password (in `auth`, and in a Secret's
 * `username`/`password` too). An `auth` kept as read is tested on its first two characters first.
 */
export function writesEmptyUsername(e: AuthEntry): boolean {
  if (e.authText !== undefined && !authHasEmptyUsername(e.authText)) return false;
  return (e.username ?? '') === '' && (e.password ?? '') !== '';
}

/**
 * True when docker would read the `auth` written for `e` with an empty username. Cheap for the
 * common entry: an `auth` kept as read is tested on its first two characters, never decoded.
 */
function emptyUsernameInAuth(e: AuthEntry): boolean {
  const text = e.authText;
  if (text !== undefined) {
    if (!authHasEmptyUsername(text)) return false;
    // Written back byte for byte (entryToJSON), even `Og==` (":"), which docker refuses too.
    if (e.plain !== undefined) return true;
  }
  // Otherwise `auth` is written when there is a username or a password (entryToJSON).
  return (e.username ?? '') === '' && (e.password ?? '') !== '';
}

/**
 * Why `target` cannot hold entry `e` at all, or undefined. Unlike the other losses, writing such
 * an entry would do harm rather than only less: a username with a ":" turns into a different
 * credential in every target; and docker 23 and later cannot decode an `auth` with an empty
 * username ("invalid auth configuration file", formats.md §2.3): docker 28 stops decoding there,
 * sends the entries it had not reached (Go map order) undecoded, and empties them on its next
 * save, so that entry would take other credentials in the file down with it. podman, kubelet and the
 * `.dockercfg` readers (containers/image, kubelet) read an empty username (§6.2), though they make
 * little of it (check's empty-username says what), so other targets keep it.
 */
function unwritableReason(e: AuthEntry, target: AuthFormat): string | undefined {
  // Every target writes the credential as `auth` = base64(user:password), which every reader
  // splits at the first ":" (§6.1): a username with a ":" would come back as another user, with
  // the rest of its name in front of the password. One read from `auth` never has one, so only
  // entries without `authText` (explicit fields, helper answers) need looking at.
  if (e.authText === undefined && e.username !== undefined && e.username.includes(':')) {
    return `the username contains ":", and every reader (docker, podman, kubelet) splits "auth" at the first ":", so this entry would log in as a different user; left out (a credential helper can hold any username)`;
  }
  if (target === 'docker' && emptyUsernameInAuth(e)) {
    return 'empty username in "auth": docker 23 and later cannot decode it ("invalid auth configuration file"): every docker command warns, other entries of the config.json are sent without their username and password at random, and docker\'s next save empties them; left out (give the credential a username: podman and kubelet read it, but podman asks a token registry for an anonymous token with it, and containerd pulls anonymously)';
  }
  return undefined;
}

/**
 * `file` without the entries `target` cannot hold at all ({@link unwritableReason}), each
 * reported as a `username` loss; the same file when there are none (the common case: no copy).
 * Leaving the entry out is the choice here because any way of writing it is worse: a wrong
 * credential is sent (and, in podman, hides broader keys), or, for an empty username, other
 * entries of the file break for docker; explicit `username`/`password` instead of `auth` only delay that, since
 * docker loads them but writes them back as that same `auth` on its next save (and podman ignores
 * them).
 */
export function withoutUnwritable(file: AuthFile, target: AuthFormat): { file: AuthFile; losses: Loss[] } {
  const entries = file.entries;
  const losses: Loss[] = [];
  let kept: AuthEntry[] | undefined;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as AuthEntry;
    const why = unwritableReason(e, target);
    if (why === undefined) {
      kept?.push(e);
      continue;
    }
    kept ??= entries.slice(0, i);
    losses.push({ kind: 'username', file: e.origin.file, key: e.origin.key, message: why });
  }
  return kept === undefined ? { file, losses } : { file: { ...file, entries: kept }, losses };
}

/** A key written in another spelling than it was read in, and what that changes; not a loss. */
export interface Respelling {
  file: string;
  key: string;
  message: string;
}

/**
 * The keys of `file`, read as a `target` file (docker config.json or podman auth.json) and
 * written as one again, whose respelling in the target's style changes what that file's clients
 * take (nothing is lost, but the same client now acts differently): a Docker Hub alias that docker
 * never looked up, a trailing-slash key podman never matched, a `credHelpers` route spelt with a
 * scheme or another Hub alias that neither took. A scheme key becoming its bare host is left out:
 * both clients already read it as that host (after an exact key, which would be a duplicate).
 */
export function respellings(file: AuthFile, target: 'docker' | 'podman'): Respelling[] {
  const out: Respelling[] = [];
  for (const e of file.entries) {
    if (isPlainHostKey(e.key)) continue;
    const k = keyOf(e);
    const written = styledKeyOf(e, target);
    if (written === e.key) continue;
    if (target === 'docker' && k.hub && k.path === '') {
      out.push({ file: e.origin.file, key: e.origin.key, message: `written as "${written}", the only key docker looks Docker Hub up under: docker did not use this entry, and now sends it for Docker Hub` });
    } else if (k.scheme === undefined && (k.trailingSlash || k.path !== '')) {
      // containers/image matches a key without a scheme only exactly as written.
      out.push({ file: e.origin.file, key: e.origin.key, message: `written as "${written}": podman${target === 'docker' ? ' (which reads config.json too)' : ''} never matched the key as it was spelt, and now uses it` });
    }
  }
  for (const [key, helper] of file.credHelpers) {
    const k = parseRegistryKey(key);
    const styled = keyForStyle(k, target);
    // As buildDoc writes it: a spelling whose target form is already a key stays as written.
    if (styled === key || file.credHelpers.has(styled)) continue;
    const name = k.hub ? 'Docker Hub' : styled;
    const who = k.hub ? `${target} looks Docker Hub's helper up only under that key` : 'docker and podman look helpers up by the bare registry name only';
    const podmanLost = target === 'docker' && key === DOCKER_HUB_HOST ? `; podman, which reads config.json too, looked up "${DOCKER_HUB_HOST}" and no longer takes it` : '';
    out.push({ file: file.source, key: `credHelpers[${key}]`, message: `written as "${styled}": ${who}, so the route was not taken, and now ${name} credentials come from helper "${helper}"${podmanLost}` });
  }
  return out;
}
