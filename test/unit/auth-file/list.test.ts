import { expect } from 'chai';
import { listEntries } from '../../../src/auth-file/list.js';
import { parseAuthText } from '../../../src/auth-file/read.js';

describe('ls rows', () => {
  it('a {} entry is "in helper" only through a credHelpers key a client takes', () => {
    const text = JSON.stringify({ auths: { 'quay.io': {}, 'gcr.io': {} }, credHelpers: { 'https://quay.io': 'pass', 'gcr.io': 'pass' } });
    const rows = listEntries(parseAuthText(text, 'config.json').files);
    expect(rows.map((r) => [r.key, r.helper])).to.deep.equal([
      ['quay.io', undefined],
      ['gcr.io', 'pass'],
      ['credHelpers[https://quay.io]', 'pass'],
    ]);
  });
});
