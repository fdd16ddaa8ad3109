/**
 * "Which credential will docker, podman, buildah, skopeo or kubelet use for this image?" against the real files and
 * helpers: reads the files the lookups may need and the pull secrets, runs helpers through the
 * helper client (credkit's helper timeout, helper stderr passed to the caller as docker passes it
 * to the terminal) and hands everything to the pure lookup core. `credkit explain` and `credkit get`
 * call {@link runLookup}; the library's {@link getCredential} and {@link explainCredential} call the
 * same, with the host facts of this process unless the caller gives others.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { explainLookup, sentCredential } from './auth-file/explain.js';
import { filesToRead } from './auth-file/lookup.js';
import type { ClientExplanation, CredentialSource, CredkitStoreReport, FileText, HelperAnswer, LookupClient, LookupDeps } from './auth-file/lookup.js';
import type { AuthFile } from './auth-file/model.js';
import type { SkippedSecret } from './kube/pull-secret.js';
import { readTextIfExists } from './auth-file/safe-file.js';
import { assertStdinOnce, readInputs } from './auth-file/load.js';
import { expandHome } from './auth-file/locate.js';
import { refusedRuntimeDir, rootlessRuntimeDirs } from './auth-file/rootless-runtime-dir.js';
import { loadConfig, type CredkitConfig } from './config.js';
import { IoError, UsageError, messageOf } from './errors.js';
import { maskUserinfoDeep } from './redact.js';
import { HelperCallError, callHelper } from './helper/client.js';
import { searchPath } from './path-search.js';
import { parseImageRef } from './image-ref.js';
import { mergeRegistriesConf, registriesConfPlaces, userRegistriesConf } from './auth-file/registries-conf.js';
import type { RegistriesConf, RegistriesConfPlaces, RegistriesConfText, TomlParse } from './auth-file/registries-conf.js';
import type { ImageRef } from './image-ref.js';
import type { Env, Host } from './io.js';
import { libraryHost } from './process-host.js';

/** A pull secret (or auth file) given as text: `source` names it in the explanation and in errors. */
export interface SecretText {
  text: string;
  source: string;
}

/** What `explain`/`get` ask for. */
export interface LookupRequest {
  target: string;
  clients?: readonly LookupClient[];
  /** kubelet's pull secrets: file names (relative to `cwd`; `-` is standard input) or texts. */
  secrets?: readonly (string | SecretText)[];
  authfile?: string;
  /** Milliseconds before a helper is stopped; credkit's configured helper timeout when absent. */
  helperTimeoutMs?: number;
  /** Name credkit's flags in messages (`--authfile`), as the CLI does; a library caller's option names otherwise. */
  cliFlags?: boolean;
}

/** The parsed image and each client's explanation: what `credkit explain --json` prints. */
export interface CredentialExplanation {
  image: ImageRef;
  clients: ClientExplanation[];
}

/** The host a lookup runs on; `readStdin` answers a `-` among the secrets (only the CLI has one). */
export interface LookupHost extends Host {
  readStdin?(): Promise<string>;
}

/**
 * The store credkit's config (read as docker-credential-credkit, run with `host.env`, reads it)
 * sends `serverURL` to, or undefined when the config cannot be read or has a route the helper
 * refuses (the helper's own answer then says why). With a saved account selected, whether it is
 * what answered: the store the server URL goes to is asked for the account's key, as the helper
 * asks it (the secret is dropped), and only where that store keeps accounts.
 */
