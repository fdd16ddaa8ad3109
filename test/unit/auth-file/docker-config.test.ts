import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { encodeConfigJSONCompact, parseConfigJSON, serializeConfigJSON, serializeConfigJSONCompact } from '../../../src/auth-file/docker-config.js';
import { entryToJSON, parseEntry, writeKubernetesEntries } from '../../../src/auth-file/entry.js';
import { goEscape, setOwn } from '../../../src/auth-file/json-text.js';
import { mergeAuthFiles } from '../../../src/auth-file/merge.js';
import { JSONBytes } from '../../../src/auth-file/json-bytes.js';
import type { AuthEntry, AuthFile } from '../../../src/auth-file/model.js';
import { emptyAuthFile, styledKeyOf } from '../../../src/auth-file/model.js';
import { parseAuthText } from '../../../src/auth-file/read.js';
import { fixture } from '../../support/auth-summary.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/**
 * The bytes written straight into a buffer against the text path they stand in for, and against
 * the general path every entry takes once its username and password have been set.
 */
function expectSameBytes(file: AuthFile): void {
  const fast = encodeConfigJSONCompact(file);
  const text = serializeConfigJSONCompact(file);
  expect(fast.toString('utf8')).to.equal(text);
  expect(fast.equals(Buffer.from(text, 'utf8'))).to.equal(true);
  // Decoded by the text path, which keeps the fast path: the same bytes again.
  expect(encodeConfigJSONCompact(file).equals(fast)).to.equal(true);
  // Set (to what they were): every entry takes the general path, to the same bytes.
  for (const e of file.entries) {
    e.username = e.username;
    e.password = e.password;
  }
  expect(encodeConfigJSONCompact(file).equals(fast)).to.equal(true);
}

/** A deterministic PRNG (LCG), so that a failure names a reproducible case. */
function prng(seed: number): (k: number) => number {
  let s = seed >>> 0;
  return (k) => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) % k;
}

// Everything JSON or Go escapes, or that is not ASCII, beside plain text.
const PIECES = ['a', 'Z', '9', '-', '.', ':', '::', ' ', '"', '\\', '<', '>', '&', '\n', '\t', '\x00', '\x1f', '\x7f', 'é', 'ü', '\u2028', '\u2029', '\u{1F600}', '\ud800', '/', '=', '+', '{', '}', ''];

/** Text of up to `max` characters from `next`, some of them PIECES (escapes, surrogates, separators). */
function awkwardText(next: (k: number) => number): (max: number) => string {
  return (max) => {
    let s = '';
    for (let j = next(max); j > 0; j--) s += next(3) === 0 ? (PIECES[next(PIECES.length)] as string) : 'abcdefghij'[next(10)];
    return s;
  };
}

/** What writeKubernetesEntries writes for one entry itself, or undefined when it hands it to the general path. */
function straight(e: AuthEntry, key: string): string | undefined {
  const out = new JSONBytes(16);
  let general = false;
  writeKubernetesEntries([e], [key], out, () => {
    general = true;
  });
  return general ? undefined : out.bytes().toString('utf8');
}

