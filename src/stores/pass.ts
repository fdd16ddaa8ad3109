/**
 * `pass`: credentials in the password store (pass + GnuPG), laid out exactly as
 * docker-credential-pass lays them out, so either tool reads what the other wrote:
 * `<PASSWORD_STORE_DIR or ~/.password-store>/<prefix>/<base64url, padded(server URL)>/<username>.gpg`.
 *
 * Where we deliberately differ from the reference helper:
 * - one credential per URL: `add` removes every other username under the URL (the reference keeps
 *   them and `get` may return a stale one); if several exist (written by the reference), the most
 *   recently written wins;
 * - a missing entry is "not found", never empty credentials (0.6.4 answers exit 0 with empty fields);
 * - trailing newlines: we write `secret + "\n"` (the way `pass insert` and editors leave entries)
 *   and strip exactly one `\n` on read, so every secret round-trips exactly. The reference writes
 *   the bare secret and strips all trailing `\n`/`\r` on read, so it reads our entries exactly
 *   unless the secret itself ends in a line break;
 * - never interactive: gpg runs with `--batch --pinentry-mode=error`, every child has a timeout,
 *   and failures become one-line StoreUnavailableErrors that say what to fix.
 */
import { accessSync, constants, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CredkitConfig } from '../config.js';
import type { Host } from '../io.js';
import { withoutCredentialVariables } from '../io.js';
import type { CredentialStore, StoredCredential } from './store.js';
import { IoError, StoreUnavailableError, UsageError } from '../errors.js';
import { holdsPieceOf, maskForms } from '../redact.js';
import { withFileLock } from '../auth-file/safe-file.js';
import { passLocation, passStoreRoot } from './pass-location.js';

/** One backend line for `credkit store backends`. */
export const description = 'the password store (pass + GnuPG), shared with docker-credential-pass';

/** Go's base64.URLEncoding: URL-safe alphabet, with `=` padding (Node's base64url has none). */
export function encodeServerURL(serverURL: string): string {
  const s = Buffer.from(serverURL, 'utf8').toString('base64url');
  return s + '='.repeat((4 - (s.length % 4)) % 4);
}

/** The server URL a directory name encodes, or undefined when it is not one of ours. */
export function decodeServerURL(name: string): string | undefined {
  if (name === '' || name.length % 4 !== 0 || !/^[A-Za-z0-9_-]+={0,2}$/.test(name)) return undefined;
  const url = Buffer.from(name, 'base64url').toString('utf8');
  return encodeServerURL(url) === name ? url : undefined;
}

interface Ran { code: number; stdout: Buffer; stderr: string }

/** The longest file name Linux, macOS and their file systems take, in bytes. */
const NAME_MAX = 255;

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;
/** The line of gpg/pass output worth showing: gpg's last complaint, else pass's last line. */
function lastLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('[GNUPG:]'));
  return lines.filter((l) => l.startsWith('gpg:')).pop() ?? lines.pop() ?? 'no message';
}

/**
 * `text` with the secret masked, whole and line by line: pass, gpg or a wrapper around them may
 * echo what it read on stdin when it fails, and a line of a multi-line secret is part of it.
 * Withheld when a piece of the secret is still there (echoed decoded, re-encoded or cut).
 */
function maskSecret(text: string, secret: string): string {
  const out = maskForms(text, [secret, ...secret.split(/\r?\n/).filter((f) => f.trim() !== '')]);
  return holdsPieceOf(out, secret) ? '(output withheld: it holds part of the secret)' : out;
}

class PassStore implements CredentialStore {
  readonly name = 'pass';
  readonly dir: string;
  private readonly env: Record<string, string | undefined>;
  /** The user's PASSWORD_STORE_GPG_OPTS (e.g. --homedir), for the gpg calls we make ourselves. */
  readonly gpgOpts: string[];

  constructor(readonly root: string, readonly prefix: string, host: Host, private readonly timeoutMs: number, private readonly gpg = 'gpg') {
    this.dir = join(root, prefix);
    // Fail instead of prompting: --pinentry-mode=error makes gpg-agent answer "No pinentry" when
    // no passphrase is cached. --status-fd=2 lets us tell a locked key from a missing one.
    const userOpts = host.env.PASSWORD_STORE_GPG_OPTS ?? '';
    this.gpgOpts = userOpts.split(/\s+/).filter(Boolean);
    this.env = {
      ...withoutCredentialVariables(host.env),
      PASSWORD_STORE_DIR: root,
      PASSWORD_STORE_GPG_OPTS: `${userOpts} --batch --pinentry-mode=error --status-fd=2`.trim(),
      LC_ALL: 'C',
    };
  }

