/**
 * Just enough of the D-Bus wire protocol for the bus daemon and the Secret Service: parse a bus
 * address, authenticate with EXTERNAL, marshal method calls and read replies made of `y`, `b`, `u`,
 * `s`, `o`, `g`, `v`, arrays (`ay` as bytes), structs and dict entries. Spawning `dbus-send`, or
 * loading a native keyring library, cost more than the whole helper call should (see bench/).
 */
import { connect } from 'node:net';

/** A socket to dial, or the transport we cannot (tcp:, launchd:, unixexec:, …). */
export type BusEndpoint = { path: string } | { unsupported: string };

/** The endpoints of a `;`-separated bus address, in the order they should be tried. */
export function parseBusAddress(address: string): BusEndpoint[] {
  return address.split(';').filter(Boolean).map((entry) => {
    const colon = entry.indexOf(':');
    const transport = colon < 0 ? entry : entry.slice(0, colon);
    const params = new Map<string, string>();
    for (const pair of entry.slice(colon + 1).split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) params.set(pair.slice(0, eq), unescapeValue(pair.slice(eq + 1)));
    }
    const path = params.get('path');
    const abstract = params.get('abstract');
    if (transport === 'unix' && path !== undefined) return { path };
    // Linux abstract sockets: a path starting with a NUL byte (Node 20 cannot reach them; see
    // secret-service-bus.ts).
    if (transport === 'unix' && abstract !== undefined) return { path: `\0${abstract}` };
    return { unsupported: transport === 'unix' ? entry : `${transport}:` };
  });
}

// Address values escape any byte as %XX; only [-0-9A-Za-z_/.\*] may appear unescaped.
function unescapeValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * A value on the wire. `ay` is a Buffer; arrays, structs and dict entries are arrays (a dict is an
 * array of `[key, value]` pairs); a variant is read as its inner value and written from a
 * `[signature, value]` pair.
 */
export type BusValue = boolean | number | string | Buffer | BusValue[];

/** One message off the wire; `body` is still marshalled (its start is 8-aligned in the message). */
export interface BusMessage {
  type: number;
  serial: number;
  replySerial?: number;
  errorName?: string;
  signature: string;
  littleEndian: boolean;
  body: Buffer;
}

export const METHOD_CALL = 1;
export const METHOD_RETURN = 2;
export const ERROR = 3;
export const SIGNAL = 4;

const enum Field { Path = 1, Interface = 2, Member = 3, ErrorName = 4, ReplySerial = 5, Destination = 6, Signature = 8 }

const MAX_MESSAGE = 2 ** 27; // the specification's limit

// The types this client reads and writes; anything else is refused rather than guessed at.
const BASIC = 'ybusog';

/** The end (exclusive) of the single complete type that starts at `i` in `sig`. */
function typeEnd(sig: string, i: number): number {
  const c = sig[i];
  if (c !== undefined && BASIC.includes(c)) return i + 1;
  if (c === 'v') return i + 1;
  if (c === 'a') return typeEnd(sig, i + 1);
  if (c === '(' || c === '{') {
    const close = c === '(' ? ')' : '}';
    let j = i + 1;
    while (sig[j] !== close) {
      if (j >= sig.length) break;
      j = typeEnd(sig, j);
    }
    if (sig[j] === close && j > i + 1) return j + 1;
  }
  throw new TypeError(`unsupported D-Bus signature "${sig}"`);
}

/** Splits a signature into its complete types (`sa{sv}` → `s`, `a{sv}`). */
export function splitSignature(sig: string): string[] {
  const types: string[] = [];
  for (let i = 0; i < sig.length; ) {
    const end = typeEnd(sig, i);
    types.push(sig.slice(i, end));
    i = end;
  }
  return types;
}

function alignmentOf(type: string): number {
  const c = type[0];
  if (c === 'y' || c === 'g' || c === 'v') return 1;
  if (c === '(' || c === '{') return 8;
  return 4;
}

