/**
 * podman and skopeo (containers/image) read and erase credentials through docker-credential-credkit
 * when an auth.json routes a registry to it with `credHelpers`. `podman login` itself always pings
 * the registry's /v2/ before storing, so storing through podman needs a live registry and is left
 * to the registry-backed suites; here credkit stores, and podman/skopeo read (`--get-login`) and
 * erase (`logout`), which contact no registry.
 */
import { expect } from 'chai';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { makeSandboxPerTest, putHelperOnPath, run, skipUnlessPrograms, type Sandbox } from '../support/sandbox.js';

const REGISTRY = 'registry.example.test';
const OTHER = 'other.example.test';
const HUB_KEY = 'https://index.docker.io/v1/';
const NOT_FOUND = 'credentials not found in native keychain\n';

/** Puts the helper on the sandbox's PATH and writes an auth.json whose credHelpers route to it; returns its path. */
async function routeToCredkit(sb: Sandbox): Promise<string> {
  await putHelperOnPath(sb);
  const authFile = join(sb.home, 'auth.json');
  await writeFile(authFile, JSON.stringify({ credHelpers: { [REGISTRY]: 'credkit', 'docker.io': 'credkit' } }), { mode: 0o600 });
  return authFile;
}

async function store(sb: Sandbox, serverURL: string, username: string): Promise<void> {
  const r = await sb.credkit(['store', 'store', serverURL, '--username', username, '--password-stdin'], 'fake-password-not-real\n');
  expect(r.code, r.stderr).to.equal(0);
}

