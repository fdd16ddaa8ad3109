/**
 * `credkit doctor` through the shipped bin, each situation set up for real in a throwaway HOME:
 * no D-Bus session, a bus without (and with) a Secret Service, pass without a key or `pass init`,
 * helpers missing, hanging or answering, a Windows helper under a WSL environment, a
 * world-readable auth file, and docker and podman configs that disagree.
 */
import { expect } from 'chai';
import { chmod, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN, FIXTURES, basePath, makeSandbox, putHelperOnPath, run, skipUnlessPrograms, writeHelperShim } from '../support/sandbox.js';
import type { RunResult, Sandbox } from '../support/sandbox.js';
import { kernelKeysOf, purgeKernelKeys, startPrivateBus, storeInput, uniqueService } from '../support/os-keyring.js';
import type { PrivateBus } from '../support/os-keyring.js';
import { containerStateFlags, makeSeededRegistryPerSuite } from '../support/registry.js';
import type { Registry } from '../support/registry.js';

interface Finding {
  level: 'ok' | 'info' | 'warn' | 'error';
  area: string;
  code: string;
  what: string;
  fix?: string;
  path?: string;
}
interface Report {
  findings: Finding[];
  autoBackend: string | null;
  errors: number;
  warnings: number;
}

const FAKE = 'fake-doctor-secret';
const auth = (user: string) => ({ auth: Buffer.from(`${user}:${FAKE}-${user}`).toString('base64') });

async function doctorJSON(sb: Sandbox, args: string[] = [], env: Record<string, string> = {}): Promise<{ r: RunResult; report: Report }> {
  const r = await sb.credkit(['doctor', '--json', ...args], '', env);
  expect(r.signal, 'doctor must finish on its own').to.equal(null);
  expect(r.stderr).to.equal('');
  expect((r.stdout).includes(FAKE), 'a secret in the output (not printed)').to.equal(false);
  expect((r.stdout).includes(Buffer.from(`alice:${FAKE}`).toString('base64').slice(0, 12)), 'a secret in the output (not printed)').to.equal(false);
  const report = JSON.parse(r.stdout) as Report;
  expect(r.code, 'exit code follows the error count').to.equal(report.errors > 0 ? 1 : 0);
  return { r, report };
}

function withCode(report: Report, code: string): Finding[] {
  return report.findings.filter((f) => f.code === code);
}

function one(report: Report, code: string): Finding {
  const found = withCode(report, code);
  expect(found.map((f) => f.what), `one finding ${code}`).to.have.length(1);
  return found[0] as Finding;
}

async function writeJSON(path: string, value: unknown, mode = 0o600): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
  await writeFile(path, JSON.stringify(value), { mode });
  await chmod(path, mode);
}

/** A scripted helper in `<home>/bin` whose `list` prints `listing`. */
async function writeListingHelper(sb: Sandbox, name: string, listing: Record<string, string>): Promise<void> {
  const dir = join(sb.home, 'bin');
  await mkdir(dir, { recursive: true });
  const script = `#!/bin/sh\n[ "$1" = list ] && { printf '%s\\n' '${JSON.stringify(listing)}'; exit 0; }\necho "credentials not found in native keychain"; exit 1\n`;
  await writeFile(join(dir, `docker-credential-${name}`), script, { mode: 0o755 });
  if (!sb.env.PATH?.startsWith(`${dir}:`)) sb.env.PATH = `${dir}:${sb.env.PATH ?? basePath()}`;
}

