import { expect } from 'chai';
import { existsSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Host } from '../../../src/io.js';
import { storeLockFor, withStoreLock } from '../../../src/stores/lock-path.js';

const host = (env: Record<string, string | undefined>, home = '/home/ann'): Host => ({ env, home, platform: 'linux', cwd: '/' });

describe('the keyring writers\' lock', () => {
  describe('storeLockFor', () => {
    const cases: [string, Record<string, string | undefined>, { path: string; legacy: string | undefined }][] = [
      ['no XDG variables (docker run from cron)', {}, { path: '/home/ann/.local/state/credkit/keyutils-credkit', legacy: undefined }],
      [
        'the XDG_RUNTIME_DIR rootless podman sets for its helpers',
        { XDG_RUNTIME_DIR: '/tmp/podman-run-1000' },
        { path: '/home/ann/.local/state/credkit/keyutils-credkit', legacy: '/tmp/podman-run-1000/credkit/keyutils-credkit' },
      ],
      [
        'a login session\'s XDG_RUNTIME_DIR',
        { XDG_RUNTIME_DIR: '/run/user/1000' },
        { path: '/home/ann/.local/state/credkit/keyutils-credkit', legacy: '/run/user/1000/credkit/keyutils-credkit' },
      ],
      ['XDG_STATE_HOME', { XDG_STATE_HOME: '/data/state', XDG_RUNTIME_DIR: '/run/user/1000' }, { path: '/data/state/credkit/keyutils-credkit', legacy: '/run/user/1000/credkit/keyutils-credkit' }],
      ['a relative XDG_STATE_HOME (invalid: ignored)', { XDG_STATE_HOME: 'state' }, { path: '/home/ann/.local/state/credkit/keyutils-credkit', legacy: undefined }],
      ['an empty XDG_RUNTIME_DIR', { XDG_RUNTIME_DIR: '' }, { path: '/home/ann/.local/state/credkit/keyutils-credkit', legacy: undefined }],
      ['XDG_RUNTIME_DIR equal to XDG_STATE_HOME (one lock, taken once)', { XDG_STATE_HOME: '/srv/s', XDG_RUNTIME_DIR: '/srv/s' }, { path: '/srv/s/credkit/keyutils-credkit', legacy: undefined }],
    ];
    for (const [what, env, expected] of cases) {
      it(what, () => {
        expect(storeLockFor(host(env), 'keyutils', 'credkit')).to.deep.equal(expected);
      });
    }

    it('is the same for the environment docker and rootless podman give their helpers', () => {
      const docker = storeLockFor(host({}), 'keychain', 'credkit');
      const podman = storeLockFor(host({ XDG_RUNTIME_DIR: '/tmp/podman-run-1000', XDG_CONFIG_HOME: '/home/ann/.config' }), 'keychain', 'credkit');
      expect(podman.path).to.equal(docker.path);
    });

    it('keeps a service name to one safe path component', () => {
      expect(storeLockFor(host({}), 'keychain', '../my svc').path).to.equal('/home/ann/.local/state/credkit/keychain-.._my_svc');
    });
  });

  describe('withStoreLock', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'credkit-store-lock-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    const lockOf = (runtime: string) => storeLockFor(host({ XDG_RUNTIME_DIR: runtime }, join(dir, 'home')), 'keyutils', 'credkit');

    it('takes only the state lock, and makes nothing in a runtime directory where no older credkit took one', async () => {
      const lock = lockOf(join(dir, 'run'));
      await mkdir(join(dir, 'run'));
      const held = await withStoreLock(lock, async () => [existsSync(`${lock.path}.lock`), existsSync(join(dir, 'run', 'credkit'))]);
      expect(held).to.deep.equal([true, false]);
      expect(existsSync(`${lock.path}.lock`)).to.equal(false);
    });

    it('takes the old lock under XDG_RUNTIME_DIR too where an older credkit made its directory', async () => {
      const lock = lockOf(join(dir, 'run'));
      await mkdir(join(dir, 'run', 'credkit'), { recursive: true });
      const held = await withStoreLock(lock, async () => [existsSync(`${lock.path}.lock`), existsSync(`${lock.legacy}.lock`)]);
      expect(held).to.deep.equal([true, true]);
      expect([existsSync(`${lock.path}.lock`), existsSync(`${lock.legacy}.lock`)]).to.deep.equal([false, false]);
    });

    it('waits for an older credkit that holds the old lock', async function () {
      if (process.platform !== 'linux') this.skip();
      const lock = lockOf(join(dir, 'run'));
      await mkdir(join(dir, 'run', 'credkit'), { recursive: true });
      // The line a running credkit writes in its lock (this process: it runs, so it is waited for).
      await writeFile(`${lock.legacy}.lock`, `${process.pid} ${hostname() || '-'} ${readlinkSync('/proc/self/ns/pid')}\n`);
      let ran = false;
      const writing = withStoreLock(lock, async () => {
        ran = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(ran, 'ran while the old lock was held').to.equal(false);
      await rm(`${lock.legacy}.lock`);
      await writing;
      expect(ran).to.equal(true);
    });
  });
});
