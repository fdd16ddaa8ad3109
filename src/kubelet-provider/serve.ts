/**
 * One run of `credkit-kubelet-provider`: kubelet's request in, one credential from a credkit store
 * (or any docker-credential helper, or an auth file) out, as kubelet's credential provider
 * response. The store is asked as docker asks a helper: the registry's host[:port], and
 * `https://index.docker.io/v1/` for Docker Hub. Exit codes: 0 with a response (with or without a
 * credential), 1 when there is none to give (stderr says why, and kubelet logs it), 2 for bad
 * arguments (the provider's `args`).
 */
import type { CredkitConfig } from '../config.js';
import type { Host } from '../io.js';
import type { CredentialStore, StoredCredential } from '../stores/store.js';
import type { ProviderResponse, CacheKeyType } from './protocol.js';
import { TOKEN_USERNAME } from '../stores/store.js';
import {
  KUBELET_PLUGIN_TIMEOUT_MS,
  PROVIDER_STORE_TIMEOUT_MS,
  formatProviderResponse,
  parseProviderArgs,
  parseProviderRequest,
  providerStoreTimeoutMs,
  providerUsage,
  ProviderRequestError,
} from './protocol.js';
import { existsSync } from 'node:fs';
import { AUTH_FILE_STORE_PREFIX, type AuthFileStore } from '../stores/auth-file-store.js';
import { IoError, isCredkitError, UsageError } from '../errors.js';
import { parseImageRef } from '../image-ref.js';
import type { ImageRef } from '../image-ref.js';
import { DOCKER_HUB_KEY, parseRegistryKey } from '../registry.js';
import { escapeControls } from '../escape.js';
import { maskUserinfo } from '../redact.js';
import { BUG_REPORT_ADVICE, bugName, describeBug } from '../bug-report.js';

