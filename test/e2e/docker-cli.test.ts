/**
 * The real docker CLI with docker-credential-credkit: login, pull and logout go through the helper
 * (credsStore and credHelpers), with a fake engine on a unix socket standing in for dockerd and
 * credkit's file backend inside a throwaway HOME.
 */
import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { putHelperOnPath, run, skipUnlessPrograms, type RunResult, type Sandbox } from '../support/sandbox.js';
import { decodeRegistryAuth, expectAuth, FAKE_API_VERSION, makeDockerSandboxPerTest, type EngineAuthConfig, type FakeEngine } from '../support/fake-engine.js';

const REGISTRY = 'registry.example.test';
const OTHER = 'other.example.test';
const HUB_KEY = 'https://index.docker.io/v1/';
const PASSWORD = 'fake-password-not-real';
const HUB_PASSWORD = 'fake-hub-password-not-real';
const NOT_FOUND = 'credentials not found in native keychain\n';

/** What the helper's `get` answered, parsed; undefined when not found. */
async function helperGet(sb: Sandbox, serverURL: string): Promise<{ ServerURL: string; Username: string; Secret: string } | undefined> {
  const r = await sb.helper('get', serverURL);
  if (r.code === 1 && r.stdout === NOT_FOUND) return undefined;
  expect(r.code, `helper get ${serverURL} failed`).to.equal(0);
  return JSON.parse(r.stdout) as { ServerURL: string; Username: string; Secret: string };
}

/** Asserts a secret appears nowhere in a command's output, without printing the output. */
function expectNoSecret(r: RunResult, secret: string, what: string): void {
  expect(r.stdout.includes(secret) || r.stderr.includes(secret), `${what} printed the secret`).to.equal(false);
}

/** The older of two API versions (`1.41` < `1.47`). */
function olderVersion(a: string, b: string): string {
  const n = (v: string) => v.split('.').map(Number) as [number, number];
  const [am, an] = n(a);
  const [bm, bn] = n(b);
  return am < bm || (am === bm && an < bn) ? a : b;
}

/** The last pull's X-Registry-Auth, decoded ({} when the CLI sent no header). */
function lastPullAuth(engine: FakeEngine): EngineAuthConfig {
  const pull = engine.pulls.at(-1);
  expect(pull, `no pull reached the engine; requests: ${engine.requests.join(', ')}`).to.not.equal(undefined);
  return pull?.registryAuth ? decodeRegistryAuth(pull.registryAuth) : {};
}

