import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDoctor } from '../../../src/doctor/doctor.js';
import { compareSkopeo, dockerView, podmanView, skopeoScopeViews, skopeoView } from '../../../src/doctor/agreement.js';
import { loadAuthFiles } from '../../../src/doctor/auth-files.js';
import { summariseLints } from '../../../src/doctor/file-checks.js';
import { pickAuto } from '../../../src/doctor/store-checks.js';
import type { DoctorProbes, FileFacts, HelperListing } from '../../../src/doctor/probes.js';
import type { DoctorFinding, DoctorReport } from '../../../src/doctor/report.js';
import { displayPath, doctorExitCode, formatFinding } from '../../../src/doctor/report.js';
import type { Host } from '../../../src/io.js';

const HOME = '/home/u';
const auth = (user: string, pw: string) => ({ auth: Buffer.from(`${user}:${pw}`).toString('base64') });

interface FakeFile { text?: string; mode?: number; uid?: number; dir?: boolean }
interface FakeMachine {
  files?: Record<string, FakeFile | object>;
  backends?: Record<string, string | undefined>;
  /** Helpers on PATH: name → listing (undefined: found, never called). */
  helpers?: Record<string, HelperListing | undefined>;
  procVersion?: string;
  uid?: number;
  ownHelper?: boolean;
}

function isFakeFile(v: unknown): v is FakeFile {
  return typeof v === 'object' && v !== null && ('text' in v || 'mode' in v || 'dir' in v || 'uid' in v);
}

/** An in-memory machine: JSON objects become auth files with mode 0600 owned by uid 1000. */
function probes(m: FakeMachine): DoctorProbes & { calls: string[] } {
  const files = new Map<string, FakeFile>();
  for (const [path, v] of Object.entries(m.files ?? {})) files.set(path, isFakeFile(v) ? v : { text: JSON.stringify(v) });
  const calls: string[] = [];
  const backends = { keychain: 'no D-Bus session bus', keyutils: undefined, pass: 'not initialised', file: undefined, env: undefined, ...m.backends };
  return {
    calls,
    uid: m.uid ?? 1000,
    readSystemFile: async (p) => (p === '/proc/version' ? m.procVersion : undefined),
    readAuthFile: async (p) => files.get(p)?.text,
    statPath: async (p): Promise<FileFacts | undefined> => {
      const f = files.get(p);
      if (f) return { isFile: !f.dir, mode: f.mode ?? 0o600, uid: f.uid ?? 1000 };
      // Directories that hold a file exist.
      for (const k of files.keys()) if (k.startsWith(`${p}/`)) return { isFile: false, mode: 0o700, uid: 1000 };
      return undefined;
    },
    checkBackend: async (name) => (name in backends ? backends[name as keyof typeof backends] : `unknown ${name}`),
    findHelper: (name) =>
      m.helpers && name in m.helpers
        ? { found: true, path: `/usr/bin/docker-credential-${name}` }
        : { found: false, reason: 'not-on-path', message: `credential helper docker-credential-${name} is not on PATH` },
    listHelper: async (name) => {
      calls.push(name);
      return m.helpers?.[name] ?? { ok: true, entries: new Map() };
    },
    isOwnHelper: async () => m.ownHelper ?? true,
  };
}

function host(env: Record<string, string> = {}): Host {
  // CREDKIT_CONFIG names an empty file: the defaults apply, whatever this machine's config says.
  return { env: { CREDKIT_CONFIG: '/dev/null', XDG_RUNTIME_DIR: '/run/user/1000', ...env }, home: HOME, platform: 'linux', cwd: HOME };
}

async function doctor(m: FakeMachine, env: Record<string, string> = {}, callHelpers = true): Promise<DoctorReport> {
  return runDoctor(host(env), probes(m), { callHelpers });
}

function only(report: DoctorReport, code: string): DoctorFinding {
  const found = report.findings.filter((f) => f.code === code);
  expect(found.map((f) => f.what), `findings with code ${code}`).to.have.length(1);
  return found[0] as DoctorFinding;
}

const none = (report: DoctorReport, code: string) => expect(report.findings.map((f) => f.code)).not.to.include(code);

describe('doctor: stores', () => {
  it('auto picks the keychain, else a usable fallback, else nothing', () => {
    expect(pickAuto(undefined, undefined, undefined).backend).to.equal('keychain');
    expect(pickAuto('no bus', 'file', undefined).backend).to.equal('file');
    expect(pickAuto('no bus', 'pass', 'not initialised')).to.include({ backend: null });
    expect(pickAuto('no bus', undefined, undefined).backend).to.equal(null);
    expect(pickAuto('no bus', 'auto', undefined).backend).to.equal(null);
  });

  it('auto with no keychain and no fallback is an error that names the reason and the fix', async () => {
    const r = await doctor({});
    const f = only(r, 'auto-backend');
    expect(f.level).to.equal('error');
    expect(f.what).to.include('no D-Bus session bus');
    expect(f.fix).to.include('fallback = file');
    expect(r.autoBackend).to.equal(null);
    expect(doctorExitCode(r)).to.equal(1);
  });

  it('auto with a usable fallback is fine', async () => {
    const r = await doctor({}, { CREDKIT_FALLBACK: 'file' });
    expect(only(r, 'auto-backend')).to.include({ level: 'ok' });
    expect(r.autoBackend).to.equal('file');
  });

  it('a configured backend that is blocked (keyutils in a container) is an error; unused ones are info', async () => {
    const r = await doctor({ backends: { keyutils: 'kernel keyring: Operation not permitted' } }, { CREDKIT_BACKEND: 'keyutils' });
    const f = only(r, 'configured-backend');
    expect(f.level).to.equal('error');
    expect(f.what).to.match(/keyutils \(from CREDKIT_BACKEND\).*Operation not permitted/);
    expect(f.fix).to.include('seccomp');
    const unused = r.findings.filter((x) => x.code === 'backend-unusable');
    expect(unused.map((x) => x.level)).to.deep.equal(['info', 'info']); // keychain, pass
    expect(only(r, 'auto-backend').level).to.equal('info');
  });

  it('helper:NAME as the backend is checked too', async () => {
    const r = await doctor({ backends: { 'helper:gone': 'credential helper docker-credential-gone is not on PATH' } }, { CREDKIT_BACKEND: 'helper:gone', CREDKIT_FALLBACK: 'file' });
    expect(only(r, 'configured-backend')).to.include({ level: 'error' });
  });

  it('docker-credential-credkit: this installation, another one, or not on PATH', async () => {
    expect(only(await doctor({ helpers: { credkit: undefined } }), 'own-helper').level).to.equal('ok');
    expect(only(await doctor({ helpers: { credkit: undefined }, ownHelper: false }), 'own-helper').level).to.equal('warn');
    expect(only(await doctor({}), 'own-helper').level).to.equal('info');
  });
});

