/**
 * Doctor's checks of credkit's own stores: which backends work here and why the others do not,
 * what `auto` picks (the same rule as openConfiguredStore), whether the configured backend works,
 * and whether `docker-credential-credkit` on PATH is this installation.
 */
import type { CredkitConfig } from '../config.js';
import type { Env, Host } from '../io.js';
import { maskUserinfo, shownKey } from '../redact.js';
import { DOCKER_HUB_HOST, DOCKER_HUB_KEY, credentialInKey, isPlainHostKey, isRegistryHost } from '../registry.js';
import { credentialsFromEnv, emptySecretGroups } from '../stores/env.js';
import { BACKENDS } from '../stores/registry.js';
import type { DoctorProbes } from './probes.js';
import type { DoctorFinding } from './report.js';
import { displayPath } from './report.js';

/** How to get out of each backend's usual trouble (pain point 3), appended to its reason. */
const BACKEND_FIX: Readonly<Record<string, string>> = {
  keychain: 'for a headless machine, choose keyutils, pass or file (CREDKIT_BACKEND, or "fallback = file" in config.ini)',
  keyutils: 'containers often block keyctl (allow it in the seccomp profile) or choose pass or file',
  pass: 'create a key (gpg --quick-gen-key) and run `pass init <key id>`, or choose another backend',
  file: 'move what is in the way, or point "path =" under [file] in config.ini (or CREDKIT_FILE) at a file in a directory you can write',
};

/**
 * The fix for a backend's problem: the backend's usual one, unless the reason itself names a
 * different cause whose fix it gives (the usual one would send the user the wrong way).
 */
function fixFor(name: string, problem: string): string | undefined {
  // The key is there and works; only its passphrase is not cached: a new key and `pass init` would be the wrong way.
  if (name === 'pass' && problem.includes('needs a passphrase')) return 'cache the passphrase in gpg-agent once, in a terminal (as the reason says), or use a key without a passphrase for this store (`pass init <its key id>`), or choose another backend';
  if (name === 'keyutils' && problem.includes('keyctl session')) return 'start the shell that runs docker or podman with `keyctl session`, or choose pass or file';
  return BACKEND_FIX[name];
}

/**
 * What `auto` picks, given why the keychain and the fallback cannot be used; `lasting` is false for
 * a keychain that is there but locked or not answering, which `auto` reports instead of falling back.
 */
export function pickAuto(keychainProblem: string | undefined, fallback: string | undefined, fallbackProblem: string | undefined, lasting = true): { backend: string | null; why: string } {
  if (keychainProblem === undefined) return { backend: 'keychain', why: 'the OS keychain is usable' };
  if (fallback && fallback !== 'auto' && !lasting) {
    return { backend: null, why: `the keychain is there but cannot be used now, and the fallback "${fallback}" is only for machines without one` };
  }
  if (fallback && fallback !== 'auto') {
    return fallbackProblem === undefined
      ? { backend: fallback, why: `the keychain is not usable, so the configured fallback` }
      : { backend: null, why: `the keychain is not usable and the fallback "${fallback}" is not either (${fallbackProblem})` };
  }
  return { backend: null, why: 'the keychain is not usable and no fallback is configured' };
}

/** The result: findings and the backend `auto` picks. */
export interface StoreCheckResult {
  findings: DoctorFinding[];
  autoBackend: string | null;
}

