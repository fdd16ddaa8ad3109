/**
 * One-shot migration of many auth files: each file converted in place to another format, or its
 * plaintext credentials moved into a credential store, leaving `credsStore` and `{}` markers as
 * `docker login` would (formats.md §2.4). Per file: read once, plan, act, then one locked atomic
 * write that first checks nobody changed the file meanwhile. A bad file is reported and left
 * untouched; the others go on. Reports name files and keys, never secrets.
 */
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, isAbsolute, join, normalize, relative, sep } from 'node:path';
import fg from 'fast-glob';
import { IoError, ParseError, UsageError, isCredkitError, messageOf } from '../errors.js';
import { credentialInKey, keyForStyle, parseRegistryKey } from '../registry.js';
import { maskKey, maskUserinfo, shownKey } from '../redact.js';
import type { CredentialStore, StoredCredential } from '../stores/store.js';
import { TOKEN_USERNAME } from '../stores/store.js';
import type { EntryLocker } from '../stores/entry-lock.js';
import { convertAuthSync } from './convert.js';
import type { Note } from './convert.js';
import { jsonType, parseEntry } from './entry.js';
import type { Loss } from './fidelity.js';
import { isJSONObject, setOwn } from './json-text.js';
import type { AuthEntry, AuthFormat } from './model.js';
import { asDockerDecodes, describeMistyped, parseRawConfig, rawAuths, serializeRawConfig } from './raw-config.js';
import type { RawConfig } from './raw-config.js';
import { SECRET_FILE_MODE, updateFile, writeNewFile } from './safe-file.js';

/** Formats a file can be converted to in place (a Secret needs a name and is not a config file). */
export const IN_PLACE_FORMATS: readonly AuthFormat[] = ['docker', 'podman', 'dockercfg'];

/** What to do with each file. */
export type MigrateMode =
  /** `from`: read every file as this format (as convert's `--from`), else each is detected. */
  | { kind: 'convert'; to: AuthFormat; allowLossy: boolean; from?: AuthFormat }
  /**
   * `reader`: whose files these are (`--from`), else each is podman's when named auth.json:
   * podman's get a credHelpers entry per registry moved, docker's a credsStore.
   * `containersAlsoRead`: whether podman, buildah or skopeo (installed here) read a file of
   * docker's too, and so lose what is moved out of it; the report says so.
   */
  | { kind: 'store'; store: CredentialStore; credsStore: string; reader?: StoreFileReader; containersAlsoRead?: (path: string) => boolean; lockEntries?: EntryLocker };

/** Options of {@link migrateFiles}. */
export interface MigrateOptions {
  patterns: readonly string[];
  cwd: string;
  mode: MigrateMode;
  dryRun: boolean;
  /**
   * Write the old content to a new `FILE.credkit-backup-<backupStamp>` (`-N` added when taken),
   * mode 0600 or stricter, before changing a file.
   */
  backup: boolean;
  backupStamp: string;
  /** Files worked on at once in convert mode (default 32). Store mode goes one file at a time. */
  concurrency?: number;
  /** Called after each file. */
  onProgress?(done: number, total: number): void;
  /**
   * Messages name credkit migrate's flags (`--allow-lossy`, `--from podman`) when true (the
   * default), else the library's options (`allowLossy`, `from "podman"`).
   */
  cliFlags?: boolean;
}

/** How a file ended. */
export type FileStatus = 'changed' | 'would-change' | 'unchanged' | 'lossy' | 'failed';

/** One credential moved into the store. */
export interface StoredItem {
  /** The key in the store and of the `{}` marker left in the file. */
  key: string;
  /** The file's keys it came from, when one differs from `key`. */
  from?: string[];
  username: string;
  /** add: new in the store; same: the store held it already. */
  action: 'add' | 'same';
  /**
   * With `same`, when a file earlier in this run stored it (a dry run: would have): that file, as
   * the report names it. The store did not hold it before the run.
   */
  storedBy?: string;
  /**
   * The store it went to (or is in): the one named, or with `--into-store credkit` and `[routes]`
   * the store the helper routes this registry to (RoutedStore.storeFor).
   */
  store: string;
}

/** The report for one file. */
export interface FileReport {
  file: string;
  status: FileStatus;
  /** Why it failed or what is special, one line. */
  message?: string;
  losses?: Loss[];
  /** What the conversion changes without losing it (a key respelt so that a client now takes it). */
  notes?: Note[];
  stored?: StoredItem[];
  /** Credentials left in the file, with why. */
  kept?: { key: string; reason: string }[];
  backup?: string;
}

/** The whole run. */
export interface MigrateReport {
  files: FileReport[];
  /** Patterns that matched no file. */
  unmatched: string[];
  ok: boolean;
}

/**
 * Paths credkit writes beside auth files (backups, locks, temp files); never migrated themselves.
 * A plain test rather than fast-glob's `ignore`, whose matcher costs more than the glob itself.
 */
