/**
 * UTF-8 decoding as Go does it, for bytes that must read as a Go program reads them: a helper's
 * standard input (the stored key must be the one docker-credential-pass stores for the same bytes)
 * and a `!!binary` value of a pull-secret manifest (go-yaml gives kubectl its bytes as a Go
 * string). A module of its own, with no imports of credkit's, so that the helper, which loads it
 * on every call, and the core share it without either loading the other.
 */
import { isUtf8 } from 'node:buffer';

/**
 * Bytes as Go turns them into a string: invalid UTF-8 becomes one U+FFFD per byte, as
 * utf8.DecodeRune (and so encoding/json) has it, where Node's decoder puts one for each maximal
 * invalid sequence ("\xe2\x82" is one there, two in Go). Valid UTF-8 decodes alike in both.
 */
export function decodeUTF8AsGo(bytes: Uint8Array): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Node's decoder puts U+FFFD only where the bytes are not UTF-8 (or spell U+FFFD itself): text
  // without one decoded alike in both. Checked on the string, not with isUtf8 first: the helper
  // decodes its input on every call, and each Node function a call first runs costs it start-up.
  const text = buf.toString();
  if (!text.includes('\ufffd') || isUtf8(buf)) return text;
  let out = '';
  let run = 0; // start of the current run of valid sequences
  for (let i = 0; i < buf.length; ) {
    const n = validSequenceLength(buf, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += `${buf.toString('utf8', run, i)}\ufffd`;
    run = ++i;
  }
  return out + buf.toString('utf8', run);
}

/** The length of the valid UTF-8 sequence at `i` (RFC 3629: no overlongs, surrogates or > U+10FFFF), or 0. */
function validSequenceLength(b: Buffer, i: number): number {
  const c = b[i] as number;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && (b[i + k] as number) >= lo && (b[i + k] as number) <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}
