/**
 * Registry keys: the `host[:port][/path]` strings under which auth files keep credentials.
 *
 * This module holds credkit's ONE canonicalisation table. Every comparison of keys (merge,
 * duplicate detection, lookup, conversion) goes through {@link parseRegistryKey}; nothing else
 * strips schemes or maps Docker Hub aliases.
 *
 * | written key                                   | canonical          | why                                   |
 * |-----------------------------------------------|--------------------|---------------------------------------|
 * | `https://H`, `http://H`, `https://H/v1/`      | `H`                | docker, podman and kubelet drop it    |
 * | `https://H/some/path`, `https://H/v1`         | `H`                | docker and podman drop the path of a scheme key (kubelet does not: `check` warns) |
 * | `H/`, `H/org/` (trailing slash)               | `H`, `H/org`       | meant as such; podman ignores the written form (`check` warns) |
 * | `H/v1/`, `H/v2/` (the API path, no scheme)    | `H`                | docker and kubelet drop it; podman ignores the written form (`check` warns) |
 * | `H/v1`, `H/v2` (no scheme, no trailing `/`)   | unchanged          | the namespace `v1` to podman and kubelet (docker: all of H; `check` warns) |
 * | `docker.io`, `index.docker.io`, `registry-1.docker.io`, `https://index.docker.io/v1/` | `docker.io` | Docker Hub, as podman normalises it |
 * | `H/org`, `H/org/repo`                          | unchanged          | namespace / repository scope          |
 *
 * Host names are compared literally (case-sensitive), as docker, podman and kubelet do.
 */

import { parseAccountKey } from './stores/account-key.js';

/** How much of a registry a key covers. */
export type KeyScope = 'registry' | 'namespace' | 'repository';

/** A parsed registry key. */
export interface RegistryKey {
  /** The key exactly as written. */
  raw: string;
  /** `http` / `https` when the key was written with a scheme. */
  scheme: 'http' | 'https' | undefined;
  /** Host with optional port; Docker Hub aliases become `docker.io`. */
  host: string;
  /** Path below the host without leading or trailing `/` ('' for the whole registry). */
  path: string;
  /** `host` or `host/path`: the form keys are compared in. */
  canonical: string;
  scope: KeyScope;
  /** True for Docker Hub under any of its names. */
  hub: boolean;
  /** The written key ended with `/` after a path or host (podman never matches such keys). */
  trailingSlash: boolean;
  /** A scheme-prefixed key had a path that docker and podman ignore (kubelet uses it). */
  droppedPath: string | undefined;
}

// host[:port]: DNS labels or a bracketed IPv6 literal, then an optional port. Shared by every
// parser of registry names (login targets, image references, verification).
const HOST_PORT = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
// One repository path component, as distribution/reference defines it.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** True for a syntactically valid `host[:port]`. */
export function isRegistryHost(text: string): boolean {
  return HOST_PORT.test(text);
}

/** True for one valid repository path component (lower case, separators inside). */
export function isPathComponent(text: string): boolean {
  return PATH_COMPONENT.test(text);
}

/** The key docker CLI uses for Docker Hub (`docker login` with no server). */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
/** The key podman, skopeo and buildah use for Docker Hub. */
export const DOCKER_HUB_HOST = 'docker.io';

/** Docker Hub's names; all canonicalise to {@link DOCKER_HUB_HOST}. */
const HUB_ALIASES: ReadonlySet<string> = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

// docker's key for Docker Hub is in nearly every config.json; parsed once (keys are never changed).
const HUB_KEY: RegistryKey = Object.freeze({
  raw: DOCKER_HUB_KEY,
  scheme: 'https',
  host: DOCKER_HUB_HOST,
  path: '',
  canonical: DOCKER_HUB_HOST,
  scope: 'registry',
  hub: true,
  trailingSlash: false,
  droppedPath: undefined,
});

