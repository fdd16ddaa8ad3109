import { expect } from 'chai';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotFoundError, UnauthorizedError, UsageError } from '../../src/errors.js';
import { dockerHelperFor, dockerLogoutURLs, keysToRemove, login, logout, parseLoginTarget, podmanHelperFor, type LoginServices } from '../../src/login.js';
import type { VerifyCredentialsOptions, VerifyCredentialsResult } from '../../src/registry-client/verify.js';
import type { CredentialStore, StoredCredential } from '../../src/stores/store.js';

const PW = 'fake-unit-login-pw';

/** An in-memory store (a fixture, not a mock of credkit's own code). */
class MemoryStore implements CredentialStore {
  readonly name = 'memory';
  readonly items = new Map<string, StoredCredential>();
  async add(c: StoredCredential) {
    this.items.set(c.serverURL, { ...c });
  }
  async get(url: string) {
    return this.items.get(url);
  }
  async delete(url: string) {
    return this.items.delete(url);
  }
  async list() {
    return new Map([...this.items].map(([k, v]) => [k, v.username]));
  }
}

function services(verify: (o: VerifyCredentialsOptions) => Promise<VerifyCredentialsResult>, calls: VerifyCredentialsOptions[] = []): LoginServices {
  return {
    verify: (o) => {
      calls.push(o);
      return verify(o);
    },
    openHelper: async (name) => {
      throw new Error(`no helper ${name} in unit tests`);
    },
  };
}

const accept = (method: VerifyCredentialsResult['method'], identityToken?: string) => async (): Promise<VerifyCredentialsResult> => ({
  ok: true,
  method,
  url: 'https://r.example/v2/',
  ...(identityToken ? { identityToken } : {}),
});

describe('login: parseLoginTarget', () => {
  const table: [string | undefined, string, string, string, string][] = [
    // typed, registry, dockerKey, podmanKey, scope
    [undefined, 'docker.io', 'https://index.docker.io/v1/', 'docker.io', 'registry'],
    ['docker.io', 'docker.io', 'https://index.docker.io/v1/', 'docker.io', 'registry'],
    ['index.docker.io', 'docker.io', 'https://index.docker.io/v1/', 'docker.io', 'registry'],
    ['registry-1.docker.io', 'docker.io', 'https://index.docker.io/v1/', 'docker.io', 'registry'],
    ['https://index.docker.io/v1/', 'docker.io', 'https://index.docker.io/v1/', 'docker.io', 'registry'],
    ['docker.io/vendor', 'docker.io', 'https://index.docker.io/v1/', 'docker.io/vendor', 'namespace'],
    ['quay.io', 'quay.io', 'quay.io', 'quay.io', 'registry'],
    ['https://quay.io/v2/', 'quay.io', 'quay.io', 'quay.io', 'registry'],
    ['http://localhost:5000', 'localhost:5000', 'localhost:5000', 'localhost:5000', 'registry'],
    ['quay.io/org/repo', 'quay.io', 'quay.io', 'quay.io/org/repo', 'repository'],
    ['127.0.0.1:5000/team/app', '127.0.0.1:5000', '127.0.0.1:5000', '127.0.0.1:5000/team/app', 'repository'],
    ['localhost/app', 'localhost', 'localhost', 'localhost/app', 'namespace'],
    ['vendor:5000/app', 'vendor:5000', 'vendor:5000', 'vendor:5000/app', 'namespace'],
    ['vendor', 'vendor', 'vendor', 'vendor', 'registry'],
    ['https://vendor/app', 'vendor', 'vendor', 'vendor', 'registry'],
  ];
  for (const [typed, registry, dockerKey, podmanKey, scope] of table) {
    it(`${typed ?? '(none)'} → verify ${registry}, docker "${dockerKey}", podman "${podmanKey}" (${scope})`, () => {
      const t = parseLoginTarget(typed);
      expect([t.registry, t.dockerKey, t.podmanKey, t.key.scope]).to.deep.equal([registry, dockerKey, podmanKey, scope]);
    });
  }
  // `vendor/app` is docker.io/vendor/app to image references: podman refuses it, docker would send
  // the password to the host "vendor". localhost, a "." or a ":" make the first part a registry.
  for (const bad of ['quay.io/org/app:1.0', 'quay.io/org@sha256:abc', 'bad host', 'quay.io/Org', 'exa_mple.com', 'https://', 'vendor/app', 'vendor/v1', 'myregistry/team/app']) {
    it(`refuses "${bad}" as a usage error`, () => {
      expect(() => parseLoginTarget(bad)).to.throw(UsageError);
    });
  }
  // podman 4.3 reads an upper-case first part as a Hub namespace too, and refuses the name:
  // "parse reference from "VENDOR/app": invalid reference format: repository name must be lowercase".
  for (const bad of ['VENDOR/app', 'Vendor/team/app', 'LOCALHOST/app']) {
    it(`refuses "${bad}" as a usage error naming no registry, as podman 4.3 refuses it`, () => {
      expect(() => parseLoginTarget(bad)).to.throw(UsageError, `"${bad}" names no registry`).with.property('message').that.includes('lower case');
    });
  }
  it('still takes an upper-case registry with a "." or ":" (VENDOR.example.com/app, VENDOR:5000/app)', () => {
    expect(parseLoginTarget('VENDOR:5000/app').key.scope).to.equal('namespace');
    expect(parseLoginTarget('Vendor.example.com/app').key.scope).to.equal('namespace');
  });
});

