/**
 * The Host of credkit's small bins (docker-credential-credkit, credkit-kubelet-provider): the
 * process's own facts, read here so that everything they call takes them as arguments. Lighter
 * than src/process-host.ts on purpose: `node:os` is loaded only when HOME is unset, since these
 * bins run on every pull and its import costs start-up time.
 */
import type { Host } from './io.js';
import { writeAll } from './fd-io.js';

/** This process as a Host; a helper:NAME backend's own stderr goes where ours goes (the terminal, or kubelet's log). */
export async function binHost(): Promise<Host> {
  return {
    env: process.env,
    home: process.env.HOME || (await import('node:os')).homedir(),
    platform: process.platform,
    cwd: process.cwd(),
    uid: process.getuid?.(),
    stderr: (text) => writeAll(2, text),
  };
}