describe('e2e: podman with docker-credential-credkit (credHelpers)', function () {
  let sb: Sandbox;
  let authFile: string;

  before(async function () {
    await skipUnlessPrograms(this, ['podman']);
  });
  makeSandboxPerTest({ CREDKIT_BACKEND: 'file' }, async (made) => {
    sb = made;
    authFile = await routeToCredkit(sb);
  });

  const podman = (args: readonly string[], env: Record<string, string> = {}) =>
    run('podman', args, { env: { ...sb.env, ...env } });

  it('login --get-login reads the username through credkit', async () => {
    await store(sb, REGISTRY, 'alice');
    const r = await podman(['login', '--authfile', authFile, '--get-login', REGISTRY]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('alice\n');
  });

  it('asks the helper for "docker.io" for Docker Hub, not the /v1/ key docker uses', async () => {
    await store(sb, HUB_KEY, 'docker-user');
    let r = await podman(['login', '--authfile', authFile, '--get-login', 'docker.io']);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.include('not logged into docker.io');

    await store(sb, 'docker.io', 'podman-user');
    r = await podman(['login', '--authfile', authFile, '--get-login', 'docker.io']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('podman-user\n');
  });

  it('a registry not routed to credkit gets nothing from credkit', async () => {
    await store(sb, OTHER, 'mallory');
    const r = await podman(['login', '--authfile', authFile, '--get-login', OTHER]);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.include(`not logged into ${OTHER}`);
  });

  it('with DOCKER_CONFIG set, podman logout writes docker\'s config.json back without its credsStore, as doctor warns beforehand; REGISTRY_AUTH_FILE, its fix, keeps it', async () => {
    const config = join(sb.env.DOCKER_CONFIG!, 'config.json');
    const original = { auths: {}, credsStore: 'credkit', psFormat: 'table' };
    await writeFile(config, JSON.stringify(original), { mode: 0o600 });
    const doctor = await sb.credkit(['doctor', '--json', '--no-call-helpers']);
    const findings = (JSON.parse(doctor.stdout) as { findings: { code: string; what: string; fix: string }[] }).findings.filter((f) => f.code === 'podman-drops-settings');
    expect(findings.map((f) => f.what)).to.deep.equal([
      // The sandbox's DOCKER_CONFIG is under its HOME.
      'podman login and logout write ~/.docker/config.json (DOCKER_CONFIG), and podman 4.3 and buildah 1.28 write it back with only auths and credHelpers: "credsStore": "credkit", "psFormat" would be dropped, even by a logout with nothing to remove, so that docker, without its credsStore, keeps its next logins in ~/.docker/config.json in plain text',
    ]);
    // The fix, REGISTRY_AUTH_FILE: podman logs out of its own file, docker's is left alone.
    const own = join(sb.env.XDG_CONFIG_HOME!, 'containers', 'auth.json');
    expect(findings[0]?.fix).to.include('export REGISTRY_AUTH_FILE=~/.config/containers/auth.json');
    await podman(['logout', REGISTRY], { REGISTRY_AUTH_FILE: own });
    expect(JSON.parse(await readFile(config, 'utf8'))).to.deep.equal(original);
    // Without it, a logout that finds nothing to remove still rewrites docker's file.
    const r = await podman(['logout', REGISTRY]);
    expect(r.stderr).to.include(`not logged into ${REGISTRY}`);
    expect(JSON.parse(await readFile(config, 'utf8'))).to.deep.equal({ auths: {} });
  });

  it('logout erases through credkit and keeps credHelpers', async () => {
    await store(sb, REGISTRY, 'alice');
    await store(sb, OTHER, 'mallory');
    const r = await podman(['logout', '--authfile', authFile, REGISTRY]);
    expect(r.code, r.stderr).to.equal(0);
    const get = await sb.helper('get', REGISTRY);
    expect(get.code).to.equal(1);
    expect(get.stdout).to.equal(NOT_FOUND);
    expect((await sb.helper('list', 'unused')).stdout).to.equal(`{"${OTHER}":"mallory"}\n`);
    const auth = JSON.parse(await readFile(authFile, 'utf8')) as { credHelpers?: unknown };
    expect(auth.credHelpers).to.deep.equal({ [REGISTRY]: 'credkit', 'docker.io': 'credkit' });
  });

  it("a helper failure shows credkit's one-line error", async () => {
    const r = await podman(['login', '--authfile', authFile, '--get-login', REGISTRY], { CREDKIT_BACKEND: 'no-such-backend' });
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.match(/error getting credentials - err: exit status 1, out: `unknown credkit backend "no-such-backend" \(choose one of: [a-z:A-Z, ]+\)`/);
  });
});

describe('e2e: credkit logout from one of podman\'s auth files says what podman still logs in with', function () {
  let sb: Sandbox;
  let runtimeFile: string;
  let configFile: string;
  let dockerFile: string;
  const auth = (user: string) => ({ auth: Buffer.from(`${user}:fake-${user}-pw`).toString('base64') });
  const write = async (path: string, auths: Record<string, unknown>) => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, JSON.stringify({ auths }), { mode: 0o600 });
  };

  before(async function () {
    await skipUnlessPrograms(this, ['podman']);
  });
  makeSandboxPerTest({}, (made) => {
    sb = made;
    // With DOCKER_CONFIG set, podman 4.3 takes $DOCKER_CONFIG/config.json as its first file
    // instead of the runtime one: this is the plain setup, where `podman login` writes the latter.
    delete sb.env.DOCKER_CONFIG;
    runtimeFile = join(sb.env.XDG_RUNTIME_DIR!, 'containers', 'auth.json');
    configFile = join(sb.env.XDG_CONFIG_HOME!, 'containers', 'auth.json');
    dockerFile = join(sb.home, '.docker', 'config.json');
  });
  /** What `podman login --get-login REGISTRY` says, reading podman's own file chain. */
  const getLogin = async (registry: string) => {
    const r = await run('podman', ['login', '--get-login', registry], { env: sb.env });
    return r.code === 0 ? r.stdout.trim() : `exit ${r.code}: ${r.stderr.trim()}`;
  };

  it('a login left in a later file: logout of the runtime file warns with that file and the command that removes it, which logs podman out', async () => {
    await write(runtimeFile, { [REGISTRY]: auth('bob') });
    await write(configFile, { [REGISTRY]: auth('alice') });
    const r = await sb.credkit(['logout', REGISTRY, '--authfile', '']);
    expect([r.code, r.stdout], r.stderr).to.deep.equal([0, `removed "${REGISTRY}" from ${runtimeFile}\n`]);
    expect(await getLogin(REGISTRY)).to.equal('alice');
    expect(r.stderr).to.equal(`credkit: warning: podman still logs in to ${REGISTRY} as "alice", from key "${REGISTRY}" in ${configFile}, as it reads every auth file in turn; to log podman out: credkit logout ${REGISTRY} --authfile ${configFile}\n`);
    const fix = await sb.credkit(['logout', REGISTRY, '--authfile', configFile]);
    expect([fix.code, fix.stderr]).to.deep.equal([0, '']);
    expect(await getLogin(REGISTRY)).to.match(/^exit [1-9]/);
  });

  it('nothing in the runtime file but a login in docker\'s config.json: the not-logged-in error says podman still uses it', async () => {
    await write(dockerFile, { [REGISTRY]: auth('alice') });
    const r = await sb.credkit(['logout', REGISTRY, '--authfile', '']);
    expect(r.code).to.equal(1);
    expect(await getLogin(REGISTRY)).to.equal('alice');
    expect(r.stderr.trim()).to.equal(`credkit: not logged in to ${REGISTRY}: nothing found in ${runtimeFile}; but podman still logs in to ${REGISTRY} as "alice", from key "${REGISTRY}" in ${dockerFile}, as it reads every auth file in turn; to log podman out: credkit logout ${REGISTRY}`);
    expect(r.stderr.includes('fake-alice-pw')).to.equal(false);
  });

  it('DOCKER_CONFIG set: the warning follows podman, which starts at $DOCKER_CONFIG/config.json and never reads the runtime file (podman 4.3.1)', async () => {
    const dc = join(sb.home, 'dc');
    sb.env.DOCKER_CONFIG = dc;
    const dockerConfig = join(dc, 'config.json');
    await write(runtimeFile, { [REGISTRY]: auth('bob') });
    await write(configFile, { [REGISTRY]: auth('alice') });
    await write(dockerConfig, { [REGISTRY]: auth('carol') });
    expect(await getLogin(REGISTRY)).to.equal('carol');
    // The runtime file is podman's first only under --authfile "": plain podman never read bob.
    const runtime = await sb.credkit(['logout', REGISTRY, '--authfile', '']);
    expect([runtime.code, runtime.stdout], runtime.stderr).to.deep.equal([0, `removed "${REGISTRY}" from ${runtimeFile}\n`]);
    expect(await getLogin(REGISTRY)).to.equal('carol');
    expect(runtime.stderr).to.equal(`credkit: warning: podman still logs in to ${REGISTRY} as "carol", from key "${REGISTRY}" in ${dockerConfig}, as it never reads ${runtimeFile} (its first file is ${dockerConfig}, named by DOCKER_CONFIG); to log podman out: credkit logout ${REGISTRY}\n`);
    // Logging docker out edits podman's first file too: podman goes on to ~/.config/containers/auth.json.
    const docker = await sb.credkit(['logout', REGISTRY]);
    expect([docker.code, docker.stdout], docker.stderr).to.deep.equal([0, `removed "${REGISTRY}" from ${dockerConfig}\n`]);
    expect(await getLogin(REGISTRY)).to.equal('alice');
    expect(docker.stderr).to.equal(`credkit: warning: podman still logs in to ${REGISTRY} as "alice", from key "${REGISTRY}" in ${configFile}, as it reads every auth file in turn; to log podman out: credkit logout ${REGISTRY} --authfile ${configFile}\n`);
    const fix = await sb.credkit(['logout', REGISTRY, '--authfile', configFile]);
    expect([fix.code, fix.stderr]).to.deep.equal([0, '']);
    expect(await getLogin(REGISTRY)).to.match(/^exit [1-9]/);
  });

  it('a scoped logout that leaves the registry-wide key of the same file says nothing more: that fallback is intended', async () => {
    await write(runtimeFile, { [`${REGISTRY}/team`]: auth('carol'), [REGISTRY]: auth('bob') });
    const r = await sb.credkit(['logout', `${REGISTRY}/team`, '--authfile', '']);
    expect([r.code, r.stderr]).to.deep.equal([0, '']);
    expect(await getLogin(`${REGISTRY}/team`)).to.equal('bob');
  });
});

describe('e2e: skopeo with docker-credential-credkit (credHelpers)', function () {
  let sb: Sandbox;
  let authFile: string;

  before(async function () {
    await skipUnlessPrograms(this, ['skopeo']);
  });
  makeSandboxPerTest({ CREDKIT_BACKEND: 'file' }, async (made) => {
    sb = made;
    authFile = await routeToCredkit(sb);
  });

  it('login --get-login reads the username through credkit; logout erases it', async () => {
    await store(sb, REGISTRY, 'alice');
    let r = await run('skopeo', ['login', '--authfile', authFile, '--get-login', REGISTRY], { env: sb.env });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('alice\n');
    r = await run('skopeo', ['logout', '--authfile', authFile, REGISTRY], { env: sb.env });
    expect(r.code, r.stderr).to.equal(0);
    expect((await sb.helper('get', REGISTRY)).stdout).to.equal(NOT_FOUND);
  });
});
