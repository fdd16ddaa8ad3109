/**
 * kubelet's exec credential-provider plugin protocol (KEP-2133), as kubelet speaks it in
 * kubernetes `pkg/credentialprovider/plugin/plugin.go` with the types of
 * `k8s.io/kubelet/pkg/apis/credentialprovider/{v1,v1beta1,v1alpha1}`. This is not docker's helper
 * protocol: kubelet writes one `CredentialProviderRequest` JSON object on stdin and reads one
 * `CredentialProviderResponse` from stdout. Pure: no streams, no stores.
 *
 * What kubelet does with the answer, and so what this module writes:
 * - it reads the response's apiVersion first and refuses one that is not the provider's configured
 *   `apiVersion`, which is the request's: the response repeats it;
 * - it decodes strictly (serializer.EnableStrict): an unknown or repeated field fails the whole
 *   response, so nothing beyond the type's own fields is written (not even KEP-4412's
 *   `serviceAccountTokenCacheType`, which older kubelets do not know);
 * - a `cacheKeyType` other than Image, Registry or Global makes it drop the response;
 * - `cacheDuration` is a Go duration string (metav1.Duration, time.ParseDuration); absent means
 *   the provider's `defaultCacheDuration`, zero means not cached;
 * - `auth` maps match keys to username and password only: there is no place for an identity token;
 * - on a non-zero exit it logs the error with the plugin's stderr and uses no credentials from the
 *   plugin for that pull (nothing is cached); on exit 0 it discards stderr.
 */
import { isAbsolute } from 'node:path';
import { UsageError } from '../errors.js';
import { AUTH_FILE_STORE_PREFIX } from '../stores/auth-file-store.js';
import { storeNamesFor } from '../stores/store-spec.js';
import { HELPER_BACKEND_PREFIX } from '../stores/helper.js';

/** The API group kubelet's credential provider types belong to. */
export const PROVIDER_API_GROUP = 'credentialprovider.kubelet.k8s.io';

/** The versions kubelet can speak (its `apiVersions` table), newest first. */
export const PROVIDER_API_VERSIONS = [`${PROVIDER_API_GROUP}/v1`, `${PROVIDER_API_GROUP}/v1beta1`, `${PROVIDER_API_GROUP}/v1alpha1`] as const;

/** How long kubelet lets a plugin run before it kills it (plugin.go ExecPlugin: a fixed minute). */
export const KUBELET_PLUGIN_TIMEOUT_MS = 60_000;

/**
 * The longest the plugin waits for its store (a helper, gpg, the keychain), whatever
 * `helpers.timeout` says. kubelet kills only the plugin when its minute is up: a helper credkit
 * started (in a process group of its own, so that a timeout stops gpg too) would be left running,
 * one more on every pull, and kubelet would log a bare "context deadline exceeded". Stopping
 * first, with time to spare for Node's start-up and the answer, stops the helper and says why.
 */
export const PROVIDER_STORE_TIMEOUT_MS = 45_000;

/** The store timeout a run uses: the configured one, but never past {@link PROVIDER_STORE_TIMEOUT_MS}. */
export function providerStoreTimeoutMs(configuredMs: number): number {
  return Math.min(configuredMs, PROVIDER_STORE_TIMEOUT_MS);
}

/** The cache key types kubelet accepts in a response. */
export const CACHE_KEY_TYPES = ['Image', 'Registry', 'Global'] as const;
export type CacheKeyType = (typeof CACHE_KEY_TYPES)[number];

/** A request as far as this plugin reads it: the service-account fields of newer kubelets are ignored. */
export interface ProviderRequest {
  apiVersion: string;
  /** The image as kubelet passes it: normalised, without tag or digest (`docker.io/library/nginx`). */
  image: string;
}

/** A request kubelet (or whoever ran the plugin by hand) sent that cannot be served. */
export class ProviderRequestError extends Error {}

