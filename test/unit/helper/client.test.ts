import { expect } from 'chai';
import { HelperError } from '../../../src/errors.js';
import { HelperCallError, classifyOutput, helperInput, quoteOutput, type HelperRun, type HelperVerb } from '../../../src/helper/client.js';

const SECRET = 'fake-s3cret-value';
const ok = (stdout: string): HelperRun => ({ code: 0, signal: null, stdout });
const fail = (stdout: string, code = 1): HelperRun => ({ code, signal: null, stdout });

function classifyError(verb: HelperVerb, input: unknown, run: HelperRun): HelperCallError {
  try {
    classifyOutput('fake', verb, input as never, run);
  } catch (err) {
    expect(err).to.be.instanceOf(HelperCallError);
    expect(err).to.be.instanceOf(HelperError);
    const e = err as HelperCallError;
    expect(e.message, 'one line').not.to.match(/\n/);
    expect(e.message).to.include(`docker-credential-fake ${verb}`);
    expect(e.helper).to.equal('fake');
    expect(e.verb).to.equal(verb);
    return e;
  }
  throw new Error('expected classifyOutput to throw');
}

describe('helper client: what goes on stdin', () => {
  it('store sends compact Go-style JSON with a trailing newline, keys in docker order', () => {
    expect(helperInput('store', { serverURL: 'ghcr.io', username: '<token>', secret: 'fake-a&b' })).to.equal(
      '{"ServerURL":"ghcr.io","Username":"\\u003ctoken\\u003e","Secret":"fake-a\\u0026b"}\n',
    );
  });
  it('get and erase send the bare URL without a newline; list sends "unused"', () => {
    expect(helperInput('get', 'quay.io')).to.equal('quay.io');
    expect(helperInput('erase', 'https://index.docker.io/v1/')).to.equal('https://index.docker.io/v1/');
    expect(helperInput('list', undefined)).to.equal('unused');
  });
});

describe('helper client: reading get output', () => {
  it('exit 0 + JSON is a credential', () => {
    const c = classifyOutput('fake', 'get', 'quay.io', ok('{"ServerURL":"quay.io","Username":"bob","Secret":"fake-pw"}\n'));
    expect(c).to.deep.equal({ serverURL: 'quay.io', username: 'bob', password: 'fake-pw', identityToken: undefined });
  });
  it('Username "<token>" (Go-escaped on the wire) is an identity token and the username is dropped', () => {
    const c = classifyOutput('fake', 'get', 'ghcr.io', ok('{"ServerURL":"ghcr.io","Username":"\\u003ctoken\\u003e","Secret":"fake-tok"}\n'));
    expect(c).to.deep.equal({ serverURL: 'ghcr.io', username: '', password: '', identityToken: 'fake-tok' });
  });
  it('a missing ServerURL defaults to the query; field names match case-insensitively; trailing bytes are ignored', () => {
    const c = classifyOutput('fake', 'get', 'q.example.com', ok('{"username":"u","SECRET":"fake-s"}\ntrailing noise\n'));
    expect(c).to.deep.equal({ serverURL: 'q.example.com', username: 'u', password: 'fake-s', identityToken: undefined });
  });
  it('the not-found text with a non-zero exit is not found, whatever white space surrounds it', () => {
    expect(classifyOutput('fake', 'get', 'x', fail('credentials not found in native keychain\n'))).to.equal(undefined);
    expect(classifyOutput('fake', 'get', 'x', fail('  credentials not found in native keychain \r\n\n'))).to.equal(undefined);
  });
  it('exit 0 with empty Username and Secret (pass 0.6.4) is not found', () => {
    expect(classifyOutput('fake', 'get', 'nothere', ok('{"ServerURL":"nothere","Username":"","Secret":""}\n'))).to.equal(undefined);
  });
  it('exit 0 with a username and an empty secret is a credential (an empty secret is legal)', () => {
    const c = classifyOutput('fake', 'get', 'e', ok('{"ServerURL":"e","Username":"bob","Secret":""}\n'));
    expect(c?.username).to.equal('bob');
  });
  it('a failure never quotes get output, and says why', () => {
    const e = classifyError('get', 'quay.io', fail(`oops ${SECRET}\n`, 3));
    expect(e.reason).to.equal('failed');
    expect(e.message).to.include('exit status 3');
    expect((e.message).includes(SECRET), 'a secret in the output (not printed)').to.equal(false);
    expect(e.message).not.to.include('oops');
    expect(e.message).to.include('not shown');
  });
  it('the protocol texts are named even for get', () => {
    expect(classifyError('get', '', fail('no credentials server URL\n')).message).to.include(': no credentials server URL');
  });
  it('non-JSON on exit 0 is bad output, not quoted', () => {
    const e = classifyError('get', 'quay.io', ok(`Password: ${SECRET}\n`));
    expect(e.reason).to.equal('bad-output');
    expect(e.message).to.include('not JSON');
    expect((e.message).includes(SECRET), 'a secret in the output (not printed)').to.equal(false);
  });
  it('JSON of the wrong shape on exit 0 is bad output', () => {
    expect(classifyError('get', 'q', ok('["a"]\n')).message).to.include('not a credential object');
    expect(classifyError('get', 'q', ok('{"Username":1,"Secret":"fake-x"}\n')).message).to.include('Username is not a string');
  });
  it('a helper killed by a signal reports the signal', () => {
    const e = classifyError('get', 'q', { code: null, signal: 'SIGSEGV', stdout: '' });
    expect(e.message).to.include('killed by SIGSEGV');
  });
});