  /** The entries' directory: docker-credential-pass on the same store and prefix is this store. */
  location(): string {
    return passLocation(this.dir);
  }

  /**
   * Runs a program with our environment and a deadline; the whole process group dies on timeout.
   * node:child_process (and the node:net it loads) is required here, not on start-up: `list`
   * never runs anything.
   */
  async exec(program: string, args: readonly string[], input: string | Buffer = ''): Promise<Ran> {
    const { spawn } = await import('node:child_process');
    return new Promise((resolvePromise, reject) => {
      const child = spawn(program, args, { env: this.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        // detached: pass (bash) and its gpg share a new process group; kill both, not only bash
        // (a surviving gpg would hold our pipes open). Signalling is not reading the environment.
        if (child.pid === undefined) return void child.kill('SIGKILL');
        try { process.kill(-child.pid, 'SIGKILL'); } catch { child.kill('SIGKILL'); }
      }, this.timeoutMs);
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.stdin.on('error', () => undefined);
      child.on('error', (e) => {
        clearTimeout(timer);
        const missing = `pass backend: \`${program}\` is not installed or not on PATH (install the pass and gnupg packages)`;
        reject(codeOf(e) === 'ENOENT' ? new StoreUnavailableError(missing, { cause: e }) : e);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (timedOut) {
          reject(new StoreUnavailableError(`pass backend: \`${program} ${args[0]}\` did not finish within ${this.timeoutMs / 1000}s and was stopped (is gpg-agent waiting for a smartcard or a pinentry?)`));
        } else resolvePromise({ code: code ?? 1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
      });
      child.stdin.end(input);
    });
  }

  /**
   * Runs `pass`; a failure becomes a StoreUnavailableError naming the entry and what to fix.
   * `secret` (what `input` carries) is masked in the output quoted.
   */
  async pass(args: readonly string[], entry: string, input?: string, secret?: string): Promise<Ran> {
    const r = await this.exec('pass', args, input);
    return r.code === 0 ? r : this.fail(args, entry, secret === undefined ? r : { ...r, stderr: maskSecret(r.stderr, secret) });
  }

  /** Turns a failed `pass` run into the error that says what to fix. */
  async fail(args: readonly string[], entry: string, r: Ran): Promise<never> {
    if (/You must run:|pass init/.test(r.stderr)) throw new StoreUnavailableError(notInitialised(this.root));
    if (/DECRYPTION_FAILED|No secret key/.test(r.stderr)) throw new StoreUnavailableError(await this.whyNoDecrypt(r.stderr, entry, `\`pass show ${entry}\``));
    if (/No public key|Unusable public key|INV_RECP/.test(r.stderr)) {
      throw new StoreUnavailableError(`pass backend: gpg cannot encrypt ${entry} to the store's key(s) (${lastLine(r.stderr)}); check \`gpg --list-keys\` and \`pass init <gpg-id>\``);
    }
    throw new StoreUnavailableError(`pass backend: \`pass ${args[0]}\` failed for ${entry}: ${lastLine(r.stderr)}`);
  }

  /** Locked key or missing key? Look for a secret key matching the ids the entry is encrypted to. */
  async whyNoDecrypt(stderr: string, what: string, unlockHint: string): Promise<string> {
    const ids = [...stderr.matchAll(/\[GNUPG:\] ENC_TO ([0-9A-F]+)/g)].map((m) => m[1] as string);
    const held = ids.length > 0 && (await this.exec('gpg', [...this.gpgOpts, '--batch', '--with-colons', '--list-secret-keys', '--', ...ids])).code === 0;
    return held
      ? `pass backend: the GnuPG key for ${what} needs a passphrase and no gpg-agent has it cached (credkit never prompts); unlock it once in a terminal (${unlockHint}) or preset it with gpg-preset-passphrase`
      : `pass backend: no GnuPG secret key can decrypt ${what} (encrypted to ${ids.join(', ') || 'unknown keys'}); import the key or check GNUPGHOME`;
  }

  entry(serverURL: string, username?: string): string {
    const d = `${this.prefix}/${encodeServerURL(serverURL)}`;
    return username === undefined ? d : `${d}/${username}`;
  }

  /** Runs a change of the store under its one writers' lock (`<prefix dir>.lock`, beside it). */
  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(this.dir, fn);
  }

  /** Usernames stored under a URL's directory, newest first (ties: alphabetical). */
  async usernames(serverURL: string): Promise<string[]> {
    const dir = join(this.dir, encodeServerURL(serverURL));
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.gpg') && n.length > 4).sort();
    } catch (err) {
      // ENAMETOOLONG: no entry can have that name (a server URL of more than 189 bytes).
      if (codeOf(err) === 'ENOENT' || codeOf(err) === 'ENOTDIR' || codeOf(err) === 'ENAMETOOLONG') return [];
      throw new IoError(`${dir}: cannot read (${codeOf(err) ?? 'error'})`, { cause: err });
    }
    const files: { user: string; mtime: number }[] = [];
    for (const n of names) {
      const st = statOrUndefined(join(dir, n));
      if (st?.isFile()) files.push({ user: n.slice(0, -4), mtime: st.mtimeMs });
    }
    return files.sort((a, b) => b.mtime - a.mtime).map((f) => f.user);
  }

