/**
 * The check that matters: `credkit explain` against what the real clients do, case by case.
 * docker: the real CLI pulls through a fake engine, which records the credential docker sends in
 * X-Registry-Auth. skopeo: a real registry's log says which user skopeo authenticated as. In both,
 * explain runs with the same environment, and its username (or "none", or "error") must agree;
 * `credkit get` must return the same secret the client sent (compared, never printed).
 */
import { expect } from 'chai';
import { chown, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BIN, basePath, makeSandbox, putHelperOnPath, run, skipUnlessPrograms, writeHelperShim, type RunResult, type Sandbox } from '../support/sandbox.js';
import { decodeRegistryAuth, makeDockerSandboxPerTest, type FakeEngine } from '../support/fake-engine.js';
import { containerStateFlags, makeSeededRegistryPerSuite, type Registry } from '../support/registry.js';

const HUB_KEY = 'https://index.docker.io/v1/';
const TOKEN = 'fake-identity-token-not-real';
const auth = (user: string, password: string) => ({ auth: Buffer.from(`${user}:${password}`).toString('base64') });
/** An `auth` wrapped as `base64` wraps it (a line break every 8 characters here): Go's decoder skips \r and \n. */
const wrappedAuth = (user: string, password: string) => ({ auth: (auth(user, password).auth.match(/.{1,8}/g) ?? []).join('\r\n') });

interface ExplainedClient {
  outcome: 'credential' | 'anonymous' | 'error' | 'hang';
  credential?: { username: string; password?: string; identityToken?: string };
}

/** The answer explain gives for one client: the username, 'none' or 'error'. */
async function explainAnswer(sb: Sandbox, image: string, client: 'docker' | 'podman' | 'buildah' | 'skopeo', env: Record<string, string>, more: readonly string[] = []): Promise<string> {
  const r = await sb.credkit(['explain', image, '--as', client, '--json', ...more], '', env);
  expect(r.code, `credkit explain: ${r.stderr}`).to.equal(0);
  const parsed = JSON.parse(r.stdout) as { clients: ExplainedClient[] };
  const x = parsed.clients[0];
  if (!x) throw new Error('explain gave no client');
  return x.outcome === 'credential' ? (x.credential?.username ?? '') : x.outcome === 'anonymous' ? 'none' : x.outcome;
}

/** Asserts that no test password appears in any output. */
function expectNoSecrets(results: readonly RunResult[], secrets: readonly string[]): void {
  for (const r of results) for (const s of secrets) expect(r.stdout.includes(s) || r.stderr.includes(s), 'a secret was printed').to.equal(false);
}

