/**
 * `credkit copy` and `credkit migrate` through the shipped bin in a throwaway HOME, against the
 * real docker-credential-pass and docker-credential-secretservice and credkit's own backends.
 */
import { expect } from 'chai';
import { chmod, chown, mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN, FIXTURES, makeSandbox, putHelperOnPath, run, skipUnlessPrograms, type RunResult, type Sandbox } from '../support/sandbox.js';
import { startSecretService, usePassStore, type RealBackend } from '../support/real-helpers.js';

const PW1 = 'fake-copy-password-one';
const PW2 = 'fake-copy-password-two';
const OLD = 'fake-copy-password-old';
const TOKEN = 'fake-copy-identity-token';
const SECRETS = [PW1, PW2, OLD, TOKEN, 'fake-new-hub', 'fake-new-quay', 'fake-old-hub', 'fake-old-quay'];

const b64 = (s: string) => Buffer.from(s).toString('base64');

function expectNoSecrets(...results: RunResult[]): void {
  for (const r of results) for (const s of SECRETS) {
    expect(r.stdout, 'stdout').not.to.include(s);
    expect(r.stderr, 'stderr').not.to.include(s);
  }
}

/** Calls a real helper directly, as docker would. */
async function helper(sb: Sandbox, name: string, verb: string, input = ''): Promise<RunResult> {
  return run(`docker-credential-${name}`, [verb], { input, env: sb.env });
}

async function helperStore(sb: Sandbox, name: string, url: string, user: string, secret: string): Promise<void> {
  const r = await helper(sb, name, 'store', `${JSON.stringify({ ServerURL: url, Username: user, Secret: secret })}\n`);
  expect(r.code, r.stdout).to.equal(0);
}

async function helperGet(sb: Sandbox, name: string, url: string): Promise<{ Username: string; Secret: string } | undefined> {
  const r = await helper(sb, name, 'get', url);
  return r.code === 0 ? (JSON.parse(r.stdout) as { Username: string; Secret: string }) : undefined;
}

/** `credkit ARGS` with the working directory set (patterns are relative to it). */
function credkitIn(sb: Sandbox, cwd: string, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<RunResult> {
  return run(process.execPath, [BIN.credkit, ...args], { cwd, env: { ...sb.env, ...extraEnv } });
}

describe('credkit copy: credkit file backend → real docker-credential-pass', function () {
  let sb: Sandbox;
  const pass = usePassStore(['docker-credential-pass']);

  before(async () => {
    sb = await makeSandbox({ CREDKIT_BACKEND: 'file', ...pass.env });
    for (const [url, user, secret] of [['quay.io', 'bob', PW1], ['https://index.docker.io/v1/', 'alice', PW2]] as const) {
      const r = await sb.credkit(['store', 'store', url, '-u', user, '--password-stdin'], secret);
      expect(r.code, r.stderr).to.equal(0);
    }
    const t = await sb.credkit(['store', 'store', 'ghcr.io', '--identity-token', '--password-stdin'], TOKEN);
    expect(t.code, t.stderr).to.equal(0);
    // pass already holds quay.io for another user: the copy must replace it, not sit beside it.
    await helperStore(sb, 'pass', 'quay.io', 'carol', OLD);
  });
  after(async () => {
    await sb?.cleanup();
  });

  it('--dry-run lists add/replace per entry and changes nothing', async () => {
    const r = await sb.credkit(['copy', '--from', 'file', '--to', 'helper:pass', '--dry-run', '--json']);
    expect(r.code, r.stderr).to.equal(0);
    const report = JSON.parse(r.stdout);
    expect(report.entries.map((e: { serverURL: string; username: string; action: string; status: string }) => [e.serverURL, e.username, e.action, e.status])).to.deep.equal([
      ['ghcr.io', '<token>', 'add', 'planned'],
      ['https://index.docker.io/v1/', 'alice', 'add', 'planned'],
      ['quay.io', 'bob', 'replace', 'planned'],
    ]);
    expect(JSON.parse((await helper(sb, 'pass', 'list', 'unused')).stdout)).to.deep.equal({ 'quay.io': 'carol' });
    const text = await sb.credkit(['copy', '--from', 'file', '--to', 'helper:pass', '--dry-run']);
    expect(text.stdout).to.match(/ghcr\.io\s+\(identity token\)\s+add/);
    expect(text.stdout).to.include('nothing was changed');
    expectNoSecrets(r, text);
  });

  it('copies everything, verified, and the real helper returns each credential (one per URL)', async () => {
    const r = await sb.credkit(['copy', '--from', 'file', '--to', 'helper:pass']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/3 copied, 0 moved, 0 unchanged, 0 skipped, 0 failed/);
    expect(await helperGet(sb, 'pass', 'quay.io')).to.include({ Username: 'bob', Secret: PW1 });
    expect(await helperGet(sb, 'pass', 'https://index.docker.io/v1/')).to.include({ Username: 'alice', Secret: PW2 });
    expect(await helperGet(sb, 'pass', 'ghcr.io')).to.include({ Username: '<token>', Secret: TOKEN });
    // pass keeps one file per username; carol's stale entry must be gone.
    const store = join(pass.env.PASSWORD_STORE_DIR as string, 'docker-credential-helpers', Buffer.from('quay.io').toString('base64').replaceAll('+', '-').replaceAll('/', '_'));
    expect(await readdir(store)).to.deep.equal(['bob.gpg']);
    expectNoSecrets(r);
  });

  it('a second run finds everything the same', async () => {
    const r = await sb.credkit(['copy', '--from', 'file', '--to', 'helper:pass', '--json']);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout).entries.map((e: { status: string }) => e.status)).to.deep.equal(['unchanged', 'unchanged', 'unchanged']);
  });

  it('--move with a registry filter erases only that entry from the source, after it verified', async () => {
    await sb.credkit(['store', 'erase', 'ghcr.io', '--backend', 'helper:pass']);
    const r = await sb.credkit(['copy', '--from', 'file', '--to', 'helper:pass', '--move', 'https://ghcr.io']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/ghcr\.io\s+\(identity token\)\s+add\s+moved/);
    const left = await sb.credkit(['store', 'list', '--json']);
    expect(Object.keys(JSON.parse(left.stdout))).to.deep.equal(['https://index.docker.io/v1/', 'quay.io']);
    expect(await helperGet(sb, 'pass', 'ghcr.io')).to.include({ Username: '<token>', Secret: TOKEN });
  });

  it('a copy pass changes (it drops a trailing newline) fails and leaves pass as it was: the credential it held put back, else nothing', async () => {
    const NL = 'nl.example.test';
    const r0 = await sb.helper('store', `${JSON.stringify({ ServerURL: NL, Username: 'nina', Secret: `${PW1}\n` })}\n`);
    expect(r0.code, r0.stdout).to.equal(0);
    await helperStore(sb, 'pass', NL, 'carol', OLD);
    try {
      let r = await sb.credkit(['copy', '--from', 'file', '--to', 'helper:pass', '--move', NL, '--json']);
      expect(r.code).to.equal(1);
      expectNoSecrets(r);
      let entry = JSON.parse(r.stdout).entries[0];
      expect([entry.action, entry.status, entry.reason]).to.deep.equal(['replace', 'failed', 'helper:pass returns a different secret when read back; the credential helper:pass held before was put back']);
      expect(await helperGet(sb, 'pass', NL)).to.deep.include({ Username: 'carol', Secret: OLD });
      // Nothing there before: the changed copy does not stay for docker to send.
      expect((await helper(sb, 'pass', 'erase', NL)).code).to.equal(0);
      r = await sb.credkit(['copy', '--from', 'file', '--to', 'helper:pass', NL, '--json']);
      expect(r.code).to.equal(1);
      entry = JSON.parse(r.stdout).entries[0];
      expect([entry.action, entry.status, entry.reason]).to.deep.equal(['add', 'failed', 'helper:pass returns a different secret when read back; the changed copy was erased from helper:pass']);
      // (docker-credential-pass's get answers a URL it has no directory for with empty fields, exit 0.)
      expect(Object.keys(JSON.parse((await helper(sb, 'pass', 'list')).stdout))).to.not.include(NL);
      expect(Object.keys(JSON.parse((await sb.credkit(['store', 'list', '--json'])).stdout))).to.include(NL);
    } finally {
      await sb.credkit(['store', 'erase', NL]);
    }
  });

  it('usage errors exit 2; a filter that matches nothing exits 1', async () => {
    expect((await sb.credkit(['copy', '--from', 'file', '--to', 'env'])).code).to.equal(2);
    expect((await sb.credkit(['copy', '--from', 'env', '--to', 'file', '--move'])).code).to.equal(2);
    expect((await sb.credkit(['copy', '--from', 'file', '--to', 'file'])).code).to.equal(2);
    const none = await sb.credkit(['copy', '--from', 'file', '--to', 'helper:pass', 'nothing.example']);
    expect(none.code).to.equal(1);
    expect(none.stderr).to.include('no credential in file matches "nothing.example"');
  });

  it('credkit\'s pass backend and docker-credential-pass are one store: refused, nothing erased', async () => {
    const before = await helperGet(sb, 'pass', 'quay.io');
    expect(before).to.not.equal(undefined);
    for (const [from, to] of [['pass', 'helper:pass'], ['helper:pass', 'pass']]) {
      const r = await sb.credkit(['copy', '--from', from!, '--to', to!, '--move']);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.match(/are the same store \(pass .*\); nothing was changed/);
    }
    expect(await helperGet(sb, 'pass', 'quay.io')).to.deep.equal(before);
  });
});

