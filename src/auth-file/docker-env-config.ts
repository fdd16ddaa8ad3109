/**
 * `DOCKER_AUTH_CONFIG`, read as docker 28.3 and later read it (docker/cli#6008; formats.md §2.4):
 * a JSON document `{"auths":{"KEY":{"auth":"base64(user:password)"}}}` whose credentials docker
 * takes before config.json, its credHelpers and its credsStore. docker/cli's `parseEnvConfig`
 * decodes it with `DisallowUnknownFields` (any field but `auths` and `auth`, matched without regard
 * to case, is an error), refuses a second JSON value after the first, an entry without `auth`, and
 * an `auth` its `decodeAuth` refuses; any of these and docker prints "Failed to create credential
 * store from DOCKER_AUTH_CONFIG: …" and ignores the whole variable. Keys are looked up exactly as
 * written (its memory store is a plain map): no scheme stripping, no host fallback. Pure: the
 * environment comes in as an argument. The value is a secret: no message here quotes any of it
 * but the keys, whose user-info is masked.
 */
import type { Env } from '../io.js';
import { maskKey, maskUserinfo, redact, shownKey } from '../redact.js';
import { DOCKER_HUB_HOST, DOCKER_HUB_KEY, credentialInKey, isPlainHostKey, isRegistryHost, parseRegistryKey } from '../registry.js';
import { decodeAuth } from './entry.js';
import type { ListRow } from './list.js';
import type { ClientExplanation, FileStep } from './lookup.js';
import { makeCredential, quoteKey } from './lookup.js';
import { isJSONObject, parseJSONText, skipJSONSpace, topLevelMembers, leadingValueText } from './json-text.js';

/** The variable's name. */
export const DOCKER_AUTH_CONFIG = 'DOCKER_AUTH_CONFIG';

/** One credential of the variable. */
export interface EnvCredential {
  username: string;
  password: string;
}

/**
 * What docker 28.3+ makes of the variable: `unset` (absent or empty, as docker treats both),
 * `invalid` with why (docker ignores it all), or its credentials by key as written.
 */
export type DockerEnvConfig =
  | { status: 'unset' }
  | { status: 'invalid'; error: string }
  | { status: 'ok'; entries: ReadonlyMap<string, EnvCredential> };

const quote = (key: string): string => JSON.stringify(maskUserinfo(shownKey(key)));

/**
 * When docker 28.3+ prints "Failed to create credential store from DOCKER_AUTH_CONFIG": it parses
 * the variable in `GetCredentialsStore`, which only a credential lookup or store reaches, so
 * `docker ps` or `docker version` say nothing (unlike a broken config.json, loaded at start).
 */
export const DOCKER_ENV_WARNED_WHEN = 'each time they look a credential up or store one (pull, push, build, login, logout)';

/**
 * An unknown field named, when its name is a plain word (`credsStore`, `username`): the fix is
 * plain then. Any other name is not quoted: it may be a pasted `user:password` in the wrong place.
 */
const unknownField = (name: string, allowed: string): string =>
  `${/^[A-Za-z][A-Za-z0-9_]{0,39}$/.test(name) ? `unknown field ${JSON.stringify(name)}` : 'an unknown field'} (only "${allowed}" is allowed)`;

/** The members of a JSON object text, duplicates included, each parsed; Go's decoder sees them all. */
function members(text: string): [string, unknown][] {
  return topLevelMembers(text).map(([name, valueText]) => [name, JSON.parse(valueText) as unknown]);
}

/** Reads `DOCKER_AUTH_CONFIG` from `env` as docker 28.3 and later do. */
export function readDockerAuthConfig(env: Env): DockerEnvConfig {
  const value = env[DOCKER_AUTH_CONFIG];
  if (value === undefined || value === '') return { status: 'unset' };
  return parseDockerAuthConfig(value);
}