describe('e2e: explain agrees with the real docker CLI (fake engine)', function () {
  const REG = 'registry.example.test';
  const PW: Record<string, string> = { alice: 'fake-alice-pw', bob: 'fake-bob-pw', carol: 'fake-carol-pw' };
  let engine: FakeEngine;
  let sb: Sandbox;

  before(async function () {
    await skipUnlessPrograms(this, ['docker']);
  });
  makeDockerSandboxPerTest({ CREDKIT_BACKEND: 'file' }, async (made) => {
    ({ engine, sb } = made);
    await putHelperOnPath(sb);
    // PATH without the system's directories, so docker's default-store detection cannot find
    // pass or secretservice on this machine: only docker itself, the credkit helper, and what
    // the scripted helpers run.
    const bin = join(sb.home, 'sysbin');
    await mkdir(bin);
    // cat and sleep for the scripted helpers.
    for (const program of ['docker', 'cat', 'sleep']) {
      const found = (await run('sh', ['-c', `command -v ${program}`], { env: { PATH: basePath() } })).stdout.trim();
      await symlink(found, join(bin, program));
    }
    sb.env.PATH = `${join(sb.home, 'bin')}:${bin}`;
  });

  interface DockerCase {
    name: string;
    config?: unknown;
    /** Raw config.json text, for files docker cannot parse. */
    text?: string;
    /** Credentials stored in credkit's helper first: server URL → user. */
    helper?: Record<string, string>;
    /** Scripted `docker-credential-NAME` helpers (and other programs) put on PATH: name → sh body. */
    fakes?: Record<string, string>;
    /** Written to ~/.docker/config.json, with DOCKER_CONFIG pointing elsewhere (where `config` goes). */
    homeConfig?: unknown;
    /** Environment for docker and credkit alike; '' unsets a variable of the sandbox. */
    env?: Record<string, string>;
    image: string;
    /** What docker sends: a username, 'none', 'error' (the pull fails), or 'hang' (it waits on a helper). */
    expected: string;
  }

  /** A helper that answers `get` with a credential for the user (a fake helper is a fixture). */
  const answers = (user: string) => `cat >/dev/null\nprintf '%s' '${JSON.stringify({ ServerURL: '', Username: user, Secret: PW[user] })}'`;

  const cases: DockerCase[] = [
    { name: 'exact host key', image: `${REG}/team/app:1`, config: { auths: { [REG]: auth('alice', PW.alice!) } }, expected: 'alice' },
    { name: 'exact host key beats a repository-scoped key', image: `${REG}/team/app:1`, config: { auths: { [`${REG}/team/app`]: auth('bob', PW.bob!), [REG]: auth('alice', PW.alice!) } }, expected: 'alice' },
    { name: 'a repository-scoped key alone is used for the whole host (hostname fallback)', image: `${REG}/other/x:1`, config: { auths: { [`${REG}/team`]: auth('bob', PW.bob!) } }, expected: 'bob' },
    { name: 'a scheme key is found by the hostname fallback', image: `${REG}/team/app:1`, config: { auths: { [`https://${REG}/v1/`]: auth('carol', PW.carol!) } }, expected: 'carol' },
    { name: 'Docker Hub: only https://index.docker.io/v1/ counts', image: 'busybox:1', config: { auths: { 'docker.io': auth('bob', PW.bob!), [HUB_KEY]: auth('alice', PW.alice!) } }, expected: 'alice' },
    { name: 'Docker Hub: a docker.io key is not used', image: 'busybox:1', config: { auths: { 'docker.io': auth('bob', PW.bob!), 'index.docker.io': auth('carol', PW.carol!) } }, expected: 'none' },
    { name: 'credHelpers (exact key) beats auths', image: `${REG}/team/app:1`, config: { auths: { [REG]: auth('alice', PW.alice!) }, credHelpers: { [REG]: 'credkit' } }, helper: { [REG]: 'carol' }, expected: 'carol' },
    { name: 'credHelpers for docker.io is not used for Hub', image: 'busybox:1', config: { auths: { [HUB_KEY]: auth('alice', PW.alice!) }, credHelpers: { 'docker.io': 'credkit' } }, helper: { 'docker.io': 'carol' }, expected: 'alice' },
    { name: 'credsStore: the helper answer, the plaintext auth is ignored', image: `${REG}/team/app:1`, config: { auths: { [REG]: auth('alice', PW.alice!) }, credsStore: 'credkit' }, helper: { [REG]: 'bob' }, expected: 'bob' },
    { name: 'credsStore with nothing stored: anonymous even with plaintext auth', image: `${REG}/team/app:1`, config: { auths: { [REG]: auth('alice', PW.alice!) }, credsStore: 'credkit' }, expected: 'none' },
    { name: 'credsStore helper not on PATH: docker pulls anonymously, silently', image: `${REG}/team/app:1`, config: { auths: { [REG]: {} }, credsStore: 'no-such-helper' }, expected: 'none' },
    { name: 'credHelpers helper not on PATH: docker silently sends the auths entry', image: `${REG}/team/app:1`, config: { auths: { [REG]: auth('alice', PW.alice!) }, credHelpers: { [REG]: 'no-such-helper' } }, expected: 'alice' },
    { name: 'an unpadded auth elsewhere: docker warns and still uses the file', image: `${REG}/team/app:1`, config: { auths: { [REG]: auth('alice', PW.alice!), 'other.example.test': { auth: 'YWxpY2U6ZmFrZS1wdw' } } }, expected: 'alice' },
    { name: 'an empty username elsewhere: docker warns and still uses the file', image: `${REG}/team/app:1`, config: { auths: { [REG]: auth('bob', PW.bob!), 'other.example.test': { auth: Buffer.from(':fake-tok').toString('base64') } } }, expected: 'bob' },
    { name: 'a value of the wrong type elsewhere: docker warns and still uses the file', image: `${REG}/team/app:1`, config: { auths: { [REG]: auth('alice', PW.alice!), 'other.example.test': { auth: 5 }, 'third.example.test': [] }, credsStore: 5 }, expected: 'alice' },
    { name: 'credHelpers[key] null: docker reads the file for that key, not credsStore', image: `${REG}/team/app:1`, config: { auths: { [REG]: auth('alice', PW.alice!) }, credHelpers: { [REG]: null }, credsStore: 'credkit' }, helper: { [REG]: 'bob' }, expected: 'alice' },
    { name: 'invalid JSON: docker carries on with an empty config', image: `${REG}/team/app:1`, text: '{"auths": {', expected: 'none' },
    { name: 'no config.json', image: `${REG}/team/app:1`, expected: 'none' },
    { name: 'text after the JSON object: docker reads the object and ignores the rest', image: `${REG}/team/app:1`, text: `${JSON.stringify({ auths: { [REG]: auth('alice', PW.alice!) } })}\n}{"auths": {}}`, expected: 'alice' },
    { name: 'two "auths" objects: docker merges them (JSON.parse would keep the last)', image: `${REG}/team/app:1`, text: `{"auths":{"${REG}":${JSON.stringify(auth('alice', PW.alice!))}},"auths":{"other.example.test":${JSON.stringify(auth('bob', PW.bob!))}}}`, expected: 'alice' },
    { name: 'two "credHelpers" objects: docker merges them', image: `${REG}/team/app:1`, text: `{"auths":{},"credHelpers":{"${REG}":"credkit"},"credHelpers":{"other.example.test":"credkit"}}`, helper: { [REG]: 'carol' }, expected: 'carol' },
    { name: 'an identity token from the helper is sent without a username', image: `${REG}/team/app:1`, config: { auths: { [REG]: {} }, credsStore: 'credkit' }, helper: { [REG]: '<token>' }, expected: '' },
    // Docker Hub, however it is named: docker asks for https://index.docker.io/v1/ only.
    { name: 'Docker Hub as docker.io/x uses the Hub key', image: 'docker.io/team/app:1', config: { auths: { [HUB_KEY]: auth('alice', PW.alice!) } }, expected: 'alice' },
    { name: 'Docker Hub as index.docker.io/x uses the Hub key', image: 'index.docker.io/team/app:1', config: { auths: { [HUB_KEY]: auth('alice', PW.alice!) } }, expected: 'alice' },
    { name: 'registry-1.docker.io is a registry of its own to docker', image: 'registry-1.docker.io/team/app:1', config: { auths: { [HUB_KEY]: auth('alice', PW.alice!), 'registry-1.docker.io': auth('bob', PW.bob!) } }, expected: 'bob' },
    { name: 'registry-1.docker.io does not use the Hub key', image: 'registry-1.docker.io/team/app:1', config: { auths: { [HUB_KEY]: auth('alice', PW.alice!) } }, expected: 'none' },
    { name: 'Docker Hub through credsStore: the helper is asked for the Hub key', image: 'busybox', config: { auths: {}, credsStore: 'credkit' }, helper: { [HUB_KEY]: 'carol', 'docker.io': 'bob' }, expected: 'carol' },
    { name: 'Docker Hub through credHelpers under the Hub key', image: 'library/busybox', config: { credHelpers: { [HUB_KEY]: 'credkit' } }, helper: { [HUB_KEY]: 'carol' }, expected: 'carol' },
    // Scheme keys, ports, case, localhost.
    { name: 'an https:// key without /v1/ is found by the hostname fallback', image: `${REG}/team/app:1`, config: { auths: { [`https://${REG}`]: auth('carol', PW.carol!) } }, expected: 'carol' },
    { name: 'an http:// key with /v2/ is found by the hostname fallback', image: `${REG}/team/app:1`, config: { auths: { [`http://${REG}/v2/`]: auth('carol', PW.carol!) } }, expected: 'carol' },
    { name: 'the exact key beats a scheme key', image: `${REG}/team/app:1`, config: { auths: { [`https://${REG}/v1/`]: auth('carol', PW.carol!), [REG]: auth('alice', PW.alice!) } }, expected: 'alice' },
    { name: 'a key without the port is not used for a registry with one', image: `${REG}:5000/team/app:1`, config: { auths: { [REG]: auth('alice', PW.alice!) } }, expected: 'none' },
    { name: 'a key with the port is used for that port', image: `${REG}:5000/team/app:1`, config: { auths: { [`${REG}:5000`]: auth('alice', PW.alice!), [REG]: auth('bob', PW.bob!) } }, expected: 'alice' },
    { name: 'a scheme key with the port is used for that port', image: `${REG}:5000/team/app:1`, config: { auths: { [`https://${REG}:5000/v1/`]: auth('carol', PW.carol!) } }, expected: 'carol' },
    { name: 'a key with a port is not used for the registry without one', image: `${REG}/team/app:1`, config: { auths: { [`${REG}:443`]: auth('alice', PW.alice!) } }, expected: 'none' },
    { name: 'an upper-case host is looked up as written: a lower-case key is not used', image: 'Registry.Example.Test/team/app:1', config: { auths: { [REG]: auth('alice', PW.alice!) } }, expected: 'none' },
    { name: 'an upper-case host is looked up as written: the same spelling is used', image: 'Registry.Example.Test/team/app:1', config: { auths: { 'Registry.Example.Test': auth('bob', PW.bob!), [REG]: auth('alice', PW.alice!) } }, expected: 'bob' },
    { name: 'an upper-case key is not used for a lower-case host', image: `${REG}/team/app:1`, config: { auths: { 'REGISTRY.EXAMPLE.TEST': auth('bob', PW.bob!) } }, expected: 'none' },
    { name: 'localhost with a port', image: 'localhost:5000/team/app:1', config: { auths: { 'localhost:5000': auth('alice', PW.alice!), localhost: auth('bob', PW.bob!) } }, expected: 'alice' },
    { name: 'localhost without a port', image: 'localhost/team/app:1', config: { auths: { localhost: auth('bob', PW.bob!) } }, expected: 'bob' },
    { name: 'localhost: a key without the port is not used for a port', image: 'localhost:5000/team/app:1', config: { auths: { localhost: auth('bob', PW.bob!) } }, expected: 'none' },
    // What an entry holds.
    { name: 'an entry with only an identitytoken sends it without a username', image: `${REG}/team/app:1`, config: { auths: { [REG]: { identitytoken: TOKEN } } }, expected: '' },
    { name: 'an auth with line breaks in it is decoded as Go does, skipping them', image: `${REG}/team/app:1`, config: { auths: { [REG]: wrappedAuth('alice', PW.alice!) } }, expected: 'alice' },
    { name: 'an empty {} entry without a credsStore: anonymous', image: `${REG}/team/app:1`, config: { auths: { [REG]: {} } }, expected: 'none' },
    { name: 'an empty {} entry with a credsStore: the helper answers', image: `${REG}/team/app:1`, config: { auths: { [REG]: {} }, credsStore: 'credkit' }, helper: { [REG]: 'bob' }, expected: 'bob' },
    { name: 'an empty config: docker\'s default store, secretservice when pass is not on PATH', image: `${REG}/team/app:1`, config: {}, fakes: { 'docker-credential-secretservice': answers('carol') }, expected: 'carol' },
    { name: 'an empty config: docker\'s default store is pass when pass is on PATH', image: `${REG}/team/app:1`, config: {}, fakes: { pass: 'exit 0', 'docker-credential-pass': answers('bob'), 'docker-credential-secretservice': answers('carol') }, expected: 'bob' },
    { name: 'an empty "auths" is no auth: docker\'s default store', image: `${REG}/team/app:1`, config: { auths: {} }, fakes: { 'docker-credential-secretservice': answers('carol') }, expected: 'carol' },
    { name: 'a credHelpers key with a scheme is not used (exact match)', image: `${REG}/team/app:1`, config: { auths: { [REG]: auth('alice', PW.alice!) }, credHelpers: { [`https://${REG}`]: 'credkit' } }, helper: { [`https://${REG}`]: 'carol' }, expected: 'alice' },
    // Helpers that fail.
    { name: 'a credsStore helper that fails: docker sends the auths entry', image: `${REG}/team/app:1`, config: { auths: { [REG]: auth('alice', PW.alice!) }, credsStore: 'fake' }, fakes: { 'docker-credential-fake': 'cat >/dev/null\necho "the keychain is locked"\nexit 1' }, expected: 'alice' },
    { name: 'a credsStore helper that says not found: anonymous, the auths entry is not sent', image: `${REG}/team/app:1`, config: { auths: { [REG]: auth('alice', PW.alice!) }, credsStore: 'fake' }, fakes: { 'docker-credential-fake': 'cat >/dev/null\necho "credentials not found in native keychain"\nexit 1' }, expected: 'none' },
    { name: 'a credsStore helper that prints no JSON: docker sends the auths entry', image: `${REG}/team/app:1`, config: { auths: { [REG]: auth('alice', PW.alice!) }, credsStore: 'fake' }, fakes: { 'docker-credential-fake': 'cat >/dev/null\necho "not json"' }, expected: 'alice' },
    { name: 'a credsStore helper not on PATH with a plaintext entry: docker sends the entry', image: `${REG}/team/app:1`, config: { auths: { [REG]: auth('alice', PW.alice!) }, credsStore: 'no-such-helper' }, expected: 'alice' },
    { name: 'a credsStore helper that does not answer: docker waits', image: `${REG}/team/app:1`, config: { auths: { [REG]: auth('alice', PW.alice!) }, credsStore: 'fake' }, fakes: { 'docker-credential-fake': 'cat >/dev/null\nsleep 4' }, env: { CREDKIT_HELPER_TIMEOUT: '1' }, expected: 'hang' },
    // Which file.
    { name: 'DOCKER_CONFIG set: ~/.docker/config.json is not read', image: `${REG}/team/app:1`, config: { auths: { [REG]: auth('alice', PW.alice!) } }, homeConfig: { auths: { [REG]: auth('bob', PW.bob!) } }, expected: 'alice' },
    { name: 'DOCKER_CONFIG set to a directory without config.json: anonymous, ~/.docker is not read', image: `${REG}/team/app:1`, homeConfig: { auths: { [REG]: auth('bob', PW.bob!) } }, expected: 'none' },
    { name: 'DOCKER_AUTH_CONFIG is not read by docker before 28.3: config.json answers', image: `${REG}/team/app:1`, config: { auths: { [REG]: auth('alice', PW.alice!) } }, env: { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [REG]: auth('carol', PW.carol!) } }) }, expected: 'alice' },
    { name: 'DOCKER_CONFIG unset: ~/.docker/config.json', image: `${REG}/team/app:1`, config: { auths: { [REG]: auth('bob', PW.bob!) } }, env: { DOCKER_CONFIG: '' }, expected: 'bob' },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      if (c.homeConfig !== undefined) {
        await writeFile(join(sb.home, '.docker', 'config.json'), JSON.stringify(c.homeConfig), { mode: 0o600 });
        sb.env.DOCKER_CONFIG = join(sb.home, 'elsewhere');
        await mkdir(sb.env.DOCKER_CONFIG);
      }
      for (const [name, value] of Object.entries(c.env ?? {})) {
        if (value === '') delete sb.env[name];
        else sb.env[name] = value;
      }
      for (const [name, body] of Object.entries(c.fakes ?? {})) await writeFile(join(sb.home, 'bin', name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
      const configPath = join(sb.env.DOCKER_CONFIG ?? join(sb.home, '.docker'), 'config.json');
      if (c.text !== undefined) await writeFile(configPath, c.text, { mode: 0o600 });
      else if (c.config !== undefined) await writeFile(configPath, JSON.stringify(c.config), { mode: 0o600 });
      for (const [url, user] of Object.entries(c.helper ?? {})) {
        const s = await sb.helper('store', `${JSON.stringify({ ServerURL: url, Username: user, Secret: PW[user] ?? TOKEN })}\n`);
        expect(s.code, s.stdout).to.equal(0);
      }
      const explained = await explainAnswer(sb, c.image, 'docker', {});
      const pull = await run('docker', ['pull', c.image], { env: sb.env, timeoutMs: c.expected === 'hang' ? 2500 : 30_000 });
      let sent: string;
      let sentPassword: string | undefined;
      if (pull.signal === 'SIGKILL') {
        sent = 'hang';
        expect(engine.pulls, 'a pull that hung reached the engine').to.have.length(0);
      } else if (pull.code !== 0) {
        sent = 'error';
        expect(engine.pulls, 'a failed pull reached the engine').to.have.length(0);
      } else {
        const header = engine.pulls.at(-1)?.registryAuth;
        const a = header ? decodeRegistryAuth(header) : {};
        // docker 28 sends an entry it could not decode with its raw "auth"; the daemon decodes it.
        const raw = a.auth ? Buffer.from(a.auth, 'base64').toString('utf8') : undefined;
        const user = a.username ?? raw?.slice(0, raw.indexOf(':'));
        sentPassword = a.password ?? a.identitytoken ?? raw?.slice(raw.indexOf(':') + 1);
        sent = user || sentPassword ? (user ?? '') : 'none';
      }
      expect({ case: c.name, explain: explained, docker: sent }).to.deep.equal({ case: c.name, explain: c.expected, docker: c.expected });
      const get = await sb.credkit(['get', c.image, '--as', 'docker']);
      if (c.expected === 'none' || c.expected === 'error' || c.expected === 'hang') {
        expect(get.code).to.equal(1);
        expect(get.stdout).to.equal('');
      } else {
        expect(get.code, get.stderr).to.equal(0);
        const got = JSON.parse(get.stdout) as { Username: string; Secret: string };
        expect(got.Username).to.equal(sent === '' ? '<token>' : sent);
        expect(got.Secret === sentPassword, 'credkit get returns the secret docker sent').to.equal(true);
      }
      expectNoSecrets([pull], [...Object.values(PW), TOKEN]);
    });
  }
});

