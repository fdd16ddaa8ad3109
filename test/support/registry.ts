/**
 * A real Distribution registry for tests: htpasswd users, a self-signed TLS cert, storage and a
 * debug log in one temp dir, listening on 127.0.0.1 with a port the kernel picks. Start it once per
 * suite; `stop()` kills it and removes the dir (and so does process exit, if a suite forgets).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basePath, makePerSuite, run, skipUnlessPrograms, type RunResult } from './sandbox.js';

/** Options for {@link startRegistry}. */
export interface RegistryOptions {
  /** User name → password. Throwaway test values only. */
  users: Readonly<Record<string, string>>;
  /**
   * The environment to start from (default: this process's). Every `REGISTRY_*` variable is
   * removed, because Distribution maps them onto its config (REGISTRY_AUTH_FILE, set by many
   * podman users, would break the htpasswd setup).
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** Token auth instead of htpasswd: the registry trusts JWTs signed by a key in `rootCertBundle`. */
  tokenAuth?: TokenAuthConfig;
  /** Images to push once it is up (see {@link Registry.seedImage}): `repo:tag` → the user who pushes it. */
  images?: Readonly<Record<string, string>>;
}

/** The images the consumer suites read: team/app:1 pushed as alice, other/app:1 as bob. */
export const APP_IMAGES = { 'team/app:1': 'alice', 'other/app:1': 'bob' } as const;

/** Distribution's `auth: token:` settings. */
export interface TokenAuthConfig {
  realm: string;
  service: string;
  issuer: string;
  /** A PEM file with the certificate(s) whose keys sign the tokens. */
  rootCertBundle: string;
}

/** What the registry log says about one authentication attempt. */
export interface AuthEvent {
  /** accepted: valid user; rejected: a named user with a wrong password or unknown; anonymous: no credentials. */
  outcome: 'accepted' | 'rejected' | 'anonymous';
  /** The user name (absent for anonymous requests, and for accepted `/v2/` checks, which log none). */
  user?: string;
}

/** A running registry. */
export interface Registry {
  /** `127.0.0.1:PORT`, the registry key and image-name prefix. */
  readonly host: string;
  /** A directory holding only `ca.crt`, for skopeo/podman `--cert-dir`, `--dest-cert-dir`, `--src-cert-dir`. */
  readonly certDir: string;
  /** The CA certificate (the server's own self-signed cert), PEM. */
  readonly caFile: string;
  /** The registry's debug log. */
  readonly logFile: string;
  /** A position in the log; pass it to {@link Registry.authEvents} to see only what happened after. */
  logMark(): number;
  /** The authentication attempts logged since `mark` (default: since start). */
  authEvents(mark?: number): AuthEvent[];
  /** The distinct named users the registry accepted since `mark` (see {@link AuthEvent.user}). */
  acceptedUsers(mark?: number): string[];
  /** The distinct users the registry rejected (wrong password or unknown user) since `mark`. */
  rejectedUsers(mark?: number): string[];
  /**
   * Pushes a minimal image (one empty layer) to `HOST/REPO:TAG` with skopeo, authenticating as
   * `user` through a throwaway auth file. Returns the full reference.
   */
  seedImage(repoAndTag: string, user: string): Promise<string>;
  /** Writes `{"auths": {HOST: {auth}}}` for `user` (or with `password` instead of the real one) to `path`. */
  writeAuthFile(path: string, user: string, password?: string): Promise<void>;
  /** An environment for skopeo/podman: only `PATH`, `HOME` and what is given, plus isolated containers config. */
  clientEnv(extra: Record<string, string>): Record<string, string>;
  /** Kills the registry and removes its files. Safe to call twice. */
  stop(): Promise<void>;
}

const OPENSSL_CONFIG = `[req]
distinguished_name = dn
x509_extensions = v3
prompt = no
[dn]
CN = credkit test registry
[v3]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,keyCertSign
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost,DNS:registry.test
subjectKeyIdentifier = hash
`;

