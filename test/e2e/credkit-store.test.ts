/**
 * `credkit store …` through the shipped bin: humans' view of the helper's backends.
 */
import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeSandboxPerTest, run, type Sandbox } from '../support/sandbox.js';
import { usePassStore } from '../support/real-helpers.js';

/**
 * Keys with a user name and password before the host, as docker-credential-pass or an older
 * script was given them, written by `write` (a helper's store): list shows each masked with its
 * number and id, and erase takes those, never needing the password typed; typing the whole key
 * still works, and typing the masked key says which number and id erase it.
 */
async function eraseMaskedEntries(sb: Sandbox, write: (serverURL: string, username: string) => Promise<void>, stored: () => Promise<string[]>): Promise<void> {
  await write('alice:fake-masked-pw1@ghcr.io', 'alice');
  await write('quay.io', 'bob');
  await write('https://carol:fake-masked-pw2@registry.example/org', 'carol');
  const leaks = (r: { stdout: string; stderr: string }) => r.stdout.includes('fake-masked-pw') || r.stderr.includes('fake-masked-pw');
  let r = await sb.credkit(['store', 'list']);
  expect(r.code, r.stderr).to.equal(0);
  expect(leaks(r)).to.equal(false);
  const ids = [...r.stdout.matchAll(/<entry #\d \(id ([0-9a-f]{4})\)>/g)].map((m) => m[1]!);
  expect(ids).to.have.length(2);
  const [ALICE, CAROL] = [`alice:********@ghcr.io <entry #1 (id ${ids[0]})>`, `https://carol:********@registry.example/org <entry #2 (id ${ids[1]})>`];
  expect(r.stdout.split('\n')).to.deep.equal([`${ALICE.padEnd(CAROL.length)}  alice`, `${CAROL}  carol`, `${'quay.io'.padEnd(CAROL.length)}  bob`, '']);
  expect(r.stderr).to.contain(`credkit: entry #1 holds a user name and password before the host (no client asks for it); credkit store erase --entry 1 --id ${ids[0]} removes it\n`);
  expect(r.stderr).to.contain(`credkit store erase --entry 2 --id ${ids[1]} removes it\n`);
  r = await sb.credkit(['store', 'list', '--json']);
  expect(leaks(r)).to.equal(false);
  expect(JSON.parse(r.stdout)).to.deep.equal({ [ALICE]: 'alice', [CAROL]: 'carol', 'quay.io': 'bob' });

  // What the list shows, typed: no key is that text, and erase says what erases the entry.
  r = await sb.credkit(['store', 'erase', 'alice:********@ghcr.io']);
  expect([r.code, r.stdout]).to.deep.equal([1, '']);
  expect(r.stderr).to.equal(`credkit: no credential stored for "alice:********@ghcr.io"; entry #1 is shown as it, with its password masked: credkit store erase --entry 1 --id ${ids[0]} erases it\n`);
  expect(await stored()).to.have.length(3);
  // An entry added since the list (sorted first): #1 is now another, and nothing is erased.
  await write('aaa:fake-masked-pw3@ghcr.io', 'dave');
  r = await sb.credkit(['store', 'erase', '--entry', '1', '--id', ids[0]!]);
  expect(r.code).to.equal(1);
  expect(leaks(r)).to.equal(false);
  expect(r.stderr).to.equal(`credkit: entry #1 is not the entry with the id ${ids[0]} (the store changed since it was listed: the entry with the id ${ids[0]} is #2 now); nothing was erased; run credkit store list again\n`);
  expect(await stored()).to.have.length(4);
  // A plain entry's number is still refused: it is erased by its server URL.
  r = await sb.credkit(['store', 'erase', '--entry', '4', '--id', ids[0]!]);
  expect([r.code, r.stderr]).to.deep.equal([2, 'credkit: entry #4 is "quay.io", which holds no credential in its key: erase it by its server URL\n']);
  r = await sb.credkit(['store', 'erase', '--entry', '2', '--id', ids[0]!]);
  expect([r.code, r.stdout], r.stderr).to.deep.equal([0, `erased alice:********@ghcr.io <entry #2 (id ${ids[0]})>\n`]);
  expect(leaks(r)).to.equal(false);
  // The whole key typed, as scripts did before: still erased by it.
  r = await sb.credkit(['store', 'erase', 'aaa:fake-masked-pw3@ghcr.io']);
  expect([r.code, r.stdout], r.stderr).to.deep.equal([0, 'erased aaa:********@ghcr.io\n']);
  expect((await stored()).sort()).to.deep.equal(['https://carol:fake-masked-pw2@registry.example/org', 'quay.io']);
}

/** Every word of the passphrases in {@link listSpacedKeys}'s keys. */
const PASSPHRASE_WORDS = ['fake-quokka', 'fake-zephyr', 'fake-marmalade', 'fake-nimbus', 'fake-tundra', 'fake-lantern'];

/**
 * Keys whose password is a passphrase (a space, a tab, a no-break or ideographic space in it), as
 * docker-credential-pass or an older script was given them, written by `write`: store list (text
 * and --json) shows each masked whole with its number and id, --entry erases one, and store store
 * refuses such a key; no word of a passphrase is ever printed.
 */
async function listSpacedKeys(sb: Sandbox, write: (serverURL: string, username: string) => Promise<void>, stored: () => Promise<string[]>): Promise<void> {
  await write('alice:fake-quokka fake-zephyr fake-marmalade@ghcr.io', 'alice');
  await write('bob:fake-nimbus\tfake-quokka@quay.io', 'bob');
  await write('https://carol:fake-tundra\u00a0fake-lantern\u3000fake-zephyr@registry.example/org', 'carol');
  const leaks = (r: { stdout: string; stderr: string }) => PASSPHRASE_WORDS.filter((w) => r.stdout.includes(w) || r.stderr.includes(w));
  let r = await sb.credkit(['store', 'list']);
  expect(r.code, r.stderr).to.equal(0);
  expect(leaks(r)).to.deep.equal([]);
  const ids = [...r.stdout.matchAll(/<entry #\d \(id ([0-9a-f]{4})\)>/g)].map((m) => m[1]!);
  expect(ids).to.have.length(3);
  const shown = [`alice:********@ghcr.io <entry #1 (id ${ids[0]})>`, `bob:********@quay.io <entry #2 (id ${ids[1]})>`, `https://carol:********@registry.example/org <entry #3 (id ${ids[2]})>`];
  expect(r.stdout.split('\n').map((l) => l.replace(/ +(alice|bob|carol)$/, ''))).to.deep.equal([...shown, '']);
  expect(r.stderr).to.contain(`credkit: entry #1 holds a user name and password before the host (no client asks for it); credkit store erase --entry 1 --id ${ids[0]} removes it\n`);
  r = await sb.credkit(['store', 'list', '--json']);
  expect(leaks(r)).to.deep.equal([]);
  expect(JSON.parse(r.stdout)).to.deep.equal({ [shown[0]!]: 'alice', [shown[1]!]: 'bob', [shown[2]!]: 'carol' });
  // Such a key typed is refused, naming the host it meant.
  r = await sb.credkit(['store', 'store', 'alice:fake-quokka fake-zephyr@ghcr.io', '-u', 'alice', '--password-stdin'], 'fake-secret');
  expect(leaks(r)).to.deep.equal([]);
  expect([r.code, r.stdout]).to.deep.equal([2, '']);
  expect(r.stderr).to.contain('credkit: the server URL holds a user name and password before the host: no client ever asks for it, and the store would keep them in the clear as the entry\'s name; store the credential under "ghcr.io" alone');
  r = await sb.credkit(['store', 'erase', '--entry', '2', '--id', ids[1]!]);
  expect([r.code, r.stdout], r.stderr).to.deep.equal([0, `erased ${shown[1]}\n`]);
  expect((await stored()).length).to.equal(2);
}

describe('credkit store (binary)', () => {
  let sb: Sandbox;
  makeSandboxPerTest({ CREDKIT_BACKEND: 'file' }, (made) => (sb = made));

  it('control characters in stored URLs and usernames are shown escaped, never sent to the terminal', async () => {
    const input = `${JSON.stringify({ ServerURL: 'esc\u001b[2J.example', Username: 'bob\rfake-row', Secret: 'fake-esc' })}\n`;
    expect((await sb.helper('store', input)).code).to.equal(0);
    const r = await sb.credkit(['store', 'list']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.equal('esc\\x1b[2J.example  bob\\x0dfake-row\n');
    const json = await sb.credkit(['store', 'list', '--json']);
    expect(json.stdout).to.include('esc\\u001b[2J.example');
    // A newline in a stored URL or a registry key would make a fake row: one line per entry.
    const nl = `${JSON.stringify({ ServerURL: 'nl.example\nfake.example', Username: 'u\tv', Secret: 'fake-nl' })}\n`;
    expect((await sb.helper('store', nl)).code).to.equal(0);
    const listed = await sb.credkit(['store', 'list']);
    expect(listed.stdout.split('\n').filter((l) => l.startsWith('nl.example'))).to.deep.equal(['nl.example\\x0afake.example  u\\x09v']);
    const file = join(sb.home, 'auth.json');
    await writeFile(file, JSON.stringify({ auths: { 'evil.example\nfake.example': { auth: Buffer.from('u:fake-p').toString('base64') } } }), { mode: 0o600 });
    const ls = await sb.credkit(['ls', file]);
    expect(ls.stdout.trimEnd().split('\n')).to.have.length(2);
    expect(ls.stdout).to.include('evil.example\\x0afake.example');
  });

  it('a setting in the environment that cannot be right is a usage error (exit 2), whichever it is', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ CREDKIT_FILE: 'creds.json' }, /CREDKIT_FILE must be an absolute path/],
      [{ CREDKIT_CONFIG: join(sb.home, 'nothere.ini') }, /nothere\.ini: CREDKIT_CONFIG names a file that does not exist/],
      [{ CREDKIT_HELPER_TIMEOUT: 'abc' }, /CREDKIT_HELPER_TIMEOUT must be a positive number of seconds/],
    ];
    for (const [env, pattern] of cases) {
      const r = await sb.credkit(['store', 'list'], '', env);
      expect([r.code, r.stdout], JSON.stringify(env)).to.deep.equal([2, '']);
      expect(r.stderr).to.match(pattern);
    }
  });

  it('helper:NAME as the backend with no such helper: the fix points at the backend setting, not at credsStore', async () => {
    for (const r of [await sb.credkit(['store', 'list', '--backend', 'helper:not-installed']), await sb.credkit(['store', 'list'], '', { CREDKIT_BACKEND: 'helper:not-installed' })]) {
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include("docker-credential-not-installed is not on PATH; install it, or change credkit's backend setting");
      expect(r.stderr).to.not.include('credsStore');
    }
  });

  it('no action, or one that does not exist, is one line naming the actions, exit 2 (was yargs\' "Did you mean list?" or "Not enough non-option arguments")', async () => {
    for (const [args, want] of [
      [['store'], 'credkit: name a store action: list, get, erase, store or backends\n'],
      [['store', 'lst'], 'credkit: unknown store action "lst": use list, get, erase, store or backends\n'],
      [['store', 'lst', '--json'], 'credkit: unknown store action "lst": use list, get, erase, store or backends\n'],
    ] as const) {
      const r = await sb.credkit(args);
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stderr).to.equal(want);
      expect(r.stdout).to.equal('');
    }
    const unknownOption = await sb.credkit(['store', 'list', '--bogus']);
    expect(unknownOption.code).to.equal(2);
    expect(unknownOption.stderr).to.include('credkit: Unknown argument: bogus');
  });

  it('store reads the secret from stdin; get redacts unless --show-secret; list; erase', async () => {
    let r = await sb.credkit(['store', 'store', 'quay.io', '-u', 'alice', '--password-stdin'], 'fake-hunter2\n');
    expect(r).to.include({ code: 0, stdout: 'stored quay.io\n', stderr: '' });
    r = await sb.credkit(['store', 'get', 'quay.io']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.equal('server:   quay.io\nusername: alice\nsecret:   ********\n');
    r = await sb.credkit(['store', 'get', 'quay.io', '--show-secret', '--json']);
    expect(JSON.parse(r.stdout)).to.deep.equal({ serverURL: 'quay.io', username: 'alice', secret: 'fake-hunter2' });
    // The helper sees the same store: one trailing newline was removed, as docker --password-stdin does.
    expect((await sb.helper('get', 'quay.io')).stdout).to.equal('{"ServerURL":"quay.io","Username":"alice","Secret":"fake-hunter2"}\n');
    r = await sb.credkit(['store', 'list']);
    expect(r.stdout).to.equal('quay.io  alice\n');
    expect(r.stdout).to.not.include('hunter2');
    r = await sb.credkit(['store', 'list', '--json']);
    expect(JSON.parse(r.stdout)).to.deep.equal({ 'quay.io': 'alice' });
    r = await sb.credkit(['store', 'erase', 'quay.io']);
    expect(r).to.include({ code: 0, stdout: 'erased quay.io\n' });
    r = await sb.credkit(['store', 'erase', 'quay.io']);
    expect(r).to.include({ code: 1, stderr: 'credkit: no credential stored for "quay.io"\n' });
    r = await sb.credkit(['store', 'get', 'quay.io']);
    expect(r.code).to.equal(1);
  });

  it('get --show-secret prints a secret with an emoji joiner or a right-to-left mark byte for byte, as the helper returns it; only control characters are escaped', async () => {
    // 👩‍💻 is three code points joined by U+200D; a Hebrew word ends with U+200F (RLM).
    const secret = 'fake-\u{1f469}\u200d\u{1f4bb}-\u05d3\u05d5\u05d3\u200f';
    expect((await sb.credkit(['store', 'store', 'ghcr.io', '-u', 'alice', '--password-stdin'], `${secret}\n`)).code).to.equal(0);
    const r = await sb.credkit(['store', 'get', 'ghcr.io', '--show-secret']);
    expect(r.code).to.equal(0);
    expect(r.stdout.split('\n').includes(`secret:   ${secret}`)).to.equal(true);
    expect(JSON.parse((await sb.helper('get', 'ghcr.io')).stdout).Secret === secret).to.equal(true);
    // An escape sequence still never reaches the terminal.
    expect((await sb.helper('store', `${JSON.stringify({ ServerURL: 'quay.io', Username: 'bob', Secret: 'fake-\u001b[2J' })}\n`)).code).to.equal(0);
    expect((await sb.credkit(['store', 'get', 'quay.io', '--show-secret'])).stdout).to.include('secret:   fake-\\x1b[2J\n');
  });

  it('a key that holds a credential (stored by a helper directly) is listed by its stand-in; erase --entry removes it without the key being typed', async () => {
    const swapped = Buffer.from('fake-user:fake-key-pw1').toString('base64');
    for (const [url, user] of [['quay.io', 'alice'], ['fake-user:fake-key-pw2', 'bob'], [swapped, 'carol']]) {
      expect((await sb.helper('store', `${JSON.stringify({ ServerURL: url, Username: user, Secret: 'fake-entry-secret' })}\n`)).code).to.equal(0);
    }
    const leaks = (r: { stdout: string; stderr: string }) => ['fake-key-pw', swapped.slice(0, 12)].some((p) => r.stdout.includes(p) || r.stderr.includes(p));
    // In list order (localeCompare, as before): the user:password, quay.io, then the base64.
    const PLAIN = '<entry #1 (id 6f94), hidden: it looks like a user:password>';
    const B64 = '<entry #3 (id 4c9f), hidden: it looks like a base64 user:password>';
    let r = await sb.credkit(['store', 'list']);
    expect(r.code, r.stderr).to.equal(0);
    expect(leaks(r)).to.equal(false);
    expect(r.stdout.split('\n')).to.deep.equal([`${PLAIN.padEnd(B64.length)}  bob`, `${'quay.io'.padEnd(B64.length)}  alice`, `${B64}  carol`, '']);
    expect(r.stderr).to.contain('credkit: entry #3 holds a credential where the server URL belongs (no client asks for it); credkit store erase --entry 3 --id 4c9f removes it');
    r = await sb.credkit(['store', 'list', '--json']);
    expect(leaks(r)).to.equal(false);
    expect(JSON.parse(r.stdout)).to.deep.equal({ [B64]: 'carol', [PLAIN]: 'bob', 'quay.io': 'alice' });

    // A number names only a hidden entry: a server URL is erased by its name.
    r = await sb.credkit(['store', 'erase', '--entry', '2', '--id', '4c9f']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('entry #2 is "quay.io", which holds no credential in its key: erase it by its server URL');
    r = await sb.credkit(['store', 'erase', '--entry', '4', '--id', '4c9f']);
    expect(r.code).to.equal(1);
    // A number alone could name another entry by now: the id the list showed goes with it.
    r = await sb.credkit(['store', 'erase', '--entry', '3']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('--entry goes with --id');
    // Another entry added since the list: #1 is now it, and erase refuses, naming the new number.
    expect((await sb.helper('store', `${JSON.stringify({ ServerURL: 'a-fake-user:fake-key-pw3', Username: 'dave', Secret: 'fake-entry-secret' })}\n`)).code).to.equal(0);
    r = await sb.credkit(['store', 'erase', '--entry', '1', '--id', '6f94']);
    expect(r.code).to.equal(1);
    expect(leaks(r)).to.equal(false);
    expect(r.stderr).to.equal('credkit: entry #1 is not the entry with the id 6f94 (the store changed since it was listed: the entry with the id 6f94 is #2 now); nothing was erased; run credkit store list again\n');
    expect(Object.keys(JSON.parse((await sb.helper('list', '')).stdout))).to.have.length(4);
    expect((await sb.helper('erase', 'a-fake-user:fake-key-pw3')).code).to.equal(0);
    r = await sb.credkit(['store', 'erase', '--entry', '3', '--id', '4c9f']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal(`erased ${B64}\n`);
    r = await sb.credkit(['store', 'erase', '--entry', '1', '--id', '6f94']);
    expect(r.code, r.stderr).to.equal(0);
    expect(leaks(r)).to.equal(false);
    expect(JSON.parse((await sb.helper('list', '')).stdout)).to.deep.equal({ 'quay.io': 'alice' });
    r = await sb.credkit(['store', 'erase']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('name the server URL to erase');
  });

  it('a key with a user name and password before the host is listed masked with its number and id, and erase --entry removes it without the password typed', async () => {
    const write = async (url: string, user: string) => {
      expect((await sb.helper('store', `${JSON.stringify({ ServerURL: url, Username: user, Secret: 'fake-entry-secret' })}\n`)).code).to.equal(0);
    };
    await eraseMaskedEntries(sb, write, async () => Object.keys(JSON.parse((await sb.helper('list', '')).stdout) as object));
  });

  it('a key whose password is a passphrase (spaces, a tab, Unicode spaces) is listed masked whole, and store refuses one', async () => {
    const write = async (url: string, user: string) => {
      expect((await sb.helper('store', `${JSON.stringify({ ServerURL: url, Username: user, Secret: 'fake-entry-secret' })}\n`)).code).to.equal(0);
    };
    await listSpacedKeys(sb, write, async () => Object.keys(JSON.parse((await sb.helper('list', '')).stdout) as object));
  });

  it('a server URL typed with a credential in it: store refuses it (exit 2) without quoting it; get and erase name it by its stand-in', async () => {
    const swapped = Buffer.from('fake-user:fake-typed-pw1').toString('base64');
    const leaks = (r: { stdout: string; stderr: string }) => ['fake-typed-pw', swapped.slice(0, 12)].some((p) => r.stdout.includes(p) || r.stderr.includes(p));
    const typed: [string, string][] = [
      ['fake-user:fake-typed-pw2', 'the server URL holds a user:password, not a registry'],
      [swapped, 'the server URL holds what looks like a base64 user:password, not a registry'],
      ['https://fake-user:fake-typed-pw3@quay.io/org', 'the server URL holds a user name and password before the host: no client ever asks for it, and the store would keep them in the clear as the entry\'s name; store the credential under "quay.io" alone'],
    ];
    for (const [url, said] of typed) {
      for (const account of [[], ['--account', 'work']]) {
        const r = await sb.credkit(['store', 'store', url, '-u', 'bob', '--password-stdin', ...account], 'fake-secret');
        expect(leaks(r)).to.equal(false);
        expect([r.code, r.stdout]).to.deep.equal([2, '']);
        expect(r.stderr).to.contain(`credkit: ${said}`);
      }
    }
    expect(JSON.parse((await sb.helper('list', '')).stdout)).to.deep.equal({});
    // One another program stored (through the helper) can still be read and erased by its URL.
    expect((await sb.helper('store', `${JSON.stringify({ ServerURL: 'fake-user:fake-typed-pw4', Username: 'bob', Secret: 'fake-secret' })}\n`)).code).to.equal(0);
    let r = await sb.credkit(['store', 'get', 'fake-user:fake-typed-pw4']);
    expect(leaks(r)).to.equal(false);
    expect(r.stdout).to.equal('server:   <hidden: it looks like a user:password>\nusername: bob\nsecret:   ********\n');
    r = await sb.credkit(['store', 'get', 'fake-user:fake-typed-pw4', '--json']);
    expect(leaks(r)).to.equal(false);
    expect(JSON.parse(r.stdout)).to.deep.equal({ serverURL: '<hidden: it looks like a user:password>', username: 'bob', secret: '********' });
    r = await sb.credkit(['store', 'get', 'fake-user:fake-typed-pw5']);
    expect(leaks(r)).to.equal(false);
    expect(r.stderr).to.equal('credkit: no credential stored for "<hidden: it looks like a user:password>"\n');
    r = await sb.credkit(['store', 'erase', 'fake-user:fake-typed-pw4']);
    expect(leaks(r)).to.equal(false);
    expect([r.code, r.stdout]).to.deep.equal([0, 'erased <hidden: it looks like a user:password>\n']);
    r = await sb.credkit(['store', 'erase', 'fake-user:fake-typed-pw4', '--account', 'work']);
    expect(leaks(r)).to.equal(false);
    expect(r.code).to.equal(1);
  });

  it('identity tokens are stored with username "<token>" and shown as such', async () => {
    await sb.credkit(['store', 'store', 'ghcr.io', '--identity-token', '--password-stdin'], 'fake-tok');
    const r = await sb.credkit(['store', 'get', 'ghcr.io']);
    expect(r.stdout).to.include('username: (identity token)');
  });

  it('--identity-token with -u is a usage error (exit 2) that says why, and stores nothing', async () => {
    for (const user of [['-u', 'bob'], ['--username', 'bob'], ['-u', '']]) {
      const r = await sb.credkit(['store', 'store', 'ghcr.io', '--identity-token', ...user, '--password-stdin'], 'fake-token-1');
      expect(r.code).to.equal(2);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.equal('credkit: --username cannot go with --identity-token: an identity token is stored under the username "<token>" (as docker does), so the username would be lost; drop -u\n');
    }
    expect(JSON.parse((await sb.credkit(['store', 'list', '--json'])).stdout)).to.deep.equal({});
  });

  it('refuses a secret that is not on stdin, and empty stdin (usage errors, exit 2)', async () => {
    let r = await sb.credkit(['store', 'store', 'quay.io', '-u', 'alice']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/--password-stdin/);
    r = await sb.credkit(['store', 'store', 'quay.io', '-u', 'alice', '--password-stdin'], '');
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/standard input is empty/);
    r = await sb.credkit(['store', 'list']);
    expect(r.stdout).to.equal('no credentials stored\n');
  });

  it('--backend overrides CREDKIT_BACKEND; an unknown one is a usage error', async () => {
    let r = await sb.credkit(['store', 'list', '--backend', 'env'], '', { CREDKIT_CRED_A_SERVER: 'a.example', CREDKIT_CRED_A_USERNAME: 'u', CREDKIT_CRED_A_SECRET: 'fake-s' });
    expect(r.stdout).to.equal('a.example  u\n');
    r = await sb.credkit(['store', 'list', '--backend', 'nosuch']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/unknown credkit backend "nosuch"/);
  });

  it('a store name config.ini gets wrong is a failure (exit 1, PARSE) for every command; the same name typed or in CREDKIT_BACKEND is a usage error (exit 2)', async () => {
    // store list once exited 2 here while login exited 1 (through the helper, which docker runs).
    const { mkdir } = await import('node:fs/promises');
    const ini = join(sb.home, '.config', 'credkit', 'config.ini');
    await mkdir(join(sb.home, '.config', 'credkit'), { recursive: true });
    const empty = join(sb.home, 'empty.json');
    await writeFile(empty, '{"auths":{}}\n');
    const commands = [
      ['store', 'list'],
      ['store', 'store', 'quay.io', '-u', 'alice', '--password-stdin'],
      ['store', 'erase', 'quay.io'],
      ['account', 'list'],
      ['copy', '--from', 'credkit', '--to', `authfile:${join(sb.home, 'out.json')}`],
      ['login', 'quay.io', '-u', 'alice', '--password-stdin', '--no-verify', '--store', 'credkit'],
      ['migrate', empty, '--into-store', 'credkit'],
    ];
    // A mistyped route costs list only that route's entries (a warning): the commands for quay.io fail.
    const route = 'backend = file\n[routes]\nquay.io = pas\n';
    for (const text of ['backend = kechain\n', 'backend = helper:a/b\n', 'backend = helper:credkit\n', 'backend = auto\nfallback = fil\n', route]) {
      await writeFile(ini, text);
      for (const args of text === route ? commands.filter((c) => c.includes('quay.io')) : commands) {
        const r = await sb.credkit(args, 'fake-ini-secret', { CREDKIT_BACKEND: '' });
        expect([r.code, r.stderr.split('\n').length], `${text.trim()}: credkit ${args[0]} ${args[1]}: ${r.stderr}`).to.deep.equal([1, 2]);
      }
      const json = await sb.credkit(['store', text === route ? 'get' : 'list', ...(text === route ? ['quay.io'] : []), '--json'], '', { CREDKIT_BACKEND: '' });
      expect((JSON.parse(json.stdout) as { error: { code: string } }).error.code, text).to.equal('PARSE');
      expect((await sb.helper('get', 'quay.io', { CREDKIT_BACKEND: '' })).code).to.equal(1);
    }
    await writeFile(ini, 'backend = file\n');
    expect((await sb.credkit(['store', 'list'], '', { CREDKIT_BACKEND: 'kechain' })).code, 'CREDKIT_BACKEND').to.equal(2);
    expect((await sb.credkit(['store', 'list', '--backend', 'kechain'], '', { CREDKIT_BACKEND: '' })).code, '--backend').to.equal(2);
    expect((await sb.credkit(['login', 'quay.io', '-u', 'a', '--password-stdin', '--no-verify', '--store', 'kechain'], 'fake-p', { CREDKIT_BACKEND: '' })).code, '--store').to.equal(2);
  });

  it('auto with no usable keychain (no D-Bus here) and no fallback: one "credkit:" prefix, exit 1', async () => {
    const r = await sb.credkit(['store', 'list'], '', { CREDKIT_BACKEND: 'auto' });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^credkit: no usable OS keychain \(/);
    expect(r.stderr).not.to.include('credkit: credkit:');
  });

  it('a store that cannot open says credkit once: the helper answers "credkit keychain (…)", the CLI "credkit: keychain (…)"', async () => {
    const env = { CREDKIT_BACKEND: 'keychain', DBUS_SESSION_BUS_ADDRESS: '', XDG_RUNTIME_DIR: '' };
    const helper = await sb.helper('get', 'quay.io', env);
    expect(helper.code).to.equal(1);
    expect(helper.stdout).to.match(/^credkit keychain \(Secret Service\): no D-Bus session bus/);
    for (const args of [['store', 'list'], ['store', 'get', 'quay.io']]) {
      const r = await sb.credkit(args, '', env);
      expect(r.code, args.join(' ')).to.equal(1);
      expect(r.stderr, args.join(' ')).to.match(/^credkit: keychain \(Secret Service\): no D-Bus session bus[^\n]*\n$/);
    }
  });

  it('backends reports each backend and whether it is usable', async () => {
    const r = await sb.credkit(['store', 'backends', '--json']);
    expect(r.code).to.equal(0);
    const report = JSON.parse(r.stdout) as { configured: string; backends: Array<{ name: string; usable: boolean }> };
    expect(report.configured).to.equal('file');
    expect(report.backends.map((b) => b.name)).to.include.members(['keychain', 'keyutils', 'pass', 'file', 'env']);
    expect(report.backends.find((b) => b.name === 'file')?.usable).to.equal(true);
  });

  it('backends says when the configured backend cannot be used: a mistyped "backend =", auto with nothing to pick', async () => {
    // docker quotes the helper's `unknown credkit backend "kechain"`, and the docs send the user
    // here: every backend listed below may be fine, so the configured one has to say it is not.
    const { mkdir, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    await mkdir(join(sb.home, '.config', 'credkit'), { recursive: true });
    await writeFile(join(sb.home, '.config', 'credkit', 'config.ini'), 'backend = kechain\n');
    const unknown = 'unknown credkit backend "kechain" (choose one of: auto, keychain, keyutils, pass, file, env, helper:NAME)';
    const text = await sb.credkit(['store', 'backends'], '', { CREDKIT_BACKEND: '' });
    expect([text.code, text.stdout.split('\n')[0]]).to.deep.equal([0, `configured: kechain: not usable here: ${unknown}`]);
    const json = await sb.credkit(['store', 'backends', '--json'], '', { CREDKIT_BACKEND: '' });
    expect(JSON.parse(json.stdout)).to.include({ configured: 'kechain', configuredProblem: unknown });
    // No D-Bus session in the sandbox, and no fallback.
    const auto = await sb.credkit(['store', 'backends'], '', { CREDKIT_BACKEND: 'auto' });
    expect(auto.stdout.split('\n')[0]).to.match(/^configured: auto: not usable here: auto finds no usable backend \(the keychain: .*; no fallback is configured\)$/);
    const fine = await sb.credkit(['store', 'backends', '--json']);
    expect(JSON.parse(fine.stdout)).to.include({ configured: 'file', configuredProblem: null });
  });

  it('a mistyped fallback (no keychain here, so auto takes it): the helper names the fallback setting, not the backend one, which says auto', async () => {
    const env = { CREDKIT_BACKEND: 'auto', CREDKIT_FALLBACK: 'fil' };
    const h = await sb.helper('list', '', env);
    expect([h.code, h.stdout]).to.deep.equal([1, `unknown credkit backend "fil" in credkit's fallback setting (choose one of: auto, keychain, keyutils, pass, file, env, helper:NAME)\n`]);
    const missing = await sb.helper('list', '', { ...env, CREDKIT_FALLBACK: 'helper:not-installed' });
    expect([missing.code, missing.stdout]).to.deep.equal([1, "credential helper docker-credential-not-installed is not on PATH; install it, or change credkit's fallback setting\n"]);
  });

  it('--help and --version; an unknown command is a usage error', async () => {
    let r = await sb.credkit(['--version']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^\d+\.\d+\.\d+\n$/);
    r = await sb.credkit(['--help']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.include('credkit store');
    r = await sb.credkit(['frobnicate']);
    expect(r.code).to.equal(2);
    r = await sb.credkit([]);
    expect(r.code).to.equal(2);
  });

  it('config.ini lines credkit ignores: store backends warns on stderr (stdout and exit code unchanged); the helper stays silent', async () => {
    const { mkdir, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const file = join(sb.home, '.config', 'credkit', 'config.ini');
    await mkdir(join(sb.home, '.config', 'credkit'), { recursive: true });
    await writeFile(file, 'backnd = file\n[file\n');
    const r = await sb.credkit(['store', 'backends', '--json'], '', { CREDKIT_BACKEND: '' });
    expect(r.code).to.equal(0);
    expect((JSON.parse(r.stdout) as { configured: string }).configured).to.equal('auto');
    expect(r.stderr).to.equal(
      `credkit: warning: ${file}: line 1: unknown key "backnd" at the top level; credkit ignores it (known top-level keys: backend, fallback, account)\n` +
        `credkit: warning: ${file}: line 2: starts with "[" but is not a section header (one is "[name]" alone on its line, from its first column); credkit ignores it, and the keys after it stay at the top level\n`,
    );
    const h = await sb.helper('list');
    expect([h.code, h.stdout, h.stderr]).to.deep.equal([0, '{}\n', '']);
  });

  it('reads credkit config.ini for the backend and file path', async () => {
    const { mkdir, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    await mkdir(join(sb.home, '.config', 'credkit'), { recursive: true });
    await writeFile(join(sb.home, '.config', 'credkit', 'config.ini'), `backend = file\n[file]\npath = ~/custom.json\n`);
    const r = await sb.credkit(['store', 'store', 'x.example', '-u', 'u', '--password-stdin'], 'fake-s', { CREDKIT_BACKEND: '' });
    expect(r.code, r.stderr).to.equal(0);
    const { readFile } = await import('node:fs/promises');
    expect(JSON.parse(await readFile(join(sb.home, 'custom.json'), 'utf8')).credentials['x.example'].username).to.equal('u');
  });
});

describe('credkit store on pass, with what the real docker-credential-pass stored', function () {
  this.timeout(120_000);
  const pass = usePassStore(['docker-credential-pass']);
  let sb: Sandbox;
  makeSandboxPerTest(() => ({ ...pass.env, CREDKIT_BACKEND: 'pass' }), (made) => (sb = made));

  /** Runs `check` on keys the real docker-credential-pass stores, and erases them after. */
  async function withPassHelperKeys(check: typeof eraseMaskedEntries): Promise<void> {
    const write = async (url: string, user: string) => {
      const r = await run('docker-credential-pass', ['store'], { input: JSON.stringify({ ServerURL: url, Username: user, Secret: 'fake-entry-secret' }), env: sb.env });
      expect(r.code, r.stdout).to.equal(0);
    };
    const stored = async () => Object.keys(JSON.parse((await run('docker-credential-pass', ['list'], { env: sb.env })).stdout) as object);
    try {
      await check(sb, write, stored);
    } finally {
      // The password store outlives each test.
      for (const key of await stored()) await run('docker-credential-pass', ['erase'], { input: key, env: sb.env });
    }
  }

  it('a key docker-credential-pass was given with a user name and password before the host: listed masked, erased by --entry and --id', async () => {
    await withPassHelperKeys(eraseMaskedEntries);
  });

  it('a key docker-credential-pass was given with a passphrase before the host: listed masked whole, no word of it shown', async () => {
    await withPassHelperKeys(listSpacedKeys);
  });
});
