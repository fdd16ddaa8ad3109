/**
 * What `convert` and `merge` share after option parsing: read inputs, call the core, write the
 * result (stdout, or atomically to `-o` under a lock), print the report, set the exit code.
 */
import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { convertAuth } from '../auth-file/convert.js';
import { dropsData } from '../auth-file/fidelity.js';
import { UsageError } from '../errors.js';
import type { ConvertOptions } from '../auth-file/convert.js';
import { readInputs } from '../auth-file/load.js';
import { realPathOf, withFileLock, writeFileAtomic } from '../auth-file/safe-file.js';
import { escapeJSONText } from '../escape.js';
import type { CommandContext } from './context.js';
import { printReport, reportJSON } from './auth-report.js';
import { loadResolver } from './resolver.js';

/** The CLI-level settings around a conversion. */
export interface ConversionRun {
  inputs: readonly string[];
  output: string | undefined;
  allowLossy: boolean;
  json: boolean;
}

/** Runs one conversion or merge; nothing is written unless every input parsed. */
export async function runConversion(ctx: CommandContext, run: ConversionRun, options: ConvertOptions): Promise<void> {
  if (run.output === '') throw new UsageError('-o needs a file name (or - for standard output)');
  if (options.registries !== undefined && options.registries.length > 0 && run.output !== undefined && run.output !== '-') {
    // Written in place, the file would lose every key --registry leaves out, often the only copy
    // of those credentials: refused before anything is read or any helper asked.
    const path = realPathOf(resolve(ctx.io.cwd, run.output));
    const input = run.inputs.find((i) => i !== '-' && realPathOf(resolve(ctx.io.cwd, i)) === path);
    if (input !== undefined) {
      throw new UsageError(`-o ${run.output} is the input ${input}: written in place with --registry, it would lose every key and credHelpers route not selected; write to another file`);
    }
  }
  const inputs = await readInputs(run.inputs, ctx.io.cwd, () => ctx.io.readStdin());
  const resolver = options.materialize ? await loadResolver(ctx.io) : undefined;
  const opts: ConvertOptions = { ...options };
  if (resolver) {
    opts.resolve = resolver.resolve;
    opts.probeHelper = resolver.probe;
  }
  const result = await convertAuth(inputs, opts);
  const output = run.output === undefined ? '-' : run.output;
  if (output === '-') {
    ctx.io.stdout(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
  } else {
    const path = resolve(ctx.io.cwd, output);
    const drops = !run.allowLossy && result.losses.some((l) => dropsData(l, options.to));
    if (drops && run.inputs.some((i) => i !== '-' && realPathOf(resolve(ctx.io.cwd, i)) === realPathOf(path))) {
      // In place, a result that leaves something out would replace the only copy of it.
      printLosses(ctx, run, result, options, false);
      ctx.exitCode = 1;
      return;
    }
    await writeOutput(path, result.text);
  }
  printLosses(ctx, run, result, options);
  if (result.losses.length > 0 && !run.allowLossy) ctx.exitCode = 1;
}

/** The report: JSON on stdout when it does not carry the converted file (else stderr), or lines on stderr. */
function printLosses(ctx: CommandContext, run: ConversionRun, result: Awaited<ReturnType<typeof convertAuth>>, options: ConvertOptions, written = true): void {
  const output = run.output === undefined ? '-' : run.output;
  if (run.json) {
    const text = `${escapeJSONText(JSON.stringify(reportJSON(result, options.to, output, run.allowLossy, written), null, 2))}\n`;
    if (output === '-') ctx.io.stderr(text);
    else ctx.io.stdout(text);
  } else {
    printReport(ctx, result, options.to, run.allowLossy, written);
  }
}

/**
 * Writes `-o`: a file is replaced atomically under a lock; a FIFO or a character device that is
 * already there (`-o >(kubectl apply -f -)`, `/dev/stdout`, `/dev/null`) is written to as it is,
 * since there is no file to replace (a rename would put a regular file in its place).
 */
async function writeOutput(path: string, text: string): Promise<void> {
  let special = false;
  try {
    const st = statSync(path);
    special = st.isFIFO() || st.isCharacterDevice();
  } catch {
    // Not there yet (or not reachable): the atomic writer creates it or says why not.
  }
  if (special) await writeFile(path, text);
  else await withFileLock(path, () => writeFileAtomic(path, text));
}
