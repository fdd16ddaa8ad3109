/**
 * A real Distribution registry in token-auth mode plus the token server it trusts, written here in
 * node: the registry answers `/v2/` with a Bearer challenge pointing at the token server, and accepts
 * only JWTs signed by the key whose certificate is its `rootcertbundle`.
 *
 * Distribution 2.8 finds the signing key of a token through the JWT header: `x5c` (a certificate
 * chain that must verify against the rootcertbundle), `jwk`, or `kid` (a libtrust fingerprint of a
 * key in the bundle). This server sends `x5c` with the self-signed signing certificate, which is
 * also the whole bundle, and signs with ES256 (P-256, the raw r||s signature JWS wants). The
 * registry also checks `iss`, `aud` (= the service), `exp`/`nbf`, and for repository requests the
 * `access` claim.
 *
 * The token server checks credentials itself: Basic auth on GET (docker's classic flow, with
 * `offline_token=true` answered by a refresh token), and the OAuth2 POST form with
 * `grant_type=password` or `grant_type=refresh_token`. Its behaviour can be switched per test
 * (no OAuth2, a redirect in front of the endpoint) and it records what it was asked.
 */
import { randomBytes, sign, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type Registry } from './registry.js';
import { basePath, makePerSuite, run } from './sandbox.js';

/** Options for {@link startTokenRegistry}. */
export interface TokenRegistryOptions {
  /** User name → password the token server accepts. Throwaway test values only. */
  users: Readonly<Record<string, string>>;
  /** Refresh token (identity token) → user name, known from the start. Fake values only. */
  refreshTokens?: Readonly<Record<string, string>>;
}

/** One request the token server answered. */
export interface TokenEvent {
  method: string;
  /** `basic` for a GET with Basic auth, else the OAuth2 grant type sent. */
  grant: 'basic' | 'password' | 'refresh_token' | 'none' | string;
  /** The user the credentials belonged to, when they were right. */
  user?: string;
  outcome: 'issued' | 'rejected' | 'not-found' | 'redirected' | 'bad-request';
  /** The query or form fields, with secret fields removed. */
  fields: Record<string, string>;
}

/** What the token server does, switchable while it runs. */
export interface TokenServerBehaviour {
  /** Answer OAuth2 POSTs (default true); false answers them 404 like a token server without OAuth2. */
  oauth: boolean;
  /** Answer `/token` with a 307 to `/issue` (default false), to exercise redirect following. */
  redirect: boolean;
  /** Sign with a key the registry does not trust (default false): the registry must refuse the token. */
  untrustedSigner: boolean;
}

/** A running token-auth registry and its token server. */
export interface TokenRegistry {
  /** The registry (its auth-event helpers see requests that came with a token). */
  registry: Registry;
  /** `127.0.0.1:PORT` of the registry. */
  host: string;
  /** A cert dir trusting both the registry and the token server (`*.crt` only). */
  certDir: string;
  /** `https://127.0.0.1:PORT/token`, the realm the registry advertises. */
  realm: string;
  service: string;
  issuer: string;
  behaviour: TokenServerBehaviour;
  /** Requests the token server answered, oldest first. */
  events: TokenEvent[];
  /** Refresh tokens the token server has handed out (and so accepts), by user. */
  issuedRefreshTokens: Map<string, string>;
  stop(): Promise<void>;
}

const SERVICE = 'credkit-test-registry';
const ISSUER = 'credkit-test-token-issuer';
const SECRET_FIELDS = new Set(['password', 'refresh_token']);

function opensslConfig(cn: string, usage: 'server' | 'signing'): string {
  return `[req]
distinguished_name = dn
x509_extensions = v3
prompt = no
[dn]
CN = ${cn}
[v3]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,keyCertSign
${usage === 'server' ? 'extendedKeyUsage = serverAuth\nsubjectAltName = IP:127.0.0.1,DNS:localhost\n' : ''}subjectKeyIdentifier = hash
`;
}

/**
 * Makes an EC P-256 key and a self-signed CA certificate `DIR/NAME.crt` + `DIR/NAME.key`; a
 * `server` one is for 127.0.0.1/localhost. Returns their paths.
 */
