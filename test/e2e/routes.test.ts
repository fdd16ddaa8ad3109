/**
 * `[routes]` with the real docker CLI: `"credsStore": "credkit"`, one registry pattern routed to
 * the real docker-credential-pass (a throwaway GnuPG key and password store), everything else in
 * credkit's file backend. login, pull and logout must each reach the store the host is routed to.
 */
import { expect } from 'chai';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { basePath, makeSandboxPerTest, putHelperOnPath, run, skipUnlessPrograms, writeHelperShim, type RunResult, type Sandbox } from '../support/sandbox.js';
import { makeRegistryPerSuite, type Registry } from '../support/registry.js';
import { decodeRegistryAuth, expectAuth, makeDockerSandboxPerTest, type FakeEngine } from '../support/fake-engine.js';
import { startSecretService, usePassStore, type RealBackend } from '../support/real-helpers.js';

const ROUTED = 'team.pass.example.test';
const PLAIN = 'registry.example.test';
const ROUTED_PASSWORD = 'fake-routed-password';
const PLAIN_PASSWORD = 'fake-plain-password';

function expectNoSecret(r: RunResult, what: string): void {
  const out = r.stdout + r.stderr;
  expect(out.includes(ROUTED_PASSWORD) || out.includes(PLAIN_PASSWORD), `${what} printed a secret`).to.equal(false);
}

/**
 * Stores ROUTED and PLAIN through the helper, where the routes send both into one store under two
 * names, and checks that `referenceHelper` (the real program) sees both there and that the helper's
 * and `credkit store`'s list show each once, with no warning. Erases both after: the store is the suite's.
 */
async function expectOneStoreListedOnce(sb: Sandbox, referenceHelper: string): Promise<void> {
  let r = await sb.helper('store', JSON.stringify({ ServerURL: ROUTED, Username: 'alice', Secret: ROUTED_PASSWORD }));
  expect(r.code, r.stdout).to.equal(0);
  r = await sb.helper('store', JSON.stringify({ ServerURL: PLAIN, Username: 'bob', Secret: PLAIN_PASSWORD }));
  expect(r.code, r.stdout).to.equal(0);
  try {
    const real = await run(referenceHelper, ['list'], { env: sb.env });
    expect(JSON.parse(real.stdout)).to.deep.equal({ [ROUTED]: 'alice', [PLAIN]: 'bob' });
    for (const list of [await sb.helper('list'), await sb.credkit(['store', 'list', '--json'])]) {
      expect(list.code, list.stderr).to.equal(0);
      expect(JSON.parse(list.stdout)).to.deep.equal({ [ROUTED]: 'alice', [PLAIN]: 'bob' });
      expect(list.stderr).to.equal('');
    }
  } finally {
    for (const url of [ROUTED, PLAIN]) await sb.helper('erase', url);
  }
}

