/**
 * The one module that reads and writes credential files. Every write is: lock, read, change,
 * write a temp file beside the real target, fsync, rename. Symlinks are written through (the
 * link survives, relative links resolve against their own directory), the owner is kept, and the
 * mode is never wider than 0600 (a stricter existing mode is kept).
 */
import { constants as fsc, lstatSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { dirname, basename, resolve, join } from 'node:path';
import { IoError } from '../errors.js';
import { makeDirectory } from '../directory.js';

// node:fs/promises is loaded by the write paths only: a helper `get` never needs it, and loading
// it is a measurable share of the helper's start-up (see bench/).
type FsPromises = typeof import('node:fs/promises');
let fsPromises: Promise<FsPromises> | undefined;
function fsp(): Promise<FsPromises> {
  fsPromises ??= import('node:fs/promises');
  return fsPromises;
}

/** Mode for any new file that holds a secret. */
export const SECRET_FILE_MODE = 0o600;

/** How long to wait for another writer's lock, and when a lock is considered abandoned. */
export interface LockOptions {
  timeoutMs?: number;
  staleMs?: number;
  /**
   * For tests: runs while breaking an abandoned lock, once it has been judged abandoned
   * (`judged`) and again just before removing it (`removing`). A test that waits at either step
   * makes a race with the other waiters certain instead of one round in twenty: whoever judged
   * a lock must not remove the one another took since, and removing must be one breaker's alone.
   */
  beforeBreak?: (step: 'judged' | 'removing') => Promise<void>;
  /**
   * False for a lock that guards no file of its own (entry-lock.ts): no temp file of a write is
   * ever beside it to remove, and listing its directory at every take cost a run that holds a
   * thousand such locks at once (one auth file's keys) a thousand listings of a thousand names.
   */
  sweep?: boolean;
}

const DEFAULT_LOCK: Required<Omit<LockOptions, 'beforeBreak' | 'sweep'>> = { timeoutMs: 15_000, staleMs: 30_000 };

function codeOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Reads a file as UTF-8, or returns undefined when it does not exist. Synchronous underneath on
 * purpose: credential files are small, and an async read starts libuv's thread pool, which is a
 * measurable part of a helper call's start-up (see bench/).
 */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return undefined;
    if (codeOf(err) === 'EISDIR') throw new IoError(`${path}: is a directory, not a file`, { cause: err });
    if (codeOf(err) === 'EACCES') throw new IoError(`${path}: permission denied`, { cause: err });
    throw new IoError(`${path}: cannot read (${codeOf(err) ?? 'error'})`, { cause: err });
  }
}

/**
 * Where the symlink at `linkPath` holding `link` points. A relative link is taken from the link's
 * real directory, as the kernel does: lexically, `../x` beside a link reached through a symlinked
 * directory (~/.docker -> dotfiles/docker) would name another file than the one read.
 */
function linkTarget(linkPath: string, link: string): string {
  return resolve(realPathOf(dirname(linkPath)), link);
}

/**
 * The path a write must replace: symlinks are followed (dangling ones too, to where they point),
 * relative link targets are taken relative to the link's own directory.
 */
export async function resolveWriteTarget(path: string): Promise<string> {
  const { lstat, readlink } = await fsp();
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let st;
    try {
      st = await lstat(current);
    } catch (err) {
      if (codeOf(err) === 'ENOENT') return current;
      throw new IoError(`${path}: cannot inspect (${codeOf(err) ?? 'error'})`, { cause: err });
    }
    if (!st.isSymbolicLink()) return current;
    const dir = await sharedDirectoryOf(current);
    if (dir !== undefined && !ownedHere(st.uid, dir)) {
      const link = current === resolve(path) ? 'is' : `leads through ${current}, which is`;
      throw new IoError(`${path}: ${link} another user's symbolic link in a directory every user can write to; credkit does not follow it, as Linux does not (fs.protected_symlinks): it could send the credentials anywhere`);
    }
    current = linkTarget(current, await readlink(current));
  }
  throw new IoError(`${path}: too many levels of symbolic links`);
}

/**
 * The directory of `path` when it is shared: sticky and writable by every user (/tmp,
 * /var/tmp), where anyone may put a name and only its owner may remove it. Undefined otherwise,
 * or when it cannot be inspected (the write then fails on its own).
 */
async function sharedDirectoryOf(path: string): Promise<{ uid: number } | undefined> {
  const { stat } = await fsp();
  const st = await stat(dirname(path)).catch(() => undefined);
  return st !== undefined && (st.mode & 0o1002) === 0o1002 ? { uid: st.uid } : undefined;
}

