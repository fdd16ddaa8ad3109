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

/** At most this many keys are named per --registry value in the text summary (--json has all). */
const KEYS_SHOWN = 5;

/**
 * One line per `--registry` value (the keys it kept, the credsStore lookups made for it), and one
 * for what none kept: the output is filtered, and a user reading it (a Secret's payload is base64)
 * could not otherwise tell a key that was left out from one that was never there.
 */
function printSelection(ctx: CommandContext, result: ConvertResult): void {
  if (result.selected === undefined) return;
  const files = new Set(result.selected.flatMap((s) => [...s.keys.map((k) => k.file), ...s.stores.map((st) => st.file)]));
  for (const s of result.selected) {
    const of = (file: string) => (files.size > 1 ? ` of ${file}` : '');
    const keys = s.keys.map((k) => `"${k.key}"${of(k.file)}`);
    const said: string[] = [];
    if (keys.length > 0) said.push(`selected ${keys.length > KEYS_SHOWN ? `${keys.slice(0, KEYS_SHOWN).join(', ')} and ${keys.length - KEYS_SHOWN} more` : keys.join(', ')}`);
    if (s.stores.length > 0) said.push(`asked ${s.stores.map((st) => `credsStore "${st.helper}"${of(st.file)} for ${st.key}`).join(', ')}`);
    warn(ctx, `credkit: --registry ${s.registry}: ${said.join('; ')}`);
  }
  const leftOut = result.leftOut ?? [];
  if (leftOut.length === 0) return;
  const routes = leftOut.filter((o) => o.key.startsWith('credHelpers[')).length;
  const keys = leftOut.length - routes;
  const counted = [keys > 0 ? `${keys} ${keys === 1 ? 'key' : 'keys'}` : '', routes > 0 ? `${routes} credHelpers ${routes === 1 ? 'route' : 'routes'}` : ''].filter((x) => x !== '');
  warn(ctx, `credkit: --registry left out ${counted.join(' and ')} (--json lists them)`);
}

/** Prints the report as text on stderr. */
export function printReport(ctx: CommandContext, result: ConvertResult, to: string, allowLossy: boolean, written = true): void {
  printSelection(ctx, result);
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
