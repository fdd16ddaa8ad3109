import { expect } from 'chai';
import { locateAuthFiles } from '../../../src/auth-file/locate.js';

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
});