/**
 * The effective uid of this process: the owner of /proc/self, which Linux gives the process's
 * effective uid (the core reads no `process`). Undefined where there is no /proc.
 */
let ownUidRead = false;
let ownUid: number | undefined;
function effectiveUid(): number | undefined {
  if (!ownUidRead) {
    ownUidRead = true;
    try {
      ownUid = statSync('/proc/self').uid;
    } catch {
      ownUid = undefined;
    }
  }
  return ownUid;
}

/**
 * Whether a symlink or file owned by `uid` in the shared directory `dir` is safe to follow or
 * replace: Linux's rule for such directories (fs.protected_symlinks, fs.protected_regular), ours
 * or the directory owner's. Another user's name there is a trap (a link planted at
 * `/tmp/out.json` pointing at a file of theirs or at one of ours to clobber, a file of theirs
 * that would keep its owner), so the kernel refuses to follow or open it, even for root; credkit
 * follows links and keeps owners itself, so it checks the same. Where our uid is unknown, only
 * the directory owner's pass.
 */
function ownedHere(uid: number, dir: { uid: number }): boolean {
  return uid === dir.uid || uid === effectiveUid();
}

/**
 * Where `path` really is: symlinks resolved (in its directories too), relative paths made
 * absolute. A missing file is its real directory plus its name, and a dangling symlink is where it
 * points, because that is what a write creates. Two spellings of one file give one answer.
 */
export function realPathOf(path: string): string {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    try {
      return realpathSync.native(current);
    } catch (err) {
      if (codeOf(err) !== 'ENOENT' && codeOf(err) !== 'ENOTDIR') return current;
    }
    let link: string | undefined;
    try {
      link = lstatSync(current).isSymbolicLink() ? readlinkSync(current) : undefined;
    } catch {
      link = undefined;
    }
    if (link !== undefined) {
      current = linkTarget(current, link);
      continue;
    }
    const parent = dirname(current);
    return parent === current ? current : join(realPathOf(parent), basename(current));
  }
  return current;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Who takes a lock, as written into the lock file: `pid host pid-namespace`. Computed once; the
 * pid namespace (Linux) tells a container that shares the home directory from the host, where
 * the same pid is another process.
 */
let ownerLine: string | undefined;
async function lockOwnerLine(): Promise<string> {
  if (ownerLine === undefined) {
    // node:os only here: the helper's `get` takes no lock and should not load it.
    const { hostname } = await import('node:os');
    let namespace = '-';
    try {
      namespace = readlinkSync('/proc/self/ns/pid');
    } catch {
      // No /proc (macOS, Windows): one pid space per host.
    }
    ownerLine = `${process.pid} ${hostname() || '-'} ${namespace}\n`;
  }
  return ownerLine;
}

/** Whether a process with this pid runs (EPERM: it does, as another user). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return codeOf(err) !== 'ESRCH';
  }
}

/**
 * What a lock file's text says about its taker, seen from the process whose own line is `self`:
 * `gone` when the taker ran on this host, in this pid namespace, and runs no more; `running` when
 * it still runs there; `unknown` for anything else (another host or container, an empty file
 * from a taker that has not written its line yet, an older credkit), which only age can break.
 */
