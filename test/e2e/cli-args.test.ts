/**
 * How `credkit` reads its command line, through the shipped bin: options given twice, `-` and
 * `--` operands, and what it does when standard output cannot be written.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN, FIXTURES, makeSandboxPerTest, run } from '../support/sandbox.js';
import type { Sandbox } from '../support/sandbox.js';
import * as credkit from 'credkit';

describe('e2e: credkit command line', function () {
  let sb: Sandbox;
  makeSandboxPerTest({}, (made) => (sb = made));

  const fx = (p: string) => join(FIXTURES, p);
  // The bin run from the sandbox's home, for relative file names.
  const inHome = (args: readonly string[], input = '') => run(process.execPath, [BIN.credkit, ...args], { input, env: sb.env, cwd: sb.home });

  it('an option given twice takes its last value, as docker and podman flags do (it converted nothing, crashed, or stored the username "a,b")', async () => {
    const to = await sb.credkit(['convert', fx('docker-config/basic.json'), '--to', 'docker', '--to', 'podman']);
    expect(to.code, to.stderr).to.equal(0);
    expect(JSON.parse(to.stdout)).to.have.property('auths');

    const out = await sb.credkit(['convert', fx('docker-config/basic.json'), '--to', 'podman', '-o', join(sb.home, 'a.json'), '--output', join(sb.home, 'b.json')]);
    expect(out.code, out.stderr).to.equal(0);
    expect(out.stderr).to.equal('');
    expect((await readdir(sb.home)).filter((f) => f.endsWith('.json'))).to.deep.equal(['b.json']);

    const backend = await sb.credkit(['store', 'list', '--backend', 'env', '--backend', 'file', '--json']);
    expect(backend.code, backend.stderr).to.equal(0);
    expect(JSON.parse(backend.stdout)).to.deep.equal({});

    const authfile = join(sb.home, 'auth.json');
    const login = await sb.credkit(['login', 'registry.example.com', '-u', 'fake-a', '--username', 'fake-b', '--password-stdin', '--no-verify', '--authfile', authfile], 'fake-password');
    expect(login.code, login.stderr).to.equal(0);
    const auth = (JSON.parse(await readFile(authfile, 'utf8')) as { auths: Record<string, { auth: string }> }).auths['registry.example.com']?.auth;
    expect(Buffer.from(auth ?? '', 'base64').toString().startsWith('fake-b:')).to.equal(true);

    // A boolean twice is still that boolean: --json twice prints JSON, on failure too.
    const json = await sb.credkit(['ls', join(sb.home, 'missing.json'), '--json', '--json']);
    expect(json.code).to.equal(1);
    expect(JSON.parse(json.stdout)).to.have.property('errors');
  });

  it('options declared repeatable keep every value (explain --as, --secret)', async () => {
    const r = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'docker', '--as', 'kubelet', '--secret', fx('docker-config/basic.json'), '--secret', fx('docker-config/basic.json'), '--json']);
    expect(r.code, r.stderr).to.equal(0);
    expect((JSON.parse(r.stdout) as { clients: { client: string }[] }).clients.map((c) => c.client)).to.deep.equal(['docker', 'kubelet']);
  });

  it('--authfile "" is podman\'s own first file (not REGISTRY_AUTH_FILE) for login, logout, explain and get alike, as podman reads it', async () => {
    const entry = (user: string) => ({ auth: Buffer.from(`${user}:fake-password`).toString('base64') });
    const runtimeFile = join(sb.env.XDG_RUNTIME_DIR!, 'containers', 'auth.json');
    const envFile = join(sb.home, 'env-auth.json');
    await writeFile(envFile, JSON.stringify({ auths: { 'registry.example.com': entry('fake-from-env') } }), { mode: 0o600 });
    const env = { REGISTRY_AUTH_FILE: envFile };

    const login = await sb.credkit(['login', 'registry.example.com', '-u', 'fake-from-runtime', '--password-stdin', '--no-verify', '--authfile', ''], 'fake-password', env);
    expect(login.code, login.stderr).to.equal(0);
    expect(Object.keys((JSON.parse(await readFile(runtimeFile, 'utf8')) as { auths: object }).auths)).to.deep.equal(['registry.example.com']);

    const user = async (args: readonly string[]) => {
      const r = await sb.credkit(['get', 'registry.example.com', '--as', 'podman', ...args], '', env);
      expect(r.code, r.stderr).to.equal(0);
      return (JSON.parse(r.stdout) as { Username: string }).Username;
    };
    expect(await user(['--authfile', ''])).to.equal('fake-from-runtime');
    expect(await user([])).to.equal('fake-from-env');
    const explain = await sb.credkit(['explain', 'registry.example.com', '--as', 'podman', '--authfile', '', '--json'], '', env);
    expect(explain.code, explain.stderr).to.equal(0);
    expect((JSON.parse(explain.stdout) as { clients: { credential: { username: string } }[] }).clients[0]?.credential.username).to.equal('fake-from-runtime');

    // podman agrees where it is installed.
    const podman = await run('podman', ['login', '--get-login', '--authfile', '', 'registry.example.com'], { env: { ...sb.env, ...env } }).catch(() => undefined);
    if (podman) expect(podman.stdout.trim(), podman.stderr).to.equal('fake-from-runtime');

    const logout = await sb.credkit(['logout', 'registry.example.com', '--authfile', ''], '', env);
    expect(logout.code, logout.stderr).to.equal(0);
    expect(JSON.parse(await readFile(runtimeFile, 'utf8'))).to.deep.equal({ auths: {} });
    expect(Object.keys((JSON.parse(await readFile(envFile, 'utf8')) as { auths: object }).auths)).to.deep.equal(['registry.example.com']);
  });

  it('a boolean option given a value other than true or false is a usage error (--json=yes ran without JSON), as docker and podman flags refuse it', async () => {
    for (const args of [['ls', '--json=yes'], ['ls', '--json=1'], ['ls', '--json='], ['login', 'registry.example.com', '-u', 'fake-u', '--password-stdin=no'], ['login', 'registry.example.com', '-u', 'fake-u', '--password-stdin=fake-typed-password']]) {
      const r = await sb.credkit(args, 'fake-password');
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.match(/^credkit: --(json|password-stdin) takes no value, or true or false\n$/);
      // A password typed after `=` by mistake is not echoed.
      expect(r.stderr.includes('fake-typed')).to.equal(false);
    }
    const yes = await sb.credkit(['ls', '--json=true']);
    expect(yes.code, yes.stderr).to.equal(0);
    expect(JSON.parse(yes.stdout)).to.be.an('object');
    const no = await sb.credkit(['ls', '--json=false']);
    expect(() => JSON.parse(no.stdout)).to.throw();
  });

  it('a yargs usage error says its message once, on the "credkit:" line after the help', async () => {
    for (const [args, message] of [
      [['ls', '--bogus'], 'Unknown argument: bogus'],
      [['explain'], 'Not enough non-option arguments: got 0, need at least 1'],
      [['convert', 'x.json', '--to', 'nope'], 'Invalid values:'],
    ] as const) {
      const r = await sb.credkit(args);
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stderr).to.include('Show help');
      expect(r.stderr.split(message).length - 1, `"${message}" in stderr`).to.equal(1);
      expect(r.stderr.trimEnd().split('\n').at(-1)).to.match(new RegExp(`^credkit: ${message}`));
    }
  });

  it('a mistyped option with a dash is named once, as typed, not also camel-cased (one typo, not two)', async () => {
    const r = await sb.credkit(['login', 'quay.io', '-u', 'alice', '--pasword-stdin'], 'fake-typo-pw');
    expect(r.code).to.equal(2);
    expect(r.stderr.trimEnd().split('\n').at(-1)).to.equal('credkit: Unknown argument: pasword-stdin');
    expect(r.stderr.includes('paswordStdin')).to.equal(false);
    const json = await sb.credkit(['ls', '--json', '--show-secrets', '--jsn']);
    expect(json.code).to.equal(2);
    expect(JSON.parse(json.stdout)).to.deep.equal({ ok: false, error: { code: 'USAGE', message: 'Unknown arguments: show-secrets, jsn' } });
  });

  it('a "-" that means no standard input is the file "-", as podman reads it (--authfile - was a file named "<stdin>"), and "<stdin>" is a file name', async () => {
    const entry = { auths: { 'registry.example.com': { auth: Buffer.from('fake-user:fake-password').toString('base64') } } };
    await writeFile(join(sb.home, '-'), JSON.stringify(entry), { mode: 0o600 });
    const get = await inHome(['get', 'registry.example.com', '--as', 'podman', '--authfile', '-']);
    expect(get.code, get.stderr).to.equal(0);
    expect(JSON.parse(get.stdout)).to.include({ Username: 'fake-user' });

    const login = await inHome(['login', 'other.example.com', '-u', 'fake-bot', '--password-stdin', '--no-verify', '--authfile', '-'], 'fake-password');
    expect(login.code, login.stderr).to.equal(0);
    expect(Object.keys((JSON.parse(await readFile(join(sb.home, '-'), 'utf8')) as { auths: object }).auths)).to.deep.equal(['registry.example.com', 'other.example.com']);

    const out = await inHome(['convert', fx('docker-config/basic.json'), '--to', 'podman', '-o', '<stdin>']);
    expect(out.code, out.stderr).to.equal(0);
    expect(out.stdout).to.equal('');
    expect(JSON.parse(await readFile(join(sb.home, '<stdin>'), 'utf8'))).to.have.property('auths');

    // Where "-" is standard input it still is, as an operand or as an option's value.
    const stdin = await inHome(['convert', '-', '--to', 'docker', '-o', '-'], JSON.stringify(entry));
    expect(stdin.code, stdin.stderr).to.equal(0);
    expect(JSON.parse(stdin.stdout)).to.have.nested.property('auths.registry\\.example\\.com');
    const unknown = await sb.credkit(['get', 'quay.io', '-']);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr.trimEnd().split('\n').at(-1)).to.equal('credkit: Unknown argument: -');
  });

  it('standard input (-) named twice is a usage error before anything is read (get and explain exited 1, check and ls read an empty second file)', async () => {
    const entry = JSON.stringify({ auths: { 'registry.example.com': { auth: Buffer.from('fake-user:fake-password').toString('base64') } } });
    const missing = join(sb.home, 'missing.json');
    // A missing --authfile or input would be an error (exit 1) had anything been read first.
    for (const args of [
      ['get', 'registry.example.com', '--as', 'kubelet', '--secret', '-', '--secret', '-'],
      ['explain', 'registry.example.com', '--secret', '-', '--authfile', missing, '--secret', '-'],
      ['explain', 'registry.example.com', '--secret', '-', '--secret', '-', '--json'],
      ['merge', '-', missing, '-', '--to', 'docker'],
      ['check', '-', missing, '-'],
      ['ls', '-', missing, '-'],
    ]) {
      const r = await sb.credkit(args, entry);
      expect([r.code, r.stdout.includes('fake-password')], args.join(' ')).to.deep.equal([2, false]);
      if (!args.includes('--json')) expect([r.stdout, r.stderr], args.join(' ')).to.deep.equal(['', 'credkit: standard input (-) is named more than once; it can be read only once\n']);
    }
  });

  it('"--" ends the options: what follows is an operand, even when it starts with "-" (it was "Not enough non-option arguments")', async () => {
    const entry = { auths: { 'registry.example.com': { auth: Buffer.from('fake-user:fake-password').toString('base64') } } };
    await writeFile(join(sb.home, '-odd.json'), JSON.stringify(entry), { mode: 0o600 });
    const convert = await inHome(['convert', '--to', 'podman', '--', '-odd.json']);
    expect(convert.code, convert.stderr).to.equal(0);
    expect(JSON.parse(convert.stdout)).to.deep.equal(entry);
    const ls = await inHome(['ls', '--json', '--', '-odd.json', '--json']);
    expect(ls.code).to.equal(1);
    const doc = JSON.parse(ls.stdout) as { entries: { file: string }[]; errors: { file: string }[] };
    expect(doc.entries.map((e) => e.file)).to.deep.equal(['-odd.json']);
    expect(doc.errors.map((e) => e.file)).to.deep.equal(['--json']);
    // "-" after "--" is still standard input, as for cat.
    const stdin = await inHome(['check', '--', '-'], JSON.stringify(entry));
    expect(stdin.code, stdin.stderr).to.equal(0);
    const extra = await inHome(['get', 'quay.io', '--', '-x']);
    expect(extra.code).to.equal(2);
    expect(extra.stderr.trimEnd().split('\n').at(-1)).to.equal('credkit: Unknown argument: -x');
  });

  // Runs the bin with its standard output on `path` (opened for writing); returns exit code and stderr.
  async function withStdoutOn(path: string, args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
    const fd = openSync(path, 'w');
    const child = spawn(process.execPath, [BIN.credkit, ...args], { env: sb.env, stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    return { code, stderr };
  }

  it('output that cannot be written (a full disk) is an error, exit 1, not a success with nothing written', async function () {
    if (!existsSync('/dev/full')) this.skip();
    for (const args of [['convert', fx('docker-config/basic.json'), '--to', 'secret', '--no-materialize', '--allow-lossy'], ['ls', fx('docker-config/basic.json'), '--json'], ['--help']]) {
      const r = await withStdoutOn('/dev/full', args);
      expect(r.code, args.join(' ')).to.equal(1);
      expect(r.stderr.trimEnd().split('\n').at(-1)).to.equal('credkit: cannot write to standard output (ENOSPC); the output is incomplete');
      expect(r.stderr.includes('fake-')).to.equal(false);
    }
  });

  it('a reader that goes away (| head -0) ends the output quietly: exit 0, no stack', async () => {
    const big = Object.fromEntries(Array.from({ length: 20000 }, (_, i) => [`r${i}.example.com`, { auth: Buffer.from('fake-user:fake-pw').toString('base64') }]));
    const input = join(sb.home, 'big.json');
    await writeFile(input, JSON.stringify({ auths: big }), { mode: 0o600 });
    const child = spawn(process.execPath, [BIN.credkit, 'ls', input], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.destroy();
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).to.equal('');
    expect(code).to.equal(0);
  });
  it('a registry typed as a URL with a user name and password never puts the password in a message (it was quoted whole)', async () => {
    const pw = 'fake-typed-password';
    await writeFile(join(sb.home, 'config.json'), JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('u:fake-p').toString('base64') } } }));
    const runs = [
      ['get', `https://alice:${pw}@quay.io/v2/`],
      ['explain', `alice:${pw}@quay.io/org/app`],
      ['convert', join(sb.home, 'config.json'), '--to', 'podman', '--registry', `https://alice:${pw}@quay.io`],
      ['logout', `https://alice:${pw}@quay.io`],
      ['store', 'get', `https://alice:${pw}@quay.io`, '--backend', 'file'],
      ['store', 'get', `https://alice:${pw}@quay.io`, '--backend', 'file', '--json'],
    ];
    for (const args of runs) {
      const r = await sb.credkit(args);
      expect(r.code, args[0]).to.be.oneOf([1, 2]);
      expect(r.stderr.includes(pw) || r.stdout.includes(pw), `${args[0]} quoted the password`).to.equal(false);
      expect(r.stderr).to.include('alice:********@');
    }
  });
  it('a file key with a user name and password is shown masked by check, ls and explain, and check names the key to use; a secret asked for with --show-secret is not masked', async () => {
    const pw = 'fake-key-password';
    const file = join(sb.home, 'odd.json');
    await writeFile(file, JSON.stringify({ auths: { [`https://alice:${pw}@quay.io`]: { auth: Buffer.from('u:fake-p').toString('base64') } } }), { mode: 0o600 });
    for (const args of [['check', file], ['check', '--json', file], ['ls', file], ['ls', '--json', file], ['explain', 'quay.io', '--authfile', file], ['explain', 'quay.io', '--authfile', file, '--json']]) {
      const r = await sb.credkit(args);
      expect(r.stdout.includes(pw) || r.stderr.includes(pw), `${args.join(' ')} showed the password`).to.equal(false);
    }
    const check = await sb.credkit(['check', file]);
    expect(check.stdout).to.include('key "https://alice:********@quay.io"');
    expect(check.stdout).to.include('fix: use "quay.io"');

    const secret = 'p:fake-ss@word';
    const stored = await sb.credkit(['store', 'store', 'quay.io', '-u', 'bob', '--password-stdin', '--backend', 'file'], secret);
    expect(stored.code, stored.stderr).to.equal(0);
    const shown = await sb.credkit(['store', 'get', 'quay.io', '--show-secret', '--backend', 'file']);
    expect(shown.stdout.includes(`secret:   ${secret}\n`)).to.equal(true);
    const json = await sb.credkit(['store', 'get', 'quay.io', '--show-secret', '--backend', 'file', '--json']);
    expect((JSON.parse(json.stdout) as { secret: string }).secret === secret).to.equal(true);
  });
  it('the library returns what check, ls and explain --json print for a key with a password in it, masked alike, byte for byte', async () => {
    const pw = 'fake-key-password';
    const file = join(sb.home, 'odd.json');
    const text = JSON.stringify({ auths: { [`https://alice:${pw}@quay.io`]: { auth: Buffer.from('u:fake-p').toString('base64') }, [`bob:${pw}@ghcr.io`]: {} } });
    await writeFile(file, text, { mode: 0o600 });
    const ls = await sb.credkit(['ls', '--json', file]);
    expect(ls.stdout.includes(pw)).to.equal(false);
    expect(JSON.stringify((JSON.parse(ls.stdout) as { entries: unknown }).entries)).to.equal(JSON.stringify(credkit.listEntries(credkit.parseAuthText(text, file).files)));
    const check = await sb.credkit(['check', '--json', file]);
    expect(JSON.stringify((JSON.parse(check.stdout) as { findings: unknown }).findings)).to.equal(JSON.stringify(credkit.checkAuthInput({ text, source: file })));
    const explain = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'kubelet', '--secret', file, '--json']);
    expect(explain.stdout.includes(pw)).to.equal(false);
    const explained = await credkit.explainCredential('quay.io/org/app', { env: sb.env, home: sb.home, cwd: sb.home, as: 'kubelet', secrets: [file] });
    expect(`${JSON.stringify(explained, null, 2)}\n`).to.equal(explain.stdout);
  });
});
