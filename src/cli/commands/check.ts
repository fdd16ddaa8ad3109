/**
 * `credkit check [FILE...]`: lint credential files before a pull secret is made from them.
 * Exit 0 when clean, 1 when anything is at error level (or a warning, with --strict).
 */
import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { checkAuthInput } from '../../auth-file/check.js';
import type { Finding } from '../../auth-file/check.js';
import { assertStdinOnce, readInputIfExists } from '../../auth-file/load.js';
import { locateAuthFiles } from '../../auth-file/locate.js';
import { IoError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { jsonOption, printJSON, say } from '../context.js';

interface CheckArgs {
  files?: string[];
  json?: boolean;
  strict?: boolean;
  [key: string]: unknown;
}

/** `credkit check …`. */
export function checkCommand(ctx: CommandContext): CommandModule<object, CheckArgs> {
  return {
    command: 'check [files..]',
    describe: 'Lint auth files and pull secrets (stubs, bad auth, shadowed keys, modes…)',
    builder: (y) =>
      y
        .positional('files', { type: 'string', array: true, describe: 'files to check (default: located from the environment)' })
        .option('strict', { type: 'boolean', describe: 'warnings fail too' })
        .option('json', jsonOption(ctx)) as never,
    handler: async (args) => {
      const named = (args.files ?? []).map(String);
      assertStdinOnce(named);
      const paths = named.length > 0 ? named : locateAuthFiles(ctx.io).map((l) => l.path);
      const findings: Finding[] = [];
      const checked: string[] = [];
      for (const path of paths) {
        let input;
        try {
          input = path === '-' ? { text: await ctx.io.readStdin(), source: '-' } : await readInputIfExists(path, ctx.io.cwd);
        } catch (err) {
          // One file that cannot be read (permission denied, a directory) is its finding, as a
          // missing one is: the others are still checked and reported, as ls lists them.
          if (!(err instanceof IoError) || path === '-') throw err;
          const prefix = `${resolve(ctx.io.cwd, path)}: `;
          const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
          findings.push({ severity: 'error', code: 'unreadable', file: path, message, fix: message.startsWith('permission denied') ? 'check the path, and run as a user who may read it (docker and podman running as this user cannot either)' : 'check the path' });
          continue;
        }
        if (!input) {
          if (named.length > 0) findings.push({ severity: 'error', code: 'missing', file: path, message: 'no such file', fix: 'check the path' });
          continue;
        }
        checked.push(path);
        findings.push(...checkAuthInput(input));
      }
      const errors = findings.filter((f) => f.severity === 'error').length;
      const warnings = findings.filter((f) => f.severity === 'warning').length;
      if (errors > 0 || (args.strict && warnings > 0)) ctx.exitCode = 1;
      if (args.json) return printJSON(ctx, { checked, errors, warnings, findings });
      for (const f of findings) {
        say(ctx, `${f.severity}: ${f.file}${f.key !== undefined ? `: key "${f.key}"` : ''}: ${f.message} [${f.code}]`);
        say(ctx, `  fix: ${f.fix}`);
      }
      say(ctx, `${checked.length} ${checked.length === 1 ? 'file' : 'files'} checked: ${errors} ${errors === 1 ? 'error' : 'errors'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`);
    },
  };
}
