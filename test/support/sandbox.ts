/**
 * Throwaway HOME/XDG/DOCKER_CONFIG directories and a way to run the shipped bins inside them.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/…). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The shipped bins. */
export const BIN = {
  credkit: join(ROOT, 'bin', 'credkit'),
  helper: join(ROOT, 'bin', 'docker-credential-credkit'),
  kubeletProvider: join(ROOT, 'bin', 'credkit-kubelet-provider'),
};
/** The fixture files (auth files, secrets, fake helpers). */
export const FIXTURES = join(ROOT, 'fixtures');

/** What a process printed and how it ended. */
export interface RunResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Options for {@link run}. */
export interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs node on `script` with a directory (opened for reading) as its standard input. */
export async function runWithDirectoryStdin(script: string, args: readonly string[], env: NodeJS.ProcessEnv, dir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const fd = openSync(dir, 'r');
  const child = spawn(process.execPath, [script, ...args], { env, stdio: [fd, 'pipe', 'pipe'] });
  closeSync(fd);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  return { code, stdout, stderr };
}

/** Runs a program and collects its output; never throws on a non-zero exit. */
export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      env: options.env as NodeJS.ProcessEnv | undefined,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    let held: NodeJS.Timeout | undefined;
    const done = (code: number | null, signal: NodeJS.Signals | null, note = '') => {
      clearTimeout(timer);
      clearTimeout(held);
      resolvePromise({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') + note, code, signal });
    };
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    // A daemon the program started (dbus-launch's bus, say) may keep its stdout and stderr open
    // long after it exited: end the wait then rather than at the test's timeout, and say why.
    child.on('exit', (code, signal) => {
      held = setTimeout(() => done(code, signal, `\n[run: ${cmd} exited, but a process it started still holds its stdout or stderr]\n`), 5000);
    });
    child.on('close', (code, signal) => done(code, signal));
    child.stdin.on('error', () => undefined); // the child may exit before reading everything
    child.stdin.end(options.input ?? '');
  });
}

/** A throwaway home with XDG and Docker directories inside, and the env that points at them. */
export interface Sandbox {
  home: string;
  env: Record<string, string>;
  /** Runs `docker-credential-credkit VERB` with stdin. */
  helper(verb: string | readonly string[], input?: string | Buffer, extraEnv?: Record<string, string>): Promise<RunResult>;
  /** Runs `credkit ARGS…`. */
  credkit(args: readonly string[], input?: string, extraEnv?: Record<string, string>): Promise<RunResult>;
  cleanup(): Promise<void>;
}