describe('config.json compact bytes (pull secret payload)', () => {
  const dirs = ['docker-config', 'podman', 'dockercfg', 'secrets'];
  for (const dir of dirs) {
    for (const name of readdirSync(new URL(`../../../../fixtures/${dir}/`, import.meta.url))) {
      it(`match the text for fixture ${dir}/${name}`, () => {
        let files: AuthFile[];
        try {
          files = parseAuthText(fixture(`${dir}/${name}`), name).files;
        } catch {
          return; // a fixture of bad input
        }
        for (const f of files) expectSameBytes(f);
      });
    }
  }

  it('match the text for generated entries with awkward characters, fields and keys', () => {
    const next = prng(11);
    const text = awkwardText(next);
    for (let round = 0; round < 300; round++) {
      const file = emptyAuthFile('gen.json', 'secret');
      const n = next(12);
      for (let i = 0; i < n; i++) {
        const raw: Record<string, unknown> = {};
        const shape = next(10);
        // Mostly a valid auth (sometimes a lone ":" or an empty side), sometimes explicit fields or a broken one.
        if (shape < 7) raw.auth = b64(next(6) === 0 ? ':' : `${text(6)}:${text(6)}`);
        else if (shape === 7) raw.auth = 'not base64!';
        else {
          raw.username = text(5);
          raw.password = text(5);
        }
        if (next(3) === 0) raw.email = text(4);
        if (next(5) === 0) raw.identitytoken = text(4);
        if (next(8) === 0) raw.registrytoken = text(4);
        if (next(8) === 0) raw.serveraddress = text(4);
        if (next(10) === 0) raw['x-extra'] = { note: text(4) };
        const keys = ['registry.example.com', `r${i}.example.com`, `r${i}.example.com`, '__proto__', '123', `${i}`, 'https://index.docker.io/v1/', 'docker.io', `quay.io/${text(3)}`, `${text(5)}.io`];
        // Mostly distinct keys (a repeated or all-digit key sends the whole file the general way).
        file.entries.push(parseEntry(raw, next(3) === 0 ? (keys[next(keys.length)] as string) : `r${i}.example.com`, 'gen.json'));
      }
      if (next(4) === 0) file.extra.psFormat = text(5);
      if (next(4) === 0) file.credsStore = 'desktop';
      if (next(4) === 0) file.credHelpers.set('gcr.io', 'gcloud');
      expectSameBytes(file);
    }
  });

  it('are written straight from `auth` for an entry as read, and the general way otherwise', () => {
    const write = (raw: Record<string, unknown>, key = 'quay.io') => straight(parseEntry(raw, key, 'f.json'), key);
    expect(write({ auth: b64('alice:pw'), email: 'a@example.com' })).to.equal('"quay.io":{"username":"alice","password":"pw","email":"a@example.com","auth":"YWxpY2U6cHc="}');
    expect(write({ auth: b64(':'), email: 'a@example.com' })).to.equal(undefined);
    expect(write({ auth: b64('alice:p<w') })).to.equal(undefined);
    expect(write({ auth: b64('alice:pw') }, 'quay.io/a&b')).to.equal(undefined);
    expect(write({ auth: b64('alice:pw'), email: 'é' })).to.equal(undefined);
    expect(write({ auth: b64('alice:pw'), x: 1 })).to.equal(undefined);
  });

  it('are written straight from `auth` for an entry whose username and password were read, not once one was set', () => {
    const write = (change: (e: AuthEntry) => void) => {
      const e = parseEntry({ auth: b64('alice:'), identitytoken: 'fake-token' }, 'quay.io', 'f.json');
      change(e);
      return straight(e, 'quay.io');
    };
    const written = '"quay.io":{"username":"alice","password":"","auth":"YWxpY2U6","identitytoken":"fake-token"}';
    // A report that asks whether the password is empty (lossesFor, for the identity token) reads it.
    expect(write((e) => expect(e.password).to.equal(''))).to.equal(written);
    expect(write((e) => expect(e.username).to.equal('alice'))).to.equal(written);
    expect(write((e) => (e.password = 'fake-other'))).to.equal(undefined);
    expect(write((e) => (e.username = 'alice'))).to.equal(undefined);
  });

  it('match the text for many entries (the buffer grows) and a read document with top-level keys', () => {
    const auths: Record<string, unknown> = {};
    for (let i = 0; i < 3000; i++) auths[`registry${i}.example.com`] = { auth: b64(`user${i}:${'p'.repeat(i % 300)}<${i}>`), email: `u${i}@example.com` };
    expectSameBytes(parseConfigJSON({ auths, HttpHeaders: { 'X-A': '<&>' } }, 'big.json', 'docker'));
  });

  it('match the text for many entries among which some take the general path, and keys that are not ASCII', () => {
    const auths: Record<string, unknown> = {};
    for (let i = 0; i < 3000; i++) {
      // Every 97th key is not ASCII (the keys' bytes then stop lining up with their characters),
      // every 89th entry has an unknown field, and every 83rd a password that needs escaping.
      const key = i % 97 === 0 ? `registry${i}.exämple.com` : `registry${i}.example.com`;
      const entry: Record<string, unknown> = { auth: b64(`user${i}:${i % 83 === 0 ? 'p"w' : 'p'.repeat(i % 200)}`) };
      if (i % 89 === 0) entry.note = 'x'.repeat(i % 500);
      if (i % 7 === 0) entry.identitytoken = `token${i}`;
      auths[key] = entry;
    }
    const file = parseConfigJSON({ auths }, 'big.json', 'docker');
    expectSameBytes(file);
    // Without the keys that are not ASCII, the keys are read as bytes.
    file.entries = file.entries.filter((e) => !e.key.includes('ä'));
    expectSameBytes(file);
  });
});