describe('credkit copy: real docker-credential-secretservice → authfile:PATH', function () {
  let sb: Sandbox;
  let keyring: RealBackend;

  before(async function () {
    await skipUnlessPrograms(this, ['dbus-daemon', 'gnome-keyring-daemon', 'docker-credential-secretservice']);
    keyring = await startSecretService();
    sb = await makeSandbox({ CREDKIT_BACKEND: 'file', ...keyring.env });
    await helperStore(sb, 'secretservice', 'quay.io', 'bob', PW1);
    await helperStore(sb, 'secretservice', 'ghcr.io', '<token>', TOKEN);
    await helperStore(sb, 'secretservice', 'registry.example:5000', 'dan', PW2);
  });
  after(async () => {
    await sb?.cleanup();
    await keyring?.stop();
  });

  it('writes plaintext entries into an auth file and keeps everything else in it', async () => {
    const dir = join(sb.home, 'ci');
    await mkdir(dir);
    const path = join(dir, 'config.json');
    await writeFile(path, JSON.stringify({ auths: { 'gcr.io': { auth: b64('keep:fake-me') } }, psFormat: 'table', credHelpers: { 'ecr.example': 'ecr-login' } }), { mode: 0o640 });
    const r = await sb.credkit(['copy', '--from', 'helper:secretservice', '--to', `authfile:${path}`, 'quay.io', 'ghcr.io', '--json']);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout).entries.map((e: { serverURL: string; status: string }) => [e.serverURL, e.status])).to.deep.equal([
      ['ghcr.io', 'copied'],
      ['quay.io', 'copied'],
    ]);
    const doc = JSON.parse(await readFile(path, 'utf8'));
    expect(doc).to.deep.equal({
      auths: { 'gcr.io': { auth: b64('keep:fake-me') }, 'ghcr.io': { identitytoken: TOKEN }, 'quay.io': { auth: b64(`bob:${PW1}`) } },
      psFormat: 'table',
      credHelpers: { 'ecr.example': 'ecr-login' },
    });
    expect((await stat(path)).mode & 0o777).to.equal(0o600);
    expectNoSecrets(r);
  });

  it('copies back from the auth file into credkit\'s file backend', async () => {
    const path = join(sb.home, 'ci', 'config.json');
    const r = await sb.credkit(['copy', '--from', `authfile:${path}`, '--to', 'file']);
    expect(r.code, r.stderr).to.equal(0);
    const list = JSON.parse((await sb.credkit(['store', 'list', '--json'])).stdout);
    expect(list).to.deep.equal({ 'gcr.io': 'keep', 'ghcr.io': '<token>', 'quay.io': 'bob' });
  });

  it('the keychain backend and docker-credential-secretservice on one bus are one store: refused up front, nothing changed', async () => {
    const before = await run('docker-credential-secretservice', ['list'], { env: sb.env });
    expect(before.code, before.stdout).to.equal(0);
    for (const [from, to] of [['keychain', 'helper:secretservice'], ['helper:secretservice', 'keychain']]) {
      const r = await sb.credkit(['copy', '--from', from!, '--to', to!, '--move', 'quay.io'], '', { CREDKIT_BACKEND: 'keychain' });
      expectNoSecrets(r);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.match(/are the same store \(Secret Service on the session bus .*\); nothing was changed/);
      expect(r.stdout).to.equal('');
    }
    // The bus found through $XDG_RUNTIME_DIR/bus (here a link to it) is that same bus, as GDBus finds it.
    await symlink(keyring.env.DBUS_SESSION_BUS_ADDRESS!.slice('unix:path='.length), join(sb.env.XDG_RUNTIME_DIR as string, 'bus'));
    const viaRuntimeDir = await run(process.execPath, [BIN.credkit, 'copy', '--from', 'keychain', '--to', 'helper:secretservice', '--move'], {
      env: { ...sb.env, CREDKIT_BACKEND: 'keychain', DBUS_SESSION_BUS_ADDRESS: undefined },
    });
    expect(viaRuntimeDir.code, viaRuntimeDir.stderr).to.equal(2);
    expect(viaRuntimeDir.stderr).to.include('are the same store');
    const after = await run('docker-credential-secretservice', ['list'], { env: sb.env });
    expect(after.stdout).to.equal(before.stdout);
    expect(await helperGet(sb, 'secretservice', 'quay.io')).to.include({ Username: 'bob', Secret: PW1 });
  });

  it('with another [keychain] service the keychain sees only its own items, so it is not refused: the check after the erase still loses nothing', async () => {
    const service = { CREDKIT_BACKEND: 'keychain', CREDKIT_KEYCHAIN_SERVICE: 'credkit-other' };
    const r = await sb.credkit(['copy', '--from', 'helper:secretservice', '--to', 'keychain', '--move', 'quay.io', '--json'], '', service);
    expect(r.code, r.stderr).to.equal(1);
    expectNoSecrets(r);
    const entries = JSON.parse(r.stdout).entries as { status: string; reason: string }[];
    expect(entries.map((e) => e.status)).to.deep.equal(['failed']);
    // The helper's erase matches the keychain's item too (extra attributes do not stop a match).
    expect(entries[0]?.reason).to.match(/erased it from keychain too/);
    expect(await helperGet(sb, 'secretservice', 'quay.io')).to.include({ Username: 'bob', Secret: PW1 });
  });
});

describe('credkit copy: an unpaired surrogate escape in an auth file', function () {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await makeSandbox({ CREDKIT_BACKEND: 'file' });
  });
  afterEach(async () => sb?.cleanup());

  it('is copied as U+FFFD, as docker reads it, into the file backend and through a helper, whose read-back then matches', async () => {
    const from = join(sb.home, 'a.json');
    // Written as JSON text: JSON.stringify would not keep the escape a hand-edited file can hold.
    await writeFile(from, '{"auths":{"quay.io":{"username":"alice","password":"fake-\\ud800x"}}}', { mode: 0o600 });
    const file = await sb.credkit(['copy', '--from', `authfile:${from}`, '--to', 'file', '--json']);
    expect(file.code, file.stderr).to.equal(0);
    expect((await helperGet(sb, 'credkit', 'quay.io'))?.Secret === 'fake-\ufffdx').to.equal(true);
    const stored = JSON.parse(await readFile(join(sb.home, '.local', 'share', 'credkit', 'credentials.json'), 'utf8')) as { credentials: Record<string, { secret: string }> };
    expect(stored.credentials['quay.io']?.secret === 'fake-\ufffdx').to.equal(true);
    // docker-credential-credkit decodes its store input as Go does (U+FFFD): the read-back matches.
    await sb.credkit(['store', 'erase', 'quay.io']);
    const viaHelper = await sb.credkit(['copy', '--from', `authfile:${from}`, '--to', 'helper:credkit', '--json']);
    expect(viaHelper.code, viaHelper.stderr).to.equal(0);
    expect((JSON.parse(viaHelper.stdout) as { entries: { status: string }[] }).entries.map((e) => e.status)).to.deep.equal(['copied']);
    expect((await helperGet(sb, 'credkit', 'quay.io'))?.Secret === 'fake-\ufffdx').to.equal(true);
  });
});

