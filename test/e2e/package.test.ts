/**
 * The package as npm ships it: `npm pack` of the built checkout, unpacked into a throwaway project
 * whose node_modules links the checkout's dependencies (no registry), imported by name with plain
 * node, and type-checked as a TypeScript consumer under node16 and bundler resolution.
 */
import { expect } from 'chai';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT, run } from '../support/sandbox.js';

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** A script author's use of the API, run with plain node. */
const CONSUMER_MJS = `
import { convertAuthSync, checkAuthInput, listEntries, parseAuthText, ParseError } from 'credkit';
const text = JSON.stringify({ auths: { 'quay.io/team/app': { auth: Buffer.from('robot:fake-package-pass').toString('base64') } } });
const result = convertAuthSync([{ text, source: 'config.json' }], { to: 'docker' });
const rows = listEntries(parseAuthText(text, 'config.json').files);
const findings = checkAuthInput({ text: '{', source: 'config.json' });
let code;
try { parseAuthText('{', 'config.json'); } catch (err) { code = err instanceof ParseError && err.code; }
console.log(JSON.stringify({ losses: result.losses.map((l) => l.kind), auths: Object.keys(JSON.parse(result.text).auths), rows: rows.map((r) => [r.registry, r.password]), findings: findings.map((f) => f.code), code }));
`;

/**
 * A pulling tool's use of getCredential and explainCredential with no options: the process's own
 * environment (run with a HOME and DOCKER_CONFIG of its own) and working directory decide.
 */
const LOOKUP_MJS = `
import { getCredential, explainCredential, IoError } from 'credkit';
const docker = await getCredential('quay.io/team/app:1');
const podman = await getCredential('quay.io/team/app:1', { as: 'podman', authfile: 'ci-auth.json' });
const explained = await explainCredential('quay.io/team/app:1', { as: 'docker' });
let code;
try { await getCredential('quay.io/team/app', { as: 'podman', authfile: 'missing.json' }); } catch (err) { code = err instanceof IoError && err.code; }
console.log(JSON.stringify({ docker, podman: podman?.username, outcome: explained.clients[0].outcome, explained: JSON.stringify(explained).includes('fake-'), code }));
`;

/**
 * A one-shot migration script: credkit's file store of one home copied into another's, by stores
 * openStore opened with each home's environment, then listed and read back.
 */
const STORES_MJS = `
import { copyCredentials, openStore, UsageError } from 'credkit';
const [oldHome, newHome] = process.argv.slice(2);
const env = (home) => ({ PATH: process.env.PATH, HOME: home });
const from = await openStore('file', { env: env(oldHome) });
await from.store({ serverURL: 'quay.io', username: 'robot', password: 'fake-package-store' });
const to = await openStore('file', { env: env(newHome) });
const result = await copyCredentials(from, to);
let code;
try { await copyCredentials(from, 'env'); } catch (err) { code = err instanceof UsageError && err.code; }
console.log(JSON.stringify({ ok: result.ok, entries: result.entries.map((e) => [e.serverURL, e.action, e.status]), listed: await to.list(), got: await to.get('quay.io'), code }));
`;

/**
 * A migration script: every runner's config.json under the working directory, its plaintext
 * logins moved into credkit's file store, with a dry run first; a usage error is thrown with its code.
 */
const MIGRATE_MJS = `
import { migrateAuthFiles, openStore, UsageError } from 'credkit';
const plan = await migrateAuthFiles(['runners/*/config.json'], { intoStore: 'file', dryRun: true });
const result = await migrateAuthFiles(['runners/*/config.json'], { intoStore: 'file', backup: true });
let code;
try { await migrateAuthFiles(['runners/*/config.json'], { intoStore: 'file', to: 'podman' }); } catch (err) { code = err instanceof UsageError && err.code; }
const got = await (await openStore('file')).get('quay.io');
console.log(JSON.stringify({ plan: plan.files.map((f) => [f.file, f.status]), ok: result.ok, files: result.files.map((f) => [f.file, f.status, f.stored?.map((s) => s.key), Boolean(f.backup)]), summary: result.summary, got: got?.username, code }));
`;