/** A table case's working directory in the sandbox: a PATH directory with the helper shim, and credkit's file store. */
async function caseWork(sb: Sandbox): Promise<{ work: string; shimDir: string }> {
  const work = join(sb.home, 'work');
  await mkdir(work);
  const shimDir = await writeHelperShim(join(work, 'bin'));
  sb.env.CREDKIT_FILE = join(work, 'credkit.json');
  return { work, shimDir };
}

/**
 * Writes a table case's files where `paths` puts each (mode 0600, their text through `spell`,
 * which puts the registry's address in), and stores its helper credentials through credkit.
 */
async function seedCase<P extends string>(sb: Sandbox, files: Partial<Record<P, unknown>>, paths: Record<P, string>, spell: (text: string) => string, helper: readonly (readonly [url: string, user: string, secret: string])[]): Promise<void> {
  for (const [place, content] of Object.entries(files) as [P, unknown][]) {
    await mkdir(join(paths[place], '..'), { recursive: true });
    await writeFile(paths[place], spell(typeof content === 'string' ? content : JSON.stringify(content)), { mode: 0o600 });
  }
  for (const [url, user, secret] of helper) {
    const st = await sb.helper('store', `${JSON.stringify({ ServerURL: url, Username: user, Secret: secret })}\n`);
    expect(st.code, st.stdout).to.equal(0);
  }
}

/**
 * The user `tool` authenticated as, by the registry's log, when it pulled (podman, buildah) or
 * inspected (skopeo) `image`: 'none' for an anonymous pull, 'error' when it failed before any
 * request. None of `secrets` may appear in what it printed.
 */
async function sentBy(r: Registry, tool: 'podman' | 'buildah' | 'skopeo', image: string, work: string, env: Record<string, string>, secrets: readonly string[]): Promise<string> {
  const policy = join(work, 'policy.json');
  await writeFile(policy, '{"default":[{"type":"insecureAcceptAnything"}]}\n');
  const mark = r.logMark();
  const args =
    tool === 'skopeo'
      ? ['inspect', '--raw', '--cert-dir', r.certDir, `docker://${image}`]
      : [...containerStateFlags(join(work, tool), tool), 'pull', '--quiet', ...(tool === 'buildah' ? ['--retry', '0'] : []), '--signature-policy', policy, '--cert-dir', r.certDir, image];
  const res = await run(tool, args, { env, timeoutMs: 120_000 });
  expect(r.rejectedUsers(mark), 'a test password is wrong').to.deep.equal([]);
  expectNoSecrets([res], secrets);
  if (res.code === 0) return r.acceptedUsers(mark)[0] ?? 'none';
  if (/unauthorized|authentication required/i.test(res.stderr) && r.acceptedUsers(mark).length === 0) return 'none';
  expect(r.authEvents(mark), `${tool} failed after talking to the registry: ${res.stderr}`).to.deep.equal([]);
  return 'error';
}

/** Writes the sandbox's runtime auth.json, the first file podman, buildah and skopeo read: `auths`, or a text as it is. */
async function writeRuntimeAuth(s: Sandbox, auths: Record<string, unknown> | string): Promise<void> {
  const runtime = join(s.env.XDG_RUNTIME_DIR as string, 'containers');
  await mkdir(runtime, { recursive: true });
  await writeFile(join(runtime, 'auth.json'), typeof auths === 'string' ? auths : JSON.stringify({ auths }), { mode: 0o600 });
}

/** A case's work directory, with DOCKER_CONFIG unset: it would make podman and buildah start at its config.json. */
async function workWithoutDockerConfig(s: Sandbox): Promise<string> {
  const work = join(s.home, 'work');
  await mkdir(work);
  delete s.env.DOCKER_CONFIG;
  return work;
}

/**
 * The lifecycle both registry-log suites share: the real registry with `users` (their passwords),
 * an image pushed as alice, and a sandbox per test; skipped where `programs` are missing.
 */
function useRegistry(users: Record<string, string>, programs: string[]): { registry?: Registry; image: string; sb?: Sandbox } {
  const state: { registry?: Registry; image: string; sb?: Sandbox } = { image: '' };
  makeSeededRegistryPerSuite(users, programs, (made, image) => {
    state.registry = made;
    state.image = image;
  });
  beforeEach(async () => {
    state.sb = await makeSandbox({ CREDKIT_BACKEND: 'file' });
  });
  afterEach(async () => {
    await state.sb?.cleanup();
  });
  return state;
}

