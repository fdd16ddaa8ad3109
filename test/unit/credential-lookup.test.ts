/**
 * getCredential and explainCredential through the package import, in a throwaway HOME whose files
 * the options point at: docker's config.json, podman's auth.json, kubelet's pull secrets, helpers
 * (credkit's own docker-credential-credkit with its file backend, and scripted ones), and the same
 * answer as `credkit get` and `credkit explain --json` give there.
 */
import { expect } from 'chai';
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import * as credkit from 'credkit';
import type { Credential, CredentialExplanation } from 'credkit';
import { FIXTURES, ROOT, makeSandboxPerTest, putHelperOnPath, run, type Sandbox } from '../support/sandbox.js';

const PW = 'fake-lib-lookup-pw-1';
const PW2 = 'fake-lib-lookup-pw-2';
const TOKEN = 'fake-lib-lookup-token';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const auth = (user: string, pw: string) => ({ auth: b64(`${user}:${pw}`) });
const pullSecret = (auths: Record<string, unknown>) =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${b64(JSON.stringify({ auths }))}\n`;

/** The rejection of a promise (or the throw of a function), for asserting on errors. */
async function failure(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

describe('library API: getCredential / explainCredential', () => {
  let sb: Sandbox;
  let dockerConfig: string;
  let podmanAuth: string;
  makeSandboxPerTest({ CREDKIT_BACKEND: 'file' }, (made) => {
    sb = made;
    dockerConfig = join(sb.env.DOCKER_CONFIG as string, 'config.json');
    podmanAuth = join(sb.env.XDG_CONFIG_HOME as string, 'containers', 'auth.json');
  });

  it('docker: the exact registry key, with where it came from; a repository scope is not docker\'s; none is undefined', async () => {
    await writeFile(dockerConfig, JSON.stringify({ auths: { 'quay.io': auth('alice', PW), 'quay.io/org': auth('bob', PW2) } }));
    const got: Credential | undefined = await credkit.getCredential('quay.io/org/app:1', { env: sb.env });
    expect(got).to.deep.equal({ username: 'alice', password: PW, serverURL: 'quay.io', source: { file: dockerConfig, key: 'quay.io' } });
    // as: 'docker' is the default.
    expect(await credkit.getCredential('quay.io/org/app:1', { env: sb.env, as: 'docker' })).to.deep.equal(got);
    expect(await credkit.getCredential('ghcr.io/org/app', { env: sb.env })).to.equal(undefined);
  });

  it('docker: an identity token is { identityToken }, for the server URL docker names Docker Hub by', async () => {
    await writeFile(dockerConfig, JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('robot:'), identitytoken: TOKEN } } }));
    const got = await credkit.getCredential('nginx', { env: sb.env });
    expect(got).to.deep.equal({ identityToken: TOKEN, serverURL: 'https://index.docker.io/v1/', source: { file: dockerConfig, key: 'https://index.docker.io/v1/' } });
  });

  it('podman: containers/image\'s files and scoped keys; authfile replaces its first file, relative to cwd', async () => {
    await writeFile(dockerConfig, JSON.stringify({ auths: { 'quay.io': auth('alice', PW) } }));
    await mkdir(join(sb.env.XDG_CONFIG_HOME as string, 'containers'), { recursive: true });
    await writeFile(podmanAuth, JSON.stringify({ auths: { 'quay.io/org': auth('bob', PW2) } }));
    // With DOCKER_CONFIG set, podman would read its config.json first: without it, ~/.docker's is read third.
    delete sb.env.DOCKER_CONFIG;
    expect(await credkit.getCredential('quay.io/org/app', { env: sb.env, as: 'podman' })).to.deep.equal({
      username: 'bob',
      password: PW2,
      serverURL: 'quay.io',
      source: { file: podmanAuth, key: 'quay.io/org' },
    });
    // The scoped key is not for another repository: the search goes on to docker's file.
    expect(await credkit.getCredential('quay.io/other/app', { env: sb.env, as: 'podman' })).to.deep.include({ username: 'alice', source: { file: dockerConfig, key: 'quay.io' } });
    await writeFile(join(sb.home, 'ci-auth.json'), JSON.stringify({ auths: { 'quay.io': auth('carol', PW) } }));
    const named = await credkit.getCredential('quay.io/org/app', { env: sb.env, as: 'podman', cwd: sb.home, authfile: 'ci-auth.json' });
    expect(named).to.deep.include({ username: 'carol', source: { file: join(sb.home, 'ci-auth.json'), key: 'quay.io' } });
    // podman pull refuses a missing --authfile: an IoError naming the option, not a CLI flag.
    const missing = await failure(credkit.getCredential('quay.io/org/app', { env: sb.env, as: 'podman', cwd: sb.home, authfile: 'nope.json' }));
    expect(missing).to.be.instanceOf(credkit.IoError);
    expect([missing.code, missing.message]).to.deep.equal(['IO', 'authfile "nope.json": no such file (podman and buildah refuse a missing --authfile)']);
    const nope = join(sb.home, 'nope.json');
    const cli = await sb.credkit(['get', 'quay.io/org/app', '--as', 'podman', '--authfile', nope]);
    expect([cli.code, cli.stderr]).to.deep.equal([1, `credkit: --authfile ${nope}: no such file (podman and buildah refuse a missing --authfile)\n`]);
  });

  it('home and env move every default file: HOME in env is the home directory unless home is given', async () => {
    const other = join(sb.home, 'other-home');
    await mkdir(join(other, '.docker'), { recursive: true });
    await writeFile(join(other, '.docker', 'config.json'), JSON.stringify({ auths: { 'quay.io': auth('dave', PW) } }));
    const env = { PATH: sb.env.PATH, HOME: other };
    expect(await credkit.getCredential('quay.io/x', { env })).to.deep.include({ username: 'dave' });
    expect(await credkit.getCredential('quay.io/x', { env: { PATH: sb.env.PATH }, home: other })).to.deep.include({ username: 'dave' });
    expect(await credkit.getCredential('quay.io/x', { env: sb.env })).to.equal(undefined);
  });

  it('env without HOME is the account\'s home directory, as docker and podman fall back to, not this process\'s HOME', async () => {
    // A process whose own HOME is the sandbox; the env it passes names no HOME (and no helper).
    const script = `import { explainCredential } from 'credkit';
