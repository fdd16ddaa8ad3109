/**
 * Pull secrets as the real kubectl makes and reads them, with no API server: what
 * `kubectl create secret … --dry-run=client -o yaml|json` prints is read by credkit with the
 * right credential and no findings kubectl's own output does not deserve, and what credkit writes
 * is read back by kubectl. Offline, kubectl decodes a manifest (documents, a List, each object's
 * metadata) only in its `--local` commands (`kubectl label --local -f`); `create`/`apply
 * --dry-run=client` ask the server for its API first. Its go-template `base64decode` is Go's
 * strict base64 decoder, so the data values are checked as the API server decodes them.
 * KUBECTL=/path/to/kubectl runs the suite against another kubectl than the one on PATH.
 */
import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeSandboxPerTest, run, skipUnlessPrograms, type Sandbox } from '../support/sandbox.js';

const KUBECTL = process.env.KUBECTL ?? 'kubectl';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

/** Characters Go escapes in JSON (`<>&`) and a `:` after the first, which only `auth` splits at. */
const PASSWORD = 'fake-kubectl-p<a>&ss:word';
const OTHER_PASSWORD = 'fake-kubectl-other';

interface LsEntry {
  registry: string;
  key: string;
  username?: string;
  file: string;
}
interface CheckReport {
  findings: Array<{ code: string; severity: string; message: string; key?: string; fix: string }>;
}

