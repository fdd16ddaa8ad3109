/**
 * `credkit-kubelet-provider` as kubelet runs it: a CredentialProviderRequest on stdin, exactly as
 * kubelet's encoder writes it (v1 and v1beta1, with and without KEP-4412's service-account fields),
 * the provider's `args` as argv, and the response checked as kubelet's plugin.go decodes it
 * (apiVersion equal to the request's, strict fields, a valid cacheKeyType and Go duration) and
 * then matched with credkit's copy of kubelet's keyring matching (src/auth-file/lookup-kubelet.ts).
 * There is no kubelet here: these rules are upstream's source, read, not a running kubelet.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN, makeSandbox, makeSandboxPerTest, run, type RunResult, type Sandbox } from '../support/sandbox.js';
import { usePassStore } from '../support/real-helpers.js';
import { kubeletKey, mismatch } from '../../src/auth-file/lookup-kubelet.js';
import { CACHE_KEY_TYPES, parseGoDuration } from '../../src/kubelet-provider/protocol.js';

const V1 = 'credentialprovider.kubelet.k8s.io/v1';
const V1BETA1 = 'credentialprovider.kubelet.k8s.io/v1beta1';
const PW = 'fake-kubelet-provider-pw';
const HUB_PW = 'fake-kubelet-provider-hub';
const TEAM_PW = 'fake-kubelet-provider-team';
const TOKEN = 'fake-kubelet-provider-refresh-token';
const SA_TOKEN = 'fake-service-account-token';
const SECRETS = [PW, HUB_PW, TEAM_PW, TOKEN, SA_TOKEN];

/** The request as kubelet's JSON encoder writes it: TypeMeta, then the fields, then a newline. */
function kubeletRequest(apiVersion: string, image: string, serviceAccount = false): string {
  const sa = serviceAccount ? { serviceAccountToken: SA_TOKEN, serviceAccountAnnotations: { 'example.com/role': 'puller' } } : {};
  return `${JSON.stringify({ kind: 'CredentialProviderRequest', apiVersion, image, ...sa })}\n`;
}

interface Decoded {
  cacheKeyType: string;
  cacheDuration: string | undefined;
  auth: Record<string, { username: string; password: string }>;
}

/**
 * The response as kubelet reads it (plugin.go ExecPlugin, decodeResponse, provide): the apiVersion
 * must be the provider's (the request's), the decoder is strict (no unknown or repeated field),
 * the kind and group are checked, cacheKeyType must be Image, Registry or Global, cacheDuration a
 * Go duration, and auth holds username and password per match key.
 */
function decodeAsKubelet(stdout: string, apiVersion: string): Decoded {
  const value = JSON.parse(stdout) as Record<string, unknown>;
  expect(stdout.endsWith('\n') && !stdout.slice(0, -1).includes('\n'), 'one JSON line').to.equal(true);
  expect(value.apiVersion, 'apiVersion must equal the request\'s').to.equal(apiVersion);
  expect(value.kind).to.equal('CredentialProviderResponse');
  expect(Object.keys(value).every((k) => ['kind', 'apiVersion', 'cacheKeyType', 'cacheDuration', 'auth'].includes(k)), 'strict: no unknown field').to.equal(true);
  // A repeated field fails strict decoding too; JSON.parse would keep the last silently.
  for (const field of ['kind', 'apiVersion', 'cacheKeyType', 'cacheDuration', 'auth']) expect(stdout.split(`"${field}":`).length, `"${field}" once`).to.be.at.most(2);
  expect(CACHE_KEY_TYPES as readonly unknown[]).to.include(value.cacheKeyType);
  if (value.cacheDuration !== undefined) expect(parseGoDuration(value.cacheDuration as string), 'a Go duration').not.to.equal(undefined);
  const auth = (value.auth ?? {}) as Record<string, Record<string, unknown>>;
  for (const c of Object.values(auth)) {
    expect(Object.keys(c).sort()).to.deep.equal(['password', 'username']);
    expect(typeof c.username === 'string' && typeof c.password === 'string').to.equal(true);
  }
  return { cacheKeyType: value.cacheKeyType as string, cacheDuration: value.cacheDuration as string | undefined, auth: auth as Decoded['auth'] };
}

