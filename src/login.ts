/**
 * `credkit login` / `credkit logout` without a Docker daemon: check credentials against the
 * registry, then store them where docker or podman will look, exactly as those tools route them
 * (formats.md §1.5, §2.4–2.5, §4.2, §4.6–4.7); and remove them again, with every Docker Hub alias
 * and from the helper the file routes to.
 *
 * Destinations:
 * - a docker config.json: `credHelpers[key]` > `credsStore` > plaintext `auth` in the file. With a
 *   helper, the helper gets `store` with docker's server-URL spelling and the file a `{}` marker.
 *   Docker ignores paths, so a repository-scoped key is refused.
 * - a podman/containers auth.json: podman's key (scoped keys allowed, Hub = `docker.io`);
 *   `credHelpers[registry]` in that file sends registry-wide logins to that helper instead.
 * - a credential store (credkit backend or `helper:NAME`): docker's spelling of the key.
 *
 * Nothing is written unless the registry accepted the credentials (or verification was turned
 * off). Every file change is one locked, atomic read-modify-write of the raw document through
 * safe-file.ts that touches only the keys in question. Results and errors name files, keys and
 * users, never a secret.
 */
import { HelperError, NotFoundError, UsageError, messageOf } from './errors.js';
import { entryToJSON } from './auth-file/entry.js';
import { parseRawConfig, rawAuths, serializeRawConfig, type RawConfig } from './auth-file/raw-config.js';
import { isJSONObject } from './auth-file/json-text.js';
import { readTextIfExists, updateFile } from './auth-file/safe-file.js';
import { DOCKER_HUB_HOST, DOCKER_HUB_KEY, isPathComponent, isRegistryHost, parseRegistryKey, type RegistryKey } from './registry.js';
import type { VerifyCredentialsOptions, VerifyCredentialsResult } from './registry-client/verify.js';
import type { TlsOptions } from './registry-client/tls-config.js';
import type { CredentialStore, StoredCredential } from './stores/store.js';
import { TOKEN_USERNAME } from './stores/store.js';
import { maskUserinfo, shownKey } from './redact.js';
import { accountKey } from './stores/account-key.js';
import { assertKeepsAccounts } from './stores/accounts.js';
import type { ClientExplanation } from './auth-file/lookup.js';

/** The helper name credkit installs itself under (`docker-credential-credkit`). */
const CREDKIT_HELPER = 'credkit';

/** Where `login` writes and `logout` removes. */
export type LoginDestination =
  /** A docker config.json: credHelpers > credsStore > plaintext, as docker routes. */
  | { kind: 'docker-config'; path: string }
  /** A podman/containers auth.json (scoped keys allowed; its credHelpers honoured as podman does). */
  | { kind: 'auth-file'; path: string }
  /** A credential store, written directly under docker's spelling of the key. */
  | { kind: 'store'; store: CredentialStore };

/** What login and logout need from outside: the registry check and the credential helpers. */
export interface LoginServices {
  verify(options: VerifyCredentialsOptions): Promise<VerifyCredentialsResult>;
  /** Opens `docker-credential-NAME` as a store (throws when it is not on PATH). */
  openHelper(name: string): Promise<CredentialStore>;
}

/** A parsed `REGISTRY[/NAMESPACE[/REPO]]` argument. */
export interface LoginTarget {
  /** The argument as typed (`docker.io` when none was given). */
  typed: string;
  key: RegistryKey;
  /** The host to check the credentials with (`docker.io` for Docker Hub). */
  registry: string;
  /** docker's key: `https://index.docker.io/v1/` for Hub, else `host[:port]` (registry scope only). */
  dockerKey: string;
  /** podman's key: `docker.io[/path]` for Hub, else `host[:port][/path]`. */
  podmanKey: string;
}


/**
 * Parses the registry argument. A scheme (`https://quay.io/v2/`) means the host alone, as both
 * docker and podman read it; without a scheme the path is a namespace or repository scope.
 * Docker Hub's names (`docker.io`, `index.docker.io`, `registry-1.docker.io`, the `/v1/` URL) all
 * mean Hub, unlike `docker login index.docker.io`, which stores a key Hub pulls never find.
 */
