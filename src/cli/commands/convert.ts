/**
 * `credkit convert IN --to docker|podman|dockercfg|secret`: one credential file into another
 * format, losslessly or with a per-key report of what the target cannot express.
 */
import type { CommandModule } from 'yargs';
import type { CommandContext } from '../context.js';
import { runConversion } from '../convert-run.js';
import { FORMAT_CHOICES, conversionOptions } from './conversion-options.js';
import type { ConversionArgs } from './conversion-options.js';
import { UsageError } from '../../errors.js';
import { namespaceProblem, secretNameProblem } from '../../kube/pull-secret.js';
import { parseRegistrySelector } from '../../auth-file/select.js';

/** `credkit convert …`. */
export function convertCommand(ctx: CommandContext): CommandModule<object, ConversionArgs> {
  return {
    command: 'convert <input>',
    describe: `Convert a credential file (${FORMAT_CHOICES.join(', ')}; - for stdin) to another format`,
    builder: (y) =>
      conversionOptions(ctx, y.positional('input', { type: 'string', describe: 'config.json, auth.json, .dockercfg or Secret manifest (- for stdin)' }))
        .example('$0 convert ~/.docker/config.json --to podman -o auth.json', 'Docker config to podman auth.json')
        .example('$0 convert auth.json --to secret --name regcred --namespace ci', 'a kubernetes.io/dockerconfigjson Secret on stdout')
        .example('$0 convert ~/.docker/config.json --to secret --registry ghcr.io', 'a pull secret for ghcr.io alone, from the helpers docker uses'),
    handler: async (args) => {
      const to = args.to as ConversionArgs['to'] & string;
      await runConversion(
        ctx,
        { inputs: [String(args.input)], output: args.output, allowLossy: Boolean(args['allow-lossy']), json: Boolean(args.json) },
        buildOptions(args, to, 'fail'),
      );
    },
  };
}

/** `--name "Reg_Cred"`, cut short: the value is the user's own, but may be long. */
function shown(flag: string, value: string): string {
  return `${flag} ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}`;
}

/**
 * Builds the core options from parsed arguments (shared with merge). A --name or --namespace the
 * API server would refuse, or a --registry that names no registry, is a usage error here, before
 * any input is read or output written.
 */
export function buildOptions(args: ConversionArgs, to: NonNullable<ConversionArgs['to']>, policy: 'first' | 'last' | 'fail') {
  const nameProblem = args.name !== undefined ? secretNameProblem(args.name) : undefined;
  if (nameProblem !== undefined) throw new UsageError(`${shown('--name', args.name as string)}: ${nameProblem}`);
  const nsProblem = args.namespace !== undefined ? namespaceProblem(args.namespace) : undefined;
  if (nsProblem !== undefined) throw new UsageError(`${shown('--namespace', args.namespace as string)}: ${nsProblem}`);
  const options: import('../../auth-file/convert.js').ConvertOptions = { to, policy, materialize: args.materialize ?? to === 'secret', cliFlags: true };
  if (args.from) options.from = args.from;
  if (args['secret-type']) options.secretType = args['secret-type'];
  if (args.name !== undefined) options.name = args.name;
  if (args.namespace !== undefined) options.namespace = args.namespace;
  if (args.registry !== undefined) {
    options.registries = [args.registry].flat().map(String);
    // Parsed here too, so that a value that names no registry is refused before any input is read.
    for (const r of options.registries) parseRegistrySelector(r, '--registry');
  }
  if (args.format) options.syntax = args.format;
  else if (args.output?.endsWith('.json') && to === 'secret') options.syntax = 'json';
  return options;
}
