/**
 * `file`: credentials in one JSON file with mode 0600. Every change is a locked, atomic
 * read-modify-write, so parallel `store` calls lose nothing. A file that cannot be parsed is
 * reported and never overwritten.
 *
 * Shape: `{"credentials": {"<server URL>": {"username": "…", "secret": "…"}}}`.
 */
import type { CredkitConfig } from '../config.js';
import type { Host } from '../io.js';
import type { CredentialStore, StoredCredential } from './store.js';
import { constants } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ParseError, messageOf } from '../errors.js';
import { readTextIfExists, realPathOf, resolveWriteTarget, updateFile } from '../auth-file/safe-file.js';

/** One backend line for `credkit store backends`. */
export const description = 'a JSON file with mode 0600 (plain text on disk; for headless machines and CI)';

type FileShape = { credentials: Record<string, { username: string; secret: string }> };

function parse(text: string | undefined, path: string): FileShape {
  // No prototype: a server URL "__proto__" is a key like any other.
  if (text === undefined || text.trim() === '') return { credentials: Object.create(null) as FileShape['credentials'] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ParseError('the credential file is not valid JSON; fix or move it (it was left untouched)', { file: path });
  }
  const creds = (raw as { credentials?: unknown } | null)?.credentials;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || (creds !== undefined && (creds === null || typeof creds !== 'object' || Array.isArray(creds)))) {
    throw new ParseError('expected {"credentials": {…}}; the file was left untouched', { file: path });
  }
  const out: FileShape = { credentials: Object.create(null) as FileShape["credentials"] };
  for (const [url, entry] of Object.entries((creds ?? {}) as Record<string, unknown>)) {
    const e = entry as { username?: unknown; secret?: unknown } | null;
    if (!e || typeof e !== 'object' || typeof e.username !== 'string' || typeof e.secret !== 'string') {
      throw new ParseError('entry needs string "username" and "secret"; the file was left untouched', { file: path, key: url });
    }
    out.credentials[url] = { username: e.username, secret: e.secret };
  }
  // Keep any other top-level fields a newer credkit may have written.
  return { ...(raw as object), credentials: out.credentials };
}

function serialize(shape: FileShape, path: string): string {
  try {
    return `${JSON.stringify(shape, null, 2)}\n`;
  } catch (err) {
    // A kept top-level field nested thousands of levels deep overflows JSON.stringify's stack.
    // Checked here, not when read, so that get and list keep working and the helper loads nothing more.
    if (err instanceof RangeError) throw new ParseError('a field is nested too deeply to write back; fix or move the file (it was left untouched)', { file: path }, { cause: err });
    throw err;
  }
}

/** A store backed by one JSON file. */
export class FileStore implements CredentialStore {
  readonly name = 'file';
  constructor(readonly path: string) {}

  async add(c: StoredCredential): Promise<void> {
    await sweepBeforeFirstWrite(this.path);
    await updateFile(this.path, (text) => {
      const shape = parse(text, this.path);
      shape.credentials[c.serverURL] = { username: c.username, secret: c.secret };
      return serialize(shape, this.path);
    });
  }

  async get(serverURL: string): Promise<StoredCredential | undefined> {
    const shape = parse(await readTextIfExists(this.path), this.path);
    const e = Object.hasOwn(shape.credentials, serverURL) ? shape.credentials[serverURL] : undefined;
    return e ? { serverURL, username: e.username, secret: e.secret } : undefined;
  }

  async delete(serverURL: string): Promise<boolean> {
    let existed = false;
    await sweepBeforeFirstWrite(this.path);
    await updateFile(this.path, (text) => {
      if (text === undefined) return undefined;
      const shape = parse(text, this.path);
      existed = Object.hasOwn(shape.credentials, serverURL);
      if (!existed) return undefined;
      delete shape.credentials[serverURL];
      return serialize(shape, this.path);
    });
    return existed;
  }

  async list(): Promise<Map<string, string>> {
    const shape = parse(await readTextIfExists(this.path), this.path);
    return new Map(Object.entries(shape.credentials).map(([url, e]) => [url, e.username]));
  }

  /** The file's real path: the same file under another name (symlink, relative path) is this store. */
  location(): string {
    return `file ${realPathOf(this.path)}`;
  }
}

/** Opens the file store at the configured path. */
export async function openStore(config: CredkitConfig): Promise<CredentialStore> {
  return new FileStore(config.filePath);
}

