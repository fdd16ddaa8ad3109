/**
 * What `convert` and `merge` share after option parsing: read inputs, call the core, write the
 * result (stdout, or atomically to `-o` under a lock), print the report, set the exit code.
 */
import { resolve } from 'node:path';
import { convertAuth } from '../auth-file/convert.js';
import type { ConvertOptions } from '../auth-file/convert.js';
import { readInputs } from '../auth-file/load.js';
import { withFileLock, writeFileAtomic } from '../auth-file/safe-file.js';
import type { CommandContext } from './context.js';
import { printReport, reportJSON } from './auth-report.js';
import { loadResolver } from './resolver.js';
import { restoreDash } from './stdin-arg.js';

/** The CLI-level settings around a conversion. */
export interface ConversionRun {
  inputs: readonly string[];
  output: string | undefined;
  allowLossy: boolean;
  json: boolean;
}

/** Runs one conversion or merge; nothing is written unless every input parsed. */
export async function runConversion(ctx: CommandContext, run: ConversionRun, options: ConvertOptions): Promise<void> {
  const inputs = await readInputs(run.inputs, ctx.io.cwd, () => ctx.io.readStdin());
  const resolver = options.materialize ? await loadResolver(ctx.io) : undefined;
  const opts: ConvertOptions = { ...options };
  if (resolver) opts.resolve = resolver;
  const result = await convertAuth(inputs, opts);
  const output = run.output === undefined ? '-' : restoreDash(run.output);
  if (output === '-') {
    ctx.io.stdout(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
  } else {
    const path = resolve(ctx.io.cwd, output);
    await withFileLock(path, () => writeFileAtomic(path, result.text));
  }
  if (run.json) {
    const text = `${JSON.stringify(reportJSON(result, options.to, output, run.allowLossy), null, 2)}\n`;
    // The report goes to stdout only when stdout does not carry the converted file.
    if (output === '-') ctx.io.stderr(text);
    else ctx.io.stdout(text);
  } else {
    printReport(ctx, result, options.to, run.allowLossy);
  }
  if (result.losses.length > 0 && !run.allowLossy) ctx.exitCode = 1;
}
