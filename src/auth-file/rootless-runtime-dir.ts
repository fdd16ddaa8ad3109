/**
 * The XDG_RUNTIME_DIR rootless podman and buildah set for themselves when the environment has
 * none (su, cron, ssh without a login session), and so where their runtime auth.json is. skopeo
 * sets nothing: containers/image alone uses `/run/containers/$UID/auth.json`, which a user other
 * than root can neither create nor, once root has run podman, read.
 *
 * Checked as an unprivileged user with podman 4.3.1, buildah 1.28.2 and skopeo 1.9.3 (`login
 * --verbose` prints the file): podman follows its pkg/util `GetRuntimeDir`, buildah containers/
 * storage's `GetRootlessRuntimeDir`, which differ.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Host } from '../io.js';

/** Owner and permission bits of a directory, or undefined when nothing is there; throws when it cannot tell. */
export type StatDir = (path: string) => Promise<{ uid: number; mode: number } | undefined>;

/** The runtime directories rootless podman and buildah use when XDG_RUNTIME_DIR is unset. */
export interface RootlessRuntimeDirs {
  /** podman's XDG_RUNTIME_DIR: its auth file is `<podman>/containers/auth.json`. */
  podman: string;
  /** buildah's XDG_RUNTIME_DIR (it ends in `/containers`): its auth file is `<buildah>/containers/auth.json`. */
  buildah: string;
}

/** `stat` with links followed: undefined when nothing is there. */
export const statDir: StatDir = async (path) => {
  try {
    const st = await stat(path);
    return { uid: st.uid, mode: st.mode & 0o777 };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
};

type Seen = { uid: number; mode: number } | 'missing' | 'unknown';

async function look(path: string, probe: StatDir): Promise<Seen> {
  try {
    return (await probe(path)) ?? 'missing';
  } catch {
    return 'unknown';
  }
}

/**
 * Where rootless podman and buildah keep their runtime files when XDG_RUNTIME_DIR is unset, or
 * undefined when they set nothing: on Linux only, for a user other than root (root's podman is not
 * rootless and uses `/run/containers/0`), and only without XDG_RUNTIME_DIR.
 *
 * podman 4.3 takes `/run/user/$UID` when it is the user's with `rwx` for its owner (it cannot
 * make one under root's /run/user), else `${TMPDIR:-/tmp}/podman-run-$UID` (made when missing),
 * else `$HOME/rundir`. buildah 1.28 skips `/run/user/$UID` whatever it is: containers/storage
 * takes it only when /proc/1/comm reads `systemd`, and that file ends in a newline, so on a
 * systemd machine too it takes `${TMPDIR:-/var/tmp}/containers-user-$UID` (buildah sets TMPDIR to
 * /var/tmp when it is unset), made when missing and else used only when the user's with no access
 * for others, else `$HOME/rundir`; then adds `/containers`.
 */
export async function rootlessRuntimeDirs(host: Host, uid: number | undefined, probe: StatDir = statDir): Promise<RootlessRuntimeDirs | undefined> {
  if (host.platform !== 'linux' || uid === undefined || uid === 0 || host.env.XDG_RUNTIME_DIR) return undefined;
  const fallback = join(host.home, 'rundir');
  const podmanOwns = (s: Seen) => s === 'missing' || (typeof s === 'object' && s.uid === uid && (s.mode & 0o700) === 0o700);
  const runUser = join('/run', 'user', String(uid));
  const runUserSeen = await look(runUser, probe);
  // podman's MkdirAll of /run/user/$UID fails under root's /run/user: a missing one is not used.
  const podmanTmp = join(host.env.TMPDIR || '/tmp', `podman-run-${uid}`);
  const podman = typeof runUserSeen === 'object' && podmanOwns(runUserSeen) ? runUser : podmanOwns(await look(podmanTmp, probe)) ? podmanTmp : fallback;
  const buildahTmp = join(host.env.TMPDIR || '/var/tmp', `containers-user-${uid}`);
  const buildahSeen = await look(buildahTmp, probe);
  const buildahOwns = buildahSeen === 'missing' || (typeof buildahSeen === 'object' && buildahSeen.uid === uid && (buildahSeen.mode & 0o700) === 0o700 && (buildahSeen.mode & 0o066) === 0);
  return { podman, buildah: join(buildahOwns ? buildahTmp : fallback, 'containers') };
}

/**
 * Why rootless podman 4.3 and buildah 1.28 refuse to start with the XDG_RUNTIME_DIR given, or
 * undefined when they take it (or are not rootless). Their containers/common setup checks the
 * directory before any command, login and pull alike, fails with this message, and never reaches
 * an auth file; skopeo does no such check. A directory that does not exist is no refusal: all
 * three then warn, skip its auth.json and read the later files (their logins fail).
 *
 * Checked as an unprivileged user: a directory of another user fails them whatever its mode, and
 * one of the user's own without write access fails them where it has no `libpod` in it yet.
 */
export async function refusedRuntimeDir(host: Host, uid: number | undefined, probe: StatDir = statDir): Promise<string | undefined> {
  const dir = host.env.XDG_RUNTIME_DIR;
  if (host.platform !== 'linux' || uid === undefined || uid === 0 || !dir) return undefined;
  const seen = await look(resolve(host.cwd, dir), probe);
  if (typeof seen !== 'object') return undefined;
  if (seen.uid !== uid) return `XDG_RUNTIME_DIR directory "${dir}" is not owned by the current user`;
  if ((seen.mode & 0o300) !== 0o300 && (await look(resolve(host.cwd, dir, 'libpod'), probe)) === 'missing') return `mkdir ${join(dir, 'libpod')}: permission denied`;
  return undefined;
}
