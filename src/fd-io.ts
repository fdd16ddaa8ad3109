/**
 * Standard input and output through file descriptors 0, 1 and 2, for both bins (the start-up
 * shell; nothing in the core uses this). `process.stdin`/`stdout`/`stderr` are stream objects
 * built on first use: a pipe becomes a net.Socket, and loading node:net and its streams cost a
 * helper call or a `credkit --version` a sixth of Node's own start-up (see bench/).
 */
import { readFileSync, writeSync } from 'node:fs';

/** All of standard input as UTF-8 ('' when there is none). */
export async function readStdin(): Promise<string> {
  try {
    return readFileSync(0, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EOF' || code === 'ENXIO' || code === 'EINVAL') return ''; // closed or no stdin
    if (code !== 'EAGAIN') throw err;
  }
  // A non-blocking stdin (some parents set O_NONBLOCK): fall back to the stream.
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Writes all of `text` to `fd`, synchronously, so nothing is lost when the process exits. A
 * non-blocking descriptor (EAGAIN) is retried; a reader that went away (EPIPE) ends the write.
 */
export function writeAll(fd: number, text: string): void {
  const data = Buffer.from(text, 'utf8');
  for (let off = 0; off < data.length; ) {
    try {
      off += writeSync(fd, data, off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
  }
}
