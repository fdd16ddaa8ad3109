import { expect } from 'chai';
import { findRoute, parseRoutePattern, parseRoutes, shadowingRoute, type Route } from '../../../src/stores/routes.js';
import { RoutedStore } from '../../../src/stores/routed.js';
import type { CredentialStore, StoredCredential } from '../../../src/stores/store.js';

const routes = (...pairs: [string, string][]): Route[] => {
  const { routes: out, problems } = parseRoutes(pairs.map(([pattern, store]) => ({ pattern, store })));
  expect(problems).to.deep.equal([]);
  return out;
};
const storeOf = (rs: Route[], url: string) => findRoute(rs, url)?.store ?? 'default';

describe('routes: registry host patterns to stores', () => {
  it('matches per DNS label as kubelet does: * within one label, the port exactly', () => {
    const rs = routes(['*.dkr.ecr.*.amazonaws.com', 'ecr'], ['registry.example.com:5000', 'file'], ['*.example.com', 'pass']);
    expect(storeOf(rs, '123456789012.dkr.ecr.us-east-1.amazonaws.com')).to.equal('ecr');
    expect(storeOf(rs, 'https://123456789012.dkr.ecr.eu-west-3.amazonaws.com')).to.equal('ecr');
    // `*` never spans a dot, and the label count must agree.
    expect(storeOf(rs, '123456789012.dkr.ecr.us-east-1.fips.amazonaws.com')).to.equal('default');
    expect(storeOf(rs, 'a.b.example.com')).to.equal('default');
    expect(storeOf(rs, 'registry.example.com:5000')).to.equal('file');
    // No port in the pattern is no port in the host; a port is never a glob.
    expect(storeOf(rs, 'a.example.com:443')).to.equal('default');
    expect(storeOf(rs, 'registry.example.com')).to.equal('pass');
  });

  it('reads the server URL as docker and podman send it: scheme, /v1/, Docker Hub aliases, case', () => {
    const rs = routes(['docker.io', 'hub'], ['GHCR.io', 'pass']);
    for (const url of ['https://index.docker.io/v1/', 'docker.io', 'index.docker.io', 'https://index.docker.io/v1/access-token']) expect(storeOf(rs, url), url).to.equal('hub');
    expect(storeOf(rs, 'ghcr.io')).to.equal('pass');
    expect(storeOf(rs, 'Ghcr.IO')).to.equal('pass');
    expect(storeOf(routes(['index.docker.io', 'hub']), 'docker.io')).to.equal('hub');
    expect(storeOf(rs, '')).to.equal('default');
  });

  it('an exact host wins over every glob; among globs the first in the file', () => {
    const rs = routes(['*.example.com', 'first'], ['a.example.com', 'exact'], ['a.*.com', 'second']);
    expect(storeOf(rs, 'a.example.com')).to.equal('exact');
    expect(storeOf(rs, 'b.example.com')).to.equal('first');
    expect(storeOf(rs, 'a.other.com')).to.equal('second');
  });

  it('refuses what can never match or would loop, saying why', () => {
    const problem = (p: string) => {
      const r = parseRoutePattern(p);
      return 'problem' in r ? r.problem : '';
    };
    expect(problem('quay.io/org')).to.match(/by host only.*route "quay.io" instead/);
    expect(problem('https://index.docker.io/v1/')).to.match(/without a scheme: write "docker.io"/);
    expect(problem('quay.io:*')).to.match(/port "\*" is not a number/);
    expect(problem('a..example.com')).to.match(/empty DNS label/);
    expect(problem('[a-.example.com')).to.match(/label "\[a-"/);
    expect(problem('user@quay.io')).to.match(/user information/);
    expect(problem('GHCR.io[]')).to.equal('"[]" after a pattern makes ini read the line as a list, not a route: write "ghcr.io = STORE"');
    expect(parseRoutePattern('[::1]:5000')).to.deep.equal({ host: '[::1]:5000', exact: true });
    const { problems } = parseRoutes([
      { pattern: 'ghcr.io', store: 'helper:credkit' },
      { pattern: 'quay.io', store: 'authfile:~/.docker/config.json' },
      { pattern: 'x.io', store: '' },
    ]);
    expect(problems.map((p) => p.message)).to.satisfy((m: string[]) => m[0]?.includes('would ask itself again') && m[1]?.includes('no credential store') && m[2]?.includes('names no store'));
  });

  it('refuses a pattern that holds a credential without quoting it, and names it by its stand-in', () => {
    const swapped = Buffer.from('fake-user:fake-route-pw').toString('base64');
    const { routes: ok, problems } = parseRoutes([
      { pattern: 'ghcr.io', store: 'file' },
      { pattern: 'fake-user:fake-route-pw', store: 'file' },
      { pattern: ` ${swapped} `, store: 'file' },
      { pattern: 'registry:5000', store: 'file' },
    ]);
    expect(ok.map((r) => r.pattern)).to.deep.equal(['ghcr.io', 'registry:5000']);
    expect(problems.map((p) => p.pattern)).to.deep.equal(['<entry #2 of [routes], hidden: it looks like a user:password>', '<entry #3 of [routes], hidden: it looks like a base64 user:password>']);
    expect(JSON.stringify(problems).includes('fake-route-pw') || JSON.stringify(problems).includes(swapped.slice(0, 12))).to.equal(false);
  });

  it('names a route that an earlier one always wins over: a glob, or another spelling of the same host', () => {
    const rs = routes(['*.example.com', 'a'], ['ci.example.com', 'b'], ['c?.example.com', 'c'], ['*.example.com:5000', 'd'], ['*.*', 'e'], ['x.y', 'f']);
    expect(shadowingRoute(rs, rs[1] as Route), 'an exact host is never shadowed').to.equal(undefined);
    expect(shadowingRoute(rs, rs[2] as Route)?.pattern).to.equal('*.example.com');
    expect(shadowingRoute(rs, rs[3] as Route), 'another port').to.equal(undefined);
    expect(shadowingRoute(rs, rs[4] as Route), 'an earlier glob covers only part of it').to.equal(undefined);
    const hosts = routes(['GHCR.io', 'a'], ['ghcr.io', 'b'], ['index.docker.io', 'c'], ['docker.io', 'd'], ['ghcr.io:443', 'e']);
    expect(storeOf(hosts, 'ghcr.io')).to.equal('a');
    expect(storeOf(hosts, 'https://index.docker.io/v1/')).to.equal('c');
    expect(hosts.map((r) => shadowingRoute(hosts, r)?.pattern)).to.deep.equal([undefined, 'GHCR.io', undefined, 'index.docker.io', undefined]);
  });
});