/** Checks every backend (in parallel; each check is bounded by its own timeout). */
export async function checkStores(config: CredkitConfig, host: Host, probes: DoctorProbes, helperIsUsed: boolean): Promise<StoreCheckResult> {
  const names = Object.keys(BACKENDS);
  const extra = [config.backend, config.fallback].filter((n): n is string => n !== undefined && n !== 'auto' && !names.includes(n));
  const all = [...names, ...new Set(extra)];
  const problems = new Map(await Promise.all(all.map(async (n) => [n, await probes.checkBackend(n, config)] as const)));
  const out: DoctorFinding[] = [];
  const inUse = config.backend === 'auto' ? undefined : config.backend;
  const source = host.env.CREDKIT_BACKEND ? 'CREDKIT_BACKEND' : config.source ? displayPath(config.source, host.home) : 'the default';
  for (const name of all) {
    const problem = problems.get(name);
    if (problem === undefined) {
      out.push({ level: 'ok', area: 'stores', code: 'backend-usable', what: `backend ${name} is usable` });
    } else if (name !== inUse) {
      // A backend nobody chose is only information: its reason says what it would need.
      out.push({ level: 'info', area: 'stores', code: 'backend-unusable', what: `backend ${name} is not usable here: ${problem.replace(`${name} backend: `, '')}`, fix: fixFor(name, problem) ?? 'choose another backend' });
    }
  }
  const keychainProblem = problems.get('keychain');
  const lasting = keychainProblem === undefined || !probes.keychainProblemIsLasting ? true : await probes.keychainProblemIsLasting(config);
  const auto = pickAuto(keychainProblem, config.fallback, config.fallback && config.fallback !== 'auto' ? problems.get(config.fallback) : undefined, lasting);
  if (inUse !== undefined) {
    const problem = problems.get(inUse);
    out.push(
      problem === undefined
        ? { level: 'ok', area: 'stores', code: 'configured-backend', what: `credkit uses backend ${inUse} (from ${source}), which is usable` }
        : { level: 'error', area: 'stores', code: 'configured-backend', what: `credkit uses backend ${inUse} (from ${source}), which is not usable here: ${problem}`, fix: fixFor(inUse, problem) ?? 'fix the above, or choose another backend (CREDKIT_BACKEND, "backend =" in config.ini)' },
    );
    out.push({ level: 'info', area: 'stores', code: 'auto-backend', what: auto.backend ? `auto would pick ${auto.backend} (${auto.why})` : `auto would find no usable backend (${auto.why})` });
  } else {
    out.push(
      auto.backend
        ? { level: 'ok', area: 'stores', code: 'auto-backend', what: `credkit uses backend auto, which picks ${auto.backend} (${auto.why})` }
        : {
            level: 'error',
            area: 'stores',
            code: 'auto-backend',
            what: `credkit uses backend auto, which finds no usable backend: ${auto.why}${problems.get('keychain') ? ` (keychain: ${problems.get('keychain')})` : ''}`,
            fix: lasting
              ? 'set "fallback = file" in credkit\'s config.ini (or CREDKIT_FALLBACK=file), or choose keyutils or pass with CREDKIT_BACKEND'
              : `make the keychain usable (see above), or set CREDKIT_BACKEND=${config.fallback ?? 'file'} to use another store for now`,
          },
    );
  }
  out.push(...checkEnvBackendKeys(host.env));
  out.push(...(await checkOwnHelper(host, probes, helperIsUsed)));
  return { findings: out, autoBackend: auto.backend };
}

/**
 * The env backend's server URLs that a client never asks for. A store answers the exact server URL
 * asked (stores do not guess), and docker asks a helper for `https://index.docker.io/v1/` or the
 * bare `host[:port]`, podman (containers/image) for `docker.io` or the bare `host[:port]`, never
 * with a scheme or a path: `CREDKIT_CRED_Q_SERVER=https://quay.io` would answer nothing, and the
 * CI job would pull anonymously without a word. Docker Hub under one spelling serves one client.
 */
