/**
 * One HTTP(S) exchange with a registry or its token server, on `node:http(s)`, with a deadline, a
 * cap on the body, and failures turned into {@link RegistryError}s that name the host and the fix.
 * Requests and errors never carry header values into messages.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { RegistryError } from '../errors.js';
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

/** Turns a socket-level failure into a one-line error that names `host`. */
export function describeFailure(err: NodeJS.ErrnoException, host: string, timeoutMs: number): RegistryError {
  const code = err.code ?? '';
  if (code === 'ETIMEDOUT' && err.message === 'credkit-deadline') {
    return new RegistryError('timeout', `${host} did not answer within ${formatSeconds(timeoutMs)}`);
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

/** Sends one request and reads the answer, or throws a {@link RegistryError}. */
export function send(req: HttpRequest, ctx: TransportContext): Promise<HttpResponse> {
  const host = req.url.host;
  const remaining = ctx.deadline - ctx.now();
  if (remaining <= 0) return Promise.reject(new RegistryError('timeout', `${host} did not answer within ${formatSeconds(ctx.timeoutMs)}`));
  const secure = req.url.protocol === 'https:';
  const headers: Record<string, string> = { 'User-Agent': ctx.userAgent, Accept: 'application/json', ...req.headers };
  if (req.body !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers['Content-Length'] = String(Buffer.byteLength(req.body));
  }
  const options = {
    method: req.method,
    headers,
    agent: false as const,
    ...(secure ? { ca: ctx.tls.ca, cert: ctx.tls.cert, key: ctx.tls.key, rejectUnauthorized: ctx.tls.rejectUnauthorized } : {}),
  };

  return new Promise<HttpResponse>((resolvePromise, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err instanceof RegistryError ? err : describeFailure(err as NodeJS.ErrnoException, host, ctx.timeoutMs));
    };
    const r = (secure ? httpsRequest : httpRequest)(req.url, options, (res) => {
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
    }, remaining);
    r.on('error', fail);
    r.end(req.body);
  });
}
