/**
 * `credkit login` / `credkit logout` through the shipped bin in a throwaway HOME, against a real
 * Distribution registry (htpasswd, then token auth), with credkit's own helper and the real
 * docker-credential-pass where credHelpers/credsStore route the credential; then skopeo, given
 * only the written file and an empty HOME, proves the stored result authenticates as the user.
 */
import { expect } from 'chai';
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { basePath, hasProgram, makeSandboxPerTest, putHelperOnPath, run, skipUnlessPrograms, type RunResult, type Sandbox } from '../support/sandbox.js';
import { startFakeEngine } from '../support/fake-engine.js';
import { APP_IMAGES, makeRegistryPerSuite, writeMinimalOciLayout, type Registry } from '../support/registry.js';
import { makeCert, makeTokenRegistryPerSuite, type TokenRegistry } from '../support/token-registry.js';
import { usePassStore } from '../support/real-helpers.js';
import { startProxy } from '../support/proxy.js';

const USERS = { alice: 'fake-login-alice-pw', bob: 'fake-login-bob-pw' };
const WRONG = 'fake-login-wrong-pw';
const BOB_TOKEN = 'fake-login-identity-token-bob';
const SECRETS = [USERS.alice, USERS.bob, WRONG, BOB_TOKEN];

function expectNoSecrets(results: readonly RunResult[], extra: readonly string[] = []): void {
  for (const r of results) {
    for (const s of [...SECRETS, ...extra]) {
      if (r.stdout.includes(s) || r.stderr.includes(s)) throw new Error('a secret was printed');
    }
  }
}

type Config = { auths?: Record<string, Record<string, string>>; credsStore?: string; credHelpers?: Record<string, string> };

