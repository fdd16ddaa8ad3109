/**
 * Saved accounts (several credentials for one registry, CREDKIT_ACCOUNT) through the shipped bins:
 * the real docker CLI against a fake engine with credkit as its credsStore, credkit's own
 * commands, and the real pass store.
 */
import { expect } from 'chai';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { FIXTURES, makeSandboxPerTest, putHelperOnPath, run, skipUnlessPrograms, type RunResult, type Sandbox } from '../support/sandbox.js';
import { decodeRegistryAuth, expectAuth, makeDockerSandboxPerTest, type EngineAuthConfig, type FakeEngine } from '../support/fake-engine.js';
import { usePassStore } from '../support/real-helpers.js';

/**
 * Runs `command` on a terminal (script(1)) and types each answer once its prompt has been
 * written, as a person would; resolves with everything the terminal showed.
 */
function typeIntoTerminal(command: string, env: Record<string, string | undefined>, answers: [prompt: string, answer: string][]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let shown = '';
    let next = 0;
    const timer = setTimeout(() => child.kill(), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      shown += chunk.toString();
      const want = answers[next];
      if (want !== undefined && shown.lastIndexOf(want[0]) > shown.lastIndexOf('\n', shown.length - 2)) {
        next++;
        child.stdin.write(`${want[1]}\n`);
      }
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(shown);
    });
  });
}

const REGISTRY = 'registry.example.test';
const HUB_KEY = 'https://index.docker.io/v1/';
const DEFAULT_PW = 'fake-default-password';
const WORK_PW = 'fake-work-password';
const HUB_PW = 'fake-hub-password';
// What fixtures/helper-that-fails-on-fragments/docker-credential-fragile answers for any registry.
const FRAGILE_PW = 'fake-fragile-token';
const SECRETS = [DEFAULT_PW, WORK_PW, HUB_PW, FRAGILE_PW];
const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
/** What the helper (and credkit) say when an account would go to another program's store. */
const notKeptIn = (server: string, done: string, why: string) =>
  `the account "work" of ${server} cannot be ${done} here: ${why}; saved accounts are kept by credkit's own backends (file, keychain, keyutils, pass)`;
const DERIVED = '#credkit-account=';
const NAME_RULE = 'an account name is 1 to 64 letters, digits, ".", "_" or "-"';

function expectNoSecret(r: RunResult, what: string): void {
  for (const s of SECRETS) expect(r.stdout.includes(s) || r.stderr.includes(s), `${what} printed a secret`).to.equal(false);
}

function storeInput(serverURL: string, username: string, secret: string): string {
  return `${JSON.stringify({ ServerURL: serverURL, Username: username, Secret: secret })}\n`;
}

async function writeIni(sb: Sandbox, text: string): Promise<void> {
  const dir = join(sb.env.XDG_CONFIG_HOME as string, 'credkit');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.ini'), text);
}