/** The response's match keys kubelet's keyring selects for `image` (BasicDockerKeyring.Add, then URLsMatch). */
function keysFor(decoded: Decoded, image: string): string[] {
  return Object.keys(decoded.auth).filter((key) => {
    const keyringKey = kubeletKey(key);
    return keyringKey !== undefined && mismatch(keyringKey, image) === undefined;
  });
}

function expectNoSecrets(r: RunResult): void {
  for (const s of SECRETS) expect(r.stderr.includes(s), `stderr holds ${s.slice(0, 12)}…`).to.equal(false);
}

function expectOneLineError(r: RunResult, code = 1): void {
  expect(r.code).to.equal(code);
  expect(r.stdout, 'stdout is only ever a response').to.equal('');
  expect(r.stderr).to.match(/^credkit-kubelet-provider: /);
  if (code === 1) expect(r.stderr.trimEnd().split('\n')).to.have.length(1);
  expectNoSecrets(r);
}

function provider(sb: Sandbox, args: readonly string[], input: string, env: Record<string, string> = {}, cwd?: string): Promise<RunResult> {
  return run(process.execPath, [BIN.kubeletProvider, ...args], { input, env: { ...sb.env, ...env }, cwd });
}

async function store(sb: Sandbox, serverURL: string, username: string, secret: string): Promise<void> {
  const r = await sb.helper('store', `${JSON.stringify({ ServerURL: serverURL, Username: username, Secret: secret })}\n`);
  expect(r.code, r.stdout).to.equal(0);
}