/** What a run needs from its caller. */
export interface ProviderIo {
  programName: string;
  version: () => string;
  host: Host;
  loadConfig(): Promise<CredkitConfig>;
  /** Opens the store `--from` names, or credkit's configured backend when undefined. */
  openStore(from: string | undefined, config: CredkitConfig): Promise<CredentialStore>;
  readStdin(): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The credential chosen for an image, and how far it reaches. */
interface Found {
  serverURL: string;
  credential: StoredCredential;
  /** The registry as a whole, or only a namespace or repository of it (an auth file's scoped key). */
  scoped: boolean;
  /** The store holds keys scoped below this registry: a per-registry cache would hand the wrong one on. */
  registryHasScopes: boolean;
  /** With a saved account selected (AccountStore): whether the account's credential answered, not the plain entry's. */
  fromAccount?: boolean;
}

/** credkit's store with a saved account selected (src/stores/accounts.ts), by shape: it is loaded only when one is. */
interface AccountLookup {
  account: string;
  lookup(serverURL: string): Promise<{ credential: StoredCredential; fromAccount: boolean } | undefined>;
}

function accountLookup(store: CredentialStore): AccountLookup | undefined {
  const s = store as Partial<AccountLookup>;
  return typeof s.account === 'string' && typeof s.lookup === 'function' ? (s as AccountLookup) : undefined;
}

/** The server URL docker sends a helper for this registry (docker's `getAuthConfigKey`). */
export function helperServerURL(ref: ImageRef): string {
  return ref.hub ? DOCKER_HUB_KEY : ref.registry;
}

/**
 * The credential for `ref`. A store is asked for docker's server URL exactly (no other spelling:
 * stores do not guess). An auth file is read as podman reads keys (not by kubelet's plain string prefix): the longest
 * `registry[/namespace[/repository]]` key whose path segments begin the image's, any spelling of
 * the registry (`https://quay.io`, `docker.io` or `https://index.docker.io/v1/`); among spellings
 * of one key, the one the file's own client writes comes first.
 */
async function findCredential(store: CredentialStore, ref: ImageRef): Promise<Found | undefined> {
  const serverURL = helperServerURL(ref);
  // By name, not instanceof: the auth-file store is a bundle of its own (scripts/bundle-helper.mjs),
  // so its class is not the one this module would import.
  if (!store.name.startsWith(AUTH_FILE_STORE_PREFIX)) {
    const withAccount = accountLookup(store);
    if (withAccount !== undefined) {
      const answer = await withAccount.lookup(serverURL);
      return answer && { serverURL, credential: answer.credential, scoped: false, registryHasScopes: false, fromAccount: answer.fromAccount };
    }
    const credential = await store.get(serverURL);
    return credential && { serverURL, credential, scoped: false, registryHasScopes: false };
  }
  const file = store as AuthFileStore;
  // Named in kubelet's configuration on purpose: a missing file is a mistake to show in kubelet's
  // log (a failed run), not "no credentials", which kubelet does not log at all.
  if (!existsSync(file.path)) throw new IoError(`${file.path}: no such file (named by --from)`);
  const preferred = file.keyFor(serverURL);
  let best: { key: string; depth: number } | undefined;
  let registryHasScopes = false;
  for (const key of [...(await store.list()).keys()].sort()) {
    const k = parseRegistryKey(key);
    if (k.host !== ref.registry) continue;
    if (k.path !== '') registryHasScopes = true;
    if (k.path !== '' && ref.path !== k.path && !ref.path.startsWith(`${k.path}/`)) continue;
    const depth = k.path === '' ? 0 : k.path.split('/').length;
    if (best === undefined || depth > best.depth || (depth === best.depth && key === preferred)) best = { key, depth };
  }
  if (best === undefined) return undefined;
  const credential = await store.get(best.key);
  return credential && { serverURL: best.key, credential, scoped: best.depth > 0, registryHasScopes };
}

/**
 * The match key for the response: what kubelet's keyring matches the image with and nothing
 * broader. A registry-wide credential is keyed by the registry's host[:port] (`docker.io` for
 * Docker Hub, which kubelet matches directly: `index.docker.io` would be only its fallback), no
 * glob, no scheme. A scoped one is keyed by the image itself.
 */
function matchKey(ref: ImageRef, found: Found): string {
  return found.scoped ? ref.name : ref.registry;
}

/** The helper client's typed reason for a failed helper call, on the error or its cause (a store that could not open). */
function helperFailure(err: unknown): { reason: unknown; helper: unknown; advice: unknown } | undefined {
  const withReason = (e: unknown) => (typeof e === 'object' && e !== null && 'reason' in e ? (e as { reason: unknown; helper?: unknown; advice?: unknown }) : undefined);
  const found = withReason(err) ?? withReason((err as { cause?: unknown }).cause);
  return found && { reason: found.reason, helper: found.helper, advice: found.advice };
}

/** Whether a failure is a store call that ran out of time. */
function isTimeout(err: unknown): boolean {
  return helperFailure(err)?.reason === 'timeout';
}

/**
 * A helper that is not on PATH, said for the one who can fix it: the helper client's message
 * points at credkit's backend setting, but here the name comes from the provider's `args` (or
 * credkit's configuration), and the PATH searched is kubelet's, which its unit sets, plus the
 * provider's `env`. Undefined for any other failure.
 */
function notOnKubeletPath(err: unknown, from: string | undefined, path: string | undefined): string | undefined {
  const failure = helperFailure(err);
  if (failure?.reason !== 'not-on-path' || typeof failure.helper !== 'string') return undefined;
  const program = `docker-credential-${failure.helper}`;
  const namedBy = from === undefined ? "credkit's configuration (backend = or [routes] in config.ini, or CREDKIT_BACKEND)" : `--from ${from}`;
  return `credential helper ${program} (named by ${namedBy}) is not on the PATH kubelet runs plugins with (${path === undefined || path === '' ? 'none set' : path}); install it in one of those directories, or set PATH in this provider's env in kubelet's CredentialProviderConfig`;
}

/**
 * A failure's message; for a timeout the plugin's own limit cut short, why it came sooner than
 * `helpers.timeout` says, in place of the helper client's advice (raise the timeout), which
 * would not help.
 */
function failureText(err: Error, configuredMs: number | undefined): string {
  const text = maskUserinfo(err.message);
  if (configuredMs === undefined || configuredMs <= PROVIDER_STORE_TIMEOUT_MS || !isTimeout(err)) return text;
  const advice = helperFailure(err)?.advice;
  const withoutAdvice = typeof advice === 'string' ? text.replace(` (${advice})`, '') : text;
  return `${withoutAdvice} (${PROVIDER_STORE_TIMEOUT_MS / 1000} s is as long as credkit-kubelet-provider waits, whatever helpers.timeout or CREDKIT_HELPER_TIMEOUT say: kubelet stops a plugin after ${KUBELET_PLUGIN_TIMEOUT_MS / 1000} s)`;
}

/** Runs the plugin once; returns the exit code. */
export async function serveProvider(argv: readonly string[], given: ProviderIo): Promise<number> {
  // Its lines quote the request's image, which kubelet passes as the pod spec has it, and kubelet
  // logs them: no control character of it reaches a log viewer or terminal.
  const io: ProviderIo = { ...given, stderr: (text) => given.stderr(escapeControls(text)) };
  // One line: kubelet logs stderr with its own error, on one line.
  const fail = (text: string): number => {
    io.stderr(`${io.programName}: ${text.replace(/\s*\n\s*/g, ' ').trim()}\n`);
    return 1;
  };
  let args;
  try {
    args = parseProviderArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`${io.programName}: ${err.message}\n${providerUsage(io.programName)}\n`);
    return 2;
  }
  if (args.help) {
    io.stdout(`${providerUsage(io.programName)}\n`);
    return 0;
  }
  if (args.version) {
    io.stdout(`${io.version()}\n`);
    return 0;
  }
  let configuredTimeoutMs: number | undefined;
  try {
    const request = parseProviderRequest(await io.readStdin());
    const ref = parseImageRef(request.image);
    const loaded = await io.loadConfig();
    configuredTimeoutMs = loaded.helperTimeoutMs;
    const config = { ...loaded, helperTimeoutMs: providerStoreTimeoutMs(loaded.helperTimeoutMs) };
    const store = await io.openStore(args.from, config);
    const found = await findCredential(store, ref);
    // With [routes], the store the registry is routed to (RoutedStore.storeFor), for the messages.
    const storeName = (store as { storeFor?: (serverURL: string) => string }).storeFor?.(helperServerURL(ref)) ?? store.name;
    const response: ProviderResponse = { apiVersion: request.apiVersion, cacheKeyType: args.cacheKeyType };
    if (found === undefined && store.name.startsWith(AUTH_FILE_STORE_PREFIX)) {
      // A config.json whose secrets live in a keychain (`credsStore`/`credHelpers`, `{}` markers in
      // `auths`) has none for kubelet. Answering "none" with exit 0 would leave kubelet's log
      // silent (it drops stderr then) while pulls fail: a failed run is what gets logged.
      const file = store as AuthFileStore;
      const elsewhere = await file.helperFor(helperServerURL(ref));
      if (elsewhere !== undefined) {
        return fail(
          `${file.path} keeps no credential for ${ref.registry}: ${elsewhere.via} says it lives in docker-credential-${elsewhere.helper}, which an auth file read by kubelet cannot reach; use --from helper:${elsewhere.helper}, or write the credential into the file (credkit convert ${file.path} --to docker --materialize -o FILE)`,
        );
      }
    }
    if (found === undefined) {
      // No credential is an answer, not an error: kubelet then pulls with what else it has. Not
      // cached ("0s"), so a credential stored later is used on the next pull, not after
      // defaultCacheDuration. stderr is for someone running this by hand: kubelet drops it on exit 0.
      response.cacheDuration = '0s';
      io.stdout(formatProviderResponse(response));
      io.stderr(`${io.programName}: no credential for ${ref.registry} in ${storeName} (looked up "${helperServerURL(ref)}"); answered with none, not cached\n`);
      return 0;
    }
    if (found.credential.username === TOKEN_USERNAME) {
      // A helper's `<token>` is an OAuth refresh token for the registry's token server. kubelet's
      // response carries a username and password only, and the runtime would send them as Basic
      // credentials, which such registries refuse: say so in kubelet's log rather than fail the pull later.
      return fail(
        `the credential for ${ref.registry} in ${storeName} (key "${found.serverURL}") is an identity token, which kubelet's credential provider response cannot carry (it has a username and password only); log in to ${ref.registry} with a username and password or access token instead`,
      );
    }
    // A scoped credential is valid for some of the registry's images only, and kubelet would hand a
    // per-registry (or global) cache entry on to the others: it is cached for this image alone.
    const cacheKeyType: CacheKeyType = found.scoped || found.registryHasScopes ? 'Image' : args.cacheKeyType;
    response.cacheKeyType = cacheKeyType;
    if (args.cacheDuration !== undefined) response.cacheDuration = args.cacheDuration;
    response.auth = { [matchKey(ref, found)]: { username: found.credential.username, password: found.credential.secret } };
    io.stdout(formatProviderResponse(response));
    // For someone running this by hand (kubelet drops stderr on exit 0): with an account selected,
    // which credential answered, as `credkit explain` says.
    const account = accountLookup(store)?.account;
    if (account !== undefined && found.fromAccount !== undefined) {
      io.stderr(
        found.fromAccount
          ? `${io.programName}: answered for ${ref.registry} with the saved account "${account}" in ${storeName}\n`
          : `${io.programName}: answered for ${ref.registry} with its plain credential in ${storeName}: the selected account "${account}" has none for it there\n`,
      );
    }
    return 0;
  } catch (err) {
    if (err instanceof ProviderRequestError || isCredkitError(err)) {
      return fail(notOnKubeletPath(err, args.from, io.host.env.PATH) ?? failureText(err, configuredTimeoutMs));
    }
    io.stderr(`${io.programName}: internal error: ${describeBug(err)}\n${BUG_REPORT_ADVICE}\n`);
    return fail(`internal error: ${bugName(err)}; this is a bug in credkit`);
  }
}
