/**
 * The real docker CLI reads the config.json credkit writes: a podman auth.json converted `--to
 * docker` makes `docker pull` send the right credentials to the engine (a fake one on a unix socket
 * that records `X-Registry-Auth`), so docker accepts our Docker Hub key spelling and our `auth`
 * encoding. Scoped keys, which docker does not honour, are reported as lossy.
 */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES, run, skipUnlessPrograms, type Sandbox } from '../support/sandbox.js';
import { decodeRegistryAuth, expectAuth, makeDockerSandboxPerTest, type EngineAuthConfig, type FakeEngine } from '../support/fake-engine.js';
import { expectNoSecrets } from '../support/consumers.js';

const HUB_KEY = 'https://index.docker.io/v1/';
/** What fixtures/podman/hub-and-registry.json and scoped-keys.json hold (fake values). */
const HUB = { username: 'hubuser', password: 'fake-hub-pw' };
const EXAMPLE = { username: 'carol', password: 'fake-example-registry-pw' };
const QUAY_WIDE = { username: 'bob', password: 'fake-quay-pass' };
const SECRETS = [HUB.password, EXAMPLE.password, QUAY_WIDE.password, 'fake-hub-pass', 'fake-team-token', 'fake-app-token'];

describe('e2e: consumers: the docker CLI reads the config.json credkit writes', function () {
  let engine: FakeEngine;
  let sb: Sandbox;
  let configPath: string;

  before(async function () {
    await skipUnlessPrograms(this, ['docker']);
  });
  makeDockerSandboxPerTest({}, (docker) => ({ engine, sb, configPath } = docker));

  /** Runs `docker pull REF` and returns the X-Registry-Auth it sent, decoded ({} when none). */
  async function pullAuth(ref: string): Promise<EngineAuthConfig> {
    const before = engine.pulls.length;
    const r = await run('docker', ['pull', ref], { env: sb.env });
    expectNoSecrets('docker pull', [r], SECRETS);
    expect(r.code, `docker pull ${ref}: ${r.stderr.trim()}; engine 404s: ${engine.unknown.join(', ') || 'none'}`).to.equal(0);
    expect(r.stderr, 'docker warned (e.g. it could not parse config.json)').to.equal('');
    expect(engine.pulls.length, 'one pull reached the engine').to.equal(before + 1);
    const header = engine.pulls.at(-1)?.registryAuth;
    return header ? decodeRegistryAuth(header) : {};
  }

  it('podman auth.json (docker.io and a registry key) --to docker: docker pull sends both credentials', async () => {
    // Not named auth.json, so read as a config.json unless told: docker.io there would get a note.
    const r = await sb.credkit(['convert', join(FIXTURES, 'podman', 'hub-and-registry.json'), '--from', 'podman', '--to', 'docker', '-o', configPath]);
    expectNoSecrets('credkit convert', [r], SECRETS);
    expect([r.code, r.stdout, r.stderr]).to.deep.equal([0, '', '']);
    // Only "auth" in each entry, so what docker sends can only come from decoding our encoding.
    const written = JSON.parse(await readFile(configPath, 'utf8')) as { auths: Record<string, Record<string, unknown>> };
    expect(Object.keys(written.auths).sort()).to.deep.equal([HUB_KEY, 'registry.example.test']);
    for (const [key, entry] of Object.entries(written.auths)) expect(Object.keys(entry), key).to.deep.equal(['auth']);

    expectAuth(await pullAuth('registry.example.test/x:1'), { ...EXAMPLE, serveraddress: 'registry.example.test' }, 'X-Registry-Auth for registry.example.test');
    expect(engine.pulls.at(-1)).to.include({ fromImage: 'registry.example.test/x', tag: '1' });

    // Docker looks the Hub up under https://index.docker.io/v1/ only: podman's "docker.io" was respelt.
    expectAuth(await pullAuth('busybox'), { ...HUB, serveraddress: HUB_KEY }, 'X-Registry-Auth for Docker Hub');
    expect(engine.pulls.at(-1)).to.include({ fromImage: 'docker.io/library/busybox', tag: 'latest' });

    // A registry the file has no entry for gets nothing.
    const none = await pullAuth('unknown.example.test/x:1');
    expect([none.username, none.password, none.identitytoken].filter(Boolean), 'credentials sent for an unknown registry').to.deep.equal([]);
  });

  it('scoped keys --to docker: reported as lossy (exit 1, no value), and docker uses the registry-wide entry', async () => {
    const input = join(FIXTURES, 'podman', 'scoped-keys.json');
    const r = await sb.credkit(['convert', input, '--to', 'docker', '-o', configPath]);
    expectNoSecrets('credkit convert', [r], SECRETS);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal('');
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => /key "quay\.io\/team": docker ignores the path/.test(l))).to.have.length(1);
    expect(lines.filter((l) => /key "quay\.io\/team\/app": docker ignores the path/.test(l))).to.have.length(1);
    expect(lines.at(-1)).to.match(/2 items cannot be expressed in docker format; the output was written anyway; pass --allow-lossy/);

    // Written anyway: docker pulls of the scoped repositories get the registry-wide (quay.io) entry.
    for (const ref of ['quay.io/team/app:1', 'quay.io/team/other:1', 'quay.io/elsewhere/app:1']) {
      expectAuth(await pullAuth(ref), { ...QUAY_WIDE, serveraddress: 'quay.io' }, `X-Registry-Auth for ${ref}`);
    }

    const allowed = await sb.credkit(['convert', input, '--to', 'docker', '-o', configPath, '--allow-lossy']);
    expect(allowed.code).to.equal(0);
    expect(allowed.stderr).to.match(/accepted with --allow-lossy/);
  });

  it('a Docker Hub key with a path --to docker: reported as never used by docker, which docker pull confirms (no fallback for Docker Hub)', async () => {
    const { writeFile } = await import('node:fs/promises');
    const input = join(sb.home, 'auth.json');
    await writeFile(input, JSON.stringify({ auths: { 'docker.io/myorg': { auth: Buffer.from('hubuser:fake-hub-pass').toString('base64') } } }), { mode: 0o600 });
    const r = await sb.credkit(['convert', input, '--to', 'docker', '-o', configPath]);
    expectNoSecrets('credkit convert', [r], SECRETS);
    expect(r.code).to.equal(1);
    expect(r.stderr.split('\n')[0]).to.equal(`credkit: ${input}: key "docker.io/myorg": docker uses no key with a path for Docker Hub: it never uses this entry (written as is; podman reading the file still honours it)`);
    // docker cuts the key to its host, "docker.io", which is not the URL it looks Docker Hub up as.
    for (const ref of ['myorg/app:1', 'busybox']) {
      const sent = await pullAuth(ref);
      expect([sent.username, sent.password].filter(Boolean), `credentials sent for ${ref}`).to.deep.equal([]);
    }
  });

  it('"Auths" beside "auths": docker reads both (names match in any case), and credkit converts both', async () => {
    const { writeFile } = await import('node:fs/promises');
    const fixtureDoc = JSON.parse(await readFile(join(FIXTURES, 'docker-config', 'auths-other-case.json'), 'utf8')) as Record<string, unknown>;
    // Without the CredsStore (no such helper here), docker uses the entries themselves.
    const { CredsStore: _store, ...doc } = fixtureDoc;
    const expectBoth = async (what: string) => {
      const quay = await pullAuth('quay.io/team/app:1');
      const ghcr = await pullAuth('ghcr.io/team/app:1');
      expectAuth({ ...quay, serveraddress: undefined }, { username: 'alice', password: 'fake-a' }, `${what}: quay.io`);
      expectAuth({ ...ghcr, serveraddress: undefined }, { username: 'bob', password: 'fake-b' }, `${what}: ghcr.io`);
    };
    await writeFile(configPath, JSON.stringify(doc));
    await expectBoth('docker reading the file as it is');
    const source = join(sb.home, 'odd.json');
    await writeFile(source, JSON.stringify(doc));
    const r = await sb.credkit(['convert', source, '--to', 'docker', '-o', configPath]);
    expect([r.code, r.stderr]).to.deep.equal([0, '']);
    expect(Object.keys(JSON.parse(await readFile(configPath, 'utf8')) as object)).to.deep.equal(['auths']);
    await expectBoth('docker reading what credkit wrote');
  });

  it('two "auths" objects: docker merges them, and credkit get and convert see both', async () => {
    const { copyFile } = await import('node:fs/promises');
    const expectBoth = async (what: string) => {
      expectAuth({ ...(await pullAuth('quay.io/team/app:1')), serveraddress: undefined }, { username: 'alice', password: 'fake-a' }, `${what}: quay.io`);
      expectAuth({ ...(await pullAuth('ghcr.io/team/app:1')), serveraddress: undefined }, { username: 'bob', password: 'fake-b' }, `${what}: ghcr.io`);
    };
    const source = join(FIXTURES, 'docker-config', 'repeated-auths.json');
    await copyFile(source, configPath);
    await expectBoth('docker reading the file as it is');
    // credkit get answers what docker sent for the first block's registry.
    const get = await sb.credkit(['get', 'quay.io/team/app:1']);
    expect(get.code, get.stderr).to.equal(0);
    const got = JSON.parse(get.stdout) as { Username: string; Secret: string };
    expect(got.Username).to.equal('alice');
    expect(got.Secret === 'fake-a', 'credkit get returns the secret docker sent').to.equal(true);
    const r = await sb.credkit(['convert', source, '--to', 'docker', '-o', configPath]);
    expect([r.code, r.stderr]).to.deep.equal([0, '']);
    await expectBoth('docker reading what credkit wrote');
  });

  it('why --to docker leaves an empty-username entry out: docker cannot load the file, and its next logout empties credentials', async () => {
    const { writeFile } = await import('node:fs/promises');
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    await writeFile(configPath, JSON.stringify({ auths: { 'a.example.test': { auth: b64('alice:fake-a') }, 'b.example.test': { auth: b64(':fake-token') }, 'c.example.test': { auth: b64('carol:fake-c') } } }));
    const r = await run('docker', ['logout', 'c.example.test'], { env: sb.env });
    expect(r.stderr).to.match(/invalid auth configuration file/i);
    const after = JSON.parse(await readFile(configPath, 'utf8')) as { auths: Record<string, Record<string, unknown>> };
    // The entry itself always; others too, in Go's random map order (not asserted).
    expect(after.auths['b.example.test'], 'the token entry after docker\'s save').to.deep.equal({});
    // credkit writes such a file without the entry (and says so), so docker keeps the others.
    const source = join(sb.home, 'with-empty-username.json');
    await writeFile(source, JSON.stringify({ auths: { 'a.example.test': { auth: b64('alice:fake-a') }, 'b.example.test': { auth: b64(':fake-token') } } }));
    const c = await sb.credkit(['convert', source, '--to', 'docker', '--allow-lossy', '-o', configPath]);
    expect(c.code, c.stderr).to.equal(0);
    const logout = await run('docker', ['logout', 'c.example.test'], { env: sb.env });
    expect(logout.stderr).to.not.match(/error/i);
    expect(Object.keys((JSON.parse(await readFile(configPath, 'utf8')) as { auths: object }).auths)).to.deep.equal(['a.example.test']);
  });

  it('an empty explicit "username" beside a password: docker sends it, then its next save writes the "auth" it cannot decode, as check warns', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(configPath, JSON.stringify({ auths: { 'b.example.test': { username: '', password: 'fake-token' } } }));
    expectAuth({ ...(await pullAuth('b.example.test/team/app:1')), serveraddress: undefined }, { password: 'fake-token' }, 'docker reading the fields');
    const check = await sb.credkit(['check', configPath, '--json']);
    expect(check.stdout.includes('fake-token')).to.equal(false);
    const finding = (JSON.parse(check.stdout) as { findings: Array<{ code: string; severity: string; message: string }> }).findings.find((f) => f.code === 'empty-username');
    expect(finding?.severity).to.equal('warning');
    expect(finding?.message).to.match(/its next save of the file \(a docker login or logout, to any registry\) writes it as "auth" with an empty username/);
    // docker 28.2: a login to another registry saves the file, and every later command warns.
    const login = await run('docker', ['login', 'a.example.test', '-u', 'alice', '--password-stdin'], { env: sb.env, input: 'fake-a\n' });
    expect(login.code, login.stderr).to.equal(0);
    const saved = JSON.parse(await readFile(configPath, 'utf8')) as { auths: Record<string, Record<string, unknown>> };
    expect(saved.auths['b.example.test'], 'the entry after docker\'s save').to.deep.equal({ auth: Buffer.from(':fake-token').toString('base64') });
    const pull = await run('docker', ['pull', 'a.example.test/team/app:1'], { env: sb.env });
    expect(pull.stderr).to.match(/Invalid auth configuration file/);
  });

  it('config.json --to docker respells a Hub key docker never reads (index.docker.io), and says that docker now sends it', async () => {
    const { writeFile } = await import('node:fs/promises');
    const doc = { auths: { 'index.docker.io': { auth: Buffer.from(`${HUB.username}:${HUB.password}`).toString('base64') } } };
    await writeFile(configPath, JSON.stringify(doc));
    // docker looks the Hub up as https://index.docker.io/v1/, and its host fallback compares that
    // whole URL with each key's host, so this key answers no Hub pull.
    const before = await pullAuth('busybox');
    expect([before.username, before.password].filter(Boolean), 'credentials docker sent for the Hub from index.docker.io').to.deep.equal([]);
    const source = join(sb.home, 'hub-alias.json');
    await writeFile(source, JSON.stringify(doc));
    const r = await sb.credkit(['convert', source, '--to', 'docker', '-o', configPath]);
    expectNoSecrets('credkit convert', [r], SECRETS);
    expect(r.code).to.equal(0);
    expect(r.stderr).to.match(/key "index\.docker\.io": written as "https:\/\/index\.docker\.io\/v1\/".*docker did not use this entry, and now sends it for Docker Hub/);
    expectAuth(await pullAuth('busybox'), { ...HUB, serveraddress: HUB_KEY }, 'X-Registry-Auth for Docker Hub after the conversion');
  });

  it('--registry quay.io/other selects the key docker sends for it, quay.io/team when the file has no quay.io key', async () => {
    const { writeFile } = await import('node:fs/promises');
    const TEAM = { username: 'team+robot', password: 'fake-team-token' };
    const doc = { auths: { 'quay.io/team': { auth: Buffer.from(`${TEAM.username}:${TEAM.password}`).toString('base64') }, 'ghcr.io': { auth: Buffer.from('g:fake-hub-pass').toString('base64') } } };
    await writeFile(configPath, JSON.stringify(doc));
    // docker reads only a key's host: with no quay.io key, quay.io/team answers every quay.io pull.
    expectAuth(await pullAuth('quay.io/other/app:1'), { ...TEAM, serveraddress: 'quay.io/team' }, 'X-Registry-Auth for quay.io/other from the input');
    const source = join(sb.home, 'scoped.json');
    await writeFile(source, JSON.stringify(doc));
    const r = await sb.credkit(['convert', source, '--to', 'docker', '--registry', 'quay.io/other', '--allow-lossy', '-o', configPath]);
    expectNoSecrets('credkit convert --registry', [r], SECRETS);
    expect(r.code, r.stderr).to.equal(0);
    const written = JSON.parse(await readFile(configPath, 'utf8')) as { auths: Record<string, unknown> };
    expect(Object.keys(written.auths)).to.deep.equal(['quay.io/team']);
    expectAuth(await pullAuth('quay.io/other/app:1'), { ...TEAM, serveraddress: 'quay.io/team' }, 'X-Registry-Auth for quay.io/other from the output');
    // To kubelet the key is quay.io/team alone: kept, with a note that it will not serve quay.io/other.
    const secret = await sb.credkit(['convert', source, '--to', 'secret', '--registry', 'quay.io/other', '-o', join(sb.home, 'secret.yaml')]);
    expect(secret.code, secret.stderr).to.equal(0);
    expect(secret.stderr).to.include(`credkit: ${source}: key "quay.io/team": selected for --registry quay.io/other because docker, reading this file, uses it for all of quay.io (it has no key for quay.io itself); kubelet uses it only for quay.io/team\n`);
  });
});