describe('e2e: credkit-kubelet-provider (kubelet credential provider plugin)', () => {
  describe("credkit's configured backend (file)", () => {
    let sb: Sandbox;
    makeSandboxPerTest({ CREDKIT_BACKEND: 'file' }, (made) => (sb = made));

    it('answers a v1 request with the registry credential, keyed by the registry so that kubelet selects it for that registry only', async () => {
      await store(sb, 'quay.io', 'robot', PW);
      const r = await provider(sb, [], kubeletRequest(V1, 'quay.io/org/app'));
      expect(r.code, r.stderr).to.equal(0);
      expectNoSecrets(r);
      const d = decodeAsKubelet(r.stdout, V1);
      expect(d).to.deep.equal({ cacheKeyType: 'Registry', cacheDuration: undefined, auth: { 'quay.io': { username: 'robot', password: PW } } });
      expect(keysFor(d, 'quay.io/org/app')).to.deep.equal(['quay.io']);
      // A registry-wide credential serves the registry's other images (kubelet caches it per registry)…
      expect(keysFor(d, 'quay.io/other/tool')).to.deep.equal(['quay.io']);
      // …and no other registry: a sibling host, a subdomain, another port.
      for (const other of ['quay.example.com/org/app', 'cdn.quay.io/org/app', 'quay.io:5000/org/app']) expect(keysFor(d, other), other).to.deep.equal([]);
    });

    it('answers a v1beta1 request for Docker Hub with the helper key docker uses, keyed docker.io (a direct match, not the index.docker.io fallback)', async () => {
      await store(sb, 'https://index.docker.io/v1/', 'hubuser', HUB_PW);
      await store(sb, 'docker.io', 'podman-spelling', 'fake-not-asked');
      const r = await provider(sb, ['--cache-key-type', 'Image', '--cache-duration', '1h30m'], kubeletRequest(V1BETA1, 'docker.io/library/nginx'));
      expect(r.code, r.stderr).to.equal(0);
      const d = decodeAsKubelet(r.stdout, V1BETA1);
      expect(d).to.deep.equal({ cacheKeyType: 'Image', cacheDuration: '1h30m', auth: { 'docker.io': { username: 'hubuser', password: HUB_PW } } });
      expect(keysFor(d, 'docker.io/library/nginx')).to.deep.equal(['docker.io']);
      expect(keysFor(d, 'ghcr.io/library/nginx')).to.deep.equal([]);
    });

    it("answers with the saved account CREDKIT_ACCOUNT names (kubelet passes the plugin's env:), else the plain credential", async () => {
      await store(sb, 'quay.io', 'robot', PW);
      const r0 = await sb.helper('store', `${JSON.stringify({ ServerURL: 'quay.io', Username: 'work-robot', Secret: HUB_PW })}\n`, { CREDKIT_ACCOUNT: 'work' });
      expect(r0.code, r0.stdout).to.equal(0);
      let r = await provider(sb, [], kubeletRequest(V1, 'quay.io/org/app'), { CREDKIT_ACCOUNT: 'work' });
      expect(r.code, r.stderr).to.equal(0);
      expectNoSecrets(r);
      expect(decodeAsKubelet(r.stdout, V1).auth).to.deep.equal({ 'quay.io': { username: 'work-robot', password: HUB_PW } });
      // stderr (for someone running it by hand) says which credential answered.
      expect(r.stderr).to.equal('credkit-kubelet-provider: answered for quay.io with the saved account "work" in file\n');
      r = await provider(sb, [], kubeletRequest(V1, 'quay.io/org/app'), { CREDKIT_ACCOUNT: 'home' });
      expect(decodeAsKubelet(r.stdout, V1).auth).to.deep.equal({ 'quay.io': { username: 'robot', password: PW } });
      expect(r.stderr).to.equal('credkit-kubelet-provider: answered for quay.io with its plain credential in file: the selected account "home" has none for it there\n');
      r = await provider(sb, [], kubeletRequest(V1, 'quay.io/org/app'));
      expect(decodeAsKubelet(r.stdout, V1).auth).to.deep.equal({ 'quay.io': { username: 'robot', password: PW } });
      expect(r.stderr).to.equal('');
      r = await provider(sb, [], kubeletRequest(V1, 'quay.io/org/app'), { CREDKIT_ACCOUNT: 'no/slash' });
      expectOneLineError(r);
      expect(r.stderr).to.include('CREDKIT_ACCOUNT: an account name is');
    });

    it('--from credkit is the default spelled out: the same answer and stderr as without --from, the saved account CREDKIT_ACCOUNT names included', async () => {
      // It once read credkit's store with no account selected (as copy does), so naming the
      // helper's store answered otherwise than the helper: with the plain credential.
      await store(sb, 'quay.io', 'robot', PW);
      const r0 = await sb.helper('store', `${JSON.stringify({ ServerURL: 'quay.io', Username: 'work-robot', Secret: HUB_PW })}\n`, { CREDKIT_ACCOUNT: 'work' });
      expect(r0.code, r0.stdout).to.equal(0);
      for (const env of [{}, { CREDKIT_ACCOUNT: 'work' }, { CREDKIT_ACCOUNT: 'home' }] as Record<string, string>[]) {
        const plain = await provider(sb, [], kubeletRequest(V1, 'quay.io/org/app'), env);
        const named = await provider(sb, ['--from', 'credkit'], kubeletRequest(V1, 'quay.io/org/app'), env);
        expect(plain.code, plain.stderr).to.equal(0);
        expect([named.code, named.stdout, named.stderr], JSON.stringify(env)).to.deep.equal([plain.code, plain.stdout, plain.stderr]);
      }
      const work = await provider(sb, ['--from', 'credkit'], kubeletRequest(V1, 'quay.io/org/app'), { CREDKIT_ACCOUNT: 'work' });
      expect(decodeAsKubelet(work.stdout, V1).auth).to.deep.equal({ 'quay.io': { username: 'work-robot', password: HUB_PW } });
    });

    it('accepts a request with KEP-4412 service-account fields, ignores them and never repeats the token', async () => {
      await store(sb, 'quay.io', 'robot', PW);
      const r = await provider(sb, [], kubeletRequest(V1, 'quay.io/org/app', true));
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout.includes(SA_TOKEN)).to.equal(false);
      expectNoSecrets(r);
      expect(decodeAsKubelet(r.stdout, V1).auth).to.have.keys(['quay.io']);
    });

    it('answers "no credentials" (exit 0, no auth) when the store has none, uncached so that a later login counts', async () => {
      await store(sb, 'quay.io', 'robot', PW);
      const r = await provider(sb, ['--cache-duration', '1h'], kubeletRequest(V1, 'ghcr.io/org/app'));
      expect(r.code, r.stderr).to.equal(0);
      const d = decodeAsKubelet(r.stdout, V1);
      expect(d).to.deep.equal({ cacheKeyType: 'Registry', cacheDuration: '0s', auth: {} });
      expect(r.stderr).to.include('no credential for ghcr.io in file');
    });

    it('refuses an identity token, which the response cannot carry, in one line for kubelet\'s log', async () => {
      await store(sb, 'ghcr.io', '<token>', TOKEN);
      const r = await provider(sb, [], kubeletRequest(V1, 'ghcr.io/org/app'));
      expectOneLineError(r);
      expect(r.stderr).to.include('is an identity token').and.include('username and password only');
    });

    const badRequests: [string, string, RegExp][] = [
      ['not JSON', `{"kind":"CredentialProviderRequest","serviceAccountToken":"${SA_TOKEN}"`, /not JSON/],
      ['another kind', JSON.stringify({ kind: 'ExecCredential', apiVersion: V1, image: 'quay.io/a', serviceAccountToken: SA_TOKEN }), /expected kind "CredentialProviderRequest"/],
      ['another apiVersion', kubeletRequest('credentialprovider.kubelet.k8s.io/v2', 'quay.io/a', true), /unsupported apiVersion/],
      ['no image', JSON.stringify({ kind: 'CredentialProviderRequest', apiVersion: V1, serviceAccountToken: SA_TOKEN }), /names no image/],
      ['an image that is no reference', kubeletRequest(V1, 'quay.io/Org/App'), /lowercase/],
      ['nothing at all', '', /empty/],
      // kubelet logs the line: an escape sequence in the pod spec's image must not reach a log viewer.
      ['an image holding an escape sequence', kubeletRequest(V1, 'quay.io/a\u001b[31mred'), /"quay\.io\/a\\x1b\[31mred" is not a valid image reference/],
    ];
    for (const [what, input, message] of badRequests) {
      it(`a request with ${what}: a one-line error, exit 1, nothing on stdout, no token`, async () => {
        await store(sb, 'quay.io', 'robot', PW);
        const r = await provider(sb, [], input);
        expectOneLineError(r);
        expect(r.stderr).to.match(message);
        expect(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(r.stderr)).to.equal(false);
      });
    }

    it('bad args (the provider config) are a usage error, exit 2, before any store is read', async () => {
      const r = await provider(sb, ['--cache-duration', '10'], kubeletRequest(V1, 'quay.io/org/app'), { CREDKIT_BACKEND: 'no-such-backend' });
      expectOneLineError(r, 2);
      expect(r.stderr).to.include('not a Go duration').and.include('Usage: credkit-kubelet-provider');
    });

    it('an unknown --from is a usage error (exit 2, as every bad argument) listing the store names --from takes (those of credkit copy --from)', async () => {
      const r = await provider(sb, ['--from', 'kechain'], kubeletRequest(V1, 'quay.io/org/app'));
      expectOneLineError(r, 2);
      expect(r.stderr.split('\n')[0]).to.equal(
        'credkit-kubelet-provider: unknown credkit backend "kechain" in --from (choose one of: auto, keychain, keyutils, pass, file, env, credkit, helper:NAME, authfile:PATH)',
      );
      expect(r.stderr).to.include('Usage: credkit-kubelet-provider');
    });

    it('a store that cannot be opened fails the run (kubelet logs it and caches nothing)', async () => {
      const r = await provider(sb, [], kubeletRequest(V1, 'quay.io/org/app'), { CREDKIT_BACKEND: 'no-such-backend' });
      expectOneLineError(r);
      expect(r.stderr).to.include('unknown credkit backend "no-such-backend"');
    });
  });

  describe("credkit's configured store with [routes] (no --from)", () => {
    let sb: Sandbox;
    const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
    const ECR_PW = 'fake-kubelet-provider-ecr';
    makeSandboxPerTest({}, async (made) => {
      sb = made;
      const bin = join(sb.home, 'bin');
      await mkdir(bin);
      // A stand-in for docker-credential-ecr-login: one credential for whatever ECR host it is asked.
      await writeFile(
        join(bin, 'docker-credential-ecr-login'),
        `#!/bin/sh\n[ "$1" = get ] || exit 1\nurl=$(cat)\ncase "$url" in 999999999999.*) echo 'credentials not found in native keychain'; exit 1;; esac\nprintf '{"ServerURL":"%s","Username":"AWS","Secret":"${ECR_PW}"}\\n' "$url"\n`,
        { mode: 0o755 },
      );
      sb.env.PATH = `${bin}:${sb.env.PATH}`;
      const dir = join(sb.env.XDG_CONFIG_HOME as string, 'credkit');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'config.ini'), 'backend = file\n[routes]\n*.dkr.ecr.*.amazonaws.com = helper:ecr-login\n');
      await store(sb, 'quay.io', 'robot', PW);
    });

    it('asks the store config.ini routes the registry to, as the helper does', async () => {
      const r = await provider(sb, [], kubeletRequest(V1, `${ECR}/team/app`));
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout.includes(ECR_PW) && !r.stderr.includes(ECR_PW)).to.equal(true);
      const d = decodeAsKubelet(r.stdout, V1);
      expect(d.auth).to.deep.equal({ [ECR]: { username: 'AWS', password: ECR_PW } });
      expect(keysFor(d, `${ECR}/team/app`)).to.deep.equal([ECR]);
    });

    it('--from credkit follows the routes too (it names this store; any other --from names one store)', async () => {
      const r = await provider(sb, ['--from', 'credkit'], kubeletRequest(V1, `${ECR}/team/app`));
      expect(r.code, r.stderr).to.equal(0);
      expect(decodeAsKubelet(r.stdout, V1).auth).to.deep.equal({ [ECR]: { username: 'AWS', password: ECR_PW } });
      const quay = await provider(sb, ['--from', 'credkit'], kubeletRequest(V1, 'quay.io/org/app'));
      expect(decodeAsKubelet(quay.stdout, V1).auth).to.deep.equal({ 'quay.io': { username: 'robot', password: PW } });
    });

    it('asks the configured backend for a registry no route matches', async () => {
      let r = await provider(sb, [], kubeletRequest(V1, 'quay.io/org/app'));
      expect(r.code, r.stderr).to.equal(0);
      expect(decodeAsKubelet(r.stdout, V1).auth).to.deep.equal({ 'quay.io': { username: 'robot', password: PW } });
      r = await provider(sb, [], kubeletRequest(V1, 'ghcr.io/org/app'));
      expect(decodeAsKubelet(r.stdout, V1).auth).to.deep.equal({});
      expect(r.stderr).to.include('no credential for ghcr.io in file');
    });

    it('names the routed store when it has no credential for the registry (with a saved account selected too)', async () => {
      for (const env of [{}, { CREDKIT_ACCOUNT: 'work' }] as Record<string, string>[]) {
        const r = await provider(sb, [], kubeletRequest(V1, '999999999999.dkr.ecr.eu-west-1.amazonaws.com/app'), env);
        expect(r.code, r.stderr).to.equal(0);
        expect(decodeAsKubelet(r.stdout, V1)).to.deep.equal({ cacheKeyType: 'Registry', cacheDuration: '0s', auth: {} });
        expect(r.stderr).to.include('no credential for 999999999999.dkr.ecr.eu-west-1.amazonaws.com in helper:ecr-login');
      }
    });
  });

  describe('--from authfile:PATH', () => {
    let sb: Sandbox;
    let file: string;
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    makeSandboxPerTest({}, async (made) => {
      sb = made;
      file = join(sb.home, 'config.json');
      const auths = {
        'https://index.docker.io/v1/': { auth: b64(`hubuser:${HUB_PW}`) },
        'https://quay.io': { auth: b64(`robot:${PW}`) },
        'quay.io/team': { auth: b64(`team-robot:${TEAM_PW}`) },
        'registry.example.test:5000': { auth: b64(`local:${PW}`) },
      };
      await writeFile(file, JSON.stringify({ auths }), { mode: 0o600 });
    });

    it('a namespace key of the file is used for its images, keyed by the image and cached per image', async () => {
      const r = await provider(sb, ['--from', `authfile:${file}`], kubeletRequest(V1, 'quay.io/team/app'));
      expect(r.code, r.stderr).to.equal(0);
      const d = decodeAsKubelet(r.stdout, V1);
      expect(d).to.deep.equal({ cacheKeyType: 'Image', cacheDuration: undefined, auth: { 'quay.io/team/app': { username: 'team-robot', password: TEAM_PW } } });
      expect(keysFor(d, 'quay.io/team/app')).to.deep.equal(['quay.io/team/app']);
      expect(keysFor(d, 'quay.io/other/app')).to.deep.equal([]);
    });

    it("the registry-wide key (any spelling) serves the registry's other images, cached per image while the file scopes some of them", async () => {
      const r = await provider(sb, [`--from=authfile:${file}`], kubeletRequest(V1, 'quay.io/teamwork/app'));
      expect(r.code, r.stderr).to.equal(0);
      const d = decodeAsKubelet(r.stdout, V1);
      expect(d).to.deep.equal({ cacheKeyType: 'Image', cacheDuration: undefined, auth: { 'quay.io': { username: 'robot', password: PW } } });
      expect(keysFor(d, 'quay.io/teamwork/app')).to.deep.equal(['quay.io']);
    });

    it('Docker Hub and a registry with a port', async () => {
      let r = await provider(sb, ['--from', `authfile:${file}`], kubeletRequest(V1, 'docker.io/library/nginx'));
      let d = decodeAsKubelet(r.stdout, V1);
      expect(d.auth).to.deep.equal({ 'docker.io': { username: 'hubuser', password: HUB_PW } });
      expect(d.cacheKeyType).to.equal('Registry');
      r = await provider(sb, ['--from', `authfile:${file}`], kubeletRequest(V1, 'registry.example.test:5000/app'));
      d = decodeAsKubelet(r.stdout, V1);
      expect(d.auth).to.have.keys(['registry.example.test:5000']);
      expect(keysFor(d, 'registry.example.test:5000/app')).to.deep.equal(['registry.example.test:5000']);
      expect(keysFor(d, 'registry.example.test/app')).to.deep.equal([]);
      expectNoSecrets(r);
    });

    it("a config.json whose credential for the registry lives in a helper (credsStore marker, credHelpers) fails the run, naming the helper, instead of a silent none", async () => {
      const stubbed = join(sb.home, 'stubbed.json');
      const doc = {
        auths: { 'ghcr.io': {}, 'https://quay.io': { auth: b64(`robot:${PW}`) } },
        credsStore: 'desktop',
        credHelpers: { 'registry.example.test': 'ecr-login' },
      };
      await writeFile(stubbed, JSON.stringify(doc), { mode: 0o600 });
      let r = await provider(sb, ['--from', `authfile:${stubbed}`], kubeletRequest(V1, 'ghcr.io/org/app'));
      expectOneLineError(r);
      expect(r.stderr).to.include('docker-credential-desktop').and.include('--from helper:desktop');
      r = await provider(sb, ['--from', `authfile:${stubbed}`], kubeletRequest(V1, 'registry.example.test/app'));
      expectOneLineError(r);
      expect(r.stderr).to.include('credHelpers["registry.example.test"]').and.include('--from helper:ecr-login');
      // What the file holds itself is still served, and a registry it says nothing of is "none".
      r = await provider(sb, ['--from', `authfile:${stubbed}`], kubeletRequest(V1, 'quay.io/org/app'));
      expect(r.code, r.stderr).to.equal(0);
      expect(decodeAsKubelet(r.stdout, V1).auth).to.deep.equal({ 'quay.io': { username: 'robot', password: PW } });
      r = await provider(sb, ['--from', `authfile:${stubbed}`], kubeletRequest(V1, 'registry.other.test/app'));
      expect(r.code, r.stderr).to.equal(0);
      expect(decodeAsKubelet(r.stdout, V1).auth).to.deep.equal({});
    });

    it('a relative path is a usage error: kubelet runs the plugin in its own working directory, not where it was tried', async () => {
      // The file is there in the directory the provider runs in here; under kubelet it would not be.
      await writeFile(join(sb.home, 'relative.json'), JSON.stringify({ auths: { 'quay.io': { auth: b64(`robot:${PW}`) } } }), { mode: 0o600 });
      const r = await provider(sb, ['--from', 'authfile:relative.json'], kubeletRequest(V1, 'quay.io/team/app'), {}, sb.home);
      expectOneLineError(r, 2);
      expect(r.stderr).to.include('"authfile:relative.json": give authfile: an absolute path');
    });

    it('a file that is not there fails the run, naming it (kubelet logs a failure; it does not log "no credentials")', async () => {
      const missing = join(sb.home, 'missing.json');
      const r = await provider(sb, ['--from', `authfile:${missing}`], kubeletRequest(V1, 'quay.io/team/app'));
      expectOneLineError(r);
      expect(r.stderr).to.include(`${missing}: no such file`);
    });
  });

  describe('--from helper:NAME as a node has it', () => {
    let sb: Sandbox;
    let binDir: string;
    makeSandboxPerTest({}, async (made) => {
      sb = made;
      binDir = join(sb.home, 'bin');
      await mkdir(binDir);
      // Hangs as a helper waiting on a locked keyring or a dead network does; its pid is kept so
      // that the test can tell whether anything stopped it.
      await writeFile(join(binDir, 'docker-credential-hangs'), '#!/bin/sh\necho $$ > "$HOME/hangs.pid"\nexec sleep 600\n', { mode: 0o755 });
    });

    const hangingPid = async (): Promise<number> => Number((await readFile(join(sb.home, 'hangs.pid'), 'utf8')).trim());
    // A zombie has stopped: only its parent (init, once the plugin is gone) can reap it.
    const isRunning = (pid: number): boolean => {
      try {
        return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };

    it("a helper that is not on kubelet's PATH fails the run, saying that PATH is kubelet's and how to set it", async () => {
      const path = `${binDir}:/usr/bin:/bin`;
      const r = await provider(sb, ['--from', 'helper:ecr-login'], kubeletRequest(V1, '123456789012.dkr.ecr.us-east-1.amazonaws.com/app'), { PATH: path });
      expectOneLineError(r);
      expect(r.stderr).to.include('docker-credential-ecr-login (named by --from helper:ecr-login) is not on the PATH kubelet runs plugins with');
      expect(r.stderr).to.include(`(${path})`).and.include("set PATH in this provider's env");
      // credkit's own settings are not where this helper was named.
      expect(r.stderr.includes('CREDKIT_BACKEND')).to.equal(false);
    });

    it("stops a helper that hangs well before kubelet's one-minute kill, even when helpers.timeout is longer, and stops the helper too", async function () {
      this.timeout(90_000);
      this.slow(60_000);
      const started = Date.now();
      // As kubelet runs it: killed (SIGKILL, the plugin only) when the minute is up.
      const r = await run(process.execPath, [BIN.kubeletProvider, '--from', 'helper:hangs'], {
        input: kubeletRequest(V1, 'quay.io/org/app'),
        env: { ...sb.env, PATH: `${binDir}:${sb.env.PATH}`, CREDKIT_HELPER_TIMEOUT: '120' },
        timeoutMs: 60_000,
      });
      const pid = await hangingPid();
      const leftRunning = isRunning(pid);
      if (leftRunning) process.kill(pid, 'SIGKILL');
      expect(r.signal, 'kubelet would have killed the plugin').to.equal(null);
      expect(Date.now() - started).to.be.below(50_000);
      expectOneLineError(r);
      expect(r.stderr).to.include('docker-credential-hangs get did not finish within 45 s and was stopped (45 s is as long as credkit-kubelet-provider waits').and.include('kubelet stops a plugin after 60 s');
      // Raising the timeout would not help: the plugin's own cap cut it short.
      expect(r.stderr.includes('raise CREDKIT_HELPER_TIMEOUT'), 'advised raising the timeout').to.equal(false);
      expect(leftRunning, 'the helper was left running').to.equal(false);
    });
  });

  describe('--from helper:pass (the real docker-credential-pass)', () => {
    const pass = usePassStore(['docker-credential-pass']);
    let sb: Sandbox;

    before(async () => {
      sb = await makeSandbox(pass.env);
      const r = await run('docker-credential-pass', ['store'], { input: `${JSON.stringify({ ServerURL: 'quay.io', Username: 'pass-robot', Secret: PW })}\n`, env: sb.env });
      expect(r.code, r.stdout).to.equal(0);
    });
    after(async () => {
      await sb?.cleanup();
    });

    it('serves what docker-credential-pass holds for the registry', async () => {
      const r = await provider(sb, ['--from', 'helper:pass'], kubeletRequest(V1, 'quay.io/org/app'));
      expect(r.code, r.stderr).to.equal(0);
      expectNoSecrets(r);
      const d = decodeAsKubelet(r.stdout, V1);
      expect(d.auth).to.deep.equal({ 'quay.io': { username: 'pass-robot', password: PW } });
      expect(keysFor(d, 'quay.io/org/app')).to.deep.equal(['quay.io']);
    });

    it("answers no credentials for a registry the helper does not know (its not-found message is not an error)", async () => {
      const r = await provider(sb, ['--from', 'helper:pass'], kubeletRequest(V1, 'ghcr.io/org/app'));
      expect(r.code, r.stderr).to.equal(0);
      expect(decodeAsKubelet(r.stdout, V1).auth).to.deep.equal({});
    });
  });
});