async function credkitStoreOf(config: Promise<CredkitConfig | undefined>, serverURL: string, host: Host, timeoutMs: number): Promise<CredkitStoreReport | undefined> {
  const c = await config;
  if (c === undefined) return undefined;
  let kept: CredkitStoreReport = { store: c.backend };
  if (c.routes.length > 0) {
    const { findRoute, parseRoutes } = await import('./stores/routes.js');
    const { routes, problems } = parseRoutes(c.routes);
    if (problems.length > 0) return undefined;
    const route = findRoute(routes, serverURL);
    if (route !== undefined) kept = { store: route.store, route: route.pattern };
  }
  if (kept.store === 'auto') {
    // What auto is here matters: its keyutils fallback is refused inside rootless podman's namespace.
    const { openConfiguredStore } = await import('./stores/registry.js');
    try {
      kept.opens = (await openConfiguredStore({ ...c, helperTimeoutMs: timeoutMs }, host, 'auto')).name;
    } catch {
      // The helper's own answer says why.
    }
  }
  if (c.account === undefined) return kept;
  return { ...kept, account: { name: c.account, from: host.env.CREDKIT_ACCOUNT ? 'CREDKIT_ACCOUNT' : 'account =', answers: await accountAnswers({ ...c, helperTimeoutMs: timeoutMs }, c.account, serverURL, host) } };
}

async function accountAnswers(config: CredkitConfig, account: string, serverURL: string, host: Host): Promise<NonNullable<CredkitStoreReport['account']>['answers']> {
  const [{ openCredkitStore }, { accountKey }] = await Promise.all([import('./stores/registry.js'), import('./stores/account-key.js')]);
  try {
    const store = await openCredkitStore({ ...config, account: undefined }, host, () => undefined);
    if ((await store.whyNoAccounts?.(serverURL)) !== undefined) return 'not-kept';
    return (await store.get(accountKey(serverURL, account))) !== undefined ? 'saved' : 'not-saved';
  } catch {
    return 'unknown';
  }
}

/**
 * The version `docker --version` prints (`Docker version 28.2.2, build e6534b4`), or undefined
 * when docker is not on PATH, fails, or prints something else. It needs no daemon.
 */
export function dockerVersionOf(host: Host, timeoutMs: number): Promise<string | undefined> {
  const path = searchPath('docker', host.env, host.platform).path;
  if (path === undefined) return Promise.resolve(undefined);
  return new Promise((done) => {
    execFile(path, ['--version'], { env: host.env, cwd: host.cwd, timeout: timeoutMs, windowsHide: true }, (err, stdout) => {
      done(err ? undefined : /\bversion v?(\d+\.\d+[^\s,]*)/i.exec(stdout)?.[1]);
    });
  });
}

/** The injected side of the lookup: real helper calls (stopped after `timeoutMs`) and PATH checks. */
export function realDeps(host: Host, timeoutMs: number): LookupDeps {
  let config: Promise<CredkitConfig | undefined> | undefined;
  let dockerVersion: Promise<string | undefined> | undefined;
  return {
    dockerVersion: () => (dockerVersion ??= dockerVersionOf(host, timeoutMs)),
    // The same PATH walk as running a helper: docker's default store is the one it could run.
    onPath: (program) => searchPath(program, host.env, host.platform).path !== undefined,
    credkitStore: (serverURL) => credkitStoreOf((config ??= loadConfig(host).catch(() => undefined)), serverURL, host, timeoutMs),
    askHelper: async (helper, serverURL): Promise<HelperAnswer> => {
      try {
        // In the client's directory, where docker and podman start their helpers.
        const found = await callHelper(helper, 'get', serverURL, {
          env: host.env,
          timeoutMs,
          ...(host.stderr ? { stderr: host.stderr } : {}),
          platform: host.platform,
          cwd: host.cwd,
          ...(host.helperTimeoutSetting !== undefined ? { timeoutSetting: host.helperTimeoutSetting } : {}),
        });
        if (!found) return { kind: 'not-found' };
        return { kind: 'found', username: found.username, password: found.password, identityToken: found.identityToken };
      } catch (err) {
        if (err instanceof HelperCallError) {
          // The client itself would not stop: explain says how long credkit waited before it did.
          const waited = err.reason === 'timeout' ? { waitedSeconds: timeoutMs / 1000 } : {};
          return { kind: 'failed', reason: err.reason, message: err.message, ...waited };
        }
        return { kind: 'failed', reason: 'failed', message: messageOf(err) };
      }
    },
  };
}