describe('e2e: credkit doctor', function () {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await makeSandbox();
  });
  afterEach(async () => sb.cleanup());

  describe('stores', () => {
    it('no D-Bus session: the keychain is unusable, auto without fallback is an error (exit 1)', async () => {
      const { r, report } = await doctorJSON(sb, ['--no-call-helpers']);
      expect(r.code).to.equal(1);
      expect(withCode(report, 'backend-unusable').find((f) => f.what.startsWith('backend keychain'))?.what).to.include('no D-Bus session bus');
      expect(one(report, 'auto-backend')).to.include({ level: 'error' });
      expect(report.autoBackend).to.equal(null);
    });

    it('no D-Bus session with "fallback = file" in config.ini: auto picks file; text output, exit 0', async () => {
      await mkdir(join(sb.home, '.config', 'credkit'), { recursive: true });
      await writeFile(join(sb.home, '.config', 'credkit', 'config.ini'), 'fallback = file\n');
      delete sb.env.DOCKER_CONFIG; // set but without a config.json, it would be a warning
      const r = await sb.credkit(['doctor']);
      expect(r.stderr).to.equal('');
      expect(r.code, r.stdout).to.equal(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines).to.include('ok     credkit uses backend auto, which picks file (the keychain is not usable, so the configured fallback)');
      expect(lines.every((l) => /^(ok|info|warn|error) +\S/.test(l) || l.startsWith('doctor: '))).to.equal(true);
      expect(lines.at(-1)).to.equal('doctor: 0 errors, 0 warnings');
    });

    it('env backend: a server URL no client asks a helper for is a warning naming its variable; Docker Hub under one spelling is a note', async () => {
      const group = (name: string, server: string) => ({ [`CREDKIT_CRED_${name}_SERVER`]: server, [`CREDKIT_CRED_${name}_USERNAME`]: 'ci', [`CREDKIT_CRED_${name}_SECRET`]: `${FAKE}-${name}` });
      const env = {
        CREDKIT_BACKEND: 'env',
        ...group('QUAY', 'https://quay.io'),
        ...group('HUB', 'docker.io'),
        CREDKIT_AUTH_CONFIG: JSON.stringify({ auths: { 'ghcr.io/org': auth('alice'), 'localhost:5000': auth('bob') } }),
      };
      // As docker and podman ask (docker pull quay.io/…: `get quay.io`), the helper has nothing.
      const asked = await sb.helper('get', 'quay.io', env);
      expect([asked.code, asked.stdout.trim()]).to.deep.equal([1, 'credentials not found in native keychain']);
      const { report } = await doctorJSON(sb, ['--no-call-helpers'], env);
      expect(one(report, 'env-backend-key')).to.include({ level: 'warn' });
      expect(one(report, 'env-backend-key').what).to.include('never ask a credential helper for: "ghcr.io/org" (CREDKIT_AUTH_CONFIG), "https://quay.io" (CREDKIT_CRED_QUAY_SERVER);');
      expect(one(report, 'env-backend-hub')).to.deep.include({
        level: 'info',
        what: 'the env backend holds Docker Hub as "docker.io" (CREDKIT_CRED_HUB_SERVER) only, which podman asks for; docker asks for "https://index.docker.io/v1/" and pulls from Docker Hub anonymously',
      });
      // Named as the clients ask: nothing to say.
      const fixed = { ...env, ...group('QUAY', 'quay.io'), ...group('HUBD', 'https://index.docker.io/v1/'), CREDKIT_AUTH_CONFIG: JSON.stringify({ auths: { 'localhost:5000': auth('bob') } }) };
      const { report: clean } = await doctorJSON(sb, ['--no-call-helpers'], fixed);
      expect(withCode(clean, 'env-backend-key').concat(withCode(clean, 'env-backend-hub'))).to.deep.equal([]);
    });

    it('env backend: a group whose secret is empty (a fork pull request) is a warning naming the variable and the server it leaves anonymous', async () => {
      const env = { CREDKIT_BACKEND: 'env', CREDKIT_CRED_HUB_SERVER: 'https://index.docker.io/v1/', CREDKIT_CRED_HUB_USERNAME: 'ci', CREDKIT_CRED_HUB_SECRET: '' };
      const { report } = await doctorJSON(sb, ['--no-call-helpers'], env);
      expect(one(report, 'env-backend-empty-secret')).to.deep.include({
        level: 'warn',
        what: 'CREDKIT_CRED_HUB_SECRET is empty, so the env backend answers nothing for "https://index.docker.io/v1/" and the clients pull anonymously (as CI systems leave a secret a job may not read, such as in a pull request from a fork)',
      });
      const { report: set } = await doctorJSON(sb, ['--no-call-helpers'], { ...env, CREDKIT_CRED_HUB_SECRET: `${FAKE}-hub` });
      expect(withCode(set, 'env-backend-empty-secret')).to.deep.equal([]);
    });

    it('config.ini lines credkit ignores (unknown key, unknown section, broken line): one warning each naming file, line, section and key', async () => {
      await mkdir(join(sb.home, '.config', 'credkit'), { recursive: true });
      // "backnd" is a typo: credkit uses the default backend (auto); [file without "]" leaves path at the top level.
      await writeFile(join(sb.home, '.config', 'credkit', 'config.ini'), 'backnd = file\nfallback = file\n[file\npath = ~/c.json\n[helper]\ntimeout = 5\n[pass]\nprefix = p\nservice = s ; belongs in [keychain]\nno equals sign here\n');
      delete sb.env.DOCKER_CONFIG;
      const { report } = await doctorJSON(sb, ['--no-call-helpers']);
      const config = report.findings.filter((f) => f.code.startsWith('config-'));
      const file = '~/.config/credkit/config.ini';
      expect(config.map((f) => [f.level, f.code, f.what])).to.deep.equal([
        ['warn', 'config-unknown-key', `credkit's config ${file}: line 1: unknown key "backnd" at the top level; credkit ignores it (known top-level keys: backend, fallback, account)`],
        ['warn', 'config-broken-line', `credkit's config ${file}: line 3: starts with "[" but is not a section header (one is "[name]" alone on its line, from its first column); credkit ignores it, and the keys after it stay at the top level`],
        ['warn', 'config-unknown-key', `credkit's config ${file}: line 4: unknown key "path" at the top level; credkit ignores it ("path" belongs in [file])`],
        ['warn', 'config-unknown-section', `credkit's config ${file}: line 5: unknown section [helper]; credkit ignores it and every key in it (known sections: [file], [keychain], [pass], [helpers], [routes])`],
        ['warn', 'config-unknown-key', `credkit's config ${file}: line 9: unknown key "service" in [pass]; credkit ignores it ("service" belongs in [keychain])`],
        ['warn', 'config-broken-line', `credkit's config ${file}: line 10 (in [pass]): not "key = value"; credkit ignores it`],
      ]);
      expect(config.every((f) => f.fix !== undefined && (f as Finding & { path?: string }).path === join(sb.home, '.config', 'credkit', 'config.ini'))).to.equal(true);
      expect(report.warnings).to.equal(6);
      // A clean file: no such finding.
      await writeFile(join(sb.home, '.config', 'credkit', 'config.ini'), '; comment\nbackend = file\n# another\n\n[file]\npath = ~/c.json\n[helpers]\ntimeout = 5\n');
      const clean = await doctorJSON(sb, ['--no-call-helpers']);
      expect(clean.report.findings.filter((f) => f.code.startsWith('config-'))).to.deep.equal([]);
    });

    describe('with a private D-Bus session', () => {
      let bus: PrivateBus | undefined;
      before(async function () {
        await skipUnlessPrograms(this, ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon']);
      });
      afterEach(async () => {
        await bus?.stop();
        bus = undefined;
      });

      it('a bus without a Secret Service: says so', async () => {
        bus = await startPrivateBus({ secrets: false });
        const { report } = await doctorJSON(sb, ['--no-call-helpers'], { DBUS_SESSION_BUS_ADDRESS: bus.address });
        expect(one(report, 'auto-backend').what).to.include('no Secret Service on the D-Bus session bus');
      });

      it('a bus with an unlocked gnome-keyring: auto picks the keychain', async () => {
        bus = await startPrivateBus({ secrets: true });
        const { report } = await doctorJSON(sb, ['--no-call-helpers'], { DBUS_SESSION_BUS_ADDRESS: bus.address });
        expect(one(report, 'auto-backend')).to.include({ level: 'ok' });
        expect(report.autoBackend).to.equal('keychain');
      });

      it('a locked keyring: the keychain is not usable (no prompt), and auto does not fall back', async () => {
        bus = await startPrivateBus({ secrets: true });
        const lock = await run(
          'dbus-send',
          ['--session', '--print-reply', '--dest=org.freedesktop.secrets', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', 'array:objpath:/org/freedesktop/secrets/collection/login'],
          { env: { PATH: basePath(), DBUS_SESSION_BUS_ADDRESS: bus.address } },
        );
        expect(lock.code, lock.stderr).to.equal(0);
        const pinned = await doctorJSON(sb, ['--no-call-helpers'], { DBUS_SESSION_BUS_ADDRESS: bus.address, CREDKIT_BACKEND: 'keychain' });
        const configured = one(pinned.report, 'configured-backend');
        expect(configured.level).to.equal('error');
        expect(configured.what).to.include('collection is locked, and credkit never shows an unlock prompt');
        // A second daemon does not unlock the running one (it says "another secret service is
        // running"): the advice must be to restart it.
        expect(configured.what).to.include('stop the running gnome-keyring-daemon and start it again with --unlock');
        // A keychain that is there but locked is not a reason to switch stores (it would hide its
        // credentials): auto reports it, fallback or not.
        const { report } = await doctorJSON(sb, ['--no-call-helpers'], { DBUS_SESSION_BUS_ADDRESS: bus.address, CREDKIT_FALLBACK: 'file' });
        expect(report.autoBackend).to.equal(null);
        expect(one(report, 'auto-backend').level).to.equal('error');
      });
    });

    describe('pass', () => {
      before(async function () {
        await skipUnlessPrograms(this, ['pass', 'gpg']);
      });

      it('an uninitialised store, when pass is the backend: error with `pass init`', async () => {
        sb.env.CREDKIT_BACKEND = 'pass';
        sb.env.PASSWORD_STORE_DIR = join(sb.home, 'store');
        const { r, report } = await doctorJSON(sb, ['--no-call-helpers']);
        expect(r.code).to.equal(1);
        const f = one(report, 'configured-backend');
        expect(f.level).to.equal('error');
        expect(f.what).to.match(/pass \(from CREDKIT_BACKEND\).*not initialised/);
      });

      it('a store initialised for a key that GnuPG does not have: error naming the key problem', async () => {
        sb.env.CREDKIT_BACKEND = 'pass';
        sb.env.PASSWORD_STORE_DIR = join(sb.home, 'store');
        sb.env.GNUPGHOME = join(sb.home, 'gnupg');
        await mkdir(sb.env.GNUPGHOME, { mode: 0o700 });
        const init = await run('pass', ['init', '0123456789ABCDEF0123456789ABCDEF01234567'], { env: sb.env });
        expect(init.code, init.stderr).to.equal(0);
        try {
          const { report } = await doctorJSON(sb, ['--no-call-helpers']);
          expect(one(report, 'configured-backend').what).to.match(/gpg cannot encrypt.*No public key/);
        } finally {
          await run('gpgconf', ['--kill', 'all'], { env: sb.env });
        }
      });

      it('a key that needs a passphrase nobody cached, empty store: the fix caches it (not a new key); after a gpg round trip, usable', async () => {
        sb.env.CREDKIT_BACKEND = 'pass';
        sb.env.PASSWORD_STORE_DIR = join(sb.home, 'store');
        sb.env.GNUPGHOME = join(sb.home, 'gnupg');
        await mkdir(sb.env.GNUPGHOME, { mode: 0o700 });
        const pp = 'fake-passphrase';
        try {
          const gen = await run('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase-fd', '0', '--quick-gen-key', 'fake@credkit.invalid', 'default', 'default', 'never'], { env: sb.env, input: pp });
          expect(gen.code, gen.stderr).to.equal(0);
          const fpr = /^fpr:+([0-9A-F]+):/m.exec((await run('gpg', ['--with-colons', '--list-secret-keys'], { env: sb.env })).stdout)?.[1] as string;
          expect((await run('pass', ['init', fpr], { env: sb.env })).code).to.equal(0);
          await run('gpgconf', ['--kill', 'gpg-agent'], { env: sb.env });
          const f = one((await doctorJSON(sb, ['--no-call-helpers'])).report, 'configured-backend');
          expect(f.what).to.include('needs a passphrase and no gpg-agent has it cached');
          expect(f.what).to.include(`\`gpg --encrypt -r ${fpr} </dev/null | gpg --decrypt\``);
          expect(f.what).not.to.include('pass show');
          expect(f.fix).to.equal('cache the passphrase in gpg-agent once, in a terminal (as the reason says), or use a key without a passphrase for this store (`pass init <its key id>`), or choose another backend');
          // The round trip the reason names (loopback standing in for the terminal's pinentry) caches it.
          const sealed = join(sb.home, 'probe.gpg');
          const enc = await run('gpg', ['--batch', '--encrypt', '-r', fpr, '--output', sealed], { env: sb.env, input: 'x' });
          expect(enc.code, enc.stderr).to.equal(0);
          const dec = await run('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase-fd', '0', '--decrypt', sealed], { env: sb.env, input: pp });
          expect(dec.code).to.equal(0);
          expect(one((await doctorJSON(sb, ['--no-call-helpers'])).report, 'configured-backend').level).to.equal('ok');
        } finally {
          await run('gpgconf', ['--kill', 'all'], { env: sb.env });
        }
      });
    });

    describe('keyutils', () => {
      before(async function () {
        await skipUnlessPrograms(this, ['keyctl']);
      });

      it('a process without a session keyring of its own (only the user-session keyring): doctor says usable, and the helper stores, gets and erases there', async () => {
        // As under su, cron and CI runners. doctor once reported AccessDenied here, rightly, since
        // every store and erase was refused (see test/contract/keyutils.test.ts).
        const us = (await run('keyctl', ['rdescribe', '@us'], { env: sb.env })).stdout.trim().split(';').pop()!;
        const service = uniqueService();
        Object.assign(sb.env, { CREDKIT_BACKEND: 'keyutils', CREDKIT_KEYCHAIN_SERVICE: service });
        const shared = (bin: string, args: string[], input = '') => run('keyctl', ['session', us, process.execPath, bin, ...args], { env: sb.env, input });
        try {
          const report = JSON.parse((await shared(BIN.credkit, ['doctor', '--json', '--no-call-helpers'])).stdout) as Report;
          expect(one(report, 'configured-backend').level).to.equal('ok');
          expect((await shared(BIN.helper, ['store'], storeInput('quay.io', 'alice', FAKE))).code).to.equal(0);
          expect(JSON.parse((await shared(BIN.helper, ['get'], 'quay.io')).stdout).Username).to.equal('alice');
          expect((await shared(BIN.helper, ['erase'], 'quay.io')).code).to.equal(0);
          expect(await kernelKeysOf(service)).to.deep.equal([]);
        } finally {
          await purgeKernelKeys(service);
        }
      });
    });

    describe('file', () => {
      const input = `${JSON.stringify({ ServerURL: 'quay.io', Username: 'alice', Secret: FAKE })}\n`;

      it('a path that is a directory: error naming it (not "usable"); the fix makes logins work', async () => {
        sb.env.CREDKIT_BACKEND = 'file';
        sb.env.CREDKIT_FILE = join(sb.home, 'creds');
        await mkdir(sb.env.CREDKIT_FILE);
        const { report } = await doctorJSON(sb, ['--no-call-helpers']);
        const f = one(report, 'configured-backend');
        expect(f.level).to.equal('error');
        expect(f.what).to.include(`${sb.env.CREDKIT_FILE}: is a directory, not a file`);
        expect(f.fix).to.include('CREDKIT_FILE');
        expect((await sb.helper('store', input)).code).to.equal(1);
        // The fix: point the backend at a file in a directory we can write.
        sb.env.CREDKIT_FILE = join(sb.home, 'creds', 'credentials.json');
        expect(one((await doctorJSON(sb, ['--no-call-helpers'])).report, 'configured-backend').level).to.equal('ok');
        expect((await sb.helper('store', input)).code).to.equal(0);
        expect(JSON.parse((await sb.helper('get', 'quay.io')).stdout).Username).to.equal('alice');
      });

      it('a file that is not JSON: error naming the file', async () => {
        sb.env.CREDKIT_BACKEND = 'file';
        sb.env.CREDKIT_FILE = join(sb.home, 'broken.json');
        await writeFile(sb.env.CREDKIT_FILE, '{', { mode: 0o600 });
        const f = one((await doctorJSON(sb, ['--no-call-helpers'])).report, 'configured-backend');
        expect(f.level).to.equal('error');
        expect(f.what).to.include(`${sb.env.CREDKIT_FILE}: the credential file is not valid JSON`);
      });

      /** A file path whose directory is behind a symlink to nowhere (a drive that is not mounted). */
      async function danglingDataDir(): Promise<string> {
        sb.env.CREDKIT_BACKEND = 'file';
        const link = join(sb.home, 'data');
        await symlink(join(sb.home, 'unmounted', 'data'), link);
        sb.env.CREDKIT_FILE = join(link, 'credkit', 'credentials.json');
        return link;
      }

      it('store where the directory cannot be created (behind a dangling symlink): one line naming it, not a crash', async () => {
        const link = await danglingDataDir();
        const r = await sb.helper('store', input);
        expect(r.code).to.equal(1);
        // Node's recursive mkdir says ENOENT or ENOTDIR here, depending on the depth.
        expect(r.stdout.startsWith(`${sb.env.CREDKIT_FILE}: cannot create directory ${join(link, 'credkit')} (`), r.stdout).to.equal(true);
        expect(r.stdout.split('\n')).to.have.length(2);
        expect(r.stderr).to.equal('');
      });

      it('a directory behind a dangling symlink: error from doctor; once the directory is there, ok', async () => {
        const link = await danglingDataDir();
        const f = one((await doctorJSON(sb, ['--no-call-helpers'])).report, 'configured-backend');
        expect(f.level).to.equal('error');
        expect(f.what).to.include(`${link} is a symbolic link to a directory that does not exist`);
        await mkdir(join(sb.home, 'unmounted', 'data'), { recursive: true });
        expect(one((await doctorJSON(sb, ['--no-call-helpers'])).report, 'configured-backend').level).to.equal('ok');
        expect((await sb.helper('store', input)).code).to.equal(0);
      });
    });

    describe('file under a place that takes no new names', () => {
      const input = `${JSON.stringify({ ServerURL: 'quay.io', Username: 'alice', Secret: FAKE })}\n`;

      // procfs and sysfs can pass access() for W_OK (as root: /sys here, /proc/self on other kernels),
      // yet refuse every new name (EPERM, ENOENT).
      for (const place of ['/proc/self', '/sys']) {
        it(`a directory to create under ${place}: error from doctor and store backends, as store fails`, async () => {
          sb.env.CREDKIT_BACKEND = 'file';
          sb.env.CREDKIT_FILE = `${place}/credkit/credentials.json`;
          const f = one((await doctorJSON(sb, ['--no-call-helpers'])).report, 'configured-backend');
          expect(f.level, f.what).to.equal('error');
          expect(f.what).to.include(`${sb.env.CREDKIT_FILE}: cannot be created, credkit cannot create directories in ${place} (E`);
          const backends = JSON.parse((await sb.credkit(['store', 'backends', '--json'])).stdout) as { backends: { name: string; usable: boolean }[] };
          expect(backends.backends.find((b) => b.name === 'file')?.usable).to.equal(false);
          const r = await sb.helper('store', input);
          expect(r.code).to.equal(1);
          expect(r.stdout.startsWith(`${sb.env.CREDKIT_FILE}: cannot create directory ${place}/credkit (`), r.stdout).to.equal(true);
        });
      }

      it('a file to create in /sys itself: error from doctor, as store fails', async () => {
        sb.env.CREDKIT_BACKEND = 'file';
        sb.env.CREDKIT_FILE = '/sys/credkit-credentials.json';
        const f = one((await doctorJSON(sb, ['--no-call-helpers'])).report, 'configured-backend');
        expect(f.level, f.what).to.equal('error');
        expect(f.what).to.include(`${sb.env.CREDKIT_FILE}: cannot be written, credkit cannot create files in /sys (E`);
        expect((await sb.helper('store', input)).code).to.equal(1);
      });

      it('where the directories can be made: usable, and the check leaves nothing behind', async () => {
        sb.env.CREDKIT_BACKEND = 'file';
        const parent = join(sb.home, 'state');
        await mkdir(parent);
        sb.env.CREDKIT_FILE = join(parent, 'credkit', 'credentials.json');
        expect(one((await doctorJSON(sb, ['--no-call-helpers'])).report, 'configured-backend').level).to.equal('ok');
        expect(await readdir(parent)).to.deep.equal([]);
        await mkdir(join(parent, 'credkit'));
        expect(one((await doctorJSON(sb, ['--no-call-helpers'])).report, 'configured-backend').level).to.equal('ok');
        expect(await readdir(join(parent, 'credkit'))).to.deep.equal([]);
      });
    });

    it('docker-credential-credkit on PATH: this installation (a wrapper) or another one', async () => {
      await putHelperOnPath(sb);
      let { report } = await doctorJSON(sb, ['--no-call-helpers']);
      expect(one(report, 'own-helper')).to.include({ level: 'ok' });
      const other = join(sb.home, 'other-bin');
      await mkdir(other);
      await writeFile(join(other, 'docker-credential-credkit'), '#!/bin/sh\necho other\n', { mode: 0o755 });
      ({ report } = await doctorJSON(sb, ['--no-call-helpers'], { PATH: `${other}:${sb.env.PATH}` }));
      expect(one(report, 'own-helper')).to.include({ level: 'warn' });
    });
  });

  describe('helpers', () => {
    it('a helper named in config.json but missing from PATH: error, exit 1', async () => {
      await writeJSON(join(sb.env.DOCKER_CONFIG as string, 'config.json'), { auths: { 'quay.io': {} }, credHelpers: { 'quay.io': 'nosuch' } });
      const { r, report } = await doctorJSON(sb, [], { CREDKIT_FALLBACK: 'file' });
      expect(r.code).to.equal(1);
      const f = one(report, 'helper-missing');
      expect(f.what).to.include('docker-credential-nosuch (credHelpers["quay.io"] in ~/.docker/config.json) is not on PATH');
      expect(f.what).to.include('podman, skopeo and buildah fail for them');
      // podman never runs a credsStore (containers/image has none): only docker is affected.
      await writeJSON(join(sb.env.DOCKER_CONFIG as string, 'config.json'), { auths: { 'quay.io': {} }, credsStore: 'desktop' });
      const store = one((await doctorJSON(sb, [], { CREDKIT_FALLBACK: 'file' })).report, 'helper-missing');
      expect(store.what).to.equal(
        'docker-credential-desktop (credsStore in ~/.docker/config.json) is not on PATH: docker pulls those registries without credentials and fails with errors that do not mention the helper ("pull access denied", "no basic auth credentials"), and docker login fails',
      );
    });

    it('a helper on PATH without execute permission: "chmod +x" naming the file, not "install it"', async () => {
      await writeListingHelper(sb, 'noexec', { 'quay.io': 'alice' });
      const file = join(sb.home, 'bin', 'docker-credential-noexec');
      await chmod(file, 0o644);
      await writeJSON(join(sb.env.DOCKER_CONFIG as string, 'config.json'), { auths: { 'quay.io': {} }, credHelpers: { 'quay.io': 'noexec' } });
      const { report } = await doctorJSON(sb, [], { CREDKIT_FALLBACK: 'file' });
      expect(withCode(report, 'helper-missing')).to.have.length(0);
      const f = one(report, 'helper-not-executable');
      expect(f.level).to.equal('error');
      expect(f.what).to.include('docker-credential-noexec (credHelpers["quay.io"] in ~/.docker/config.json) is on PATH at ~/bin/docker-credential-noexec but is not executable');
      expect(f.fix).to.equal('chmod +x ~/bin/docker-credential-noexec');
      // The fix is the one that works: afterwards the helper answers.
      await chmod(file, 0o755);
      const { report: after } = await doctorJSON(sb, [], { CREDKIT_FALLBACK: 'file' });
      expect(withCode(after, 'helper-not-executable')).to.have.length(0);
      expect(one(after, 'helper-answers').what).to.include('docker-credential-noexec');
    });

    it('credsStore "desktop.exe" under a WSL environment: the WSL integration fix', async () => {
      await writeJSON(join(sb.env.DOCKER_CONFIG as string, 'config.json'), { auths: {}, credsStore: 'desktop.exe' });
      const r = await sb.credkit(['doctor'], '', { WSL_DISTRO_NAME: 'Ubuntu', CREDKIT_FALLBACK: 'file' });
      expect(r.code).to.equal(1);
      const line = r.stdout.split('\n').find((l) => l.includes('docker-credential-desktop.exe'));
      expect(line).to.match(/^error  docker-credential-desktop\.exe \(credsStore in ~\/\.docker\/config\.json\) is not on PATH: it is a Windows program/);
      expect(line).to.include('fix: enable Docker Desktop → Settings → Resources → WSL integration');
    });

    it('a helper that hangs on list: reported after the short timeout, doctor does not hang', async () => {
      await writeJSON(join(sb.env.DOCKER_CONFIG as string, 'config.json'), { auths: { 'quay.io': {} }, credHelpers: { 'quay.io': 'hangs' } });
      const { report } = await doctorJSON(sb, [], { PATH: `${join(FIXTURES, 'helper-that-hangs')}:${sb.env.PATH}`, CREDKIT_HELPER_TIMEOUT: '1', CREDKIT_FALLBACK: 'file' });
      const f = one(report, 'helper-hangs');
      expect(f.level).to.equal('error');
      expect(f.what).to.include('did not answer list within 1 s');
    });

    it('a credsStore helper that does not work here: the fix does not send podman to it', async () => {
      await writeJSON(join(sb.env.DOCKER_CONFIG as string, 'config.json'), { auths: { 'ghcr.io': {} }, credsStore: 'nosuch' });
      const { report } = await doctorJSON(sb, [], { CREDKIT_FALLBACK: 'file' });
      expect(one(report, 'helper-missing').level).to.equal('error');
      const f = one(report, 'creds-store-ignored');
      expect(f.fix).to.equal('podman login ghcr.io (helper "nosuch" does not work here: see its finding above)');
      expect(f.fix).not.to.include('credHelpers');
    });

    it('junk from a helper\'s list: not quoted when it exits 0 (it may be a password); an error text is one line without control characters', async () => {
      const dir = join(sb.home, 'bin');
      await mkdir(dir, { recursive: true });
      const helper = join(dir, 'docker-credential-junk');
      // A wrapper that answers every verb with `pass show`: the first line is the password.
      await writeFile(helper, `#!/bin/sh\nprintf '%s\\n' '${FAKE}-first-line' 'url: quay.io'\nexit 0\n`, { mode: 0o755 });
      await writeJSON(join(sb.env.DOCKER_CONFIG as string, 'config.json'), { auths: { 'quay.io': {} }, credsStore: 'junk' });
      const env = { CREDKIT_FALLBACK: 'file', PATH: `${dir}:${sb.env.PATH}` };
      const { report } = await doctorJSON(sb, [], env); // asserts the secret is not in the output
      expect(one(report, 'helper-list-failed').what).to.equal(`docker-credential-junk list exited 0 but printed ${FAKE.length + 25} bytes that are not JSON (not shown: they may hold anything, a secret included)`);
      // An error answer is the helper's message, quoted as one inert line.
      await writeFile(helper, `#!/bin/sh\nprintf 'keychain locked\\033[2J\\302\\233\\342\\200\\250fake line\\n%s\\n' '${'x'.repeat(1500)}'\nexit 1\n`, { mode: 0o755 });
      const failed = one((await doctorJSON(sb, [], env)).report, 'helper-list-failed').what;
      expect(failed.startsWith('docker-credential-junk list failed (exit status 1): keychain locked [2J fake line xxx'), failed).to.equal(true);
      expect(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(failed)).to.equal(false);
      expect(failed.length).to.be.below(1100);
    });

    it("credkit's own helper whose store is unusable: its error is quoted with one credkit prefix at most", async () => {
      await putHelperOnPath(sb);
      await writeJSON(join(sb.env.DOCKER_CONFIG as string, 'config.json'), { auths: {}, credsStore: 'credkit' });
      const { report } = await doctorJSON(sb, [], { CREDKIT_BACKEND: 'auto' });
      const f = one(report, 'helper-list-failed');
      expect(f.what).to.include('no usable OS keychain');
      expect(f.what).not.to.match(/credkit: credkit:/);
    });

    it("credkit's own helper as credsStore answers list", async () => {
      await putHelperOnPath(sb);
      sb.env.CREDKIT_BACKEND = 'file';
      const stored = await sb.helper('store', `${JSON.stringify({ ServerURL: 'quay.io', Username: 'alice', Secret: FAKE })}\n`);
      expect(stored.code, stored.stdout).to.equal(0);
      await writeJSON(join(sb.env.DOCKER_CONFIG as string, 'config.json'), { auths: { 'quay.io': {} }, credsStore: 'credkit' });
      const { report } = await doctorJSON(sb);
      expect(one(report, 'helper-answers').what).to.match(/docker-credential-credkit \(credsStore in ~\/\.docker\/config\.json\) at .* answers list \(1 entry\)/);
      expect(withCode(report, 'own-helper')).to.have.length(1);
    });
  });

  describe('auth files', () => {
    it('a world-readable auth file: error with chmod 600', async () => {
      await writeJSON(join(sb.env.DOCKER_CONFIG as string, 'config.json'), { auths: { 'quay.io': auth('alice') } }, 0o644);
      const r = await sb.credkit(['doctor', '--no-call-helpers'], '', { CREDKIT_FALLBACK: 'file' });
      expect(r.code).to.equal(1);
      expect((r.stdout).includes(FAKE), 'a secret in the output (not printed)').to.equal(false);
      expect(r.stdout.split('\n')).to.include('error  ~/.docker/config.json (read by podman and docker) has mode 0644: every user can read its credentials; fix: chmod 600 ~/.docker/config.json');
    });

    it('a world-readable auth file that holds no secret (credHelpers, credsStore, {} markers): info in doctor (exit 0) and a note in check; adding a secret makes it an error in both', async () => {
      const path = join(sb.env.DOCKER_CONFIG as string, 'config.json');
      await writeJSON(path, { auths: { 'quay.io': {} }, credsStore: 'credkit', credHelpers: { 'ghcr.io': 'credkit' } }, 0o644);
      const { r, report } = await doctorJSON(sb, ['--no-call-helpers'], { CREDKIT_FALLBACK: 'file' });
      expect(r.code, r.stdout).to.equal(0);
      expect([one(report, 'file-mode').level, one(report, 'file-mode').what]).to.deep.equal(['info', '~/.docker/config.json (read by podman and docker) has mode 0644: every user can read it, but it holds no secret (only credential helper names and {} markers), so nothing leaks']);
      // check exits 1 for such a file all the same: its portability lints (creds-store…) are errors to it.
      let check = await sb.credkit(['check', '--json', path]);
      const modeFindings = (text: string) => (JSON.parse(text) as { findings: { severity: string; code: string }[] }).findings.filter((f) => f.code === 'world-readable').map((f) => f.severity);
      expect(modeFindings(check.stdout)).to.deep.equal(['note']);
      await writeJSON(path, { auths: { 'quay.io': {}, 'ghcr.io': auth('alice') }, credsStore: 'credkit' }, 0o644);
      expect(one((await doctorJSON(sb, ['--no-call-helpers'], { CREDKIT_FALLBACK: 'file' })).report, 'file-mode').level).to.equal('error');
      check = await sb.credkit(['check', '--json', path]);
      expect(modeFindings(check.stdout)).to.deep.equal(['error']);
    });

    it('--json gives each finding also in check --json\'s words (severity error/warning/note, message, file), so one script reads both reports', async () => {
      const path = join(sb.env.DOCKER_CONFIG as string, 'config.json');
      await writeJSON(path, { auths: { 'quay.io': auth('alice'), 'https://ghcr.io': auth('bob') } }, 0o644);
      const { report } = await doctorJSON(sb, ['--no-call-helpers'], { CREDKIT_FALLBACK: 'file' });
      const check = await sb.credkit(['check', '--json', path]);
      expect(check.code, check.stderr).to.equal(1);
      // What a script written for check --json does: count, by severity, what the file has.
      type Shared = { severity: string; file?: string; message: string; code: string };
      const problems = (findings: Shared[]) => findings.filter((f) => f.file === path && (f.severity === 'error' || f.severity === 'warning')).map((f) => [f.severity, typeof f.message]);
      expect(problems(JSON.parse(check.stdout).findings as Shared[])).to.deep.equal([['error', 'string'], ['warning', 'string']]);
      expect(problems(report.findings as unknown as Shared[])).to.deep.equal([['error', 'string'], ['warning', 'string']]);
      // Doctor's own fields stay, and say the same.
      const spelled: Record<string, string> = { ok: 'ok', info: 'note', warn: 'warning', error: 'error' };
      for (const f of report.findings as (Finding & Shared & { path?: string })[]) {
        expect([f.severity, f.message, f.file], f.code).to.deep.equal([spelled[f.level], f.what, f.path]);
      }
    });

    it('a broken ~/.dockercfg is "not a .dockercfg", not a Kubernetes object; broken JSON files are "invalid JSON"', async () => {
      await writeFile(join(sb.home, '.dockercfg'), 'x', { mode: 0o600 });
      await mkdir(join(sb.env.XDG_CONFIG_HOME as string, 'containers'), { recursive: true });
      await writeFile(join(sb.env.XDG_CONFIG_HOME as string, 'containers', 'auth.json'), 'x', { mode: 0o600 });
      const { r, report } = await doctorJSON(sb, ['--no-call-helpers'], { CREDKIT_FALLBACK: 'file' });
      expect(r.stdout).not.to.include('Kubernetes');
      const lints = withCode(report, 'content-lints').map((f) => f.what);
      expect(lints).to.have.length(2);
      expect(lints.find((w) => w.startsWith('~/.dockercfg:'))).to.include('not a .dockercfg');
      expect(lints.find((w) => w.startsWith('~/.config/containers/auth.json:'))).to.include('invalid JSON');
    });

    it("check's lints are summarised per file", async () => {
      await writeJSON(join(sb.env.DOCKER_CONFIG as string, 'config.json'), { auths: { 'quay.io': { auth: 'YWxpY2U6ZmFrZS1wdw' } } });
      const { report } = await doctorJSON(sb, ['--no-call-helpers'], { CREDKIT_FALLBACK: 'file' });
      expect(one(report, 'content-lints')).to.include({ level: 'error' });
      expect(one(report, 'content-lints').what).to.include('auth-unpadded');
    });

    it('REGISTRY_AUTH_FILE naming a missing file: info (podman pull fails until podman login creates it, skopeo uses the other files); the tmpfs note goes away', async () => {
      const { report } = await doctorJSON(sb, ['--no-call-helpers'], { REGISTRY_AUTH_FILE: join(sb.home, 'nowhere', 'auth.json'), CREDKIT_FALLBACK: 'file' });
      expect(one(report, 'registry-auth-file-missing')).to.include({ level: 'warn' });
      expect(one(report, 'registry-auth-file-missing').what).to.include('podman pull and buildah pull fail');
      expect(withCode(report, 'runtime-auth-file')).to.deep.equal([]);
    });
  });

  describe('podman with DOCKER_CONFIG or REGISTRY_AUTH_FILE set (neither is exclusive: containers-image-facts #2, #3, #5)', () => {
    const REGISTRY = '127.0.0.1:5443';
    beforeEach(async () => {
      sb.env.CREDKIT_FALLBACK = 'file';
      await writeJSON(join(sb.env.XDG_CONFIG_HOME as string, 'containers', 'auth.json'), { auths: { [REGISTRY]: auth('alice') } });
    });

    /** What `credkit explain` says podman uses for the registry. */
    async function explainPodman(env: Record<string, string>): Promise<string | undefined> {
      const r = await sb.credkit(['explain', `${REGISTRY}/`, '--as', 'podman', '--json'], '', env);
      expect(r.code, r.stderr).to.equal(0);
      const report = JSON.parse(r.stdout) as { clients: { outcome: string; credential?: { username: string } }[] };
      return report.clients[0]?.credential?.username;
    }

    for (const [name, env] of [
      // The sandbox's DOCKER_CONFIG is a directory with no config.json in it.
      ['DOCKER_CONFIG names a directory without config.json', {}],
      ['REGISTRY_AUTH_FILE names a file that does not exist', { REGISTRY_AUTH_FILE: join('nowhere', 'auth.json') }],
    ] as const) {
      it(`${name}: podman and buildah fail until it exists, as explain says; skopeo inspect and doctor use auth.json`, async () => {
        const extra: Record<string, string> = 'REGISTRY_AUTH_FILE' in env ? { REGISTRY_AUTH_FILE: join(sb.home, env.REGISTRY_AUTH_FILE) } : {};
        // podman 4.3.1 and buildah 1.28.2 stat their --authfile default (REGISTRY_AUTH_FILE, else $DOCKER_CONFIG/config.json) first.
        expect(await explainPodman(extra)).to.equal(undefined);
        const skopeo = await sb.credkit(['get', `${REGISTRY}/`, '--as', 'skopeo'], '', extra);
        expect([skopeo.code, (JSON.parse(skopeo.stdout || '{}') as { Username?: string }).Username], skopeo.stderr).to.deep.equal([0, 'alice']);
        const { r, report } = await doctorJSON(sb, ['--no-call-helpers'], extra);
        expect(r.stdout).not.to.include('read no other file');
        expect(r.stdout).not.to.include('podman reads only');
        expect(r.stdout).not.to.include('see no credentials');
        const f = one(report, 'podman-only');
        expect(f.what).to.equal(`${REGISTRY}: only podman has a credential (key "${REGISTRY}" in ~/.config/containers/auth.json)`);
        if ('REGISTRY_AUTH_FILE' in env) expect(one(report, 'registry-auth-file-missing').level).to.equal('warn');
        else expect(one(report, 'docker-config-missing').what).to.include('docker sees no credentials, and podman pull and buildah pull fail ("stat');
      });
    }

    it('DOCKER_CONFIG set: podman takes its config.json first, as docker does, not the runtime auth.json skopeo reads first', async () => {
      // podman 4.3.1 and buildah 1.28.2 (explain-real-clients.test.ts): the runtime file's bob is not podman's.
      await writeJSON(join(sb.env.DOCKER_CONFIG as string, 'config.json'), { auths: { [REGISTRY]: auth('carol') } });
      await writeJSON(join(sb.env.XDG_RUNTIME_DIR as string, 'containers', 'auth.json'), { auths: { [REGISTRY]: auth('bob') } });
      const { r, report } = await doctorJSON(sb, ['--no-call-helpers']);
      expect(withCode(report, 'different-username'), r.stdout).to.deep.equal([]);
      expect(one(report, 'agree').what).to.include('agree on the 1 registry');
    });

    it('podman-drops-settings only for a file docker reads: REGISTRY_AUTH_FILE naming podman\'s own auth.json with a credsStore in it loses nothing anyone uses', async () => {
      const own = join(sb.env.XDG_CONFIG_HOME as string, 'containers', 'auth.json');
      await writeJSON(own, { auths: { [REGISTRY]: auth('alice') }, credsStore: 'credkit' });
      const { report } = await doctorJSON(sb, ['--no-call-helpers'], { REGISTRY_AUTH_FILE: own });
      expect(withCode(report, 'podman-drops-settings')).to.deep.equal([]);
      // The same variable naming docker's config.json is the case the finding is for, where podman
      // (or buildah) is installed: a stand-in on PATH, since only its presence is looked at.
      const docker = join(sb.env.DOCKER_CONFIG as string, 'config.json');
      await writeJSON(docker, { auths: {}, credsStore: 'credkit' });
      const bin = join(sb.home, 'podman-bin');
      await mkdir(bin, { recursive: true });
      await writeFile(join(bin, 'podman'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      const { report: named } = await doctorJSON(sb, ['--no-call-helpers'], { REGISTRY_AUTH_FILE: docker, PATH: `${bin}:${basePath()}` });
      expect(one(named, 'podman-drops-settings').what).to.include('"credsStore": "credkit" would be dropped');
      expect(one(named, 'podman-drops-settings').fix).to.include("point REGISTRY_AUTH_FILE at a file of podman's own (~/.config/containers/auth.json)");
      // A machine with neither podman nor buildah: nothing rewrites the file, nothing to say.
      const empty = join(sb.home, 'empty-bin');
      await mkdir(empty, { recursive: true });
      const { report: dockerOnly } = await doctorJSON(sb, ['--no-call-helpers'], { REGISTRY_AUTH_FILE: docker, PATH: empty });
      expect(withCode(dockerOnly, 'podman-drops-settings')).to.deep.equal([]);
    });
  });

  describe('docker and podman disagree', () => {
    beforeEach(() => {
      // These cases are about the default files (~/.docker/config.json, which DOCKER_CONFIG replaces).
      delete sb.env.DOCKER_CONFIG;
      sb.env.CREDKIT_FALLBACK = 'file';
    });

    it('a plaintext entry credsStore shadows, Hub only for podman, credsStore that podman ignores, the tmpfs default', async () => {
      await writeListingHelper(sb, 'fakestore', { 'ghcr.io': 'carol' });
      await writeJSON(join(sb.home, '.docker', 'config.json'), {
        auths: { 'quay.io': auth('alice'), 'ghcr.io': {} },
        credsStore: 'fakestore',
      });
      await writeJSON(join(sb.env.XDG_RUNTIME_DIR as string, 'containers', 'auth.json'), {
        auths: { 'quay.io': auth('bob'), 'docker.io': auth('dave') },
      });
      const { report } = await doctorJSON(sb);
      // credsStore also covers quay.io for docker: the store has nothing for it, so alice's plaintext entry is not used.
      expect(one(report, 'podman-only')).to.include({ level: 'warn' });
      expect(one(report, 'podman-only').what).to.include('quay.io: only podman has a credential');
      expect(one(report, 'podman-only').what).to.include('ignores the plaintext entry "quay.io" (user "alice")');
      expect(one(report, 'creds-store-ignored').what).to.include('ghcr.io: docker keeps the credential in credsStore "fakestore"');
      expect(one(report, 'creds-store-ignored').fix).to.include('"credHelpers": {"ghcr.io": "fakestore"} to ~/.config/containers/auth.json');
      expect(one(report, 'hub-podman-only')).to.include({ level: 'warn' });
      expect(one(report, 'runtime-auth-file').what).to.include('(it exists)');
      expect(one(report, 'helper-answers').what).to.include('docker-credential-fakestore');
    });

    it("a plaintext entry next to credsStore: docker asks credkit's (empty) store, so docker and podman do not agree", async () => {
      const shim = await writeHelperShim(join(sb.home, 'bin'));
      sb.env.PATH = `${shim}:${sb.env.PATH}`;
      sb.env.CREDKIT_BACKEND = 'file';
      sb.env.CREDKIT_FILE = join(sb.home, 'empty-store.json');
      await writeJSON(join(sb.home, '.docker', 'config.json'), { auths: { 'ghcr.io': auth('dg') }, credsStore: 'credkit' });
      await writeJSON(join(sb.env.XDG_CONFIG_HOME as string, 'containers', 'auth.json'), { auths: { 'ghcr.io': auth('pg') } });
      // explain says the same: docker is anonymous (the helper has nothing), podman sends pg.
      const x = await sb.credkit(['explain', 'ghcr.io', '--json']);
      expect(x.code, x.stderr).to.equal(0);
      const clients = (JSON.parse(x.stdout) as { clients: { client: string; outcome: string; credential?: { username: string } }[] }).clients;
      expect(clients.map((c) => [c.client, c.outcome, c.credential?.username])).to.deep.equal([
        ['docker', 'anonymous', undefined],
        ['podman', 'credential', 'pg'],
      ]);
      const { report } = await doctorJSON(sb);
      expect(withCode(report, 'agree')).to.deep.equal([]);
      const f = one(report, 'podman-only');
      expect(f.level).to.equal('warn');
      expect(f.what).to.include('ghcr.io: only podman has a credential (key "ghcr.io" in ~/.config/containers/auth.json)');
      expect(f.what).to.include('docker asks helper "credkit" (credsStore), which has none, and ignores the plaintext entry "ghcr.io" (user "dg") left in ~/.docker/config.json');
    });

    it('nothing both tools have a credential for: no "agree" line (never "agree on the 0 registries")', async () => {
      await writeJSON(join(sb.env.XDG_CONFIG_HOME as string, 'containers', 'auth.json'), { auths: { 'quay.io': auth('bob') } });
      const { report } = await doctorJSON(sb, ['--no-call-helpers']);
      expect(one(report, 'podman-only')).to.include({ level: 'info' });
      expect(withCode(report, 'agree')).to.deep.equal([]);
      const text = await sb.credkit(['doctor', '--no-call-helpers']);
      expect(text.stdout).to.include('quay.io: only podman has a credential');
      expect(text.stdout).not.to.include('agree');
      // No credentials anywhere: nothing to compare, nothing said about it.
      await writeJSON(join(sb.env.XDG_CONFIG_HOME as string, 'containers', 'auth.json'), { auths: {} });
      const empty = await sb.credkit(['doctor', '--no-call-helpers']);
      expect(empty.stdout).not.to.include('agree');
      // One registry in common: the summary counts it.
      await writeJSON(join(sb.home, '.docker', 'config.json'), { auths: { 'ghcr.io': auth('carol') } });
      const shared = await sb.credkit(['doctor', '--no-call-helpers']);
      expect(shared.stdout).to.include('ok     docker and podman agree on the 1 registry both have credentials for\n');
    });

    it('every helper missing: no "agree" on what doctor could not see; the registries it could not check are named', async () => {
      const helpers = { 'quay.io': 'nosuch', 'ghcr.io': 'nosuch2' };
      await writeJSON(join(sb.home, '.docker', 'config.json'), { auths: {}, credHelpers: helpers });
      await writeJSON(join(sb.env.XDG_CONFIG_HOME as string, 'containers', 'auth.json'), { auths: {}, credHelpers: helpers });
      const { report } = await doctorJSON(sb, [], { CREDKIT_FALLBACK: 'file' });
      expect(withCode(report, 'helper-missing')).to.have.length(2);
      expect(withCode(report, 'agree')).to.deep.equal([]);
      const f = one(report, 'agreement-unchecked');
      expect(f.level).to.equal('info');
      expect(f.what).to.equal('docker and podman could not be compared for 2 registries ghcr.io, quay.io: the credential is in helpers "nosuch2", "nosuch", which doctor could not list (missing, failing, or not called with --no-call-helpers), so whether they hold one is unknown');
      // A registry both see in a file still counts, and the summary says it covers only what was checked.
      await writeJSON(join(sb.home, '.docker', 'config.json'), { auths: { 'docker.example': auth('carol') }, credHelpers: helpers });
      const text = await sb.credkit(['doctor', '--no-call-helpers'], '', { CREDKIT_FALLBACK: 'file' });
      expect(text.stdout).to.include('ok     docker and podman agree on the 1 registry both have credentials for that doctor could check\n');
      expect(text.stdout).to.include('info   docker and podman could not be compared for 2 registries ghcr.io, quay.io:');
    });

    /** credkit's own helper on PATH over a file store holding `entries` (server URL → username). */
    async function credkitHelperWith(entries: Record<string, string>): Promise<void> {
      await putHelperOnPath(sb);
      sb.env.CREDKIT_BACKEND = 'file';
      sb.env.CREDKIT_FILE = join(sb.home, 'helper-store.json');
      for (const [url, user] of Object.entries(entries)) {
        const stored = await sb.helper('store', `${JSON.stringify({ ServerURL: url, Username: user, Secret: `${FAKE}-${user}` })}\n`);
        expect(stored.code, stored.stdout).to.equal(0);
      }
    }

    /** What `credkit explain TARGET` says each client sends (it asks the helpers for real). */
    async function explainUsers(target: string): Promise<[string, string, string | undefined][]> {
      const x = await sb.credkit(['explain', target, '--json']);
      expect(x.code, x.stderr).to.equal(0);
      expect((x.stdout).includes(FAKE), 'a secret in the output (not printed)').to.equal(false);
      const clients = (JSON.parse(x.stdout) as { clients: { client: string; outcome: string; credential?: { username: string } }[] }).clients;
      return clients.map((c) => [c.client, c.outcome, c.credential?.username]);
    }

    it('a helper is matched by the exact key each client asks: Docker Hub stored as docker\'s key is not podman\'s "docker.io", even with credHelpers["docker.io"]', async () => {
      await credkitHelperWith({ 'https://index.docker.io/v1/': 'alice' });
      await writeJSON(join(sb.home, '.docker', 'config.json'), { auths: {}, credHelpers: { 'https://index.docker.io/v1/': 'credkit' } });
      await writeJSON(join(sb.env.XDG_CONFIG_HOME as string, 'containers', 'auth.json'), { auths: {}, credHelpers: { 'docker.io': 'credkit' } });
      expect(await explainUsers('busybox')).to.deep.equal([
        ['docker', 'credential', 'alice'],
        ['podman', 'anonymous', undefined],
      ]);
      const { report } = await doctorJSON(sb);
      expect(withCode(report, 'agree')).to.deep.equal([]);
      const f = one(report, 'hub-docker-only');
      expect(f.fix).to.equal('podman login docker.io (a helper is asked for the exact key: podman would ask helper "credkit" for "docker.io", and it holds Docker Hub only as "https://index.docker.io/v1/")');
      // What podman login would do through that credHelpers entry: the helper now holds "docker.io" too.
      await credkitHelperWith({ 'docker.io': 'alice' });
      expect((await explainUsers('busybox')).map((c) => c[2])).to.deep.equal(['alice', 'alice']);
      const after = await doctorJSON(sb);
      expect(after.report.findings.filter((x) => x.code === 'agree' || x.code === 'hub-docker-only').map((x) => x.what)).to.deep.equal([
        'docker and podman agree on the 1 registry both have credentials for',
      ]);
    });

    it('credentials only in the credsStore helper (nothing in any auth file): docker uses them, podman cannot, and doctor says so', async () => {
      await credkitHelperWith({ 'ghcr.io': 'carol', 'https://quay.io': 'dan' });
      await writeJSON(join(sb.home, '.docker', 'config.json'), { auths: {}, credsStore: 'credkit' });
      expect(await explainUsers('ghcr.io/org/app')).to.deep.equal([
        ['docker', 'credential', 'carol'],
        ['podman', 'anonymous', undefined],
      ]);
      // "https://quay.io" is a key docker never asks for: quay.io is anonymous for both.
      expect((await explainUsers('quay.io/org/app')).map((c) => c[1])).to.deep.equal(['anonymous', 'anonymous']);
      const { report } = await doctorJSON(sb);
      const f = one(report, 'creds-store-ignored');
      expect(f.what).to.equal('ghcr.io: docker keeps the credential in credsStore "credkit" (~/.docker/config.json), which podman ignores: podman pulls from ghcr.io anonymously; no auth file names ghcr.io: the credential is only in the helper');
      expect(f.fix).to.equal('podman login ghcr.io, or let podman ask the same helper: add "credHelpers": {"ghcr.io": "credkit"} to ~/.config/containers/auth.json');
      expect(report.findings.filter((x) => x.area === 'agreement' && x.what.includes('quay.io'))).to.deep.equal([]);
    });

    it('the same registry with different usernames in ~/.docker/config.json and auth.json', async () => {
      await writeJSON(join(sb.home, '.docker', 'config.json'), { auths: { 'quay.io': auth('alice') } });
      await writeJSON(join(sb.env.XDG_CONFIG_HOME as string, 'containers', 'auth.json'), { auths: { 'quay.io': auth('bob') } });
      const { report } = await doctorJSON(sb);
      const f = one(report, 'different-username');
      expect(f.level).to.equal('warn');
      expect(f.what).to.include('quay.io: docker logs in as "alice"');
      expect(f.what).to.include('podman as "bob"');
    });

    it('a scoped key in auth.json that podman uses below its path with another user than docker: a warning, though the registry agrees', async function () {
      await writeJSON(join(sb.home, '.docker', 'config.json'), { auths: { 'quay.io': auth('alice') } });
      await writeJSON(join(sb.env.XDG_CONFIG_HOME as string, 'containers', 'auth.json'), { auths: { 'quay.io/org': auth('robot'), 'quay.io': auth('alice') } });
      // Without DOCKER_CONFIG, which would make podman read config.json first (and agree with docker).
      const { DOCKER_CONFIG: _, ...env } = sb.env;
      if ((await run('sh', ['-c', 'command -v podman'], { env })).code === 0) {
        // The real podman (4.3): the scoped user for images under quay.io/org only.
        const who = async (ref: string) => (await run('podman', ['login', '--get-login', ref], { env })).stdout.trim();
        expect([await who('quay.io/org/app'), await who('quay.io/other/app')]).to.deep.equal(['robot', 'alice']);
      }
      const { report } = await doctorJSON(sb, [], { DOCKER_CONFIG: '' });
      const f = one(report, 'different-username');
      expect([f.level, f.what]).to.deep.equal(['warn', 'images under quay.io/org: docker logs in as "alice" (key "quay.io" in ~/.docker/config.json; docker keeps one credential for all of quay.io), podman as "robot" (key "quay.io/org" in ~/.config/containers/auth.json)']);
      expect(withCode(report, 'agree')).to.deep.equal([]);
    });

    it('a stale plaintext entry from an earlier podman login hides the helper credHelpers names, the same user on both sides: a warning, not "agree"', async () => {
      // skopeo 1.9 sends the runtime file's entry and never runs the helper ~/.docker/config.json
      // names, so a password rotated through the helper fails there while the usernames agree.
      await writeListingHelper(sb, 'fakestore', { 'quay.io': 'alice' });
      await writeJSON(join(sb.home, '.docker', 'config.json'), { auths: {}, credHelpers: { 'quay.io': 'fakestore' } });
      const runtime = join(sb.env.XDG_RUNTIME_DIR as string, 'containers', 'auth.json');
      await writeJSON(runtime, { auths: { 'quay.io': auth('alice') } });
      const shown = '~/run/containers/auth.json'; // the sandbox's XDG_RUNTIME_DIR is under its HOME
      const { report } = await doctorJSON(sb);
      const f = one(report, 'plaintext-shadows-helper');
      expect(f.level).to.equal('warn');
      expect(f.what).to.equal(
        `quay.io: podman uses the plaintext entry "quay.io" (user "alice") in ${shown} and never asks helper "fakestore", which credHelpers["quay.io"] in ~/.docker/config.json names for it and docker asks: a password changed through the helper since (a login, a rotated token) does not reach podman`,
      );
      expect(f.fix).to.equal(`remove the plaintext entry, so that podman asks the helper: credkit logout quay.io --authfile ${shown}`);
      expect(withCode(report, 'agree')).to.deep.equal([]);
      // The fix, as given: podman then asks the helper, and the two agree.
      const out = await sb.credkit(['logout', 'quay.io', '--authfile', runtime]);
      expect(out.code, out.stderr).to.equal(0);
      const after = (await doctorJSON(sb)).report;
      expect(withCode(after, 'plaintext-shadows-helper')).to.deep.equal([]);
      expect(one(after, 'agree').what).to.equal('docker and podman agree on the 1 registry both have credentials for');
    });
  });
});

