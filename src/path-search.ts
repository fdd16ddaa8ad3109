/**
 * Finding a program on PATH as docker and podman do (Go's exec.LookPath, which exec.Command
 * runs): the one PATH walk behind running a `docker-credential-*` helper, probing that it can run,
 * and deciding docker's default credential store, so they never disagree.
 */
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { join, posix, win32 } from 'node:path';
import type { Env } from './io.js';

/** Where a search ended: the program's file, or else the first file of its name that cannot be run. */
export interface PathSearch {
  /** The absolute path of the program, when found. */
  path?: string;
  /** POSIX: a file of the program's name on PATH without execute permission, which the search passed over. */
  notExecutable?: string;
}

/** Go's default when PATHEXT is unset (lp_windows.go). */
const DEFAULT_PATHEXT = ['.com', '.exe', '.bat', '.cmd'];

/**
 * Looks `program` (a bare name, no directory) up on `env`'s PATH as Go's exec.LookPath does on
 * `platform`. Empty and relative PATH entries are skipped (Go 1.19 and later refuse a program found
 * through one, so a helper is never taken from the current directory). POSIX: `:` separates
 * entries, and a file without execute permission is passed over (and named in `notExecutable`).
 * Windows: `;` separates entries (a quoted entry may hold one), PATH and PATHEXT are found whatever
 * their case, and a name is tried as it is only when it has an extension, then with each PATHEXT
 * extension (`.com;.exe;.bat;.cmd` when unset), so `docker-credential-wincred` is found as
 * `docker-credential-wincred.exe`.
 */
export function searchPath(program: string, env: Env, platform: NodeJS.Platform): PathSearch {
  const windows = platform === 'win32';
  const pathText = (windows ? windowsVariable(env, 'PATH') : env.PATH) ?? '';
  const dirs = windows ? splitWindowsList(pathText) : pathText.split(':');
  const candidates = windows ? windowsCandidates(program, windowsVariable(env, 'PATHEXT')) : [program];
  const absolute = windows ? win32.isAbsolute : posix.isAbsolute;
  let notExecutable: string | undefined;
  for (const dir of dirs) {
    if (dir === '' || !absolute(dir)) continue;
    for (const name of candidates) {
      const path = join(dir, name);
      let isFile: boolean;
      try {
        isFile = statSync(path).isFile();
      } catch {
        continue; // not here: keep looking, as a shell would
      }
      if (!isFile) continue;
      // Windows has no execute bit: Go takes any file that is not a directory.
      if (windows) return { path };
      try {
        accessSync(path, fsConstants.X_OK);
        return { path };
      } catch {
        // Go's LookPath passes over it too, so docker and podman keep looking and then say only
        // "executable file not found in $PATH"; the file is remembered for the fix.
        notExecutable ??= path;
      }
    }
  }
  return notExecutable === undefined ? {} : { notExecutable };
}

/** An environment variable as Windows reads it: names are case-insensitive. */
function windowsVariable(env: Env, name: string): string | undefined {
  if (env[name] !== undefined) return env[name];
  for (const [key, value] of Object.entries(env)) if (key.toUpperCase() === name) return value;
  return undefined;
}

/** The names Go tries in each directory (findExecutable in lp_windows.go). */
function windowsCandidates(program: string, pathext: string | undefined): string[] {
  const exts = pathext ? pathext.toLowerCase().split(';').filter((e) => e !== '').map((e) => (e.startsWith('.') ? e : `.${e}`)) : DEFAULT_PATHEXT;
  // hasExt: a "." after the last separator. Go then still tries the extensions ("foo.bat.exe").
  const hasExt = program.lastIndexOf('.') > Math.max(program.lastIndexOf('/'), program.lastIndexOf('\\'), program.lastIndexOf(':'));
  return [...(hasExt ? [program] : []), ...exts.map((e) => `${program}${e}`)];
}

/** Go's filepath.SplitList on Windows: `;` separates, except inside double quotes, which are removed. */
function splitWindowsList(text: string): string[] {
  if (text === '') return [];
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (c === ';' && !quoted) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}