/** Reads what the lookups need and runs them. Unreadable secret files are an error (exit 1). */
export async function runLookup(host: LookupHost, request: LookupRequest, deps?: LookupDeps): Promise<CredentialExplanation> {
  const image = parseImageRef(request.target);
  // A usage error, before any file is read or any helper asked.
  if (request.secrets) assertStdinOnce(request.secrets);
  // podman and buildah stat a named --authfile before anything else ("checking authfile: stat …:
  // no such file or directory"); only skopeo 1.9 reads a missing one as empty. A mistyped path
  // is reported, not explained as a file with no credential.
  // `~` as login and logout read it; relative to the command's directory, as it is checked.
  const authfile = request.authfile ? resolve(host.cwd, expandHome(request.authfile, host.home)) : undefined;
  if (authfile !== undefined && !existsSync(authfile)) {
    const named = request.cliFlags ? `--authfile ${request.authfile}` : `authfile ${JSON.stringify(request.authfile)}`;
    throw new IoError(`${named}: no such file (podman and buildah refuse a missing --authfile)`);
  }
  // `--authfile ""` is kept: it also stops podman taking DOCKER_CONFIG's config.json as its first file.
  const uid = host.platform === 'linux' && host.uid !== undefined ? { uid: host.uid } : {};
  // Rootless podman without XDG_RUNTIME_DIR picks a runtime directory of its own, from what is on disk.
  const rootless = await rootlessRuntimeDirs(host, uid.uid);
  // ... and refuses one of another user's, or one it cannot write, before any lookup.
  const refused = await refusedRuntimeDir(host, uid.uid);
  const locate = { ...(authfile !== undefined ? { authfile } : request.authfile === '' ? { authfile: '' } : {}), ...uid, ...(rootless ? { rootless } : {}), ...(refused !== undefined ? { runtimeDirRefused: refused } : {}) };
  // `--authfile ""` is podman's own first file, not REGISTRY_AUTH_FILE, but buildah's is
  // REGISTRY_AUTH_FILE: the environment stays as the clients have it, and locateAuthFiles tells.
  const files = new Map<string, FileText>();
  const wanted = request.clients ?? [];
  if (wanted.length === 0 || wanted.some((c) => c !== 'kubelet')) {
    for (const path of filesToRead(host, locate)) {
      try {
        // A relative DOCKER_CONFIG, REGISTRY_AUTH_FILE or home is the client's, taken from the
        // directory it runs in (`cwd`), not this process's; the explanation names it as given.
        const text = await readTextIfExists(resolve(host.cwd, path));
        if (text !== undefined) files.set(path, { text });
      } catch (err) {
        files.set(path, { error: messageOf(err) });
      }
    }
  }
  let secrets: AuthFile[] | undefined;
  const skippedSecrets: SkippedSecret[] = [];
  if (request.secrets && request.secrets.length > 0) {
    // Pull secrets need the YAML reader; only load it when secrets are given.
    const { parseAuthText } = await import('./auth-file/read.js');
    const readStdin = host.readStdin ?? (() => Promise.reject(new UsageError('secrets: "-" is standard input only for the credkit command; pass the text as { text, source }')));
    // Every named file is read before any is parsed, as one command-line list.
    const loaded = await readInputs(request.secrets.filter((s): s is string => typeof s === 'string'), host.cwd, readStdin);
    let next = 0;
    secrets = [];
    for (const given of request.secrets) {
      const input = typeof given === 'string' ? loaded[next++] : given;
      if (input === undefined) continue;
      const parsed = parseAuthText(input.text, input.source);
      secrets.push(...parsed.files);
      skippedSecrets.push(...(parsed.secrets?.skipped ?? []));
    }
  }
  // podman and buildah resolve a short name through registries.conf before any lookup, and all
  // three ask its credential-helpers. skopeo reads the same files unless CONTAINERS_REGISTRIES_CONF
  // names one, which it ignores.
  const containers = wanted.length === 0 || wanted.some((c) => c === 'podman' || c === 'buildah' || c === 'skopeo');
  const confs = containers && host.platform === 'linux' ? await readRegistriesConfs(host, uid.uid) : undefined;
  const input = { host, ref: image, files, ...(secrets ? { secrets, skippedSecrets } : {}), locate, ...(request.cliFlags ? { cliFlags: true } : {}), ...(confs ? { registriesConf: confs.podman, skopeoRegistriesConf: confs.skopeo } : {}) };
  const clients = await explainLookup(input, deps ?? realDeps(host, request.helperTimeoutMs ?? (await loadConfig(host)).helperTimeoutMs), request.clients);
  return { image, clients };
}

