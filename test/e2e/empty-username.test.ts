/**
 * What check's empty-username says an auth.json entry with an empty username does, seen with the
 * real containers/image client: skopeo takes the entry, but a token registry's token server gets
 * an anonymous request (the password is never sent), and `login --get-login` says "not logged into".
 */
import { expect } from 'chai';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeSandboxPerTest, run, skipUnlessPrograms, type Sandbox } from '../support/sandbox.js';
import { makeTokenRegistryPerSuite, type TokenRegistry } from '../support/token-registry.js';

const USERS = { alice: 'fake-empty-user-alice-pw' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('e2e: an empty username in a podman auth.json, against a real token-auth registry', function () {
  let tr: TokenRegistry | undefined;
  let sb: Sandbox;

  before(async function () {
    await skipUnlessPrograms(this, ['docker-registry', 'htpasswd', 'openssl', 'skopeo']);
  });
  makeTokenRegistryPerSuite({ users: USERS }, (made) => (tr = made));
  makeSandboxPerTest({}, (s) => {
    sb = s;
    tr!.events.length = 0;
  });

  /** skopeo with only `authFile` (empty HOME and XDG_RUNTIME_DIR). */
  async function skopeo(args: readonly string[]) {
    const home = join(sb.home, 'skopeo-home');
    await mkdir(home, { recursive: true, mode: 0o700 });
    return run('skopeo', args, { env: tr!.registry.clientEnv({ HOME: home, XDG_RUNTIME_DIR: home }) });
  }

  it('check calls it an error, as skopeo asks the token server anonymously and --get-login finds no login', async () => {
    const authFile = join(sb.home, 'auth.json');
    const ref = `${tr!.host}/team/app:1`;
    // The same password with a username gets a token: the password is right, only the username is missing.
    await writeFile(authFile, JSON.stringify({ auths: { [tr!.host]: { auth: b64(`alice:${USERS.alice}`) } } }), { mode: 0o600 });
    await skopeo(['inspect', '--raw', '--authfile', authFile, '--cert-dir', tr!.certDir, `docker://${ref}`]);
    expect(tr!.events.map((e) => [e.method, e.grant, e.outcome, e.user])).to.deep.include(['GET', 'basic', 'issued', 'alice']);

    tr!.events.length = 0;
    await writeFile(authFile, JSON.stringify({ auths: { [tr!.host]: { auth: b64(`:${USERS.alice}`) } } }), { mode: 0o600 });
    const inspect = await skopeo(['inspect', '--raw', '--authfile', authFile, '--cert-dir', tr!.certDir, `docker://${ref}`]);
    expect(inspect.code).to.not.equal(0);
    expect(tr!.events.length).to.be.greaterThan(0);
    expect(tr!.events.map((e) => [e.method, e.grant]), 'no credential sent to the token server').to.deep.equal(tr!.events.map(() => ['GET', 'none']));
    const login = await skopeo(['login', '--get-login', '--authfile', authFile, tr!.host]);
    expect(login.code).to.not.equal(0);
    expect(login.stderr).to.include(`not logged into ${tr!.host}`);

    const check = await sb.credkit(['check', authFile, '--json']);
    expect(check.stdout.includes(USERS.alice)).to.equal(false);
    const findings = (JSON.parse(check.stdout) as { findings: Array<{ code: string; severity: string; message: string }> }).findings;
    const empty = findings.find((f) => f.code === 'empty-username');
    expect(empty?.severity).to.equal('error');
    expect(empty?.message).to.match(/a token registry .* gets an anonymous token request, and podman login --get-login says "not logged into" it/);
    expect(check.code).to.equal(1);
  });
});
