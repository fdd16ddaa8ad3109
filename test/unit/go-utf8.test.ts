import { expect } from 'chai';
import { decodeUTF8AsGo } from '../../src/go-utf8.js';

describe('decodeUTF8AsGo: one U+FFFD per invalid byte, as utf8.DecodeRune', () => {
  const F = '\ufffd';
  const bytes = (latin1: string) => Buffer.from(latin1, 'latin1');
  const cases: Array<[string, Uint8Array, string]> = [
    ['valid UTF-8', Buffer.from('quay.io/é😀'), 'quay.io/é😀'],
    ['two bad bytes', bytes('a\xff\xfeb'), `a${F}${F}b`],
    ['a truncated sequence (one U+FFFD for Node)', bytes('\xe2\x82c'), `${F}${F}c`],
    ['a truncated 4-byte sequence', bytes('\xf0\x9f\x98'), `${F}${F}${F}`],
    ['a valid one, then a truncated one', bytes('\xf0\x9f\x98\x80\xf0\x9f'), `😀${F}${F}`],
    ['an overlong', bytes('\xc0\xaf'), `${F}${F}`],
    ['a surrogate', bytes('\xed\xa0\x80'), `${F}${F}${F}`],
    ['past U+10FFFF', bytes('\xf4\x90\x80\x80'), `${F}${F}${F}${F}`],
    ['a BOM, kept', bytes('\xef\xbb\xbfx'), '\ufeffx'],
    ['nothing', Buffer.alloc(0), ''],
    // The bytes of U+FFFD itself are valid: kept as one, not taken for a bad byte.
    ['U+FFFD written out', Buffer.from(`a${F}b`), `a${F}b`],
    ['U+FFFD written out, then a bad byte', Buffer.concat([Buffer.from(F), bytes('\xe2\x82')]), `${F}${F}${F}`],
    ['a view into a larger buffer', Buffer.from('xxquay.io\xff', 'latin1').subarray(2), `quay.io${F}`],
    ['a Uint8Array', new Uint8Array([0x71, 0xc3, 0xa9]), 'qé'],
  ];
  for (const [name, input, expected] of cases) it(name, () => expect(decodeUTF8AsGo(input)).to.equal(expected));
});
