import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../support/sandbox.js';
import { formatGet, formatList, goJSON, parseStoreInput, readServerURL, serve, MESSAGES, VERBS } from '../../../src/helper/protocol.js';
import type { CredentialStore } from '../../../src/stores/store.js';
import { memoryStore } from '../../support/memory-store.js';

async function call(argv: string[], stdin = '', store = memoryStore()) {
  let out = '';
  let err = '';
  const code = await serve(argv, async () => store, {
    programName: 'docker-credential-credkit',
    version: () => 'docker-credential-credkit (credkit) v0.0.0',
    readStdin: async () => stdin,
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
  });
  return { code, out, err, store };
}

describe('helper protocol (pure)', () => {
  describe('goJSON', () => {
    const cases: Array<[unknown, string]> = [
      [{ a: '<token>' }, '{"a":"\\u003ctoken\\u003e"}'],
      [{ a: 'x&y' }, '{"a":"x\\u0026y"}'],
      [{ a: '\u2028\u2029' }, '{"a":"\\u2028\\u2029"}'],
      [{ a: 'é"\\' }, '{"a":"é\\"\\\\"}'],
    ];
    for (const [value, expected] of cases) {
      it(`escapes like Go: ${expected}`, () => expect(goJSON(value)).to.equal(expected));
    }
  });

  describe('readServerURL joins lines and trims like bufio.Scanner + TrimSpace', () => {
    const cases: Array<[string, string]> = [
      ['quay.io', 'quay.io'],
      ['quay.io\n', 'quay.io'],
      ['  quay.io  \n\n', 'quay.io'],
      ['quay.io\r\n', 'quay.io'],
      ['qu\nay.io', 'quay.io'],
      ['', ''],
      // Go's unicode.IsSpace, which TrimSpace uses: NEL is space, a BOM is not (JS trim has it the other way).
      ['\u0085quay.io\u00a0\u3000', 'quay.io'],
      ['\ufeffquay.io', '\ufeffquay.io'],
      ['quay.io\u200b', 'quay.io\u200b'],
    ];
    for (const [input, expected] of cases) it(JSON.stringify(input), () => expect(readServerURL(input)).to.equal(expected));
  });

  describe('parseStoreInput', () => {
    it('reads the three fields, case-insensitively, ignoring unknown ones', () => {
      expect(parseStoreInput('{"serverurl":"a","USERNAME":"b","Secret":"fake-c","Extra":1}\n')).to.deep.equal({ serverURL: 'a', username: 'b', secret: 'fake-c' });
    });
    it('joins stdin lines with nothing between them, as the Go helpers read them', () => {
      expect(parseStoreInput('{"ServerURL":"a","Username":"b",\n"Secret":"fake-line\none"}\n').secret).to.equal('fake-lineone');
    });
    it('accepts an empty secret', () => {
      expect(parseStoreInput('{"ServerURL":"a","Username":"b","Secret":""}').secret).to.equal('');
    });
    const bad: Array<[string, string]> = [
      ['{"Username":"b","Secret":"fake-c"}', MESSAGES.missingServerURL],
      ['{"ServerURL":"a","Secret":"fake-c"}', MESSAGES.missingUsername],
      ['', 'EOF'],
      ['null', MESSAGES.missingServerURL],
      ['{"ServerURL":"a","Username":"b","Secret":true}', 'json: cannot unmarshal bool into Go struct field Credentials.Secret of type string'],
      ['[1]', 'json: cannot unmarshal array into Go value of type credentials.Credentials'],
      ['{"ServerURL":1}', 'json: cannot unmarshal number into Go struct field Credentials.ServerURL of type string'],
    ];
    for (const [input, message] of bad) {
      it(`rejects ${input || '(empty)'}`, () => expect(() => parseStoreInput(input)).to.throw(message));
    }
    // Cases docker-credential-pass and -secretservice were run against (same results).
    it('reads only the first JSON value, as Go\'s json.Decoder does: bytes after it are never looked at', () => {
      expect(parseStoreInput('{"ServerURL":"a","Username":"b","Secret":"fake-c"} trailing')).to.deep.equal({ serverURL: 'a', username: 'b', secret: 'fake-c' });
      expect(parseStoreInput('{"ServerURL":"a","Username":"b","Secret":"fake-c"}\n{"ServerURL":"x","Username":"y"}\n').serverURL).to.equal('a');
    });
    it('applies members in document order: a later duplicate wins, a later null keeps the earlier value', () => {
      expect(parseStoreInput('{"ServerURL":"a","Username":"u1","Secret":"fake-c","username":"u2","Username":"u3"}').username).to.equal('u3');
      expect(parseStoreInput('{"ServerURL":"a","Username":"u","Secret":"fake-c","Username":null}').username).to.equal('u');
    });
    it('matches field names with Go\'s case folding (long s and Kelvin sign too)', () => {
      expect(parseStoreInput('{"\u017ferverURL":"a","Username":"b","\u017fecret":"fake-c"}')).to.deep.equal({ serverURL: 'a', username: 'b', secret: 'fake-c' });
    });
    it('reports the first member of the wrong type in document order', () => {
      expect(() => parseStoreInput('{"Username":true,"ServerURL":1}')).to.throw('json: cannot unmarshal bool into Go struct field Credentials.Username of type string');
    });
    it('decodes an unpaired surrogate escape to U+FFFD, as Go does', () => {
      expect(parseStoreInput('{"ServerURL":"a","Username":"b","Secret":"fake-\\ud800x\\ud83d\\ude00"}').secret).to.equal('fake-\ufffdx\u{1f600}');
    });
    it('input cut short is Go\'s "unexpected EOF"; white space other than JSON\'s is not empty input', () => {
      expect(() => parseStoreInput('{"ServerURL":"a","Username":"b"')).to.throw(/^unexpected EOF$/);
      expect(() => parseStoreInput('\u00a0')).to.throw(/^invalid JSON on standard input/);
      expect(() => parseStoreInput(' \t\r\n')).to.throw(/^EOF$/);
    });
    it('never quotes the input in its error', () => {
      expect(() => parseStoreInput('{"ServerURL":"a","Username":"b","Secret":"fake-hunter2-secret"')).to.throw(/^((?!hunter2).)*$/);
    });
  });

  it('formatList sorts keys by bytes and ends with a newline', () => {
    expect(formatList(new Map([['quay.io', 'b'], ['ghcr.io', '<token>'], ['https://index.docker.io/v1/', 'a']]))).to.equal(
      '{"ghcr.io":"\\u003ctoken\\u003e","https://index.docker.io/v1/":"a","quay.io":"b"}\n',
    );
    expect(formatList(new Map())).to.equal('{}\n');
  });

  it('formatGet repeats the query as ServerURL', () => {
    expect(formatGet('quay.io', { serverURL: 'stored-key', username: 'u', secret: 'fake-s' })).to.equal('{"ServerURL":"quay.io","Username":"u","Secret":"fake-s"}\n');
  });

  describe('serve', () => {
    it('prints the usage line on stdout with exit 1 for no verb or extra args', async () => {
      for (const argv of [[], ['get', 'extra']]) {
        const r = await call(argv);
        expect(r.code).to.equal(1);
        expect(r.out).to.equal('Usage: docker-credential-credkit <store|get|erase|list|version>\n');
      }
    });
    it('answers --help with exit 0 and -v/--version/version with the version line', async () => {
      expect(await call(['--help'])).to.include({ code: 0, out: 'Usage: docker-credential-credkit <store|get|erase|list|version>\n' });
      for (const v of ['-v', '--version', 'version']) {
        expect(await call([v])).to.include({ code: 0, out: 'docker-credential-credkit (credkit) v0.0.0\n' });
      }
    });
    it('rejects an unknown verb like v0.8+ helpers', async () => {
      expect(await call(['bogus'])).to.include({ code: 1, out: 'docker-credential-credkit: unknown action: bogus\n' });
    });
    it('get: not found is the exact text, empty input is "no credentials server URL"', async () => {
      expect(await call(['get'], 'nothere')).to.include({ code: 1, out: `${MESSAGES.notFound}\n` });
      expect(await call(['get'], '  \n')).to.include({ code: 1, out: `${MESSAGES.missingServerURL}\n` });
      expect(await call(['erase'], '')).to.include({ code: 1, out: `${MESSAGES.missingServerURL}\n` });
    });
    it('does not open the store for usage errors or version', async () => {
      let opened = false;
      await serve(['version'], async () => ((opened = true), memoryStore()), {
        programName: 'x', version: () => 'v', readStdin: async () => '', stdout: () => undefined, stderr: () => undefined,
      });
      expect(opened).to.equal(false);
    });
    it('reports a bug on stderr with the stack frames and keeps stdout to one line; neither holds the message, which may quote input', async () => {
      // Node's JSON.parse quotes the text it failed on: here, a secret.
      const broken: CredentialStore = { ...memoryStore(), add: async () => { JSON.parse('fake-bug-secret'); } };
      const r = await call(['store'], '{"ServerURL":"quay.io","Username":"u","Secret":"fake-bug-secret"}', broken as never);
      expect(r.code).to.equal(1);
      expect(r.out).to.equal('docker-credential-credkit: internal error: SyntaxError; this is a bug in credkit, see standard error\n');
      expect(r.err).to.match(/^docker-credential-credkit: internal error: SyntaxError \(its message is not shown[^\n]*\n\s+at [\s\S]*This is a bug in credkit; please report it/);
      expect(r.out.includes('fake-bug-secret') || r.err.includes('fake-bug-secret'), 'the secret was printed').to.equal(false);
    });
  });
});

describe('bin/docker-credential-credkit', () => {
  it("names the code caches by the protocol's verbs (version, which opens no store, shares one with usage errors)", () => {
    const bin = readFileSync(join(ROOT, 'bin', 'docker-credential-credkit'), 'utf8');
    const listed = /const VERBS = \[([^\]]*)\]/.exec(bin)?.[1]?.match(/'([a-z]+)'/g)?.map((q) => q.slice(1, -1));
    expect(listed).to.deep.equal(VERBS.filter((v) => v !== 'version'));
  });
});
