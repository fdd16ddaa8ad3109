/**
 * Rendering the convert/merge report: what the target cannot express, merge conflicts and
 * materialised entries. Names files and keys only, never values.
 */
import type { ConvertResult } from '../auth-file/convert.js';
import type { CommandContext } from './context.js';
import { warn } from './context.js';

/** The report as scripts see it with `--json`. */
export function reportJSON(result: ConvertResult, to: string, output: string, allowLossy: boolean, written = true): Record<string, unknown> {
  return {
    output,
    written,
    to,
    entries: result.entries,
    lossy: result.losses.length > 0,
    allowLossy,
    losses: result.losses,
    conflicts: result.conflicts,
    duplicates: result.duplicates,
    materialized: result.resolved.map((r) => ({ key: r.key, helper: r.helper, file: r.origin.file, ...(r.shadowed ? { replacedPlaintext: true } : {}) })),
    notes: result.notes,
    keptPlaintext: result.kept.map((r) => ({ key: r.key, helper: r.helper, file: r.origin.file, ...(r.failure !== undefined ? { helperFailure: r.failure } : {}) })),
    // Only with --registry, so that a report without it keeps its shape.
    ...(result.selected !== undefined ? { selected: result.selected, leftOut: result.leftOut ?? [] } : {}),
  };
}

/** Prints the report as text on stderr. */
export function printReport(ctx: CommandContext, result: ConvertResult, to: string, allowLossy: boolean, written = true): void {
  for (const r of result.resolved) {
    const replaced = r.shadowed ? ' (it replaces the plaintext credential in the file, which the client would not use)' : '';
    warn(ctx, `credkit: ${r.key}: materialised from helper "${r.helper}"${replaced}`);
  }
  for (const r of result.kept) {
    const why = r.failure === undefined ? 'has no credential for it' : `could not be asked (${r.failure})`;
    warn(ctx, `credkit: ${r.key}: helper "${r.helper}" ${why}; kept the plaintext credential in the file (the client asks the helper, not the file)`);
  }
  for (const c of result.conflicts) {
    warn(ctx, `credkit: conflict on ${c.key}: kept ${c.kept.file} (key "${c.kept.key}"), dropped ${c.dropped.file} (key "${c.dropped.key}")`);
  }
  for (const n of result.notes) warn(ctx, `credkit: ${n.file}: key "${n.key}": ${n.message}`);
  for (const l of result.losses) warn(ctx, `credkit: ${l.file}: key "${l.key}": ${l.message}`);
  if (result.losses.length > 0) {
    const n = result.losses.length;
    warn(
      ctx,
      allowLossy
        ? `credkit: ${n} ${n === 1 ? 'item' : 'items'} cannot be expressed in ${to} format (accepted with --allow-lossy)`
        : written
          ? `credkit: ${n} ${n === 1 ? 'item' : 'items'} cannot be expressed in ${to} format; the output was written anyway; pass --allow-lossy to accept this`
          : `credkit: ${n} ${n === 1 ? 'item' : 'items'} cannot be expressed in ${to} format; the output was NOT written: it would replace an input, the only copy of what it leaves out; pass --allow-lossy to replace it anyway, or write elsewhere`,
    );
  }
}
