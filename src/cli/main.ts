/**
 * Process glue for the `credkit` bin: builds the Io from `process` and sets the exit code.
 */
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { main } from './run.js';
import type { Io } from '../io.js';
import { readStdin, writeAll } from '../fd-io.js';

/** Runs `credkit` on process.argv; `packageRoot` locates package.json. */
export async function runCli(packageRoot: string): Promise<void> {
  const io: Io = {
    env: process.env,
    home: process.env.HOME || homedir(),
    platform: process.platform,
    cwd: process.cwd(),
    uid: process.getuid?.(),
    readStdin,
    stdout: (text) => writeAll(1, text),
    stderr: (text) => writeAll(2, text),
    // node:tty loads node:net; only a command that draws progress asks.
    get isTTY() {
      return (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty(2);
    },
  };
  process.exitCode = await main(process.argv.slice(2), io, packageRoot);
}
