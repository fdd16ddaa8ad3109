import { expect } from 'chai';
import { ERROR, METHOD_CALL, METHOD_RETURN, SIGNAL, marshalBusCall, marshalCall, parseBusAddress, splitSignature, unmarshalBody, unmarshalMessage, type BusValue } from '../../../src/stores/dbus-wire.js';

const hex = (...parts: string[]): Buffer => Buffer.from(parts.join(''), 'hex');

// What dbus-daemon 1.14 sent back, in one stream, for BEGIN + Hello, NameHasOwner("org.freedesktop.secrets"),
// ListActivatableNames and GetNameOwner("org.freedesktop.secrets") sent as marshalled below.
const HELLO_REPLY = hex(
  '6c02010109000000010000003d00000006017300040000003a312e300000000005017500010000000801670001730000',
  '07017300140000006f72672e667265656465736b746f702e4442757300000000040000003a312e3000',
);
const NAME_ACQUIRED = hex(
  '6c04010109000000020000008d00000001016f00150000002f6f72672f667265656465736b746f702f44427573000000',
  '02017300140000006f72672e667265656465736b746f702e4442757300000000030173000c0000004e616d6541637175',
  '697265640000000006017300040000003a312e3000000000080167000173000007017300140000006f72672e66726565',
  '6465736b746f702e4442757300000000040000003a312e3000',
);
const HAS_OWNER_FALSE = hex(
  '6c02010104000000030000003d00000006017300040000003a312e300000000005017500020000000801670001620000',
  '07017300140000006f72672e667265656465736b746f702e444275730000000000000000',
);
const ACTIVATABLE = hex(
  '6c02010112010000040000003d00000006017300040000003a312e300000000005017500030000000801670002617300',
  '07017300140000006f72672e667265656465736b746f702e44427573000000000e010000140000006f72672e66726565',
  '6465736b746f702e44427573000000000c0000006f72672e613131792e42757300000000220000006f72672e66726565',
  '6465736b746f702e696d706c2e706f7274616c2e5365637265740000180000006f72672e667265656465736b746f702e',
  '73797374656d643100000000210000006f72672e676e6f6d652e6b657972696e672e5072697661746550726f6d707465',
  '720000000e00000063612e64657372742e64636f6e660000170000006f72672e667265656465736b746f702e73656372',
  '65747300200000006f72672e676e6f6d652e6b657972696e672e53797374656d50726f6d707465720000000011000000',
  '6f72672e676e6f6d652e6b657972696e6700',
);
const NO_OWNER_ERROR = hex(
  '6c03010148000000050000007500000006017300040000003a312e300000000004017300290000006f72672e66726565',
  '6465736b746f702e444275732e4572726f722e4e616d654861734e6f4f776e6572000000000000000501750004000000',
  '080167000173000007017300140000006f72672e667265656465736b746f702e444275730000000043000000436f756c',
  '64206e6f7420676574206f776e6572206f66206e616d6520276f72672e667265656465736b746f702e73656372657473',
  '273a206e6f2073756368206e616d6500',
);
// Hand-made: a big-endian METHOD_RETURN (reply to serial 2) carrying `b` true.
const BIG_ENDIAN_TRUE = hex('42020101', '00000004', '00000007', '0000000f', '05017500', '00000002', '08016700', '01620000', '00000001');

describe('dbus-wire: bus addresses', () => {
  const cases: Array<[string, ReturnType<typeof parseBusAddress>]> = [
    ['unix:path=/run/user/1000/bus', [{ path: '/run/user/1000/bus' }]],
    ['unix:path=/run/user/1000/bus,guid=0123456789abcdef0123456789abcdef', [{ path: '/run/user/1000/bus' }]],
    ['unix:guid=0123,abstract=dbus-Xy12', [{ path: '\0dbus-Xy12' }]],
    ['unix:path=/run/a%20b%2cc', [{ path: '/run/a b,c' }]],
    ['tcp:host=localhost,port=4711', [{ unsupported: 'tcp:' }]],
    ['launchd:env=DBUS_LAUNCHD_SESSION_BUS_SOCKET', [{ unsupported: 'launchd:' }]],
    ['unix:runtime=yes', [{ unsupported: 'unix:runtime=yes' }]],
    ['tcp:host=h,port=1;unix:path=/run/bus;;unix:abstract=b', [{ unsupported: 'tcp:' }, { path: '/run/bus' }, { path: '\0b' }]],
    ['', []],
  ];
  for (const [address, expected] of cases) {
    it(JSON.stringify(address), () => expect(parseBusAddress(address)).to.deep.equal(expected));
  }
});