/** The same as a typed consumer; the @ts-expect-error lines fail if the types were missing (any). */
const CONSUMER_TS = `
import { convertAuth, checkAuthInput, copyCredentials, explainCredential, getCredential, listEntries, migrateAuthFiles, openStore, parseAuthText, isCredkitError, ConflictError } from 'credkit';
import type { AuthFile, ClientExplanation, ConvertOptions, ConvertResult, CopyEntry, CopyResult, Credential, CredentialExplanation, CredentialResolver, ErrorCode, Finding, GetCredentialOptions, HiddenEntryHandle, HiddenSecret, HiddenStoreEntry, ListRow, Loss, MigrateAuthFilesOptions, MigratedCredential, MigrateFileReport, MigrateFileStatus, MigrateResult, MigrateSummary, Note, Store, StoreCredential, StoreEntry } from 'credkit';

const resolve: CredentialResolver = async (helper, serverURL) => (helper === 'pass' && serverURL === 'quay.io' ? { username: 'u', secret: 'fake-typed' } : undefined);
const options: ConvertOptions = { to: 'secret', name: 'regcred', secretType: 'dockercfg', materialize: true, resolve };
export async function main(text: string): Promise<string[]> {
  const result: ConvertResult = await convertAuth([{ text, source: 'config.json' }], options);
  const losses: Loss[] = result.losses;
  const notes: Note[] = result.notes;
  const file: AuthFile | undefined = parseAuthText(text, 'config.json').files[0];
  const rows: ListRow[] = listEntries(file ? [file] : []);
  const findings: Finding[] = checkAuthInput({ text, source: 'config.json', mode: 0o600 });
  // @ts-expect-error: not a format
  await convertAuth([], { to: 'yaml' });
  try {
    await convertAuth([], { to: 'docker', policy: 'fail' });
  } catch (err) {
    const code: ErrorCode | undefined = isCredkitError(err) ? err.code : undefined;
    if (err instanceof ConflictError) return err.conflicts.map((c) => c.key);
    return [String(code)];
  }
  return [...losses, ...notes].map((l) => l.key).concat(rows.map((r) => r.scope), findings.map((f) => f.severity));
}

export async function copy(home: string): Promise<string[]> {
  const store: Store = await openStore('file', { env: { HOME: home }, helperTimeoutMs: 5000 });
  const credential: StoreCredential | undefined = await store.get('quay.io');
  // @ts-expect-error: a password needs a username
  await store.store({ serverURL: 'quay.io', password: 'x' });
  const result: CopyResult = await copyCredentials(store, 'authfile:~/ci/config.json', { home, dryRun: true, registries: ['quay.io'] });
  const entry: CopyEntry | undefined = result.entries[0];
  const listed: StoreEntry[] = await store.list();
  // A hidden entry is its own handle; a plain one is erased by its server URL.
  for (const e of listed) await store.erase(e.hidden ? e : e.serverURL);
  const hidden: HiddenStoreEntry[] = listed.filter((e): e is HiddenStoreEntry => e.hidden === true);
  const handle: HiddenEntryHandle = { entry: hidden[0]?.entry ?? 1, id: hidden[0]?.id ?? '0000' };
  await store.erase(handle);
  // @ts-expect-error: a plain entry has no handle
  await store.erase(listed.filter((e) => !e.hidden)[0]!);
  return [credential && 'password' in credential ? credential.password : '', entry?.status ?? '', ...listed.map((e) => e.serverURL)];
}

export async function migrate(cwd: string): Promise<string[]> {
  const options: MigrateAuthFilesOptions = { cwd, to: 'podman', from: 'docker', dryRun: true, onProgress: (done, total) => void [done, total] };
  const result: MigrateResult = await migrateAuthFiles(['**/config.json'], options);
  const summary: MigrateSummary = result.summary;
  const file: MigrateFileReport | undefined = result.files[0];
  const status: MigrateFileStatus | undefined = file?.status;
  const stored: MigratedCredential[] = file?.stored ?? [];
  // @ts-expect-error: a Secret is no auth file to rewrite in place
  await migrateAuthFiles(['x'], { to: 'secret' });
  return [String(summary.failed), status ?? '', ...stored.map((s) => s.key), ...result.unmatched];
}

export async function lookup(image: string, options: GetCredentialOptions): Promise<string | undefined> {
  const credential: Credential | undefined = await getCredential(image, { ...options, as: 'podman', helperTimeoutMs: 5000 });
  // @ts-expect-error: not a client credkit explains
  await getCredential(image, { as: 'crio' });
  const explanation: CredentialExplanation = await explainCredential(image, { as: ['docker', 'kubelet'], secrets: [{ text: '{}', source: 'pull.json' }] });
  const x: ClientExplanation | undefined = explanation.clients[0];
  const hidden: HiddenSecret | undefined = x?.credential?.password;
  if (credential === undefined) return hidden?.reveal();
  return 'identityToken' in credential ? credential.identityToken : credential.password;
}
`;

