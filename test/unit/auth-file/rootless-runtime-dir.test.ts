import { expect } from 'chai';
import { refusedRuntimeDir, rootlessRuntimeDirs } from '../../../src/auth-file/rootless-runtime-dir.js';
import type { StatDir } from '../../../src/auth-file/rootless-runtime-dir.js';

type Dir = { uid: number; mode: number } | 'unreadable';
const host = (env: Record<string, string> = {}, platform: NodeJS.Platform = 'linux') => ({ env, home: '/home/u', platform, cwd: '/' });
/** A machine with only `dirs` on it; 'unreadable' throws as stat does with EACCES. */
const machine = (dirs: Record<string, Dir>): StatDir => async (path) => {
  const d = dirs[path];
  if (d === 'unreadable') throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
  return d;
};
const mine = { uid: 1000, mode: 0o700 };

describe('rootlessRuntimeDirs (podman 4.3.1, buildah 1.28.2 as a user without XDG_RUNTIME_DIR)', () => {
  const cases: [string, Record<string, string>, Record<string, Dir>, string, string][] = [
    ['nothing there: podman makes /tmp/podman-run-UID, buildah /var/tmp/containers-user-UID', {}, {}, '/tmp/podman-run-1000', '/var/tmp/containers-user-1000/containers'],
    ['a /run/user/UID of the user: podman takes it, buildah never does', {}, { '/run/user/1000': mine }, '/run/user/1000', '/var/tmp/containers-user-1000/containers'],
    ['/run/user/UID owned by root: skipped', {}, { '/run/user/1000': { uid: 0, mode: 0o700 } }, '/tmp/podman-run-1000', '/var/tmp/containers-user-1000/containers'],
    ['/run/user/UID without write for its owner: skipped', {}, { '/run/user/1000': { uid: 1000, mode: 0o500 } }, '/tmp/podman-run-1000', '/var/tmp/containers-user-1000/containers'],
    ['/run/user/UID group-writable: podman 4.3 checks only the owner bits', {}, { '/run/user/1000': { uid: 1000, mode: 0o770 } }, '/run/user/1000', '/var/tmp/containers-user-1000/containers'],
    ['TMPDIR moves both', { TMPDIR: '/scratch' }, {}, '/scratch/podman-run-1000', '/scratch/containers-user-1000/containers'],
    ['existing directories of the user are used', {}, { '/tmp/podman-run-1000': mine, '/var/tmp/containers-user-1000': mine }, '/tmp/podman-run-1000', '/var/tmp/containers-user-1000/containers'],
    ['directories of someone else: $HOME/rundir', {}, { '/tmp/podman-run-1000': { uid: 0, mode: 0o700 }, '/var/tmp/containers-user-1000': { uid: 1001, mode: 0o700 } }, '/home/u/rundir', '/home/u/rundir/containers'],
    ['buildah refuses a directory others may read or write', {}, { '/var/tmp/containers-user-1000': { uid: 1000, mode: 0o750 } }, '/tmp/podman-run-1000', '/home/u/rundir/containers'],
    ['a directory that cannot be looked at is not used', {}, { '/run/user/1000': 'unreadable', '/tmp/podman-run-1000': 'unreadable' }, '/home/u/rundir', '/var/tmp/containers-user-1000/containers'],
  ];
  for (const [name, env, dirs, podman, buildah] of cases) {
    it(name, async () => expect(await rootlessRuntimeDirs(host(env), 1000, machine(dirs))).to.deep.equal({ podman, buildah }));
  }

  it('sets nothing for root, with XDG_RUNTIME_DIR, without a uid, or off Linux', async () => {
    const probe = machine({});
    expect(await rootlessRuntimeDirs(host(), 0, probe)).to.equal(undefined);
    expect(await rootlessRuntimeDirs(host({ XDG_RUNTIME_DIR: '/run/user/1000' }), 1000, probe)).to.equal(undefined);
    expect(await rootlessRuntimeDirs(host(), undefined, probe)).to.equal(undefined);
    expect(await rootlessRuntimeDirs(host({}, 'darwin'), 1000, probe)).to.equal(undefined);
  });
});

describe('refusedRuntimeDir (rootless podman 4.3.1 and buildah 1.28.2 checking XDG_RUNTIME_DIR)', () => {
  const xdg = (dir: string) => host({ XDG_RUNTIME_DIR: dir });
  const cases: [string, string, Record<string, Dir>, string | undefined][] = [
    ['a directory of the user: taken', '/run/user/1000', { '/run/user/1000': mine }, undefined],
    ['a directory of the user that others may read: taken (no mode check)', '/x/rt', { '/x/rt': { uid: 1000, mode: 0o755 } }, undefined],
    ['a directory of another user: refused whatever its mode', '/x/rt', { '/x/rt': { uid: 0, mode: 0o777 } }, 'XDG_RUNTIME_DIR directory "/x/rt" is not owned by the current user'],
    ['a directory of the user without write access: libpod cannot be made in it', '/x/rt', { '/x/rt': { uid: 1000, mode: 0o500 } }, 'mkdir /x/rt/libpod: permission denied'],
    ['... unless libpod is there already', '/x/rt', { '/x/rt': { uid: 1000, mode: 0o500 }, '/x/rt/libpod': mine }, undefined],
    ['a directory that does not exist: no refusal (its auth.json is skipped with a warning)', '/x/nope', {}, undefined],
    ['a directory that cannot be looked at: not claimed', '/x/rt', { '/x/rt': 'unreadable' }, undefined],
    ['a relative path is looked at from the working directory, and named as given', 'rt', { '/home/u/project/rt': { uid: 0, mode: 0o755 } }, 'XDG_RUNTIME_DIR directory "rt" is not owned by the current user'],
  ];
  for (const [name, dir, dirs, expected] of cases) {
    it(name, async () => expect(await refusedRuntimeDir({ ...xdg(dir), cwd: '/home/u/project' }, 1000, machine(dirs))).to.equal(expected));
  }

  it('checks nothing for root, without XDG_RUNTIME_DIR (or with an empty one), without a uid, or off Linux', async () => {
    const probe = machine({ '/x/rt': { uid: 0, mode: 0o700 } });
    expect(await refusedRuntimeDir(xdg('/x/rt'), 0, probe)).to.equal(undefined);
    expect(await refusedRuntimeDir(xdg(''), 1000, probe)).to.equal(undefined);
    expect(await refusedRuntimeDir(host(), 1000, probe)).to.equal(undefined);
    expect(await refusedRuntimeDir(xdg('/x/rt'), undefined, probe)).to.equal(undefined);
    expect(await refusedRuntimeDir({ ...xdg('/x/rt'), platform: 'darwin' }, 1000, probe)).to.equal(undefined);
  });
});
