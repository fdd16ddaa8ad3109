/**
 * The helper binary's bytes on stdout, exit codes and bad-input handling, as clients see them.
 */
import { expect } from 'chai';
import { chmod, lstat, readFile, stat, symlink, unlink, writeFile, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, readlinkSync, write, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { BIN, makeSandbox, run, runWithDirectoryStdin, type Sandbox } from '../support/sandbox.js';

const store = (url: string, user: string, secret: string) => `${JSON.stringify({ ServerURL: url, Username: user, Secret: secret })}\n`;

describe('docker-credential-credkit (binary)', () => {
  let sb: Sandbox;
  let file: string;
  beforeEach(async () => {
    sb = await makeSandbox({ CREDKIT_BACKEND: 'file' });
    file = join(sb.home, '.local', 'share', 'credkit', 'credentials.json');
  });
  afterEach(() => sb.cleanup());

  it('usage, help, version and unknown verbs behave like the Go helpers', async () => {
    let r = await sb.helper([]);
    expect(r).to.include({ code: 1, stdout: 'Usage: docker-credential-credkit <store|get|erase|list|version>\n', stderr: '' });
    r = await sb.helper('-h');
    expect(r).to.include({ code: 0, stdout: 'Usage: docker-credential-credkit <store|get|erase|list|version>\n' });
    r = await sb.helper('version');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^docker-credential-credkit \(credkit\) v\d+\.\d+\.\d+\n$/);
    r = await sb.helper('--version');
    expect(r.stdout).to.match(/^docker-credential-credkit \(credkit\) v/);
    r = await sb.helper('bogus');
    expect(r).to.include({ code: 1, stdout: 'docker-credential-credkit: unknown action: bogus\n' });
  });

  it('get trims its input the way Go helpers do, and repeats the trimmed query', async () => {
    await sb.helper('store', store('quay.io', 'bob', 'fake-pw'));
    const r = await sb.helper('get', '  quay.io  \n\n');
    expect(r).to.include({ code: 0, stdout: '{"ServerURL":"quay.io","Username":"bob","Secret":"fake-pw"}\n' });
    // strings.TrimSpace: U+0085 is white space to Go, a byte order mark is not (both reference helpers agree).
    expect(await sb.helper('get', 'quay.io\u0085')).to.include({ code: 0, stdout: '{"ServerURL":"quay.io","Username":"bob","Secret":"fake-pw"}\n' });
    expect(await sb.helper('get', '\ufeffquay.io')).to.include({ code: 1, stdout: 'credentials not found in native keychain\n' });
    expect(await sb.helper('erase', '\ufeffquay.io')).to.include({ code: 0 });
    expect((await sb.helper('list')).stdout).to.equal('{"quay.io":"bob"}\n');
  });

  it('store input as docker sends it: compact JSON, HTML-escaped, trailing newline', async () => {
    const r = await sb.helper('store', '{"ServerURL":"a.example","Username":"u\\u0026v","Secret":"fake-p\\u003cq"}\n');
    expect(r.code, r.stdout).to.equal(0);
    const g = await sb.helper('get', 'a.example');
    expect(g.stdout).to.equal('{"ServerURL":"a.example","Username":"u\\u0026v","Secret":"fake-p\\u003cq"}\n');
  });

  it('store input is decoded as the Go helpers decode it: first JSON value only, members in document order', async () => {
    // docker-credential-pass and -secretservice store both of these (a later null keeps "u").
    let r = await sb.helper('store', '{"ServerURL":"a.example","Username":"u","Secret":"fake-a","Username":null} trailing bytes');
    expect(r).to.include({ code: 0, stdout: '' });
    r = await sb.helper('store', '{"ServerURL":"b.example","username":"u1","Secret":"fake-b","Username":"u2"}\n{"ServerURL":"c.example"}\n');
    expect(r).to.include({ code: 0, stdout: '' });
    expect((await sb.helper('list')).stdout).to.equal('{"a.example":"u","b.example":"u2"}\n');
  });

  describe('bad input: a one-line error on stdout, exit 1, nothing lost, no secret echoed', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['malformed JSON', '{"ServerURL":"x","Username":"u","Secret":"fake-leak-me-1",}', /^invalid JSON on standard input( at byte \d+)?\n$/],
      ['JSON cut short', '{"ServerURL":"x","Username":"u","Secret":"fake-leak-me-1"', /^unexpected EOF\n$/],
      ['no server URL', '{"Username":"u","Secret":"fake-leak-me-2"}\n', /^no credentials server URL\n$/],
      ['no username', '{"ServerURL":"x","Secret":"fake-leak-me-3"}\n', /^no credentials username\n$/],
      ['not an object', '"fake-leak-me-4"\n', /^json: cannot unmarshal string into Go value of type credentials\.Credentials\n$/],
      ['wrong field type', '{"ServerURL":"x","Username":"u","Secret":42}\n', /^json: cannot unmarshal number into Go struct field Credentials\.Secret of type string\n$/],
    ];
    for (const [name, input, expected] of cases) {
      it(name, async () => {
        await sb.helper('store', store('keep.example', 'k', 'fake-kept'));
        const r = await sb.helper('store', input);
        expect(r.code).to.equal(1);
        expect(r.stdout).to.match(expected);
        expect((r.stdout + r.stderr).includes('leak-me'), 'a secret in the output (not printed)').to.equal(false);
        expect((await sb.helper('get', 'keep.example')).stdout).to.include('"fake-kept"');
      });
    }
  });

  it("a relative [file] path is relative to the config file, not to the caller's directory", async () => {
    const configDir = join(sb.home, '.config', 'credkit');
    await mkdir(configDir, { recursive: true });
    await writeFile(join(configDir, 'config.ini'), 'backend = file\n[file]\npath = relative.json\n');
    const one = join(sb.home, 'project-one');
    const two = join(sb.home, 'project-two');
    await mkdir(one);
    await mkdir(two);
    const helperIn = (cwd: string, verb: string, input: string) => run(process.execPath, [BIN.helper, verb], { input, cwd, env: { ...sb.env, CREDKIT_BACKEND: '' } });
    expect((await helperIn(one, 'store', store('rel.example', 'u', 'fake-rel'))).code).to.equal(0);
    const r = await helperIn(two, 'get', 'rel.example');
    expect([r.code, JSON.parse(r.stdout).Username]).to.deep.equal([0, 'u']);
    expect((await stat(join(configDir, 'relative.json'))).isFile()).to.equal(true);
  });

  it('settings that cannot be right are one-line errors: a relative CREDKIT_FILE, a missing CREDKIT_CONFIG, a bad CREDKIT_HELPER_TIMEOUT', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ CREDKIT_FILE: 'creds.json' }, /^CREDKIT_FILE must be an absolute path/],
      [{ CREDKIT_CONFIG: join(sb.home, 'nothere.ini') }, /nothere\.ini: CREDKIT_CONFIG names a file that does not exist/],
      [{ CREDKIT_HELPER_TIMEOUT: 'abc' }, /^CREDKIT_HELPER_TIMEOUT must be a positive number of seconds/],
    ];
    for (const [env, pattern] of cases) {
      const r = await sb.helper('get', 'quay.io', env);
      expect(r.code, JSON.stringify(env)).to.equal(1);
      expect(r.stdout).to.match(pattern).and.match(/^[^\n]+\n$/);
    }
  });

  it('an unknown backend name is a clear one-line error', async () => {
    const r = await sb.helper('list', '', { CREDKIT_BACKEND: 'nosuch' });
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal('unknown credkit backend "nosuch" (choose one of: auto, keychain, keyutils, pass, file, env, helper:NAME)\n');
  });

  it('helper:credkit as credkit\'s own backend is refused up front, not run until the nesting guard stops it', async () => {
    const message = 'the backend "helper:credkit" is credkit itself: docker-credential-credkit reads the same settings and would ask itself again; choose keychain, keyutils, pass, file or env\n';
    for (const [verb, input] of [['get', 'quay.io'], ['list', ''], ['store', store('quay.io', 'u', 'fake-sec-L')]] as const) {
      const r = await sb.helper(verb, input, { CREDKIT_BACKEND: 'helper:credkit' });
      expect(r.code, verb).to.equal(1);
      expect(r.stdout, verb).to.equal(message);
    }
    const doctor = await sb.credkit(['doctor', '--json', '--no-call-helpers'], '', { CREDKIT_BACKEND: 'helper:credkit' });
    expect(doctor.code).to.equal(1);
    const finding = (JSON.parse(doctor.stdout) as { findings: { code: string; level: string; what: string }[] }).findings.find((f) => f.code === 'configured-backend');
    expect(finding?.level).to.equal('error');
    expect(finding?.what).to.include('is credkit itself');
  });

  it('a corrupt store file is reported with its path, and never overwritten', async () => {
    await mkdir(join(sb.home, '.local', 'share', 'credkit'), { recursive: true });
    await writeFile(file, '{"credentials": {"a": {"username":"u","secret":"fake-sec-A"}', { mode: 0o600 });
    const before = await readFile(file, 'utf8');
    for (const [verb, input] of [['store', store('b.example', 'u', 'fake-sec-B')], ['get', 'a'], ['list', ''], ['erase', 'a']] as const) {
      const r = await sb.helper(verb, input);
      expect(r.code, verb).to.equal(1);
      expect(r.stdout).to.equal(`${file}: the credential file is not valid JSON; fix or move it (it was left untouched)\n`);
      expect((r.stdout).includes('fake-sec-'), 'a secret in the output (not printed)').to.equal(false);
    }
    expect(await readFile(file, 'utf8')).to.equal(before);
  });

  it('a store file with a field nested thousands of levels deep: store and erase are a one-line error, the file is untouched, get and list still work', async () => {
    await mkdir(join(sb.home, '.local', 'share', 'credkit'), { recursive: true });
    const deep = `${'['.repeat(20000)}${']'.repeat(20000)}`;
    await writeFile(file, `{"credentials": {"a.example": {"username":"u","secret":"fake-sec-A"}}, "x": ${deep}}`, { mode: 0o600 });
    const before = await readFile(file, 'utf8');
    for (const [verb, input] of [['store', store('b.example', 'u', 'fake-sec-B')], ['erase', 'a.example']] as const) {
      const r = await sb.helper(verb, input);
      expect([verb, r.code, r.stdout, r.stderr]).to.deep.equal([verb, 1, `${file}: a field is nested too deeply to write back; fix or move the file (it was left untouched)\n`, '']);
    }
    expect(await readFile(file, 'utf8')).to.equal(before);
    expect((await sb.helper('list')).stdout).to.equal('{"a.example":"u"}\n');
  });

  it('creates the store file with mode 0600 and keeps a stricter mode', async () => {
    await sb.helper('store', store('a.example', 'u', 'fake-s'));
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    await chmod(file, 0o400);
    await sb.helper('store', store('b.example', 'u', 'fake-s'));
    expect((await stat(file)).mode & 0o777).to.equal(0o400);
  });

  it('narrows a too-open store file to 0600', async () => {
    await sb.helper('store', store('a.example', 'u', 'fake-s'));
    await chmod(file, 0o644);
    await sb.helper('store', store('b.example', 'u', 'fake-s'));
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
  });

  it('writes through a symlinked store file (relative link), keeping the link', async () => {
    const real = join(sb.home, 'dotfiles', 'creds.json');
    await mkdir(join(sb.home, 'dotfiles'));
    await writeFile(real, '{"credentials":{}}\n', { mode: 0o600 });
    const link = join(sb.home, 'link.json');
    await symlink('dotfiles/creds.json', link);
    const r = await sb.helper('store', store('a.example', 'u', 'fake-s'), { CREDKIT_FILE: link });
    expect(r.code, r.stdout).to.equal(0);
    expect((await lstat(link)).isSymbolicLink()).to.equal(true);
    expect(JSON.parse(await readFile(real, 'utf8')).credentials['a.example'].username).to.equal('u');
    expect((await stat(real)).mode & 0o777).to.equal(0o600);
  });

  it('parallel store calls lose nothing (40 processes)', async function () {
    this.timeout(120_000);
    const n = 40;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => sb.helper('store', store(`r${i}.example:5000`, `user${i}`, `fake-secret-${i}`))),
    );
    expect(results.map((r) => r.code)).to.deep.equal(Array(n).fill(0));
    const list = JSON.parse((await sb.helper('list')).stdout) as Record<string, string>;
    expect(Object.keys(list)).to.have.length(n);
    for (let i = 0; i < n; i++) expect(list[`r${i}.example:5000`]).to.equal(`user${i}`);
    const text = await readFile(file, 'utf8');
    expect(JSON.parse(text).credentials['r7.example:5000'].secret).to.equal('fake-secret-7');
  });

  it('a lock left by a killed writer does not stall the next store (its taker is gone), one of a running taker is waited for', async function () {
    this.timeout(60_000);
    await sb.helper('store', store('old.example', 'u', 'fake-old'));
    // A writer killed mid-store leaves its lock: the taker's line names a pid that no longer runs.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    let namespace = '-';
    try {
      namespace = readlinkSync('/proc/self/ns/pid');
    } catch {
      // no /proc
    }
    const lock = `${file}.lock`;
    await writeFile(lock, `${dead} ${hostname() || '-'} ${namespace}\n`, { mode: 0o600 });
    // Fresh: only the taker's absence can break it (age would take 30 s, the wait gives up at 15 s).
    const r = await sb.helper('store', store('new.example', 'u', 'fake-new'));
    expect([r.code, r.stdout]).to.deep.equal([0, '']);
    expect(Object.keys(JSON.parse((await sb.helper('list')).stdout) as object).sort()).to.deep.equal(['new.example', 'old.example']);
    // A running taker (this test process) is waited for until it lets go.
    await writeFile(lock, `${process.pid} ${hostname() || '-'} ${namespace}\n`, { mode: 0o600 });
    const waiting = sb.helper('store', store('third.example', 'u', 'fake-third'));
    await new Promise((done) => setTimeout(done, 1500));
    expect(Object.keys(JSON.parse(await readFile(file, 'utf8')).credentials as object)).to.not.include('third.example');
    await unlink(lock);
    expect((await waiting).code).to.equal(0);
    expect(Object.keys(JSON.parse(await readFile(file, 'utf8')).credentials as object)).to.include('third.example');
  });

  it('a directory as stdin (`get < dir`) is a one-line error, exit 1, not an internal error', async () => {
    for (const verb of ['get', 'store', 'erase']) {
      const { code, stdout: out, stderr: err } = await runWithDirectoryStdin(BIN.helper, [verb], sb.env, sb.home);
      expect([verb, code, out, err]).to.deep.equal([verb, 1, 'standard input is a directory, not a file or pipe\n', '']);
    }
  });

  it('reads all of a non-blocking stdin that runs dry half way (a 100 KiB secret in two writes)', async () => {
    // Node's spawn makes a child's stdin blocking again, so perl (always there on Debian) sets
    // O_NONBLOCK and then runs the helper. Its first reads drain the first write, the next one
    // finds the FIFO empty (EAGAIN) while the writer is still busy: nothing read may be lost.
    const fifo = join(sb.home, 'stdin.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).to.equal(0);
    const secret = 'fake-' + 'n'.repeat(100 * 1024);
    const input = store('big.example', 'u', secret);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK); // open without a writer
    const writer = openSync(fifo, constants.O_WRONLY);
    writeSync(writer, input.slice(0, 60_000));
    const nonBlocking = 'use Fcntl; fcntl(STDIN, F_SETFL, fcntl(STDIN, F_GETFL, 0) | O_NONBLOCK) or die; exec @ARGV';
    const child = spawn('perl', ['-e', nonBlocking, process.execPath, BIN.helper, 'store'], { env: sb.env, stdio: [reader, 'pipe', 'inherit'] });
    closeSync(reader);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((done) => child.on('close', done));
    await new Promise((done) => setTimeout(done, 500));
    const rest = Buffer.from(input.slice(60_000));
    await promisify(write)(writer, rest); // off the main thread: it blocks until the helper reads
    closeSync(writer);
    expect(await exited, out).to.equal(0);
    const r = await sb.helper('get', 'big.example');
    expect(r.code).to.equal(0);
    expect(JSON.parse(r.stdout).Secret).to.equal(secret);
  });
});