function isOwnFile(path: string): boolean {
  const name = path.slice(path.lastIndexOf(sep) + 1);
  return name.includes('.credkit-backup-') || name.endsWith('.lock') || (name.startsWith('.') && name.endsWith('.tmp'));
}

/** A directory (or path) the patterns lead into that could not be read, so what is under it is unknown. */
export interface UnsearchedPath {
  /** Absolute. */
  path: string;
  /** The errno code: EACCES, EPERM, EIO… */
  code: string;
}

/** Errors that mean "nothing there" to a glob, as to a shell: not worth a report line. */
const ABSENT_CODES = new Set(['ENOENT', 'ENOTDIR', 'ELOOP']);

/**
 * Expands the patterns (fast-glob syntax, relative to cwd), sorted and without duplicates (one Set
 * for all patterns, not fast-glob's per pattern). Synchronous on purpose, like the reads: over
 * 10,000 files fast-glob's async walk took twice as long, and nothing else runs meanwhile.
 * `unsearched` names the directories the walk could not list (and paths it could not look at).
 */
export function expandPatterns(patterns: readonly string[], cwd: string): { files: string[]; unmatched: string[]; unsearched: UnsearchedPath[] } {
  const all = new Set<string>();
  const unmatched: string[] = [];
  const unsearched = new Map<string, string>();
  let unreadable = 0;
  // fast-glob skips a directory it cannot list without a word under suppressErrors (and without it
  // the first such directory ends the whole walk): these wrappers note each one as the walk goes
  // on, so that a config.json under an unreadable runner's directory is reported as not migrated
  // rather than silently left as it was, with the exit status 0.
  const noted = <A extends unknown[], R>(call: (...args: A) => R) => (...args: A): R => {
    try {
      return call(...args);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      if (!ABSENT_CODES.has(code)) {
        unsearched.set(String(args[0]), code);
        unreadable++;
      }
      throw err;
    }
  };
  const fs = { readdirSync: noted(readdirSync), lstatSync: noted(lstatSync), statSync: noted(statSync) } as unknown as fg.FileSystemAdapter;
  for (const pattern of patterns) {
    // Paths as matched (absolute for an absolute pattern), made absolute here: fast-glob's own
    // `absolute` resolved every path again and was a third of the glob over 10,000 files.
    const before = unreadable;
    const found = fg.sync(pattern, { cwd, onlyFiles: true, dot: true, unique: false, suppressErrors: true, fs });
    // A pattern that led into an unreadable directory has its failed line instead: no file may match.
    let any = unreadable > before;
    for (const f of found) {
      if (isOwnFile(f)) continue;
      any = true;
      all.add(isAbsolute(f) ? (f.includes('/.') || f.includes('//') ? normalize(f) : f) : join(cwd, f));
    }
    if (!any) unmatched.push(pattern);
  }
  return { files: [...all].sort(), unmatched, unsearched: [...unsearched].map(([path, code]) => ({ path: isAbsolute(path) ? path : join(cwd, path), code })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

/** Migrates every file the patterns match. */
export async function migrateFiles(options: MigrateOptions): Promise<MigrateReport> {
  const flags = options.cliFlags ?? true;
  if (options.mode.kind === 'convert' && !IN_PLACE_FORMATS.includes(options.mode.to)) {
    throw new UsageError(`${flags ? '--to' : 'to'} must be one of ${IN_PLACE_FORMATS.join(', ')} (${flags ? 'use credkit convert' : 'convertAuth writes'} Secrets)`);
  }
  const from = options.mode.kind === 'convert' ? options.mode.from : undefined;
  if (from !== undefined && !IN_PLACE_FORMATS.includes(from)) {
    // Every file would be refused: a Secret manifest is never rewritten in place as an auth file.
    throw new UsageError(`${flags ? '--from' : 'from'} must be one of ${IN_PLACE_FORMATS.join(', ')}: migrate rewrites auth files in place (${flags ? 'credkit convert SECRET --to docker -o FILE writes' : 'convertAuth with to "docker" makes'} one from a Secret)`);
  }
  const { files, unmatched, unsearched } = expandPatterns(options.patterns, options.cwd);
  // One thread on purpose: per file the work is a few microseconds of parsing, and worker threads
  // measured at twice the CPU (each loads the format modules again) for no gain in wall time.
  const migrated = await migrateList(files, options, (done) => options.onProgress?.(done, files.length));
  const reports = unsearched.length === 0 ? migrated : withUnsearched(files, migrated, unsearched, options.cwd);
  const ok = unmatched.length === 0 && reports.every((r) => r.status !== 'failed' && r.status !== 'lossy');
  return { files: reports, unmatched, ok };
}

/**
 * The reports with a `failed` line for each path the walk could not read, in path order among the
 * files: a file under it may be one the patterns name, and is left as it was.
 */
function withUnsearched(files: readonly string[], reports: readonly FileReport[], unsearched: readonly UnsearchedPath[], cwd: string): FileReport[] {
  const rows: [string, FileReport][] = files.map((f, i) => [f, reports[i] as FileReport]);
  for (const { path, code } of unsearched) {
    let isDirectory = false;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      // Not even stat-able (a path inside an unreadable directory): named as it was looked for.
    }
    const message = isDirectory ? `cannot list this directory (${code}): no file under it was looked at` : `cannot read (${code})`;
    rows.push([path, { file: `${displayPath(path, cwd)}${isDirectory ? sep : ''}`, status: 'failed', message }]);
  }
  return rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, r]) => r);
}

