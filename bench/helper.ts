/**
 * `docker-credential-credkit get`/`list` against `node -e 0` (Node's own start-up floor) and,
 * where installed, against the reference helpers on the same kind of store: docker-credential-pass
 * on one password store, docker-credential-secretservice on one gnome-keyring.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { measureCommands, printTable, type BenchCase } from './measure.js';
import { BIN, basePath, hasProgram } from '../test/support/sandbox.js';
import { startPassStore, startSecretService, type RealBackend } from '../test/support/real-helpers.js';

type Env = Record<string, string | undefined>;

function store(argv: readonly string[], env: Env, url: string, user: string, secret: string): void {
  const r = spawnSync(argv[0] as string, argv.slice(1), { input: `${JSON.stringify({ ServerURL: url, Username: user, Secret: secret })}\n`, env });
  if (r.status !== 0) throw new Error(`bench set-up: store through ${argv.join(' ')} failed: ${r.stdout.toString().trim()}`);
}

/** Seeds 30 entries through credkit's helper (and the reference helper, if given) so lookups are realistic. */
function seed(env: Env, reference?: string): void {
  for (let i = 0; i < 30; i++) {
    store([process.execPath, BIN.helper, 'store'], env, `registry${i}.example.com`, `user${i}`, `bench-secret-${i}`);
    if (reference) store([reference, 'store'], env, `registry${i}.example.com`, `user${i}`, `bench-secret-${i}`);
  }
}

function floor(env: Env): BenchCase {
  return { name: 'node -e 0 (floor)', argv: [process.execPath, '-e', '0'], env };
}

/**
 * bench/least-get.ts bundled into one CommonJS file in `dir`, as the helper is: the least work a
 * Node program can do for a keychain `get`, so credkit's own share is measured, not guessed.
 */
function leastGet(dir: string): string {
  const outfile = join(dir, 'least-get.cjs');
  const entry = fileURLToPath(new URL('./least-get.js', import.meta.url));
  buildSync({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, logLevel: 'warning' });
  return outfile;
}

async function withBackend(start: () => Promise<RealBackend>, body: (env: Env) => void): Promise<void> {
  const backend = await start();
  try {
    body(backend.env);
  } finally {
    await backend.stop();
  }
}

/** A CredentialProviderRequest as kubelet writes it, for an image on `registry`. */
function kubeletRequest(registry: string): string {
  return `${JSON.stringify({ kind: 'CredentialProviderRequest', apiVersion: 'credentialprovider.kubelet.k8s.io/v1', image: `${registry}/team/app` })}\n`;
}