export async function makeCert(dir: string, name: string, usage: 'server' | 'signing'): Promise<{ cert: string; key: string }> {
  const cnf = join(dir, `${name}.cnf`);
  const paths = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  await writeFile(cnf, opensslConfig(`credkit test ${name}`, usage));
  const r = await run(
    'openssl',
    ['req', '-x509', '-config', cnf, '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', paths.key, '-out', paths.cert, '-days', '1'],
    { env: { PATH: basePath(), HOME: dir, LANG: 'C.UTF-8' } },
  );
  if (r.code !== 0) throw new Error(`openssl req failed (exit ${r.code}): ${r.stderr.trim()}`);
  return paths;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** Parses `type:name:actions` scopes into JWT `access` entries; a name may contain colons (ports). */
export function accessFor(scopes: readonly string[]): Array<{ type: string; name: string; actions: string[] }> {
  const out: Array<{ type: string; name: string; actions: string[] }> = [];
  for (const scope of scopes) {
    const first = scope.indexOf(':');
    const last = scope.lastIndexOf(':');
    if (first <= 0 || last <= first) continue;
    out.push({ type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter(Boolean) });
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolvePromise(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Starts the token server, then the registry that trusts it. */
export async function startTokenRegistry(options: TokenRegistryOptions): Promise<TokenRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'credkit-token-registry-'));
  let server: Server | undefined;
  let registry: Registry | undefined;
  const stop = async () => {
    await registry?.stop();
    if (server?.listening) await new Promise<void>((r) => server!.close(() => r()));
    server?.closeAllConnections();
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const tls = await makeCert(dir, 'token-tls', 'server');
    const signing = await makeCert(dir, 'token-signing', 'signing');
    const untrusted = await makeCert(dir, 'token-untrusted-signing', 'signing');
    const signers = {
      trusted: { key: await readFile(signing.key, 'utf8'), x5c: [new X509Certificate(await readFile(signing.cert)).raw.toString('base64')] },
      untrusted: { key: await readFile(untrusted.key, 'utf8'), x5c: [new X509Certificate(await readFile(untrusted.cert)).raw.toString('base64')] },
    };

    const behaviour: TokenServerBehaviour = { oauth: true, redirect: false, untrustedSigner: false };
    const events: TokenEvent[] = [];
    const refreshTokens = new Map<string, string>(Object.entries(options.refreshTokens ?? {})); // token → user
    const issuedRefreshTokens = new Map<string, string>(); // user → token

    const makeJwt = (subject: string, scopes: readonly string[]) => {
      const now = Math.floor(Date.now() / 1000);
      const signer = behaviour.untrustedSigner ? signers.untrusted : signers.trusted;
      const header = { typ: 'JWT', alg: 'ES256', x5c: signer.x5c };
      const claims = {
        iss: ISSUER,
        sub: subject,
        aud: SERVICE,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomBytes(12).toString('hex'),
        access: accessFor(scopes),
      };
      const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
      const signature = sign('sha256', Buffer.from(input), { key: signer.key, dsaEncoding: 'ieee-p1363' });
      return `${input}.${b64url(signature)}`;
    };
    const newRefreshToken = (user: string) => {
      const token = `fake-refresh-${randomBytes(12).toString('hex')}`;
      refreshTokens.set(token, user);
      issuedRefreshTokens.set(user, token);
      return token;
    };
    const checkPassword = (user: string | undefined, password: string | undefined) =>
      user !== undefined && password !== undefined && Object.hasOwn(options.users, user) && options.users[user] === password;
    const publicFields = (params: URLSearchParams) => {
      const out: Record<string, string> = {};
      for (const [k, v] of params) if (!SECRET_FIELDS.has(k)) out[k] = v;
      return out;
    };

    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const body = req.method === 'POST' ? await readBody(req) : '';
      const params = req.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
      const fields = publicFields(params);
      const record = (grant: string, outcome: TokenEvent['outcome'], user?: string) =>
        events.push({ method: req.method ?? '', grant, outcome, fields, ...(user !== undefined ? { user } : {}) });

      if (url.pathname === '/token' && behaviour.redirect) {
        record('none', 'redirected');
        res.writeHead(307, { Location: `/issue${url.search}` }).end();
        return;
      }
      if (url.pathname !== (behaviour.redirect ? '/issue' : '/token')) {
        record('none', 'not-found');
        sendJson(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'no such endpoint' }] });
        return;
      }
      if (params.get('service') !== SERVICE) {
        record('none', 'bad-request');
        sendJson(res, 400, { error: 'invalid_request', error_description: 'unknown service' });
        return;
      }
      // GET sends one `scope` per scope; the OAuth2 form joins them with spaces.
      const scopes = params.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);

      if (req.method === 'GET') {
        const auth = req.headers.authorization ?? '';
        const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
        const colon = decoded.indexOf(':');
        const user = colon >= 0 ? decoded.slice(0, colon) : undefined;
        if (!checkPassword(user, colon >= 0 ? decoded.slice(colon + 1) : undefined)) {
          // A GET without Basic auth is an anonymous token request: grant "none".
          record(auth.startsWith('Basic ') ? 'basic' : 'none', 'rejected');
          sendJson(res, 401, { details: 'incorrect username or password' }, { 'WWW-Authenticate': 'Basic realm="credkit-test-token"' });
          return;
        }
        record('basic', 'issued', user);
        const token = makeJwt(user!, scopes);
        const answer: Record<string, unknown> = { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() };
        if (params.get('offline_token') === 'true') answer.refresh_token = newRefreshToken(user!);
        sendJson(res, 200, answer);
        return;
      }
      if (req.method === 'POST') {
        const grant = params.get('grant_type') ?? 'none';
        if (!behaviour.oauth) {
          record(grant, 'not-found');
          sendJson(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'no OAuth2 here' }] });
          return;
        }
        let user: string | undefined;
        let refresh: string | undefined;
        if (grant === 'password') {
          const candidate = params.get('username') ?? undefined;
          if (checkPassword(candidate, params.get('password') ?? undefined)) {
            user = candidate;
            if (params.get('access_type') === 'offline') refresh = newRefreshToken(candidate!);
          }
        } else if (grant === 'refresh_token') {
          const given = params.get('refresh_token') ?? '';
          user = refreshTokens.get(given);
          refresh = user !== undefined ? given : undefined;
        } else {
          record(grant, 'bad-request');
          sendJson(res, 400, { error: 'unsupported_grant_type' });
          return;
        }
        if (user === undefined) {
          record(grant, 'rejected');
          sendJson(res, 400, { error: 'invalid_grant' });
          return;
        }
        record(grant, 'issued', user);
        const answer: Record<string, unknown> = { access_token: makeJwt(user, scopes), expires_in: 300, issued_at: new Date().toISOString() };
        if (refresh !== undefined) answer.refresh_token = refresh;
        sendJson(res, 200, answer);
        return;
      }
      record('none', 'bad-request');
      sendJson(res, 405, { error: 'method not allowed' });
    };

    server = createServer({ cert: await readFile(tls.cert), key: await readFile(tls.key) }, (req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    const port = await new Promise<number>((resolvePromise, reject) => {
      server!.once('error', reject);
      server!.listen(0, '127.0.0.1', () => {
        const address = server!.address();
        resolvePromise(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
    const realm = `https://127.0.0.1:${port}/token`;

    registry = await startRegistry({
      users: {},
      tokenAuth: { realm, service: SERVICE, issuer: ISSUER, rootCertBundle: signing.cert },
    });
    const certDir = join(dir, 'certs');
    await mkdir(certDir, { mode: 0o700 });
    await writeFile(join(certDir, 'registry-ca.crt'), await readFile(registry.caFile));
    await writeFile(join(certDir, 'token-server-ca.crt'), await readFile(tls.cert));

    return { registry, host: registry.host, certDir, realm, service: SERVICE, issuer: ISSUER, behaviour, events, issuedRefreshTokens, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Registers hooks that start a token-auth registry for the calling suite and stop it after the suite (see {@link makePerSuite}). */
export function makeTokenRegistryPerSuite(options: TokenRegistryOptions, keep: (tr: TokenRegistry) => unknown): void {
  makePerSuite(() => startTokenRegistry(options), (tr) => tr.stop(), keep);
}