export function parseLoginTarget(arg: string | undefined): LoginTarget {
  const typed = arg === undefined || arg === '' ? DOCKER_HUB_HOST : arg;
  if (/[\s@]/.test(typed)) throw new UsageError(`"${maskUserinfo(typed)}" is not a registry: no spaces or "@" allowed (give REGISTRY[/NAMESPACE[/REPO]], no tag or digest)`);
  const key = parseRegistryKey(typed);
  if (!isRegistryHost(key.host)) throw new UsageError(`"${typed}" is not a registry: "${key.host}" is not a host[:port]`);
  // Without a scheme, `vendor/app` is the Docker Hub repository docker.io/vendor/app to every
  // image reference: its first component names a registry only with a "." or ":", or as
  // localhost. podman refuses such a login ("registry mismatch"); docker sends the password to
  // the host "vendor". Neither is what was meant, so the password goes nowhere. Upper case
  // (`VENDOR/app`) changes nothing for podman 4.3, whose reference parser has no exception for
  // it: docker.io/VENDOR/app is no valid name, and it refuses the login ("repository name must
  // be lowercase"), though docker's newer parser takes "VENDOR" for a host.
  const first = typed.slice(0, typed.indexOf('/'));
  if (key.scheme === undefined && key.path !== '' && !/[.:]/.test(first) && first !== 'localhost') {
    const hub = first.toLowerCase() === first ? `; give docker.io/${typed} for Docker Hub, or` : `, which is no valid name (repository names are lower case) and podman refuses; give`;
    throw new UsageError(
      `"${typed}" names no registry: "${first}" has no "." or ":" and is not localhost, so image references read ${typed} as the Docker Hub repository docker.io/${typed}${hub} the registry's full name (${first}.example.com/…, ${first}:5000/…)`,
    );
  }
  if (key.path !== '') {
    for (const part of key.path.split('/')) {
      if (!isPathComponent(part)) {
        throw new UsageError(`"${typed}": "${part}" is not a valid namespace or repository name (lower case; give no tag or digest)`);
      }
    }
  }
  return {
    typed,
    key,
    registry: key.host,
    dockerKey: key.hub ? DOCKER_HUB_KEY : key.host,
    podmanKey: key.canonical,
  };
}

/** The credential being stored: a password, or an identity token (username kept when known). */
interface Credential {
  username: string;
  password?: string;
  identityToken?: string;
}

/** Options of {@link login}. */
export interface LoginOptions {
  target: LoginTarget;
  destination: LoginDestination;
  username?: string;
  password?: string;
  /** An identity token to log in with instead of a password. */
  identityToken?: string;
  /** False: store without asking the registry (`--no-verify`). */
  verify: boolean;
  tls?: TlsOptions;
  timeoutMs?: number;
  /**
   * A saved account of credkit's store to log in as (docs/helpers.md): only where the login goes
   * to credkit's store, a `--store` destination or docker's route to docker-credential-credkit
   * (whose services.openHelper passes the account on). The destination store is given as it is.
   */
  account?: string;
}

/** One place a credential was written; `account` when it went to a saved account. */
export type StoredPlace =
  | { kind: 'file'; path: string; key: string; plaintext: boolean }
  | { kind: 'helper'; helper: string; serverURL: string; marker?: { path: string; key: string }; account?: string }
  | { kind: 'store'; store: string; serverURL: string; account?: string };

/** What {@link login} did. */
export interface LoginResult {
  registry: string;
  username: string;
  /** How the registry checked the credentials; `none`: it needs no login; `skipped`: --no-verify. */
  verified: 'basic' | 'bearer' | 'none' | 'skipped';
  /** True when an identity token was stored instead of a password. */
  identityToken: boolean;
  stored: StoredPlace;
  /** One-line warnings for stderr (plaintext storage, unchecked credentials). */
  warnings: string[];
}

