/**
 * `[routes]` in credkit's config.ini: which store keeps the credentials of which registry hosts.
 * docker asks one `credsStore` for every registry that has no `credHelpers` entry, and
 * `credHelpers` has no wildcards (every ECR account and region listed by hand); with
 * `"credsStore": "credkit"` these routes choose the store per registry instead.
 *
 * A pattern is a registry host as kubelet matches pull-secret keys (src/host-pattern.ts): each DNS
 * label a glob (`*`, `?`, `[a-z]`; `*` stays within its label), a port compared exactly. Hosts are
 * compared without regard to case (DNS names are case-insensitive; the store still keeps the exact
 * URL the client sent). Docker Hub is `docker.io` under any of its names, as docker sends
 * `https://index.docker.io/v1/` and podman `docker.io`. An exact host wins over every glob, so that
 * one registry can be taken out of a wildcard; among globs, and among patterns for one host, the
 * first in the file wins.
 */
import { credentialInKey, parseRegistryKey } from '../registry.js';
import { shownKey } from '../redact.js';
import { hostMatches } from '../host-pattern.js';
import { serverURLOfKey } from './account-key.js';

/** One checked route. */
export interface Route {
  /** As written in config.ini. */
  pattern: string;
  /** Lower case, Docker Hub aliases as `docker.io`: what is matched. */
  host: string;
  /** No glob character: compared as a whole, before every glob. */
  exact: boolean;
  /** The store's name, as `backend =` takes it (`pass`, `helper:ecr-login`…). */
  store: string;
}

/** A route credkit cannot use, and why (names only, never a value beyond the store name). */
export interface RouteProblem {
  /** As written, or the stand-in of one that holds a credential ({@link shownRoutePattern}). */
  pattern: string;
  message: string;
}

const HUB_ALIASES: ReadonlySet<string> = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
// One DNS label as a glob: letters, digits, `-` and `_`, `*`, `?` and character classes.
const GLOB_LABEL = /^(?:[a-z0-9_-]|\*|\?|\[\^?[a-z0-9_-]+(?:-[a-z0-9_-]+)?\])+$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;