describe('doctor: keyutils behind podman\'s credHelpers', () => {
  // A podman (or buildah) on PATH, as the check asks for one: rootless, they run the helper in a
  // user namespace where credkit refuses the kernel keyring (src/stores/podman-namespace.ts).
  let dir = '';
  let path = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credkit-doctor-podman-'));
    await writeFile(join(dir, 'podman'), '#!/bin/sh\n', { mode: 0o755 });
    path = dir;
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const podmanFile = `${HOME}/.config/containers/auth.json`;
  const withHelpers = (credHelpers: Record<string, string>) => ({ files: { [podmanFile]: { auths: {}, credHelpers } }, helpers: { credkit: undefined } });
  const config = async (text: string) => {
    const file = join(dir, `config-${Math.random().toString(36).slice(2)}.ini`);
    await writeFile(file, text);
    return file;
  };

  it('warns where podman\'s credHelpers send a registry to credkit and credkit keeps it in keyutils, naming the registry, the file and the fix', async () => {
    const r = await doctor(withHelpers({ 'quay.io': 'credkit', 'ghcr.io': 'pass' }), { CREDKIT_BACKEND: 'keyutils', PATH: path });
    const f = only(r, 'podman-keyutils');
    expect(f.level).to.equal('warn');
    expect(f.what).to.include('podman reads "quay.io" from credkit (credHelpers in ~/.config/containers/auth.json)');
    expect(f.what).to.include('rootless podman and buildah cannot use');
    expect(f.what).to.not.include('ghcr.io');
    expect(f.fix).to.include('[routes] in credkit\'s config.ini (quay.io = pass)');
    expect(f.fix).to.match(/; to move out logins kept in podman's keyring before, run podman unshare credkit copy --from keyutils --to pass --move$/);
  });

  it('follows [routes] and auto: a registry routed elsewhere is fine, one routed to keyutils (or auto falling back to it) is not', async () => {
    const routedAway = await config('backend = keyutils\n[routes]\nquay.io = pass\n');
    none(await doctor(withHelpers({ 'quay.io': 'credkit' }), { CREDKIT_CONFIG: routedAway, PATH: path }), 'podman-keyutils');
    const routedHere = await config('backend = file\n[routes]\n*.example.com = keyutils\n');
    const r = await doctor(withHelpers({ 'quay.io': 'credkit', 'reg.example.com': 'credkit' }), { CREDKIT_CONFIG: routedHere, PATH: path });
    expect(only(r, 'podman-keyutils').what).to.include('podman reads "reg.example.com" from credkit');
    expect(only(r, 'podman-keyutils').what).to.not.include('quay.io');
    const auto = await doctor(withHelpers({ 'quay.io': 'credkit' }), { CREDKIT_FALLBACK: 'keyutils', PATH: path });
    expect(auto.autoBackend, JSON.stringify(auto.findings.map((x) => x.code))).to.equal('keyutils');
    expect(only(auto, 'podman-keyutils').what).to.include('"quay.io"');
  });

  it('nothing for root, without podman or buildah on PATH, for docker\'s credsStore (podman ignores it), or for a keyutils nobody routes podman to', async () => {
    none(await doctor({ ...withHelpers({ 'quay.io': 'credkit' }), uid: 0 }, { CREDKIT_BACKEND: 'keyutils', PATH: path }), 'podman-keyutils');
    none(await doctor(withHelpers({ 'quay.io': 'credkit' }), { CREDKIT_BACKEND: 'keyutils', PATH: join(dir, 'none') }), 'podman-keyutils');
    none(await doctor({ files: { [`${HOME}/.docker/config.json`]: { auths: {}, credsStore: 'credkit' } }, helpers: { credkit: undefined } }, { CREDKIT_BACKEND: 'keyutils', PATH: path }), 'podman-keyutils');
    none(await doctor(withHelpers({ 'quay.io': 'credkit' }), { CREDKIT_BACKEND: 'file', PATH: path }), 'podman-keyutils');
  });
});

describe('doctor: helpers', () => {
  const dockerConfig = `${HOME}/.docker/config.json`;

  it('a helper named in config.json but not on PATH is an error naming where it is configured', async () => {
    const r = await doctor({ files: { [dockerConfig]: { auths: {}, credHelpers: { 'quay.io': 'gone' } } } });
    const f = only(r, 'helper-missing');
    expect(f.level).to.equal('error');
    expect(f.what).to.include('docker-credential-gone (credHelpers["quay.io"] in ~/.docker/config.json)');
    expect(f.fix).to.include('remove "gone"');
  });

  it('podman auth.json credHelpers count; docker credsStore in a podman-only file does not', async () => {
    const r = await doctor({
      files: {
        [`${HOME}/.config/containers/auth.json`]: { auths: {}, credHelpers: { 'ghcr.io': 'ghcr' }, credsStore: 'ignored' },
      },
    });
    expect(only(r, 'helper-missing').what).to.include('docker-credential-ghcr');
    expect(r.findings.some((f) => f.what.includes('docker-credential-ignored'))).to.equal(false);
  });

  it('a missing helper: says what fails, for the clients that run it (credsStore: docker alone; credHelpers: every reader of the file)', async () => {
    const DOCKER = 'docker pulls those registries without credentials and fails with errors that do not mention the helper ("pull access denied", "no basic auth credentials"), and docker login fails';
    const PODMAN = 'podman, skopeo and buildah fail for them ("error getting credentials")';
    const store = only(await doctor({ files: { [dockerConfig]: { auths: {}, credsStore: 'desktop' } } }), 'helper-missing');
    expect(store.what).to.equal(`docker-credential-desktop (credsStore in ~/.docker/config.json) is not on PATH: ${DOCKER}`);
    const both = only(await doctor({ files: { [dockerConfig]: { auths: {}, credHelpers: { 'quay.io': 'gone' } } } }), 'helper-missing');
    expect(both.what).to.equal(`docker-credential-gone (credHelpers["quay.io"] in ~/.docker/config.json) is not on PATH: ${DOCKER}; ${PODMAN}`);
    const podman = only(await doctor({ files: { [`${HOME}/.config/containers/auth.json`]: { auths: {}, credHelpers: { 'ghcr.io': 'ghcr' } } } }), 'helper-missing');
    expect(podman.what).to.equal(`docker-credential-ghcr (credHelpers["ghcr.io"] in ~/.config/containers/auth.json) is not on PATH: ${PODMAN}`);
  });

  it('desktop.exe under WSL (found through /proc/version): the WSL integration fix', async () => {
    const r = await doctor({ procVersion: 'Linux version 5.15.153.1-microsoft-standard-WSL2', files: { [dockerConfig]: { auths: {}, credsStore: 'desktop.exe' } } });
    expect(r.wsl).to.equal(true);
    const f = only(r, 'helper-wsl-exe-missing');
    expect(f.level).to.equal('error');
    expect(f.fix).to.include('WSL integration');
  });

  it('desktop.exe under WSL with a Linux docker-credential-desktop installed: use that', async () => {
    const r = await doctor({ helpers: { desktop: undefined }, files: { [dockerConfig]: { auths: {}, credsStore: 'desktop.exe' } } }, { WSL_DISTRO_NAME: 'Ubuntu' });
    expect(only(r, 'helper-wsl-exe-missing').fix).to.include('change "desktop.exe" to "desktop"');
  });

  it('desktop under WSL where only desktop.exe exists: use desktop.exe', async () => {
    const r = await doctor({ helpers: { 'desktop.exe': undefined }, files: { [dockerConfig]: { auths: {}, credsStore: 'desktop' } } }, { WSL_DISTRO_NAME: 'Ubuntu' });
    expect(only(r, 'helper-missing').fix).to.include('change "desktop" to "desktop.exe"');
  });

  it('a .exe helper on plain Linux cannot run at all', async () => {
    const r = await doctor({ procVersion: 'Linux version 6.1.0-debian', files: { [dockerConfig]: { auths: {}, credsStore: 'wincred.exe' } } });
    expect(r.wsl).to.equal(false);
    expect(only(r, 'helper-windows-only').level).to.equal('error');
  });

  it('a helper that hangs on list is an error; one that fails list is a warning; one that answers is ok', async () => {
    const files = { [dockerConfig]: { auths: {}, credHelpers: { 'a.example': 'hangs', 'b.example': 'fails', 'c.example': 'fine' } } };
    const r = await doctor({
      files,
      helpers: {
        hangs: { ok: false, reason: 'timeout', message: 'docker-credential-hangs list did not finish within 5 s and was stopped' },
        fails: { ok: false, reason: 'failed', message: 'docker-credential-fails list failed (exit status 1): not implemented' },
        fine: { ok: true, entries: new Map([['c.example', 'carol']]) },
      },
    });
    expect(only(r, 'helper-hangs').level).to.equal('error');
    expect(only(r, 'helper-list-failed').level).to.equal('warn');
    expect(only(r, 'helper-answers').what).to.include('(1 entry)');
  });

  it('--no-call-helpers only looks on PATH', async () => {
    const p = probes({ helpers: { fine: undefined }, files: { [dockerConfig]: { auths: {}, credsStore: 'fine' } } });
    const r = await runDoctor(host(), p, { callHelpers: false });
    expect(p.calls).to.deep.equal([]);
    expect(only(r, 'helper-on-path').level).to.equal('ok');
  });
});

describe('doctor: auth files', () => {
  const dockerConfig = `${HOME}/.docker/config.json`;

  it('group- or world-readable files are errors; the fix is chmod 600', async () => {
    const r = await doctor({ files: { [dockerConfig]: { text: '{"auths":{"quay.io":{"auth":"YWxpY2U6ZmFrZS1wdw=="}}}', mode: 0o640 }, [`${HOME}/.dockercfg`]: { text: '{"quay.io":{"auth":"YWxpY2U6ZmFrZS1wdw=="}}', mode: 0o604 } } });
    const modes = r.findings.filter((f) => f.code === 'file-mode');
    expect(modes.map((f) => [f.level, f.fix])).to.deep.equal([
      ['error', 'chmod 600 ~/.docker/config.json'],
      ['error', 'chmod 600 ~/.dockercfg'],
    ]);
    expect(modes[0]?.what).to.include('its group');
    expect(modes[1]?.what).to.include('every user');
  });

  it('a readable file that holds no secret (credHelpers, credsStore, {} markers) is info, as credkit check notes it; one others may change stays an error', async () => {
    const text = '{"auths":{"quay.io":{}},"credsStore":"pass","credHelpers":{"ghcr.io":"pass"}}';
    let r = await doctor({ files: { [dockerConfig]: { text, mode: 0o644 } } });
    expect(only(r, 'file-mode').level).to.equal('info');
    expect(only(r, 'file-mode').what).to.include('holds no secret');
    expect(r.findings.filter((f) => f.area === 'files' && f.level === 'error')).to.deep.equal([]);
    r = await doctor({ files: { [dockerConfig]: { text, mode: 0o646 } } });
    expect(only(r, 'file-mode').level).to.equal('error');
  });

  it('a root-owned file in HOME (sudo docker login) is an error with the chown fix', async () => {
    const r = await doctor({ files: { [dockerConfig]: { text: '{"auths":{}}', uid: 0 } } });
    const f = only(r, 'file-owner');
    expect(f.what).to.include('owned by root');
    expect(f.fix).to.equal('sudo chown "$(id -u):$(id -g)" ~/.docker/config.json');
  });

  it("summarises credkit check's lints: real problems keep their level, helper-backed files are info", async () => {
    const r = await doctor({ files: { [dockerConfig]: { auths: { 'quay.io': { auth: 'YWxpY2U6ZmFrZS1wdw' } } } } });
    const f = only(r, 'content-lints');
    expect(f.level).to.equal('error');
    expect(f.what).to.include('auth-unpadded');
    expect(f.fix).to.equal('credkit check ~/.docker/config.json (each finding says how to fix it)');
    const info = summariseLints([{ severity: 'error', code: 'stub-in-helper', file: 'x', message: 'm', fix: 'f' }], 'x', 'x');
    expect(info?.level).to.equal('info');
    expect(info?.what).to.include('keeps secrets in credential helpers');
  });

  it('a file whose only portability lint is an identity token is not said to keep its secrets in helpers', async () => {
    const r = await doctor({ files: { [dockerConfig]: { auths: { 'quay.io': { auth: 'Ym90Og==', identitytoken: 'fake-token' } } } } });
    const f = only(r, 'helper-backed');
    expect(f.level).to.equal('info');
    expect(f.what).to.include('holds identity tokens, which kubelet ignores');
    expect(f.what).not.to.include('credential helpers');
    expect(f.what).not.to.include('copies no credentials');
    expect(f.fix).not.to.include('--materialize');
    expect(f.what.includes('fake-token')).to.equal(false);
  });

  it('REGISTRY_AUTH_FILE naming a missing file is a warning (podman pull fails there); DOCKER_CONFIG without config.json is a warning for docker', async () => {
    const r = await doctor({}, { REGISTRY_AUTH_FILE: '/srv/ci/auth.json', DOCKER_CONFIG: '/srv/ci/docker' });
    const named = only(r, 'registry-auth-file-missing');
    expect(named.level).to.equal('warn');
    expect(named.what).not.to.include('read no other file');
    const docker = only(r, 'docker-config-missing');
    expect(docker.level).to.equal('warn');
    expect(docker.what).to.include('docker sees no credentials');
    expect(docker.what).not.to.include('podman reads only');
    // REGISTRY_AUTH_FILE, not DOCKER_CONFIG, is podman's first file here: it only skips the missing one.
    expect(docker.what).to.include('podman skips it, as REGISTRY_AUTH_FILE names its first file');
    none(r, 'runtime-auth-file');
  });

  it('DOCKER_CONFIG without config.json and no REGISTRY_AUTH_FILE: podman pull and buildah pull fail, as they take it as their --authfile (podman 4.3.1, buildah 1.28.2)', async () => {
    // A directory without config.json (another file in it), and no directory at all.
    for (const dir of ['/srv/ci/docker', '/srv/ci/docker-nope']) {
      const files: Record<string, object> = dir === '/srv/ci/docker' ? { '/srv/ci/docker/other.json': {} } : {};
      const docker = only(await doctor({ files }, { DOCKER_CONFIG: dir }), 'docker-config-missing');
      expect(docker.what, dir).to.include(`docker sees no credentials, and podman pull and buildah pull fail ("stat ${dir}/config.json: no such file or directory"), as they take it as their --authfile; skopeo inspect uses its other auth files`);
      expect(docker.what).not.to.include('podman skips');
    }
  });

  it("podman's default auth.json under XDG_RUNTIME_DIR is an info: lost on reboot", async () => {
    const r = await doctor({ files: { '/run/user/1000/containers/auth.json': { auths: {} } } });
    const f = only(r, 'runtime-auth-file');
    expect(f.level).to.equal('info');
    expect(f.what).to.include('/run/user/1000/containers/auth.json (it exists)');
    expect(f.fix).to.include('REGISTRY_AUTH_FILE=~/.config/containers/auth.json');
  });

  it('the fix that points REGISTRY_AUTH_FILE at ~/.config/containers/auth.json has it made first when it is missing, as podman pull fails on a missing one (podman 4.3)', async () => {
    const fixWith = async (files: Record<string, object>) => only(await doctor({ files: { '/run/user/1000/containers/auth.json': { auths: {} }, ...files } }), 'runtime-auth-file').fix ?? '';
    expect(await fixWith({})).to.equal('to keep them, podman login --authfile ~/.config/containers/auth.json REGISTRY (podman pull fails while REGISTRY_AUTH_FILE names a file that is not there), then export REGISTRY_AUTH_FILE=~/.config/containers/auth.json');
    expect(await fixWith({ [`${HOME}/.config/containers/auth.json`]: { auths: {} } })).to.equal('to keep them, export REGISTRY_AUTH_FILE=~/.config/containers/auth.json');
  });

  it("podman's files are explain's: REGISTRY_AUTH_FILE and DOCKER_CONFIG each replace one file, the rest are still read", async () => {
    const readers = async (env: Record<string, string>) => {
      const r = await doctor({ files: { [`${HOME}/.docker/config.json`]: { auths: {} } } }, env);
      return r.findings.filter((f) => f.code === 'file-ok').map((f) => f.what.replace(/: mode.*/, ''));
    };
    expect(await readers({ REGISTRY_AUTH_FILE: '/a.json' })).to.deep.equal(['~/.docker/config.json (read by podman and docker)']);
    // With DOCKER_CONFIG set, ~/.docker/config.json is nobody's file any more.
    const r = await doctor({ files: { [`${HOME}/.docker/config.json`]: { auths: {} }, '/d/config.json': { auths: {} } } }, { DOCKER_CONFIG: '/d' });
    expect(r.findings.filter((f) => f.code === 'file-ok').map((f) => f.what.replace(/: mode.*/, ''))).to.deep.equal(['/d/config.json (read by podman and docker)']);
  });
});

describe('doctor: docker and podman agreement', () => {
  const dockerConfig = `${HOME}/.docker/config.json`;
  const podmanAuth = `${HOME}/.config/containers/auth.json`;

  it('the same registry with different usernames is a warning naming both', async () => {
    const r = await doctor({ files: { [dockerConfig]: { auths: { 'quay.io': auth('alice', 'fake-pw-1') } }, [podmanAuth]: { auths: { 'quay.io': auth('bob', 'fake-pw-2') } } } });
    const f = only(r, 'different-username');
    expect(f.what).to.match(/docker logs in as "alice".*podman as "bob"/);
    expect((JSON.stringify(r)).includes('fake-pw'), 'a secret in the output (not printed)').to.equal(false);
  });

  it('a scoped key podman uses below its path, with another user than docker, is a warning although the registry agrees (podman 4.3: login --get-login quay.io/org/app names the scoped user)', async () => {
    const r = await doctor({ files: { [dockerConfig]: { auths: { 'quay.io': auth('alice', 'fake-pw-1') } }, [podmanAuth]: { auths: { 'quay.io/org': auth('robot', 'fake-pw-2'), 'quay.io': auth('alice', 'fake-pw-1') } } } });
    const f = only(r, 'different-username');
    expect(f.what).to.equal('images under quay.io/org: docker logs in as "alice" (key "quay.io" in ~/.docker/config.json; docker keeps one credential for all of quay.io), podman as "robot" (key "quay.io/org" in ~/.config/containers/auth.json)');
    expect(f.fix).to.match(/^if the scoped login is stale, remove it, so that podman uses its credential for the registry: credkit logout quay.io\/org --authfile ~\/\.config\/containers\/auth\.json; /);
    none(r, 'agree');
    // The same user below the path: nothing to say, and the registry agrees.
    const same = await doctor({ files: { [dockerConfig]: { auths: { 'quay.io': auth('alice', 'fake-pw-1') } }, [podmanAuth]: { auths: { 'quay.io/org': auth('alice', 'fake-pw-2') } } } });
    none(same, 'different-username');
    expect(only(same, 'agree').what).to.include('the 1 registry');
    expect(JSON.stringify(r).includes('fake-pw'), 'a secret in the output (not printed)').to.equal(false);
  });

  describe('DOCKER_AUTH_CONFIG (docker 28.3 and later)', () => {
    const variable = (auths: unknown) => ({ DOCKER_AUTH_CONFIG: JSON.stringify({ auths }) });

    it('a credential only there is a warning: podman never reads the variable', async () => {
      const r = await doctor({ files: { [dockerConfig]: { auths: { 'quay.io': auth('filer', 'fake-pw-1') } } } }, variable({ 'ghcr.io': auth('ci', 'fake-env-pw'), 'https://index.docker.io/v1/': auth('ci', 'fake-env-pw') }));
      const found = r.findings.filter((f) => f.code === 'docker-auth-config-only').map((f) => f.what);
      expect(found).to.have.length(2);
      expect(found.join('\n')).to.match(/^Docker Hub: docker 28\.3 and later take the credential from DOCKER_AUTH_CONFIG \(user "ci"\), which podman never reads/m);
      expect(found.join('\n')).to.match(/^ghcr\.io: docker 28\.3/m);
      // quay.io is in the file both tools read, and the variable has none for it.
      none(r, 'docker-only');
      expect(JSON.stringify(r).includes('fake-'), 'a secret in the output (not printed)').to.equal(false);
    });

    it('the variable beating a file both read is a username disagreement, its fix naming the variable', async () => {
      const r = await doctor({ files: { [dockerConfig]: { auths: { 'quay.io': auth('filer', 'fake-pw-1') } } } }, variable({ 'quay.io': auth('ci', 'fake-env-pw') }));
      const f = only(r, 'different-username');
      expect(f.what).to.include('docker logs in as "ci" (DOCKER_AUTH_CONFIG, key "quay.io"), podman as "filer"');
      expect(f.fix).to.equal('change the credential for "quay.io" in DOCKER_AUTH_CONFIG, or podman login quay.io with the account docker uses');
    });

    it('a value docker refuses, or a key it never asks for, is a warning that quotes none of the value', async () => {
      const invalid = await doctor({}, { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'quay.io': auth('ci', 'fake-env-pw') }, credsStore: 'pass' }) });
      expect(only(invalid, 'docker-auth-config-invalid').what).to.match(/ignore all of it, .*: unknown field "credsStore"/);
      none(invalid, 'docker-auth-config-only');
      const unused = await doctor({}, variable({ 'docker.io': auth('ci', 'fake-env-pw'), 'https://quay.io': auth('ci', 'fake-env-pw'), 'ghcr.io': auth('ci', 'fake-env-pw') }));
      expect(only(unused, 'docker-auth-config-key').what).to.include('keys docker never asks for: "docker.io", "https://quay.io"');
      expect(JSON.stringify([invalid, unused]).includes('fake-'), 'a secret in the output (not printed)').to.equal(false);
    });
  });

  it("usernames behind a helper come from the helper's list", async () => {
    const r = await doctor({
      helpers: { store: { ok: true, entries: new Map([['Registry credentials for quay.io', 'alice']]) } },
      files: { [dockerConfig]: { auths: { 'quay.io': {} }, credHelpers: { 'quay.io': 'store' } }, [podmanAuth]: { auths: { 'quay.io': auth('bob', 'fake-pw') } } },
    });
    expect(only(r, 'different-username').what).to.include('"alice"');
  });

  it('docker credsStore stubs: podman pulls anonymously; the fix points podman at the same helper when it holds the key podman asks', async () => {
    const listed = new Map([['https://index.docker.io/v1/', 'alice'], ['docker.io', 'alice'], ['ghcr.io', 'alice']]);
    const r = await doctor({ helpers: { desktop: { ok: true, entries: listed } }, files: { [dockerConfig]: { auths: { 'https://index.docker.io/v1/': {}, 'ghcr.io': {} }, credsStore: 'desktop' } } });
    const f = r.findings.filter((x) => x.code === 'creds-store-ignored');
    expect(f.map((x) => x.level)).to.deep.equal(['warn', 'warn']);
    expect(f[0]?.fix).to.include('"credHelpers": {"docker.io": "desktop"} to ~/.config/containers/auth.json');
    expect(f[1]?.what).to.include('podman pulls from ghcr.io anonymously');
    expect(f[1]?.fix).to.include('"credHelpers": {"ghcr.io": "desktop"}');
  });

  it('Hub under docker\'s key only: pointing podman at the helper would not help (it asks for "docker.io"), so the fix is podman login', async () => {
    const listed = new Map([['https://index.docker.io/v1/', 'alice']]);
    const stubs = await doctor({ helpers: { desktop: { ok: true, entries: listed } }, files: { [dockerConfig]: { auths: { 'https://index.docker.io/v1/': {} }, credsStore: 'desktop' } } });
    const f = only(stubs, 'creds-store-ignored');
    expect(f.fix).to.equal('podman login docker.io (a helper is asked for the exact key: podman would ask helper "desktop" for "docker.io", and it holds Docker Hub only as "https://index.docker.io/v1/")');
    const routed = await doctor({ helpers: { pass: { ok: true, entries: listed } }, files: { [dockerConfig]: { auths: {}, credHelpers: { 'https://index.docker.io/v1/': 'pass' } } } });
    expect(only(routed, 'hub-docker-only').fix).to.match(/^podman login docker\.io \(a helper is asked for the exact key: podman would ask helper "pass" for "docker\.io"/);
    // Not listed (--no-call-helpers): doctor cannot tell, and keeps the credHelpers suggestion.
    const unlisted = await doctor({ helpers: { pass: undefined }, files: { [dockerConfig]: { auths: {}, credHelpers: { 'https://index.docker.io/v1/': 'pass' } } } }, {}, false);
    expect(only(unlisted, 'hub-docker-only').fix).to.include('"credHelpers": {"docker.io": "pass"}');
  });

  it("a helper answers only for the exact key a client asks: https://quay.io, quay.io:8443, quay.io/org or quay.io/v1/ in its list are not docker's quay.io", async () => {
    const listed = new Map([['https://quay.io', 'carol'], ['quay.io:8443', 'carol'], ['quay.io/org', 'carol'], ['http://quay.io/v1/', 'carol'], ['Registry credentials for https://quay.io/', 'carol']]);
    const r = await doctor({
      helpers: { store: { ok: true, entries: listed } },
      files: { [dockerConfig]: { auths: {}, credHelpers: { 'quay.io': 'store' } }, [podmanAuth]: { auths: { 'quay.io': auth('bob', 'fake-pw') } } },
    });
    // docker asks the helper for "quay.io", which it does not hold: docker has nothing, podman has bob.
    expect(r.findings.filter((f) => f.area === 'agreement').map((f) => f.code)).to.deep.equal(['podman-only']);
    expect(only(r, 'podman-only').what).to.equal('quay.io: only podman has a credential (key "quay.io" in ~/.config/containers/auth.json)');
    // The exact key does answer, its secretservice label dropped.
    const exact = await doctor({
      helpers: { store: { ok: true, entries: new Map([['Registry credentials for quay.io', 'carol']]) } },
      files: { [dockerConfig]: { auths: {}, credHelpers: { 'quay.io': 'store' } }, [podmanAuth]: { auths: { 'quay.io': auth('bob', 'fake-pw') } } },
    });
    expect(only(exact, 'different-username').what).to.include('docker logs in as "carol"');
  });

  it('podman with credHelpers["docker.io"] gets nothing from a helper that holds Hub only as docker\'s key: not "agree"', async () => {
    const r = await doctor({
      helpers: { store: { ok: true, entries: new Map([['https://index.docker.io/v1/', 'alice']]) } },
      files: { [dockerConfig]: { auths: {}, credHelpers: { 'https://index.docker.io/v1/': 'store' } }, [podmanAuth]: { auths: {}, credHelpers: { 'docker.io': 'store' } } },
    });
    none(r, 'agree');
    expect(only(r, 'hub-docker-only').what).to.match(/^Docker Hub: docker has a credential \(credHelpers\[.*secret in helper "store"\) but podman has none \(podman looks for "docker\.io"\)$/);
  });

  it('credentials only in the credsStore helper (no file names them): docker uses them, podman does not; keys docker never asks for are left out', async () => {
    const listed = new Map([
      ['ghcr.io', 'carol'],
      ['registry.example.com:5000', 'dan'],
      ['https://index.docker.io/v1/', 'alice'],
      ['https://index.docker.io/v1/access-token', 'alice'],
      ['docker.io', 'erin'],
      ['https://quay.io', 'frank'],
      ['quay.io/org', 'frank'],
    ]);
    const r = await doctor({ helpers: { desktop: { ok: true, entries: listed } }, files: { [dockerConfig]: { auths: {}, credsStore: 'desktop' } } });
    const f = r.findings.filter((x) => x.area === 'agreement');
    expect(f.map((x) => [x.code, x.level, x.what.split(':')[0]])).to.deep.equal([
      ['creds-store-ignored', 'warn', 'Docker Hub'],
      ['creds-store-ignored', 'warn', 'ghcr.io'],
      ['creds-store-ignored', 'warn', 'registry.example.com'],
    ]);
    expect(f[1]?.what).to.equal('ghcr.io: docker keeps the credential in credsStore "desktop" (~/.docker/config.json), which podman ignores: podman pulls from ghcr.io anonymously; no auth file names ghcr.io: the credential is only in the helper');
    expect(f[1]?.fix).to.include('"credHelpers": {"ghcr.io": "desktop"}');
    // The helper holds "docker.io" too, so podman could ask it.
    expect(f[0]?.fix).to.include('"credHelpers": {"docker.io": "desktop"}');
    // Without a credsStore, docker never asks the helper for them: nothing to report.
    const routed = await doctor({ helpers: { desktop: { ok: true, entries: listed } }, files: { [dockerConfig]: { auths: {}, credHelpers: { 'gcr.io': 'desktop' } } } });
    expect(routed.findings.filter((x) => x.area === 'agreement')).to.deep.equal([]);
  });

  it('Hub for podman but not docker: podman login wrote "docker.io", which docker never reads', async () => {
    const r = await doctor({ files: { [podmanAuth]: { auths: { 'docker.io': auth('alice', 'fake-pw') } } } });
    expect(only(r, 'hub-podman-only').level).to.equal('warn');
  });

  it('a plaintext entry shadowed by credsStore is not a docker credential: the helper has none, so only podman has one', async () => {
    const r = await doctor({
      helpers: { credkit: { ok: true, entries: new Map() } },
      files: { [dockerConfig]: { auths: { 'ghcr.io': auth('dg', 'fake-pw-d') }, credsStore: 'credkit' }, [podmanAuth]: { auths: { 'ghcr.io': auth('pg', 'fake-pw-p') } } },
    });
    none(r, 'agree');
    const f = only(r, 'podman-only');
    expect(f.level).to.equal('warn');
    expect(f.what).to.equal('ghcr.io: only podman has a credential (key "ghcr.io" in ~/.config/containers/auth.json); docker asks helper "credkit" (credsStore), which has none, and ignores the plaintext entry "ghcr.io" (user "dg") left in ~/.docker/config.json');
    expect(f.fix).to.include('docker login ghcr.io');
  });

  it('credsStore with a credential of its own beats the plaintext entry podman reads from the same file', async () => {
    const r = await doctor({
      helpers: { store: { ok: true, entries: new Map([['quay.io', 'carol']]) } },
      files: { [dockerConfig]: { auths: { 'quay.io': auth('alice', 'fake-pw') }, credsStore: 'store' } },
    });
    expect(only(r, 'different-username').what).to.match(/docker logs in as "carol" \(credsStore in ~\/\.docker\/config\.json, secret in helper "store"\), podman as "alice"/);
  });

  it("plain credentials in docker's file are seen by podman too (it reads ~/.docker/config.json)", async () => {
    const r = await doctor({ files: { [dockerConfig]: { auths: { 'https://index.docker.io/v1/': auth('alice', 'fake-pw'), 'quay.io': auth('bob', 'fake-pw') } } } });
    expect(r.findings.filter((f) => f.area === 'agreement').map((f) => f.code)).to.deep.equal(['agree']);
  });

  it("REGISTRY_AUTH_FILE does not hide docker's file from podman: it is still read when the named file has no match", async () => {
    const r = await doctor(
      { files: { [dockerConfig]: { auths: { 'quay.io': auth('bob', 'fake-pw') } }, '/srv/auth.json': { auths: {} } } },
      { REGISTRY_AUTH_FILE: '/srv/auth.json' },
    );
    expect(r.findings.filter((f) => f.area === 'agreement').map((f) => f.code)).to.deep.equal(['agree']);
  });

  it('no registry both tools have: no "agree" summary (there is nothing to compare)', async () => {
    const r = await doctor({ files: { [podmanAuth]: { auths: { 'quay.io': auth('alice', 'fake-pw') } } } });
    expect(r.findings.filter((f) => f.area === 'agreement').map((f) => f.code)).to.deep.equal(['podman-only']);
    const empty = await doctor({ files: {} });
    expect(empty.findings.filter((f) => f.area === 'agreement')).to.deep.equal([]);
  });

  for (const [name, env] of [
    ['REGISTRY_AUTH_FILE names a missing file', { REGISTRY_AUTH_FILE: '/srv/nowhere/auth.json' }],
    ['DOCKER_CONFIG names a directory without config.json', { DOCKER_CONFIG: '/srv/empty-docker' }],
  ] as const) {
    it(`${name}: podman still uses ~/.config/containers/auth.json (as explain says)`, async () => {
      const r = await doctor({ files: { [podmanAuth]: { auths: { '127.0.0.1:5443': auth('alice', 'fake-pw') } } } }, env);
      const f = only(r, 'podman-only');
      expect(f.what).to.equal('127.0.0.1:5443: only podman has a credential (key "127.0.0.1:5443" in ~/.config/containers/auth.json)');
    });
  }
});

