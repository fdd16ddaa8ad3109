import { expect } from 'chai';
import { stripListLabel } from '../../../src/stores/helper.js';

describe('helper store: listed keys', () => {
  it('strips secretservice 0.9\'s "Registry credentials for " label prefix and leaves plain keys alone', () => {
    expect(stripListLabel('Registry credentials for https://index.docker.io/v1/')).to.equal('https://index.docker.io/v1/');
    expect(stripListLabel('quay.io/org/repo')).to.equal('quay.io/org/repo');
    expect(stripListLabel('registry credentials for quay.io')).to.equal('registry credentials for quay.io');
  });
});
