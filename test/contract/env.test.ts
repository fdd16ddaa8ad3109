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
          'https://index.docker.io/v1/': { auth: b64('alice:fake-pa:ss') },
          'ghcr.io': { identitytoken: 'fake-tok-1' },
          'quay.io': { username: 'bob', password: 'fake-from-json' },
        },
      }),
      CREDKIT_CRED_QUAY_SERVER: 'quay.io',
      CREDKIT_CRED_QUAY_USERNAME: 'robot',
      CREDKIT_CRED_QUAY_SECRET: 'fake-from-triple',
    });
  });
  afterEach(() => sb.cleanup());

  it('get and list read both forms; triples win; passwords may contain ":"', async () => {
    expect((await sb.helper('get', 'https://index.docker.io/v1/')).stdout).to.equal(
      '{"ServerURL":"https://index.docker.io/v1/","Username":"alice","Secret":"fake-pa:ss"}\n',
    );
    expect((await sb.helper('get', 'ghcr.io')).stdout).to.equal('{"ServerURL":"ghcr.io","Username":"\\u003ctoken\\u003e","Secret":"fake-tok-1"}\n');
    expect((await sb.helper('get', 'quay.io')).stdout).to.equal('{"ServerURL":"quay.io","Username":"robot","Secret":"fake-from-triple"}\n');
    expect((await sb.helper('list')).stdout).to.equal('{"ghcr.io":"\\u003ctoken\\u003e","https://index.docker.io/v1/":"alice","quay.io":"robot"}\n');
    const r = await sb.helper('get', 'docker.io');
    expect(r).to.include({ code: 1, stdout: 'credentials not found in native keychain\n' });
  });

  it('store and erase fail with a clear message and exit 1', async () => {
    let r = await sb.helper('store', '{"ServerURL":"x","Username":"u","Secret":"fake-s"}\n');
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/^the env backend is read-only/);
    r = await sb.helper('erase', 'quay.io');
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/^the env backend is read-only/);
  });

  it('a malformed CREDKIT_AUTH_CONFIG names the variable and key, not the value', async () => {
    let r = await sb.helper('get', 'x', { CREDKIT_AUTH_CONFIG: '{"auths": {"bad.example": {"auth": "ZmFrZS1zZWNyZXQtdmFsdWU="}}}' });
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal('CREDKIT_AUTH_CONFIG: key "bad.example": "auth" must be padded base64 of user:password\n');
    r = await sb.helper('get', 'x', { CREDKIT_AUTH_CONFIG: '{not json fake-secret-value' });
    expect(r.stdout).to.equal('CREDKIT_AUTH_CONFIG: not valid JSON\n');
    r = await sb.helper('get', 'x', { CREDKIT_CRED_X_SERVER: 'x.example' });
    expect(r.stdout).to.equal('environment: key "CREDKIT_CRED_X_SERVER": needs CREDKIT_CRED_X_USERNAME and CREDKIT_CRED_X_SECRET too\n');
  });

  describe('misconfigured groups are an error for every use, naming the variables, never their values', () => {
    const SECRETS = ['fake-env-secret-1', 'fake-env-secret-2', 'fake-from-triple'];
    const twoForQuay = { CREDKIT_CRED_ROBOT_SERVER: 'quay.io', CREDKIT_CRED_ROBOT_USERNAME: 'robot2', CREDKIT_CRED_ROBOT_SECRET: 'fake-env-secret-1' };
    const noServer = { CREDKIT_CRED_GHCR_USERNAME: 'octo', CREDKIT_CRED_GHCR_SECRET: 'fake-env-secret-2' };
    const duplicate = 'environment: CREDKIT_CRED_QUAY_SERVER and CREDKIT_CRED_ROBOT_SERVER name the same server, and each server can have one credential; remove one of the two groups';
    const orphan = 'environment: CREDKIT_CRED_GHCR_USERNAME and CREDKIT_CRED_GHCR_SECRET are set but CREDKIT_CRED_GHCR_SERVER is not (or is empty), so the group names no server; set CREDKIT_CRED_GHCR_SERVER or unset the group';
    const noSecret = (text: string) => {
      for (const s of SECRETS) expect(text.includes(s), 'a secret was printed').to.equal(false);
    };

    for (const [what, env, message] of [
      ['two groups for one server', twoForQuay, duplicate],
      ['a group with _USERNAME/_SECRET but no _SERVER', noServer, orphan],
      ['a group whose _SERVER is empty', { ...noServer, CREDKIT_CRED_GHCR_SERVER: '' }, orphan],
    ] as const) {
      it(`${what}: the helper answers the error on stdout, exit 1, for the server concerned, another one, list, store and erase`, async () => {
        for (const [verb, input] of [['get', 'quay.io'], ['get', 'https://index.docker.io/v1/'], ['list', ''], ['store', '{"ServerURL":"x","Username":"u","Secret":"fake-s"}\n'], ['erase', 'quay.io']] as const) {
          const r = await sb.helper(verb, input, env);
          noSecret(r.stdout + r.stderr);
          expect([r.code, r.stdout, r.stderr], `${verb} ${input}`).to.deep.equal([1, `${message}\n`, '']);
        }
        const c = await sb.credkit(['store', 'get', 'ghcr.io'], '', env);
        expect([c.code, c.stdout, c.stderr]).to.deep.equal([1, '', `credkit: ${message}\n`]);
        const backends = await sb.credkit(['store', 'backends', '--json'], '', env);
        noSecret(backends.stdout);
        const row = (JSON.parse(backends.stdout) as { backends: { name: string; usable: boolean; problem?: string }[] }).backends.find((b) => b.name === 'env');
        expect(row).to.deep.include({ usable: false, problem: message });
      });
    }

    // A CI job that may not read the secret (a pull request from a fork) gets it empty: it should
    // pull public images anonymously, and the groups that have their secret still answer.
    it('a group whose _SECRET is empty is switched off, whatever its _USERNAME: get finds nothing, list leaves it out, the other groups answer', async () => {
      const env = {
        CREDKIT_AUTH_CONFIG: '',
        CREDKIT_CRED_HUB_SERVER: 'https://index.docker.io/v1/',
        CREDKIT_CRED_HUB_USERNAME: 'octo',
        CREDKIT_CRED_HUB_SECRET: '',
        CREDKIT_CRED_GHCR_SERVER: 'ghcr.io',
        CREDKIT_CRED_GHCR_USERNAME: '',
        CREDKIT_CRED_GHCR_SECRET: '',
        CREDKIT_CRED_QUAY_SERVER: 'quay.io',
        CREDKIT_CRED_QUAY_USERNAME: 'robot',
        CREDKIT_CRED_QUAY_SECRET: 'fake-env-secret-1',
      };
      for (const server of ['https://index.docker.io/v1/', 'ghcr.io']) {
        const r = await sb.helper('get', server, env);
        expect([r.code, r.stdout, r.stderr], server).to.deep.equal([1, 'credentials not found in native keychain\n', '']);
      }
      const quay = await sb.helper('get', 'quay.io', env);
      expect(quay.code).to.equal(0);
      expect(JSON.parse(quay.stdout)).to.deep.equal({ ServerURL: 'quay.io', Username: 'robot', Secret: 'fake-env-secret-1' });
      const list = await sb.helper('list', '', env);
      expect([list.code, list.stdout]).to.deep.equal([0, '{"quay.io":"robot"}\n']);
    });

    it('a lone _SECRET is named alone; a group switched off (every variable empty) is ignored', async () => {
      const off = { CREDKIT_CRED_OFF_SERVER: '', CREDKIT_CRED_OFF_USERNAME: '', CREDKIT_CRED_OFF_SECRET: '' };
      const r = await sb.helper('get', 'quay.io', off);
      expect(r.code, r.stdout).to.equal(0);
      const lone = await sb.helper('list', '', { CREDKIT_CRED_LONE_SECRET: 'fake-env-secret-2' });
      noSecret(lone.stdout);
      expect(lone.stdout).to.equal('environment: CREDKIT_CRED_LONE_SECRET is set but CREDKIT_CRED_LONE_SERVER is not (or is empty), so the group names no server; set CREDKIT_CRED_LONE_SERVER or unset the group\n');
    });
  });
});