  async add(c: StoredCredential): Promise<void> {
    if (c.username === '.' || c.username === '..' || /[/\0]/.test(c.username)) {
      throw new UsageError(`pass backend: the username for "${c.serverURL}" cannot be stored as a file name (it contains "/" or a NUL character, or is "." or "..")`);
    }
    // Checked here, not left to gpg: a name past the file-name limit fails as "File name too long"
    // after pass has run, and past 128 KiB it cannot even be passed to pass (spawn E2BIG).
    const dirName = encodeServerURL(c.serverURL);
    if (dirName.length > NAME_MAX || Buffer.byteLength(`${c.username}.gpg`) > NAME_MAX) {
      const what = dirName.length > NAME_MAX ? `server URL (${Buffer.byteLength(c.serverURL)} bytes)` : `username for "${c.serverURL}"`;
      throw new UsageError(`pass backend: the ${what} is too long to be an entry of the password store (file names are at most ${NAME_MAX} bytes)`);
    }
    // Locked so that two parallel stores for one URL cannot each remove the other's entry, and
    // store-wide because pass commits every change when the store is a git repository, and two
    // commits at once collide on git's index lock (the loser's file stays uncommitted).
    await this.locked(async () => {
      await this.pass(['insert', '--multiline', '--force', this.entry(c.serverURL, c.username)], this.entry(c.serverURL, c.username), `${c.secret}\n`, c.secret);
      // Only after the new entry is safely written do the others go (nothing is lost on failure).
      for (const other of await this.usernames(c.serverURL)) {
        if (other !== c.username) await this.pass(['rm', '--force', this.entry(c.serverURL, other)], this.entry(c.serverURL, other));
      }
    });
  }

  /**
   * Decrypts with gpg itself, as `pass show` would: the same program (gpg2 when pass would pick
   * it), the same options after the user's PASSWORD_STORE_GPG_OPTS, the same file. pass is a bash
   * script that adds nothing else to a read but two thirds of its time, on every `docker pull`
   * (bench/). Writes and removals still go through pass (recipients, git).
   */
  async get(serverURL: string): Promise<StoredCredential | undefined> {
    const [username] = await this.usernames(serverURL);
    if (username === undefined) return undefined;
    const entry = this.entry(serverURL, username);
    const file = join(this.root, `${entry}.gpg`);
    const r = await this.exec(this.gpg, ['--decrypt', ...this.gpgOpts, ...PASS_GPG_READ, '--', file]);
    if (r.code !== 0 && !isFile(file)) return undefined; // erased meanwhile
    if (r.code !== 0) await this.fail(['show'], entry, r);
    const text = r.stdout.toString('utf8');
    return { serverURL, username, secret: text.endsWith('\n') ? text.slice(0, -1) : text };
  }

  async delete(serverURL: string): Promise<boolean> {
    if ((await this.usernames(serverURL)).length === 0) return false; // no lock file for a no-op
    return this.locked(async () => {
      if ((await this.usernames(serverURL)).length === 0) return false;
      await this.pass(['rm', '--recursive', '--force', this.entry(serverURL)], this.entry(serverURL));
      return true;
    });
  }

