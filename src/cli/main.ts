/**
 * Process glue for the `credkit` bin: builds the Io from `process` and sets the exit code.
 */
import { createRequire } from 'node:module';
import { main } from './run.js';
import { processHost } from '../process-host.js';
import type { Io } from '../io.js';
import { readStdin, writeAll } from '../fd-io.js';

/** Runs `credkit` on process.argv; `packageRoot` locates package.json. */
export async function runCli(packageRoot: string): Promise<void> {
  // The first error that ended a write to stdout; nothing more is written after it.
  let stdoutError: string | undefined;
  const io: Io = {
    ...processHost(),
    readStdin,
    stdout: (text) => {
      if (stdoutError === undefined) stdoutError = writeAll(1, text);
    },
    stderr: (text) => writeAll(2, text),
    // node:tty loads node:net; only a command that draws progress asks.
    get isTTY() {
      return (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty(2);
    },
  };
  const code = await main(process.argv.slice(2), io, packageRoot);
  // A reader that went away (`credkit ls | head -1`) wants no more output. Any other failure
  // (a full disk under `> secret.yaml`) lost output that a script takes for complete on exit 0.
  if (stdoutError !== undefined && stdoutError !== 'EPIPE') {
    writeAll(2, `credkit: cannot write to standard output (${stdoutError}); the output is incomplete\n`);
    process.exitCode = code === 0 ? 1 : code;
  } else {
    process.exitCode = code;
  }
}
