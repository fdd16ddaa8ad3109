import { expect } from 'chai';
import { buildahDiffers, locateAuthFiles, rootlessToolsDiffer } from '../../../src/auth-file/locate.js';

const host = (env: Record<string, string>, platform: NodeJS.Platform = 'linux') => ({ env, home: '/home/u', platform, cwd: '/' });

describe('locateAuthFiles', () => {
  const cases: [string, Record<string, string>, string[]][] = [
    ['defaults (no XDG_RUNTIME_DIR)', {}, ['/home/u/.config/containers/auth.json', '/home/u/.docker/config.json', '/home/u/.dockercfg']],
    ['XDG_RUNTIME_DIR first', { XDG_RUNTIME_DIR: '/run/user/1000' }, ['/run/user/1000/containers/auth.json', '/home/u/.config/containers/auth.json', '/home/u/.docker/config.json', '/home/u/.dockercfg']],
    ['REGISTRY_AUTH_FILE replaces the runtime file', { REGISTRY_AUTH_FILE: '/etc/auth.json', XDG_RUNTIME_DIR: '/run/user/1000' }, ['/etc/auth.json', '/home/u/.config/containers/auth.json', '/home/u/.docker/config.json', '/home/u/.dockercfg']],
    ['XDG_CONFIG_HOME and DOCKER_CONFIG', { XDG_CONFIG_HOME: '/cfg', DOCKER_CONFIG: '/dc' }, ['/cfg/containers/auth.json', '/dc/config.json', '/home/u/.dockercfg']],
  ];
  for (const [name, env, want] of cases) it(name, () => expect(locateAuthFiles(host(env)).map((l) => l.path)).to.deep.equal(want));

  it('docker reads only config.json; podman reads them all', () => {
    const l = locateAuthFiles(host({}));
    expect(l.map((x) => x.readers.join('+'))).to.deep.equal(['podman', 'docker+podman', 'podman']);
  });

  it('a REGISTRY_AUTH_FILE that is also the docker file is listed once', () => {
    const l = locateAuthFiles(host({ REGISTRY_AUTH_FILE: '/home/u/.docker/config.json' }));
    expect(l.map((x) => x.path)).to.deep.equal(['/home/u/.docker/config.json', '/home/u/.config/containers/auth.json', '/home/u/.dockercfg']);
    expect(l[0]!.readers).to.deep.equal(['podman', 'docker']);
  });

  describe('as a user without XDG_RUNTIME_DIR', () => {
    const rootless = { podman: '/tmp/podman-run-1000', buildah: '/var/tmp/containers-user-1000/containers' };
    const rest = ['/home/u/.config/containers/auth.json', '/home/u/.docker/config.json', '/home/u/.dockercfg'];
    it("podman starts in its own runtime directory, skopeo at /run/containers/UID, and the list for both has both", () => {
      expect(locateAuthFiles(host({}), { uid: 1000, rootless, tool: 'podman' }).map((l) => l.path)).to.deep.equal(['/tmp/podman-run-1000/containers/auth.json', ...rest]);
      expect(locateAuthFiles(host({}), { uid: 1000, rootless, tool: 'skopeo' }).map((l) => l.path)).to.deep.equal(['/run/containers/1000/auth.json', ...rest]);
      expect(locateAuthFiles(host({}), { uid: 1000, rootless }).map((l) => l.path)).to.deep.equal(['/tmp/podman-run-1000/containers/auth.json', '/run/containers/1000/auth.json', ...rest]);
    });
    it('root (no rootless directories) keeps /run/containers/0 for every tool', () => {
      expect(locateAuthFiles(host({}), { uid: 0, tool: 'podman' }).map((l) => l.path)).to.deep.equal(['/run/containers/0/auth.json', ...rest]);
    });
    it('podman and skopeo differ unless --authfile or REGISTRY_AUTH_FILE names the first file', () => {
      expect(rootlessToolsDiffer(host({}), { rootless })).to.equal(true);
      expect(rootlessToolsDiffer(host({}), { rootless, authfile: '' })).to.equal(true);
      expect(rootlessToolsDiffer(host({}), { rootless, authfile: '/a.json' })).to.equal(false);
      expect(rootlessToolsDiffer(host({ REGISTRY_AUTH_FILE: '/a.json' }), { rootless })).to.equal(false);
      expect(rootlessToolsDiffer(host({}), {})).to.equal(false);
    });
    it("buildah starts in its own runtime directory (never podman's), unless a file or DOCKER_CONFIG is named", () => {
      const paths = (env: Record<string, string>, more: object = {}) => locateAuthFiles(host(env), { uid: 1000, rootless, tool: 'buildah', ...more }).map((l) => l.path);
      expect(paths({})).to.deep.equal(['/var/tmp/containers-user-1000/containers/containers/auth.json', ...rest]);
      expect(paths({}, { authfile: '' })).to.deep.equal(['/var/tmp/containers-user-1000/containers/containers/auth.json', ...rest]);
      expect(buildahDiffers(host({}), { uid: 1000, rootless })).to.equal(true);
      expect(paths({ DOCKER_CONFIG: '/dc' })[0]).to.equal('/dc/config.json');
      expect(buildahDiffers(host({ DOCKER_CONFIG: '/dc' }), { uid: 1000, rootless })).to.equal(false);
      expect(buildahDiffers(host({ REGISTRY_AUTH_FILE: '/a.json' }), { uid: 1000, rootless })).to.equal(false);
      expect(buildahDiffers(host({}), { uid: 1000, rootless, authfile: '/a.json' })).to.equal(false);
    });
  });

  describe('buildah', () => {
    const runtime = { XDG_RUNTIME_DIR: '/run/user/1000' };
    it('searches what podman searches, DOCKER_CONFIG first included, where XDG_RUNTIME_DIR is set or as root', () => {
      for (const env of [runtime, { ...runtime, DOCKER_CONFIG: '/dc' }, { ...runtime, REGISTRY_AUTH_FILE: '/a.json' }, {}]) {
        const of = (tool: 'podman' | 'buildah') => locateAuthFiles(host(env), { uid: 0, tool }).map((l) => [l.path, l.named ?? false]);
        expect(of('buildah')).to.deep.equal(of('podman'));
        expect(buildahDiffers(host(env), { uid: 0 })).to.equal(false);
      }
    });
    it('takes REGISTRY_AUTH_FILE for --authfile "" (buildah 1.28), not DOCKER_CONFIG, and does not stat it', () => {
      const env = { ...runtime, REGISTRY_AUTH_FILE: '/a.json', DOCKER_CONFIG: '/dc' };
      const buildah = locateAuthFiles(host(env), { authfile: '', tool: 'buildah' });
      expect(buildah.map((l) => l.path)).to.deep.equal(['/a.json', '/home/u/.config/containers/auth.json', '/dc/config.json', '/home/u/.dockercfg']);
      expect(buildah[0]!.named).to.equal(undefined);
      expect(locateAuthFiles(host(env), { authfile: '', tool: 'podman' })[0]!.path).to.equal('/run/user/1000/containers/auth.json');
      expect(buildahDiffers(host(env), { authfile: '' })).to.equal(true);
      // Without REGISTRY_AUTH_FILE, an empty --authfile is the runtime file for both.
      expect(buildahDiffers(host({ ...runtime, DOCKER_CONFIG: '/dc' }), { authfile: '' })).to.equal(false);
    });
  });
});
