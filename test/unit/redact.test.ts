/**
 * maskUserinfo: the password of a URL typed with credentials (`https://alice:pw@quay.io`) never
 * reaches a message, and nothing that only looks alike (digests, ports) is touched.
 */
import { expect } from 'chai';
import { credentialInServerURL, maskKey, maskUserinfo, maskUserinfoDeep, shownKey } from '../../src/redact.js';

describe('maskUserinfo', () => {
  const cases: [string, string][] = [
    ['https://alice:fake-pw@quay.io', 'https://alice:********@quay.io'],
    ['alice:fake-pw@quay.io/org/app', 'alice:********@quay.io/org/app'],
    ['no credential stored for "https://alice:fake-pw@quay.io/v2/"', 'no credential stored for "https://alice:********@quay.io/v2/"'],
    ['--registry=bob:fake-x@ghcr.io and (carol:fake-y@r.example)', '--registry=bob:********@ghcr.io and (carol:********@r.example)'],
    [':fake-only@quay.io', ':********@quay.io'],
    // A password may hold "@" and "/": the user-info ends at the last "@", and when no host follows
    // it, what follows is the rest of the password.
    ['alice:fake-p@ss@quay.io/org', 'alice:********@quay.io/org'],
    ['alice:fake-p@ssw0rd', 'alice:********'],
    ['key "alice:fake-p@ssw0rd" holds', 'key "alice:********" holds'],
    ['robot:fake-Tok/en+==@quay.io', 'robot:********@quay.io'],
    ['https://alice:fake-p@ss@localhost:5000/v2/', 'https://alice:********@localhost:5000/v2/'],
    ['alice:fake-pw@[::1]:5000', 'alice:********@[::1]:5000'],
    ['alice:fake-pw@quay.io:443 and bob:fake-x@ghcr.io', 'alice:********@quay.io:443 and bob:********@ghcr.io'],
    ['alice:fake-pw@quay.io/org/app@sha256:0123456789abcdef0123456789abcdef', 'alice:********@quay.io/org/app@sha256:0123456789abcdef0123456789abcdef'],
    // Left as they are: no password, or an "@" that starts a digest.
    ['alice@quay.io', 'alice@quay.io'],
    ['"quay.io/org/app@sha256:0123456789abcdef0123456789abcdef": invalid digest', '"quay.io/org/app@sha256:0123456789abcdef0123456789abcdef": invalid digest'],
    ['nginx@sha256:0123456789abcdef0123456789abcdef', 'nginx@sha256:0123456789abcdef0123456789abcdef'],
    ['localhost:5000/app:1.0 and quay.io:443', 'localhost:5000/app:1.0 and quay.io:443'],
    ['localhost:5000/app@sha256:0123456789abcdef0123456789abcdef', 'localhost:5000/app@sha256:0123456789abcdef0123456789abcdef'],
    ['"localhost:5000/app@sha256:bad": invalid digest', '"localhost:5000/app@sha256:bad": invalid digest'],
    ['https://quay.io/org@x', 'https://quay.io/org@x'],
  ];
  for (const [text, shown] of cases) {
    it(`${JSON.stringify(text)}`, () => {
      expect(maskUserinfo(text)).to.equal(shown);
    });
  }
});

describe('maskUserinfoDeep', () => {
  it('masks every string of plain objects and arrays, and keeps anything else as it is', () => {
    class Hidden {
      constructor(readonly value: string) {}
    }
    const hidden = new Hidden('alice:fake-pw@quay.io');
    const shown = maskUserinfoDeep({ key: 'https://alice:fake-pw@quay.io', n: 1, rows: [{ keys: ['bob:fake-pw@ghcr.io', 'quay.io'] }], hidden, none: undefined });
    expect(shown).to.deep.equal({ key: 'https://alice:********@quay.io', n: 1, rows: [{ keys: ['bob:********@ghcr.io', 'quay.io'] }], hidden, none: undefined });
    expect(shown.hidden).to.equal(hidden);
  });
});

describe('maskKey: a whole key, whose password may hold white space and quotes', () => {
  // [key, as shown, the host credentialInServerURL says it meant (undefined: no password in it)]
  const cases: [string, string, string | undefined][] = [
    ['alice:fake-quokka fake-zephyr@ghcr.io', 'alice:********@ghcr.io', 'ghcr.io'],
    ['alice:fake-quokka\tfake-zephyr@quay.io/org', 'alice:********@quay.io/org', 'quay.io'],
    ['alice:fake-quokka\u00a0fake-zephyr@ghcr.io', 'alice:********@ghcr.io', 'ghcr.io'],
    ['alice:fake-quokka\u3000fake-zephyr\u2003fake-tundra@ghcr.io', 'alice:********@ghcr.io', 'ghcr.io'],
    ['https://alice:fake-quokka fake-zephyr@registry.example:5000/v2/', 'https://alice:********@registry.example:5000/v2/', 'registry.example:5000'],
    ['alice:fake-quokka "fake-zephyr\'@ghcr.io', 'alice:********@ghcr.io', 'ghcr.io'],
    ['alice:fake-quokka fake-p@ss@ghcr.io', 'alice:********@ghcr.io', 'ghcr.io'],
    ['alice:fake-quokka fake-p@ssw0rd', 'alice:********', ''],
    ['alice:fake-pw@ghcr.io', 'alice:********@ghcr.io', 'ghcr.io'],
    ['alice smith:fake-quokka@ghcr.io', 'alice smith:********@ghcr.io', 'ghcr.io'],
    // As free text masks them: no password, or an "@" that starts a digest or follows a port and path.
    ['alice@ghcr.io', 'alice@ghcr.io', undefined],
    ['quay.io', 'quay.io', undefined],
    ['localhost:5000/app@sha256:0123456789abcdef0123456789abcdef', 'localhost:5000/app@sha256:0123456789abcdef0123456789abcdef', undefined],
    ['quay.io/org/app@sha256:0123456789abcdef0123456789abcdef', 'quay.io/org/app@sha256:0123456789abcdef0123456789abcdef', undefined],
    ['https://quay.io/org@x', 'https://quay.io/org@x', undefined],
  ];
  for (const [key, shown, host] of cases) {
    it(`${JSON.stringify(key)}`, () => {
      expect(maskKey(key)).to.equal(shown);
      expect(shownKey(key)).to.equal(shown);
      const held = credentialInServerURL(key);
      expect(held === undefined ? undefined : 'host' in held ? held.host : 'what').to.equal(host);
      // What the library returns for people names a key in these fields.
      expect(maskUserinfoDeep({ key, serverURL: key, rows: [{ registry: key, targetKey: key }] })).to.deep.equal({ key: shown, serverURL: shown, rows: [{ registry: shown, targetKey: shown }] });
    });
  }
  it('free text keeps its rule: a URL ends at a space', () => {
    expect(maskUserinfo('run docker login alice:fake-pw@ghcr.io now')).to.equal('run docker login alice:********@ghcr.io now');
    expect(maskUserinfoDeep({ message: 'key holds alice: the host' })).to.deep.equal({ message: 'key holds alice: the host' });
  });
});