describe('login: which keys logout removes', () => {
  const fileKeys = ['https://index.docker.io/v1/', 'docker.io', 'index.docker.io', 'registry-1.docker.io', 'http://index.docker.io/v1', 'docker.io/vendor', 'quay.io', 'https://quay.io', 'quay.io/org'];

  it('Docker Hub: every alias of Hub, not a scoped Hub key, not other registries', () => {
    for (const typed of ['docker.io', 'index.docker.io', 'https://index.docker.io/v1/', undefined]) {
      expect(keysToRemove(fileKeys, parseLoginTarget(typed))).to.deep.equal(['https://index.docker.io/v1/', 'docker.io', 'index.docker.io', 'registry-1.docker.io', 'http://index.docker.io/v1']);
    }
  });

  it('a registry: its scheme spellings, not its scoped keys; a scoped key: only itself', () => {
    expect(keysToRemove(fileKeys, parseLoginTarget('quay.io'))).to.deep.equal(['quay.io', 'https://quay.io']);
    expect(keysToRemove(fileKeys, parseLoginTarget('quay.io/org'))).to.deep.equal(['quay.io/org']);
  });

  it("docker's helper erase list: typed, host, http://host, https://host (docker's 4 variants), and for Hub every alias", () => {
    expect(dockerLogoutURLs(parseLoginTarget('quay.io'), [])).to.deep.equal(['quay.io', 'http://quay.io', 'https://quay.io']);
    expect(dockerLogoutURLs(parseLoginTarget('https://quay.io/v2/'), ['quay.io'])).to.deep.equal(['quay.io', 'https://quay.io/v2/', 'http://quay.io', 'https://quay.io']);
    const hub = dockerLogoutURLs(parseLoginTarget('docker.io'), ['https://index.docker.io/v1/']);
    expect(hub).to.include.members(['https://index.docker.io/v1/', 'docker.io', 'index.docker.io', 'https://index.docker.io', 'http://index.docker.io', 'registry-1.docker.io']);
    expect(new Set(hub).size).to.equal(hub.length);
  });

  it('routing: docker credHelpers (exact key) > credsStore > none; podman credHelpers by host only', () => {
    const helpers = { 'quay.io': 'pass', 'https://index.docker.io/v1/': 'desktop', 'docker.io': 'secretservice' };
    expect(dockerHelperFor('quay.io', helpers, 'credkit')).to.equal('pass');
    expect(dockerHelperFor('https://index.docker.io/v1/', helpers, undefined)).to.equal('desktop');
    expect(dockerHelperFor('ghcr.io', helpers, 'credkit')).to.equal('credkit');
    expect(dockerHelperFor('ghcr.io', helpers, undefined)).to.equal(undefined);
    expect(podmanHelperFor('docker.io', helpers)).to.equal('secretservice');
    expect(podmanHelperFor('ghcr.io', helpers)).to.equal(undefined);
  });

  it('an empty credHelpers value: docker keeps that URL in the file despite credsStore; podman names the empty helper', () => {
    const helpers = { 'quay.io': '' };
    expect(dockerHelperFor('quay.io', helpers, 'credkit')).to.equal(undefined);
    expect(dockerHelperFor('https://quay.io', helpers, 'credkit')).to.equal('credkit');
    expect(podmanHelperFor('quay.io', helpers)).to.equal('');
  });
});

