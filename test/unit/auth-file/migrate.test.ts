import { expect } from 'chai';
import { backupStamp, planStoreMigration } from '../../../src/auth-file/migrate.js';
import { ParseError } from '../../../src/errors.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('migrate into a store: planning', () => {
  // docker 28.2 warns "Error parsing config file", reads such a value as empty and uses the rest.
  it('reads values of the wrong type as docker does: the rest moves, each is said, and only a moved credential field leaves the file', () => {
    const doc = {
      auths: { 'quay.io': { username: 'bob', password: 'fake-pw1', auth: 5, email: 3 }, 'ghcr.io': { auth: b64('al:fake-pw2') } },
      credsStore: 7,
      credHelpers: [],
    };
    const plan = planStoreMigration(doc, 'config.json', 'pass');
    expect(plan.items.map((i) => [i.key, i.credential.username, i.credential.secret === `fake-pw${i.key === 'quay.io' ? 1 : 2}`])).to.deep.equal([
      ['quay.io', 'bob', true],
      ['ghcr.io', 'al', true],
    ]);
    expect(plan.next).to.deep.equal({ auths: { 'quay.io': { email: 3 }, 'ghcr.io': {} }, credsStore: 'pass', credHelpers: [] });
    expect(plan.kept).to.deep.equal([
      { key: 'credsStore', reason: '"credsStore" is a number, not a string, which docker reads as none (and warns about); replaced by "pass"' },
      { key: 'credHelpers', reason: '"credHelpers" is an array, not an object, which docker reads as none (and warns about); kept as it is' },
      { key: 'quay.io', reason: 'key "quay.io": "auth" is a number, not a string, which docker reads as empty (and warns about); left out if the credential moves, else kept as it is' },
      { key: 'quay.io', reason: 'key "quay.io": "email" is a number, not a string, which docker reads as empty (and warns about); kept as it is' },
    ]);
    expect(planStoreMigration({ auths: [] }, 'config.json', 'pass')).to.deep.equal({
      items: [],
      kept: [{ key: 'auths', reason: '"auths" is an array, not an object, which docker reads as no entries (and warns about); kept as it is' }],
      next: undefined,
      markers: [],
    });
  });

  // convert notes each of these; a migration that keeps them must say so too, file by file.
  it('says so of a "credHelpers" that is no object and of a helper name that is no string, which it keeps', () => {
    expect(planStoreMigration({ auths: { 'ghcr.io': { auth: b64('al:fake-pw') } }, credHelpers: 'pass' }, 'config.json', 'pass').kept).to.deep.equal([
      { key: 'credHelpers', reason: '"credHelpers" is a string, not an object, which docker reads as none (and warns about); kept as it is' },
    ]);
    // docker reads the helper name as "", names no helper for quay.io, and reads it from the file.
    const plan = planStoreMigration({ auths: { 'quay.io': { auth: b64('bob:fake-pw1') }, 'ghcr.io': { auth: b64('al:fake-pw2') } }, credHelpers: { 'quay.io': 5 } }, 'config.json', 'pass');
    expect(plan.items.map((i) => i.key)).to.deep.equal(['ghcr.io']);
    expect(plan.next?.credHelpers).to.deep.equal({ 'quay.io': 5 });
    expect(plan.kept).to.deep.equal([
      { key: 'credHelpers[quay.io]', reason: 'credHelpers["quay.io"] is a number, not a string, which docker reads as "" (no helper: it reads that registry from the file, not from credsStore) and warns about; kept as it is' },
      { key: 'quay.io', reason: 'its credHelpers entry names no helper, so docker reads it from this file, not from credsStore' },
    ]);
  });

  it('moves credentials under the key docker login uses and leaves markers, keeping other fields', () => {
    const doc = {
      auths: {
        'https://index.docker.io/v1/': { auth: b64('alice:fake-pw1') },
        'https://quay.io': { auth: b64('bob:fake-pw2'), email: 'bob@example.invalid' },
        'ghcr.io': { auth: b64('carol:'), identitytoken: 'fake-tok' },
        'gcr.io': {},
        'reg.example:5000': { auth: b64('dan:fake-pw4'), registrytoken: 'fake-rt' },
      },
      psFormat: 'table',
    };
    const plan = planStoreMigration(doc, 'config.json', 'pass');
    expect(plan.items.map((i) => [i.key, i.sourceKeys, i.credential.username, i.credential.secret])).to.deep.equal([
      ['https://index.docker.io/v1/', ['https://index.docker.io/v1/'], 'alice', 'fake-pw1'],
      ['quay.io', ['https://quay.io'], 'bob', 'fake-pw2'],
      ['ghcr.io', ['ghcr.io'], '<token>', 'fake-tok'],
      ['reg.example:5000', ['reg.example:5000'], 'dan', 'fake-pw4'],
    ]);
    expect(plan.next).to.deep.equal({
      auths: {
        'https://index.docker.io/v1/': {},
        'quay.io': { email: 'bob@example.invalid' },
        'ghcr.io': {},
        'gcr.io': {},
        'reg.example:5000': { registrytoken: 'fake-rt' },
      },
      psFormat: 'table',
      credsStore: 'pass',
    });
  });

  it('writes an entry that is no object as {} (docker reads it as empty and writes it so), says so, and moves the others', () => {
    const doc = { auths: { 'quay.io': [], 'ghcr.io': { auth: b64('a:fake-pw') }, 'gcr.io': 'abc' } };
    const plan = planStoreMigration(doc, 'config.json', 'pass');
    expect(plan.items.map((i) => i.key)).to.deep.equal(['ghcr.io']);
    expect(plan.kept.map((k) => [k.key, k.reason.startsWith('the entry is a') && k.reason.includes('written as {}')])).to.deep.equal([['quay.io', true], ['gcr.io', true]]);
    expect(plan.next).to.deep.equal({ auths: { 'quay.io': {}, 'ghcr.io': {}, 'gcr.io': {} }, credsStore: 'pass' });
  });

  it('leaves scoped keys and credHelpers routes in the file, and says why', () => {
    const doc = { auths: { 'quay.io/org/app': { auth: b64('a:fake-b') }, 'quay.io': { auth: b64('q:fake-r') }, 'ecr.example': { auth: b64('c:fake-d') } }, credHelpers: { 'ecr.example': 'ecr-login' } };
    const plan = planStoreMigration(doc, 'f', 'pass');
    expect(plan.items.map((i) => [i.key, i.sourceKeys])).to.deep.equal([['quay.io', ['quay.io']]]);
    expect(plan.kept.map((k) => k.key)).to.deep.equal(['ecr.example', 'quay.io/org/app']);
    expect(plan.kept[1]!.reason).to.match(/^scoped key: docker never asks a credential store for it/);
  });

  it("a registry known only by scoped keys: their credential is also stored under the host, which docker asks the store for", () => {
    // docker's file store answered quay.io from quay.io/org/app (it matches by host); with
    // credsStore set it asks the store for quay.io, and nothing there would mean anonymous pulls.
    const doc = { auths: { 'quay.io/org/app': { auth: b64('a:fake-b') }, 'quay.io/org/other': { auth: b64('a:fake-b') }, 'docker.io/org/app': { auth: b64('h:fake-h') } } };
    const plan = planStoreMigration(doc, 'f', 'pass');
    expect(plan.items.map((i) => [i.key, i.sourceKeys, i.credential.username, i.credential.secret])).to.deep.equal([['quay.io', ['quay.io/org/app', 'quay.io/org/other'], 'a', 'fake-b']]);
    // The scoped entries stay as they are, for podman; docker's Hub key is never a host fallback.
    expect(plan.next).to.deep.equal({ ...doc, credsStore: 'pass' });
    expect(plan.kept.map((k) => [k.key, /also stored as "quay\.io"/.test(k.reason)])).to.deep.equal([['docker.io/org/app', false], ['quay.io/org/app', true], ['quay.io/org/other', true]]);
    // Different credentials: docker's pick was random; nothing is carried, and the report says so.
    const mixed = planStoreMigration({ auths: { 'quay.io/a/b': { auth: b64('a:fake-b') }, 'quay.io/c/d': { auth: b64('c:fake-d') } } }, 'f', 'pass');
    expect(mixed.items).to.deep.equal([]);
    expect(mixed.kept.map((k) => k.reason)).to.satisfy((rs: string[]) => rs.length === 2 && rs.every((r) => /different credentials: docker took one of them at random/.test(r)));
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
    const same = planStoreMigration({ auths: { 'quay.io': { auth: b64('a:fake-b') }, 'https://quay.io/v1/': { auth: b64('a:fake-b') } } }, 'f', 'pass');
    expect(same.items).to.have.length(1);
    expect(same.items[0]?.sourceKeys).to.deep.equal(['quay.io', 'https://quay.io/v1/']);
    expect(Object.keys((same.next?.auths ?? {}) as object)).to.deep.equal(['quay.io']);
    expect(() => planStoreMigration({ auths: { 'quay.io': { auth: b64('a:fake-b') }, 'https://quay.io': { auth: b64('a:fake-c') } } }, 'f', 'pass')).to.throw(ParseError, /one registry for docker with different credentials/);
  });

  it('refuses another credsStore, undecodable auth and .dockercfg maps, naming no secret', () => {
    expect(() => planStoreMigration({ auths: {}, credsStore: 'desktop' }, 'f', 'pass')).to.throw(ParseError, /already uses "credsStore": "desktop"/);
    const bad = () => planStoreMigration({ auths: { 'quay.io': { auth: 'fake-not base64 secret!' } } }, 'f', 'pass');
    expect(bad).to.throw(ParseError, /cannot be decoded/);
    expect(bad).to.throw(/^(?!.*secret!)/);
    expect(() => planStoreMigration({ 'quay.io': { auth: b64('a:fake-b') } }, 'f', 'pass')).to.throw(ParseError, /not a config.json/);
  });

  it('backup stamps are UTC and sortable', () => {
    expect(backupStamp(new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678)))).to.equal('20250102T030405Z');
  });
});