/** Runs the helper benchmarks. */
export async function benchHelper(runs: number): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'credkit-bench-'));
  const node = process.execPath;
  const helper = (verb: string, input = ''): Pick<BenchCase, 'argv' | 'input'> => ({ argv: [node, BIN.helper, verb], input });
  const query = 'registry7.example.com';
  try {
    const base: Env = { PATH: basePath(), HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config'), XDG_RUNTIME_DIR: join(home, 'run') };

    const fileEnv = { ...base, CREDKIT_BACKEND: 'file' };
    seed(fileEnv);
    // The same store and query with a config.ini: without [routes] (what reading the file costs),
    // and with routes, the query going to the file backend through the routing code. Each has a
    // code cache of its own, written by its first (warm-up) call, as a user's is written by the
    // first call after an install or upgrade, with their config.ini.
    const plainIni = join(home, 'plain.ini');
    await writeFile(plainIni, 'backend = file\n[helpers]\ntimeout = 30\n');
    const routedIni = join(home, 'routed.ini');
    await writeFile(routedIni, 'backend = file\n[routes]\n*.dkr.ecr.*.amazonaws.com = helper:ecr-login\nghcr.io = pass\nregistry7.example.com = file\n');
    // And two code caches first written by another kind of call, as a user's are when the first
    // call after an upgrade is a `version`, or when the config.ini came after it: each call variant
    // has a cache of its own (src/boot.ts), so these should time as the get above.
    const afterVersion = { ...fileEnv, XDG_CACHE_HOME: join(home, 'cache-after-version') };
    spawnSync(node, [BIN.helper, 'version'], { env: afterVersion });
    const iniLater = { ...fileEnv, XDG_CACHE_HOME: join(home, 'cache-ini-later') };
    spawnSync(node, [BIN.helper, 'get'], { input: query, env: iniLater });
    printTable(`helper, file backend (median of ${runs} interleaved runs; ratio to node -e 0)`, measureCommands([
      floor(fileEnv),
      { name: 'credkit get (file)', ...helper('get', query), env: fileEnv, target: 1.15 },
      { name: 'credkit get (file, config.ini, no routes)', ...helper('get', query), env: { ...fileEnv, CREDKIT_CONFIG: plainIni, XDG_CACHE_HOME: join(home, 'cache-ini') } },
      { name: 'credkit get (file, routed by [routes])', ...helper('get', query), env: { ...fileEnv, CREDKIT_CONFIG: routedIni, XDG_CACHE_HOME: join(home, 'cache-routed') } },
      { name: 'credkit get (file), first call was version', ...helper('get', query), env: afterVersion },
      { name: 'credkit get (file, routed), config.ini came later', ...helper('get', query), env: { ...iniLater, CREDKIT_CONFIG: routedIni } },
      { name: 'credkit list (file)', ...helper('list'), env: fileEnv },
      // What kubelet runs for a pull it has no cached credential for (docs/kubelet-provider.md).
      { name: 'credkit-kubelet-provider (file)', argv: [node, BIN.kubeletProvider], input: kubeletRequest(query), env: fileEnv },
    ], runs));

    if ((await hasProgram('gnome-keyring-daemon')) && (await hasProgram('dbus-daemon'))) {
      await withBackend(startSecretService, (extra) => {
        const env = { ...base, ...extra, CREDKIT_BACKEND: 'keychain' };
        const reference = (hasSecretServiceHelper()) ? 'docker-credential-secretservice' : undefined;
        seed(env, reference);
        const least = leastGet(home);
        const cases: BenchCase[] = [
          floor(env),
          { name: 'credkit get (keychain, Secret Service)', ...helper('get', query), env, target: 1.3 },
          { name: 'least Node client (bench/least-get.ts)', argv: [node, least, query], env },
        ];
        if (reference) cases.push({ name: 'docker-credential-secretservice get', argv: [reference, 'get'], input: query, env });
        cases.push({ name: 'credkit list (keychain)', ...helper('list'), env });
        if (reference) cases.push({ name: 'docker-credential-secretservice list', argv: [reference, 'list'], input: 'unused', env });
        const results = measureCommands(cases, runs);
        printTable('helper, OS keychain (gnome-keyring on a private D-Bus session)', results);
        const [, credkit, leastClient] = results;
        if (credkit && leastClient) {
          console.log(`  credkit get over the least Node client: ${(credkit.medianMs / leastClient.medianMs).toFixed(2)}x (its share; the rest is Node's socket and the bus)`);
        }
      });
    } else {
      console.log('\n(skipped keychain benchmark: gnome-keyring/dbus not installed)');
    }

    if ((await hasProgram('pass')) && (await hasProgram('gpg'))) {
      await withBackend(startPassStore, (extra) => {
        const env = { ...base, ...extra, CREDKIT_BACKEND: 'pass' };
        // Same layout: what credkit stores, docker-credential-pass reads, so both query one store.
        seed(env);
        const cases: BenchCase[] = [floor(env), { name: 'credkit get (pass)', ...helper('get', query), env }];
        if (hasPassHelper()) cases.push({ name: 'docker-credential-pass get', argv: ['docker-credential-pass', 'get'], input: query, env });
        cases.push({ name: 'credkit list (pass)', ...helper('list'), env });
        if (hasPassHelper()) cases.push({ name: 'docker-credential-pass list', argv: ['docker-credential-pass', 'list'], input: 'unused', env });
        printTable('helper, pass (GnuPG decrypt dominates both)', measureCommands(cases, Math.max(5, Math.round(runs / 3))));
      });
    } else {
      console.log('\n(skipped pass benchmark: pass/gpg not installed)');
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

// Synchronous PATH probes for use inside the synchronous bodies above.
function onPath(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { env: { PATH: basePath() } }).status === 0;
}
function hasSecretServiceHelper(): boolean {
  return onPath('docker-credential-secretservice');
}
function hasPassHelper(): boolean {
  return onPath('docker-credential-pass');
}
