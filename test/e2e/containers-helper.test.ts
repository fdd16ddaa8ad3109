/**
 * containers/image clients (skopeo, podman, buildah) read, store and erase credentials through
 * `docker-credential-credkit` when an auth file names it in `credHelpers`, against a real registry
 * whose log says which user each request authenticated as.
 */
import { expect } from 'chai';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { basePath, makeSandboxPerTest, run, skipUnlessPrograms, writeHelperShim, type RunResult, type Sandbox } from '../support/sandbox.js';
import { containerStateFlags, makeRegistryPerSuite, type Registry } from '../support/registry.js';

const ALICE_PW = 'fake-alice-pw-1';
const WRONG_PW = 'fake-not-alices-pw';
const NOT_FOUND = 'credentials not found in native keychain\n';

describe('e2e: containers/image clients use docker-credential-credkit via credHelpers', function () {
  let registry: Registry | undefined;
  let sb: Sandbox | undefined;
  let image: string;
  let authFile: string;
  let authFileText: string;
  let env: Record<string, string>;

  before(async function () {
    await skipUnlessPrograms(this, ['docker-registry', 'htpasswd', 'openssl', 'skopeo']);
  });
  makeRegistryPerSuite({ users: { alice: ALICE_PW, bob: 'fake-bob-pw' } }, async (made) => {
    registry = made;
    image = await registry.seedImage('team/app:1', 'alice');
  });

  makeSandboxPerTest({ CREDKIT_BACKEND: 'file' }, async (made) => {
    const r = registry!;
    sb = made;
    // Everything the test needs lives under `work`; the rest of HOME stays free of auth files, so
    // containers/image can only find credentials through the auth file below.
    const work = join(sb.home, 'work');
    await mkdir(work);
    sb.env.CREDKIT_FILE = join(work, 'credkit', 'credentials.json');
    const shimDir = await writeHelperShim(join(work, 'bin'));
    authFile = join(work, 'auth.json');
    authFileText = JSON.stringify({ auths: {}, credHelpers: { [r.host]: 'credkit' } });
    await writeFile(authFile, authFileText, { mode: 0o600 });
    // The client's env: the sandbox's (HOME, XDG dirs, CREDKIT_*) with the shim dir first on PATH.
    env = r.clientEnv({ ...sb.env, PATH: `${shimDir}:${basePath()}` });
  });

  const storeInCredkit = (username: string, secret: string) =>
    sb!.helper('store', `${JSON.stringify({ ServerURL: registry!.host, Username: username, Secret: secret })}\n`);

  const skopeo = (args: readonly string[], input?: string) => run('skopeo', args, { env, input });
  /** `skopeo inspect` of the seeded image through the auth file (`extra`: more environment, e.g. CREDKIT_ACCOUNT). */
  const inspectImage = (extra: Record<string, string> = {}) =>
    run('skopeo', ['inspect', '--authfile', authFile, '--cert-dir', registry!.certDir, `docker://${image}`], { env: { ...env, ...extra } });
  /** inspectImage, checking that the registry accepted alice (and the image came back) or rejected her. */
  const expectInspect = async (outcome: 'accepted' | 'rejected', extra: Record<string, string> = {}): Promise<RunResult> => {
    const r = registry!;
    const mark = r.logMark();
    const res = await inspectImage(extra);
    if (outcome === 'accepted') {
      expect(res.code, res.stderr).to.equal(0);
      expect(JSON.parse(res.stdout).Name).to.equal(`${r.host}/team/app`);
    } else {
      expect(res.code).to.equal(1);
      expect(res.stderr).to.contain('unauthorized');
    }
    expect(r.acceptedUsers(mark)).to.deep.equal(outcome === 'accepted' ? ['alice'] : []);
    expect(r.rejectedUsers(mark)).to.deep.equal(outcome === 'rejected' ? ['alice'] : []);
    return res;
  };
  /** `login --password-stdin` as alice with `password` through the auth file, run by `client` (skopeo, podman or buildah). */
  const loginAlice = (client: typeof skopeo, password: string) =>
    client(['login', '--authfile', authFile, '--cert-dir', registry!.certDir, '--username', 'alice', '--password-stdin', registry!.host], `${password}\n`);

  function expectNoSecrets(...results: RunResult[]) {
    for (const r of results) for (const pw of [ALICE_PW, WRONG_PW]) expect(r.stdout + r.stderr).to.not.contain(pw);
  }

  async function expectNothingStored() {
    const l = await sb!.helper('list', 'unused');
    expect(l.code, l.stdout).to.equal(0);
    expect(l.stdout).to.equal('{}\n');
  }

  /** credkit's helper returns alice's credential for the registry. */
  async function expectAliceStored() {
    const got = await sb!.helper('get', registry!.host);
    expect(got.code, got.stdout).to.equal(0);
    expect(JSON.parse(got.stdout)).to.deep.equal({ ServerURL: registry!.host, Username: 'alice', Secret: ALICE_PW });
  }

  /** credkit's helper no longer finds the registry, and lists nothing at all. */
  async function expectErased() {
    const after = await sb!.helper('get', registry!.host);
    expect(after.code).to.equal(1);
    expect(after.stdout).to.equal(NOT_FOUND);
    await expectNothingStored();
  }

  async function expectAuthFileKeepsNoSecret() {
    const text = await readFile(authFile, 'utf8');
    const parsed = JSON.parse(text) as { auths?: Record<string, unknown>; credHelpers?: Record<string, string> };
    expect(parsed.auths ?? {}).to.deep.equal({});
    expect(parsed.credHelpers).to.deep.equal({ [registry!.host]: 'credkit' });
    expect(text).to.not.contain(ALICE_PW);
    expect(text).to.not.contain(Buffer.from(`alice:${ALICE_PW}`).toString('base64'));
  }

  /**
   * login only checks /v2/, which the registry logs without a user name: it was accepted and nobody
   * was rejected. Which user it was is proven by the inspect that follows, through credkit.
   */
  function expectLoginAccepted(mark: number) {
    const events = registry!.authEvents(mark);
    expect(events.some((e) => e.outcome === 'accepted'), JSON.stringify(events)).to.equal(true);
    expect(registry!.rejectedUsers(mark)).to.deep.equal([]);
  }

  describe('skopeo', () => {
    it('inspect authenticates as alice with the credential credkit returns', async () => {
      const s = await storeInCredkit('alice', ALICE_PW);
      expect(s.code, s.stdout).to.equal(0);
      const res = await expectInspect('accepted');
      expect(await readFile(authFile, 'utf8')).to.equal(authFileText); // reading writes nothing
      expectNoSecrets(res);
    });

    it('a wrong password in credkit is what skopeo sends: inspect fails and the registry rejects alice', async () => {
      expect((await storeInCredkit('alice', WRONG_PW)).code).to.equal(0);
      const res = await expectInspect('rejected');
      expectNoSecrets(res);
    });

    it('with nothing stored in credkit, inspect is anonymous and fails', async () => {
      const r = registry!;
      const mark = r.logMark();
      const res = await inspectImage();
      expect(res.code).to.equal(1);
      expect(res.stderr).to.contain('unauthorized');
      const outcomes = new Set(r.authEvents(mark).map((e) => e.outcome));
      expect([...outcomes]).to.deep.equal(['anonymous']);
    });

    it('login stores the credential in credkit (not in the auth file); logout erases it', async () => {
      const r = registry!;
      const mark = r.logMark();
      const login = await loginAlice(skopeo, ALICE_PW);
      expect(login.code, login.stderr).to.equal(0);
      expectLoginAccepted(mark);
      await expectAliceStored();
      await expectAuthFileKeepsNoSecret();

      // What login stored is what the next pull-side lookup uses.
      const mark2 = r.logMark();
      const inspect = await inspectImage();
      expect(inspect.code, inspect.stderr).to.equal(0);
      expect(r.acceptedUsers(mark2)).to.deep.equal(['alice']);

      const logout = await skopeo(['logout', '--authfile', authFile, r.host]);
      expect(logout.code, logout.stderr).to.equal(0);
      await expectErased();
      await expectAuthFileKeepsNoSecret();
      expectNoSecrets(login, inspect, logout);
    });

    it('login with a wrong password fails and stores nothing', async () => {
      const r = registry!;
      const mark = r.logMark();
      const login = await loginAlice(skopeo, WRONG_PW);
      expect(login.code).to.not.equal(0);
      expect(r.rejectedUsers(mark)).to.deep.equal(['alice']);
      await expectNothingStored();
      expect(await readFile(authFile, 'utf8')).to.equal(authFileText);
      expectNoSecrets(login);
    });

    // containers/image runs the helper through docker-credential-helpers' client, which leaves the
    // child's environment unset (inherited), so CREDKIT_ACCOUNT in skopeo's env reaches credkit.
    it('CREDKIT_ACCOUNT selects a saved account: inspect is rejected with the plain entry and accepted as the account "work"; logout and login as "work" keep to the account', async () => {
      const r = registry!;
      const work = { ...env, CREDKIT_ACCOUNT: 'work' };
      const asWork = (args: readonly string[], input?: string) => run('skopeo', args, { env: work, input });
      /** The password the helper answers with, for the plain entry or (CREDKIT_ACCOUNT=work) the account. */
      const secretIn = async (extra: Record<string, string> = {}) => {
        const got = await sb!.helper('get', r.host, extra);
        expect(got.code).to.equal(0);
        return (JSON.parse(got.stdout) as { Secret: string }).Secret;
      };
      // The plain entry holds a wrong password, the account "work" the right one.
      expect((await storeInCredkit('alice', WRONG_PW)).code).to.equal(0);
      const stored = await sb!.helper('store', `${JSON.stringify({ ServerURL: r.host, Username: 'alice', Secret: ALICE_PW })}\n`, { CREDKIT_ACCOUNT: 'work' });
      expect(stored.code, stored.stdout).to.equal(0);

      const without = await expectInspect('rejected');
      const withAccount = await expectInspect('accepted', { CREDKIT_ACCOUNT: 'work' });

      // logout as "work" erases the account only: the plain (wrong) entry answers again.
      const logout = await asWork(['logout', '--authfile', authFile, r.host]);
      expect(logout.code, logout.stderr).to.equal(0);
      expect((await secretIn({ CREDKIT_ACCOUNT: 'work' })) === WRONG_PW, 'logout as "work" did not erase the account').to.equal(true);
      expect(JSON.parse((await sb!.helper('list', '')).stdout)).to.deep.equal({ [r.host]: 'alice' });
      await expectInspect('rejected', { CREDKIT_ACCOUNT: 'work' });

      // login as "work" saves the account again and leaves the plain entry alone.
      const login = await asWork(['login', '--authfile', authFile, '--cert-dir', r.certDir, '--username', 'alice', '--password-stdin', r.host], `${ALICE_PW}\n`);
      expect(login.code, login.stderr).to.equal(0);
      expect((await secretIn({ CREDKIT_ACCOUNT: 'work' })) === ALICE_PW, 'login as "work" did not save the account').to.equal(true);
      expect((await secretIn()) === WRONG_PW, 'login as "work" replaced the plain entry').to.equal(true);
      await expectAuthFileKeepsNoSecret();
      await expectInspect('accepted', { CREDKIT_ACCOUNT: 'work' });
      expectNoSecrets(without, withAccount, logout, login);
    });
  });

  for (const program of ['podman', 'buildah'] as const) {
    describe(program, () => {
      before(async function () {
        await skipUnlessPrograms(this, [program]);
      });

      // Container state (storage, run dirs) stays in the sandbox, not on the machine.
      const client = (args: readonly string[], input?: string) =>
        run(program, [...containerStateFlags(join(sb!.home, 'work', program), program), ...args], { env, input });

      it('login stores alice in credkit, skopeo then authenticates with it, logout erases it', async () => {
        const r = registry!;
        const mark = r.logMark();
        const login = await loginAlice(client, ALICE_PW);
        expect(login.code, login.stderr).to.equal(0);
        expectLoginAccepted(mark);
        await expectAliceStored();
        await expectAuthFileKeepsNoSecret();

        // --get-login reads the user name back through the helper.
        const who = await client(['login', '--get-login', '--authfile', authFile, r.host]);
        expect(who.code, who.stderr).to.equal(0);
        expect(who.stdout.trim()).to.equal('alice');

        const mark2 = r.logMark();
        const inspect = await inspectImage();
        expect(inspect.code, inspect.stderr).to.equal(0);
        expect(r.acceptedUsers(mark2)).to.deep.equal(['alice']);

        const logout = await client(['logout', '--authfile', authFile, r.host]);
        expect(logout.code, logout.stderr).to.equal(0);
        await expectErased();
        expectNoSecrets(login, who, inspect, logout);
      });

      it('login with a wrong password fails, the registry rejects alice, and nothing is stored', async () => {
        const r = registry!;
        const mark = r.logMark();
        const login = await loginAlice(client, WRONG_PW);
        expect(login.code).to.not.equal(0);
        expect(r.rejectedUsers(mark)).to.deep.equal(['alice']);
        expect(r.acceptedUsers(mark)).to.deep.equal([]);
        await expectNothingStored();
        expectNoSecrets(login);
      });
    });
  }
});