/**
 * Migrates the given files in this thread. Reading, converting and deciding are synchronous; only
 * writes and store calls wait, in a bounded pool (store mode: one file at a time), so a dry run
 * over 10,000 files makes no promise per file.
 */
async function migrateList(files: readonly string[], options: Omit<MigrateOptions, 'onProgress'>, onEach?: (done: number) => void): Promise<FileReport[]> {
  const limit = options.mode.kind === 'store' ? 1 : Math.max(1, options.concurrency ?? 32);
  // What the files before have stored (a dry run: would have), for the files after: see storeFile.
  const runStored = options.mode.kind === 'store' ? new Map<string, RunStored>() : undefined;
  const reports = new Array<FileReport>(files.length);
  let next = 0;
  let done = 0;
  const failed = (err: unknown, display: string): FileReport => {
    if (!isCredkitError(err)) throw err;
    const message = messageOf(err);
    return { file: display, status: 'failed', message: message.startsWith(`${display}: `) ? message.slice(display.length + 2) : message };
  };
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      const path = files[i] as string;
      const display = displayPath(path, options.cwd);
      try {
        const outcome = migrateFile(path, display, options, runStored);
        reports[i] = typeof outcome === 'function' ? await outcome() : outcome;
      } catch (err) {
        reports[i] = failed(err, display);
      }
      onEach?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, files.length) }, worker));
  return reports;
}

/** `path` as the report shows it: relative to cwd when it is below cwd, else absolute. */
function displayPath(path: string, cwd: string): string {
  // fast-glob's absolute paths are normalised, so a prefix test is path.relative's answer here
  // without its normalisation work (it showed up at 10,000 files).
  const prefix = cwd.endsWith(sep) ? cwd : `${cwd}${sep}`;
  if (path.startsWith(prefix) && path.length > prefix.length) return path.slice(prefix.length);
  if (sep === '/') return path;
  // Windows: fast-glob writes `/`, cwd has `\\` (and drive letters differ in case).
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/**
 * Synchronous on purpose: for thousands of small files one blocking read is several times faster
 * than fs/promises' open/fstat/read/close round trips through the thread pool.
 */
function readSource(path: string, display: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new IoError(`${display}: cannot read (${code})`, { cause: err });
  }
}

/** A file's report, or the write (or store calls) still to wait for that will give it. */
type Outcome = FileReport | (() => Promise<FileReport>);

function migrateFile(path: string, display: string, options: Omit<MigrateOptions, 'onProgress'>, runStored?: Map<string, RunStored>): Outcome {
  const text = readSource(path, display);
  const mode = options.mode;
  return mode.kind === 'convert' ? convertFile(path, display, text, mode, options) : () => storeFile(path, display, text, mode, options, runStored);
}

function convertFile(path: string, display: string, text: string, mode: Extract<MigrateMode, { kind: 'convert' }>, options: Omit<MigrateOptions, 'onProgress'>): Outcome {
  // authFileOnly: a glob catches Secret manifests and other JSON too, and none may become an auth file.
  // cliFlags: credkit migrate's report names its --from, the library's its `from`.
  const flags = options.cliFlags ?? true;
  const result = convertAuthSync([{ text, source: display }], { to: mode.to, policy: 'fail', authFileOnly: true, cliFlags: flags, ...(mode.from !== undefined ? { from: mode.from } : {}) });
  const report: FileReport = { file: display, status: 'unchanged' };
  if (result.losses.length > 0) report.losses = result.losses;
  // As convert says them: in place, a respelt key changes what docker or podman does with the
  // very file they read, so a one-shot migration must not do it without a word.
  if (result.notes.length > 0) report.notes = result.notes;
  if (result.text === text) return report;
  if (result.losses.length > 0 && !mode.allowLossy) {
    return { ...report, status: 'lossy', message: `${mode.to} cannot express ${result.losses.length} ${result.losses.length === 1 ? 'item' : 'items'}; not written (${flags ? 'pass --allow-lossy' : 'set allowLossy'} to accept)` };
  }
  if (options.dryRun) return { ...report, status: 'would-change' };
  return () => writeChecked(path, display, text, result.text, report, options);
}

