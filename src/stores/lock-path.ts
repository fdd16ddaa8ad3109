/**
 * Where a keyring backend's writers take their lock file.
 *
 * One lock per user and keyring, whatever XDG_RUNTIME_DIR says: rootless podman, run where the
 * environment has none (su, cron, ssh without a login session), sets one of its own for the
 * helpers it starts ($TMPDIR/podman-run-UID with podman 4.3) while docker passes none, so a lock
 * kept under XDG_RUNTIME_DIR was two locks over one keyring and a `docker login` and a `podman
 * login` at once could lose an index update. The state directory is the user's own (HOME), made
 * 0700, and survives a logout (which empties /run/user/UID under a writer), and podman leaves
 * XDG_STATE_HOME as it is. /run/user/UID is no answer either: inside podman's user namespace
 * the helper's uid is 0.
 */
import { statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Host } from '../io.js';
import { withFileLock } from '../auth-file/safe-file.js';

/** The lock a keyring backend's writers take. */
export interface StoreLock {
  /** `$XDG_STATE_HOME/credkit/<backend>-<service>` (default `~/.local/state/credkit/…`); the lock file is this plus `.lock`. */
  path: string;
  /** Where credkit took it before, under `$XDG_RUNTIME_DIR`, when that is elsewhere: taken too while an older credkit may be writing. */
  legacy: string | undefined;
}

function lockName(backend: string, service: string): string {
  return `${backend}-${service.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

/** credkit's state directory for the user of `host`: `$XDG_STATE_HOME/credkit`, default `~/.local/state/credkit`. */
export function credkitStateDir(host: Host): string {
  // A relative XDG_STATE_HOME is invalid (XDG Base Directory spec) and would follow the cwd.
  const state = host.env.XDG_STATE_HOME && isAbsolute(host.env.XDG_STATE_HOME) ? host.env.XDG_STATE_HOME : join(host.home, '.local', 'state');
  return join(state, 'credkit');
}

/** The writers' lock of `backend` with `service`, for the user of `host`. */
export function storeLockFor(host: Host, backend: string, service: string): StoreLock {
  const path = join(credkitStateDir(host), lockName(backend, service));
  const runtime = host.env.XDG_RUNTIME_DIR;
  const legacy = runtime ? join(runtime, 'credkit', lockName(backend, service)) : undefined;
  return { path, legacy: legacy === path ? undefined : legacy };
}

/**
 * Runs `fn` holding `lock`: its path, then the old one under XDG_RUNTIME_DIR if an older credkit
 * has made its directory. An older credkit takes only the old one, so a writer of each kind
 * still excludes the other while both are installed (one on docker's PATH and one on podman's,
 * or an upgrade mid-login); always in this order, so two writers never wait on each other.
 * Where no older credkit ran since boot (the runtime directory is a tmpfs) nothing is made there.
 */
export function withStoreLock<T>(lock: StoreLock, fn: () => Promise<T>): Promise<T> {
  const { legacy } = lock;
  return withFileLock(lock.path, () => (legacy !== undefined && isDirectory(dirname(legacy)) ? withFileLock(legacy, fn) : fn()));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}