/** Why `pattern` is no route pattern, or its host form (lower case, Hub as `docker.io`). */
export function parseRoutePattern(pattern: string): { host: string; exact: boolean } | { problem: string } {
  // Checked first and never quoted: the port check below would quote a user:password's password.
  if (credentialInKey(pattern.trim()) !== undefined) return { problem: 'it holds a credential (a user:password, or base64 of one) where a registry host belongs; a route names a registry host, and the credential belongs in a store' };
  const text = pattern.trim().toLowerCase();
  if (text === '') return { problem: 'an empty pattern matches no registry' };
  if (text.endsWith('[]')) {
    const host = text.slice(0, -2).trim();
    return { problem: `"[]" after a pattern makes ini read the line as a list, not a route: write "${host === '' ? 'HOST' : host} = STORE"` };
  }
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//.exec(text);
  if (scheme) {
    const host = text.slice(scheme[0].length).split('/')[0] ?? '';
    return { problem: `a route names a registry host, without a scheme: write "${HUB_ALIASES.has(host) ? 'docker.io' : host}"` };
  }
  if (text.includes('@')) return { problem: 'a route names a registry host; user information ("user@") has no place in it' };
  const slash = text.indexOf('/');
  if (slash >= 0) {
    // docker asks a helper by host only (reference.Domain; `docker login host/org` stores under the
    // host), and containers/image never sends a namespaced key to a helper: no call could match.
    return { problem: `routes choose a store by registry host, and docker and podman ask a credential helper by host only, never by repository path: route "${text.slice(0, slash)}" instead` };
  }
  let host = text;
  let port = '';
  const colon = text.lastIndexOf(':');
  if (colon >= 0 && !(text.startsWith('[') && text.endsWith(']'))) {
    host = text.slice(0, colon);
    port = text.slice(colon + 1);
    if (!/^[0-9]{1,5}$/.test(port)) return { problem: `the port "${port}" is not a number (a port is compared exactly, never as a glob)` };
  }
  if (IPV6.test(host)) return { host: `${host}${port ? `:${port}` : ''}`, exact: true };
  const labels = host.split('.');
  if (labels.some((l) => l === '')) return { problem: 'an empty DNS label (two dots, or a dot at either end) matches no registry' };
  const bad = labels.find((l) => !GLOB_LABEL.test(l));
  if (bad !== undefined) return { problem: `the label "${bad}" is neither a host name label nor a glob of one (*, ? or [a-z], within one label)` };
  const exact = !/[*?[]/.test(host);
  if (exact && port === '' && HUB_ALIASES.has(host)) return { host: 'docker.io', exact };
  return { host: `${host}${port ? `:${port}` : ''}`, exact };
}

/** Why `store` cannot take a route's credentials, or undefined (unknown backend names are left to opening it). */
export function routeStoreProblem(store: string): string | undefined {
  if (store === '') return 'names no store: write a backend such as pass or file, or helper:NAME, after "=" (true, false and null are no store names)';
  if (store.startsWith('authfile:')) return 'an auth file is no credential store here (docker would keep the password in plain text); name a backend or helper:NAME';
  if (store === 'helper:') return '"helper:" needs a helper name, e.g. helper:ecr-login';
  if (store === 'helper:credkit') return 'the store "helper:credkit" is credkit itself: docker-credential-credkit reads the same routes and would ask itself again';
  return undefined;
}

/**
 * A pattern as people see it: as written, or, for one that holds a credential where the host
 * belongs (which parseRoutePattern refuses), the stand-in that says which line it is:
 * `<entry #2 of [routes], hidden: it looks like a user:password>` (`index` 1-based among the routes).
 */
export function shownRoutePattern(pattern: string, index: number): string {
  return credentialInKey(pattern.trim()) === undefined ? pattern : shownKey(pattern.trim(), { index, member: '[routes]' });
}

/** Checks every route; a route with a problem is left out of `routes`. */
export function parseRoutes(settings: readonly { pattern: string; store: string }[]): { routes: Route[]; problems: RouteProblem[] } {
  const routes: Route[] = [];
  const problems: RouteProblem[] = [];
  for (const [i, { pattern, store }] of settings.entries()) {
    const parsed = parseRoutePattern(pattern);
    const storeProblem = routeStoreProblem(store);
    if ('problem' in parsed) problems.push({ pattern: shownRoutePattern(pattern, i + 1), message: parsed.problem });
    else if (storeProblem !== undefined) problems.push({ pattern, message: storeProblem });
    else routes.push({ pattern, host: parsed.host, exact: parsed.exact, store });
  }
  return { routes, problems };
}

/**
 * The routes that name `store`, in words for an error about that store ("the route "ghcr.io"
 * under [routes] in credkit's config.ini"), so the user changes that line and not `backend =`.
 */
export function routeSetting(routes: readonly Pick<Route, 'pattern' | 'store'>[], store: string): string {
  const patterns = routes.filter((r) => r.store === store).map((r) => JSON.stringify(r.pattern));
  return `the route${patterns.length > 1 ? 's' : ''} ${patterns.join(', ')} under [routes] in credkit's config.ini`;
}

/**
 * The host a server URL is routed by: docker's `https://index.docker.io/v1/` and podman's
 * `docker.io` are both `docker.io`. A saved account's key goes where its server URL goes, so an
 * account is kept in the same store as the plain entry it stands beside.
 */
export function routingHost(serverURL: string): string {
  return parseRegistryKey(serverURLOfKey(serverURL).trim()).host.toLowerCase();
}

/** The route for a server URL (an exact host first, else the first glob that matches), or undefined for the default store. */
export function findRoute(routes: readonly Route[], serverURL: string): Route | undefined {
  const host = routingHost(serverURL);
  if (host === '') return undefined;
  return routes.find((r) => r.exact && r.host === host) ?? routes.find((r) => !r.exact && hostMatches(r.host, host));
}

/**
 * The earlier route that takes every host a later one would, so the later one is never used: for
 * an exact host, an earlier pattern for the same host (`GHCR.io` and `ghcr.io`, `index.docker.io`
 * and `docker.io`: ini keeps both keys, and findRoute takes the first); for a glob, an earlier glob
 * with the same port and labels, each earlier label `*` or the same text. Only such sure cases are named.
 */
export function shadowingRoute(routes: readonly Route[], route: Route): Route | undefined {
  if (route.exact) return routes.slice(0, routes.indexOf(route)).find((r) => r.exact && r.host === route.host);
  const [host, port] = splitPort(route.host);
  const labels = host.split('.');
  for (const earlier of routes) {
    if (earlier === route) return undefined;
    if (earlier.exact) continue;
    const [h, p] = splitPort(earlier.host);
    const ls = h.split('.');
    if (p === port && ls.length === labels.length && ls.every((l, i) => l === '*' || l === labels[i])) return earlier;
  }
  return undefined;
}

function splitPort(hostPort: string): [string, string] {
  const colon = hostPort.lastIndexOf(':');
  return colon < 0 || hostPort.endsWith(']') ? [hostPort, ''] : [hostPort.slice(0, colon), hostPort.slice(colon + 1)];
}