describe('e2e: saved accounts with the docker CLI (credsStore: credkit, file backend)', function () {
  let engine: FakeEngine;
  let sb: Sandbox;
  let configPath: string;

  before(async function () {
    await skipUnlessPrograms(this, ['docker']);
  });
  makeDockerSandboxPerTest({ CREDKIT_BACKEND: 'file' }, async (docker) => {
    ({ engine, sb, configPath } = docker);
    await putHelperOnPath(sb);
    await writeFile(configPath, JSON.stringify({ credsStore: 'credkit' }), { mode: 0o600 });
  });

  const docker = async (args: readonly string[], input = '', env: Record<string, string> = {}) => {
    const r = await run('docker', args, { input, env: { ...sb.env, ...env } });
    expectNoSecret(r, `docker ${args[0]}`);
    return r;
  };
  const work = { CREDKIT_ACCOUNT: 'work' };
  const pullAuth = async (image: string, env: Record<string, string> = {}): Promise<EngineAuthConfig> => {
    const r = await docker(['pull', image], '', env);
    expect(r.code, `docker pull: ${r.stderr.trim()}; engine 404s: ${engine.unknown.join(', ') || 'none'}`).to.equal(0);
    const pull = engine.pulls.at(-1);
    return pull?.registryAuth ? decodeRegistryAuth(pull.registryAuth) : {};
  };
  const helperList = async (env: Record<string, string> = {}) => {
    const r = await sb.helper('list', '', env);
    expect(r.code, r.stdout).to.equal(0);
    expect(r.stdout.includes(DERIVED), 'list shows a derived key').to.equal(false);
    return JSON.parse(r.stdout) as Record<string, string>;
  };

  it('CREDKIT_ACCOUNT=work docker login adds a second account; pull sends the one selected; logout takes the account only', async () => {
    let r = await docker(['login', '-u', 'alice', '--password-stdin', REGISTRY], `${DEFAULT_PW}\n`);
    expect(r.code, r.stderr).to.equal(0);
    r = await docker(['login', '-u', 'hubber', '--password-stdin'], `${HUB_PW}\n`);
    expect(r.code, r.stderr).to.equal(0);
    r = await docker(['login', '-u', 'bob', '--password-stdin', REGISTRY], `${WORK_PW}\n`, work);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('Login Succeeded');

    // Each pull asks the helper with docker's own environment.
    expectAuth(await pullAuth(`${REGISTRY}/team/app:1`), { username: 'alice', password: DEFAULT_PW, serveraddress: REGISTRY }, 'X-Registry-Auth without an account');
    expectAuth(await pullAuth(`${REGISTRY}/team/app:1`, work), { username: 'bob', password: WORK_PW, serveraddress: REGISTRY }, 'X-Registry-Auth with CREDKIT_ACCOUNT=work');
    // A registry without the account still gets its plain credential.
    expectAuth(await pullAuth('busybox:1', work), { username: 'hubber', password: HUB_PW, serveraddress: HUB_KEY }, 'X-Registry-Auth for Docker Hub with CREDKIT_ACCOUNT=work');

    expect(await helperList()).to.deep.equal({ [REGISTRY]: 'alice', [HUB_KEY]: 'hubber' });
    expect(await helperList(work)).to.deep.equal({ [REGISTRY]: 'bob', [HUB_KEY]: 'hubber' });
    const accounts = await sb.credkit(['account', 'list', '--json']);
    expect(accounts.code, accounts.stderr).to.equal(0);
    expect(JSON.parse(accounts.stdout)).to.deep.equal({
      selected: null,
      accounts: [
        { serverURL: REGISTRY, account: null, username: 'alice', selected: false, answers: true },
        { serverURL: REGISTRY, account: 'work', username: 'bob', selected: false, answers: false },
      ],
      unused: [],
    });

    r = await docker(['logout', REGISTRY], '', work);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr, 'docker warned that the erase failed').to.equal('');
    // The plain entry stays, and is what the account falls back to now.
    expectAuth(await pullAuth(`${REGISTRY}/team/app:1`, work), { username: 'alice', password: DEFAULT_PW, serveraddress: REGISTRY }, 'X-Registry-Auth after the account logged out');
    expectAuth(await pullAuth(`${REGISTRY}/team/app:1`), { username: 'alice', password: DEFAULT_PW, serveraddress: REGISTRY }, 'X-Registry-Auth without an account, after');
    expect((await sb.credkit(['account', 'list'])).stdout).to.equal('no saved accounts\n');
    const file = await readFile(join(sb.env.XDG_DATA_HOME as string, 'credkit', 'credentials.json'), 'utf8');
    expect(Object.keys((JSON.parse(file) as { credentials: object }).credentials).sort()).to.deep.equal([HUB_KEY, REGISTRY]);
  });

  it('docker login without -u for an account not saved yet does not save the plain credential docker was offered: on a terminal docker asks for the account\'s own', async function () {
    await skipUnlessPrograms(this, ['script']);
    let r = await docker(['login', '-u', 'alice', '--password-stdin', REGISTRY], `${DEFAULT_PW}\n`);
    expect(r.code, r.stderr).to.equal(0);
    // No -u: docker asks the helper, which answers with the plain entry; docker logs in with it and
    // stores it back, which credkit refuses for a new account, so docker falls back to its prompt.
    // Without a terminal, that prompt is an error, and nothing is saved.
    r = await docker(['login', REGISTRY], '', work);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.include('Authenticating with existing credentials').and.include('Cannot perform an interactive login from a non TTY device');
    expect((await sb.credkit(['account', 'list'])).stdout).to.equal('no saved accounts\n');

    // On a terminal (script(1)), docker asks; the answers are typed after each prompt, so the
    // password is never echoed.
    const out = await typeIntoTerminal('docker login ' + REGISTRY, { ...sb.env, ...work }, [
      ['Username', 'bob'],
      ['Password', WORK_PW],
    ]);
    expect(out.includes(WORK_PW) || out.includes(DEFAULT_PW), 'a password reached the terminal').to.equal(false);
    expect(out).to.include('Login Succeeded');
    expectAuth(await pullAuth(`${REGISTRY}/team/app:1`, work), { username: 'bob', password: WORK_PW, serveraddress: REGISTRY }, 'X-Registry-Auth with CREDKIT_ACCOUNT=work');
    expectAuth(await pullAuth(`${REGISTRY}/team/app:1`), { username: 'alice', password: DEFAULT_PW, serveraddress: REGISTRY }, 'X-Registry-Auth without an account');
    // Once saved, a login without -u is offered the account's own credential, and stores it again.
    r = await docker(['login', REGISTRY], '', work);
    expect(r.code, r.stderr).to.equal(0);
  });

  it('a name outside the safe set fails docker login and the helper with one line, storing nothing', async () => {
    for (const bad of ['a b', '../x', 'x'.repeat(65)]) {
      const h = await sb.helper('get', REGISTRY, { CREDKIT_ACCOUNT: bad });
      expect(h.code).to.equal(1);
      expect(h.stdout).to.equal(`CREDKIT_ACCOUNT: ${NAME_RULE}\n`);
    }
    const r = await docker(['login', '-u', 'bob', '--password-stdin', REGISTRY], `${WORK_PW}\n`, { CREDKIT_ACCOUNT: 'a/b' });
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.include(`out: \`CREDKIT_ACCOUNT: ${NAME_RULE}\``);
    expect(await helperList()).to.deep.equal({});
  });

  it('a registry [routes] sends to another helper: pull with an account gets its plain credential, the helper never asked for the account; login and logout as the account fail, storing nothing', async () => {
    await writeIni(sb, 'backend = file\n[routes]\n*.dkr.ecr.*.amazonaws.com = helper:fragile\n');
    sb.env.PATH = `${join(FIXTURES, 'helper-that-fails-on-fragments')}:${sb.env.PATH}`;
    const calls = async () => (await readFile(join(sb.home, 'fragile.calls'), 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');

    // docker-credential-fragile fails on a server URL with "#", as a cloud helper fails on one it cannot parse.
    expectAuth(await pullAuth(`${ECR}/team/app:1`, work), { username: 'AWS', password: FRAGILE_PW, serveraddress: ECR }, 'X-Registry-Auth with CREDKIT_ACCOUNT=work');
    expect(await calls()).to.deep.equal([`get ${ECR}`]);

    const why = `helper:fragile is docker-credential-fragile's own store, which would take an account's key for a server URL (the route "*.dkr.ecr.*.amazonaws.com" under [routes] in credkit's config.ini sends ${ECR} there)`;
    let r = await docker(['login', '-u', 'bob', '--password-stdin', ECR], `${WORK_PW}\n`, work);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.include(notKeptIn(ECR, 'stored', why));
    // docker logout erases only where config.json says it logged in; the helper itself:
    r = await sb.helper('erase', ECR, work);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal(`${notKeptIn(ECR, 'erased', why)}\n`);
    expect(await calls()).to.deep.equal([`get ${ECR}`]);
  });
});

describe('e2e: saved accounts with credkit commands (file backend)', () => {
  let sb: Sandbox;
  makeSandboxPerTest({ CREDKIT_BACKEND: 'file' }, (made) => (sb = made));

  const helper = async (verb: string, input: string, env: Record<string, string> = {}) => {
    const r = await sb.helper(verb, input, env);
    expect(r.code, r.stdout).to.equal(0);
    return r.stdout;
  };

  it('account = in config.ini is a standing choice that CREDKIT_ACCOUNT overrides (empty: the plain entry)', async () => {
    await helper('store', storeInput(REGISTRY, 'alice', DEFAULT_PW));
    await helper('store', storeInput(REGISTRY, 'bob', WORK_PW), { CREDKIT_ACCOUNT: 'work' });
    await writeIni(sb, 'backend = file\naccount = work\n');
    const user = async (env: Record<string, string> = {}) => (JSON.parse(await helper('get', REGISTRY, env)) as { Username: string }).Username;
    expect(await user()).to.equal('bob');
    expect(await user({ CREDKIT_ACCOUNT: '' })).to.equal('alice');
    expect(await user({ CREDKIT_ACCOUNT: 'home' })).to.equal('alice');
    await writeIni(sb, 'backend = file\naccount = not a name\n');
    const r = await sb.helper('get', REGISTRY);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(new RegExp(`config\\.ini: key "account": ${NAME_RULE.replace(/[.*"()]/g, '\\$&')}\\n$`));
  });

  it('credkit account list and store get|store|erase --account; store list hides the accounts and says so', async () => {
    let r = await sb.credkit(['store', 'store', HUB_KEY, '-u', 'alice', '--password-stdin'], DEFAULT_PW);
    expect(r.code, r.stderr).to.equal(0);
    r = await sb.credkit(['store', 'store', HUB_KEY, '-u', 'bob', '--password-stdin', '--account', 'work'], WORK_PW);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal(`stored ${HUB_KEY} as the account "work"\n`);
    r = await sb.credkit(['store', 'store', 'ghcr.io', '--identity-token', '--password-stdin', '--account', 'ci'], HUB_PW);
    expect(r.code, r.stderr).to.equal(0);

    r = await sb.credkit(['account', 'list']);
    expect(r.code, r.stderr).to.equal(0);
    expectNoSecret(r, 'account list');
    expect(r.stdout).to.equal(
      [`ghcr.io                      ci         (identity token)`, `${HUB_KEY}  (default)  alice`, `${HUB_KEY}  work       bob`, ''].join('\n'),
    );
    r = await sb.credkit(['account', 'list', 'docker.io'], '', { CREDKIT_ACCOUNT: 'work' });
    expect(r.stdout).to.equal([`${HUB_KEY}  (default)  alice`, `${HUB_KEY}  work       bob  (selected)`, ''].join('\n'));
    // Where the selected account is not saved, the plain entry answers, and the list says so.
    r = await sb.credkit(['account', 'list'], '', { CREDKIT_ACCOUNT: 'ci' });
    expect(r.stdout).to.equal(
      [`ghcr.io                      ci         (identity token)  (selected)`, `${HUB_KEY}  (default)  alice  (answers: no "ci" here)`, `${HUB_KEY}  work       bob`, ''].join('\n'),
    );
    r = await sb.credkit(['account', 'list', '--json'], '', { CREDKIT_ACCOUNT: 'ci' });
    expect((JSON.parse(r.stdout) as { accounts: { account: string | null; selected: boolean; answers: boolean }[] }).accounts.map((a) => [a.account, a.selected, a.answers])).to.deep.equal([
      ['ci', true, true],
      [null, false, true],
      ['work', false, false],
    ]);

    r = await sb.credkit(['store', 'list', '--json']);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ [HUB_KEY]: 'alice' });
    expect(r.stderr).to.equal('credkit: 2 saved accounts are not listed here; see credkit account list\n');

    r = await sb.credkit(['store', 'get', HUB_KEY, '--account', 'work', '--json', '--show-secret']);
    expect(JSON.parse(r.stdout)).to.deep.equal({ serverURL: HUB_KEY, account: 'work', username: 'bob', secret: WORK_PW });
    // --account names exactly the account: no falling back to the plain entry, as the helper does.
    r = await sb.credkit(['store', 'get', HUB_KEY, '--account', 'home']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include(`no credential stored for "${HUB_KEY}" as the account "home"`);
    r = await sb.credkit(['store', 'erase', HUB_KEY], '', { CREDKIT_ACCOUNT: 'work' });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal(`erased ${HUB_KEY} as the account "work"\n`);
    expect(JSON.parse((await sb.credkit(['store', 'list', '--json'])).stdout)).to.deep.equal({ [HUB_KEY]: 'alice' });

    r = await sb.credkit(['store', 'get', HUB_KEY, '--account', 'no/slash']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include(`--account: ${NAME_RULE}`);
  });

  it('account list shows a server URL that holds a credential by its stand-in, in text and --json', async () => {
    const held = Buffer.from(`fake-user:${WORK_PW}`).toString('base64');
    await helper('store', storeInput(held, 'bob', WORK_PW), { CREDKIT_ACCOUNT: 'work' });
    for (const args of [['account', 'list'], ['account', 'list', '--json']]) {
      const r = await sb.credkit(args);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout.includes(held), `${args.join(' ')} printed the key as written`).to.equal(false);
      expect(r.stdout).to.include('<hidden: it looks like a base64 user:password>');
    }
  });

  it('copy --to auto that falls back to another program\'s helper leaves the accounts out (decided by the store opened, not the name)', async () => {
    await helper('store', storeInput(REGISTRY, 'alice', DEFAULT_PW));
    await helper('store', storeInput(REGISTRY, 'bob', WORK_PW), { CREDKIT_ACCOUNT: 'work' });
    // No D-Bus session in the sandbox: auto opens its fallback, docker-credential-fragile, which
    // fails on a server URL with "#" as a cloud helper fails on one it cannot parse.
    await writeIni(sb, 'backend = file\nfallback = helper:fragile\n');
    sb.env.PATH = `${join(FIXTURES, 'helper-that-fails-on-fragments')}:${sb.env.PATH}`;
    const r = await sb.credkit(['copy', '--from', 'file', '--to', 'auto', '--json']);
    expectNoSecret(r, 'copy');
    const report = JSON.parse(r.stdout) as { to: string; accountsLeft: number; entries: { serverURL: string }[]; notes: string[] };
    expect(report.to).to.equal('helper:fragile');
    expect(report.entries.map((e) => e.serverURL)).to.deep.equal([REGISTRY]);
    expect(report.accountsLeft).to.equal(1);
    expect(report.notes).to.include('1 saved account was not copied: helper:fragile would take its key for server URLs; copy into a credkit backend to keep them (credkit account list shows them)');
    const calls = (await readFile(join(sb.home, 'fragile.calls'), 'utf8')).split('\n').filter((l) => l !== '');
    expect(calls.filter((c) => c.includes('#')), 'the account key reached the helper').to.deep.equal([]);
  });
});

