/**
 * How an unexpected error (a bug) is shown: its class and stack frames, never its message. A
 * message of an error credkit did not raise may quote what it was working on: Node's JSON.parse
 * quotes the text it failed on, a TypeError the value it got, and either may be a secret.
 */

/** The error's class (`TypeError`), or what was thrown when it is not an Error. */
export function bugName(err: unknown): string {
  if (!(err instanceof Error)) return `a thrown ${err === null ? 'null' : typeof err}`;
  return /^[A-Za-z_$][\w$]*$/.test(err.name) ? err.name : 'Error';
}

/** The error's class and stack frames, without its message (which may quote input). */
export function describeBug(err: unknown): string {
  const name = bugName(err);
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack : '';
  // Frames are the stack's "    at …" lines; the message before them may span lines.
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
  return [`${name} (its message is not shown: it may quote input, such as a secret)`, ...frames].join('\n');
}

/** How to report a bug, after {@link describeBug}'s lines. */
export const BUG_REPORT_ADVICE = 'This is a bug in credkit; please report it with the command you ran (not its input) and the lines above, which hold no input.';
