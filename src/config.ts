/**
 * credkit's own configuration: an INI file at `$XDG_CONFIG_HOME/credkit/config.ini`
 * (default `~/.config/credkit/config.ini`), overridden by environment variables.
 *
 * ```ini
 * backend = auto          ; auto | keychain | keyutils | pass | file | env
 * fallback = file         ; used by auto when no OS keychain is usable
 * [file]
 * path = ~/.local/share/credkit/credentials.json
 * [keychain]
 * service = credkit
 * [pass]
 * prefix = docker-credential-helpers
 * [helpers]
 * timeout = 30           ; seconds for calls to other docker-credential-* helpers
 * ```
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Host } from './io.js';
import { ParseError } from './errors.js';

/** The settings credkit's backends read. */
export interface CredkitConfig {
  backend: string;
  fallback: string | undefined;
  filePath: string;
  keychainService: string;
  passPrefix: string;
  helperTimeoutMs: number;
  /** Where the settings came from, for `doctor`-style reports. */
  source: string | undefined;
}

/** The path of credkit's config file for this environment. */
export function configPath(host: Host): string {
  if (host.env.CREDKIT_CONFIG) return host.env.CREDKIT_CONFIG;
  const base = host.env.XDG_CONFIG_HOME || join(host.home, '.config');
  return join(base, 'credkit', 'config.ini');
}

function expandHome(p: string, host: Host): string {
  return p === '~' ? host.home : p.startsWith('~/') ? join(host.home, p.slice(2)) : p;
}

type IniSection = Record<string, unknown>;

/** Reads and parses the INI file; `ini` is only loaded when a file exists (the helper path). */
async function readIni(path: string): Promise<IniSection | undefined> {
  let text: string;
  try {
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

/** Loads the configuration: environment first, then the INI file, then defaults. */
export async function loadConfig(host: Host): Promise<CredkitConfig> {
  const path = configPath(host);
  const ini = await readIni(path);
  const section = (name: string): IniSection | undefined => {
    const v = ini?.[name];
    return v && typeof v === 'object' ? (v as IniSection) : undefined;
  };
  const dataHome = host.env.XDG_DATA_HOME || join(host.home, '.local', 'share');
  const timeoutText = host.env.CREDKIT_HELPER_TIMEOUT ?? str(section('helpers'), 'timeout');
  const timeoutSeconds = timeoutText === undefined ? 30 : Number(timeoutText);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new ParseError('helpers.timeout must be a positive number of seconds', { file: path, key: 'helpers.timeout' });
  }
  return {
    backend: host.env.CREDKIT_BACKEND || str(ini, 'backend') || 'auto',
    fallback: host.env.CREDKIT_FALLBACK || str(ini, 'fallback'),
    filePath: expandHome(host.env.CREDKIT_FILE || str(section('file'), 'path') || join(dataHome, 'credkit', 'credentials.json'), host),
    keychainService: host.env.CREDKIT_KEYCHAIN_SERVICE || str(section('keychain'), 'service') || 'credkit',
    passPrefix: str(section('pass'), 'prefix') || 'docker-credential-helpers',
    helperTimeoutMs: timeoutSeconds * 1000,
    source: ini ? path : undefined,
  };
}
