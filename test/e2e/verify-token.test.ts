/**
 * verifyCredentials against a real Distribution registry in token-auth mode: the registry sends a
 * Bearer challenge, the node token server in test/support checks the credentials and signs a JWT
 * the registry verifies against its rootcertbundle, and only then does `/v2/` answer 200.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { RegistryError, UnauthorizedError } from '../../src/errors.js';
import { parseChallenges } from '../../src/registry-client/challenge.js';
import { verifyCredentials } from '../../src/registry-client/verify.js';
import { errorText, rejection } from '../support/rejection.js';
import { skipUnlessPrograms } from '../support/sandbox.js';
import { startTokenRegistry, type TokenRegistry } from '../support/token-registry.js';

const USERS = { alice: 'fake-alice-pw', bob: 'fake-bob-pw' };
const WRONG = 'fake-not-alices-pw';
const IDENTITY_TOKEN = 'fake-identity-token-for-bob';

/** The registry's own anonymous answer to GET /v2/: status and WWW-Authenticate. */
function anonymousPing(host: string, ca: string): Promise<{ status: number; challenge: string | undefined }> {
  const [hostname, port] = host.split(':') as [string, string];
  return new Promise((resolvePromise, reject) => {
    const req = request({ hostname, port: Number(port), path: '/v2/', ca, agent: false }, (res) => {
      res.resume();
      resolvePromise({ status: res.statusCode ?? 0, challenge: res.headers['www-authenticate'] });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('e2e: verifyCredentials against a real token-auth registry (Bearer)', function () {
  let tr: TokenRegistry | undefined;

  before(async function () {
    await skipUnlessPrograms(this, ['docker-registry', 'htpasswd', 'openssl']);
    tr = await startTokenRegistry({ users: USERS, refreshTokens: { [IDENTITY_TOKEN]: 'bob' } });
  });
  after(async () => {
    await tr?.stop();
  });
  beforeEach(() => {
    if (!tr) return;
    tr.events.length = 0;
    tr.behaviour.oauth = true;
    tr.behaviour.redirect = false;
    tr.behaviour.untrustedSigner = false;
  });

  const base = () => ({ registry: tr!.host, tls: { certDir: tr!.certDir }, timeoutMs: 20_000 });

  it('the registry itself challenges with Bearer, pointing at the token server', async () => {
    const ping = await anonymousPing(tr!.host, readFileSync(join(tr!.certDir, 'registry-ca.crt'), 'utf8'));
    expect(ping.status).to.equal(401);
    const [challenge] = parseChallenges(ping.challenge);
    expect(challenge?.scheme).to.equal('bearer');
    expect(challenge?.params['realm']).to.equal(tr!.realm);
    expect(challenge?.params['service']).to.equal(tr!.service);
  });

  it('right password: a token by GET with Basic auth, and the registry accepts the token', async () => {
    const mark = tr!.registry.logMark();
    const result = await verifyCredentials({ ...base(), username: 'alice', password: USERS.alice });
    expect(result).to.deep.equal({ ok: true, method: 'bearer', url: `https://${tr!.host}/v2/` });
    expect(tr!.events).to.deep.equal([{ method: 'GET', grant: 'basic', outcome: 'issued', user: 'alice', fields: { service: tr!.service, account: 'alice' } }]);
    // The registry verified the JWT's signature, issuer and audience, and let the request through.
    expect(tr!.registry.authEvents(mark).map((e) => e.outcome)).to.include('accepted');
  });

  it('wrong password: the token server refuses, an unauthorized error names user and host only', async () => {
    const mark = tr!.registry.logMark();
    const err = await rejection(verifyCredentials({ ...base(), username: 'alice', password: WRONG }));
    expect(err).to.be.instanceOf(UnauthorizedError);
    expect(err.message).to.equal(`unauthorized: incorrect username or password for alice at ${tr!.host}`);
    expect(errorText(err)).to.not.contain(WRONG);
    expect(tr!.events.map((e) => e.outcome)).to.deep.equal(['rejected']);
    expect(tr!.registry.authEvents(mark).map((e) => e.outcome)).to.not.include('accepted');
  });

  it('a token signed by a key the registry does not trust is refused by the registry itself', async () => {
    tr!.behaviour.untrustedSigner = true;
    const mark = tr!.registry.logMark();
    const err = await rejection(verifyCredentials({ ...base(), username: 'alice', password: USERS.alice }));
    expect(err).to.be.instanceOf(UnauthorizedError);
    expect(err.message).to.equal(`unauthorized: the registry refused the token from ${new URL(tr!.realm).host} for alice at ${tr!.host}`);
    expect(tr!.events.map((e) => e.outcome)).to.deep.equal(['issued']);
    expect(tr!.registry.authEvents(mark).map((e) => e.outcome)).to.not.include('accepted');
  });

  it('a scope is passed to the token server', async () => {
    const result = await verifyCredentials({ ...base(), username: 'alice', password: USERS.alice, scope: 'repository:team/app:pull' });
    expect(result.method).to.equal('bearer');
    expect(tr!.events[0]?.fields).to.deep.equal({ service: tr!.service, scope: 'repository:team/app:pull', account: 'alice' });
  });

  it('identity token: the OAuth2 refresh_token grant, and the registry accepts the token', async () => {
    const mark = tr!.registry.logMark();
    const result = await verifyCredentials({ ...base(), identityToken: IDENTITY_TOKEN });
    expect(result).to.deep.equal({ ok: true, method: 'bearer', identityToken: IDENTITY_TOKEN, url: `https://${tr!.host}/v2/` });
    expect(tr!.events).to.have.length(1);
    expect(tr!.events[0]).to.deep.include({ method: 'POST', grant: 'refresh_token', outcome: 'issued', user: 'bob' });
    expect(tr!.events[0]?.fields).to.deep.equal({ grant_type: 'refresh_token', client_id: 'credkit', access_type: 'offline', service: tr!.service });
    expect(tr!.registry.authEvents(mark).map((e) => e.outcome)).to.include('accepted');
  });

  it('a wrong identity token without a user name is unauthorized at the host', async () => {
    const err = await rejection(verifyCredentials({ ...base(), identityToken: 'fake-wrong-identity-token' }));
    expect(err.message).to.equal(`unauthorized: the identity token was not accepted at ${tr!.host}`);
  });

  it('a wrong identity token (OAuth2 invalid_grant) is unauthorized, without the token in the message', async () => {
    const err = await rejection(verifyCredentials({ ...base(), username: 'bob', identityToken: 'fake-wrong-identity-token' }));
    expect(err).to.be.instanceOf(UnauthorizedError);
    expect(err.message).to.equal(`unauthorized: the identity token was not accepted for bob at ${tr!.host}`);
    expect(errorText(err)).to.not.contain('fake-wrong-identity-token');
  });

  it('asking for an identity token uses the password grant, and the token it returns works', async () => {
    const first = await verifyCredentials({ ...base(), username: 'alice', password: USERS.alice, requestIdentityToken: true });
    expect(first.method).to.equal('bearer');
    expect(first.identityToken).to.be.a('string').and.equal(tr!.issuedRefreshTokens.get('alice'));
    expect(tr!.events[0]).to.deep.include({ method: 'POST', grant: 'password', outcome: 'issued', user: 'alice' });
    const again = await verifyCredentials({ ...base(), username: 'alice', identityToken: first.identityToken! });
    expect(again.method).to.equal('bearer');
    expect(tr!.events[1]).to.deep.include({ method: 'POST', grant: 'refresh_token', outcome: 'issued', user: 'alice' });
  });

  it('a token server without OAuth2 (POST 404) is asked by GET with offline_token=true instead', async () => {
    tr!.behaviour.oauth = false;
    const result = await verifyCredentials({ ...base(), username: 'alice', password: USERS.alice, requestIdentityToken: true });
    expect(result.method).to.equal('bearer');
    expect(result.identityToken).to.equal(tr!.issuedRefreshTokens.get('alice'));
    expect(tr!.events.map((e) => [e.method, e.grant, e.outcome])).to.deep.equal([
      ['POST', 'password', 'not-found'],
      ['GET', 'basic', 'issued'],
    ]);
    expect(tr!.events[1]?.fields).to.deep.include({ offline_token: 'true', client_id: 'credkit' });
  });

  it('follows a redirect of the token realm, for GET and for the OAuth2 POST', async () => {
    tr!.behaviour.redirect = true;
    expect((await verifyCredentials({ ...base(), username: 'alice', password: USERS.alice })).method).to.equal('bearer');
    expect((await verifyCredentials({ ...base(), identityToken: IDENTITY_TOKEN })).method).to.equal('bearer');
    expect(tr!.events.map((e) => [e.method, e.outcome])).to.deep.equal([
      ['GET', 'redirected'],
      ['GET', 'issued'],
      ['POST', 'redirected'],
      ['POST', 'issued'],
    ]);
  });

  it('a token server whose certificate is not trusted gives a TLS error naming it', async () => {
    const err = await rejection(
      verifyCredentials({ registry: tr!.host, username: 'alice', password: USERS.alice, tls: { caFiles: [join(tr!.certDir, 'registry-ca.crt')] } }),
    );
    expect(err).to.be.instanceOf(RegistryError);
    expect((err as RegistryError).failure).to.equal('tls');
    expect(err.message).to.contain(new URL(tr!.realm).host).and.contain('--cert-dir');
    expect(tr!.events).to.deep.equal([]);
  });
});
