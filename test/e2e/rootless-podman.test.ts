/**
 * Rootless podman, buildah and skopeo, run as a real unprivileged user against a real registry:
 * without XDG_RUNTIME_DIR podman and buildah each pick a runtime directory of their own, skopeo
 * uses /run/containers/$UID, and `credkit explain --json` run as that user must name the same
 * files. Needs root (to become the user) and the user `credkit-rootless`, which .ci/run creates.
 */
import { expect } from 'chai';
import { chmod, chown, copyFile, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BIN, basePath, run, skipUnlessPrograms, type RunResult } from '../support/sandbox.js';
import { makeRegistryPerSuite, type Registry } from '../support/registry.js';
import { startPrivateBus, storeInput, uniqueService } from '../support/os-keyring.js';

const USER = 'credkit-rootless';
const ALICE_PW = 'fake-alice-rootless-pw';
/** How credkit's keyutils backend refuses rootless podman's user namespace (src/stores/keyutils.ts). */
const NAMESPACE_LINE = 'credkit keyutils: rootless podman and buildah run credential helpers in a user namespace of their own';
/** The way out the refusal names for logins kept in that namespace's keyring before. */
const LEAVE_LINE = 'podman unshare credkit copy --from keyutils --to pass --move';
const BOB_PW = 'fake-bob-rootless-pw';

interface ExplainedClient {
  client: string;
  files: { path: string; status: string }[];
  outcome: string;
  credential?: { username: string };
  notes: string[];
}

/** Skips locally (fails in CI, where nothing may skip) when this suite cannot become the user. */
async function skipUnlessUser(ctx: Mocha.Context): Promise<{ uid: number; gid: number }> {
  const id = await run('id', ['-u', USER], { env: { PATH: basePath() } });
  const gid = await run('id', ['-g', USER], { env: { PATH: basePath() } });
  const why =
    process.getuid?.() !== 0 ? 'not running as root, which it takes to run podman as another user'
    : id.code !== 0 ? `no user ${USER} (.ci/run creates it: useradd --create-home ${USER})`
    : undefined;
  if (why === undefined) return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
  if (process.env.CI) throw new Error(`${why}; in CI nothing may skip`);
  console.log(`      skipped: ${why}`);
  ctx.skip();
}

/**
 * The `credkit` the user runs: the checkout's own, or, where the user cannot read it (a clone
 * under root's 0700 home, as a CI job may make), a copy of what the shipped binary loads in a
 * directory every user may read. Returns the bin and the directory to remove afterwards.
 */
async function credkitForUser(): Promise<{ bin: string; copy?: string }> {
  if ((await run('runuser', ['-u', USER, '--', 'test', '-r', BIN.credkit], { env: { PATH: basePath() } })).code === 0) return { bin: BIN.credkit };
  const root = join(dirname(BIN.credkit), '..');
  const copy = await mkdtemp(join(tmpdir(), 'credkit-rootless-pkg-'));
  await chmod(copy, 0o755);
  for (const part of ['package.json', 'bin', 'dist', 'node_modules']) await cp(join(root, part), join(copy, part), { recursive: true, verbatimSymlinks: true });
  const bin = join(copy, 'bin', 'credkit');
  if ((await run('runuser', ['-u', USER, '--', 'test', '-r', bin], { env: { PATH: basePath() } })).code !== 0) throw new Error(`${USER} cannot read the copy of credkit made for it`);
  return { bin, copy };
}

/** True when /run/containers exists and other users may not enter it (root's podman made it, mode 0700). */
const rootOnlyRunContainers = () => stat('/run/containers').then((st) => (st.mode & 0o001) === 0, () => false);

