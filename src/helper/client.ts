/**
 * Calling other `docker-credential-*` helpers the way docker's client does (docker-credential-helpers
 * `client/client.go`), plus what docker lacks: a timeout that kills the helper's whole process
 * group, a clear error when the program is not on PATH, and error texts that never quote a secret.
 *
 * The wire format follows formats.md §1: exactly one argument (the verb), `store` gets Go-style
 * compact JSON plus `\n`, `get`/`erase` get the bare URL with no newline, `list` gets `unused`.
 * Only stdout is read; stderr goes to a sink the caller provides (docker sends it to the terminal).
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Env } from '../io.js';
import { withoutCredentialVariables } from '../io.js';
import { HelperError } from '../errors.js';
import { MESSAGES, goJSON, goTrimSpace } from './protocol.js';
import { decodeStringMap, decodeStringStruct, GoJSONError } from './go-json.js';
import { holdsPieceOf, maskForms } from '../redact.js';
import { searchPath } from '../path-search.js';
import { HELD_LOCKS_VARIABLE, heldLocksText } from '../stores/held-locks.js';

/** The verbs credkit sends to other helpers (`version` is never needed). */
export type HelperVerb = 'store' | 'get' | 'erase' | 'list';

/** What `store` sends. `username` "<token>" stores an identity token, as docker does. */
export interface HelperStoreInput {
  serverURL: string;
  username: string;
  secret: string;
}

/** A credential a helper returned, in the domain's words. */
export interface HelperCredential {
  /** The ServerURL the helper printed, or the query when it left it out. */
  serverURL: string;
  /** Empty for identity tokens: docker drops the username of a `<token>` entry, and so do we. */
  username: string;
  /** The password; empty when the entry is an identity token. */
  password: string;
  /** Set when the helper answered Username `<token>`. */
  identityToken: string | undefined;
}

/** Result of `erase`: whether the helper said the entry was missing. */
export type EraseOutcome = 'erased' | 'not-found';

/** Input and result type of each verb. */
export interface HelperVerbs {
  store: { input: HelperStoreInput; result: void };
  /** `undefined` means not found (the not-found text, or pass 0.6.4's empty answer). */
  get: { input: string; result: HelperCredential | undefined };
  erase: { input: string; result: EraseOutcome };
  /** Server URL → username, exactly as the helper listed them. */
  list: { input: undefined; result: Map<string, string> };
}

/** Options for {@link callHelper}. */
export interface HelperCallOptions {
  /** The environment the helper runs with; its PATH is where the program is looked up. */
  env: Env;
  /** Milliseconds before the helper (and its process group) is killed. */
  timeoutMs: number;
  /** Where the helper's stderr goes, chunk by chunk; dropped when absent. */
  stderr?: (text: string) => void;
  /** Defaults to a POSIX platform; `win32` changes the PATH separator and process handling. */
  platform?: NodeJS.Platform;
  /**
   * The directory the helper runs in; this process's when absent. docker and podman start helpers
   * in their own working directory (Go's exec.Command with no Dir), so a lookup for a client run
   * elsewhere starts them there.
   */
  cwd?: string;
  /** What the timeout message tells the reader to raise (Host.helperTimeoutSetting): credkit's settings when absent. */
  timeoutSetting?: string;
}

/** What the CLI and the helper bin take their helper timeout from. */
const CLI_TIMEOUT_SETTINGS = 'CREDKIT_HELPER_TIMEOUT or [helpers] timeout';

/** Why a helper call failed, for callers that react differently (doctor, explain). */
export type HelperFailure = 'invalid-name' | 'not-on-path' | 'not-executable' | 'cannot-run' | 'timeout' | 'failed' | 'bad-output' | 'loop';