describe('e2e: pull secrets with the real kubectl (no API server)', function () {
  let sb: Sandbox;

  before(async function () {
    if (process.env.KUBECTL === undefined) await skipUnlessPrograms(this, ['kubectl']);
  });
  makeSandboxPerTest({}, (s) => (sb = s));

  /** kubectl in the sandbox, with a kubeconfig that does not exist: no cluster is ever asked. */
  async function kubectl(args: readonly string[], input?: string) {
    const r = await run(KUBECTL, args, { input, env: { ...sb.env, KUBECONFIG: join(sb.home, 'no-kubeconfig') } });
    // kubectl's errors may quote the manifest (a template error prints the object): only the code.
    expect(r.code, `kubectl ${args[0]} ${args[1] ?? ''} exit code`).to.equal(0);
    return r.stdout;
  }

  /** `kubectl create secret docker-registry regcred …` with a made-up password. */
  function createDockerRegistry(output: 'yaml' | 'json', server?: string) {
    const args = ['create', 'secret', 'docker-registry', 'regcred', '--docker-username=robot', `--docker-password=${PASSWORD}`, '--docker-email=robot@example.com', '--dry-run=client', '-o', output];
    // kubectl takes the password in argv by design; it is a made-up one.
    if (server !== undefined) args.splice(4, 0, `--docker-server=${server}`);
    return kubectl(args);
  }

  /** The `auth` of each entry of a config.json or auth.json, decoded (compared as booleans, never printed). */
  function decodedAuths(text: string): Record<string, string> {
    const auths = (JSON.parse(text) as { auths: Record<string, { auth?: string }> }).auths;
    return Object.fromEntries(Object.entries(auths).map(([k, v]) => [k, unb64(v.auth ?? '')]));
  }

  for (const output of ['yaml', 'json'] as const) {
    it(`reads kubectl create secret docker-registry -o ${output} (stdin and file): ls, check and convert --to docker|podman`, async () => {
      const manifest = await createDockerRegistry(output, 'quay.io');
      // From a file written as a user would keep it (0600), and piped as `kubectl … | credkit … -`.
      const file = join(sb.home, `regcred.${output}`);
      await writeFile(file, manifest, { mode: 0o600 });
      for (const [operand, input] of [[file, ''], ['-', manifest]] as const) {
        const ls = await sb.credkit(['ls', operand, '--json'], input);
        expect(ls.code).to.equal(0);
        expect(ls.stdout.includes(PASSWORD)).to.equal(false);
        const entries = (JSON.parse(ls.stdout) as { entries: LsEntry[] }).entries;
        expect(entries.map((e) => [e.registry, e.key, e.username])).to.deep.equal([['quay.io', 'quay.io', 'robot']]);
        expect(entries[0]?.file).to.equal(`${operand}#regcred`);

        const check = await sb.credkit(['check', operand, '--json'], input);
        expect(check.stdout.includes(PASSWORD)).to.equal(false);
        expect((JSON.parse(check.stdout) as CheckReport).findings).to.deep.equal([]);
        expect(check.code).to.equal(0);

        for (const to of ['docker', 'podman'] as const) {
          const converted = await sb.credkit(['convert', operand, '--to', to], input);
          expect(converted.code, converted.stderr).to.equal(0);
          expect(converted.stderr).to.equal('');
          const auths = decodedAuths(converted.stdout);
          expect(Object.keys(auths)).to.deep.equal(['quay.io']);
          expect(auths['quay.io'] === `robot:${PASSWORD}`, 'the credential kubectl wrote').to.equal(true);
        }
      }
    });
  }

  it("reads kubectl's default server as Docker Hub, written in each target's spelling", async () => {
    const manifest = await createDockerRegistry('yaml');
    const ls = await sb.credkit(['ls', '-', '--json'], manifest);
    expect((JSON.parse(ls.stdout) as { entries: LsEntry[] }).entries.map((e) => [e.registry, e.key])).to.deep.equal([['docker.io', 'https://index.docker.io/v1/']]);
    const docker = await sb.credkit(['convert', '-', '--to', 'docker'], manifest);
    const podman = await sb.credkit(['convert', '-', '--to', 'podman'], manifest);
    expect(Object.keys(decodedAuths(docker.stdout))).to.deep.equal(['https://index.docker.io/v1/']);
    expect(Object.keys(decodedAuths(podman.stdout))).to.deep.equal(['docker.io']);
    expect(decodedAuths(podman.stdout)['docker.io'] === `robot:${PASSWORD}`).to.equal(true);
    // Written back as a Secret, the payload is the one kubectl made, byte for byte.
    const secret = await sb.credkit(['convert', '-', '--to', 'secret', '--format', 'json'], manifest);
    const payload = (o: string) => (JSON.parse(o) as { data: Record<string, string> }).data['.dockerconfigjson'];
    const fromKubectl = await createDockerRegistry('json');
    expect(payload(secret.stdout) === payload(fromKubectl)).to.equal(true);
  });

  /** A config.json (docker's own layout) and a legacy .dockercfg, both written by credkit. */
  async function credkitFiles() {
    const input = join(sb.home, 'in.json');
    await writeFile(input, JSON.stringify({ auths: { 'quay.io': { auth: b64(`robot:${PASSWORD}`) }, 'registry.example.com:5000/team': { auth: b64(`ci:${OTHER_PASSWORD}`) } } }), { mode: 0o600 });
    const config = join(sb.home, 'config.json');
    const dockercfg = join(sb.home, 'dockercfg');
    for (const [to, out] of [['docker', config], ['dockercfg', dockercfg]] as const) {
      // .dockercfg has no scopes: the report says so, and the file is still written.
      const r = await sb.credkit(['convert', input, '--to', to, '-o', out, '--allow-lossy']);
      expect(r.code, r.stderr).to.equal(0);
    }
    return { config, dockercfg };
  }

  for (const [type, key, to] of [
    ['kubernetes.io/dockerconfigjson', '.dockerconfigjson', 'docker'],
    ['kubernetes.io/dockercfg', '.dockercfg', 'dockercfg'],
  ] as const) {
    it(`round-trips kubectl create secret generic --from-file=${key}=F --type=${type} of a file credkit wrote`, async () => {
      const files = await credkitFiles();
      const source = to === 'docker' ? files.config : files.dockercfg;
      const manifest = await kubectl(['create', 'secret', 'generic', 'gen', `--from-file=${key}=${source}`, `--type=${type}`, '--dry-run=client', '-o', 'yaml']);
      const check = await sb.credkit(['check', '-', '--json'], manifest);
      expect((JSON.parse(check.stdout) as CheckReport).findings).to.deep.equal([]);
      // kubectl copies the file byte for byte; credkit writes it back the same (the scoped key is
      // again the loss it was when the file was written: kubelet honours its path, docker does not).
      const out = join(sb.home, 'back');
      const back = await sb.credkit(['convert', '-', '--to', to, '-o', out, '--allow-lossy'], manifest);
      expect(back.code, back.stderr).to.equal(0);
      expect((await readFile(out)).equals(await readFile(source)), 'the same bytes').to.equal(true);
    });
  }

  it('says what is wrong with kubectl create secret generic --from-file=config.json (no key name, kubernetes/kubectl#1439) and without --type', async () => {
    const { config } = await credkitFiles();
    const cases = [
      // The data key becomes the file's name: the API server refuses it, kubelet reads nothing.
      { args: [`--from-file=${config}`, '--type=kubernetes.io/dockerconfigjson'], key: 'data[.dockerconfigjson]', message: /its one data key is "config\.json", as kubectl create secret generic --from-file=config\.json names it after the file/, fix: /--from-file=\.dockerconfigjson=config\.json --type=kubernetes\.io\/dockerconfigjson/ },
      // No --type: an Opaque Secret, which kubelet ignores in imagePullSecrets.
      { args: [`--from-file=.dockerconfigjson=${config}`], key: 'type', message: /it has a \.dockerconfigjson key, but kubelet ignores a Secret of this type/, fix: /--type=kubernetes\.io\/dockerconfigjson/ },
    ];
    for (const c of cases) {
      const manifest = await kubectl(['create', 'secret', 'generic', 'gen', ...c.args, '--dry-run=client', '-o', 'yaml']);
      const check = await sb.credkit(['check', '-', '--json'], manifest);
      expect(check.stdout.includes(PASSWORD)).to.equal(false);
      const findings = (JSON.parse(check.stdout) as CheckReport).findings;
      expect(findings.map((f) => [f.severity, f.code, f.key])).to.deep.equal([['error', 'secret-data-key', c.key]]);
      expect(findings[0]?.message).to.match(c.message);
      expect(findings[0]?.fix).to.match(c.fix);
      expect(check.code).to.equal(1);
      const convert = await sb.credkit(['convert', '-', '--to', 'docker'], manifest);
      expect(convert.code).to.equal(1);
      expect(convert.stderr).to.match(c.message);
      expect(convert.stdout).to.equal('');
    }
  });

  it('a Secret made without --type beside real pull secrets is the same secret-data-key mistake for check (an error), and ls, convert and explain skip it as kubelet does, saying so with the fix', async () => {
    const { config } = await credkitFiles();
    // kubelet's secretsToTrackedDockerConfigs reads .dockerconfigjson only from a Secret of that type.
    const generic = await kubectl(['create', 'secret', 'generic', 'gen', `--from-file=.dockerconfigjson=${config}`, '--dry-run=client', '-o', 'yaml']);
    const manifest = `${generic}---\n${await createDockerRegistry('yaml', 'ghcr.io')}`;
    expect((await kubectlReads(manifest)).map((o) => [o.metadata.name, o.type ?? 'Opaque'])).to.deep.equal([['gen', 'Opaque'], ['regcred', 'kubernetes.io/dockerconfigjson']]);
    const mistake = /^the Secret has no type \(so Opaque\); expected kubernetes\.io\/dockerconfigjson or kubernetes\.io\/dockercfg: it has a \.dockerconfigjson key, but kubelet ignores a Secret of this type in imagePullSecrets/;
    const fix = 'set type: kubernetes.io/dockerconfigjson (kubectl create secret generic NAME --from-file=.dockerconfigjson=FILE --type=kubernetes.io/dockerconfigjson)';
    // check: as for the Secret alone, where it was already an error.
    for (const input of [generic, manifest]) {
      const check = await sb.credkit(['check', '-', '--json'], input);
      const findings = (JSON.parse(check.stdout) as CheckReport).findings;
      expect([check.code, findings.map((f) => [f.severity, f.code, f.key, f.fix])]).to.deep.equal([1, [['error', 'secret-data-key', 'type', fix]]]);
      expect(findings[0]?.message).to.match(mistake);
    }
    // ls and convert read the pull secret, and name the skipped Secret's mistake and its fix.
    const ls = await sb.credkit(['ls', '-', '--json'], manifest);
    const listed = JSON.parse(ls.stdout) as { entries: LsEntry[]; notes: string[] };
    expect([ls.code, listed.entries.map((e) => e.registry)]).to.deep.equal([0, ['ghcr.io']]);
    expect(listed.notes).to.have.length(1);
    expect(listed.notes[0]?.startsWith('-#gen: the Secret has no type (so Opaque); ')).to.equal(true);
    expect(listed.notes[0]?.endsWith(`: skipped (fix: ${fix})`)).to.equal(true);
    const convert = await sb.credkit(['convert', '-', '--to', 'docker'], manifest);
    expect([convert.code, Object.keys(decodedAuths(convert.stdout))]).to.deep.equal([0, ['ghcr.io']]);
    expect(convert.stderr.includes(`credkit: -#gen: key "type": the Secret has no type (so Opaque); `)).to.equal(true);
    expect(convert.stderr.includes(`: skipped (fix: ${fix})`)).to.equal(true);
    const explain = await sb.credkit(['explain', 'quay.io/app', '--as', 'kubelet', '--secret', '-'], manifest);
    expect(explain.stdout.includes(`note: -#gen: the Secret has no type (so Opaque); `)).to.equal(true);
    expect(explain.stdout.includes(`(fix: ${fix})`)).to.equal(true);
    expect((ls.stdout + convert.stderr + explain.stdout).includes(PASSWORD)).to.equal(false);
  });

  it('Secrets made without --type and no pull secret among them: check reports each as secret-data-key with its fix, not one unparseable error', async () => {
    const { config, dockercfg } = await credkitFiles();
    const gen = await kubectl(['create', 'secret', 'generic', 'gen', `--from-file=.dockerconfigjson=${config}`, '--dry-run=client', '-o', 'yaml']);
    const old = await kubectl(['create', 'secret', 'generic', 'old', `--from-file=.dockercfg=${dockercfg}`, '--dry-run=client', '-o', 'yaml']);
    const manifest = `${gen}---\n${old}`;
    expect((await kubectlReads(manifest)).map((o) => [o.metadata.name, o.type ?? 'Opaque'])).to.deep.equal([['gen', 'Opaque'], ['old', 'Opaque']]);
    const check = await sb.credkit(['check', '-', '--json'], manifest);
    const findings = (JSON.parse(check.stdout) as CheckReport).findings;
    expect([check.code, findings.map((f) => [f.severity, f.code, f.key, f.fix])]).to.deep.equal([
      1,
      [
        ['error', 'secret-data-key', 'type', 'set type: kubernetes.io/dockerconfigjson (kubectl create secret generic NAME --from-file=.dockerconfigjson=FILE --type=kubernetes.io/dockerconfigjson)'],
        ['error', 'secret-data-key', 'type', 'set type: kubernetes.io/dockercfg (kubectl create secret generic NAME --from-file=.dockercfg=FILE --type=kubernetes.io/dockercfg)'],
      ],
    ]);
    // The fix, applied as kubectl would: the same manifest with the types set reads clean.
    const typed = await kubectl(['create', 'secret', 'generic', 'gen', `--from-file=.dockerconfigjson=${config}`, '--type=kubernetes.io/dockerconfigjson', '--dry-run=client', '-o', 'yaml']);
    const typedOld = await kubectl(['create', 'secret', 'generic', 'old', `--from-file=.dockercfg=${dockercfg}`, '--type=kubernetes.io/dockercfg', '--dry-run=client', '-o', 'yaml']);
    const fixed = await sb.credkit(['check', '-', '--json'], `${typed}---\n${typedOld}`);
    expect([fixed.code, (JSON.parse(fixed.stdout) as CheckReport).findings]).to.deep.equal([0, []]);
    // Commands that need a pull secret still refuse the manifest, naming the Secrets.
    const ls = await sb.credkit(['ls', '-'], manifest);
    expect(ls.code).to.equal(1);
    expect(ls.stderr).to.include("no pull secret (type kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg) among 2 Secrets: gen (Opaque, though it has a pull secret's data key: set its type)");
    expect((check.stdout + ls.stdout + ls.stderr).includes(PASSWORD)).to.equal(false);
  });

  it('reads a payload with only username and password (as written by hand) without findings, as kubelet reads those fields', async () => {
    const file = join(sb.home, 'hand.json');
    await writeFile(file, JSON.stringify({ auths: { 'quay.io': { username: 'robot', password: PASSWORD } } }), { mode: 0o600 });
    const manifest = await kubectl(['create', 'secret', 'generic', 'hand', `--from-file=.dockerconfigjson=${file}`, '--type=kubernetes.io/dockerconfigjson', '--dry-run=client', '-o', 'yaml']);
    const check = await sb.credkit(['check', '-', '--json'], manifest);
    expect((JSON.parse(check.stdout) as CheckReport).findings).to.deep.equal([]);
    expect(check.code).to.equal(0);
    const podman = await sb.credkit(['convert', '-', '--to', 'podman'], manifest);
    expect(decodedAuths(podman.stdout)['quay.io'] === `robot:${PASSWORD}`).to.equal(true);
  });

  it("says a Secret made from a config.json whose credentials are in a helper must be made again where the helper is (not from the Secret's own label)", async () => {
    // Docker Desktop's config.json: stubs and a credsStore, copied by kubectl as is.
    const file = join(sb.home, 'config.json');
    await writeFile(file, '{\n\t"auths": {\n\t\t"ghcr.io": {}\n\t},\n\t"credsStore": "desktop"\n}', { mode: 0o600 });
    const manifest = await kubectl(['create', 'secret', 'generic', 'regcred', `--from-file=.dockerconfigjson=${file}`, '--type=kubernetes.io/dockerconfigjson', '--dry-run=client', '-o', 'yaml']);
    const check = await sb.credkit(['check', '-', '--json'], manifest);
    const stub = (JSON.parse(check.stdout) as CheckReport).findings.find((f) => f.code === 'stub-in-helper');
    expect(stub?.message).to.match(/the secret is in credential helper "desktop" on the machine the config\.json came from, and kubelet runs no helper/);
    expect(stub?.fix).to.match(/^make the Secret again on that machine, from the config\.json with its helper: credkit convert ~\/\.docker\/config\.json --to secret --materialize/);
    expect(stub?.fix).to.not.include('-#regcred');
    expect(check.code).to.equal(1);
  });

  it('an unpadded "auth" in a Secret is a warning, as kubelet decodes it: the fix converts the manifest (not its FILE#name label) into a new one that kubectl reads, name, namespace and type kept', async () => {
    // The fix once said `credkit convert regcred.yaml#regcred --to docker`: no such file, and a
    // config.json is not what goes back into the cluster.
    const unpadded = b64(`robot:${PASSWORD}`).replace(/=+$/, '');
    expect(b64(`robot:${PASSWORD}`)).to.not.equal(unpadded);
    const payload = join(sb.home, 'payload.json');
    for (const [type, key, body] of [
      ['kubernetes.io/dockerconfigjson', '.dockerconfigjson', { auths: { 'quay.io': { auth: unpadded } } }],
      ['kubernetes.io/dockercfg', '.dockercfg', { 'quay.io': { auth: unpadded } }],
    ] as const) {
      await writeFile(payload, JSON.stringify(body), { mode: 0o600 });
      const made = await kubectl(['create', 'secret', 'generic', 'regcred', '--namespace', 'ci', `--from-file=${key}=${payload}`, `--type=${type}`, '--dry-run=client', '-o', 'yaml']);
      for (const immutable of [false, true]) {
        const manifest = immutable ? `${made}immutable: true\n` : made;
        const file = join(sb.home, 'regcred.yaml');
        await writeFile(file, manifest, { mode: 0o600 });
        for (const operand of [file, '-']) {
          const check = await sb.credkit(['check', operand, '--json'], operand === '-' ? manifest : '');
          const found = (JSON.parse(check.stdout) as CheckReport).findings.find((f) => f.code === 'auth-unpadded');
          // kubelet decodes unpadded base64 (RawStdEncoding): pulls work, only a config.json made of the payload breaks.
          expect([found?.severity, check.code]).to.deep.equal(['warning', 0]);
          expect(found?.message).to.match(/^"auth" lacks its "=" padding: kubelet decodes it .*; but docker and podman cannot, so the payload used as a config\.json or auth\.json .* fails in them$/);
          expect((await sb.credkit(['check', operand, '--strict'], operand === '-' ? manifest : '')).code).to.equal(1);
          const ls = await sb.credkit(['ls', operand], operand === '-' ? manifest : '');
          expect(ls.stdout).to.match(/^quay\.io +registry +robot +\*{8} /m);
          const fix = /^credkit convert (\S+) --to secret( --secret-type dockercfg)? -o NEW\.yaml \(writes padded base64, keeping the Secret's name and namespace\), then (.*)$/.exec(found?.fix ?? '');
          expect(fix, `${type} ${operand}: ${found?.fix}`).to.not.equal(null);
          expect(fix?.[1]).to.equal(operand);
          expect(Boolean(fix?.[2]), 'keeps the dockercfg type').to.equal(type === 'kubernetes.io/dockercfg');
          expect(fix?.[3]).to.equal(immutable ? 'kubectl replace --force -f NEW.yaml (the Secret is immutable: it can only be made again)' : 'kubectl apply -f NEW.yaml');
          // The fix as written, then what kubectl reads from it.
          const out = join(sb.home, 'NEW.yaml');
          const args = ['convert', operand, '--to', 'secret', ...(fix?.[2] ? ['--secret-type', 'dockercfg'] : []), '-o', out];
          const converted = await sb.credkit(args, operand === '-' ? manifest : '');
          expect(converted.code, converted.stderr).to.equal(0);
          const fixed = await readFile(out, 'utf8');
          const recheck = await sb.credkit(['check', out, '--json']);
          expect((JSON.parse(recheck.stdout) as CheckReport).findings.map((f) => f.code)).to.deep.equal([]);
          const [object] = await kubectlReads(fixed);
          expect([object?.metadata.name, object?.metadata.namespace, object?.type, (object as { immutable?: boolean } | undefined)?.immutable ?? false]).to.deep.equal(['regcred', 'ci', type, immutable]);
          const [decoded] = await kubectlPayloads(fixed, key);
          const auths = (type === 'kubernetes.io/dockercfg' ? JSON.parse(decoded ?? '{}') : (JSON.parse(decoded ?? '{}') as { auths: unknown }).auths) as Record<string, { auth: string }>;
          expect(auths['quay.io']?.auth === b64(`robot:${PASSWORD}`), 'padded auth').to.equal(true);
        }
      }
    }
  });

  it('reads base64 broken over lines as Go does: a "|" block is read, a plain value (joined with spaces) is refused as kubectl decodes it, saying why', async () => {
    const manifest = await createDockerRegistry('yaml', 'quay.io');
    const value = /\.dockerconfigjson: (\S+)/.exec(manifest)?.[1] ?? '';
    // As `base64` without -w0 writes it: 76 characters a line.
    const lines = value.match(/.{1,76}/g) ?? [];
    expect(lines.length).to.be.greaterThan(1);
    const block = manifest.replace(`.dockerconfigjson: ${value}`, `.dockerconfigjson: |\n${lines.map((l) => `    ${l}`).join('\n')}`);
    const plain = manifest.replace(`.dockerconfigjson: ${value}`, `.dockerconfigjson: ${lines.join('\n    ')}`);
    expect((await kubectlPayloads(block)).length).to.equal(1);
    const ls = await sb.credkit(['ls', '-', '--json'], block);
    expect((JSON.parse(ls.stdout) as { entries: LsEntry[] }).entries.map((e) => [e.registry, e.username])).to.deep.equal([['quay.io', 'robot']]);
    // kubectl's own decoder (Go's, as the API server's) refuses the plain value.
    const decoded = await run(KUBECTL, ['label', '--local', '-f', '-', 'x=y', '-o', 'go-template={{index .data ".dockerconfigjson" | base64decode}}'], { input: plain, env: { ...sb.env, KUBECONFIG: join(sb.home, 'no-kubeconfig') } });
    expect(decoded.stderr.includes('illegal base64 data')).to.equal(true);
    const check = await sb.credkit(['check', '-', '--json'], plain);
    const findings = (JSON.parse(check.stdout) as CheckReport).findings;
    expect(findings.map((f) => [f.code, f.key])).to.deep.equal([['unparseable', 'data[.dockerconfigjson]']]);
    expect(findings[0]?.message).to.match(/not valid padded base64: it holds spaces where its lines were broken .*; write it on one line \(base64 -w0\) or as a "\|" block/);
  });

  it('says which key a Secret whose type and data key disagree has', async () => {
    const { dockercfg } = await credkitFiles();
    // A .dockercfg payload under the other type, as a hand-edited type would leave it.
    const manifest = await kubectl(['create', 'secret', 'generic', 'gen', `--from-file=.dockercfg=${dockercfg}`, '--type=kubernetes.io/dockerconfigjson', '--dry-run=client', '-o', 'yaml']);
    const check = await sb.credkit(['check', '-', '--json'], manifest);
    const findings = (JSON.parse(check.stdout) as CheckReport).findings;
    expect(findings.map((f) => [f.code, f.key])).to.deep.equal([['secret-data-key', 'data[.dockerconfigjson]']]);
    expect(findings[0]?.message).to.match(/it has \.dockercfg, the key of type kubernetes\.io\/dockercfg/);
    expect(findings[0]?.fix).to.match(/type kubernetes\.io\/dockercfg for a \.dockercfg key, or rename the key to \.dockerconfigjson/);
  });

  type KubeObject = { kind: string; metadata: Record<string, unknown>; type: string; immutable?: boolean; data: Record<string, string> };

  /**
   * What kubectl itself makes of a manifest, offline: each object as it decodes it (kubectl prints
   * the objects of documents or a List one after another, each an indented JSON object).
   */
  async function kubectlReads(manifest: string): Promise<KubeObject[]> {
    const out = await kubectl(['label', '--local', '-f', '-', 'credkit-test=read', '-o', 'json'], manifest);
    return out.split(/^(?=\{$)/m).map((text) => JSON.parse(text) as KubeObject);
  }

  /** The payload of each Secret as kubectl decodes its data value (Go's strict base64). */
  async function kubectlPayloads(manifest: string, key = '.dockerconfigjson'): Promise<string[]> {
    // kubectl runs the template once per object, documents and List items alike.
    const template = `{{index .data "${key}" | base64decode}}{{"\\n"}}`;
    const out = await kubectl(['label', '--local', '-f', '-', 'credkit-test=read', '-o', `go-template=${template}`], manifest);
    return out.split('\n').filter((l) => l !== '');
  }

  it("writes --to secret (YAML and JSON, metadata kept) as kubectl reads it: its objects, metadata and Go's base64", async () => {
    const { config } = await credkitFiles();
    for (const format of ['yaml', 'json'] as const) {
      const made = await sb.credkit(['convert', config, '--to', 'secret', '--name', 'regcred', '--namespace', 'ci', '--format', format]);
      expect(made.code, made.stderr).to.equal(0);
      const objects = await kubectlReads(made.stdout);
      expect(objects.map((o) => [o.kind, o.metadata.name, o.metadata.namespace, o.type])).to.deep.equal([['Secret', 'regcred', 'ci', 'kubernetes.io/dockerconfigjson']]);
      const [payload] = await kubectlPayloads(made.stdout);
      const auths = decodedAuths(payload ?? '{}');
      expect(Object.keys(auths)).to.deep.equal(['quay.io', 'registry.example.com:5000/team']);
      expect(auths['quay.io'] === `robot:${PASSWORD}` && auths['registry.example.com:5000/team'] === `ci:${OTHER_PASSWORD}`).to.equal(true);
    }
  });

  it('keeps documents, a List and labels kubectl reads as YAML 1.1 (on, 0b1) as kubectl reads them', async () => {
    const a = await createDockerRegistry('yaml', 'quay.io');
    // Labels that go-yaml would read as a bool and a number unless quoted.
    const labelled = a.replace('  name: regcred', '  name: regcred\n  labels:\n    "on": "on"\n    tier: "0b1"');
    const b = (await createDockerRegistry('yaml', 'ghcr.io')).replace('name: regcred', 'name: ghcr');
    for (const [input, format] of [
      [`${labelled}---\n${b}`, 'yaml'],
      [`${labelled}---\n${b}`, 'json'],
    ] as const) {
      const made = await sb.credkit(['convert', '-', '--to', 'secret', '--format', format], input);
      expect(made.code, made.stderr).to.equal(0);
      if (format === 'yaml') expect(made.stdout).to.include('\n---\n');
      else expect((JSON.parse(made.stdout) as { kind: string }).kind).to.equal('List');
      const objects = await kubectlReads(made.stdout);
      expect(objects.map((o) => [o.metadata.name, o.metadata.labels])).to.deep.equal([
        ['regcred', { on: 'on', tier: '0b1', 'credkit-test': 'read' }],
        ['ghcr', { 'credkit-test': 'read' }],
      ]);
      const payloads = await kubectlPayloads(made.stdout);
      expect(payloads.map((p) => Object.keys(decodedAuths(p)))).to.deep.equal([['quay.io'], ['ghcr.io']]);
    }
  });

  it('merges a registry into a pull secret kubectl made, and kubectl reads the result', async () => {
    const manifest = await createDockerRegistry('yaml', 'quay.io');
    const extra = join(sb.home, 'extra.json');
    await writeFile(extra, JSON.stringify({ auths: { 'ghcr.io': { auth: b64(`bot:${OTHER_PASSWORD}`) } } }), { mode: 0o600 });
    const merged = await sb.credkit(['merge', '-', extra, '--to', 'secret'], manifest);
    expect(merged.code, merged.stderr).to.equal(0);
    expect(merged.stdout.includes(PASSWORD) || merged.stdout.includes(OTHER_PASSWORD)).to.equal(false);
    const objects = await kubectlReads(merged.stdout);
    expect(objects.map((o) => o.metadata.name)).to.deep.equal(['regcred']);
    const [payload] = await kubectlPayloads(merged.stdout);
    const auths = decodedAuths(payload ?? '{}');
    expect(Object.keys(auths)).to.deep.equal(['quay.io', 'ghcr.io']);
    expect(auths['quay.io'] === `robot:${PASSWORD}` && auths['ghcr.io'] === `bot:${OTHER_PASSWORD}`).to.equal(true);
  });

  it('keeps immutable: true when merging into a Secret, as kubectl reads it, and says the API server refuses the change', async () => {
    const manifest = `${await createDockerRegistry('yaml', 'quay.io')}immutable: true\n`;
    const extra = join(sb.home, 'extra.json');
    await writeFile(extra, JSON.stringify({ auths: { 'ghcr.io': { auth: b64(`bot:${OTHER_PASSWORD}`) } } }), { mode: 0o600 });
    const merged = await sb.credkit(['merge', '-', extra, '--to', 'secret'], manifest);
    expect(merged.code, merged.stderr).to.equal(0);
    expect(merged.stderr).to.include('credkit: Secret regcred: key "immutable": the Secret is immutable, so the API server refuses any change to its data: replace it (kubectl replace --force -f');
    const objects = await kubectlReads(merged.stdout);
    expect(objects.map((o) => [o.metadata.name, o.immutable])).to.deep.equal([['regcred', true]]);
    // Converted on its own (no registry added), it stays immutable, with no note.
    const converted = await sb.credkit(['convert', '-', '--to', 'secret', '--format', 'json'], manifest);
    expect(converted.stderr).to.equal('');
    expect((await kubectlReads(converted.stdout)).map((o) => o.immutable)).to.deep.equal([true]);
  });

  it('writes --secret-type dockercfg as kubectl reads it', async () => {
    const { config } = await credkitFiles();
    const made = await sb.credkit(['convert', config, '--to', 'secret', '--secret-type', 'dockercfg', '--name', 'legacy']);
    expect(made.code, made.stderr).to.equal(0);
    const objects = await kubectlReads(made.stdout);
    expect(objects.map((o) => [o.metadata.name, o.type, Object.keys(o.data)])).to.deep.equal([['legacy', 'kubernetes.io/dockercfg', ['.dockercfg']]]);
    const [payload] = await kubectlPayloads(made.stdout, '.dockercfg');
    const entries = JSON.parse(payload ?? '{}') as Record<string, { auth: string }>;
    expect(Object.keys(entries)).to.deep.equal(['quay.io', 'registry.example.com:5000/team']);
    expect(unb64(entries['quay.io']?.auth ?? '') === `robot:${PASSWORD}`).to.equal(true);
  });
});
