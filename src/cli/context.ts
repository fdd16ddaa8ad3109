/**
 * What a command module gets: the streams and host facts, and a place to put its exit code.
 */
import type { Io } from '../io.js';

/** Shared by all command modules of one `credkit` run. */
export interface CommandContext {
  io: Io;
  /** Set by a handler that finished but wants a non-zero exit (e.g. `check` found problems). */
  exitCode: number;
  /** This installation's root (where package.json and bin/ are), from the bin. */
  packageRoot: string;
}

/** Prints a line on stdout. */
export function say(ctx: CommandContext, line = ''): void {
  ctx.io.stdout(`${line}\n`);
}

/** Prints a line on stderr. */
export function warn(ctx: CommandContext, line: string): void {
  ctx.io.stderr(`${line}\n`);
}

/** Prints a value as pretty JSON on stdout. */
export function printJSON(ctx: CommandContext, value: unknown): void {
  ctx.io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}
