/**
 * A stand-in Docker Engine API server on a unix socket, for `DOCKER_HOST=unix://…`. It answers just
 * what the docker CLI needs for `login`, `logout` and `pull` (ping, version, /auth, /images/create),
 * records what the CLI sent, and answers 404 to anything else (recorded too, so a failing test can
 * show what the CLI asked for). It never prints request bodies or headers: they hold secrets.
 */
import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePerTest, makeSandbox, resolveSandboxEnv, type Sandbox, type SandboxEnv } from './sandbox.js';

/** The API version the fake engine advertises; the CLI negotiates down to it. */
export const FAKE_API_VERSION = '1.47';

/** The auth config docker sends, in `POST /auth` bodies and base64url in `X-Registry-Auth`. */
export interface EngineAuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  email?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** One `POST /images/create` the CLI made. */
export interface PullRecord {
  fromImage: string;
  tag: string;
  /** The raw `X-Registry-Auth` header, or undefined when the CLI sent none. */
  registryAuth: string | undefined;
}

/** How the fake engine answers. */
export interface FakeEngineOptions {
  /** The IdentityToken `/auth` returns (docker then stores `<token>` instead of the password). */
  identityToken?: string;
  /** A password `/auth` rejects with 401, as a daemon does when the registry refuses it. */
  rejectPassword?: string;
}

/** A running fake engine. */
export interface FakeEngine {
  /** The value for `DOCKER_HOST`. */
  readonly dockerHost: string;
  /** Every request as `METHOD path` (query string kept), in order. */
  readonly requests: string[];
  /** Bodies of `POST /auth`, parsed. */
  readonly logins: EngineAuthConfig[];
  /** Every `POST /images/create`. */
  readonly pulls: PullRecord[];
  /** The API versions seen in request paths (`/v1.47/…` gives `1.47`). */
  readonly apiVersions: Set<string>;
  /** Requests the engine did not know (404), for failure messages. */
  readonly unknown: string[];
  /** Changes how later requests are answered. */
  configure(options: FakeEngineOptions): void;
  /** Closes the server and removes its socket directory. */
  close(): Promise<void>;
}

/** Decodes an `X-Registry-Auth` header: base64url (padded or not) JSON of the auth config. */
export function decodeRegistryAuth(header: string): EngineAuthConfig {
  return JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as EngineAuthConfig;
}

/**
 * Compares an auth config field by field and reports only the names of fields that differ, so a
 * failure never prints a secret (fake or not).
 */
