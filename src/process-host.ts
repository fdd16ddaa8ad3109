/**
 * The running process as a {@link Host}: what the `credkit` bin runs with (src/cli/main.ts) and
 * what the library's getCredential and explainCredential default to. With the bins' own glue, the
 * one module that reads `process` for host facts: everything below takes them as arguments.
 */
import { homedir, userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Env, Host } from './io.js';

/**
 * This process's host facts. `env` defaults to `process.env`; the home directory is its `HOME`
 * (as Go's os.UserHomeDir reads it, so a caller's `HOME` moves every default file), else the
 * account's home directory.
 */
export function processHost(env: Env = process.env): Host {
  return { env, home: env.HOME || accountHome(), platform: process.platform, cwd: process.cwd(), uid: process.getuid?.() };
}

/**
 * The account's home directory from the user database, as docker's and containers/storage's
 * homedir.Get fall back to (user.Current) when HOME is empty. Not os.homedir(), which answers this
 * process's own HOME first: a library caller's env without HOME would take this process's.
 */
function accountHome(): string {
  try {
    return userInfo().homedir;
  } catch {
    return homedir(); // no entry for this uid (a container's arbitrary user): HOME, as before
  }
}

/** The host facts a library call may give instead of this process's (LookupOptions, OpenStoreOptions). */
export interface HostOptions {
  env?: Env | undefined;
  home?: string | undefined;
  cwd?: string | undefined;
  onHelperStderr?: ((text: string) => void) | undefined;
}

/**
 * The host a library call runs on: this process's facts where the caller gives none. A client (or
 * store) whose home is `home` runs with HOME there, and so do the helpers it starts (pass, gpg and
 * credkit's own file store find their data under HOME): without this, a caller that points `home`
 * at a throwaway directory would have helpers read this process's user's stores. An `env` the
 * caller gives with its own HOME is kept as given.
 */
export function libraryHost(options: HostOptions): Host {
  const { env, home, cwd, onHelperStderr } = options;
  const base = processHost(env);
  const helperHome = home !== undefined && !env?.HOME ? { env: { ...base.env, HOME: resolve(cwd ?? base.cwd, home) } } : {};
  // A helper stopped for taking too long names the option the caller can raise, not credkit's
  // CREDKIT_HELPER_TIMEOUT or [helpers] timeout, which helperTimeoutMs replaces.
  // cwd made absolute and normal, as process.cwd() is: paths below it are reported relative to it
  // by a prefix test (migrate), which a `dir/.` or `a/../dir` would fail, naming them from
  // another directory than the caller's or in full.
  return { ...base, ...helperHome, ...(home !== undefined ? { home } : {}), ...(cwd !== undefined ? { cwd: resolve(cwd) } : {}), ...(onHelperStderr ? { stderr: quietly(onHelperStderr) } : {}), helperTimeoutSetting: 'helperTimeoutMs' };
}

/**
 * `sink` with whatever it throws swallowed: it is called from a stream event, so an exception
 * there would otherwise crash the caller's process instead of failing the call.
 */
function quietly(sink: (text: string) => void): (text: string) => void {
  return (text) => {
    try {
      sink(text);
    } catch {
      // the caller's own callback failed; the call goes on
    }
  };
}