/**
 * serializeConfigJSON writes `auths` itself: its text must be JSON.stringify's, tab-indented and
 * Go-escaped (stringifying the parsed text again gives it back, index keys first), and hold each
 * entry as entryToJSON gives it, under its styled key, in entry order.
 */
function expectStringifyText(file: AuthFile, style: 'docker' | 'podman'): void {
  const out = serializeConfigJSON(file, style);
  const doc = JSON.parse(out) as Record<string, unknown>;
  expect(out).to.equal(goEscape(JSON.stringify(doc, null, '\t')));
  const auths: Record<string, unknown> = {};
  for (const e of file.entries) setOwn(auths, styledKeyOf(e, style), entryToJSON(e, style));
  expect(doc.auths).to.deep.equal(JSON.parse(JSON.stringify(auths)));
  expect(Object.keys(doc.auths as object)).to.deep.equal(Object.keys(auths));
}

describe('config.json text (docker and podman style)', () => {
  const styles = ['docker', 'podman'] as const;
  for (const dir of ['docker-config', 'podman', 'dockercfg', 'secrets']) {
    for (const name of readdirSync(new URL(`../../../../fixtures/${dir}/`, import.meta.url))) {
      it(`is JSON.stringify's text for fixture ${dir}/${name}`, () => {
        let files: AuthFile[];
        try {
          files = parseAuthText(fixture(`${dir}/${name}`), name).files;
        } catch {
          return; // a fixture of bad input
        }
        for (const f of files) for (const style of styles) expectStringifyText(mergeAuthFiles([f], 'first', f.format).file, style);
      });
    }
  }

  it("is JSON.stringify's text for generated entries with awkward characters, fields and keys", () => {
    const next = prng(23);
    const text = awkwardText(next);
    for (let round = 0; round < 300; round++) {
      const file = emptyAuthFile('gen.json', 'docker');
      const used = new Set<string>();
      const n = next(12);
      for (let i = 0; i < n; i++) {
        const raw: Record<string, unknown> = {};
        const shape = next(10);
        // Mostly an entry kept as read (`auth`, maybe `email`), sometimes explicit fields or more fields.
        if (shape < 7) raw.auth = b64(`${text(6)}:${text(6)}`);
        else {
          raw.username = text(5);
          raw.password = text(5);
        }
        if (next(3) === 0) raw.email = text(4);
        if (next(6) === 0) raw.identitytoken = text(4);
        if (next(10) === 0) raw['x-extra'] = { note: [text(4), {}] };
        const keys = ['__proto__', '123', `${i}`, 'https://index.docker.io/v1/', 'docker.io', `quay.io/${text(3)}`, `${text(5)}.io`, `https://r${i}.example.com`];
        // Each key once, as in the JSON object a file is read from.
        let key = next(3) === 0 ? (keys[next(keys.length)] as string) : `r${i}.example.com`;
        if (used.has(key)) key = `r${i}.example.com`;
        used.add(key);
        file.entries.push(parseEntry(raw, key, 'gen.json'));
      }
      if (next(4) === 0) file.extra.psFormat = text(5);
      if (next(6) === 0) file.extra['7'] = text(3);
      if (next(4) === 0) file.credsStore = 'desktop';
      if (next(4) === 0) file.credHelpers.set('gcr.io', 'gcloud');
      // Keys distinct once styled, as serializeConfigJSON is given them (by merge).
      const merged = mergeAuthFiles([file], 'first', 'docker').file;
      for (const style of styles) expectStringifyText(merged, style);
    }
  });
});