/** Parses and canonicalises a registry key (the table in this module's header). Never throws. */
export function parseRegistryKey(raw: string): RegistryKey {
  if (raw === DOCKER_HUB_KEY) return HUB_KEY;
  // The common case, a bare host[:port] (no scheme can be written without a slash): no slicing.
  if (!raw.includes('/')) {
    const hub = HUB_ALIASES.has(raw);
    const host = hub ? DOCKER_HUB_HOST : raw;
    return { raw, scheme: undefined, host, path: '', canonical: host, scope: 'registry', hub, trailingSlash: false, droppedPath: undefined };
  }
  let rest = raw;
  let scheme: RegistryKey['scheme'];
  if (rest.startsWith('https://')) {
    scheme = 'https';
    rest = rest.slice(8);
  } else if (rest.startsWith('http://')) {
    scheme = 'http';
    rest = rest.slice(7);
  }
  const slash = rest.indexOf('/');
  let host = slash < 0 ? rest : rest.slice(0, slash);
  let path = slash < 0 ? '' : rest.slice(slash + 1);
  const trailingSlash = slash >= 0 && rest.endsWith('/');
  while (path.endsWith('/')) path = path.slice(0, -1);
  let droppedPath: string | undefined;
  // `/v1/` (docker's old index URL) and `https://H/v1` are the API path; a bare `H/v1` is not:
  // podman and kubelet take it as the namespace `v1` (seen with podman login --get-login).
  if ((path === 'v1' || path === 'v2') && (scheme !== undefined || trailingSlash)) {
    // kubelet cuts only a leading `/v1/` (with its slash), so `https://H/v1` is its namespace
    // `v1` (credentialprovider's keyring): a path docker and podman drop, as for any scheme key.
    if (scheme !== undefined && !trailingSlash) droppedPath = path;
    path = '';
  }
  if (scheme !== undefined && path !== '') {
    droppedPath = path;
    path = '';
  }
  if (host === '') {
    // `/`, `//`, `https://`: no registry at all. Kept as written, so that two such keys stay two
    // (rather than one empty key); `check` reports them.
    return { raw, scheme, host: '', path: '', canonical: raw, scope: 'registry', hub: false, trailingSlash: false, droppedPath: undefined };
  }
  const hub = HUB_ALIASES.has(host);
  if (hub) host = DOCKER_HUB_HOST;
  const scope: KeyScope = path === '' ? 'registry' : path.includes('/') ? 'repository' : 'namespace';
  return {
    raw,
    scheme,
    host,
    path,
    // host/path is the key as written unless a scheme, alias or trailing slash was dropped: reuse it.
    canonical: path === '' ? host : scheme === undefined && !hub && !trailingSlash ? raw : `${host}/${path}`,
    scope,
    hub,
    trailingSlash: trailingSlash && scheme === undefined,
    droppedPath,
  };
}

/**
 * The key as kubelet reads it from a pull secret: like {@link parseRegistryKey}, except that a
 * scheme key keeps its path (kubelet drops only the scheme and a leading `v1/` or `v2/`), so
 * `https://quay.io/org/app` is the repository `quay.io/org/app` there, not all of quay.io as it
 * is for docker and podman. Every other key means the same to all three.
 */