/** Shows a request field's value in an error: short, one line. Only kind and apiVersion are quoted. */
function quoteField(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/**
 * Parses a `CredentialProviderRequest`. Fields it does not know (`serviceAccountToken`,
 * `serviceAccountAnnotations`, anything later) are ignored, as kubelet's own decoding of a type
 * ignores what it does not know. Errors never quote the input: a newer kubelet puts a service
 * account token in it.
 */
export function parseProviderRequest(text: string): ProviderRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProviderRequestError(text.trim() === '' ? 'no CredentialProviderRequest on standard input (it was empty)' : 'standard input is not JSON: expected a CredentialProviderRequest');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProviderRequestError('standard input is not a JSON object: expected a CredentialProviderRequest');
  const request = value as Record<string, unknown>;
  if (request.kind !== 'CredentialProviderRequest') {
    throw new ProviderRequestError(`expected kind "CredentialProviderRequest", got ${request.kind === undefined ? 'none' : quoteField(request.kind)}`);
  }
  const apiVersion = request.apiVersion;
  if (typeof apiVersion !== 'string' || !(PROVIDER_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    throw new ProviderRequestError(`unsupported apiVersion ${apiVersion === undefined ? '(none)' : quoteField(apiVersion)}: expected one of ${PROVIDER_API_VERSIONS.join(', ')}`);
  }
  if (typeof request.image !== 'string' || request.image.trim() === '') throw new ProviderRequestError('the request names no image');
  return { apiVersion, image: request.image };
}

/** What the plugin answers. */
export interface ProviderResponse {
  apiVersion: string;
  cacheKeyType: CacheKeyType;
  /** A Go duration string; omitted to let kubelet use `defaultCacheDuration`. */
  cacheDuration?: string;
  /** Match key → credential; omitted when there is none (kubelet: no credentials from this plugin). */
  auth?: Record<string, { username: string; password: string }>;
}

/** The response as kubelet decodes it: only the type's own fields, each once, then a newline. */
export function formatProviderResponse(response: ProviderResponse): string {
  const out: Record<string, unknown> = { kind: 'CredentialProviderResponse', apiVersion: response.apiVersion, cacheKeyType: response.cacheKeyType };
  if (response.cacheDuration !== undefined) out.cacheDuration = response.cacheDuration;
  if (response.auth !== undefined) {
    // No prototype: a match key is any string.
    const auth = Object.create(null) as Record<string, { username: string; password: string }>;
    for (const [key, c] of Object.entries(response.auth)) auth[key] = { username: c.username, password: c.password };
    out.auth = auth;
  }
  return `${JSON.stringify(out)}\n`;
}

// time.ParseDuration's units, in nanoseconds (µ is U+00B5, μ is U+03BC: Go takes both).
const UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  'μs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_INT64 = (1n << 63n) - 1n;

/**
 * Go's time.ParseDuration, which kubelet applies to `cacheDuration`: nanoseconds, or undefined
 * where Go returns an error (`5`, `1d`, `1h 30m`, `.s`, past 2^63-1 ns). `0` alone needs no unit.
 */
export function parseGoDuration(text: string): bigint | undefined {
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let total = 0n;
  while (s !== '') {
    const number = /^([0-9]*)(?:\.([0-9]*))?/.exec(s) as RegExpExecArray;
    const whole = number[1] ?? '';
    const fraction = number[2];
    if (whole === '' && (fraction === undefined || fraction === '')) return undefined;
    s = s.slice(number[0].length);
    // The unit is everything up to the next digit or dot.
    const unitText = /^[^0-9.]*/.exec(s)?.[0] ?? '';
    const unit = UNITS[unitText];
    if (unit === undefined) return undefined;
    s = s.slice(unitText.length);
    const wholeValue = whole === '' ? 0n : BigInt(whole);
    // leadingInt: more than 2^63 is an overflow error.
    if (wholeValue > 1n << 63n) return undefined;
    let value = wholeValue * unit;
    if (value > 1n << 63n) return undefined;
    if (fraction !== undefined && fraction !== '') value += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    total += value;
    if (total > 1n << 63n) return undefined;
  }
  if (negative) return -total;
  return total > MAX_INT64 ? undefined : total;
}

/** The plugin's arguments (the provider's `args` in kubelet's CredentialProviderConfig). */
export interface ProviderArgs {
  /** A store spec as `credkit copy --from` takes it; undefined for credkit's configured store (no --from, or `--from credkit`). */
  from: string | undefined;
  cacheKeyType: CacheKeyType;
  cacheDuration: string | undefined;
  help: boolean;
  version: boolean;
}

/** One line of usage, for `--help` and usage errors. */
export function providerUsage(programName: string): string {
  return `Usage: ${programName} [--from STORE] [--cache-key-type Image|Registry|Global] [--cache-duration DURATION] < CredentialProviderRequest`;
}

/**
 * Parses the arguments; throws UsageError naming the bad one. `--flag value` and `--flag=value`
 * both work, as the provider's `args` list may be written either way.
 */
export function parseProviderArgs(argv: readonly string[]): ProviderArgs {
  const out: ProviderArgs = { from: undefined, cacheKeyType: 'Registry', cacheDuration: undefined, help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h' || arg === '--help') {
      out.help = true;
      continue;
    }
    if (arg === '-v' || arg === '--version') {
      out.version = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (name !== '--from' && name !== '--cache-key-type' && name !== '--cache-duration') throw new UsageError(`unknown argument "${arg}"`);
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`${name} needs a value`);
      value = next;
      i++;
    }
    if (name === '--from') {
      if (value === '') throw new UsageError('--from needs a store: a credkit backend, credkit, helper:NAME or authfile:PATH');
      // kubelet starts the plugin in its own working directory (often /), so a relative path that
      // worked when tried by hand would name another file under kubelet, or none.
      const path = value.startsWith(AUTH_FILE_STORE_PREFIX) ? value.slice(AUTH_FILE_STORE_PREFIX.length) : undefined;
      if (path && !isAbsolute(path) && path !== '~' && !path.startsWith('~/')) {
        throw new UsageError(`--from "${value}": give authfile: an absolute path (or one under ~/); kubelet runs the plugin in its own working directory`);
      }
      // A mistyped store name is the provider config's mistake, found before any request is read.
      const names = storeNamesFor('--from');
      if (!value.startsWith(AUTH_FILE_STORE_PREFIX) && !value.startsWith(HELPER_BACKEND_PREFIX) && !names.includes(value)) {
        throw new UsageError(`unknown credkit backend "${value}" in --from (choose one of: ${names.join(', ')})`);
      }
      // `credkit` names the store docker-credential-credkit uses, which is what the plugin reads
      // without --from: the same store, read the same way (its [routes], and the saved account
      // CREDKIT_ACCOUNT selects), so that naming it does not change the answer. copy reads it with
      // no account selected because it carries every account's key as it is; a pull needs one.
      out.from = value === 'credkit' ? undefined : value;
    } else if (name === '--cache-key-type') {
      const type = CACHE_KEY_TYPES.find((t) => t.toLowerCase() === value.toLowerCase());
      if (type === undefined) throw new UsageError(`--cache-key-type "${value}": expected one of ${CACHE_KEY_TYPES.join(', ')}`);
      out.cacheKeyType = type;
    } else {
      const ns = parseGoDuration(value);
      if (ns === undefined) throw new UsageError(`--cache-duration "${value}" is not a Go duration (such as 30s, 5m, 1h30m, or 0 for no caching)`);
      if (ns < 0n) throw new UsageError(`--cache-duration "${value}" is negative; 0 means kubelet does not cache the answer`);
      out.cacheDuration = value;
    }
  }
  return out;
}
