/**
 * Standard input and output through file descriptors 0, 1 and 2, for both bins (the start-up
 * shell; nothing in the core uses this). `process.stdin`/`stdout`/`stderr` are stream objects
 * built on first use: a pipe becomes a net.Socket, and loading node:net and its streams cost a
 * helper call or a `credkit --version` a sixth of Node's own start-up (see bench/).
 */
import { readSync, writeSync } from 'node:fs';
import { IoError } from './errors.js';

/**
 * All of standard input as UTF-8 ('' when there is none). Read in chunks so that a non-blocking
 * stdin (some parents set O_NONBLOCK on a shared descriptor) keeps what was read before it ran
 * dry: the rest then comes through the stream.
 */
export async function readStdin(): Promise<string> {
  return (await readStdinBytes()).toString('utf8');
}

/** All of standard input as bytes (empty when there is none); see {@link readStdin}. */
export async function readStdinBytes(): Promise<Buffer> {
  // One buffer, grown when full, rather than a chunk per read joined at the end: a helper's input
  // is a line, and each Node function a call runs for the first time adds to its start-up.
  let buffer = Buffer.allocUnsafe(65536);
  let length = 0;
  try {
    for (;;) {
      if (length === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const n = readSync(0, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN') {
      const chunks: Buffer[] = [buffer.subarray(0, length)];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    }
    if (code === 'EISDIR') {
      // `< some-dir`: the shell opens a directory as stdin without complaint.
      throw new IoError('standard input is a directory, not a file or pipe', { cause: err });
    }
    if (code !== 'EOF' && code !== 'ENXIO' && code !== 'EINVAL') {
      // EOF, ENXIO, EINVAL: closed or no stdin. Anything else is the input failing, not a bug.
      throw new IoError(`cannot read standard input (${code ?? 'error'})`, { cause: err });
    }
  }
  return buffer.subarray(0, length);
}

/**
 * Writes all of `text` to `fd`, synchronously, so nothing is lost when the process exits. A
 * non-blocking descriptor that is full (EAGAIN) is retried after a millisecond's sleep, not in a
 * busy loop; any other error (EPIPE: the reader went away; ENOSPC, EIO) ends the write, and its
 * code is returned for a caller that must not report success over lost output.
 */
export function writeAll(fd: number, text: string): string | undefined {
  const data = Buffer.from(text, 'utf8');
  for (let off = 0; off < data.length; ) {
    try {
      off += writeSync(fd, data, off);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN') return code ?? 'EIO';
      napSync(1);
    }
  }
  return undefined;
}

let napCell: Int32Array | undefined;

/** Sleeps `ms` without spinning (nothing ever notifies this cell, so the wait times out). */
function napSync(ms: number): void {
  napCell ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(napCell, 0, 0, ms);
}