describe('e2e: credkit explain with a saved account selected (file backend)', () => {
  let sb: Sandbox;
  makeSandboxPerTest({ CREDKIT_BACKEND: 'file' }, async (made) => {
    sb = made;
    await putHelperOnPath(sb);
    await writeFile(join(sb.env.DOCKER_CONFIG as string, 'config.json'), JSON.stringify({ credsStore: 'credkit' }), { mode: 0o600 });
  });
  const credkitLine = async (image: string, env: Record<string, string>) => {
    const r = await sb.credkit(['explain', image, '--as', 'docker'], '', env);
    expect(r.code, r.stderr).to.equal(0);
    expectNoSecret(r, 'explain');
    return r.stdout.split('\n').filter((l) => l.startsWith('  helper: ') || l.startsWith('    credkit keeps it in '));
  };

  it('says whether the selected account answers, is not saved for the registry, or does not apply to its store', async () => {
    await sb.helper('store', storeInput(HUB_KEY, 'alice', DEFAULT_PW));
    await sb.helper('store', storeInput(HUB_KEY, 'bob', WORK_PW), { CREDKIT_ACCOUNT: 'work' });
    await sb.helper('store', storeInput(REGISTRY, 'carol', HUB_PW));
    expect(await credkitLine('busybox', { CREDKIT_ACCOUNT: 'work' })).to.deep.equal([
      `  helper: docker-credential-credkit get "${HUB_KEY}" (credsStore) → found, username bob`,
      '    credkit keeps it in file (its backend: no route under [routes] matches), and the account "work" (CREDKIT_ACCOUNT) answers for it',
    ]);
    expect(await credkitLine(`${REGISTRY}/app`, { CREDKIT_ACCOUNT: 'work' })).to.deep.equal([
      `  helper: docker-credential-credkit get "${REGISTRY}" (credsStore) → found, username carol`,
      '    credkit keeps it in file (its backend: no route under [routes] matches); the account "work" (CREDKIT_ACCOUNT) is not saved for it, so the plain entry is looked up',
    ]);
    await writeIni(sb, `backend = file\naccount = work\n[routes]\n${REGISTRY} = env\n`);
    const r = await sb.credkit(['explain', `${REGISTRY}/app`, '--as', 'docker', '--json'], '', { CREDKIT_CRED_X_SERVER: REGISTRY, CREDKIT_CRED_X_USERNAME: 'dave', CREDKIT_CRED_X_SECRET: DEFAULT_PW });
    expect(r.code, r.stderr).to.equal(0);
    expectNoSecret(r, 'explain --json');
    const docker = (JSON.parse(r.stdout) as { clients: { helperCalls: { username: string; credkitStore: unknown }[] }[] }).clients[0];
    expect(docker?.helperCalls.map((h) => [h.username, h.credkitStore])).to.deep.equal([['dave', { store: 'env', route: REGISTRY, account: { name: 'work', from: 'account =', answers: 'not-kept' } }]]);
  });
});

