/**
 * The env backend is read-only, so it runs the read half of the contract plus its own rules.
 */
import { expect } from 'chai';
import { makeSandbox, type Sandbox } from '../support/sandbox.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('store contract: env (read-only)', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await makeSandbox({
      CREDKIT_BACKEND: 'env',
      CREDKIT_AUTH_CONFIG: JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: b64('alice:pa:ss') },
          'ghcr.io': { identitytoken: 'tok-1' },
          'quay.io': { username: 'bob', password: 'from-json' },
        },
      }),
      CREDKIT_CRED_QUAY_SERVER: 'quay.io',
      CREDKIT_CRED_QUAY_USERNAME: 'robot',
      CREDKIT_CRED_QUAY_SECRET: 'from-triple',
    });
  });
  afterEach(() => sb.cleanup());

  it('get and list read both forms; triples win; passwords may contain ":"', async () => {
    expect((await sb.helper('get', 'https://index.docker.io/v1/')).stdout).to.equal(
      '{"ServerURL":"https://index.docker.io/v1/","Username":"alice","Secret":"pa:ss"}\n',
    );
    expect((await sb.helper('get', 'ghcr.io')).stdout).to.equal('{"ServerURL":"ghcr.io","Username":"\\u003ctoken\\u003e","Secret":"tok-1"}\n');
    expect((await sb.helper('get', 'quay.io')).stdout).to.equal('{"ServerURL":"quay.io","Username":"robot","Secret":"from-triple"}\n');
    expect((await sb.helper('list')).stdout).to.equal('{"ghcr.io":"\\u003ctoken\\u003e","https://index.docker.io/v1/":"alice","quay.io":"robot"}\n');
    const r = await sb.helper('get', 'docker.io');
    expect(r).to.include({ code: 1, stdout: 'credentials not found in native keychain\n' });
  });

  it('store and erase fail with a clear message and exit 1', async () => {
    let r = await sb.helper('store', '{"ServerURL":"x","Username":"u","Secret":"s"}\n');
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/^the env backend is read-only/);
    r = await sb.helper('erase', 'quay.io');
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/^the env backend is read-only/);
  });

  it('a malformed CREDKIT_AUTH_CONFIG names the variable and key, not the value', async () => {
    let r = await sb.helper('get', 'x', { CREDKIT_AUTH_CONFIG: '{"auths": {"bad.example": {"auth": "c2VjcmV0LXZhbHVl"}}}' });
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal('CREDKIT_AUTH_CONFIG: key "bad.example": "auth" must be padded base64 of user:password\n');
    r = await sb.helper('get', 'x', { CREDKIT_AUTH_CONFIG: '{not json secret-value' });
    expect(r.stdout).to.equal('CREDKIT_AUTH_CONFIG: not valid JSON\n');
    r = await sb.helper('get', 'x', { CREDKIT_CRED_X_SERVER: 'x.example' });
    expect(r.stdout).to.equal('environment: key "CREDKIT_CRED_X_SERVER": needs CREDKIT_CRED_X_USERNAME and CREDKIT_CRED_X_SECRET too\n');
  });
});
