/**
 * Materialising with the real helpers (issue #3, "Materialising helpers"): a config.json whose
 * secrets live in docker-credential-secretservice (credsStore, on a private gnome-keyring),
 * docker-credential-pass (credHelpers, on a throwaway pass store) and docker-credential-credkit
 * (credHelpers, file backend) becomes a self-contained pull secret and an auth.json that skopeo
 * accepts against a real registry. A helper that is missing or hangs stops the conversion with one
 * line naming file, key and helper, and nothing is written.
 */
import { expect } from 'chai';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, FIXTURES, basePath, makeSandbox, run, skipUnlessPrograms, writeHelperShim, type RunResult, type Sandbox } from '../support/sandbox.js';
import { APP_IMAGES, startRegistry, type Registry } from '../support/registry.js';
import { startPassStore, startSecretService, type RealBackend } from '../support/real-helpers.js';
import { decodeRegistryAuth, makeDockerSandboxPerTest, type EngineAuthConfig, type FakeEngine } from '../support/fake-engine.js';
import { USERS, decodeAuth, decodePullSecret, expectNoSecrets, makeConsumers, ok, writeFixture } from '../support/consumers.js';

/** Sends a `store` to a real reference helper; fails the test when it does not exit 0. */
async function storeWithHelper(program: string, env: Record<string, string>, serverURL: string, user: keyof typeof USERS): Promise<void> {
  const input = `${JSON.stringify({ ServerURL: serverURL, Username: user, Secret: USERS[user] })}\n`;
  const r = await run(program, ['store'], { input, env });
  expectNoSecrets(`${program} store`, [r]);
  expect(r.code, `${program} store: ${r.stdout.trim()} ${r.stderr.trim()}`).to.equal(0);
}

