/**
 * `credkit copy --from STORE --to STORE [REGISTRY...]`: credentials from one store into another,
 * with a dry run, read-back verification and `--move`.
 */
import { existsSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import type { CommandContext } from '../context.js';
import { cell, jsonOption, printJSON, say, warn } from '../context.js';
import { IoError, UsageError } from '../../errors.js';
import type { CopyEntry, RoutingView } from '../../stores/copy.js';
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
      const [{ loadConfig }, { copyCredentials, routedElsewhere, shownCopyEntries }, { AuthFileStore }, { assertDifferentStores, formatStoreSpec, isReadOnlySpec, keepsAccounts, openStoreSpec, parseStoreSpec }] = await Promise.all([
        import('../../config.js'),
        import('../../stores/copy.js'),
        import('../../stores/auth-file-store.js'),
        import('../../stores/store-spec.js'),
      ]);
      const from = parseStoreSpec(String(args.from), '--from');
      const to = parseStoreSpec(String(args.to), '--to');
      if (isReadOnlySpec(to)) throw new UsageError(`--to ${formatStoreSpec(to)}: that store is read-only; it can only be a source`);
      if (args.move && isReadOnlySpec(from)) throw new UsageError(`--move: ${formatStoreSpec(from)} is read-only, so nothing can be erased from it; copy without --move`);
      if (formatStoreSpec(from) === formatStoreSpec(to)) throw new UsageError('--from and --to name the same store');
      const config = await loadConfig(ctx.io);
      const routedWarn = (text: string) => warn(ctx, `credkit: ${text}`);
      const [source, target] = [await openStoreSpec(from, config, ctx.io, routedWarn, '--from'), await openStoreSpec(to, config, ctx.io, routedWarn, '--to')];
      // Different names can still be one store (`auto`, a path spelt twice, helper:credkit).
      await assertDifferentStores({ spec: from, store: source }, { spec: to, store: target }, config, ctx.io);
      // A target file is created, but a source that is not there is a mistyped path (or a login
      // that never happened): "no credentials to copy" with exit 0 would hide it from a script.
      if (source instanceof AuthFileStore && !existsSync(source.path)) throw new IoError(`${source.path}: no such file (named by --from)`);
      const report = await copyCredentials(source, target, {
        registries: (args.registries ?? []).map(String),
        dryRun: Boolean(args['dry-run']),
        move: Boolean(args.move),
        accounts: keepsAccounts(to),
      });
      // What a config.json source held of the wrong type, read as docker reads it.
      const notes: string[] = source instanceof AuthFileStore ? [...source.readNotes] : [];
      if (target instanceof AuthFileStore) {
        const credsStore = await target.credsStore();
        if (credsStore !== undefined) {
          notes.push(`${target.path} has "credsStore": "${credsStore}": docker uses that store and ignores plaintext entries; remove credsStore to use them`);
        }
      }
      const helperStores = new Set([config.backend, ...config.routes.map((r) => r.store)]);
      if (to.kind === 'backend' && helperStores.has(to.name) && config.routes.length > 0 && report.entries.length > 0) {
        // A backend named here is that backend alone; where [routes] send a registry elsewhere,
        // docker (through docker-credential-credkit) will not look for it there.
        const { openCredkitStore } = await import('../../stores/registry.js');
        const helper = (await openCredkitStore({ ...config, account: undefined }, ctx.io, () => undefined)) as unknown as RoutingView;
        for (const r of await routedElsewhere(report.entries, target, helper)) {
          notes.push(`[routes] send ${r.serverURL} to ${r.store}, so docker-credential-credkit does not look for it in ${formatStoreSpec(to)}; --to credkit stores each where the helper looks`);
        }
      }
      if (report.accountsLeft > 0) {
        const n = report.accountsLeft;
        notes.push(`${n === 1 ? '1 saved account was' : `${n} saved accounts were`} not copied: ${target.name} would take ${n === 1 ? 'its key' : 'their keys'} for server URLs; copy into a credkit backend to keep them (credkit account list shows them)`);
      }
      if (!report.ok) ctx.exitCode = 1;
      const entries = shownCopyEntries(report.entries);
      // `credkit` is several stores with [routes]: named so, not as its configured backend.
      const fromName = from.kind === 'credkit' ? formatStoreSpec(from) : source.name;
      const toName = to.kind === 'credkit' ? formatStoreSpec(to) : target.name;
      if (args.json) {
        return printJSON(ctx, { from: fromName, to: toName, dryRun: Boolean(args['dry-run']), move: Boolean(args.move), ok: report.ok, entries, unmatched: report.unmatched, accountsLeft: report.accountsLeft, notes });
      }
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
