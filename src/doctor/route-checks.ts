/**
 * Doctor's checks of `[routes]` in credkit's config.ini (src/stores/routes.ts): a route the helper
 * cannot use (it then fails every call), a store a route names that does not work here, and a route
 * an earlier one always wins over (a glob, or another spelling of the same host). A pattern written
 * twice exactly is config lint's (duplicate-key): ini keeps one key, with the last value.
 */
import type { CredkitConfig } from '../config.js';
import type { DoctorProbes } from './probes.js';
import type { DoctorFinding } from './report.js';
import { parseRoutes, routeSetting, shadowingRoute } from '../stores/routes.js';

/** Checks every route; `autoBackend` is what `auto` picks (a route may name `auto`). */
export async function checkRoutes(config: CredkitConfig, probes: DoctorProbes, autoBackend: string | null): Promise<DoctorFinding[]> {
  if (config.routes.length === 0) return [];
  const { routes, problems } = parseRoutes(config.routes);
  const out: DoctorFinding[] = [];
  for (const p of problems) {
    out.push({
      level: 'error',
      area: 'stores',
      code: 'route-invalid',
      what: `credkit's route "${p.pattern}" cannot be used: ${p.message}; docker-credential-credkit fails every call until it is fixed`,
      fix: 'correct the line under [routes] in config.ini, or remove it',
      ...(config.source !== undefined ? { path: config.source } : {}),
    });
  }
  const names = [...new Set(routes.map((r) => r.store))].filter((n) => n !== 'auto');
  const storeProblems = new Map(await Promise.all(names.map(async (n) => [n, await probes.checkBackend(n, config, n === config.backend ? undefined : routeSetting(routes, n))] as const)));
  for (const r of routes) {
    const problem = r.store === 'auto' ? (autoBackend === null ? 'auto finds no usable backend (see above)' : undefined) : storeProblems.get(r.store);
    const shadow = shadowingRoute(routes, r);
    if (shadow !== undefined && r.exact) {
      out.push({
        level: 'warn',
        area: 'stores',
        code: 'route-shadowed',
        what: `credkit's route "${r.pattern}" is never used: the earlier route "${shadow.pattern}" names the same registry, ${r.host} (hosts are compared without regard to case, and Docker Hub is docker.io under any of its names), and the first in the file wins`,
        fix: `keep one line for ${r.host} under [routes], with the store it should use`,
      });
    } else if (shadow !== undefined) {
      out.push({
        level: 'warn',
        area: 'stores',
        code: 'route-shadowed',
        what: `credkit's route "${r.pattern}" is never used: the earlier route "${shadow.pattern}" matches every registry it does (an exact host comes first, then the first glob in the file that matches)`,
        fix: `remove it, or put it before "${shadow.pattern}" in config.ini`,
      });
    } else if (problem !== undefined) {
      // A problem found through the route (a helper not on PATH, a mistyped name) already ends
      // with what to change at it ("install it, or change the route …"): said once, not again as the fix.
      const advised = problem.includes(routeSetting(routes, r.store));
      out.push({
        level: 'error',
        area: 'stores',
        code: 'route-store',
        what: `credkit's route "${r.pattern}" sends its registries to ${r.store}, which is not usable here: ${problem}`,
        ...(advised ? {} : { fix: `make ${r.store} usable, or route "${r.pattern}" to another store` }),
      });
    } else {
      out.push({ level: 'ok', area: 'stores', code: 'route', what: `credkit's route "${r.pattern}" sends its registries to ${r.store}${r.store === 'auto' ? ` (${autoBackend})` : ''}, which is usable` });
    }
  }
  return out;
}
