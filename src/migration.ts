/**
 * The library's `credkit migrate`: {@link migrateAuthFiles} converts many auth files in place, or
 * moves their plaintext credentials into a store, through the function the command calls
 * (src/auth-file/migrate-run.ts), and returns its report. It takes the host facts of this process
 * unless the caller gives others, as openStore and copyCredentials do.
 */
import type { MigrateRunReport, MigrateSummary } from './auth-file/migrate-run.js';
import { runMigrate } from './auth-file/migrate-run.js';
import type { FileReport, FileStatus, StoredItem } from './auth-file/migrate.js';
import type { AuthFormat } from './auth-file/model.js';
import { setUp } from './credential-stores.js';
import type { OpenStoreOptions } from './credential-stores.js';
import { UsageError } from './errors.js';
import { maskUserinfoDeep } from './redact.js';

export type { FileReport as MigrateFileReport, FileStatus as MigrateFileStatus, MigrateSummary, StoredItem as MigratedCredential };

/** Options of {@link migrateAuthFiles}: exactly one of `to` and `intoStore`. */
export interface MigrateAuthFilesOptions extends OpenStoreOptions {
  /** Convert each file in place to this format (`credkit migrate --to`). */
  to?: 'docker' | 'podman' | 'dockercfg';
  /**
   * With `to`: read every file as this format; else each is detected (a file named auth.json is
   * podman's). With `intoStore`: `docker` or `podman`, whose files these are (podman's get a
   * `credHelpers` entry per registry moved, docker's a `credsStore`); else a file named auth.json
   * is podman's.
   */
  from?: 'docker' | 'podman' | 'dockercfg';
  /**
   * Move each file's plaintext credentials into this store (`helper:NAME`, `credkit`, or credkit's
   * configured backend) and leave `credsStore` and `{}` markers, as `docker login` would.
   */
  intoStore?: string;
  /** Report what would change; change nothing. */
  dryRun?: boolean;
  /** Write `FILE.credkit-backup-<timestamp>` (mode 0600, never over an existing file) before changing a file. */
  backup?: boolean;
  /** With `to`: write files even when the format cannot express everything (else they are `lossy`, not written). */
  allowLossy?: boolean;
  /** Called after each file with how many are done, of how many; what it throws is ignored. */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link migrateAuthFiles} did: the object `credkit migrate --json` prints. */
export type MigrateResult = MigrateRunReport;

/**
 * `credkit migrate`: every file the patterns (files or fast-glob patterns, taken from `cwd`) match
 * is converted in place (`to`) or has its plaintext credentials moved into a store (`intoStore`),
 * each file read once, changed only after every credential it moves is stored and read back, and
 * written atomically under a lock. A file that cannot be migrated is reported (`status` `failed`,
 * `ok` false) and left untouched, and the others go on: nothing is thrown for it. Throws only
 * before any file is touched: a UsageError for options that do not go together, and what opening
 * the `intoStore` store throws.
 */
export async function migrateAuthFiles(patterns: readonly string[], options: MigrateAuthFilesOptions): Promise<MigrateResult> {
  if (options === null || typeof options !== 'object') throw new UsageError('migrateAuthFiles needs options: to (a format) or intoStore (a store name)');
  const { to, from, intoStore, dryRun = false, backup = false, allowLossy = false, onProgress } = options;
  const { host, load } = await setUp(options);
  const warn = (line: string) => options.onWarning?.(line);
  // What the caller's callback throws is ignored: files are worked on several at once, and a
  // throw there would end the run with some of them written and no report of which.
  const progress =
    onProgress === undefined
      ? undefined
      : (done: number, total: number) => {
          try {
            onProgress(done, total);
          } catch {
            // the caller's own callback failed; the run goes on
          }
        };
  const run = { patterns, to: to as AuthFormat | undefined, from: from as AuthFormat | undefined, intoStore, dryRun: Boolean(dryRun), backup: Boolean(backup), allowLossy: Boolean(allowLossy), onProgress: progress };
  const result = await runMigrate(run, host, load, warn, { cliFlags: false }, new Date());
  // Loggable as it is: a key with a password before the host is shown masked, as the CLI prints it.
  return maskUserinfoDeep(result);
}