describe('helper client: reading store, erase and list output', () => {
  it('store: exit 0 is success; a failure quotes the helper text with the secret masked, capped', () => {
    expect(classifyOutput('fake', 'store', { serverURL: 's', username: 'u', secret: SECRET }, ok(''))).to.equal(undefined);
    const long = `bad input ${SECRET} ${'x'.repeat(1500)}\nsecond line`;
    const e = classifyError('store', { serverURL: 's', username: 'u', secret: SECRET }, fail(long));
    expect(e.message).to.include('failed (exit status 1): bad input ********');
    expect((e.message).includes(SECRET), 'a secret in the output (not printed)').to.equal(false);
    expect(e.message.length).to.be.lessThan(1100);
  });
  it('store: a failure with no output says so', () => {
    expect(classifyError('store', { serverURL: 's', username: 'u', secret: SECRET }, fail('')).message).to.match(/failed \(exit status 1\) and printed nothing$/);
  });
  it('erase: exit 0 is erased; the not-found text and pass\'s own missing-entry text are not-found', () => {
    expect(classifyOutput('fake', 'erase', 'q', ok(''))).to.equal('erased');
    expect(classifyOutput('fake', 'erase', 'q', fail('credentials not found in native keychain\n'))).to.equal('not-found');
    const passText = 'exit status 1: Error: docker-credential-helpers/bm90aGVyZS5pbw== is not in the password store.\n\n';
    expect(classifyOutput('fake', 'erase', 'q', fail(passText))).to.equal('not-found');
  });
  it('erase: another failure quotes the helper text', () => {
    expect(classifyError('erase', 'q', fail('keyring is locked\n')).message).to.equal('docker-credential-fake erase failed (exit status 1): keyring is locked');
  });
  it('list: JSON object → map; Go escapes are decoded', () => {
    const m = classifyOutput('fake', 'list', undefined, ok('{"ghcr.io":"\\u003ctoken\\u003e","quay.io":"bob"}\n'));
    expect([...m]).to.deep.equal([
      ['ghcr.io', '<token>'],
      ['quay.io', 'bob'],
    ]);
  });
  // As docker-credential-helpers' client.Get and client.List decode (json.Decoder, first value only).
  it('get: the answer is read as Go reads it: same-line trailing bytes ignored, members in document order, null is no credential', () => {
    const c = classifyOutput('fake', 'get', 'q', ok('{"Username":"u","Secret":"fake-s","Username":null} {"x"\n'));
    expect(c).to.deep.equal({ serverURL: 'q', username: 'u', password: 'fake-s', identityToken: undefined });
    expect(classifyOutput('fake', 'get', 'q', ok('null\n'))).to.equal(undefined);
    expect(classifyError('get', 'q', ok('{"Secret":[],"Username":1}\n')).message).to.include('Secret is not a string');
  });
  it('list: null (a Go helper\'s nil map) is an empty list, a null username is "", a later duplicate wins', () => {
    expect([...classifyOutput('fake', 'list', undefined, ok('null\n'))]).to.deep.equal([]);
    expect([...classifyOutput('fake', 'list', undefined, ok('{"a.io":null,"b.io":"x","b.io":"y"}\n'))]).to.deep.equal([['a.io', ''], ['b.io', 'y']]);
  });
  it('the not-found text is compared after Go\'s TrimSpace (U+0085 is space, a BOM is not)', () => {
    expect(classifyOutput('fake', 'get', 'x', fail('credentials not found in native keychain\u0085'))).to.equal(undefined);
    expect(classifyError('get', 'x', fail('\ufeffcredentials not found in native keychain')).reason).to.equal('failed');
  });
  it('list: the not-found text is an error, not an empty list', () => {
    expect(classifyError('list', undefined, fail('credentials not found in native keychain\n')).reason).to.equal('failed');
  });
  it('list: junk on exit 0 is bad output, not quoted (it is no list answer, and may be a password)', () => {
    const e = classifyError('list', undefined, ok('fake-first-line-password\nhello there\n'));
    expect(e.reason).to.equal('bad-output');
    expect(e.message).to.equal('docker-credential-fake list exited 0 but printed 37 bytes that are not JSON (not shown: they may hold anything, a secret included)');
    expect(classifyError('list', undefined, ok(' \n')).message).to.equal('docker-credential-fake list exited 0 but printed nothing');
    expect(classifyError('list', undefined, ok('{"a":1}')).message).to.include('is not a string');
  });
  it('list: a key quoted in an error is one bounded line', () => {
    const m = classifyError('list', undefined, ok(`{"${'k'.repeat(3000)}\u009b\u2028x":1}`)).message;
    expect(m.length).to.be.below(1100);
    expect(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(m)).to.equal(false);
  });
  it('list: a failure\'s output is quoted as one line, C1 controls and Unicode line breaks included', () => {
    const m = classifyError('list', undefined, fail('no keychain\u009b2J\u2028second\u2029third\u0085\n')).message;
    expect(m).to.equal('docker-credential-fake list failed (exit status 1): no keychain 2J second third');
  });
});

