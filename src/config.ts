/**
 * credkit's own configuration: an INI file at `$XDG_CONFIG_HOME/credkit/config.ini`
 * (default `~/.config/credkit/config.ini`), overridden by environment variables.
 *
 * ```ini
 * backend = auto          ; auto | keychain | keyutils | pass | file | env
 * fallback = file         ; used by auto when no OS keychain is usable
 * account = work          ; a saved account the helper answers with (CREDKIT_ACCOUNT overrides)
 * [file]
 * path = ~/.local/share/credkit/credentials.json
 * [keychain]
 * service = credkit
 * [pass]
 * prefix = docker-credential-helpers
 * [helpers]
 * timeout = 30           ; seconds for calls to other docker-credential-* helpers
 * [routes]               ; registry host pattern = store, for hosts not kept in `backend`
 * *.dkr.ecr.*.amazonaws.com = helper:ecr-login
 * ```
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Host } from './io.js';
import { ParseError, UsageError } from './errors.js';
import { configPath } from './config-path.js';
import { ACCOUNT_NAME, ACCOUNT_NAME_RULE } from './stores/account-key.js';

export { configPath };

/** Every section and key of config.ini that loadConfig reads (`''`: the top level); doctor warns about any other. */
export const CONFIG_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': ['backend', 'fallback', 'account'],
  file: ['path'],
  keychain: ['service'],
  pass: ['prefix'],
  helpers: ['timeout'],
  routes: [],
};

/** Sections whose keys are the user's own (`[routes]`: host patterns), so config lint takes any key there. */
export const FREE_FORM_SECTIONS: ReadonlySet<string> = new Set(['routes']);

/** One line of `[routes]` as written: which registry hosts go to which store (src/stores/routes.ts checks it). */
export interface RouteSetting {
  pattern: string;
  store: string;
}

/** The settings credkit's backends read. */
export interface CredkitConfig {
  backend: string;
  fallback: string | undefined;
  filePath: string;
  keychainService: string;
  passPrefix: string;
  helperTimeoutMs: number;
  /**
   * `[routes]` in file order, not yet checked: only the helper calls and commands that open a
   * store check them (src/stores/routes.ts), so that a mistake there is reported, not ignored.
   */
  routes: readonly RouteSetting[];
  /**
   * The saved account the helper answers with (src/stores/account-key.ts): CREDKIT_ACCOUNT, else
   * `account =`; undefined for the plain entries. A name outside the safe set is refused here.
   */
  account?: string | undefined;
  /** Where the settings came from, for `doctor`-style reports. */
  source: string | undefined;
  /**
   * Which of `backend` and `fallback` the environment set (CREDKIT_BACKEND, CREDKIT_FALLBACK)
   * rather than config.ini: a mistake in the file is a broken file (exit 1), one in the
   * environment a usage error (exit 2), as for the other settings.
   */
  fromEnv?: { backend: boolean; fallback: boolean };
}


function expandHome(p: string, host: Host): string {
  return p === '~' ? host.home : p.startsWith('~/') ? join(host.home, p.slice(2)) : p;
}

type IniSection = Record<string, unknown>;