describe('login / logout with a store destination', () => {
  it('verifies first (password, asking for an identity token), then stores under docker\'s key', async () => {
    const store = new MemoryStore();
    const calls: VerifyCredentialsOptions[] = [];
    const r = await login({ target: parseLoginTarget('docker.io'), destination: { kind: 'store', store }, username: 'alice', password: PW, verify: true }, services(accept('basic'), calls));
    expect(calls).to.have.length(1);
    expect(calls[0]).to.include({ registry: 'docker.io', username: 'alice', password: PW, requestIdentityToken: true });
    expect(r).to.deep.include({ verified: 'basic', identityToken: false, warnings: [] });
    expect(store.items.get('https://index.docker.io/v1/')).to.deep.equal({ serverURL: 'https://index.docker.io/v1/', username: 'alice', secret: PW });
  });

  it('an identity token from the registry is stored instead of the password, as "<token>"', async () => {
    const store = new MemoryStore();
    await login({ target: parseLoginTarget('quay.io'), destination: { kind: 'store', store }, username: 'alice', password: PW, verify: true }, services(accept('bearer', 'fake-refresh')));
    expect(store.items.get('quay.io')).to.deep.equal({ serverURL: 'quay.io', username: '<token>', secret: 'fake-refresh' });
  });

  it('rejected credentials: the error propagates and nothing is stored', async () => {
    const store = new MemoryStore();
    const refuse = async (): Promise<VerifyCredentialsResult> => {
      throw new UnauthorizedError('unauthorized: incorrect username or password for alice at quay.io');
    };
    let caught: unknown;
    await login({ target: parseLoginTarget('quay.io'), destination: { kind: 'store', store }, username: 'alice', password: PW, verify: true }, services(refuse)).catch((e: unknown) => (caught = e));
    expect(caught).to.be.instanceOf(UnauthorizedError);
    expect(store.items.size).to.equal(0);
  });

  it('--no-verify and a registry that needs no login both warn that nothing was checked', async () => {
    const store = new MemoryStore();
    const calls: VerifyCredentialsOptions[] = [];
    const skipped = await login({ target: parseLoginTarget('quay.io'), destination: { kind: 'store', store }, username: 'a', password: PW, verify: false }, services(accept('basic'), calls));
    expect(calls).to.have.length(0);
    expect(skipped.verified).to.equal('skipped');
    expect(skipped.warnings.join('\n')).to.match(/NOT checked/);
    const none = await login({ target: parseLoginTarget('quay.io'), destination: { kind: 'store', store }, username: 'a', password: PW, verify: true }, services(accept('none')));
    expect(none.verified).to.equal('none');
    expect(none.warnings.join('\n')).to.match(/needs no login: the credentials were NOT checked/);
  });

  it('a scoped key is refused for a store before the registry is asked', async () => {
    const calls: VerifyCredentialsOptions[] = [];
    let caught: unknown;
    await login({ target: parseLoginTarget('quay.io/org/app'), destination: { kind: 'store', store: new MemoryStore() }, username: 'a', password: PW, verify: true }, services(accept('basic'), calls)).catch((e: unknown) => (caught = e));
    expect(caught).to.be.instanceOf(UsageError);
    expect((caught as Error).message).to.include('--authfile');
    expect(calls).to.have.length(0);
  });

  it('a user name with ":" is refused for a file before the registry is asked, and stored as given in a store', async () => {
    // A file keeps it in `auth` = base64(user:password), which every reader splits at the first ":".
    const dir = await mkdtemp(join(tmpdir(), 'credkit-unit-login-'));
    try {
      for (const destination of [{ kind: 'auth-file', path: join(dir, 'auth.json') }, { kind: 'docker-config', path: join(dir, 'config.json') }] as const) {
        for (const secret of [{ password: PW }, { identityToken: 'fake-id-token' }]) {
          const calls: VerifyCredentialsOptions[] = [];
          let caught: unknown;
          await login({ target: parseLoginTarget('quay.io'), destination, username: 'a:b', ...secret, verify: true }, services(accept('basic'), calls)).catch((e: unknown) => (caught = e));
          expect(caught, destination.kind).to.be.instanceOf(UsageError);
          expect((caught as Error).message).to.include('contains ":"').and.include(destination.path).and.include('--store');
          expect(((caught as Error).message).includes(PW), 'a secret in the output (not printed)').to.equal(false);
          expect(calls).to.have.length(0);
        }
      }
      expect(await readdir(dir)).to.deep.equal([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const store = new MemoryStore();
    await login({ target: parseLoginTarget('quay.io'), destination: { kind: 'store', store }, username: 'a:b', password: PW, verify: false }, services(accept('basic')));
    expect(store.items.get('quay.io')).to.deep.equal({ serverURL: 'quay.io', username: 'a:b', secret: PW });
  });

  it('logout erases every Hub alias from the store and leaves other registries; nothing left → NotFoundError', async () => {
    const store = new MemoryStore();
    for (const url of ['https://index.docker.io/v1/', 'docker.io', 'index.docker.io', 'quay.io']) await store.add({ serverURL: url, username: 'u', secret: PW });
    const r = await logout({ target: parseLoginTarget('docker.io'), all: false, destination: { kind: 'store', store } }, services(accept('basic')));
    expect(r.removed.map((x) => (x.kind === 'file' ? x.key : x.serverURL))).to.deep.equal(['docker.io', 'https://index.docker.io/v1/', 'index.docker.io']);
    expect([...store.items.keys()]).to.deep.equal(['quay.io']);
    let caught: unknown;
    await logout({ target: parseLoginTarget('index.docker.io'), all: false, destination: { kind: 'store', store } }, services(accept('basic'))).catch((e: unknown) => (caught = e));
    expect(caught).to.be.instanceOf(NotFoundError);
    expect((caught as Error).message).to.equal('not logged in to index.docker.io: nothing found in memory');
    const all = await logout({ all: true, destination: { kind: 'store', store } }, services(accept('basic')));
    expect(all.removed).to.have.length(1);
    expect(store.items.size).to.equal(0);
  });
});