describe('credkit copy: authfile:PATH → authfile:PATH', function () {
  let sb: Sandbox;
  before(async function () {
    await skipUnlessPrograms(this, ['podman']);
  });
  beforeEach(async () => {
    sb = await makeSandbox();
  });
  afterEach(async () => sb?.cleanup());

  it('the copy keeps auth = base64(user:) beside the identitytoken, so podman still reads it (podman login --get-login)', async () => {
    const from = join(sb.home, 'a.json');
    await writeFile(from, JSON.stringify({ auths: { 'tok.io': { auth: b64('tu:'), identitytoken: TOKEN } } }), { mode: 0o600 });
    for (const name of ['b.json', 'auth.json']) {
      const to = join(sb.home, name);
      const r = await sb.credkit(['copy', '--from', `authfile:${from}`, '--to', `authfile:${to}`]);
      expectNoSecrets(r);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/tok\.io\s+\(identity token\)\s+add\s+copied/);
      expect(JSON.parse(await readFile(to, 'utf8')).auths).to.deep.equal({ 'tok.io': { auth: b64('tu:'), identitytoken: TOKEN } });
      // The real podman reads the entry, username included; it ignores a token without that auth.
      const login = await run('podman', ['login', '--authfile', to, '--get-login', 'tok.io'], { env: sb.env });
      expect([login.code, login.stdout.trim()], login.stderr).to.deep.equal([0, 'tu']);
    }
  });

  it('a registry the target already holds under another spelling is written under the key its client reads first, so podman takes the copy', async () => {
    const from = join(sb.home, 'docker-style.json');
    await writeFile(from, JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('new-hub:fake-new-hub') }, 'https://quay.io': { auth: b64('new-quay:fake-new-quay') } } }), { mode: 0o600 });
    const to = join(sb.home, 'auth.json');
    await writeFile(to, JSON.stringify({ auths: { 'docker.io': { auth: b64('old-hub:fake-old-hub') }, 'quay.io': { auth: b64('old-quay:fake-old-quay') } } }), { mode: 0o600 });
    const r = await sb.credkit(['copy', '--from', `authfile:${from}`, '--to', `authfile:${to}`]);
    expectNoSecrets(r);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/https:\/\/index\.docker\.io\/v1\/ -> docker\.io\s+new-hub\s+replace\s+copied/);
    expect(Object.keys(JSON.parse(await readFile(to, 'utf8')).auths)).to.deep.equal(['docker.io', 'quay.io']);
    // podman takes the exact "docker.io" / "quay.io" before any other spelling of them.
    for (const [registry, user] of [['docker.io', 'new-hub'], ['quay.io', 'new-quay']]) {
      const login = await run('podman', ['login', '--authfile', to, '--get-login', registry!], { env: sb.env });
      expect([login.code, login.stdout.trim()], login.stderr).to.deep.equal([0, user]);
    }
    // Into a docker config.json, Docker Hub goes under docker's key, as docker login writes it.
    const config = join(sb.home, 'config.json');
    const back = await sb.credkit(['copy', '--from', `authfile:${to}`, '--to', `authfile:${config}`, 'docker.io']);
    expect(back.code, back.stderr).to.equal(0);
    expect(Object.keys(JSON.parse(await readFile(config, 'utf8')).auths)).to.deep.equal(['https://index.docker.io/v1/']);
  });

  it('an auth.json whose entry has a field podman never decodes of the wrong type ("username": true) is copied into and out of, as podman reads it, keeping the value', async () => {
    const to = join(sb.home, 'auth.json');
    const quay = { auth: b64('q:fake-old-quay'), username: true, email: {} };
    await writeFile(to, JSON.stringify({ auths: { 'quay.io': quay } }), { mode: 0o600 });
    // The real podman reads the file and answers the user in "auth".
    const before = await run('podman', ['login', '--authfile', to, '--get-login', 'quay.io'], { env: sb.env });
    expect([before.code, before.stdout.trim()], before.stderr).to.deep.equal([0, 'q']);
    const from = join(sb.home, 'a.json');
    await writeFile(from, JSON.stringify({ auths: { 'ghcr.io': { auth: b64('g:fake-new-quay') } } }), { mode: 0o600 });
    const into = await sb.credkit(['copy', '--from', `authfile:${from}`, '--to', `authfile:${to}`]);
    expectNoSecrets(into);
    expect(into.code, into.stderr).to.equal(0);
    expect(into.stdout).to.match(/ghcr\.io\s+g\s+add\s+copied/);
    expect(JSON.parse(await readFile(to, 'utf8')).auths).to.deep.equal({ 'quay.io': quay, 'ghcr.io': { auth: b64('g:fake-new-quay') } });
    const after = await run('podman', ['login', '--authfile', to, '--get-login', 'ghcr.io'], { env: sb.env });
    expect([after.code, after.stdout.trim()], after.stderr).to.deep.equal([0, 'g']);
    const out = await sb.credkit(['copy', '--from', `authfile:${to}`, '--to', `authfile:${join(sb.home, 'b.json')}`, 'quay.io']);
    expectNoSecrets(out);
    expect(out.code, out.stderr).to.equal(0);
    expect(out.stderr).to.include('key "quay.io": "username" is a boolean, not a string: not read, as podman 4.3 never decodes it');
  });

  it('an auth.json entry with only "username"/"password" is no credential to podman, and copy, get --as podman, explain and ls say so', async () => {
    const dir = join(sb.home, 'p');
    await mkdir(dir);
    const from = join(dir, 'auth.json');
    await writeFile(from, JSON.stringify({ auths: { 'quay.io': { username: 'q', password: 'fake-old-quay' }, 'ghcr.io': { auth: b64('g:fake-new-quay') } } }), { mode: 0o600 });
    // The real podman decodes only "auth" and "identitytoken": not logged into quay.io.
    const podman = await run('podman', ['login', '--authfile', from, '--get-login', 'quay.io'], { env: sb.env });
    expect([podman.code, podman.stderr.trim()]).to.deep.equal([125, 'Error: not logged into quay.io']);
    const to = join(sb.home, 'b.json');
    const r = await sb.credkit(['copy', '--from', `authfile:${from}`, '--to', `authfile:${to}`]);
    expectNoSecrets(r);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/ghcr\.io\s+g\s+add\s+copied/).and.not.include('quay.io');
    expect(r.stderr).to.include(`credkit: note: ${from}: key "quay.io": credential only in "username"/"password", which podman 4.3 never decodes (it has no credential there): not read;`);
    expect(Object.keys(JSON.parse(await readFile(to, 'utf8')).auths)).to.deep.equal(['ghcr.io']);
    const one = await sb.credkit(['copy', '--from', `authfile:${from}`, '--to', `authfile:${to}`, 'quay.io']);
    expect(one.code).to.equal(1);
    expect(one.stderr).to.include('key "quay.io": credential only in "username"/"password"');
    // The lookups that follow podman agree; ls lists the entry as written, with the same word.
    const get = await sb.credkit(['get', 'quay.io', '--as', 'podman', '--authfile', from]);
    expect(get.code).to.equal(1);
    const explain = await sb.credkit(['explain', 'quay.io/a', '--authfile', from]);
    expect(explain.stdout).to.include('key "quay.io": only "username"/"password" fields, which containers/image ignores');
    const ls = await run(process.execPath, [BIN.credkit, 'ls', 'auth.json'], { cwd: dir, env: sb.env });
    expect(ls.code, ls.stderr).to.equal(0);
    expect(ls.stderr).to.equal('credkit: note: auth.json: key "quay.io": credential only in "username"/"password", which podman never decodes (it has no credential there); `credkit convert auth.json --to podman` folds them into "auth"\n');
    expectNoSecrets(one, get, explain, ls);
  });

  it('a config.json with a value of the wrong type is read as docker reads it, and copy says what it left out (text and --json)', async () => {
    const from = join(sb.home, 'config.json');
    await writeFile(from, JSON.stringify({ auths: { 'quay.io': { auth: b64('q:fake-quay') }, 'ghcr.io': { auth: 5 } } }), { mode: 0o600 });
    const to = join(sb.home, 'auth.json');
    const r = await sb.credkit(['copy', '--from', `authfile:${from}`, '--to', `authfile:${to}`]);
    expectNoSecrets(r);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/credkit: note: .*ghcr\.io/);
    expect(r.stdout).to.match(/quay\.io\s+q\s+add\s+copied/);
    expect(Object.keys(JSON.parse(await readFile(to, 'utf8')).auths)).to.deep.equal(['quay.io']);
    const json = await sb.credkit(['copy', '--from', `authfile:${from}`, '--to', `authfile:${to}`, '--dry-run', '--json']);
    expect(json.code, json.stderr).to.equal(0);
    expect((JSON.parse(json.stdout) as { notes: string[] }).notes.some((n) => n.includes('ghcr.io'))).to.equal(true);
  });
});

describe('credkit migrate --into-store: many config.json files into the real docker-credential-pass', function () {
  let sb: Sandbox;
  const pass = usePassStore(['docker-credential-pass']);
  let work: string;
  const original = JSON.stringify({ auths: { 'https://quay.io': { auth: b64(`bob:${PW1}`) }, 'quay.io/team/app': { auth: b64(`robot:${PW2}`) } }, psFormat: 'table' }, null, 2);

  before(async () => {
    sb = await makeSandbox({ CREDKIT_BACKEND: 'file', ...pass.env });
    work = join(sb.home, 'work');
    for (const d of ['a', 'b', 'c']) await mkdir(join(work, d), { recursive: true });
    await writeFile(join(work, 'a', 'config.json'), original);
    await chmod(join(work, 'a', 'config.json'), 0o644);
    await writeFile(join(work, 'b', 'config.json'), JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('alice:fake-pw-b'), identitytoken: TOKEN } } }));
    await writeFile(join(work, 'c', 'config.json'), '{"auths": {"quay.io": ');
  });
  after(async () => {
    await sb?.cleanup();
  });

  it('--dry-run reports per file and changes nothing', async () => {
    const r = await credkitIn(sb, work, ['migrate', '*/config.json', '--into-store', 'helper:pass', '--dry-run']);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/^would-change +a\/config\.json$/m);
    expect(r.stdout).to.match(/^failed +c\/config\.json: invalid JSON/m);
    expect(r.stdout).to.include('3 files: 2 would change, 0 unchanged, 0 lossy (not written), 1 failed; dry run, nothing was changed');
    expect(await readFile(join(work, 'a', 'config.json'), 'utf8')).to.equal(original);
    expect(JSON.parse((await helper(sb, 'pass', 'list', 'unused')).stdout)).to.deep.equal({});
    expectNoSecrets(r);
  });

  it('stores, verifies, leaves credsStore and {} markers, backs up, and skips the bad file', async () => {
    const r = await credkitIn(sb, work, ['migrate', '*/config.json', '--into-store', 'helper:pass', '--backup', '--json']);
    expect(r.code).to.equal(1);
    const report = JSON.parse(r.stdout);
    expect(report.files.map((f: { file: string; status: string }) => [f.file, f.status])).to.deep.equal([
      ['a/config.json', 'changed'],
      ['b/config.json', 'changed'],
      ['c/config.json', 'failed'],
    ]);
    expect(JSON.parse(await readFile(join(work, 'a', 'config.json'), 'utf8'))).to.deep.equal({
      auths: { 'quay.io': {}, 'quay.io/team/app': { auth: b64(`robot:${PW2}`) } },
      psFormat: 'table',
      credsStore: 'pass',
    });
    expect(JSON.parse(await readFile(join(work, 'b', 'config.json'), 'utf8'))).to.deep.equal({ auths: { 'https://index.docker.io/v1/': {} }, credsStore: 'pass' });
    expect(await readFile(join(work, 'c', 'config.json'), 'utf8')).to.equal('{"auths": {"quay.io": ');
    expect(await helperGet(sb, 'pass', 'quay.io')).to.include({ Username: 'bob', Secret: PW1 });
    expect(await helperGet(sb, 'pass', 'https://index.docker.io/v1/')).to.include({ Username: '<token>', Secret: TOKEN });
    const backup = report.files[0].backup as string;
    expect(backup).to.match(/^a\/config\.json\.credkit-backup-\d{8}T\d{6}Z$/);
    expect(await readFile(join(work, backup), 'utf8')).to.equal(original);
    // The old content holds plaintext secrets: 0600, however readable the file was.
    expect((await stat(join(work, backup))).mode & 0o777).to.equal(0o600);
    expectNoSecrets(r);
  });

  it('a second run changes nothing and says so (backups are never migrated)', async () => {
    const r = await credkitIn(sb, work, ['migrate', '*/config.json*', '--into-store', 'helper:pass', '--backup']);
    expect(r.stdout).to.match(/^unchanged +a\/config\.json$/m);
    expect(r.stdout).to.match(/^unchanged +b\/config\.json: no plaintext credentials$/m);
    expect(r.stdout).not.to.include('credkit-backup-2');
    expect(r.stdout).to.include('3 files: 0 changed, 2 unchanged, 0 lossy (not written), 1 failed');
    const backups = (await readdir(join(work, 'a'))).filter((n) => n.includes('credkit-backup'));
    expect(backups).to.have.length(1);
  });

  it('refuses to overwrite a different credential already in the store, leaving the file alone', async () => {
    const path = join(work, 'd', 'config.json');
    await mkdir(join(work, 'd'));
    const text = JSON.stringify({ auths: { 'quay.io': { auth: b64(`mallory:${OLD}`) } } });
    await writeFile(path, text);
    const r = await credkitIn(sb, work, ['migrate', 'd/config.json', '--into-store', 'helper:pass']);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.include('already holds a different credential for "quay.io"');
    expect(await readFile(path, 'utf8')).to.equal(text);
    expect(await helperGet(sb, 'pass', 'quay.io')).to.include({ Username: 'bob', Secret: PW1 });
    expectNoSecrets(r);
  });

  it('a credential pass changes (a trailing newline) fails the file and is not left in pass, so a second run says the same, not "a different credential"', async () => {
    const path = join(work, 'e', 'config.json');
    await mkdir(join(work, 'e'));
    const text = JSON.stringify({ auths: { 'nl.example.test': { auth: b64(`nina:${PW1}\n`) } } });
    await writeFile(path, text);
    for (let run = 0; run < 2; run++) {
      const r = await credkitIn(sb, work, ['migrate', 'e/config.json', '--into-store', 'helper:pass']);
      expect(r.code).to.equal(1);
      expect(r.stdout).to.include('failed       e/config.json: helper:pass does not return "nl.example.test" as it was stored (the changed copy was erased from it); the file was left untouched');
      expect(await readFile(path, 'utf8')).to.equal(text);
      expect(Object.keys(JSON.parse((await helper(sb, 'pass', 'list')).stdout))).to.not.include('nl.example.test');
      expectNoSecrets(r);
    }
  });
});

