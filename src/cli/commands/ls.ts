/**
 * `credkit ls [FILE...]`: every credential docker and podman would see (or those of the named
 * files), with scope, file, key and username; secrets redacted.
 */
import type { CommandModule } from 'yargs';
import { listDockerAuthConfig } from '../../auth-file/docker-env-config.js';
import { listDockercfgNotes, listEntries } from '../../auth-file/list.js';
import type { ListRow } from '../../auth-file/list.js';
import { assertStdinOnce, readInputIfExists } from '../../auth-file/load.js';
import { locateAuthFiles } from '../../auth-file/locate.js';
import { parseAuthText } from '../../auth-file/read.js';
import { shownKeyOf } from '../../auth-file/model.js';
import { IoError, ParseError } from '../../errors.js';
import { skippedSecretReason } from '../../kube/pull-secret.js';
import type { CommandContext } from '../context.js';
import { cell, jsonOption, printJSON, say, warn } from '../context.js';

interface LsArgs {
  files?: string[];
  json?: boolean;
  [key: string]: unknown;
}

/** `credkit ls …`. */
export function lsCommand(ctx: CommandContext): CommandModule<object, LsArgs> {
  return {
    command: 'ls [files..]',
    describe: 'List registry credentials (default: the files docker and podman read); secrets redacted',
    builder: (y) =>
      y
        .positional('files', { type: 'string', array: true, describe: 'auth files or Secret manifests (default: located from the environment)' })
        .option('json', jsonOption(ctx)) as never,
    handler: async (args) => {
      const named = (args.files ?? []).map(String);
      assertStdinOnce(named);
      const located = named.length > 0 ? named.map((path) => ({ path, required: true })) : locateAuthFiles(ctx.io).map((l) => ({ path: l.path, required: false }));
      const rows: ListRow[] = [];
      const errors: { file: string; message: string }[] = [];
      const searched: string[] = [];
      const notes: string[] = [];
      // docker 28.3 and later read DOCKER_AUTH_CONFIG before any of the files.
      if (named.length === 0) {
        const fromEnv = listDockerAuthConfig(ctx.io.env);
        rows.push(...fromEnv.rows);
        if (fromEnv.note !== undefined) notes.push(fromEnv.note);
      }
      for (const { path, required } of located) {
        searched.push(path);
        try {
          const input = path === '-' ? { text: await ctx.io.readStdin(), source: '-' } : await readInputIfExists(path, ctx.io.cwd);
          if (!input) {
            if (required) throw new IoError(`${path}: no such file`);
            continue;
          }
          const parsed = parseAuthText(input.text, input.source);
          rows.push(...listEntries(parsed.files));
          notes.push(...listDockercfgNotes(parsed.files));
          for (const s of parsed.secrets?.skipped ?? []) notes.push(`${s.label}: ${skippedSecretReason(s)}`);
          // Listed as written, but podman (which get --as podman, explain and copy follow) has no credential there.
          for (const f of parsed.files) {
            if (f.format !== 'podman') continue;
            for (const e of f.entries) if (e.explicitOnly) notes.push(`${f.source}: key "${shownKeyOf(e)}": credential only in "username"/"password", which podman never decodes (it has no credential there); \`credkit convert ${f.source} --to podman\` folds them into "auth"`);
          }
        } catch (err) {
          if (!(err instanceof ParseError) && !(err instanceof IoError)) throw err;
          errors.push({ file: path, message: err.message });
        }
      }
      if (errors.length > 0) ctx.exitCode = 1;
      if (args.json) return printJSON(ctx, { entries: rows, errors, searched, notes });
      for (const e of errors) warn(ctx, `credkit: ${e.message}`);
      for (const n of notes) warn(ctx, `credkit: note: ${n}`);
      if (rows.length === 0) {
        // After an error line, "no credentials" would read as the answer for that file too.
        if (errors.length === 0) say(ctx, named.length > 0 ? 'no credentials' : `no credentials in ${searched.join(', ')}`);
        return;
      }
      const table = rows.map((r) =>
        [
          r.registry,
          r.scope,
          r.helper !== undefined ? `in helper ${r.helper}` : r.problem === 'not-an-object' ? 'entry not an object (empty to docker)' : r.problem ? `unreadable auth (${r.problem})` : r.username || '-',
          r.helper !== undefined ? '' : r.identityToken ? `${r.password || ''}${r.password ? ' + ' : ''}identity token` : r.password,
          `${r.variable ?? r.file} (${r.key})`,
        ].map(cell),
      );
      const head = ['REGISTRY', 'SCOPE', 'USERNAME', 'SECRET', 'FILE (KEY)'];
      const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
      for (const line of [head, ...table]) say(ctx, line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
    },
  };
}