describe('e2e: [routes] with the docker CLI and docker-credential-pass', function () {
  let engine: FakeEngine;
  let sb: Sandbox;
  let configPath: string;

  const pass = usePassStore(['docker', 'docker-credential-pass']);
  makeDockerSandboxPerTest(() => ({ ...pass.env }), async (docker) => {
    ({ engine, sb, configPath } = docker);
    await putHelperOnPath(sb);
    await writeFile(configPath, JSON.stringify({ credsStore: 'credkit' }), { mode: 0o600 });
    await writeRoutes('*.pass.example.test = helper:pass\n');
  });

  const writeRoutes = async (routes: string, backend = 'file') => {
    const dir = join(sb.env.XDG_CONFIG_HOME as string, 'credkit');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.ini'), `backend = ${backend}\n[routes]\n${routes}`);
  };
  const docker = (args: readonly string[], input = '') => run('docker', args, { input, env: sb.env });
  const listOf = async (backend: string) => {
    const r = await sb.credkit(['store', 'list', '--backend', backend, '--json']);
    expect(r.code, r.stderr).to.equal(0);
    return JSON.parse(r.stdout) as Record<string, string>;
  };
  const lastPullAuth = () => {
    const pull = engine.pulls.at(-1);
    return pull?.registryAuth ? decodeRegistryAuth(pull.registryAuth) : {};
  };

  it('docker login stores each registry where it is routed, pull sends it, logout erases it there', async () => {
    let r = await docker(['login', '--username', 'alice', '--password-stdin', ROUTED], `${ROUTED_PASSWORD}\n`);
    expectNoSecret(r, 'docker login');
    expect(r.code, r.stderr.trim()).to.equal(0);
    r = await docker(['login', '--username', 'bob', '--password-stdin', PLAIN], `${PLAIN_PASSWORD}\n`);
    expect(r.code, r.stderr.trim()).to.equal(0);
    // Each in its own store, read there by the real helper and by the file backend.
    expect(await listOf('helper:pass')).to.deep.equal({ [ROUTED]: 'alice' });
    expect(await listOf('file')).to.deep.equal({ [PLAIN]: 'bob' });

    r = await docker(['pull', `${ROUTED}/app:1`]);
    expectNoSecret(r, 'docker pull');
    expect(r.code, r.stderr.trim()).to.equal(0);
    expectAuth(lastPullAuth(), { username: 'alice', password: ROUTED_PASSWORD, serveraddress: ROUTED }, 'routed pull');
    r = await docker(['pull', `${PLAIN}/app:1`]);
    expect(r.code, r.stderr.trim()).to.equal(0);
    expectAuth(lastPullAuth(), { username: 'bob', password: PLAIN_PASSWORD, serveraddress: PLAIN }, 'plain pull');

    // The helper's list is the union, as docker's GetAllCredentials reads it.
    const list = await sb.helper('list');
    expect(list.code, list.stdout).to.equal(0);
    expect(JSON.parse(list.stdout)).to.deep.equal({ [ROUTED]: 'alice', [PLAIN]: 'bob' });

    r = await docker(['logout', ROUTED]);
    expect(r.code, r.stderr.trim()).to.equal(0);
    expect(r.stderr, 'docker warned that the erase failed').to.equal('');
    expect(await listOf('helper:pass')).to.deep.equal({});
    expect(await listOf('file')).to.deep.equal({ [PLAIN]: 'bob' });
  });

  it('credkit store without --backend follows the routes; --backend bypasses them', async () => {
    let r = await sb.credkit(['store', 'store', ROUTED, '-u', 'carol', '--password-stdin'], ROUTED_PASSWORD);
    expect(r.code, r.stderr).to.equal(0);
    expect(await listOf('helper:pass')).to.deep.equal({ [ROUTED]: 'carol' });
    r = await sb.credkit(['store', 'store', ROUTED, '-u', 'dave', '--password-stdin', '--backend', 'file'], ROUTED_PASSWORD);
    expect(r.code, r.stderr).to.equal(0);
    expect(await listOf('file')).to.deep.equal({ [ROUTED]: 'dave' });
    r = await sb.credkit(['store', 'get', ROUTED, '--json']);
    expect((JSON.parse(r.stdout) as { username: string }).username).to.equal('carol');
    // The file's copy is one docker never gets: list says so on stderr and leaves it out.
    r = await sb.credkit(['store', 'list', '--json']);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ [ROUTED]: 'carol' });
    expect(r.stderr).to.match(/file holds a credential that \[routes\] sends to another store.*team\.pass\.example\.test/);
    r = await sb.credkit(['store', 'erase', ROUTED]);
    expect(r.code, r.stderr).to.equal(0);
    expect(await listOf('helper:pass')).to.deep.equal({});
  });

  it('a credential-shaped server URL in a routed store is named by its stand-in in the "sends to another store" warning', async () => {
    // The real docker-credential-pass stores whatever server URL it is given; credkit never would.
    const keyPassword = 'fake-key-password';
    let r = await run('docker-credential-pass', ['store'], { input: JSON.stringify({ ServerURL: `fake-user:${keyPassword}`, Username: 'u', Secret: ROUTED_PASSWORD }), env: sb.env });
    expect(r.code, r.stdout).to.equal(0);
    try {
      for (const list of [await sb.credkit(['store', 'list']), await sb.credkit(['store', 'list', '--json']), await sb.helper('list')]) {
        expect(list.code, list.stderr).to.equal(0);
        expect((list.stdout + list.stderr).includes(keyPassword), 'a list printed the password in the key').to.equal(false);
        expect(list.stderr).to.include('hidden: it looks like a user:password');
      }
      r = await sb.credkit(['store', 'list', '--backend', 'helper:pass']);
      expect((r.stdout + r.stderr).includes(keyPassword)).to.equal(false);
    } finally {
      // The password store is the suite's.
      await run('docker-credential-pass', ['erase'], { input: `fake-user:${keyPassword}`, env: sb.env });
    }
  });

  it('migrate --into-store credkit stores each plaintext login where the routes send it, says where, and docker pulls with it', async () => {
    const auth = (user: string, password: string) => ({ auth: Buffer.from(`${user}:${password}`).toString('base64') });
    await writeFile(configPath, JSON.stringify({ auths: { [ROUTED]: auth('alice', ROUTED_PASSWORD), [PLAIN]: auth('bob', PLAIN_PASSWORD) } }), { mode: 0o600 });
    let r = await sb.credkit(['migrate', configPath, '--into-store', 'credkit']);
    expectNoSecret(r, 'migrate');
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.include(`  stored ${ROUTED} (alice) in helper:pass\n  stored ${PLAIN} (bob) in file\n`);
    expect(await listOf('helper:pass')).to.deep.equal({ [ROUTED]: 'alice' });
    expect(await listOf('file')).to.deep.equal({ [PLAIN]: 'bob' });
    r = await docker(['pull', `${ROUTED}/app:1`]);
    expect(r.code, r.stderr.trim()).to.equal(0);
    expectAuth(lastPullAuth(), { username: 'alice', password: ROUTED_PASSWORD, serveraddress: ROUTED }, 'routed pull');
    // A second run finds both where the helper reads them; --json names each one's store.
    await writeFile(configPath, JSON.stringify({ auths: { [ROUTED]: auth('alice', ROUTED_PASSWORD) } }), { mode: 0o600 });
    r = await sb.credkit(['migrate', configPath, '--into-store', 'file', '--json']);
    expect(r.code, r.stdout).to.equal(0);
    expect(JSON.parse(r.stdout).files[0].stored).to.deep.equal([{ key: ROUTED, username: 'alice', action: 'same', store: 'helper:pass' }]);
  });

  it('copy --to credkit stores where the helper looks; --move from the backend moves only what the routes keep elsewhere; --to the backend says what the helper will not find there', async () => {
    const source = join(sb.home, 'ci-config.json');
    const auth = (user: string, password: string) => ({ auth: Buffer.from(`${user}:${password}`).toString('base64') });
    await writeFile(source, JSON.stringify({ auths: { [ROUTED]: auth('alice', ROUTED_PASSWORD), [PLAIN]: auth('bob', PLAIN_PASSWORD) } }), { mode: 0o600 });
    // Into the backend by name: that backend alone, and a note for the registry routed elsewhere.
    let r = await sb.credkit(['copy', '--from', `authfile:${source}`, '--to', 'file', '--json']);
    expectNoSecret(r, 'copy --to file');
    expect(r.code, r.stdout).to.equal(0);
    expect(JSON.parse(r.stdout).notes).to.deep.equal([`[routes] send ${ROUTED} to helper:pass, so docker-credential-credkit does not look for it in file; --to credkit stores each where the helper looks`]);
    expect(await listOf('file')).to.deep.equal({ [ROUTED]: 'alice', [PLAIN]: 'bob' });
    // helper:credkit and file are not one store with routes: a move is no usage error, and
    // --to credkit is the same, in process; only what the routes keep in pass moves.
    r = await sb.credkit(['copy', '--from', 'file', '--to', 'helper:credkit', '--dry-run']);
    expect(r.code, r.stderr).to.equal(0);
    r = await sb.credkit(['copy', '--from', 'file', '--to', 'credkit', '--move', '--json']);
    expectNoSecret(r, 'copy --move');
    expect(r.code, r.stdout).to.equal(0);
    const report = JSON.parse(r.stdout) as { from: string; to: string; entries: { serverURL: string; status: string; erased?: boolean }[] };
    expect([report.from, report.to]).to.deep.equal(['file', 'credkit']);
    expect(report.entries.map((e) => [e.serverURL, e.status, e.erased])).to.deep.equal([
      [PLAIN, 'unchanged', false],
      [ROUTED, 'moved', true],
    ]);
    expect(await listOf('helper:pass')).to.deep.equal({ [ROUTED]: 'alice' });
    expect(await listOf('file')).to.deep.equal({ [PLAIN]: 'bob' });
    r = await docker(['pull', `${ROUTED}/app:1`]);
    expect(r.code, r.stderr.trim()).to.equal(0);
    expectAuth(lastPullAuth(), { username: 'alice', password: ROUTED_PASSWORD, serveraddress: ROUTED }, 'routed pull');
    // credkit and helper:credkit are one store.
    r = await sb.credkit(['copy', '--from', 'credkit', '--to', 'helper:credkit']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('are the same store');
  });

  it('list reads pass and helper:pass, one password store, once: each credential listed, no "docker never gets" warning', async () => {
    await writeRoutes('*.pass.example.test = helper:pass\n', 'pass');
    // Both in the one password store, as the real docker-credential-pass lists it.
    await expectOneStoreListedOnce(sb, 'docker-credential-pass');
  });

  it('a routed helper that fails leaves list working, with a warning; a bad route fails every call, naming it', async () => {
    await writeRoutes('*.pass.example.test = helper:pass\n*.dkr.ecr.*.amazonaws.com = helper:not-installed\n');
    let r = await sb.credkit(['store', 'store', PLAIN, '-u', 'bob', '--password-stdin'], PLAIN_PASSWORD);
    expect(r.code, r.stderr).to.equal(0);
    const list = await sb.helper('list');
    expect(list.code, list.stdout).to.equal(0);
    expect(JSON.parse(list.stdout)).to.deep.equal({ [PLAIN]: 'bob' });
    expect(list.stderr).to.match(/^docker-credential-credkit: warning: list left out the credentials of \*\.dkr\.ecr\.\*\.amazonaws\.com \(routed to helper:not-installed\)/);

    await writeRoutes('quay.io/org = helper:pass\n');
    r = await sb.helper('get', PLAIN);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/key "\[routes\] quay\.io\/org": routes choose a store by registry host.*route "quay\.io" instead\n$/);
    r = await sb.credkit(['doctor', '--json', '--no-call-helpers']);
    const codes = (JSON.parse(r.stdout) as { findings: { code: string; level: string }[] }).findings.filter((f) => f.code.startsWith('route')).map((f) => `${f.level} ${f.code}`);
    expect(codes).to.deep.equal(['error route-invalid']);
  });

  it('doctor shows each route and its store, and names a shadowed or repeated one', async () => {
    await writeRoutes('*.pass.example.test = helper:pass\nc?.pass.example.test = file\nghcr.io = helper:credkit\nquay.io = file\nquay.io = helper:not-installed\n');
    const r = await sb.credkit(['doctor', '--json', '--no-call-helpers']);
    const found = (JSON.parse(r.stdout) as { findings: { code: string; level: string; what: string }[] }).findings
      .filter((f) => f.code.startsWith('route') || f.code === 'config-duplicate-key')
      .map((f) => `${f.level} ${f.code} ${f.what.replace(/^credkit's (route|config) /, '').slice(0, 40)}`);
    expect(found).to.deep.equal([
      'warn config-duplicate-key ~/.config/credkit/config.ini: line 7: "q',
      'error route-invalid "ghcr.io" cannot be used: the store "hel',
      'ok route "*.pass.example.test" sends its registri',
      'warn route-shadowed "c?.pass.example.test" is never used: th',
      'error route-store "quay.io" sends its registries to helper',
    ]);
  });
});