describe('credkit migrate: in place, and into credkit\'s own store', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await makeSandbox({ CREDKIT_BACKEND: 'file' });
  });
  afterEach(async () => {
    await sb.cleanup();
  });

  it('--to podman converts each file, withholds lossy ones, and is idempotent', async () => {
    const work = join(sb.home, 'w');
    await mkdir(join(work, 'x'), { recursive: true });
    await writeFile(join(work, 'x', 'plain.json'), JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64(`alice:${PW1}`) } } }));
    const lossy = JSON.stringify({ auths: { 'quay.io': {} }, credsStore: 'desktop' });
    await writeFile(join(work, 'x', 'lossy.json'), lossy);
    const first = await credkitIn(sb, work, ['migrate', 'x/*.json', '--to', 'podman']);
    expect(first.code).to.equal(1);
    expect(first.stdout).to.match(/^lossy +x\/lossy\.json: podman cannot express 2 items; not written/m);
    expect(first.stdout).to.match(/^changed +x\/plain\.json$/m);
    expect(await readFile(join(work, 'x', 'lossy.json'), 'utf8')).to.equal(lossy);
    expect(JSON.parse(await readFile(join(work, 'x', 'plain.json'), 'utf8'))).to.deep.equal({ auths: { 'docker.io': { auth: b64(`alice:${PW1}`) } } });
    const again = await credkitIn(sb, work, ['migrate', 'x/plain.json', '--to', 'podman']);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.include('1 file: 0 changed, 1 unchanged, 0 lossy (not written), 0 failed (nothing to do)');
    const none = await credkitIn(sb, work, ['migrate', 'nothing/*.json', '--to', 'podman']);
    expect(none.code).to.equal(1);
    expect(none.stderr).to.include('no file matches "nothing/*.json"');
    expect((await credkitIn(sb, work, ['migrate', 'x/*.json'])).code).to.equal(2);
    expectNoSecrets(first, again);
  });

  it('reports each directory the patterns lead into that it cannot list as failed (exit 1), instead of skipping it', async function () {
    // root lists every directory: as root the run gives up the capabilities that override file
    // permissions (still uid 0, so the checkout stays readable), and the mode counts as for anyone.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) await skipUnlessPrograms(this, ['setpriv']);
    const work = join(sb.home, 'w');
    const text = JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64(`alice:${PW1}`) } } });
    for (const runner of ['a', 'locked']) {
      await mkdir(join(work, 'runners', runner), { recursive: true });
      await writeFile(join(work, 'runners', runner, 'config.json'), text);
    }
    await chmod(join(work, 'runners', 'locked'), 0o000);
    const migrate = (args: readonly string[]) =>
      asRoot
        ? run('setpriv', ['--bounding-set=-dac_override,-dac_read_search', '--', process.execPath, BIN.credkit, 'migrate', ...args], { cwd: work, env: sb.env })
        : credkitIn(sb, work, ['migrate', ...args]);
    try {
      const dry = await migrate(['runners/*/config.json', '--to', 'podman', '--dry-run']);
      expect(dry.code, dry.stderr).to.equal(1);
      expect(dry.stdout).to.match(/^would-change +runners\/a\/config\.json$/m);
      expect(dry.stdout).to.match(/^failed +runners\/locked\/: cannot list this directory \(EACCES\): no file under it was looked at$/m);
      expect(dry.stdout).to.include('2 files: 1 would change, 0 unchanged, 0 lossy (not written), 1 failed; dry run');
      const json = await migrate(['runners/**/config.json', '--to', 'podman', '--json']);
      expect(json.code, json.stderr).to.equal(1);
      const report = JSON.parse(json.stdout) as { ok: boolean; files: { file: string; status: string; message?: string }[]; unmatched: string[] };
      expect(report.ok).to.equal(false);
      expect(report.files.map((f) => [f.file, f.status])).to.deep.equal([['runners/a/config.json', 'changed'], ['runners/locked/', 'failed']]);
      // A plain path below it is that path's failure, not a pattern that matched nothing.
      const plain = await migrate(['runners/locked/config.json', '--to', 'podman']);
      expect(plain.code).to.equal(1);
      expect(plain.stdout).to.match(/^failed +runners\/locked\/config\.json: cannot read \(EACCES\)$/m);
      expect(plain.stderr).to.not.include('no file matches');
      expectNoSecrets(dry, json, plain);
    } finally {
      await chmod(join(work, 'runners', 'locked'), 0o755);
    }
    expect(await readFile(join(work, 'runners', 'locked', 'config.json'), 'utf8')).to.equal(text);
  });

  it('--to docker|podman over files already in that format reports each respelling that changes what the client does, as convert does', async () => {
    const work = join(sb.home, 'w');
    await mkdir(join(work, 'd'), { recursive: true });
    await mkdir(join(work, 'p'));
    // docker sends none of these for their registries, and no helper route is taken; podman
    // never matches "quay.io/" (containers/image compares a key without a scheme exactly).
    const docker = JSON.stringify({
      auths: { 'index.docker.io': { auth: b64(`alice:${PW1}`) }, 'quay.io/': { auth: b64(`bob:${PW2}`) } },
      credHelpers: { 'https://ghcr.io': 'pass' },
    });
    await writeFile(join(work, 'd', 'config.json'), docker);
    await writeFile(join(work, 'p', 'auth.json'), JSON.stringify({ auths: { 'quay.io/': { auth: b64(`bob:${PW2}`) } } }));
    const keys = (r: RunResult, file: string) => (JSON.parse(r.stdout).files as { file: string; notes?: { key: string }[] }[]).find((f) => f.file === file)?.notes?.map((n) => n.key);
    const dry = await credkitIn(sb, work, ['migrate', 'd/config.json', '--to', 'docker', '--dry-run']);
    expect(dry.code, dry.stdout).to.equal(0);
    expect(dry.stdout).to.match(/^would-change +d\/config\.json\n {2}note: key "index\.docker\.io": written as "https:\/\/index\.docker\.io\/v1\/".*now sends it for Docker Hub\n {2}note: key "quay\.io\/": written as "quay\.io"/m);
    expect(dry.stdout).to.match(/^ {2}note: key "credHelpers\[https:\/\/ghcr\.io\]": written as "ghcr\.io".*helper "pass"$/m);
    expect(await readFile(join(work, 'd', 'config.json'), 'utf8')).to.equal(docker);
    const r = await credkitIn(sb, work, ['migrate', 'd/config.json', 'p/auth.json', '--to', 'docker', '--json']);
    expect(r.code, r.stdout).to.equal(0);
    expect(keys(r, 'd/config.json')).to.deep.equal(['index.docker.io', 'quay.io/', 'credHelpers[https://ghcr.io]']);
    // Another format: the keys take the target's spelling as the point of converting.
    expect(keys(r, 'p/auth.json')).to.equal(undefined);
    // Read and written as podman's own format (the run above made it a config.json, so again):
    await writeFile(join(work, 'p', 'auth.json'), JSON.stringify({ auths: { 'quay.io/': { auth: b64(`bob:${PW2}`) } } }));
    const podman = await credkitIn(sb, work, ['migrate', 'p/auth.json', '--to', 'podman', '--json']);
    expect(keys(podman, 'p/auth.json')).to.deep.equal(['quay.io/']);
    const again = await credkitIn(sb, work, ['migrate', 'd/config.json', '--to', 'docker']);
    expect(again.stdout).to.not.include('note:');
    expectNoSecrets(dry, r, podman, again);
  });

  it('--from podman reads every file as podman\'s auth.json whatever its name, with podman\'s notes, and still fails JSON that is no auth file', async () => {
    const work = join(sb.home, 'w');
    await mkdir(join(work, 'ci', 'a'), { recursive: true });
    await mkdir(join(work, 'ci', 'b'));
    // podman never matches "quay.io/", and never decodes "username" (it reads the file).
    const text = JSON.stringify({ auths: { 'quay.io/': { auth: b64(`bob:${PW2}`), username: true } } });
    await writeFile(join(work, 'ci', 'a', 'podman-auth.json'), text);
    const secret = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'regcred' }, type: 'Opaque', data: {} });
    await writeFile(join(work, 'ci', 'b', 'podman-auth.json'), secret);
    const notes = (r: RunResult) => (JSON.parse(r.stdout).files as { file: string; notes?: { key: string; message: string }[] }[]).find((f) => f.file === 'ci/a/podman-auth.json')?.notes ?? [];
    // Detected by its name, it is a docker config.json: docker's notes, and no word of the key.
    const detected = await credkitIn(sb, work, ['migrate', 'ci/a/*.json', '--to', 'podman', '--dry-run', '--json']);
    expect(notes(detected).map((n) => n.key)).to.deep.equal(['quay.io/']);
    expect(notes(detected)[0]!.message).to.include('docker leaves empty');
    const dry = await credkitIn(sb, work, ['migrate', 'ci/*/podman-auth.json', '--from', 'podman', '--to', 'podman', '--dry-run']);
    expect(dry.code, dry.stdout).to.equal(1);
    expect(dry.stdout).to.match(/^would-change +ci\/a\/podman-auth\.json\n {2}note: key "quay\.io\/": field "username" was a boolean, not a string, which podman decodes only "auth" and "identitytoken".*\n {2}note: key "quay\.io\/": written as "quay\.io": podman never matched the key/m);
    // Named as the manifest it is, in convert's words (convert --from podman says the same of it).
    expect(dry.stdout).to.match(/^failed +ci\/b\/podman-auth\.json: a Kubernetes Secret manifest, not an auth\.json though --from podman says so; left untouched \(credkit convert writes an auth file from it to another path\)$/m);
    expect(await readFile(join(work, 'ci', 'a', 'podman-auth.json'), 'utf8')).to.equal(text);
    const r = await credkitIn(sb, work, ['migrate', 'ci/*/podman-auth.json', '--from', 'podman', '--to', 'podman', '--json']);
    expect(r.code, r.stdout).to.equal(1);
    expect(notes(r).map((n) => n.key)).to.deep.equal(['quay.io/', 'quay.io/']);
    expect(JSON.parse(await readFile(join(work, 'ci', 'a', 'podman-auth.json'), 'utf8'))).to.deep.equal({ auths: { 'quay.io': { auth: b64(`bob:${PW2}`) } } });
    expect(await readFile(join(work, 'ci', 'b', 'podman-auth.json'), 'utf8')).to.equal(secret);
    const tsconfig = JSON.stringify({ compilerOptions: { strict: true } });
    await writeFile(join(work, 'ci', 'tsconfig.json'), tsconfig);
    const map = await credkitIn(sb, work, ['migrate', 'ci/tsconfig.json', '--from', 'dockercfg', '--to', 'docker']);
    expect(map.code, map.stdout).to.equal(1);
    expect(map.stdout).to.match(/^failed +ci\/tsconfig\.json: .*holds no credential/m);
    expect(await readFile(join(work, 'ci', 'tsconfig.json'), 'utf8')).to.equal(tsconfig);
    // Checked as convert checks it, before any file is read; with --into-store, dockercfg has no store to name.
    for (const args of [['--from', 'secret', '--to', 'podman'], ['--from', 'bogus', '--to', 'podman'], ['--from', 'dockercfg', '--into-store', 'credkit']]) {
      const bad = await credkitIn(sb, work, ['migrate', 'ci/*/podman-auth.json', ...args]);
      expect(bad.code, `${args.join(' ')}: ${bad.stderr}`).to.equal(2);
    }
    expectNoSecrets(detected, dry, r);
  });

  it('--help offers for --from only the formats migrate reads, and --from secret is refused naming convert', async () => {
    const help = await sb.credkit(['migrate', '--help']);
    expect(help.code, help.stderr).to.equal(0);
    const from = /^ +--from .*?\[choices: ([^\]]*)\]$/ms.exec(help.stdout);
    expect(from?.[1], help.stdout).to.equal('"docker", "podman", "dockercfg"');
    // Given twice, the last one counts, as with every scalar option.
    for (const args of [['--from', 'secret'], ['--from', 'podman', '--from', 'secret']]) {
      const r = await sb.credkit(['migrate', 'config.json', ...args, '--to', 'docker']);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.match(/^credkit: --from must be one of docker, podman, dockercfg: migrate rewrites auth files in place \(credkit convert SECRET --to docker -o FILE writes one from a Secret\)$/m);
    }
  });

  it('--to docker|podman fails Secret manifests and other JSON a glob catches, and leaves them as they were', async () => {
    const work = join(sb.home, 'w');
    await mkdir(work, { recursive: true });
    const dockerconfig = b64(JSON.stringify({ auths: { 'quay.io': { auth: b64(`bob:${PW1}`) } } }));
    const files: Record<string, string> = {
      'pull-secret.yaml': `apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${dockerconfig}\n`,
      'pull-secret.json': JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'regcred' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': dockerconfig } }),
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true } }),
    };
    for (const [name, text] of Object.entries(files)) await writeFile(join(work, name), text, { mode: 0o600 });
    // A real legacy .dockercfg map still converts: that is what --to is for.
    await writeFile(join(work, 'legacy.dockercfg'), JSON.stringify({ 'https://index.docker.io/v1/': { auth: b64(`alice:${PW2}`), email: 'alice@example.com' } }));
    for (const to of ['podman', 'docker']) {
      const r = await credkitIn(sb, work, ['migrate', '*.yaml', '*.json', '--to', to, '--backup']);
      expect(r.code, r.stdout).to.equal(1);
      expect(r.stdout).to.match(/^failed +pull-secret\.yaml: a Kubernetes Secret manifest, not an auth file; left untouched/m);
      expect(r.stdout).to.match(/^failed +pull-secret\.json: a Kubernetes Secret manifest, not an auth file/m);
      expect(r.stdout).to.match(/^failed +tsconfig\.json: key "compilerOptions": holds no credential/m);
      expect(r.stdout).to.include('3 files: 0 changed, 0 unchanged, 0 lossy (not written), 3 failed');
      expectNoSecrets(r);
    }
    for (const [name, text] of Object.entries(files)) expect(await readFile(join(work, name), 'utf8'), name).to.equal(text);
    expect((await readdir(work)).filter((n) => n.includes('credkit-backup'))).to.deep.equal([]);
    const legacy = await credkitIn(sb, work, ['migrate', 'legacy.dockercfg', '--to', 'docker']);
    expect(legacy.code, legacy.stdout).to.equal(0);
    expect(JSON.parse(await readFile(join(work, 'legacy.dockercfg'), 'utf8')).auths['https://index.docker.io/v1/'].auth).to.equal(b64(`alice:${PW2}`));
  });

  it('deeply nested YAML files a glob catches are failed lines, and the run goes on to the other files (it aborted the process)', async () => {
    const work = join(sb.home, 'w');
    await mkdir(work, { recursive: true });
    // A few kilobytes each: yaml's recursion overflowed the stack on the first, and the next parse aborted node.
    const deep = { 'a-seq.yaml': `${'- '.repeat(2000)}x\n`, 'b-flow.yaml': `x: ${'['.repeat(2000)}${']'.repeat(2000)}\n`, 'c-map.yaml': Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') };
    for (const [name, text] of Object.entries(deep)) await writeFile(join(work, name), text);
    await writeFile(join(work, 'd-config.json'), JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64(`alice:${PW1}`) } } }));
    const r = await credkitIn(sb, work, ['migrate', '*', '--to', 'podman', '--json']);
    expect(r.code, r.stderr.slice(0, 300)).to.equal(1);
    expect((JSON.parse(r.stdout) as { files: { file: string; status: string; message?: string }[] }).files.map((f) => [f.file, f.status, f.message])).to.deep.equal([
      ['a-seq.yaml', 'failed', 'invalid YAML at line 1: nested more than 256 levels deep, which credkit cannot write back'],
      ['b-flow.yaml', 'failed', 'invalid YAML at line 1: nested more than 256 levels deep, which credkit cannot write back'],
      ['c-map.yaml', 'failed', 'invalid YAML at line 257: nested more than 256 levels deep, which credkit cannot write back'],
      ['d-config.json', 'changed', undefined],
    ]);
    for (const [name, text] of Object.entries(deep)) expect(await readFile(join(work, name), 'utf8'), name).to.equal(text);
  });

  it('a Kubernetes manifest a glob catches that is no usable pull secret (an Opaque Secret, an empty payload, a ConfigMap) is refused as a manifest, not by what is wrong with it as a Secret', async () => {
    const work = join(sb.home, 'w');
    await mkdir(join(work, 'x'), { recursive: true });
    const files: Record<string, string> = {
      'x/auth.json': JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'regcred' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{}') } }),
      'x/opaque-auth.json': JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'o' }, type: 'Opaque', data: {} }),
      'x/stream-auth.json': `${JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'o' } })}\n${JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'p' } })}\n`,
      'x/map-auth.json': JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} }),
    };
    for (const [name, text] of Object.entries(files)) await writeFile(join(work, name), text, { mode: 0o600 });
    const r = await credkitIn(sb, work, ['migrate', 'x/*auth.json', '--to', 'docker']);
    expect(r.code, r.stdout).to.equal(1);
    const manifest = 'a Kubernetes Secret manifest, not an auth file; left untouched (credkit convert writes an auth file from it to another path)';
    expect(r.stdout).to.include(`failed       x/auth.json: ${manifest}\n`);
    expect(r.stdout).to.include(`failed       x/opaque-auth.json: ${manifest}\n`);
    expect(r.stdout).to.include(`failed       x/stream-auth.json: ${manifest}\n`);
    expect(r.stdout).to.include('failed       x/map-auth.json: a Kubernetes ConfigMap manifest, not an auth file; left untouched\n');
    for (const [name, text] of Object.entries(files)) expect(await readFile(join(work, name), 'utf8'), name).to.equal(text);
  });

  it('a YAML Kubernetes manifest a glob catches that is no usable pull secret (an Opaque Secret, a stream of them, a ConfigMap) is refused as a manifest too; broken YAML and YAML that is no manifest keep their own errors', async () => {
    const work = join(sb.home, 'w');
    await mkdir(join(work, 'y'), { recursive: true });
    const opaque = (name: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\ntype: Opaque\ndata: {}\n`;
    const files: Record<string, string> = {
      'y/auth.json': opaque('o'),
      'y/two.yaml': `${opaque('o')}---\n${opaque('p')}`,
      'y/map.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata: {}\n',
      'y/broken.yaml': 'apiVersion: v1\nkind: Secret\nmetadata: [\n',
      'y/other.yaml': 'name: app\n',
    };
    for (const [name, text] of Object.entries(files)) await writeFile(join(work, name), text, { mode: 0o600 });
    const r = await credkitIn(sb, work, ['migrate', 'y/*.json', 'y/*.yaml', '--to', 'podman']);
    expect(r.code, r.stdout).to.equal(1);
    const manifest = 'a Kubernetes Secret manifest, not an auth file; left untouched (credkit convert writes an auth file from it to another path)';
    expect(r.stdout).to.include(`failed       y/auth.json: ${manifest}\n`);
    expect(r.stdout).to.include(`failed       y/two.yaml: ${manifest}\n`);
    expect(r.stdout).to.include('failed       y/map.yaml: a Kubernetes ConfigMap manifest, not an auth file; left untouched\n');
    expect(r.stdout).to.match(/^failed +y\/broken\.yaml: invalid YAML in document 1 at line \d+/m);
    expect(r.stdout).to.match(/^failed +y\/other\.yaml: .*expected kind Secret/m);
    for (const [name, text] of Object.entries(files)) expect(await readFile(join(work, name), 'utf8'), name).to.equal(text);
  });

  it('a file the patterns reach under several names (a symlink, a symlinked directory) is migrated once, without a failure', async () => {
    const work = join(sb.home, 'w');
    await mkdir(join(work, 'a'), { recursive: true });
    await mkdir(join(work, 'b'));
    const path = join(work, 'a', 'config.json');
    await writeFile(path, JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64(`alice:${PW1}`) } } }), { mode: 0o600 });
    await symlink('../a/config.json', join(work, 'b', 'config.json'));
    await symlink('a', join(work, 'c'));
    const r = await credkitIn(sb, work, ['migrate', '*/config.json', '--to', 'podman', '--backup', '--json']);
    expect(r.code, r.stdout).to.equal(0);
    const files = JSON.parse(r.stdout).files as { file: string; status: string; message?: string; backup?: string }[];
    expect(files.map((f) => f.file)).to.deep.equal(['a/config.json', 'b/config.json', 'c/config.json']);
    // The three names are written concurrently: whichever takes the file's lock first writes it,
    // and the others find it already migrated.
    const changed = files.filter((f) => f.status === 'changed');
    expect(changed.map((f) => f.message)).to.deep.equal([undefined]);
    const others = files.filter((f) => f.status !== 'changed').map((f) => [f.status, f.message]);
    expect(others).to.deep.equal([
      ['unchanged', 'already migrated under another name of this file (through a symlink)'],
      ['unchanged', 'already migrated under another name of this file (through a symlink)'],
    ]);
    expect(JSON.parse(await readFile(path, 'utf8'))).to.deep.equal({ auths: { 'docker.io': { auth: b64(`alice:${PW1}`) } } });
    expect((await readdir(join(work, 'a'))).filter((n) => n.includes('credkit-backup'))).to.have.length(1);
    expectNoSecrets(r);
  });

  it('--backup never overwrites a backup: a name taken in the same second gets a -N suffix', async () => {
    const work = join(sb.home, 'w');
    await mkdir(work, { recursive: true });
    const path = join(work, 'config.json');
    const original = JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64(`alice:${PW1}`) } } });
    await writeFile(path, original, { mode: 0o600 });
    // Backups (as an earlier run would leave them) under every stamp this run could use.
    const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const now = Date.now();
    const earlier = new Set(Array.from({ length: 10 }, (_, i) => `config.json.credkit-backup-${stamp(now + i * 1000)}`));
    for (const name of earlier) await writeFile(join(work, name), `earlier backup ${name}`, { mode: 0o600 });
    const first = await credkitIn(sb, work, ['migrate', 'config.json', '--to', 'podman', '--backup', '--json']);
    expect(first.code, first.stderr).to.equal(0);
    const backup = JSON.parse(first.stdout).files[0].backup as string;
    expect(backup).to.match(/^config\.json\.credkit-backup-\d{8}T\d{6}Z-1$/);
    expect(await readFile(join(work, backup), 'utf8')).to.equal(original);
    for (const name of earlier) expect(await readFile(join(work, name), 'utf8')).to.equal(`earlier backup ${name}`);
    // Two runs back to back (often within one second): each original survives in its own backup.
    const podman = await readFile(path, 'utf8');
    const second = await credkitIn(sb, work, ['migrate', 'config.json', '--to', 'docker', '--backup', '--json']);
    expect(second.code, second.stderr).to.equal(0);
    const again = JSON.parse(second.stdout).files[0].backup as string;
    expect(again).to.not.equal(backup);
    expect(await readFile(join(work, backup), 'utf8')).to.equal(original);
    expect(await readFile(join(work, again), 'utf8')).to.equal(podman);
    expectNoSecrets(first, second);
  });

  it('--backup is 0600 however readable the file was, keeps a stricter mode, and the owner where it can', async () => {
    const work = join(sb.home, 'w');
    await mkdir(work, { recursive: true });
    const text = JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64(`alice:${PW1}`) } } });
    const modes: [string, number, number][] = [['wide.json', 0o644, 0o600], ['group.json', 0o640, 0o600], ['strict.json', 0o400, 0o400]];
    for (const [name, mode] of modes) {
      await writeFile(join(work, name), text);
      await chmod(join(work, name), mode);
    }
    // Run as root (as in CI containers), credkit can keep the owner of someone else's file.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) await chown(join(work, 'wide.json'), 4242, 4243);
    const r = await credkitIn(sb, work, ['migrate', '*.json', '--to', 'podman', '--backup', '--json']);
    expect(r.code, r.stderr).to.equal(0);
    expectNoSecrets(r);
    const backups = new Map((JSON.parse(r.stdout).files as { file: string; backup: string }[]).map((f) => [f.file, f.backup]));
    for (const [name, , want] of modes) {
      const backup = join(work, backups.get(name)!);
      expect(await readFile(backup, 'utf8'), name).to.equal(text);
      expect((await stat(backup)).mode & 0o777, name).to.equal(want);
    }
    if (asRoot) expect(await stat(join(work, backups.get('wide.json')!))).to.include({ uid: 4242, gid: 4243 });
  });

  it('--into-store credkit: docker-credential-credkit then returns what was in the file', async () => {
    await putHelperOnPath(sb);
    const path = join(sb.env.DOCKER_CONFIG as string, 'config.json');
    await writeFile(path, JSON.stringify({ auths: { 'ghcr.io': { auth: b64(`carol:${PW2}`) } } }));
    const r = await credkitIn(sb, sb.home, ['migrate', path, '--into-store', 'credkit']);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(JSON.parse(await readFile(path, 'utf8'))).to.deep.equal({ auths: { 'ghcr.io': {} }, credsStore: 'credkit' });
    const got = await run('docker-credential-credkit', ['get'], { input: 'ghcr.io', env: sb.env });
    expect(JSON.parse(got.stdout)).to.include({ Username: 'carol', Secret: PW2 });
    // A backend that docker-credential-credkit is not configured to use would strand the credentials.
    const wrong = await credkitIn(sb, sb.home, ['migrate', path, '--into-store', 'keyutils']);
    expect(wrong.code).to.equal(2);
    expect(wrong.stderr).to.include('docker-credential-credkit uses the "file" backend');
    // Said before any store is opened: a keychain that cannot be reached is not the problem.
    const unreachable = await credkitIn(sb, sb.home, ['migrate', path, '--into-store', 'keychain'], { DBUS_SESSION_BUS_ADDRESS: '', XDG_RUNTIME_DIR: sb.home });
    expect(unreachable.code, unreachable.stderr).to.equal(2);
    expect(unreachable.stderr).to.include('docker-credential-credkit uses the "file" backend');
    // With backend = auto, the helper's store is whatever auto opens: when it opens nothing, the
    // error says why --into-store file needed it, and nothing is written.
    await writeFile(path, JSON.stringify({ auths: { 'quay.io': { auth: b64(`alice:${PW1}`) } } }));
    const autoDown = await credkitIn(sb, sb.home, ['migrate', path, '--into-store', 'file'], { CREDKIT_BACKEND: 'auto', CREDKIT_FALLBACK: '', DBUS_SESSION_BUS_ADDRESS: '', XDG_RUNTIME_DIR: sb.home });
    expect(autoDown.code, autoDown.stderr).to.equal(1);
    expect(autoDown.stderr).to.match(/^credkit: --into-store file: docker-credential-credkit uses the "auto" backend here, which does not open, so docker would not find credentials stored in "file": no usable OS keychain \(.*fallback = file"\n$/);
    expect(JSON.parse(await readFile(path, 'utf8'))).to.deep.equal({ auths: { 'quay.io': { auth: b64(`alice:${PW1}`) } } });
  });

  it('--into-store --dry-run reports what the run will do where an earlier file stores a key a later one holds too', async () => {
    const work = join(sb.home, 'w');
    // a stores quay.io for alice; b then holds it for bob (refused), c for alice too (already stored).
    const files = { a: `alice:${PW1}`, b: `bob:${PW2}`, c: `alice:${PW1}` };
    for (const [runner, userpass] of Object.entries(files)) {
      await mkdir(join(work, runner), { recursive: true });
      await writeFile(join(work, runner, 'config.json'), JSON.stringify({ auths: { 'quay.io': { auth: b64(userpass) } } }));
    }
    const dry = await credkitIn(sb, work, ['migrate', '*/config.json', '--into-store', 'file', '--dry-run', '--json']);
    const dryText = await credkitIn(sb, work, ['migrate', '*/config.json', '--into-store', 'file', '--dry-run']);
    const real = await credkitIn(sb, work, ['migrate', '*/config.json', '--into-store', 'file', '--json']);
    expectNoSecrets(dry, dryText, real);
    // Each file as the report has it, a dry run's would-change read as changed.
    const rows = (r: RunResult) =>
      (JSON.parse(r.stdout) as { files: { file: string; status: string; message?: string; stored?: { action: string; storedBy?: string }[] }[] }).files.map((f) => [f.file, f.status === 'would-change' ? 'changed' : f.status, f.message, f.stored?.map((s) => [s.action, s.storedBy])]);
    // b's refusal names the file whose credential the store holds (would hold) by then, and so does c's row.
    const expected = (holds: string) => [
      ['a/config.json', 'changed', undefined, [['add', undefined]]],
      ['b/config.json', 'failed', `file ${holds} a different credential for "quay.io" (stored from a/config.json earlier in this run); the file was left untouched`, []],
      ['c/config.json', 'changed', undefined, [['same', 'a/config.json']]],
    ];
    // A dry run stored nothing, and says so in each row.
    expect(dryText.stdout).to.include('would-change a/config.json\n  would store quay.io (alice) in file\n');
    expect(dryText.stdout).to.include('would-change c/config.json\n  would already be stored quay.io (alice) in file (from a/config.json earlier in this run)\n');
    expect(rows(dry)).to.deep.equal(expected('would already hold'));
    expect(rows(real)).to.deep.equal(expected('already holds'));
    // A second run finds the credential there before it: no earlier file is named.
    const again = await credkitIn(sb, work, ['migrate', 'b/config.json', '--into-store', 'file', '--dry-run']);
    expect(again.stdout).to.match(/^failed +b\/config\.json: file already holds a different credential for "quay\.io"; the file was left untouched$/m);
    // The dry run said the run would fail, as it does.
    expect([dry.code, real.code]).to.deep.equal([1, 1]);
  });

  it('--into-store refuses a file whose later key the store holds differently before storing any of its keys', async () => {
    await putHelperOnPath(sb);
    const path = join(sb.env.DOCKER_CONFIG as string, 'config.json');
    // The store already has ghcr.io for someone else; quay.io comes first in the file.
    const put = await sb.credkit(['store', 'store', 'ghcr.io', '-u', 'dave', '--password-stdin'], OLD);
    expect(put.code, put.stderr).to.equal(0);
    const text = JSON.stringify({ auths: { 'quay.io': { auth: b64(`alice:${PW1}`) }, 'ghcr.io': { auth: b64(`carol:${PW2}`) } } });
    await writeFile(path, text, { mode: 0o600 });
    const r = await credkitIn(sb, sb.home, ['migrate', path, '--into-store', 'credkit']);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/^failed +.*config\.json: file already holds a different credential for "ghcr\.io"; the file was left untouched$/m);
    expectNoSecrets(r);
    expect(await readFile(path, 'utf8')).to.equal(text);
    // Nothing of the refused file reached the store.
    expect(JSON.parse((await sb.credkit(['store', 'list', '--json'])).stdout)).to.deep.equal({ 'ghcr.io': 'dave' });
  });
});

describe('credkit migrate: the progress line', function () {
  this.timeout(60_000);
  let sb: Sandbox;
  let work: string;
  before(async function () {
    // script(1) (util-linux, in every Debian) gives the run a terminal.
    await skipUnlessPrograms(this, ['script']);
    sb = await makeSandbox();
    work = join(sb.home, 'work');
    // A helper that takes 0.3 s to answer: three files take longer than the half second after
    // which credkit starts drawing.
    const bin = join(sb.home, 'slow-bin');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'docker-credential-slow'), '#!/bin/sh\nsleep 0.3\necho "credentials not found in native keychain"\nexit 1\n', { mode: 0o755 });
    sb.env.PATH = `${bin}:${sb.env.PATH}`;
    for (const team of ['a', 'b', 'c']) {
      await mkdir(join(work, team), { recursive: true });
      await writeFile(join(work, team, 'config.json'), JSON.stringify({ auths: { [`${team}.example.com`]: { auth: b64(`${team}:${PW1}`) } } }), { mode: 0o600 });
    }
  });
  after(() => sb?.cleanup());

  const migrate = ['migrate', '*/config.json', '--into-store', 'helper:slow', '--dry-run'];

  it('on a terminal, counts files on one line and clears it before the report', async () => {
    const command = [process.execPath, BIN.credkit, ...migrate].map((a) => `'${a}'`).join(' ');
    const r = await run('script', ['-qec', command, '/dev/null'], { env: sb.env, cwd: work });
    expect(r.code, r.stdout).to.equal(0);
    // Drawn in place (carriage return, erase line), at least once, then erased.
    expect(r.stdout).to.match(/\r\x1b\[Kcredkit: migrating [23]\/3 files/);
    const cleared = r.stdout.lastIndexOf('\r\x1b[K');
    expect(r.stdout.slice(cleared + 4)).to.match(/^would-change +a\/config\.json/);
    expect(r.stdout).to.include('3 files: 3 would change');
    expectNoSecrets(r);
  });

  it('without a terminal, draws nothing', async () => {
    const r = await credkitIn(sb, work, migrate);
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal('');
    expect(r.stdout).to.not.include('\x1b');
  });
});

describe('credkit copy: a target helper that refuses one entry', function () {
  let sb: Sandbox;
  before(async function () {
    await skipUnlessPrograms(this, ['sh']);
    sb = await makeSandbox({ CREDKIT_BACKEND: 'file' });
    for (const [url, user, secret] of [['quay.io', 'bob', PW1], ['bad.example.com', 'eve', PW2]] as const) {
      expect((await sb.credkit(['store', 'store', url, '-u', user, '--password-stdin'], secret)).code).to.equal(0);
    }
    // A helper keeping one file per server; `store` for bad.example.com fails as a locked or full
    // store would, after echoing its input (a careless helper), which credkit must not repeat.
    const bin = join(sb.home, 'picky-bin');
    const data = join(sb.home, 'picky-data');
    await mkdir(bin, { recursive: true });
    await mkdir(data, { recursive: true });
    await writeFile(
      join(bin, 'docker-credential-picky'),
      `#!/bin/sh
dir='${data}'
case "$1" in
  store) input=$(cat); case "$input" in *bad.example.com*) echo "refused: $input"; exit 1;; esac
         url=$(printf '%s' "$input" | sed 's/.*"ServerURL":"\\([^"]*\\)".*/\\1/'); printf '%s' "$input" > "$dir/$(printf '%s' "$url" | tr -c 'A-Za-z0-9' _)"; exit 0;;
  get) url=$(cat); f="$dir/$(printf '%s' "$url" | tr -c 'A-Za-z0-9' _)"; [ -f "$f" ] && { cat "$f"; echo; exit 0; }; echo "credentials not found in native keychain"; exit 1;;
  list) echo '{}'; exit 0;;
  erase) exit 0;;
