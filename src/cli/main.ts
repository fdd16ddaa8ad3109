/**
 * Process glue for the `credkit` bin: builds the Io from `process` and sets the exit code.
 */
import { homedir } from 'node:os';
import { main } from './run.js';
import type { Io } from '../io.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs `credkit` on process.argv; `packageRoot` locates package.json. */
export async function runCli(packageRoot: string): Promise<void> {
  const io: Io = {
    env: process.env,
    home: process.env.HOME || homedir(),
    platform: process.platform,
    cwd: process.cwd(),
    uid: process.getuid?.(),
    readStdin,
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    isTTY: Boolean(process.stderr.isTTY),
  };
  process.exitCode = await main(process.argv.slice(2), io, packageRoot);
}