// Accept anything: the seeded image is unsigned, and the host's policy.json must not matter.
const POLICY = '{"default":[{"type":"insecureAcceptAnything"}]}\n';

function authConfig(dir: string, token: TokenAuthConfig | undefined): string {
  if (token === undefined) return `auth:\n  htpasswd:\n    realm: credkit-test\n    path: ${join(dir, 'htpasswd')}\n`;
  return `auth:\n  token:\n    realm: ${token.realm}\n    service: ${token.service}\n    issuer: ${token.issuer}\n    rootcertbundle: ${token.rootCertBundle}\n`;
}

function registryConfig(dir: string, token?: TokenAuthConfig): string {
  return `version: 0.1
log:
  level: debug
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, 'storage')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:0
  tls:
    certificate: ${join(dir, 'tls', 'server.crt')}
    key: ${join(dir, 'tls', 'server.key')}
${authConfig(dir, token)}`;
}

async function mustRun(cmd: string, args: readonly string[], options: Parameters<typeof run>[2]): Promise<RunResult> {
  const r = await run(cmd, args, options);
  if (r.code !== 0) throw new Error(`${cmd} ${args[0] ?? ''} failed (exit ${r.code}): ${r.stderr.trim()}`);
  return r;
}

/** The registry's environment: the given one without any `REGISTRY_*` variable. */
export function withoutRegistryVars(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !k.startsWith('REGISTRY_')) out[k] = v;
  return out;
}

/**
 * Reads the authentication outcomes out of Distribution's logfmt debug log, one per request (lines
 * are grouped by `http.request.id`). An accepted request logs `authorized request`, and its later
 * lines carry `auth.user.name=USER`, except for `/v2/` itself (what `login` checks), which logs no
 * user name. A rejected one logs `error authenticating user "USER"`; an anonymous one `invalid
 * authorization credential` (or, from containers/image, a failure for the empty user).
 */
export function parseAuthEvents(log: string): AuthEvent[] {
  const byRequest = new Map<string, AuthEvent>();
  for (const line of log.split('\n')) {
    const id = /\bhttp\.request\.id=("?)([^"\s]+)\1/.exec(line)?.[2];
    if (id === undefined) continue;
    const user = /\bauth\.user\.name=("?)([^"\s]+)\1/.exec(line)?.[2];
    // logfmt escapes the inner quotes: msg="error authenticating user \"bob\": …"
    const rejected = /error authenticating user \\"([^"\\]*)\\"/.exec(line)?.[1];
    const seen = byRequest.get(id);
    if (user !== undefined) byRequest.set(id, { outcome: 'accepted', user });
    else if (/msg="authorized request"/.test(line)) {
      if (seen === undefined) byRequest.set(id, { outcome: 'accepted' });
    } else if (rejected !== undefined) {
      // containers/image with no credentials answers a Basic challenge with an empty "user:pass",
      // which the registry logs as a failure for user "": that is still an anonymous client.
      byRequest.set(id, rejected === '' ? { outcome: 'anonymous' } : { outcome: 'rejected', user: rejected });
    } else if (/invalid authorization credential/.test(line) && seen === undefined) {
      byRequest.set(id, { outcome: 'anonymous' });
    }
  }
  return [...byRequest.values()];
}

function distinct(values: Iterable<string | undefined>): string[] {
  return [...new Set([...values].filter((v): v is string => v !== undefined))];
}