/**
 * Why the file at the configured path cannot be used: something other than a file in its place, a
 * file that cannot be read or parsed, or a directory where the lock and the new file cannot be
 * created (read-only, or not a directory). Each would fail the first `docker login` or `pull`.
 */
export async function checkAvailable(config: CredkitConfig): Promise<string | undefined> {
  const path = config.filePath;
  try {
    parse(await readTextIfExists(path), path);
    const { access, lstat, stat } = await import('node:fs/promises');
    // Every write creates `<file>.lock` and a temporary file beside the real target, after
    // creating the missing directories: the nearest one that exists must take new entries.
    const target = await resolveWriteTarget(path);
    let dir = dirname(target);
    let missing = false;
    for (;;) {
      const entry = await lstat(dir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' && dirname(dir) !== dir ? undefined : Promise.reject(err)));
      if (entry === undefined) {
        dir = dirname(dir);
        missing = true;
        continue;
      }
      // A link to a directory that is not there (a drive not mounted): mkdir cannot go through it.
      const st = await stat(dir).catch(() => undefined);
      if (st === undefined) return `${path}: cannot be created, ${dir} is a symbolic link to a directory that does not exist`;
      if (!st.isDirectory()) return `${path}: cannot be created, ${dir} is not a directory`;
      break;
    }
    // access() judges by the mode bits alone: it passes for root everywhere, and on a pseudo file
    // system (/proc/self, /sys) that refuses every new name. So make what the first write makes
    // there (a directory, or a file), under a name of our own, and remove it at once.
    const failed = await access(dir, constants.W_OK | constants.X_OK).then(
      () => tryCreating(dir, missing ? 'directory' : 'file', basename(target)),
      (err: NodeJS.ErrnoException) => err.code ?? 'error',
    );
    if (failed !== undefined) {
      return missing
        ? `${path}: cannot be created, credkit cannot create directories in ${dir} (${failed})`
        : `${path}: cannot be written, credkit cannot create files in ${dir} (${failed})`;
    }
    return undefined;
  } catch (err) {
    return messageOf(err);
  }
}

/** The name of a directory the check makes and removes (see tryCreating). */
const CHECK_DIRECTORY = /^\.credkit-check\.[0-9a-z]{8,}\.tmp$/;

/**
 * Removes the empty check directories in `dir` that a check killed between its mkdir and rmdir
 * left. Any age: a running check whose directory goes has its answer already (mkdir worked), and
 * its own rmdir's failure is ignored. rmdir removes only empty ones, which is all a check makes.
 */
async function sweepCheckDirectories(dir: string): Promise<void> {
  const { readdir, rmdir } = await import('node:fs/promises');
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) if (CHECK_DIRECTORY.test(name)) await rmdir(join(dir, name)).catch(() => undefined);
}

/**
 * Before a write that is to create the file's directory: sweeps the nearest existing one, where
 * the checks left their directories, since no check looks there once the directory is made.
 */
async function sweepBeforeFirstWrite(path: string): Promise<void> {
  const { lstat } = await import('node:fs/promises');
  let dir = dirname(await resolveWriteTarget(path));
  let missing = false;
  while ((await lstat(dir).catch(() => undefined)) === undefined && dirname(dir) !== dir) {
    dir = dirname(dir);
    missing = true;
  }
  if (missing) await sweepCheckDirectories(dir);
}

/**
 * Creates a directory or an empty file in `dir` and removes it again; the error code when it cannot
 * be created. The file's name is a writer's temp file's (`.<name>.<random>.tmp`, see
 * writeFileAtomic), so one left by a check killed in between is removed by the next write; a
 * directory left so is removed by the next check here, or by the write that creates the file's
 * directory (sweepBeforeFirstWrite).
 */
async function tryCreating(dir: string, kind: 'directory' | 'file', name: string): Promise<string | undefined> {
  const { mkdir, open, rmdir, unlink } = await import('node:fs/promises');
  if (kind === 'directory') await sweepCheckDirectories(dir);
  const probe = join(dir, `.${kind === 'directory' ? 'credkit-check' : name}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}.tmp`);
  try {
    if (kind === 'directory') await mkdir(probe, { mode: 0o700 });
    else await (await open(probe, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600)).close();
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'error';
  }
  await (kind === 'directory' ? rmdir(probe) : unlink(probe)).catch(() => undefined);
  return undefined;
}
