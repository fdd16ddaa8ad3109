/**
 * Creating a directory and its missing parents, without Node's `mkdir({recursive: true})`: that
 * one steps back to the parent on every ENOENT and forward again when the parent exists, so where
 * a directory exists but cannot hold the child (procfs answers ENOENT for a name it will never
 * have: /proc/self/x) it spins forever, the synchronous form with the event loop stopped.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

function codeOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Makes `dir` and any missing parents with `mode`, like `mkdir -p`; throws the system error (its
 * `code` set) when one cannot be made. An ENOENT after its parent exists is final.
 */
export function makeDirectory(dir: string, mode: number): void {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      mkdirSync(d, { mode });
      break;
    } catch (err) {
      if (codeOf(err) === 'EEXIST') {
        // Something is there: it must be a directory (a dangling link throws ENOENT here).
        if (!statSync(d).isDirectory()) throw err;
        break;
      }
      if (codeOf(err) !== 'ENOENT' || dirname(d) === d) throw err;
      missing.push(d);
    }
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d, { mode });
    } catch (err) {
      // Made by someone else in the meantime is fine; anything else (ENOENT included) is final.
      if (codeOf(err) !== 'EEXIST' || !statSync(d).isDirectory()) throw err;
    }
  }
}