/** GET https://HOST/v2/ anonymously, trusting `ca` (PEM); resolves to the status code. */
export function pingStatus(host: string, ca: string): Promise<number> {
  const [hostname, port] = host.split(':') as [string, string];
  return new Promise((resolvePromise, reject) => {
    const req = request({ hostname, port: Number(port), path: '/v2/', method: 'GET', ca, servername: 'localhost', agent: false }, (res) => {
      res.resume();
      resolvePromise(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Global flags that keep podman or buildah (which set up container storage even for `login`) inside
 * `stateDir` instead of the machine's /var/lib/containers and /run.
 */
export function containerStateFlags(stateDir: string, program: 'podman' | 'buildah'): string[] {
  const flags = ['--root', join(stateDir, 'root'), '--runroot', join(stateDir, 'runroot'), '--storage-driver', 'vfs'];
  return program === 'podman' ? [...flags, '--tmpdir', join(stateDir, 'tmp'), '--events-backend', 'none'] : flags;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Builds a one-layer OCI image layout (empty tar layer, minimal config) in `dir`, tagged `tag`. */
export async function writeMinimalOciLayout(dir: string, tag: string): Promise<void> {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = async (data: Buffer | string, mediaType: string) => {
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
    const hex = createHash('sha256').update(buf).digest('hex');
    await writeFile(join(blobs, hex), buf);
    return { mediaType, digest: `sha256:${hex}`, size: buf.length };
  };
  // An empty tar archive is two 512-byte zero blocks; uncompressed, so its diff ID is its digest.
  const layer = await put(Buffer.alloc(1024), 'application/vnd.oci.image.layer.v1.tar');
  const config = await put(
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [layer.digest] } }),
    'application/vnd.oci.image.config.v1+json',
  );
  const manifest = await put(
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [layer] }),
    'application/vnd.oci.image.manifest.v1+json',
  );
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': tag } }] }),
  );
}

/** Starts a registry and resolves once `/v2/` answers 401 over TLS. */
export async function startRegistry(options: RegistryOptions): Promise<Registry> {
  const dir = await mkdtemp(join(tmpdir(), 'credkit-registry-'));
  let child: ChildProcess | undefined;
  let stopped = false;
  // Last resort if a suite dies without calling stop(): synchronous, as 'exit' handlers must be.
  const onExit = () => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', onExit);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    // A child that failed to spawn has no pid and will never emit exit.
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child!.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const tls = join(dir, 'tls');
    const certDir = join(dir, 'certs');
    const home = join(dir, 'home');
    for (const d of [tls, certDir, join(dir, 'storage'), home]) await mkdir(d, { recursive: true, mode: 0o700 });
    const toolEnv = { PATH: basePath(), HOME: home, LANG: 'C.UTF-8' };

    await writeFile(join(tls, 'openssl.cnf'), OPENSSL_CONFIG);
    // EC keys are generated in milliseconds; one day is plenty for a test run.
    await mustRun(
      'openssl',
      ['req', '-x509', '-config', join(tls, 'openssl.cnf'), '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
        '-nodes', '-keyout', join(tls, 'server.key'), '-out', join(tls, 'server.crt'), '-days', '1'],
      { env: toolEnv },
    );
    const ca = await readFile(join(tls, 'server.crt'), 'utf8');
    // The cert dir holds only ca.crt: containers/image refuses a *.key without a matching *.cert.
    await writeFile(join(certDir, 'ca.crt'), ca);

    const lines: string[] = [];
    for (const [user, password] of Object.entries(options.users)) {
      // -i reads the password from stdin, so it never appears in htpasswd's argv.
      const r = await mustRun('htpasswd', ['-niB', user], { input: `${password}\n`, env: toolEnv });
      lines.push(r.stdout.trim());
    }
    await writeFile(join(dir, 'htpasswd'), `${lines.join('\n')}\n`, { mode: 0o600 });
    await writeFile(join(dir, 'config.yml'), registryConfig(dir, options.tokenAuth));
    await writeFile(join(dir, 'policy.json'), POLICY);
    await writeFile(join(dir, 'registries.conf'), '');
    await writeFile(join(dir, 'containers.conf'), '');

    const logFile = join(dir, 'registry.log');
    const fd = openSync(logFile, 'a');
    try {
      child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
        env: { ...withoutRegistryVars(options.env ?? process.env), HOME: home },
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    let spawnError: Error | undefined;
    child.on('error', (e) => (spawnError = e));
    const readLog = () => readFileSync(logFile, 'utf8');

    // With port 0 the kernel picks a free port, and the registry logs the address it got.
    let host: string | undefined;
    for (let i = 0; host === undefined; i++) {
      if (spawnError) throw spawnError;
      if (child.exitCode !== null || child.signalCode !== null || i > 400) {
        throw new Error(`the registry did not start; its log:\n${readLog().slice(-2000)}`);
      }
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(readLog())?.[1];
      if (port !== undefined) host = `127.0.0.1:${port}`;
      else await sleep(25);
    }
    for (let i = 0; ; i++) {
      const status = await pingStatus(host, ca).catch(() => 0);
      if (status === 401) break;
      if (child.exitCode !== null || i > 400) {
        throw new Error(`the registry's /v2/ answered ${status}, not 401; its log:\n${readLog().slice(-2000)}`);
      }
      await sleep(25);
    }

    const users = options.users;
    const registryHost = host;
    const eventsSince = (mark = 0) => parseAuthEvents(readFileSync(logFile).subarray(mark).toString('utf8'));
    const registry: Registry = {
      host: registryHost,
      certDir,
      caFile: join(certDir, 'ca.crt'),
      logFile,
      logMark: () => readFileSync(logFile).length,
      authEvents: eventsSince,
      acceptedUsers: (mark) => distinct(eventsSince(mark).filter((e) => e.outcome === 'accepted').map((e) => e.user)),
      rejectedUsers: (mark) => distinct(eventsSince(mark).filter((e) => e.outcome === 'rejected').map((e) => e.user)),
      async writeAuthFile(path, user, password) {
        const pw = password ?? users[user];
        if (pw === undefined) throw new Error(`no such test user: ${user}`);
        const auth = Buffer.from(`${user}:${pw}`).toString('base64');
        await writeFile(path, JSON.stringify({ auths: { [registryHost]: { auth } } }), { mode: 0o600 });
      },
      clientEnv: (extra) => ({
        PATH: basePath(),
        LANG: 'C.UTF-8',
        // Neither the host's registries.conf nor its policy.json may change what a test sees.
        CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'),
        CONTAINERS_CONF: join(dir, 'containers.conf'),
        ...extra,
      }),
      async seedImage(repoAndTag, user) {
        const [repo, tag = 'latest'] = repoAndTag.split(':') as [string, string | undefined];
        const work = await mkdtemp(join(dir, 'seed-'));
        try {
          await mkdir(join(work, 'home'));
          await writeMinimalOciLayout(join(work, 'layout'), tag);
          await registry.writeAuthFile(join(work, 'auth.json'), user);
          const ref = `${registryHost}/${repo}:${tag}`;
          await mustRun(
            'skopeo',
            ['--policy', join(dir, 'policy.json'), 'copy', '--quiet', '--dest-authfile', join(work, 'auth.json'),
              '--dest-cert-dir', certDir, `oci:${join(work, 'layout')}:${tag}`, `docker://${ref}`],
            { env: registry.clientEnv({ HOME: join(work, 'home') }) },
          );
          return ref;
        } finally {
          await rm(work, { recursive: true, force: true });
        }
      },
      stop,
    };
    for (const [image, user] of Object.entries(options.images ?? {})) await registry.seedImage(image, user);
    return registry;
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Registers hooks that start a registry for the calling suite and stop it after the suite (see {@link makePerSuite}). */
export function makeRegistryPerSuite(options: RegistryOptions, keep: (registry: Registry) => unknown): void {
  makePerSuite(() => startRegistry(options), (registry) => registry.stop(), keep);
}

/**
 * The registry-log suites' set-up: the suite is skipped where a program of `programs` is missing,
 * else a registry with `users` (name → password) and the image team/app:1 pushed as alice runs
 * for it; `keep` gets the registry and the image's reference.
 */
export function makeSeededRegistryPerSuite(users: Record<string, string>, programs: readonly string[], keep: (registry: Registry, image: string) => unknown): void {
  before(async function () {
    await skipUnlessPrograms(this, [...programs]);
  });
  makeRegistryPerSuite({ users, images: { 'team/app:1': 'alice' } }, (made) => keep(made, `${made.host}/team/app:1`));
}
