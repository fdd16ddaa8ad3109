/**
 * yargs drops a lone `-` positional (it re-parses positionals as options), so `main` swaps it for
 * this stand-in before parsing and commands turn it back into `-` (standard input / output).
 */

/** What a lone `-` argument looks like after `main` has protected it from yargs. */
export const STDIN_ARG = '<stdin>';

/** Protects lone `-` arguments from yargs. */
export function protectDash(argv: readonly string[]): string[] {
  return argv.map((a) => (a === '-' ? STDIN_ARG : a));
}

/** Turns the stand-in back into `-`. */
export function restoreDash(value: string): string {
  return value === STDIN_ARG ? '-' : value;
}
