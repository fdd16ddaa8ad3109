/**
 * What a command module gets: the streams and host facts, and a place to put its exit code.
 */
import type { Io } from '../io.js';
import { isCredkitError } from '../errors.js';
import { escapeControlCharacters, escapeControls, escapeJSONText } from '../escape.js';
import { maskUserinfo } from '../redact.js';

/** Shared by all command modules of one `credkit` run. */
export interface CommandContext {
  io: Io;
  /** Set by a handler that finished but wants a non-zero exit (e.g. `check` found problems). */
  exitCode: number;
  /** This installation's root (where package.json and bin/ are), from the bin. */
  packageRoot: string;
  /** Set when the command being run declared `--json` (see {@link jsonOption}). */
  takesJSON?: boolean;
}

/**
 * The `--json` option, for a command's builder: `.option('json', jsonOption(ctx))`. A run given
 * `--json` that fails then prints one JSON object on stdout (`main` in src/cli/run.ts does it).
 */
export function jsonOption(ctx: CommandContext, describe = 'print JSON'): { type: 'boolean'; describe: string } {
  // yargs runs only the selected command's builder, so this marks the command being run.
  ctx.takesJSON = true;
  return { type: 'boolean', describe };
}

/** Prints a line on stdout. */
export function say(ctx: CommandContext, line = ''): void {
  ctx.io.stdout(`${visible(line)}\n`);
}

/**
 * Prints a line on stdout that shows a secret the user asked for (`--show-secret`): control
 * characters escaped as by {@link say}, nothing masked, and every other character as it is (a
 * joiner in an emoji, a right-to-left mark), since the user copies the secret from this line.
 */
export function sayRevealed(ctx: CommandContext, line: string): void {
  ctx.io.stdout(`${escapeControlCharacters(line)}\n`);
}

/** Prints a line on stderr. */
export function warn(ctx: CommandContext, line: string): void {
  ctx.io.stderr(`${visible(line)}\n`);
}

/**
 * A line for people: control characters escaped, and the password of any `user:pass@host` in a
 * key, URL or operand it quotes masked (a file key or a typed registry can hold one).
 */
function visible(line: string): string {
  return maskUserinfo(escapeControls(line));
}

/**
 * A value for one cell of a table, with every control character shown as `\xNN` and every
 * invisible one as `\u202e` (escapeControls): a newline or tab in a stored key or username would
 * otherwise break the row or fake another, a bidi override make it read as another registry.
 */
export function cell(value: string): string {
  // Masked here too, before the column is padded to its width.
  return escapeControls(maskUserinfo(value)).replace(/[\t\n]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Prints a value as pretty JSON on stdout, with the password of any `user:pass@host` in it masked
 * as in lines for people; `revealed` for a value that holds a secret the user asked for. Strings
 * keep their value (a key is data), with invisible characters written as `\u` escapes (escapeJSONText).
 */
export function printJSON(ctx: CommandContext, value: unknown, revealed = false): void {
  const text = escapeJSONText(JSON.stringify(value, null, 2));
  ctx.io.stdout(`${revealed ? text : maskUserinfo(text)}\n`);
}

/**
 * What a `--json` command prints on stdout when it fails: `ok` as copy and migrate report it, and
 * the error's stable code and one-line message (credkit's messages never hold a secret; a bug's
 * text stays on stderr). Only `main` calls it; stderr and the exit code are as without --json.
 */
export function printJSONFailure(ctx: CommandContext, err: unknown): void {
  const error = isCredkitError(err) ? { code: err.code, message: maskUserinfo(err.message) } : { code: 'BUG', message: 'unexpected error (a bug in credkit; see standard error)' };
  printJSON(ctx, { ok: false, error });
}
