/**
 * Doctor's checks of the credential helpers docker's config.json (`credsStore`, `credHelpers`)
 * and podman's auth files (`credHelpers`) name: on PATH or not, runnable or not (Windows `.exe`
 * helpers under WSL), and, unless told not to, whether each answers `list` within a short time.
 */
import type { Host } from '../io.js';
import { helperProgram } from '../helper/client.js';
import type { LoadedAuthFile, Reader } from './auth-files.js';
import type { DoctorProbes, HelperListing } from './probes.js';
import type { DoctorFinding } from './report.js';
import { displayPath } from './report.js';
import { shownKey } from '../redact.js';

/** Where a helper is named. */
export interface HelperUse {
  helper: string;
  /** e.g. `credsStore in ~/.docker/config.json`. */
  where: string[];
  /** The clients that run it: docker for credsStore, each reader of the file for credHelpers. */
  readers: Set<Reader>;
}

/** True on WSL: its environment variables, else "microsoft" in /proc/version. */
export async function detectWSL(host: Host, probes: Pick<DoctorProbes, 'readSystemFile'>): Promise<boolean> {
  if (host.platform !== 'linux') return false;
  if (host.env.WSL_DISTRO_NAME || host.env.WSL_INTEROP) return true;
  return /microsoft|wsl/i.test((await probes.readSystemFile('/proc/version')) ?? '');
}

/**
 * Every helper the files name, in order of first mention. docker's `credsStore` counts only in
 * the file docker reads: containers/image has no `credsStore` (formats.md §4.1).
 */
export function collectHelpers(files: readonly LoadedAuthFile[], home: string): HelperUse[] {
  const uses = new Map<string, HelperUse>();
  const add = (helper: string, where: string, readers: readonly Reader[]) => {
    const use = uses.get(helper) ?? { helper, where: [], readers: new Set<Reader>() };
    use.where.push(where);
    for (const r of readers) use.readers.add(r);
    uses.set(helper, use);
  };
  for (const f of files) {
    if (!f.file || f.readers.length === 0) continue;
    const shown = displayPath(f.path, home);
    if (f.file.credsStore !== undefined && f.readers.includes('docker')) add(f.file.credsStore, `credsStore in ${shown}`, ['docker']);
    let index = 0;
    // A key that holds a credential is named by its stand-in, as check names it.
    for (const [key, helper] of f.file.credHelpers) add(helper, `credHelpers["${shownKey(key, { index: ++index, member: 'credHelpers' })}"] in ${shown}`, f.readers);
  }
  return [...uses.values()];
}

function isExe(name: string): boolean {
  return name.toLowerCase().endsWith('.exe');
}

function whereText(use: HelperUse): string {
  const shown = use.where.slice(0, 2).join(', ');
  return use.where.length > 2 ? `${shown} and ${use.where.length - 2} more` : shown;
}

/** Options for {@link checkHelpers}. */
export interface HelperCheckOptions {
  wsl: boolean;
  /** Call `list` on each helper found (off: only look on PATH). */
  callHelpers: boolean;
  /** How long `list` may take. */
  timeoutMs: number;
}

/** The result: findings, and what each helper listed (for the agreement checks' usernames). */
export interface HelperCheckResult {
  findings: DoctorFinding[];
  listings: Map<string, Map<string, string>>;
  /** Helpers reported at error level (missing, cannot run, hang…): no fix should point at them. */
  broken: Set<string>;
}

/** Checks every helper in `uses`; helper calls run in parallel, each bounded by the timeout. */
export async function checkHelpers(uses: readonly HelperUse[], host: Host, probes: DoctorProbes, options: HelperCheckOptions): Promise<HelperCheckResult> {
  const listings = new Map<string, Map<string, string>>();
  const results = await Promise.all(uses.map((use) => checkOne(use, host, probes, options, listings)));
  const broken = new Set(uses.filter((_, i) => results[i]?.some((f) => f.level === 'error')).map((u) => u.helper));
  return { findings: results.flat(), listings, broken };
}