/** The names credkit's package.json depends on, linked from the checkout (node follows the link). */
async function linkDependencies(project: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const at = join(project, 'node_modules', name);
    await mkdir(dirname(at), { recursive: true });
    await symlink(join(ROOT, 'node_modules', name), at, 'dir');
  }
}

describe('the packed package (npm pack, unpacked, imported as "credkit")', function () {
  this.timeout(60_000);
  let dir: string;
  let project: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credkit-pack-'));
    // The checkout is already built: --ignore-scripts skips `prepare`, a second full build.
    const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, timeoutMs: 30_000 });
    expect(pack.code, pack.stderr).to.equal(0);
    const [packed] = JSON.parse(pack.stdout) as { filename: string }[];
    project = join(dir, 'project');
    const unpacked = join(project, 'node_modules', 'credkit');
    await mkdir(unpacked, { recursive: true });
    const tar = await run('tar', ['-xzf', join(dir, packed!.filename), '-C', unpacked, '--strip-components=1']);
    expect(tar.code, tar.stderr).to.equal(0);
    const manifest = JSON.parse(await readFile(join(unpacked, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    // Only what the shipped package declares, plus the consumer's own @types/node.
    await linkDependencies(project, [...Object.keys(manifest.dependencies), '@types/node']);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await writeFile(join(project, 'consumer.mjs'), CONSUMER_MJS);
    await writeFile(join(project, 'consumer.ts'), CONSUMER_TS);
    await writeFile(join(project, 'lookup.mjs'), LOOKUP_MJS);
    await writeFile(join(project, 'stores.mjs'), STORES_MJS);
    await writeFile(join(project, 'migrate.mjs'), MIGRATE_MJS);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('ships its licence and every page README.md links to', async () => {
    const unpacked = join(project, 'node_modules', 'credkit');
    expect((await readFile(join(unpacked, 'LICENSE'), 'utf8')).includes('Apache License')).to.equal(true);
    const readme = await readFile(join(unpacked, 'README.md'), 'utf8');
    const linked = [...readme.matchAll(/\]\((docs\/[^)#]+)/g)].map((m) => m[1]!);
    expect(linked.length).to.be.greaterThan(3);
    const missing: string[] = [];
    for (const page of new Set(linked)) await readFile(join(unpacked, page)).catch(() => missing.push(page));
    expect(missing).to.deep.equal([]);
  });

  it('imports with plain node and converts, lists, checks and throws as documented', async () => {
    const r = await run(process.execPath, ['consumer.mjs'], { cwd: project });
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({
      losses: ['scope'],
      auths: ['quay.io/team/app'],
      rows: [['quay.io/team/app', '********']],
      findings: ['unparseable'],
      code: 'PARSE',
    });
    expect(r.stdout.includes('fake-package-pass')).to.equal(false);
  });

  it('imports getCredential and explainCredential, which read the files this process would', async () => {
    const home = join(project, 'home');
    await mkdir(join(home, '.docker'), { recursive: true });
    const auth = (user: string) => ({ auth: Buffer.from(`${user}:fake-package-lookup`).toString('base64') });
    await writeFile(join(home, '.docker', 'config.json'), JSON.stringify({ auths: { 'quay.io': auth('robot') } }));
    await writeFile(join(project, 'ci-auth.json'), JSON.stringify({ auths: { 'quay.io/team': auth('team') } }));
    const env = { PATH: process.env.PATH ?? '', HOME: home, XDG_RUNTIME_DIR: join(home, 'run') };
    const r = await run(process.execPath, ['lookup.mjs'], { cwd: project, env });
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({
      docker: { username: 'robot', password: 'fake-package-lookup', serverURL: 'quay.io', source: { file: join(home, '.docker', 'config.json'), key: 'quay.io' } },
      podman: 'team',
      outcome: 'credential',
      explained: false,
      code: 'IO',
    });
  });

  it('imports openStore and copyCredentials, and copies between the file stores of two homes', async () => {
    const [oldHome, newHome] = [join(dir, 'old-home'), join(dir, 'new-home')];
    // The script's own HOME has nothing: each store is where its env says.
    const r = await run(process.execPath, ['stores.mjs', oldHome, newHome], { cwd: project, env: { PATH: process.env.PATH ?? '', HOME: join(dir, 'nobody') } });
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).to.deep.equal({
      ok: true,
      entries: [['quay.io', 'add', 'copied']],
      listed: [{ serverURL: 'quay.io', username: 'robot', identityToken: false }],
      got: { serverURL: 'quay.io', username: 'robot', password: 'fake-package-store' },
      code: 'USAGE',
    });
    const copied = JSON.parse(await readFile(join(newHome, '.local', 'share', 'credkit', 'credentials.json'), 'utf8')) as unknown;
    expect(copied).to.deep.equal({ credentials: { 'quay.io': { username: 'robot', secret: 'fake-package-store' } } });
  });

  it('imports migrateAuthFiles, which takes the globs from the working directory and the store from the environment', async () => {
    const home = join(dir, 'migrate-home');
    const cwd = join(dir, 'migrate-cwd');
    await mkdir(join(cwd, 'runners', 'a'), { recursive: true });
    await mkdir(join(cwd, 'runners', 'b'), { recursive: true });
    await writeFile(join(cwd, 'runners', 'a', 'config.json'), JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('robot:fake-package-migrate').toString('base64') } } }));
    await writeFile(join(cwd, 'runners', 'b', 'config.json'), '{');
    const r = await run(process.execPath, [join(project, 'migrate.mjs')], { cwd, env: { PATH: process.env.PATH ?? '', HOME: home, CREDKIT_BACKEND: 'file' } });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.includes('fake-package-migrate')).to.equal(false);
    expect(JSON.parse(r.stdout)).to.deep.equal({
      plan: [['runners/a/config.json', 'would-change'], ['runners/b/config.json', 'failed']],
      ok: false,
      files: [['runners/a/config.json', 'changed', ['quay.io'], true], ['runners/b/config.json', 'failed', null, false]],
      summary: { files: 2, changed: 1, 'would-change': 0, unchanged: 0, lossy: 0, failed: 1 },
      got: 'robot',
      code: 'USAGE',
    });
    expect(JSON.parse(await readFile(join(cwd, 'runners', 'a', 'config.json'), 'utf8'))).to.deep.equal({ auths: { 'quay.io': {} }, credsStore: 'credkit' });
  });

  it('keeps its modules out of reach but through its exports', async () => {
    const deep = await run(process.execPath, ['--input-type=module', '-e', "await import('credkit/dist/src/auth-file/convert.js')"], { cwd: project });
    expect(deep.stderr).to.include('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  // node16 checks every shipped declaration file too (skipLibCheck off); bundler only how the
  // package resolves, which is what differs there (checking @types/node again costs seconds).
  for (const [module, resolution, skipLibCheck] of [
    ['node16', 'node16', false],
    ['esnext', 'bundler', true],
  ] as const) {
    it(`type-checks a TypeScript consumer (moduleResolution ${resolution})`, async () => {
      const tsconfig = join(project, `tsconfig.${resolution}.json`);
      const compilerOptions = { module, moduleResolution: resolution, target: 'ES2022', lib: ['ES2023'], types: ['node'], strict: true, noEmit: true, skipLibCheck };
      await writeFile(tsconfig, JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
      const r = await run(process.execPath, [TSC, '-p', tsconfig], { cwd: project });
      expect(r.code, r.stdout + r.stderr).to.equal(0);
    });
  }
});
