/**
 * `credkit`'s command table and its single error → exit code path. `main` never exits the
 * process; it returns the code.
 */
import yargs from 'yargs';
import type { Argv } from 'yargs';
import type { Io } from '../io.js';
import type { CommandContext } from './context.js';
import { printJSONFailure } from './context.js';
import { exitCodeFor, isBug } from './exit-code.js';
import { UsageError, messageOf } from '../errors.js';
import { escapeControls } from '../escape.js';
import { maskUserinfo } from '../redact.js';
import { packageVersion } from '../version.js';
import { BUG_REPORT_ADVICE, describeBug } from '../bug-report.js';
import { COMMANDS, selectedCommand } from './commands/index.js';
import { protectOperands, restoreOperand, restoreOperandsIn } from './stdin-arg.js';

/** Runs `credkit` with `argv` (without node and script) and returns the exit code. */
export async function main(rawArgv: readonly string[], outerIo: Io, packageRoot: string): Promise<number> {
  const argv = protectOperands(rawArgv);
  let printed = false;
  const io = watchStdout(outerIo, () => (printed = true));
  const ctx: CommandContext = { io, exitCode: 0, packageRoot };
  let parser: Argv = yargs([...argv])
    .scriptName('credkit')
    .usage('$0 <command> [options]\n\nRegistry credentials for Docker, Podman, Kubernetes and OpenShift.')
    .version(packageVersion(packageRoot))
    .help()
    .alias('h', 'help')
    .strict()
    .demandCommand(1, 'Name a command; see credkit --help.')
    .recommendCommands()
    .wrap(100)
    .exitProcess(false);
  // Load only the command being run; the others are listed in help from the table.
  const wanted = selectedCommand(argv);
  for (const entry of COMMANDS) {
    parser =
      entry.name === wanted
        ? parser.command((await entry.load())(ctx))
        : parser.command({ command: entry.command, describe: entry.describe, handler: () => undefined });
  }
  parser = parser
    .middleware(restoreArguments as never, true)
    .middleware(lastOccurrenceWins as never, true)
    .middleware(((_: unknown, y: Argv) => refuseBooleanValues(argv, y)) as never, true);
  skipHelpCache(parser);
  let failure: unknown;
  let output = '';
  let json = false;
  try {
    await parser.parseAsync([...argv], {}, (err, args, out) => {
      if (err) failure ??= err;
      output = out;
      json = (args as { json?: unknown } | undefined)?.json === true;
    });
  } catch (err) {
    failure ??= err;
  }
  if (failure !== undefined) {
    // yargs quotes arguments as it got them: with their stand-ins (src/cli/stdin-arg.ts). Some of
    // its messages span lines ("Invalid values:\n  Argument: …"); an error is one line.
    const usage = isYargsUsage(failure) ? new UsageError(withoutCamelCaseTwins(restoreOperandsIn(messageOf(failure)).replace(/\s*\n\s*/g, ' '))) : failure;
    // A script that asked for JSON parses stdout: it gets one object there on failure too, but
    // never a second one after the report a command printed before failing. `takesJSON` is set by
    // the builder of the command being run, so an option yargs rejects in that command (it has
    // parsed --json by then) is covered; a run no --json command took (unknown command, `get
    // --json`) is not.
    if (ctx.takesJSON && json && !printed) printJSONFailure(ctx, usage);
    if (isBug(failure) && !isYargsUsage(failure)) {
      io.stderr(`credkit ${packageVersion(packageRoot)}: unexpected error: ${describeBug(failure)}\n${BUG_REPORT_ADVICE}\n`);
      return 1;
    }
    if (output && isYargsUsage(failure)) {
      // yargs ends its help with the error, which the "credkit:" line below says again.
      const help = restoreOperandsIn(output);
      const said = restoreOperandsIn(messageOf(failure));
      const shown = (help.endsWith(said) ? help.slice(0, help.length - said.length) : help).trimEnd();
      if (shown) io.stderr(`${shown}\n\n`);
    }
    // Last line of defence: a registry typed as https://user:pass@host, or a key with an escape
    // sequence or a bidi override in it, quoted by any message.
    io.stderr(`credkit: ${maskUserinfo(escapeControls(withoutOwnName(messageOf(usage))))}\n`);
    return exitCodeFor(usage);
  }
  if (output) io.stdout(`${output}\n`);
  return ctx.exitCode;
}

/**
 * A store's message without the "credkit " it starts with: the helper's answers name credkit
 * (docker quotes them after its own words), but here the line already starts with "credkit: ",
 * and "credkit: credkit keychain (Secret Service): …" says the name twice.
 */
