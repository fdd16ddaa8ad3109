import { expect } from 'chai';
import { locateAuthFiles, rootlessToolsDiffer } from '../../../src/auth-file/locate.js';

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
  });
});
