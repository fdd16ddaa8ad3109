/**
 * The running process as a {@link Host}: what the `credkit` bin runs with (src/cli/main.ts) and
 * what the library's getCredential and explainCredential default to. With the bins' own glue, the
 * one module that reads `process` for host facts: everything below takes them as arguments.
 */
import { homedir } from 'node:os';
import type { Env, Host } from './io.js';

/**
 * This process's host facts. `env` defaults to `process.env`; the home directory is its `HOME`
 * (as Go's os.UserHomeDir reads it, so a caller's `HOME` moves every default file), else the
 * account's home directory.
 */
export function processHost(env: Env = process.env): Host {
  return { env, home: env.HOME || homedir(), platform: process.platform, cwd: process.cwd(), uid: process.getuid?.() };
}
