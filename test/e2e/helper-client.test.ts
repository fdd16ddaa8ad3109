/**
 * `credkit store … --backend helper:NAME` through the shipped `credkit` bin, against the real
 * docker-credential-pass and docker-credential-secretservice, credkit's own helper, and scripted
 * fake helpers (fixtures written into a PATH directory) that fail in the ways real ones do.
 */
import { expect } from 'chai';
import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN, makeSandbox, skipUnlessPrograms, type RunResult, type Sandbox } from '../support/sandbox.js';
import { startPassStore, startSecretService, type RealBackend } from '../support/real-helpers.js';

const PW1 = 'fake-password-one';
const PW2 = 'fake-password-two';
const TOKEN = 'fake-identity-token';
const LEAK = 'fake-leaked-value-123';

/** A sandbox whose PATH starts with a directory for helper programs, holding credkit's own helper. */
async function helperSandbox(extra: Record<string, string> = {}): Promise<{ sb: Sandbox; helpers: string }> {
  const sb = await makeSandbox({ CREDKIT_BACKEND: 'file', ...extra });
  const helpers = join(sb.home, 'helpers');
  await mkdir(helpers);
  // As an installed package would: `docker-credential-credkit` on PATH.
  await symlink(BIN.helper, join(helpers, 'docker-credential-credkit'));
  sb.env.PATH = `${helpers}:${sb.env.PATH}`;
  return { sb, helpers };
}

async function writeFake(dir: string, name: string, body: string): Promise<void> {
  const path = join(dir, `docker-credential-${name}`);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
}

/** credkit's error output is exactly one line that starts with "credkit: ". */
function oneLineError(r: RunResult): string {
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).to.have.length(1);
  expect(lines[0]).to.match(/^credkit: /);
  return lines[0] as string;
}

function expectNoSecrets(...results: RunResult[]): void {
  // A plain boolean check: a failure must not print the output that holds the secret.
  for (const r of results) for (const s of [PW1, PW2, TOKEN, LEAK]) expect(r.stderr.includes(s), 'a secret on stderr').to.equal(false);
}

/**
 * The cycle every real helper goes through via `credkit store --backend helper:NAME`:
 * store → get → replace with another user → list shows one entry → identity token → erase.
 */
function runCycle(backend: string, setup: () => { sb: Sandbox }, erasingMissing: 'not-found' | 'erased'): void {
  const ck = (args: string[], input = '') => setup().sb.credkit([...args, '--backend', backend], input);

  it('store → get → replace with another user → list → identity token → erase', async () => {
    const stored = await ck(['store', 'store', 'quay.io', '-u', 'bob', '--password-stdin'], `${PW1}\n`);
    expect(stored.code, stored.stderr).to.equal(0);
    let got = await ck(['store', 'get', 'quay.io', '--show-secret', '--json']);
    expect(got.code, got.stderr).to.equal(0);
    expect(JSON.parse(got.stdout)).to.deep.equal({ serverURL: 'quay.io', username: 'bob', secret: PW1 });

    // pass and secretservice would keep bob next to carol; credkit erases first.
    const replaced = await ck(['store', 'store', 'quay.io', '-u', 'carol', '--password-stdin'], PW2);
    expect(replaced.code, replaced.stderr).to.equal(0);
    got = await ck(['store', 'get', 'quay.io', '--show-secret', '--json']);
    expect(JSON.parse(got.stdout)).to.deep.equal({ serverURL: 'quay.io', username: 'carol', secret: PW2 });

    const token = await ck(['store', 'store', 'ghcr.io', '--identity-token', '--password-stdin'], TOKEN);
    expect(token.code, token.stderr).to.equal(0);
    got = await ck(['store', 'get', 'ghcr.io', '--show-secret', '--json']);
    expect(JSON.parse(got.stdout)).to.deep.equal({ serverURL: 'ghcr.io', username: '<token>', secret: TOKEN });
    const redacted = await ck(['store', 'get', 'ghcr.io']);
    expect(redacted.stdout).to.include('(identity token)');
    expect((redacted.stdout).includes(TOKEN), 'a secret in the output (not printed)').to.equal(false);

    const list = await ck(['store', 'list', '--json']);
    expect(list.code, list.stderr).to.equal(0);
    expect(JSON.parse(list.stdout)).to.deep.equal({ 'ghcr.io': '<token>', 'quay.io': 'carol' });

    const erased = await ck(['store', 'erase', 'quay.io']);
    expect(erased.code, erased.stderr).to.equal(0);
    const gone = await ck(['store', 'get', 'quay.io']);
    expect(gone.code).to.equal(1);
    expect(oneLineError(gone)).to.equal('credkit: no credential stored for "quay.io"');
    expectNoSecrets(stored, got, replaced, token, redacted, list, erased, gone);
  });

  it('get of a missing entry is "not found", not a helper error', async () => {
    const r = await ck(['store', 'get', 'nothere.example.com']);
    expect(r.code).to.equal(1);
    expect(oneLineError(r)).to.equal('credkit: no credential stored for "nothere.example.com"');
  });

  it(`erasing a missing entry is not a helper error (${erasingMissing})`, async () => {
    const r = await ck(['store', 'erase', 'nothere.example.com']);
    if (erasingMissing === 'erased') {
      // The helper exits 0 whether or not the entry existed, so credkit cannot tell.
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.equal('erased nothere.example.com\n');
    } else {
      expect(r.code).to.equal(1);
      expect(oneLineError(r)).to.equal('credkit: no credential stored for "nothere.example.com"');
    }
  });
}