describe('helper client: a helper that names itself', () => {
  it('its own "PROGRAM VERB …" line is the message, and its "PROGRAM: " prefix is not said a second time', () => {
    const nested = 'docker-credential-fake list failed (exit status 1): docker-credential-fake list refused: helpers nested 2 deep';
    expect(classifyError('list', undefined, fail(`${nested}\n`)).message).to.equal(nested);
    expect(classifyError('erase', 'quay.io', fail('docker-credential-fake: internal error: boom\n')).message).to.equal('docker-credential-fake erase failed (exit status 1): internal error: boom');
    // store output is still masked when it is passed on.
    const store = classifyError('store', { serverURL: 'x', username: 'u', secret: SECRET }, fail(`docker-credential-fake store failed (exit status 1): echoed ${SECRET}\n`));
    expect(store.message).to.equal('docker-credential-fake store failed (exit status 1): echoed ********');
  });
  it('another program, another verb, or get output: prefixed as before (get output is never shown)', () => {
    expect(classifyError('list', undefined, fail('docker-credential-pass list failed (exit status 1): x\n')).message).to.equal('docker-credential-fake list failed (exit status 1): docker-credential-pass list failed (exit status 1): x');
    expect(classifyError('list', undefined, fail('docker-credential-fake store refused: x\n')).message).to.equal('docker-credential-fake list failed (exit status 1): docker-credential-fake store refused: x');
    expect(classifyError('get', 'quay.io', fail(`docker-credential-fake get ${SECRET}\n`)).message).to.equal('docker-credential-fake get failed (exit status 1); its output is not shown because it may hold a secret');
  });
});

describe('helper client: quoting output', () => {
  it('masks the secret in raw and JSON-escaped forms and strips control characters', () => {
    const secret = 'fake-p"<x>';
    const q = quoteOutput(`raw fake-p"<x> json fake-p\\"\\u003cx\\u003e go fake-p\\"<x> \u001b[31mred`, secret);
    expect(q).not.to.include('<x>');
    expect(q).not.to.include('\u001b');
    expect(q.match(/\*{8}/g)?.length).to.equal(3);
  });
});