esac
exit 1
`,
      { mode: 0o755 },
    );
    sb.env.PATH = `${bin}:${sb.env.PATH}`;
  });
  after(() => sb?.cleanup());

  it('copies the others, reports the failure per entry without the secret, and exits 1; --move erases nothing that failed', async () => {
    const r = await sb.credkit(['copy', '--from', 'file', '--to', 'helper:picky', '--move', '--json']);
    expect(r.code).to.equal(1);
    expectNoSecrets(r);
    const entries = JSON.parse(r.stdout).entries as { serverURL: string; status: string; reason?: string }[];
    expect(entries.map((e) => [e.serverURL, e.status])).to.deep.equal([
      ['bad.example.com', 'failed'],
      ['quay.io', 'moved'],
    ]);
    expect(entries[0]?.reason).to.match(/writing to helper:picky failed: .*docker-credential-picky store/);
    // The source keeps what could not be copied, and only that.
    expect(JSON.parse((await sb.credkit(['store', 'list', '--json'])).stdout)).to.deep.equal({ 'bad.example.com': 'eve' });
  });
});

describe('credkit copy: one store under two names', () => {
  let sb: Sandbox;
  let credFile: string;
  const original = () => readFile(credFile, 'utf8');
  beforeEach(async () => {
    sb = await makeSandbox({ CREDKIT_BACKEND: 'file' });
    credFile = join(sb.home, 'creds', 'credentials.json');
    sb.env.CREDKIT_FILE = credFile;
    for (const [url, user, secret] of [['quay.io', 'bob', PW1], ['ghcr.io', 'alice', PW2]] as const) {
      expect((await sb.credkit(['store', 'store', url, '-u', user, '--password-stdin'], secret)).code).to.equal(0);
    }
  });
  afterEach(() => sb?.cleanup());

  function expectRefused(r: RunResult): void {
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.match(/are the same store .*nothing was changed/);
    expect(r.stdout).to.equal('');
    expectNoSecrets(r);
  }

  it('a helper not on PATH or an unknown backend named by --from, --to, --into-store or --store says to change that option, not the backend setting', async () => {
    const path = join(sb.home, 'config.json');
    await writeFile(path, JSON.stringify({ auths: { 'quay.io': { auth: b64(`bob:${PW1}`) } } }));
    const cases: [string[], string][] = [
      [['copy', '--from', 'helper:not-installed', '--to', 'file'], 'docker-credential-not-installed is not on PATH; install it, or change --from\n'],
      [['copy', '--from', 'file', '--to', 'helper:not-installed'], 'docker-credential-not-installed is not on PATH; install it, or change --to\n'],
      [['copy', '--from', 'file', '--to', 'nosuch'], 'unknown credkit backend "nosuch" in --to'],
      [['migrate', path, '--into-store', 'helper:not-installed'], 'docker-credential-not-installed is not on PATH; install it, or change --into-store\n'],
      [['login', '--no-verify', '-u', 'bob', '--password-stdin', '--store', 'helper:not-installed', 'quay.io'], 'docker-credential-not-installed is not on PATH; install it, or change --store\n'],
    ];
    for (const [args, message] of cases) {
      const r = await sb.credkit(args, PW1);
      expect(r.stderr, args.join(' ')).to.include(message);
      expect(r.stderr, args.join(' ')).not.to.include('backend setting');
    }
  });

  it('an unknown or empty store name lists exactly the names that option takes (credkit, authfile:PATH and env where it does), exit 2', async () => {
    // The list was credkit's backend setting's (auto … helper:NAME) for every option, without
    // credkit and authfile:PATH, which copy takes, and with env, which no option that writes takes.
    const path = join(sb.home, 'config.json');
    await writeFile(path, JSON.stringify({ auths: {} }));
    const backends = 'auto, keychain, keyutils, pass, file';
    const cases: [string[], string][] = [
      [['copy', '--from', 'kechain', '--to', 'file'], `unknown credkit backend "kechain" in --from (choose one of: ${backends}, env, credkit, helper:NAME, authfile:PATH)\n`],
      [['copy', '--from', 'file', '--to', 'kechain'], `unknown credkit backend "kechain" in --to (choose one of: ${backends}, credkit, helper:NAME, authfile:PATH)\n`],
      [['copy', '--from', 'file', '--to='], `--to needs a store: one of ${backends}, credkit, helper:NAME, authfile:PATH\n`],
      [['copy', '--from=', '--to', 'file'], `--from needs a store: one of ${backends}, env, credkit, helper:NAME, authfile:PATH\n`],
      [['migrate', path, '--into-store', 'kechain'], `unknown credkit backend "kechain" in --into-store (choose one of: ${backends}, credkit, helper:NAME)\n`],
      [['migrate', path, '--into-store='], `--into-store needs a store: one of ${backends}, credkit, helper:NAME\n`],
      [['login', '--no-verify', '-u', 'bob', '--password-stdin', '--store', 'kechain', 'quay.io'], `unknown credkit backend "kechain" in --store (choose one of: ${backends}, credkit, helper:NAME)\n`],
      [['login', '--no-verify', '-u', 'bob', '--password-stdin', '--store=', 'quay.io'], `--store needs a store: one of ${backends}, credkit, helper:NAME\n`],
      // credkit's own setting takes neither credkit nor authfile:PATH.
      [['store', 'list', '--backend', 'kechain'], `unknown credkit backend "kechain" (choose one of: ${backends}, env, helper:NAME)\n`],
    ];
    for (const [args, message] of cases) {
      const r = await sb.credkit(args, PW1);
      expect([r.code, r.stderr], args.join(' ')).to.deep.equal([2, `credkit: ${message}`]);
    }
  });

  it('refuses helper:credkit when that helper is credkit on the same configuration', async () => {
    await putHelperOnPath(sb);
    const before = await original();
    expectRefused(await sb.credkit(['copy', '--from', 'file', '--to', 'helper:credkit', '--move']));
    expectRefused(await sb.credkit(['copy', '--from', 'helper:credkit', '--to', 'file', '--move']));
    expect(await original()).to.equal(before);
  });

  it('refuses auto when it resolves to the other store', async () => {
    const before = await original();
    expectRefused(await sb.credkit(['copy', '--from', 'auto', '--to', 'file', '--move'], '', { CREDKIT_BACKEND: 'auto', CREDKIT_FALLBACK: 'file', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' }));
    expect(await original()).to.equal(before);
  });

  it('refuses one auth file spelt twice, through a symlink, or credkit\'s own file as an auth file', async () => {
    const dir = join(sb.home, 'files');
    await mkdir(join(dir, 'sub'), { recursive: true });
    const text = JSON.stringify({ auths: { 'quay.io': { auth: b64(`bob:${PW1}`) } } });
    await writeFile(join(dir, 'a.json'), text, { mode: 0o600 });
    await symlink('../a.json', join(dir, 'sub', 'link.json'));
    for (const [from, to] of [['a.json', './a.json'], ['a.json', 'sub/../a.json'], ['sub/link.json', 'a.json'], ['a.json', join(dir, 'a.json')]]) {
      expectRefused(await credkitIn(sb, dir, ['copy', '--from', `authfile:${from}`, '--to', `authfile:${to}`, '--move']));
    }
    expect(await readFile(join(dir, 'a.json'), 'utf8')).to.equal(text);
    const before = await original();
    expectRefused(await sb.credkit(['copy', '--from', 'file', '--to', `authfile:${credFile}`, '--move']));
    expect(await original()).to.equal(before);
  });

  it('a store it cannot see through is caught by the check after each erase: put back, exit 1', async () => {
    // Another name for credkit's helper on the same file: nothing outside says it is the same store.
    const bin = join(sb.home, 'alias-bin');
    await mkdir(bin, { recursive: true });
    const quote = (x: string) => `'${x.replaceAll("'", "'\\''")}'`;
    await writeFile(join(bin, 'docker-credential-alias'), `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(BIN.helper)} "$@"\n`, { mode: 0o755 });
    sb.env.PATH = `${bin}:${sb.env.PATH}`;
    const r = await sb.credkit(['copy', '--from', 'file', '--to', 'helper:alias', '--move', '--json']);
    expect(r.code, r.stderr).to.equal(1);
    expectNoSecrets(r);
    const entries = JSON.parse(r.stdout).entries as { serverURL: string; status: string; reason: string }[];
    expect(entries.map((e) => [e.serverURL, e.status])).to.deep.equal([['ghcr.io', 'failed'], ['quay.io', 'failed']]);
    expect(entries[0]?.reason).to.match(/erased it from helper:alias too .*put back into file/);
    expect(JSON.parse((await sb.credkit(['store', 'list', '--json'])).stdout)).to.deep.equal({ 'ghcr.io': 'alice', 'quay.io': 'bob' });
    const got = await sb.helper('get', 'ghcr.io');
    expect(JSON.parse(got.stdout)).to.deep.equal({ ServerURL: 'ghcr.io', Username: 'alice', Secret: PW2 });
  });
});

describe('credkit copy: a source auth file that is not there', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await makeSandbox({ CREDKIT_BACKEND: 'file' });
  });
  afterEach(async () => sb?.cleanup());

  it('is an error (exit 1, nothing copied), not "no credentials to copy" with exit 0; a missing target is created', async () => {
    const missing = join(sb.home, 'ci', 'config.jsn');
    for (const json of [false, true]) {
      const r = await sb.credkit(['copy', '--from', `authfile:${missing}`, '--to', 'file', ...(json ? ['--json'] : [])]);
      expect(r.code, r.stdout + r.stderr).to.equal(1);
      expect(r.stderr).to.equal(`credkit: ${missing}: no such file (named by --from)\n`);
      if (json) expect(JSON.parse(r.stdout)).to.deep.equal({ ok: false, error: { code: 'IO', message: `${missing}: no such file (named by --from)` } });
      else expect(r.stdout).to.equal('');
    }
    // The other way round the file is made, as docker login makes config.json.
    const put = await sb.credkit(['store', 'store', 'quay.io', '-u', 'ci', '--password-stdin'], PW1);
    expect(put.code, put.stderr).to.equal(0);
    const target = join(sb.home, 'ci', 'config.json');
    const r = await sb.credkit(['copy', '--from', 'file', '--to', `authfile:${target}`]);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(await readFile(target, 'utf8'))).to.deep.equal({ auths: { 'quay.io': { auth: b64(`ci:${PW1}`) } } });
    expectNoSecrets(r);
  });
});

describe('credkit migrate --into-store: a store that keeps nothing it is given', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await makeSandbox({ CREDKIT_BACKEND: 'file' });
    sb.env.PATH = `${join(FIXTURES, 'helper-that-forgets')}:${sb.env.PATH}`;
  });
  afterEach(async () => sb?.cleanup());

  it('fails the file, saying the store holds nothing for the key (no copy to erase), and leaves the file untouched', async () => {
    const work = join(sb.home, 'w');
    await mkdir(work, { recursive: true });
    const text = JSON.stringify({ auths: { 'quay.io': { auth: b64(`alice:${PW1}`) } } });
    await writeFile(join(work, 'config.json'), text);
    const r = await credkitIn(sb, work, ['migrate', 'config.json', '--into-store', 'helper:forgets']);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.include('failed       config.json: helper:forgets does not return "quay.io" as it was stored (it holds nothing for it); the file was left untouched');
    expect(await readFile(join(work, 'config.json'), 'utf8')).to.equal(text);
    expectNoSecrets(r);
  });

  it('with [routes] sending a registry to it, copy --to credkit and migrate --into-store file name it, not the configured backend, as the store that does not return it', async () => {
    const work = join(sb.home, 'w');
    await mkdir(join(sb.env.XDG_CONFIG_HOME as string, 'credkit'), { recursive: true });
    await writeFile(join(sb.env.XDG_CONFIG_HOME as string, 'credkit', 'config.ini'), 'backend = file\n[routes]\nquay.io = helper:forgets\n');
    await mkdir(work, { recursive: true });
    const text = JSON.stringify({ auths: { 'quay.io': { auth: b64(`alice:${PW1}`) }, 'ghcr.io': { auth: b64(`bob:${PW1}`) } } });
    await writeFile(join(work, 'config.json'), text);
    const copy = await credkitIn(sb, work, ['copy', '--from', 'authfile:config.json', '--to', 'credkit', '--json']);
    expectNoSecrets(copy);
    expect(copy.code).to.equal(1);
    const entries = (JSON.parse(copy.stdout) as { entries: { serverURL: string; status: string; reason?: string }[] }).entries;
    expect(entries.map((e) => [e.serverURL, e.status, e.reason ?? null])).to.deep.equal([
      ['ghcr.io', 'copied', null],
      ['quay.io', 'failed', 'helper:forgets accepted it but has no credential for it when read back; the target holds nothing for it'],
    ]);
    const migrate = await credkitIn(sb, work, ['migrate', 'config.json', '--into-store', 'file']);
    expectNoSecrets(migrate);
    expect(migrate.stdout).to.include('failed       config.json: helper:forgets does not return "quay.io" as it was stored (it holds nothing for it); the file was left untouched');
    expect(await readFile(join(work, 'config.json'), 'utf8')).to.equal(text);
  });
});
