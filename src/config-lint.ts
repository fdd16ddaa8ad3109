/**
 * What credkit's config.ini says that credkit does not read: unknown sections and keys, and lines
 * that are no INI at all. The `ini` parser drops or misfiles these without a word, so a typo such
 * as `backnd = pass` quietly means the default backend. `credkit doctor` reports each one, and
 * `credkit store backends` warns about them; the helper never loads this module.
 *
 * Lines are read as `ini` reads them (comments, quotes, inline `;`/`#`, `key[]`), so that what is
 * reported is what was really ignored. Only names are quoted, never a value or a whole line.
 */
import { readFileSync } from 'node:fs';
import type { Host } from './io.js';
import { CONFIG_KEYS, FREE_FORM_SECTIONS, configPath } from './config.js';
import { shownKey } from './redact.js';

/** Why a line was reported. */
export type ConfigProblem = 'unknown-section' | 'unknown-key' | 'broken-line' | 'duplicate-key';

/** One line of config.ini that credkit ignores. */
export interface ConfigWarning {
  problem: ConfigProblem;
  path: string;
  /** 1-based line number. */
  line: number;
  /** The section the line is in (`''` for the top level); for `unknown-section`, that section. */
  section: string;
  /** For `unknown-key`: the key as `ini` reads it. */
  key?: string;
  /** What is wrong and what credkit does instead, from the line number on (callers add the path); names only, no values. */
  message: string;
}

/** A key or section name the way `ini` reads it: trimmed, unquoted, inline comment cut. */
function iniName(raw: string): string {
  const text = raw.trim();
  if ((text.startsWith('"') && text.endsWith('"')) || (text.startsWith("'") && text.endsWith("'"))) {
    const inner = text.startsWith("'") ? text.slice(1, -1) : text;
    try {
      const parsed: unknown = JSON.parse(inner);
      return typeof parsed === 'string' ? parsed : String(parsed);
    } catch {
      return inner;
    }
  }
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '\\' && i + 1 < text.length) {
      const next = text.charAt(++i);
      out += ';#\\'.includes(next) ? next : `\\${next}`;
    } else if (c === ';' || c === '#') {
      break;
    } else {
      out += c;
    }
  }
  return out.trim();
}

function where(section: string): string {
  return section === '' ? 'at the top level' : `in [${section}]`;
}

function known(section: string): string {
  const keys = CONFIG_KEYS[section] ?? [];
  return keys.length > 0 ? `known ${section === '' ? 'top-level keys' : `keys in [${section}]`}: ${keys.join(', ')}` : '';
}

/** Lints the text of a config.ini; `path` is only carried into the warnings. */
export function lintConfigText(text: string, path: string): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  let section = '';
  let sectionKnown = true;
  // Where each key was first seen, by section: `ini` keeps only the last value of a repeated key.
  const seen = new Map<string, number>();
  const lines = text.split(/\r\n|\r|\n/);
  for (const [i, line] of lines.entries()) {
    const n = i + 1;
    if (/^\s*$/.test(line) || /^\s*[;#]/.test(line)) continue;
    const header = /^\[([^\]]*)\]\s*$/.exec(line);
    if (header) {
      section = iniName(header[1] as string);
      sectionKnown = Object.hasOwn(CONFIG_KEYS, section) && section !== '';
      if (!sectionKnown) {
        const sections = Object.keys(CONFIG_KEYS).filter((s) => s !== '').map((s) => `[${s}]`).join(', ');
        out.push({ problem: 'unknown-section', path, line: n, section, message: `line ${n}: unknown section [${section}]; credkit ignores it and every key in it (known sections: ${sections})` });
      }
      continue;
    }
    // ini reads a line that is no header as `key = value`, whatever its first character: under
    // [routes] that is an IPv6 route (`[::1]:5000 = file`), which credkit uses.
    const ipv6Route = FREE_FORM_SECTIONS.has(section) && /^\s*\[[^\]=]*\][^=]*=/.test(line);
    if (line.trimStart().startsWith('[') && !ipv6Route) {
      out.push({ problem: 'broken-line', path, line: n, section, message: `line ${n}: starts with "[" but is not a section header (one is "[name]" alone on its line, from its first column); credkit ignores it, and the keys after it stay ${where(section)}` });
      continue;
    }
    const pair = /^([^=]+)(=(.*))?$/.exec(line);
    // ini reads `ghcr.io` alone as a key set to true: under [routes] that is a route naming no
    // store, which the route check reports (the helper fails on it), not a line credkit ignores.
    if (pair && pair[2] === undefined && FREE_FORM_SECTIONS.has(section)) continue;
    if (!pair || pair[2] === undefined) {
      out.push({ problem: 'broken-line', path, line: n, section, message: `line ${n} (${where(section)}): not "key = value"; credkit ignores it` });
      continue;
    }
    if (!sectionKnown) continue; // the section's own warning covers its keys
    const raw = iniName(pair[1] as string);
    const key = raw.length > 2 && raw.endsWith('[]') ? raw.slice(0, -2) : raw;
    const accepted = (CONFIG_KEYS[section] ?? []).includes(key) || FREE_FORM_SECTIONS.has(section);
    if (accepted && key === raw) {
      // `key[]` lines build a list on purpose; any other repeated key loses every value but the last.
      const id = `${section}\u0000${key}`;
      const first = seen.get(id);
      if (first === undefined) seen.set(id, n);
      else {
        // A [routes] pattern is the user's own text: one that holds a credential is shown by its stand-in.
        const shown = FREE_FORM_SECTIONS.has(section) ? shownKey(key) : key;
        out.push({ problem: 'duplicate-key', path, line: n, section, key: shown, message: `line ${n}: "${shown}" ${where(section)} is also on line ${first}; credkit uses only the last one` });
      }
    }
    if (accepted) continue;
    const elsewhere = Object.entries(CONFIG_KEYS).find(([s, keys]) => s !== section && keys.includes(key))?.[0];
    const hint = elsewhere !== undefined ? `"${key}" belongs ${where(elsewhere)}` : known(section);
    out.push({ problem: 'unknown-key', path, line: n, section, key, message: `line ${n}: unknown key "${key}" ${where(section)}; credkit ignores it${hint ? ` (${hint})` : ''}` });
  }
  return out;
}

/** Lints credkit's config file for this environment; none when it is missing or unreadable (loadConfig reports those). */
export function lintConfig(host: Host): ConfigWarning[] {
  const path = configPath(host);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return lintConfigText(text, path);
}