describe('e2e: explain agrees with real skopeo (registry log)', function () {
  const PW: Record<string, string> = { alice: 'fake-alice-pw-2', bob: 'fake-bob-pw-2', carol: 'fake-carol-pw-2' };
  const suite = useRegistry(PW, ['docker-registry', 'htpasswd', 'openssl', 'skopeo']);

  type Place = 'runtime' | 'config' | 'docker' | 'dockercfg' | 'named' | 'flagged';
  interface SkopeoCase {
    name: string;
    /** File contents per place (HOST stands for the registry's host:port). */
    files: Partial<Record<Place, unknown>>;
    /** Set REGISTRY_AUTH_FILE to the `named` file. */
    named?: boolean;
    /** Pass the `flagged` file as --authfile (to skopeo and explain alike). */
    authfile?: boolean;
    /** The image, when not HOST/team/app:1 (LOCAL stands for localhost:port, the same registry). */
    image?: string;
    helper?: Record<string, string>;
    /** What `docker-credential-fake get` prints (it reads and ignores its input). */
    fake?: string;
    expected: string;
  }

  const H = 'HOST';
  const cases: SkopeoCase[] = [
    { name: 'XDG_RUNTIME_DIR file before XDG_CONFIG_HOME file', files: { runtime: { auths: { [H]: auth('alice', PW.alice!) } }, config: { auths: { [H]: auth('bob', PW.bob!) } } }, expected: 'alice' },
    { name: 'the first file with a match wins over a more specific key later', files: { config: { auths: { [H]: auth('alice', PW.alice!) } }, docker: { auths: { [`${H}/team/app`]: auth('bob', PW.bob!) } } }, expected: 'alice' },
    { name: 'a {} entry claims its key: broader keys in that file are skipped, the next file is used', files: { runtime: { auths: { [`${H}/team/app`]: {}, [H]: auth('bob', PW.bob!) } }, docker: { auths: { [H]: auth('carol', PW.carol!) } } }, expected: 'carol' },
    { name: 'namespace key beats host key in one file', files: { docker: { auths: { [`${H}/team`]: auth('bob', PW.bob!), [H]: auth('alice', PW.alice!) } } }, expected: 'bob' },
    { name: 'exact host key beats a scheme key with a repository path', files: { docker: { auths: { [`https://${H}/team/app`]: auth('bob', PW.bob!), [H]: auth('alice', PW.alice!) } } }, expected: 'alice' },
    { name: 'a scheme key alone counts for the whole registry', files: { docker: { auths: { [`https://${H}/other`]: auth('carol', PW.carol!) } } }, expected: 'carol' },
    { name: 'a trailing slash key never matches', files: { docker: { auths: { [`${H}/team/`]: auth('bob', PW.bob!) } } }, expected: 'none' },
    { name: 'an http://https:// key loses both schemes and counts for the registry', files: { docker: { auths: { [`http://https://${H}/v1/`]: auth('carol', PW.carol!) } } }, expected: 'carol' },
    { name: 'legacy ~/.dockercfg is read last', files: { dockercfg: { [`https://${H}/v1/`]: { ...auth('carol', PW.carol!), email: 'c@example.test' } } }, expected: 'carol' },
    { name: 'REGISTRY_AUTH_FILE replaces the runtime file but the others are still read', named: true, files: { named: { auths: {} }, runtime: { auths: { [H]: auth('alice', PW.alice!) } }, docker: { auths: { [H]: auth('bob', PW.bob!) } } }, expected: 'bob' },
    { name: 'credHelpers in a file takes over (credkit helper)', files: { config: { auths: { [H]: auth('alice', PW.alice!) }, credHelpers: { [H]: 'credkit' } } }, helper: { [H]: 'carol' }, expected: 'carol' },
    { name: 'a helper answering "<token>" with an empty secret has nothing: the next file is used', files: { config: { credHelpers: { [H]: 'fake' } }, docker: { auths: { [H]: auth('bob', PW.bob!) } } }, fake: '{"ServerURL":"","Username":"<token>","Secret":""}', expected: 'bob' },
    { name: 'credHelpers with nothing stored: the next file is used', files: { config: { credHelpers: { [H]: 'credkit' } }, docker: { auths: { [H]: auth('bob', PW.bob!) } } }, expected: 'bob' },
    { name: 'a broken file later in the chain is not read when an earlier one matched', files: { runtime: { auths: { [H]: auth('alice', PW.alice!) } }, docker: 'not json' }, expected: 'alice' },
    { name: 'a broken file reached by the search fails the lookup', files: { docker: 'not json' }, expected: 'error' },
    { name: 'an unpadded auth is a hard error', files: { docker: { auths: { [H]: { auth: Buffer.from(`bob:${PW.bob}`).toString('base64').replace(/=+$/, '') } } } }, expected: 'error' },
    { name: 'username/password fields alone are ignored', files: { docker: { auths: { [H]: { username: 'bob', password: PW.bob } } } }, expected: 'none' },
    { name: 'fields containers/image never decodes may have any type', files: { docker: { auths: { [H]: { ...auth('alice', PW.alice!), email: 5, username: {} } }, credsStore: 5 } }, expected: 'alice' },
    { name: 'a null entry claims its key as {} does', files: { runtime: { auths: { [`${H}/team/app`]: null, [H]: auth('alice', PW.alice!) } }, docker: { auths: { [H]: auth('bob', PW.bob!) } } }, expected: 'bob' },
    { name: 'a null document is an empty file', files: { runtime: 'null', docker: { auths: { [H]: auth('bob', PW.bob!) } } }, expected: 'bob' },
    { name: 'two "auths" members are merged, as Go decodes them', files: { docker: `{"auths": {"${H}": ${JSON.stringify(auth('alice', PW.alice!))}}, "auths": {"other.example.test": {}}}` }, expected: 'alice' },
    { name: 'nothing anywhere: anonymous', files: {}, expected: 'none' },
    { name: 'an auth with line breaks in it is decoded as Go does, skipping them', files: { docker: { auths: { [H]: wrappedAuth('alice', PW.alice!) } } }, expected: 'alice' },
    { name: 'an auth without ":" claims its key as {} does (a warning, not an error)', files: { runtime: { auths: { [`${H}/team/app`]: { auth: Buffer.from('fake-no-colon').toString('base64') }, [H]: auth('alice', PW.alice!) } }, docker: { auths: { [H]: auth('bob', PW.bob!) } } }, expected: 'bob' },
    { name: 'an entry with only an identitytoken claims its key as {} does', files: { runtime: { auths: { [H]: { identitytoken: 'fake-identity-token' } } }, docker: { auths: { [H]: auth('bob', PW.bob!) } } }, expected: 'bob' },
    { name: 'an empty auth string claims its key as {} does', files: { runtime: { auths: { [`${H}/team`]: { auth: '' }, [H]: auth('alice', PW.alice!) } }, config: { auths: { [H]: auth('carol', PW.carol!) } } }, expected: 'carol' },
    // Repository-scoped keys.
    { name: 'the full repository key beats the namespace key', files: { docker: { auths: { [`${H}/team/app`]: auth('carol', PW.carol!), [`${H}/team`]: auth('bob', PW.bob!), [H]: auth('alice', PW.alice!) } } }, expected: 'carol' },
    { name: 'a key for another repository is not used', files: { docker: { auths: { [`${H}/other`]: auth('bob', PW.bob!) } } }, expected: 'none' },
    { name: 'a key for another repository beside a host key: the host key', files: { docker: { auths: { [`${H}/other`]: auth('bob', PW.bob!), [H]: auth('alice', PW.alice!) } } }, expected: 'alice' },
    { name: 'a key deeper than the repository is not used', files: { docker: { auths: { [`${H}/team/app/sub`]: auth('bob', PW.bob!) } } }, expected: 'none' },
    { name: 'a namespace key in a later file loses to a host key in an earlier one', files: { runtime: { auths: { [H]: auth('alice', PW.alice!) } }, config: { auths: { [`${H}/team`]: auth('bob', PW.bob!) } } }, expected: 'alice' },
    { name: 'a namespace key in an earlier file beats a full repository key in a later one', files: { config: { auths: { [`${H}/team`]: auth('bob', PW.bob!) } }, docker: { auths: { [`${H}/team/app`]: auth('carol', PW.carol!) } } }, expected: 'bob' },
    // The chain of files.
    { name: 'REGISTRY_AUTH_FILE is read first', named: true, files: { named: { auths: { [H]: auth('alice', PW.alice!) } }, config: { auths: { [H]: auth('bob', PW.bob!) } } }, expected: 'alice' },
    { name: '--authfile is read first, before REGISTRY_AUTH_FILE\'s file', named: true, authfile: true, files: { flagged: { auths: { [H]: auth('carol', PW.carol!) } }, named: { auths: { [H]: auth('alice', PW.alice!) } } }, expected: 'carol' },
    { name: '--authfile replaces REGISTRY_AUTH_FILE: that file is not read', named: true, authfile: true, files: { flagged: { auths: {} }, named: { auths: { [H]: auth('alice', PW.alice!) } }, docker: { auths: { [H]: auth('bob', PW.bob!) } } }, expected: 'bob' },
    { name: '--authfile takes the XDG_RUNTIME_DIR file\'s place; without a match there, the later files are still read', authfile: true, files: { flagged: { auths: {} }, runtime: { auths: { [H]: auth('alice', PW.alice!) } }, config: { auths: { [H]: auth('bob', PW.bob!) } } }, expected: 'bob' },
    { name: 'credHelpers in docker\'s config.json are used', files: { docker: { auths: { [H]: auth('alice', PW.alice!) }, credHelpers: { [H]: 'credkit' } } }, helper: { [H]: 'carol' }, expected: 'carol' },
    { name: 'credsStore in docker\'s config.json is not used', files: { docker: { auths: { [H]: auth('alice', PW.alice!) }, credsStore: 'credkit' } }, helper: { [H]: 'carol' }, expected: 'alice' },
    { name: 'a credHelpers helper that fails aborts the lookup', files: { config: { credHelpers: { [H]: 'fake' } }, docker: { auths: { [H]: auth('bob', PW.bob!) } } }, fake: 'locked', expected: 'error' },
    { name: 'a credHelpers helper not on PATH aborts the lookup', files: { config: { credHelpers: { [H]: 'no-such-helper' } }, docker: { auths: { [H]: auth('bob', PW.bob!) } } }, expected: 'error' },
    { name: 'credHelpers for another registry leaves this one to auths', files: { config: { credHelpers: { 'other.example.test': 'credkit' }, auths: { [H]: auth('alice', PW.alice!) } } }, expected: 'alice' },
    // Spellings of the registry.
    { name: 'the registry as localhost:port does not use the 127.0.0.1:port key', image: 'LOCAL/team/app:1', files: { docker: { auths: { [H]: auth('alice', PW.alice!) } } }, expected: 'none' },
    { name: 'the registry as localhost:port uses its own key', image: 'LOCAL/team/app:1', files: { docker: { auths: { LOCAL: auth('bob', PW.bob!), [H]: auth('alice', PW.alice!) } } }, expected: 'bob' },
    { name: 'a key without the port is not used', files: { docker: { auths: { '127.0.0.1': auth('alice', PW.alice!) } } }, expected: 'none' },
    { name: 'a scheme key with the port counts for the registry', files: { docker: { auths: { [`https://${H}`]: auth('carol', PW.carol!) } } }, expected: 'carol' },
    { name: 'an upper-case host is looked up as written', image: 'UPPERLOCAL/team/app:1', files: { docker: { auths: { LOCAL: auth('alice', PW.alice!) } } }, expected: 'none' },
  ];

  for (const c of cases) {
    it(c.name, async function () {
      const r = suite.registry!;
      const s = suite.sb!;
      const { work, shimDir } = await caseWork(s);
      if (c.fake === 'locked') await writeFile(join(shimDir, 'docker-credential-fake'), '#!/bin/sh\ncat >/dev/null\necho "the keychain is locked"\nexit 1\n', { mode: 0o755 });
      else if (c.fake !== undefined) await writeFile(join(shimDir, 'docker-credential-fake'), `#!/bin/sh\ncat >/dev/null\nprintf '%s' '${c.fake}'\n`, { mode: 0o755 });
      const paths: Record<Place, string> = {
        runtime: join(s.env.XDG_RUNTIME_DIR as string, 'containers', 'auth.json'),
        config: join(s.env.XDG_CONFIG_HOME as string, 'containers', 'auth.json'),
        docker: join(s.env.DOCKER_CONFIG as string, 'config.json'),
        dockercfg: join(s.home, '.dockercfg'),
        named: join(work, 'named.json'),
        flagged: join(work, 'flagged.json'),
      };
      const local = r.host.replace(/^127\.0\.0\.1:/, 'localhost:');
      const spelt: Record<string, string> = { UPPERLOCAL: local.toUpperCase(), LOCAL: local, [H]: r.host };
      const spell = (text: string) => text.replace(/UPPERLOCAL|LOCAL|HOST/g, (t) => spelt[t] ?? t);
      const target = c.image === undefined ? suite.image : spell(c.image);
      await seedCase(s, c.files, paths, spell, Object.entries(c.helper ?? {}).map(([url, user]) => [url.replaceAll(H, r.host), user, PW[user] ?? '']));
      const env = r.clientEnv({ ...s.env, PATH: `${shimDir}:${basePath()}`, ...(c.named ? { REGISTRY_AUTH_FILE: paths.named } : {}) });
      const flag = c.authfile ? ['--authfile', paths.flagged] : [];
      // The sandbox sets DOCKER_CONFIG, which sets podman's first file apart from skopeo inspect's.
      const explained = await explainAnswer(s, target, 'skopeo', env, flag);

      const mark = r.logMark();
      // --raw reads only the manifest: no blob-info cache is written.
      const res = await run('skopeo', ['inspect', '--raw', '--cert-dir', r.certDir, ...flag, `docker://${target}`], { env });
      const accepted = r.acceptedUsers(mark);
      const rejected = r.rejectedUsers(mark);
      expect(rejected, 'the registry rejected a user: a test password is wrong').to.deep.equal([]);
      let sent: string;
      if (res.code === 0) {
        expect(accepted).to.have.length(1);
        sent = accepted[0] as string;
      } else if (/unauthorized|authentication required/i.test(res.stderr)) {
        expect(accepted).to.deep.equal([]);
        sent = 'none';
      } else {
        expect(r.authEvents(mark), 'skopeo failed before talking to the registry').to.deep.equal([]);
        sent = 'error';
      }
      expect({ case: c.name, explain: explained, skopeo: sent }).to.deep.equal({ case: c.name, explain: c.expected, skopeo: c.expected });
      if (c.expected !== 'none' && c.expected !== 'error') {
        const get = await s.credkit(['get', target, '--as', 'skopeo', ...flag], '', env);
        expect(get.code, get.stderr).to.equal(0);
        const got = JSON.parse(get.stdout) as { ServerURL: string; Username: string; Secret: string };
        expect(got.ServerURL).to.equal(target.slice(0, target.indexOf('/')));
        expect(got.Username).to.equal(c.expected);
        expect(got.Secret === PW[c.expected], 'credkit get returns the password skopeo used').to.equal(true);
      }
      expectNoSecrets([res], Object.values(PW));
    });
  }
});

