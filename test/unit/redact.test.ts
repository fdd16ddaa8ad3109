/**
 * maskUserinfo: the password of a URL typed with credentials (`https://alice:pw@quay.io`) never
 * reaches a message, and nothing that only looks alike (digests, ports) is touched.
 */
import { expect } from 'chai';
import { escapeControlCharacters, escapeControls, escapeJSONText, holdsInvisible, maskUserinfo, maskUserinfoDeep } from '../../src/redact.js';

describe('maskUserinfo', () => {
  const cases: [string, string][] = [
    ['https://alice:fake-pw@quay.io', 'https://alice:********@quay.io'],
    ['alice:fake-pw@quay.io/org/app', 'alice:********@quay.io/org/app'],
    ['no credential stored for "https://alice:fake-pw@quay.io/v2/"', 'no credential stored for "https://alice:********@quay.io/v2/"'],
    ['--registry=bob:fake-x@ghcr.io and (carol:fake-y@r.example)', '--registry=bob:********@ghcr.io and (carol:********@r.example)'],
    [':fake-only@quay.io', ':********@quay.io'],
    // Left as they are: no password, or an "@" that starts a digest.
    ['alice@quay.io', 'alice@quay.io'],
    ['"quay.io/org/app@sha256:0123456789abcdef0123456789abcdef": invalid digest', '"quay.io/org/app@sha256:0123456789abcdef0123456789abcdef": invalid digest'],
    ['nginx@sha256:0123456789abcdef0123456789abcdef', 'nginx@sha256:0123456789abcdef0123456789abcdef'],
    ['localhost:5000/app:1.0 and quay.io:443', 'localhost:5000/app:1.0 and quay.io:443'],
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

describe('escapeControls', () => {
  const cases: [string, string][] = [
    ['quay.io and ghcr.io/org\tx\n', 'quay.io and ghcr.io/org\tx\n'],
    ['esc\x1b[2J del\x7f csi\x9b', 'esc\\x1b[2J del\\x7f csi\\x9b'],
    ['evil\u202eoi.yauq \u2066a\u2069 \u200e\u200f\u061c', 'evil\\u202eoi.yauq \\u2066a\\u2069 \\u200e\\u200f\\u061c'],
    ['zero\u200bwidth \u200d \u2060 \ufeff \u00ad \u3164 \ufe0f \u2028 \u2029', 'zero\\u200bwidth \\u200d \\u2060 \\ufeff \\u00ad \\u3164 \\ufe0f \\u2028 \\u2029'],
    ['tag\u{e0041} lone \ud800', 'tag\\u{e0041} lone \\ud800'],
    // Letters of any script, and visible spaces, are left as they are.
    ['bücher.example שלום 日本 a\u00a0b', 'bücher.example שלום 日本 a\u00a0b'],
  ];
  // Titled by the escaped form, so that the test's own output shows none of them raw.
  for (const [text, shown] of cases) it(JSON.stringify(shown), () => expect(escapeControls(text)).to.equal(shown));

  it('holdsInvisible says whether a key has any of them (tab and newline too)', () => {
    expect(['quay.io', 'bücher.example', 'localhost:5000/org'].map(holdsInvisible)).to.deep.equal([false, false, false]);
    expect(['evil\u202e.io', 'a\tb', 'a\x1b', 'a\u{e0041}', '\ufeffquay.io'].map(holdsInvisible)).to.deep.equal([true, true, true, true, true]);
  });
});

describe('escapeControlCharacters', () => {
  it('escapes control characters only: a revealed secret keeps its joiners and marks', () => {
    expect(escapeControlCharacters('fake-\u{1f469}\u200d\u{1f4bb}\u200f \x1b[2J\x9b')).to.equal('fake-\u{1f469}\u200d\u{1f4bb}\u200f \\x1b[2J\\x9b');
  });
});

describe('escapeJSONText', () => {
  it('writes them as \\u escapes, so that the JSON holds the same value', () => {
    const value = { key: 'evil\u202eoi.yauq', user: 'u\x9b\x7f\u2028', tag: 'a\u{e0041}', plain: 'bücher.example' };
    const text = escapeJSONText(JSON.stringify(value));
    expect(text).to.equal('{"key":"evil\\u202eoi.yauq","user":"u\\u009b\\u007f\\u2028","tag":"a\\udb40\\udc41","plain":"bücher.example"}');
    expect(JSON.parse(text)).to.deep.equal(value);
  });
});