async function checkOne(use: HelperUse, host: Host, probes: DoctorProbes, options: HelperCheckOptions, listings: Map<string, Map<string, string>>): Promise<DoctorFinding[]> {
  const { helper } = use;
  const program = helperProgram(helper);
  const named = `${program} (${whereText(use)})`;
  const lookup = probes.findHelper(helper);
  const base = { area: 'helpers' as const, code: '' };
  if (!lookup.found) {
    if (lookup.reason === 'invalid-name') return [{ ...base, level: 'error', code: 'helper-invalid-name', what: `${whereText(use)}: ${lookup.message}`, fix: 'name the helper by its suffix, e.g. "pass" for docker-credential-pass' }];
    if (lookup.reason === 'not-executable' && lookup.path !== undefined) {
      // Installing it again is not the fix: the file is there, only its execute bit is missing.
      const shown = displayPath(lookup.path, host.home);
      return [{ ...base, level: 'error', code: 'helper-not-executable', path: lookup.path, what: `${named} is on PATH at ${shown} but is not executable: docker and podman skip it and fail as if it were missing ("executable file not found in $PATH")`, fix: `chmod +x ${shown}` }];
    }
    return [{ ...base, level: 'error', ...missingHelper(use, named, host, probes, options.wsl) }];
  }
  if (!options.callHelpers) return [{ ...base, level: 'ok', code: 'helper-on-path', what: `${named} is on PATH at ${displayPath(lookup.path, host.home)} (not called)` }];
  const listing: HelperListing = await probes.listHelper(helper, options.timeoutMs);
  if (listing.ok) {
    listings.set(helper, listing.entries);
    const n = listing.entries.size;
    return [{ ...base, level: 'ok', code: 'helper-answers', what: `${named} at ${displayPath(lookup.path, host.home)} answers list (${n} ${n === 1 ? 'entry' : 'entries'})` }];
  }
  switch (listing.reason) {
    case 'timeout':
      return [{ ...base, level: 'error', code: 'helper-hangs', what: `${named} did not answer list within ${options.timeoutMs / 1000} s and was stopped: docker and podman calls through it hang too`, fix: `find out what it waits for (a locked keyring, a pinentry dialog, the network) with \`${program} list\` in a terminal, or remove it from ${whereText(use)}` }];
    case 'cannot-run':
      return [{ ...base, level: 'error', code: 'helper-cannot-run', what: listing.message, fix: isExe(helper) && options.wsl ? 'enable WSL interop ([interop] enabled = true in /etc/wsl.conf, then `wsl --shutdown` from Windows), or point credsStore/credHelpers at a Linux helper' : `reinstall ${program}, or remove it from ${whereText(use)}` }];
    case 'loop':
      return [{ ...base, level: 'error', code: 'helper-loop', what: listing.message, fix: "a helper must not be configured to call itself; check credkit's backend (CREDKIT_BACKEND, config.ini)" }];
    default:
      // It runs; some helpers do not implement `list`, so an error answer is only a warning.
      return [{ ...base, level: 'warn', code: 'helper-list-failed', what: listing.message, fix: `run \`${program} list\` in a terminal to see what it needs` }];
  }
}

/** The finding for a helper that is not on PATH, with the fix for the usual cases (users.md #10). */
function missingHelper(use: HelperUse, named: string, host: Host, probes: DoctorProbes, wsl: boolean): { code: string; what: string; fix: string } {
  const { helper } = use;
  const where = whereText(use);
  if (isExe(helper) && wsl) {
    const linux = helper.slice(0, -4);
    const alt = probes.findHelper(linux);
    return {
      code: 'helper-wsl-exe-missing',
      what: `${named} is not on PATH: it is a Windows program, which this WSL distro sees only through Docker Desktop's WSL integration or Windows PATH interop`,
      fix: alt.found
        ? `use the Linux helper that is installed: change "${helper}" to "${linux}" in ${where}`
        : `enable Docker Desktop → Settings → Resources → WSL integration for this distro (or appendWindowsPath = true under [interop] in /etc/wsl.conf) and open a new shell; without Docker Desktop, change "${helper}" to a Linux helper (pass, credkit) or remove it from ${where}`,
    };
  }
  if (isExe(helper)) {
    return {
      code: 'helper-windows-only',
      what: `${named} is a Windows program and cannot run on ${host.platform} (a config copied from Windows or WSL?)`,
      fix: `change "${helper}" to a helper for this system (pass, secretservice, credkit) or remove it from ${where}`,
    };
  }
  if (wsl && probes.findHelper(`${helper}.exe`).found) {
    return { code: 'helper-missing', what: `${named} is not on PATH, but ${helperProgram(`${helper}.exe`)} is`, fix: `change "${helper}" to "${helper}.exe" in ${where}` };
  }
  const desktop = helper === 'desktop' ? ' (it comes with Docker Desktop; without Desktop, use pass, secretservice or credkit instead)' : '';
  // What each client does without it (users.md #10), checked with docker 28.2 and skopeo 1.9:
  // docker ignores the failed call and pulls without the credential; containers/image fails the
  // lookup naming the helper; a credsStore is docker's alone.
  const effects: string[] = [];
  if (use.readers.has('docker')) effects.push('docker pulls those registries without credentials and fails with errors that do not mention the helper ("pull access denied", "no basic auth credentials"), and docker login fails');
  if (use.readers.has('podman')) effects.push('podman, skopeo and buildah fail for them ("error getting credentials")');
  return { code: 'helper-missing', what: `${named} is not on PATH: ${effects.join('; ')}`, fix: `install ${helperProgram(helper)}${desktop}, or remove "${helper}" from ${where}` };
}