export function parseKubeletKey(raw: string): RegistryKey {
  const k = parseRegistryKey(raw);
  if (k.droppedPath === undefined) return k;
  const path = k.droppedPath.replace(/^v[12]\//, '').replace(/\/+$/, '');
  if (path === '') return { ...k, droppedPath: undefined };
  return { ...k, path, canonical: `${k.host}/${path}`, scope: path.includes('/') ? 'repository' : 'namespace', droppedPath: undefined };
}

/**
 * True for a bare `host[:port]` that is not a Docker Hub alias: a registry-wide key that is its
 * own canonical form and is written the same in every style. Nearly every key is one; callers
 * that need only the canonical form skip building a RegistryKey for them.
 */
export function isPlainHostKey(raw: string): boolean {
  return !raw.includes('/') && !HUB_ALIASES.has(raw);
}

/** The canonical form of a key (see the table above). */
export function canonicalKey(raw: string): string {
  return isPlainHostKey(raw) ? raw : parseRegistryKey(raw).canonical;
}

/**
 * True when docker or podman looks a credential helper up under exactly this `credHelpers` key:
 * both ask by the bare registry host (docker `credHelpers[host]`, Docker Hub as
 * `https://index.docker.io/v1/`; containers/image `credHelpers[registry]`, Docker Hub as
 * `docker.io`), by map lookup, so a key with a scheme, a trailing `/`, a path or another Hub
 * alias routes nothing.
 */
export function isHelperRouteKey(raw: string): boolean {
  if (raw === DOCKER_HUB_KEY || raw === DOCKER_HUB_HOST) return true;
  return isPlainHostKey(raw) && raw !== '';
}

/** Which tool's conventions a written key should follow. */
export type KeyStyle = 'docker' | 'podman' | 'kubernetes';

/**
 * The key to write for a canonical key in a given file style: docker (config.json, .dockercfg)
 * and kubernetes (kubectl's default server) spell Docker Hub `https://index.docker.io/v1/`,
 * podman spells it `docker.io`; every other key is written in canonical form.
 */
export function keyForStyle(key: RegistryKey, style: KeyStyle): string {
  if (key.hub && key.path === '' && style !== 'podman') return DOCKER_HUB_KEY;
  return key.canonical;
}

/** What is wrong with a key for podman, and, when only part of it is, the key to write instead. */
export interface PodmanKeyProblem {
  problem: string;
  /** The key without its tag or digest (canonical), for keys podman refuses for those alone. */
  use?: string;
}

// What follows the `@` of an image digest (`app@sha256:…`): an algorithm, then more hex than a port has digits.
const DIGEST_AFTER_AT = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{6,}/i;
// A port and a path (`localhost:5000/app@sha256:…`): an image reference, not a password.
const PORT_AND_PATH = /^\d+\//;
// What can be the host after a user-info: a name with a dot or a port, an IP literal, localhost.
const HOST_AFTER_AT = /^(?:\[|localhost(?:[:/]|$)|[^/]*[.:])/i;

/**
 * Where the password ends in `rest`, the text after a user name's `:` (`p@ss@quay.io/org`): at the
 * last `@` that starts no digest, since a password may hold `@` and `/`; `host` says whether a host
 * follows that `@` (`quay.io`) or what follows is more of the password (`alice:p@ssw0rd`). Undefined
 * when `rest` holds no password before an `@`, or is a port and path (`5000/app@sha256:…`).
 */
export function passwordEnd(rest: string): { at: number; host: boolean } | undefined {
  let at = rest.lastIndexOf('@');
  while (at > 0 && DIGEST_AFTER_AT.test(rest.slice(at + 1))) at = rest.lastIndexOf('@', at - 1);
  if (at <= 0 || PORT_AND_PATH.test(rest.slice(0, at))) return undefined;
  return { at, host: HOST_AFTER_AT.test(rest.slice(at + 1)) };
}

/**
 * Problems podman has with a key as written (containers/image `validateKey` and lookup rules),
 * or undefined when podman uses it as intended.
 */
export function podmanKeyProblem(raw: string): PodmanKeyProblem | undefined {
  const k = parseRegistryKey(raw);
  const at = raw.indexOf('@');
  if (at >= 0) {
    const authorityStart = k.scheme ? k.scheme.length + 3 : 0;
    // A user name and password (which may hold "@" and "/") before the host: the key is what follows
    // them, and there is none when what follows is more of the password (`alice:p@ssw0rd`).
    const colon = raw.indexOf(':', authorityStart);
    const userinfo = colon >= 0 && !/[/@]/.test(raw.slice(authorityStart, colon)) ? passwordEnd(raw.slice(colon + 1)) : undefined;
    if (userinfo !== undefined) {
      const problem = 'holds a user name and password before "@": docker and podman never match such a key (kubelet ignores them and uses the host)';
      return userinfo.host ? { problem, use: canonicalKey(raw.slice(colon + 1 + userinfo.at + 1)) } : { problem };
    }
    // Before the first "/" after the scheme, "@" ends a URL's user-info (`https://alice@quay.io`):
    // the key is the rest. After it, a digest starts (`quay.io/org/app@sha256:…`): the key is before it.
    const slash = raw.indexOf('/', authorityStart);
    if (slash < 0 || at < slash) {
      return { problem: 'holds a user name and password before "@": docker and podman never match such a key (kubelet ignores them and uses the host)', use: canonicalKey(raw.slice(at + 1)) };
    }
    return { problem: 'contains "@"; podman refuses such keys', use: canonicalKey(raw.slice(0, at)) };
  }
  const schemeText = k.scheme ? raw.slice(0, k.scheme.length + 3) : '';
  const noScheme = raw.slice(schemeText.length);
  const slash = noScheme.indexOf('/');
  const colon = slash >= 0 ? noScheme.indexOf(':', slash) : -1;
  if (colon >= 0) return { problem: 'contains a tag (":" after the host); podman refuses such keys', use: canonicalKey(schemeText + noScheme.slice(0, colon)) };
  if (k.trailingSlash) return { problem: 'ends with "/"; podman never matches such a key' };
  if (k.scheme === undefined && (k.path === 'v1' || k.path === 'v2')) {
    return { problem: `ends in the API path "/${k.path}"; podman and kubelet take it as the namespace "${k.path}" (no image of ${k.host} outside it), docker for all of ${k.host}`, use: k.host };
  }
  if (k.droppedPath !== undefined) {
    // kubelet drops a leading v1/ or v2/ of the path (parseKubeletKey), so say what it keeps.
    const kubelet = parseKubeletKey(raw);
    const limit = kubelet.path === '' ? `all of ${k.host} too` : `it to /${kubelet.path}`;
    return { problem: `has a scheme and a path; podman and docker use it for the whole of ${k.host} while kubelet limits ${limit}` };
  }
  if (k.scheme !== undefined && !k.hub) return { problem: 'has a scheme; podman reads it only as a fallback and refuses it as a login key' };
  return undefined;
}

/** What a key holds when it holds a credential instead of a registry ({@link credentialInKey}). */
export type KeyCredential = 'base64-user-password' | 'user-password';

// Standard base64, padded or not: what `auth` holds, and what a swapped key then holds.
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// An IPv6 literal written without its brackets (`fe80::1`, `::ffff:10.0.0.1`, `fe80::1%eth0`): a
// host, whatever the colons.
const BARE_IPV6 = /^[0-9A-Fa-f]*:[0-9A-Fa-f]*:[0-9A-Fa-f:]*(?:\d+\.\d+\.\d+\.\d+)?(?:%[\w.-]+)?$/;
// credkit's own stand-in for a key (shownKey), alone or inside `credHelpers[…]`: prose with a
// `:` in it, never a credential itself.
const STAND_IN = /<(?:entry #\d+[^<>]*, )?hidden: [^<>]*>/;
/**
 * What credential a key holds where the registry belongs, or undefined for a key that may name a
 * registry. A hand-written file (or a template) that swaps the key and `"auth"` puts
 * base64(user:password) there; a script that means `user:password@host` may write `user:password`
 * alone. Neither can be a registry: a registry name is `host[:port][/path]`, where the port is
 * digits (docker's ParseNormalizedNamed). So a key is one:
 * - base64: only base64 characters (no `.` or `:`, which nearly every host has), padding that fits,
 *   decoding to printable UTF-8 text with a `:` between two non-empty parts; a lower-case DNS label
 *   (`registry`, `myregistry`) decodes to bytes that are no such text;
 * - user-password: a `:` before any `/`, after which comes no port (digits up to the next `/`),
 *   with no scheme, no `@` (a user-info before a host: maskUserinfo shows that one), and no IPv6
 *   literal (`[::1]:5000`, `fe80::1`). A user name and password may hold `.`, `/` and spaces
 *   (`john.doe:pa.ss`, `robot:Tok/en+==`, a passphrase, a quote); nothing that reads as a host holds a `:`
 *   there. An image with a tag written as the key (`nginx:latest`) has the same shape, and is
 *   taken for one too: no client writes or uses such a key (podman reads it as host `nginx` with
 *   port `latest`, and its login to it fails), and no list of tags tells `admin:latest` or
 *   `deploy:2.0.Xk9Lq` apart from an image, so it is hidden when in doubt.
 * A key with `user:pw@` before a host is a registry key with a password in it (maskUserinfo).
 * A saved account's key (`localhost:5000#credkit-account=work`) is judged by its server URL.
 */
export function credentialInKey(key: string): KeyCredential | undefined {
  const colon = key.indexOf(':');
  // Nearly every key is a host with a dot and no port (listings of 100,000 keys pass here): base64 has no `.`.
  if (colon < 0 && key.includes('.')) return undefined;
  // The `#` and `=` of an account's key would read as a password's characters after the port's `:`.
  if (key.includes('#')) {
    const account = parseAccountKey(key);
    if (account !== undefined) return credentialInKey(account.serverURL);
  }
  if (colon < 0) return base64HoldsCredential(key) ? 'base64-user-password' : undefined;
  const slash = key.indexOf('/');
  if (slash >= 0 && slash < colon) return undefined;
  if (key.startsWith('[') || key.includes('@') || key.startsWith('//', colon + 1) || STAND_IN.test(key) || BARE_IPV6.test(key)) return undefined;
  const rest = key.slice(colon + 1, slash < 0 ? undefined : slash).trim();
  // `host:` (no port) and `host:5000` name a host, as does `host: 5000` with a stray space, and
  // `quay.io:*` a [routes] glob (which says why no port can be one).
  if (rest === '' || /^[\d*]+$/.test(rest)) return undefined;
  return 'user-password';
}

function base64HoldsCredential(key: string): boolean {
  if (key.length < 4 || !BASE64.test(key)) return false;
  const bare = key.replace(/=+$/, '');
  // Padded, the whole is whole groups of 4; unpadded, a group of 1 character decodes to nothing.
  if (bare.length !== key.length ? key.length % 4 !== 0 : bare.length % 4 === 1) return false;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(bare, 'base64'));
  } catch {
    return false;
  }
  // Printable text only: random bytes (what a word decodes to) nearly always hold a control byte.
  // A user and a password around the colon: text that only starts or ends with one is a word's bytes more often.
  const colon = text.indexOf(':');
  return colon > 0 && colon < text.length - 1 && !/[\u0000-\u001f\u007f-\u009f\ufffd]/.test(text);
}
