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
export const PLAIN_BYTE = new Uint8Array(256);
for (let b = 0x20; b < 0x7f; b++) PLAIN_BYTE[b] = 1;
for (const c of '"\\<>&') PLAIN_BYTE[c.charCodeAt(0)] = 0;

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
