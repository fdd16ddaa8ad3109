/**
 * What the consumer suites share: fixtures templated with the test registry's address, clients
 * (skopeo, podman) that can read nothing but the auth file they are given, and secret-free
 * comparisons of what a written file holds.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYAML } from 'yaml';
import { FIXTURES, run, type RunResult } from './sandbox.js';
import { containerStateFlags, type Registry } from './registry.js';

/** Throwaway registry users; the consumer fixtures hold `auth` values for exactly these. */
export const USERS = { alice: 'fake-alice-registry-pw', bob: 'fake-bob-registry-pw' } as const;

/** Every fake secret a consumer fixture holds, for "never printed" checks. */
export const FIXTURE_SECRETS = ['fake-alice-registry-pw', 'fake-bob-registry-pw', 'fake-stale-bob-pw', 'fake-hub-pw', 'fake-example-registry-pw'];

/** A fixture's text with every `{{NAME}}` replaced by `vars[NAME]`; an unknown name is an error. */
export async function renderFixture(path: string, vars: Readonly<Record<string, string>>): Promise<string> {
  const text = await readFile(join(FIXTURES, path), 'utf8');
  return text.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`fixture ${path} uses {{${name}}}, which the test did not set`);
    return value;
  });
}

/** Renders a fixture to `dest` (mode 0600) and returns `dest`. */
export async function writeFixture(dest: string, path: string, vars: Readonly<Record<string, string>>): Promise<string> {
  await writeFile(dest, await renderFixture(path, vars), { mode: 0o600 });
  return dest;
}

/** Fails when any of the given secrets appears in a command's output, without printing it. */
export function expectNoSecrets(what: string, results: readonly RunResult[], secrets: readonly string[] = FIXTURE_SECRETS): void {
  for (const r of results) {
    for (const s of secrets) {
      if (r.stdout.includes(s) || r.stderr.includes(s)) throw new Error(`${what} printed a secret`);
    }
  }
}

/** Fails with `what` (never the values) unless the condition holds. */
export function ok(condition: boolean, what: string): void {
  if (!condition) throw new Error(`expected: ${what}`);
}

/**
 * skopeo and podman for one test: a HOME and XDG_RUNTIME_DIR that hold nothing, so `--authfile`
 * is the only file they can take credentials from (containers-image-facts item 2), the registry's
 * isolated containers config, and podman's state kept in `dir`.
 */
export interface Consumers {
  skopeo(args: readonly string[], input?: string): Promise<RunResult>;
  /** `skopeo inspect --authfile FILE --cert-dir CERTS docker://REF`. */
  inspect(authFile: string, ref: string): Promise<RunResult>;
  /** `podman pull --authfile FILE --cert-dir CERTS REF` with the isolating flags. */
  podmanPull(authFile: string, ref: string): Promise<RunResult>;
}

/** Sets up {@link Consumers} under `dir` (created). */
export async function makeConsumers(registry: Registry, dir: string): Promise<Consumers> {
  const home = join(dir, 'empty-home');
  const runtime = join(dir, 'empty-run');
  const policy = join(dir, 'policy.json');
  await mkdir(home, { recursive: true, mode: 0o700 });
  await mkdir(runtime, { recursive: true, mode: 0o700 });
  // The seeded images are unsigned; the machine's policy.json must not decide.
  await writeFile(policy, '{"default":[{"type":"insecureAcceptAnything"}]}\n');
  const env = registry.clientEnv({ HOME: home, XDG_RUNTIME_DIR: runtime });
  const skopeo = (args: readonly string[], input?: string) => run('skopeo', args, { env, input });
  return {
    skopeo,
    inspect: (authFile, ref) => skopeo(['--policy', policy, 'inspect', '--authfile', authFile, '--cert-dir', registry.certDir, `docker://${ref}`]),
    podmanPull: (authFile, ref) =>
      run(
        'podman',
        [...containerStateFlags(join(dir, 'podman'), 'podman'), 'pull', '--quiet', '--signature-policy', policy, '--authfile', authFile, '--cert-dir', registry.certDir, ref],
        { env, timeoutMs: 120_000 },
      ),
  };
}

/** One entry of a decoded `.dockerconfigjson` payload, as kubectl writes it. */
export interface PayloadEntry {
  username?: string;
  password?: string;
  email?: string;
  auth?: string;
  [field: string]: unknown;
}

/** Decodes a `kubernetes.io/dockerconfigjson` Secret (YAML or JSON) into its payload object. */
export function decodePullSecret(text: string): { type: string; payload: { auths?: Record<string, PayloadEntry>; [k: string]: unknown } } {
  const secret = parseYAML(text) as { type?: string; data?: Record<string, string> };
  const data = secret.data?.['.dockerconfigjson'];
  if (data === undefined) throw new Error('the Secret has no data[.dockerconfigjson]');
  return { type: secret.type ?? '', payload: JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { auths?: Record<string, PayloadEntry> } };
}

/** `user:password` of an `auth` value, or undefined when it is not padded standard base64 with a colon. */
export function decodeAuth(auth: unknown): { username: string; password: string } | undefined {
  if (typeof auth !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(auth) || auth.length % 4 !== 0) return undefined;
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}