describe('e2e: credkit doctor with a saved account selected (file backend)', () => {
  let sb: Sandbox;
  makeSandboxPerTest({ CREDKIT_BACKEND: 'file' }, (made) => (sb = made));
  interface Finding {
    level: string;
    code: string;
    what: string;
    fix?: string;
  }
  const accountFindings = async (env: Record<string, string> = {}) => {
    const r = await sb.credkit(['doctor', '--json', '--no-call-helpers'], '', env);
    expectNoSecret(r, 'doctor');
    return (JSON.parse(r.stdout) as { findings: Finding[] }).findings.filter((f) => f.code.startsWith('account-'));
  };

  it('warns when account = (or CREDKIT_ACCOUNT) names an account saved for no registry, naming the saved ones', async () => {
    expect((await sb.helper('store', storeInput(REGISTRY, 'alice', DEFAULT_PW))).code).to.equal(0);
    expect((await sb.helper('store', storeInput(REGISTRY, 'bob', WORK_PW), { CREDKIT_ACCOUNT: 'work' })).code).to.equal(0);
    expect(await accountFindings(), 'no account selected: no finding').to.deep.equal([]);

    await writeIni(sb, 'backend = file\naccount = wrok\n');
    const [typo, ...more] = await accountFindings();
    expect(more).to.deep.equal([]);
    expect(typo).to.deep.include({
      level: 'warn',
      code: 'account-unknown',
      what: 'the account "wrok" (from "account =" in ~/.config/credkit/config.ini) is saved for no registry, so docker-credential-credkit answers every registry with its plain credential; the saved accounts are "work"',
    });
    expect(typo?.fix).to.include('credkit account list');

    const selected = await accountFindings({ CREDKIT_ACCOUNT: 'work' });
    expect(selected).to.have.length(1);
    expect(selected[0]).to.deep.include({ level: 'ok', code: 'account-selected', what: `credkit answers as the saved account "work" (from CREDKIT_ACCOUNT) for ${REGISTRY}, and with the plain entry elsewhere` });
  });
});

