import { expect } from 'chai';
import { LEAVE_NAMESPACE, inRootlessPodmanNamespace, mapsRootToUid } from '../../../src/stores/podman-namespace.js';
import { namespaceRefusal } from '../../../src/stores/keyutils.js';
import { PODMAN_NAMESPACE_PROBLEM } from '../../../src/stores/podman-namespace-refusal.js';

describe('rootless podman\'s user namespace', () => {
  describe('mapsRootToUid', () => {
    const cases: [string, string, string, boolean][] = [
      ['podman 4.3 with subordinate ids (/etc/subuid)', '         0       1002          1\n         1     165536      65536\n', '1002', true],
      ['podman without subordinate ids', '         0       1002          1\n', '1002', true],
      ['unshare --map-root-user, as root', '         0          0          1\n', '0', true],
      ['the initial namespace', '         0          0 4294967295\n', '0', false],
      ['the initial namespace, another uid in the variable', '         0          0 4294967295\n', '1002', false],
      ['a container\'s range (LXC, rootless docker)', '         0     100000      65536\n', '100000', false],
      ['podman\'s namespace of another user', '         0       1003          1\n', '1002', false],
      ['uid 0 mapped from a uid that only starts like it', '         0      10020          1\n', '1002', false],
      ['an empty map (no namespace set up yet)', '', '1002', false],
    ];
    for (const [what, map, uid, expected] of cases) {
      it(`${what}: ${expected}`, () => expect(mapsRootToUid(map, uid)).to.equal(expected));
    }
  });

  describe('inRootlessPodmanNamespace', () => {
    const inside = () => '         0       1002          1\n';
    it('without _CONTAINERS_ROOTLESS_UID reads nothing (every call but podman\'s pays one environment look-up)', () => {
      let reads = 0;
      expect(inRootlessPodmanNamespace({}, () => (reads++, inside()))).to.equal(false);
      expect(reads).to.equal(0);
    });
    it('with the variable, believes /proc/self/uid_map, not the variable', () => {
      expect(inRootlessPodmanNamespace({ _CONTAINERS_ROOTLESS_UID: '1002' }, inside)).to.equal(true);
      expect(inRootlessPodmanNamespace({ _CONTAINERS_ROOTLESS_UID: '1002' }, () => '         0          0 4294967295\n')).to.equal(false);
    });
    it('a variable that is no uid, or a map that cannot be read, is not podman\'s namespace', () => {
      expect(inRootlessPodmanNamespace({ _CONTAINERS_ROOTLESS_UID: '' }, inside)).to.equal(false);
      expect(inRootlessPodmanNamespace({ _CONTAINERS_ROOTLESS_UID: '1002 ' }, inside)).to.equal(false);
      expect(
        inRootlessPodmanNamespace({ _CONTAINERS_ROOTLESS_UID: '1002' }, () => {
          throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        }),
      ).to.equal(false);
    });
  });

  describe('namespaceRefusal (keyutils)', () => {
    // Inside podman's namespace the kernel keyring is only the source of a copy: the way out for
    // logins an older credkit kept there. Everything else, the helper's verbs included, refuses.
    const cases: [boolean, 'store' | 'copy-source', boolean][] = [
      [true, 'store', true],
      [true, 'copy-source', false],
      [false, 'store', false],
      [false, 'copy-source', false],
    ];
    for (const [inside, use, refused] of cases) {
      it(`${inside ? 'inside' : 'outside'} podman's namespace, ${use}: ${refused ? 'refused' : 'allowed'}`, () => {
        expect(namespaceRefusal(inside, use) !== undefined).to.equal(refused);
      });
    }
    it('the refusal names the fix and, in one clause, the way out for logins kept there before', () => {
      expect(namespaceRefusal(true, 'store')).to.equal(`${PODMAN_NAMESPACE_PROBLEM}; to move out logins kept there before, run ${LEAVE_NAMESPACE}`);
      expect(LEAVE_NAMESPACE).to.equal('podman unshare credkit copy --from keyutils --to pass --move');
    });
  });
});