describe('e2e: consumers: materialising real credential helpers', function () {
  describe('secretservice (credsStore), pass and credkit (credHelpers) against a real registry', () => {
    let registry: Registry | undefined;
    let pass: RealBackend | undefined;
    let secretService: RealBackend | undefined;
    let helperHome: string | undefined;
    let host: string;
    let localhost: string;
    let sb: Sandbox;
    let env: Record<string, string>;
    let config: string;

    before(async function () {
      this.timeout(180_000);
      await skipUnlessPrograms(this, [
        'docker-registry', 'htpasswd', 'openssl', 'skopeo',
        'docker-credential-pass', 'pass', 'gpg', 'gpgconf',
        'docker-credential-secretservice', 'dbus-daemon', 'dbus-send', 'gnome-keyring-daemon',
      ]);
      registry = await startRegistry({ users: USERS, images: APP_IMAGES });
      host = registry.host;
      // The same registry under another name: clients compare host names literally, so this is a
      // third registry key, routed to a third helper.
      localhost = host.replace(/^127\.0\.0\.1:/, 'localhost:');
      pass = await startPassStore();
      secretService = await startSecretService();
      // The reference helpers store for themselves: what credkit reads back is what they wrote.
      helperHome = await mkdtemp(join(tmpdir(), 'credkit-helper-home-'));
      const base = { PATH: basePath(), LANG: 'C.UTF-8', HOME: helperHome };
      await storeWithHelper('docker-credential-secretservice', { ...base, ...secretService.env }, `${host}/team/app`, 'alice');
      await storeWithHelper('docker-credential-pass', { ...base, ...pass.env }, host, 'bob');
    });
    after(async () => {
      await secretService?.stop();
      await pass?.stop();
      await registry?.stop();
      if (helperHome !== undefined) await rm(helperHome, { recursive: true, force: true });
    });

    beforeEach(async () => {
      sb = await makeSandbox({ CREDKIT_BACKEND: 'file' });
      sb.env.CREDKIT_FILE = join(sb.home, 'credkit', 'credentials.json');
      const store = await sb.helper('store', `${JSON.stringify({ ServerURL: localhost, Username: 'alice', Secret: USERS.alice })}\n`);
      expect(store.code, store.stdout).to.equal(0);
      const shimDir = await writeHelperShim(join(sb.home, 'bin'));
      env = { ...sb.env, ...pass!.env, ...secretService!.env, PATH: `${shimDir}:${sb.env.PATH}` };
      config = await writeFixture(join(sb.home, 'config.json'), 'consumers/docker-stubs-secretservice-pass-credkit.json', { REGISTRY: host, LOCALHOST_REGISTRY: localhost });
    });
    afterEach(async () => {
      await sb?.cleanup();
    });

    const credkit = (args: readonly string[]) => run(process.execPath, [BIN.credkit, ...args], { env });

    it('--to secret: a self-contained secret with each helper\'s username and password, no credsStore, no {}', async () => {
      const out = join(sb.home, 'secret.yaml');
      const r = await credkit(['convert', config, '--to', 'secret', '--name', 'regcred', '-o', out, '--json']);
      expectNoSecrets('credkit convert --to secret', [r]);
      expect(r.code, r.stderr.trim()).to.equal(0);
      const report = JSON.parse(r.stdout) as { lossy: boolean; materialized: { key: string; helper: string }[] };
      expect(report.lossy).to.equal(false);
      expect(report.materialized.map((m) => `${m.key} ${m.helper}`).sort()).to.deep.equal(
        [`${host} pass`, `${host}/team/app secretservice`, `${localhost} credkit`].sort(),
      );

      const text = await readFile(out, 'utf8');
      const { type, payload } = decodePullSecret(text);
      expect(type).to.equal('kubernetes.io/dockerconfigjson');
      expect(Object.keys(payload).sort(), 'top-level keys of the payload').to.deep.equal(['auths']);
      const auths = payload.auths ?? {};
      const want: Record<string, keyof typeof USERS> = { [`${host}/team/app`]: 'alice', [host]: 'bob', [localhost]: 'alice' };
      expect(Object.keys(auths).sort()).to.deep.equal(Object.keys(want).sort());
      for (const [key, user] of Object.entries(want)) {
        const e = auths[key] ?? {};
        // kubectl's shape: username, password and a matching auth; compared, never printed.
        ok(e.username === user && e.password === USERS[user], `${key}: username/password from its helper`);
        const decoded = decodeAuth(e.auth);
        ok(decoded?.username === user && decoded.password === USERS[user], `${key}: auth is base64 of user:password`);
      }
    });

    it('--to podman --materialize: skopeo authenticates through every materialised entry', async () => {
      const authFile = join(sb.home, 'auth.json');
      const r = await credkit(['convert', config, '--to', 'podman', '--materialize', '-o', authFile]);
      expectNoSecrets('credkit convert --materialize', [r]);
      expect([r.code, r.stdout]).to.deep.equal([0, '']);
      // One note per lookup, naming key and helper.
      expect(r.stderr.trim().split('\n').sort()).to.deep.equal(
        [`${host}: materialised from helper "pass"`, `${host}/team/app: materialised from helper "secretservice"`, `${localhost}: materialised from helper "credkit"`]
          .map((l) => `credkit: ${l}`)
          .sort(),
      );
      const written = JSON.parse(await readFile(authFile, 'utf8')) as Record<string, unknown>;
      expect(Object.keys(written), 'no credsStore or credHelpers left').to.deep.equal(['auths']);

      const clients = await makeConsumers(registry!, join(sb.home, 'consumers'));
      const cases: [string, keyof typeof USERS, string][] = [
        [`${host}/team/app:1`, 'alice', 'secretservice, scoped key'],
        [`${host}/other/app:1`, 'bob', 'pass, registry-wide key'],
        [`${localhost}/other/app:1`, 'alice', 'credkit, the localhost key'],
      ];
      for (const [ref, user, via] of cases) {
        const mark = registry!.logMark();
        const res = await clients.inspect(authFile, ref);
        expectNoSecrets('skopeo inspect', [res]);
        expect(res.code, `skopeo inspect ${ref} (${via}): ${res.stderr.trim()}`).to.equal(0);
        expect(registry!.acceptedUsers(mark), `${ref} (${via})`).to.deep.equal([user]);
        expect(registry!.rejectedUsers(mark), `${ref} (${via})`).to.deep.equal([]);
      }
    });
    it('a credHelpers route wins over a stale plaintext entry, as in docker and podman: skopeo authenticates with the helper\'s', async () => {
      const stale = Buffer.from('bob:fake-stale-bob-pw').toString('base64');
      const shadowed = join(sb.home, 'shadowed.json');
      await writeFile(shadowed, JSON.stringify({ auths: { [localhost]: { auth: stale } }, credHelpers: { [localhost]: 'credkit' } }));
      const authFile = join(sb.home, 'auth.json');
      const r = await credkit(['convert', shadowed, '--to', 'podman', '--materialize', '-o', authFile]);
      expectNoSecrets('credkit convert --materialize', [r]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stderr).to.equal(`credkit: ${localhost}: materialised from helper "credkit" (it replaces the plaintext credential in the file, which the client would not use)\n`);
      const clients = await makeConsumers(registry!, join(sb.home, 'consumers'));
      const mark = registry!.logMark();
      const res = await clients.inspect(authFile, `${localhost}/other/app:1`);
      expect(res.code, res.stderr.trim()).to.equal(0);
      expect(registry!.acceptedUsers(mark)).to.deep.equal(['alice']);
    });
  });

  describe('what docker login left in docker-credential-pass and -secretservice, and what docker pull then sends', () => {
    let pass: RealBackend | undefined;
    let secretService: RealBackend | undefined;
    let engine: FakeEngine;
    let sb: Sandbox;
    const QUAY_PW = 'fake-quay-docker-login-pw';
    const GHCR_PW = 'fake-ghcr-docker-login-pw';

    before(async function () {
      this.timeout(120_000);
      await skipUnlessPrograms(this, [
        'docker', 'docker-credential-pass', 'pass', 'gpg', 'gpgconf',
        'docker-credential-secretservice', 'dbus-daemon', 'dbus-send', 'gnome-keyring-daemon',
      ]);
      pass = await startPassStore();
      secretService = await startSecretService();
    });
    after(async () => {
      await secretService?.stop();
      await pass?.stop();
    });
    makeDockerSandboxPerTest(() => ({ ...pass!.env, ...secretService!.env }), (docker) => ({ engine, sb } = docker));

    const docker = (config: string, args: readonly string[], input = '') => run('docker', args, { input, env: { ...sb.env, DOCKER_CONFIG: config } });
    /** What docker sent with its last pull: the fields that say who logged in (never printed). */
    const lastPull = (): EngineAuthConfig => {
      const header = engine.pulls.at(-1)?.registryAuth;
      const a = header ? decodeRegistryAuth(header) : {};
      return { username: a.username ?? '', password: a.password ?? '', identitytoken: a.identitytoken ?? '' };
    };

    it('a stub spelt https://quay.io gets the helper\'s quay.io credential, as docker pull does; one the helper lacks is left out', async () => {
      const dir = join(sb.home, 'docker');
      await mkdir(dir, { recursive: true });
      const config = join(dir, 'config.json');
      await writeFile(config, JSON.stringify({ credsStore: 'pass' }));
      const login = await docker(dir, ['login', 'quay.io', '-u', 'quayuser', '--password-stdin'], `${QUAY_PW}\n`);
      expect(login.code, login.stderr.trim()).to.equal(0);
      // docker keys the helper by host; a config.json from before that (or edited by hand) spells
      // the stub with a scheme, and docker still asks the helper for the host on every pull.
      const written = JSON.parse(await readFile(config, 'utf8')) as { auths: Record<string, unknown> };
      expect(Object.keys(written.auths)).to.deep.equal(['quay.io']);
      await writeFile(config, JSON.stringify({ auths: { 'https://quay.io': {}, 'https://nothing.example.com': {} }, credsStore: 'pass' }));
      const pulled = await docker(dir, ['pull', 'quay.io/team/app:1']);
      expect(pulled.code, pulled.stderr.trim()).to.equal(0);
      const viaHelper = lastPull();
      ok(viaHelper.username === 'quayuser' && viaHelper.password === QUAY_PW, 'docker pull sent the helper\'s quay.io credential');

      const outDir = join(sb.home, 'materialised');
      await mkdir(outDir);
      const r = await sb.credkit(['convert', config, '--to', 'docker', '--materialize', '-o', join(outDir, 'config.json'), '--json']);
      expectNoSecrets('credkit convert --materialize', [r], [QUAY_PW]);
      const report = JSON.parse(r.stdout) as { materialized: { key: string }[]; losses: { kind: string; key: string }[] };
      expect(report.materialized.map((m) => m.key)).to.deep.equal(['https://quay.io']);
      expect(report.losses.map((l) => `${l.kind} ${l.key}`)).to.deep.equal(['missing https://nothing.example.com']);
      expect(r.code).to.equal(1);
      const again = await docker(outDir, ['pull', 'quay.io/team/app:1']);
      expect(again.code, again.stderr.trim()).to.equal(0);
      const after = lastPull();
      ok(after.username === viaHelper.username && after.password === viaHelper.password && after.identitytoken === '', 'docker pull through the materialised file sent the same credential');
    });
    it('merge: each file\'s stubs come from its own credsStore (one pass, one secretservice), as docker pull with each file sends them', async () => {
      const users: [string, string, string, string][] = [
        ['pass', 'quay.io', 'quayuser', QUAY_PW],
        ['secretservice', 'ghcr.io', 'ghcruser', GHCR_PW],
      ];
      const configs: string[] = [];
      const sent: EngineAuthConfig[] = [];
      for (const [helper, registry, user, pw] of users) {
        const dir = join(sb.home, helper);
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, 'config.json'), JSON.stringify({ credsStore: helper }));
        const login = await docker(dir, ['login', registry, '-u', user, '--password-stdin'], `${pw}\n`);
        expect(login.code, login.stderr.trim()).to.equal(0);
        const pulled = await docker(dir, ['pull', `${registry}/team/app:1`]);
        expect(pulled.code, pulled.stderr.trim()).to.equal(0);
        const auth = lastPull();
        ok(auth.username === user && auth.password === pw, `docker pull with the ${helper} config sent its login`);
        sent.push(auth);
        configs.push(join(dir, 'config.json'));
      }

      const outDir = join(sb.home, 'merged');
      await mkdir(outDir);
      const r = await sb.credkit(['merge', ...configs, '--to', 'docker', '--materialize', '-o', join(outDir, 'config.json'), '--json']);
      expectNoSecrets('credkit merge --materialize', [r], [QUAY_PW, GHCR_PW]);
      const report = JSON.parse(r.stdout) as { materialized: { key: string; helper: string }[]; losses: unknown[]; conflicts: unknown[] };
      expect(report.materialized.map((m) => `${m.key} ${m.helper}`)).to.deep.equal(['quay.io pass', 'ghcr.io secretservice']);
      expect([report.losses, report.conflicts, r.code]).to.deep.equal([[], [], 0]);
      for (const [i, [, registry]] of users.entries()) {
        const pulled = await docker(outDir, ['pull', `${registry}/team/app:1`]);
        expect(pulled.code, pulled.stderr.trim()).to.equal(0);
        const auth = lastPull();
        ok(auth.username === sent[i]!.username && auth.password === sent[i]!.password, `docker pull ${registry} through the merged file sent the same login`);
      }
    });
  });

  describe('a helper that cannot answer', () => {
    let sb: Sandbox;
    const REGISTRY = 'registry.example.test';

    before(async function () {
      await skipUnlessPrograms(this, ['sh', 'sleep']);
    });
    beforeEach(async () => {
      sb = await makeSandbox();
    });
    afterEach(async () => {
      await sb?.cleanup();
    });

    /** Converts a config.json whose only entry is a stub kept in `helper`; returns the result and what -o holds after. */
    async function convertWith(helper: string, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<{ r: RunResult; config: string; after: string }> {
      const config = await writeFixture(join(sb.home, 'config.json'), 'consumers/docker-stub-one-helper.json', { REGISTRY, HELPER: helper });
      const out = join(sb.home, 'out');
      await writeFile(out, 'previous content', { mode: 0o600 });
      const r = await sb.credkit(['convert', config, ...args, '-o', out], '', extraEnv);
      return { r, config, after: await readFile(out, 'utf8') };
    }

    for (const args of [['--to', 'secret'], ['--to', 'podman', '--materialize']]) {
      it(`missing from PATH (${args.join(' ')}): one line naming file, key and helper; nothing written`, async () => {
        const { r, config, after } = await convertWith('not-installed', args);
        expect(r.code).to.equal(1);
        expect(r.stdout).to.equal('');
        const lines = r.stderr.trim().split('\n');
        expect(lines).to.have.length(1);
        expect(lines[0]).to.equal(
          `credkit: ${config}: key "${REGISTRY}": credential helper docker-credential-not-installed is not on PATH; install it or remove "not-installed" from credsStore/credHelpers; ` +
            'or leave out the registries that need it with --registry (only the registries named are materialised)',
        );
        expect(after).to.equal('previous content');
      });
    }

    it('hangs past CREDKIT_HELPER_TIMEOUT: stopped, one line naming file, key and helper; nothing written', async () => {
      const { r, config, after } = await convertWith('hangs', ['--to', 'secret'], {
        CREDKIT_HELPER_TIMEOUT: '0.5',
        PATH: `${join(FIXTURES, 'helper-that-hangs')}:${sb.env.PATH}`,
      });
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).to.have.length(1);
      expect(lines[0]).to.match(
        new RegExp(`^credkit: ${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: key "registry\\.example\\.test": docker-credential-hangs get did not finish within 0\\.5 s and was stopped`),
      );
      expect(after).to.equal('previous content');
    });
  });
});
