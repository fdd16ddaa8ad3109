/**
 * The options `convert` and `merge` share.
 */
import type { Argv } from 'yargs';
import type { CommandContext } from '../context.js';
import { jsonOption } from '../context.js';
import type { AuthFormat } from '../../auth-file/model.js';
import type { PullSecretType } from '../../kube/pull-secret.js';

/** Formats for `--to` and `--from`. */
export const FORMAT_CHOICES: readonly AuthFormat[] = ['docker', 'podman', 'dockercfg', 'secret'];

/** Parsed arguments of convert and merge. */
export interface ConversionArgs {
  input?: string;
  inputs?: string[];
  to?: AuthFormat;
  from?: AuthFormat;
  'secret-type'?: PullSecretType;
  name?: string;
  namespace?: string;
  output?: string;
  format?: 'yaml' | 'json';
  'allow-lossy'?: boolean;
  materialize?: boolean;
  /** One value, or several when the flag is repeated. */
  registry?: string | string[];
  json?: boolean;
  prefer?: 'first' | 'last';
  'fail-on-conflict'?: boolean;
  [key: string]: unknown;
}

/** Adds the shared options to a command builder. */
export function conversionOptions<T>(ctx: CommandContext, y: Argv<T>): Argv<T> {
  return y
    .option('to', { type: 'string', choices: FORMAT_CHOICES, demandOption: true, describe: 'output format' })
    .option('from', { type: 'string', choices: FORMAT_CHOICES, describe: 'input format (default: detected)' })
    .option('secret-type', { type: 'string', choices: ['dockerconfigjson', 'dockercfg'], describe: 'Secret type for --to secret (default dockerconfigjson)' })
    .option('name', { type: 'string', describe: 'Secret name for --to secret (default: the input Secret\'s, else regcred)' })
    .option('namespace', { type: 'string', describe: 'Secret namespace for --to secret' })
    .option('format', { type: 'string', choices: ['yaml', 'json'], describe: 'Secret manifest syntax (default yaml, json for -o *.json)' })
    .option('output', { alias: 'o', type: 'string', describe: 'write to this file (atomically, mode 0600) instead of stdout' })
    .option('allow-lossy', { type: 'boolean', describe: 'exit 0 even when the target cannot express everything' })
    .option('materialize', { type: 'boolean', describe: 'resolve {} stubs and credHelpers through the helpers (default: on for --to secret)' })
    // An array, or the last of several would win (src/cli/run.ts lastOccurrenceWins), but one
    // value per flag (`nargs: 1`): a bare array would take the inputs after it as registries too.
    .option('registry', {
      type: 'string',
      array: true,
      nargs: 1,
      requiresArg: true,
      describe: 'only what a client uses for this registry, namespace or repository (host[:port][/path], the registry always written: docker.io/library/nginx; repeatable); only that is materialised',
    })
    .option('json', jsonOption(ctx, 'print the report as JSON (stdout with -o, else stderr)')) as Argv<T>;
}
