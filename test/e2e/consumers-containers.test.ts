/**
 * Files credkit writes are what containers/image clients accept: skopeo and podman, reading only
 * the written file, authenticate against a real registry as the user the source file meant, with
 * repository-scoped keys taking precedence over registry-wide ones (issue #3, "Fidelity").
 */
import { expect } from 'chai';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES, makeSandboxPerTest, run, skipUnlessPrograms, type RunResult, type Sandbox } from '../support/sandbox.js';
import { APP_IMAGES, makeRegistryPerSuite, type Registry } from '../support/registry.js';
import { USERS, decodeAuth, decodePullSecret, expectNoSecrets, makeConsumers, ok, writeFixture, type Consumers } from '../support/consumers.js';

describe('e2e: consumers: skopeo and podman accept the auth files credkit writes', function () {
  let registry: Registry | undefined;
  let sb: Sandbox;
  let clients: Consumers;
  let host: string;

  before(async function () {
    await skipUnlessPrograms(this, ['docker-registry', 'htpasswd', 'openssl', 'skopeo']);
  });
  makeRegistryPerSuite({ users: USERS, images: APP_IMAGES }, (r) => {
    registry = r;
    host = r.host;
  });
  makeSandboxPerTest({}, async (s) => {
    sb = s;
    clients = await makeConsumers(registry!, join(sb.home, 'consumers'));
  });

  /** Renders a consumer fixture for this registry into the sandbox. */
  const fixtureFile = async (fixture: string, name: string) => {
    const dir = join(sb.home, 'in', fixture.replaceAll('/', '_'));
    await mkdir(dir, { recursive: true });
    return writeFixture(join(dir, name), fixture, { REGISTRY: host });
  };

  /** credkit must succeed quietly and print no secret. */
  function expectQuietSuccess(r: RunResult, what: string): void {
    expectNoSecrets(what, [r]);
    expect(r.code, `${what}: ${r.stderr.trim()}`).to.equal(0);
    expect(r.stdout, `${what} stdout`).to.equal('');
  }

  /** skopeo inspect of HOST/REPO:1 through `authFile` succeeds, authenticated as `user` only. */
  async function expectSkopeoAs(authFile: string, repo: string, user: string): Promise<void> {
    const r = registry!;
    const mark = r.logMark();
    const res = await clients.inspect(authFile, `${host}/${repo}:1`);
    expectNoSecrets('skopeo inspect', [res]);
    expect(res.code, `skopeo inspect ${repo}: ${res.stderr.trim()}`).to.equal(0);
    expect((JSON.parse(res.stdout) as { Name: string }).Name).to.equal(`${host}/${repo}`);
    expect(r.acceptedUsers(mark), `users accepted for ${repo}`).to.deep.equal([user]);
    expect(r.rejectedUsers(mark), `users rejected for ${repo}`).to.deep.equal([]);
  }

  describe('docker config.json with a repository-scoped key (alice) and a registry-wide key (bob), converted to podman', () => {
    let authFile: string;

    beforeEach(async () => {
      const input = await fixtureFile('consumers/docker-scoped-alice-wide-bob.json', 'config.json');
      authFile = join(sb.home, 'out', 'auth.json');
      expectQuietSuccess(await sb.credkit(['convert', input, '--to', 'podman', '-o', authFile]), 'credkit convert --to podman');
    });

    it('writes podman spellings: the scoped key as is, Docker Hub as docker.io, only "auth" per entry', async () => {
      const parsed = JSON.parse(await readFile(authFile, 'utf8')) as { auths: Record<string, Record<string, unknown>> };
      expect(Object.keys(parsed.auths).sort()).to.deep.equal([host, `${host}/team/app`, 'docker.io'].sort());
      for (const [key, entry] of Object.entries(parsed.auths)) expect(Object.keys(entry), key).to.deep.equal(['auth']);
      ok(decodeAuth(parsed.auths[`${host}/team/app`]?.auth)?.username === 'alice', 'scoped key holds alice');
      ok(decodeAuth(parsed.auths[host]?.auth)?.username === 'bob', 'registry-wide key holds bob');
    });

    it('skopeo: team/app authenticates as alice (scoped key wins), other/app as bob (registry-wide key)', async () => {
      await expectSkopeoAs(authFile, 'team/app', 'alice');
      await expectSkopeoAs(authFile, 'other/app', 'bob');
    });

    describe('podman pull', () => {
      before(async function () {
        await skipUnlessPrograms(this, ['podman']);
      });

      for (const [repo, user] of [['team/app', 'alice'], ['other/app', 'bob']] as const) {
        it(`pulls ${repo}:1 as ${user}`, async () => {
          const r = registry!;
          const mark = r.logMark();
          const res = await clients.podmanPull(authFile, `${host}/${repo}:1`);
          expectNoSecrets('podman pull', [res]);
          expect(res.code, `podman pull ${repo}: ${res.stderr.trim()}`).to.equal(0);
          expect(res.stdout.trim(), 'podman pull --quiet prints the image ID').to.match(/^[0-9a-f]{64}$/);
          expect(r.acceptedUsers(mark)).to.deep.equal([user]);
          expect(r.rejectedUsers(mark)).to.deep.equal([]);
        });
      }
    });
  });

  it('.dockercfg JSON map with an https://HOST/v1/ key → podman: skopeo authenticates as alice (no scoping in .dockercfg)', async () => {
    const input = await fixtureFile('consumers/dockercfg-map-https-v1.dockercfg', '.dockercfg');
    const authFile = join(sb.home, 'auth.json');
    expectQuietSuccess(await sb.credkit(['convert', input, '--to', 'podman', '-o', authFile]), 'credkit convert .dockercfg');
    const parsed = JSON.parse(await readFile(authFile, 'utf8')) as { auths: Record<string, unknown> };
    // podman refuses scheme-prefixed keys in what it writes; credkit writes the bare host.
    expect(Object.keys(parsed.auths)).to.deep.equal([host]);
    await expectSkopeoAs(authFile, 'team/app', 'alice');
    await expectSkopeoAs(authFile, 'other/app', 'alice');
  });

  it('.dockercfg JSON map with a HOST/team key → podman: written as HOST, as skopeo reads a .dockercfg key for the whole registry', async () => {
    const dir = join(sb.home, 'in', 'scoped-dockercfg');
    await mkdir(dir, { recursive: true });
    const input = join(dir, '.dockercfg');
    await writeFile(input, JSON.stringify({ [`${host}/team`]: { auth: Buffer.from(`alice:${USERS.alice}`).toString('base64'), email: '' } }), { mode: 0o600 });
    // What skopeo does with the .dockercfg itself: it reads it as ~/.dockercfg, when HOME is its directory.
    const env = registry!.clientEnv({ HOME: dir, XDG_RUNTIME_DIR: join(sb.home, 'consumers', 'empty-run') });
    const legacy = await run('skopeo', ['login', '--get-login', '--authfile', join(dir, 'none.json'), `${host}/other`], { env });
    expect([legacy.code, legacy.stdout.trim()], legacy.stderr).to.deep.equal([0, 'alice']);
    const authFile = join(sb.home, 'auth.json');
    const conv = await sb.credkit(['convert', input, '--to', 'podman', '-o', authFile]);
    expectNoSecrets('credkit convert .dockercfg', [conv]);
    expect([conv.code, conv.stdout], conv.stderr).to.deep.equal([0, '']);
    expect(conv.stderr).to.match(new RegExp(`key "${host.replace(/[.]/g, '\\.')}/team": a \\.dockercfg has no scoping`));
    expect(Object.keys((JSON.parse(await readFile(authFile, 'utf8')) as { auths: object }).auths)).to.deep.equal([host]);
    await expectSkopeoAs(authFile, 'other/app', 'alice');
  });

  it('podman auth.json with HOST/team/app (alice) and HOST (bob) → .dockercfg: the loss says skopeo never uses the scoped key, and skopeo uses bob for team/app', async () => {
    const input = await fixtureFile('consumers/podman-scoped-alice-wide-bob.json', 'auth.json');
    const dir = join(sb.home, 'legacy-home');
    await mkdir(dir, { recursive: true });
    const conv = await sb.credkit(['convert', input, '--to', 'dockercfg', '--allow-lossy', '-o', join(dir, '.dockercfg')]);
    expectNoSecrets('credkit convert --to dockercfg', [conv]);
    expect([conv.code, conv.stdout], conv.stderr).to.deep.equal([0, '']);
    expect(conv.stderr).to.contain(`key "${host}/team/app": .dockercfg has no scoping: podman and skopeo never use this entry, as they take "${host}" in the same file for all of ${host}`);
    // skopeo reads the written file as ~/.dockercfg; the --authfile it is given does not exist (empty).
    const env = registry!.clientEnv({ HOME: dir, XDG_RUNTIME_DIR: join(sb.home, 'consumers', 'empty-run') });
    const mark = registry!.logMark();
    const res = await run('skopeo', ['inspect', '--authfile', join(dir, 'none.json'), '--cert-dir', registry!.certDir, `docker://${host}/team/app:1`], { env });
    expectNoSecrets('skopeo inspect', [res]);
    expect(res.code, res.stderr.trim()).to.equal(0);
    expect(registry!.acceptedUsers(mark)).to.deep.equal(['bob']);
  });

  it('.dockercfg line form → podman: skopeo finds its Docker Hub credential under docker.io', async () => {
    // The line form always means Docker Hub, which a test may not reach; `login --get-login` makes
    // skopeo parse the file, decode "auth" and look the Hub up, without any network.
    const authFile = join(sb.home, 'auth.json');
    const conv = await sb.credkit(['convert', join(FIXTURES, 'dockercfg', 'line-form.dockercfg'), '--to', 'podman', '-o', authFile]);
    expect([conv.code, conv.stdout, conv.stderr]).to.deep.equal([0, '', '']);
    const parsed = JSON.parse(await readFile(authFile, 'utf8')) as { auths: Record<string, { auth?: string }> };
    expect(Object.keys(parsed.auths)).to.deep.equal(['docker.io']);
    for (const ref of ['docker.io', 'index.docker.io']) {
      const who = await clients.skopeo(['login', '--get-login', '--authfile', authFile, ref]);
      expect(who.code, `skopeo login --get-login ${ref}: ${who.stderr.trim()}`).to.equal(0);
      expect(who.stdout.trim()).to.equal('alice');
    }
    // And the password survived: skopeo hands on what "auth" decodes to, which is the input's.
    ok(decodeAuth(parsed.auths['docker.io']?.auth)?.password === 'fake-hub-pass', 'Hub password kept');
  });

  it('merge of a bare quay.io/v1 key and a quay.io key → podman: both stay, as skopeo reads them as two scopes', async () => {
    // `login --get-login` makes skopeo look the key up without any network.
    const auth = (user: string, password: string) => ({ auth: Buffer.from(`${user}:${password}`).toString('base64') });
    const a = join(sb.home, 'a.json');
    const b = join(sb.home, 'b.json');
    const out = join(sb.home, 'merged.json');
    await writeFile(a, JSON.stringify({ auths: { 'quay.io/v1': auth('alice', 'fake-alice-registry-pw') } }), { mode: 0o600 });
    await writeFile(b, JSON.stringify({ auths: { 'quay.io': auth('bob', 'fake-bob-registry-pw') } }), { mode: 0o600 });
    const merged = await sb.credkit(['merge', a, b, '--to', 'podman', '-o', out]);
    expectNoSecrets('credkit merge', [merged]);
    expect([merged.code, merged.stderr]).to.deep.equal([0, '']);
    for (const [ref, user] of [['quay.io', 'bob'], ['quay.io/v1', 'alice']]) {
      const who = await clients.skopeo(['login', '--get-login', '--authfile', out, ref as string]);
      expect([who.code, who.stdout.trim()], `skopeo login --get-login ${ref}`).to.deep.equal([0, user]);
    }
  });

  describe('credkit merge of two files → podman', () => {
    let stale: string;
    let current: string;
    beforeEach(async () => {
      // The same registry under two spellings ("https://HOST" and "HOST"): one canonical key.
      stale = await fixtureFile('consumers/docker-stale-bob-scheme-key.json', 'config.json');
      current = await fixtureFile('consumers/podman-scoped-alice-wide-bob.json', 'auth.json');
    });

    it('later file wins (default): skopeo authenticates as bob with his current password, and as alice for team/app', async () => {
      const merged = join(sb.home, 'merged.json');
      const r = await sb.credkit(['merge', stale, current, '--to', 'podman', '-o', merged]);
      expectNoSecrets('credkit merge', [r]);
      expect(r.code, r.stderr.trim()).to.equal(0);
      expect(r.stderr.trim()).to.equal(`credkit: conflict on ${host}: kept ${current} (key "${host}"), dropped ${stale} (key "https://${host}")`);
      const parsed = JSON.parse(await readFile(merged, 'utf8')) as { auths: Record<string, unknown> };
      expect(Object.keys(parsed.auths).sort()).to.deep.equal([host, `${host}/team/app`].sort());
      await expectSkopeoAs(merged, 'other/app', 'bob');
      await expectSkopeoAs(merged, 'team/app', 'alice');
    });

    it('--prefer first keeps the stale password: the registry rejects bob, so skopeo really used the merged entry', async () => {
      const merged = join(sb.home, 'merged.json');
      const r = await sb.credkit(['merge', stale, current, '--to', 'podman', '--prefer', 'first', '-o', merged]);
      expectNoSecrets('credkit merge', [r]);
      expect(r.code, r.stderr.trim()).to.equal(0);
      const reg = registry!;
      const mark = reg.logMark();
      const res = await clients.inspect(merged, `${host}/other/app:1`);
      expect(res.code).to.not.equal(0);
      expect(res.stderr).to.contain('unauthorized');
      expect(reg.rejectedUsers(mark)).to.deep.equal(['bob']);
      expect(reg.acceptedUsers(mark)).to.deep.equal([]);
      // The scoped key only the second file had is still there.
      await expectSkopeoAs(merged, 'team/app', 'alice');
    });
  });

  it('pull secret: --to secret, decoded back with convert secret.yaml --to podman, is accepted by skopeo', async () => {
    const input = await fixtureFile('consumers/docker-scoped-alice-wide-bob.json', 'config.json');
    const secretFile = join(sb.home, 'secret.yaml');
    expectQuietSuccess(await sb.credkit(['convert', input, '--to', 'secret', '--name', 'regcred', '-o', secretFile]), 'credkit convert --to secret');
    const secret = decodePullSecret(await readFile(secretFile, 'utf8'));
    expect(secret.type).to.equal('kubernetes.io/dockerconfigjson');
    expect(Object.keys(secret.payload.auths ?? {}).sort()).to.deep.equal([host, `${host}/team/app`, 'https://index.docker.io/v1/'].sort());

    const authFile = join(sb.home, 'auth.json');
    expectQuietSuccess(await sb.credkit(['convert', secretFile, '--to', 'podman', '-o', authFile]), 'credkit convert secret.yaml --to podman');
    await expectSkopeoAs(authFile, 'team/app', 'alice');
    await expectSkopeoAs(authFile, 'other/app', 'bob');
  });
});
