/**
 * The running process as a {@link Host}: what the `credkit` bin runs with (src/cli/main.ts) and
 * what the library's getCredential and explainCredential default to. With the bins' own glue, the
 * one module that reads `process` for host facts: everything below takes them as arguments.
 */
import { homedir, userInfo } from 'node:os';
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