/** Parses a `DOCKER_AUTH_CONFIG` value (non-empty) as docker 28.3 and later do. */
export function parseDockerAuthConfig(value: string): Exclude<DockerEnvConfig, { status: 'unset' }> {
  const invalid = (error: string) => ({ status: 'invalid' as const, error });
  // Only white space: Go's decoder meets the end of input, which docker does not count as an error.
  if (skipJSONSpace(value, 0) >= value.length) return { status: 'ok', entries: new Map() };
  // A json.Decoder reads one value; docker then refuses anything after it but a closing bracket
  // (decoder.More() is false before `]`, `}` and the end).
  const head = leadingValueText(value) ?? value;
  const parsed = parseJSONText(head);
  if (!parsed.ok) return invalid(`not valid JSON (${parsed.message})`);
  const after = value.charAt(skipJSONSpace(value, head.length));
  if (after !== '' && after !== '}' && after !== ']') return invalid('more than one JSON value (docker takes exactly one object)');
  if (parsed.value === null) return { status: 'ok', entries: new Map() };
  if (!isJSONObject(parsed.value)) return invalid('not a JSON object');
  const entries = new Map<string, EnvCredential>();
  // Go merges repeated `auths` members (any case) into one map, later keys replacing earlier ones.
  const auths = new Map<string, unknown>();
  for (const [name, section] of members(head)) {
    if (name.toLowerCase() !== 'auths') return invalid(unknownField(name, 'auths'));
    if (section === null) continue;
    if (!isJSONObject(section)) return invalid('"auths" is not an object');
    for (const key of Object.keys(section)) auths.set(key, section[key]);
  }
  for (const [key, entry] of auths) {
    let auth: unknown = '';
    if (entry !== null) {
      if (!isJSONObject(entry)) return invalid(`key ${quote(key)}: the entry is not an object`);
      for (const field of Object.keys(entry)) {
        // Only "auth": username, password, identitytoken, … are refused, not ignored.
        if (field.toLowerCase() !== 'auth') return invalid(`key ${quote(key)}: ${unknownField(field, 'auth')}`);
        auth = entry[field];
      }
    }
    if (auth !== null && typeof auth !== 'string') return invalid(`key ${quote(key)}: "auth" is not a string`);
    if (!auth) return invalid(`key ${quote(key)} has no "auth"`);
    const decoded = decodeAuth(auth);
    if (decoded.problem === 'invalid-base64') return invalid(`key ${quote(key)}: "auth" is not valid base64`);
    if (decoded.problem === 'unpadded') return invalid(`key ${quote(key)}: "auth" is base64 without padding`);
    if (decoded.problem === 'no-colon') return invalid(`key ${quote(key)}: "auth" has no ":"`);
    if (!decoded.username) return invalid(`key ${quote(key)}: "auth" has an empty username`);
    // decodeAuth trims NUL bytes from both ends of the password, as for config.json.
    entries.set(key, { username: decoded.username, password: (decoded.password ?? '').replace(/^\0+|\0+$/g, '') });
  }
  return { status: 'ok', entries };
}

/**
 * Whether a docker CLI of this version (`28.2.2`, `28.3.0-rc.1`) reads the variable: from 28.3 on
 * (docker/cli#6008; the real 28.2 sends config.json's credential with the variable set). Undefined
 * when the text holds no `major.minor` version.
 */
export function dockerReadsAuthConfig(version: string): boolean | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return undefined;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 28 || (major === 28 && minor >= 3);
}

/**
 * docker's lookup of `key` in the variable, the first step of `lookupDocker` after config.json is
 * loaded (docker loads it when it starts, for every command): records what the variable held in
 * `out` and returns true when it answered (docker 28.3+ then takes nothing from the file and asks
 * no helper: its memory store returns the credential before the store behind it is asked). A
 * `step` already in error keeps its error: docker warned about the file all the same.
 * `dockerVersion`, the docker CLI's on PATH when known: one before 28.3 never reads the variable.
 */
export function lookupDockerEnv(env: Env, key: string, out: ClientExplanation, step: FileStep, dockerVersion?: string): boolean {
  const read = readDockerAuthConfig(env);
  if (read.status === 'unset') return false;
  const variable = DOCKER_AUTH_CONFIG;
  if (dockerVersion !== undefined && dockerReadsAuthConfig(dockerVersion) === false) {
    // Nor does it warn about a value it cannot parse: it never looks at the variable.
    out.environment = { variable, status: 'ignored', detail: `the docker on PATH is ${dockerVersion}, which does not read it (docker 28.3 and later do): it uses config.json alone` };
    return false;
  }
  if (read.status === 'invalid') {
    out.environment = { variable, status: 'ignored', detail: `${read.error}: docker 28.3 and later print "Failed to create credential store from ${variable}" ${DOCKER_ENV_WARNED_WHEN} and ignore all of it` };
    return false;
  }
  const wanted = parseRegistryKey(key).host;
  for (const k of read.entries.keys()) {
    if (k !== key && parseRegistryKey(k).host === wanted) {
      out.notes.push(`${variable} has key ${quote(k)}, which docker never uses: it looks keys of the variable up exactly as written, here ${quoteKey(key)}`);
    }
  }
  const found = read.entries.get(key);
  if (found === undefined) {
    out.environment = { variable, status: 'no-match', detail: `no key ${quoteKey(key)}, so docker 28.3 and later go on to config.json` };
    return false;
  }
  out.environment = { variable, status: 'matched', detail: `key ${quoteKey(key)}` };
  out.credential = makeCredential(key, found, { file: '', variable, key });
  out.outcome = 'credential';
  if (step.status === 'error') {
    // docker loaded the file before it asked the variable, and warned about it: that stays true.
    step.detail += `; ${variable} answered for ${quoteKey(key)} first, so the credential comes from the variable`;
  } else if (step.exists) {
    step.status = 'not-reached';
    step.detail = `not reached (${variable} answered first; docker before 28.3 ignores the variable and reads this file)`;
  }
  out.notes.push(`docker before 28.3 ignores ${variable} and uses config.json alone`);
  return true;
}

