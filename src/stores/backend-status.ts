/**
 * What `credkit store backends` reports: each backend and whether it can be used here, and each
 * `[routes]` line with whether the helper can use it (the checks doctor makes, in brief: a route
 * credkit cannot use fails every helper call, a route to a store that does not work fails the
 * calls for its hosts).
 */
import type { CredkitConfig } from '../config.js';
import type { Host } from '../io.js';
import { messageOf } from '../errors.js';
import { BACKENDS, loadBackend } from './registry.js';
import { parseRoutePattern, routeSetting, routeStoreProblem, shownRoutePattern } from './routes.js';

/** One backend and whether it can be used here. */
export interface BackendStatus {
  name: string;
  usable: boolean;
  problem: string | undefined;
  description: string;
}

/** One `[routes]` line; `code` as doctor's finding for it (`route-invalid`, `route-store`) when it is not usable. */
export interface RouteStatus {
  /** As written, or the stand-in of one that holds a credential (shownRoutePattern). */
  pattern: string;
  store: string;
  usable: boolean;
  problem?: string;
  code?: 'route-invalid' | 'route-store';
}

/**
 * Checks every backend, then every route (a route's store by the same checks), then the configured
 * backend itself: why it cannot be used (a name no backend has, auto finding nothing), if so.
 */
export async function checkBackends(config: CredkitConfig, host: Host): Promise<{ backends: BackendStatus[]; routes: RouteStatus[]; configuredProblem: string | undefined }> {
  const backends: BackendStatus[] = [];
  for (const name of Object.keys(BACKENDS)) {
    const mod = await loadBackend(name);
    const problem = await mod.checkAvailable(config, host);
    backends.push({ name, usable: problem === undefined, problem, description: mod.description });
  }
  const known = new Map(backends.map((b) => [b.name, b.problem]));
  const valid = config.routes.filter((r) => !('problem' in parseRoutePattern(r.pattern)) && routeStoreProblem(r.store) === undefined);
  const storeProblems = new Map<string, Promise<string | undefined>>();
  const storeProblem = (name: string): Promise<string | undefined> => {
    let problem = storeProblems.get(name);
    if (problem === undefined) {
      // A store only routes name is reported at those routes (a helper not on PATH, a mistyped
      // name), as the helper reports it; one the backend setting names keeps that setting's words.
      problem = name === 'auto' ? autoProblem(config, host, known) : known.has(name) ? Promise.resolve(known.get(name)) : checkStore(name, config, host, name === config.backend ? undefined : routeSetting(valid, name));
      storeProblems.set(name, problem);
    }
    return problem;
  };
  const routes: RouteStatus[] = [];
  for (const [i, { pattern, store }] of config.routes.entries()) {
    const parsed = parseRoutePattern(pattern);
    const invalid = 'problem' in parsed ? parsed.problem : routeStoreProblem(store);
    if (invalid !== undefined) {
      routes.push({ pattern: shownRoutePattern(pattern, i + 1), store, usable: false, problem: invalid, code: 'route-invalid' });
      continue;
    }
    const problem = await storeProblem(store);
    routes.push(problem === undefined ? { pattern, store, usable: true } : { pattern, store, usable: false, problem, code: 'route-store' });
  }
  // A typo in `backend =` leaves every helper call failing; the backends listed are all fine.
  return { backends, routes, configuredProblem: await storeProblem(config.backend) };
}

async function checkStore(name: string, config: CredkitConfig, host: Host, setting: string | undefined): Promise<string | undefined> {
  try {
    return await (await loadBackend(name, setting)).checkAvailable(config, host);
  } catch (err) {
    return messageOf(err); // an unknown backend name
  }
}

/** Why `auto` opens nothing here: the keychain is not usable, and there is no usable fallback it would take. */
async function autoProblem(config: CredkitConfig, host: Host, known: ReadonlyMap<string, string | undefined>): Promise<string | undefined> {
  const keychain = known.get('keychain');
  if (keychain === undefined) return undefined;
  const fallback = config.fallback && config.fallback !== 'auto' ? config.fallback : undefined;
  if (fallback === undefined) return `auto finds no usable backend (the keychain: ${keychain}; no fallback is configured)`;
  // As openConfiguredStore: a keychain that is there but locked or not answering is no reason to switch.
  const mod = await loadBackend('keychain');
  if (mod.availability !== undefined && !(await mod.availability(config, host)).lasting) return `auto does not use its fallback while the keychain is there but unusable: ${keychain}`;
  const problem = known.has(fallback) ? known.get(fallback) : await checkStore(fallback, config, host, "credkit's fallback setting");
  return problem === undefined ? undefined : `auto finds no usable backend (the keychain: ${keychain}; the fallback ${fallback}: ${problem})`;
}