function withoutOwnName(message: string): string {
  return message.startsWith('credkit ') && !message.startsWith('credkit: ') ? message.slice('credkit '.length) : message;
}

/**
 * `io` with stdout watched: `onWrite` runs before each write. Everything else is `io`'s own,
 * reached through the prototype when used (isTTY is a getter that loads node:tty only when asked).
 */
function watchStdout(io: Io, onWrite: () => void): Io {
  const stdout = (text: string): void => {
    onWrite();
    io.stdout(text);
  };
  return Object.defineProperty(Object.create(io) as Io, 'stdout', { value: stdout, enumerable: true });
}

/**
 * After every command handler yargs renders that command's whole help text and keeps it, so that
 * a failure reported later can show it. Here that text is never printed: a handler's errors are
 * reported by `main` without help, and yargs' own usage errors (which do print help) happen before
 * the handler and render their help when they happen. Rendering it loads the text-layout modules
 * (cliui, string-width: Intl.Segmenter and Unicode regexps), a large part of a command's start-up.
 */
function skipHelpCache(parser: Argv): void {
  const usage = (parser as unknown as { getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage?(): void } } }).getInternalMethods?.().getUsageInstance?.();
  if (typeof usage?.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/** Gives every argument the command gets back from its stand-in (src/cli/stdin-arg.ts). */
function restoreArguments(argv: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(argv)) {
    if (typeof value === 'string') argv[key] = restoreOperand(value);
    else if (Array.isArray(value)) argv[key] = value.map((v: unknown) => (typeof v === 'string' ? restoreOperand(v) : v));
  }
}

/**
 * yargs turns an option given twice (`--to podman --to docker`, `-o a -o b`) into an array, which
 * no handler expects: one converted nothing, others crashed. The last occurrence wins, as with
 * docker's, podman's and kubectl's flags; options declared as arrays (`--as`, `--secret`) and
 * variadic positionals keep every value. Runs before validation, so `choices` sees one value.
 */
function lastOccurrenceWins(argv: Record<string, unknown>, y: Argv): void {
  const options = (y as unknown as { getOptions(): { array: string[]; string: string[]; boolean: string[]; number: string[] } }).getOptions();
  const arrays = new Set(options.array);
  const scalars = new Set([...options.string, ...options.boolean, ...options.number]);
  for (const [key, value] of Object.entries(argv)) {
    if (Array.isArray(value) && value.length > 0 && scalars.has(key) && !arrays.has(key)) argv[key] = value.at(-1);
  }
}

/**
 * yargs reads `--json=yes` (or `=1`, `=`) as false and runs the command without JSON. docker's
 * and podman's flags refuse a value they cannot read as a boolean; here only `true` and `false`
 * are taken, as yargs reads them, and any other value given with `=` is a usage error.
 */
function refuseBooleanValues(argv: readonly string[], y: Argv): void {
  const options = (y as unknown as { getOptions(): { boolean: string[]; alias: Record<string, string[]> } }).getOptions();
  const booleans = new Set(options.boolean);
  for (const name of options.boolean) for (const alias of options.alias[name] ?? []) booleans.add(alias);
  for (const arg of argv) {
    const m = /^--([^=]+)=(.*)$/s.exec(arg);
    if (!m) continue;
    const name = m[1] as string;
    const value = m[2] as string;
    if (!booleans.has(name) && !(name.startsWith('no-') && booleans.has(name.slice(3)))) continue;
    // The value is not quoted: `--password-stdin=…` may be a password typed in the wrong place.
    if (value !== 'true' && value !== 'false') throw new UsageError(`--${name} takes no value, or true or false`);
  }
}

/**
 * yargs lists a mistyped option twice, as typed and camel-cased ("Unknown arguments:
 * pasword-stdin, paswordStdin"): the second is a name nobody typed, and makes one typo look like
 * two. Only the spelling given is kept.
 */
function withoutCamelCaseTwins(message: string): string {
  const m = /^Unknown arguments?: (.*)$/s.exec(message);
  if (!m) return message;
  const names = (m[1] as string).split(', ');
  const camel = (name: string) => name.replace(/-+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
  const typed = new Set(names.filter((n) => n.includes('-')).map(camel));
  const kept = names.filter((n) => n.includes('-') || !typed.has(n));
  return `Unknown argument${kept.length === 1 ? '' : 's'}: ${kept.join(', ')}`;
}

function isYargsUsage(err: unknown): boolean {
  return (err as { name?: string } | undefined)?.name === 'YError';
}