describe('helper client e2e: credkit\'s own helper as helper:credkit', () => {
  let ctx: { sb: Sandbox; helpers: string };
  beforeEach(async () => {
    ctx = await helperSandbox();
  });
  afterEach(async () => {
    await ctx.sb.cleanup();
  });
  runCycle('helper:credkit', () => ctx, 'erased');

  it('helper:credkit as credkit\'s own backend is refused before any helper runs (exit 2, naming the setting)', async () => {
    const env = { CREDKIT_BACKEND: 'helper:credkit' };
    const r = await ctx.sb.credkit(['store', 'list', '--backend', 'helper:credkit'], '', env);
    expect([r.code, oneLineError(r)]).to.deep.equal([2, 'credkit: the backend "helper:credkit" is credkit itself: docker-credential-credkit reads the same settings and would ask itself again; choose keychain, keyutils, pass, file or env']);
  });

  it('a helper that ends up calling itself another way ends with an error instead of looping, said once (not once per level)', async () => {
    // docker-credential-loop is credkit's helper under another name, and credkit's backend is it.
    await symlink(BIN.helper, join(ctx.helpers, 'docker-credential-loop'));
    const env = { CREDKIT_BACKEND: 'helper:loop' };
    const r = await ctx.sb.credkit(['store', 'list', '--backend', 'helper:loop'], '', env);
    expect(r.code).to.equal(1);
    expect(oneLineError(r)).to.equal('credkit: docker-credential-loop list refused: helpers nested 2 deep (is a helper configured to call itself?)');
    const stored = await ctx.sb.credkit(['store', 'store', 'quay.io', '-u', 'bob', '--password-stdin', '--backend', 'helper:loop'], PW1, env);
    expectNoSecrets(stored);
    expect([stored.code, oneLineError(stored)]).to.deep.equal([1, 'credkit: docker-credential-loop store refused: helpers nested 2 deep (is a helper configured to call itself?)']);
    // The helper itself, as docker runs it: the same line on stdout, exit 1.
    const h = await ctx.sb.helper('list', '', env);
    expect([h.code, h.stdout, h.stderr]).to.deep.equal([1, 'docker-credential-loop list refused: helpers nested 2 deep (is a helper configured to call itself?)\n', '']);
  });
});

/**
 * The cycle against a real reference helper, whose backend `start` starts once for the suite; the
 * entries a test may leave are erased after it, so that the next one starts from an empty store.
 */
function describeRealHelper(name: string, programs: readonly string[], start: () => Promise<RealBackend>, missing: 'erased' | 'not-found'): void {
  describe(`helper client e2e: docker-credential-${name}`, function () {
    let backend: RealBackend | undefined;
    let ctx: { sb: Sandbox };
    before(async function () {
      await skipUnlessPrograms(this, programs);
      backend = await start();
    });
    after(async () => {
      await backend?.stop();
    });
    beforeEach(async () => {
      ctx = await helperSandbox(backend?.env);
    });
    afterEach(async () => {
      for (const url of ['quay.io', 'ghcr.io']) await ctx.sb.credkit(['store', 'erase', url, '--backend', `helper:${name}`]).catch(() => undefined);
      await ctx.sb.cleanup();
    });
    runCycle(`helper:${name}`, () => ctx, missing);
  });
}