/** Writes `next` over `path` if it still holds `expected`, with an optional backup first. */
async function writeChecked(path: string, display: string, expected: string, next: string, report: FileReport, options: Omit<MigrateOptions, 'onProgress'>): Promise<FileReport> {
  let backup: string | undefined;
  let done = false;
  await updateFile(path, async (current) => {
    // Already what this run would write: the patterns reached the file under another name too (a
    // symlink, a symlinked directory), read it under both before either write, and the other
    // name came first. Found here rather than by an lstat or realpath of every file up front,
    // which cost a 10,000-file run a fifth of its time for what is seldom there.
    if (current === next && current !== expected) {
      done = true;
      return undefined;
    }
    if (current !== expected) throw new IoError(`${display}: changed while credkit was migrating it; left as it is now (run again)`);
    // Inside the lock, before the write: a backup that cannot be made stops the change.
    if (options.backup) backup = await writeBackup(path, display, expected, options.backupStamp);
    return next;
  });
  if (done) return { ...report, status: 'unchanged', message: 'already migrated under another name of this file (through a symlink)' };
  const out: FileReport = { ...report, status: 'changed' };
  if (backup !== undefined) out.backup = displayPath(backup, options.cwd);
  return out;
}

/**
 * Writes `text` to a new `PATH.credkit-backup-<stamp>` (`-1`, `-2`… when a run in the same second
 * made one already): never over an existing file, which may be the only copy of an original.
 * The backup holds the plaintext secrets the file held, so it is 0600 whatever the file's mode
 * (as credkit's writer leaves the migrated file; a stricter mode is kept), and it keeps the
 * file's owner where credkit may set it (run as root).
 */
