/**
 * DOCKER_AUTH_CONFIG (docker 28.3 and later) through bin/credkit in a throwaway HOME: explain and
 * get take it before config.json as docker does; an invalid value is ignored and said so, without
 * printing any of it. The docker on the test machines is 28.2, which ignores the variable (shown
 * with the real client in explain-real-clients.test.ts), so the precedence is checked against
 * docker/cli's source (formats.md §2.4), with a scripted `docker` that says it is 28.3 first on PATH.
 */
import { expect } from 'chai';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { basePath, makeSandbox, run, skipUnlessPrograms, type Sandbox } from '../support/sandbox.js';

const ENV_PW = 'fake-env-config-pw';
const FILE_PW = 'fake-env-config-file-pw';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const value = (auths: unknown) => JSON.stringify({ auths });

describe('e2e: DOCKER_AUTH_CONFIG', () => {
  let sb: Sandbox;
  let dockerConfig: string;

  /** A `docker` that only says which version it is, as `docker --version` does, in its own directory. */
  async function fakeDocker(version: string): Promise<string> {
    const dir = join(sb.home, `docker-${version}`);
    await mkdir(dir);
    await writeFile(join(dir, 'docker'), `#!/bin/sh\necho "Docker version ${version}, build fake"\n`, { mode: 0o755 });
    return dir;
  }

  beforeEach(async () => {
    sb = await makeSandbox();
    sb.env.PATH = `${await fakeDocker('28.3.0')}:${sb.env.PATH}`;
    dockerConfig = join(sb.env.DOCKER_CONFIG as string, 'config.json');
    await writeFile(dockerConfig, JSON.stringify({ auths: { 'quay.io': { auth: b64(`filer:${FILE_PW}`) } } }));
  });
  afterEach(async () => {
    await sb?.cleanup();
  });

  const noSecret = (text: string) => {
    for (const s of [ENV_PW, FILE_PW, b64(`ci:${ENV_PW}`)]) expect(text.includes(s), 'a secret was printed').to.equal(false);
  };

  it('explain shows the variable as its own source, before config.json; get prints its credential', async () => {
    const env = { DOCKER_AUTH_CONFIG: value({ 'quay.io': { auth: b64(`ci:${ENV_PW}`) } }) };
    const text = await sb.credkit(['explain', 'quay.io/org/app'], '', env);
    expect(text.code, text.stderr).to.equal(0);
    noSecret(text.stdout + text.stderr);
    expect(text.stdout).to.include('environment: DOCKER_AUTH_CONFIG (docker 28.3 and later, before any file): matched — key "quay.io"');
    expect(text.stdout).to.include('uses: ci (password) from environment variable DOCKER_AUTH_CONFIG, key "quay.io"');
    expect(text.stdout).to.include(`${dockerConfig} (DOCKER_CONFIG): not-reached`);
    expect(text.stdout).to.include('docker before 28.3 ignores DOCKER_AUTH_CONFIG');
    // podman reads no such variable: it still uses the file.
    expect(text.stdout).to.match(/podman[^]*uses: filer \(password\)[^]*never reads it/);

    const json = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'docker', '--json'], '', env);
    noSecret(json.stdout);
    const [docker] = (JSON.parse(json.stdout) as { clients: { environment: unknown; credential: { source: unknown } }[] }).clients;
    expect(docker?.environment).to.deep.equal({ variable: 'DOCKER_AUTH_CONFIG', status: 'matched', detail: 'key "quay.io"' });
    expect(docker?.credential.source).to.deep.equal({ file: '', variable: 'DOCKER_AUTH_CONFIG', key: 'quay.io' });

    const got = await sb.credkit(['get', 'quay.io/org/app'], '', env);
    expect([got.code, JSON.parse(got.stdout)]).to.deep.equal([0, { ServerURL: 'quay.io', Username: 'ci', Secret: ENV_PW }]);
  });

  it('an invalid value is ignored as docker ignores it, and never printed', async () => {
    // A config.json pasted whole: its credsStore makes docker 28.3+ refuse the whole variable.
    const env = { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'quay.io': { auth: b64(`ci:${ENV_PW}`) } }, credsStore: 'pass' }) };
    const text = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'docker'], '', env);
    expect(text.code, text.stderr).to.equal(0);
    noSecret(text.stdout + text.stderr);
    // docker parses the variable only when it looks a credential up or stores one, so that is when
    // it complains: not on every command, as it does about a broken config.json.
    expect(text.stdout).to.include('environment: DOCKER_AUTH_CONFIG (docker 28.3 and later, before any file): ignored — unknown field "credsStore" (only "auths" is allowed): docker 28.3 and later print "Failed to create credential store from DOCKER_AUTH_CONFIG" each time they look a credential up or store one (pull, push, build, login, logout) and ignore all of it\n');
    expect(text.stdout).to.include('uses: filer (password)');
    const broken = { DOCKER_AUTH_CONFIG: `{"auths":{"quay.io":{"auth":"${ENV_PW}` };
    const got = await sb.credkit(['get', 'quay.io/org/app'], '', broken);
    noSecret(got.stderr);
    expect(JSON.parse(got.stdout)).to.deep.include({ Username: 'filer' });
  });

  it('a broken config.json is still reported when the variable answers: docker loads the file first, for every command', async function () {
    await skipUnlessPrograms(this, ['docker']);
    await writeFile(dockerConfig, `{"auths":{"quay.io":{"auth":"${b64(`filer:${FILE_PW}`)}"}},`);
    // The real docker warns about the file on a command that looks up no credential at all: it
    // reads it when it starts, and 28.3 consults the variable only when it looks a credential up.
    const real = await run('docker', ['context', 'ls', '-q'], { env: { ...sb.env, PATH: basePath() } });
    expect(real.stderr).to.include(`WARNING: Error parsing config file (${dockerConfig})`);
    const env = { DOCKER_AUTH_CONFIG: value({ 'quay.io': { auth: b64(`ci:${ENV_PW}`) } }) };
    const json = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'docker', '--json'], '', env);
    expect(json.code, json.stderr).to.equal(0);
    noSecret(json.stdout + json.stderr);
    const [docker] = (JSON.parse(json.stdout) as { clients: { files: { status: string; detail: string }[]; credential: { source: unknown } }[] }).clients;
    expect(docker?.credential.source).to.deep.equal({ file: '', variable: 'DOCKER_AUTH_CONFIG', key: 'quay.io' });
    expect(docker?.files[0]?.status).to.equal('error');
    expect(docker?.files[0]?.detail).to.match(/^docker cannot parse it \(invalid JSON at position \d+\): it prints "WARNING: Error parsing config file".*; DOCKER_AUTH_CONFIG answered for "quay\.io" first, so the credential comes from the variable$/);
    const got = await sb.credkit(['get', 'quay.io/org/app'], '', env);
    expect([got.code, JSON.parse(got.stdout)]).to.deep.equal([0, { ServerURL: 'quay.io', Username: 'ci', Secret: ENV_PW }]);
  });

  it('a docker before 28.3 on PATH never reads it: explain and get use config.json, and say why', async () => {
    sb.env.PATH = `${await fakeDocker('28.2.2')}:${sb.env.PATH}`;
    const env = { DOCKER_AUTH_CONFIG: value({ 'quay.io': { auth: b64(`ci:${ENV_PW}`) } }) };
    const text = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'docker'], '', env);
    expect(text.code, text.stderr).to.equal(0);
    noSecret(text.stdout + text.stderr);
    expect(text.stdout).to.include('environment: DOCKER_AUTH_CONFIG (docker 28.3 and later, before any file): ignored — the docker on PATH is 28.2.2, which does not read it (docker 28.3 and later do): it uses config.json alone\n');
    expect(text.stdout).to.include('uses: filer (password)');
    const got = await sb.credkit(['get', 'quay.io/org/app'], '', env);
    expect(JSON.parse(got.stdout)).to.deep.include({ Username: 'filer' });
    // Nor does it complain about a value it cannot parse: it never looks at it.
    const broken = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'docker', '--json'], '', { DOCKER_AUTH_CONFIG: '{"auths": ' });
    const [docker] = (JSON.parse(broken.stdout) as { clients: { environment: { status: string; detail: string } }[] }).clients;
    expect([docker?.environment.status, docker?.environment.detail.includes('Failed to create')]).to.deep.equal(['ignored', false]);
  });

  it('with no docker on PATH (a job explaining for another machine), docker is explained as 28.3 and later', async () => {
    sb.env.PATH = join(sb.home, 'no-docker-here');
    const env = { DOCKER_AUTH_CONFIG: value({ 'quay.io': { auth: b64(`ci:${ENV_PW}`) } }) };
    const text = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'docker'], '', env);
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stdout).to.include('uses: ci (password) from environment variable DOCKER_AUTH_CONFIG');
    expect(text.stdout).to.include('docker before 28.3 ignores DOCKER_AUTH_CONFIG');
  });

  it('ls lists its entries first, as docker 28.3+ reads them; named files leave it out', async () => {
    const env = { DOCKER_AUTH_CONFIG: value({ 'ghcr.io': { auth: b64(`ci:${ENV_PW}`) } }) };
    const text = await sb.credkit(['ls'], '', env);
    expect(text.code, text.stderr).to.equal(0);
    noSecret(text.stdout + text.stderr);
    const lines = text.stdout.trim().split('\n');
    expect(lines[1]).to.match(/^ghcr\.io\s+registry\s+ci\s+\*{8}\s+DOCKER_AUTH_CONFIG \(ghcr\.io\)$/);
    expect(lines[2]).to.match(/^quay\.io\s+registry\s+filer\s/);
    expect(text.stderr).to.include('credkit: note: DOCKER_AUTH_CONFIG: docker 28.3 and later take these before any file');
    const json = JSON.parse((await sb.credkit(['ls', '--json'], '', env)).stdout) as { entries: { file: string; variable?: string; key: string }[] };
    expect(json.entries[0]).to.deep.include({ file: '', variable: 'DOCKER_AUTH_CONFIG', key: 'ghcr.io' });
    const named = await sb.credkit(['ls', dockerConfig], '', env);
    expect(named.stdout.includes('DOCKER_AUTH_CONFIG') || named.stderr.includes('DOCKER_AUTH_CONFIG')).to.equal(false);
  });

  it('doctor reports a credential only docker takes from it, and a value docker would ignore', async () => {
    const only = await sb.credkit(['doctor', '--json', '--no-call-helpers'], '', { DOCKER_AUTH_CONFIG: value({ 'ghcr.io': { auth: b64(`ci:${ENV_PW}`) } }) });
    noSecret(only.stdout + only.stderr);
    const codes = (r: { stdout: string }) => (JSON.parse(r.stdout) as { findings: { code: string; what: string }[] }).findings;
    expect(codes(only).find((f) => f.code === 'docker-auth-config-only')?.what).to.match(/^ghcr\.io: docker 28\.3 and later take the credential from DOCKER_AUTH_CONFIG \(user "ci"\)/);
    const broken = await sb.credkit(['doctor', '--json', '--no-call-helpers'], '', { DOCKER_AUTH_CONFIG: `{"auths":{"ghcr.io":{"auth":"${b64(`ci:${ENV_PW}`)}"}}} ${ENV_PW}` });
    noSecret(broken.stdout + broken.stderr);
    expect(codes(broken).find((f) => f.code === 'docker-auth-config-invalid')?.what).to.equal('DOCKER_AUTH_CONFIG is set, but docker 28.3 and later ignore all of it, printing "Failed to create credential store from DOCKER_AUTH_CONFIG" each time they look a credential up or store one (pull, push, build, login, logout): more than one JSON value (docker takes exactly one object)');
  });

  it('doctor with a docker before 28.3 on PATH: the variable is ignored by that docker, not its credential nor a value it refuses, as explain says', async () => {
    // The real docker 28.2.2 sends config.json's credential with the variable set (explain-real-clients.test.ts).
    const old = { PATH: `${await fakeDocker('28.2.2')}:${sb.env.PATH}` };
    const findings = async (value: string) => {
      const r = await sb.credkit(['doctor', '--json', '--no-call-helpers'], '', { ...old, DOCKER_AUTH_CONFIG: value });
      noSecret(r.stdout + r.stderr);
      return (JSON.parse(r.stdout) as { findings: { code: string; level: string; what: string }[] }).findings;
    };
    // Only docker's, beating config.json's quay.io, with a key docker never asks for, and a value docker 28.3 would refuse.
    for (const v of [value({ 'ghcr.io': { auth: b64(`ci:${ENV_PW}`) } }), value({ 'quay.io': { auth: b64(`ci:${ENV_PW}`) }, 'docker.io': { auth: b64(`ci:${ENV_PW}`) } }), `{"auths":{}} ${ENV_PW}`]) {
      const found = await findings(v);
      const codes = found.map((f) => f.code);
      for (const code of ['docker-auth-config-only', 'docker-auth-config-invalid', 'docker-auth-config-key', 'different-username']) expect(codes, code).not.to.include(code);
      expect(found.find((f) => f.code === 'docker-auth-config-ignored')).to.deep.include({
        level: 'info',
        what: 'DOCKER_AUTH_CONFIG is set, but the docker on PATH is 28.2.2, which does not read it (docker 28.3 and later do): docker uses its config.json alone',
      });
    }
    // quay.io: docker (28.2) and podman both read config.json's "filer".
    const explained = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'docker', '--json'], '', { ...old, DOCKER_AUTH_CONFIG: value({ 'quay.io': { auth: b64(`ci:${ENV_PW}`) } }) });
    expect((JSON.parse(explained.stdout) as { clients: { credential?: { username: string } }[] }).clients[0]?.credential?.username).to.equal('filer');
  });

  it('login and logout warn when the variable holds the registry, which docker 28.3+ goes on taking from it; never printing it', async () => {
    const LOGIN_PW = 'fake-env-config-login-pw';
    const env = { DOCKER_AUTH_CONFIG: value({ 'quay.io': { auth: b64(`ci:${ENV_PW}`) }, 'https://index.docker.io/v1/': { auth: b64(`hub:${ENV_PW}`) } }) };
    const login = (args: readonly string[]) => sb.credkit(['login', ...args, '-u', 'alice', '--password-stdin', '--no-verify'], LOGIN_PW, env);
    const warning = (key: string, what: string) => `DOCKER_AUTH_CONFIG holds a credential for "${key}", which docker 28.3 and later go on using ${what}`;
    let r = await login(['quay.io']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.include(`${warning('quay.io', 'instead of what was just stored')} (the variable comes before config.json and its helpers); unset DOCKER_AUTH_CONFIG, or remove that key from it\n`);
    noSecret(r.stdout + r.stderr);
    expect(r.stdout.includes(LOGIN_PW) || r.stderr.includes(LOGIN_PW), 'the password was printed').to.equal(false);
    // Docker Hub under docker's key for it; --json carries it with the other warnings.
    r = await login(['--json']);
    expect((JSON.parse(r.stdout) as { warnings: string[] }).warnings.some((w) => w.startsWith(warning('https://index.docker.io/v1/', 'instead')))).to.equal(true);
    // Another registry, and podman's auth file (podman never reads the variable): nothing to say.
    for (const args of [['ghcr.io'], ['quay.io', '--authfile', join(sb.home, 'auth.json')]]) {
      r = await login(args);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stderr, args.join(' ')).to.not.include('DOCKER_AUTH_CONFIG');
    }
    r = await sb.credkit(['logout', 'quay.io'], '', env);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.include(`credkit: warning: ${warning('quay.io', 'after this logout')}`);
    noSecret(r.stdout + r.stderr);
    r = await sb.credkit(['logout', 'ghcr.io'], '', env);
    expect(r.stderr).to.not.include('DOCKER_AUTH_CONFIG');
  });

  it("doctor's fix works: the variable piped to convert gives podman the credential", async () => {
    const env = { DOCKER_AUTH_CONFIG: value({ 'ghcr.io': { auth: b64(`ci:${ENV_PW}`) } }) };
    const authJSON = join(sb.home, 'auth.json');
    const converted = await sb.credkit(['convert', '-', '--to', 'podman', '-o', authJSON], env.DOCKER_AUTH_CONFIG);
    expect(converted.code, converted.stderr).to.equal(0);
    const got = await sb.credkit(['get', 'ghcr.io/org/app', '--as', 'podman'], '', { ...env, REGISTRY_AUTH_FILE: authJSON });
    expect([got.code, JSON.parse(got.stdout)]).to.deep.equal([0, { ServerURL: 'ghcr.io', Username: 'ci', Secret: ENV_PW }]);
  });
});