/**
 * Refuses a repository- or namespace-scoped key where it cannot work: docker's config.json and
 * credential stores keep one credential per registry (helpers never get scoped keys).
 */
export function assertLoginDestination(target: LoginTarget, destination: LoginDestination): void {
  if (target.key.scope === 'registry') return;
  if (destination.kind === 'docker-config') throw scopedRefusal(target, `docker's config.json (${destination.path})`);
  if (destination.kind === 'store') throw scopedRefusal(target, `a credential store (${destination.store.name})`);
}

/** How a write to a config file is routed, decided before the registry is asked. */
type Route = { kind: 'file'; path: string; key: string } | { kind: 'helper'; store: CredentialStore; helper: string; serverURL: string; marker?: { path: string; key: string } };

function scopedRefusal(target: LoginTarget, where: string): UsageError {
  return new UsageError(
    `"${target.typed}" is ${target.key.scope}-scoped, but ${where} keeps credentials per registry (${target.key.hub ? 'docker uses no key with a path for Docker Hub, and would never use them' : `docker ignores the path and would use them for all of ${target.key.host}`}); use --authfile FILE to write a podman/containers auth.json, which honours scoped keys, or log in to ${target.key.host}`,
  );
}

function readConfig(text: string | undefined, path: string): RawConfig {
  return parseRawConfig(text, path);
}

/** The file's credHelpers; an empty value is kept: it routes its registry somewhere too (below). */
function credHelpersOf(doc: RawConfig): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isJSONObject(doc.credHelpers)) return out;
  for (const [k, v] of Object.entries(doc.credHelpers)) if (typeof v === 'string') out[k] = v;
  return out;
}

function credsStoreOf(doc: RawConfig): string | undefined {
  return typeof doc.credsStore === 'string' && doc.credsStore !== '' ? doc.credsStore : undefined;
}

/**
 * The helper docker uses for a server URL (undefined: the file): `credHelpers` (exact key) wins,
 * then `credsStore`. An empty `credHelpers` value keeps that URL in the file despite `credsStore`
 * (docker/cli `getConfiguredCredentialStore` returns it as is, and "" means the file store).
 */
export function dockerHelperFor(serverURL: string, credHelpers: Readonly<Record<string, string>>, credsStore: string | undefined): string | undefined {
  return Object.hasOwn(credHelpers, serverURL) ? credHelpers[serverURL] || undefined : credsStore;
}

/**
 * The helper podman uses for a registry host: `credHelpers[host]` in that file (exact key). It may
 * be "", which podman and skopeo try to run as `docker-credential-` and fail.
 */
export function podmanHelperFor(host: string, credHelpers: Readonly<Record<string, string>>): string | undefined {
  return Object.hasOwn(credHelpers, host) ? credHelpers[host] : undefined;
}

async function planRoute(target: LoginTarget, destination: Exclude<LoginDestination, { kind: 'store' }>, services: LoginServices): Promise<{ route: Route; notes: string[] }> {
  const doc = readConfig(await readTextIfExists(destination.path), destination.path);
  const helpers = credHelpersOf(doc);
  const notes: string[] = [];
  if (destination.kind === 'docker-config') {
    const helper = dockerHelperFor(target.dockerKey, helpers, credsStoreOf(doc));
    if (helper === undefined) return { route: { kind: 'file', path: destination.path, key: target.dockerKey }, notes };
    const store = await services.openHelper(helper);
    return { route: { kind: 'helper', store, helper, serverURL: target.dockerKey, marker: { path: destination.path, key: target.dockerKey } }, notes };
  }
  // podman: credHelpers is keyed by the registry host only, and Hub is `docker.io`.
  const helper = podmanHelperFor(target.key.host, helpers);
  if (helper === '') {
    // podman would neither read nor write auths for this host: it fails on the helper instead.
    throw new HelperError(
      `${destination.path}: credHelpers["${target.key.host}"] is "", which names no helper: podman and skopeo fail on it (they run "docker-credential-") and never read "auths" for ${target.key.host}; name a helper there, or remove that entry`,
    );
  }
  if (helper !== undefined) {
    if (target.key.scope !== 'registry') {
      throw new UsageError(
        `"${target.typed}" is ${target.key.scope}-scoped, but ${destination.path} sends ${target.key.host} to the credential helper "${helper}" (credHelpers), which cannot hold scoped keys, and podman never reads a scoped "auths" entry for a host that credHelpers routes (podman 4.3 writes one there anyway, in plain text); log in to ${target.key.host}, or use another --authfile`,
      );
    }
    const store = await services.openHelper(helper);
    return { route: { kind: 'helper', store, helper, serverURL: target.key.host }, notes };
  }
  const credsStore = credsStoreOf(doc);
  if (credsStore !== undefined) {
    notes.push(`${destination.path} has "credsStore": "${credsStore}": podman ignores it and reads the plaintext entry written here, but docker asks ${credsStore} instead`);
  }
  return { route: { kind: 'file', path: destination.path, key: target.podmanKey }, notes };
}

