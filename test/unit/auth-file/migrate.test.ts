import { expect } from 'chai';
import { backupStamp, planStoreMigration } from '../../../src/auth-file/migrate.js';
import { ParseError } from '../../../src/errors.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('migrate into a store: planning', () => {
  it('moves credentials under the key docker login uses and leaves markers, keeping other fields', () => {
    const doc = {
      auths: {
        'https://index.docker.io/v1/': { auth: b64('alice:pw1') },
        'https://quay.io': { auth: b64('bob:pw2'), email: 'bob@example.invalid' },
        'ghcr.io': { auth: b64('carol:'), identitytoken: 'tok' },
        'gcr.io': {},
        'reg.example:5000': { auth: b64('dan:pw4'), registrytoken: 'rt' },
      },
      psFormat: 'table',
    };
    const plan = planStoreMigration(doc, 'config.json', 'pass');
    expect(plan.items.map((i) => [i.key, i.sourceKeys, i.credential.username, i.credential.secret])).to.deep.equal([
      ['https://index.docker.io/v1/', ['https://index.docker.io/v1/'], 'alice', 'pw1'],
      ['quay.io', ['https://quay.io'], 'bob', 'pw2'],
      ['ghcr.io', ['ghcr.io'], '<token>', 'tok'],
      ['reg.example:5000', ['reg.example:5000'], 'dan', 'pw4'],
    ]);
    expect(plan.next).to.deep.equal({
      auths: {
        'https://index.docker.io/v1/': {},
        'quay.io': { email: 'bob@example.invalid' },
        'ghcr.io': {},
        'gcr.io': {},
        'reg.example:5000': { registrytoken: 'rt' },
      },
      psFormat: 'table',
      credsStore: 'pass',
    });
  });

  it('leaves scoped keys and credHelpers routes in the file, and says why', () => {
    const doc = { auths: { 'quay.io/org/app': { auth: b64('a:b') }, 'ecr.example': { auth: b64('c:d') } }, credHelpers: { 'ecr.example': 'ecr-login' } };
    const plan = planStoreMigration(doc, 'f', 'pass');
    expect(plan.items).to.deep.equal([]);
    expect(plan.next).to.equal(undefined);
    expect(plan.kept.map((k) => k.key)).to.deep.equal(['quay.io/org/app', 'ecr.example']);
  });

  it('a key "__proto__" moves like any other and keeps its marker; a field "__proto__" stays in it', () => {
    const doc = JSON.parse(`{"auths":{"__proto__":{"auth":"${b64('a:fake-b')}","__proto__":"kept"},"kept.io":{"__proto__":"x"}}}`) as Record<string, unknown>;
    const plan = planStoreMigration(doc, 'f', 'pass');
    expect(plan.items.map((i) => i.key)).to.deep.equal(['__proto__']);
    expect(JSON.stringify(plan.next)).to.equal('{"auths":{"__proto__":{"__proto__":"kept"},"kept.io":{"__proto__":"x"}},"credsStore":"pass"}');
  });

  it('is a no-op for a file that already has only markers', () => {
    const plan = planStoreMigration({ auths: { 'quay.io': {} }, credsStore: 'pass' }, 'f', 'pass');
    expect(plan.next).to.equal(undefined);
  });

  it('merges equal credentials under two spellings, and refuses different ones', () => {
    const same = planStoreMigration({ auths: { 'quay.io': { auth: b64('a:b') }, 'https://quay.io/v1/': { auth: b64('a:b') } } }, 'f', 'pass');
    expect(same.items).to.have.length(1);
    expect(same.items[0]?.sourceKeys).to.deep.equal(['quay.io', 'https://quay.io/v1/']);
    expect(Object.keys((same.next?.auths ?? {}) as object)).to.deep.equal(['quay.io']);
    expect(() => planStoreMigration({ auths: { 'quay.io': { auth: b64('a:b') }, 'https://quay.io': { auth: b64('a:c') } } }, 'f', 'pass')).to.throw(ParseError, /one registry for docker with different credentials/);
  });

  it('refuses another credsStore, undecodable auth and .dockercfg maps, naming no secret', () => {
    expect(() => planStoreMigration({ auths: {}, credsStore: 'desktop' }, 'f', 'pass')).to.throw(ParseError, /already uses "credsStore": "desktop"/);
    const bad = () => planStoreMigration({ auths: { 'quay.io': { auth: 'not base64 secret!' } } }, 'f', 'pass');
    expect(bad).to.throw(ParseError, /cannot be decoded/);
    expect(bad).to.throw(/^(?!.*secret!)/);
    expect(() => planStoreMigration({ 'quay.io': { auth: b64('a:b') } }, 'f', 'pass')).to.throw(ParseError, /not a config.json/);
  });

  it('backup stamps are UTC and sortable', () => {
    expect(backupStamp(new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678)))).to.equal('20250102T030405Z');
  });
});