/**
 * `credkit ls`'s rows for the variable when it is set (docker 28.3 and later read it before any
 * file), and a note saying who reads it or why docker ignores it. Rows have `file` '' and
 * `variable` set; nothing when it is unset.
 */
export function listDockerAuthConfig(env: Env): { rows: ListRow[]; note?: string } {
  const read = readDockerAuthConfig(env);
  if (read.status === 'unset') return { rows: [] };
  if (read.status === 'invalid') {
    return { rows: [], note: `${DOCKER_AUTH_CONFIG} is set, but docker 28.3 and later ignore all of it, printing "Failed to create credential store from ${DOCKER_AUTH_CONFIG}" ${DOCKER_ENV_WARNED_WHEN}: ${read.error}` };
  }
  const rows = [...read.entries].map(([key, c]): ListRow => {
    const k = parseRegistryKey(key);
    const shown = shownKey(key);
    return { registry: maskUserinfo(shown === key ? k.canonical : shown), scope: k.scope, file: '', variable: DOCKER_AUTH_CONFIG, key: maskKey(shown), username: maskUserinfo(c.username), password: redact(c.password), identityToken: false };
  });
  return { rows, note: `${DOCKER_AUTH_CONFIG}: docker 28.3 and later take these before any file, by key exactly as written; docker before 28.3 and podman never read it` };
}

/**
 * The registry docker 28.3+ uses a key of the variable for (`docker.io` for Docker Hub), or
 * undefined for a key it never asks for: it asks the variable for exactly its config key,
 * `https://index.docker.io/v1/` for Docker Hub and the bare `host[:port]` for any other registry.
 */
export function dockerEnvRegistry(key: string): string | undefined {
  if (key === DOCKER_HUB_KEY) return DOCKER_HUB_HOST;
  // An unpadded base64 user:password is one DNS label too, but it names no registry: it is a credential.
  return isPlainHostKey(key) && isRegistryHost(key) && credentialInKey(key) === undefined ? key : undefined;
}

/**
 * What `credkit login` and `logout` say when docker 28.3+ would go on using the variable for a
 * registry they just wrote or erased: its memory store answers for a key it holds before
 * config.json, its credHelpers and credsStore are asked. docker's own login and logout warn
 * whenever the variable is non-empty ("DOCKER_AUTH_CONFIG is set and takes precedence"); this
 * says it only when it holds that registry's key (`dockerKey`, docker's: `https://index.docker.io/v1/`
 * for Hub, else `host[:port]`), or with `dockerKey` undefined (logout --all) any key. Nothing when
 * it is unset or docker would ignore it whole. Names keys only, never a value.
 */
export function dockerEnvOverrideWarning(env: Env, dockerKey: string | undefined, done: 'stored' | 'removed'): string | undefined {
  const read = readDockerAuthConfig(env);
  if (read.status !== 'ok') return undefined;
  const keys = dockerKey === undefined ? [...read.entries.keys()] : read.entries.has(dockerKey) ? [dockerKey] : [];
  if (keys.length === 0) return undefined;
  const which = keys.map(quote).join(', ');
  const what = done === 'stored' ? 'instead of what was just stored' : 'after this logout';
  return `${DOCKER_AUTH_CONFIG} holds a credential for ${which}, which docker 28.3 and later go on using ${what} (the variable comes before config.json and its helpers); unset ${DOCKER_AUTH_CONFIG}, or remove ${keys.length === 1 ? 'that key' : 'those keys'} from it`;
}