/** registries.conf as podman and buildah read it, and as skopeo does (the same, unless CONTAINERS_REGISTRIES_CONF is set). */
async function readRegistriesConfs(host: LookupHost, uid: number | undefined): Promise<{ podman: RegistriesConf; skopeo: RegistriesConf }> {
  const { parse } = await import('smol-toml');
  const userFileExists = existsSync(resolve(host.cwd, userRegistriesConf(host)));
  const named = Boolean(host.env.CONTAINERS_REGISTRIES_CONF);
  const podman = await readRegistriesConf(host, registriesConfPlaces(host, userFileExists, uid), parse, named);
  const skopeo = named ? await readRegistriesConf(host, registriesConfPlaces(host, userFileExists, uid, false), parse, false) : podman;
  return { podman, skopeo };
}

/**
 * registries.conf from `places`: the main file, each drop-in directory's `*.conf` files (not
 * directories) in byte order of their names, and the aliases podman recorded. A file or drop-in
 * directory that cannot be read is recorded as such (containers/image then fails every pull), as
 * is a main file named by CONTAINERS_REGISTRIES_CONF (`named`) that does not exist; the alias
 * cache, read only for short names, is passed over.
 */
async function readRegistriesConf(host: LookupHost, places: RegistriesConfPlaces, parse: TomlParse, named: boolean): Promise<RegistriesConf> {
  const read = async (path: string, missingFails = false): Promise<RegistriesConfText | undefined> => {
    try {
      const text = await readTextIfExists(resolve(host.cwd, path));
      if (text !== undefined) return { path, text };
      return missingFails ? { path, text: '', error: 'it does not exist' } : undefined;
    } catch (err) {
      return { path, text: '', error: unreadable(err) };
    }
  };
  const files: RegistriesConfText[] = [];
  const main = await read(places.main, named);
  if (main) files.push(main);
  for (const dir of places.dropInDirs) {
    let entries: Dirent[];
    try {
      entries = await readdir(resolve(host.cwd, dir), { withFileTypes: true });
    } catch (err) {
      // None there (or a file where the directory would be), as for containers/image; anything else fails it.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') files.push({ path: dir, text: '', error: unreadable(err) });
      continue;
    }
    for (const name of entries.filter((e) => !e.isDirectory() && e.name.endsWith('.conf')).map((e) => e.name).sort()) {
      const f = await read(join(dir, name));
      if (f) files.push(f);
    }
  }
  const cache = await read(places.aliasCache);
  return mergeRegistriesConf(files, cache?.error === undefined ? cache : undefined, parse);
}

/** Why a registries.conf file or directory could not be read, without its path (the caller names it). */
function unreadable(err: unknown): string {
  const code = ((err as { cause?: NodeJS.ErrnoException }).cause ?? (err as NodeJS.ErrnoException)).code;
  return code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : `it cannot be read (${code ?? 'error'})`;
}