/** Appends values of a signature to a growing buffer; alignment is relative to the message start. */
class Writer {
  private buf = Buffer.alloc(256);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  pad(n: number): void {
    const k = (n - (this.length % n)) % n;
    this.room(k);
    this.buf.fill(0, this.length, this.length + k);
    this.length += k;
  }
  byte(v: number): void {
    this.room(1);
    this.buf[this.length++] = v;
  }
  bytes(b: Buffer): void {
    this.room(b.length);
    b.copy(this.buf, this.length);
    this.length += b.length;
  }
  u32(v: number): void {
    this.pad(4);
    this.room(4);
    this.buf.writeUInt32LE(v >>> 0, this.length);
    this.length += 4;
  }
  patchU32(at: number, v: number): void {
    this.buf.writeUInt32LE(v, at);
  }
  value(type: string, v: BusValue): void {
    const c = type[0];
    switch (c) {
      case 'y': return this.byte(v as number);
      case 'b': return this.u32(v === true ? 1 : 0);
      case 'u': return this.u32(v as number);
      case 's': case 'o': {
        const b = Buffer.from(v as string, 'utf8');
        this.u32(b.length);
        this.bytes(b);
        return this.byte(0);
      }
      case 'g': {
        this.byte((v as string).length);
        this.bytes(Buffer.from(v as string, 'ascii'));
        return this.byte(0);
      }
      case 'v': {
        const [sig, inner] = v as [string, BusValue];
        if (splitSignature(sig).length !== 1) throw new TypeError(`a variant holds one complete type, not "${sig}"`);
        this.value('g', sig);
        return this.value(sig, inner);
      }
      case 'a': {
        const item = type.slice(1);
        this.u32(0);
        const lengthAt = this.length - 4;
        this.pad(alignmentOf(item)); // the length excludes the padding before the first item
        const start = this.length;
        if (item === 'y') this.bytes(v as Buffer);
        else for (const x of v as BusValue[]) this.value(item, x);
        return this.patchU32(lengthAt, this.length - start);
      }
      case '(': case '{': {
        this.pad(8);
        const fields = v as BusValue[];
        splitSignature(type.slice(1, -1)).forEach((t, i) => this.value(t, fields[i] as BusValue));
        return;
      }
      default: throw new TypeError(`unsupported D-Bus type "${type}"`);
    }
  }
  done(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/** A method call: where it goes, and its arguments as `signature` describes them. */
export interface MethodCall {
  destination: string;
  path: string;
  interface: string;
  member: string;
  signature?: string;
  args?: readonly BusValue[];
}

/** Marshals a method call (little-endian). */
export function marshalCall(serial: number, call: MethodCall): Buffer {
  const w = new Writer();
  const signature = call.signature ?? '';
  const field = (code: Field, type: 's' | 'o' | 'g', value: string) => {
    w.pad(8); // each header field is a struct (y, v)
    w.byte(code);
    w.value('g', type);
    w.value(type, value);
  };
  w.bytes(Buffer.from([0x6c /* 'l' */, METHOD_CALL, 0, 1]));
  w.u32(0); // body length, patched below
  w.u32(serial);
  w.u32(0); // header field array length, patched below
  field(Field.Path, 'o', call.path);
  field(Field.Destination, 's', call.destination);
  field(Field.Interface, 's', call.interface);
  field(Field.Member, 's', call.member);
  if (signature) field(Field.Signature, 'g', signature);
  const fieldsEnd = w.length;
  w.pad(8);
  const bodyStart = w.length;
  const types = splitSignature(signature);
  const args = call.args ?? [];
  if (args.length !== types.length) throw new TypeError(`"${signature}" needs ${types.length} arguments, not ${args.length}`);
  types.forEach((t, i) => w.value(t, args[i] as BusValue));
  w.patchU32(4, w.length - bodyStart);
  w.patchU32(12, fieldsEnd - 16); // the array's length excludes the padding after it
  return w.done();
}

const BUS_DAEMON = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus' } as const;

/** A method call on the bus daemon (`org.freedesktop.DBus` at `/org/freedesktop/DBus`) with string arguments. */
export function marshalBusCall(serial: number, member: string, args: readonly string[] = []): Buffer {
  return marshalCall(serial, { ...BUS_DAEMON, member, signature: 's'.repeat(args.length), args });
}

/** Reads values of a signature from `buf`, starting at `pos`; alignment is relative to `buf`. */
class Reader {
  constructor(readonly buf: Buffer, readonly le: boolean, public pos = 0) {}
  align(n: number): void {
    this.pos += (n - (this.pos % n)) % n;
  }
  u32(): number {
    this.align(4);
    const v = this.le ? this.buf.readUInt32LE(this.pos) : this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  text(len: number): string {
    if (this.pos + len >= this.buf.length) throw new RangeError('D-Bus string runs past the message');
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len + 1; // and the NUL
    return s;
  }
  value(type: string): BusValue {
    switch (type[0]) {
      case 'y': return this.buf.readUInt8(this.pos++);
      case 'b': return this.u32() !== 0;
      case 'u': return this.u32();
      case 's': case 'o': return this.text(this.u32());
      case 'g': return this.text(this.buf.readUInt8(this.pos++));
      case 'v': {
        const sig = this.value('g') as string;
        if (splitSignature(sig).length !== 1) throw new TypeError(`unsupported D-Bus variant "${sig}"`);
        return this.value(sig);
      }
      case 'a': {
        const len = this.u32();
        const item = type.slice(1);
        splitSignature(item);
        this.align(alignmentOf(item)); // the length excludes the padding before the first item
        const end = this.pos + len;
        if (end > this.buf.length) throw new RangeError('D-Bus array runs past the message');
        if (item === 'y') {
          const bytes = Buffer.from(this.buf.subarray(this.pos, end));
          this.pos = end;
          return bytes;
        }
        const items: BusValue[] = [];
        while (this.pos < end) items.push(this.value(item));
        return items;
      }
      case '(': case '{': {
        this.align(8);
        return splitSignature(type.slice(1, -1)).map((t) => this.value(t));
      }
      default: throw new TypeError(`unsupported D-Bus type "${type}"`);
    }
  }
}

/** Unmarshals a message body. */
export function unmarshalBody(message: Pick<BusMessage, 'signature' | 'littleEndian' | 'body'>): BusValue[] {
  const types = splitSignature(message.signature);
  const r = new Reader(message.body, message.littleEndian);
  return types.map((t) => r.value(t));
}

/** The first complete message in `buf` and its size, or undefined when more bytes are needed. */
export function unmarshalMessage(buf: Buffer): { message: BusMessage; size: number } | undefined {
  if (buf.length < 16) return undefined;
  const le = buf[0] === 0x6c; // 'l'; 'B' is big-endian
  if (!le && buf[0] !== 0x42) throw new Error('not a D-Bus message');
  const r = new Reader(buf, le, 4);
  const bodyLength = r.u32();
  const serial = r.u32();
  const fieldsLength = r.u32();
  const bodyStart = 16 + fieldsLength + ((8 - ((16 + fieldsLength) % 8)) % 8);
  const size = bodyStart + bodyLength;
  if (size > MAX_MESSAGE) throw new Error('D-Bus message too large');
  if (buf.length < size) return undefined;
  const message: BusMessage = { type: buf[1]!, serial, signature: '', littleEndian: le, body: buf.subarray(bodyStart, size) };
  while (r.pos < 16 + fieldsLength) {
    r.align(8);
    const code = buf.readUInt8(r.pos++);
    const type = r.value('g') as string;
    const value = r.value(type);
    if (code === Field.ReplySerial) message.replySerial = value as number;
    else if (code === Field.ErrorName) message.errorName = value as string;
    else if (code === Field.Signature) message.signature = value as string;
  }
  return { message, size };
}

/** A method return's values, or an error reply's name and message. */
export type BusReply = { values: BusValue[]; error?: undefined } | { error: string; errorName: string; values?: undefined };

/** A method call: on the bus daemon when given a member name and string arguments, else as described. */
export type BusCall = (member: string | MethodCall, args?: readonly string[]) => Promise<BusReply>;

/** Why `callBus` gave up; `connect` failures mean the next address of a list may be tried. */
export class BusFailure extends Error {
  /** Whether the bus daemon had answered Hello when this happened (a timeout after it: a slow service). */
  busAnswered = false;
  /** The size in bytes of the largest message sent on the connection (see `hungUp`). */
  largestSent = 0;
  constructor(message: string, readonly stage: 'connect' | 'auth' | 'protocol' | 'timeout', readonly code?: string) {
    super(message);
  }

  /**
   * Whether the bus hung up on a connection it had accepted (EPIPE, ECONNRESET, or an end of the
   * stream): dbus-daemon does so, without an error reply, on a message over its max_message_size.
   */
  get hungUp(): boolean {
    return this.stage === 'protocol' && (this.code === 'EPIPE' || this.code === 'ECONNRESET' || this.code === CLOSED);
  }
}

/** BusFailure's code when the bus ended the stream (no errno). */
const CLOSED = 'CLOSED';

/**
 * Connects to the socket at `path`, authenticates with EXTERNAL, says Hello, then lets `talk` make
 * calls. `uid` is the identity to claim: credkit claims none (undefined), so that the bus goes by
 * the socket's credentials, which the kernel translates across a user namespace; a uid is for
 * tests of a refused identity. The socket is closed when `talk` settles, the bus hangs up, or `timeoutMs` runs out
 * (or `busTimeoutMs`, when given, before the bus daemon has answered Hello: a wedged bus fails fast
 * even when the calls themselves may take long).
 */
export function callBus<T>(
  path: string,
  uid: number | undefined,
  timeoutMs: number,
  talk: (call: BusCall) => Promise<T>,
  busTimeoutMs = timeoutMs,
): Promise<T> {
  if (timeoutMs <= 0) return Promise.reject(new BusFailure('no answer in time', 'timeout'));
  return new Promise<T>((resolve, reject) => {
    const socket = connect({ path });
    let connected = false;
    let authenticated = false;
    let settled = false;
    let pending: Buffer = Buffer.alloc(0);
    let serial = 0;
    let busAnswered = false;
    let largestSent = 0;
    const waiting = new Map<number, (reply: BusReply) => void>();

    // What `talk` itself throws passes through as it is; anything else becomes a BusFailure.
    const finish = (err: unknown, value?: T, fromTalk = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(busTimer);
      socket.destroy();
      if (err === undefined) return resolve(value as T);
      if (fromTalk && !(err instanceof BusFailure)) return reject(err);
      const failure = err instanceof BusFailure ? err : new BusFailure((err as Error).message ?? String(err), 'protocol');
      failure.busAnswered = busAnswered;
      failure.largestSent = largestSent;
      reject(failure);
    };
    const timer = setTimeout(() => finish(new BusFailure('no answer in time', 'timeout')), timeoutMs);
    const busTimer = setTimeout(() => busAnswered || finish(new BusFailure('no answer in time', 'timeout')), Math.min(busTimeoutMs, timeoutMs));

    const call: BusCall = (member, args = []) =>
      new Promise((done) => {
        waiting.set(++serial, done);
        const message = typeof member === 'string' ? marshalBusCall(serial, member, args) : marshalCall(serial, member);
        largestSent = Math.max(largestSent, message.length);
        socket.write(message);
      });

    const readAuthLines = (): void => {
      for (let eol = pending.indexOf('\r\n'); !authenticated && eol >= 0; eol = pending.indexOf('\r\n')) {
        const line = pending.toString('latin1', 0, eol);
        pending = pending.subarray(eol + 2);
        // Without a uid the server first sends an empty challenge (already answered).
        if (line.startsWith('OK ')) authenticated = true;
        else if (line !== 'DATA') throw new BusFailure(`authentication failed (${line})`, 'auth');
      }
    };
    const readMessages = (): void => {
      for (let m = unmarshalMessage(pending); m; m = unmarshalMessage(pending)) {
        pending = pending.subarray(m.size);
        const { message } = m;
        // Signals (NameAcquired) and anything that is not an answer to us are skipped.
        const done = message.replySerial === undefined ? undefined : waiting.get(message.replySerial);
        if (!done || (message.type !== METHOD_RETURN && message.type !== ERROR)) continue;
        waiting.delete(message.replySerial!);
        if (message.type === METHOD_RETURN) done({ values: unmarshalBody(message) });
        else {
          const text = message.signature.startsWith('s') ? unmarshalBody({ ...message, signature: 's' })[0] : undefined;
          const errorName = message.errorName ?? 'error';
          done({ error: `${errorName}${text ? `: ${text}` : ''}`, errorName });
        }
      }
    };

    socket.on('connect', () => {
      connected = true;
      // One write, no waiting: the specification lets a client pipeline BEGIN and its first
      // messages after AUTH (the server answers each command before it reads the messages).
      // EXTERNAL's identity is the uid as decimal ASCII, hex-encoded; without one, an empty
      // DATA response lets the server go by the socket's credentials, as sd-bus always does:
      // inside rootless podman's user namespace, where it runs credential helpers, getuid() is 0
      // while the bus sees the user's uid, and a claimed uid was REJECTED. The leading NUL byte
      // is where some systems pass credentials (Linux reads them from the socket anyway).
      socket.cork();
      const identity = uid === undefined ? '\r\nDATA' : ` ${Buffer.from(String(uid), 'ascii').toString('hex')}`;
      socket.write(`\0AUTH EXTERNAL${identity}\r\nBEGIN\r\n`);
      // Hello must be the first call; the rest may follow without waiting for its reply.
      const hello = call('Hello').then((r) => {
        busAnswered = true;
        if (r.error) throw new BusFailure(`Hello failed (${r.error})`, 'protocol');
      });
      Promise.all([hello, talk(call)]).then(([, value]) => finish(undefined, value), (err: unknown) => finish(err, undefined, true));
      socket.uncork();
    });
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      try {
        if (!authenticated) readAuthLines();
        if (authenticated) readMessages();
      } catch (err) {
        finish(err);
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish(new BusFailure(err.message, connected ? 'protocol' : 'connect', err.code)));
    socket.on('close', () => finish(new BusFailure('the bus closed the connection', connected ? 'protocol' : 'connect', CLOSED)));
  });
}