function toStored(serverURL: string, c: Credential): StoredCredential {
  return c.identityToken !== undefined
    ? { serverURL, username: TOKEN_USERNAME, secret: c.identityToken }
    : { serverURL, username: c.username, secret: c.password ?? '' };
}

function entryFor(key: string, c: Credential, path: string, style: 'docker' | 'podman'): Readonly<Record<string, unknown>> {
  // docker writes base64(user:) beside an identity token; podman needs that colon to read it.
  return entryToJSON(
    {
      key,
      origin: { file: path, key },
      ...(c.username !== '' ? { username: c.username } : {}),
      ...(c.identityToken !== undefined ? { identityToken: c.identityToken } : { password: c.password ?? '' }),
    },
    style,
  );
}

/** Sets `auths[key]` to `entry` (the whole entry replaced), keeping every other key and field. */
async function writeEntry(path: string, key: string, entry: Readonly<Record<string, unknown>>): Promise<void> {
  await updateFile(path, (text) => {
    const doc = readConfig(text, path);
    const auths = { ...rawAuths(doc), [key]: entry };
    return serializeRawConfig({ ...doc, auths }, 'auths' in doc);
  });
}

/**
 * Checks the credentials with the registry (unless `verify` is false), then stores them. When the
 * registry hands out an identity token, that is stored instead of the password, as docker does.
 */
