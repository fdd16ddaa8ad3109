/**
 * Reading credential inputs from disk (or from a caller-supplied stdin reader for `-`), with the
 * facts `check` needs about each file. Never writes.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { IoError, UsageError } from '../errors.js';
import { readTextIfExists } from './safe-file.js';

/** One input's text, how the user named it, and its permission bits when it is a file. */
export interface LoadedInput {
  text: string;
  source: string;
  path?: string;
  mode?: number;
}

/**
 * Throws UsageError when `-` (standard input) is among `names` more than once: a second read would
 * get nothing, so the command is refused before it reads anything, as a mistake in its arguments.
 */
export function assertStdinOnce(names: readonly unknown[]): void {
  if (names.indexOf('-') !== names.lastIndexOf('-')) throw new UsageError('standard input (-) is named more than once; it can be read only once');
}

/** Reads each named input; `-` means `readStdin` (named at most once). Missing files are an error. */
export async function readInputs(names: readonly string[], cwd: string, readStdin: () => Promise<string>): Promise<LoadedInput[]> {
  assertStdinOnce(names);
  const out: LoadedInput[] = [];
  for (const name of names) {
    if (name === '-') {
      out.push({ text: await readStdin(), source: '-' });
      continue;
    }
    const loaded = await readInputIfExists(name, cwd);
    if (!loaded) throw new IoError(`${name}: no such file`);
    out.push(loaded);
  }
  return out;
}

/** Reads one file, or undefined when it does not exist. */
export async function readInputIfExists(name: string, cwd: string): Promise<LoadedInput | undefined> {
  const path = resolve(cwd, name);
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  let mode: number | undefined;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch {
    mode = undefined;
  }
  const loaded: LoadedInput = { text, source: name, path };
  if (mode !== undefined) loaded.mode = mode;
  return loaded;
}
