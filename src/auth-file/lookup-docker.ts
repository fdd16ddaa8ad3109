/**
 * The docker CLI's lookup for a pull (formats.md §1.5, §2.1, §2.4): one file,
 * `${DOCKER_CONFIG:-~/.docker}/config.json`; the key is the registry host only (Docker Hub:
 * `https://index.docker.io/v1/`); `credHelpers[key]` (exact string) beats `credsStore`, which
 * beats `auths`; the file store takes the exact key, else any key whose host part equals the
 * query (Go map order, so random among several). A file docker cannot parse is replaced by an
 * empty config, and an empty config gets the platform's default store.
 */
import { join } from 'node:path';
import { ParseError, messageOf } from '../errors.js';
import { DOCKER_HUB_KEY, parseRegistryKey } from '../registry.js';
import { parseConfigJSON } from './docker-config.js';
import { DOCKER_AUTH_CONFIG, lookupDockerEnv } from './docker-env-config.js';
import { isJSONObject, leadingValueText, parseJSONText } from './json-text.js';
import { asDockerDecodes, asGoReadsConfig, describeMistyped } from './raw-config.js';
import type { AuthEntry, AuthFile } from './model.js';
import { isStub, shownKeyOf } from './model.js';
import type { ClientExplanation, FileStep, LookupDeps, LookupInput, ResolvedCredential, ShadowedEntry } from './lookup.js';
import { hasCredential, helperReport, isHang, makeCredential, quoteKey, waited } from './lookup.js';

const TITLE = 'docker CLI (pull, push, run)';

/** docker's `ConvertToHostname`: drop the scheme, cut at the first `/`. */
export function convertToHostname(key: string): string {
  const stripped = key.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '');
  return stripped.split('/')[0] ?? '';
}

/** NUL bytes are trimmed from both ends of a password read from `auth` (docker and podman). */
export function trimNul(text: string | undefined): string | undefined {
  return text === undefined ? undefined : text.replace(/^\0+|\0+$/g, '');
}

/** Why docker would reject the whole file because of this entry (its `auth` decoding rules), if it would. */
function entryError(e: AuthEntry): string | undefined {
  if (e.authProblem === 'invalid-base64') return `key ${quoteKey(e.key)}: "auth" is not valid base64`;
  if (e.authProblem === 'unpadded') return `key ${quoteKey(e.key)}: "auth" is base64 without padding`;
  if (e.authProblem === 'no-colon') return `key ${quoteKey(e.key)}: "auth" has no ":"`;
  if (e.username === '' && !e.explicitOnly) return `key ${quoteKey(e.key)}: "auth" has an empty username (docker 23+ rejects it)`;
  return undefined;
}

/**
 * Reads config.json the way docker does; `error` set means docker warns (with no file: and uses an
 * empty config). `ignored` counts the characters after the JSON object, which docker never reads.
 */
function readDockerConfig(path: string, text: string | undefined): { file: AuthFile | undefined; error: string | undefined; ignored?: number } {
  if (text === undefined || text.trim() === '') return { file: undefined, error: undefined };
  let body = text;
  let parsed = parseJSONText(text);
  if (!parsed.ok) {
    // docker decodes the file with a json.Decoder, which stops after the first value: whatever
    // follows it (a second object, an editor's leftovers) is not an error to docker.
    const head = leadingValueText(text);
    const retried = head === undefined ? undefined : parseJSONText(head);
    if (head !== undefined && retried?.ok) {
      body = head;
      parsed = retried;
    }
  }
  if (!parsed.ok) return { file: undefined, error: parsed.message };
  if (!isJSONObject(parsed.value)) return { file: undefined, error: 'not a JSON object' };
  const ignored = body === text ? {} : { ignored: text.length - body.length };
  const decoded = asDockerDecodes(asGoReadsConfig(parsed.value, body));
  let file: AuthFile;
  try {
    file = parseConfigJSON(decoded.doc, path, 'docker');
  } catch (err) {
    if (err instanceof ParseError) return { file: undefined, error: messageOf(err), ...ignored };
    throw err;
  }
  // docker 28.2 warns but keeps what it decoded (seen with the real CLI): entries are used as
  // they are, and an undecodable one is sent with its raw "auth" for the daemon to decode.
  const mistyped = decoded.mistyped[0];
  if (mistyped !== undefined) {
    const first = describeMistyped(mistyped);
    return { file, error: decoded.mistyped.length > 1 ? `${first}, and ${decoded.mistyped.length - 1} more` : first, ...ignored };
  }
  for (const e of file.entries) {
    const problem = entryError(e);
    if (problem) return { file, error: problem, ...ignored };
  }
  return { file, error: undefined, ...ignored };
}

/** docker's default store when config.json has no credsStore, credHelpers or auths (Linux: pass, else secretservice). */
function defaultStore(platform: NodeJS.Platform, deps: LookupDeps): { store: string | undefined; why: string } {
  const candidate = platform === 'darwin' ? 'osxkeychain' : platform === 'win32' ? 'wincred' : deps.onPath('pass') ? 'pass' : 'secretservice';
  const program = `docker-credential-${candidate}`;
  if (!deps.onPath(program)) return { store: undefined, why: `docker's default store would be "${candidate}", but ${program} is not on PATH, so docker uses the file` };
  return { store: candidate, why: `the file has no credsStore, credHelpers or auths, so docker picks its default store "${candidate}"` };
}

