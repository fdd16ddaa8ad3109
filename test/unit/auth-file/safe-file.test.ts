import { expect } from 'chai';
import { lockTakerState } from '../../../src/auth-file/safe-file.js';

describe('lock files: who holds them', () => {
  const self = '100 build-host pid:[4026531836]\n';
  const runs = (pid: number) => pid === 200;
  const table: [string, string, 'gone' | 'running' | 'unknown'][] = [
    ['a taker on this host and pid namespace that no longer runs', '300 build-host pid:[4026531836]\n', 'gone'],
    ['a taker that still runs', '200 build-host pid:[4026531836]\n', 'running'],
    ['this process itself (another lock call in it)', '100 build-host pid:[4026531836]\n', 'running'],
    ['another host (a shared home directory)', '300 other-host pid:[4026531836]\n', 'unknown'],
    ['another pid namespace (a container sharing the home)', '300 build-host pid:[4026532000]\n', 'unknown'],
    ['an empty file (taken, line not written yet; or an older credkit)', '', 'unknown'],
    ['a half-written line', '300 build-host', 'unknown'],
    ['pid 0', '0 build-host pid:[4026531836]\n', 'unknown'],
  ];
  for (const [what, text, state] of table) {
    it(`${what}: ${state}`, () => expect(lockTakerState(text, self, runs)).to.equal(state));
  }
});
