/**
 * `credkit merge IN... --to FORMAT`: entry-level merge by canonical registry key, with a
 * conflict policy and a report naming file and key of every conflict.
 */
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import { ConflictError } from '../../auth-file/merge.js';
import type { CommandContext } from '../context.js';
import { runConversion } from '../convert-run.js';
import { buildOptions } from './convert.js';
import { conversionOptions } from './conversion-options.js';
import type { ConversionArgs } from './conversion-options.js';

/** `credkit merge …`. */
export function mergeCommand(ctx: CommandContext): CommandModule<object, ConversionArgs> {
  return {
    command: 'merge <inputs..>',
    describe: 'Merge credential files and pull secrets (a later entry replaces the whole earlier one)',
    builder: (y) =>
      conversionOptions(ctx, y.positional('inputs', { type: 'string', array: true, describe: 'files to merge, in order (- for stdin)' }))
        .option('prefer', { type: 'string', choices: ['first', 'last'], describe: 'which of two conflicting entries to keep (default last)' })
        .option('fail-on-conflict', { type: 'boolean', describe: 'fail, writing nothing, when entries conflict' })
        .example('$0 merge pull-secret.json extra.json --to docker -o merged.json', 'add registries to a pull secret') as unknown as Argv<ConversionArgs>,
    handler: async (args) => {
      if (args['fail-on-conflict'] && args.prefer) throw new UsageError('--prefer and --fail-on-conflict exclude each other');
      const to = args.to as NonNullable<ConversionArgs['to']>;
      const policy = args['fail-on-conflict'] ? 'fail' : (args.prefer ?? 'last');
      try {
        await runConversion(
          ctx,
          { inputs: (args.inputs as string[]).map(String), output: args.output, allowLossy: Boolean(args['allow-lossy']), json: Boolean(args.json) },
          buildOptions(args, to, policy),
        );
      } catch (err) {
        // The core names the library's policy; here it is this command's flag.
        if (err instanceof ConflictError) throw new ConflictError(err.conflicts, 'choose with --prefer first|last');
        throw err;
      }
    },
  };
}