describe('doctor: skopeo inspect against podman, DOCKER_CONFIG set', () => {
  const DC = '/home/u/dc';
  const dockerConfig = `${DC}/config.json`;
  const runtime = '/run/user/1000/containers/auth.json';
  const podmanAuth = `${HOME}/.config/containers/auth.json`;
  const first = { skopeo: runtime, podman: dockerConfig };

  /** The three views as doctor builds them from the machine, then skopeo's comparison. */
  async function compare(m: FakeMachine, env: Record<string, string> = { DOCKER_CONFIG: DC }): Promise<DoctorFinding[]> {
    const h = host(env);
    const p = probes(m);
    const files = await loadAuthFiles(h, p);
    const listings = new Map([...Object.entries(m.helpers ?? {})].flatMap(([name, l]) => (l?.ok ? [[name, l.entries] as const] : [])));
    const docker = await dockerView(files, listings, h);
    const [skopeo, podman] = [await skopeoView(files, listings, h, p.uid), await podmanView(files, listings, h, p.uid)];
    const scopes = await skopeoScopeViews(files, listings, h, p.uid, { skopeo, podman, docker: docker.credentials });
    return compareSkopeo(skopeo, podman, docker.credentials, h, first, scopes);
  }

  it('a login in the runtime auth.json, which only skopeo reads, with another user than podman and docker: a warning naming that file, its fix the logout from it (skopeo 1.9.3 sent bob, podman 4.3.1 and buildah carol)', async () => {
    const found = await compare({ files: { [runtime]: { auths: { 'quay.io': auth('bob', 'fake-pw-1') } }, [dockerConfig]: { auths: { 'quay.io': auth('carol', 'fake-pw-2') } } } });
    expect(found).to.have.length(1);
    expect(found[0]).to.deep.equal({
      level: 'warn',
      area: 'agreement',
      code: 'skopeo-different-username',
      path: runtime,
      what: 'quay.io: skopeo inspect and copy log in as "bob" (key "quay.io" in /run/user/1000/containers/auth.json), podman and buildah as "carol" (key "quay.io" in ~/dc/config.json): skopeo inspect and copy read /run/user/1000/containers/auth.json first, and podman and buildah never read it while DOCKER_CONFIG is set (skopeo login --get-login follows podman)',
      fix: 'if that login is stale, remove it, so that skopeo goes on to the credential podman uses: credkit logout quay.io --authfile /run/user/1000/containers/auth.json',
    });
    expect(JSON.stringify(found).includes('fake-pw'), 'a secret in the output (not printed)').to.equal(false);
  });

  it('~/.config/containers/auth.json, which skopeo reads before $DOCKER_CONFIG/config.json and podman after it', async () => {
    const found = await compare({ files: { [podmanAuth]: { auths: { 'quay.io': auth('bob', 'fake-pw-1') } }, [dockerConfig]: { auths: { 'quay.io': auth('carol', 'fake-pw-2') } } } });
    expect(found.map((f) => f.code)).to.deep.equal(['skopeo-different-username']);
    expect(found[0]?.what).to.include(`skopeo inspect and copy read ${runtime} and then ~/.config/containers/auth.json before ~/dc/config.json, which podman and buildah read first`);
  });

  it("docker's credsStore when podman has nothing: compared with docker; Hub's logout names docker.io", async () => {
    const found = await compare({
      helpers: { store: { ok: true, entries: new Map([['https://index.docker.io/v1/', 'carol']]) } },
      files: { [runtime]: { auths: { 'docker.io': auth('bob', 'fake-pw-1') } }, [dockerConfig]: { auths: { 'https://index.docker.io/v1/': {} }, credsStore: 'store' } },
    });
    expect(found.map((f) => f.code)).to.deep.equal(['skopeo-different-username']);
    expect(found[0]?.what).to.match(/^Docker Hub: skopeo inspect and copy log in as "bob" .*, docker as "carol" \(credsStore in ~\/dc\/config\.json, secret in helper "store"\), and podman and buildah have none: /);
    expect(found[0]?.fix).to.match(/so that skopeo goes on to the credential docker uses: credkit logout docker\.io --authfile /);
  });

  it('a runtime login no other tool has is info; the same user is nothing; a helper not listed is not compared', async () => {
    const alone = await compare({ files: { [runtime]: { auths: { 'ghcr.io': auth('bob', 'fake-pw-1') } } } });
    expect(alone.map((f) => [f.level, f.code])).to.deep.equal([['info', 'skopeo-only']]);
    expect(alone[0]?.what).to.equal(`ghcr.io: only skopeo inspect and copy have a credential (key "ghcr.io" in ${runtime}, user "bob"), which podman, buildah and docker do not use: skopeo inspect and copy read ${runtime} first, and podman and buildah never read it while DOCKER_CONFIG is set (skopeo login --get-login follows podman)`);
    const same = await compare({ files: { [runtime]: { auths: { 'quay.io': auth('carol', 'fake-pw-1') } }, [dockerConfig]: { auths: { 'quay.io': auth('carol', 'fake-pw-2') } } } });
    expect(same).to.deep.equal([]);
    const unlisted = await compare({ files: { [runtime]: { auths: { 'quay.io': auth('bob', 'fake-pw-1') } }, [dockerConfig]: { auths: {}, credHelpers: { 'quay.io': 'gone' } } } });
    expect(unlisted).to.deep.equal([]);
  });

  it('a namespace key in ~/.config/containers/auth.json, which skopeo reads before the host key podman takes from $DOCKER_CONFIG/config.json: a warning for images under it (skopeo 1.9.3 sent bob, podman 4.3.1 and buildah 1.28.2 carol)', async () => {
    const found = await compare({ files: { [podmanAuth]: { auths: { 'quay.io/team': auth('bob', 'fake-pw-1') } }, [dockerConfig]: { auths: { 'quay.io': auth('carol', 'fake-pw-2') } } } });
    expect(found).to.deep.equal([{
      level: 'warn',
      area: 'agreement',
      code: 'skopeo-different-username',
      path: podmanAuth,
      what: `images under quay.io/team: skopeo inspect and copy log in as "bob" (key "quay.io/team" in ~/.config/containers/auth.json), podman and buildah as "carol" (key "quay.io" in ~/dc/config.json): skopeo inspect and copy read ${runtime} and then ~/.config/containers/auth.json before ~/dc/config.json, which podman and buildah read first while DOCKER_CONFIG is set`,
      fix: 'if that login is stale, remove it, so that skopeo goes on to the credential podman uses: credkit logout quay.io/team --authfile ~/.config/containers/auth.json',
    }]);
    expect(JSON.stringify(found).includes('fake-pw'), 'a secret in the output (not printed)').to.equal(false);
  });

  it("skopeo's registry-wide login hiding podman's scoped key: a warning for images under the key, whose fix logs out of the registry-wide one", async () => {
    const found = await compare({ files: { [runtime]: { auths: { 'quay.io': auth('alice', 'fake-pw-1') } }, [dockerConfig]: { auths: { 'quay.io/team': auth('bob', 'fake-pw-2'), 'quay.io': auth('alice', 'fake-pw-3') } } } });
    expect(found.map((f) => [f.code, f.what.split(':')[0]])).to.deep.equal([['skopeo-different-username', 'images under quay.io/team']]);
    expect(found[0]?.fix).to.equal(`if that login is stale, remove it, so that skopeo goes on to the credential podman uses: credkit logout quay.io --authfile ${runtime}`);
  });

  it('a scoped key only skopeo reads is info; one both read alike, or with the same user, is nothing', async () => {
    const alone = await compare({ files: { [runtime]: { auths: { 'ghcr.io/team': auth('bob', 'fake-pw-1') } } } });
    expect(alone.map((f) => [f.level, f.code, f.what.split(':')[0]])).to.deep.equal([['info', 'skopeo-only', 'images under ghcr.io/team']]);
    expect(alone[0]?.fix).to.equal(`if that login is stale (skopeo then fails where the others pull anonymously), remove it: credkit logout ghcr.io/team --authfile ${runtime}`);
    // In podman's first file: skopeo reaches it with nothing before, and takes the same key.
    expect(await compare({ files: { [dockerConfig]: { auths: { 'quay.io/team': auth('bob', 'fake-pw-1'), 'quay.io': auth('carol', 'fake-pw-2') } } } })).to.deep.equal([]);
    expect(await compare({ files: { [podmanAuth]: { auths: { 'quay.io/team': auth('carol', 'fake-pw-1') } }, [dockerConfig]: { auths: { 'quay.io': auth('carol', 'fake-pw-2') } } } })).to.deep.equal([]);
  });

  it('a credHelpers route in the runtime file: the fix removes the route, never logs out of the helper', async () => {
    const found = await compare({
      helpers: { rt: { ok: true, entries: new Map([['quay.io', 'bob']]) } },
      files: { [runtime]: { auths: {}, credHelpers: { 'quay.io': 'rt' } }, [dockerConfig]: { auths: { 'quay.io': auth('carol', 'fake-pw-2') } } },
    });
    expect(found.map((f) => f.code)).to.deep.equal(['skopeo-different-username']);
    expect(found[0]?.fix).to.equal(`if that login is stale, remove it, so that skopeo goes on to the credential podman uses: remove credHelpers["quay.io"] from ${runtime}`);
  });
});

describe('doctor: report', () => {
  it('one line per finding: level, what, fix', () => {
    expect(formatFinding({ level: 'warn', area: 'files', code: 'x', what: 'something', fix: 'do this' })).to.equal('warn   something; fix: do this');
    expect(formatFinding({ level: 'ok', area: 'files', code: 'x', what: 'fine' })).to.equal('ok     fine');
  });

  it('shows the home directory as ~', () => {
    expect(displayPath('/home/u/.docker/config.json', '/home/u')).to.equal('~/.docker/config.json');
    expect(displayPath('/home/user2/x', '/home/u')).to.equal('/home/user2/x');
  });

  it('exits 1 only for errors', () => {
    expect(doctorExitCode({ errors: 0 })).to.equal(0);
    expect(doctorExitCode({ errors: 2 })).to.equal(1);
  });
});