/** Reads and parses the INI file; `ini` is only loaded when a file exists (the helper path). */
async function readIni(path: string): Promise<IniSection | undefined> {
  let text: string;
  try {
    // No file is the usual case: asked without an exception, whose making (a stack, a message)
    // was a twentieth of what a helper call spends over Node's own start-up.
    if (statSync(path, { throwIfNoEntry: false }) === undefined) return undefined;
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ParseError(`cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { file: path }, { cause: err });
  }
  const { parse } = await import('ini');
  return parse(text) as IniSection;
}

function str(section: IniSection | undefined, key: string): string | undefined {
  const v = section?.[key];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * The file backend's path: CREDKIT_FILE, else `[file] path` (relative to the config file), with
 * `~/` expanded. The helper runs in whatever directory docker or podman was started from, so a
 * path relative to that would give each project directory a store of its own (and a plaintext
 * credentials file to commit by mistake): CREDKIT_FILE must be absolute.
 */
function storeFilePath(host: Host, configFile: string, fromIni: string | undefined): string | undefined {
  const fromEnv = host.env.CREDKIT_FILE;
  if (fromEnv) {
    const p = expandHome(fromEnv, host);
    if (!isAbsolute(p)) throw new UsageError('CREDKIT_FILE must be an absolute path (or start with ~/): the helper runs in whatever directory its caller runs in');
    return p;
  }
  return fromIni === undefined ? undefined : resolve(dirname(configFile), expandHome(fromIni, host));
}

/**
 * `[routes]` as `ini` parsed it: in file order (a repeated pattern keeps its first place and its
 * last value, as `ini` does; config lint warns about it). `ini` reads a line without "=" as `true`,
 * and the values true, false and null as such: none names a store, so the route is kept with the
 * store '' for the route check to name ("names no store") rather than opening a store "true". A
 * `[routes.NAME]` section comes in as an object: config lint reports it as a section credkit
 * ignores, and it is ignored here too.
 */
function readRoutes(section: IniSection | undefined): RouteSetting[] {
  if (section === undefined) return [];
  return Object.entries(section)
    .filter(([, value]) => value === null || Array.isArray(value) || typeof value !== 'object')
    .map(([pattern, value]) =>
      // `reg[] = file` is ini's list syntax: it comes in as the key "reg" holding ["file"]. Kept
      // as written, "reg[]", for the route check to refuse, rather than as a route for "reg".
      Array.isArray(value) ? { pattern: `${pattern}[]`, store: value.map(String).join(', ') } : { pattern, store: typeof value === 'string' ? value.trim() : '' },
    );
}

/** Loads the configuration: environment first, then the INI file, then defaults. */
export async function loadConfig(host: Host): Promise<CredkitConfig> {
  const path = configPath(host);
  const ini = await readIni(path);
  // A config file named on purpose that is not there is a mistake, not "use the defaults".
  // A usage error like the other settings that cannot be right (credkit exits 2 for each).
  if (ini === undefined && host.env.CREDKIT_CONFIG) throw new UsageError(`${path}: CREDKIT_CONFIG names a file that does not exist`);
  const section = (name: string): IniSection | undefined => {
    const v = ini?.[name];
    return v && typeof v === 'object' ? (v as IniSection) : undefined;
  };
  // The XDG specification: a relative value is invalid and ignored.
  const xdgData = host.env.XDG_DATA_HOME;
  const dataHome = xdgData && isAbsolute(xdgData) ? xdgData : join(host.home, '.local', 'share');
  const fromEnv = host.env.CREDKIT_HELPER_TIMEOUT;
  const timeoutText = fromEnv ?? str(section('helpers'), 'timeout');
  const timeoutSeconds = timeoutText === undefined ? 30 : Number(timeoutText);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    if (fromEnv !== undefined) throw new UsageError('CREDKIT_HELPER_TIMEOUT must be a positive number of seconds');
    throw new ParseError('helpers.timeout must be a positive number of seconds', { file: path, key: 'helpers.timeout' });
  }
  return {
    backend: host.env.CREDKIT_BACKEND || str(ini, 'backend') || 'auto',
    fallback: host.env.CREDKIT_FALLBACK || str(ini, 'fallback'),
    filePath: storeFilePath(host, path, str(section('file'), 'path')) ?? join(dataHome, 'credkit', 'credentials.json'),
    keychainService: host.env.CREDKIT_KEYCHAIN_SERVICE || str(section('keychain'), 'service') || 'credkit',
    passPrefix: str(section('pass'), 'prefix') || 'docker-credential-helpers',
    helperTimeoutMs: timeoutSeconds * 1000,
    routes: readRoutes(section('routes')),
    account: selectedAccount(host, ini, path),
    source: ini ? path : undefined,
    fromEnv: { backend: Boolean(host.env.CREDKIT_BACKEND), fallback: Boolean(host.env.CREDKIT_FALLBACK) },
  };
}

/**
 * The account named by CREDKIT_ACCOUNT, else by `account =`. CREDKIT_ACCOUNT set but empty means
 * the plain entries, so that one command can leave a standing `account =` aside. A name outside
 * the safe set is an error (a one-line answer on the helper's stdout), never a silent default.
 */
function selectedAccount(host: Host, ini: IniSection | undefined, path: string): string | undefined {
  const fromEnv = host.env.CREDKIT_ACCOUNT;
  const name = fromEnv ?? str(ini, 'account');
  if (name === undefined || name === '') return undefined;
  if (ACCOUNT_NAME.test(name)) return name;
  if (fromEnv !== undefined) throw new UsageError(`CREDKIT_ACCOUNT: ${ACCOUNT_NAME_RULE}`);
  throw new ParseError(ACCOUNT_NAME_RULE, { file: path, key: 'account' });
}