describe('e2e: credkit doctor against real skopeo and podman, DOCKER_CONFIG set (registry log)', function () {
  const PW: Record<string, string> = { alice: 'fake-doctor-alice-pw', bob: 'fake-doctor-bob-pw', carol: 'fake-doctor-carol-pw' };
  let registry: Registry | undefined;
  let image = '';
  let sb: Sandbox;
  makeSeededRegistryPerSuite(PW, ['docker-registry', 'htpasswd', 'openssl', 'skopeo', 'podman'], (made, seeded) => {
    registry = made;
    image = seeded;
  });
  beforeEach(async () => {
    sb = await makeSandbox({ CREDKIT_BACKEND: 'file' });
  });
  afterEach(async () => sb.cleanup());

  const login = (user: string) => ({ auth: Buffer.from(`${user}:${PW[user] ?? ''}`).toString('base64') });

  /**
   * With the files a test wrote: podman pull sends carol and skopeo inspect bob (registry log), and
   * doctor's report, which shows no password. `skopeoSends` asks skopeo again after a fix.
   */
  const podmanCarolSkopeoBob = async (r: Registry) => {
    const env = r.clientEnv({ ...sb.env });
    const work = join(sb.home, 'work');
    await mkdir(work);
    const policy = join(work, 'policy.json');
    await writeFile(policy, '{"default":[{"type":"insecureAcceptAnything"}]}\n');
    const skopeoSends = async (): Promise<string[]> => {
      const mark = r.logMark();
      const res = await run('skopeo', ['inspect', '--raw', '--cert-dir', r.certDir, `docker://${image}`], { env });
      expect(res.code, res.stderr).to.equal(0);
      return r.acceptedUsers(mark);
    };
    const mark = r.logMark();
    const pull = await run('podman', [...containerStateFlags(join(work, 'podman'), 'podman'), 'pull', '--quiet', '--signature-policy', policy, '--cert-dir', r.certDir, image], { env, timeoutMs: 120_000 });
    expect(pull.code, pull.stderr).to.equal(0);
    expect({ podman: r.acceptedUsers(mark), skopeo: await skopeoSends() }).to.deep.equal({ podman: ['carol'], skopeo: ['bob'] });
    const { r: printed, report } = await doctorJSON(sb, ['--no-call-helpers'], { PATH: env.PATH as string });
    expect(Object.values(PW).some((pw) => printed.stdout.includes(pw)), 'a secret in the output (not printed)').to.equal(false);
    return { env, skopeoSends, report };
  };

  /** Runs the finding's fix as printed (it must be `command`): skopeo then sends carol, and doctor says nothing more of skopeo. */
  const fixMakesSkopeoSendCarol = async (fix: string | undefined, command: string, skopeoSends: () => Promise<string[]>, env: NodeJS.ProcessEnv) => {
    const printed = (fix ?? '').split(': ').pop() ?? '';
    expect(printed).to.equal(command);
    const fixed = await sb.credkit(printed.split(' ').slice(1));
    expect(fixed.code, fixed.stderr).to.equal(0);
    expect(await skopeoSends()).to.deep.equal(['carol']);
    const { report: after } = await doctorJSON(sb, ['--no-call-helpers'], { PATH: env.PATH as string });
    expect(withCode(after, 'skopeo-different-username')).to.deep.equal([]);
    expect(withCode(after, 'skopeo-only')).to.deep.equal([]);
  };

  it('a stale login in the runtime auth.json that only skopeo inspect reads: skopeo-different-username, and its fix makes skopeo send podman\'s user', async () => {
    const r = registry!;
    const runtime = join(sb.env.XDG_RUNTIME_DIR as string, 'containers', 'auth.json');
    await writeJSON(join(sb.env.DOCKER_CONFIG as string, 'config.json'), { auths: { [r.host]: login('carol') } });
    await writeJSON(runtime, { auths: { [r.host]: login('bob') } });
    const { env, skopeoSends, report } = await podmanCarolSkopeoBob(r);
    const f = one(report, 'skopeo-different-username');
    expect(f.level).to.equal('warn');
    expect(f.what).to.equal(`${r.host}: skopeo inspect and copy log in as "bob" (key "${r.host}" in ~/run/containers/auth.json), podman and buildah as "carol" (key "${r.host}" in ~/.docker/config.json): skopeo inspect and copy read ~/run/containers/auth.json first, and podman and buildah never read it while DOCKER_CONFIG is set (skopeo login --get-login follows podman)`);
    // docker and podman read the same file first: they agree.
    expect(withCode(report, 'different-username')).to.deep.equal([]);
    // A machine without skopeo has no such pull: nothing to say.
    const noSkopeo = join(sb.home, 'no-skopeo-bin');
    await mkdir(noSkopeo);
    const { report: without } = await doctorJSON(sb, ['--no-call-helpers'], { PATH: noSkopeo });
    expect(withCode(without, 'skopeo-different-username')).to.deep.equal([]);

    await fixMakesSkopeoSendCarol(f.fix, `credkit logout ${r.host} --authfile ~/run/containers/auth.json`, skopeoSends, env);
  });

  it('a namespace key in ~/.config/containers/auth.json that skopeo inspect reads before the host key podman takes from $DOCKER_CONFIG/config.json: skopeo-different-username for images under it, and its fix makes skopeo send podman\'s user', async () => {
    const r = registry!;
    const config = join(sb.env.XDG_CONFIG_HOME as string, 'containers', 'auth.json');
    await writeJSON(join(sb.env.DOCKER_CONFIG as string, 'config.json'), { auths: { [r.host]: login('carol') } });
    await writeJSON(config, { auths: { [`${r.host}/team`]: login('bob') } });
    const { env, skopeoSends, report } = await podmanCarolSkopeoBob(r);
    const f = one(report, 'skopeo-different-username');
    expect([f.level, f.path]).to.deep.equal(['warn', config]);
    expect(f.what).to.equal(`images under ${r.host}/team: skopeo inspect and copy log in as "bob" (key "${r.host}/team" in ~/.config/containers/auth.json), podman and buildah as "carol" (key "${r.host}" in ~/.docker/config.json): skopeo inspect and copy read ~/run/containers/auth.json and then ~/.config/containers/auth.json before ~/.docker/config.json, which podman and buildah read first while DOCKER_CONFIG is set`);

    await fixMakesSkopeoSendCarol(f.fix, `credkit logout ${r.host}/team --authfile ~/.config/containers/auth.json`, skopeoSends, env);
  });
});
