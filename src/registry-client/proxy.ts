/**
 * Which proxy a registry request goes through, read from the environment the way podman and
 * skopeo read it (Go's net/http ProxyFromEnvironment): `HTTPS_PROXY`/`https_proxy` for https URLs,
 * `HTTP_PROXY`/`http_proxy` for http ones, `NO_PROXY`/`no_proxy` for exceptions, and never for
 * `localhost` or a loopback address. Pure: the caller passes the environment.
 */
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import type { Env } from '../io.js';

/** The proxy for `url`, or undefined to connect directly. */
export type ProxyChoice = (url: URL) => URL | undefined;

function firstSet(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** The proxy URL as written, `http://` assumed when it has no scheme (as Go does). */
function parseProxy(value: string, variable: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new UsageError(`${variable} is not a proxy URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${variable}: ${url.protocol.slice(0, -1)} proxies are not supported (use an http:// or https:// proxy)`);
  }
  return url;
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const kind = isIP(host);
  if (kind === 4) return host.startsWith('127.');
  if (kind === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** `a.b.c.d` as a number, for CIDR tests. */
function ipv4Number(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/**
 * Whether a NO_PROXY entry covers `host` (no brackets) on `port`: `*` covers everything; a domain
 * covers itself and its subdomains, a leading `.` only the subdomains; `HOST:PORT` only that port;
 * an IPv4 CIDR its addresses.
 */
function excluded(entry: string, host: string, port: string): boolean {
  if (entry === '*') return true;
  const cidr = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(entry);
  if (cidr) {
    if (isIP(host) !== 4) return false;
    const bits = Number(cidr[2]);
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return ((ipv4Number(host) & mask) >>> 0) === ((ipv4Number(cidr[1] as string) & mask) >>> 0);
  }
  let name = entry;
  const withPort = /^(.*):(\d+)$/.exec(entry);
  if (withPort && !entry.includes('::')) {
    if (withPort[2] !== port) return false;
    name = withPort[1] as string;
  }
  name = name.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (name.startsWith('.')) return host.endsWith(name);
  if (name.startsWith('*.')) return host.endsWith(name.slice(1));
  return host === name || host.endsWith(`.${name}`);
}

/** Reads the proxy settings once; the result answers per URL. */
export function proxyFromEnv(env: Env): ProxyChoice {
  const httpsProxy = firstSet(env, 'HTTPS_PROXY', 'https_proxy');
  const httpProxy = firstSet(env, 'HTTP_PROXY', 'http_proxy');
  const noProxy = (firstSet(env, 'NO_PROXY', 'no_proxy') ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const https = httpsProxy === undefined ? undefined : parseProxy(httpsProxy, 'HTTPS_PROXY');
  const http = httpProxy === undefined ? undefined : parseProxy(httpProxy, 'HTTP_PROXY');
  return (url) => {
    const proxy = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
    if (proxy === undefined) return undefined;
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    if (isLoopback(host)) return undefined;
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return noProxy.some((entry) => excluded(entry.toLowerCase(), host, port)) ? undefined : proxy;
  };
}