/** Where the library looks, when not this process's own: each option replaces one default. */
export interface LookupOptions {
  /**
   * The environment the clients would run with (`DOCKER_CONFIG`, `REGISTRY_AUTH_FILE`,
   * `XDG_RUNTIME_DIR`, …; helpers are looked up on its `PATH` and run with it). Replaces
   * `process.env` as a whole: spread `process.env` into it to change a few variables.
   */
  env?: Env;
  /** The home directory: `env.HOME`, else the account's. */
  home?: string;
  /** The directory the client would run in, which relative paths (`authfile`, secrets, `home`, `DOCKER_CONFIG`, …) are taken from and helpers are started in: `process.cwd()`. */
  cwd?: string;
  /**
   * The clients' `--authfile`: replaces their first file (`''` is podman's and skopeo's own,
   * ignoring `REGISTRY_AUTH_FILE`, and buildah's `REGISTRY_AUTH_FILE`, ignoring `DOCKER_CONFIG`).
   */
  authfile?: string;
  /** kubelet's pull secrets (the pod's `imagePullSecrets`): file names, or texts with a name. */
  secrets?: readonly (string | SecretText)[];
  /**
   * Milliseconds credkit waits for a `docker-credential-*` helper before it stops it (the clients
   * themselves would wait on: the outcome is then `hang`). Default: credkit's own setting
   * (`CREDKIT_HELPER_TIMEOUT`, `[helpers] timeout` in its config.ini, else 30 s).
   */
  helperTimeoutMs?: number;
  /**
   * Receives what helpers write to standard error (docker shows it on the terminal); dropped by
   * default. It is called from a stream event, so what it throws is ignored: an exception there
   * would otherwise crash the caller's process instead of failing this call.
   */
  onHelperStderr?: (text: string) => void;
}

/** Options of {@link getCredential}. */
export interface GetCredentialOptions extends LookupOptions {
  /**
   * Whose lookup to follow: `docker` (default), `podman` (containers/image: podman, and buildah and
   * skopeo where they search the same files), `buildah`, `skopeo` (skopeo inspect and copy) or `kubelet`.
   */
  as?: LookupClient;
}

/** Options of {@link explainCredential}. */
export interface ExplainCredentialOptions extends LookupOptions {
  /** The client or clients to explain: docker and podman by default, buildah and skopeo each when it reads other files than podman, and kubelet when `secrets` are given. */
  as?: LookupClient | readonly LookupClient[];
}

/** Where a credential the client sends is for and came from. */
export interface CredentialOrigin {
  /** The server the credential is for, as the client names it (docker: its config key; podman: the registry). */
  serverURL: string;
  source: CredentialSource;
}

/**
 * The credential a client sends, secrets in clear: a username and password, or an identity
 * token (an OAuth refresh token, sent in place of the password; the username is not used then).
 */
export type Credential = ({ username: string; password: string } | { identityToken: string }) & CredentialOrigin;

const CLIENTS: readonly LookupClient[] = ['docker', 'podman', 'buildah', 'skopeo', 'kubelet'];

function checkClient(client: unknown): LookupClient {
  if (!CLIENTS.includes(client as LookupClient)) throw new UsageError(`as must be "docker", "podman", "buildah", "skopeo" or "kubelet", not ${JSON.stringify(client)}`);
  return client as LookupClient;
}

function isSecretGiven(given: unknown): given is string | SecretText {
  if (typeof given === 'string') return true;
  const { text, source } = (given ?? {}) as Partial<Record<keyof SecretText, unknown>>;
  return typeof given === 'object' && typeof text === 'string' && typeof source === 'string';
}

