/**
 * One HTTP(S) exchange with a registry or its token server, on `node:http(s)`, with a deadline, a
 * cap on the body, and failures turned into {@link RegistryError}s that name the host and the fix.
 * Requests and errors never carry header values into messages.
 */
import { STATUS_CODES, request as httpRequest, type IncomingHttpHeaders, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { RegistryError } from '../errors.js';
import type { ProxyChoice } from './proxy.js';
import type { TlsMaterial } from './tls-config.js';

/** A request to send. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  /** A form body (POST). */
  body?: string;
}

/** What came back; the body is read up to the cap. */
export interface HttpResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Settings shared by every request of one verification. */
export interface TransportContext {
  tls: TlsMaterial;
  /** Absolute time (ms since the epoch) by which everything must be done. */
  deadline: number;
  /** The milliseconds the caller allowed, for the timeout message. */
  timeoutMs: number;
  userAgent: string;
  /** Wall clock, injectable so that nothing here reads the environment. */
  now(): number;
  /** The proxy for a URL (from HTTPS_PROXY and friends, see proxy.ts); none when absent. */
  proxy?: ProxyChoice;
}

const MAX_BODY = 1024 * 1024;

// Node's names for "the certificate is not trusted / not for this host".
const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The one error for running out of the verification's time budget. */
function tooSlow(host: string, timeoutMs: number): RegistryError {
  return new RegistryError('timeout', `${host} did not answer within ${formatSeconds(timeoutMs)}`);
}

/** Turns a socket-level failure into a one-line error that names `host`. */
export function describeFailure(err: NodeJS.ErrnoException, host: string, timeoutMs: number): RegistryError {
  const code = err.code ?? '';
  if (code === 'ETIMEDOUT' && err.message === 'credkit-deadline') {
    return tooSlow(host, timeoutMs);
  }
  if (CERT_CODES.has(code)) {
    return new RegistryError(
      'tls',
      `TLS: cannot verify the certificate of ${host} (${err.message}): give its CA with --cert-dir DIR (a directory holding ca.crt), or skip verification with --insecure`,
      { cause: err },
    );
  }
  if (code === 'EPROTO' || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    return new RegistryError(
      'tls',
      `TLS handshake with ${host} failed (${firstLine(err.message)}): check the client certificate in --cert-dir, or whether ${host} speaks HTTPS at all`,
      { cause: err },
    );
  }
  if (code === 'ECONNREFUSED') return new RegistryError('network', `cannot connect to ${host}: connection refused`, { cause: err });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return new RegistryError('network', `cannot resolve ${host}: ${code === 'EAI_AGAIN' ? 'DNS lookup failed, try again' : 'no such host'}`, { cause: err });
  }
  if (code === 'ETIMEDOUT') return new RegistryError('timeout', `cannot connect to ${host}: connection timed out`, { cause: err });
  if (code === 'ECONNRESET' || code === 'EPIPE') return new RegistryError('network', `${host} closed the connection`, { cause: err });
  return new RegistryError('network', `cannot connect to ${host}: ${code || firstLine(err.message)}`, { cause: err });
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 200);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** `Proxy-Authorization` for a proxy URL with a user (percent-decoded, as Go does). */
function proxyHeaders(proxy: URL): Record<string, string> {
  if (proxy.username === '' && proxy.password === '') return {};
  const user = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'Proxy-Authorization': `Basic ${Buffer.from(user, 'utf8').toString('base64')}` };
}

/** How a proxy is named in messages: its host, never its credentials. */
function proxyName(proxy: URL): string {
  return `proxy ${proxy.host}`;
}

/**
 * Opens a tunnel to `target` (`host:port`) through an HTTP proxy (CONNECT), then TLS inside it to
 * the registry itself: the proxy sees only the host name and encrypted bytes.
 */
