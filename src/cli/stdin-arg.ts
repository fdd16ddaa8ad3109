/**
 * yargs drops a lone `-` positional (it re-parses positionals as options), and fills positionals
 * only from arguments before `--`, so `main` swaps such arguments for stand-ins before parsing and
 * a middleware turns them back before any command sees them. A stand-in starts with NUL, which no
 * argument can hold, so none can be mistaken for a file name (`-o '<stdin>'` once wrote stdout).
 */

const MARK = '\0';

/** What a lone `-` argument looks like while yargs parses. */
export const STDIN_ARG = `${MARK}-`;

/**
 * Protects lone `-` arguments from yargs, and ends option parsing at the first `--` as POSIX
 * utilities do: it is dropped, and each argument after it that starts with `-` is masked, so that
 * all of them reach the command as operands (`credkit ls -- -odd-name.json`).
 */
export function protectOperands(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  const options = end < 0 ? argv : argv.slice(0, end);
  const operands = end < 0 ? [] : argv.slice(end + 1);
  return [...options.map((a) => (a === '-' ? STDIN_ARG : a)), ...operands.map((a) => (a.startsWith('-') ? `${MARK}${a}` : a))];
}

/** Turns a stand-in back into the argument it stands for; anything else is returned as it is. */
export function restoreOperand(value: string): string {
  return value.startsWith(MARK) ? value.slice(MARK.length) : value;
}

/** Turns every stand-in in a text (a yargs message quoting arguments) back into its argument. */
export function restoreOperandsIn(text: string): string {
  return text.replaceAll(MARK, '');
}