describe('e2e: explain agrees with real podman and buildah (--as podman, --as buildah) where DOCKER_CONFIG sets them apart from skopeo (registry log)', function () {
  const PW: Record<string, string> = { alice: 'fake-alice-pw-3', bob: 'fake-bob-pw-3', carol: 'fake-carol-pw-3' };
  const suite = useRegistry(PW, ['docker-registry', 'htpasswd', 'openssl', 'skopeo', 'podman', 'buildah']);

  type Place = 'runtime' | 'config' | 'docker' | 'homeDocker' | 'named' | 'flagged' | 'dockercfg';
  interface PodmanCase {
    name: string;
    /** File contents per place (HOST stands for the registry's host:port); `docker` is $DOCKER_CONFIG/config.json. */
    files: Partial<Record<Place, unknown>>;
    /** DOCKER_CONFIG: the sandbox's (default), another directory (`elsewhere`), or unset (`unset`, docker's ~/.docker). */
    dockerConfig?: 'elsewhere' | 'unset';
    named?: boolean;
    /** `--authfile FILE` (the `flagged` file), or `--authfile ""` (`'empty'`). */
    authfile?: boolean | 'empty';
    helper?: Record<string, string>;
    /** What podman pull (and buildah pull, unless `buildah` says) send: a username, 'none' or 'error' (they fail before any request). */
    expected: string;
    /** What buildah pull sends where it differs from podman. */
    buildah?: string;
    /** What skopeo inspect sends, from the same files. */
    skopeo: string;
  }

  const H = 'HOST';
  const cases: PodmanCase[] = [
    { name: 'DOCKER_CONFIG set: its config.json first, the runtime auth.json never read', files: { runtime: { auths: { [H]: auth('alice', PW.alice!) } }, docker: { auths: { [H]: auth('bob', PW.bob!) } } }, expected: 'bob', skopeo: 'alice' },
    { name: 'DOCKER_CONFIG set, no match in its config.json: ~/.config/containers/auth.json next, still not the runtime file', files: { runtime: { auths: { [H]: auth('alice', PW.alice!) } }, config: { auths: { [H]: auth('carol', PW.carol!) } }, docker: { auths: {} } }, expected: 'carol', skopeo: 'alice' },
    { name: 'DOCKER_CONFIG names a directory without config.json: podman and buildah fail', dockerConfig: 'elsewhere', files: { runtime: { auths: { [H]: auth('alice', PW.alice!) } }, homeDocker: { auths: { [H]: auth('bob', PW.bob!) } } }, expected: 'error', skopeo: 'alice' },
    { name: 'DOCKER_CONFIG set: credHelpers in its config.json answer first', files: { runtime: { auths: { [H]: auth('alice', PW.alice!) } }, docker: { credHelpers: { [H]: 'credkit' } } }, helper: { [H]: 'carol' }, expected: 'carol', skopeo: 'alice' },
    // What ls's note on a ~/.dockercfg key with a path relies on: podman and buildah read the file with DOCKER_CONFIG set too.
    { name: 'DOCKER_CONFIG set, no match in any other file: ~/.dockercfg is still read, by all three', files: { dockercfg: { [H]: auth('bob', PW.bob!) }, docker: { auths: {} } }, expected: 'bob', skopeo: 'bob' },
    { name: 'REGISTRY_AUTH_FILE beats DOCKER_CONFIG as the first file, for all three', named: true, files: { named: { auths: { [H]: auth('alice', PW.alice!) } }, docker: { auths: { [H]: auth('bob', PW.bob!) } } }, expected: 'alice', skopeo: 'alice' },
    { name: '--authfile beats DOCKER_CONFIG as the first file, for all three', authfile: true, files: { flagged: { auths: { [H]: auth('carol', PW.carol!) } }, docker: { auths: { [H]: auth('bob', PW.bob!) } } }, expected: 'carol', skopeo: 'carol' },
    { name: 'DOCKER_CONFIG unset: the runtime auth.json first, for all three', dockerConfig: 'unset', files: { runtime: { auths: { [H]: auth('alice', PW.alice!) } }, homeDocker: { auths: { [H]: auth('bob', PW.bob!) } } }, expected: 'alice', skopeo: 'alice' },
    // Scoped keys and credHelpers: buildah 1.28 looks up as podman 4.3 does, in its own order of files.
    { name: 'DOCKER_CONFIG set: a namespace key in its config.json beats the host key there, for podman and buildah', files: { docker: { auths: { [`${H}/team`]: auth('bob', PW.bob!), [H]: auth('alice', PW.alice!) } } }, expected: 'bob', skopeo: 'bob' },
    { name: 'DOCKER_CONFIG set: a namespace key in ~/.config/containers/auth.json loses to a host key in $DOCKER_CONFIG/config.json for podman and buildah, not for skopeo', files: { config: { auths: { [`${H}/team`]: auth('bob', PW.bob!) } }, docker: { auths: { [H]: auth('carol', PW.carol!) } } }, expected: 'carol', skopeo: 'bob' },
    { name: 'DOCKER_CONFIG set: a {} repository key in its config.json claims the key, so ~/.config/containers/auth.json answers', files: { docker: { auths: { [`${H}/team/app`]: {}, [H]: auth('alice', PW.alice!) } }, config: { auths: { [H]: auth('carol', PW.carol!) } } }, expected: 'carol', skopeo: 'carol' },
    { name: 'DOCKER_CONFIG unset: credHelpers in ~/.config/containers/auth.json beat a later host key', dockerConfig: 'unset', files: { config: { credHelpers: { [H]: 'credkit' } }, homeDocker: { auths: { [H]: auth('alice', PW.alice!) } } }, helper: { [H]: 'bob' }, expected: 'bob', skopeo: 'bob' },
    // buildah 1.28's getAuthFile falls back to REGISTRY_AUTH_FILE for an empty --authfile; podman and skopeo take their own first file.
    { name: '--authfile "" with REGISTRY_AUTH_FILE set: buildah reads that file first, podman and skopeo the runtime file', named: true, authfile: 'empty', files: { named: { auths: { [H]: auth('bob', PW.bob!) } }, runtime: { auths: { [H]: auth('alice', PW.alice!) } } }, expected: 'alice', buildah: 'bob', skopeo: 'alice' },
    { name: '--authfile "" with REGISTRY_AUTH_FILE naming no file: buildah reads it as empty and goes on, past the runtime file', named: true, authfile: 'empty', files: { runtime: { auths: { [H]: auth('alice', PW.alice!) } }, docker: { auths: { [`${H}/team`]: auth('carol', PW.carol!) } } }, expected: 'alice', buildah: 'carol', skopeo: 'alice' },
  ];

  for (const c of cases) {
    it(c.name, async function () {
      const r = suite.registry!;
      const s = suite.sb!;
      const { work, shimDir } = await caseWork(s);
      if (c.dockerConfig === 'unset') delete s.env.DOCKER_CONFIG;
      if (c.dockerConfig === 'elsewhere') await mkdir((s.env.DOCKER_CONFIG = join(s.home, 'elsewhere')));
      const paths: Record<Place, string> = {
        runtime: join(s.env.XDG_RUNTIME_DIR as string, 'containers', 'auth.json'),
        config: join(s.env.XDG_CONFIG_HOME as string, 'containers', 'auth.json'),
        docker: join(s.env.DOCKER_CONFIG ?? join(s.home, '.docker'), 'config.json'),
        homeDocker: join(s.home, '.docker', 'config.json'),
        named: join(work, 'named.json'),
        flagged: join(work, 'flagged.json'),
        dockercfg: join(s.home, '.dockercfg'),
      };
      await seedCase(s, c.files, paths, (text) => text.replaceAll(H, r.host), Object.entries(c.helper ?? {}).map(([url, user]) => [url.replaceAll(H, r.host), user, PW[user] ?? '']));
      const env = r.clientEnv({ ...s.env, PATH: `${shimDir}:${basePath()}`, ...(c.named ? { REGISTRY_AUTH_FILE: paths.named } : {}) });
      const flag = c.authfile === 'empty' ? ['--authfile', ''] : c.authfile ? ['--authfile', paths.flagged] : [];
      const policy = join(work, 'policy.json');
      await writeFile(policy, '{"default":[{"type":"insecureAcceptAnything"}]}\n');
      const sent = async (program: 'podman' | 'buildah'): Promise<[string, RunResult]> => {
        const mark = r.logMark();
        const res = await run(program, [...containerStateFlags(join(work, program), program), 'pull', '--quiet', '--signature-policy', policy, '--cert-dir', r.certDir, ...flag, suite.image], { env, timeoutMs: 120_000 });
        expect(r.rejectedUsers(mark), 'the registry rejected a user: a test password is wrong').to.deep.equal([]);
        const accepted = r.acceptedUsers(mark);
        if (res.code === 0) return [accepted[0] ?? 'none', res];
        expect(r.authEvents(mark), `${program} failed after talking to the registry: ${res.stderr}`).to.deep.equal([]);
        return ['error', res];
      };
      const [podman, podmanRun] = await sent('podman');
      const [buildah, buildahRun] = await sent('buildah');
      const mark = r.logMark();
      const inspect = await run('skopeo', ['inspect', '--raw', '--cert-dir', r.certDir, ...flag, `docker://${suite.image}`], { env });
      const skopeo = inspect.code === 0 ? (r.acceptedUsers(mark)[0] ?? 'none') : 'error';
      const explained = await explainAnswer(s, suite.image, 'podman', env, flag);
      const explainedBuildah = await explainAnswer(s, suite.image, 'buildah', env, flag);
      const explainedSkopeo = await explainAnswer(s, suite.image, 'skopeo', env, flag);
      const wantBuildah = c.buildah ?? c.expected;
      expect({ case: c.name, explain: explained, podman, explainBuildah: explainedBuildah, buildah, explainSkopeo: explainedSkopeo, skopeo }).to.deep.equal({ case: c.name, explain: c.expected, podman: c.expected, explainBuildah: wantBuildah, buildah: wantBuildah, explainSkopeo: c.skopeo, skopeo: c.skopeo });
      for (const [client, user] of [['podman', c.expected], ['buildah', wantBuildah]] as const) {
        if (user === 'error' || user === 'none') continue;
        const get = await s.credkit(['get', suite.image, '--as', client, ...flag], '', env);
        expect(get.code, get.stderr).to.equal(0);
        const got = JSON.parse(get.stdout) as { Username: string; Secret: string };
        expect(got.Username).to.equal(user);
        expect(got.Secret === PW[user], `credkit get --as ${client} returns the password ${client} used`).to.equal(true);
      }
      // A section of its own by default only where buildah's answer may differ from podman's.
      const all = await s.credkit(['explain', suite.image, '--json', ...flag], '', env);
      const shown = (JSON.parse(all.stdout) as { clients: { client: string }[] }).clients.map((x) => x.client);
      expect(shown.includes('buildah'), 'explain shows buildah apart').to.equal(c.buildah !== undefined);
      expectNoSecrets([podmanRun, buildahRun, inspect], Object.values(PW));
    });
  }
});