function tunnel(proxy: URL, url: URL, ctx: TransportContext, abort: AbortSignal): Promise<TLSSocket> {
  const target = `${url.hostname}:${url.port || '443'}`;
  return new Promise((resolve, reject) => {
    const options: RequestOptions = { method: 'CONNECT', path: target, headers: { Host: target, 'User-Agent': ctx.userAgent, ...proxyHeaders(proxy) }, agent: false, signal: abort };
    const connectRequest = (proxy.protocol === 'https:' ? httpsRequest : httpRequest)(proxy, options);
    connectRequest.on('connect', (res, socket: Socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        // The standard text for the status, never the proxy's own: a proxy may put the request's
        // Proxy-Authorization (the proxy password) into its reason phrase.
        const status = res.statusCode ?? 0;
        reject(new RegistryError('network', `the ${proxyName(proxy)} refused to connect to ${url.host}: ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd()));
        return;
      }
      const servername = url.hostname.startsWith('[') ? undefined : url.hostname;
      const secure = tlsConnect({ socket, ...(servername !== undefined ? { servername } : {}), ca: ctx.tls.ca, cert: ctx.tls.cert, key: ctx.tls.key, rejectUnauthorized: ctx.tls.rejectUnauthorized });
      const onAbort = () => {
        secure.destroy();
        reject(tooSlow(url.host, ctx.timeoutMs));
      };
      abort.addEventListener('abort', onAbort, { once: true });
      secure.once('secureConnect', () => {
        abort.removeEventListener('abort', onAbort);
        resolve(secure);
      });
      secure.once('error', (err) => reject(describeFailure(err as NodeJS.ErrnoException, url.host, ctx.timeoutMs)));
    });
    connectRequest.on('error', (err: NodeJS.ErrnoException) => {
      if (err.name === 'AbortError') return reject(tooSlow(url.host, ctx.timeoutMs));
      const failure = describeFailure(err, proxy.host, ctx.timeoutMs);
      reject(new RegistryError(failure.failure, `${failure.message} (the ${proxyName(proxy)}, from the proxy settings)`, { cause: err }));
    });
    connectRequest.end();
  });
}

/** Sends one request and reads the answer, or throws a {@link RegistryError}. */
export async function send(req: HttpRequest, ctx: TransportContext): Promise<HttpResponse> {
  const host = req.url.host;
  const remaining = ctx.deadline - ctx.now();
  if (remaining <= 0) throw tooSlow(host, ctx.timeoutMs);
  const secure = req.url.protocol === 'https:';
  const headers: Record<string, string> = { 'User-Agent': ctx.userAgent, Accept: 'application/json', ...req.headers };
  if (req.body !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers['Content-Length'] = String(Buffer.byteLength(req.body));
  }
  const proxy = ctx.proxy?.(req.url);
  const deadline = new AbortController();
  const deadlineTimer = setTimeout(() => deadline.abort(), remaining);
  try {
    let options: RequestOptions & Record<string, unknown> = {
      method: req.method,
      headers,
      agent: false as const,
      ...(secure ? { ca: ctx.tls.ca, cert: ctx.tls.cert, key: ctx.tls.key, rejectUnauthorized: ctx.tls.rejectUnauthorized } : {}),
    };
    let target: URL = req.url;
    // Which module speaks to the first hop: the registry itself, the tunnel's TLS socket, or the proxy.
    let useHttps = secure;
    if (proxy !== undefined && secure) {
      // The request goes over the tunnel's TLS socket, so no agent makes a connection of its own.
      const socket = await tunnel(proxy, req.url, ctx, deadline.signal);
      options = { ...options, agent: undefined, createConnection: () => socket };
    } else if (proxy !== undefined) {
      // Plain HTTP through a proxy: the absolute URL goes to the proxy.
      target = proxy;
      useHttps = proxy.protocol === 'https:';
      options = { ...options, path: req.url.href, headers: { ...headers, Host: req.url.host, ...proxyHeaders(proxy) } };
    }
    return await exchange(target, options, useHttps, req, ctx, host);
  } finally {
    clearTimeout(deadlineTimer);
  }
}

function exchange(target: URL, options: RequestOptions, useHttps: boolean, req: HttpRequest, ctx: TransportContext, host: string): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolvePromise, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err instanceof RegistryError ? err : describeFailure(err as NodeJS.ErrnoException, host, ctx.timeoutMs));
    };
    const r = (useHttps ? httpsRequest : httpRequest)(target, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) {
          r.destroy(new RegistryError('protocol', `${host} sent an answer larger than ${MAX_BODY} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolvePromise({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    const timer = setTimeout(() => {
      const err: NodeJS.ErrnoException = new Error('credkit-deadline');
      err.code = 'ETIMEDOUT';
      r.destroy(err);
    }, Math.max(1, ctx.deadline - ctx.now()));
    r.on('error', fail);
    r.end(req.body);
  });
}
