import { expect } from 'chai';
import { secretFromStdinText } from '../../../src/cli/stdin-secret.js';

describe('cli: the secret read from --password-stdin', () => {
  // docker/cli trims one "\n", then one "\r"; containers/common joins bufio.ScanLines lines.
  const cases: Array<[input: string, docker: string, podman: string]> = [
    ['pw', 'pw', 'pw'],
    ['pw\n', 'pw', 'pw'],
    ['pw\r\n', 'pw', 'pw'],
    ['pw\r', 'pw', 'pw'],
    ['pw\n\n', 'pw\n', 'pw'],
    ['pw\r\n\r\n', 'pw\r\n', 'pw'],
    ['p\nw\n', 'p\nw', 'pw'],
    ['pw\n\r', 'pw\n', 'pw'],
    ['pw\r\r\n', 'pw\r', 'pw\r'],
    ['p\rw', 'p\rw', 'p\rw'],
    ['\n\n', '\n', ''],
    ['', '', ''],
  ];
  for (const [input, docker, podman] of cases) {
    it(`${JSON.stringify(input)}: docker ${JSON.stringify(docker)}, podman ${JSON.stringify(podman)}`, () => {
      expect(secretFromStdinText(input, 'docker')).to.equal(docker);
      expect(secretFromStdinText(input, 'podman')).to.equal(podman);
    });
  }
});