export async function login(options: LoginOptions, services: LoginServices): Promise<LoginResult> {
  const { target, destination } = options;
  const username = options.username ?? '';
  if (options.password === undefined && options.identityToken === undefined) throw new UsageError('a password or an identity token is needed');
  if (options.password !== undefined && username === '') throw new UsageError('a user name is needed (-u USER)');

  // Decide where it goes (and fail on a bad file or a missing helper) before asking the registry.
  assertLoginDestination(target, destination);
  let route: Route | undefined;
  const warnings: string[] = [];
  if (destination.kind !== 'store') {
    const planned = await planRoute(target, destination, services);
    route = planned.route;
    warnings.push(...planned.notes);
  }

  // An account lives in credkit's store only: an auth file or another helper has no place for it,
  // and storing the plain entry instead would replace the very login the account is to keep.
  if (options.account !== undefined && route !== undefined && !(route.kind === 'helper' && route.helper === CREDKIT_HELPER)) {
    const where = route.kind === 'helper' ? `docker-credential-${route.helper}` : `${route.path} (in plain text)`;
    throw new UsageError(`--account: ${target.registry} goes to ${where}, which keeps no saved accounts; they are kept by credkit's store (--store credkit, or "credsStore": "credkit")`);
  }
  // A --store that is another program's (the backend helper:NAME) or read-only keeps none either.
  if (options.account !== undefined && destination.kind === 'store') await assertKeepsAccounts(destination.store, target.dockerKey, options.account, 'stored');

  // A file keeps the username inside `auth` = base64(user:password) (beside an identity token
  // too), and every reader splits that at the first ":": "a:b" would come back as user "a". A
  // credential store keeps the username as given, so only a write into the file is refused.
  if (route?.kind === 'file' && username.includes(':')) {
    throw new UsageError(
      `user name "${username}" contains ":", which ${route.path} cannot hold: "auth" is base64 of user:password and docker, podman and kubelet split it at the first ":"; use a credential store (--store NAME, or credsStore/credHelpers in that file)`,
    );
  }

  let verified: LoginResult['verified'] = 'skipped';
  let issuedToken: string | undefined;
  if (options.verify) {
    const result = await services.verify({
      registry: target.registry,
      ...(username !== '' ? { username } : {}),
      ...(options.password !== undefined ? { password: options.password, requestIdentityToken: true } : {}),
      ...(options.identityToken !== undefined && options.password === undefined ? { identityToken: options.identityToken } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    verified = result.method;
    issuedToken = result.identityToken;
    if (verified === 'none') warnings.push(`${target.registry} needs no login: the credentials were NOT checked`);
  } else {
    warnings.push('the credentials were NOT checked (--no-verify)');
  }

  const identityToken = issuedToken ?? (options.password === undefined ? options.identityToken : undefined);
  const credential: Credential = identityToken !== undefined ? { username, identityToken } : { username, password: options.password ?? '' };

  let stored: StoredPlace;
  if (destination.kind === 'store') {
    await destination.store.add(toStored(options.account === undefined ? target.dockerKey : accountKey(target.dockerKey, options.account), credential));
    // With [routes] (--store credkit), the store the registry is routed to (RoutedStore.storeFor).
    const name = (destination.store as { storeFor?: (serverURL: string) => string }).storeFor?.(target.dockerKey) ?? destination.store.name;
    stored = { kind: 'store', store: name, serverURL: target.dockerKey, ...(options.account !== undefined ? { account: options.account } : {}) };
  } else if (route!.kind === 'helper') {
    const r = route as Extract<Route, { kind: 'helper' }>;
    await r.store.add(toStored(r.serverURL, credential));
    // docker keeps an empty entry as a "logged in here, ask the helper" marker (formats.md §2.4).
    if (r.marker) await writeEntry(r.marker.path, r.marker.key, {});
    stored = { kind: 'helper', helper: r.helper, serverURL: r.serverURL, ...(r.marker ? { marker: r.marker } : {}), ...(options.account !== undefined ? { account: options.account } : {}) };
  } else {
    const r = route as Extract<Route, { kind: 'file' }>;
    const style = destination.kind === 'docker-config' ? 'docker' : 'podman';
    await writeEntry(r.path, r.key, entryFor(r.key, credential, r.path, style));
    stored = { kind: 'file', path: r.path, key: r.key, plaintext: true };
    // docker warns only when a password (not a token) lands in its file.
    if (destination.kind === 'docker-config' && identityToken === undefined) {
      warnings.unshift(`WARNING! Your password will be stored unencrypted in ${r.path}; use --store NAME (or "credsStore" in that file) to keep it in a credential store`);
    }
  }
  return { registry: target.registry, username, verified, identityToken: identityToken !== undefined, stored, warnings };
}

/** Options of {@link logout}. */
export interface LogoutOptions {
  /** The registry to log out of; undefined with `all`. */
  target?: LoginTarget;
  all: boolean;
  destination: LoginDestination;
}

/** One credential logout removed. */
export type Removed = { kind: 'file'; path: string; key: string } | { kind: 'helper' | 'store'; name: string; serverURL: string };

/** What {@link logout} did. */
export interface LogoutResult {
  removed: Removed[];
  /** Helper failures, one line each (the file marker of that key was kept). */
  failures: string[];
  /** Where it looked: files and stores. */
  lookedAt: string[];
}

/**
 * The file keys a logout of `target` removes: every key with the same canonical key (scheme,
 * `/v1/`, trailing slash and Docker Hub aliases ignored), so that no alias keeps the user logged in.
 */
export function keysToRemove(keys: readonly string[], target: LoginTarget): string[] {
  return keys.filter((k) => parseRegistryKey(k).canonical === target.key.canonical);
}

/**
 * The server URLs to erase from docker's helpers: the file's matching keys, and (for a registry
 * key) what `docker logout` erases: the argument as typed, the host, `http://host`, `https://host`,
 * plus docker's key; for Docker Hub every alias.
 */
export function dockerLogoutURLs(target: LoginTarget, fileKeys: readonly string[]): string[] {
  const urls = [...keysToRemove(fileKeys, target)];
  if (target.key.scope === 'registry') {
    const hosts = target.key.hub ? ['index.docker.io', 'docker.io', 'registry-1.docker.io'] : [target.key.host];
    urls.push(target.typed, target.dockerKey);
    for (const h of hosts) urls.push(h, `http://${h}`, `https://${h}`);
  } else {
    urls.push(target.typed);
  }
  return [...new Set(urls)];
}

/** Erases `serverURL` from a helper if it holds it. Not found is fine (formats.md §6.20). */
async function eraseIfPresent(store: CredentialStore, serverURL: string): Promise<boolean> {
  let held: boolean;
  try {
    held = (await store.get(serverURL)) !== undefined;
  } catch {
    // A failed get's output is never quoted (it may hold the secret), so its error cannot say why
    // (a locked keychain, a backend to set). The erase asked for is tried instead: a store that
    // cannot be used fails it too, with its message quoted, and one that can erases the entry.
    return store.delete(serverURL);
  }
  if (!held) return false;
  await store.delete(serverURL);
  return true;
}

/**
 * Removes the credentials for `target` (or all of them) from the destination, and from every
 * helper the file routes them to. Throws NotFoundError when there was nothing to remove.
 */
export async function logout(options: LogoutOptions, services: LoginServices): Promise<LogoutResult> {
  const { destination, target } = options;
  if (!options.all && target === undefined) throw new UsageError('name a registry, or use --all');
  const result: LogoutResult = { removed: [], failures: [], lookedAt: [] };

  if (destination.kind === 'store') {
    const store = destination.store;
    result.lookedAt.push(store.name);
    const listed = [...(await store.list()).keys()].sort();
    const urls = options.all ? listed : keysToRemove(listed, target!);
    for (const url of urls) {
      try {
        if (await store.delete(url)) result.removed.push({ kind: 'store', name: store.name, serverURL: shownKey(url) });
      } catch (err) {
        result.failures.push(`${store.name}: erasing ${shownKey(url)} failed: ${messageOf(err)}`);
      }
    }
    return finish(result, options);
  }

  const path = destination.path;
  result.lookedAt.push(path);
  const doc = readConfig(await readTextIfExists(path), path);
  const fileKeys = Object.keys(rawAuths(doc));
  const helpers = credHelpersOf(doc);
  const credsStore = credsStoreOf(doc);

  // Which URLs to erase from which helper, and which file keys to drop.
  const erase: { helper: string; url: string }[] = [];
  let dropKeys: string[];
  if (destination.kind === 'docker-config') {
    dropKeys = options.all ? fileKeys : keysToRemove(fileKeys, target!);
    const urls = options.all ? [...new Set([...fileKeys, ...Object.keys(helpers)])] : dockerLogoutURLs(target!, fileKeys);
    for (const url of urls) {
      const helper = dockerHelperFor(url, helpers, credsStore);
      if (helper !== undefined) erase.push({ helper, url });
    }
  } else {
    dropKeys = options.all ? fileKeys : keysToRemove(fileKeys, target!);
    // podman sends only the registry host to a helper, never a scoped key (formats.md §4.6).
    const hosts = options.all ? Object.keys(helpers) : target!.key.scope === 'registry' ? Object.keys(helpers).filter((h) => parseRegistryKey(h).canonical === target!.key.canonical) : [];
    // An empty helper name names nothing to erase from (podman fails running "docker-credential-").
    for (const h of hosts) if (helpers[h] !== '') erase.push({ helper: helpers[h]!, url: h });
  }

  const opened = new Map<string, CredentialStore>();
  const failedURLs = new Set<string>();
  for (const { helper, url } of erase) {
    const label = `docker-credential-${helper}`;
    if (!result.lookedAt.includes(label)) result.lookedAt.push(label);
    try {
      let store = opened.get(helper);
      if (store === undefined) opened.set(helper, (store = await services.openHelper(helper)));
      if (await eraseIfPresent(store, url)) result.removed.push({ kind: 'helper', name: label, serverURL: shownKey(url) });
    } catch (err) {
      failedURLs.add(url);
      result.failures.push(`${label}: erasing ${shownKey(url)} failed: ${messageOf(err)}`);
    }
  }

  // docker removes the file entry only once its helper erase succeeded (formats.md §2.4).
  const drop = dropKeys.filter((k) => !failedURLs.has(k));
  if (drop.length > 0) {
    await updateFile(path, (text) => {
      const current = readConfig(text, path);
      const auths = { ...rawAuths(current) };
      let changed = false;
      for (const k of drop) {
        if (Object.hasOwn(auths, k)) {
          delete auths[k];
          changed = true;
        }
      }
      return changed ? serializeRawConfig({ ...current, auths }, 'auths' in current) : undefined;
    });
    // With --all, a key that holds a credential goes too, and is reported by its stand-in.
    for (const k of drop) result.removed.push({ kind: 'file', path, key: shownKey(k) });
  }
  return finish(result, options);
}

function finish(result: LogoutResult, options: LogoutOptions): LogoutResult {
  if (result.removed.length === 0 && result.failures.length === 0) {
    const what = options.all ? 'no credentials to remove' : `not logged in to ${options.target!.typed}`;
    throw new NotFoundError(`${what}: nothing found in ${result.lookedAt.join(', ')}`);
  }
  return result;
}

/**
 * What `podman` is still logged in with for `target` after a logout from `loggedOutOf`, given its
 * own lookup for the target (`credkit explain --as podman`, no `--authfile`: what `podman pull`
 * and `podman login --get-login` use), as one line with the command that removes it; undefined
 * when podman would send nothing, or only a broader key's credential (the fallback a scoped logout
 * leaves on purpose). podman reads its whole file chain (containers-image-facts.md #1), so a login
 * that an earlier `podman login --authfile`, a `docker login` or a copied file left in a later
 * file goes on answering; and with DOCKER_CONFIG set it starts at `$DOCKER_CONFIG/config.json`
 * and never reads the runtime auth.json, so a logout from that file changes nothing for it.
 */
export function podmanStillUses(x: ClientExplanation, target: LoginTarget, loggedOutOf?: string): string | undefined {
  const c = x.credential;
  if (x.outcome !== 'credential' || c === undefined) return undefined;
  // A broader key answering for a scope logged out of is podman's usual fallback, not a leftover.
  const sameScope = c.source.helper !== undefined ? target.key.scope === 'registry' : parseRegistryKey(c.source.key).canonical === target.key.canonical;
  if (!sameScope) return undefined;
  const file = c.source.file;
  const step = x.files.find((f) => f.path === file);
  const who = c.username !== '' ? `as "${c.username}"` : 'with an identity token';
  const from = c.source.helper !== undefined ? `helper "${c.source.helper}" (${c.source.key} in ${file})` : `key ${JSON.stringify(c.source.key)} in ${file}`;
  const key = c.source.helper !== undefined ? target.typed : c.source.key;
  // docker's config.json is credkit logout's own default; a legacy .dockercfg is never written.
  const why = step?.why ?? '';
  const fix = why.startsWith('legacy') ? `remove ${JSON.stringify(c.source.key)} from ${file}` : why === 'DOCKER_CONFIG' || why === '~/.docker' ? `credkit logout ${key}` : `credkit logout ${key} --authfile ${file}`;
  const first = x.files[0];
  const because = loggedOutOf !== undefined && !x.files.some((f) => f.path === loggedOutOf) && first !== undefined ? `, as it never reads ${loggedOutOf} (its first file is ${first.path}, named by ${first.why})` : ', as it reads every auth file in turn';
  return `podman still logs in to ${target.typed} ${who}, from ${from}${because}; to log podman out: ${fix}`;
}