describe('dbus-wire: method calls to the bus daemon', () => {
  const cases: Array<{ name: string; serial: number; member: string; args: string[]; bytes: Buffer }> = [
    {
      name: 'Hello: no body, header padded to 8',
      serial: 1,
      member: 'Hello',
      args: [],
      bytes: hex(
        '6c01000100000000010000006e00000001016f00150000002f6f72672f667265656465736b746f702f44427573000000',
        '06017300140000006f72672e667265656465736b746f702e444275730000000002017300140000006f72672e66726565',
        '6465736b746f702e4442757300000000030173000500000048656c6c6f000000',
      ),
    },
    {
      name: 'NameHasOwner: a signature field and one string',
      serial: 2,
      member: 'NameHasOwner',
      args: ['org.freedesktop.secrets'],
      bytes: hex(
        '6c0100011c000000020000007f00000001016f00150000002f6f72672f667265656465736b746f702f44427573000000',
        '06017300140000006f72672e667265656465736b746f702e444275730000000002017300140000006f72672e66726565',
        '6465736b746f702e4442757300000000030173000c0000004e616d654861734f776e6572000000000801670001730000',
        '170000006f72672e667265656465736b746f702e7365637265747300',
      ),
    },
  ];
  for (const c of cases) {
    it(`${c.name} (bytes dbus-daemon accepted)`, () => {
      expect(marshalBusCall(c.serial, c.member, c.args).toString('hex')).to.equal(c.bytes.toString('hex'));
    });
    it(`${c.name}: reads back`, () => {
      const read = unmarshalMessage(c.bytes)!;
      expect(read.size).to.equal(c.bytes.length);
      expect(read.message).to.include({ type: METHOD_CALL, serial: c.serial, signature: 's'.repeat(c.args.length) });
      expect(unmarshalBody(read.message)).to.deep.equal(c.args);
    });
  }

  it('aligns the body to 8 whatever the member name length', () => {
    for (let n = 1; n <= 16; n++) {
      const msg = marshalBusCall(7, 'M'.repeat(n), ['x']);
      const fieldsEnd = 16 + msg.readUInt32LE(12);
      const bodyStart = msg.length - msg.readUInt32LE(4);
      expect(bodyStart % 8, `member of ${n}`).to.equal(0);
      expect(bodyStart - fieldsEnd).to.be.within(0, 7);
      expect(unmarshalBody(unmarshalMessage(msg)!.message)).to.deep.equal(['x']);
    }
  });
});

describe('dbus-wire: replies', () => {
  const cases: Array<{ name: string; bytes: Buffer; type: number; replySerial: number | undefined; errorName?: string; values: unknown[] }> = [
    { name: 'Hello → s (unique name)', bytes: HELLO_REPLY, type: METHOD_RETURN, replySerial: 1, values: [':1.0'] },
    { name: 'NameAcquired signal', bytes: NAME_ACQUIRED, type: SIGNAL, replySerial: undefined, values: [':1.0'] },
    { name: 'NameHasOwner → b false', bytes: HAS_OWNER_FALSE, type: METHOD_RETURN, replySerial: 2, values: [false] },
    {
      name: 'ListActivatableNames → as',
      bytes: ACTIVATABLE,
      type: METHOD_RETURN,
      replySerial: 3,
      values: [[
        'org.freedesktop.DBus', 'org.a11y.Bus', 'org.freedesktop.impl.portal.Secret', 'org.freedesktop.systemd1', 'org.gnome.keyring.PrivatePrompter',
        'ca.desrt.dconf', 'org.freedesktop.secrets', 'org.gnome.keyring.SystemPrompter', 'org.gnome.keyring',
      ]],
    },
    {
      name: 'GetNameOwner → ERROR',
      bytes: NO_OWNER_ERROR,
      type: ERROR,
      replySerial: 4,
      errorName: 'org.freedesktop.DBus.Error.NameHasNoOwner',
      values: ["Could not get owner of name 'org.freedesktop.secrets': no such name"],
    },
    { name: 'big-endian b true', bytes: BIG_ENDIAN_TRUE, type: METHOD_RETURN, replySerial: 2, values: [true] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const read = unmarshalMessage(c.bytes)!;
      expect(read.size).to.equal(c.bytes.length);
      expect(read.message.type).to.equal(c.type);
      expect(read.message.replySerial).to.equal(c.replySerial);
      expect(read.message.errorName).to.equal(c.errorName);
      expect(unmarshalBody(read.message)).to.deep.equal(c.values);
    });
  }

  it('frames a stream: one message at a time, nothing until a message is complete', () => {
    const stream = Buffer.concat([HELLO_REPLY, NAME_ACQUIRED, HAS_OWNER_FALSE, ACTIVATABLE, NO_OWNER_ERROR]);
    const sizes: number[] = [];
    for (let rest = stream, m = unmarshalMessage(rest); m; m = unmarshalMessage(rest)) {
      sizes.push(m.size);
      rest = rest.subarray(m.size);
    }
    expect(sizes).to.deep.equal([HELLO_REPLY, NAME_ACQUIRED, HAS_OWNER_FALSE, ACTIVATABLE, NO_OWNER_ERROR].map((b) => b.length));
    for (let n = 0; n < ACTIVATABLE.length; n++) expect(unmarshalMessage(ACTIVATABLE.subarray(0, n)), `${n} bytes`).to.equal(undefined);
  });

  it('refuses what it cannot read instead of guessing', () => {
    expect(() => unmarshalMessage(Buffer.alloc(16, 0x41))).to.throw(/not a D-Bus message/);
    const message = unmarshalMessage(HAS_OWNER_FALSE)!.message;
    expect(() => unmarshalBody({ ...message, signature: 'x' })).to.throw(/unsupported D-Bus signature/);
    expect(() => unmarshalBody({ ...message, signature: 'a{s' })).to.throw(/unsupported D-Bus signature/);
    const truncated = unmarshalMessage(HELLO_REPLY)!.message;
    expect(() => unmarshalBody({ ...truncated, body: truncated.body.subarray(0, 7) })).to.throw(RangeError);
  });
});

