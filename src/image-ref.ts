/**
 * Image references as docker, containers/image and kubelet read them (the distribution
 * `reference` library's `ParseNormalizedNamed`): `nginx` is `docker.io/library/nginx`,
 * `index.docker.io/x` is `docker.io/library/x`, the first component is a registry only when it has
 * a `.` or a `:` or is `localhost`, and tags and digests are dropped. A bare registry
 * (`quay.io`, `localhost:5000`, `https://quay.io/v2/`, `myhost:5000/`) is accepted too.
 */
import { UsageError } from './errors.js';
import { maskKey, maskUserinfo } from './redact.js';
import { DOCKER_HUB_HOST, isPathComponent, isRegistryHost } from './registry.js';

/** A parsed image reference, or a registry on its own. */
export interface ImageRef {
  /** The argument as given. */
  input: string;
  /** `image` for a repository, `registry` for a registry alone. */
  kind: 'image' | 'registry';
  /** The registry as the reference library names it (`docker.io` for Docker Hub), host[:port]. */
  registry: string;
  /** The repository path below the registry (`library/nginx`), '' for a registry alone. */
  path: string;
  /** `registry/path` (the name without tag or digest), or the registry alone. */
  name: string;
  /** True when the registry is Docker Hub as the reference library sees it (`docker.io`). */
  hub: boolean;
  tag: string | undefined;
  digest: string | undefined;
}

const LEGACY_HUB = 'index.docker.io';

function registryOnly(input: string, registry: string): ImageRef {
  if (!isRegistryHost(registry)) throw new UsageError(`"${input}" is not a registry host[:port] or an image reference`);
  const name = registry === LEGACY_HUB ? DOCKER_HUB_HOST : registry;
  return { input, kind: 'registry', registry: name, path: '', name, hub: name === DOCKER_HUB_HOST, tag: undefined, digest: undefined };
}

/**
 * Parses an image reference or a registry. A registry is: anything with a scheme (its path is
 * dropped), anything ending in `/`, or a single component with a `.`, a bracketed IPv6 address
 * (`[::1]:5000`), or `localhost[:port]`.
 * Throws UsageError for what docker would also refuse (upper case in the path, bad components).
 */
export function parseImageRef(input: string): ImageRef {
  const text = input.trim();
  if (text === '') throw new UsageError('name an image or a registry');
  // docker refuses a name with a user name and password in it ("invalid reference format"); say
  // why, without quoting the password.
  if (maskKey(text) !== text) throw new UsageError(`"${maskKey(input)}": a user name and password do not go in an image or registry name; name the registry alone`);
  const scheme = /^https?:\/\//.exec(text);
  if (scheme) return registryOnly(input, text.slice(scheme[0].length).split('/')[0] ?? '');
  if (text.endsWith('/') && !text.slice(0, -1).includes('/')) return registryOnly(input, text.slice(0, -1));
  // A bracketed IPv6 host (`[::1]:5000`) is one too: read as an image, its colons would make a tag.
  if (!text.includes('/') && isRegistryHost(text) && (text.includes('.') || text.startsWith('[') || /^localhost(?::[0-9]+)?$/.test(text))) {
    return registryOnly(input, text);
  }
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/.test(digest)) throw new UsageError(`"${input}": invalid digest`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) throw new UsageError(`"${input}": invalid tag`);
  }
  let registry: string;
  let path: string;
  const slash = rest.indexOf('/');
  const first = slash < 0 ? rest : rest.slice(0, slash);
  if (namesNoRegistry(rest)) {
    registry = DOCKER_HUB_HOST;
    path = rest;
  } else {
    registry = first;
    path = rest.slice(slash + 1);
    if (!isRegistryHost(registry)) throw new UsageError(`"${input}": invalid registry "${registry}"`);
  }
  if (registry === LEGACY_HUB) registry = DOCKER_HUB_HOST;
  if (registry === DOCKER_HUB_HOST && !path.includes('/')) path = `library/${path}`;
  if (path.toLowerCase() !== path) throw new UsageError(`"${input}": repository name must be lowercase`);
  if (path === '' || !path.split('/').every((c) => isPathComponent(c))) throw new UsageError(`"${input}" is not a valid image reference`);
  return { input, kind: 'image', registry, path, name: `${registry}/${path}`, hub: registry === DOCKER_HUB_HOST, tag, digest };
}

/**
 * True for an image named without its registry (`nginx`, `library/nginx`, `org/app:1`). docker,
 * skopeo and kubelet read it as Docker Hub's; podman and buildah resolve it through registries.conf
 * (short-name aliases, then unqualified-search-registries), and may pull it from elsewhere.
 */
export function isShortName(ref: ImageRef): boolean {
  return ref.kind === 'image' && namesNoRegistry(ref.input.trim());
}

/** True when the first component of `name` is no registry (as parseImageRef tells them apart). */
export function namesNoRegistry(name: string): boolean {
  const slash = name.indexOf('/');
  if (slash < 0) return true;
  const first = name.slice(0, slash);
  return !/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first;
}