/** A helper call that failed; the message is one line naming the program and verb, never a secret. */
export class HelperCallError extends HelperError {
  readonly helper: string;
  readonly verb: HelperVerb;
  readonly reason: HelperFailure;
  /** For `not-executable`: the file on PATH that lacks execute permission. */
  readonly path: string | undefined;
  /**
   * The advice the message ends with, in parentheses, for a caller that knows better: the kubelet
   * provider's own cap cuts a timeout short, and there raising the timeout would not help.
   */
  readonly advice: string | undefined;
  constructor(helper: string, verb: HelperVerb, reason: HelperFailure, message: string, options?: { cause?: unknown; path?: string; advice?: string }) {
    super(options?.advice === undefined ? message : `${message} (${options.advice})`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.helper = helper;
    this.verb = verb;
    this.reason = reason;
    this.path = options?.path;
    this.advice = options?.advice;
  }
}

/** The username docker-credential-helpers use to mark an identity token. */
const TOKEN_USERNAME = '<token>';
/**
 * At most this much helper output is quoted in an error: enough for a whole message of credkit's
 * own helper (up to about 500 characters, its fix at the end: which backend or fallback to set),
 * which a cut at 200 left out, while a helper that prints pages still gives one line.
 */
const QUOTE_LIMIT = 1000;
/** A helper that prints more than this is stopped; real answers are a few KiB (a big JWT, a long list). */
const OUTPUT_LIMIT = 16 * 1024 * 1024;
/**
 * A process this many helper calls deep does not call another helper: credkit → credkit's helper
 * → pass is the deepest useful chain; deeper means a helper configured to use itself.
 */
const MAX_DEPTH = 2;
/** Set in every helper's environment so that a helper which is credkit again can see the nesting. */
export const DEPTH_VARIABLE = 'CREDKIT_HELPER_DEPTH';

/** `docker-credential-<name>`. */
export function helperProgram(name: string): string {
  return `docker-credential-${name}`;
}

function isWindowsProgram(name: string): boolean {
  return name.toLowerCase().endsWith('.exe');
}

function isWSL(env: Env): boolean {
  return Boolean(env.WSL_DISTRO_NAME || env.WSL_INTEROP);
}

/**
 * Finds `docker-credential-<name>` on `env.PATH` as docker and podman do ({@link searchPath}).
 * Returns the absolute path, or throws HelperCallError ('not-on-path', 'not-executable') saying what to do.
 */
export function resolveHelper(name: string, verb: HelperVerb, env: Env, platform: NodeJS.Platform = 'linux', namedBy: HelperNamedBy = 'config-file'): string {
  const program = helperProgram(name);
  if (name === '' || /[/\\\0]/.test(name)) {
    throw new HelperCallError(name, verb, 'invalid-name', `invalid credential helper name ${JSON.stringify(name)}: it must be a bare suffix like "pass" or "desktop"`);
  }
  const { path, notExecutable } = searchPath(program, env, platform);
  if (path !== undefined) return path;
  if (notExecutable !== undefined) {
    throw new HelperCallError(name, verb, 'not-executable', notExecutableMessage(program, notExecutable), { path: notExecutable });
  }
  throw new HelperCallError(name, verb, 'not-on-path', `${notOnPathMessage(name, env, platform, namedBy)}`);
}

/** The text for a helper that is on PATH without execute permission, and the one fix that works. */
function notExecutableMessage(program: string, path: string): string {
  return `credential helper ${program} is on PATH at ${path} but is not executable, so docker and podman do not find it either ("executable file not found in $PATH"); make it executable: chmod +x ${path}`;
}

/**
 * Where the helper's name came from, for the fix a missing helper's message gives: a config file's
 * credsStore/credHelpers, credkit's own backend setting (`helper:NAME`), or another setting of
 * credkit's, described in words (a route under `[routes]`), so the message points at the line to change.
 */
export type HelperNamedBy = 'config-file' | 'backend' | { setting: string };

function notOnPathMessage(name: string, env: Env, platform: NodeJS.Platform, namedBy: HelperNamedBy): string {
  const program = helperProgram(name);
  const base = `credential helper ${program} is not on PATH`;
  const setting =
    namedBy === 'backend' ? `credkit's backend setting (--backend, CREDKIT_BACKEND or backend = in config.ini)` : namedBy === 'config-file' ? 'credsStore/credHelpers' : namedBy.setting;
  if (isWindowsProgram(name) && platform !== 'win32') {
    return isWSL(env)
      ? `${base}; it is a Windows program, which WSL finds only when Docker Desktop's WSL integration (or Windows PATH interop) is enabled; enable it, or point ${setting} at a Linux helper`
      : `${base}; it is a Windows program and cannot run on ${platform}; point ${setting} at a helper for this system`;
  }
  return namedBy !== 'config-file' ? `${base}; install it, or change ${setting}` : `${base}; install it or remove "${name}" from credsStore/credHelpers`;
}

/** How to start a helper found at `path`: the program, its arguments, and Node's spawn options for them. */
export interface HelperCommand {
  file: string;
  args: string[];
  /** Set for a batch file: its command line is cmd.exe's, passed as written. */
  windowsVerbatimArguments?: boolean;
}

/**
 * The command that runs `path verb`. On Windows a helper may be a batch file (Google Cloud SDK
 * installs `docker-credential-gcloud.cmd`): Go's exec starts one directly, so docker runs it, but
 * Node refuses to spawn `.bat`/`.cmd` without a shell since the BatBadBut fix (EINVAL). It runs
 * them as cmd.exe would: `cmd.exe /d /s /c ""path" verb"`. The verb is one of four fixed words and
 * the path is a file PATH search found (Windows paths cannot hold `"`), so nothing of the user's
 * reaches cmd.exe's parser but the quoted path.
 */
export function helperCommand(path: string, verb: HelperVerb, env: Env, platform: NodeJS.Platform): HelperCommand {
  if (platform !== 'win32' || !/\.(bat|cmd)$/i.test(path)) return { file: path, args: [verb] };
  const comspec = Object.entries(env).find(([key]) => key.toUpperCase() === 'COMSPEC')?.[1];
  return { file: comspec || 'cmd.exe', args: ['/d', '/s', '/c', `""${path}" ${verb}"`], windowsVerbatimArguments: true };
}

/** What one helper process did. */
export interface HelperRun {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
}

/** The bytes a verb sends on stdin (formats.md §1.2). */
export function helperInput<V extends HelperVerb>(verb: V, input: HelperVerbs[V]['input']): string {
  switch (verb) {
    case 'store': {
      const c = input as HelperStoreInput;
      return `${goJSON({ ServerURL: c.serverURL, Username: c.username, Secret: c.secret })}\n`;
    }
    case 'list':
      return 'unused';
    default:
      return input as string;
  }
}

/**
 * A helper's environment: the caller's (without credential variables, for any helper but
 * credkit's own), how deep helpers are nested, and the entry locks held here, which a credkit
 * the helper reaches must not wait for (held-locks.ts).
 */
function helperEnv(name: string, env: Env, depth: number): Env {
  const held = heldLocksText(env[HELD_LOCKS_VARIABLE]);
  return {
    ...(name === 'credkit' ? env : withoutCredentialVariables(env)),
    [DEPTH_VARIABLE]: String(depth + 1),
    ...(held !== '' ? { [HELD_LOCKS_VARIABLE]: held } : {}),
  };
}

/** Runs one helper process; rejects only when it cannot start or times out. `secret` is masked on its stderr. */
function runHelper(name: string, verb: HelperVerb, stdin: string, options: HelperCallOptions, secret?: string): Promise<HelperRun> {
  const platform = options.platform ?? 'linux';
  const program = helperProgram(name);
  const depth = Number(options.env[DEPTH_VARIABLE] ?? '0') || 0;
  if (depth >= MAX_DEPTH) {
    return Promise.reject(
      new HelperCallError(name, verb, 'loop', `${program} ${verb} refused: helpers nested ${depth} deep (is a helper configured to call itself?)`),
    );
  }
  let path: string;
  try {
    path = resolveHelper(name, verb, options.env, platform);
  } catch (err) {
    return Promise.reject(err);
  }
  const ownGroup = platform !== 'win32';
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout also stops whatever the helper started (pass → gpg).
    const command = helperCommand(path, verb, options.env, platform);
    const child = spawn(command.file, command.args, {
      env: helperEnv(name, options.env, depth) as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', options.stderr ? 'pipe' : 'ignore'],
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      detached: ownGroup,
      windowsHide: true,
      ...(command.windowsVerbatimArguments ? { windowsVerbatimArguments: true } : {}),
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let settled = false;
    let stopped: 'timeout' | 'too-much-output' | undefined;
    const finish = (error: Error | undefined, result?: HelperRun) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(result as HelperRun);
    };
    const stop = (why: 'timeout' | 'too-much-output') => {
      if (stopped || settled) return;
      stopped = why;
      try {
        // process.kill with a negative pid is the only way to signal a group; it reads nothing.
        if (ownGroup && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL'); // the group is already gone
      }
      // A grandchild that left the group could keep our pipes open: do not wait for it.
      child.stdout?.destroy();
      child.stderr?.destroy();
      const seconds = options.timeoutMs / 1000;
      finish(
        why === 'timeout'
          ? new HelperCallError(name, verb, 'timeout', `${program} ${verb} did not finish within ${seconds} s and was stopped`, { advice: `raise ${options.timeoutSetting ?? CLI_TIMEOUT_SETTINGS} if it needs longer` })
          : new HelperCallError(name, verb, 'bad-output', `${program} ${verb} printed more than ${OUTPUT_LIMIT} bytes and was stopped`),
      );
    };
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => finish(cannotRun(name, verb, err, options.env, platform, options.cwd)));
    child.stdout?.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > OUTPUT_LIMIT) return stop('too-much-output');
      out.push(chunk);
    });
    if (options.stderr && child.stderr) {
      const decoder = new StringDecoder('utf8');
      // A helper may echo its input on stderr when it fails; for `store` that input is the secret.
      const sink = secret === undefined ? { write: options.stderr, end: () => undefined } : maskingSink(options.stderr, secret);
      child.stderr.on('data', (chunk: Buffer) => sink.write(decoder.write(chunk)));
      child.stderr.on('end', () => {
        const rest = decoder.end();
        if (rest) sink.write(rest);
        sink.end();
      });
    }
    child.on('close', (code, signal) => finish(undefined, { code, signal, stdout: Buffer.concat(out).toString('utf8') }));
    // A helper may exit without reading its input (EPIPE); its exit status tells the story.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(stdin);
  });
}

