import { expect } from 'chai';
import { assertUsable, authHasEmptyUsername, decodeAuth, encodeAuth, entryToJSON, parseEntry } from '../../../src/auth-file/entry.js';
import { emptyAuthFile } from '../../../src/auth-file/model.js';
import { ParseError } from '../../../src/errors.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('auth entries', () => {
  const decodes: [string, string, { username?: string; password?: string; problem?: string }][] = [
    ['plain', b64('alice:fake-pw'), { username: 'alice', password: 'fake-pw' }],
    ['colon in password, split at the first', b64('alice:fake-pa:ss'), { username: 'alice', password: 'fake-pa:ss' }],
    ['empty username', b64(':fake-tok'), { username: '', password: 'fake-tok' }],
    ['unpadded', 'YWxpY2U6ZmFrZS1wdw', { username: 'alice', password: 'fake-pw', problem: 'unpadded' }],
    ['wrapped with newlines', `${b64('alice:fake-pw').slice(0, 4)}\n${b64('alice:fake-pw').slice(4)}`, { username: 'alice', password: 'fake-pw' }],
    // Go's StdEncoding (docker, podman, kubelet for a value ending in "=") wants whole groups.
    ['padded short of a whole group', 'YWxpY2U6ZmFrZS1wdw=', { problem: 'invalid-base64' }],
    ['padding alone', '==', { problem: 'invalid-base64' }],
    ['url-safe alphabet', 'YWxpY2U6ZmFrZS1wdz4_', { problem: 'invalid-base64' }],
    ['garbage', 'not base64!', { problem: 'invalid-base64' }],
    ['no colon', b64('fake-alicepw'), { problem: 'no-colon' }],
  ];
  for (const [name, input, want] of decodes) {
    it(`decodeAuth: ${name}`, () => expect(decodeAuth(input)).to.deep.equal(want));
  }

  it('decodeAuth agrees with a regex and Buffer decoder on odd lengths, padding, garbage and UTF-8', () => {
    // The decoder validates and decodes in one pass; this is the plain definition it must match.
    const reference = (value: string) => {
      const text = value.replace(/[\r\n]/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1 || (text.endsWith('=') && text.length % 4 !== 0)) return { problem: 'invalid-base64' };
      const decoded = Buffer.from(text, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return { problem: 'no-colon' };
      const out: Record<string, string> = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
      if (text.length % 4 !== 0) out.problem = 'unpadded';
      return out;
    };
    const pieces = ['', 'Y', 'YQ', 'YWI', 'YWJj', 'Og', 'Og==', 'OjpA', 'w6k6', '/+8=', '+/', '=', '==', '===', '-', '_', '\n', '\r\n', ' ', 'é', '\u{1F600}'];
    const samples = [b64('ünïcödé:fake-pässwörd'), b64('a:fake-b'), b64(':'), b64('x'.repeat(300) + ':fake-' + 'y'.repeat(300)), Buffer.from([0xff, 0x3a, 0xc3]).toString('base64')];
    let seed = 7;
    const next = (k: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % k;
    for (let i = 0; i < 5000; i++) {
      let s = next(3) === 0 ? (samples[next(samples.length)] as string) : '';
      for (let j = next(5); j > 0; j--) s += pieces[next(pieces.length)] as string;
      expect(decodeAuth(s), JSON.stringify(s)).to.deep.equal(reference(s));
      if (s === '') continue;
      // parseEntry decodes without decodeAuth's result object; it must read the same.
      const e = parseEntry({ auth: s }, 'k', 'f');
      const read: Record<string, string> = {};
      if (e.username !== undefined) read.username = e.username;
      if (e.password !== undefined) read.password = e.password;
      if (e.authProblem !== undefined) read.problem = e.authProblem;
      expect(read, JSON.stringify(s)).to.deep.equal(reference(s));
    }
  });

  it('authHasEmptyUsername agrees with decoding, for every first byte and every second character', () => {
    // It reads the first two base64 characters only; this is the definition it must match.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    for (let byte = 0; byte < 256; byte++) {
      const text = Buffer.from([byte, 0x3a, 0x61]).toString('base64');
      expect(authHasEmptyUsername(text), `first byte ${byte}`).to.equal(byte === 0x3a);
    }
    for (const c of alphabet) {
      const text = `O${c}==`;
      expect(authHasEmptyUsername(text), text).to.equal(Buffer.from(text, 'base64')[0] === 0x3a);
    }
    expect(authHasEmptyUsername(b64(':fake-tok'))).to.equal(true);
    expect(authHasEmptyUsername(b64(':'))).to.equal(true);
    expect(authHasEmptyUsername(b64('alice:fake-pw'))).to.equal(false);
  });

  it('encodeAuth writes padded standard base64', () => {
    expect(encodeAuth('alice', 'fake-pw')).to.equal('YWxpY2U6ZmFrZS1wdw==');
    expect(encodeAuth('a', 'fake-<>&?')).to.equal(Buffer.from('a:fake-<>&?').toString('base64'));
  });

  it('parseEntry: auth overrides explicit fields and flags the disagreement', () => {
    const e = parseEntry({ auth: b64('alice:fake-pw'), username: 'bob', password: 'fake-x' }, 'quay.io', 'f.json');
    expect(e).to.include({ username: 'alice', password: 'fake-pw', authDisagrees: true });
  });

  it('parseEntry: explicit username/password without auth are used and flagged', () => {
    const e = parseEntry({ username: 'bob', password: 'fake-x' }, 'quay.io', 'f.json');
    expect(e).to.include({ username: 'bob', password: 'fake-x', explicitOnly: true });
  });

  it('parseEntry: fields named like Object.prototype members are unknown fields, kept', () => {
    // As JSON.parse makes it: "__proto__" is an own property there.
    const raw = JSON.parse(`{"auth":"${b64('a:fake-b')}","constructor":"x","toString":"y","__proto__":"z"}`);
    const e = parseEntry(raw, 'k', 'f');
    expect(Object.keys(e.extra ?? {})).to.deep.equal(['constructor', 'toString', '__proto__']);
    expect(JSON.stringify(entryToJSON(e, 'docker'))).to.equal(`{"auth":"${b64('a:fake-b')}","constructor":"x","toString":"y","__proto__":"z"}`);
  });

  it('parseEntry: keeps unknown fields, matches known ones case-insensitively', () => {
    const e = parseEntry({ Auth: b64('a:fake-b'), IdentityToken: 'fake-tok', HttpHeaders: { X: '1' } }, 'k', 'f');
    expect(e).to.include({ username: 'a', password: 'fake-b', identityToken: 'fake-tok' });
    expect(e.extra).to.deep.equal({ HttpHeaders: { X: '1' } });
  });

  it('parseEntry: a non-object entry or non-string field is a ParseError naming file and key', () => {
    expect(() => parseEntry('fake-s3cret-value', 'quay.io', 'f.json')).to.throw(ParseError, /f\.json: key "quay\.io"/);
    try {
      parseEntry({ auth: 42 }, 'quay.io', 'f.json');
      expect.fail('no error');
    } catch (err) {
      expect((err as Error).message).to.match(/f\.json: key "quay\.io": field "auth" must be a string/);
    }
  });

  const styles: [string, 'docker' | 'podman' | 'dockercfg' | 'kubernetes', object][] = [
    ['docker', 'docker', { auth: b64('u:fake-p'), email: 'e@x', identitytoken: 'fake-t' }],
    ['podman', 'podman', { auth: b64('u:fake-p'), email: 'e@x', identitytoken: 'fake-t' }],
    ['kubernetes', 'kubernetes', { username: 'u', password: 'fake-p', email: 'e@x', auth: b64('u:fake-p'), identitytoken: 'fake-t' }],
  ];
  for (const [name, style, want] of styles) {
    it(`entryToJSON in ${name} style`, () => {
      const e = parseEntry({ auth: b64('u:fake-p'), email: 'e@x', identitytoken: 'fake-t' }, 'k', 'f');
      const out = entryToJSON(e, style);
      expect(out).to.deep.equal(want);
      expect(Object.keys(out)).to.deep.equal(Object.keys(want));
    });
  }

  it('assertUsable refuses a key that holds a credential, found when read or set since', () => {
    const place = { index: 1, member: 'auths' };
    const file = emptyAuthFile('f.json', 'docker');
    file.entries.push(parseEntry({ auth: b64('alice:fake-pw') }, 'quay.io', 'f.json', undefined, false, place));
    expect(() => assertUsable(file)).not.to.throw();
    file.entries.push(parseEntry({ auth: b64('alice:fake-pw') }, b64('bob:fake-pw'), 'f.json', undefined, false, { index: 2, member: 'auths' }));
    expect(() => assertUsable(file)).to.throw(ParseError, /entry #2 of auths, hidden/);
    file.entries.pop();
    // A key found to hold none when read, changed since, is looked at again.
    (file.entries[0] as { key: string }).key = b64('bob:fake-pw');
    expect(() => assertUsable(file)).to.throw(ParseError, /holds a credential/);
  });

  it('podman style gives a token-only entry an auth with a colon (else podman drops it)', () => {
    const e = parseEntry({ identitytoken: 'fake-t' }, 'k', 'f');
    expect(entryToJSON(e, 'podman')).to.deep.equal({ auth: 'Og==', identitytoken: 'fake-t' });
    expect(entryToJSON(e, 'docker')).to.deep.equal({ identitytoken: 'fake-t' });
  });

  it('a stub stays {}', () => {
    expect(entryToJSON(parseEntry({}, 'k', 'f'), 'docker')).to.deep.equal({});
  });
});
