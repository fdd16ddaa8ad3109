/**
 * A growing buffer for writing JSON text straight to UTF-8 bytes, for payloads that are only
 * ever needed as bytes (a pull secret's data is base64 of them): building the text first and
 * then encoding it copied megabytes twice. Writers put in pieces that are already valid JSON
 * text, Go-escaped as {@link goEscape} would leave them.
 */
import { goEscape } from './json-text.js';

// Printable ASCII that JSON.stringify writes as is and Go's encoder does not escape: everything
// from space to `~` but `"`, `\`, `<`, `>` and `&` (1: written as is). Text of only these is its
// own JSON string content, byte for byte.
const PLAIN_BYTE = new Uint8Array(256);
for (let b = 0x20; b < 0x7f; b++) PLAIN_BYTE[b] = 1;
for (const c of '"\\<>&') PLAIN_BYTE[c.charCodeAt(0)] = 0;

/** True when every byte of `bytes[from, to)` is written in a JSON string exactly as it is (see above). */
export function isPlainJSONBytes(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (PLAIN_BYTE[bytes[i] as number] === 0) return false;
  return true;
}

/** JSON text written as UTF-8 into one growing buffer. */
export class JSONBytes {
  /** The buffer; bytes from {@link length} on are free. Replaced when it grows. */
  buffer: Buffer;
  /** Bytes written so far. */
  length = 0;

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(capacity, 64));
  }

  /** Makes room for `bytes` more bytes. */
  reserve(bytes: number): void {
    const need = this.length + bytes;
    if (need <= this.buffer.length) return;
    const next = Buffer.allocUnsafe(Math.max(need, this.buffer.length * 2));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }

  /** Appends one byte (an ASCII character); room must have been reserved. */
  byte(value: number): void {
    this.buffer[this.length++] = value;
  }

  /**
   * Appends ASCII text (constants); room must have been reserved. Pieces here are a few to a
   * hundred bytes, for which a loop is several times faster than a call to Buffer's write.
   */
  ascii(text: string): void {
    const buffer = this.buffer;
    let at = this.length;
    for (let i = 0; i < text.length; i++) buffer[at++] = text.charCodeAt(i);
    this.length = at;
  }

  /**
   * Appends `text` as the content of a JSON string when it needs no escaping at all (see
   * PLAIN_BYTE) and returns true; otherwise returns false, having written part of it (the caller
   * sets {@link length} back). Room for `text.length` bytes must have been reserved.
   */
  plain(text: string): boolean {
    const buffer = this.buffer;
    let at = this.length;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f || PLAIN_BYTE[c] === 0) return false;
      buffer[at++] = c;
    }
    this.length = at;
    return true;
  }

  /** Appends JSON text of any content, Go-escaped here; reserves its own room. */
  json(text: string): void {
    const escaped = goEscape(text);
    // A UTF-16 code unit is at most three bytes of UTF-8.
    this.reserve(escaped.length * 3);
    this.length += this.buffer.write(escaped, this.length, 'utf8');
  }

  /** The bytes written (a view of the buffer, not a copy). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}