async function readJSON(path: string): Promise<Config> {
  return JSON.parse(await readFile(path, 'utf8')) as Config;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/**
 * skopeo with nothing but the given auth file: empty HOME and XDG_RUNTIME_DIR, the registry's
 * isolated containers config, an accept-anything policy; `pathDirs` go first on PATH (helpers).
 */
async function skopeoInspect(registry: Registry, certDir: string, dir: string, authFile: string, ref: string, extraEnv: Record<string, string> = {}): Promise<RunResult> {
  const home = join(dir, 'empty-home');
  const runtime = join(dir, 'empty-run');
  await mkdir(home, { recursive: true, mode: 0o700 });
  await mkdir(runtime, { recursive: true, mode: 0o700 });
  const policy = join(dir, 'policy.json');
  await writeFile(policy, '{"default":[{"type":"insecureAcceptAnything"}]}\n');
  const env = registry.clientEnv({ HOME: home, XDG_RUNTIME_DIR: runtime, ...extraEnv });
  return run('skopeo', ['--policy', policy, 'inspect', '--authfile', authFile, '--cert-dir', certDir, `docker://${ref}`], { env });
}

describe('e2e: credkit login/logout against a real registry (htpasswd)', function () {
  let registry: Registry | undefined;
  let sb: Sandbox;
  let host: string;
  let config: string;

  before(async function () {
    await skipUnlessPrograms(this, ['docker-registry', 'htpasswd', 'openssl', 'skopeo']);
  });
  makeRegistryPerSuite({ users: USERS, images: APP_IMAGES }, (r) => {
    registry = r;
    host = r.host;
  });
  makeSandboxPerTest({ CREDKIT_BACKEND: 'file' }, (s) => {
    sb = s;
    sb.env.CREDKIT_FILE = join(sb.home, 'credkit-store', 'credentials.json');
    config = join(sb.env.DOCKER_CONFIG!, 'config.json');
  });

  const login = (args: readonly string[], secret: string) => sb.credkit(['login', ...args, '--cert-dir', registry!.certDir], secret);

  /** skopeo inspect of HOST/REPO:1 succeeds, authenticated as `user` only. */
  async function expectSkopeoAs(authFile: string, repo: string, user: string, extraEnv: Record<string, string> = {}): Promise<void> {
    const mark = registry!.logMark();
    const res = await skopeoInspect(registry!, registry!.certDir, join(sb.home, 'skopeo'), authFile, `${host}/${repo}:1`, extraEnv);
    expectNoSecrets([res]);
    expect(res.code, `skopeo inspect ${repo}: ${res.stderr.trim()}`).to.equal(0);
    expect(registry!.acceptedUsers(mark), `users accepted for ${repo}`).to.deep.equal([user]);
    expect(registry!.rejectedUsers(mark)).to.deep.equal([]);
  }

  it('Basic login to docker config.json: plaintext auth, mode 0600, a warning; skopeo authenticates as alice', async () => {
    const mark = registry!.logMark();
    const r = await login([host, '-u', 'alice', '--password-stdin'], `${USERS.alice}\n`);
    expectNoSecrets([r]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include(`Login Succeeded: alice at ${host} (checked: basic)`);
    expect(r.stderr).to.match(/^WARNING! Your password will be stored unencrypted in .*config\.json; use --store NAME/m);
    // The registry saw the check (docker's trailing newline was dropped, or this would be rejected).
    expect(registry!.rejectedUsers(mark)).to.deep.equal([]);
    expect((await stat(config)).mode & 0o777).to.equal(0o600);
    const doc = await readJSON(config);
    expect(doc.auths).to.deep.equal({ [host]: { auth: b64(`alice:${USERS.alice}`) } });
    await expectSkopeoAs(config, 'team/app', 'alice');
  });

  it('a wrong password: exit 1, the registry refused it, nothing written, no password printed', async () => {
    const mark = registry!.logMark();
    const r = await login([host, '-u', 'alice', '--password-stdin'], WRONG);
    expectNoSecrets([r]);
    expect(r.code).to.equal(1);
    expect(r.stderr.trim()).to.equal(`credkit: unauthorized: incorrect username or password for alice at ${host}`);
    expect(r.stdout).to.equal('');
    expect(registry!.rejectedUsers(mark)).to.deep.equal(['alice']);
    expect(await exists(config)).to.equal(false);
  });

  it("credsStore credkit whose store cannot be used (no keychain, no fallback): exit 1 with the helper's whole message, its fix included", async () => {
    // A laptop's first login without a desktop session: auto finds no keychain. The helper's
    // message ends with what to set; docker quotes it whole, and so must credkit.
    await writeFile(config, JSON.stringify({ credsStore: 'credkit' }));
    const r = await sb.credkit(['login', host, '-u', 'alice', '--password-stdin', '--cert-dir', registry!.certDir], USERS.alice, { CREDKIT_BACKEND: 'auto' });
    expectNoSecrets([r]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^credkit: docker-credential-credkit store failed \(exit status 1\): no usable OS keychain \(.*\); set CREDKIT_BACKEND or "backend =" in credkit's config\.ini to keyutils, pass or file, or set "fallback = file"\n$/);
    expect(await readJSON(config)).to.deep.equal({ credsStore: 'credkit' });
  });

  it("logout through credsStore credkit whose store cannot be used: exit 1 with the store's own message (a failed get's output is never quoted), the marker kept", async () => {
    await writeFile(config, JSON.stringify({ auths: { [host]: {} }, credsStore: 'credkit' }));
    const r = await sb.credkit(['logout', host], '', { CREDKIT_BACKEND: 'auto' });
    expect(r.code).to.equal(1);
    const first = r.stderr.split('\n')[0] ?? '';
    expect(first).to.match(new RegExp(`^credkit: docker-credential-credkit: erasing ${host.replace(/\./g, '\\.')} failed: docker-credential-credkit erase failed \\(exit status 1\\): no usable OS keychain \\(.*; set CREDKIT_BACKEND .*, or set "fallback = file"$`));
    expect(r.stderr).not.to.include('its output is not shown');
    expect(await readJSON(config)).to.deep.equal({ auths: { [host]: {} }, credsStore: 'credkit' });
  });

  it('--json: a failure still prints one JSON object on stdout ({"ok": false, "error": {code, message}}), exit code as without --json; success has "ok": true', async () => {
    const wrong = await login([host, '-u', 'alice', '--password-stdin', '--json'], WRONG);
    expectNoSecrets([wrong]);
    expect(wrong.code).to.equal(1);
    expect(JSON.parse(wrong.stdout)).to.deep.equal({ ok: false, error: { code: 'UNAUTHORIZED', message: `unauthorized: incorrect username or password for alice at ${host}` } });
    expect(wrong.stderr.trim()).to.equal(`credkit: unauthorized: incorrect username or password for alice at ${host}`);
    const usage = await login([host, '--password-stdin', '--json'], USERS.alice);
    expectNoSecrets([usage]);
    expect(usage.code).to.equal(2);
    expect(JSON.parse(usage.stdout)).to.deep.equal({ ok: false, error: { code: 'USAGE', message: '--password-stdin needs a user name: -u USER' } });
    const scoped = await login([`${host}/team/app`, '-u', 'alice', '--password-stdin', '--json'], USERS.alice);
    expect(scoped.code).to.equal(2);
    expect((JSON.parse(scoped.stdout) as { error: { code: string } }).error.code).to.equal('USAGE');
    expect(await exists(config)).to.equal(false);
    const ok = await login([host, '-u', 'alice', '--password-stdin', '--json'], USERS.alice);
    expectNoSecrets([ok]);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(JSON.parse(ok.stdout)).to.include({ ok: true, registry: host, username: 'alice', verified: 'basic' });
  });

  it('a scoped key to docker config.json is refused (exit 2, pointing to --authfile) before the registry is asked', async () => {
    const mark = registry!.logMark();
    const r = await login([`${host}/team/app`, '-u', 'alice', '--password-stdin'], USERS.alice);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('repository-scoped').and.include('--authfile');
    expect(r.stderr).to.include(`docker ignores the path and would use them for all of ${host}`);
    expect(registry!.authEvents(mark)).to.deep.equal([]);
    expect(await exists(config)).to.equal(false);
    // For Docker Hub docker has no such fallback: it would never use them (docker pull shows it).
    const hub = await login(['docker.io/myorg', '-u', 'alice', '--password-stdin'], USERS.alice);
    expect(hub.code).to.equal(2);
    expect(hub.stderr).to.include('(docker uses no key with a path for Docker Hub, and would never use them)');
    expect(await exists(config)).to.equal(false);
  });

  it('vendor/app (no registry in it) is refused (exit 2) before any host is contacted, podman\'s refusal, where docker would send the password to the host "vendor"', async () => {
    const authFile = join(sb.home, 'a.json');
    // A proxy that refuses every CONNECT counts each attempt to reach a registry.
    const proxy = await startProxy({ reflect: true });
    try {
      for (const dest of [['--authfile', authFile], []]) {
        const r = await sb.credkit(['login', 'vendor/app', '-u', 'alice', '--password-stdin', ...dest], USERS.alice, { HTTPS_PROXY: proxy.url });
        expectNoSecrets([r]);
        expect(r.code, r.stderr).to.equal(2);
        expect(r.stderr).to.include('"vendor/app" names no registry').and.include('docker.io/vendor/app');
        // podman 4.3 reads VENDOR/app the same way and refuses it: docker.io/VENDOR/app is no valid name.
        const upper = await sb.credkit(['login', 'VENDOR/app', '-u', 'alice', '--password-stdin', ...dest], USERS.alice, { HTTPS_PROXY: proxy.url });
        expectNoSecrets([upper]);
        expect(upper.code, upper.stderr).to.equal(2);
        expect(upper.stderr).to.include('"VENDOR/app" names no registry').and.include('lower case');
      }
      expect(proxy.refused, 'CONNECTs attempted').to.equal(0);
      expect(await exists(authFile)).to.equal(false);
    } finally {
      await proxy.stop();
    }
  });

  it('a user name with ":" into a file is refused (exit 2) before the registry is asked; a store takes it as given', async () => {
    const authFile = join(sb.home, 'a.json');
    for (const dest of [['--authfile', authFile], []]) {
      const mark = registry!.logMark();
      const r = await login([host, '-u', 'al:ice', '--password-stdin', ...dest], USERS.alice);
      expectNoSecrets([r]);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.include('user name "al:ice" contains ":"').and.include('--store');
      expect(registry!.authEvents(mark)).to.deep.equal([]);
    }
    expect(await exists(authFile)).to.equal(false);
    expect(await exists(config)).to.equal(false);
    const stored = await login([host, '-u', 'al:ice', '--password-stdin', '--store', 'file', '--no-verify'], USERS.alice);
    expect(stored.code, stored.stderr).to.equal(0);
    expect(JSON.parse((await sb.credkit(['store', 'list', '--json'])).stdout)).to.deep.equal({ [host]: 'al:ice' });
  });

  it('--no-verify stores without asking the registry, and says the credentials were not checked', async () => {
    const mark = registry!.logMark();
    const r = await login([host, '-u', 'bob', '--password-stdin', '--no-verify'], WRONG);
    expectNoSecrets([r]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('(not checked)');
    expect(r.stderr).to.include('the credentials were NOT checked (--no-verify)');
    expect(registry!.authEvents(mark)).to.deep.equal([]);
    expect((await readJSON(config)).auths?.[host]).to.deep.equal({ auth: b64(`bob:${WRONG}`) });
  });

  it('TLS without --cert-dir: an unknown CA fails naming the host; the registry\'s certs.d directory is used; --insecure skips the check', async () => {
    const plain = (args: readonly string[]) => sb.credkit(['login', host, '-u', 'alice', '--password-stdin', ...args], USERS.alice);
    const untrusted = await plain([]);
    expectNoSecrets([untrusted]);
    expect(untrusted.code).to.equal(1);
    expect(untrusted.stderr).to.include(host).and.match(/certificate/i);
    expect(await exists(config)).to.equal(false);
    // Where podman looks first: $XDG_CONFIG_HOME/containers/certs.d/HOST[:PORT]/.
    const certsD = join(sb.env.XDG_CONFIG_HOME!, 'containers', 'certs.d', host);
    await mkdir(certsD, { recursive: true });
    await copyFile(join(registry!.certDir, 'ca.crt'), join(certsD, 'ca.crt'));
    const trusted = await plain([]);
    expect(trusted.code, trusted.stderr).to.equal(0);
    expect(trusted.stdout).to.include('(checked: basic)');
    await rm(certsD, { recursive: true });
    // "checked: basic": the registry itself accepted alice over the unverified connection.
    const insecure = await plain(['--insecure']);
    expect(insecure.code, insecure.stderr).to.equal(0);
    expect(insecure.stdout).to.include('(checked: basic)');
  });

  it('--store helper:credkit: the real helper binary holds the credential, config.json is not touched', async () => {
    await putHelperOnPath(sb);
    const r = await login([host, '-u', 'bob', '--password-stdin', '--store', 'helper:credkit'], USERS.bob);
    expectNoSecrets([r]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include(`stored in helper:credkit under "${host}"`);
    expect(await exists(config)).to.equal(false);
    const got = await sb.helper('get', host);
    expect(got.code).to.equal(0);
    const cred = JSON.parse(got.stdout) as { Username: string; Secret: string };
    // Compared without printing: a failure must not show the password.
    expect(cred.Username === 'bob' && cred.Secret === USERS.bob, 'the helper returns bob and his password').to.equal(true);
  });

  it("a proxy that repeats its Proxy-Authorization in the refusal's reason phrase: the proxy password is never printed", async () => {
    const port = host.slice(host.lastIndexOf(':') + 1);
    const proxy = await startProxy({ reflect: true });
    try {
      const withLogin = proxy.url.replace('http://', 'http://proxyuser:fake-proxy-pw@');
      const r = await sb.credkit(['login', `registry.test:${port}`, '-u', 'alice', '--password-stdin', '--cert-dir', registry!.certDir, '--json'], USERS.alice, { HTTPS_PROXY: withLogin });
      expect(r.code).to.equal(1);
      expect(r.stderr.includes('refused to connect'), 'the refusal is reported').to.equal(true);
      const b64 = Buffer.from('proxyuser:fake-proxy-pw').toString('base64');
      expect([r.stdout, r.stderr].some((t) => t.includes('fake-proxy-pw') || t.includes(b64)), 'the proxy password (not printed)').to.equal(false);
    } finally {
      await proxy.stop();
    }
  });

  it('HTTPS_PROXY: the check goes through the proxy (CONNECT, TLS end to end); its login, NO_PROXY and loopback are honoured', async () => {
    // registry.test exists only in the proxy's host table: a direct connection cannot resolve it.
    const port = host.slice(host.lastIndexOf(':') + 1);
    const name = `registry.test:${port}`;
    const proxy = await startProxy({ hosts: { 'registry.test': '127.0.0.1' }, login: { user: 'proxyuser', password: 'fake-proxy-pw' } });
    try {
      const via = (env: Record<string, string>) => sb.credkit(['login', name, '-u', 'alice', '--password-stdin', '--cert-dir', registry!.certDir], USERS.alice, env);
      const withLogin = proxy.url.replace('http://', 'http://proxyuser:fake-proxy-pw@');
      const r = await via({ HTTPS_PROXY: withLogin });
      expectNoSecrets([r]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.include(`Login Succeeded: alice at ${name} (checked: basic)`);
      expect(proxy.tunnels).to.include(name);
      // Without the proxy's login: its 407 is named, and the proxy's password never appears.
      const refused = await via({ HTTPS_PROXY: proxy.url });
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.include(`the proxy 127.0.0.1:${proxy.url.split(':')[2]} refused to connect to ${name}: 407 Proxy Authentication Required`);
      // NO_PROXY: straight to registry.test, which does not resolve.
      const direct = await via({ HTTPS_PROXY: withLogin, NO_PROXY: 'registry.test' });
      expect(direct.code).to.equal(1);
      expect(direct.stderr).to.include('cannot resolve registry.test');
      // A loopback registry is never sent to the proxy.
      const before = proxy.tunnels.length;
      const checked = await sb.credkit(['login', host, '-u', 'alice', '--password-stdin', '--cert-dir', registry!.certDir], USERS.alice, { HTTPS_PROXY: withLogin });
      expect(checked.code, checked.stderr).to.equal(0);
      expect(proxy.tunnels.length).to.equal(before);
      for (const x of [refused, direct, checked]) expect((x.stderr + x.stdout).includes('fake-proxy-pw'), 'a secret in the output (not printed)').to.equal(false);
    } finally {
      await proxy.stop();
    }
  });

  it('a registry no URL can hold (port over 65535, 999.1.1.1): one-line usage error (exit 2), no stack, nothing written', async () => {
    for (const bad of ['127.0.0.1:99999', '999.1.1.1', `999.1.1.1/team/app`]) {
      const r = await sb.credkit(['login', bad, '-u', 'alice', '--password-stdin', ...(bad.includes('/') ? ['--authfile', join(sb.home, 'auth.json')] : [])], USERS.alice);
      expectNoSecrets([r]);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr.trim(), bad).to.equal(`credkit: not a registry host[:port]: "${bad.split('/')[0]}" is not a valid host name, IP address or port`);
    }
    expect(await exists(config)).to.equal(false);
    expect(await exists(join(sb.home, 'auth.json'))).to.equal(false);
  });

  it('-p is refused (exit 2): secrets only on standard input', async () => {
    const r = await sb.credkit(['login', host, '-u', 'alice', '-p', 'x']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('--password-stdin');
  });

  it('credsStore: credkit: the helper holds alice, config.json only a {} marker; skopeo via credHelpers → credkit authenticates', async () => {
    const shim = await putHelperOnPath(sb);
    await writeFile(config, JSON.stringify({ auths: {}, credsStore: 'credkit', psFormat: 'table' }), { mode: 0o600 });
    const r = await login([host, '-u', 'alice', '--password-stdin'], USERS.alice);
    expectNoSecrets([r]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.not.include('unencrypted');
    expect(r.stdout).to.include(`in docker-credential-credkit under "${host}"`);
    const doc = await readJSON(config);
    expect(doc).to.deep.equal({ auths: { [host]: {} }, credsStore: 'credkit', psFormat: 'table' });
    const got = await sb.credkit(['store', 'get', host, '--json', '--show-secret']);
    expect(got.code, got.stderr).to.equal(0);
    const stored = JSON.parse(got.stdout) as { username: string; secret: string };
    expect(stored.username).to.equal('alice');
    expect(stored.secret === USERS.alice, 'the store holds the password').to.equal(true);
    // containers/image has no credsStore; a credHelpers entry routes it to the same helper.
    const viaHelper = join(sb.home, 'skopeo-auth.json');
    await writeFile(viaHelper, JSON.stringify({ auths: {}, credHelpers: { [host]: 'credkit' } }), { mode: 0o600 });
    await expectSkopeoAs(viaHelper, 'team/app', 'alice', {
      PATH: `${join(shim, '..')}:${basePath()}`,
      CREDKIT_BACKEND: 'file',
      CREDKIT_FILE: sb.env.CREDKIT_FILE!,
    });

    // logout erases from the helper and drops the marker.
    const out = await sb.credkit(['logout', host]);
    expect(out.code, out.stderr).to.equal(0);
    expect(out.stdout).to.include(`erased "${host}" from docker-credential-credkit`).and.include(`removed "${host}" from`);
    expect(await readJSON(config)).to.deep.equal({ auths: {}, credsStore: 'credkit', psFormat: 'table' });
    expect(JSON.parse((await sb.credkit(['store', 'list', '--json'])).stdout)).to.deep.equal({});
  });

  it('--authfile with a scoped key (alice for team/app) and a registry-wide one (bob): skopeo uses each where it applies', async () => {
    const authFile = join(sb.home, 'containers', 'auth.json');
    const a = await login([`${host}/team/app`, '-u', 'alice', '--password-stdin', '--authfile', authFile], USERS.alice);
    const b = await login([host, '-u', 'bob', '--password-stdin', '--authfile', authFile], USERS.bob);
    expectNoSecrets([a, b]);
    expect(a.code, a.stderr).to.equal(0);
    expect(b.code, b.stderr).to.equal(0);
    expect(a.stderr, 'no plaintext warning for an auth file the user named').to.equal('');
    expect((await stat(authFile)).mode & 0o777).to.equal(0o600);
    expect((await readJSON(authFile)).auths).to.deep.equal({
      [`${host}/team/app`]: { auth: b64(`alice:${USERS.alice}`) },
      [host]: { auth: b64(`bob:${USERS.bob}`) },
    });
    await expectSkopeoAs(authFile, 'team/app', 'alice');
    await expectSkopeoAs(authFile, 'other/app', 'bob');

    // logout of the scoped key leaves the registry-wide one.
    const out = await sb.credkit(['logout', `${host}/team/app`, '--authfile', authFile]);
    expect(out.code, out.stderr).to.equal(0);
    expect(Object.keys((await readJSON(authFile)).auths ?? {})).to.deep.equal([host]);
  });

  it('--password-stdin line breaks: --authfile drops every one, as skopeo/podman login do (same input, same file); config.json drops one, as docker does', async () => {
    const skopeoLogin = async (authFile: string, input: string) => {
      const home = join(sb.home, 'skopeo-home');
      await mkdir(home, { recursive: true, mode: 0o700 });
      return run('skopeo', ['login', '--authfile', authFile, '--cert-dir', registry!.certDir, '-u', 'alice', '--password-stdin', host], { input, env: registry!.clientEnv({ HOME: home }) });
    };
    for (const input of [`${USERS.alice}\n\n`, `${USERS.alice}\r\n\r\n`, `fake-login-\nalice-pw\n`]) {
      const ours = join(sb.home, 'ours.json');
      const theirs = join(sb.home, 'theirs.json');
      const mark = registry!.logMark();
      const r = await login([host, '-u', 'alice', '--password-stdin', '--authfile', ours], input);
      const s = await skopeoLogin(theirs, input);
      expectNoSecrets([r, s]);
      expect(s.code, `skopeo login: ${s.stderr.trim()}`).to.equal(0);
      expect(r.code, r.stderr).to.equal(0);
      expect(registry!.rejectedUsers(mark)).to.deep.equal([]);
      expect((await readJSON(ours)).auths).to.deep.equal((await readJSON(theirs)).auths);
      expect((await readJSON(ours)).auths).to.deep.equal({ [host]: { auth: b64(`alice:${USERS.alice}`) } });
    }
    // docker keeps all but one trailing newline: the registry refuses "password\n".
    const mark = registry!.logMark();
    const d = await login([host, '-u', 'alice', '--password-stdin'], `${USERS.alice}\n\n`);
    expect(d.code).to.equal(1);
    expect(registry!.rejectedUsers(mark)).to.deep.equal(['alice']);
    expect(await exists(config)).to.equal(false);
  });

  it('credHelpers "" beside credsStore: docker keeps that registry in the file, and so does login (the same file as docker login writes); logout drops it there', async () => {
    await putHelperOnPath(sb);
    const start = { auths: { 'other.example': {} }, credsStore: 'credkit', credHelpers: { [host]: '' } };
    await writeFile(config, JSON.stringify(start), { mode: 0o600 });
    const r = await login([host, '-u', 'alice', '--password-stdin'], USERS.alice);
    expectNoSecrets([r]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include(`stored in ${config} under "${host}"`);
    const doc = await readJSON(config);
    expect(doc.auths).to.deep.equal({ 'other.example': {}, [host]: { auth: b64(`alice:${USERS.alice}`) } });
    expect(JSON.parse((await sb.credkit(['store', 'list', '--json'])).stdout)).to.deep.equal({});
    // (skopeo cannot read this file: containers/image fails running "docker-credential-".)

    // The real docker CLI (a stand-in engine answers /auth) writes the same file from the same start.
    if (await hasProgram('docker')) {
      const engine = await startFakeEngine();
      try {
        const dockerDir = join(sb.home, 'docker-cli');
        await mkdir(dockerDir, { recursive: true, mode: 0o700 });
        await writeFile(join(dockerDir, 'config.json'), JSON.stringify(start), { mode: 0o600 });
        const d = await run('docker', ['login', '-u', 'alice', '--password-stdin', host], { input: `${USERS.alice}\n`, env: { ...sb.env, DOCKER_CONFIG: dockerDir, DOCKER_HOST: engine.dockerHost, DOCKER_CLI_HINTS: 'false' } });
        expectNoSecrets([d]);
        expect(d.code, `docker login: ${d.stderr.trim()}`).to.equal(0);
        expect((await readJSON(join(dockerDir, 'config.json'))).auths).to.deep.equal(doc.auths);
      } finally {
        await engine.close();
      }
    }

    const out = await sb.credkit(['logout', host]);
    expect(out.code, out.stderr).to.equal(0);
    expect(out.stdout.trim()).to.equal(`removed "${host}" from ${config}`);
    expect(await readJSON(config)).to.deep.equal({ ...start, auths: { 'other.example': {} } });
  });

  it('--authfile whose credHelpers names "" for the registry: refused (exit 1) before the registry is asked, as podman fails on it; logout drops auths only', async () => {
    const authFile = join(sb.home, 'auth.json');
    const text = JSON.stringify({ auths: { [host]: { auth: b64('old:fake-old') } }, credHelpers: { [host]: '' } });
    await writeFile(authFile, text, { mode: 0o600 });
    const mark = registry!.logMark();
    const r = await login([host, '-u', 'alice', '--password-stdin', '--authfile', authFile], USERS.alice);
    expectNoSecrets([r]);
    expect(r.code).to.equal(1);
    expect(r.stderr.trim()).to.equal(`credkit: ${authFile}: credHelpers["${host}"] is "", which names no helper: podman and skopeo fail on it (they run "docker-credential-") and never read "auths" for ${host}; name a helper there, or remove that entry`);
    expect(registry!.authEvents(mark)).to.deep.equal([]);
    expect(await readFile(authFile, 'utf8')).to.equal(text);

    const out = await sb.credkit(['logout', host, '--authfile', authFile]);
    expect(out.code, out.stderr).to.equal(0);
    expect(out.stdout.trim()).to.equal(`removed "${host}" from ${authFile}`);
    expect(await readJSON(authFile)).to.deep.equal({ auths: {}, credHelpers: { [host]: '' } });
  });

  it('--authfile whose credHelpers names credkit for the registry: stored in the helper under the host, auths untouched; scoped refused', async () => {
    await putHelperOnPath(sb);
    const authFile = join(sb.home, 'auth.json');
    await writeFile(authFile, JSON.stringify({ auths: {}, credHelpers: { [host]: 'credkit' } }), { mode: 0o600 });
    const r = await login([host, '-u', 'alice', '--password-stdin', '--authfile', authFile], USERS.alice);
    expectNoSecrets([r]);
    expect(r.code, r.stderr).to.equal(0);
    expect(await readJSON(authFile)).to.deep.equal({ auths: {}, credHelpers: { [host]: 'credkit' } });
    expect(JSON.parse((await sb.credkit(['store', 'list', '--json'])).stdout)).to.deep.equal({ [host]: 'alice' });
    const scoped = await login([`${host}/team/app`, '-u', 'alice', '--password-stdin', '--authfile', authFile], USERS.alice);
    expect(scoped.code).to.equal(2);
    expect(scoped.stderr).to.include('cannot hold scoped keys');
    // podman 4.3 does not refuse this login: it writes the scoped key into auths, where its own
    // lookup never reads it (credHelpers takes the host over); the message must not claim otherwise.
    expect(scoped.stderr).to.not.include('podman refuses');
    expect(scoped.stderr).to.include('podman never reads a scoped "auths" entry for a host that credHelpers routes');
    expect(await readJSON(authFile)).to.deep.equal({ auths: {}, credHelpers: { [host]: 'credkit' } });
    const out = await sb.credkit(['logout', host, '--authfile', authFile]);
    expect(out.code, out.stderr).to.equal(0);
    expect(out.stdout.trim()).to.equal(`erased "${host}" from docker-credential-credkit`);
    expect(JSON.parse((await sb.credkit(['store', 'list', '--json'])).stdout)).to.deep.equal({});
  });

  it('logout: removes every spelling of the registry, leaves the rest; again → exit 1 naming the file', async () => {
    await writeFile(
      config,
      JSON.stringify({ auths: { [host]: { auth: b64('alice:fake-x') }, [`https://${host}`]: { auth: b64('alice:fake-y') }, 'https://index.docker.io/v1/': { auth: b64('hub:fake-z') }, 'docker.io': { auth: b64('hub:fake-z') } } }),
      { mode: 0o600 },
    );
    const r = await sb.credkit(['logout', `https://${host}/v2/`, '--json']);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout).removed).to.deep.equal([
      { kind: 'file', path: config, key: host },
      { kind: 'file', path: config, key: `https://${host}` },
    ]);
    expect(Object.keys((await readJSON(config)).auths ?? {})).to.deep.equal(['https://index.docker.io/v1/', 'docker.io']);
    const hub = await sb.credkit(['logout', 'index.docker.io']);
    expect(hub.code, hub.stderr).to.equal(0);
    expect((await readJSON(config)).auths).to.deep.equal({});
    const again = await sb.credkit(['logout', host]);
    expect(again.code).to.equal(1);
    expect(again.stderr.trim()).to.equal(`credkit: not logged in to ${host}: nothing found in ${config}`);
  });

  it('logout --all: plaintext entries and helper-routed ones (erased from credkit), credHelpers kept', async () => {
    await putHelperOnPath(sb);
    await writeFile(config, JSON.stringify({ auths: {}, credHelpers: { [host]: 'credkit' } }), { mode: 0o600 });
    expect((await login([host, '-u', 'alice', '--password-stdin'], USERS.alice)).code).to.equal(0);
    expect((await sb.credkit(['login', 'other.example', '-u', 'bob', '--password-stdin', '--no-verify'], USERS.bob)).code).to.equal(0);
    expect(Object.keys((await readJSON(config)).auths ?? {})).to.deep.equal([host, 'other.example']);
    const r = await sb.credkit(['logout', '--all']);
    expectNoSecrets([r]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.trim().split('\n')).to.have.members([`erased "${host}" from docker-credential-credkit`, `removed "${host}" from ${config}`, `removed "other.example" from ${config}`]);
    expect(await readJSON(config)).to.deep.equal({ auths: {}, credHelpers: { [host]: 'credkit' } });
    expect(JSON.parse((await sb.credkit(['store', 'list', '--json'])).stdout)).to.deep.equal({});
    const again = await sb.credkit(['logout', '--all']);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include('no credentials to remove');
  });

  describe('credHelpers → the real docker-credential-pass', () => {
    const pass = usePassStore(['docker-credential-pass']);

    it('login stores in pass under docker\'s key with a {} marker; logout erases it from pass', async () => {
      Object.assign(sb.env, pass.env);
      await writeFile(config, JSON.stringify({ credHelpers: { [host]: 'pass' } }), { mode: 0o600 });
      const r = await login([host, '-u', 'alice', '--password-stdin'], USERS.alice);
      expectNoSecrets([r]);
      expect(r.code, r.stderr).to.equal(0);
      expect(await readJSON(config)).to.deep.equal({ credHelpers: { [host]: 'pass' }, auths: { [host]: {} } });
      const got = await run('docker-credential-pass', ['get'], { input: host, env: sb.env });
      expect(got.code, got.stdout).to.equal(0);
      const c = JSON.parse(got.stdout) as { Username: string; Secret: string };
      expect(c.Username).to.equal('alice');
      expect(c.Secret === USERS.alice, 'pass holds the password').to.equal(true);

      const out = await sb.credkit(['logout', host]);
      expect(out.code, out.stderr).to.equal(0);
      expect(out.stdout).to.include(`erased "${host}" from docker-credential-pass`);
      // pass 0.6.4 answers a missing entry with exit 0 and empty fields; list is unambiguous.
      const listed = await run('docker-credential-pass', ['list'], { input: 'unused', env: sb.env });
      expect(listed.code, listed.stdout).to.equal(0);
      expect(JSON.parse(listed.stdout)).to.not.have.property(host);
      expect((await readJSON(config)).auths).to.deep.equal({});
    });
  });
});

describe('e2e: credkit login against a real token-auth registry (Bearer, identity token)', function () {
  let tr: TokenRegistry | undefined;
  let sb: Sandbox;

  before(async function () {
    await skipUnlessPrograms(this, ['docker-registry', 'htpasswd', 'openssl', 'skopeo']);
  });
  makeTokenRegistryPerSuite({ users: USERS, refreshTokens: { [BOB_TOKEN]: 'bob' } }, async (made) => {
    tr = made;
    // Seed team/app:1 as alice (the token server checks her password on GET, as docker's flow does).
    const work = join(tr.certDir, '..', 'seed');
    await mkdir(join(work, 'home'), { recursive: true });
    await writeMinimalOciLayout(join(work, 'layout'), '1');
    await writeFile(join(work, 'auth.json'), JSON.stringify({ auths: { [tr.host]: { auth: b64(`alice:${USERS.alice}`) } } }));
    await writeFile(join(work, 'policy.json'), '{"default":[{"type":"insecureAcceptAnything"}]}\n');
    const seeded = await run(
      'skopeo',
      ['--policy', join(work, 'policy.json'), 'copy', '--quiet', '--dest-authfile', join(work, 'auth.json'), '--dest-cert-dir', tr.certDir, `oci:${join(work, 'layout')}:1`, `docker://${tr.host}/team/app:1`],
      { env: tr.registry.clientEnv({ HOME: join(work, 'home') }) },
    );
    if (seeded.code !== 0) throw new Error(`seeding the token registry failed: ${seeded.stderr}`);
  });
  makeSandboxPerTest({}, (s) => {
    sb = s;
    tr!.events.length = 0;
  });

  it('the identity token the registry hands out is stored as docker does; skopeo logs in with it as alice', async () => {
    const config = join(sb.env.DOCKER_CONFIG!, 'config.json');
    const r = await sb.credkit(['login', tr!.host, '-u', 'alice', '--password-stdin', '--cert-dir', tr!.certDir], USERS.alice);
    const token = tr!.issuedRefreshTokens.get('alice');
    expect(token, 'the token server issued alice a refresh token').to.be.a('string');
    expectNoSecrets([r], [token!]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include(`Login Succeeded: alice at ${tr!.host} (checked: bearer)`).and.include('stored an identity token');
    // docker warns only about passwords; a token is no password.
    expect(r.stderr).to.equal('');
    expect(tr!.events.map((e) => [e.method, e.grant, e.outcome, e.user])).to.deep.equal([['POST', 'password', 'issued', 'alice']]);
    // docker's file form: auth = base64(user:), the token beside it; the password is gone.
    const doc = await readJSON(config);
    expect(doc.auths).to.deep.equal({ [tr!.host]: { auth: b64('alice:'), identitytoken: token } });

    tr!.events.length = 0;
    const res = await skopeoInspect(tr!.registry, tr!.certDir, join(sb.home, 'skopeo'), config, `${tr!.host}/team/app:1`);
    expect(res.code, `skopeo inspect: ${res.stderr.trim()}`).to.equal(0);
    // skopeo traded the stored refresh token for an access token, which the registry accepted.
    expect(tr!.events.map((e) => [e.method, e.grant, e.outcome, e.user])).to.deep.include(['POST', 'refresh_token', 'issued', 'alice']);
    expect(tr!.events.map((e) => e.outcome)).to.not.include('rejected');
  });

  it('--identity-token-stdin to a podman auth.json: checked with the refresh_token grant; skopeo logs in as bob', async () => {
    const authFile = join(sb.home, 'auth.json');
    const r = await sb.credkit(['login', tr!.host, '-u', 'bob', '--identity-token-stdin', '--authfile', authFile, '--cert-dir', tr!.certDir], BOB_TOKEN);
    expectNoSecrets([r]);
    expect(r.code, r.stderr).to.equal(0);
    expect(tr!.events.map((e) => [e.method, e.grant, e.outcome, e.user])).to.deep.equal([['POST', 'refresh_token', 'issued', 'bob']]);
    expect((await readJSON(authFile)).auths).to.deep.equal({ [tr!.host]: { auth: b64('bob:'), identitytoken: BOB_TOKEN } });
    tr!.events.length = 0;
    const res = await skopeoInspect(tr!.registry, tr!.certDir, join(sb.home, 'skopeo'), authFile, `${tr!.host}/team/app:1`);
    expect(res.code, `skopeo inspect: ${res.stderr.trim()}`).to.equal(0);
    expect(tr!.events.map((e) => [e.method, e.grant, e.outcome, e.user])).to.deep.include(['POST', 'refresh_token', 'issued', 'bob']);
  });

  it('a wrong password in token mode: exit 1, nothing written', async () => {
    const config = join(sb.env.DOCKER_CONFIG!, 'config.json');
    const r = await sb.credkit(['login', tr!.host, '-u', 'alice', '--password-stdin', '--cert-dir', tr!.certDir], WRONG);
    expectNoSecrets([r]);
    expect(r.code).to.equal(1);
    expect(r.stderr.trim()).to.equal(`credkit: unauthorized: incorrect username or password for alice at ${tr!.host}`);
    expect(await exists(config)).to.equal(false);
  });
});

/**
 * A registry (and token server) that answers 500 with the request echoed in its error body and
 * status line: the Authorization header, the Basic credentials decoded, the token form decoded
 * as a careless server would (`+` kept). None of it may reach credkit's output.
 */
async function startEchoingRegistry(dir: string, scheme: 'basic' | 'bearer', failAt: 'registry' | 'token-server'): Promise<{ host: string; certDir: string; stop(): Promise<void> }> {
  await mkdir(dir, { recursive: true });
  const tls = await makeCert(dir, 'echo-tls', 'server');
  const certDir = join(dir, 'certs');
  await mkdir(certDir, { recursive: true });
  await copyFile(tls.cert, join(certDir, 'ca.crt'));
  const server = createServer({ cert: await readFile(tls.cert), key: await readFile(tls.key) }, (req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      const auth = req.headers.authorization ?? '';
      const port = (server.address() as AddressInfo).port;
      if (req.url === '/v2/' && auth === '') {
        const challenge = scheme === 'basic' ? 'Basic realm="echo"' : `Bearer realm="https://127.0.0.1:${port}/token",service="echo"`;
        res.writeHead(401, { 'WWW-Authenticate': challenge });
        return res.end();
      }
      if (req.url?.startsWith('/token') && failAt === 'registry') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ token: ECHO_REGISTRY_TOKEN }));
      }
      const basic = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
      const echoed = `${auth} ${body} ${decodeURIComponent(body)} ${basic}`;
      res.statusMessage = `Failed ${auth}`.replace(/[^\x20-\x7e]/g, '');
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: echoed }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    certDir,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const ECHO_PASSWORD = 'fake-echo-pw+with /=&';
const ECHO_IDENTITY_TOKEN = 'fake-echo-identity-token';
const ECHO_REGISTRY_TOKEN = 'fake-echo-registry-token';

describe('e2e: credkit login against a registry that echoes the request in its errors', function () {
  let sb: Sandbox;

  before(async function () {
    await skipUnlessPrograms(this, ['openssl']);
  });
  makeSandboxPerTest({}, (s) => (sb = s));

  for (const [scheme, failAt] of [['basic', 'registry'], ['bearer', 'token-server'], ['bearer', 'registry']] as const) {
    it(`${scheme}, failing at the ${failAt}: exit 1, the error names the status, no secret in any form on stdout or stderr (--json too)`, async () => {
      const echo = await startEchoingRegistry(join(sb.home, 'echo'), scheme, failAt);
      try {
        const results: RunResult[] = [];
        for (const json of [[], ['--json']]) {
          const withPassword = await sb.credkit(['login', echo.host, '-u', 'bob', '--password-stdin', '--cert-dir', echo.certDir, ...json], ECHO_PASSWORD);
          expect(withPassword.code).to.equal(1);
          expect(withPassword.stdout + withPassword.stderr).to.include('returned 500');
          results.push(withPassword);
          if (scheme === 'bearer') results.push(await sb.credkit(['login', echo.host, '--identity-token-stdin', '--cert-dir', echo.certDir, ...json], ECHO_IDENTITY_TOKEN));
        }
        const forms = [ECHO_PASSWORD, ECHO_IDENTITY_TOKEN, ECHO_REGISTRY_TOKEN, b64(`bob:${ECHO_PASSWORD}`).replace(/=+$/, ''), encodeURIComponent(ECHO_PASSWORD), 'fake-echo-pw+with+', 'fake-echo'];
        expectNoSecrets(results, forms);
      } finally {
        await echo.stop();
      }
    });
  }
});
