/**
 * The docker-credential-helpers wire protocol, byte for byte as docker, podman, skopeo, buildah and
 * crane expect it (see docker-credential-helpers `credentials/credentials.go`). This is the only
 * module that speaks in `ServerURL` / `Username` / `Secret`.
 */
import type { CredentialStore, StoredCredential } from '../stores/store.js';
import { isCredkitError } from '../errors.js';
import { withoutAccountKeys } from '../stores/account-key.js';
import { decodeStringStruct, GoJSONError } from './go-json.js';
import { BUG_REPORT_ADVICE, bugName, describeBug } from '../bug-report.js';

/** Texts clients match on; do not reword. */
export const MESSAGES = {
  notFound: 'credentials not found in native keychain',
  missingServerURL: 'no credentials server URL',
  missingUsername: 'no credentials username',
} as const;

/** The verbs a helper answers. */
export const VERBS = ['store', 'get', 'erase', 'list', 'version'] as const;

/** What `serve` needs from its caller: argv, stdin, stdout and a lazily made store. */
export interface HelperIo {
  /** The program name for usage and error lines (basename of argv[1]). */
  programName: string;
  /** Version line for `version`/`--version`. */
  version: () => string;
  readStdin(): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * Go's encoding/json escapes <, > and & (HTML-safe) and U+2028/U+2029; every Go helper and client
 * does, so our output matches theirs byte for byte.
 */
export function goJSON(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A get/erase argument the way Go helpers read it: stdin lines joined with no separator (a
 * bufio.Scanner drops each `\n` and a `\r` before it), then surrounding white space trimmed.
 */
export function readServerURL(input: string): string {
  return goTrimSpace(readLines(input));
}

/** Unicode white space as Go's unicode.IsSpace has it: JS `trim` also drops U+FEFF but keeps U+0085. */
const GO_TRIM = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/** Go's strings.TrimSpace, which the Go helpers apply to a get/erase query and clients to an answer. */
export function goTrimSpace(text: string): string {
  return text.replace(GO_TRIM, '');
}

/** stdin as a bufio.Scanner reads it line by line, joined with nothing between the lines. */
function readLines(input: string): string {
  return input.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line)).join('');
}

class ProtocolError extends Error {}

/**
 * Parses `store` input as the Go helpers do: stdin lines joined with no separator (so a line break
 * inside a string is dropped, not an error), then Go's decoder (go-json.ts): only the first JSON
 * value counts, empty input is `EOF`, `null` has no fields, field names match case-insensitively
 * and in document order. Error messages never contain the input (it holds the secret).
 */
export function parseStoreInput(input: string): StoredCredential {
  const joined = input.includes('\n') ? readLines(input) : input;
  let fields: Partial<Record<'ServerURL' | 'Username' | 'Secret', string>>;
  try {
    fields = decodeStringStruct(joined, 'credentials.Credentials', ['ServerURL', 'Username', 'Secret'] as const);
  } catch (err) {
    if (!(err instanceof GoJSONError)) throw err;
    // Go's syntax errors quote a character of the input; say only where it broke.
    if (err.kind === 'syntax' && err.message === 'invalid JSON') {
      throw new ProtocolError(`invalid JSON on standard input${err.at === undefined ? '' : ` at byte ${err.at}`}`);
    }
    throw new ProtocolError(err.message);
  }
  const credential = { serverURL: fields.ServerURL ?? '', username: fields.Username ?? '', secret: fields.Secret ?? '' };
  if (credential.serverURL === '') throw new ProtocolError(MESSAGES.missingServerURL);
  if (credential.username === '') throw new ProtocolError(MESSAGES.missingUsername);
  return credential;
}

/** The `list` answer: compact JSON with keys in byte order (Go sorts map keys), plus `\n`. */
export function formatList(entries: Map<string, string>): string {
  const keys = [...entries.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  // No prototype: a server URL "__proto__" is listed like any other.
  const ordered: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const k of keys) ordered[k] = entries.get(k) ?? '';
  return `${goJSON(ordered)}\n`;
}

/** The `get` answer; ServerURL repeats the query, as the Go helpers do. */
export function formatGet(query: string, credential: StoredCredential): string {
  return `${goJSON({ ServerURL: query, Username: credential.username, Secret: credential.secret })}\n`;
}

/** The usage line, printed on stdout like the Go library does. */
export function usageLine(programName: string): string {
  return `Usage: ${programName} <${VERBS.join('|')}>`;
}

/**
 * Runs one helper invocation and returns the exit code. Errors go to stdout with exit 1, as the
 * Go helpers do (clients only capture stdout). `openStore` is called only for verbs that need it.
 */
export async function serve(argv: readonly string[], openStore: () => Promise<CredentialStore>, io: HelperIo): Promise<number> {
  if (argv.length !== 1) {
    io.stdout(`${usageLine(io.programName)}\n`);
    return 1;
  }
  const verb = argv[0] as string;
  switch (verb) {
    case '-h':
    case '--help':
      io.stdout(`${usageLine(io.programName)}\n`);
      return 0;
    case '-v':
    case '--version':
    case 'version':
      io.stdout(`${io.version()}\n`);
      return 0;
  }
  if (!(VERBS as readonly string[]).includes(verb)) {
    io.stdout(`${io.programName}: unknown action: ${verb}\n`);
    return 1;
  }
  try {
    const input = verb === 'list' ? '' : await io.readStdin();
    switch (verb) {
      case 'store': {
        const credential = parseStoreInput(input);
        await (await openStore()).add(credential);
        return 0;
      }
      case 'get': {
        const query = readServerURL(input);
        if (query === '') throw new ProtocolError(MESSAGES.missingServerURL);
        const credential = await (await openStore()).get(query);
        if (!credential) throw new ProtocolError(MESSAGES.notFound);
        io.stdout(formatGet(query, credential));
        return 0;
      }
      case 'erase': {
        const query = readServerURL(input);
        if (query === '') throw new ProtocolError(MESSAGES.missingServerURL);
        // Erasing what is not there succeeds (as secretservice and wincred do): `docker logout`
        // then also drops its `{}` marker instead of keeping a stale "logged in" entry.
        await (await openStore()).delete(query);
        return 0;
      }
      default: {
        // Never a saved account's key: docker hands every listed key to builds and asks `get`
        // for each, which would send an account's credential under a key no registry has.
        io.stdout(formatList(withoutAccountKeys(await (await openStore()).list()).entries));
        return 0;
      }
    }
  } catch (err) {
    if (err instanceof ProtocolError || isCredkitError(err)) {
      io.stdout(`${oneLine(err.message)}\n`);
      return 1;
    }
    // A bug: stdout stays one line for the client (docker quotes it in its own error), the
    // details go to stderr (the user's terminal); neither holds the message (src/bug-report.ts).
    io.stdout(`${io.programName}: internal error: ${bugName(err)}; this is a bug in credkit, see standard error\n`);
    io.stderr(`${io.programName}: internal error: ${describeBug(err)}\n${BUG_REPORT_ADVICE}\n`);
    return 1;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
