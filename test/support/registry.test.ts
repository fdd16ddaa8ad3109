/**
 * The real-registry harness itself: it starts whatever REGISTRY_* says, answers 401 to anonymous
 * clients, tells accepted, rejected and anonymous requests apart in its log, and stops cleanly.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, skipUnlessPrograms } from './sandbox.js';
import { pingStatus, startRegistry, type Registry } from './registry.js';

const USERS = { alice: 'fake-alice-pw', bob: 'fake-bob-pw' };

describe('test harness: real registry', function () {
  let registry: Registry | undefined;
  let home: string;
  let ref: string;

  before(async function () {
    await skipUnlessPrograms(this, ['docker-registry', 'htpasswd', 'openssl', 'skopeo']);
    // REGISTRY_* variables from the environment must not reach the registry: these would move it
    // and point its auth at a missing file.
    registry = await startRegistry({
      users: USERS,
      env: { ...process.env, REGISTRY_AUTH_FILE: join(tmpdir(), 'credkit-no-such-file.json'), REGISTRY_HTTP_ADDR: '127.0.0.1:1' },
    });
    ref = await registry.seedImage('team/app:1', 'alice');
  });
  after(async () => {
    await registry?.stop();
  });
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'credkit-test-'));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  function inspect(authFile: string) {
    const r = registry!;
    return run('skopeo', ['inspect', '--authfile', authFile, '--cert-dir', r.certDir, `docker://${ref}`], {
      env: r.clientEnv({ HOME: home }),
    });
  }

  it('listens on 127.0.0.1 with its own port, and its cert dir holds only ca.crt', async () => {
    const r = registry!;
    expect(r.host).to.match(/^127\.0\.0\.1:\d+$/);
    expect(r.host).to.not.equal('127.0.0.1:1');
    expect(ref).to.equal(`${r.host}/team/app:1`);
    expect(readdirSync(r.certDir)).to.deep.equal(['ca.crt']);
  });

  it('answers 401 to an anonymous client, and logs it as anonymous', async () => {
    const r = registry!;
    const mark = r.logMark();
    expect(await pingStatus(r.host, readFileSync(r.caFile, 'utf8'))).to.equal(401);
    expect(r.authEvents(mark)).to.deep.equal([{ outcome: 'anonymous' }]);

    const res = await inspect(join(home, 'no-auth-file.json'));
    expect(res.code).to.equal(1);
    expect(res.stderr).to.contain('unauthorized');
    const outcomes = new Set(r.authEvents(mark).map((e) => e.outcome));
    expect([...outcomes]).to.deep.equal(['anonymous']);
  });

  it('accepts alice through an auth file, and the log names her', async () => {
    const r = registry!;
    await r.writeAuthFile(join(home, 'auth.json'), 'alice');
    const mark = r.logMark();
    const res = await inspect(join(home, 'auth.json'));
    expect(res.code, res.stderr).to.equal(0);
    expect(JSON.parse(res.stdout).Name).to.equal(`${r.host}/team/app`);
    expect(r.acceptedUsers(mark)).to.deep.equal(['alice']);
    expect(r.rejectedUsers(mark)).to.deep.equal([]);
  });

  it('rejects a wrong password, and the log names the user it rejected', async () => {
    const r = registry!;
    await r.writeAuthFile(join(home, 'auth.json'), 'bob', 'fake-not-bobs-pw');
    const mark = r.logMark();
    const res = await inspect(join(home, 'auth.json'));
    expect(res.code).to.equal(1);
    expect(res.stderr).to.contain('unauthorized');
    expect(r.rejectedUsers(mark)).to.deep.equal(['bob']);
    expect(r.acceptedUsers(mark)).to.deep.equal([]);
  });

  it('never writes a password into its log', () => {
    const log = readFileSync(registry!.logFile, 'utf8');
    for (const pw of [...Object.values(USERS), 'fake-not-bobs-pw']) expect(log).to.not.contain(pw);
  });

  it('stop() ends the registry and removes its files', async () => {
    const r = registry!;
    const ca = readFileSync(r.caFile, 'utf8');
    await r.stop();
    expect(existsSync(r.logFile)).to.equal(false);
    let error: NodeJS.ErrnoException | undefined;
    await pingStatus(r.host, ca).catch((e: NodeJS.ErrnoException) => (error = e));
    expect(error?.code).to.equal('ECONNREFUSED');
    await r.stop(); // a second stop (the after hook's) is harmless
  });
});
