/**
 * `credkit doctor`: checks the machine for everything that makes registry logins fail or leak,
 * and says for each finding how to fix it. A core function: the Host and the probes come in,
 * a report goes out; nothing is printed here.
 */
import { join } from 'node:path';
import type { CredkitConfig } from '../config.js';
import { loadConfig } from '../config.js';
import { lintConfig } from '../config-lint.js';
import type { ConfigProblem } from '../config-lint.js';
import type { Host } from '../io.js';
import { messageOf } from '../errors.js';
import { DOCKER_AUTH_CONFIG, dockerReadsAuthConfig } from '../auth-file/docker-env-config.js';
import { refusedRuntimeDir, rootlessRuntimeDirs, type RootlessRuntimeDirs } from '../auth-file/rootless-runtime-dir.js';
import { dockerConfigPath, loadAuthFiles } from './auth-files.js';
import { compareSkopeo, compareViews, dockerView, podmanView, scopeViews, skopeoScopeViews, skopeoView } from './agreement.js';
import type { Listings, ToolCredential } from './agreement.js';
import type { LoadedAuthFile } from './auth-files.js';
import { locateAuthFiles, podmanReadsDockerConfigFirst } from '../auth-file/locate.js';
import { searchPath } from '../path-search.js';
import { checkAuthEnvironment, checkAuthFiles, checkPodmanLoginFile } from './file-checks.js';
import { checkHelpers, collectHelpers, detectWSL } from './helper-checks.js';
import type { DoctorProbes } from './probes.js';
import type { DoctorFinding, DoctorReport } from './report.js';
import { countLevels, displayPath } from './report.js';
import { checkStores } from './store-checks.js';
import { checkRoutes } from './route-checks.js';
import { checkSelectedAccount } from './account-checks.js';
import { checkPodmanKeyutils } from './podman-namespace-checks.js';

/** How to fix each kind of config.ini line credkit ignores. */
const CONFIG_FIX: Readonly<Record<ConfigProblem, string>> = {
  'unknown-section': 'correct the section name, or remove the section',
  'unknown-key': 'correct the key, or remove the line',
  'broken-line': 'correct the line, or remove it',
  'duplicate-key': 'keep one line for the key (the value credkit should use)',
};

/** The longest doctor waits for one helper's `list`, whatever credkit's helper timeout is. */
export const DOCTOR_HELPER_TIMEOUT_MS = 5000;

/** Options for {@link runDoctor}. */
export interface DoctorOptions {
  /** Call `list` on every helper found on PATH (default true). */
  callHelpers?: boolean;
}