describe('dbus-wire: Secret Service types', () => {
  it('splits signatures into complete types', () => {
    expect(splitSignature('sa{sv}(oayays)ba{o(oayays)}aov')).to.deep.equal(['s', 'a{sv}', '(oayays)', 'b', 'a{o(oayays)}', 'ao', 'v']);
    for (const bad of ['(', '()', 'a', '{s', 'x', 'ah']) expect(() => splitSignature(bad), bad).to.throw(/unsupported D-Bus signature/);
  });

  const call = { destination: 'org.freedesktop.secrets', path: '/org/freedesktop/secrets', interface: 'org.freedesktop.Secret.Service' };
  const secret: BusValue[] = ['/org/freedesktop/secrets/session/1', Buffer.alloc(0), Buffer.from('fake-ü', 'utf8'), 'text/plain'];
  // Each signature with arguments, and what reading it back gives (a variant reads as its value).
  const cases: Array<{ sig: string; args: BusValue[]; back?: BusValue[] }> = [
    { sig: 'sv', args: ['plain', ['s', '']], back: ['plain', ''] },
    { sig: 'a{ss}', args: [[['server', 'quay.io'], ['docker_cli', '1']]] },
    { sig: 'a{ss}', args: [[]] },
    {
      sig: 'a{sv}(oayays)b',
      args: [[['org.freedesktop.Secret.Item.Label', ['s', 'Registry credentials for quay.io']], ['org.freedesktop.Secret.Item.Attributes', ['a{ss}', [['server', 'quay.io']]]]], secret, true],
      back: [[['org.freedesktop.Secret.Item.Label', 'Registry credentials for quay.io'], ['org.freedesktop.Secret.Item.Attributes', [['server', 'quay.io']]]], secret, true],
    },
    { sig: 'aoo', args: [['/org/freedesktop/secrets/collection/login/1', '/org/freedesktop/secrets/collection/login/2'], '/s/1'] },
    { sig: 'a{o(oayays)}', args: [[['/org/freedesktop/secrets/collection/login/1', secret]]] },
    { sig: 'ayb', args: [Buffer.from([1, 2, 3]), false] },
    { sig: 'ys', args: [7, 'after a byte'] },
  ];
  for (const c of cases) {
    it(`${c.sig}: marshals, and reads back`, () => {
      const msg = marshalCall(9, { ...call, member: 'M', signature: c.sig, args: c.args });
      const read = unmarshalMessage(msg)!;
      expect(read.size).to.equal(msg.length);
      expect(read.message.signature).to.equal(c.sig);
      expect(unmarshalBody(read.message)).to.deep.equal(c.back ?? c.args);
    });
  }

  it('a{o(oayays)}: the bytes of a GetSecrets reply, aligned as the specification says', () => {
    const msg = marshalCall(1, { ...call, member: 'M', signature: 'a{o(oayays)}', args: [[['/a', ['/s', Buffer.alloc(0), Buffer.from('fake-pw'), 'text/plain']]]] });
    const body = msg.subarray(msg.length - msg.readUInt32LE(4));
    expect(body.toString('hex')).to.equal(
      [
        '2f000000', '00000000', // array length (47: from the entry to the end), then padding to the 8-aligned entry
        '020000002f6100', '00', // o "/a" + pad to 8 for the struct
        '020000002f7300', '00', // o "/s" + pad to 4
        '00000000', // ay []
        '07000000', '66616b652d7077', '00', // ay "fake-pw", pad to 4
        '0a000000', '746578742f706c61696e00', // s "text/plain"
      ].join(''),
    );
  });

  it('refuses a variant that is not one complete type, and arguments that do not fit the signature', () => {
    expect(() => marshalCall(1, { ...call, member: 'M', signature: 'v', args: [['ss', 'x']] })).to.throw(/one complete type/);
    expect(() => marshalCall(1, { ...call, member: 'M', signature: 'ss', args: ['x'] })).to.throw(/needs 2 arguments/);
  });
});