function cannotRun(name: string, verb: HelperVerb, err: NodeJS.ErrnoException, env: Env, platform: NodeJS.Platform, cwd?: string): HelperCallError {
  const program = helperProgram(name);
  const code = err.code ?? 'error';
  let hint = '';
  if (code === 'ENOENT' && cwd !== undefined && !isDirectory(cwd)) {
    // spawn says ENOENT for a missing working directory too: not the helper's fault.
    hint = `; the directory it was to run in does not exist: ${cwd}`;
  } else if (isWindowsProgram(name) && platform !== 'win32') {
    hint = isWSL(env)
      ? '; it is a Windows program: WSL runs it only with Windows interop enabled (see /proc/sys/fs/binfmt_misc/WSLInterop)'
      : `; it is a Windows program and cannot run on ${platform}`;
  } else if (code === 'EACCES') {
    hint = '; it is not executable';
  } else if (code === 'ENOEXEC' || code === 'ENOENT') {
    hint = '; it is not a program for this system, or its interpreter is missing';
  }
  return new HelperCallError(name, verb, 'cannot-run', `cannot run ${program} for ${verb} (${code})${hint}`, { cause: err });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** "12 bytes", for output that is not shown. */
function byteCount(text: string): string {
  const n = Buffer.byteLength(text, 'utf8');
  return `${n} ${n === 1 ? 'byte' : 'bytes'}`;
}

/** "exit status 1" or "killed by SIGTERM", like Go's ExitError text. */
function statusText(run: HelperRun): string {
  return run.code !== null ? `exit status ${run.code}` : `killed by ${run.signal ?? 'a signal'}`;
}

/**
 * Helper output made safe to quote in a one-line error: control characters and line breaks
 * collapsed, every occurrence of `secret` (raw or JSON-escaped) masked, length capped; withheld
 * when a piece of the secret is still there (echoed decoded, re-encoded or cut).
 */
export function quoteOutput(stdout: string, secret?: string): string {
  let text = secret ? maskForms(stdout, secretForms(secret)) : stdout;
  if (secret && holdsPieceOf(text, secret)) return '(output withheld: it holds part of the secret)';
  // C1 controls (a lone CSI is an escape sequence to some terminals) and Unicode line breaks too:
  // the quote stays one inert line in text and in --json output alike.
  text = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text;
}

/** The spellings of a secret a helper may echo: as is, and JSON-escaped as sent (Go's way) or by node. */
function secretForms(secret: string): string[] {
  return [secret, goJSON(secret).slice(1, -1), JSON.stringify(secret).slice(1, -1)];
}

/**
 * A stderr sink that masks `secret` as the text streams through: it holds back the last
 * characters that could be the start of a secret split across chunks, and masks before writing.
 */
function maskingSink(sink: (text: string) => void, secret: string): { write(text: string): void; end(): void } {
  const forms = secretForms(secret);
  const keep = Math.max(0, ...forms.map((f) => f.length)) - 1;
  let pending = '';
  return {
    write(text) {
      pending = maskForms(pending + text, forms);
      if (pending.length <= keep) return;
      const cut = pending.length - keep;
      sink(pending.slice(0, cut));
      pending = pending.slice(cut);
    },
    end() {
      if (pending) sink(maskForms(pending, forms));
      pending = '';
    },
  };
}

/**
 * Maps what a helper did to the verb's result, exactly as docker's client reads it (formats.md
 * §1.3), or throws HelperCallError. Pure: the unit tests drive it with recorded outputs.
 */
export function classifyOutput<V extends HelperVerb>(name: string, verb: V, input: HelperVerbs[V]['input'], run: HelperRun): HelperVerbs[V]['result'] {
  const program = helperProgram(name);
  const trimmed = goTrimSpace(run.stdout);
  // Only the verbs whose output cannot hold a secret may be quoted; `store` output is masked too.
  const quote = (): string => {
    if (verb === 'get') return '';
    const q = quoteOutput(run.stdout, verb === 'store' ? (input as HelperStoreInput).secret : undefined);
    return q === '' ? ' and printed nothing' : `: ${q}`;
  };
  if (run.code !== 0) {
    if (trimmed === MESSAGES.notFound && (verb === 'get' || verb === 'erase')) {
      return (verb === 'get' ? undefined : 'not-found') as HelperVerbs[V]['result'];
    }
    // pass answers `erase` of a missing entry with its own text (formats.md §1.2); that is not-found too.
    if (verb === 'erase' && /is not in the password store\.?$/.test(trimmed)) return 'not-found' as HelperVerbs[V]['result'];
    // The protocol's own fixed texts hold no secret, so they are named even for `get`.
    const known = trimmed === MESSAGES.missingServerURL || trimmed === MESSAGES.missingUsername ? `: ${trimmed}` : '';
    const detail = known || quote() || '; its output is not shown because it may hold a secret';
    // A helper that names itself says it once: credkit's own helper passing on the error of a call
    // it made to itself ("docker-credential-credkit list …") is quoted as it is, and its own
    // "docker-credential-credkit: …" prefix (internal errors) gives way to the one added here.
    const said = detail.startsWith(': ') ? detail.slice(2) : '';
    if (said.startsWith(`${program} ${verb} `)) throw new HelperCallError(name, verb, 'failed', said);
    const own = said.startsWith(`${program}: `) ? `: ${said.slice(program.length + 2)}` : detail;
    throw new HelperCallError(name, verb, 'failed', `${program} ${verb} failed (${statusText(run)})${own}`);
  }
  switch (verb) {
    case 'store':
      return undefined as HelperVerbs[V]['result'];
    case 'erase':
      return 'erased' as HelperVerbs[V]['result'];
    case 'get': {
      // As docker's client.Get decodes it: the first JSON value into a Credentials struct.
      let fields: Partial<Record<'ServerURL' | 'Username' | 'Secret', string>>;
      try {
        fields = decodeStringStruct(run.stdout, 'credentials.Credentials', ['ServerURL', 'Username', 'Secret'] as const);
      } catch (err) {
        if (!(err instanceof GoJSONError)) throw err;
        // Not quoted (it may be the secret itself, or `pass show` output); its size says whether it printed anything.
        const why = err.kind !== 'type' ? notJSON(run.stdout) : err.member ? `its ${err.member} is not a string` : 'printed JSON that is not a credential object';
        throw new HelperCallError(name, verb, 'bad-output', `${program} get exited 0 but ${why}`);
      }
      const { ServerURL: serverURL, Username: username, Secret: secret } = fields;
      const user = username ?? '';
      const pw = secret ?? '';
      // pass 0.6.4 answers a missing entry with empty fields and exit 0; docker reads that as none.
      if (user === '' && pw === '') return undefined as HelperVerbs[V]['result'];
      const credential: HelperCredential =
        user === TOKEN_USERNAME
          ? { serverURL: serverURL ?? (input as string), username: '', password: '', identityToken: pw }
          : { serverURL: serverURL ?? (input as string), username: user, password: pw, identityToken: undefined };
      return credential as HelperVerbs[V]['result'];
    }
    default: {
      // As docker's client.List decodes it: the first JSON value into a map[string]string, so
      // `null` (a Go helper's nil map) is an empty list and a null username is "".
      let entries: Map<string, string>;
      try {
        entries = decodeStringMap(run.stdout);
      } catch (err) {
        if (!(err instanceof GoJSONError)) throw err;
        // Output that is no list is not a list answer either: it may be anything, a `get` answer
        // or a `pass show` (whose first line is the password) included, so like a garbled `get`
        // it is not quoted; its size says whether it printed anything at all.
        if (err.kind !== 'type') throw new HelperCallError(name, verb, 'bad-output', `${program} list exited 0 but ${notJSON(run.stdout)}`);
        const why = err.member === undefined ? 'printed JSON that is not an object of server URL → username' : `the username for ${JSON.stringify(quoteOutput(err.member))} is not a string`;
        throw new HelperCallError(name, verb, 'bad-output', `${program} list exited 0 but ${why}`);
      }
      return entries as HelperVerbs[V]['result'];
    }
  }
}

/** Output of a `get` or `list` that is no JSON, said by its size only. */
function notJSON(stdout: string): string {
  return goTrimSpace(stdout) === '' ? 'printed nothing' : `printed ${byteCount(stdout)} that are not JSON (not shown: they may hold anything, a secret included)`;
}

/**
 * Runs `docker-credential-<name> <verb>` with the verb's input on stdin and returns the typed
 * result: `get` → credential or undefined (not found), `erase` → 'erased' | 'not-found',
 * `list` → map, `store` → nothing. Everything else is a HelperCallError.
 */
export async function callHelper<V extends HelperVerb>(
  name: string,
  verb: V,
  input: HelperVerbs[V]['input'],
  options: HelperCallOptions,
): Promise<HelperVerbs[V]['result']> {
  const secret = verb === 'store' ? (input as HelperStoreInput).secret : undefined;
  const run = await runHelper(name, verb, helperInput(verb, input), options, secret);
  return classifyOutput(name, verb, input, run);
}
