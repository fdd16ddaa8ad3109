import { expect } from 'chai';
import { MAX_NESTING, leadingValueText, nestsTooDeep } from '../../../src/auth-file/json-text.js';

const nested = (levels: number) => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`) as unknown;

describe('nestsTooDeep', () => {
  it('allows MAX_NESTING levels and refuses one more, in arrays and objects', () => {
    expect(nestsTooDeep(nested(MAX_NESTING))).to.equal(false);
    expect(nestsTooDeep(nested(MAX_NESTING + 1))).to.equal(true);
    const objects = JSON.parse(`${'{"a":'.repeat(MAX_NESTING + 1)}1${'}'.repeat(MAX_NESTING + 1)}`) as unknown;
    expect(nestsTooDeep(objects)).to.equal(true);
  });

  it('takes scalars and wide shallow values as they are, and a very deep value without overflowing', () => {
    for (const v of [null, undefined, 1, 'x', true]) expect(nestsTooDeep(v)).to.equal(false);
    expect(nestsTooDeep({ a: Array.from({ length: 10000 }, () => ({ b: [1] })) })).to.equal(false);
    expect(nestsTooDeep(nested(100000))).to.equal(true);
  });
});

describe('leadingValueText', () => {
  const table: [string, string, string | undefined][] = [
    ['garbage after an object', '{"a":"}"}xyz', '{"a":"}"}'],
    ['a second object', ' {"a":{"b":[1]}}\n{"a":2}', ' {"a":{"b":[1]}}'],
    ['a stray bracket after an escaped backslash', '{"a":"\\\\"}]', '{"a":"\\\\"}'],
    ['an escaped quote inside a string', '{"a":"x\\"}"} ,', '{"a":"x\\"}"}'],
    ['only white space after it: nothing to cut', '{"a":1}\n\t ', undefined],
    ['an unclosed object', '{"a":{', undefined],
    ['an unterminated string', '{"a":"}', undefined],
    ['not an object or array', '"x" y', undefined],
  ];
  for (const [name, text, want] of table) it(name, () => expect(leadingValueText(text)).to.equal(want));
});