describe('e2e: credkit login --account', () => {
  let sb: Sandbox;
  makeSandboxPerTest({ CREDKIT_BACKEND: 'file' }, (made) => (sb = made));
  const configJSON = () => join(sb.env.DOCKER_CONFIG as string, 'config.json');
  const login = (args: readonly string[], secret: string) => sb.credkit(['login', '--no-verify', '-u', 'bob', '--password-stdin', ...args], secret);
  const stored = async (env: Record<string, string> = {}) => JSON.parse((await sb.helper('list', '', env)).stdout) as Record<string, string>;

  it("stores into the account through docker's route to credkit, or --store; refuses a destination that keeps no accounts", async () => {
    await writeFile(configJSON(), JSON.stringify({ credsStore: 'credkit' }), { mode: 0o600 });
    let r = await sb.credkit(['login', '--no-verify', '-u', 'alice', '--password-stdin', REGISTRY], DEFAULT_PW);
    expect(r.code, r.stderr).to.equal(0);
    r = await login(['--account', 'work', REGISTRY], WORK_PW);
    expect(r.code, r.stderr).to.equal(0);
    expectNoSecret(r, 'login');
    expect(r.stdout).to.include(`stored in docker-credential-credkit under "${REGISTRY}" as the account "work"`);
    expect(await stored()).to.deep.equal({ [REGISTRY]: 'alice' });
    expect(await stored({ CREDKIT_ACCOUNT: 'work' })).to.deep.equal({ [REGISTRY]: 'bob' });

    r = await login(['--account', 'ci', '--store', 'file', 'ghcr.io'], HUB_PW);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('stored in file under "ghcr.io" as the account "ci"');
    expect(await stored()).to.deep.equal({ [REGISTRY]: 'alice' });
    expect(await stored({ CREDKIT_ACCOUNT: 'ci' })).to.deep.equal({ [REGISTRY]: 'alice', 'ghcr.io': 'bob' });

    // Plain text in config.json has no place for an account: refused before anything is written.
    await writeFile(configJSON(), '{}', { mode: 0o600 });
    r = await login(['--account', 'work', REGISTRY], WORK_PW);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include(`--account: ${REGISTRY} goes to ${configJSON()} (in plain text), which keeps no saved accounts`);
    expect(await readFile(configJSON(), 'utf8')).to.equal('{}');
    r = await login(['--account', 'work', '--store', 'helper:pass', REGISTRY], WORK_PW);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('--account: --store helper:pass keeps no saved accounts');
    r = await login(['--account', 'a b', REGISTRY], WORK_PW);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include(`--account: ${NAME_RULE}`);
  });
  it('--store credkit is the store docker-credential-credkit reads, [routes] included: a routed registry goes to its route (an account there is refused, naming it)', async () => {
    await writeIni(sb, `backend = file\n[routes]\n${REGISTRY} = helper:fragile\n`);
    sb.env.PATH = `${join(FIXTURES, 'helper-that-fails-on-fragments')}:${sb.env.PATH}`;
    let r = await sb.credkit(['login', '--no-verify', '-u', 'alice', '--password-stdin', '--store', 'credkit', REGISTRY], DEFAULT_PW);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include(`stored in helper:fragile under "${REGISTRY}"`);
    expect(await readFile(join(sb.home, 'fragile.calls'), 'utf8')).to.equal('store\n');
    expect(JSON.parse((await sb.credkit(['store', 'list', '--backend', 'file', '--json'])).stdout)).to.deep.equal({});

    r = await login(['--account', 'work', '--store', 'credkit', REGISTRY], WORK_PW);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include(`the account "work" of ${REGISTRY} cannot be stored here: helper:fragile is docker-credential-fragile's own store`);
    expect(r.stderr).to.include(`(the route "${REGISTRY}" under [routes] in credkit's config.ini sends ${REGISTRY} there)`);
    expect(await readFile(join(sb.home, 'fragile.calls'), 'utf8')).to.equal('store\n');
  });
});

