/**
 * Materialising: replacing `{}` stubs (and `credHelpers` routes) by the credentials the named
 * `docker-credential-*` helpers hold, so that a file or pull secret stands on its own. The helper
 * calls come in through an injected resolver; this module never runs a program itself.
 */
import { HelperError, messageOf } from '../errors.js';
import { shownKey } from '../redact.js';
import { DOCKER_HUB_HOST, DOCKER_HUB_KEY, parseRegistryKey } from '../registry.js';
import type { AuthEntry, AuthFile, Origin } from './model.js';
import { canonicalOf, isStub, keyOf } from './model.js';

/** What a helper's `get` answered (`username` "<token>" marks an identity token). */
export interface ResolvedCredential {
  username: string;
  secret: string;
}

/** Asks helper `docker-credential-<helper>` for `serverURL`; undefined when it has nothing. */
export type CredentialResolver = (helper: string, serverURL: string) => Promise<ResolvedCredential | undefined>;

/** One helper lookup that materialising needs or made. */
export interface HelperLookup {
  key: string;
  helper: string;
  origin: Origin;
  /**
   * The entry holds a plaintext credential, but its client asks the helper instead (docker and
   * podman for a `credHelpers` route; docker for `credsStore`): the helper's answer is what it
   * would send.
   */
  shadowed?: true;
  /** For a shadowed entry kept as it was: why the helper gave no answer (it failed), if it did. */
  failure?: string;
  /** A `credHelpers` route that no entry of the file names: the registry is asked for alone. */
  route?: true;
  /**
   * A registry a selection named that no entry or route of the file covers, asked of `credsStore`
   * as docker asks it for any registry (also a {@link route}). Failing, it gets a note, not an error.
   */
  selected?: true;
}

/** The materialised file and what could not be found. */
export interface MaterializeResult {
  file: AuthFile;
  resolved: HelperLookup[];
  /** Stubs whose helper had no credential; they are left out of `file`. */
  missing: HelperLookup[];
  /** Shadowed entries whose helper had no credential: their plaintext is kept (nothing is lost). */
  kept: HelperLookup[];
  /**
   * Routes ({@link HelperLookup.route}) whose helper had no credential: docker and podman pull
   * from that registry anonymously, as clients of the output do, so nothing is lost. A
   * {@link HelperLookup.selected} one that could not be asked carries its `failure`.
   */
  unanswered: HelperLookup[];
}

/** Says why `docker-credential-<helper>` cannot be run (not on PATH, not executable), or undefined. */
export type HelperProbe = (helper: string) => string | undefined;

const TOKEN_USERNAME = '<token>';

/** The `credHelpers` route for a key (canonical match), if any. */
function routeIndex(file: AuthFile): (key: string) => string | undefined {
  const byCanonical = new Map<string, string>();
  for (const [key, helper] of file.credHelpers) byCanonical.set(parseRegistryKey(key).canonical, helper);
  if (byCanonical.size === 0) return () => undefined;
  return (key) => byCanonical.get(parseRegistryKey(key).canonical);
}

/**
 * Every helper lookup materialising `file` would make (empty: nothing to do). A stub goes to its
 * `credHelpers` route, else `credsStore`. An entry with a plaintext credential goes to the helper
 * too when its client would not use the plaintext: a `credHelpers` route (docker and podman ask
 * only the helper), or docker's `credsStore` (podman has none, so an auth.json keeps its own).
 */
export function pendingLookups(file: AuthFile, storeKeys: readonly string[] = []): HelperLookup[] {
  // No helper named anywhere (nearly every file that is converted): nothing to ask, and no key
  // to parse (parsing every key of a big file only to find no route was a few percent of it).
  if (file.credHelpers.size === 0 && file.credsStore === undefined) return [];
  const routeFor = routeIndex(file);
  const store = file.format === 'podman' ? undefined : file.credsStore;
  const out: HelperLookup[] = [];
  for (const e of file.entries) {
    const route = routeFor(e.key);
    if (isStub(e)) {
      const helper = route ?? file.credsStore;
      if (helper !== undefined) out.push({ key: e.key, helper, origin: e.origin });
      continue;
    }
    const helper = route ?? store;
    if (helper !== undefined) out.push({ key: e.key, helper, origin: e.origin, shadowed: true });
  }
  if (file.credsStore !== undefined) {
    for (const key of storeKeys) out.push({ key, helper: file.credsStore, origin: { file: file.source, key: 'credsStore' }, route: true, selected: true });
  }
  if (file.credHelpers.size === 0) return out;
  const covered = new Set<string>();
  for (const e of file.entries) covered.add(canonicalOf(e));
  for (const [key, helper] of file.credHelpers) {
    if (!covered.has(parseRegistryKey(key).canonical)) out.push({ key, helper, origin: { file: file.source, key: `credHelpers[${key}]` }, route: true });
  }
  return out;
}

