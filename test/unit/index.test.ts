/**
 * The public library API, imported by the package's own name as a script would (Node resolves a
 * package's own name through its `exports`): each export does its job a little.
 */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as credkit from 'credkit';
import type { ConvertResult, Finding, ListRow, ParseOptions, ParsedInput } from 'credkit';
import { FIXTURES } from '../support/sandbox.js';

const fixture = (path: string) => readFile(join(FIXTURES, path), 'utf8');

describe('library API (import from "credkit")', () => {
  it('exports exactly the documented values', () => {
    // Every export is a promise: one added or removed here belongs in docs/library.md too.
    expect(Object.keys(credkit).sort()).to.deep.equal([
      'CredkitError',
      'ConflictError',
      'HelperError',
      'IoError',
      'NotFoundError',
      'ParseError',
      'ReadOnlyStoreError',
      'StoreUnavailableError',
      'UsageError',
      'checkAuthInput',
      'convertAuth',
      'copyCredentials',
      'convertAuthSync',
      'explainCredential',
      'getCredential',
      'isCredkitError',
      'listEntries',
      'migrateAuthFiles',
      'namespaceProblem',
      'openStore',
      'parseAuthText',
      'secretNameProblem',
    ].sort());
  });

  it('parseAuthText reads a config.json into the model', async () => {
    const parsed: ParsedInput = credkit.parseAuthText(await fixture('docker-config/everything.json'), 'config.json');
    expect(parsed.format).to.equal('docker');
    const file = parsed.files[0]!;
    expect(file.entries.map((e) => [e.key, e.username])).to.deep.include(['quay.io/team/app', 'app+robot']);
    expect([...file.credHelpers]).to.deep.equal([['gcr.io', 'gcloud']]);
  });

  it('convertAuth makes a pull secret and lists what kubelet cannot use', async () => {
    const result: ConvertResult = await credkit.convertAuth([{ text: await fixture('docker-config/everything.json'), source: 'config.json' }], { to: 'secret', name: 'ci-pull', namespace: 'ci' });
    expect(result.text).to.match(/^kind: Secret$/m);
    expect(result.text).to.match(/^ {2}name: ci-pull$/m);
    expect(result.entries).to.equal(5);
    expect(result.losses.map((l) => [l.kind, l.key])).to.deep.equal([
      ['token', 'registry.example.com:5000'],
      ['token', 'ghcr.io'],
      ['helper', 'credHelpers[gcr.io]'],
    ]);
    // The report names keys, never a secret.
    expect(JSON.stringify(result.losses).includes('fake-')).to.equal(false);
  });

  it('convertAuthSync merges with a policy, and ConflictError carries code CONFLICT', async () => {
    const a = { text: JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('alice:fake-a').toString('base64') } } }), source: 'a.json' };
    const b = { text: JSON.stringify({ auths: { 'https://quay.io': { auth: Buffer.from('bob:fake-b').toString('base64') } } }), source: 'b.json' };
    const merged = credkit.convertAuthSync([a, b], { to: 'podman', policy: 'last' });
    expect(merged.conflicts.map((c) => [c.key, c.kept.file])).to.deep.equal([['quay.io', 'b.json']]);
    expect(JSON.parse(merged.text)).to.deep.equal({ auths: { 'quay.io': { auth: Buffer.from('bob:fake-b').toString('base64') } } });
    let thrown: unknown;
    try {
      credkit.convertAuthSync([a, b], { to: 'podman', policy: 'fail' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).to.be.instanceOf(credkit.ConflictError);
    expect(credkit.isCredkitError(thrown) && thrown.code).to.equal('CONFLICT');
    // It names the library's policy, not credkit merge's --prefer.
    expect((thrown as Error).message).to.equal('1 conflicting entry; choose one with the policy "first" or "last":\n  quay.io: a.json (key "quay.io") vs b.json (key "https://quay.io")');
  });

  it('messages name the options a library caller sets, not the CLI\'s flags (which cliFlags asks for)', async () => {
    const messageOf = (fn: () => unknown): string => {
      try {
        fn();
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('expected a throw');
    };
    const list = { text: await fixture('secrets/list-of-two.yaml'), source: 'list.yaml' };
    expect(messageOf(() => credkit.convertAuthSync([list], { to: 'secret', name: 'one' }))).to.equal('the name option needs a single input Secret; this input holds several');
    expect(messageOf(() => credkit.convertAuthSync([list], { to: 'secret', name: 'one', cliFlags: true }))).to.equal('--name needs a single input Secret; this input holds several');
    const payload = Buffer.from(JSON.stringify({ 'quay.io': { auth: Buffer.from('bob:fake-pw').toString('base64') } })).toString('base64');
    const old = { text: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: robot\ntype: kubernetes.io/dockercfg\ndata:\n  .dockercfg: ${payload}\n`, source: 'old.yaml' };
    expect(credkit.convertAuthSync([old], { to: 'secret' }).notes.map((n) => n.message)).to.deep.equal([
      'changes from kubernetes.io/dockercfg to kubernetes.io/dockerconfigjson; the API server cannot change the type of an existing Secret: delete the old one before applying, give a new name, or keep the type with secretType "dockercfg"',
    ]);
    expect(credkit.convertAuthSync([old], { to: 'secret', cliFlags: true }).notes[0]!.message).to.match(/give a new --name, or keep the type with --secret-type dockercfg$/);
    const tsconfig = { text: JSON.stringify({ compilerOptions: { strict: true } }), source: 'tsconfig.json' };
    const notConfig = 'tsconfig.json: no "auths", "credHelpers" or "credsStore", so not an auth.json though from is "podman"; left untouched';
    const inPlace: ParseOptions = { from: 'podman', configOnly: true };
    expect(messageOf(() => credkit.parseAuthText(tsconfig.text, tsconfig.source, inPlace))).to.equal(notConfig);
    expect(messageOf(() => credkit.parseAuthText(tsconfig.text, tsconfig.source, { ...inPlace, cliFlags: true }))).to.match(/though --from podman says so; left untouched$/);
    expect(messageOf(() => credkit.convertAuthSync([tsconfig], { to: 'podman', from: 'podman', authFileOnly: true }))).to.equal(notConfig);
    expect(messageOf(() => credkit.convertAuthSync([tsconfig], { to: 'podman', from: 'podman', authFileOnly: true, cliFlags: true }))).to.match(/though --from podman says so; left untouched$/);
    // A Secret read as a config.json is refused, in the same terms.
    const secret = { text: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'regcred' }, type: 'kubernetes.io/dockerconfigjson', data: {} }), source: 'pull.json' };
    expect(messageOf(() => credkit.convertAuthSync([secret], { to: 'docker', from: 'docker' }))).to.equal('pull.json: a Kubernetes Secret manifest, not a config.json though from is "docker": leave from unset, or set it to "secret"');
  });

  it('checkAuthInput returns findings with stable codes', async () => {
    const findings: Finding[] = credkit.checkAuthInput({ text: await fixture('docker-config/auth-no-colon.json'), source: 'config.json', mode: 0o644 });
    expect(findings.map((f) => [f.severity, f.code, f.key])).to.deep.equal([
      ['error', 'world-readable', undefined],
      ['error', 'auth-no-colon', 'quay.io'],
    ]);
  });

  it('checkAuthInput with from docker or podman reports a JSON Kubernetes Secret as no config file, a finding rather than a throw', () => {
    const payload = Buffer.from(JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('bob:fake-pw').toString('base64') } } })).toString('base64');
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'regcred' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': payload } });
    const findings = credkit.checkAuthInput({ text, source: 'pull.json', from: 'docker' });
    expect(findings.map((f) => [f.severity, f.code, f.file, f.key, f.message])).to.deep.equal([
      ['error', 'unparseable', 'pull.json', undefined, 'a Kubernetes Secret manifest, not a config.json though from is "docker": leave from unset, or set it to "secret"'],
    ]);
    expect(credkit.checkAuthInput({ text, source: 'pull.json', from: 'podman' })[0]?.message).to.equal('a Kubernetes Secret manifest, not an auth.json though from is "podman": leave from unset, or set it to "secret"');
    // Read as what it is, it is a good pull secret.
    expect(credkit.checkAuthInput({ text, source: 'pull.json' })).to.deep.equal([]);
  });

  it('checkAuthInput with a from that does not fit a good file gives a fix that names from, not "repair the file"', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const config = JSON.stringify({ auths: { 'quay.io': { auth: b64('bob:fake-pw') } } });
    const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${b64(config)}\n`;
    const lines = `auth = ${b64('bob:fake-pw')}\nemail = bob@example.com\n`;
    const fix = (text: string, from: credkit.AuthFormat, source = 'in.json') => credkit.checkAuthInput({ text, source, from }).map((f) => [f.code, f.fix]);
    const fromIs = (format: string, what: string) => [['unparseable', `leave from unset, or set it to "${format}" (the text reads as ${what})`]];
    expect(fix(secret, 'docker')).to.deep.equal(fromIs('secret', 'Kubernetes pull secrets'));
    expect(fix(secret, 'dockercfg')).to.deep.equal(fromIs('secret', 'Kubernetes pull secrets'));
    expect(fix(config, 'dockercfg', 'config.json')).to.deep.equal(fromIs('docker', 'a docker config.json'));
    expect(fix(config, 'secret', 'auth.json')).to.deep.equal(fromIs('podman', 'a podman auth.json'));
    expect(fix(lines, 'podman')).to.deep.equal(fromIs('dockercfg', 'a legacy .dockercfg'));
    // podman refuses a mistyped "auth" that docker reads: that is the file's problem, not from's.
    const mistyped = JSON.stringify({ auths: { 'quay.io': { auth: 5 } } });
    // docker 28.2 still uses that config.json (its credHelpers and entries are sent, seen through
    // a stand-in engine, and explain-real-clients has the case): not "no tool can use it".
    expect(fix(mistyped, 'podman', 'config.json')).to.deep.equal([['unparseable', 'repair the file: podman refuses it; docker still uses it, but warns ("Error parsing config file") on every command and empties every entry on its next save (login, logout)']]);
    // One docker cannot parse either is discarded by docker; an auth.json is no file of docker's.
    expect(fix('{"auths":', 'podman', 'config.json')).to.deep.equal([['unparseable', 'repair the file; no tool can use it as is (docker discards it and overwrites it on the next login)']]);
    expect(fix(mistyped, 'podman', 'auth.json')).to.deep.equal([['unparseable', 'repair the file; no tool can use it as is']]);
    // Broken whatever from says: the file is to repair.
    expect(fix('{"auths":', 'docker')).to.deep.equal([['unparseable', 'repair the file; no tool can use it as is']]);
  });

  it('listEntries redacts secrets as credkit ls does', async () => {
    const rows: ListRow[] = credkit.listEntries(credkit.parseAuthText(await fixture('podman/scoped-keys.json'), 'auth.json').files);
    const team = rows.find((r) => r.key === 'quay.io/team')!;
    expect(team).to.deep.include({ registry: 'quay.io/team', scope: 'namespace', username: 'team+robot', password: '********', identityToken: false });
    expect(JSON.stringify(rows).includes('fake-')).to.equal(false);
  });

  it('a key written with a password (https://alice:pw@quay.io) shows it masked in every report the library returns, as the CLI prints it (it was returned whole)', async () => {
    const pw = 'fake-key-password';
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const text = JSON.stringify({ auths: { [`https://alice:${pw}@quay.io`]: { auth: b64('u:fake-p') }, [`bob:${pw}@ghcr.io`]: {} }, credHelpers: { [`carol:${pw}@r.example`]: 'pass' } });
    const rows = credkit.listEntries(credkit.parseAuthText(text, 'config.json').files);
    expect(JSON.stringify(rows).includes(pw)).to.equal(false);
    expect(rows.map((r) => r.key)).to.deep.equal(['https://alice:********@quay.io', 'bob:********@ghcr.io', 'credHelpers[carol:********@r.example]']);
    expect(rows[0]).to.deep.include({ registry: 'alice:********@quay.io', username: 'u', password: '********' });
    const findings = credkit.checkAuthInput({ text, source: 'config.json' });
    expect(JSON.stringify(findings).includes(pw)).to.equal(false);
    expect(findings.map((f) => f.key)).to.include('bob:********@ghcr.io');
    const converted = credkit.convertAuthSync([{ text, source: 'config.json' }], { to: 'secret' });
    expect(JSON.stringify({ ...converted, text: '' }).includes(pw)).to.equal(false);
    expect(converted.losses.map((l) => l.key)).to.include('bob:********@ghcr.io');
    // The written file is the file: its keys are as they were.
    expect(Buffer.from(/\.dockerconfigjson: (\S+)/.exec(converted.text)![1]!, 'base64').toString().includes(`alice:${pw}@quay.io`)).to.equal(true);
    const other = JSON.stringify({ auths: { [`https://alice:${pw}@quay.io`]: { auth: b64('v:fake-q') } } });
    let thrown: unknown;
    try {
      credkit.convertAuthSync([{ text, source: 'a.json' }, { text: other, source: 'b.json' }], { to: 'docker', policy: 'fail' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).to.be.instanceOf(credkit.ConflictError);
    expect((thrown as Error).message.includes(pw) || JSON.stringify((thrown as credkit.ConflictError).conflicts).includes(pw)).to.equal(false);
    expect((thrown as Error).message).to.include('(key "https://alice:********@quay.io")');
    // kubelet reads such a key as its host, so an explanation names it (and its serverURL).
    const explained = await credkit.explainCredential('quay.io/org/app', { env: { PATH: '' }, home: '/nonexistent', as: 'kubelet', secrets: [{ text, source: 'pull.json' }] });
    expect(JSON.stringify(explained).includes(pw)).to.equal(false);
    expect(JSON.stringify(explained)).to.include('https://alice:********@quay.io');
    expect(explained.clients[0]!.credential!.password!.reveal()).to.equal('fake-p');
  });

  it('errors are ParseError with code PARSE, naming the file and key but not the value', async () => {
    let thrown: unknown;
    try {
      credkit.convertAuthSync([{ text: await fixture('docker-config/auth-no-colon.json'), source: 'config.json' }], { to: 'podman' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).to.be.instanceOf(credkit.ParseError);
    expect(thrown).to.be.instanceOf(credkit.CredkitError);
    const err = thrown as InstanceType<typeof credkit.ParseError>;
    expect([err.code, err.file, err.key]).to.deep.equal(['PARSE', 'config.json', 'quay.io']);
    expect(err.message.includes('fake-user-no-colon')).to.equal(false);
    expect(() => credkit.convertAuthSync([], { to: 'docker' })).to.throw(credkit.UsageError);
    expect(new credkit.HelperError('x').code).to.equal('HELPER');
  });

  it('materialize without a resolver is a HelperError that names what to pass, not a CLI flag', async () => {
    let thrown: unknown;
    try {
      await credkit.convertAuth([{ text: await fixture('docker-config/credsstore-stubs.json'), source: 'config.json' }], { to: 'secret', materialize: true });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).to.be.instanceOf(credkit.HelperError);
    expect((thrown as Error).message).to.match(/ConvertOptions\.resolve/);
    expect((thrown as Error).message.includes('--')).to.equal(false);
  });

  it('registries that select nothing is a NotFoundError a caller can tell apart with instanceof, code NOT_FOUND', async () => {
    let thrown: unknown;
    try {
      credkit.convertAuthSync([{ text: await fixture('docker-config/basic.json'), source: 'config.json' }], { to: 'podman', registries: ['nothing.example.test'] });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).to.be.instanceOf(credkit.NotFoundError);
    expect(credkit.isCredkitError(thrown) && thrown.code).to.equal('NOT_FOUND');
    expect((thrown as Error).message).to.match(/^registries nothing\.example\.test selects nothing/);
  });

  it('secretNameProblem and namespaceProblem are the checks the CLI makes of --name and --namespace', () => {
    expect(credkit.secretNameProblem('regcred')).to.equal(undefined);
    expect(credkit.secretNameProblem('Reg_Cred')).to.be.a('string');
    expect(credkit.namespaceProblem('ci')).to.equal(undefined);
    expect(credkit.namespaceProblem('a.b')).to.be.a('string');
  });
});