describe('e2e: saved accounts in the real pass store, with [routes]', function () {
  const pass = usePassStore();
  let sb: Sandbox;

  makeSandboxPerTest(() => ({ ...pass.env }), async (made) => {
    sb = made;
    // The registry is routed to pass; the rest stays in the file backend.
    await writeIni(sb, `backend = file\n[routes]\n${REGISTRY} = pass\n`);
  });

  it('pass keeps the account apart from the plain entry; the account goes where its registry is routed', async () => {
    try {
      let r = await sb.helper('store', storeInput(REGISTRY, 'alice', DEFAULT_PW));
      expect(r.code, r.stdout).to.equal(0);
      r = await sb.helper('store', storeInput(REGISTRY, 'bob', WORK_PW), { CREDKIT_ACCOUNT: 'work' });
      expect(r.code, r.stdout).to.equal(0);

      const got = async (env: Record<string, string> = {}) => {
        const g = await sb.helper('get', REGISTRY, env);
        expect(g.code, g.stdout).to.equal(0);
        return JSON.parse(g.stdout) as { ServerURL: string; Username: string; Secret: string };
      };
      expect(await got()).to.deep.equal({ ServerURL: REGISTRY, Username: 'alice', Secret: DEFAULT_PW });
      expect(await got({ CREDKIT_ACCOUNT: 'work' })).to.deep.equal({ ServerURL: REGISTRY, Username: 'bob', Secret: WORK_PW });

      // Both are in pass (two entries), none in the file backend.
      r = await sb.credkit(['store', 'list', '--backend', 'pass', '--json']);
      expect(JSON.parse(r.stdout)).to.deep.equal({ [REGISTRY]: 'alice' });
      expect(r.stderr).to.equal('credkit: 1 saved account is not listed here; see credkit account list\n');
      r = await sb.credkit(['store', 'list', '--backend', 'file', '--json']);
      expect(JSON.parse(r.stdout)).to.deep.equal({});
      expect((await sb.helper('list', '', { CREDKIT_ACCOUNT: 'work' })).stdout).to.equal(`{"${REGISTRY}":"bob"}\n`);

      // copy carries the account into another credkit backend, and leaves it out of an auth file, saying so.
      r = await sb.credkit(['copy', '--from', 'pass', '--to', 'file']);
      expect(r.code, r.stderr).to.equal(0);
      expectNoSecret(r, 'copy');
      expect(await got({ CREDKIT_ACCOUNT: 'work', CREDKIT_CONFIG: '/dev/null', CREDKIT_BACKEND: 'file' })).to.deep.equal({ ServerURL: REGISTRY, Username: 'bob', Secret: WORK_PW });
      const authfile = join(sb.home, 'auth.json');
      r = await sb.credkit(['copy', '--from', 'pass', '--to', `authfile:${authfile}`, '--json']);
      expect(r.code, r.stderr).to.equal(0);
      const report = JSON.parse(r.stdout) as { entries: { serverURL: string }[]; accountsLeft: number; notes: string[] };
      expect(report.entries.map((e) => e.serverURL)).to.deep.equal([REGISTRY]);
      expect(report.accountsLeft).to.equal(1);
      expect(report.notes.some((n) => n.startsWith('1 saved account was not copied'))).to.equal(true);
      expect(Object.keys((JSON.parse(await readFile(authfile, 'utf8')) as { auths: object }).auths)).to.deep.equal([REGISTRY]);

      r = await sb.helper('erase', REGISTRY, { CREDKIT_ACCOUNT: 'work' });
      expect(r.code, r.stdout).to.equal(0);
      expect(await got({ CREDKIT_ACCOUNT: 'work' })).to.deep.equal({ ServerURL: REGISTRY, Username: 'alice', Secret: DEFAULT_PW });
      expect((await sb.credkit(['account', 'list'])).stdout).to.equal('no saved accounts\n');
    } finally {
      await sb.helper('erase', REGISTRY);
    }
  });

  it('helper:pass (docker-credential-pass itself) keeps no accounts: store and erase as one fail before anything is written, get answers with the plain entry', async () => {
    await writeIni(sb, `backend = file\n[routes]\n${REGISTRY} = helper:pass\n`);
    const why = `helper:pass is docker-credential-pass's own store, which would take an account's key for a server URL (the route "${REGISTRY}" under [routes] in credkit's config.ini sends ${REGISTRY} there)`;
    const passList = async () => JSON.parse((await run('docker-credential-pass', ['list'], { env: sb.env })).stdout) as Record<string, string>;
    try {
      let r = await sb.helper('store', storeInput(REGISTRY, 'alice', DEFAULT_PW));
      expect(r.code, r.stdout).to.equal(0);
      r = await sb.helper('store', storeInput(REGISTRY, 'bob', WORK_PW), { CREDKIT_ACCOUNT: 'work' });
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal(`${notKeptIn(REGISTRY, 'stored', why)}\n`);
      r = await sb.credkit(['store', 'store', REGISTRY, '-u', 'bob', '--password-stdin', '--account', 'work'], WORK_PW);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.include(notKeptIn(REGISTRY, 'stored', why));
      expect(await passList()).to.deep.equal({ [REGISTRY]: 'alice' });

      r = await sb.helper('get', REGISTRY, { CREDKIT_ACCOUNT: 'work' });
      expect(r.code, r.stdout).to.equal(0);
      expect(JSON.parse(r.stdout)).to.deep.equal({ ServerURL: REGISTRY, Username: 'alice', Secret: DEFAULT_PW });
      r = await sb.helper('erase', REGISTRY, { CREDKIT_ACCOUNT: 'work' });
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal(`${notKeptIn(REGISTRY, 'erased', why)}\n`);
      expect(await passList()).to.deep.equal({ [REGISTRY]: 'alice' });

      // An account saved in the same password store through credkit's pass backend (as before
      // the route named helper:pass) is never answered with: account list leaves it out, saying so.
      r = await sb.credkit(['store', 'store', REGISTRY, '-u', 'bob', '--password-stdin', '--account', 'work', '--backend', 'pass'], WORK_PW);
      expect(r.code, r.stderr).to.equal(0);
      r = await sb.credkit(['account', 'list']);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.equal('no saved accounts\n');
      expect(r.stderr).to.equal(`credkit: warning: the key of the account "work" of ${REGISTRY} is never used and not listed: ${why}; saved accounts are kept by credkit's own backends (file, keychain, keyutils, pass)\n`);
      r = await sb.credkit(['account', 'list', '--json']);
      expect(JSON.parse(r.stdout)).to.deep.equal({ selected: null, accounts: [], unused: [{ serverURL: REGISTRY, account: 'work', username: 'bob', why }] });
      // doctor does not say the helper answers as it there either.
      r = await sb.credkit(['doctor', '--json', '--no-call-helpers'], '', { CREDKIT_ACCOUNT: 'work' });
      const codes = (JSON.parse(r.stdout) as { findings: { code: string }[] }).findings.map((f) => f.code).filter((c) => c.startsWith('account-'));
      expect(codes).to.deep.equal(['account-unknown']);
      r = await sb.credkit(['store', 'erase', REGISTRY, '--account', 'work', '--backend', 'pass']);
      expect(r.code, r.stderr).to.equal(0);

      // credkit login --store credkit with the backend helper:pass: the same refusal, nothing written.
      await writeIni(sb, 'backend = helper:pass\n');
      r = await sb.credkit(['login', '--no-verify', '-u', 'bob', '--password-stdin', '--account', 'work', '--store', 'credkit', 'ghcr.io'], WORK_PW);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.include(notKeptIn('ghcr.io', 'stored', "helper:pass is docker-credential-pass's own store, which would take an account's key for a server URL"));
      expect(await passList()).to.deep.equal({ [REGISTRY]: 'alice' });
    } finally {
      await sb.helper('erase', REGISTRY);
    }
  });
});