export function checkEnvBackendKeys(env: Env): DoctorFinding[] {
  let keys: string[];
  try {
    keys = [...credentialsFromEnv(env).keys()];
  } catch {
    return []; // a misconfigured environment is the env backend's own problem, reported above
  }
  const variableFor = (key: string): string => Object.keys(env).sort().find((v) => /^CREDKIT_CRED_.+_SERVER$/.test(v) && env[v] === key) ?? 'CREDKIT_AUTH_CONFIG';
  const shown = (key: string): string => `${JSON.stringify(maskUserinfo(shownKey(key)))} (${variableFor(key)})`;
  const asked = (key: string): boolean => key === DOCKER_HUB_KEY || key === DOCKER_HUB_HOST || (isPlainHostKey(key) && isRegistryHost(key) && credentialInKey(key) === undefined);
  const out: DoctorFinding[] = [];
  const unused = keys.filter((k) => !asked(k));
  if (unused.length > 0) {
    out.push({
      level: 'warn',
      area: 'stores',
      code: 'env-backend-key',
      what: `the env backend holds ${unused.length === 1 ? 'a server URL' : 'server URLs'} that docker and podman never ask a credential helper for: ${unused.map(shown).join(', ')}; a store answers only the exact server URL asked, so ${unused.length === 1 ? 'it is' : 'they are'} never used`,
      fix: `name each registry as the clients ask for it: its bare host[:port] ("quay.io", "localhost:5000"); Docker Hub is "${DOCKER_HUB_KEY}" for docker and "${DOCKER_HUB_HOST}" for podman`,
    });
  }
  const switchedOff = emptySecretGroups(env);
  if (switchedOff.length > 0) {
    out.push({
      level: 'warn',
      area: 'stores',
      code: 'env-backend-empty-secret',
      what: `${switchedOff.map((p) => `${p}_SECRET`).join(', ')} ${switchedOff.length === 1 ? 'is' : 'are'} empty, so the env backend answers nothing for ${switchedOff.map((p) => JSON.stringify(maskUserinfo(shownKey(env[`${p}_SERVER`] ?? '')))).join(', ')} and the clients pull anonymously (as CI systems leave a secret a job may not read, such as in a pull request from a fork)`,
      fix: 'give the job the secret if it needs to log in; an empty secret is otherwise fine',
    });
  }
  const hub = [DOCKER_HUB_KEY, DOCKER_HUB_HOST].filter((k) => keys.includes(k));
  if (hub.length === 1) {
    const [has, client, missing, other] = hub[0] === DOCKER_HUB_KEY ? [DOCKER_HUB_KEY, 'docker', DOCKER_HUB_HOST, 'podman'] : [DOCKER_HUB_HOST, 'podman', DOCKER_HUB_KEY, 'docker'];
    out.push({
      level: 'info',
      area: 'stores',
      code: 'env-backend-hub',
      what: `the env backend holds Docker Hub as ${shown(has)} only, which ${client} asks for; ${other} asks for "${missing}" and pulls from Docker Hub anonymously`,
      fix: `if ${other} pulls from Docker Hub here, add "${missing}" with the same username and secret too (a CREDKIT_CRED_<NAME>_SERVER group, or a key of CREDKIT_AUTH_CONFIG)`,
    });
  }
  return out;
}

/** Is `docker-credential-credkit` on PATH, and is it this installation? */
async function checkOwnHelper(host: Host, probes: DoctorProbes, helperIsUsed: boolean): Promise<DoctorFinding[]> {
  const lookup = probes.findHelper('credkit');
  if (!lookup.found) {
    // When a config names credkit, the helper checks already report this as an error.
    if (helperIsUsed) return [];
    return [{ level: 'info', area: 'stores', code: 'own-helper', what: 'docker-credential-credkit is not on PATH: docker and podman cannot use credkit as a helper yet', fix: 'install credkit globally (`npm install -g .` in a checkout) or put its bin directory on PATH' }];
  }
  const shown = displayPath(lookup.path, host.home);
  if (await probes.isOwnHelper(lookup.path)) return [{ level: 'ok', area: 'stores', code: 'own-helper', what: `docker-credential-credkit on PATH (${shown}) is this installation` }];
  return [{ level: 'warn', area: 'stores', code: 'own-helper', what: `docker-credential-credkit on PATH (${shown}) is another installation than this credkit: docker uses that one, with its own version and settings`, fix: 'remove the other installation, or put this one first on PATH' }];
}
