/**
 * Just enough of the D-Bus wire protocol to ask the bus daemon itself a question: parse a bus
 * address, authenticate with EXTERNAL, marshal method calls with string arguments and read replies
 * whose bodies are made of `b`, `u`, `s`, `o`, `g` and arrays of those. Spawning `dbus-send` for
 * this cost a process start on every keychain helper call (see bench/).
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

/** A value in a reply body. */
export type BusValue = boolean | number | string | BusValue[];

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

/** A method call on the bus daemon (`org.freedesktop.DBus` at `/org/freedesktop/DBus`) with string arguments. */
export function marshalBusCall(serial: number, member: string, args: readonly string[] = []): Buffer {
  const out: number[] = [];
  const pad = (n: number) => { while (out.length % n) out.push(0); };
  const u32 = (v: number) => { pad(4); out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24); };
  const str = (s: string) => { const b = Buffer.from(s, 'utf8'); u32(b.length); out.push(...b, 0); };
  const sig = (s: string) => { out.push(s.length, ...Buffer.from(s, 'ascii'), 0); };
  const field = (code: Field, type: 's' | 'o' | 'g', value: string) => {
    pad(8); // each header field is a struct (y, v)
    out.push(code);
    sig(type);
    if (type === 'g') sig(value);
    else str(value);
  };
  out.push(0x6c /* 'l' */, METHOD_CALL, 0, 1);
  u32(0); // body length, patched below
  u32(serial);
  u32(0); // header field array length, patched below
  field(Field.Path, 'o', '/org/freedesktop/DBus');
  field(Field.Destination, 's', 'org.freedesktop.DBus');
  field(Field.Interface, 's', 'org.freedesktop.DBus');
  field(Field.Member, 's', member);
  if (args.length) field(Field.Signature, 'g', 's'.repeat(args.length));
  const fieldsEnd = out.length;
  pad(8);
  const bodyStart = out.length;
  for (const a of args) str(a);
  const msg = Buffer.from(out);
  msg.writeUInt32LE(out.length - bodyStart, 4);
  msg.writeUInt32LE(fieldsEnd - 16, 12); // the array's length excludes the padding after it
  return msg;
}

/** Reads values of a (restricted) signature from `buf`, starting at `pos`; alignment is relative to `buf`. */
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
      case 'b': return this.u32() !== 0;
      case 'u': return this.u32();
      case 's': case 'o': return this.text(this.u32());
      case 'g': return this.text(this.buf.readUInt8(this.pos++));
      case 'a': {
        const len = this.u32();
        const item = type.slice(1);
        if (!/^[busog]$/.test(item)) throw new TypeError(`unsupported D-Bus type "${type}"`);
        this.align(item === 'g' ? 1 : 4); // the length excludes the padding before the first item
        const end = this.pos + len;
        const items: BusValue[] = [];
        while (this.pos < end) items.push(this.value(item));
        return items;
      }
      default: throw new TypeError(`unsupported D-Bus type "${type}"`);
    }
  }
}

/** Unmarshals a message body (`b`, `u`, `s`, `o`, `g` and arrays of them). */
export function unmarshalBody(message: Pick<BusMessage, 'signature' | 'littleEndian' | 'body'>): BusValue[] {
  const types = message.signature.match(/a?[busog]/g) ?? [];
  if (types.join('') !== message.signature) throw new TypeError(`unsupported D-Bus signature "${message.signature}"`);
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
export type BusReply = { values: BusValue[]; error?: undefined } | { error: string; values?: undefined };

/** A method call on the bus daemon. */
export type BusCall = (member: string, args?: readonly string[]) => Promise<BusReply>;

/** Why `callBus` gave up; `connect` failures mean the next address of a list may be tried. */
export class BusFailure extends Error {
  constructor(message: string, readonly stage: 'connect' | 'auth' | 'protocol' | 'timeout', readonly code?: string) {
    super(message);
  }
}

/**
 * Connects to the socket at `path`, authenticates as `uid` (EXTERNAL), says Hello, then lets `talk`
 * make calls. The socket is closed when `talk` settles, the bus hangs up, or `timeoutMs` runs out.
 */
export function callBus<T>(path: string, uid: number | undefined, timeoutMs: number, talk: (call: BusCall) => Promise<T>): Promise<T> {
  if (timeoutMs <= 0) return Promise.reject(new BusFailure('no answer in time', 'timeout'));
  return new Promise<T>((resolve, reject) => {
    const socket = connect({ path });
    let connected = false;
    let authenticated = false;
    let settled = false;
    let pending: Buffer = Buffer.alloc(0);
    let serial = 0;
    const waiting = new Map<number, (reply: BusReply) => void>();

    const finish = (err: unknown, value?: T): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err === undefined) resolve(value as T);
      else reject(err instanceof BusFailure ? err : new BusFailure((err as Error).message ?? String(err), 'protocol'));
    };
    const timer = setTimeout(() => finish(new BusFailure('no answer in time', 'timeout')), timeoutMs);

    const call: BusCall = (member, args = []) =>
      new Promise((done) => {
        waiting.set(++serial, done);
        socket.write(marshalBusCall(serial, member, args));
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
          done({ error: `${message.errorName ?? 'error'}${text ? `: ${text}` : ''}` });
        }
      }
    };

    socket.on('connect', () => {
      connected = true;
      // One write, no waiting: the specification lets a client pipeline BEGIN and its first
      // messages after AUTH (the server answers each command before it reads the messages).
      // EXTERNAL's identity is the uid as decimal ASCII, hex-encoded; without one, an empty
      // DATA response lets the server go by the socket's credentials. The leading NUL byte is
      // where some systems pass credentials (Linux reads them from the socket anyway).
      socket.cork();
      const identity = uid === undefined ? '\r\nDATA' : ` ${Buffer.from(String(uid), 'ascii').toString('hex')}`;
      socket.write(`\0AUTH EXTERNAL${identity}\r\nBEGIN\r\n`);
      // Hello must be the first call; the rest may follow without waiting for its reply.
      const hello = call('Hello').then((r) => {
        if (r.error) throw new BusFailure(`Hello failed (${r.error})`, 'protocol');
      });
      Promise.all([hello, talk(call)]).then(([, value]) => finish(undefined, value), finish);
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
    socket.on('close', () => finish(new BusFailure('the bus closed the connection', connected ? 'protocol' : 'connect')));
  });
}
