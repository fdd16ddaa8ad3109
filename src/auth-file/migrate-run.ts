/**
 * A whole `credkit migrate` run, as the CLI and the library's migrateAuthFiles do it: the checks
 * on the options, opening the store `intoStore` names, migrating every file the patterns match
 * (migrate.ts), and the summary. Returns the report `credkit migrate --json` prints; printing it
 * is the caller's.
 */
import type { CredkitConfig } from '../config.js';
import { UsageError } from '../errors.js';
import type { Host } from '../io.js';
import { IN_PLACE_FORMATS, backupStamp, migrateFiles } from './migrate.js';
import type { FileReport, FileStatus, MigrateMode } from './migrate.js';
import type { AuthFormat } from './model.js';

/**
 * How messages name the run's options: credkit migrate's flags (`--into-store`, `--allow-lossy`)
 * for the CLI, the library's option names (`intoStore`, `allowLossy`) otherwise.
 */
export interface MigrateWording {
  cliFlags: boolean;
}

/** What a run is asked to do: exactly one of `to` and `intoStore`. */
export interface MigrateRunOptions {
  /** Files or fast-glob patterns, taken from the host's cwd. */
  patterns: readonly string[];
  /** Convert each file in place to this format. */
  to?: string | undefined;
  /** With `to`: read every file as this format, else each is detected. */
  from?: string | undefined;
  /** Move plaintext credentials into this store and leave `credsStore` and `{}` markers (`credHelpers` in an auth.json). */
  intoStore?: string | undefined;
  dryRun: boolean;
  backup: boolean;
  allowLossy: boolean;
  /** Called after each file. */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/** How many files ended how. */
export type MigrateSummary = Record<'files' | FileStatus, number>;

/** A run's report: what `credkit migrate --json` prints. */
export interface MigrateRunReport {
  dryRun: boolean;
  /** False when a file failed or was left lossy, or a pattern matched no file. */
  ok: boolean;
  files: FileReport[];
  /** Patterns that matched no file. */
  unmatched: string[];
  summary: MigrateSummary;
}

/** `--to` or `to`. */
function named(option: 'to' | 'from' | 'into-store' | 'allow-lossy', wording: MigrateWording): string {
  if (wording.cliFlags) return `--${option}`;
  return option === 'into-store' ? 'intoStore' : option === 'allow-lossy' ? 'allowLossy' : option;
}

/**
 * Refuses options that cannot go together, before any file is read or store opened. The library
 * checks the types too, as TypeScript would for a JavaScript caller (yargs does it for the CLI).
 */
function checkOptions(options: MigrateRunOptions, wording: MigrateWording): void {
  const { patterns, to, from, intoStore } = options;
  if (!Array.isArray(patterns) || patterns.length === 0 || !patterns.every((p) => typeof p === 'string' && p !== '')) {
    throw new UsageError('patterns must be a list of one or more files or glob patterns');
  }
  const [toFlag, intoFlag] = [named('to', wording), named('into-store', wording)];
  if ((to === undefined) === (intoStore === undefined)) throw new UsageError(wording.cliFlags ? 'name exactly one of --to FORMAT or --into-store NAME' : 'set exactly one of to (a format) or intoStore (a store name)');
  if (options.allowLossy && to === undefined) throw new UsageError(`${named('allow-lossy', wording)} goes with ${toFlag}`);
  // --into-store writes what each file's reader asks: docker's credsStore, podman's credHelpers. A
  // .dockercfg has neither (docker has not read one since 20.10, podman reads no helper from it).
  if (from === 'dockercfg' && intoStore !== undefined) throw new UsageError(`${named('from', wording)} dockercfg cannot go with ${intoFlag}: a legacy .dockercfg has no place to name a credential store (${named('from', wording)} docker or podman says whose files these are)`);
  for (const [option, value] of [['to', to], ['from', from]] as const) {
    if (value !== undefined && !(IN_PLACE_FORMATS as readonly string[]).includes(value)) {
      throw new UsageError(`${named(option, wording)} must be one of ${IN_PLACE_FORMATS.join(', ')}: migrate rewrites auth files in place (${wording.cliFlags ? 'credkit convert' : 'convertAuth'} converts to and from a Secret)`);
    }
  }
  if (intoStore !== undefined && typeof intoStore !== 'string') throw new UsageError(`${intoFlag} must be a store name (a string)`);
}

/**
 * Whether podman, buildah or skopeo reads a file of docker's at `path`: `${DOCKER_CONFIG:-~/.docker}/config.json`
 * is in their search (locate.ts), and they ignore its credsStore. Undefined where none of them is
 * installed: nothing is lost for them there.
 */
async function containersAlsoRead(host: Host): Promise<((path: string) => boolean) | undefined> {
  const [{ searchPath }, { locateAuthFiles }, { resolve }] = await Promise.all([import('../path-search.js'), import('./locate.js'), import('node:path')]);
  if (!['podman', 'buildah', 'skopeo'].some((program) => searchPath(program, host.env, host.platform).path !== undefined)) return undefined;
  const read = new Set(locateAuthFiles(host).filter((l) => l.readers.includes('docker') && l.readers.includes('podman')).map((l) => resolve(host.cwd, l.path)));
  return (path) => read.has(resolve(host.cwd, path));
}

/** How many files ended how: the report's summary, and the CLI's last line. */
export function summarize(files: readonly FileReport[]): MigrateSummary {
  const out: MigrateSummary = { files: files.length, changed: 0, 'would-change': 0, unchanged: 0, lossy: 0, failed: 0 };
  for (const f of files) out[f.status]++;
  return out;
}

/**
 * Migrates every file the patterns match, in `host.cwd`. `loadConfig` reads credkit's settings
 * (only for `intoStore`); `warn` gets a routed store's line without a prefix. Throws only before
 * any file is touched: a UsageError for options that do not go together, what opening the store
 * throws. A file that cannot be migrated is a `failed` line of the report, and `ok` false.
 */
export async function runMigrate(options: MigrateRunOptions, host: Host, loadConfig: (host: Host) => Promise<CredkitConfig>, warn: (text: string) => void, wording: MigrateWording, now: Date): Promise<MigrateRunReport> {
  checkOptions(options, wording);
  let mode: MigrateMode;
  if (options.to !== undefined) {
    mode = { kind: 'convert', to: options.to as AuthFormat, allowLossy: options.allowLossy, ...(options.from !== undefined ? { from: options.from as AuthFormat } : {}) };
  } else {
    const { openCredsStoreTarget, storeNamesFor } = await import('../stores/store-spec.js');
    if (options.intoStore === '') throw new UsageError(`${named('into-store', wording)} needs a store: one of ${storeNamesFor('--into-store').join(', ')}`);
    const { entryLocker, unlockedNote } = await import('../stores/entry-lock.js');
    const reader = options.from === undefined ? {} : { reader: options.from === 'podman' ? ('containers' as const) : ('docker' as const) };
    const shared = await containersAlsoRead(host);
    mode = { kind: 'store', ...(await openCredsStoreTarget(String(options.intoStore), await loadConfig(host), host, warn, wording)), ...reader, ...(shared ? { containersAlsoRead: shared } : {}), lockEntries: entryLocker(host, {}, (why) => warn(unlockedNote('moving credentials', why))) };
  }
  const report = await migrateFiles({
    patterns: options.patterns,
    cwd: host.cwd,
    mode,
    dryRun: options.dryRun,
    backup: options.backup,
    backupStamp: backupStamp(now),
    cliFlags: wording.cliFlags,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { dryRun: options.dryRun, ok: report.ok, files: report.files, unmatched: report.unmatched, summary: summarize(report.files) };
}
