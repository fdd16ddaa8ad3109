/**
 * How both bins load their bundles (dist/helper*.cjs for `docker-credential-credkit`, dist/cli.cjs
 * for `credkit`; scripts/bundle-*.mjs): through V8's code cache. Compiling the bundles was a tenth
 * of a keychain `get`, which runs on every `docker pull`, and a fifth of `credkit --version`
 * (bench/); with the cache, a call after the first starts from ready bytecode. This is the start-up
 * shell, beside the bins: it reads the environment and writes the cache on exit.
 *
 * V8 caches only the functions the run that wrote the cache compiled, and a cache is written once
 * per build, so each bundle has one cache per *variant* of the call the bin names: the CLI's
 * command, the helper's verb (a `store` compiles little of what a `get` runs, and a `version` next
 * to nothing), and whether a config.ini is read (the ini parser and the routing code of `[routes]`).
 * The files are under `$XDG_CACHE_HOME/credkit/code-cache/` (or `~/.cache/…`), in a directory per V8
 * version and architecture, named by the bundle's content hash (written in at build time). V8
 * itself checks only the source's length, so the hash is what keeps an upgraded bundle from
 * running old bytecode. It holds compiled code, never data: no credential reaches it. Only a
 * directory and files of our own that nobody else can write are used. Anything unusual (no HOME,
 * a directory it cannot write, a file V8 rejects) means compiling as Node would;
 * `CREDKIT_CODE_CACHE=off` turns it off.
 */
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';
import { configPath } from './config-path.js';
import { makeDirectory } from './directory.js';

/** Content hashes of the bundles this file was built with (scripts/bundle-boot.mjs defines it). */
declare const CREDKIT_BUNDLE_HASHES: Record<string, string>;

type Exports = Record<string, unknown>;

interface Loaded {
  module: { exports: Exports };
  script: Script;
  /** Where its cache is, when the cache is on; `stale` when it has to be (re)written. */
  cache: { path: string; stale: boolean } | undefined;
}

/** The directory for this V8, or undefined when there is no usable home for it. */
function cacheDirectory(env: NodeJS.ProcessEnv): string | undefined {
  if (env.CREDKIT_CODE_CACHE === 'off') return undefined;
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : env.HOME && isAbsolute(env.HOME) ? join(env.HOME, '.cache') : undefined;
  return base && join(base, 'credkit', 'code-cache', `v8-${process.versions.v8}-${process.arch}`);
}

/**
 * Whether compiled code at `path` may run in this process: it is ours, and no other user can write
 * it. Code from a directory someone else controls would run as us (root running the helper with a
 * user's HOME, under `sudo -E`, say). Windows has no uids; its profile directories are per user.
 */
function trusted(st: Stats): boolean {
  const uid = process.getuid?.();
  return uid === undefined || (st.uid === uid && (st.mode & 0o022) === 0);
}

function trustedDirectory(dir: string): boolean {
  try {
    return trusted(statSync(dir));
  } catch {
    return false;
  }
}

/** The cache file's bytes, when it is there and trusted (checked on the open file). */
function readTrusted(path: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const st = fstatSync(fd);
    if (!trusted(st)) return undefined;
    // Read with the size fstat gave, not readFileSync(fd), which takes it again: one call, and one
    // Node function fewer for the first time in a run (the helper reads its input with readSync).
    const bytes = Buffer.allocUnsafe(st.size);
    let n = 0;
    for (let r = 1; r > 0 && n < bytes.length; n += r) r = readSync(fd, bytes, n, bytes.length - n, null);
    return n === bytes.length ? bytes : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Whether the cache's home (`$XDG_CACHE_HOME` or `~/.cache`, else the first of its parents that is
 * there) is ours. Root running with a user's HOME (`sudo -E credkit`, or sudo that keeps HOME)
 * would otherwise make root-owned directories in that user's ~/.cache, which the user's own runs
 * then never trust (so never cache again), and write into a tree that user can rename under it.
 */
function ownsCacheHome(dir: string): boolean {
  const uid = process.getuid?.();
  if (uid === undefined) return true;
  // dir is <home>/credkit/code-cache/v8-…: start at <home>.
  for (let at = join(dir, '..', '..', '..'); ; at = join(at, '..')) {
    const st = statSync(at, { throwIfNoEntry: false });
    if (st !== undefined) return st.uid === uid;
    if (at === join(at, '..')) return false;
  }
}

