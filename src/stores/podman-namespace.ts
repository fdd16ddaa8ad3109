/**
 * Whether credkit runs inside the user namespace rootless podman (or buildah) makes for itself,
 * where it runs credential helpers as uid 0. The kernel keyrings there are the namespace's, not
 * the user's: a key stored there is seen by no docker or shell of the user, and is gone when the
 * namespace ends (podman's pause process: a reboot, `podman system migrate`; buildah's ends with
 * each command), and what the user stored outside is not found there (checked with podman 4.3.1
 * and buildah 1.28).
 */
import { readFileSync } from 'node:fs';
import type { Env } from '../io.js';

/**
 * The way out for logins an older credkit kept in podman's namespace keyring: `podman unshare`
 * joins the namespace of podman's pause process, whose keyring keeps them until that process ends
 * (checked with podman 4.3.1), and there keyutils serves as the source of a copy, and only as that
 * (keyutils.ts namespaceRefusal).
 */
export const LEAVE_NAMESPACE = 'podman unshare credkit copy --from keyutils --to pass --move';

/**
 * True when `uidMap` (the text of /proc/self/uid_map) maps uid 0 to `uid` alone, as podman's and
 * buildah's namespaces do (`0 UID 1`, then their subordinate ids). The initial namespace maps
 * `0 0 4294967295`, and a container's a range, so a stray `_CONTAINERS_ROOTLESS_UID` alone
 * matches neither.
 */
export function mapsRootToUid(uidMap: string, uid: string): boolean {
  return uidMap.split('\n').some((line) => {
    const [inside, outside, count] = line.trim().split(/\s+/);
    return inside === '0' && outside === uid && count === '1';
  });
}

/**
 * True inside rootless podman's or buildah's user namespace. podman marks the processes it runs
 * there with _CONTAINERS_ROOTLESS_UID (the user's uid outside): without it (every call but
 * podman's) this is one environment look-up; with it, /proc/self/uid_map says whether this
 * process is in such a namespace, since anyone can set a variable.
 */
export function inRootlessPodmanNamespace(env: Env, readUidMap: () => string = () => readFileSync('/proc/self/uid_map', 'utf8')): boolean {
  const uid = env._CONTAINERS_ROOTLESS_UID;
  if (uid === undefined || !/^\d+$/.test(uid)) return false;
  try {
    return mapsRootToUid(readUidMap(), uid);
  } catch {
    return false; // no /proc (or no user namespaces): not podman's namespace
  }
}