describe('e2e: explain agrees with podman, buildah and skopeo run as root whatever XDG_RUNTIME_DIR names (registry log)', function () {
  const PW: Record<string, string> = { alice: 'fake-alice-pw-4', bob: 'fake-bob-pw-4' };
  const suite = useRegistry(PW, ['docker-registry', 'htpasswd', 'openssl', 'skopeo', 'podman', 'buildah']);
  before(function () {
    // As another user, podman and buildah check the directory itself (e2e: rootless-podman).
    if (process.getuid?.() !== 0) this.skip();
  });

  // ~/.config/containers/auth.json holds bob; a runtime directory that is there holds alice.
  const cases: { name: string; dir: 'missing' | 'relative' | 'relative-missing' | 'empty' | 'another-users'; expected: string }[] = [
    { name: 'a directory that does not exist: all three warn, skip its auth.json and read the next file', dir: 'missing', expected: 'bob' },
    { name: 'a relative path to nothing: the same', dir: 'relative-missing', expected: 'bob' },
    { name: 'a relative path: read from the directory each runs in', dir: 'relative', expected: 'alice' },
    { name: 'another user\'s directory: root is no rootless podman, all three read it', dir: 'another-users', expected: 'alice' },
    { name: 'empty: as if unset, /run/containers/0/auth.json, which has nothing for this registry', dir: 'empty', expected: 'bob' },
  ];

  for (const c of cases) {
    it(c.name, async function () {
      const r = suite.registry!;
      const s = suite.sb!;
      const work = await workWithoutDockerConfig(s);
      await mkdir(join(s.env.XDG_CONFIG_HOME as string, 'containers'), { recursive: true });
      await r.writeAuthFile(join(s.env.XDG_CONFIG_HOME as string, 'containers', 'auth.json'), 'bob');
      const dir = { missing: join(work, 'nope'), relative: 'rt', 'relative-missing': 'nope', empty: '', 'another-users': join(work, 'rt') }[c.dir];
      if (c.dir === 'relative' || c.dir === 'another-users') {
        const made = resolve(s.home, dir);
        await mkdir(join(made, 'containers'), { recursive: true });
        await r.writeAuthFile(join(made, 'containers', 'auth.json'), 'alice');
        if (c.dir === 'another-users') await chown(made, 65534, 65534);
      }
      const env = r.clientEnv({ ...s.env, PATH: basePath(), XDG_RUNTIME_DIR: dir });
      const policy = join(work, 'policy.json');
      await writeFile(policy, '{"default":[{"type":"insecureAcceptAnything"}]}\n');
      const sent = async (tool: 'podman' | 'buildah' | 'skopeo'): Promise<string> => {
        const mark = r.logMark();
        const args = tool === 'skopeo' ? ['inspect', '--raw', '--cert-dir', r.certDir, `docker://${suite.image}`] : [...containerStateFlags(join(work, tool), tool), 'pull', '--quiet', '--signature-policy', policy, '--cert-dir', r.certDir, suite.image];
        const res = await run(tool, args, { env, cwd: s.home, timeoutMs: 120_000 });
        expect(r.rejectedUsers(mark), 'a test password is wrong').to.deep.equal([]);
        expectNoSecrets([res], Object.values(PW));
        return res.code === 0 ? (r.acceptedUsers(mark)[0] ?? 'none') : 'error';
      };
      const explained = async (tool: 'podman' | 'buildah' | 'skopeo'): Promise<string> => {
        const res = await run(process.execPath, [BIN.credkit, 'explain', suite.image, '--json', '--as', tool], { env, cwd: s.home });
        expect(res.code, res.stderr).to.equal(0);
        const x = (JSON.parse(res.stdout) as { clients: ExplainedClient[] }).clients[0]!;
        return x.outcome === 'credential' ? (x.credential?.username ?? '') : x.outcome === 'anonymous' ? 'none' : x.outcome;
      };
      const real = { podman: await sent('podman'), buildah: await sent('buildah'), skopeo: await sent('skopeo') };
      const said = { podman: await explained('podman'), buildah: await explained('buildah'), skopeo: await explained('skopeo') };
      const want = { podman: c.expected, buildah: c.expected, skopeo: c.expected };
      expect({ case: c.name, real, said }).to.deep.equal({ case: c.name, real: want, said: want });
      const get = await run(process.execPath, [BIN.credkit, 'get', suite.image, '--as', 'podman'], { env, cwd: s.home });
      expect(get.code, get.stderr).to.equal(0);
      const got = JSON.parse(get.stdout) as { Username: string; Secret: string };
      expect(got.Username).to.equal(c.expected);
      expect(got.Secret === PW[c.expected], 'credkit get returns the password podman sent').to.equal(true);
    });
  }
});