export function lockTakerState(text: string, self: string, runs: (pid: number) => boolean): 'gone' | 'running' | 'unknown' {
  const taker = /^(\d+) (\S+) (\S+)\n$/.exec(text);
  const me = /^(\d+) (\S+) (\S+)\n$/.exec(self);
  if (!taker || !me || taker[2] !== me[2] || taker[3] !== me[3]) return 'unknown';
  const pid = Number(taker[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return 'unknown';
  return pid === Number(me[1]) || runs(pid) ? 'running' : 'gone';
}

/** Makes the directory a file at `path` goes in (mode 0700), or says in one line why it cannot. */
function makeParents(path: string, dir: string): void {
  try {
    makeDirectory(dir, 0o700);
  } catch (err) {
    throw new IoError(`${path}: cannot create directory ${dir} (${codeOf(err) ?? 'error'})`, { cause: err });
  }
}

/**
 * Runs `fn` while holding an exclusive lock on `path` (a `PATH.lock` file created with O_EXCL
 * beside the real target, holding its taker's {@link lockOwnerLine}). Works across processes. A
 * lock whose taker is gone (killed mid-write: Ctrl-C during `docker login`) is broken at once; one
 * whose taker still runs is waited for; one of unknown taker is broken after `staleMs`.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const { open, unlink } = await fsp();
  const { timeoutMs, staleMs } = { ...DEFAULT_LOCK, ...options };
  const target = await resolveWriteTarget(path);
  const lockPath = `${target}.lock`;
  // A directory that cannot be made (read-only file system, a file in the way, a place under
  // /proc) is the user's to fix, not a crash.
  makeParents(path, dirname(target));
  const deadline = Date.now() + timeoutMs;
  const self = await lockOwnerLine();
  let delay = 2;
  for (;;) {
    try {
      await createLock(lockPath, self);
      break;
    } catch (err) {
      if (codeOf(err) !== 'EEXIST') {
        throw new IoError(`${path}: cannot create lock file ${lockPath} (${codeOf(err) ?? 'error'})`, { cause: err });
      }
    }
    const held = await readLock(lockPath);
    if (held === undefined) continue; // released between our open and this one
    if ('foreign' in held) {
      throw new IoError(`${path}: ${lockPath}, the name of its lock file, is ${held.foreign}, which credkit never makes; remove it (or write elsewhere, if it is not yours)`);
    }
    const state = lockTakerState(held.text, self, processRuns);
    if ((state === 'gone' || (state === 'unknown' && Date.now() - held.mtimeMs > staleMs)) && (await breakLock(lockPath, held, options.beforeBreak))) continue;
    if (Date.now() > deadline) {
      const who = state === 'running' ? ` held by process ${held.text.split(' ')[0]}` : '';
      throw new IoError(`${path}: timed out waiting for lock ${lockPath}${who} (remove it if no credkit is running)`);
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 50);
  }
  try {
    if (options.sweep !== false) await removeAbandonedTemps(target);
    return await fn();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

/**
 * Creates `lockPath` already holding `line`, or throws EEXIST. The line is written to a file of
 * our own first and hard-linked into place: a lock created empty and written after (O_EXCL, then
 * write) was left empty by a writer killed in between, and an empty lock names no taker, so it
 * could only be broken by age (after `staleMs`, longer than waiters wait). Where the file system
 * has no hard links, the lock is created and written as before.
 */
async function createLock(lockPath: string, line: string): Promise<void> {
  const { link, open, unlink, writeFile } = await fsp();
  const temp = `${join(dirname(lockPath), `.${basename(lockPath)}`)}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}.tmp`;
  let linked = false;
  try {
    await writeFile(temp, line, { flag: fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY, mode: 0o600 });
    await link(temp, lockPath);
    linked = true;
  } catch (err) {
    if (codeOf(err) === 'EEXIST' || !NO_HARD_LINKS.has(codeOf(err) ?? '')) throw err;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  if (linked) return;
  const handle = await open(lockPath, fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY, 0o600);
  try {
    await handle.writeFile(line);
  } finally {
    await handle.close();
  }
}

/** What link() fails with on a file system that has no hard links (FAT, some network and FUSE mounts). */
const NO_HARD_LINKS: ReadonlySet<string> = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

interface HeldLock {
  ino: number;
  mtimeMs: number;
  text: string;
}

/** What is at a lock's name when it is no lock credkit made (see {@link readLock}). */
interface ForeignLock {
  foreign: string;
}

/** More than any lock line (`pid host pid-namespace`); a longer file is no lock of ours anyway. */
const LOCK_READ_LIMIT = 512;

/**
 * A lock file's identity and text, undefined when there is none, or what is there instead when it
 * is not a regular file. Opened without following a symlink and without waiting for a writer: a
 * FIFO or a link to /dev/zero or a terminal put at the name (by anyone, in /tmp) made every writer
 * hang or read without end, past the lock's timeout. credkit's locks are regular files, and a
 * line is all that is read of one.
 */
async function readLock(lockPath: string): Promise<HeldLock | ForeignLock | undefined> {
  const { open, lstat } = await fsp();
  let handle;
  try {
    handle = await open(lockPath, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return undefined;
    const st = await lstat(lockPath).catch(() => undefined);
    if (st === undefined) return undefined;
    if (st.isSymbolicLink()) return { foreign: 'a symbolic link' };
    // Another user's lock we may not read (a group's shared directory): a taker unknown, so
    // waited for, and broken only by age.
    if (st.isFile()) return { ino: st.ino, mtimeMs: st.mtimeMs, text: '' };
    return { foreign: st.isDirectory() ? 'a directory' : specialKind(st) };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { foreign: st.isDirectory() ? 'a directory' : specialKind(st) };
    const buffer = Buffer.alloc(LOCK_READ_LIMIT);
    const { bytesRead } = await handle.read(buffer, 0, LOCK_READ_LIMIT, 0);
    return { ino: st.ino, mtimeMs: st.mtimeMs, text: buffer.subarray(0, bytesRead).toString('utf8') };
  } catch {
    return undefined;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** A breaker's own lock older than this was left by a breaker killed in its few system calls. */
const BREAKER_STALE_MS = 5_000;

/**
 * Removes the lock judged abandoned if it is still that lock; false when another waiter is
 * breaking it right now. Breakers take turns through a lock of their own (`PATH.lock.lock`):
 * comparing the inode and then unlinking let a second breaker remove the lock the first had just
 * broken and taken anew (the file system hands the freed inode number straight back), and both
 * went on to write, so one update was lost.
 */
async function breakLock(lockPath: string, held: HeldLock, beforeBreak?: LockOptions['beforeBreak']): Promise<boolean> {
  const { lstat, open, unlink } = await fsp();
  await beforeBreak?.('judged');
  const breaker = `${lockPath}.lock`;
  try {
    await (await open(breaker, fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY, 0o600)).close();
  } catch (err) {
    if (codeOf(err) !== 'EEXIST') throw new IoError(`${lockPath}: cannot create lock file ${breaker} (${codeOf(err) ?? 'error'})`, { cause: err });
    const st = await lstat(breaker).catch(() => undefined);
    if (st !== undefined && Date.now() - st.mtimeMs > BREAKER_STALE_MS) await unlink(breaker).catch(() => undefined);
    return false;
  }
  try {
    // Under the breaker's lock nobody else removes the lock file, and nobody creates one while
    // it exists: if it is still the one judged, removing it removes only that one.
    const now = await readLock(lockPath);
    if (now !== undefined && !('foreign' in now) && now.ino === held.ino && now.mtimeMs === held.mtimeMs && now.text === held.text) {
      await beforeBreak?.('removing');
      await unlink(lockPath).catch(() => undefined);
    }
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
  return true;
}

/**
 * Removes the temp files {@link writeFileAtomic} left beside `target` when a writer was killed
 * between writing and renaming (kill -9, a power cut): each holds a copy of the secrets, which
 * would outlive a later logout. Runs under the target's lock, so no writer of ours is mid-write;
 * other tools' temp files do not match the name.
 */
async function removeAbandonedTemps(target: string): Promise<void> {
  const { lstat, readdir, rm } = await fsp();
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(target));
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(prefix) && TEMP_SUFFIX.test(name.slice(prefix.length))) await rm(join(dirname(target), name), { force: true }).catch(() => undefined);
  }
  // A lock's own temp file (createLock) is made by waiters outside the lock, so only an old one
  // was abandoned (its writer killed between its three calls); it holds no secret, just clutter.
  const lockPrefix = `.${basename(target)}.lock.`;
  for (const name of names) {
    if (!name.startsWith(lockPrefix) || !TEMP_SUFFIX.test(name.slice(lockPrefix.length))) continue;
    const path = join(dirname(target), name);
    const st = await lstat(path).catch(() => undefined);
    if (st !== undefined && Date.now() - st.mtimeMs > BREAKER_STALE_MS) await rm(path, { force: true }).catch(() => undefined);
  }
}

/** What follows `.<name>.` in a temp file's name (see writeFileAtomic). */
const TEMP_SUFFIX = /^[0-9a-z]{8,}\.tmp$/;

/** Options for {@link writeFileAtomic}. */
export interface WriteOptions {
  /** Mode for a new file; an existing file keeps its own mode, narrowed to at most this one. */
  mode?: number;
}

/**
 * Replaces the file at `path` (through symlinks) with `data` in one rename, so readers see the
 * old or the new content, never a part. Keeps owner; never widens the mode beyond `mode`.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteOptions = {}): Promise<void> {
  const { chown, open, rename, rm, stat } = await fsp();
  const maxMode = options.mode ?? SECRET_FILE_MODE;
  const target = await resolveWriteTarget(path);
  const dir = dirname(target);
  makeParents(path, dir);
  let mode = maxMode;
  let owner: { uid: number; gid: number } | undefined;
  try {
    const st = await stat(target);
    if (st.isDirectory()) throw new IoError(`${path}: is a directory, not a file`);
    // A rename would put a regular file in the place of a FIFO or a device (as root: /dev/null).
    if (!st.isFile()) throw new IoError(`${path}: is ${specialKind(st)}, not a regular file; credkit replaces files whole and will not write there`);
    // Keeping the owner of a file another user put in /tmp would hand them the credentials.
    const shared = await sharedDirectoryOf(target);
    if (shared !== undefined && !ownedHere(st.uid, shared)) {
      throw new IoError(`${path}: belongs to another user and is in a directory every user can write to; credkit does not write credentials into it, as Linux does not (fs.protected_regular): its owner could read them`);
    }
    mode = st.mode & 0o777 & maxMode;
    owner = { uid: st.uid, gid: st.gid };
  } catch (err) {
    if (err instanceof IoError) throw err;
    if (codeOf(err) !== 'ENOENT') throw new IoError(`${path}: cannot inspect (${codeOf(err) ?? 'error'})`, { cause: err });
  }
  // O_EXCL makes the name safe against collisions; it needs to be unique, not unguessable, and
  // node:crypto would cost the helper measurable start-up time. Its shape is TEMP_SUFFIX's: the
  // next writer under the lock removes it if this one is killed before the rename.
  const tmp = join(dir, `.${basename(target)}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}.tmp`);
  let handle;
  try {
    handle = await open(tmp, fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY, 0o600);
  } catch (err) {
    throw new IoError(`${path}: cannot write in ${dir} (${codeOf(err) ?? 'error'})`, { cause: err });
  }
  try {
    await handle.writeFile(data);
    await handle.chmod(mode); // open()'s mode is filtered by the umask; chmod is not
    if (owner) {
      // Keep the owner (e.g. a file of the invoking user edited under sudo). Only root can chown.
      await chown(tmp, owner.uid, owner.gid).catch(() => undefined);
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, target);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new IoError(`${path}: write failed (${codeOf(err) ?? (err as Error).message})`, { cause: err });
  }
  // Make the rename itself durable; not every file system lets a directory be fsynced.
  try {
    const d = await open(dir, 'r');
    await d.sync().catch(() => undefined);
    await d.close();
  } catch {
    /* best effort */
  }
}

function specialKind(st: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'a special file';
}

/** Options for {@link writeNewFile}. */
export interface NewFileOptions {
  /** The file's mode (not filtered by the umask). */
  mode: number;
  /** Owner to give the file; kept only where the process may chown (root). */
  owner?: { uid: number; gid: number };
  /** How many `-N` suffixes to try after `path` itself is taken (default 1000). */
  maxSuffix?: number;
  /**
   * The file whose locked writes clean up after this one: the data is first written to a temp file
   * named as {@link writeFileAtomic} names that file's, which a later write removes if this process
   * is killed before the temp file gets its name.
   */
  tempBeside?: string;
}

/**
 * Writes `data` to a file that did not exist: `path`, or `path-1`, `path-2`… when that name is
 * taken. The data is written and synced to a temp file first and then given the name with link(),
 * which fails on a name that exists: an existing file (or a symlink planted there) is never
 * overwritten or followed, and a process killed mid-write (Ctrl-C during a backup) never leaves a
 * partly written file under the name. Returns the path written.
 */
export async function writeNewFile(path: string, data: string | Uint8Array, options: NewFileOptions): Promise<string> {
  const { link, open, rm } = await fsp();
  const maxSuffix = options.maxSuffix ?? 1000;
  const beside = options.tempBeside ?? path;
  const temp = join(dirname(path), `.${basename(beside)}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}.tmp`);
  let handle;
  try {
    handle = await open(temp, fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY, 0o600);
  } catch (err) {
    throw new IoError(`${path}: cannot create (${codeOf(err) ?? 'error'})`, { cause: err });
  }
  try {
    await handle.chmod(options.mode & 0o777); // open()'s mode is filtered by the umask; chmod is not
    if (options.owner) await handle.chown(options.owner.uid, options.owner.gid).catch(() => undefined);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw new IoError(`${path}: write failed (${codeOf(err) ?? (err as Error).message})`, { cause: err });
  }
  try {
    for (let n = 0; n <= maxSuffix; n++) {
      const name = n === 0 ? path : `${path}-${n}`;
      try {
        await link(temp, name);
        return name;
      } catch (err) {
        if (codeOf(err) === 'EEXIST') continue;
        throw new IoError(`${name}: cannot create (${codeOf(err) ?? 'error'})`, { cause: err });
      }
    }
    throw new IoError(`${path}: that name and ${maxSuffix} numbered ones after it are all taken`);
  } finally {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

/**
 * Locked read-modify-write: `change` gets the current text (undefined if missing) and returns the
 * new text, or undefined to leave the file alone. If `change` throws, nothing is written.
 */
export async function updateFile(
  path: string,
  change: (current: string | undefined) => string | undefined | Promise<string | undefined>,
  options: WriteOptions & LockOptions = {},
): Promise<boolean> {
  return withFileLock(
    path,
    async () => {
      const current = await readTextIfExists(path);
      const next = await change(current);
      if (next === undefined || next === current) return false;
      await writeFileAtomic(path, next, options);
      return true;
    },
    options,
  );
}