export function expectAuth(actual: EngineAuthConfig, expected: EngineAuthConfig, what: string): void {
  const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]) as Set<keyof EngineAuthConfig>;
  const differing = [...keys].filter((k) => (actual[k] ?? '') !== (expected[k] ?? '')).sort();
  expect(differing, `${what}: fields that differ`).to.deep.equal([]);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJSON(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Starts a fake engine on a socket in a fresh temp directory. */
export async function startFakeEngine(options: FakeEngineOptions = {}): Promise<FakeEngine> {
  // A short directory of its own: unix socket paths are limited to about 100 bytes.
  const dir = await mkdtemp(join(tmpdir(), 'ck-engine-'));
  const socketPath = join(dir, 'docker.sock');
  let current: FakeEngineOptions = { ...options };
  const requests: string[] = [];
  const logins: EngineAuthConfig[] = [];
  const pulls: PullRecord[] = [];
  const apiVersions = new Set<string>();
  const unknown: string[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://engine');
    requests.push(`${method} ${url.pathname}${url.search}`);
    const versioned = /^\/v(\d+\.\d+)(\/.*)$/.exec(url.pathname);
    if (versioned) apiVersions.add(versioned[1] as string);
    const path = versioned ? (versioned[2] as string) : url.pathname;
    // Every answer carries the headers the CLI reads during version negotiation.
    res.setHeader('Api-Version', FAKE_API_VERSION);
    res.setHeader('Ostype', 'linux');
    res.setHeader('Docker-Experimental', 'false');
    res.setHeader('Server', 'credkit-fake-engine');

    if (path === '/_ping' && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '2', 'Cache-Control': 'no-cache, no-store, must-revalidate' });
      res.end(method === 'HEAD' ? undefined : 'OK');
      return;
    }
    if (path === '/version' && method === 'GET') {
      sendJSON(res, 200, { Version: '0.0.0-fake', ApiVersion: FAKE_API_VERSION, MinAPIVersion: '1.24', Os: 'linux', Arch: 'amd64', Components: [] });
      return;
    }
    if (path === '/auth' && method === 'POST') {
      const body = await readBody(req);
      let config: EngineAuthConfig;
      try {
        config = JSON.parse(body) as EngineAuthConfig;
      } catch {
        sendJSON(res, 400, { message: 'fake engine: /auth body is not JSON' });
        return;
      }
      logins.push(config);
      if (current.rejectPassword !== undefined && config.password === current.rejectPassword) {
        // The daemon's wording for a registry that refused the credentials.
        sendJSON(res, 401, { message: `login attempt to https://${config.serveraddress ?? 'registry'}/v2/ failed with status: 401 Unauthorized` });
        return;
      }
      sendJSON(res, 200, { Status: 'Login Succeeded', IdentityToken: current.identityToken ?? '' });
      return;
    }
    if (path === '/images/create' && method === 'POST') {
      await readBody(req);
      const header = req.headers['x-registry-auth'];
      const fromImage = url.searchParams.get('fromImage') ?? '';
      const tag = url.searchParams.get('tag') ?? '';
      pulls.push({ fromImage, tag, registryAuth: Array.isArray(header) ? header[0] : header });
      const ref = `${fromImage}:${tag}`;
      const stream = [
        { status: `Pulling from ${fromImage}`, id: tag },
        { status: `Digest: sha256:${'0'.repeat(64)}` },
        { status: `Status: Image is up to date for ${ref}` },
      ];
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(stream.map((m) => `${JSON.stringify(m)}\r\n`).join(''));
      return;
    }
    unknown.push(`${method} ${url.pathname}`);
    sendJSON(res, 404, { message: `fake engine: no such endpoint: ${method} ${url.pathname}` });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJSON(res, 500, { message: 'fake engine: internal error' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    dockerHost: `unix://${socketPath}`,
    requests,
    logins,
    pulls,
    apiVersions,
    unknown,
    configure(more) {
      current = { ...current, ...more };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A sandbox whose docker CLI talks to a fake engine of its own. */
export interface DockerSandbox {
  sb: Sandbox;
  engine: FakeEngine;
  /** `$DOCKER_CONFIG/config.json` of the sandbox. */
  configPath: string;
  /** Closes the engine, then removes the sandbox. */
  close(): Promise<void>;
}

/**
 * Starts a fake engine and makes a sandbox (with `extraEnv`) whose DOCKER_HOST is that engine, with
 * the CLI's hints off so that its output holds only what the test is about.
 */
export async function makeDockerSandbox(extraEnv: Record<string, string> = {}): Promise<DockerSandbox> {
  const engine = await startFakeEngine();
  const sb = await makeSandbox({ DOCKER_CLI_HINTS: 'false', ...extraEnv }).catch(async (e: unknown) => {
    await engine.close();
    throw e;
  });
  sb.env.DOCKER_HOST = engine.dockerHost;
  return {
    sb,
    engine,
    configPath: join(sb.env.DOCKER_CONFIG as string, 'config.json'),
    async close() {
      await engine.close();
      await sb.cleanup();
    },
  };
}

/** Registers hooks that give each test of the calling suite a fresh {@link makeDockerSandbox} (see {@link makePerTest}). */
export function makeDockerSandboxPerTest(extraEnv: SandboxEnv, keep: (docker: DockerSandbox) => unknown): void {
  makePerTest(() => makeDockerSandbox(resolveSandboxEnv(extraEnv)), (docker) => docker.close(), keep);
}