describe('e2e: explain agrees with real podman and buildah on short names, which they resolve through registries.conf (registry log)', function () {
  const PW: Record<string, string> = { alice: 'fake-alice-pw-5', bob: 'fake-bob-pw-5' };
  const suite = useRegistry(PW, ['docker-registry', 'htpasswd', 'openssl', 'skopeo', 'podman', 'buildah']);

  // The runtime auth.json: alice for the registry, bob for its team/ namespace. HOST is the
  // registry's address; the image is HOST/team/app:1. Names are unlike any alias a system file sets.
  const cases: { name: string; conf: string; short: string; expected: string }[] = [
    { name: 'a short-name alias (its tag kept): the namespace key of the target answers', conf: '[aliases]\n"credkit-e2e-alias" = "HOST/team/app"\n', short: 'credkit-e2e-alias:1', expected: 'bob' },
    { name: 'the one unqualified-search registry', conf: 'unqualified-search-registries = ["HOST"]\n', short: 'team/app:1', expected: 'bob' },
    { name: 'several search registries, no terminal: the first that has the image', conf: 'unqualified-search-registries = ["HOST", "credkit-e2e.invalid"]\n', short: 'team/app:1', expected: 'bob' },
    { name: 'several search registries, enforcing, no terminal: they fail before any request', conf: 'unqualified-search-registries = ["HOST", "credkit-e2e.invalid"]\nshort-name-mode = "enforcing"\n', short: 'team/app:1', expected: 'error' },
    { name: 'no alias and no search registry: they fail before any request', conf: '', short: 'credkit-e2e-nothing:1', expected: 'error' },
    { name: 'an alias with a tag: they refuse the file, and fail before any request', conf: '[aliases]\n"credkit-e2e-alias" = "HOST/team/app:1"\n', short: 'credkit-e2e-alias', expected: 'error' },
  ];

  for (const c of cases) {
    it(c.name, async function () {
      const r = suite.registry!;
      const s = suite.sb!;
      const work = await workWithoutDockerConfig(s);
      await writeRuntimeAuth(s, { [r.host]: auth('alice', PW.alice!), [`${r.host}/team`]: auth('bob', PW.bob!) });
      const conf = join(work, 'registries.conf');
      await writeFile(conf, c.conf.replaceAll('HOST', r.host));
      const env = r.clientEnv({ ...s.env, PATH: basePath(), CONTAINERS_REGISTRIES_CONF: conf });
      const sent = (tool: 'podman' | 'buildah') => sentBy(r, tool, c.short, work, env, Object.values(PW));
      const real = { podman: await sent('podman'), buildah: await sent('buildah') };
      const said = { podman: await explainAnswer(s, c.short, 'podman', env), buildah: await explainAnswer(s, c.short, 'buildah', env) };
      const want = { podman: c.expected, buildah: c.expected };
      expect({ case: c.name, real, said }).to.deep.equal({ case: c.name, real: want, said: want });
      // skopeo reads the short name as Docker Hub's: its own section, its own answer.
      const all = await s.credkit(['explain', c.short, '--json'], '', env);
      const shown = (JSON.parse(all.stdout) as { clients: { client: string; query: string }[] }).clients.map((x) => `${x.client} ${x.query}`);
      expect(shown.some((x) => x.startsWith('skopeo docker.io/'))).to.equal(true);
      if (c.expected === 'error') return;
      const get = await s.credkit(['get', c.short, '--as', 'podman'], '', env);
      expect(get.code, get.stderr).to.equal(0);
      const got = JSON.parse(get.stdout) as { Username: string; Secret: string };
      expect(got.Username).to.equal(c.expected);
      expect(got.Secret === PW[c.expected], 'credkit get returns the password podman sent').to.equal(true);
    });
  }
});