// pass answers a missing `get` with empty fields and exit 0 (0.6.4) and a missing `erase` with
// "… is not in the password store."; both read as not found.
describeRealHelper('pass', ['docker-credential-pass', 'pass', 'gpg', 'gpgconf'], startPassStore, 'not-found');
describeRealHelper('secretservice', ['docker-credential-secretservice', 'dbus-daemon', 'dbus-send', 'gnome-keyring-daemon'], startSecretService, 'erased');

describe('helper client e2e: helpers that fail', function () {
  let sb: Sandbox;
  let helpers: string;
  let state: string;
  before(async function () {
    await skipUnlessPrograms(this, ['sh', 'sleep', 'cat']);
  });
  beforeEach(async () => {
    ({ sb, helpers } = await helperSandbox());
    state = join(sb.home, 'state');
    await mkdir(state);
    await writeFake(helpers, 'hang', `echo $$ > '${state}/hang.pgid'\nsleep 300 &\nsleep 300`);
    await writeFake(helpers, 'fail', `cat >/dev/null\necho "boom: ${LEAK}"\nexit 1`);
    await writeFake(helpers, 'junk', `cat >/dev/null\necho "Password: ${LEAK}"\nexit 0`);
    await writeFake(helpers, 'notfound', 'cat >/dev/null\necho "notfound helper speaking on stderr" >&2\necho "credentials not found in native keychain"\nexit 1');
    await writeFake(helpers, 'echoer', 'cat\nexit 1');
    // Echoes its input on stderr, the second time in two writes with a pause that splits the secret.
    await writeFake(helpers, 'stderr-echoer', `in=$(cat)\nprintf '%s\\n' "$in" >&2\nprintf '%s\\n' "$in" | { head -c 45 >&2; sleep 0.2; cat >&2; }\necho "cannot store"\nexit 1`);
    await writeFake(
      helpers,
      'ss09',
      `cat >/dev/null\n[ "$1" = list ] && echo '{"Registry credentials for https://index.docker.io/v1/":"alice","quay.io/org/repo":"bob"}'\nexit 0`,
    );
    await writeFake(
      helpers,
      'recorder',
      `printf '%s' "$#" > '${state}/argc'\ncat > '${state}/'"$1"'.in'\n[ "$1" = get ] && echo '{"ServerURL":"x","Username":"u","Secret":"fake-s"}'\n[ "$1" = list ] && echo '{}'\nexit 0`,
    );
  });
  afterEach(async () => {
    await sb.cleanup();
  });

  it('a helper never gets the env backend\'s credential variables (CREDKIT_CRED_*, CREDKIT_AUTH_CONFIG) in its environment', async () => {
    await writeFake(helpers, 'envdump', `cat >/dev/null\nenv > '${state}/'"$1"'.env'\n[ "$1" = list ] && echo '{}'\nexit 0`);
    const env = { CREDKIT_CRED_CI_SERVER: 'quay.io', CREDKIT_CRED_CI_USERNAME: 'bot', CREDKIT_CRED_CI_SECRET: 'fake-env-secret', CREDKIT_AUTH_CONFIG: '{"auths":{}}' };
    // (credkit's environment holds them when the env backend is in use, as for copy --from env.)
    const r = await sb.credkit(['store', 'store', 'quay.io', '-u', 'bot', '--password-stdin', '--backend', 'helper:envdump'], 'fake-stored', env);
    expect(r.code, r.stderr).to.equal(0);
    const seen = await readFile(join(state, 'store.env'), 'utf8');
    // A plain boolean check: a failure must not print the environment (it holds the secret).
    expect(/^CREDKIT_(CRED_|AUTH_CONFIG)/m.test(seen), 'credential variables passed to the helper').to.equal(false);
    expect(seen.includes('fake-env-secret'), 'the secret in the helper environment').to.equal(false);
  });

  it('sends exactly one argument and docker\'s stdin bytes for each verb', async () => {
    const stored = await sb.credkit(['store', 'store', 'ghcr.io', '--identity-token', '--password-stdin', '--backend', 'helper:recorder'], 'fake-tok&<>');
    expect(stored.code, stored.stderr).to.equal(0);
    expect(await readFile(join(state, 'argc'), 'utf8')).to.equal('1');
    expect(await readFile(join(state, 'store.in'), 'utf8')).to.equal('{"ServerURL":"ghcr.io","Username":"\\u003ctoken\\u003e","Secret":"fake-tok\\u0026\\u003c\\u003e"}\n');
    expect((await sb.credkit(['store', 'get', 'quay.io', '--backend', 'helper:recorder'])).code).to.equal(0);
    expect(await readFile(join(state, 'get.in'), 'utf8')).to.equal('quay.io');
    expect((await sb.credkit(['store', 'erase', 'quay.io', '--backend', 'helper:recorder'])).code).to.equal(0);
    expect(await readFile(join(state, 'erase.in'), 'utf8')).to.equal('quay.io');
    expect((await sb.credkit(['store', 'list', '--backend', 'helper:recorder'])).code).to.equal(0);
    expect(await readFile(join(state, 'list.in'), 'utf8')).to.equal('unused');
  });

  it('a hanging helper is stopped after CREDKIT_HELPER_TIMEOUT with a timeout error, its whole process group killed', async () => {
    const r = await sb.credkit(['store', 'get', 'quay.io', '--backend', 'helper:hang'], '', { CREDKIT_HELPER_TIMEOUT: '0.5' });
    expect(r.code).to.equal(1);
    expect(oneLineError(r)).to.match(/^credkit: docker-credential-hang get did not finish within 0\.5 s and was stopped/);
    // The command's user changes the timeout with these (the library names its helperTimeoutMs).
    expect(oneLineError(r)).to.include('(raise CREDKIT_HELPER_TIMEOUT or [helpers] timeout if it needs longer)');
    const pgid = Number((await readFile(join(state, 'hang.pgid'), 'utf8')).trim());
    expect(pgid).to.be.greaterThan(1);
    // The background `sleep` was in the helper's group too; it must be gone (poll while it is reaped).
    let alive = true;
    for (let i = 0; i < 50 && alive; i++) {
      try {
        process.kill(-pgid, 0);
        await new Promise((res) => setTimeout(res, 100));
      } catch {
        alive = false;
      }
    }
    expect(alive, 'the helper\'s process group is still running').to.equal(false);
  });

  it('a failing get names helper, verb and exit status, and never quotes the output', async () => {
    const r = await sb.credkit(['store', 'get', 'quay.io', '--backend', 'helper:fail']);
    expect(r.code).to.equal(1);
    expect(oneLineError(r)).to.equal('credkit: docker-credential-fail get failed (exit status 1); its output is not shown because it may hold a secret');
    expectNoSecrets(r);
  });

  it('a failing list quotes the helper\'s error text (list output holds no secret)', async () => {
    const r = await sb.credkit(['store', 'list', '--backend', 'helper:fail']);
    expect(r.code).to.equal(1);
    expect(oneLineError(r)).to.equal(`credkit: docker-credential-fail list failed (exit status 1): boom: ${LEAK}`);
  });

  it('a failing store masks the secret even when the helper echoes its input', async () => {
    const r = await sb.credkit(['store', 'store', 'quay.io', '-u', 'bob', '--password-stdin', '--backend', 'helper:echoer'], PW1);
    expect(r.code).to.equal(1);
    const line = oneLineError(r);
    expect(line).to.include('docker-credential-echoer store failed (exit status 1): {"ServerURL":"quay.io","Username":"bob","Secret":"********"}');
    expectNoSecrets(r);
  });

  it('a failing store that echoes only part of the secret (cut, so no spelling of it matches): its output is withheld', async () => {
    // Prints the input from its 55th character on: the end of the secret, never all of it.
    await writeFake(helpers, 'cutter', 'in=$(cat)\nprintf "%s" "$in" | cut -c55-\nexit 1');
    const r = await sb.credkit(['store', 'store', 'quay.io', '-u', 'bob', '--password-stdin', '--backend', 'helper:cutter'], PW1);
    expect(r.code).to.equal(1);
    expect(oneLineError(r)).to.include('docker-credential-cutter store failed (exit status 1): (output withheld: it holds part of the secret)');
    const tail = PW1.slice(-8);
    expect(r.stderr.includes(tail) || r.stdout.includes(tail), 'a piece of the secret (not printed)').to.equal(false);
  });

  it('a failing store masks the secret on the stderr it passes on, even split across writes', async () => {
    for (const secret of [PW1, `${PW2}\nsecond line`]) {
      const r = await sb.credkit(['store', 'store', 'quay.io', '-u', 'bob', '--password-stdin', '--backend', 'helper:stderr-echoer'], secret);
      expect(r.code).to.equal(1);
      const lines = r.stderr.trimEnd().split('\n');
      // Plain checks, so that a failure never prints the secret.
      if (lines.length !== 3 || lines[2] !== 'credkit: docker-credential-stderr-echoer store failed (exit status 1): cannot store') throw new Error('expected the helper\'s two stderr lines and one error line');
      const masked = '{"ServerURL":"quay.io","Username":"bob","Secret":"********"}';
      if (lines[0] !== masked || lines[1] !== masked) throw new Error('expected the echoed input with the secret masked');
      if ([PW1, PW2, 'fake-password'].some((s) => r.stderr.includes(s) || r.stdout.includes(s))) throw new Error('a secret was printed');
    }
  });

  it('non-JSON on exit 0 is reported as such, not quoted for get', async () => {
    const r = await sb.credkit(['store', 'get', 'quay.io', '--backend', 'helper:junk']);
    expect(r.code).to.equal(1);
    expect(oneLineError(r)).to.equal(`credkit: docker-credential-junk get exited 0 but printed ${`Password: ${LEAK}`.length + 1} bytes that are not JSON (not shown: they may hold anything, a secret included)`);
    expectNoSecrets(r);
  });

  it('non-JSON on exit 0 is not quoted for list either: it is no list answer and may be anything', async () => {
    const r = await sb.credkit(['store', 'list', '--backend', 'helper:junk']);
    expect(r.code).to.equal(1);
    expect(oneLineError(r)).to.equal(`credkit: docker-credential-junk list exited 0 but printed ${`Password: ${LEAK}`.length + 1} bytes that are not JSON (not shown: they may hold anything, a secret included)`);
    expectNoSecrets(r);
  });

  it('the not-found text is "not found" for get, and the helper\'s stderr reaches the terminal', async () => {
    const r = await sb.credkit(['store', 'get', 'quay.io', '--backend', 'helper:notfound']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.equal('notfound helper speaking on stderr\ncredkit: no credential stored for "quay.io"\n');
  });

  it('list strips secretservice 0.9\'s "Registry credentials for " prefix', async () => {
    const r = await sb.credkit(['store', 'list', '--json', '--backend', 'helper:ss09']);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ 'https://index.docker.io/v1/': 'alice', 'quay.io/org/repo': 'bob' });
  });

  it('list answers read as docker\'s client reads them: null (a Go helper\'s nil map) is no entries, bytes after the JSON are ignored', async () => {
    await writeFake(helpers, 'nilmap', 'cat >/dev/null\necho null\nexit 0');
    await writeFake(helpers, 'chatty', `cat >/dev/null\necho '{"quay.io":"bob"} (2 entries scanned)'\nexit 0`);
    let r = await sb.credkit(['store', 'list', '--json', '--backend', 'helper:nilmap']);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({});
    r = await sb.credkit(['store', 'list', '--json', '--backend', 'helper:chatty']);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ 'quay.io': 'bob' });
  });

  it('a helper that is not on PATH is named', async () => {
    const r = await sb.credkit(['store', 'list', '--backend', 'helper:nosuch']);
    expect(r.code).to.equal(1);
    expect(oneLineError(r)).to.match(/^credkit: credential helper docker-credential-nosuch is not on PATH/);
  });

  it('a helper on PATH without execute permission is named with the file and chmod +x, not "install it"', async () => {
    await writeFake(helpers, 'noexec', 'cat >/dev/null\necho {}\nexit 0');
    const file = join(helpers, 'docker-credential-noexec');
    await chmod(file, 0o644);
    const r = await sb.credkit(['store', 'list', '--backend', 'helper:noexec']);
    expect(r.code).to.equal(1);
    const line = oneLineError(r);
    expect(line).to.include(`docker-credential-noexec is on PATH at ${file} but is not executable`);
    expect(line.endsWith(`; make it executable: chmod +x ${file}`), line).to.equal(true);
    expect(line).not.to.include('install it');
  });

  it('a Windows .exe helper missing under WSL says it is a Windows program', async () => {
    const r = await sb.credkit(['store', 'get', 'quay.io', '--backend', 'helper:desktop.exe'], '', { WSL_DISTRO_NAME: 'Debian' });
    expect(r.code).to.equal(1);
    const line = oneLineError(r);
    expect(line).to.include('docker-credential-desktop.exe is not on PATH');
    expect(line).to.include('Windows program');
    expect(line).to.include('WSL');
  });
});