/** Writes the caches that were missing or rejected; a failure only means no cache next time. */
function save(loaded: Iterable<Loaded>, dir: string): void {
  let ours: boolean | undefined;
  for (const { script, cache } of loaded) {
    if (!cache?.stale) continue;
    try {
      ours ??= ownsCacheHome(dir);
      if (!ours) return;
      makeDirectory(dir, 0o700);
      if (!trustedDirectory(dir)) return;
      const temp = `${cache.path}.${process.pid}.tmp`;
      writeFileSync(temp, script.createCachedData(), { mode: 0o600 });
      renameSync(temp, cache.path);
      dropOlder(dir, cache.path);
    } catch {
      // A read-only home, a full disk, a race with another helper: compile next time.
    }
  }
}

/**
 * Removes the caches of earlier builds of the same bundle (same name, another content hash, any
 * variant), so that upgrades do not pile them up; the other variants of this build stay. Runs only
 * when a cache was written, once per new build and variant.
 */
function dropOlder(dir: string, written: string): void {
  const name = basename(written);
  const at = name.search(/-[0-9a-f]{32}(-|\.bin$)/);
  if (at < 0) return;
  const bundle = name.slice(0, at + 1);
  const hash = name.slice(at + 1, at + 33);
  for (const other of readdirSync(dir)) {
    const otherHash = other.slice(bundle.length, bundle.length + 32);
    if (other.startsWith(bundle) && other.endsWith('.bin') && otherHash !== hash && /^[0-9a-f]{32}$/.test(otherHash) && /^(-|\.bin$)/.test(other.slice(bundle.length + 32))) {
      rmSync(join(dir, other), { force: true });
    }
  }
}

/**
 * Whether credkit's config.ini is there (src/config.ts's path), for the helper and the kubelet
 * provider to keep the caches of calls that read one apart. Without HOME or a variable naming the
 * directory, no: a wrong answer only costs compiling what the cache lacks.
 */
export function hasConfigFile(): boolean {
  const env = process.env;
  if (!env.HOME && !env.CREDKIT_CONFIG && !env.XDG_CONFIG_HOME) return false;
  try {
    return statSync(configPath({ env, home: env.HOME ?? '' }), { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}

/**
 * Loads the bundle `name` from `distDir` (and the bundles beside it that it asks for, such as the
 * helper's backends) as Node's CommonJS loader would, but compiled through the code cache, the
 * cache of each bundle kept per `variant` (see above). Returns its exports.
 */
export function loadBundle(distDir: string, name: string, variant?: string): Exports {
  const dir = cacheDirectory(process.env);
  const suffix = variant === undefined ? '' : `-${variant.replace(/[^a-z0-9-]/gi, '_')}`;
  const loaded = new Map<string, Loaded>();
  let saving = false;
  const load = (bundle: string): Exports => {
    const done = loaded.get(bundle);
    if (done) return done.module.exports;
    const file = join(distDir, bundle);
    const source = readFileSync(file, 'utf8');
    const hash = CREDKIT_BUNDLE_HASHES[bundle];
    // A backend's bundle too: a keychain `get` and `store` run different parts of it.
    const path = dir !== undefined && hash !== undefined ? join(dir, `${bundle}-${hash}${suffix}.bin`) : undefined;
    // The open file's owner and mode are what matter for reading: nobody else can have made a file
    // we own, or swap it once it is open. The directory is checked before writing (save).
    const cachedData = path === undefined ? undefined : readTrusted(path);
    // The wrapper Node's CommonJS loader puts around a module.
    const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
    const cache = path === undefined ? undefined : { path, stale: cachedData === undefined || script.cachedDataRejected === true };
    // Only a run with a cache to write listens for the exit: nearly every run has none.
    if (cache?.stale && !saving && dir !== undefined) {
      saving = true;
      // The helper ends with process.exit(); 'exit' listeners run before it returns.
      process.once('exit', () => save(loaded.values(), dir));
    }
    const module = { exports: {} as Exports };
    loaded.set(bundle, { module, script, cache });
    const requireFrom = (id: string): unknown => (id.startsWith('./helper-') ? load(id.slice(2)) : require(id));
    (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, requireFrom, module, file, distDir);
    return module.exports;
  };
  return load(name);
}
