/**
 * What reaches a terminal: control and invisible characters escaped in lines for people, control
 * characters alone in a revealed secret, and JSON that keeps the value.
 */
import { expect } from 'chai';
import { escapeControlCharacters, escapeControls, escapeJSONText, holdsInvisible } from '../../src/escape.js';

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
