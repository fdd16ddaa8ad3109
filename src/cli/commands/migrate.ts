/**
 * `credkit migrate GLOB...`: convert many auth files in place (`--to FORMAT`), or move their
 * plaintext credentials into a store (`--into-store NAME`), with a per-file report and a summary.
 */
import type { CommandModule } from 'yargs';
import type { CommandContext } from '../context.js';
import { jsonOption, printJSON, say, warn } from '../context.js';
import { UsageError } from '../../errors.js';
import type { AuthFormat } from '../../auth-file/model.js';
import type { FileReport, StoredItem } from '../../auth-file/migrate.js';
import type { MigrateRunReport } from '../../auth-file/migrate-run.js';
import { TOKEN_USERNAME } from '../../stores/store.js';

interface MigrateArgs {
  patterns?: string[];
  to?: AuthFormat;
  from?: AuthFormat;
  'into-store'?: string;
  'dry-run'?: boolean;
  backup?: boolean;
  'allow-lossy'?: boolean;
  json?: boolean;
  [key: string]: unknown;
}

/** The formats a file is rewritten in place as, and read as (a Secret is never an auth file in place). */
const IN_PLACE_CHOICES = ['docker', 'podman', 'dockercfg'];

/** A progress line is drawn only once a run has taken this long. */
const PROGRESS_AFTER_MS = 500;
const PROGRESS_EVERY_MS = 100;

/** `credkit migrate …`. */
export function migrateCommand(ctx: CommandContext): CommandModule<object, MigrateArgs> {
  return {
    command: 'migrate <patterns..>',
    describe: 'Convert many auth files in place, or move their plaintext credentials into a store',
    builder: (y) =>
      y
        .positional('patterns', { type: 'string', array: true, describe: 'files or glob patterns (expanded by credkit; quote them)' })
        .option('to', { type: 'string', choices: IN_PLACE_CHOICES, describe: 'convert each file in place to this format' })
        .option('from', {
          type: 'string',
          choices: IN_PLACE_CHOICES,
          describe: 'read every file as this format (default: detected; a file named auth.json is podman\'s); with --into-store, docker or podman: whose files these are',
          // Runs before yargs checks the choices: --from secret, which convert takes, gets the way to do it.
          coerce: (from: unknown) => {
            if (from === 'secret') throw new UsageError(`--from must be one of ${IN_PLACE_CHOICES.join(', ')}: migrate rewrites auth files in place (credkit convert SECRET --to docker -o FILE writes one from a Secret)`);
            return from;
          },
        })
        .option('into-store', { type: 'string', describe: 'move plaintext credentials into this store (helper:NAME, credkit, or credkit\'s backend) and leave credsStore + {} markers (credHelpers in a podman auth.json)' })
        .option('dry-run', { type: 'boolean', describe: 'report what would change; change nothing' })
        .option('backup', { type: 'boolean', describe: 'write FILE.credkit-backup-<timestamp> (mode 0600, never over an existing file) before changing a file' })
        .option('allow-lossy', { type: 'boolean', describe: 'with --to: write files even when the format cannot express everything' })
        .option('json', jsonOption(ctx, 'print the report as JSON'))
        .example("$0 migrate 'ci/**/config.json' --into-store helper:pass --backup", 'plaintext logins into pass, as docker login would store them')
        .example("$0 migrate 'podman/*/auth.json' --to docker --dry-run", 'what converting each file would change')
        .example("$0 migrate '/srv/ci/*/podman-auth.json' --from podman --to podman", "podman files under another name, read as podman reads them") as never,
    handler: async (args) => {
      const [{ loadConfig }, { runMigrate }] = await Promise.all([import('../../config.js'), import('../../auth-file/migrate-run.js')]);
      const progress = ctx.io.isTTY ? progressLine(ctx) : undefined;
      const dryRun = Boolean(args['dry-run']);
      let report: MigrateRunReport;
      try {
        const options = {
          patterns: (args.patterns ?? []).map(String),
          to: args.to,
          from: args.from,
          intoStore: args['into-store'] === undefined ? undefined : String(args['into-store']),
          dryRun,
          backup: Boolean(args.backup),
          allowLossy: Boolean(args['allow-lossy']),
          onProgress: progress?.update,
        };
        report = await runMigrate(options, ctx.io, loadConfig, (text) => warn(ctx, `credkit: ${text}`), { cliFlags: true }, new Date());
      } finally {
        progress?.clear();
      }
      if (!report.ok) ctx.exitCode = 1;
      if (args.json) return printJSON(ctx, report);
      for (const p of report.unmatched) warn(ctx, `credkit: no file matches "${p}"`);
      // One write: thousands of per-line writes to a pipe cost more than the migration itself.
      const lines: string[] = [];
      for (const f of report.files) lines.push(...fileLines(f, dryRun));
      lines.push(summaryLine(report, dryRun));
      // Through say, as every line for people: a key written with a password before the host
      // (alice:pw@ghcr.io) is quoted with it masked, as --json does, and control characters escaped.
      say(ctx, lines.join('\n'));
    },
  };
}

function progressLine(ctx: CommandContext): { update(done: number, total: number): void; clear(): void } {
  const start = Date.now();
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - start < PROGRESS_AFTER_MS || (now - last < PROGRESS_EVERY_MS && done < total)) return;
      last = now;
      drawn = true;
      ctx.io.stderr(`\r\x1b[Kcredkit: migrating ${done}/${total} files`);
    },
    clear() {
      if (drawn) ctx.io.stderr('\r\x1b[K');
    },
  };
}

/** A dry run stores nothing: what it would store, and what only an earlier file of the run would have put there, say "would". */
function storedVerb(s: StoredItem, dryRun: boolean): string {
  if (s.action === 'add') return dryRun ? 'would store' : 'stored';
  return dryRun && s.storedBy !== undefined ? 'would already be stored' : 'already stored';
}

function fileLines(f: FileReport, dryRun: boolean): string[] {
  const lines = [`${f.status.padEnd(12)} ${f.file}${f.message ? `: ${f.message}` : ''}`];
  for (const s of f.stored ?? []) {
    const who = s.username === TOKEN_USERNAME ? 'identity token' : s.username;
    lines.push(`  ${storedVerb(s, dryRun)} ${s.key} (${who}) in ${s.store}${s.from ? ` from key ${s.from.map((k) => `"${k}"`).join(', ')}` : ''}${s.storedBy ? ` (from ${s.storedBy} earlier in this run)` : ''}`);
  }
  for (const k of f.kept ?? []) lines.push(`  kept in file ${k.key}: ${k.reason}`);
  for (const l of f.losses ?? []) lines.push(`  lossy: key "${l.key}": ${l.message}`);
  for (const n of f.notes ?? []) lines.push(`  note: key "${n.key}": ${n.message}`);
  if (f.backup) lines.push(`  backup: ${f.backup}`);
  return lines;
}

function summaryLine(report: MigrateRunReport, dryRun: boolean): string {
  const c = report.summary;
  const changed = dryRun ? `${c['would-change']} would change` : `${c.changed} changed`;
  const tail = c.changed === 0 && c['would-change'] === 0 && c.failed === 0 && c.lossy === 0 ? ' (nothing to do)' : '';
  return `${c.files} ${c.files === 1 ? 'file' : 'files'}: ${changed}, ${c.unchanged} unchanged, ${c.lossy} lossy (not written), ${c.failed} failed${dryRun ? '; dry run, nothing was changed' : ''}${tail}`;
}