/** Runs every check; never throws for a condition of the machine (that is a finding). */
export async function runDoctor(host: Host, probes: DoctorProbes, options: DoctorOptions = {}): Promise<DoctorReport> {
  const findings: DoctorFinding[] = [];
  let config: CredkitConfig | undefined;
  try {
    config = await loadConfig(host);
  } catch (err) {
    findings.push({ level: 'error', area: 'stores', code: 'credkit-config', what: `credkit's config cannot be used: ${messageOf(err)}`, fix: 'repair the file, or move it away to use the defaults' });
  }
  // What the INI parser drops without a word: a misspelt key means its default, silently.
  for (const w of lintConfig(host)) {
    findings.push({ level: 'warn', area: 'stores', code: `config-${w.problem}`, path: w.path, what: `credkit's config ${displayPath(w.path, host.home)}: ${w.message}`, fix: CONFIG_FIX[w.problem] });
  }
  // Rootless podman without XDG_RUNTIME_DIR picks a runtime directory of its own (not skopeo's /run/containers/$UID).
  const rootless = await rootlessRuntimeDirs(host, probes.uid, (path) => probes.statPath(path));
  const [wsl, files] = await Promise.all([detectWSL(host, probes), loadAuthFiles(host, probes, rootless)]);
  const uses = collectHelpers(files, host.home);
  const timeoutMs = Math.min(config?.helperTimeoutMs ?? DOCTOR_HELPER_TIMEOUT_MS, DOCTOR_HELPER_TIMEOUT_MS);
  // docker before 28.3 never reads DOCKER_AUTH_CONFIG: with one on PATH, the variable is neither
  // docker's credential nor a value docker refuses (as credkit explain says).
  const dockerVersion = host.env[DOCKER_AUTH_CONFIG] ? await probes.dockerVersion?.(timeoutMs) : undefined;
  const oldDocker = dockerVersion !== undefined && dockerReadsAuthConfig(dockerVersion) === false ? dockerVersion : undefined;
  const [stores, helpers, environment] = await Promise.all([
    config ? checkStores(config, host, probes, uses.some((u) => u.helper === 'credkit')) : Promise.resolve({ findings: [], autoBackend: null }),
    checkHelpers(uses, host, probes, { wsl, callHelpers: options.callHelpers ?? true, timeoutMs }),
    checkAuthEnvironment(host, probes, oldDocker, rootless),
  ]);
  const routes = config ? await checkRoutes(config, probes, stores.autoBackend) : [];
  // Each store call is bounded as doctor's helper calls are.
  const account = config ? await checkSelectedAccount({ ...config, helperTimeoutMs: timeoutMs }, host, probes) : [];
  const podmanKeyutils = config ? checkPodmanKeyutils(files, config, stores.autoBackend, host, probes.uid) : [];
  findings.push(...stores.findings, ...routes, ...podmanKeyutils, ...account, ...helpers.findings, ...checkAuthFiles(files, host, probes.uid), ...environment, ...checkPodmanLoginFile(files, host));
  const docker = await dockerView(files, helpers.listings, host, oldDocker);
  // Rootless podman and buildah refusing XDG_RUNTIME_DIR (runtime-dir-refused) fail at every
  // command: no credential of theirs to compare. skopeo makes no such check and is compared still.
  const refused = await refusedRuntimeDir(host, probes.uid, (path) => probes.statPath(path));
  let podman = new Map<string, ToolCredential>();
  if (refused === undefined) {
    podman = await podmanView(files, helpers.listings, host, probes.uid, rootless);
    const scopes = await scopeViews(files, helpers.listings, host, probes.uid, podman, oldDocker, rootless);
    findings.push(...compareViews(docker.credentials, podman, host, podmanFileToEdit(host), docker.ignoredPlaintext, helpers.broken, scopes));
  } else {
    findings.push({ level: 'info', area: 'agreement', code: 'agreement-skipped', what: `podman and buildah were not compared with docker: they refuse XDG_RUNTIME_DIR and fail at every command ("${refused}"; runtime-dir-refused above), so they use no credential here`, fix: 'fix XDG_RUNTIME_DIR as runtime-dir-refused says, then run doctor again' });
  }
  findings.push(...(await checkSkopeo(files, helpers.listings, host, probes.uid, podman, docker.credentials, rootless, refused !== undefined)));
  if (wsl) findings.unshift({ level: 'info', area: 'helpers', code: 'wsl', what: 'running under WSL: Windows helpers (*.exe) work only with Windows interop and Docker Desktop\'s WSL integration' });
  return {
    findings,
    autoBackend: stores.autoBackend,
    configuredBackend: config?.backend,
    wsl,
    ...countLevels(findings),
  };
}

/** The auth.json a user should edit to change what podman reads (persistent, never the tmpfs one). */
function podmanFileToEdit(host: Host): string {
  if (host.env.REGISTRY_AUTH_FILE) return host.env.REGISTRY_AUTH_FILE;
  if (host.env.DOCKER_CONFIG) return dockerConfigPath(host);
  return join(host.env.XDG_CONFIG_HOME || join(host.home, '.config'), 'containers', 'auth.json');
}


/**
 * skopeo inspect and copy against podman and docker, where their searches differ (DOCKER_CONFIG
 * set, no REGISTRY_AUTH_FILE) and skopeo is installed: a machine without it has no such pull.
 * Registry by registry, and below each namespace or repository key where skopeo's order of files
 * makes it send another credential than podman there. `podmanFails`: podman and buildah refuse
 * XDG_RUNTIME_DIR, and `podman` is empty; skopeo is compared with docker.
 */
async function checkSkopeo(files: readonly LoadedAuthFile[], listings: Listings, host: Host, uid: number | undefined, podman: ReadonlyMap<string, ToolCredential>, docker: ReadonlyMap<string, ToolCredential>, rootless: RootlessRuntimeDirs | undefined, podmanFails: boolean): Promise<DoctorFinding[]> {
  if (!podmanReadsDockerConfigFirst(host) || searchPath('skopeo', host.env, host.platform).path === undefined) return [];
  const skopeoFirst = locateAuthFiles(host, uid === undefined ? { tool: 'skopeo' } : { tool: 'skopeo', uid, ...(rootless ? { rootless } : {}) })[0]?.path;
  if (skopeoFirst === undefined) return [];
  const skopeo = await skopeoView(files, listings, host, uid, rootless);
  const scopes = await skopeoScopeViews(files, listings, host, uid, { skopeo, podman, docker }, rootless, podmanFails);
  return compareSkopeo(skopeo, podman, docker, host, { skopeo: skopeoFirst, podman: dockerConfigPath(host) }, scopes, podmanFails);
}
