/**
 * Checks registry credentials the way `docker login` and `podman login` do, without a daemon:
 * ping `GET /v2/` anonymously; a 200 means the registry needs no login (nothing was checked); a 401
 * names the scheme. For Basic the ping is repeated with the credentials; for Bearer a token is
 * asked from the realm (docker's GET with `account`, or the OAuth2 POST for identity tokens and
 * when an identity token is wanted) and the ping repeated with it. Only a 200 counts as success.
 */
import { RegistryError, UnauthorizedError, UsageError } from '../errors.js';
import { isRegistryHost } from '../registry.js';
import { holdsPieceOf, maskForms } from '../redact.js';
import { findChallenge, parseChallenges, type Challenge } from './challenge.js';
import { loadTlsMaterial, type TlsOptions } from './tls-config.js';
import { send, type HttpRequest, type HttpResponse, type TransportContext } from './transport.js';
import type { ProxyChoice } from './proxy.js';

/** What to verify and how to reach the registry. */
export interface VerifyCredentialsOptions {
  /** The registry, `host[:port]` (no scheme, no path). `docker.io` means Docker Hub. */
  registry: string;
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (docker's `identitytoken`), used instead of a password. */
  identityToken?: string;
  tls?: TlsOptions;
  /** The whole verification's time budget (default 30 s). */
  timeoutMs?: number;
  /** A scope to ask the token server for, e.g. `repository:team/app:pull`. */
  scope?: string;
  /** Ask a Bearer registry for an identity token (docker's `offline_token=true`), returned if given. */
  requestIdentityToken?: boolean;
  /** The User-Agent header (default `credkit`). */
  userAgent?: string;
  /** The clock (default `Date.now`); injectable for tests. */
  now?: () => number;
  /** The proxy for each URL (see proxy.ts: HTTPS_PROXY, NO_PROXY…); direct when absent. */
  proxy?: ProxyChoice;
}

/** A successful verification. */
export interface VerifyCredentialsResult {
  ok: true;
  /** How the credentials were checked; `none`: the registry wants no login, so nothing was checked. */
  method: 'basic' | 'bearer' | 'none';
  /** A refresh token the token server handed out, to be stored instead of the password. */
  identityToken?: string;
  /** The `/v2/` URL that answered (tells whether the plain-HTTP fallback was used). */
  url: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;
const CLIENT_ID = 'credkit';

/** The host to contact for a registry: Docker Hub's names all mean its API host. */
export function registryEndpointHost(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
}

/** Verifies the credentials against the registry; resolves on success, throws a CredkitError otherwise. */
export async function verifyCredentials(options: VerifyCredentialsOptions): Promise<VerifyCredentialsResult> {
  const { registry, username, password, identityToken } = options;
  if (!isRegistryHost(registry)) throw new UsageError(`not a registry host[:port]: "${registry}"`);
  // The host[:port] syntax lets through what no URL can hold (a port over 65535, 999.1.1.1,
  // 1.2.3.4.5, bad punycode, an invalid IPv6 literal); Go's dialer refuses those too.
  if (!URL.canParse(`https://${registryEndpointHost(registry)}/v2/`)) {
    throw new UsageError(`not a registry host[:port]: "${registry}" is not a valid host name, IP address or port`);
  }
  if (password === undefined && identityToken === undefined) throw new UsageError('a password or an identity token is needed');
  if (password !== undefined && (username === undefined || username === '')) throw new UsageError('a user name is needed with a password');

  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ctx: TransportContext = {
    tls: await loadTlsMaterial(options.tls),
    deadline: now() + timeoutMs,
    timeoutMs,
    userAgent: options.userAgent ?? 'credkit',
    now,
    ...(options.proxy ? { proxy: options.proxy } : {}),
  };
  const forWho = username !== undefined && username !== '' ? ` for ${username}` : '';
  // What a registry's error answer must not repeat (some echo the request): grows by the token.
  const secrets = [password, identityToken, password !== undefined ? `${username ?? ''}:${password}` : undefined].filter((s): s is string => s !== undefined && s !== '');
  const denied = (what: string) => new UnauthorizedError(`unauthorized: ${what}${forWho} at ${registry}`);

  // 1. The anonymous ping, which also settles https vs. the (explicitly allowed) http fallback.
  const host = registryEndpointHost(registry);
  let v2 = new URL(`https://${host}/v2/`);
  let ping: HttpResponse;
  try {
    ping = await send({ method: 'GET', url: v2 }, ctx);
  } catch (e) {
    if (!(e instanceof RegistryError && options.tls?.insecure === true && options.tls.allowHttp === true)) throw e;
    v2 = new URL(`http://${host}/v2/`);
    ping = await send({ method: 'GET', url: v2 }, ctx);
  }
  if (ping.status === 200) return { ok: true, method: 'none', url: v2.href };
  if (ping.status !== 401) throw unexpected(ping, 'GET', v2, secrets);

  const challenges = parseChallenges(ping.headers['www-authenticate']);
  const challenge = challenges.find((c) => c.scheme === 'basic' || c.scheme === 'bearer');
  if (challenge === undefined) {
    const schemes = challenges.map((c) => c.scheme).join(', ') || 'none';
    throw new RegistryError('protocol', `${host} answered 401 without a Basic or Bearer challenge (schemes: ${schemes})`);
  }

  // 2a. Basic: the same request with the credentials.
  if (challenge.scheme === 'basic') {
    if (password === undefined) throw new UsageError(`${registry} uses Basic authentication, which needs a user name and password, not an identity token`);
    const res = await send({ method: 'GET', url: v2, headers: { Authorization: basic(username ?? '', password) } }, ctx);
    if (res.status === 200) return { ok: true, method: 'basic', url: v2.href };
    if (res.status === 401) throw denied('incorrect username or password');
    throw unexpected(res, 'GET', v2, secrets);
  }

  // 2b. Bearer: a token from the realm, then the request with the token.
  const realm = parseRealm(challenge, host, v2);
  const fetched = await fetchToken(realm, challenge, options, ctx, denied, secrets);
  secrets.push(fetched.token, ...(fetched.refreshToken !== undefined ? [fetched.refreshToken] : []));
  const res = await send({ method: 'GET', url: v2, headers: { Authorization: `Bearer ${fetched.token}` } }, ctx);
  if (res.status === 200) {
    const result: VerifyCredentialsResult = { ok: true, method: 'bearer', url: v2.href };
    if (fetched.refreshToken !== undefined) result.identityToken = fetched.refreshToken;
    return result;
  }
  if (res.status === 401) throw denied(`the registry refused the token from ${realm.host}`);
  throw unexpected(res, 'GET', v2, secrets);
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

function parseRealm(challenge: Challenge, host: string, v2: URL): URL {
  const raw = challenge.params['realm'];
  let realm: URL | undefined;
  try {
    realm = raw === undefined ? undefined : new URL(raw);
  } catch {
    realm = undefined;
  }
  if (realm === undefined || (realm.protocol !== 'https:' && realm.protocol !== 'http:')) {
    throw new RegistryError('protocol', `${host} sent a Bearer challenge without a usable realm URL`);
  }
  // Credentials go to the realm: never in clear text unless the user already chose plain HTTP.
  if (realm.protocol === 'http:' && v2.protocol === 'https:') {
    throw new RegistryError('protocol', `${host} points to a token server over plain HTTP (${realm.host}); refusing to send credentials there`);
  }
  return realm;
}

interface FetchedToken {
  token: string;
  refreshToken?: string;
}

/** Asks the token server for a token, as docker's token handler does. */
async function fetchToken(
  realm: URL,
  challenge: Challenge,
  options: VerifyCredentialsOptions,
  ctx: TransportContext,
  denied: (what: string) => UnauthorizedError,
  secrets: readonly string[],
): Promise<FetchedToken> {
  const { username, password, identityToken, scope } = options;
  const service = challenge.params['service'];

  const getWithBasic = async (offline: boolean) => {
    const url = new URL(realm);
    if (service !== undefined) url.searchParams.set('service', service);
    if (scope !== undefined) url.searchParams.set('scope', scope);
    if (username !== undefined && username !== '') url.searchParams.set('account', username);
    if (offline) {
      url.searchParams.set('offline_token', 'true');
      url.searchParams.set('client_id', CLIENT_ID);
    }
    return sendFollowing({ method: 'GET', url, headers: { Authorization: basic(username ?? '', password ?? '') } }, ctx);
  };
  const postOAuth = (grant: Record<string, string>) => {
    const form = new URLSearchParams({ ...grant, client_id: CLIENT_ID, access_type: 'offline' });
    if (service !== undefined) form.set('service', service);
    if (scope !== undefined) form.set('scope', scope);
    return sendFollowing({ method: 'POST', url: new URL(realm), body: form.toString() }, ctx);
  };

  let res: HttpResponse;
  let method: 'GET' | 'POST';
  if (password === undefined) {
    method = 'POST';
    res = await postOAuth({ grant_type: 'refresh_token', refresh_token: identityToken ?? '' });
    if (res.status === 404) throw new RegistryError('protocol', `the token server ${realm.host} does not take identity tokens (POST answered 404)`);
  } else if (options.requestIdentityToken === true) {
    method = 'POST';
    res = await postOAuth({ grant_type: 'password', username: username ?? '', password });
    // Token servers without OAuth2 answer 404; docker then asks the old way.
    if (res.status === 404) {
      method = 'GET';
      res = await getWithBasic(true);
    }
  } else {
    method = 'GET';
    res = await getWithBasic(false);
  }

  if (res.status === 401 || res.status === 403) {
    throw denied(password === undefined ? 'the identity token was not accepted' : 'incorrect username or password');
  }
  // OAuth2 servers report a bad grant as 400 invalid_grant.
  if (res.status === 400 && method === 'POST' && oauthError(res.body) === 'invalid_grant') {
    throw denied(password === undefined ? 'the identity token was not accepted' : 'incorrect username or password');
  }
  if (res.status !== 200) throw unexpected(res, method, realm, secrets);

  let parsed: { token?: unknown; access_token?: unknown; refresh_token?: unknown };
  try {
    parsed = JSON.parse(res.body) as typeof parsed;
  } catch {
    throw new RegistryError('protocol', `the token server ${realm.host} answered something that is not JSON`);
  }
  // Both names occur; docker treats them as the same thing.
  const token = typeof parsed.access_token === 'string' && parsed.access_token !== '' ? parsed.access_token : parsed.token;
  if (typeof token !== 'string' || token === '') throw new RegistryError('protocol', `the token server ${realm.host} answered without a token`);
  const out: FetchedToken = { token };
  if (typeof parsed.refresh_token === 'string' && parsed.refresh_token !== '') out.refreshToken = parsed.refresh_token;
  return out;
}

function oauthError(body: string): string | undefined {
  try {
    const e = (JSON.parse(body) as { error?: unknown }).error;
    return typeof e === 'string' ? e : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sends a token request and follows up to {@link MAX_REDIRECTS} redirects like Go's client: 301/302/303
 * turn a POST into a GET without body, 307/308 keep it. The Authorization header only goes to the
 * original host, and a redirect from HTTPS to HTTP is refused, so no secret leaves the channel the
 * user chose.
 */
async function sendFollowing(first: HttpRequest, ctx: TransportContext): Promise<HttpResponse> {
  let req = first;
  for (let hops = 0; ; hops++) {
    const res = await send(req, ctx);
    if (![301, 302, 303, 307, 308].includes(res.status)) return res;
    const location = res.headers.location;
    if (location === undefined) return res;
    if (hops >= MAX_REDIRECTS) throw new RegistryError('protocol', `the token server ${first.url.host} redirected more than ${MAX_REDIRECTS} times`);
    let next: URL;
    try {
      next = new URL(location, req.url);
    } catch {
      throw new RegistryError('protocol', `the token server ${req.url.host} redirected to an invalid URL`);
    }
    if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new RegistryError('protocol', `the token server ${req.url.host} redirected to a non-HTTP URL`);
    if (req.url.protocol === 'https:' && next.protocol === 'http:') {
      throw new RegistryError('protocol', `the token server ${req.url.host} redirected to plain HTTP (${next.host}); refusing to follow`);
    }
    const keepMethod = res.status === 307 || res.status === 308;
    const headers = next.host === first.url.host ? first.headers : undefined;
    const method = keepMethod ? req.method : 'GET';
    req = { method, url: next, ...(headers ? { headers } : {}), ...(method === 'POST' && req.body !== undefined ? { body: req.body } : {}) };
  }
}

/**
 * An error for a status we do not expect, with the registry's own error text if it sent one. Some
 * servers echo the request (the Authorization header, the token form) in their error body or
 * status line, whole or re-encoded: that text is quoted only with every spelling of `secrets`
 * masked, and not at all when a piece of a secret is still in it.
 */
function unexpected(res: HttpResponse, method: string, url: URL, secrets: readonly string[]): RegistryError {
  let detail = '';
  try {
    const body = JSON.parse(res.body) as { errors?: Array<{ code?: unknown; message?: unknown }> };
    const first = body.errors?.[0];
    if (first) detail = `: ${[first.code, first.message].filter((x) => typeof x === 'string').join(' ')}`;
  } catch {
    // not a registry error document
  }
  const what = res.status === 404 && url.pathname === '/v2/' ? ` (is ${url.host} a registry?)` : '';
  const answer = quotableAnswer(`${res.statusText}${detail}`, secrets);
  const said = answer === undefined ? ' (its answer is not shown: it repeats part of the credentials)' : ` ${answer.slice(0, 200)}`;
  return new RegistryError('protocol', `unexpected answer from ${url.host}: ${method} ${url.pathname} returned ${res.status}${said}${what}`.trim());
}

/**
 * `text` with each secret replaced by `********` in every form a request carries it (as is, in
 * base64 without padding: a Basic header holds base64 of `user:password`; percent- and
 * form-encoded: the OAuth2 form; JSON-escaped), or undefined when a piece of a secret is still
 * there (an echo decoded or cut differently).
 */
function quotableAnswer(text: string, secrets: readonly string[]): string | undefined {
  const forms: string[] = [];
  for (const s of secrets) {
    if (s === '') continue;
    const formEncoded = new URLSearchParams({ s }).toString().slice(2);
    forms.push(s, Buffer.from(s, 'utf8').toString('base64').replace(/=+$/, ''), encodeURIComponent(s), formEncoded, JSON.stringify(s).slice(1, -1));
  }
  const out = maskForms(text, forms);
  for (const s of secrets) {
    // `user:password` pieces would be mostly the user name, which a message may well name.
    if (s.includes(':') && secrets.includes(s.slice(s.indexOf(':') + 1))) continue;
    if (holdsPieceOf(out, s)) return undefined;
  }
  return out;
}