const x = await explainCredential('quay.io/x', { env: { PATH: '/nonexistent' }, as: 'docker' });
console.log(JSON.stringify(x.clients[0].files.map((f) => f.path)));`;
    const r = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: { PATH: sb.env.PATH as string, HOME: sb.home } });
    expect(r.code, r.stderr).to.equal(0);
    expect(userInfo().homedir).to.not.equal(sb.home);
    expect(JSON.parse(r.stdout)).to.deep.equal([join(userInfo().homedir, '.docker', 'config.json')]);
  });

  it('home reaches the helpers: they run with HOME there, as a client whose home it is runs them (they ran with this process\'s HOME and read its stores)', async () => {
    // credkit's own helper with its file backend keeps its store under HOME, as pass does.
    const mine = sb.home;
    const throwaway = join(sb.home, 'throwaway');
    const helperEnv = (home: string) => ({ PATH: sb.env.PATH as string, HOME: home });
    for (const [home, username] of [[mine, 'mallory'], [throwaway, 'erin']] as const) {
      await mkdir(join(home, '.config', 'credkit'), { recursive: true });
      await writeFile(join(home, '.config', 'credkit', 'config.ini'), 'backend = file\n');
      const stored = await run(process.execPath, [join(ROOT, 'bin', 'docker-credential-credkit'), 'store'], { input: JSON.stringify({ ServerURL: 'quay.io', Username: username, Secret: PW }), env: helperEnv(home) });
      expect(stored.code, stored.stdout).to.equal(0);
    }
    await mkdir(join(throwaway, '.docker'), { recursive: true });
    await writeFile(join(throwaway, '.docker', 'config.json'), JSON.stringify({ credsStore: 'credkit' }));
    // A process whose own HOME is `mine` points home at the throwaway directory.
    const script = `import { getCredential } from 'credkit';