describe('e2e: explain agrees with real podman, buildah and skopeo on registries.conf credential-helpers (registry log)', function () {
  const PW: Record<string, string> = { alice: 'fake-alice-pw-6', carol: 'fake-carol-pw-6' };
  const suite = useRegistry(PW, ['docker-registry', 'htpasswd', 'openssl', 'skopeo', 'podman', 'buildah']);

  // The user's registries.conf (which podman, buildah and skopeo all read) holds `conf`, and a
  // drop-in `dropIn`; or, with `variable`, the file CONTAINERS_REGISTRIES_CONF names, which podman
  // and buildah read instead and skopeo never does. The runtime auth.json holds alice for the
  // registry (or `authFile`); credkit's store holds carol when `credkit` is set;
  // `docker-credential-fake get` fails.
  interface HelpersCase {
    name: string;
    conf: string;
    dropIn?: string;
    variable?: boolean;
    /** The file `conf` would go in is a directory instead (`variable`: is not there at all). */
    notAFile?: boolean;
    authFile?: string;
    credkit?: boolean;
    /** What all three send, or podman and buildah (`[podman, skopeo]`). */
    expected: string | [string, string];
  }
  const both = 'credential-helpers = ["credkit", "containers-auth.json"]\n';
  const cases: HelpersCase[] = [
    { name: 'credkit first: its credential wins over the auth files', conf: both, credkit: true, expected: 'carol' },
    { name: 'credkit first with nothing stored: the auth files are read', conf: both, expected: 'alice' },
    { name: 'the auth files first: their credential wins over credkit', conf: 'credential-helpers = ["containers-auth.json", "credkit"]\n', credkit: true, expected: 'alice' },
    { name: 'the auth files first with nothing in them: credkit is asked', conf: 'credential-helpers = ["containers-auth.json", "credkit"]\n', authFile: '{"auths": {}}', credkit: true, expected: 'carol' },
    { name: 'credkit alone: the auth files are not read', conf: 'credential-helpers = ["credkit"]\n', expected: 'none' },
    { name: 'a helper that fails is passed over for the auth files', conf: 'credential-helpers = ["fake", "containers-auth.json"]\n', expected: 'alice' },
    { name: 'a helper that fails, and nothing after it: the lookup fails', conf: 'credential-helpers = ["fake", "containers-auth.json"]\n', authFile: '{"auths": {}}', expected: 'error' },
    { name: 'a helper not on PATH is passed over for the auth files', conf: 'credential-helpers = ["credkit-e2e-no-such-helper", "containers-auth.json"]\n', expected: 'alice' },
    { name: 'an auth file that cannot be parsed is passed over for the helper after the files', conf: 'credential-helpers = ["containers-auth.json", "credkit"]\n', authFile: 'not json', credkit: true, expected: 'carol' },
    { name: 'a drop-in with an empty list sets the default back: the auth files alone', conf: both, dropIn: 'credential-helpers = []\n', credkit: true, expected: 'alice' },
    { name: 'credential-helpers that is no list: the file cannot be loaded, and every lookup fails', conf: 'credential-helpers = "credkit"\n', credkit: true, expected: 'error' },
    { name: 'CONTAINERS_REGISTRIES_CONF: podman and buildah ask credkit first, skopeo reads the user\'s file', conf: both, variable: true, credkit: true, expected: ['carol', 'alice'] },
    { name: 'CONTAINERS_REGISTRIES_CONF naming no file: podman and buildah fail, skopeo reads the user\'s file', conf: both, variable: true, notAFile: true, credkit: true, expected: ['error', 'alice'] },
    { name: 'a registries.conf that is a directory cannot be loaded: every lookup fails', conf: both, notAFile: true, credkit: true, expected: 'error' },
  ];

  for (const c of cases) {
    it(c.name, async function () {
      const r = suite.registry!;
      const s = suite.sb!;
      const { work, shimDir } = await caseWork(s);
      // podman and buildah would start at DOCKER_CONFIG's config.json, which skopeo inspect does not.
      delete s.env.DOCKER_CONFIG;
      await writeFile(join(shimDir, 'docker-credential-fake'), '#!/bin/sh\ncat >/dev/null\necho "the keychain is locked"\nexit 1\n', { mode: 0o755 });
      const confDir = join(s.env.XDG_CONFIG_HOME as string, 'containers');
      const named = join(work, 'registries.conf');
      const confFile = c.variable ? named : join(confDir, 'registries.conf');
      if (!c.notAFile) await writeFile(confFile, `unqualified-search-registries = ["docker.io"]\n${c.conf}`);
      else if (!c.variable) await rm(confFile).then(() => mkdir(confFile));
      if (c.dropIn !== undefined) {
        await mkdir(join(confDir, 'registries.conf.d'));
        await writeFile(join(confDir, 'registries.conf.d', '50-credkit-e2e.conf'), c.dropIn);
      }
      await writeRuntimeAuth(s, c.authFile ?? { [r.host]: auth('alice', PW.alice!) });
      await seedCase(s, {}, {}, (t) => t, c.credkit ? [[r.host, 'carol', PW.carol!]] : []);
      const env = r.clientEnv({ ...s.env, PATH: `${shimDir}:${basePath()}` });
      // The registry's own registries.conf (for the host's to change nothing) would be read by podman and buildah alone.
      if (c.variable) env.CONTAINERS_REGISTRIES_CONF = named;
      else delete env.CONTAINERS_REGISTRIES_CONF;
      const sent = (tool: 'podman' | 'buildah' | 'skopeo') => sentBy(r, tool, suite.image, work, env, Object.values(PW));
      const real = { podman: await sent('podman'), buildah: await sent('buildah'), skopeo: await sent('skopeo') };
      const said = { podman: await explainAnswer(s, suite.image, 'podman', env), buildah: await explainAnswer(s, suite.image, 'buildah', env), skopeo: await explainAnswer(s, suite.image, 'skopeo', env) };
      const [podman, skopeo] = typeof c.expected === 'string' ? [c.expected, c.expected] : c.expected;
      const want = { podman, buildah: podman, skopeo };
      expect({ case: c.name, real, said }).to.deep.equal({ case: c.name, real: want, said: want });
      if (podman === 'none' || podman === 'error') return;
      const get = await s.credkit(['get', suite.image, '--as', 'podman'], '', env);
      expect(get.code, get.stderr).to.equal(0);
      const got = JSON.parse(get.stdout) as { Username: string; Secret: string };
      expect(got.Username).to.equal(podman);
      expect(got.Secret === PW[podman], 'credkit get returns the password podman sent').to.equal(true);
    });
  }
});

describe('e2e: explain agrees with real podman, buildah and skopeo on registries.conf [[registry]]: mirrors, locations, blocking (registry log)', function () {
  const PW: Record<string, string> = { alice: 'fake-alice-pw-7', bob: 'fake-bob-pw-7', carol: 'fake-carol-pw-7' };
  const suite = useRegistry(PW, ['docker-registry', 'htpasswd', 'openssl', 'skopeo', 'podman', 'buildah']);

  // One registry under two names: HOST (127.0.0.1:port) and LOCAL (localhost:port). The runtime
  // auth.json holds alice for HOST, bob for HOST/team and carol for LOCAL, so the user the
  // registry sees says which name the pull asked for. The user's registries.conf holds `conf`.
  const cases: { name: string; conf: string; image: string; expected: string }[] = [
    { name: 'a mirror is asked first, with the credential for its own name', conf: '[[registry]]\nlocation = "LOCAL"\n[[registry.mirror]]\nlocation = "HOST"\n', image: 'LOCAL/team/app:1', expected: 'bob' },
    { name: 'a registry that does not resolve, mirrored: the mirror', conf: '[[registry]]\nlocation = "credkit-e2e.invalid"\n[[registry.mirror]]\nlocation = "HOST"\n', image: 'credkit-e2e.invalid/team/app:1', expected: 'bob' },
    { name: 'mirror-by-digest-only: a pull by tag goes to the registry itself', conf: '[[registry]]\nlocation = "LOCAL"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "HOST"\n', image: 'LOCAL/team/app:1', expected: 'carol' },
    { name: 'mirror-by-digest-only: a pull by digest goes to the mirror', conf: '[[registry]]\nlocation = "LOCAL"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "HOST"\n', image: 'LOCAL/team/app@DIGEST', expected: 'bob' },
    { name: 'pull-from-mirror = "digest-only": a pull by tag goes to the registry itself', conf: '[[registry]]\nlocation = "LOCAL"\n[[registry.mirror]]\nlocation = "HOST"\npull-from-mirror = "digest-only"\n', image: 'LOCAL/team/app:1', expected: 'carol' },
    { name: 'a prefix sent to another location and namespace', conf: '[[registry]]\nprefix = "credkit-e2e.invalid/x"\nlocation = "HOST/team"\n', image: 'credkit-e2e.invalid/x/app:1', expected: 'bob' },
    { name: 'a wildcard prefix for subdomains', conf: '[[registry]]\nprefix = "*.credkit-e2e.invalid"\nlocation = "HOST"\n', image: 'a.credkit-e2e.invalid/team/app:1', expected: 'bob' },
    { name: 'the longest prefix decides: a namespace without the registry\'s mirror', conf: '[[registry]]\nlocation = "LOCAL"\n[[registry.mirror]]\nlocation = "HOST"\n[[registry]]\nlocation = "LOCAL/team"\n', image: 'LOCAL/team/app:1', expected: 'carol' },
    { name: 'a blocked registry: the pull fails before any request', conf: '[[registry]]\nlocation = "HOST"\nblocked = true\n', image: 'HOST/team/app:1', expected: 'error' },
    { name: 'a location with a scheme: the file cannot be loaded, and every pull fails', conf: '[[registry]]\nlocation = "https://HOST"\n', image: 'HOST/team/app:1', expected: 'error' },
  ];

  for (const c of cases) {
    it(c.name, async function () {
      const r = suite.registry!;
      const s = suite.sb!;
      const work = await workWithoutDockerConfig(s);
      const local = r.host.replace(/^127\.0\.0\.1:/, 'localhost:');
      await writeRuntimeAuth(s, { [r.host]: auth('alice', PW.alice!), [`${r.host}/team`]: auth('bob', PW.bob!), [local]: auth('carol', PW.carol!) });
      const env = r.clientEnv({ ...s.env, PATH: basePath() });
      // The registry's own registries.conf would be read by podman and buildah alone: all three read the user's.
      delete env.CONTAINERS_REGISTRIES_CONF;
      let digest = '';
      if (c.image.includes('DIGEST')) {
        const d = await run('skopeo', ['inspect', '--format', '{{.Digest}}', '--cert-dir', r.certDir, `docker://${suite.image}`], { env });
        expect(d.code, d.stderr).to.equal(0);
        digest = d.stdout.trim();
      }
      const spell = (text: string) => text.replaceAll('LOCAL', local).replaceAll('HOST', r.host).replaceAll('DIGEST', digest);
      await writeFile(join(s.env.XDG_CONFIG_HOME as string, 'containers', 'registries.conf'), `unqualified-search-registries = ["docker.io"]\n${spell(c.conf)}`);
      const image = spell(c.image);
      const sent = (tool: 'podman' | 'buildah' | 'skopeo') => sentBy(r, tool, image, work, env, Object.values(PW));
      const real = { podman: await sent('podman'), buildah: await sent('buildah'), skopeo: await sent('skopeo') };
      const said = { podman: await explainAnswer(s, image, 'podman', env), buildah: await explainAnswer(s, image, 'buildah', env), skopeo: await explainAnswer(s, image, 'skopeo', env) };
      const want = { podman: c.expected, buildah: c.expected, skopeo: c.expected };
      expect({ case: c.name, real, said }).to.deep.equal({ case: c.name, real: want, said: want });
    });
  }
});