/** The PATH entries the sandbox keeps: system directories and node's own. */
export function basePath(): string {
  return [dirname(process.execPath), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(':');
}

/** Makes a sandbox; `env` holds only what the test sets, plus PATH and the sandbox's dirs. */
export async function makeSandbox(extraEnv: Record<string, string> = {}): Promise<Sandbox> {
  const home = await mkdtemp(join(tmpdir(), 'credkit-test-'));
  const dirs = {
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_RUNTIME_DIR: join(home, 'run'),
    DOCKER_CONFIG: join(home, '.docker'),
  };
  for (const d of Object.values(dirs)) await mkdir(d, { recursive: true, mode: 0o700 });
  // podman and buildah resolve a short name (`nginx`) through registries.conf: the user's, which
  // replaces the machine's and its drop-ins, sends it to Docker Hub, as docker reads it, so that
  // no test depends on what /etc/containers holds (credkit explain reads the same file).
  await mkdir(join(dirs.XDG_CONFIG_HOME, 'containers'), { mode: 0o700 });
  await writeFile(join(dirs.XDG_CONFIG_HOME, 'containers', 'registries.conf'), 'unqualified-search-registries = ["docker.io"]\n');
  const env: Record<string, string> = {
    HOME: home,
    PATH: `${join(ROOT, 'bin')}:${basePath()}`,
    LANG: 'C.UTF-8',
    ...dirs,
    ...extraEnv,
  };
  const sandbox: Sandbox = {
    home,
    env,
    helper: (verb, input = '', more = {}) =>
      run(process.execPath, [BIN.helper, ...(typeof verb === 'string' ? [verb] : verb)], { input, env: { ...sandbox.env, ...more } }),
    credkit: (args, input = '', more = {}) => run(process.execPath, [BIN.credkit, ...args], { input, env: { ...sandbox.env, ...more } }),
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
  return sandbox;
}

/**
 * Registers hooks that `make` a fresh something before each test of the calling suite and `dispose`
 * of it after the test; `keep` gets each new one first, to hold on to it and add what the suite needs.
 */
export function makePerTest<T>(make: () => Promise<T>, dispose: (made: T) => Promise<void>, keep: (made: T) => unknown): void {
  let made: T | undefined;
  beforeEach(async () => {
    made = undefined; // a failed make() must not dispose of the last test's twice
    made = await make();
    await keep(made);
  });
  afterEach(async () => {
    if (made !== undefined) await dispose(made);
  });
}

/**
 * Registers hooks that `make` something once for the calling suite (after any `before` hook the suite
 * registered first, such as a {@link skipUnlessPrograms} check) and `dispose` of it after the suite;
 * `keep` gets it first.
 */
export function makePerSuite<T>(make: () => Promise<T>, dispose: (made: T) => Promise<void>, keep: (made: T) => unknown): void {
  let made: T | undefined;
  before(async () => {
    made = await make();
    await keep(made);
  });
  after(async () => {
    if (made !== undefined) await dispose(made);
  });
}

/** The extra environment for a sandbox, or a function that gives it when the sandbox is made. */
export type SandboxEnv = Record<string, string> | (() => Record<string, string>);

/** `env` itself, or what it gives when it is a function (called late, so it may use what a `before` hook started). */
export function resolveSandboxEnv(env: SandboxEnv): Record<string, string> {
  return typeof env === 'function' ? env() : env;
}

/** Registers hooks that give each test of the calling suite a fresh sandbox made with `extraEnv` (see {@link makePerTest}). */
export function makeSandboxPerTest(extraEnv: SandboxEnv, keep: (sb: Sandbox) => unknown): void {
  makePerTest(() => makeSandbox(resolveSandboxEnv(extraEnv)), (sb) => sb.cleanup(), keep);
}

/**
 * Writes an executable `docker-credential-credkit` into `dir` that runs this repository's helper
 * with the current node, as an installed package's bin would be; put `dir` first on PATH so that
 * clients which look helpers up by name (containers/image, docker) find it. Returns `dir`.
 */
export async function writeHelperShim(dir: string): Promise<string> {
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'docker-credential-credkit'), `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(BIN.helper)} "$@"\n`, { mode: 0o755 });
  return dir;
}

/** True when a program is on the system PATH. */
export async function hasProgram(name: string): Promise<boolean> {
  const r = await run('sh', ['-c', `command -v ${name}`], { env: { PATH: basePath() } }).catch(() => undefined);
  return r?.code === 0;
}

/**
 * Skips the suite locally when a system program is missing, and fails it in CI (CI=true), where
 * .ci/run installs everything and nothing may skip. Call from a `before` hook.
 */
export async function skipUnlessPrograms(ctx: Mocha.Context, programs: readonly string[]): Promise<void> {
  const missing: string[] = [];
  for (const p of programs) if (!(await hasProgram(p))) missing.push(p);
  if (missing.length === 0) return;
  const why = `missing system programs: ${missing.join(', ')} (install them as .ci/run does)`;
  if (process.env.CI) throw new Error(`${why}; in CI nothing may skip`);
  console.log(`      skipped: ${why}`);
  ctx.skip();
}

/**
 * Makes `docker-credential-credkit` resolvable on the sandbox's PATH, as an installed package
 * would: a shim in `<home>/bin` that execs the current node on the repo's helper (so the test's
 * node runs it, whatever `node` is first on PATH). Returns the shim path.
 */
export async function putHelperOnPath(sandbox: Sandbox): Promise<string> {
  const dir = await writeHelperShim(join(sandbox.home, 'bin'));
  sandbox.env.PATH = `${dir}:${sandbox.env.PATH ?? basePath()}`;
  return join(dir, 'docker-credential-credkit');
}
