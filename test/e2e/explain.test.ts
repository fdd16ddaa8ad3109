/**
 * `credkit explain` and `credkit get` through bin/credkit in a throwaway HOME: text and JSON
 * output, secrets never printed by explain, helper calls and their failures, pull secrets for
 * kubelet, exit codes.
 */
import { expect } from 'chai';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeSandbox, putHelperOnPath, run, skipUnlessPrograms, type Sandbox } from '../support/sandbox.js';

const PW = 'fake-explain-pw-1';
const PW2 = 'fake-explain-pw-2';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const auth = (user: string, pw: string) => ({ auth: b64(`${user}:${pw}`) });

describe('e2e: credkit explain / get', () => {
  let sb: Sandbox;
  let dockerConfig: string;

  beforeEach(async () => {
    sb = await makeSandbox({ CREDKIT_BACKEND: 'file' });
    await putHelperOnPath(sb);
    // docker's default ~/.docker, not named by DOCKER_CONFIG, which would set podman's first file
    // apart from skopeo's (the test at the end).
    delete sb.env.DOCKER_CONFIG;
    dockerConfig = join(sb.home, '.docker', 'config.json');
  });
  afterEach(async () => {
    await sb?.cleanup();
  });

  const noSecret = (text: string) => {
    for (const s of [PW, PW2, b64(`alice:${PW}`), b64(`bob:${PW2}`)]) expect(text.includes(s), 'a secret was printed').to.equal(false);
  };

  it('explains docker and podman by default, with files, keys and shadowed entries; no secret', async () => {
    await writeFile(dockerConfig, JSON.stringify({ auths: { 'quay.io': auth('alice', PW), 'quay.io/org': auth('bob', PW2) } }));
    const r = await sb.credkit(['explain', 'quay.io/org/app:1']);
    expect(r.code, r.stderr).to.equal(0);
    noSecret(r.stdout + r.stderr);
    expect(r.stdout).to.include('docker: docker CLI');
    expect(r.stdout).to.include('podman: containers/image');
    expect(r.stdout).to.match(/docker[^]*uses: alice \(password\)/);
    expect(r.stdout).to.match(/podman[^]*uses: bob \(password\)/);
    expect(r.stdout).to.include('docker ignores repository scopes');
    expect(r.stdout).to.include(`${join(sb.env.XDG_RUNTIME_DIR as string, 'containers', 'auth.json')} (XDG_RUNTIME_DIR): missing`);
  });

  it('an "auth" podman cannot decode: the file step names the key once, and the reason names it too', async function () {
    await skipUnlessPrograms(this, ['podman']);
    const file = join(sb.home, 'unpadded.json');
    await writeFile(file, JSON.stringify({ auths: { 'quay.io': { auth: b64(`alice:${PW}x1`).replace(/=+$/, '') } } }), { mode: 0o600 });
    // The real podman stops at it, as explain says.
    const podman = await run('podman', ['login', '--get-login', '--authfile', file, 'quay.io'], { env: sb.env });
    expect([podman.code, /illegal base64 data/.test(podman.stderr)]).to.deep.equal([125, true]);
    const r = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'podman', '--authfile', file]);
    expect(r.stdout).to.include(`1. ${file} (--authfile): error — key "quay.io": "auth" is base64 without padding (illegal base64 data)\n`);
    expect(r.stdout).to.include(`fails: the lookup fails: ${file}: key "quay.io": "auth" is base64 without padding (illegal base64 data)\n`);
    noSecret(r.stdout + r.stderr);
  });

  it('a short name: podman and buildah resolve it through registries.conf (the user\'s, which replaces the system\'s), docker and skopeo read it as Docker Hub\'s', async () => {
    await writeFile(dockerConfig, JSON.stringify({ auths: { 'docker.io': auth('alice', PW), 'quay.io/org': auth('bob', PW2) } }));
    const confDir = join(sb.home, '.config', 'containers');
    await mkdir(confDir, { recursive: true });
    await writeFile(join(confDir, 'registries.conf'), '[aliases]\n"credkit-short" = "quay.io/org/app"\n');
    const json = await sb.credkit(['explain', 'credkit-short:1', '--json']);
    expect(json.code, json.stderr).to.equal(0);
    const clients = (JSON.parse(json.stdout) as { clients: { client: string; title: string; query: string; credential?: { username: string }; notes: string[] }[] }).clients;
    expect(clients.map((c) => [c.client, c.query, c.credential?.username])).to.deep.equal([
      ['docker', 'https://index.docker.io/v1/', undefined],
      ['podman', 'quay.io/org/app', 'bob'],
      ['skopeo', 'docker.io/library/credkit-short', 'alice'],
    ]);
    expect(clients[1]!.title).to.equal('containers/image: podman, buildah (short names through registries.conf)');
    expect(clients[1]!.notes[0]).to.equal(`"credkit-short:1" is a short name: podman and buildah pull quay.io/org/app, by the short-name alias in ${join(confDir, 'registries.conf')}; docker and skopeo read it as docker.io/library/credkit-short`);
    const got = await sb.credkit(['get', 'credkit-short:1', '--as', 'buildah']);
    expect([got.code, JSON.parse(got.stdout).Username]).to.deep.equal([0, 'bob']);
    // Named with its registry, nothing is resolved.
    const named = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'podman']);
    expect(named.stdout).to.not.include('short name');
    // No alias and no unqualified-search registries: podman and buildah refuse the name.
    const none = await sb.credkit(['explain', 'credkit-unknown', '--as', 'podman']);
    expect(none.stdout).to.include('fails: podman and buildah fail before any request: short-name "credkit-unknown" did not resolve to an alias and no unqualified-search registries are defined');
    noSecret(json.stdout + json.stderr + none.stdout);
  });

  it('a registry given as a bracketed IPv6 address, with or without a port, is a registry, not an image with a tag', async () => {
    await writeFile(dockerConfig, JSON.stringify({ auths: { '[::1]:5000': auth('alice', PW) } }));
    for (const target of ['[::1]:5000', '[::1]:5000/', '[::1]:5000/a/b:v1']) {
      const r = await sb.credkit(['get', target, '--as', 'podman']);
      expect([r.code, r.stderr, JSON.parse(r.stdout || '{}').Username], target).to.deep.equal([0, '', 'alice']);
    }
    const none = await sb.credkit(['get', '[::1]', '--as', 'podman']);
    expect([none.code, none.stderr.includes('invalid tag')]).to.deep.equal([1, false]);
  });

  it('the help of explain and get, and credkit --help, name every client --as accepts', async () => {
    // They said "docker, podman or kubelet" after --as took buildah and skopeo too.
    const clients = 'docker, podman, buildah, skopeo or kubelet';
    for (const args of [['explain', '--help'], ['get', '--help'], ['--help']]) {
      const r = await sb.credkit(args);
      expect(r.code, args.join(' ')).to.equal(0);
      const text = r.stdout.replace(/\s+/g, ' ');
      if (args[0] !== 'get') expect(text, args.join(' ')).to.include(`Show which credential ${clients} uses for an image`);
      if (args[0] !== 'explain') expect(text, args.join(' ')).to.include(`Print the credential ${clients} would use for an image`);
      if (args[0] !== '--help') expect(text).to.include('"docker", "podman", "buildah", "skopeo", "kubelet"');
    }
  });

  it('--json has the same answer, secrets redacted', async () => {
    await writeFile(dockerConfig, JSON.stringify({ auths: { 'quay.io': auth('alice', PW) } }));
    const r = await sb.credkit(['explain', 'quay.io/org/app', '--json']);
    expect(r.code, r.stderr).to.equal(0);
    noSecret(r.stdout);
    const parsed = JSON.parse(r.stdout) as { image: { name: string }; clients: { client: string; outcome: string; credential: { username: string; password: string } }[] };
    expect(parsed.image.name).to.equal('quay.io/org/app');
    expect(parsed.clients.map((c) => [c.client, c.outcome, c.credential.username, c.credential.password])).to.deep.equal([
      ['docker', 'credential', 'alice', '********'],
      ['podman', 'credential', 'alice', '********'],
    ]);
  });

  it('calls the helper with the client’s server URL and reports the username it yields', async () => {
    await writeFile(dockerConfig, JSON.stringify({ auths: { 'https://index.docker.io/v1/': {} }, credsStore: 'credkit', credHelpers: { 'docker.io': 'credkit' } }));
    for (const url of ['https://index.docker.io/v1/', 'docker.io']) {
      const user = url === 'docker.io' ? 'podman-user' : 'docker-user';
      const s = await sb.helper('store', `${JSON.stringify({ ServerURL: url, Username: user, Secret: PW })}\n`);
      expect(s.code, s.stdout).to.equal(0);
    }
    const r = await sb.credkit(['explain', 'nginx', '--json']);
    expect(r.code, r.stderr).to.equal(0);
    noSecret(r.stdout);
    const parsed = JSON.parse(r.stdout) as { clients: { helperCalls: { helper: string; serverURL: string; outcome: string; username: string }[] }[] };
    expect(parsed.clients.map((c) => c.helperCalls.map((h) => `${h.helper} ${h.serverURL} ${h.outcome} ${h.username}`))).to.deep.equal([
      ['credkit https://index.docker.io/v1/ found docker-user'],
      ['credkit docker.io found podman-user'],
    ]);
  });

  it('reports a helper that is not on PATH, and one that times out', async () => {
    const bin = join(sb.home, 'slowbin');
    await mkdir(bin);
    await writeFile(join(bin, 'docker-credential-slow'), '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    await writeFile(dockerConfig, JSON.stringify({ auths: {}, credHelpers: { 'a.example.test': 'missing', 'b.example.test': 'slow' } }));
    const env = { PATH: `${bin}:${sb.env.PATH}`, CREDKIT_HELPER_TIMEOUT: '1' };
    const a = await sb.credkit(['explain', 'a.example.test/x', '--as', 'docker'], '', env);
    expect(a.code, a.stderr).to.equal(0);
    expect(a.stdout).to.match(/helper: docker-credential-missing get "a.example.test" \(credHelpers\["a.example.test"\]\) → not-on-path/);
    const b = await sb.credkit(['explain', 'b.example.test/x', '--as', 'docker', '--json'], '', env);
    const parsed = JSON.parse(b.stdout) as { clients: { helperCalls: { reason: string }[] }[] };
    expect(parsed.clients[0]?.helperCalls[0]?.reason).to.equal('timeout');
  });

  it('a helper that times out: the client would wait on it (the pull hangs), not pull anonymously; credkit says how long it waited', async () => {
    const bin = join(sb.home, 'slowbin');
    await mkdir(bin);
    await writeFile(join(bin, 'docker-credential-slow'), '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    // A plaintext entry beside it: docker never gets to it, it waits for the helper.
    await writeFile(dockerConfig, JSON.stringify({ auths: { 'b.example.test': auth('alice', PW) }, credHelpers: { 'b.example.test': 'slow' } }));
    const env = { PATH: `${bin}:${sb.env.PATH}`, CREDKIT_HELPER_TIMEOUT: '1' };
    const text = await sb.credkit(['explain', 'b.example.test/x'], '', env);
    expect(text.code, text.stderr).to.equal(0);
    noSecret(text.stdout + text.stderr);
    expect(text.stdout).to.include('  hangs: docker waits for helper "slow" (credHelpers["b.example.test"]) with no time limit, so the pull hangs until the helper answers or is stopped; credkit stopped waiting after 1 s\n');
    expect(text.stdout).to.include('  hangs: podman, skopeo and buildah wait for helper "slow" with no time limit, so the pull hangs until the helper answers or is stopped; credkit stopped waiting after 1 s\n');
    expect(text.stdout).not.to.match(/anonymous|uses: alice/);
    const json = await sb.credkit(['explain', 'b.example.test/x', '--json'], '', env);
    const parsed = JSON.parse(json.stdout) as { clients: { client: string; outcome: string }[] };
    expect(parsed.clients.map((c) => `${c.client} ${c.outcome}`)).to.deep.equal(['docker hang', 'podman hang']);
    const got = await sb.credkit(['get', 'b.example.test/x'], '', env);
    expect(got.code).to.equal(1);
    expect(got.stdout).to.equal('');
    expect(got.stderr).to.include('pull hangs').and.include('credkit stopped waiting after 1 s');
  });

  it('kubelet with --secret: every match in order, Hub fallback', async () => {
    const payload = JSON.stringify({ auths: { 'quay.io': auth('alice', PW), 'quay.io/org': auth('bob', PW2), 'https://index.docker.io/v1/': auth('hub', PW) } });
    const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${b64(payload)}\n`;
    const file = join(sb.home, 'secret.yaml');
    await writeFile(file, secret);
    const r = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'kubelet', '--secret', file]);
    expect(r.code, r.stderr).to.equal(0);
    noSecret(r.stdout);
    expect(r.stdout).to.match(/uses: bob \(password\)[^]*then tries: alice \(password\)/);
    const hub = await sb.credkit(['explain', 'nginx', '--as', 'kubelet', '--secret', file, '--json']);
    const parsed = JSON.parse(hub.stdout) as { clients: { credential: { username: string } }[] };
    expect(parsed.clients[0]?.credential.username).to.equal('hub');
    // Default --as with a secret: docker, podman and kubelet.
    const all = await sb.credkit(['explain', 'nginx', '--secret', file, '--json']);
    expect((JSON.parse(all.stdout) as { clients: { client: string }[] }).clients.map((c) => c.client)).to.deep.equal(['docker', 'podman', 'kubelet']);
  });

  it('kubelet with --secret: two spellings of one registry in a secret are tried in random order, in text and --json', async () => {
    const payload = JSON.stringify({ auths: { 'https://quay.io': auth('alice', PW), 'quay.io': auth('bob', PW2) } });
    const file = join(sb.home, 'spellings.json');
    await writeFile(file, JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'regcred' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(payload) } }));
    const r = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'kubelet', '--secret', file]);
    expect(r.code, r.stderr).to.equal(0);
    noSecret(r.stdout);
    expect(r.stdout).to.include('uses: alice (password) from ').and.include('key "https://quay.io" (random order among keys "https://quay.io", "quay.io")');
    expect(r.stdout).to.include('then tries: bob (password) from ').and.include('key "quay.io" (random order among keys "https://quay.io", "quay.io")');
    expect(r.stdout).to.include('changes from pull to pull');
    const json = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'kubelet', '--secret', file, '--json']);
    const parsed = JSON.parse(json.stdout) as { clients: { randomOrder: unknown }[] };
    expect(parsed.clients[0]?.randomOrder).to.deep.equal([{ file: `${file}#regcred`, keyringKey: 'quay.io', keys: ['https://quay.io', 'quay.io'] }]);
  });

  it('kubelet with --secret: a stream of JSON Secrets (as `jq -c .items[]` writes, and kubectl reads) is every Secret in it', async () => {
    const secret = (name: string, auths: Record<string, unknown>) => JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) } });
    const file = join(sb.home, 'secrets.json');
    await writeFile(file, `${secret('one', { 'quay.io': auth('alice', PW) })}\n${secret('two', { 'quay.io/org': auth('bob', PW2) })}\n`);
    const r = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'kubelet', '--secret', file]);
    expect(r.code, r.stderr).to.equal(0);
    noSecret(r.stdout);
    expect(r.stdout).to.match(/uses: bob \(password\)[^]*then tries: alice \(password\)/);
  });

  it('get prints helper-shaped JSON; none found is exit 1 with a reason on stderr', async () => {
    await writeFile(dockerConfig, JSON.stringify({ auths: { 'quay.io': auth('alice', PW) } }));
    const r = await sb.credkit(['get', 'quay.io/org/app']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal(`{"ServerURL":"quay.io","Username":"alice","Secret":"${PW}"}\n`);
    const none = await sb.credkit(['get', 'ghcr.io/org/app', '--as', 'podman']);
    expect(none.code).to.equal(1);
    expect(none.stdout).to.equal('');
    expect(none.stderr).to.match(/^credkit: no credential for ghcr\.io\/org\/app \(podman: .*\)\n$/);
  });

  it("get: when docker's helper fails, the line says so (docker pulls anonymously all the same), not just that config.json has no credential", async () => {
    // A newcomer's config.json names a helper that is not installed (or whose keychain is locked):
    // the credential is not missing, the helper is.
    await writeFile(dockerConfig, JSON.stringify({ auths: { 'quay.io': {} }, credsStore: 'missing' }));
    const stub = await sb.credkit(['get', 'quay.io/org/app']);
    expect([stub.code, stub.stdout]).to.deep.equal([1, '']);
    expect(stub.stderr).to.equal(
      'credkit: no credential for quay.io/org/app (docker: helper "missing" failed (credential helper docker-credential-missing is not on PATH; install it or remove "missing" from credsStore/credHelpers), which docker pull ignores (docker login would fail), and key "quay.io" holds no credential; docker pulls anonymously)\n',
    );
    const none = await sb.credkit(['get', 'ghcr.io/org/app']);
    expect(none.code).to.equal(1);
    expect(none.stderr).to.match(/^credkit: no credential for ghcr\.io\/org\/app \(docker: helper "missing" failed \(credential helper docker-credential-missing is not on PATH; .*\), which docker pull ignores \(docker login would fail\), and there is no entry for ghcr\.io in config\.json; docker pulls anonymously\)\n$/);
    // A credential in auths is what docker sends then: used, with the failure as a note.
    await writeFile(dockerConfig, JSON.stringify({ auths: { 'quay.io': auth('alice', PW) }, credsStore: 'missing' }));
    const sent = await sb.credkit(['get', 'quay.io/org/app']);
    expect([sent.code, sent.stdout]).to.deep.equal([0, `{"ServerURL":"quay.io","Username":"alice","Secret":"${PW}"}\n`]);
    const x = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'docker']);
    noSecret(x.stdout + x.stderr);
    expect(x.stdout).to.include('  note: helper "missing" failed (credential helper docker-credential-missing is not on PATH; install it or remove "missing" from credsStore/credHelpers); docker pull ignores that and sends what auths holds for "quay.io" (docker login would fail)\n');
  });

  it('get --as kubelet --secret prints the credential kubelet tries first, from files and standard input; none is exit 1 as for the others', async () => {
    const pull = (auths: Record<string, unknown>) =>
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${b64(JSON.stringify({ auths }))}\n`;
    const file = join(sb.home, 'secret.yaml');
    await writeFile(file, pull({ 'quay.io': auth('alice', PW), 'https://index.docker.io/v1/': auth('hub', PW) }));
    // docker's own file has another credential: kubelet never reads it.
    await writeFile(dockerConfig, JSON.stringify({ auths: { 'quay.io': auth('carol', PW2) } }));
    const r = await sb.credkit(['get', 'quay.io/org/app', '--as', 'kubelet', '--secret', file]);
    expect([r.code, r.stdout, r.stderr]).to.deep.equal([0, `{"ServerURL":"quay.io","Username":"alice","Secret":"${PW}"}\n`, '']);
    // The more specific key of a second secret, given on stdin, comes first; the Hub fallback for nginx.
    const stdin = await sb.credkit(['get', 'quay.io/org/app', '--as', 'kubelet', '--secret', file, '--secret', '-'], pull({ 'quay.io/org': auth('bob', PW2) }));
    expect([stdin.code, stdin.stdout]).to.deep.equal([0, `{"ServerURL":"quay.io/org","Username":"bob","Secret":"${PW2}"}\n`]);
    const hub = await sb.credkit(['get', 'nginx', '--as', 'kubelet', '--secret', file]);
    expect([hub.code, hub.stdout]).to.deep.equal([0, `{"ServerURL":"https://index.docker.io/v1/","Username":"hub","Secret":"${PW}"}\n`]);
    const none = await sb.credkit(['get', 'ghcr.io/org/app', '--as', 'kubelet', '--secret', file]);
    expect([none.code, none.stdout, none.stderr]).to.deep.equal([1, '', 'credkit: no credential for ghcr.io/org/app (kubelet: no key matches the image; the pull is anonymous)\n']);
    // A bad auth fails kubelet's whole secret, so the pull fails: exit 1, no secret printed.
    const broken = join(sb.home, 'broken.yaml');
    await writeFile(broken, pull({ 'quay.io': { auth: `${b64(`alice:${PW}`)}!` } }));
    const fails = await sb.credkit(['get', 'quay.io/org/app', '--as', 'kubelet', '--secret', broken]);
    expect([fails.code, fails.stdout]).to.deep.equal([1, '']);
    expect(fails.stderr).to.match(/^credkit: cannot get a credential for quay\.io\/org\/app \(kubelet: .*\)\n$/);
    noSecret(fails.stderr);
    // kubelet gives up on all the pod's pull secrets at the first it cannot decode: a good secret
    // beside it (before or after) is not used, and explain says so rather than "no-match".
    for (const order of [[file, broken], [broken, file, broken]]) {
      const x = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'kubelet', '--json', ...order.flatMap((f) => ['--secret', f])]);
      const files = (JSON.parse(x.stdout) as { clients: { outcome: string; files: { path: string; status: string }[] }[] }).clients[0]!;
      expect(files.outcome).to.equal('error');
      expect(files.files.map((f) => f.status)).to.deep.equal(order.map((f, i) => (f === broken && order.indexOf(broken) === i ? 'error' : 'not-reached')));
    }
    const missing = await sb.credkit(['get', 'quay.io/org/app', '--as', 'kubelet', '--secret', join(sb.home, 'nope.yaml')]);
    expect([missing.code, missing.stderr]).to.deep.equal([1, `credkit: ${join(sb.home, 'nope.yaml')}: no such file\n`]);
  });

  it('get --as kubelet without --secret, and --secret without --as kubelet, are usage errors', async () => {
    const file = join(sb.home, 'secret.json');
    await writeFile(file, JSON.stringify({ auths: { 'quay.io': auth('alice', PW) } }));
    const bare = await sb.credkit(['get', 'quay.io/org/app', '--as', 'kubelet']);
    expect([bare.code, bare.stdout, bare.stderr]).to.deep.equal([2, '', "credkit: --as kubelet needs --secret FILE: kubelet uses only the pod's pull secrets\n"]);
    for (const as of [[], ['--as', 'podman']]) {
      const stray = await sb.credkit(['get', 'quay.io/org/app', ...as, '--secret', file]);
      expect([stray.code, stray.stdout, stray.stderr]).to.deep.equal([2, '', `credkit: --secret is a pull secret for kubelet, which ${as[1] ?? 'docker'} never reads: add --as kubelet\n`]);
    }
  });

  it('explain --secret with --as naming no kubelet is a usage error, as for get; without --as, kubelet is explained with docker and podman', async () => {
    const file = join(sb.home, 'secret.json');
    await writeFile(file, JSON.stringify({ auths: { 'quay.io': auth('alice', PW) } }));
    for (const [as, names] of [[['--as', 'docker'], 'docker never reads'], [['--as', 'podman', '--as', 'docker'], 'podman and docker never read']] as const) {
      const r = await sb.credkit(['explain', 'quay.io/org/app', ...as, '--secret', file]);
      expect([r.code, r.stdout, r.stderr], as.join(' ')).to.deep.equal([2, '', `credkit: --secret is a pull secret for kubelet, which ${names}: add --as kubelet\n`]);
    }
    const json = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'docker', '--secret', file, '--json']);
    expect([json.code, JSON.parse(json.stdout).error.code]).to.deep.equal([2, 'USAGE']);
    const all = await sb.credkit(['explain', 'quay.io/org/app', '--secret', file, '--json']);
    expect(all.code, all.stderr).to.equal(0);
    expect((JSON.parse(all.stdout) as { clients: { client: string }[] }).clients.map((c) => c.client)).to.deep.equal(['docker', 'podman', 'kubelet']);
    const asked = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'podman', '--as', 'kubelet', '--secret', file, '--json']);
    expect((JSON.parse(asked.stdout) as { clients: { client: string }[] }).clients.map((c) => c.client)).to.deep.equal(['podman', 'kubelet']);
  });

  it('a missing --authfile is an error (exit 1) for explain and get, as podman and buildah refuse it', async () => {
    const missing = join(sb.home, 'missing-auth.json');
    for (const args of [['explain', 'quay.io/org/app'], ['explain', 'quay.io/org/app', '--json'], ['get', 'quay.io/org/app', '--as', 'podman']]) {
      const r = await sb.credkit([...args, '--authfile', missing]);
      expect(r.code, args.join(' ')).to.equal(1);
      expect(r.stderr).to.include(`credkit: --authfile ${missing}: no such file`);
    }
  });

  it('REGISTRY_AUTH_FILE naming no file fails the podman section, as real podman pull and buildah pull fail, and leaves docker\'s alone', async function () {
    await skipUnlessPrograms(this, ['podman', 'buildah']);
    const missing = join(sb.home, 'missing-auth.json');
    await writeFile(dockerConfig, JSON.stringify({ auths: { 'localhost:1': auth('alice', PW) } }));
    const env = { REGISTRY_AUTH_FILE: missing };
    // Both stat the file before resolving the image or reading any other auth file.
    for (const client of ['podman', 'buildah']) {
      const pulled = await run(client, ['pull', 'localhost:1/org/app'], { env: { ...sb.env, ...env } });
      expect(pulled.code, client).to.not.equal(0);
      expect(pulled.stderr, client).to.include(`stat ${missing}: no such file or directory`);
    }
    const r = await sb.credkit(['explain', 'localhost:1/org/app', '--json'], '', env);
    expect(r.code, r.stderr).to.equal(0);
    const clients = (JSON.parse(r.stdout) as { clients: { client: string; outcome: string; reason: string; files: { path: string; status: string }[] }[] }).clients;
    expect(clients.map((c) => [c.client, c.outcome])).to.deep.equal([['docker', 'credential'], ['podman', 'error']]);
    expect(clients[1]!.files[0]).to.deep.include({ path: missing, status: 'error' });
    const get = await sb.credkit(['get', 'localhost:1/org/app', '--as', 'podman'], '', env);
    expect(get.code).to.equal(1);
    expect(get.stderr).to.include('REGISTRY_AUTH_FILE names a file that does not exist');
    expect((await sb.credkit(['get', 'localhost:1/org/app', '--as', 'docker'], '', env)).code).to.equal(0);
  });

  it('files after the one that stops the lookup say "not-reached" once, with what reading them would have done', async () => {
    const missing = join(sb.home, 'missing-auth.json');
    await writeFile(dockerConfig, '{"auths": ');
    const r = await sb.credkit(['explain', 'localhost:1/org/app', '--as', 'podman'], '', { REGISTRY_AUTH_FILE: missing });
    const lines = r.stdout.split('\n').filter((l) => l.includes(': not-reached'));
    expect(lines.length, r.stdout).to.be.greaterThan(0);
    expect(lines.some((l) => l.includes('not reached')), r.stdout).to.equal(false);
    // The broken config.json is named for what it would do, not as a second "not reached".
    expect(lines.find((l) => l.includes(dockerConfig)), r.stdout).to.match(/: not-reached — it would fail: /);
  });

  it('--authfile=~/FILE (which the shell leaves alone) is the file in the home directory, for explain and get as for login', async () => {
    await writeFile(join(sb.home, 'ci-auth.json'), JSON.stringify({ auths: { 'quay.io': auth('alice', PW) } }));
    const get = await sb.credkit(['get', 'quay.io/org/app', '--as', 'podman', '--authfile=~/ci-auth.json']);
    expect(get.code, get.stderr).to.equal(0);
    expect((JSON.parse(get.stdout) as { Username: string }).Username).to.equal('alice');
    const r = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'podman', '--json', '--authfile=~/ci-auth.json']);
    expect(r.code, r.stderr).to.equal(0);
    const x = (JSON.parse(r.stdout) as { clients: { files: { path: string; status: string }[] }[] }).clients[0]!;
    expect(x.files[0]).to.deep.include({ path: join(sb.home, 'ci-auth.json'), status: 'matched' });
    noSecret(r.stdout + r.stderr);
  });

  it('DOCKER_CONFIG set: explain shows podman and buildah reading its config.json first and skopeo the runtime auth.json, and get answers for each', async () => {
    // What podman 4.3.1, buildah 1.28.2 and skopeo 1.9.3 send (explain-real-clients.test.ts checks it against them).
    const dc = join(sb.home, 'dc');
    await mkdir(dc);
    const runtime = join(sb.env.XDG_RUNTIME_DIR as string, 'containers', 'auth.json');
    await mkdir(join(runtime, '..'));
    await writeFile(runtime, JSON.stringify({ auths: { 'quay.io': auth('alice', PW) } }));
    await writeFile(join(dc, 'config.json'), JSON.stringify({ auths: { 'quay.io': auth('bob', PW2) } }));
    const env = { DOCKER_CONFIG: dc };
    const r = await sb.credkit(['explain', 'quay.io/org/app'], '', env);
    expect(r.code, r.stderr).to.equal(0);
    noSecret(r.stdout + r.stderr);
    const sections = r.stdout.split('\n\n');
    const podman = sections.find((t) => t.startsWith('podman: ')) ?? '';
    const skopeo = sections.find((t) => t.startsWith('skopeo: ')) ?? '';
    expect(podman, r.stdout).to.include('podman: containers/image: podman, buildah (and skopeo login)');
    expect(podman).to.include(`1. ${join(dc, 'config.json')} (DOCKER_CONFIG): matched`);
    expect(podman).to.include('uses: bob (password)');
    // The runtime auth.json is in none of podman's numbered files: its note says podman never reads it.
    expect(podman.split('\n').some((l) => /^ {4}\d+\. /.test(l) && l.includes(runtime)), podman).to.equal(false);
    expect(podman).to.include(`never read ${runtime}`);
    expect(skopeo, r.stdout).to.include('skopeo: containers/image: skopeo inspect, copy');
    expect(skopeo).to.include(`1. ${runtime} (XDG_RUNTIME_DIR): matched`);
    expect(skopeo).to.include('uses: alice (password)');
    const user = async (as: string, extra: Record<string, string> = env) => {
      const got = await sb.credkit(['get', 'quay.io/org/app', '--as', as], '', extra);
      expect(got.code, got.stderr).to.equal(0);
      return (JSON.parse(got.stdout) as { Username: string }).Username;
    };
    expect([await user('podman'), await user('skopeo'), await user('docker')]).to.deep.equal(['bob', 'alice', 'bob']);
    // Without its config.json, podman and buildah refuse to start the pull; skopeo still reads the runtime file.
    await rm(join(dc, 'config.json'));
    const failed = await sb.credkit(['get', 'quay.io/org/app', '--as', 'podman'], '', env);
    expect([failed.code, failed.stdout]).to.deep.equal([1, '']);
    expect(failed.stderr).to.include(`DOCKER_CONFIG is set, so podman and buildah take ${join(dc, 'config.json')} as their --authfile, and it does not exist`);
    expect(await user('skopeo')).to.equal('alice');
  });

  it('usage errors exit 2', async () => {
    expect((await sb.credkit(['explain'])).code).to.equal(2);
    expect((await sb.credkit(['explain', 'nginx', '--as', 'crio'])).code).to.equal(2);
    const bad = await sb.credkit(['get', 'quay.io/Org/App']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include('lowercase');
  });
});
