/**
 * `convert` and `merge --registry`: a pull secret (or auth file) for just the registries named,
 * out of a config.json whose secrets live in credsStore and credHelpers. Only what is selected is
 * materialised, so a helper of another registry that is not installed no longer stops the run; a
 * registry with no key is asked of credsStore as docker asks it; the Secret's payload is what
 * skopeo authenticates with against a real registry.
 */
import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeSandbox, putHelperOnPath, skipUnlessPrograms, type RunResult, type Sandbox } from '../support/sandbox.js';
import { APP_IMAGES, startRegistry, type Registry } from '../support/registry.js';
import { USERS, decodePullSecret, expectNoSecrets, makeConsumers, ok } from '../support/consumers.js';

const HUB_PW = 'fake-hub-registry-pw';
const QUAY_PW = 'fake-quay-org-pw';
const SECRETS = [...Object.values(USERS), HUB_PW, QUAY_PW];
const auth = (user: string, pw: string) => ({ auth: Buffer.from(`${user}:${pw}`).toString('base64') });

interface Report {
  entries: number;
  lossy: boolean;
  materialized: { key: string; helper: string }[];
  notes: { key: string; message: string }[];
  selected: { registry: string; scope: string; keys: { file: string; key: string }[]; stores: { file: string; helper: string; key: string }[] }[];
  leftOut: { file: string; key: string }[];
}

/** Stores a credential in credkit's own helper (file backend), as `docker login` with credsStore "credkit" would. */
async function login(sb: Sandbox, serverURL: string, user: string, secret: string): Promise<void> {
  const r = await sb.helper('store', `${JSON.stringify({ ServerURL: serverURL, Username: user, Secret: secret })}\n`);
  expect(r.code, r.stdout).to.equal(0);
}