  async list(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (err) {
      if (codeOf(err) === 'ENOENT') return out;
      throw new IoError(`${this.dir}: cannot read (${codeOf(err) ?? 'error'})`, { cause: err });
    }
    for (const name of names.sort()) {
      const url = decodeServerURL(name);
      if (url === undefined) continue; // not ours (lock files, other tools' folders)
      const [username] = await this.usernames(url);
      if (username !== undefined) out.set(url, username); // empty directories are skipped
    }
    return out;
  }
}

/**
 * What `pass show` adds to PASSWORD_STORE_GPG_OPTS (password-store.sh's GPG_OPTS, with `--batch
 * --use-agent` as it adds them for gpg2), then ours: never prompt, and status lines on stderr to
 * tell a locked key from a missing one.
 */
const PASS_GPG_READ = ['--quiet', '--yes', '--compress-algo=none', '--no-encrypt-to', '--batch', '--use-agent', '--pinentry-mode=error', '--status-fd=2'];

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function isFile(path: string): boolean {
  return statOrUndefined(path)?.isFile() === true;
}

const NOT_INSTALLED = 'pass backend: `pass` is not installed or not on PATH (install the pass and gnupg packages)';
const notInitialised = (root: string) => `pass backend: the password store at ${root} is not initialised; run \`pass init <gpg-id>\``;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The GPG ids pass would encrypt to for our prefix, or undefined when the store is not initialised. */
async function recipients(root: string, dir: string, host: Host): Promise<string[] | undefined> {
  const fromEnv = host.env.PASSWORD_STORE_KEY?.trim();
  if (fromEnv) return fromEnv.split(/\s+/);
  for (let d = dir; ; d = dirname(d)) {
    let text: string | undefined;
    try {
      text = readFileSync(join(d, '.gpg-id'), 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== undefined) return text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
    if (d === root || dirname(d) === d) return undefined;
  }
}


/** Checks what can be checked without gpg: pass on PATH, store initialised. */
async function preflight(config: CredkitConfig, host: Host): Promise<{ store: PassStore; ids: string[] } | string> {
  const onPath = (host.env.PATH ?? '').split(':').filter(Boolean);
  const found = (name: string) => onPath.some((d) => isExecutable(join(d, name)));
  if (!found('pass')) return NOT_INSTALLED;
  const gpg2 = found('gpg2');
  const root = passStoreRoot(host);
  // pass itself prefers gpg2 when there is one (`which gpg2`); reads use the same program.
  const store = new PassStore(root, config.passPrefix, host, config.helperTimeoutMs, gpg2 ? 'gpg2' : 'gpg');
  const ids = await recipients(root, store.dir, host);
  return ids && ids.length > 0 ? { store, ids } : notInitialised(root);
}

/** Opens the store after the cheap checks; gpg problems surface, diagnosed, on first use. */
export async function openStore(config: CredkitConfig, host: Host): Promise<CredentialStore> {
  const p = await preflight(config, host);
  if (typeof p === 'string') throw new StoreUnavailableError(p);
  return p.store;
}

/** Also proves that gpg can encrypt to the store's keys and decrypt without prompting. */
export async function checkAvailable(config: CredkitConfig, host: Host): Promise<string | undefined> {
  try {
    const p = await preflight(config, host);
    if (typeof p === 'string') return p;
    const gpg = [...p.store.gpgOpts, '--batch', '--pinentry-mode=error', '--status-fd=2', '--quiet', '--no-encrypt-to'];
    const enc = await p.store.exec('gpg', [...gpg, '--encrypt', ...p.ids.flatMap((id) => ['-r', id])], 'credkit probe');
    if (enc.code !== 0) return `gpg cannot encrypt to ${p.ids.join(', ')} (${lastLine(enc.stderr)})`;
    const dec = await p.store.exec('gpg', [...gpg, '--decrypt'], enc.stdout);
    // An empty store has no entry to `pass show`; a round trip through the key prompts for it all the same.
    const unlock = `e.g. \`gpg --encrypt ${p.ids.map((id) => `-r ${id}`).join(' ')} </dev/null | gpg --decrypt\`, which gpg-agent then caches`;
    if (dec.code !== 0) return (await p.store.whyNoDecrypt(dec.stderr, 'the store', unlock)).replace(/^pass backend: /, '');
    return undefined;
  } catch (err) {
    return (err as Error).message.replace(/^pass backend: /, '');
  }
}