/** The host and request a library call describes, with this process's facts where it gives none. */
function libraryLookup(target: string, clients: readonly LookupClient[] | undefined, options: LookupOptions): { host: Host; request: LookupRequest } {
  if (typeof target !== 'string') throw new UsageError('name an image or a registry (a string)');
  const { env, home, cwd, authfile, secrets, helperTimeoutMs, onHelperStderr } = options;
  if (helperTimeoutMs !== undefined && !(typeof helperTimeoutMs === 'number' && Number.isFinite(helperTimeoutMs) && helperTimeoutMs > 0)) {
    throw new UsageError('helperTimeoutMs must be a positive number of milliseconds');
  }
  // Checked here, as TypeScript would: a JavaScript caller's `secrets: 'regcred.yaml'` or
  // `{ text }` would otherwise fail deep inside with a TypeError. The value is not quoted: it may be a secret's text.
  if (secrets !== undefined && !(Array.isArray(secrets) && secrets.every(isSecretGiven))) {
    throw new UsageError('secrets must be a list of file names and { text, source } objects whose text and source are strings');
  }
  // docker and podman never read a pull secret: answering for them alone would quietly leave out
  // what was given, as `credkit get` and `explain` refuse --secret without --as kubelet.
  if (clients !== undefined && secrets !== undefined && secrets.length > 0 && !clients.includes('kubelet')) {
    throw new UsageError(`secrets are pull secrets for kubelet, which ${clients.join(' and ')} never ${clients.length === 1 ? 'reads' : 'read'}: add "kubelet" to as`);
  }
  const host = libraryHost({ env, home, cwd, onHelperStderr });
  const request: LookupRequest = {
    target,
    ...(clients ? { clients } : {}),
    ...(secrets !== undefined ? { secrets } : {}),
    ...(authfile !== undefined ? { authfile } : {}),
    ...(helperTimeoutMs !== undefined ? { helperTimeoutMs } : {}),
  };
  return { host, request };
}

/**
 * The credential `as` (docker by default) would send for `image` (`quay.io/org/app:1`, `nginx`, or
 * a registry: `quay.io`), or `undefined` when it pulls anonymously. Throws a HelperError (code
 * `HELPER`) when that client's pull would fail first or hang on a helper, an IoError for a missing
 * `authfile` or secret file, a ParseError for a pull secret that cannot be read, a UsageError for
 * bad options.
 */
export async function getCredential(image: string, options: GetCredentialOptions = {}): Promise<Credential | undefined> {
  const client = checkClient(options.as ?? 'docker');
  // kubelet reads nothing but the pod's pull secrets: without them there is no credential to get
  // (`credkit get --as kubelet` refuses so too). explainCredential explains it: the pull is anonymous.
  if (client === 'kubelet' && (options.secrets === undefined || (Array.isArray(options.secrets) && options.secrets.length === 0))) {
    throw new UsageError("kubelet uses only the pod's pull secrets: pass them as secrets");
  }
  const { host, request } = libraryLookup(image, [client], options);
  const [x] = (await runLookup(host, request)).clients;
  return x && credentialOf(x, image);
}

/**
 * The credential a client's explanation says it sends, secrets in clear (getCredential's answer and
 * what `credkit get` prints), or `undefined` for none; throws as {@link sentCredential}.
 */
export function credentialOf(x: ClientExplanation, target: string): Credential | undefined {
  const c = sentCredential(x, target);
  if (!c) return undefined;
  const origin: CredentialOrigin = { serverURL: c.serverURL, source: { ...c.source } };
  // An identity token wins over a password, as docker-credential-helpers keep it (Username `<token>`).
  return c.identityToken ? { identityToken: c.identityToken.reveal(), ...origin } : { username: c.username, password: c.password?.reveal() ?? '', ...origin };
}

/**
 * Why each client uses what it uses for `image`: the data `credkit explain --json` prints (files in
 * order, keys, helper calls, shadowed entries, notes). Secrets are HiddenSecret values, which JSON,
 * `String()` and `console.log` show as `********`; `reveal()` gives one. Throws as getCredential,
 * except that a client whose pull would fail or hang is explained (outcome `error` or `hang`).
 */
export async function explainCredential(image: string, options: ExplainCredentialOptions = {}): Promise<CredentialExplanation> {
  const as = options.as;
  const clients = as === undefined ? undefined : [...new Set((Array.isArray(as) ? [...(as as readonly LookupClient[])] : [as]).map(checkClient))];
  if (clients !== undefined && clients.length === 0) throw new UsageError('as names no client');
  const { host, request } = libraryLookup(image, clients, options);
  // Loggable as it is, and the text `credkit explain --json` prints: a key with a password in it
  // (which kubelet reads as its host) is shown with the password masked, as the CLI shows it.
  return maskUserinfoDeep(await runLookup(host, request));
}