describe('e2e: convert and merge --registry', () => {
  let sb: Sandbox;
  let config: string;
  let out: string;
  const credkit = (args: readonly string[]): Promise<RunResult> => sb.credkit(args);

  beforeEach(async () => {
    sb = await makeSandbox({ CREDKIT_BACKEND: 'file' });
    sb.env.CREDKIT_FILE = join(sb.home, 'credkit', 'credentials.json');
    await putHelperOnPath(sb);
    // docker login with credsStore "credkit" left a stub for ghcr.io; quay.io/org is a
    // podman-style scoped key; ECR and a WSL Desktop route name helpers this machine lacks.
    await login(sb, 'ghcr.io', 'alice', USERS.alice);
    await login(sb, 'https://index.docker.io/v1/', 'hubuser', HUB_PW);
    config = join(sb.home, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        auths: { 'ghcr.io': {}, 'quay.io/org': auth('orgbot', QUAY_PW), 'broken.example.test': {} },
        credHelpers: { '123456789012.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login', 'broken.example.test': 'desktop.exe' },
        credsStore: 'credkit',
      }),
      { mode: 0o600 },
    );
    out = join(sb.home, 'out');
    await writeFile(out, 'previous content', { mode: 0o600 });
  });
  afterEach(async () => {
    await sb?.cleanup();
  });

  it('--to secret --registry ghcr.io: a Secret with ghcr.io alone; the helpers of other registries (not installed) are never run', async () => {
    const r = await credkit(['convert', config, '--to', 'secret', '--registry', 'ghcr.io', '-o', out, '--json']);
    expectNoSecrets('convert --registry', [r], SECRETS);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.equal('');
    const report = JSON.parse(r.stdout) as Report;
    expect(report.materialized).to.deep.equal([{ key: 'ghcr.io', helper: 'credkit', file: config }]);
    expect(report.selected).to.deep.equal([{ registry: 'ghcr.io', scope: 'ghcr.io', keys: [{ file: config, key: 'ghcr.io' }], stores: [] }]);
    expect(report.leftOut.map((o) => o.key)).to.deep.equal([
      'quay.io/org',
      'broken.example.test',
      'credHelpers[123456789012.dkr.ecr.us-east-1.amazonaws.com]',
      'credHelpers[broken.example.test]',
    ]);
    const { payload } = decodePullSecret(await readFile(out, 'utf8'));
    expect(Object.keys(payload)).to.deep.equal(['auths']);
    expect(Object.keys(payload.auths ?? {})).to.deep.equal(['ghcr.io']);
    const e = payload.auths?.['ghcr.io'];
    ok(e?.username === 'alice' && e.password === USERS.alice, 'the credential the store holds for ghcr.io');

  });

  it('says on stderr what each --registry selected and how much none did (a Secret\'s payload cannot be read at a glance)', async () => {
    await login(sb, 'quay.io', 'quaybot', QUAY_PW);
    const r = await credkit(['convert', config, '--to', 'secret', '--registry', 'quay.io/org', '--registry', 'ghcr.io', '-o', out]);
    expectNoSecrets('convert --registry, text report', [r], SECRETS);
    expect([r.code, r.stdout]).to.deep.equal([0, '']);
    expect(r.stderr.split('\n').slice(0, 3)).to.deep.equal([
      'credkit: --registry quay.io/org: selected "quay.io/org"; asked credsStore "credkit" for quay.io',
      'credkit: --registry ghcr.io: selected "ghcr.io"',
      'credkit: --registry left out 1 key and 2 credHelpers routes (--json lists them)',
    ]);
  });

  it('--registry given several times keeps what each value selects, before or after the inputs', async () => {
    await login(sb, 'quay.io', 'quaybot', QUAY_PW);
    const r = await credkit(['convert', config, '--registry', 'ghcr.io', '--to', 'podman', '--materialize', '--registry', 'quay.io/org', '-o', out, '--json']);
    expectNoSecrets('convert --registry twice', [r], SECRETS);
    expect(r.code, r.stderr).to.equal(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.selected.map((s) => `${s.registry}: ${s.keys.map((k) => k.key).join(' ')}`)).to.deep.equal(['ghcr.io: ghcr.io', 'quay.io/org: quay.io/org']);
    const written = JSON.parse(await readFile(out, 'utf8')) as { auths: Record<string, unknown> };
    expect(Object.keys(written.auths).sort()).to.deep.equal(['ghcr.io', 'quay.io', 'quay.io/org']);
    // merge: the flag between inputs takes one value, and the inputs around it stay inputs.
    const other = join(sb.home, 'other.json');
    await writeFile(other, JSON.stringify({ auths: { 'gcr.io': auth('g', 'fake-gcr-pw') } }), { mode: 0o600 });
    const m = await credkit(['merge', config, '--registry', 'gcr.io', other, '--registry', 'quay.io/org', '--to', 'podman', '--no-materialize', '--allow-lossy', '-o', out]);
    expect(m.code, m.stderr).to.equal(0);
    const merged = JSON.parse(await readFile(out, 'utf8')) as { auths: Record<string, unknown> };
    expect(Object.keys(merged.auths).sort()).to.deep.equal(['gcr.io', 'quay.io/org']);
  });

  it('without --registry, every helper that is not on PATH is named at once, before any helper is asked; nothing is written', async () => {
    const r = await credkit(['convert', config, '--to', 'secret', '-o', out]);
    expectNoSecrets('convert with missing helpers', [r], SECRETS);
    expect([r.code, r.stdout]).to.deep.equal([1, '']);
    expect(r.stderr).to.equal(
      'credkit: 2 credential helpers cannot be run, so nothing was materialised or written:\n' +
        `  ${config}: key "broken.example.test": credential helper docker-credential-desktop.exe is not on PATH; it is a Windows program and cannot run on linux; point credsStore/credHelpers at a helper for this system\n` +
        `  ${config}: key "123456789012.dkr.ecr.us-east-1.amazonaws.com": credential helper docker-credential-ecr-login is not on PATH; install it or remove "ecr-login" from credsStore/credHelpers\n` +
        'install them, or leave out the registries that need them with --registry (only the registries named are materialised), or write their entries unresolved with --no-materialize\n',
    );
    expect(await readFile(out, 'utf8')).to.equal('previous content');
    // Leaving one out names the other alone; leaving both out, the run goes through.
    const one = await credkit(['convert', config, '--to', 'secret', '--registry', 'ghcr.io', '--registry', 'broken.example.test', '-o', out]);
    expect(one.code).to.equal(1);
    expect(one.stderr).to.match(/^credkit: .*config\.json: key "broken\.example\.test": credential helper docker-credential-desktop\.exe is not on PATH;.* or leave out the registries that need it with --registry/);
    expect(await readFile(out, 'utf8')).to.equal('previous content');
  });

  it('a registry with no key in the file is asked of credsStore, as docker asks it (Docker Hub by its index URL)', async () => {
    const r = await credkit(['convert', config, '--to', 'podman', '--materialize', '--registry', 'docker.io/library/nginx:1.27', '-o', out, '--json']);
    expectNoSecrets('convert --registry docker.io/…', [r], SECRETS);
    expect(r.code, r.stderr).to.equal(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.selected[0]?.stores).to.deep.equal([{ file: config, helper: 'credkit', key: 'https://index.docker.io/v1/' }]);
    expect(report.materialized.map((m) => `${m.key} ${m.helper}`)).to.deep.equal(['https://index.docker.io/v1/ credkit']);
    const written = JSON.parse(await readFile(out, 'utf8')) as { auths: Record<string, { auth: string }> };
    expect(Object.keys(written)).to.deep.equal(['auths']);
    expect(Object.keys(written.auths)).to.deep.equal(['docker.io']);
    ok(written.auths['docker.io']?.auth === auth('hubuser', HUB_PW).auth, 'the store\'s Docker Hub credential, as podman spells Hub');
  });

  it('a namespace keeps its key and the registry-wide credential a client falls back to; each --to works', async () => {
    await login(sb, 'quay.io', 'quaybot', QUAY_PW);
    for (const to of ['docker', 'podman', 'dockercfg', 'secret']) {
      const r = await credkit(['convert', config, '--to', to, '--materialize', '--registry', 'quay.io/org/app', '-o', out, '--json', '--allow-lossy']);
      expectNoSecrets(`convert --to ${to}`, [r], SECRETS);
      expect(r.code, `${to}: ${r.stderr}`).to.equal(0);
      const report = JSON.parse(r.stdout) as Report;
      // quay.io/org from the file, and quay.io, which docker asks the store for.
      expect(report.selected[0]?.keys.map((k) => k.key), to).to.deep.equal(['quay.io/org']);
      expect(report.selected[0]?.stores.map((s) => s.key), to).to.deep.equal(['quay.io']);
      expect(report.entries, to).to.equal(2);
    }
  });

  it('merge --registry: from every input, each materialised on its own', async () => {
    const other = join(sb.home, 'other.json');
    await writeFile(other, JSON.stringify({ auths: { 'ghcr.io/team': auth('bob', USERS.bob), 'gcr.io': auth('g', 'fake-gcr-pw') } }), { mode: 0o600 });
    // The flag before the inputs takes one value: the inputs stay inputs.
    const r = await credkit(['merge', '--registry', 'ghcr.io', config, other, '--to', 'podman', '--materialize', '-o', out, '--json']);
    expectNoSecrets('merge --registry', [r], SECRETS);
    expect(r.code, r.stderr).to.equal(0);
    const written = JSON.parse(await readFile(out, 'utf8')) as { auths: Record<string, unknown> };
    expect(Object.keys(written.auths)).to.deep.equal(['ghcr.io', 'ghcr.io/team']);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.leftOut.map((o) => `${o.file === other ? 'other' : 'config'} ${o.key}`)).to.include('other gcr.io');
  });

  it('a pull secret\'s glob key is selected for a registry kubelet would use it for (globs, ports, as many labels)', async () => {
    const payload = { auths: { '*.example.test': auth('wild', 'fake-wild-pw'), '*.example.test:5000/team': auth('team', 'fake-team-pw'), 'quay.io': auth('q', QUAY_PW) } };
    const secret = join(sb.home, 'secret.json');
    const manifest = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pull' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(JSON.stringify(payload)).toString('base64') } };
    await writeFile(secret, JSON.stringify(manifest), { mode: 0o600 });
    const keysOf = async (r: RunResult) => {
      expectNoSecrets('convert a pull secret --registry', [r], [...SECRETS, 'fake-wild-pw', 'fake-team-pw']);
      expect(r.code, r.stderr).to.equal(0);
      return Object.keys(decodePullSecret(await readFile(out, 'utf8')).payload.auths ?? {});
    };
    expect(await keysOf(await credkit(['convert', secret, '--to', 'secret', '--registry', 'registry.example.test', '-o', out]))).to.deep.equal(['*.example.test']);
    expect(await keysOf(await credkit(['convert', secret, '--to', 'secret', '--registry', 'registry.example.test:5000/team/app', '-o', out]))).to.deep.equal(['*.example.test:5000/team']);
    // kubelet compares ports exactly and labels one by one: neither key is for these.
    for (const other of ['registry.example.test:5001', 'a.b.example.test', 'example.test']) {
      const r = await credkit(['convert', secret, '--to', 'secret', '--registry', other, '-o', out]);
      expect([r.code, r.stderr], other).to.deep.equal([1, `credkit: --registry ${other} selects nothing: no key or credHelpers route of ${secret} is for it\n`]);
    }
  });

  it('where kubelet reads the keys, a namespace selects a key whose path is a string prefix of it (kubelet sends quay.io/org for quay.io/organization); podman\'s do not', async () => {
    const payload = { auths: { 'quay.io/org': auth('org', QUAY_PW), 'quay.io/org/': auth('slash', 'fake-slash-pw') } };
    const secret = join(sb.home, 'secret.json');
    const manifest = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pull' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(JSON.stringify(payload)).toString('base64') } };
    await writeFile(secret, JSON.stringify(manifest), { mode: 0o600 });
    const podmanFile = join(sb.home, 'auth.json');
    await writeFile(podmanFile, JSON.stringify(payload), { mode: 0o600 });
    const r = await credkit(['convert', secret, '--to', 'secret', '--registry', 'quay.io/organization', '-o', out]);
    expectNoSecrets('convert a pull secret --registry quay.io/organization', [r], [...SECRETS, 'fake-slash-pw']);
    expect(r.code, r.stderr).to.equal(0);
    // "quay.io/org/" is "/org/" to kubelet: not a prefix of /organization/….
    expect(Object.keys(decodePullSecret(await readFile(out, 'utf8')).payload.auths ?? {})).to.deep.equal(['quay.io/org']);
    // To a pull secret from podman's file, the keys become kubelet's: the same selection.
    const toSecret = await credkit(['convert', podmanFile, '--to', 'secret', '--registry', 'quay.io/organization', '-o', out]);
    expect(toSecret.code, toSecret.stderr).to.equal(0);
    expect(Object.keys(decodePullSecret(await readFile(out, 'utf8')).payload.auths ?? {})).to.deep.equal(['quay.io/org']);
    // podman reads neither key for quay.io/organization (it compares whole path components).
    const podman = await credkit(['convert', podmanFile, '--to', 'podman', '--registry', 'quay.io/organization', '-o', out]);
    expect([podman.code, podman.stderr]).to.deep.equal([1, `credkit: --registry quay.io/organization selects nothing: no key or credHelpers route of ${podmanFile} is for it\n`]);
  });

  it('a --registry that selects nothing is an error naming it; nothing is written', async () => {
    for (const [command, args] of [
      ['convert', ['--to', 'docker']],
      ['convert', ['--to', 'secret']],
      ['merge', ['--to', 'podman']],
    ] as const) {
      const r = await credkit([command, config, ...args, '--registry', 'ghcr.io', '--registry', 'nothing.example.test:5000', '-o', out]);
      expectNoSecrets(`${command} ${args.join(' ')}`, [r], SECRETS);
      expect(r.code, `${command} ${args.join(' ')}`).to.equal(1);
      expect(r.stdout).to.equal('');
      expect(r.stderr, `${command} ${args.join(' ')}`).to.match(
        args[1] !== 'secret'
          ? /^credkit: --registry nothing\.example\.test:5000 selects nothing: no key or credHelpers route of .*config\.json is for it \(a credsStore is asked for a registry no key names only when materialising: --materialize\)\n$/
          : /^credkit: --registry nothing\.example\.test:5000 selects nothing: no key or credHelpers route of .*config\.json is for it, and its credsStore "credkit" has no credential for nothing\.example\.test:5000\n$/,
      );
      expect(await readFile(out, 'utf8')).to.equal('previous content');
    }
    const json = await credkit(['convert', config, '--to', 'secret', '--registry', 'nothing.example.test', '--json']);
    expect(json.code).to.equal(1);
    expect(JSON.parse(json.stdout)).to.deep.include({ ok: false });
    expect(JSON.parse(json.stdout).error.code).to.equal('NOT_FOUND');
  });

  it('a short image name that selects nothing (nginx, library/nginx) says it was read as a registry host and what to write for Docker Hub', async () => {
    for (const [value, host, image] of [
      ['nginx', 'nginx', 'docker.io/library/nginx'],
      ['library/nginx:1.27', 'library', 'docker.io/library/nginx'],
      ['myorg/app', 'myorg', 'docker.io/myorg/app'],
    ] as const) {
      for (const to of ['docker', 'secret']) {
        const r = await credkit(['convert', config, '--to', to, '--registry', value, '-o', out]);
        expectNoSecrets(`--registry ${value} --to ${to}`, [r], SECRETS);
        expect(r.code, `--registry ${value} --to ${to}`).to.equal(1);
        expect(r.stderr, `--registry ${value} --to ${to}`).to.match(/^credkit: --registry \S+ selects nothing: /);
        expect(r.stderr.endsWith(`; "${host}" is read as a registry host (for the Docker Hub image, write ${image})\n`), `--registry ${value} --to ${to}: ${r.stderr}`).to.equal(true);
      }
    }
    // A registry host that could not be a Docker Hub image gets no such hint.
    const r = await credkit(['convert', config, '--to', 'docker', '--registry', 'localhost:5000', '-o', out]);
    expect(r.code).to.equal(1);
    expect(r.stderr.includes('Docker Hub image')).to.equal(false);
  });

  it('-o naming an input is refused with --registry (exit 2, before any helper is asked): it would delete every key left out', async () => {
    const before = await readFile(config, 'utf8');
    const other = join(sb.home, 'other.json');
    await writeFile(other, JSON.stringify({ auths: { 'gcr.io': auth('g', 'fake-gcr-pw') } }), { mode: 0o600 });
    for (const args of [
      ['convert', config, '--to', 'docker', '--registry', 'ghcr.io', '-o', config],
      ['merge', other, config, '--to', 'docker', '--registry', 'ghcr.io', '-o', join(sb.home, '.', 'config.json')],
    ]) {
      const r = await credkit(args);
      expectNoSecrets(args[0]!, [r], SECRETS);
      expect([r.code, r.stdout], args[0]).to.deep.equal([2, '']);
      expect(r.stderr, args[0]).to.match(/^credkit: -o .*config\.json is the input .*config\.json: written in place with --registry, it would lose every key and credHelpers route not selected; write to another file\n$/);
      expect(await readFile(config, 'utf8'), args[0]).to.equal(before);
    }
  });

  it('a value that names no registry is a usage error (exit 2), before anything is read or asked', async () => {
    const cases: [string, string][] = [
      ['', '--registry "": empty; give a registry as host[:port], optionally with /namespace or /namespace/repository'],
      ['nginx:1.27', '--registry "nginx:1.27": "nginx:1.27" is not a registry host[:port] (an image is named with its registry: docker.io/library/nginx:1.27 for Docker Hub\'s)'],
      ['https://quay.io/org', '--registry "https://quay.io/org": a URL with a path, which docker and podman ignore in a key; name a namespace or repository without the scheme (quay.io/org)'],
      ['oci://quay.io', '--registry "oci://quay.io": the scheme "oci://" is no registry\'s; name the registry without one (or with https://)'],
      ['quay.io/Org/App', '--registry "quay.io/Org/App": "Org/App" is not a namespace or repository (lower-case components separated by single "/")'],
    ];
    for (const [value, message] of cases) {
      const r = await credkit(['convert', join(sb.home, 'does-not-exist.json'), '--to', 'secret', '--registry', value, '-o', out]);
      expect([r.code, r.stdout, r.stderr], value).to.deep.equal([2, '', `credkit: ${message}\n`]);
    }
    const noValue = await credkit(['convert', config, '--to', 'secret', '--registry']);
    expect(noValue.code).to.equal(2);
    expect(await readFile(out, 'utf8')).to.equal('previous content');
  });

  describe('the Secret\'s payload against a real registry', () => {
    let registry: Registry | undefined;

    before(async function () {
      this.timeout(120_000);
      await skipUnlessPrograms(this, ['docker-registry', 'htpasswd', 'openssl', 'skopeo']);
      registry = await startRegistry({ users: USERS, images: APP_IMAGES });
    });
    after(async () => {
      await registry?.stop();
    });

    it('skopeo authenticates with the payload of a Secret made for the registry alone', async () => {
      const host = registry!.host;
      // No key for the registry at all: docker asks credsStore for it, and so does convert.
      await login(sb, host, 'alice', USERS.alice);
      const r = await credkit(['convert', config, '--to', 'secret', '--registry', `${host}/team/app:1`, '-o', out]);
      expectNoSecrets('convert --registry HOST', [r], SECRETS);
      expect([r.code, r.stderr]).to.deep.equal([
        0,
        `credkit: --registry ${host}/team/app:1: asked credsStore "credkit" for ${host}\ncredkit: --registry left out 3 keys and 2 credHelpers routes (--json lists them)\ncredkit: ${host}: materialised from helper "credkit"\n`,
      ]);
      const { payload } = decodePullSecret(await readFile(out, 'utf8'));
      expect(Object.keys(payload.auths ?? {})).to.deep.equal([host]);
      // What kubelet hands the runtime is the payload: skopeo reads it as an auth file.
      const authFile = join(sb.home, 'payload.json');
      await writeFile(authFile, JSON.stringify(payload), { mode: 0o600 });
      const clients = await makeConsumers(registry!, join(sb.home, 'consumers'));
      const mark = registry!.logMark();
      const res = await clients.inspect(authFile, `${host}/team/app:1`);
      expectNoSecrets('skopeo inspect', [res], SECRETS);
      expect(res.code, res.stderr.trim()).to.equal(0);
      expect(registry!.acceptedUsers(mark)).to.deep.equal(['alice']);
    });
  });
});