class MemoryStore implements CredentialStore {
  readonly entries = new Map<string, StoredCredential>();
  constructor(readonly name: string, private readonly failList = false) {}
  async add(c: StoredCredential) {
    this.entries.set(c.serverURL, c);
  }
  async get(url: string) {
    return this.entries.get(url);
  }
  async delete(url: string) {
    return this.entries.delete(url);
  }
  async list() {
    if (this.failList) throw new Error(`${this.name} list failed`);
    return new Map([...this.entries].map(([k, c]) => [k, c.username]));
  }
}

describe('RoutedStore', () => {
  const make = (stores: Record<string, MemoryStore>, rs: Route[]) => {
    const warnings: string[] = [];
    const opened: string[] = [];
    const store = new RoutedStore(rs, 'file', async (name) => {
      opened.push(name);
      const s = stores[name];
      if (!s) throw new Error(`${name} cannot be opened`);
      return s;
    }, (t) => warnings.push(t));
    return { store, warnings, opened };
  };

  it('sends store, get and erase to the routed store and opens only that one', async () => {
    const file = new MemoryStore('file');
    const pass = new MemoryStore('pass');
    const { store, opened } = make({ file, pass }, routes(['ghcr.io', 'pass']));
    await store.add({ serverURL: 'ghcr.io', username: 'alice', secret: 'fake-a' });
    expect(opened).to.deep.equal(['pass']);
    await store.add({ serverURL: 'quay.io', username: 'bob', secret: 'fake-b' });
    expect([...pass.entries.keys()]).to.deep.equal(['ghcr.io']);
    expect([...file.entries.keys()]).to.deep.equal(['quay.io']);
    expect((await store.get('ghcr.io'))?.username).to.equal('alice');
    expect(await store.delete('ghcr.io')).to.equal(true);
    expect(pass.entries.size).to.equal(0);
    expect(opened).to.deep.equal(['pass', 'file']);
  });

  it('list: the union, each store only for its own hosts; a failing routed store is left out with a warning', async () => {
    const file = new MemoryStore('file');
    const pass = new MemoryStore('pass');
    await file.add({ serverURL: 'quay.io', username: 'bob', secret: 'fake-b' });
    await file.add({ serverURL: 'ghcr.io', username: 'old', secret: 'fake-old' });
    await pass.add({ serverURL: 'ghcr.io', username: 'alice', secret: 'fake-a' });
    const { store, warnings } = make({ file, pass }, routes(['ghcr.io', 'pass'], ['*.dkr.ecr.*.amazonaws.com', 'helper:ecr-login']));
    expect(Object.fromEntries(await store.list())).to.deep.equal({ 'quay.io': 'bob', 'ghcr.io': 'alice' });
    expect(warnings).to.have.length(2);
    expect(warnings[0]).to.match(/file holds a credential that \[routes\] sends to another store.*ghcr\.io/);
    expect(warnings[1]).to.match(/left out the credentials of \*\.dkr\.ecr\.\*\.amazonaws\.com \(routed to helper:ecr-login\): helper:ecr-login cannot be opened/);
    expect(warnings.join('').includes('fake-'), 'a secret was in a warning').to.equal(false);
  });

  it('list: names that open one store (auto and what it picks) are listed once, with no "routed elsewhere" warning', async () => {
    const file = new MemoryStore('file');
    await file.add({ serverURL: 'a.example.com', username: 'alice', secret: 'fake-a' });
    await file.add({ serverURL: 'b.example.com', username: 'bob', secret: 'fake-b' });
    const warnings: string[] = [];
    // backend = auto, whose keychain is missing here, so it opens the fallback: the file.
    const store = new RoutedStore(routes(['a.example.com', 'file']), 'auto', async () => file, (t) => warnings.push(t));
    expect(Object.fromEntries(await store.list())).to.deep.equal({ 'a.example.com': 'alice', 'b.example.com': 'bob' });
    expect(warnings).to.deep.equal([]);
  });

  it('list fails when the configured backend fails, as without routes', async () => {
    const { store } = make({ file: new MemoryStore('file', true), pass: new MemoryStore('pass') }, routes(['ghcr.io', 'pass']));
    let error: unknown;
    await store.list().catch((e: unknown) => (error = e));
    expect(String(error)).to.include('file list failed');
  });
});
