/**
 * The check that matters: `credkit explain` against what the real clients do, case by case.
 * docker: the real CLI pulls through a fake engine, which records the credential docker sends in
 * X-Registry-Auth. skopeo: a real registry's log says which user skopeo authenticated as. In both,
 * explain runs with the same environment, and its username (or "none", or "error") must agree;
 * `credkit get` must return the same secret the client sent (compared, never printed).
 */
import { expect } from 'chai';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { basePath, makeSandbox, putHelperOnPath, run, skipUnlessPrograms, writeHelperShim, type RunResult, type Sandbox } from '../support/sandbox.js';
import { decodeRegistryAuth, makeDockerSandboxPerTest, type FakeEngine } from '../support/fake-engine.js';
import { startRegistry, type Registry } from '../support/registry.js';

const HUB_KEY = 'https://index.docker.io/v1/';
const TOKEN = 'fake-identity-token-not-real';
const auth = (user: string, password: string) => ({ auth: Buffer.from(`${user}:${password}`).toString('base64') });

interface ExplainedClient {
  outcome: 'credential' | 'anonymous' | 'error';
  credential?: { username: string; password?: string; identityToken?: string };
}

/** The answer explain gives for one client: the username, 'none' or 'error'. */
async function explainAnswer(sb: Sandbox, image: string, client: 'docker' | 'podman', env: Record<string, string>): Promise<string> {
  const r = await sb.credkit(['explain', image, '--as', client, '--json'], '', env);
  expect(r.code, `credkit explain: ${r.stderr}`).to.equal(0);
  const parsed = JSON.parse(r.stdout) as { clients: ExplainedClient[] };
  const x = parsed.clients[0];
  if (!x) throw new Error('explain gave no client');
  return x.outcome === 'credential' ? (x.credential?.username ?? '') : x.outcome === 'error' ? 'error' : 'none';
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
    // pass or secretservice on this machine: only docker itself and the credkit helper.
    const bin = join(sb.home, 'sysbin');
    await mkdir(bin);
    const docker = (await run('sh', ['-c', 'command -v docker'], { env: { PATH: basePath() } })).stdout.trim();
    await symlink(docker, join(bin, 'docker'));
    sb.env.PATH = `${join(sb.home, 'bin')}:${bin}`;
  });

  interface DockerCase {
    name: string;
    config?: unknown;
    /** Raw config.json text, for files docker cannot parse. */
    text?: string;
    /** Credentials stored in credkit's helper first: server URL → user. */
    helper?: Record<string, string>;
    image: string;
    /** What docker sends: a username, 'none', or 'error' (the pull fails). */
    expected: string;
  }

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
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const configPath = join(sb.env.DOCKER_CONFIG as string, 'config.json');
      if (c.text !== undefined) await writeFile(configPath, c.text, { mode: 0o600 });
      else if (c.config !== undefined) await writeFile(configPath, JSON.stringify(c.config), { mode: 0o600 });
      for (const [url, user] of Object.entries(c.helper ?? {})) {
        const s = await sb.helper('store', `${JSON.stringify({ ServerURL: url, Username: user, Secret: PW[user] ?? TOKEN })}\n`);
        expect(s.code, s.stdout).to.equal(0);
      }
      const explained = await explainAnswer(sb, c.image, 'docker', {});
      const pull = await run('docker', ['pull', c.image], { env: sb.env });
      let sent: string;
      let sentPassword: string | undefined;
      if (pull.code !== 0) {
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
      if (c.expected === 'none' || c.expected === 'error') {
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

describe('e2e: explain agrees with real skopeo (registry log)', function () {
  const PW: Record<string, string> = { alice: 'fake-alice-pw-2', bob: 'fake-bob-pw-2', carol: 'fake-carol-pw-2' };
  let registry: Registry | undefined;
  let image: string;
  let sb: Sandbox | undefined;

  before(async function () {
    await skipUnlessPrograms(this, ['docker-registry', 'htpasswd', 'openssl', 'skopeo']);
    registry = await startRegistry({ users: PW });
    image = await registry.seedImage('team/app:1', 'alice');
  });
  after(async () => {
    await registry?.stop();
  });
  beforeEach(async () => {
    sb = await makeSandbox({ CREDKIT_BACKEND: 'file' });
  });
  afterEach(async () => {
    await sb?.cleanup();
  });

  type Place = 'runtime' | 'config' | 'docker' | 'dockercfg' | 'named';
  interface SkopeoCase {
    name: string;
    /** File contents per place (HOST stands for the registry's host:port). */
    files: Partial<Record<Place, unknown>>;
    /** Set REGISTRY_AUTH_FILE to the `named` file. */
    named?: boolean;
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
  ];

  for (const c of cases) {
    it(c.name, async function () {
      const r = registry!;
      const s = sb!;
      const work = join(s.home, 'work');
      await mkdir(work);
      const shimDir = await writeHelperShim(join(work, 'bin'));
      if (c.fake !== undefined) await writeFile(join(shimDir, 'docker-credential-fake'), `#!/bin/sh\ncat >/dev/null\nprintf '%s' '${c.fake}'\n`, { mode: 0o755 });
      s.env.CREDKIT_FILE = join(work, 'credkit.json');
      const paths: Record<Place, string> = {
        runtime: join(s.env.XDG_RUNTIME_DIR as string, 'containers', 'auth.json'),
        config: join(s.env.XDG_CONFIG_HOME as string, 'containers', 'auth.json'),
        docker: join(s.env.DOCKER_CONFIG as string, 'config.json'),
        dockercfg: join(s.home, '.dockercfg'),
        named: join(work, 'named.json'),
      };
      for (const [place, content] of Object.entries(c.files) as [Place, unknown][]) {
        const text = (typeof content === 'string' ? content : JSON.stringify(content)).replaceAll(H, r.host);
        await mkdir(join(paths[place], '..'), { recursive: true });
        await writeFile(paths[place], text, { mode: 0o600 });
      }
      for (const [url, user] of Object.entries(c.helper ?? {})) {
        const st = await s.helper('store', `${JSON.stringify({ ServerURL: url.replaceAll(H, r.host), Username: user, Secret: PW[user] })}\n`);
        expect(st.code, st.stdout).to.equal(0);
      }
      const env = r.clientEnv({ ...s.env, PATH: `${shimDir}:${basePath()}`, ...(c.named ? { REGISTRY_AUTH_FILE: paths.named } : {}) });
      const explained = await explainAnswer(s, image, 'podman', env);

      const mark = r.logMark();
      // --raw reads only the manifest: no blob-info cache is written.
      const res = await run('skopeo', ['inspect', '--raw', '--cert-dir', r.certDir, `docker://${image}`], { env });
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
        const get = await s.credkit(['get', image, '--as', 'podman'], '', env);
        expect(get.code, get.stderr).to.equal(0);
        const got = JSON.parse(get.stdout) as { ServerURL: string; Username: string; Secret: string };
        expect(got.ServerURL).to.equal(r.host);
        expect(got.Username).to.equal(c.expected);
        expect(got.Secret === PW[c.expected], 'credkit get returns the password skopeo used').to.equal(true);
      }
      expectNoSecrets([res], Object.values(PW));
    });
  }
});
