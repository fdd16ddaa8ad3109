/**
 * yargs drops a lone `-` positional (it re-parses positionals as options), so `main` swaps it for
 * a stand-in before parsing and a middleware turns it back before any command sees it. The
 * stand-in starts with NUL, which no argument can hold, so it cannot be mistaken for a file name.
 */

const MARK = '\0';

/** What a lone `-` argument looks like while yargs parses. */
export const STDIN_ARG = `${MARK}-`;

/** Protects lone `-` arguments from yargs. */
export function protectOperands(argv: readonly string[]): string[] {
  return argv.map((a) => (a === '-' ? STDIN_ARG : a));
}

/** Turns a stand-in back into the argument it stands for; anything else is returned as it is. */
export function restoreOperand(value: string): string {
  return value.startsWith(MARK) ? value.slice(MARK.length) : value;
}

/** Turns every stand-in in a text (a yargs message quoting arguments) back into its argument. */
export function restoreOperandsIn(text: string): string {
  return text.replaceAll(MARK, '');
}