const c = await getCredential('quay.io/x', { home: ${JSON.stringify(throwaway)} });
console.log(c?.username);`;
    const r = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: helperEnv(mine) });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('erin\n');
    // An env with its own HOME is the environment the helpers run with, as given.
    expect(await credkit.getCredential('quay.io/x', { env: helperEnv(mine), home: throwaway })).to.deep.include({ username: 'mallory' });
  });

  it('relative DOCKER_CONFIG and REGISTRY_AUTH_FILE in env are taken from cwd, where the client would run, not this process\'s directory', async () => {
    // docker and podman open them relative to their working directory (DOCKER_CONFIG=dc docker …
    // warns about dc/config.json there; REGISTRY_AUTH_FILE=rel.json podman login --get-login reads it).
    const work = join(sb.home, 'work');
    await mkdir(join(work, 'dc'), { recursive: true });
    await writeFile(join(work, 'dc', 'config.json'), JSON.stringify({ auths: { 'quay.io': auth('frank', PW) } }));
    await writeFile(join(work, 'rel.json'), JSON.stringify({ auths: { 'quay.io': auth('grace', PW2) } }));
    const env = { ...sb.env, DOCKER_CONFIG: 'dc', REGISTRY_AUTH_FILE: 'rel.json' };
    expect(process.cwd()).to.not.equal(work);
    // The source names the file as the client does (relative), as explain shows it.
    expect(await credkit.getCredential('quay.io/x', { env, cwd: work })).to.deep.equal({ username: 'frank', password: PW, serverURL: 'quay.io', source: { file: join('dc', 'config.json'), key: 'quay.io' } });
    expect(await credkit.getCredential('quay.io/x', { env, cwd: work, as: 'podman' })).to.deep.include({ username: 'grace', source: { file: 'rel.json', key: 'quay.io' } });
  });

  it('kubelet: pull secrets as files or texts, the first match; without secrets it is a usage error', async () => {
    const file = join(sb.home, 'regcred.yaml');
    await writeFile(file, pullSecret({ 'quay.io': auth('alice', PW) }));
    const text = { text: pullSecret({ 'quay.io/org': auth('bob', PW2) }), source: 'team-secret' };
    expect(await credkit.getCredential('quay.io/org/app', { env: sb.env, as: 'kubelet', secrets: [file] })).to.deep.equal({
      username: 'alice',
      password: PW,
      serverURL: 'quay.io',
      // A pull secret is named by its file and the Secret's name.
      source: { file: `${file}#regcred`, key: 'quay.io' },
    });
    // All matches are tried, most specific key first: the explanation lists the rest.
    const both = await credkit.getCredential('quay.io/org/app', { env: sb.env, as: 'kubelet', cwd: sb.home, secrets: ['regcred.yaml', text] });
    expect(both).to.deep.include({ username: 'bob', source: { file: 'team-secret#regcred', key: 'quay.io/org' } });
    const x = await credkit.explainCredential('quay.io/org/app', { env: sb.env, as: 'kubelet', cwd: sb.home, secrets: ['regcred.yaml', text] });
    expect(x.clients[0]?.alternatives?.map((c) => c.username)).to.deep.equal(['alice']);
    const none = await failure(credkit.getCredential('quay.io/org/app', { env: sb.env, as: 'kubelet' }));
    expect(none).to.be.instanceOf(credkit.UsageError);
    expect(none.message).to.equal("kubelet uses only the pod's pull secrets: pass them as secrets");
    const unreadable = await failure(credkit.getCredential('quay.io/org/app', { env: sb.env, as: 'kubelet', secrets: [join(sb.home, 'missing.yaml')] }));
    expect(unreadable.code).to.equal('IO');
  });

  it('explainCredential as kubelet without secrets explains an anonymous pull, as credkit explain --as kubelet does (it refused); secrets for docker or podman alone are a UsageError, as --secret is (they were ignored)', async () => {
    // Without DOCKER_CONFIG, podman and skopeo read the same files: no separate skopeo explanation.
    delete sb.env.DOCKER_CONFIG;
    const x = await credkit.explainCredential('quay.io/org/app', { env: sb.env, as: 'kubelet' });
    const cli = await run(process.execPath, [join(ROOT, 'bin', 'credkit'), 'explain', 'quay.io/org/app', '--as', 'kubelet', '--json'], { env: sb.env });
    expect(cli.code, cli.stderr).to.equal(0);
    // The same answer, naming the option a library caller sets rather than the CLI's flag.
    expect(JSON.stringify(x, null, 2) + '\n').to.equal(cli.stdout.replace('(--secret)', '(secrets)'));
    expect(x.clients.map((c) => [c.client, c.outcome, c.reason])).to.deep.equal([['kubelet', 'anonymous', 'no pull secrets given (secrets); the pull is anonymous']]);
    expect((await credkit.explainCredential('quay.io/org/app', { env: sb.env, as: ['docker', 'kubelet'], secrets: [] })).clients.map((c) => c.client)).to.deep.equal(['docker', 'kubelet']);
    const text = { text: pullSecret({ 'quay.io': auth('alice', PW) }), source: 'regcred.yaml' };
    for (const as of ['docker', 'podman', ['docker', 'podman']] as const) {
      const err = await failure(credkit.explainCredential('quay.io/org/app', { env: sb.env, as, secrets: [text] }));
      expect(err).to.be.instanceOf(credkit.UsageError);
      expect(err.message).to.match(/^secrets are pull secrets for kubelet, which (docker|podman|docker and podman) never reads?: add "kubelet" to as$/);
      if (typeof as === 'string') expect(await failure(credkit.getCredential('quay.io/org/app', { env: sb.env, as, secrets: [text] }))).to.be.instanceOf(credkit.UsageError);
    }
    expect(await failure(credkit.getCredential('quay.io/org/app', { env: sb.env, secrets: [text] }))).to.be.instanceOf(credkit.UsageError);
    // Without as, kubelet is explained along with docker and podman.
    expect((await credkit.explainCredential('quay.io/org/app', { env: sb.env, secrets: [text] })).clients.map((c) => c.client)).to.deep.equal(['docker', 'podman', 'kubelet']);
  });

  it('secrets and as of the wrong shape (from JavaScript) are a UsageError that does not quote a secret\'s text', async () => {
    const text = pullSecret({ 'quay.io': auth('alice', PW) });
    for (const secrets of ['regcred.yaml', [{ text }], [{ text: Buffer.from(text), source: 'regcred.yaml' }], [null], { text, source: 's' }]) {
      const err = await failure(credkit.getCredential('quay.io/org/app', { env: sb.env, as: 'kubelet', secrets: secrets as never }));
      expect(err).to.be.instanceOf(credkit.UsageError);
      expect(err.message).to.equal('secrets must be a list of file names and { text, source } objects whose text and source are strings');
    }
    for (const as of [null, 5, { docker: true }]) {
      const err = await failure(credkit.explainCredential('quay.io/org/app', { env: sb.env, as: as as never }));
      expect([err instanceof credkit.UsageError, err.message]).to.deep.equal([true, `as must be "docker", "podman", "buildah", "skopeo" or "kubelet", not ${JSON.stringify(as)}`]);
    }
  });

  it('through a real helper: credkit\'s own docker-credential-credkit (file backend) on the PATH of env', async () => {
    await putHelperOnPath(sb);
    for (const [url, user] of [['https://index.docker.io/v1/', 'docker-user'], ['docker.io', 'podman-user']] as const) {
      const s = await sb.helper('store', `${JSON.stringify({ ServerURL: url, Username: user, Secret: PW })}\n`);
      expect(s.code, s.stdout).to.equal(0);
    }
    await writeFile(dockerConfig, JSON.stringify({ auths: { 'https://index.docker.io/v1/': {} }, credsStore: 'credkit', credHelpers: { 'docker.io': 'credkit' } }));
    expect(await credkit.getCredential('nginx', { env: sb.env })).to.deep.equal({
      username: 'docker-user',
      password: PW,
      serverURL: 'https://index.docker.io/v1/',
      source: { file: dockerConfig, key: 'credsStore', helper: 'credkit' },
    });
    expect(await credkit.getCredential('nginx', { env: sb.env, as: 'podman' })).to.deep.equal({
      username: 'podman-user',
      password: PW,
      serverURL: 'docker.io',
      source: { file: dockerConfig, key: 'credHelpers[docker.io]', helper: 'credkit' },
    });
    // Without the helper on PATH, docker sends what auths holds: the {} marker, so nothing.
    expect(await credkit.getCredential('nginx', { env: { ...sb.env, PATH: '/nonexistent' } })).to.equal(undefined);
  });

  it('a helper\'s stderr goes to onHelperStderr, and is dropped without it', async () => {
    const bin = join(sb.home, 'talkbin');
    await mkdir(bin);
    await writeFile(join(bin, 'docker-credential-talk'), `#!/bin/sh\necho "unlocking the keyring" >&2\necho '{"ServerURL":"quay.io","Username":"eve","Secret":"${PW}"}'\n`, { mode: 0o755 });
    await writeFile(dockerConfig, JSON.stringify({ credHelpers: { 'quay.io': 'talk' } }));
    const env = { ...sb.env, PATH: `${bin}:${sb.env.PATH}` };
    const said: string[] = [];
    expect(await credkit.getCredential('quay.io/x', { env, onHelperStderr: (t) => said.push(t) })).to.deep.include({ username: 'eve', password: PW });
    expect(said.join('')).to.equal('unlocking the keyring\n');
    expect(await credkit.getCredential('quay.io/x', { env })).to.deep.include({ username: 'eve' });
    // A callback that throws is the caller's bug, but it runs from a stream event: it must not
    // become an uncaught exception that ends the caller's process.
    const thrower = () => {
      throw new Error('callback failed');
    };
    expect(await credkit.getCredential('quay.io/x', { env, onHelperStderr: thrower })).to.deep.include({ username: 'eve' });
  });

  it('helpers run in cwd, as docker and podman start theirs in their own working directory', async () => {
    const bin = join(sb.home, 'wherebin');
    await mkdir(bin);
    // The helper answers with the directory it runs in as the username.
    await writeFile(join(bin, 'docker-credential-where'), `#!/bin/sh\nprintf '{"ServerURL":"quay.io","Username":"%s","Secret":"${PW}"}\\n' "$(pwd -P)"\n`, { mode: 0o755 });
    await writeFile(dockerConfig, JSON.stringify({ credHelpers: { 'quay.io': 'where' } }));
    const env = { ...sb.env, PATH: `${bin}:${sb.env.PATH}` };
    const work = join(sb.home, 'work');
    await mkdir(work);
    const here = await realpath(work);
    expect(await realpath(process.cwd())).to.not.equal(here);
    for (const as of ['docker', 'podman'] as const) {
      expect(await credkit.getCredential('quay.io/x', { env, cwd: work, as }), as).to.deep.include({ username: here, password: PW });
    }
    expect(await credkit.getCredential('quay.io/x', { env })).to.deep.include({ username: await realpath(process.cwd()) });
    // A cwd that does not exist is named as the reason the helper could not run, not the helper.
    const gone = join(sb.home, 'gone');
    const x = await credkit.explainCredential('quay.io/x', { env, cwd: gone, as: 'docker' });
    expect(x.clients[0]?.helperCalls[0]).to.deep.include({ outcome: 'failed', reason: 'cannot-run', message: `cannot run docker-credential-where for get (ENOENT); the directory it was to run in does not exist: ${gone}` });
  });

  it('a helper that does not answer is stopped after helperTimeoutMs (else credkit\'s configured timeout): a HelperError, explained as a hang', async () => {
    await writeFile(dockerConfig, JSON.stringify({ auths: { 'quay.io': auth('alice', PW) }, credHelpers: { 'quay.io': 'hangs' } }));
    const env = { ...sb.env, PATH: `${join(FIXTURES, 'helper-that-hangs')}:${sb.env.PATH}` };
    const started = Date.now();
    const err = await failure(credkit.getCredential('quay.io/x', { env, helperTimeoutMs: 300 }));
    expect(Date.now() - started).to.be.below(5000);
    expect(err).to.be.instanceOf(credkit.HelperError);
    expect(err.code).to.equal('HELPER');
    expect(err.message).to.match(/^cannot get a credential for quay\.io\/x \(docker: docker waits for helper "hangs" .* credkit stopped waiting after 0\.3 s\)$/);
    // credkit's own setting, from the env given.
    const x = await credkit.explainCredential('quay.io/x', { env: { ...env, CREDKIT_HELPER_TIMEOUT: '0.4' }, as: 'docker' });
    expect([x.clients[0]?.outcome, x.clients[0]?.helperCalls[0]?.reason]).to.deep.equal(['hang', 'timeout']);
    expect(x.clients[0]?.reason).to.match(/after 0\.4 s$/);
    // The call's message names what the caller can change, helperTimeoutMs, which replaces
    // credkit's CREDKIT_HELPER_TIMEOUT and [helpers] timeout (credkit explain names those).
    for (const options of [{ env, helperTimeoutMs: 300 }, { env: { ...env, CREDKIT_HELPER_TIMEOUT: '0.4' } }]) {
      const explained = await credkit.explainCredential('quay.io/x', { ...options, as: ['docker', 'podman'] });
      for (const c of explained.clients) {
        expect(c.helperCalls[0]?.message).to.match(/^docker-credential-hangs get did not finish within 0\.[34] s and was stopped \(raise helperTimeoutMs if it needs longer\)$/);
      }
    }
    const cli = await sb.credkit(['explain', 'quay.io/x', '--json'], '', { PATH: env.PATH, CREDKIT_HELPER_TIMEOUT: '0.4' });
    const [docker] = (JSON.parse(cli.stdout) as CredentialExplanation).clients;
    expect(docker?.helperCalls[0]?.message).to.equal('docker-credential-hangs get did not finish within 0.4 s and was stopped (raise CREDKIT_HELPER_TIMEOUT or [helpers] timeout if it needs longer)');
    for (const bad of [0, -1, Number.NaN, '30' as unknown as number]) {
      expect(await failure(credkit.getCredential('quay.io/x', { env, helperTimeoutMs: bad }))).to.be.instanceOf(credkit.UsageError);
    }
  });

  it('explainCredential is what credkit explain --json prints there, secrets hidden until revealed', async () => {
    await writeFile(dockerConfig, JSON.stringify({ auths: { 'quay.io': auth('alice', PW), 'quay.io/org': auth('bob', PW2) } }));
    const file = join(sb.home, 'regcred.yaml');
    await writeFile(file, pullSecret({ 'quay.io': auth('alice', PW) }));
    for (const [options, args] of [
      [{}, []],
      [{ as: 'podman' as const }, ['--as', 'podman']],
      [{ secrets: [file] }, ['--secret', file]],
    ] as const) {
      const x: CredentialExplanation = await credkit.explainCredential('quay.io/org/app:1', { env: sb.env, ...options });
      const cli = await sb.credkit(['explain', 'quay.io/org/app:1', ...args, '--json']);
      expect(cli.code, cli.stderr).to.equal(0);
      expect(`${JSON.stringify(x, null, 2)}\n`).to.equal(cli.stdout);
      expect(JSON.stringify(x).includes(PW)).to.equal(false);
    }
    const x = await credkit.explainCredential('quay.io/org/app:1', { env: sb.env, as: ['docker', 'docker'] });
    expect(x.clients.map((c) => c.client)).to.deep.equal(['docker']);
    const password = x.clients[0]?.credential?.password;
    expect(String(password)).to.equal('********');
    expect(password?.reveal()).to.equal(PW);
    expect(await failure(credkit.explainCredential('quay.io/x', { env: sb.env, as: 'crio' as never }))).to.be.instanceOf(credkit.UsageError);
  });

  it('getCredential is what credkit get prints there, and fails where it fails', async () => {
    await writeFile(dockerConfig, JSON.stringify({ auths: { 'quay.io': auth('alice', PW), 'https://index.docker.io/v1/': { identitytoken: TOKEN } } }));
    for (const image of ['quay.io/org/app', 'nginx']) {
      const got = await credkit.getCredential(image, { env: sb.env });
      const cli = await sb.credkit(['get', image]);
      expect(cli.code, cli.stderr).to.equal(0);
      const printed = JSON.parse(cli.stdout) as { ServerURL: string; Username: string; Secret: string };
      const asPrinted = got && ('identityToken' in got ? { ServerURL: got.serverURL, Username: '<token>', Secret: got.identityToken } : { ServerURL: got.serverURL, Username: got.username, Secret: got.password });
      expect(asPrinted).to.deep.equal(printed);
    }
    // podman's pull fails on a file it cannot parse (docker's would warn and go on).
    await writeFile(dockerConfig, '{"auths": ');
    const err = await failure(credkit.getCredential('quay.io/org/app', { env: sb.env, as: 'podman' }));
    const cli = await sb.credkit(['get', 'quay.io/org/app', '--as', 'podman']);
    expect(cli.code).to.equal(1);
    expect([err.code, `credkit: ${err.message}\n`]).to.deep.equal(['HELPER', cli.stderr]);
  });
});