describe('migrate into a store: a file podman reads (auth.json)', () => {
  it('routes each moved registry with credHelpers under the key podman asks a helper with, writes no credsStore, and drops the emptied entries', () => {
    const doc = { auths: { 'https://index.docker.io/v1/': { auth: b64('hub:fake-pw1') }, 'https://quay.io': { auth: b64('q:fake-pw2'), email: 'q@example.test' } }, credHelpers: { 'ghcr.io': 'pass' } };
    const plan = planStoreMigration(doc, 'auth.json', 'credkit', 'containers');
    expect(plan.items.map((i) => [i.key, i.sourceKeys])).to.deep.equal([
      ['docker.io', ['https://index.docker.io/v1/']],
      ['quay.io', ['https://quay.io']],
    ]);
    expect(plan.next).to.deep.equal({ auths: { 'quay.io': { email: 'q@example.test' } }, credHelpers: { 'ghcr.io': 'pass', 'docker.io': 'credkit', 'quay.io': 'credkit' } });
    expect(plan.kept).to.deep.equal([]);
  });

  it('keeps a registry that has a scoped credential whole, and says that a credsStore there is ignored rather than refusing another one', () => {
    const doc = { auths: { 'quay.io': { auth: b64('a:fake-pw1') }, 'quay.io/team': { auth: b64('b:fake-pw2') }, 'ghcr.io': { auth: b64('c:fake-pw3') } }, credsStore: 'desktop' };
    const plan = planStoreMigration(doc, 'auth.json', 'pass', 'containers');
    expect(plan.items.map((i) => i.key)).to.deep.equal(['ghcr.io']);
    expect(plan.next).to.deep.equal({ auths: { 'quay.io': doc.auths['quay.io'], 'quay.io/team': doc.auths['quay.io/team'] }, credsStore: 'desktop', credHelpers: { 'ghcr.io': 'pass' } });
    expect(plan.kept.map((k) => k.key)).to.deep.equal(['credsStore', 'quay.io/team', 'quay.io']);
    expect(() => planStoreMigration({ auths: { 'ghcr.io': { auth: b64('c:fake-pw3') } }, credHelpers: [] }, 'auth.json', 'pass', 'containers')).to.throw(ParseError, 'podman cannot read this file');
  });

  it('{} markers of this credsStore, which podman reads nothing from: listed, and routed by credHelpers once the store\'s credential for each is given', () => {
    const doc = { auths: { 'docker.io': {}, 'quay.io': { email: 'q@example.test' }, 'ghcr.io': {}, 'quay.io/team': {}, 'r.example.test': {} }, credsStore: 'credkit', credHelpers: { 'r.example.test': 'pass' } };
    const plan = planStoreMigration(doc, 'auth.json', 'credkit', 'containers');
    // Registry keys only, and none a credHelpers entry already routes.
    expect(plan.markers).to.deep.equal([
      { key: 'docker.io', storeKey: 'docker.io', dockerKey: 'https://index.docker.io/v1/' },
      { key: 'quay.io', storeKey: 'quay.io', dockerKey: 'quay.io' },
      { key: 'ghcr.io', storeKey: 'ghcr.io', dockerKey: 'ghcr.io' },
    ]);
    expect(plan.next).to.equal(undefined);
    const resolved = new Map([
      ['docker.io', { serverURL: 'https://index.docker.io/v1/', username: 'hub', secret: 'fake-pw1' }],
      ['quay.io', { serverURL: 'quay.io', username: 'q', secret: 'fake-pw2' }],
    ]);
    const repaired = planStoreMigration(doc, 'auth.json', 'credkit', 'containers', resolved);
    expect(repaired.items).to.deep.equal([
      { key: 'docker.io', sourceKeys: ['docker.io'], credential: { serverURL: 'docker.io', username: 'hub', secret: 'fake-pw1' } },
      { key: 'quay.io', sourceKeys: ['quay.io'], credential: { serverURL: 'quay.io', username: 'q', secret: 'fake-pw2' } },
    ]);
    expect(repaired.markers.map((m) => m.key)).to.deep.equal(['ghcr.io']);
    expect(repaired.next).to.deep.equal({
      auths: { 'quay.io': { email: 'q@example.test' }, 'ghcr.io': {}, 'quay.io/team': {}, 'r.example.test': {} },
      credsStore: 'credkit',
      credHelpers: { 'r.example.test': 'pass', 'docker.io': 'credkit', 'quay.io': 'credkit' },
    });
    // Markers of another store, and docker's files, are none of these.
    expect(planStoreMigration({ ...doc, credsStore: 'desktop' }, 'auth.json', 'credkit', 'containers').markers).to.deep.equal([]);
    expect(planStoreMigration(doc, 'config.json', 'credkit', 'docker').markers).to.deep.equal([]);
  });
});