/**
 * The server URLs to try for a key. Docker Hub: as written, then the other spellings. Any other
 * registry-wide key: first the bare `host[:port]`, which is all docker and podman ever ask a helper
 * for (docker's native store asks with the image's host whatever the stub's key, so a stub
 * `https://quay.io` gets the helper's `quay.io` credential), then the key as written.
 */
function serverURLs(key: string): string[] {
  const k = parseRegistryKey(key);
  if (k.path !== '') return [key];
  if (!k.hub) return k.host === '' || k.host === key ? [key] : [k.host, key];
  return key === DOCKER_HUB_KEY ? [key, DOCKER_HUB_HOST] : key === DOCKER_HUB_HOST ? [key, DOCKER_HUB_KEY] : [key, DOCKER_HUB_KEY, DOCKER_HUB_HOST];
}

/**
 * Resolves every stub, credHelpers route and shadowed entry through `resolve` (one call per
 * helper and URL, in order), and asks `credsStore` for each of `storeKeys` (registries a selection
 * named that no entry covers). The result has no `credsStore` and no `credHelpers`: it stands on
 * its own. Stubs the helper does not know are dropped and listed in `missing`; shadowed entries
 * it does not know keep their plaintext and are listed in `kept`. Without a resolver, throws when
 * anything needs one.
 */
export async function materialize(file: AuthFile, resolve: CredentialResolver | undefined, storeKeys: readonly string[] = []): Promise<MaterializeResult> {
  const pending = pendingLookups(file, storeKeys);
  if (pending.length === 0) {
    const out: AuthFile = { ...file, credHelpers: new Map() };
    delete out.credsStore;
    return { file: out, resolved: [], missing: [], kept: [], unanswered: [] };
  }
  if (resolve === undefined) {
    const first = pending.find((p) => !p.shadowed) ?? pending[0]!;
    throw new HelperError(
      `${first.origin.file}: key "${shownKey(first.key)}"${pending.length > 1 ? ` (and ${pending.length - 1} more)` : ''} is kept in credential helper "${first.helper}", ` +
        // Only a library caller can get here (the CLI always passes a resolver): say what it lacks.
        'and nothing was given to ask it (ConvertOptions.resolve); pass a resolver, or convert without materialize to list such entries as losses',
    );
  }
  const answers = new Map<string, AuthEntry | undefined>();
  const resolved: HelperLookup[] = [];
  const missing: HelperLookup[] = [];
  const kept: HelperLookup[] = [];
  const unanswered: HelperLookup[] = [];
  // Helpers that failed for a shadowed entry are not asked again (a hung one would cost its
  // timeout per entry); such an entry keeps its plaintext, which is what it had to offer anyway.
  // A registry only a selection named is asked softly too: the file said nothing of it.
  const failed = new Map<string, string>();
  for (const p of pending) {
    let found: ResolvedCredential | undefined;
    const soft = p.shadowed || p.selected;
    const failedBefore = soft ? failed.get(p.helper) : undefined;
    if (failedBefore !== undefined) {
      (p.shadowed ? kept : unanswered).push({ ...p, failure: failedBefore });
      continue;
    }
    let failure: string | undefined;
    for (const url of serverURLs(p.key)) {
      try {
        found = await resolve(p.helper, url);
      } catch (err) {
        // The helper client's messages name the helper, verb and reason, never the secret.
        if (!soft) throw new HelperError(`${p.origin.file}: key "${shownKey(p.key)}": ${messageOf(err)}`, { cause: err });
        failure = messageOf(err);
        failed.set(p.helper, failure);
        found = undefined;
        break;
      }
      if (found && (found.username !== '' || found.secret !== '')) break;
      found = undefined;
    }
    if (!found) {
      if (p.shadowed) {
        kept.push(failure === undefined ? p : { ...p, failure }); // the entry stays as it is
        continue;
      }
      // A stub says a login was stored there; a route alone (gcloud and ecr-login add one per
      // registry they serve) is where a login would go, and with none docker pulls anonymously.
      (p.route ? unanswered : missing).push(failure === undefined ? p : { ...p, failure });
      answers.set(p.key, undefined);
      continue;
    }
    const entry: AuthEntry = { key: p.key, origin: { file: `helper ${p.helper}`, key: p.key } };
    if (found.username === TOKEN_USERNAME) entry.identityToken = found.secret;
    else {
      entry.username = found.username;
      entry.password = found.secret;
    }
    answers.set(p.key, entry);
    resolved.push(p);
  }
  const entries: AuthEntry[] = [];
  for (const e of file.entries) {
    if (!answers.has(e.key)) {
      entries.push(e);
      continue;
    }
    const got = answers.get(e.key);
    // Keep the entry's non-credential fields (email, unknown fields) around the helper's answer;
    // a shadowed entry's old credential fields all go (no stale identitytoken beside a password).
    if (!got) continue;
    // Named field by field: a spread would not copy an entry's accessors (see parseEntry).
    const merged: AuthEntry = { key: e.key, origin: got.origin, username: got.username, password: got.password, identityToken: got.identityToken };
    if (e.email !== undefined) merged.email = e.email;
    if (e.serverAddress !== undefined) merged.serverAddress = e.serverAddress;
    if (e.extra !== undefined) merged.extra = e.extra;
    entries.push(merged);
  }
  const entryKeys = new Set(file.entries.map((e) => e.key));
  for (const p of pending) {
    const got = answers.get(p.key);
    if (got && !entryKeys.has(p.key)) entries.push(got);
  }
  const out: AuthFile = { ...file, entries, credHelpers: new Map() };
  delete out.credsStore;
  return { file: out, resolved, missing, kept, unanswered };
}

