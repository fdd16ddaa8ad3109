/**
 * `credkit migrate --into-store` on podman's auth.json, checked with the real podman and skopeo
 * against a real registry (its log says who they authenticated as). podman 4.3.1 and skopeo 1.9.3
 * ignore a `credsStore` in auth.json and pull anonymously past its `{}` markers; they ask a helper
 * through `credHelpers`, and a host's `credHelpers` entry answers before any key of that host in
 * the same file, a scoped one included.
 */
import { expect } from 'chai';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { basePath, makeSandbox, run, writeHelperShim, type RunResult, type Sandbox } from '../support/sandbox.js';
import { containerStateFlags, makeSeededRegistryPerSuite, type Registry } from '../support/registry.js';

const PW: Record<string, string> = { alice: 'fake-alice-pw-migrate', bob: 'fake-bob-pw-migrate' };
const OTHER = 'other.example.test';
const auth = (user: string, password: string) => ({ auth: Buffer.from(`${user}:${password}`).toString('base64') });

function expectNoSecret(r: RunResult): void {
  for (const pw of Object.values(PW)) expect((r.stdout + r.stderr).includes(pw), 'a password was printed').to.equal(false);
}

describe('e2e: migrate --into-store on podman\'s auth.json, with the real podman and skopeo (registry log)', function () {
  let registry: Registry;
  let image = '';
  let sb: Sandbox;
  let work: string;
  let authFile: string;
  let env: Record<string, string>;

  makeSeededRegistryPerSuite(PW, ['docker-registry', 'htpasswd', 'openssl', 'skopeo', 'podman'], (made, seeded) => {
    registry = made;
    image = seeded;
  });
  beforeEach(async () => {
    sb = await makeSandbox({ CREDKIT_BACKEND: 'file' });
    work = join(sb.home, 'work');
    await mkdir(work);
    const shimDir = await writeHelperShim(join(work, 'bin'));
    sb.env.CREDKIT_FILE = join(work, 'credkit.json');
    // podman 4.3 fails every command when DOCKER_CONFIG names a directory without config.json.
    delete sb.env.DOCKER_CONFIG;
    sb.env.PATH = `${shimDir}:${sb.env.PATH}`;
    env = registry.clientEnv({ ...sb.env, PATH: `${shimDir}:${basePath()}` });
    authFile = join(sb.env.XDG_RUNTIME_DIR as string, 'containers', 'auth.json');
    await mkdir(join(authFile, '..'), { recursive: true });
    await writeFile(join(work, 'policy.json'), '{"default":[{"type":"insecureAcceptAnything"}]}\n');
  });
  afterEach(async () => sb?.cleanup());

  /** Who podman pull and skopeo inspect authenticated as ('none' for anonymous, 'error' when they failed). */
  const sent = async (more: Record<string, string> = {}): Promise<{ podman: string; skopeo: string }> => {
    let mark = registry.logMark();
    const p = await run('podman', [...containerStateFlags(join(work, 'podman'), 'podman'), 'pull', '--quiet', '--signature-policy', join(work, 'policy.json'), '--cert-dir', registry.certDir, image], { env: { ...env, ...more }, timeoutMs: 120_000 });
    const podman = p.code === 0 ? (registry.acceptedUsers(mark)[0] ?? 'none') : registry.acceptedUsers(mark).length === 0 ? 'none' : 'error';
    mark = registry.logMark();
    const s = await run('skopeo', ['inspect', '--raw', '--cert-dir', registry.certDir, `docker://${image}`], { env: { ...env, ...more } });
    const skopeo = s.code === 0 ? (registry.acceptedUsers(mark)[0] ?? 'none') : registry.acceptedUsers(mark).length === 0 ? 'none' : 'error';
    return { podman, skopeo };
  };

  it('routes each registry it moves to the store with credHelpers, which podman and skopeo ask, not with credsStore, which they ignore', async () => {
    await writeFile(authFile, JSON.stringify({ auths: { [registry.host]: auth('alice', PW.alice!), [OTHER]: auth('bob', PW.bob!) } }), { mode: 0o600 });
    expect(await sent()).to.deep.equal({ podman: 'alice', skopeo: 'alice' });
    const r = await sb.credkit(['migrate', authFile, '--into-store', 'file', '--json']);
    expectNoSecret(r);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(await sent(), 'podman and skopeo after the migration').to.deep.equal({ podman: 'alice', skopeo: 'alice' });
    const file = (JSON.parse(r.stdout) as { files: { status: string; message: string; stored: unknown[] }[] }).files[0]!;
    expect(file.status).to.equal('changed');
    expect(file.message).to.include('credHelpers');
    expect(file.stored).to.deep.equal([
      { key: registry.host, username: 'alice', action: 'add', store: 'file' },
      { key: OTHER, username: 'bob', action: 'add', store: 'file' },
    ]);
    expect(JSON.parse(await readFile(authFile, 'utf8'))).to.deep.equal({ auths: {}, credHelpers: { [registry.host]: 'credkit', [OTHER]: 'credkit' } });
    const login = await run('podman', ['login', '--get-login', OTHER], { env });
    expect([login.code, login.stdout]).to.deep.equal([0, 'bob\n']);
  });

  it('--from podman: a podman auth file under another name (REGISTRY_AUTH_FILE) gets credHelpers too, which podman and skopeo then ask', async () => {
    const named = join(work, 'podman-auth.json');
    const byName = { REGISTRY_AUTH_FILE: named };
    await writeFile(named, JSON.stringify({ auths: { [registry.host]: auth('alice', PW.alice!) } }), { mode: 0o600 });
    expect(await sent(byName)).to.deep.equal({ podman: 'alice', skopeo: 'alice' });
    // By its name alone it is read as docker's config.json, and would get the credsStore podman ignores.
    const guessed = await sb.credkit(['migrate', named, '--into-store', 'file', '--dry-run', '--json']);
    expect((JSON.parse(guessed.stdout) as { files: { message?: string }[] }).files[0]?.message).to.equal(undefined);
    const r = await sb.credkit(['migrate', named, '--from', 'podman', '--into-store', 'file', '--json']);
    expectNoSecret(r);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect((JSON.parse(r.stdout) as { files: { message: string }[] }).files[0]?.message).to.include('credHelpers');
    expect(JSON.parse(await readFile(named, 'utf8'))).to.deep.equal({ auths: {}, credHelpers: { [registry.host]: 'credkit' } });
    expect(await sent(byName), 'podman and skopeo after the migration').to.deep.equal({ podman: 'alice', skopeo: 'alice' });
    // --from docker reads an auth.json as docker's: a credsStore, which docker asks.
    const dockers = join(work, 'docker', 'auth.json');
    await mkdir(join(dockers, '..'));
    await writeFile(dockers, JSON.stringify({ auths: { [OTHER]: auth('bob', PW.bob!) } }), { mode: 0o600 });
    const d = await sb.credkit(['migrate', dockers, '--from', 'docker', '--into-store', 'file']);
    expect(d.code, d.stdout + d.stderr).to.equal(0);
    expect(JSON.parse(await readFile(dockers, 'utf8'))).to.deep.equal({ auths: { [OTHER]: {} }, credsStore: 'credkit' });
  });

  it('docker\'s ~/.docker/config.json, which podman and skopeo read too: the report says they lose what is moved, as they do', async () => {
    const config = join(sb.home, '.docker', 'config.json');
    await mkdir(join(config, '..'), { recursive: true });
    const text = JSON.stringify({ auths: { [registry.host]: auth('alice', PW.alice!) } });
    await writeFile(config, text, { mode: 0o600 });
    const elsewhere = join(work, 'ci-config.json');
    await writeFile(elsewhere, text, { mode: 0o600 });
    expect(await sent()).to.deep.equal({ podman: 'alice', skopeo: 'alice' });
    const r = await sb.credkit(['migrate', config, elsewhere, '--into-store', 'file', '--json']);
    expectNoSecret(r);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const files = (JSON.parse(r.stdout) as { files: { file: string; status: string; message?: string }[] }).files;
    expect(files.map((f) => [f.file, f.status, f.message])).to.deep.equal([
      [config, 'changed', 'podman, buildah and skopeo read this file too, and ignore credsStore: the logins moved out of it are gone for them unless their own auth.json holds them (credkit doctor compares what each uses)'],
      [elsewhere, 'changed', undefined],
    ].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)));
    expect(JSON.parse(await readFile(config, 'utf8'))).to.deep.equal({ auths: { [registry.host]: {} }, credsStore: 'credkit' });
    // What the note says: podman and skopeo now pull anonymously.
    expect(await sent(), 'podman and skopeo after the migration').to.deep.equal({ podman: 'none', skopeo: 'none' });
    // Where none of them is installed, nothing is lost for them, and nothing is said.
    await writeFile(config, text, { mode: 0o600 });
    await run('docker-credential-credkit', ['erase'], { input: registry.host, env: sb.env });
    const nodeOnly = join(work, 'node-only');
    await mkdir(nodeOnly);
    await symlink(process.execPath, join(nodeOnly, 'node'));
    const quiet = await sb.credkit(['migrate', config, '--into-store', 'file', '--json'], '', { PATH: nodeOnly });
    expect(quiet.code, quiet.stdout + quiet.stderr).to.equal(0);
    expect((JSON.parse(quiet.stdout) as { files: { message?: string }[] }).files[0]?.message).to.equal(undefined);
  });

  it('an auth.json left with {} markers and "credsStore": "credkit" (docker login into a shared file, an older credkit): podman reads nothing; migrate routes each registry the store holds by credHelpers', async () => {
    const stored = await run('docker-credential-credkit', ['store'], { input: `${JSON.stringify({ ServerURL: registry.host, Username: 'alice', Secret: PW.alice })}\n`, env: sb.env });
    expect(stored.code, stored.stdout).to.equal(0);
    // The Hub as docker login keeps it, under docker's spelling.
    const hub = await run('docker-credential-credkit', ['store'], { input: `${JSON.stringify({ ServerURL: 'https://index.docker.io/v1/', Username: 'hubuser', Secret: 'fake-hub-pw' })}\n`, env: sb.env });
    expect(hub.code, hub.stdout).to.equal(0);
    await writeFile(authFile, JSON.stringify({ auths: { [registry.host]: {}, 'docker.io': {}, [OTHER]: {} }, credsStore: 'credkit' }), { mode: 0o600 });
    expect(await sent(), 'podman and skopeo ignore credsStore').to.deep.equal({ podman: 'none', skopeo: 'none' });
    const r = await sb.credkit(['migrate', authFile, '--into-store', 'credkit', '--json']);
    expectNoSecret(r);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const file = (JSON.parse(r.stdout) as { files: { status: string; message: string; stored: unknown[]; kept: { key: string; reason: string }[] }[] }).files[0]!;
    expect(file.status).to.equal('changed');
    expect(file.message).to.include('so is each {} marker of credsStore "credkit" whose credential it holds');
    expect(file.stored).to.deep.equal([
      { key: registry.host, username: 'alice', action: 'same', store: 'file' },
      { key: 'docker.io', username: 'hubuser', action: 'add', store: 'file' },
    ]);
    // The store holds nothing for OTHER: its marker stays, and the report says what podman reads there.
    expect(file.kept.find((k) => k.key === OTHER)?.reason).to.include('holds no credential for it: podman reads nothing for it here');
    expect(JSON.parse(await readFile(authFile, 'utf8'))).to.deep.equal({ auths: { [OTHER]: {} }, credsStore: 'credkit', credHelpers: { [registry.host]: 'credkit', 'docker.io': 'credkit' } });
    expect(await sent(), 'podman and skopeo after the repair').to.deep.equal({ podman: 'alice', skopeo: 'alice' });
    // Run again: nothing left to do.
    const again = await sb.credkit(['migrate', authFile, '--into-store', 'credkit', '--json']);
    expect((JSON.parse(again.stdout) as { files: { status: string }[] }).files[0]?.status).to.equal('unchanged');
  });

  it('leaves a registry with a scoped credential in the file, where a credHelpers entry would hide the scoped key from podman', async () => {
    // bob's scoped key is the one podman and skopeo send for team/app; alice's host key would hide
    // nothing, but a credHelpers entry for the host would answer before either.
    const doc = { auths: { [registry.host]: auth('alice', PW.alice!), [`${registry.host}/team`]: auth('bob', PW.bob!), [OTHER]: auth('bob', PW.bob!) } };
    await writeFile(authFile, JSON.stringify(doc), { mode: 0o600 });
    expect(await sent()).to.deep.equal({ podman: 'bob', skopeo: 'bob' });
    const r = await sb.credkit(['migrate', authFile, '--into-store', 'file']);
    expectNoSecret(r);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.include(`  kept in file ${registry.host}: podman asks a credHelpers entry for ${registry.host} before any key of ${registry.host} in this file`);
    expect(r.stdout).to.include(`  kept in file ${registry.host}/team: scoped key: podman reads it from this file`);
    expect(r.stdout).to.include(`  stored ${OTHER} (bob) in file\n`);
    const after = JSON.parse(await readFile(authFile, 'utf8')) as { auths: Record<string, unknown>; credHelpers: Record<string, string>; credsStore?: string };
    expect(after).to.deep.equal({ auths: { [registry.host]: doc.auths[registry.host], [`${registry.host}/team`]: doc.auths[`${registry.host}/team`] }, credHelpers: { [OTHER]: 'credkit' } });
    expect(await sent()).to.deep.equal({ podman: 'bob', skopeo: 'bob' });
  });
});