describe('e2e: rootless podman, buildah and skopeo runtime auth files, as a real user', function () {
  this.timeout(180_000);
  let registry: Registry | undefined;
  let user = { uid: -1, gid: -1 };
  let credkit = { bin: BIN.credkit } as { bin: string; copy?: string };
  let work = '';
  /** The directory under /run/user this suite made, removed afterwards. */
  let madeRunUser: string[] = [];

  before(async function () {
    await skipUnlessPrograms(this, ['docker-registry', 'htpasswd', 'openssl', 'podman', 'buildah', 'skopeo', 'runuser', 'setpriv', 'dbus-daemon', 'dbus-send', 'gnome-keyring-daemon']);
    user = await skipUnlessUser(this);
    credkit = await credkitForUser();
  });
  after(async () => {
    if (credkit.copy) await rm(credkit.copy, { recursive: true, force: true });
  });
  makeRegistryPerSuite({ users: { alice: ALICE_PW, bob: BOB_PW }, images: { 'team/app:1': 'alice' } }, (made) => (registry = made));

  beforeEach(async () => {
    // Everything the user's programs touch (HOME, TMPDIR, storage, the CA) lives under `work`,
    // which belongs to the user: podman's /tmp/podman-run-UID lands in $TMPDIR here, not in /tmp.
    work = await mkdtemp(join(tmpdir(), 'credkit-rootless-'));
    for (const d of ['home', 'tmp', 'certs', 'state']) await mkdir(join(work, d), { mode: 0o700 });
    await copyFile(registry!.caFile, join(work, 'certs', 'ca.crt'));
    for (const f of ['registries.conf', 'containers.conf']) await writeFile(join(work, f), '');
    for (const p of ['', 'home', 'tmp', 'certs', 'certs/ca.crt', 'state', 'registries.conf', 'containers.conf']) await chown(join(work, p), user.uid, user.gid);
    madeRunUser = [];
  });
  afterEach(async () => {
    // podman leaves a pause process (its user namespace) behind, whose pid it writes in its runtime dir.
    for (const pidFile of [join(work, 'tmp', `podman-run-${user.uid}`, 'libpod', 'tmp', 'pause.pid'), `/run/user/${user.uid}/libpod/tmp/pause.pid`, join(work, 'xdg', 'libpod', 'tmp', 'pause.pid')]) {
      const pid = Number(await readFile(pidFile, 'utf8').catch(() => ''));
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    for (const d of madeRunUser.reverse()) await rm(d, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  /**
   * Runs `args` as the user in a bare environment: HOME and TMPDIR under `work`, plus `extra`, in
   * the user's HOME (the user may not be able to enter this process's working directory).
   */
  const asUser = (args: readonly string[], extra: Record<string, string> = {}, input?: string): Promise<RunResult> =>
    run('runuser', ['-u', USER, '--', 'env', '-i', ...Object.entries({
      PATH: basePath(), HOME: join(work, 'home'), TMPDIR: join(work, 'tmp'), LANG: 'C.UTF-8', USER, LOGNAME: USER,
      CONTAINERS_REGISTRIES_CONF: join(work, 'registries.conf'), CONTAINERS_CONF: join(work, 'containers.conf'),
      // A bus that is not there: without any, podman moves its pause process to a systemd scope
      // through a session bus it starts with dbus-launch, which would outlive the test.
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(work, 'no-bus')}`, ...extra,
    }).map(([k, v]) => `${k}=${v}`), ...args], { input: input ?? '', timeoutMs: 60_000, cwd: join(work, 'home') });

  const state = (tool: 'podman' | 'buildah') => {
    const s = join(work, 'state', tool);
    const flags = ['--root', join(s, 'root'), '--runroot', join(s, 'runroot'), '--storage-driver', 'vfs'];
    // cgroupfs: no systemd user session to ask (podman would start a D-Bus daemon for one).
    return tool === 'podman' ? [...flags, '--cgroup-manager', 'cgroupfs', '--events-backend', 'none'] : flags;
  };
  /** `TOOL login --verbose` as alice; returns the file it says it used. */
  async function login(tool: 'podman' | 'buildah' | 'skopeo', extra: Record<string, string> = {}): Promise<{ res: RunResult; used: string | undefined }> {
    const global = tool === 'skopeo' ? [] : state(tool);
    const res = await asUser([tool, ...global, 'login', '--verbose', '--cert-dir', join(work, 'certs'), '--username', 'alice', '--password-stdin', registry!.host], extra, `${ALICE_PW}\n`);
    expect(res.stdout.includes(ALICE_PW) || res.stderr.includes(ALICE_PW)).to.equal(false);
    return { res, used: /^Used:\s+(\S+)$/m.exec(res.stdout)?.[1] };
  }
  async function explain(extra: Record<string, string> = {}): Promise<ExplainedClient[]> {
    const res = await asUser([process.execPath, credkit.bin, 'explain', '--json', `${registry!.host}/team/app:1`], extra);
    expect(res.code, res.stderr).to.equal(0);
    return (JSON.parse(res.stdout) as { clients: ExplainedClient[] }).clients;
  }
  const client = (clients: ExplainedClient[], name: string) => {
    const c = clients.find((x) => x.client === name);
    expect(c, `explain shows ${name}`).to.not.equal(undefined);
    return c!;
  };
  /** What skopeo does with /run/containers/UID here: it cannot make it, and reading it fails once root's /run/containers is there. */
  async function expectSkopeoAgrees(explained: ExplainedClient): Promise<void> {
    const skopeoFile = `/run/containers/${user.uid}/auth.json`;
    expect(explained.files[0]?.path).to.equal(skopeoFile);
    const { res } = await login('skopeo');
    expect(res.code).to.equal(1);
    expect(res.stderr).to.match(/(mkdir|open) \/run\/containers[^:]*: permission denied/);
    const rootsRunContainers = await rootOnlyRunContainers();
    // Where root has run podman, /run/containers is root's (0700) and skopeo cannot even read it.
    expect(explained.outcome).to.equal(rootsRunContainers ? 'error' : 'anonymous');
  }

  /**
   * docker-credential-credkit on the user's PATH (a shim in `work`, which the user owns), and an
   * auth file whose credHelpers send the registry to it; returns the environment for both.
   */
  async function useCredkitHelper(): Promise<Record<string, string>> {
    const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
    const bin = join(work, 'bin');
    await mkdir(bin, { mode: 0o755 });
    const shim = join(bin, 'docker-credential-credkit');
    await writeFile(shim, `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(join(dirname(credkit.bin), 'docker-credential-credkit'))} "$@"\n`, { mode: 0o755 });
    const authFile = join(work, 'home', 'auth.json');
    await writeFile(authFile, JSON.stringify({ auths: {}, credHelpers: { [registry!.host]: 'credkit' } }), { mode: 0o600 });
    for (const p of [bin, shim, authFile]) await chown(p, user.uid, user.gid);
    // A helper that waits for a keyring gives up well before the step's own limit (60 s).
    return { PATH: `${bin}:${basePath()}`, REGISTRY_AUTH_FILE: authFile, CREDKIT_KEYCHAIN_SERVICE: uniqueService(), CREDKIT_HELPER_TIMEOUT: '10' };
  }
  const helperAsUser = (verb: string, env: Record<string, string>, input = '') => asUser(['docker-credential-credkit', verb], env, input);

  it('keyutils: podman and buildah, which run helpers in their user namespace, get one line saying why credkit will not use the kernel keyring there, what the user stored stays, and doctor warns', async () => {
    // podman 4.3.1 without this: `podman login --get-login` said "not logged into" for what the
    // helper had stored outside, and a `podman login` was kept in the namespace's keyring, which
    // no docker or shell saw and which ended with podman's pause process.
    const env = { ...(await useCredkitHelper()), CREDKIT_BACKEND: 'keyutils' };
    expect(await helperAsUser('store', env, storeInput(registry!.host, 'alice', ALICE_PW))).to.include({ code: 0, stdout: '' });
    try {
      const getLogin = await asUser(['podman', ...state('podman'), 'login', '--get-login', registry!.host], env);
      expect(getLogin.code).to.not.equal(0);
      expect(getLogin.stderr).to.include(NAMESPACE_LINE);
      for (const tool of ['podman', 'buildah'] as const) {
        const { res } = await login(tool, env);
        expect(res.code, tool).to.not.equal(0);
        expect(res.stderr, tool).to.include(NAMESPACE_LINE);
      }
      const got = await helperAsUser('get', env, registry!.host);
      expect(got.code, 'the credential stored outside podman is still there').to.equal(0);
      expect(JSON.parse(got.stdout)).to.deep.equal({ ServerURL: registry!.host, Username: 'alice', Secret: ALICE_PW });
      const doctor = await asUser([process.execPath, credkit.bin, 'doctor', '--json', '--no-call-helpers'], env);
      const findings = (JSON.parse(doctor.stdout) as { findings: { code: string; level: string; what: string }[] }).findings;
      const warned = findings.find((f) => f.code === 'podman-keyutils');
      expect(warned?.level).to.equal('warn');
      expect(warned?.what).to.include(`podman reads "${registry!.host}" from credkit`);
    } finally {
      await helperAsUser('erase', env, registry!.host);
    }
  });

  it('keyutils: a login an older credkit kept in podman\'s namespace keyring is moved out with podman unshare credkit copy --from keyutils --to file --move, which docker and podman then read, while podman login through the helper still refuses', async () => {
    const helperEnv = await useCredkitHelper();
    const env = { ...helperEnv, CREDKIT_BACKEND: 'keyutils' };
    const service = helperEnv.CREDKIT_KEYCHAIN_SERVICE!;
    const unshare = (args: readonly string[], input?: string) => asUser(['podman', ...state('podman'), 'unshare', ...args], env, input);
    // The service's kernel keys in the namespace's persistent keyring, where keyring-rs links them
    // (podman unshare joins the namespace of podman's pause process, as podman's helpers run in it).
    const namespaceKeys = async () => {
      const r = await unshare(['sh', '-c', 'p=$(keyctl get_persistent @s) || exit 1; for k in $(keyctl rlist "$p"); do keyctl rdescribe "$k" 2>/dev/null; done']);
      expect(r.code, r.stderr).to.equal(0);
      return r.stdout.split('\n').filter((line) => line.endsWith(`@${service}`)).map((line) => line.slice(line.lastIndexOf(';') + 1)).sort();
    };
    // An older credkit stored as this helper does, but without the namespace check, which goes by
    // the _CONTAINERS_ROOTLESS_UID podman sets (podman unshare sets it too, with podman 4.3.1): the
    // helper run without it stores into the namespace's keyring as a podman login through it did.
    const seeded = await unshare(['env', '-u', '_CONTAINERS_ROOTLESS_UID', 'docker-credential-credkit', 'store'], storeInput(registry!.host, 'alice', ALICE_PW));
    expect(seeded.code, seeded.stdout + seeded.stderr).to.equal(0);
    // Stranded: in the namespace's keyring (still there for the next podman unshare), not in the user's.
    expect(await namespaceKeys()).to.deep.equal([`keyring:${registry!.host}@${service}`, `keyring:credkit:index@${service}`].sort());
    expect(await helperAsUser('list', env)).to.include({ code: 0, stdout: '{}\n' });
    const refused = await unshare(['docker-credential-credkit', 'list']);
    expect(refused.code).to.equal(1);
    expect(refused.stdout).to.include(NAMESPACE_LINE).and.include(`; to move out logins kept there before, run ${LEAVE_LINE}\n`);
    // A person can look first: credkit store list --backend keyutils reads the namespace's keyring.
    const looked = await unshare([process.execPath, credkit.bin, 'store', 'list', '--backend', 'keyutils']);
    expect([looked.code, looked.stdout, looked.stderr]).to.deep.equal([0, `${registry!.host}  alice\n`, '']);

    const moved = await unshare([process.execPath, credkit.bin, 'copy', '--from', 'keyutils', '--to', 'file', '--move']);
    expect(moved.code, moved.stderr).to.equal(0);
    expect(moved.stdout).to.include(`${registry!.host}  alice  add  moved`);
    expect(moved.stdout + moved.stderr).to.not.include(ALICE_PW);
    expect(await namespaceKeys(), 'gone from the namespace keyring, index too').to.deep.equal([]);

    // Outside: the user's file (made by the namespace's root, which is the user), read by credkit's helper and by podman.
    const fileEnv = { ...env, CREDKIT_BACKEND: 'file' };
    const file = await stat(join(work, 'home', '.local', 'share', 'credkit', 'credentials.json'));
    expect([file.uid, file.mode & 0o777]).to.deep.equal([user.uid, 0o600]);
    const got = await helperAsUser('get', fileEnv, registry!.host);
    expect(got.code, got.stdout).to.equal(0);
    expect(JSON.parse(got.stdout)).to.deep.equal({ ServerURL: registry!.host, Username: 'alice', Secret: ALICE_PW });
    const getLogin = await asUser(['podman', ...state('podman'), 'login', '--get-login', registry!.host], fileEnv);
    expect(getLogin.stdout.trim(), getLogin.stderr).to.equal('alice');

    // No new login lands in the namespace keyring: podman login through the helper still refuses keyutils.
    const { res } = await login('podman', env);
    expect(res.code).to.not.equal(0);
    expect(res.stderr).to.include(NAMESPACE_LINE).and.include(LEAVE_LINE);
    expect(await namespaceKeys()).to.deep.equal([]);
  });

  it('keyutils: explain and get --as podman and --as buildah fail with the line podman and buildah pull fail with, and show skopeo apart, which sends the credential (registry log)', async () => {
    // Before: explain and get said podman and buildah send alice from credkit's keyutils store,
    // which is what credkit answers outside their namespace, while podman 4.3.1 and buildah
    // 1.28.2 pull failed on credkit's refusal and only skopeo 1.9.3 sent alice.
    const xdg = join(work, 'xdg');
    await mkdir(xdg, { mode: 0o700 });
    await chown(xdg, user.uid, user.gid);
    const env = { ...(await useCredkitHelper()), CREDKIT_BACKEND: 'keyutils', XDG_RUNTIME_DIR: xdg };
    const image = `${registry!.host}/team/app:1`;
    const policy = join(work, 'policy.json');
    await writeFile(policy, '{"default":[{"type":"insecureAcceptAnything"}]}\n');
    await chown(policy, user.uid, user.gid);
    expect(await helperAsUser('store', env, storeInput(registry!.host, 'alice', ALICE_PW))).to.include({ code: 0, stdout: '' });
    try {
      const real: Record<string, string> = {};
      for (const tool of ['podman', 'buildah', 'skopeo'] as const) {
        const mark = registry!.logMark();
        const args = tool === 'skopeo' ? ['skopeo', 'inspect', '--raw', '--cert-dir', join(work, 'certs'), `docker://${image}`] : [tool, ...state(tool), 'pull', '--quiet', '--signature-policy', policy, '--cert-dir', join(work, 'certs'), image];
        const res = await asUser(args, env);
        expect(res.stdout + res.stderr).to.not.contain(ALICE_PW);
        if (res.code !== 0) expect(res.stderr, tool).to.include(NAMESPACE_LINE);
        real[tool] = res.code === 0 ? (registry!.acceptedUsers(mark)[0] ?? 'none') : 'error';
      }
      expect(real).to.deep.equal({ podman: 'error', buildah: 'error', skopeo: 'alice' });

      const res = await asUser([process.execPath, credkit.bin, 'explain', image, '--json'], env);
      expect(res.code, res.stderr).to.equal(0);
      const explained = (JSON.parse(res.stdout) as { clients: (ExplainedClient & { title: string; reason: string })[] }).clients;
      expect(explained.map((c) => [c.client, c.outcome, c.title])).to.deep.equal([
        ['docker', 'anonymous', 'docker CLI (pull, push, run)'],
        ['podman', 'error', 'containers/image: podman, buildah (rootless, credential helpers in their user namespace)'],
        ['skopeo', 'credential', 'containers/image: skopeo'],
      ]);
      expect(explained.find((c) => c.client === 'podman')?.reason).to.include(NAMESPACE_LINE);
      expect(client(explained, 'skopeo').credential?.username).to.equal('alice');
      const text = await asUser([process.execPath, credkit.bin, 'explain', image, '--as', 'buildah'], env);
      expect(text.stdout).to.include(`fails: rootless buildah runs docker-credential-credkit in a user namespace of its own`);
      expect(text.stdout).to.include('credkit keeps it in keyutils');

      // backend = auto with fallback = keyutils and no keychain here: auto opens keyutils, so
      // podman's pull fails as it does for keyutils, and explain says so (it said podman sent alice).
      const viaAuto = { ...env, CREDKIT_BACKEND: 'auto', CREDKIT_FALLBACK: 'keyutils', DBUS_SESSION_BUS_ADDRESS: '' };
      const pulled = await asUser(['podman', ...state('podman'), 'pull', '--quiet', '--signature-policy', policy, '--cert-dir', join(work, 'certs'), image], viaAuto);
      expect(pulled.code, pulled.stderr).to.not.equal(0);
      expect(pulled.stderr).to.include(NAMESPACE_LINE);
      const autoText = await asUser([process.execPath, credkit.bin, 'explain', image, '--as', 'podman'], viaAuto);
      expect(autoText.stdout).to.include('credkit keeps it in auto, which opens keyutils here');
      expect(autoText.stdout).to.include(`fails: rootless podman runs docker-credential-credkit in a user namespace of its own, and credkit's config sends ${registry!.host} to auto, which falls back to its keyutils backend here`);
      expect((await asUser([process.execPath, credkit.bin, 'get', image, '--as', 'podman'], viaAuto)).stderr).to.include(NAMESPACE_LINE);

      for (const tool of ['podman', 'buildah'] as const) {
        const get = await asUser([process.execPath, credkit.bin, 'get', image, '--as', tool], env);
        expect([get.code, get.stdout], tool).to.deep.equal([1, '']);
        expect(get.stderr, tool).to.include(NAMESPACE_LINE);
      }
      const get = await asUser([process.execPath, credkit.bin, 'get', image, '--as', 'skopeo'], env);
      expect(get.code, get.stderr).to.equal(0);
      const got = JSON.parse(get.stdout) as { Username: string; Secret: string };
      expect(got.Username).to.equal('alice');
      expect(got.Secret === ALICE_PW, 'credkit get --as skopeo returns the password skopeo sent').to.equal(true);
    } finally {
      await helperAsUser('erase', env, registry!.host);
    }
  });

  it('keychain: podman login stores through credkit into the user\'s own keyring, which the helper outside podman reads, and podman logout erases', async () => {
    // The user's own bus and gnome-keyring (a bus takes no other user), unlocked; every step has a
    // time limit, and the helper gives up on a keyring after 10 s, so a wedged or locked keyring
    // fails the step with the helper's reason instead of hanging the suite.
    const bus = await startPrivateBus({ secrets: true, user });
    try {
      const env = { ...(await useCredkitHelper()), CREDKIT_BACKEND: 'keychain', DBUS_SESSION_BUS_ADDRESS: bus.address };
      const listed = await helperAsUser('list', env);
      expect([listed.code, listed.stdout], 'the keyring answers the user outside podman').to.deep.equal([0, '{}\n']);
      const { res } = await login('podman', env);
      expect(res.code, res.stderr).to.equal(0);
      const got = await helperAsUser('get', env, registry!.host);
      expect(got.code, got.code === 0 ? '' : got.stdout).to.equal(0);
      expect(JSON.parse(got.stdout)).to.deep.equal({ ServerURL: registry!.host, Username: 'alice', Secret: ALICE_PW });
      const getLogin = await asUser(['podman', ...state('podman'), 'login', '--get-login', registry!.host], env);
      expect(getLogin.stdout.trim(), getLogin.stderr).to.equal('alice');
      const logout = await asUser(['podman', ...state('podman'), 'logout', registry!.host], env);
      expect(logout.code, logout.stderr).to.equal(0);
      expect(await helperAsUser('get', env, registry!.host)).to.include({ code: 1, stdout: 'credentials not found in native keychain\n' });
    } finally {
      await bus.stop();
    }
  });

  it('without XDG_RUNTIME_DIR or /run/user/UID: podman uses $TMPDIR/podman-run-UID, buildah $TMPDIR/containers-user-UID/containers, skopeo /run/containers/UID', async () => {
    const before = await explain();
    const podmanFile = join(work, 'tmp', `podman-run-${user.uid}`, 'containers', 'auth.json');
    const buildahFile = join(work, 'tmp', `containers-user-${user.uid}`, 'containers', 'containers', 'auth.json');
    expect(client(before, 'podman').files[0]?.path).to.equal(podmanFile);
    expect(client(before, 'podman').notes.some((n) => n.includes(buildahFile))).to.equal(true);

    const podman = await login('podman');
    expect(podman.res.code, podman.res.stderr).to.equal(0);
    expect(podman.used).to.equal(podmanFile);
    const buildah = await login('buildah');
    expect(buildah.res.code, buildah.res.stderr).to.equal(0);
    expect(buildah.used).to.equal(buildahFile);

    // After the login, explain finds alice where podman reads her back from.
    const after = await explain();
    expect(client(after, 'podman').outcome).to.equal('credential');
    expect(client(after, 'podman').files[0]).to.include({ path: podmanFile, status: 'matched' });
    const getLogin = await asUser(['podman', ...state('podman'), 'login', '--get-login', registry!.host]);
    expect(getLogin.stdout.trim(), getLogin.stderr).to.equal('alice');
    await expectSkopeoAgrees(client(after, 'skopeo'));
  });

  it('explain and get --as buildah follow rootless buildah to its own file: buildah pull sends the user they name (registry log)', async () => {
    const image = `${registry!.host}/team/app:1`;
    const buildahFile = join(work, 'tmp', `containers-user-${user.uid}`, 'containers', 'containers', 'auth.json');
    const before = await explain();
    expect(before.map((c) => c.client)).to.deep.equal(['docker', 'podman', 'buildah', 'skopeo']);
    expect(client(before, 'buildah').files[0]).to.include({ path: buildahFile, status: 'missing' });
    const { res, used } = await login('buildah');
    expect([res.code, used], res.stderr).to.deep.equal([0, buildahFile]);
    const after = await explain();
    expect(client(after, 'buildah').outcome).to.equal('credential');
    expect(client(after, 'buildah').files[0]).to.include({ path: buildahFile, status: 'matched' });
    // podman never reads buildah's file: its own is elsewhere, and nothing else has a credential.
    expect(client(after, 'podman').outcome).to.equal('anonymous');

    const policy = join(work, 'policy.json');
    await writeFile(policy, '{"default":[{"type":"insecureAcceptAnything"}]}\n');
    await chown(policy, user.uid, user.gid);
    const mark = registry!.logMark();
    const pull = await asUser(['buildah', ...state('buildah'), 'pull', '--quiet', '--signature-policy', policy, '--cert-dir', join(work, 'certs'), image]);
    expect(pull.code, pull.stderr).to.equal(0);
    expect(registry!.acceptedUsers(mark)).to.deep.equal(['alice']);

    const get = await asUser([process.execPath, credkit.bin, 'get', image, '--as', 'buildah']);
    expect(get.code, get.stderr).to.equal(0);
    const got = JSON.parse(get.stdout) as { Username: string; Secret: string };
    expect(got.Username).to.equal('alice');
    expect(got.Secret === ALICE_PW, 'credkit get --as buildah returns the password buildah sent').to.equal(true);
    const podmanGet = await asUser([process.execPath, credkit.bin, 'get', image, '--as', 'podman']);
    expect(podmanGet.code).to.equal(1);
  });

  it('credkit doctor names the file podman logs in to, and what skopeo meets, without failing', async () => {
    const res = await asUser([process.execPath, credkit.bin, 'doctor', '--json'], { CREDKIT_BACKEND: 'file' });
    expect(res.stderr).to.not.contain('unexpected error');
    const findings = (JSON.parse(res.stdout) as { findings: { code: string; path?: string }[] }).findings;
    const runtime = findings.find((f) => f.code === 'runtime-auth-file');
    expect(runtime?.path).to.equal(join(work, 'tmp', `podman-run-${user.uid}`, 'containers', 'auth.json'));
    // /run/containers is root's (mode 0700) where root has run podman, as the skopeo login above shows.
    const rootsRunContainers = await rootOnlyRunContainers();
    expect(findings.some((f) => f.code === 'skopeo-runtime-file-unreadable')).to.equal(rootsRunContainers);
  });

  it('credkit doctor with DOCKER_CONFIG set (a CI job) still warns that skopeo cannot read its first file, and its fix makes skopeo read past it', async () => {
    const dockerConfig = join(work, 'home', 'ci-docker');
    const env = { CREDKIT_BACKEND: 'file', DOCKER_CONFIG: dockerConfig };
    await mkdir(dockerConfig, { mode: 0o700 });
    await chown(dockerConfig, user.uid, user.gid);
    const podman = await login('podman', { DOCKER_CONFIG: dockerConfig });
    expect([podman.res.code, podman.used], podman.res.stderr).to.deep.equal([0, join(dockerConfig, 'config.json')]);
    const doctor = async (extra: Record<string, string> = {}) => {
      const res = await asUser([process.execPath, credkit.bin, 'doctor', '--json'], { ...env, ...extra });
      expect(res.stderr).to.not.contain('unexpected error');
      return (JSON.parse(res.stdout) as { findings: { code: string; what: string; fix?: string }[] }).findings.find((f) => f.code === 'skopeo-runtime-file-unreadable');
    };
    // An image that is not there: with its auth files read, skopeo gets as far as asking the registry.
    const inspect = (extra: Record<string, string> = {}) =>
      asUser(['skopeo', 'inspect', '--cert-dir', join(work, 'certs'), `docker://${registry!.host}/team/none:1`], { DOCKER_CONFIG: dockerConfig, ...extra });
    const rootsRunContainers = await rootOnlyRunContainers();
    const found = await doctor();
    expect(found !== undefined).to.equal(rootsRunContainers);
    expect((await inspect()).stderr.includes('/run/containers')).to.equal(rootsRunContainers);
    if (!rootsRunContainers) return;
    // skopeo login follows podman to $DOCKER_CONFIG/config.json, as the login above shows it can.
    expect(found?.what).to.include('skopeo inspect and copy fail with "permission denied"');
    expect(found?.fix).to.match(/^export REGISTRY_AUTH_FILE=~\/ci-docker\/config\.json \(/);
    // The fix, pasted: skopeo reads the file podman logs in to, and doctor has nothing to say.
    const fixed = { REGISTRY_AUTH_FILE: join(dockerConfig, 'config.json') };
    const after = await inspect(fixed);
    expect(after.code).to.not.equal(0);
    expect(after.stderr).to.not.contain('permission denied');
    expect(await doctor(fixed)).to.equal(undefined);
  });

  it('credkit login --authfile "" writes the file rootless podman reads back', async () => {
    const res = await asUser([process.execPath, credkit.bin, 'login', '--authfile', '', '--cert-dir', join(work, 'certs'), '--username', 'alice', '--password-stdin', registry!.host], {}, `${ALICE_PW}\n`);
    expect(res.code, res.stderr).to.equal(0);
    expect(res.stdout.includes(ALICE_PW) || res.stderr.includes(ALICE_PW)).to.equal(false);
    const getLogin = await asUser(['podman', ...state('podman'), 'login', '--get-login', registry!.host]);
    expect(getLogin.stdout.trim(), getLogin.stderr).to.equal('alice');
  });

  it('with a /run/user/UID of the user: podman takes it, buildah still does not', async () => {
    const runUser = `/run/user/${user.uid}`;
    if (await stat(runUser).then(() => true, () => false)) throw new Error(`${runUser} exists already (a session of ${USER}?); this test makes and removes it`);
    if (!(await stat('/run/user').then(() => true, () => false))) {
      await mkdir('/run/user', { mode: 0o755 });
      madeRunUser.push('/run/user');
    }
    await mkdir(runUser, { mode: 0o700 });
    madeRunUser.push(runUser);
    await chown(runUser, user.uid, user.gid);

    const explained = await explain();
    const podmanFile = join(runUser, 'containers', 'auth.json');
    expect(client(explained, 'podman').files[0]?.path).to.equal(podmanFile);
    expect((await login('podman')).used).to.equal(podmanFile);
    const buildahFile = join(work, 'tmp', `containers-user-${user.uid}`, 'containers', 'containers', 'auth.json');
    expect(client(explained, 'buildah').files[0]?.path).to.equal(buildahFile);
    expect((await login('buildah')).used).to.equal(buildahFile);
    await expectSkopeoAgrees(client(explained, 'skopeo'));
  });

  interface RuntimeDirCase {
    name: string;
    /** XDG_RUNTIME_DIR: a directory that is not there, root's (0755), the user's without write access (0500), relative, or empty. */
    dir: 'missing' | 'roots' | 'read-only' | 'relative-missing' | 'empty';
    /** What podman pull, buildah pull and skopeo inspect send (registry log): a user, 'none' or 'error'; skopeo's 'run' is its answer for an empty XDG_RUNTIME_DIR, which depends on root's /run/containers. */
    podman: string;
    buildah: string;
    skopeo: string;
    /** Whether each login succeeds, and doctor's finding about the directory. */
    logins: { podman: boolean; buildah: boolean; skopeo: boolean };
    doctor?: string;
  }
  // ~/.config/containers/auth.json holds bob; a runtime directory that is there holds alice.
  const runtimeDirCases: RuntimeDirCase[] = [
    { name: 'a directory that does not exist: all three warn, skip its auth.json and read the next file; every login fails', dir: 'missing', podman: 'bob', buildah: 'bob', skopeo: 'bob', logins: { podman: false, buildah: false, skopeo: false }, doctor: 'runtime-dir-missing' },
    { name: 'a relative path to nothing: the same', dir: 'relative-missing', podman: 'bob', buildah: 'bob', skopeo: 'bob', logins: { podman: false, buildah: false, skopeo: false }, doctor: 'runtime-dir-missing' },
    { name: 'root\'s directory: podman and buildah refuse it and fail at once; skopeo reads its auth.json (and cannot log in there)', dir: 'roots', podman: 'error', buildah: 'error', skopeo: 'alice', logins: { podman: false, buildah: false, skopeo: false }, doctor: 'runtime-dir-refused' },
    { name: 'the user\'s directory without write access: podman and buildah cannot make libpod in it and fail; skopeo reads it', dir: 'read-only', podman: 'error', buildah: 'error', skopeo: 'alice', logins: { podman: false, buildah: false, skopeo: true }, doctor: 'runtime-dir-refused' },
    { name: 'an empty XDG_RUNTIME_DIR is unset: podman and buildah pick their own directory, skopeo /run/containers/UID', dir: 'empty', podman: 'bob', buildah: 'bob', skopeo: 'run', logins: { podman: true, buildah: true, skopeo: false } },
  ];
  for (const c of runtimeDirCases) {
    it(`XDG_RUNTIME_DIR ${c.dir}: explain, get and doctor agree with podman, buildah and skopeo (registry log): ${c.name}`, async () => {
      const own = async (path: string, mode: number) => {
        await chmod(path, mode);
        await chown(path, user.uid, user.gid);
      };
      const config = join(work, 'home', '.config', 'containers');
      await mkdir(config, { recursive: true });
      await writeFile(join(config, 'auth.json'), JSON.stringify({ auths: { [registry!.host]: { auth: Buffer.from(`bob:${BOB_PW}`).toString('base64') } } }), { mode: 0o600 });
      for (const p of [join(work, 'home', '.config'), config, join(config, 'auth.json')]) await chown(p, user.uid, user.gid);
      const dir = { missing: join(work, 'nope'), roots: join(work, 'rt-root'), 'read-only': join(work, 'rt-ro'), 'relative-missing': 'nope', empty: '' }[c.dir];
      if (c.dir === 'roots' || c.dir === 'read-only') {
        await mkdir(join(dir, 'containers'), { recursive: true, mode: 0o755 });
        await registry!.writeAuthFile(join(dir, 'containers', 'auth.json'), 'alice');
        // Readable by the user either way: only podman's and buildah's own check stands in the way.
        await chmod(join(dir, 'containers', 'auth.json'), 0o644);
        if (c.dir === 'read-only') {
          for (const p of [join(dir, 'containers'), join(dir, 'containers', 'auth.json')]) await chown(p, user.uid, user.gid);
          await own(dir, 0o500);
        } else await chmod(dir, 0o755);
      }
      const env = { XDG_RUNTIME_DIR: dir };
      const image = `${registry!.host}/team/app:1`;
      const policy = join(work, 'policy.json');
      await writeFile(policy, '{"default":[{"type":"insecureAcceptAnything"}]}\n');
      await chown(policy, user.uid, user.gid);
      const sent = async (tool: 'podman' | 'buildah' | 'skopeo'): Promise<string> => {
        const mark = registry!.logMark();
        const args = tool === 'skopeo' ? ['skopeo', 'inspect', '--raw', '--cert-dir', join(work, 'certs'), `docker://${image}`] : [tool, ...state(tool), 'pull', '--quiet', '--signature-policy', policy, '--cert-dir', join(work, 'certs'), image];
        const res = await asUser(args, env);
        expect(registry!.rejectedUsers(mark), 'a test password is wrong').to.deep.equal([]);
        if (res.code !== 0) {
          expect(registry!.authEvents(mark), `${tool} failed after talking to the registry: ${res.stderr}`).to.deep.equal([]);
          return 'error';
        }
        return registry!.acceptedUsers(mark)[0] ?? 'none';
      };
      const explained = async (tool: 'podman' | 'buildah' | 'skopeo'): Promise<string> => {
        const res = await asUser([process.execPath, credkit.bin, 'explain', image, '--json', '--as', tool], env);
        expect(res.code, res.stderr).to.equal(0);
        const x = (JSON.parse(res.stdout) as { clients: ExplainedClient[] }).clients[0]!;
        return x.outcome === 'credential' ? (x.credential?.username ?? '') : x.outcome === 'anonymous' ? 'none' : x.outcome;
      };
      const skopeo = c.skopeo === 'run' ? ((await rootOnlyRunContainers()) ? 'error' : 'bob') : c.skopeo;
      const real = { podman: await sent('podman'), buildah: await sent('buildah'), skopeo: await sent('skopeo') };
      const said = { podman: await explained('podman'), buildah: await explained('buildah'), skopeo: await explained('skopeo') };
      const want = { podman: c.podman, buildah: c.buildah, skopeo };
      expect({ real, said }).to.deep.equal({ real: want, said: want });
      for (const tool of ['podman', 'buildah', 'skopeo'] as const) {
        const get = await asUser([process.execPath, credkit.bin, 'get', image, '--as', tool], env);
        if (want[tool] === 'error' || want[tool] === 'none') {
          expect(get.code, `credkit get --as ${tool}`).to.equal(1);
          continue;
        }
        expect(get.code, get.stderr).to.equal(0);
        const got = JSON.parse(get.stdout) as { Username: string; Secret: string };
        expect(got.Username).to.equal(want[tool]);
        expect(got.Secret === { alice: ALICE_PW, bob: BOB_PW }[want[tool]], `credkit get --as ${tool} returns the password ${tool} sent`).to.equal(true);
      }
      const logins = { podman: (await login('podman', env)).res.code === 0, buildah: (await login('buildah', env)).res.code === 0, skopeo: (await login('skopeo', env)).res.code === 0 };
      expect(logins).to.deep.equal(c.logins);
      const doctor = await asUser([process.execPath, credkit.bin, 'doctor', '--json'], { ...env, CREDKIT_BACKEND: 'file' });
      expect(doctor.stderr).to.not.contain('unexpected error');
      const found = (JSON.parse(doctor.stdout) as { findings: { code: string; what: string }[] }).findings.filter((f) => f.code.startsWith('runtime-dir-'));
      expect(found.map((f) => f.code)).to.deep.equal(c.doctor ? [c.doctor] : []);
      // It named podman alone, though buildah and skopeo skip the file and fail to log in too (above).
      if (c.doctor === 'runtime-dir-missing') expect(found[0]?.what).to.include('podman, buildah and skopeo warn, skip').and.include('podman login, buildah login and skopeo login fail');
      // podman and buildah failing at every command, doctor compared them with docker all the same
      // (podman-only: alice, from the runtime file they never reach): now it says once that it does not.
      const agreement = (JSON.parse(doctor.stdout) as { findings: { code: string; area: string }[] }).findings.filter((f) => f.area === 'agreement').map((f) => f.code);
      if (c.doctor === 'runtime-dir-refused') {
        expect(agreement).to.deep.equal(['agreement-skipped']);
        // skopeo's comparison still runs (with DOCKER_CONFIG set): it reads alice from the runtime
        // file, where docker sends bob, and podman and buildah send nothing.
        const dockerConfig = join(work, 'home', 'ci-docker');
        await mkdir(dockerConfig, { mode: 0o700 });
        await writeFile(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [registry!.host]: { auth: Buffer.from(`bob:${BOB_PW}`).toString('base64') } } }), { mode: 0o600 });
        for (const p of [dockerConfig, join(dockerConfig, 'config.json')]) await chown(p, user.uid, user.gid);
        const withDockerConfig = await asUser([process.execPath, credkit.bin, 'doctor', '--json'], { ...env, CREDKIT_BACKEND: 'file', DOCKER_CONFIG: dockerConfig });
        const findings = (JSON.parse(withDockerConfig.stdout) as { findings: { code: string; area: string; what: string }[] }).findings.filter((f) => f.area === 'agreement');
        expect(findings.map((f) => f.code)).to.deep.equal(['agreement-skipped', 'skopeo-different-username']);
        expect(findings[1]?.what).to.include('skopeo inspect and copy log in as "alice"').and.include('docker as "bob"').and.include('podman and buildah fail at every command here');
      } else expect(agreement).to.not.include('agreement-skipped');
      if (c.dir === 'read-only') await chmod(dir, 0o700);
    });
  }

  it('with XDG_RUNTIME_DIR set, all three use it and explain shows one containers/image lookup', async () => {
    const xdg = join(work, 'xdg');
    await mkdir(xdg, { mode: 0o700 });
    await chown(xdg, user.uid, user.gid);
    const explained = await explain({ XDG_RUNTIME_DIR: xdg });
    expect(explained.map((c) => c.client)).to.deep.equal(['docker', 'podman']);
    const file = join(xdg, 'containers', 'auth.json');
    expect(client(explained, 'podman').files[0]?.path).to.equal(file);
    for (const tool of ['podman', 'buildah', 'skopeo'] as const) {
      const { res, used } = await login(tool, { XDG_RUNTIME_DIR: xdg });
      expect(res.code, res.stderr).to.equal(0);
      expect(used, tool).to.equal(file);
    }
  });
});