/** One file to materialise and the registries to ask its `credsStore` for ({@link materialize}). */
export interface MaterializeJob {
  file: AuthFile;
  storeKeys?: readonly string[];
}

/**
 * Throws one HelperError naming every helper that materialising `jobs` needs and that cannot be
 * run at all (`probe` says why: not on PATH, not executable), with the keys that need each, before
 * any helper is asked: a user with two missing helpers learns of both at once. Lookups that fail
 * softly (a shadowed entry keeps its plaintext, a registry only a selection named) are not counted.
 * `flags` names the CLI's flags in the advice, else the options.
 */
export function assertHelpersRunnable(jobs: readonly MaterializeJob[], probe: HelperProbe, flags = false): void {
  const needs = new Map<string, Origin[]>();
  for (const job of jobs) {
    for (const p of pendingLookups(job.file, job.storeKeys)) {
      if (p.shadowed || p.selected) continue;
      let keys = needs.get(p.helper);
      if (keys === undefined) needs.set(p.helper, (keys = []));
      keys.push({ file: p.origin.file, key: p.key });
    }
  }
  const broken: string[] = [];
  for (const [helper, keys] of needs) {
    const problem = probe(helper);
    if (problem !== undefined) broken.push(`${describeKeys(keys)}: ${problem}`);
  }
  if (broken.length === 0) return;
  const select = flags ? '--registry' : 'the registries option';
  const unresolved = flags ? '--no-materialize' : 'materialize: false';
  if (broken.length === 1) {
    throw new HelperError(`${broken[0]}; or leave out the registries that need it with ${select} (only the registries named are materialised)`);
  }
  throw new HelperError(
    `${broken.length} credential helpers cannot be run, so nothing was materialised or written:\n${broken.map((b) => `  ${b}`).join('\n')}\n` +
      `install them, or leave out the registries that need them with ${select} (only the registries named are materialised), or write their entries unresolved with ${unresolved}`,
  );
}

/** `f: key "a", "b"; g: key "c"`, at most three keys, then how many more. */
function describeKeys(keys: readonly Origin[]): string {
  const SHOWN = 3;
  const byFile = new Map<string, string[]>();
  for (const k of keys.slice(0, SHOWN)) {
    let list = byFile.get(k.file);
    if (list === undefined) byFile.set(k.file, (list = []));
    list.push(JSON.stringify(shownKey(k.key)));
  }
  const text = [...byFile].map(([file, list]) => `${file}: ${list.length > 1 ? 'keys' : 'key'} ${list.join(', ')}`).join('; ');
  return keys.length > SHOWN ? `${text} (and ${keys.length - SHOWN} more)` : text;
}
