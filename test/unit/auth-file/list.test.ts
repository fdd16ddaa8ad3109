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

  it('an unpadded "auth" is unreadable in a config.json, not in a pull secret (kubelet decodes it)', () => {
    const payload = JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('alice:fake-pw').toString('base64').replace(/=+$/, '') } } });
    const secret = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(payload).toString('base64') } });
    const row = (text: string, source: string) => listEntries(parseAuthText(text, source).files)[0];
    expect([row(payload, 'config.json')?.username, row(payload, 'config.json')?.problem]).to.deep.equal(['alice', 'unpadded']);
    expect([row(secret, 's.json')?.username, row(secret, 's.json')?.problem]).to.deep.equal(['alice', undefined]);
  });
});