async function writeBackup(path: string, display: string, text: string, stamp: string): Promise<string> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    throw new IoError(`${display}: cannot inspect it for the backup (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
  try {
    return await writeNewFile(`${path}.credkit-backup-${stamp}`, text, { mode: st.mode & 0o777 & SECRET_FILE_MODE, owner: { uid: st.uid, gid: st.gid }, tempBeside: path });
  } catch (err) {
    throw new IoError(`${display}: no backup could be written, so the file was left untouched (${messageOf(err)})`, { cause: err });
  }
}

/** One credential the plan moves into the store. */
export interface PlannedItem {
  key: string;
  sourceKeys: string[];
  credential: StoredCredential;
}

/**
 * Who reads the file: docker (a config.json), or podman, buildah and skopeo (containers/image, an
 * auth.json), which ignore `credsStore` and ask a helper only through `credHelpers`.
 */
export type StoreFileReader = 'docker' | 'containers';

/** What moving one file's plaintext credentials into a store does to it. */
export interface StorePlan {
  items: PlannedItem[];
  kept: { key: string; reason: string }[];
  /** The document to write once every item is stored and verified; undefined when nothing changes. */
  next: RawConfig | undefined;
  /**
   * containers only: `{}` markers of a `credsStore` that names this store (left by `docker login`
   * into a shared file, or by an older credkit), which podman reads nothing from. Each is routed
   * by credHelpers like a moved registry when the store holds its credential (`resolved`).
   */
  markers: { key: string; storeKey: string; dockerKey: string }[];
}

/** The credential fields a store takes over; every other field stays in the `{}` marker. */
const CREDENTIAL_FIELDS: ReadonlySet<string> = new Set(['auth', 'username', 'password', 'identitytoken']);

/**
 * Plans moving a config.json's plaintext credentials into the store docker calls `credsStore`.
 * Each key goes to the store under the string `docker login` would use (the Hub's
 * `https://index.docker.io/v1/`, else `host[:port]`), and the file keeps a marker under that key.
 * Left in the file: scoped keys (docker never asks a store for them) and keys routed through
 * `credHelpers`. Pure; throws ParseError for what makes the file unmigratable.
 *
 * For a file `containers` read (podman's auth.json), which ignore `credsStore` (podman 4.3.1 and
 * skopeo 1.9.3 pull anonymously past its `{}` markers), each moved registry gets a `credHelpers`
 * entry instead, under the key podman asks a helper with (`docker.io` for the Hub), and its
 * `auths` entry goes. A registry with a scoped key that holds a credential stays in the file
 * whole: podman asks a host's `credHelpers` entry before any key of that host in the same file,
 * so the entry would hide the scoped credential.
 */
export function planStoreMigration(doc: RawConfig, file: string, credsStore: string, reader: StoreFileReader = 'docker', resolved?: ReadonlyMap<string, StoredCredential>): StorePlan {
  const containers = reader === 'containers';
  const markers: StorePlan['markers'] = [];
  if (!('auths' in doc) && !('credsStore' in doc) && !('credHelpers' in doc) && Object.keys(doc).length > 0) {
    throw new ParseError('not a config.json ({"auths": …}); a .dockercfg cannot name a credential store', { file });
  }
  const kept: StorePlan['kept'] = [];
  if (containers && (!isJSONObject(doc.auths ?? {}) || !isJSONObject(doc.credHelpers ?? {}))) {
    // containers/image decodes the whole file into typed maps: podman reads no credential from it.
    throw new ParseError(`"${isJSONObject(doc.auths ?? {}) ? 'credHelpers' : 'auths'}" is no object, so podman cannot read this file at all; fix it first (credkit check names it)`, { file });
  }
  const current = !containers && typeof doc.credsStore === 'string' && doc.credsStore !== '' ? doc.credsStore : undefined;
  if (containers && doc.credsStore !== undefined) {
    kept.push({ key: 'credsStore', reason: 'podman, buildah and skopeo ignore credsStore (its {} markers give them nothing); kept as it is, and each registry moved now gets a credHelpers entry, which they ask' });
  }
  // docker reads a credsStore of the wrong type as none (and warns): it is replaced below.
  if (!containers && doc.credsStore !== undefined && doc.credsStore !== null && typeof doc.credsStore !== 'string') {
    kept.push({ key: 'credsStore', reason: `${describeMistyped({ member: 'credsStore', type: jsonType(doc.credsStore) })}, which docker reads as none (and warns about); replaced by "${credsStore}"` });
  }
  if (current !== undefined && current !== credsStore) {
    throw new ParseError(`already uses "credsStore": "${current}"; copy those credentials first (credkit copy --from helper:${current} …) or pick that store`, { file, key: 'credsStore' });
  }
  // What else docker reads as empty stays as it is, and is said per file, as convert says it.
  for (const member of ['auths', 'credHelpers'] as const) {
    const v = doc[member];
    if (v === undefined || v === null || isJSONObject(v)) continue;
    kept.push({ key: member, reason: `${describeMistyped({ member, type: jsonType(v) })}, which docker reads as ${member === 'auths' ? 'no entries' : 'none'} (and warns about); kept as it is` });
  }
  const helpers = isJSONObject(doc.credHelpers) ? doc.credHelpers : {};
  for (const key in helpers) {
    const helper = helpers[key];
    if (helper === null || typeof helper === 'string') continue;
    kept.push({ key: `credHelpers[${shownKey(key)}]`, reason: `${describeMistyped({ member: 'credHelpers', key, type: jsonType(helper) })}, which docker reads as "" (no helper: it reads that registry from the file, not from credsStore) and warns about; kept as it is` });
  }
  const auths = rawAuths(doc);
  const items = new Map<string, PlannedItem>();
  const keptKeys = new Set<string>();
  const order: { key: string; moved: boolean }[] = [];
  // Scoped keys with a credential, by host; and every host some registry-wide key names.
  const scoped = new Map<string, { key: string; e: AuthEntry }[]>();
  const wholeRegistry = new Set<string>();
  // containers: hosts with a scoped key that holds a credential.
  const scopedHosts = new Set<string>();
  let index = 0;
  for (const key in auths) {
    const raw = auths[key];
    index++;
    // A key that holds a credential would go to the store as its server URL, which the store keeps
    // in the clear (an item's label, a pass file name): the file is refused, as converting it is.
    if (credentialInKey(key) !== undefined) {
      throw new ParseError('the key holds a credential, not a registry, and would be stored as a server URL; the file was left untouched (credkit check says how to fix it)', { file, key: shownKey(key, { index, member: 'auths' }) });
    }
    if (maskKey(key) !== key) {
      throw new ParseError('the key holds a user name and password before the host, and would be stored as a server URL; the file was left untouched (credkit check says how to fix it)', { file, key: maskKey(key) });
    }
    // Only docker reads credsStore: an entry that is no object is an empty one to it (kept as is).
    const e = entryAsDocker(raw, key, file, kept);
    if (e.authProblem === 'invalid-base64' || e.authProblem === 'no-colon') throw new ParseError('"auth" cannot be decoded; the file was left untouched', { file, key });
    const hasCredential = e.identityToken !== undefined || e.username !== undefined || e.password !== undefined;
    const k = parseRegistryKey(key);
    const storeKey = keyForStyle(k, containers ? 'podman' : 'docker');
    if (k.scope === 'registry') wholeRegistry.add(k.host);
    if (e.notObject !== undefined) kept.push({ key, reason: `the entry is ${e.notObject}, not an object, which docker reads as empty (and warns about); written as {}, as docker writes it` });
    // A marker of this store in podman's file: the store's credential for it, when it has one.
    const marker = containers && !hasCredential && doc.credsStore === credsStore && k.scope === 'registry' && isJSONObject(raw) && !Object.hasOwn(helpers, key) && !Object.hasOwn(helpers, storeKey);
    const found = marker ? resolved?.get(key) : undefined;
    if (!hasCredential && found === undefined) {
      if (marker) markers.push({ key, storeKey, dockerKey: keyForStyle(k, 'docker') });
      order.push({ key, moved: false });
      continue;
    }
    if (k.scope !== 'registry' && containers) {
      scopedHosts.add(k.host);
      kept.push({ key, reason: 'scoped key: podman reads it from this file (a credential helper is asked by host only)' });
    } else if (k.scope !== 'registry') {
      if (!k.hub) (scoped.get(k.host) ?? scoped.set(k.host, []).get(k.host)!).push({ key, e });
      else kept.push({ key, reason: 'scoped key: docker never asks a credential store for it (podman still reads it here)' });
    } else if (Object.hasOwn(helpers, key) || Object.hasOwn(helpers, storeKey)) {
      const helper = Object.hasOwn(helpers, storeKey) ? helpers[storeKey] : helpers[key];
      // A helper name docker reads as "" (null, "", a number) routes the registry to the file itself.
      const named = typeof helper === 'string' && helper !== '';
      kept.push({ key, reason: named ? 'routed to a credHelpers entry, which docker uses instead of credsStore' : 'its credHelpers entry names no helper, so docker reads it from this file, not from credsStore' });
    } else {
      const credential: StoredCredential =
        found !== undefined
          ? { serverURL: storeKey, username: found.username, secret: found.secret }
          : e.identityToken !== undefined
            ? { serverURL: storeKey, username: TOKEN_USERNAME, secret: e.identityToken }
            : { serverURL: storeKey, username: e.username ?? '', secret: e.password ?? '' };
      const prior = items.get(storeKey);
      if (prior && (prior.credential.username !== credential.username || prior.credential.secret !== credential.secret)) {
        throw new ParseError(`keys "${prior.sourceKeys[0]}" and "${key}" are one registry for docker with different credentials; keep one and run again`, { file, key });
      }
      if (prior) prior.sourceKeys.push(key);
      else items.set(storeKey, { key: storeKey, sourceKeys: [key], credential });
      order.push({ key, moved: true });
      continue;
    }
    keptKeys.add(key);
    order.push({ key, moved: false });
  }
  if (containers) {
    for (const entry of order) {
      if (!entry.moved) continue;
      const k = parseRegistryKey(entry.key);
      if (!scopedHosts.has(k.host)) continue;
      entry.moved = false;
      items.delete(keyForStyle(k, 'podman'));
      kept.push({ key: entry.key, reason: `podman asks a credHelpers entry for ${k.host} before any key of ${k.host} in this file, so one would hide the scoped keys of ${k.host} kept here; kept in the file with them` });
    }
  } else {
    carryHostFallback(scoped, wholeRegistry, helpers, items, kept, keptKeys);
  }
  for (const item of items.values()) {
    if (keptKeys.has(item.key)) throw new ParseError(`"${item.sourceKeys[0]}" would be stored as "${item.key}", which the file keeps with its own credential`, { file, key: item.key });
  }
  if (items.size === 0) return { items: [], kept, next: undefined, markers };
  // Rebuild `auths` in file order; a moved entry becomes a marker under its store key.
  const nextAuths: Record<string, unknown> = {};
  for (const { key, moved } of order) {
    const raw = auths[key];
    const target = moved ? keyForStyle(parseRegistryKey(key), containers ? 'podman' : 'docker') : key;
    const prior = Object.hasOwn(nextAuths, target) ? nextAuths[target] : undefined;
    const marker: Record<string, unknown> = {};
    if (isJSONObject(prior)) for (const field in prior) setOwn(marker, field, prior[field]);
    // setOwn: a key or field named "__proto__" is kept like any other.
    // An entry that is no object (`[]`, `"x"`) has no fields to keep: it becomes {}, as docker writes it.
    if (isJSONObject(raw)) for (const field in raw) if (!(moved && CREDENTIAL_FIELDS.has(field.toLowerCase()))) setOwn(marker, field, raw[field]);
    // containers: a moved entry with nothing else in it goes (its credHelpers entry answers).
    if (containers && moved && Object.keys(marker).length === 0 && !isJSONObject(prior)) continue;
    setOwn(nextAuths, target, marker);
  }
  const next: RawConfig = { ...doc, auths: nextAuths };
  if (containers) {
    const nextHelpers: Record<string, unknown> = {};
    for (const key in helpers) setOwn(nextHelpers, key, helpers[key]);
    for (const item of items.values()) setOwn(nextHelpers, item.key, credsStore);
    next.credHelpers = nextHelpers;
  } else if (current === undefined) next.credsStore = credsStore;
  return { items: [...items.values()], kept, next, markers };
}

/**
 * One `auths` entry as docker reads it: a field of the wrong type (`"auth": 5`) is empty to docker
 * 28.2, which warns and uses the rest. Such an entry is decoded again only when the strict read
 * refused it, and the value stays in the file unless the entry's credential moves (a note says which).
 */
function entryAsDocker(raw: unknown, key: string, file: string, kept: StorePlan['kept']): AuthEntry {
  try {
    return parseEntry(raw, key, file, undefined, true);
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    const decoded = asDockerDecodes({ auths: { [key]: raw } });
    if (decoded.mistyped.length === 0) throw err;
    const e = parseEntry(rawAuths(decoded.doc)[key], key, file, undefined, true);
    for (const m of decoded.mistyped) {
      const credentialField = m.field !== undefined && CREDENTIAL_FIELDS.has(m.field.toLowerCase());
      kept.push({ key, reason: `${describeMistyped(m)}, which docker reads as empty (and warns about); ${credentialField ? 'left out if the credential moves, else kept as it is' : 'kept as it is'}` });
    }
    return e;
  }
}

/**
 * docker looks a registry up by host, and with no key for the whole registry its file store takes
 * a scoped key's credential for all of it (file store get: `ConvertToHostname(key) == host`,
 * formats.md §2.4). With `credsStore` set it asks the store for the host instead, and a store
 * with nothing there would make docker pull anonymously. So such a credential is also stored under
 * the host (the scoped entry stays in the file, for podman); scoped keys of one host with
 * different credentials (docker took one of them at random) are reported instead.
 */
function carryHostFallback(
  scoped: ReadonlyMap<string, { key: string; e: AuthEntry }[]>,
  wholeRegistry: ReadonlySet<string>,
  helpers: Record<string, unknown>,
  items: Map<string, PlannedItem>,
  kept: StorePlan['kept'],
  keptKeys: Set<string>,
): void {
  for (const [host, entries] of scoped) {
    const keep = (reason: string) => {
      for (const { key } of entries) {
        kept.push({ key, reason });
        keptKeys.add(key);
      }
    };
    if (wholeRegistry.has(host) || Object.hasOwn(helpers, host)) {
      keep('scoped key: docker never asks a credential store for it (podman still reads it here)');
      continue;
    }
    const credentials = entries.map(({ e }): StoredCredential => (e.identityToken !== undefined ? { serverURL: host, username: TOKEN_USERNAME, secret: e.identityToken } : { serverURL: host, username: e.username ?? '', secret: e.password ?? '' }));
    const first = credentials[0] as StoredCredential;
    if (credentials.some((c) => c.username !== first.username || c.secret !== first.secret)) {
      keep(`scoped keys of ${host} with different credentials: docker took one of them at random for all of ${host}, and once credsStore is set it asks the store, which has none for ${host} (log in to ${host} to choose); podman still reads them here`);
      continue;
    }
    items.set(host, { key: host, sourceKeys: entries.map((x) => x.key), credential: first });
    keep(`scoped key, left for podman; docker used it for all of ${host} (it looks registries up by host), so it is also stored as "${host}"`);
  }
}

/**
 * A credential a file before this one in the run stored (a dry run: would have stored), and which
 * file, when that file added it rather than finding it there.
 */
interface RunStored {
  credential: StoredCredential;
  addedBy: string | undefined;
}

/**
 * `runStored` holds what the files before this one stored. A dry run writes nothing, so it looks
 * keys up there first: the real run finds those credentials in the store, so a later file that
 * holds one of the keys differently is refused, and one that holds it the same is `same`, in the
 * dry run as in the real one. Both name the earlier file in such a refusal: the store did not hold
 * that credential before the run.
 */
async function storeFile(path: string, display: string, text: string, mode: Extract<MigrateMode, { kind: 'store' }>, options: Omit<MigrateOptions, 'onProgress'>, runStored?: Map<string, RunStored>): Promise<FileReport> {
  // Read as docker reads it: an "auths" or "credHelpers" that is no object is empty (and kept as is).
  const doc = parseRawConfig(text, display, true);
  // A file named auth.json is podman's, as convert and check read it (read.ts), unless --from says whose they are.
  const reader: StoreFileReader = mode.reader ?? (basename(path) === 'auth.json' ? 'containers' : 'docker');
  let plan = planStoreMigration(doc, display, mode.credsStore, reader);
  // podman's file with {} markers of this store: routed by credHelpers where the store holds the credential.
  const repaired = await resolveMarkers(plan, mode.store, options.dryRun ? runStored : undefined);
  if (repaired.size > 0) plan = planStoreMigration(doc, display, mode.credsStore, reader, repaired);
  for (const m of plan.markers) plan.kept.push({ key: m.key, reason: `a {} marker of credsStore "${mode.credsStore}", which podman ignores, and ${storeNameFor(mode.store, m.storeKey)} holds no credential for it: podman reads nothing for it here (log in with podman to store one)` });
  const report: FileReport = { file: display, status: 'unchanged' };
  if (plan.kept.length > 0) report.kept = plan.kept;
  if (reader === 'containers' && plan.next !== undefined) report.message = `podman's auth.json: each registry moved is routed to "${mode.credsStore}" by credHelpers, which podman, buildah and skopeo ask (they ignore credsStore)${repaired.size > 0 ? `; so is each {} marker of credsStore "${mode.credsStore}" whose credential it holds` : ''}`;
  // docker's own file is in podman's search too: what leaves its auths is lost to podman.
  if (reader === 'docker' && plan.items.length > 0 && mode.containersAlsoRead?.(path)) report.message = `podman, buildah and skopeo read this file too, and ignore credsStore: the logins moved out of it are gone for them unless their own auth.json holds them (credkit doctor compares what each uses)`;
  // No `message: undefined`: the library's report must equal what --json prints.
  if (plan.next === undefined) return plan.kept.length > 0 ? report : { ...report, message: 'no plaintext credentials' };
  // Every key of the file stays locked against other credkit runs from its first read to its
  // last write (entry-lock.ts): a run at the same time then finds what this one stored.
  const lock = options.dryRun ? undefined : mode.lockEntries;
  const stored = lock === undefined ? await storeItems(plan, report, mode.store, options, runStored) : await lock(plan.items.map((item) => ({ store: mode.store, key: item.key })), () => storeItems(plan, report, mode.store, options, runStored));
  if (stored !== undefined) return stored;
  // The store holds them now (a dry run: would), whatever becomes of the file's own write.
  for (const [i, item] of plan.items.entries()) runStored?.set(item.key, { credential: item.credential, addedBy: report.stored?.[i]?.action === 'add' ? display : runStored.get(item.key)?.addedBy });
  if (options.dryRun) return { ...report, status: 'would-change' };
  return writeChecked(path, display, text, serializeRawConfig(plan.next, 'auths' in doc), report, options);
}

/** Stores a file's planned items (fills `report.stored`); a report when the file failed, else undefined. */
async function storeItems(plan: StorePlan, report: FileReport, store: CredentialStore, options: Omit<MigrateOptions, 'onProgress'>, runStored?: Map<string, RunStored>): Promise<FileReport | undefined> {
  // Every key is read before anything is written: a file refused for one conflicting key leaves
  // the store as it was, not holding the credentials that came before that key.
  const existing: (StoredCredential | undefined)[] = [];
  for (const item of plan.items) {
    const earlier = runStored?.get(item.key);
    const current = (options.dryRun ? earlier?.credential : undefined) ?? (await store.get(item.key));
    if (current !== undefined && !sameCredential(current, item.credential)) {
      const where = storeNameFor(store, item.key);
      // Named only when the store holds what that file put there (another run may have replaced it since).
      const from = earlier?.addedBy !== undefined && sameCredential(earlier.credential, current) ? ` (stored from ${earlier.addedBy} earlier in this run)` : '';
      return { ...report, status: 'failed', stored: [], message: `${where} ${options.dryRun && from !== '' ? 'would already hold' : 'already holds'} a different credential for "${item.key}"${from}; the file was left untouched` };
    }
    existing.push(current);
  }
  const stored: StoredItem[] = [];
  for (const [i, item] of plan.items.entries()) {
    const same = existing[i] !== undefined;
    const where = storeNameFor(store, item.key);
    const row: StoredItem = { key: item.key, username: item.credential.username, action: same ? 'same' : 'add', store: where };
    const earlier = same ? runStored?.get(item.key) : undefined;
    if (earlier?.addedBy !== undefined && sameCredential(earlier.credential, existing[i] as StoredCredential)) row.storedBy = earlier.addedBy;
    if (item.sourceKeys.some((k) => k !== item.key)) row.from = item.sourceKeys;
    if (!same && !options.dryRun) {
      await store.add(item.credential);
      const back = await store.get(item.key);
      if (back === undefined || back.username !== item.credential.username || back.secret !== item.credential.secret) {
        // The store held nothing for the key (a different credential refuses the file above): the
        // changed copy is erased, so that docker is not sent it and a second run is not refused
        // for a "different credential" that this run wrote.
        let undone: string;
        try {
          undone = back === undefined ? 'it holds nothing for it' : (await store.delete(item.key)) ? 'the changed copy was erased from it' : 'the changed copy could not be erased from it';
        } catch (err) {
          undone = `erasing the changed copy failed (${messageOf(err)})`;
        }
        return { ...report, status: 'failed', stored, message: `${where} does not return "${item.key}" as it was stored (${undone}); the file was left untouched` };
      }
    }
    stored.push(row);
  }
  report.stored = stored;
  return undefined;
}

/**
 * The credentials `store` holds for a plan's markers, by the marker's key: under the key podman asks
 * a helper with, else under docker's spelling (`https://index.docker.io/v1/` for the Hub), which
 * `docker login` and an older credkit used. In a dry run, what earlier files would have stored first.
 */
async function resolveMarkers(plan: StorePlan, store: CredentialStore, dryStored?: ReadonlyMap<string, RunStored>): Promise<Map<string, StoredCredential>> {
  const found = new Map<string, StoredCredential>();
  for (const m of plan.markers) {
    const credential = dryStored?.get(m.storeKey)?.credential ?? (await store.get(m.storeKey)) ?? (m.dockerKey !== m.storeKey ? await store.get(m.dockerKey) : undefined);
    if (credential !== undefined) found.set(m.key, credential);
  }
  return found;
}

function sameCredential(a: StoredCredential, b: StoredCredential): boolean {
  return a.username === b.username && a.secret === b.secret;
}

/**
 * The store that keeps `key`, for the report: with `[routes]` (RoutedStore) the one the routes
 * send it to, as opened (`auto` named by the store it opened), else the store itself.
 */
function storeNameFor(store: CredentialStore, key: string): string {
  const routed = store as { shownStoreFor?: (serverURL: string) => string; storeFor?: (serverURL: string) => string };
  return routed.shownStoreFor?.(key) ?? routed.storeFor?.(key) ?? store.name;
}

/** The stamp in backup names: UTC, sortable, one per run. */
export function backupStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