describe('e2e: docker CLI with docker-credential-credkit', function () {
  let engine: FakeEngine;
  let sb: Sandbox;
  let configPath: string;

  before(async function () {
    await skipUnlessPrograms(this, ['docker']);
  });
  makeDockerSandboxPerTest({ CREDKIT_BACKEND: 'file' }, async (docker) => {
    ({ engine, sb, configPath } = docker);
    await putHelperOnPath(sb);
  });

  const docker = (args: readonly string[], input = '', env: Record<string, string> = {}) =>
    run('docker', args, { input, env: { ...sb.env, ...env } });
  const writeConfig = (config: unknown) => writeFile(configPath, JSON.stringify(config), { mode: 0o600 });
  const readConfig = async () => JSON.parse(await readFile(configPath, 'utf8')) as unknown;
  const unknownRequests = () => `engine 404s: ${engine.unknown.join(', ') || 'none'}`;

  describe('credsStore: credkit', () => {
    beforeEach(() => writeConfig({ credsStore: 'credkit' }));

    it('login stores through the helper; config.json keeps only a {} marker', async () => {
      const r = await docker(['login', '--username', 'alice', '--password-stdin', REGISTRY], `${PASSWORD}\n`);
      expectNoSecret(r, PASSWORD, 'docker login');
      expect(r.code, `docker login: ${r.stderr.trim()}; ${unknownRequests()}`).to.equal(0);
      expect(r.stdout).to.include('Login Succeeded');

      // The CLI negotiated down to the fake engine's API version (or kept its own, if older) and
      // sent the password to /auth once.
      const v = await docker(['version', '--format', '{{.Client.DefaultAPIVersion}}']);
      const clientMax = v.stdout.trim();
      expect(clientMax, `docker version: ${v.stderr.trim()}`).to.match(/^\d+\.\d+$/);
      expect([...engine.apiVersions]).to.deep.equal([olderVersion(clientMax, FAKE_API_VERSION)]);
      expect(engine.logins).to.have.length(1);
      expectAuth(engine.logins[0] ?? {}, { username: 'alice', password: PASSWORD, serveraddress: REGISTRY }, 'POST /auth body');

      const stored = await helperGet(sb, REGISTRY);
      expect(stored?.Username).to.equal('alice');
      expect(stored?.Secret === PASSWORD, 'stored secret is the password').to.equal(true);

      const text = await readFile(configPath, 'utf8');
      expect(text.includes(PASSWORD), 'config.json holds the password').to.equal(false);
      expect(JSON.parse(text)).to.deep.equal({ auths: { [REGISTRY]: {} }, credsStore: 'credkit' });
    });

    it('login with no server stores under https://index.docker.io/v1/ (Docker Hub)', async () => {
      const r = await docker(['login', '--username', 'alice', '--password-stdin'], `${HUB_PASSWORD}\n`);
      expectNoSecret(r, HUB_PASSWORD, 'docker login');
      expect(r.code, `docker login: ${r.stderr.trim()}; ${unknownRequests()}`).to.equal(0);

      // The file backend keys on the exact string, so the list shows what docker handed the helper.
      const list = await sb.helper('list', 'unused');
      expect(list.stdout).to.equal(`{"${HUB_KEY}":"alice"}\n`);
      const stored = await helperGet(sb, HUB_KEY);
      expect(stored?.Secret === HUB_PASSWORD, 'stored secret is the password').to.equal(true);
      expect(await readConfig()).to.deep.equal({ auths: { [HUB_KEY]: {} }, credsStore: 'credkit' });

      // A Hub pull asks the helper for the same key and sends what it answered.
      const pull = await docker(['pull', 'busybox:1']);
      expect(pull.code, `docker pull: ${pull.stderr.trim()}; ${unknownRequests()}`).to.equal(0);
      expect(engine.pulls.at(-1)?.fromImage).to.equal('docker.io/library/busybox');
      expectAuth(lastPullAuth(engine), { username: 'alice', password: HUB_PASSWORD, serveraddress: HUB_KEY }, 'X-Registry-Auth');
    });

    it('pull sends the stored credential in X-Registry-Auth', async () => {
      // Stored by credkit itself, not by docker login: docker must read it through the helper.
      const s = await sb.credkit(['store', 'store', REGISTRY, '--username', 'alice', '--password-stdin'], `${PASSWORD}\n`);
      expect(s.code, s.stderr).to.equal(0);

      const r = await docker(['pull', `${REGISTRY}/team/app:1`]);
      expectNoSecret(r, PASSWORD, 'docker pull');
      expect(r.code, `docker pull: ${r.stderr.trim()}; ${unknownRequests()}`).to.equal(0);
      expect(engine.pulls).to.have.length(1);
      expect(engine.pulls[0]).to.include({ fromImage: `${REGISTRY}/team/app`, tag: '1' });
      expectAuth(lastPullAuth(engine), { username: 'alice', password: PASSWORD, serveraddress: REGISTRY }, 'X-Registry-Auth');
    });

    it('logout erases from the helper and drops the {} marker', async () => {
      let r = await docker(['login', '--username', 'alice', '--password-stdin', REGISTRY], `${PASSWORD}\n`);
      expect(r.code, r.stderr.trim()).to.equal(0);
      r = await docker(['login', '--username', 'alice', '--password-stdin'], `${HUB_PASSWORD}\n`);
      expect(r.code, r.stderr.trim()).to.equal(0);

      r = await docker(['logout', REGISTRY]);
      expect(r.code, r.stderr.trim()).to.equal(0);
      expect(r.stderr, 'docker warned that the erase failed').to.equal('');
      expect(await helperGet(sb, REGISTRY)).to.equal(undefined);
      expect(await readConfig()).to.deep.equal({ auths: { [HUB_KEY]: {} }, credsStore: 'credkit' });
      // Only the named registry went: the Hub credential is still there.
      expect((await helperGet(sb, HUB_KEY))?.Username).to.equal('alice');

      // With nothing stored, a pull sends no credentials.
      r = await docker(['pull', `${REGISTRY}/team/app:1`]);
      expect(r.code, r.stderr.trim()).to.equal(0);
      const sent = lastPullAuth(engine);
      expect([sent.username, sent.password, sent.identitytoken].filter(Boolean), 'credentials sent after logout').to.deep.equal([]);
    });

    it('an identity token from /auth is stored as Username "<token>" and sent as identitytoken', async () => {
      const token = 'fake-identity-token-not-real';
      engine.configure({ identityToken: token });
      let r = await docker(['login', '--username', 'alice', '--password-stdin', REGISTRY], `${PASSWORD}\n`);
      expectNoSecret(r, token, 'docker login');
      expect(r.code, r.stderr.trim()).to.equal(0);

      const stored = await helperGet(sb, REGISTRY);
      expect(stored?.Username).to.equal('<token>');
      expect(stored?.Secret === token, 'stored secret is the identity token').to.equal(true);
      expect(await readConfig()).to.deep.equal({ auths: { [REGISTRY]: {} }, credsStore: 'credkit' });

      r = await docker(['pull', `${REGISTRY}/team/app:1`]);
      expect(r.code, r.stderr.trim()).to.equal(0);
      // Docker loses the username on read (formats §1.4) and sends the token alone.
      expectAuth(lastPullAuth(engine), { identitytoken: token, serveraddress: REGISTRY }, 'X-Registry-Auth');
    });

    it('a password the registry refuses stores nothing', async () => {
      engine.configure({ rejectPassword: PASSWORD });
      const r = await docker(['login', '--username', 'alice', '--password-stdin', REGISTRY], `${PASSWORD}\n`);
      expectNoSecret(r, PASSWORD, 'docker login');
      expect(r.code).to.not.equal(0);
      expect(r.stderr).to.include('401 Unauthorized');
      expect((await sb.helper('list', 'unused')).stdout).to.equal('{}\n');
      expect(await readConfig()).to.deep.equal({ credsStore: 'credkit' });
    });

    it("a helper failure fails docker login with credkit's one-line error and no secret", async () => {
      const r = await docker(['login', '--username', 'alice', '--password-stdin', REGISTRY], `${PASSWORD}\n`, { CREDKIT_BACKEND: 'no-such-backend' });
      expectNoSecret(r, PASSWORD, 'docker login');
      expect(r.code).to.not.equal(0);
      // The helper's stdout line, as docker quotes it inside its own error.
      expect(r.stderr).to.match(/error storing credentials - err: exit status 1, out: `unknown credkit backend "no-such-backend" \(choose one of: [a-z:A-Z, ]+\)`/);
      const text = await readFile(configPath, 'utf8');
      expect(text.includes(PASSWORD), 'config.json holds the password').to.equal(false);
      expect(JSON.parse(text)).to.deep.equal({ credsStore: 'credkit' });
    });
  });

  describe('credHelpers routes one registry to credkit', () => {
    beforeEach(() => writeConfig({ credHelpers: { [REGISTRY]: 'credkit' } }));

    it('login stores through credkit; a pull of another registry gets nothing from credkit', async () => {
      // A credkit entry for the other registry that docker must not use: it is not routed to credkit.
      const s = await sb.credkit(['store', 'store', OTHER, '--username', 'mallory', '--password-stdin'], 'fake-other-password\n');
      expect(s.code, s.stderr).to.equal(0);

      let r = await docker(['login', '--username', 'alice', '--password-stdin', REGISTRY], `${PASSWORD}\n`);
      expectNoSecret(r, PASSWORD, 'docker login');
      expect(r.code, r.stderr.trim()).to.equal(0);
      const stored = await helperGet(sb, REGISTRY);
      expect(stored?.Username).to.equal('alice');
      expect(stored?.Secret === PASSWORD, 'stored secret is the password').to.equal(true);
      const text = await readFile(configPath, 'utf8');
      expect(text.includes(PASSWORD), 'config.json holds the password').to.equal(false);
      expect(JSON.parse(text)).to.deep.equal({ auths: { [REGISTRY]: {} }, credHelpers: { [REGISTRY]: 'credkit' } });

      r = await docker(['pull', `${REGISTRY}/team/app:1`]);
      expect(r.code, r.stderr.trim()).to.equal(0);
      expectAuth(lastPullAuth(engine), { username: 'alice', password: PASSWORD, serveraddress: REGISTRY }, 'X-Registry-Auth');

      r = await docker(['pull', `${OTHER}/team/app:1`]);
      expect(r.code, r.stderr.trim()).to.equal(0);
      const sent = lastPullAuth(engine);
      expect([sent.username, sent.password, sent.identitytoken].filter(Boolean), `credentials sent for ${OTHER}`).to.deep.equal([]);
    });
  });

  describe('migrate --into-store credkit', () => {
    it('a registry known only by a scoped key: docker sends the same credential before and after', async () => {
      // docker's file store answers a host from a scoped key (it matches keys by host); once
      // credsStore is set it asks the store for the host, so the credential must be there too.
      // Another registry's login moves to the store, so credsStore gets set.
      const b64 = (text: string) => Buffer.from(text).toString('base64');
      await writeConfig({ auths: { [`${REGISTRY}/team/app`]: { auth: b64(`alice:${PASSWORD}`) }, [OTHER]: { auth: b64('bob:fake-other-password') } } });
      let r = await docker(['pull', `${REGISTRY}/team/app:1`]);
      expect(r.code, r.stderr.trim()).to.equal(0);
      // (The file store's answer has no serveraddress; the helper's has the host.)
      expectAuth({ ...lastPullAuth(engine), serveraddress: undefined }, { username: 'alice', password: PASSWORD }, 'X-Registry-Auth before');

      const m = await sb.credkit(['migrate', configPath, '--into-store', 'credkit']);
      expectNoSecret(m, PASSWORD, 'credkit migrate');
      expect(m.code, m.stderr).to.equal(0);
      expect((await readConfig()) as Record<string, unknown>).to.include({ credsStore: 'credkit' });

      r = await docker(['pull', `${REGISTRY}/team/app:1`]);
      expect(r.code, r.stderr.trim()).to.equal(0);
      expectAuth(lastPullAuth(engine), { username: 'alice', password: PASSWORD, serveraddress: REGISTRY }, 'X-Registry-Auth after');
      expect(m.stdout).to.include(`also stored as "${REGISTRY}"`);
    });
  });
});
