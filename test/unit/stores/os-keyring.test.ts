import { expect } from 'chai';
import {
  KEYUTILS_MAX_ITEM_CHARS,
  WINDOWS_MAX_ITEM_CHARS,
  asciiJSON,
  maxItemChars,
  parseHeader,
  partAccount,
  planItem,
  splitText,
  withTimeout,
  isNoReply,
  retryNoReply,
} from '../../../src/stores/os-keyring.js';

describe('os-keyring item layout', () => {
  it('limits items to what each platform stores', () => {
    // Windows Credential Manager blobs hold 2,560 bytes of UTF-16 (users.md #12).
    expect(WINDOWS_MAX_ITEM_CHARS * 2).to.be.at.most(2560);
    expect(maxItemChars('win32', undefined)).to.equal(WINDOWS_MAX_ITEM_CHARS);
    expect(maxItemChars('linux', 'keyutils')).to.equal(KEYUTILS_MAX_ITEM_CHARS);
    expect(maxItemChars('linux', 'secret-service')).to.equal(Infinity);
    expect(maxItemChars('darwin', undefined)).to.equal(Infinity);
  });

  it('writes ASCII only, so a character is one unit everywhere and JSON survives any split', () => {
    const value = { s: 'p\u00e9\u2028\ud83d\ude00<&>' };
    const text = asciiJSON(value);
    expect(text).to.match(/^[\x00-\x7e]*$/);
    expect(JSON.parse(text)).to.deep.equal(value);
  });

  it('keeps a payload that fits in one item', () => {
    expect(planItem('{"v":1}', 10, 'abc')).to.deep.equal({ main: '{"v":1}', parts: [] });
  });

  it('splits an oversize token for Windows into parts that each fit and join back exactly', () => {
    const payload = asciiJSON({ v: 1, username: '<token>', secret: `fake-eyJ${'A'.repeat(6000)}\u00e9` });
    const plan = planItem(payload, WINDOWS_MAX_ITEM_CHARS, '0a1b2c');
    expect(plan.parts.length).to.equal(Math.ceil(payload.length / WINDOWS_MAX_ITEM_CHARS));
    for (const p of [plan.main, ...plan.parts.map((x) => x.text)]) expect(p.length * 2).to.be.at.most(2560);
    expect(parseHeader(plan.main)).to.deep.equal({ parts: plan.parts.length, id: '0a1b2c' });
    expect(plan.parts.map((p) => p.account)).to.deep.equal(plan.parts.map((_, i) => partAccount('0a1b2c', i)));
    expect(plan.parts.map((p) => p.text).join('')).to.equal(payload);
  });

  it('never mistakes a credential for a split header', () => {
    expect(parseHeader(asciiJSON({ v: 1, username: 'parts', secret: 'fake-{"v":1,"parts":2,"id":"x"}' }))).to.equal(undefined);
  });

  it('splitText makes pieces of at most max characters', () => {
    expect(splitText('abcdefg', 3)).to.deep.equal(['abc', 'def', 'g']);
    expect(splitText('', 3)).to.deep.equal(['']);
  });

  it('withTimeout rejects when the call never settles, and aborts its signal', async () => {
    let aborted = false;
    const never = (signal: AbortSignal) =>
      new Promise<never>(() => {
        signal.addEventListener('abort', () => (aborted = true));
      });
    const err = await withTimeout(10, () => new Error('too slow'), never).catch((e: Error) => e);
    expect((err as Error).message).to.equal('too slow');
    expect(aborted).to.equal(true);
  });
});

describe('os-keyring: transient D-Bus "no reply"', () => {
  const noReply = 'Platform failure: DBus error: Did not receive a reply. Possible causes include: the remote application did not send a reply, the message bus security policy blocked the reply, the reply timeout expired, or the network connection was broken.';

  it('is recognised (and "blocked" in its text is not "locked")', () => {
    expect(isNoReply(noReply)).to.equal(true);
    expect(isNoReply('Platform failure: collection is locked')).to.equal(false);
  });

  it('is retried, then succeeds', async () => {
    let calls = 0;
    const result = await retryNoReply(async () => {
      calls++;
      if (calls < 3) throw new Error(noReply);
      return 'ok';
    }, (e) => e as Error);
    expect(result).to.equal('ok');
    expect(calls).to.equal(3);
  });

  it('gives up after three attempts, and never retries other errors', async () => {
    let calls = 0;
    const fail = (e: unknown) => new Error(`mapped: ${(e as Error).message.slice(0, 20)}`);
    await retryNoReply(async () => { calls++; throw new Error(noReply); }, fail).then(
      () => expect.fail('resolved'),
      (e: Error) => expect(e.message).to.equal('mapped: Platform failure: DB'),
    );
    expect(calls).to.equal(3);
    calls = 0;
    await retryNoReply(async () => { calls++; throw new Error('locked'); }, fail).catch(() => undefined);
    expect(calls).to.equal(1);
  });
});
