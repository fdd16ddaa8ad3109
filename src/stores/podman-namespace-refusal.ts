/**
 * What credkit says where its keyutils backend meets rootless podman's user namespace: the
 * helper's refusal (keyutils.ts) and what `credkit explain` and `get` say for podman and buildah.
 * A module of its own, so that docker-credential-credkit's main bundle, which loads
 * podman-namespace.ts, does not carry these texts.
 */

import { LEAVE_NAMESPACE } from './podman-namespace.js';

/**
 * Why the kernel keyring is refused inside rootless podman's user namespace
 * (podman-namespace.ts): storing there would keep a login from docker and the shell and lose it
 * with the namespace, and a read would say "not logged in" for what the user stored outside. What
 * to change is a store both sides see, for podman's registries at least.
 */
export const PODMAN_NAMESPACE_PROBLEM =
  'rootless podman and buildah run credential helpers in a user namespace of their own, whose kernel keyring is not the one docker and your shell see (and is gone when the namespace ends), so credkit does not use it there; send the registries podman uses to pass or file under [routes] in credkit\'s config.ini (REGISTRY = pass), or run podman with CREDKIT_BACKEND=pass (or file)';

/**
 * The refusal with the way out: what an older credkit stored there is moved out with `podman
 * unshare`, which runs credkit in podman's namespace, where keyutils opens as a copy's source.
 */
export const KEYUTILS_NAMESPACE_REFUSAL = `${PODMAN_NAMESPACE_PROBLEM}; to move out logins kept there before, run ${LEAVE_NAMESPACE}`;

/**
 * The line docker-credential-credkit answers there when a call reaches its keyutils backend: what
 * podman and buildah show, and what `credkit explain` and `get` say for them.
 */
export const KEYUTILS_IN_PODMAN_NAMESPACE = `credkit keyutils: ${KEYUTILS_NAMESPACE_REFUSAL}`;