describe('e2e: [routes] with the keychain and docker-credential-secretservice on one gnome-keyring', function () {
  let keyring: RealBackend;
  let sb: Sandbox;
  before(async function () {
    await skipUnlessPrograms(this, ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon', 'docker-credential-secretservice']);
    keyring = await startSecretService();
  });
  after(async () => keyring?.stop());
  makeSandboxPerTest(() => ({ ...keyring.env }), (made) => (sb = made));

  it('list reads the Secret Service once: each credential listed, no "docker never gets" warning', async () => {
    const dir = join(sb.env.XDG_CONFIG_HOME as string, 'credkit');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.ini'), 'backend = keychain\n[routes]\n*.pass.example.test = helper:secretservice\n');
    // Both items in the one keyring, as the real docker-credential-secretservice lists them.
    await expectOneStoreListedOnce(sb, 'docker-credential-secretservice');
  });
});

describe('e2e: [routes] with the file backend', function () {
  let sb: Sandbox;
  makeSandboxPerTest({}, (made) => (sb = made));
  const writeConfig = async (text: string) => {
    const dir = join(sb.env.XDG_CONFIG_HOME as string, 'credkit');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.ini'), text);
  };

  it('list counts a route to the store that auto opens as that store: no "sends to another store" warning', async () => {
    // No D-Bus session in the sandbox: auto opens its fallback, the file a route also names.
    await writeConfig('backend = auto\nfallback = file\n[routes]\n*.example.test = pass\none.example.test = file\n');
    for (const [url, user] of [['one.example.test', 'alice'], ['quay.io', 'bob']] as const) {
      const r = await sb.helper('store', JSON.stringify({ ServerURL: url, Username: user, Secret: 'fake-secret' }));
      expect(r.code, r.stdout).to.equal(0);
    }
    const r = await sb.helper('list');
    expect(r.code, r.stdout).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ 'one.example.test': 'alice', 'quay.io': 'bob' });
    expect(r.stderr).to.not.include('another store');
  });

  it('migrate --into-store file with backend = auto names the store auto opened (its fallback, file), not "auto", for a registry no route takes', async () => {
    // No D-Bus session in the sandbox: auto opens its fallback.
    await writeConfig('backend = auto\nfallback = file\n[routes]\nquay.io = helper:not-installed\n');
    const path = join(sb.home, 'config.json');
    await writeFile(path, JSON.stringify({ auths: { 'ghcr.io': { auth: Buffer.from('bob:fake-auto-pw').toString('base64') } } }), { mode: 0o600 });
    const dry = await sb.credkit(['migrate', path, '--into-store', 'file', '--dry-run']);
    expect(dry.code, dry.stdout + dry.stderr).to.equal(0);
    expect(dry.stdout).to.include('  would store ghcr.io (bob) in file\n');
    const r = await sb.credkit(['migrate', path, '--into-store', 'file', '--json']);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout).files[0].stored).to.deep.equal([{ key: 'ghcr.io', username: 'bob', action: 'add', store: 'file' }]);
    const again = await sb.credkit(['migrate', path, '--into-store', 'file']);
    expect(again.stdout).to.not.include(' auto');
    expect((r.stdout + dry.stdout).includes('fake-auto-pw')).to.equal(false);
  });

  it('store backends names each route credkit cannot use and each route whose store does not work', async () => {
    await writeConfig('backend = file\n[routes]\nghcr.io =\nquay.io = pas\n*.ecr.test = helper:not-installed\nhttps://x.test = file\ngood.test = file\nkc.test = keychain\n');
    const text = await sb.credkit(['store', 'backends']);
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stdout.split('\n').filter((l) => l.startsWith('route:'))).to.deep.equal([
      'route:      ghcr.io -> (no store): cannot be used, so every helper call fails: names no store: write a backend such as pass or file, or helper:NAME, after "=" (true, false and null are no store names)',
      'route:      quay.io -> pas: not usable here: unknown credkit backend "pas" in the route "quay.io" under [routes] in credkit\'s config.ini (choose one of: auto, keychain, keyutils, pass, file, env, helper:NAME)',
      'route:      *.ecr.test -> helper:not-installed: not usable here: credential helper docker-credential-not-installed is not on PATH; install it, or change the route "*.ecr.test" under [routes] in credkit\'s config.ini',
      'route:      https://x.test -> file: cannot be used, so every helper call fails: a route names a registry host, without a scheme: write "x.test"',
      'route:      good.test -> file',
      // No D-Bus session in the sandbox.
      'route:      kc.test -> keychain: not usable here: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset and there is no $XDG_RUNTIME_DIR/bus); run inside dbus-run-session or a desktop login',
    ]);
    const json = await sb.credkit(['store', 'backends', '--json']);
    const routes = (JSON.parse(json.stdout) as { routes: { pattern: string; store: string; usable: boolean; code?: string }[] }).routes;
    expect(routes.map((r) => [r.pattern, r.store, r.usable, r.code ?? null])).to.deep.equal([
      ['ghcr.io', '', false, 'route-invalid'],
      ['quay.io', 'pas', false, 'route-store'],
      ['*.ecr.test', 'helper:not-installed', false, 'route-store'],
      ['https://x.test', 'file', false, 'route-invalid'],
      ['good.test', 'file', true, null],
      ['kc.test', 'keychain', false, 'route-store'],
    ]);
  });

  it('doctor says once what to change for a route whose store does not work', async () => {
    await writeConfig('backend = file\n[routes]\nquay.io = pas\n*.ecr.test = helper:not-installed\nkc.test = keychain\n');
    // The problem found through a route already says to install the helper or change that route.
    const doctor = await sb.credkit(['doctor', '--json', '--no-call-helpers']);
    const found = (JSON.parse(doctor.stdout) as { findings: { code: string; what: string; fix?: string }[] }).findings.filter((f) => f.code === 'route-store');
    expect(found.map((f) => [/^credkit's route "([^"]*)"/.exec(f.what)?.[1], f.fix ?? null])).to.deep.equal([
      ['quay.io', null],
      ['*.ecr.test', null],
      ['kc.test', 'make keychain usable, or route "kc.test" to another store'],
    ]);
    const line = (await sb.credkit(['doctor', '--no-call-helpers'])).stdout.split('\n').find((l) => l.includes('"*.ecr.test"')) ?? '';
    expect(line.split('install it').length - 1, line).to.equal(1);
    expect(line.split('change the route').length - 1, line).to.equal(1);
  });

  it('explain names the store credkit keeps each registry in, for docker (credsStore) and podman (credHelpers)', async () => {
    await writeConfig('backend = env\n[routes]\n*.routed.test = file\n');
    let r = await sb.credkit(['store', 'store', 'app.routed.test', '-u', 'alice', '--password-stdin'], 'fake-routed-secret');
    expect(r.code, r.stderr).to.equal(0);
    await writeFile(join(sb.env.DOCKER_CONFIG as string, 'config.json'), JSON.stringify({ credsStore: 'credkit' }));
    const authfile = join(sb.home, 'auth.json');
    await writeFile(authfile, JSON.stringify({ auths: {}, credHelpers: { 'app.routed.test': 'credkit', 'quay.io': 'credkit' } }));

    r = await sb.credkit(['explain', 'app.routed.test/team/app:1', '--authfile', authfile, '--json']);
    expect(r.code, r.stderr).to.equal(0);
    const calls = (JSON.parse(r.stdout) as { clients: { client: string; helperCalls: { serverURL: string; outcome: string; credkitStore?: unknown }[] }[] }).clients.map((x) => [x.client, x.helperCalls]);
    expect(calls).to.deep.equal([
      ['docker', [{ helper: 'credkit', serverURL: 'app.routed.test', via: 'credsStore', file: join(sb.env.DOCKER_CONFIG as string, 'config.json'), outcome: 'found', username: 'alice', credkitStore: { store: 'file', route: '*.routed.test' } }]],
      ['podman', [{ helper: 'credkit', serverURL: 'app.routed.test', via: 'credHelpers["app.routed.test"]', file: authfile, outcome: 'found', username: 'alice', credkitStore: { store: 'file', route: '*.routed.test' } }]],
    ]);
    r = await sb.credkit(['explain', 'quay.io/team/app:1', '--as', 'docker']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('  helper: docker-credential-credkit get "quay.io" (credsStore) → not found\n    credkit keeps it in env (its backend: no route under [routes] matches)\n');
    expect(r.stdout.includes('fake-routed-secret')).to.equal(false);
  });

  it('a route without a store (a pattern alone, true, false, null) names no store: the helper, store and doctor say so, and nothing else', async () => {
    await writeConfig('backend = file\n[routes]\nghcr.io\nquay.io = true\ngcr.io = null\n*.example.test = false\n');
    for (const host of ['ghcr.io', 'registry.example.test']) {
      const r = await sb.helper('get', host);
      expect(r.code).to.equal(1);
      // The first bad route is named, whatever host was asked (a bad route fails every call).
      expect(r.stdout).to.match(/key "\[routes\] ghcr\.io": names no store: write a backend such as pass or file, or helper:NAME, after "="/);
      expect(r.stdout).to.not.include('unknown credkit backend');
    }
    let r = await sb.credkit(['store', 'get', 'quay.io']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('names no store');
    r = await sb.credkit(['doctor', '--json', '--no-call-helpers']);
    const found = (JSON.parse(r.stdout) as { findings: { code: string; level: string; what: string }[] }).findings
      .filter((f) => f.code.startsWith('route') || f.code.startsWith('config-'))
      .map((f) => `${f.level} ${f.code} ${/route "([^"]*)" cannot be used: names no store/.exec(f.what)?.[1] ?? f.what}`);
    expect(found).to.deep.equal(['error route-invalid ghcr.io', 'error route-invalid quay.io', 'error route-invalid gcr.io', 'error route-invalid *.example.test']);
    // A [routes.NAME] section is one config lint says credkit ignores: it is no route either.
    await writeConfig('backend = file\n[routes]\nghcr.io = file\n[routes.extra]\nquay.io = pass\n');
    r = await sb.helper('get', 'quay.io');
    expect(r.stdout).to.equal('credentials not found in native keychain\n');
  });

  it('a route written with [] (an ini list) is refused, naming it, by the helper and doctor', async () => {
    await writeConfig('backend = file\n[routes]\nreg[] = file\n');
    let r = await sb.helper('get', 'reg');
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/key "\[routes\] reg\[\]": "\[\]" after a pattern makes ini read the line as a list, not a route: write "reg = STORE"\n$/);
    r = await sb.credkit(['doctor', '--json', '--no-call-helpers']);
    const found = (JSON.parse(r.stdout) as { findings: { code: string; level: string; what: string }[] }).findings.filter((f) => f.code.startsWith('route')).map((f) => `${f.level} ${f.code} ${f.what.slice(0, 60)}`);
    expect(found).to.deep.equal(['error route-invalid credkit\'s route "reg[]" cannot be used: "[]" after a pattern']);
  });

  it('a pattern that holds a credential is refused by its stand-in, never quoted, by store backends, doctor, config lint and the helper', async () => {
    const swapped = Buffer.from('fake-user:fake-route-pw1').toString('base64');
    await writeConfig(`backend = file\n[routes]\nfake-user:fake-route-pw2 = file\n${swapped} = file\nghcr.io = file\nfake-user:fake-route-pw2 = file\n`);
    const leaks = (r: RunResult) => ['fake-route-pw', swapped.slice(0, 12)].some((p) => r.stdout.includes(p) || r.stderr.includes(p));
    const PLAIN_KEY = '<entry #1 of [routes], hidden: it looks like a user:password>';
    const B64_KEY = '<entry #2 of [routes], hidden: it looks like a base64 user:password>';
    const WHY = 'it holds a credential (a user:password, or base64 of one) where a registry host belongs; a route names a registry host, and the credential belongs in a store';
    const text = await sb.credkit(['store', 'backends']);
    expect(leaks(text)).to.equal(false);
    expect(text.stdout.split('\n').filter((l) => l.startsWith('route:'))).to.deep.equal([
      `route:      ${PLAIN_KEY} -> file: cannot be used, so every helper call fails: ${WHY}`,
      `route:      ${B64_KEY} -> file: cannot be used, so every helper call fails: ${WHY}`,
      'route:      ghcr.io -> file',
    ]);
    expect(text.stderr).to.contain('line 6: "<hidden: it looks like a user:password>" in [routes] is also on line 3');
    const json = await sb.credkit(['store', 'backends', '--json']);
    expect(leaks(json)).to.equal(false);
    expect((JSON.parse(json.stdout) as { routes: { pattern: string }[] }).routes.map((r) => r.pattern)).to.deep.equal([PLAIN_KEY, B64_KEY, 'ghcr.io']);
    const doctor = await sb.credkit(['doctor', '--no-call-helpers']);
    expect(leaks(doctor)).to.equal(false);
    expect(doctor.stdout).to.contain(`credkit's route "${B64_KEY}" cannot be used: ${WHY}`);
    const doctorJson = await sb.credkit(['doctor', '--json', '--no-call-helpers']);
    expect(leaks(doctorJson)).to.equal(false);
    const found = (JSON.parse(doctorJson.stdout) as { findings: { code: string; what: string }[] }).findings.filter((f) => f.code === 'route-invalid').map((f) => f.what);
    expect(found).to.deep.equal([PLAIN_KEY, B64_KEY].map((k) => `credkit's route "${k}" cannot be used: ${WHY}; docker-credential-credkit fails every call until it is fixed`));
    const r = await sb.helper('get', 'ghcr.io');
    expect(r.code).to.equal(1);
    expect(leaks(r)).to.equal(false);
    expect(r.stdout).to.contain(`key "[routes] ${PLAIN_KEY}": ${WHY}`);
  });

  it('two spellings of one host are two routes: the first in the file wins, and doctor names the other', async () => {
    await writeConfig('backend = file\n[routes]\nGHCR.io = env\nghcr.io = file\nindex.docker.io = env\ndocker.io = file\n');
    // env is read-only: a store that reaches it went by the first route.
    for (const url of ['ghcr.io', 'https://index.docker.io/v1/']) {
      const r = await sb.helper('store', JSON.stringify({ ServerURL: url, Username: 'alice', Secret: 'fake-secret' }));
      expect(r.code, url).to.equal(1);
      expect(r.stdout, url).to.match(/^the env backend is read-only/);
    }
    const r = await sb.credkit(['doctor', '--json', '--no-call-helpers']);
    const found = (JSON.parse(r.stdout) as { findings: { code: string; level: string; what: string }[] }).findings.filter((f) => f.code.startsWith('route')).map((f) => `${f.level} ${f.code} ${f.what}`);
    expect(found).to.deep.equal([
      `ok route credkit's route "GHCR.io" sends its registries to env, which is usable`,
      `warn route-shadowed credkit's route "ghcr.io" is never used: the earlier route "GHCR.io" names the same registry, ghcr.io (hosts are compared without regard to case, and Docker Hub is docker.io under any of its names), and the first in the file wins`,
      `ok route credkit's route "index.docker.io" sends its registries to env, which is usable`,
      `warn route-shadowed credkit's route "docker.io" is never used: the earlier route "index.docker.io" names the same registry, docker.io (hosts are compared without regard to case, and Docker Hub is docker.io under any of its names), and the first in the file wins`,
    ]);
  });

  it('a store that only a route names fails naming that route, not the backend setting', async () => {
    await writeConfig('backend = file\n[routes]\n*.dkr.ecr.*.amazonaws.com = helper:not-installed\nghcr.io = pas\n');
    const ecr = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
    let r = await sb.helper('get', ecr);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal(`credential helper docker-credential-not-installed is not on PATH; install it, or change the route "*.dkr.ecr.*.amazonaws.com" under [routes] in credkit's config.ini\n`);
    r = await sb.helper('get', 'ghcr.io');
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/^unknown credkit backend "pas" in the route "ghcr\.io" under \[routes\] in credkit's config\.ini \(choose one of/);
    // credkit store and doctor say the same.
    r = await sb.credkit(['store', 'get', ecr]);
    expect(r.stderr).to.include('change the route "*.dkr.ecr.*.amazonaws.com" under [routes]');
    r = await sb.credkit(['doctor', '--json', '--no-call-helpers']);
    const whats = (JSON.parse(r.stdout) as { findings: { code: string; what: string }[] }).findings.filter((f) => f.code === 'route-store').map((f) => f.what);
    expect(whats).to.have.length(2);
    for (const what of whats) expect(what).to.match(/under \[routes\] in credkit's config\.ini/).and.not.include('backend setting');
    // The unrouted hosts still use the backend.
    r = await sb.helper('get', 'quay.io');
    expect(r.stdout).to.equal('credentials not found in native keychain\n');
  });
});

describe('e2e: [routes] with skopeo (containers/image credHelpers) and a real registry', function () {
  const ALICE_PW = 'fake-alice-routed-pw';
  let registry: Registry;
  let image: string;
  let sb: Sandbox;
  let env: Record<string, string>;
  let authFile: string;

  before(async function () {
    await skipUnlessPrograms(this, ['docker-registry', 'htpasswd', 'openssl', 'skopeo']);
  });
  makeRegistryPerSuite({ users: { alice: ALICE_PW } }, async (made) => {
    registry = made;
    image = await registry.seedImage('team/app:1', 'alice');
  });
  makeSandboxPerTest({}, async (made) => {
    sb = made;
    // The backend is env, which is read-only: a login that reaches it instead of the route fails.
    // The route is a glob with the registry's port, as a pattern for a pool of local registries.
    const port = registry.host.split(':')[1] as string;
    const dir = join(sb.env.XDG_CONFIG_HOME as string, 'credkit');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.ini'), `backend = env\n[routes]\n127.0.0.*:${port} = file\n`);
    const shimDir = await writeHelperShim(join(sb.home, 'bin'));
    authFile = join(sb.home, 'auth.json');
    await writeFile(authFile, JSON.stringify({ auths: {}, credHelpers: { [registry.host]: 'credkit' } }), { mode: 0o600 });
    env = registry.clientEnv({ ...sb.env, PATH: `${shimDir}:${basePath()}` });
  });
  const skopeo = (args: readonly string[], input?: string) => run('skopeo', args, { env, input });
  const fileList = async () => {
    const r = await sb.credkit(['store', 'list', '--backend', 'file', '--json']);
    expect(r.code, r.stderr).to.equal(0);
    return JSON.parse(r.stdout) as Record<string, string>;
  };

  it('login stores through the route, inspect authenticates with it, logout erases it there', async () => {
    const login = await skopeo(['login', '--authfile', authFile, '--cert-dir', registry.certDir, '--username', 'alice', '--password-stdin', registry.host], `${ALICE_PW}\n`);
    expect(login.code, login.stderr).to.equal(0);
    expect(await fileList()).to.deep.equal({ [registry.host]: 'alice' });
    const mark = registry.logMark();
    const inspect = await skopeo(['inspect', '--authfile', authFile, '--cert-dir', registry.certDir, `docker://${image}`]);
    expect(inspect.code, inspect.stderr).to.equal(0);
    expect(registry.acceptedUsers(mark)).to.deep.equal(['alice']);
    const explain = await sb.credkit(['explain', image, '--as', 'podman', '--authfile', authFile]);
    expect(explain.stdout).to.include(`credkit keeps it in file (route "127.0.0.*:${registry.host.split(':')[1]}" under [routes])`);
    const logout = await skopeo(['logout', '--authfile', authFile, registry.host]);
    expect(logout.code, logout.stderr).to.equal(0);
    expect(await fileList()).to.deep.equal({});
    for (const r of [login, inspect, explain, logout]) expect((r.stdout + r.stderr).includes(ALICE_PW)).to.equal(false);
  });
});
