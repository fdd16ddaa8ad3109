/**
 * `credkit copy --from STORE --to STORE [REGISTRY...]`: credentials from one store into another,
 * with a dry run, read-back verification and `--move`.
 */
import type { CommandModule } from 'yargs';
import type { CommandContext } from '../context.js';
import { cell, jsonOption, printJSON, say, warn } from '../context.js';
import type { CopyEntry } from '../../stores/copy.js';
import { TOKEN_USERNAME } from '../../stores/store.js';

interface CopyArgs {
  from?: string;
  to?: string;
  registries?: string[];
  'dry-run'?: boolean;
  move?: boolean;
  json?: boolean;
  [key: string]: unknown;
}

const STORE_HELP = 'a credkit backend (keychain, keyutils, pass, file, env), credkit (as docker-credential-credkit, with [routes]), helper:NAME or authfile:PATH';

/** `credkit copy …`. */
export function copyCommand(ctx: CommandContext): CommandModule<object, CopyArgs> {
  return {
    command: 'copy [registries..]',
    describe: 'Copy or move credentials between stores (backends, docker-credential helpers, auth files)',
    builder: (y) =>
      y
        .positional('registries', { type: 'string', array: true, describe: 'only these server URLs (exact, or the same registry key)' })
        .option('from', { type: 'string', demandOption: true, describe: `source store: ${STORE_HELP}` })
        .option('to', { type: 'string', demandOption: true, describe: `target store: ${STORE_HELP} (not env)` })
        .option('dry-run', { type: 'boolean', describe: 'show what would be copied; change nothing' })
        .option('move', { type: 'boolean', describe: 'erase each entry from the source once the target holds it (read back and compared)' })
        .option('json', jsonOption(ctx, 'print the report as JSON'))
        .example('$0 copy --from helper:secretservice --to pass --dry-run', 'what would move from the desktop keyring to pass')
        .example('$0 copy --from helper:desktop --to authfile:ci/config.json ghcr.io', 'one registry into a plaintext auth file') as never,
    handler: async (args) => {
      // Loaded here, not at start-up: every other command would pay for them.
      const [{ loadConfig }, { openCopyStores, runCopy }] = await Promise.all([import('../../config.js'), import('../../stores/copy-run.js')]);
      const wording = { cliFlags: true };
      const move = Boolean(args.move);
      const routedWarn = (text: string) => warn(ctx, `credkit: ${text}`);
      const { from, to } = await openCopyStores(String(args.from), String(args.to), move, ctx.io, loadConfig, routedWarn, wording);
      const report = await runCopy(from, to, { registries: (args.registries ?? []).map(String), dryRun: Boolean(args['dry-run']), move }, wording);
      if (!report.ok) ctx.exitCode = 1;
      if (args.json) return printJSON(ctx, report);
      const { entries, notes, from: fromName, to: toName } = report;
      for (const u of report.unmatched) warn(ctx, `credkit: no credential in ${fromName} matches "${u}"`);
      for (const n of notes) warn(ctx, `credkit: note: ${n}`);
      if (entries.length === 0) return say(ctx, `no credentials to copy from ${fromName}`);
      const rows = entries.map((e) => [e.targetKey === undefined ? e.serverURL : `${e.serverURL} -> ${e.targetKey}`, userCell(e), e.action, statusCell(e)].map(cell));
      const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) say(ctx, r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd());
      say(ctx, summary(entries, Boolean(args['dry-run']), fromName, toName));
    },
  };
}

function userCell(e: CopyEntry): string {
  return e.username === TOKEN_USERNAME ? '(identity token)' : e.username || '-';
}

function statusCell(e: CopyEntry): string {
  if (e.status === 'planned') return '';
  return e.reason ? `${e.status}: ${e.reason}` : e.status;
}

function summary(entries: readonly CopyEntry[], dryRun: boolean, from: string, to: string): string {
  const count = (s: CopyEntry['status']) => entries.filter((e) => e.status === s).length;
  if (dryRun) {
    const changes = entries.filter((e) => e.action === 'add' || e.action === 'replace').length;
    return `dry run: ${changes} of ${entries.length} would be written from ${from} to ${to}; nothing was changed`;
  }
  const parts = [`${count('copied')} copied`, `${count('moved')} moved`, `${count('unchanged')} unchanged`, `${count('skipped')} skipped`, `${count('failed')} failed`];
  return `${from} -> ${to}: ${parts.join(', ')}`;
}