function entryCredential(serverURL: string, e: AuthEntry, file: string): ResolvedCredential {
  return makeCredential(serverURL, { username: e.username, password: trimNul(e.password), identityToken: e.identityToken }, { file, key: e.key });
}

/** Explains which credential `docker pull IMAGE` sends. */
export async function lookupDocker(input: LookupInput, deps: LookupDeps): Promise<ClientExplanation> {
  const { host, ref } = input;
  const dir = host.env.DOCKER_CONFIG || join(host.home, '.docker');
  const path = join(dir, 'config.json');
  const why = host.env.DOCKER_CONFIG ? 'DOCKER_CONFIG' : '~/.docker';
  const key = ref.hub ? DOCKER_HUB_KEY : ref.registry;
  const loaded = input.files.get(path);
  const exists = loaded !== undefined;
  const step: FileStep = { path, why, exists, status: exists ? 'no-match' : 'missing', detail: exists ? '' : 'does not exist' };
  const out: ClientExplanation = { client: 'docker', title: TITLE, query: key, files: [step], helperCalls: [], outcome: 'anonymous', reason: '', shadowed: [], notes: [] };
  if (ref.hub) out.notes.push(`docker looks Docker Hub up only under ${DOCKER_HUB_KEY} (not docker.io or index.docker.io)`);

  // docker loads config.json when it starts, for every command and before any lookup (a broken
  // one warns even on `docker version`, seen with 28.2), so what is wrong with the file is
  // reported even when DOCKER_AUTH_CONFIG answers below.
  let file: AuthFile | undefined;
  if (loaded && 'error' in loaded) {
    step.status = 'error';
    step.detail = `cannot be read (${loaded.error}); docker warns and carries on with an empty config`;
  } else if (loaded) {
    const r = readDockerConfig(path, loaded.text);
    if (r.ignored !== undefined) out.notes.push(`the ${r.ignored} characters after the JSON object are not JSON: docker reads the object and ignores them, silently (podman and credkit convert refuse the file)`);
    if (r.error !== undefined) {
      step.status = 'error';
      step.detail = r.file
        ? `docker prints "WARNING: Error parsing config file" (${r.error}) and still uses the file (entries it could not decode are sent with their raw "auth")`
        : `docker cannot parse it (${r.error}): it prints "WARNING: Error parsing config file" and carries on with an empty config (and overwrites the file on its next save)`;
    }
    file = r.file;
  }
  // docker 28.3 and later: DOCKER_AUTH_CONFIG before config.json's credHelpers, credsStore and
  // auths. Which docker that is matters only when the variable is set, so only then is it asked.
  const dockerVersion = host.env[DOCKER_AUTH_CONFIG] ? await deps.dockerVersion?.() : undefined;
  if (lookupDockerEnv(host.env, key, out, step, dockerVersion)) return out;

  let failure: string | undefined;
  let failureNote = 0;
  const containsAuth = file !== undefined && (file.credsStore !== undefined || file.credHelpers.size > 0 || file.entries.length > 0);
  let helper: string | undefined;
  let via = '';
  const routed = file?.credHelpers.get(key);
  if (routed === '') {
    // docker takes "" as no helper for this key (getConfiguredCredentialStore), and the file
    // store, not credsStore, answers for it.
    out.notes.push(`credHelpers[${quoteKey(key)}] is "" (or null): docker reads ${quoteKey(key)} from the file itself${file?.credsStore !== undefined ? ', not from credsStore' : ''}`);
  } else if (routed !== undefined) {
    helper = routed;
    via = `credHelpers[${quoteKey(key)}]`;
  } else if (file?.credsStore !== undefined) {
    helper = file.credsStore;
    via = 'credsStore';
  } else if (!containsAuth) {
    const d = defaultStore(host.platform, deps);
    out.notes.push(d.why);
    helper = d.store;
    via = 'default store';
  }

  const canonicalHost = parseRegistryKey(ref.registry).host;
  const related = (file?.entries ?? []).filter((e) => parseRegistryKey(e.key).host === canonicalHost);
  const shadow = (e: AuthEntry, reason: string): ShadowedEntry => ({ file: path, key: shownKeyOf(e), username: isStub(e) ? '' : (e.username ?? ''), reason });
  for (const [k, h] of file?.credHelpers ?? []) {
    if (k !== key && parseRegistryKey(k).host === canonicalHost) {
      out.shadowed.push({ file: path, key: `credHelpers[${k}]`, username: '', reason: `docker matches credHelpers keys exactly; it looks up ${quoteKey(key)}, so helper "${h}" is not used` });
    }
  }

  if (helper !== undefined) {
    const answer = await deps.askHelper(helper, key);
    out.helperCalls.push(helperReport(helper, key, via, path, answer));
    if (answer.kind !== 'failed') {
      if (exists && step.status !== 'error') {
        step.status = answer.kind === 'found' ? 'matched' : 'empty-match';
        step.detail = `${via} names helper "${helper}", asked for ${quoteKey(key)}`;
      }
      for (const e of related) {
        const reason = isStub(e) ? `a {} marker; the credential is whatever helper "${helper}" answers` : `docker asks helper "${helper}" (${via}); credentials written in auths are ignored`;
        if (!(isStub(e) && e.key === key)) out.shadowed.push(shadow(e, reason));
      }
    }
    if (answer.kind === 'found') {
      const fields = answer.identityToken !== undefined ? { identityToken: answer.identityToken } : { username: answer.username, password: answer.password };
      out.credential = makeCredential(key, fields, { file: path, key: via, helper });
      out.outcome = 'credential';
      if (answer.identityToken !== undefined) out.notes.push('the helper holds an identity token: docker sends it without a username');
      return out;
    }
    if (answer.kind === 'not-found') {
      out.reason = `helper "${helper}" has no credential for ${quoteKey(key)}; docker pulls anonymously`;
      return out;
    }
    if (isHang(answer)) {
      // docker runs helpers with no deadline (formats.md §1.1): it never gets to auths, it waits.
      if (exists && step.status !== 'error') {
        step.status = 'error';
        step.detail = `${via} names helper "${helper}", asked for ${quoteKey(key)}; it did not answer`;
      }
      out.outcome = 'hang';
      out.reason = `docker waits for helper "${helper}" (${via}) with no time limit, so the pull hangs until the helper answers or is stopped; credkit stopped waiting${waited(answer)}`;
      return out;
    }
    // Seen with docker 28.2: the native store returns the file's entry along with the helper's
    // error, and pull ignores the error, so whatever auths holds for the key is sent, silently.
    // When that is nothing, the failure is why there is no credential: the reason says it (with
    // a locked keychain or a helper not on PATH, "no entry in config.json" alone misleads).
    failure = `helper "${helper}" failed (${answer.message})`;
    failureNote = out.notes.length;
  }

  // The file store.
  const entries = file?.entries ?? [];
  let chosen = entries.find((e) => e.key === key);
  let how = `exact key ${quoteKey(key)}`;
  if (!chosen) {
    const candidates = entries.filter((e) => convertToHostname(e.key) === key);
    chosen = candidates[0];
    how = `no exact key ${quoteKey(key)}; fallback: key ${quoteKey(chosen?.key ?? '')} has host ${key}`;
    if (candidates.length > 1) {
      out.notes.push(`${candidates.length} keys reduce to ${key} (${candidates.map((c) => quoteKey(c.key)).join(', ')}): docker picks one in random (Go map) order`);
      for (const c of candidates.slice(1)) out.shadowed.push(shadow(c, `also reduces to ${key}; docker picks one of them at random, shown here: ${quoteKey(chosen?.key ?? '')}`));
    }
  }
  for (const e of related) {
    if (e === chosen || out.shadowed.some((s) => s.key === shownKeyOf(e))) continue;
    const k = parseRegistryKey(e.key);
    let reason: string;
    if (convertToHostname(e.key) !== key) {
      reason = ref.hub ? `docker looks Docker Hub up only as ${quoteKey(DOCKER_HUB_KEY)}` : `docker never uses this key for ${key}`;
    } else if (k.path !== '' && k.scheme === undefined) {
      reason = `docker ignores repository scopes: this key counts for all of ${key}, and only when no exact ${quoteKey(key)} key exists`;
    } else {
      reason = `used only when there is no exact ${quoteKey(key)} key`;
    }
    out.shadowed.push(shadow(e, reason));
  }
  if (!chosen) {
    if (step.status === 'no-match') step.detail = `no key for ${key} (tried ${quoteKey(key)}, then keys whose host is ${key})`;
    const none = exists ? `no entry for ${key} in config.json` : 'no config.json';
    out.reason = failure === undefined ? `${none}; docker pulls anonymously` : `${failure}, which docker pull ignores (docker login would fail), and there is ${none}; docker pulls anonymously`;
    return out;
  }
  const credential = entryCredential(key, chosen, path);
  if (!hasCredential(credential)) {
    step.status = 'empty-match';
    step.detail = `${how}: an empty entry (${failure === undefined ? 'no credsStore to ask' : 'its helper failed'})`;
    const empty = `key ${quoteKey(chosen.key)} holds no credential`;
    out.reason = failure === undefined ? `${empty}; docker pulls anonymously` : `${failure}, which docker pull ignores (docker login would fail), and ${empty}; docker pulls anonymously`;
    return out;
  }
  if (failure !== undefined) out.notes.splice(failureNote, 0, `${failure}; docker pull ignores that and sends what auths holds for ${quoteKey(key)} (docker login would fail)`);
  if (step.status === 'error') out.notes.push(step.detail);
  step.status = 'matched';
  step.detail = how;
  out.credential = credential;
  out.outcome = 'credential';
  return out;
}
