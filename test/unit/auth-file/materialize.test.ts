import { expect } from 'chai';
import { convertAuth } from '../../../src/auth-file/convert.js';
import { materialize, pendingLookups } from '../../../src/auth-file/materialize.js';
import type { CredentialResolver } from '../../../src/auth-file/materialize.js';
import { parseAuthText } from '../../../src/auth-file/read.js';
import { HelperError } from '../../../src/errors.js';
import { fixture, memoryResolver, summarize } from '../../support/auth-summary.js';


const stubs = () => parseAuthText(fixture('docker-config/credsstore-stubs.json'), 'config.json').files[0]!;

describe('materialize', () => {
  it('lists the lookups: stubs via credsStore, credHelpers routes without an entry', () => {
    expect(pendingLookups(stubs()).map((p) => [p.helper, p.key])).to.deep.equal([
      ['desktop', 'https://index.docker.io/v1/'],
      ['desktop', 'ghcr.io'],
      ['ecr-login', '123456789012.dkr.ecr.us-east-1.amazonaws.com'],
    ]);
  });

  it('replaces stubs with helper answers and drops credsStore and credHelpers', async () => {
    const { resolve, calls } = memoryResolver({
      desktop: { 'https://index.docker.io/v1/': { username: 'alice', secret: 'fake-hub-pass' }, 'ghcr.io': { username: '<token>', secret: 'fake-ghcr-token' } },
      'ecr-login': { '123456789012.dkr.ecr.us-east-1.amazonaws.com': { username: 'AWS', secret: 'fake-ecr-token' } },
    });
    const r = await materialize(stubs(), resolve);
    expect(calls).to.deep.equal(['desktop https://index.docker.io/v1/', 'desktop ghcr.io', 'ecr-login 123456789012.dkr.ecr.us-east-1.amazonaws.com']);
    expect(r.missing).to.deep.equal([]);
    expect(r.file.credsStore).to.equal(undefined);
    expect(r.file.credHelpers.size).to.equal(0);
    expect(r.file.entries.map((e) => [e.key, e.username, e.password, e.identityToken])).to.deep.equal([
      ['https://index.docker.io/v1/', 'alice', 'fake-hub-pass', undefined],
      ['ghcr.io', undefined, undefined, 'fake-ghcr-token'],
      ['123456789012.dkr.ecr.us-east-1.amazonaws.com', 'AWS', 'fake-ecr-token', undefined],
    ]);
  });

  it('tries the other Docker Hub spelling (podman stores docker.io) and reports what no helper has', async () => {
    const { resolve, calls } = memoryResolver({ desktop: { 'docker.io': { username: 'alice', secret: 'fake-hub-pass' } } });
    const r = await materialize(stubs(), resolve);
    expect(calls).to.include('desktop docker.io');
    // The {} stub is a login the helper lost; the ECR route alone is only where one would go
    // (docker pulls from that registry anonymously), so it is not missing.
    expect(r.missing.map((m) => m.key)).to.deep.equal(['ghcr.io']);
    expect(r.unanswered.map((m) => m.key)).to.deep.equal(['123456789012.dkr.ecr.us-east-1.amazonaws.com']);
    // convert: the stub is a loss (exit 1), the empty route only a note.
    const c = await convertAuth([{ text: fixture('docker-config/credsstore-stubs.json'), source: 'config.json' }], { to: 'secret', materialize: true, resolve });
    expect(c.losses.map((l) => [l.kind, l.key])).to.deep.equal([['missing', 'ghcr.io']]);
    expect(c.notes.map((n) => n.key)).to.deep.equal(['credHelpers[123456789012.dkr.ecr.us-east-1.amazonaws.com]']);
    expect(c.notes[0]?.message).to.match(/helper "ecr-login" has no credential for .*docker and podman pull from it anonymously/);
    expect(r.file.entries.map((e) => e.key)).to.deep.equal(['https://index.docker.io/v1/']);
  });

  it('asks for the bare host first, as docker and podman do, then the key as written', async () => {
    const file = parseAuthText(JSON.stringify({ auths: { 'https://quay.io': {}, 'http://old.example.com/v1/': {}, 'quay.io/org': {} }, credsStore: 'pass' }), 'config.json').files[0]!;
    const { resolve, calls } = memoryResolver({
      pass: { 'quay.io': { username: 'alice', secret: 'fake-quay-pass' }, 'http://old.example.com/v1/': { username: 'bob', secret: 'fake-old-pass' } },
    });
    const r = await materialize(file, resolve);
    expect(calls).to.deep.equal(['pass quay.io', 'pass old.example.com', 'pass http://old.example.com/v1/', 'pass quay.io/org']);
    expect(r.file.entries.map((e) => [e.key, e.username])).to.deep.equal([
      ['https://quay.io', 'alice'],
      ['http://old.example.com/v1/', 'bob'],
    ]);
    expect(r.missing.map((m) => m.key)).to.deep.equal(['quay.io/org']);
  });

  it('without a resolver, refuses (never writes stubs silently), naming file, key and helper only', async () => {
    try {
      await materialize(stubs(), undefined);
      expect.fail('no error');
    } catch (err) {
      expect(err).to.be.instanceOf(HelperError);
      expect((err as Error).message).to.match(/config\.json: key "https:\/\/index\.docker\.io\/v1\/" \(and 2 more\) is kept in credential helper "desktop", and nothing was given to ask it \(ConvertOptions\.resolve\)/);
    }
  });

  it('without a resolver and with one stub, names it without an "(and 0 more)"', async () => {
    const one = parseAuthText('{"auths":{"quay.io":{}},"credsStore":"pass"}', 'config.json').files[0]!;
    try {
      await materialize(one, undefined);
      expect.fail('no error');
    } catch (err) {
      expect(err).to.be.instanceOf(HelperError);
      expect((err as Error).message).to.match(/^config\.json: key "quay\.io" is kept in credential helper "pass", and nothing was given/);
    }
  });

  it('is a no-op without stubs or helpers (no resolver needed)', async () => {
    const f = parseAuthText(fixture('docker-config/basic.json'), 'config.json').files[0]!;
    const r = await materialize(f, undefined);
    expect(r.file.entries).to.have.length(3);
  });

  it('a failing helper fails the conversion with file, key and helper named', async () => {
    const resolve: CredentialResolver = async () => {
      throw new Error('helper timed out');
    };
    try {
      await materialize(stubs(), resolve);
      expect.fail('no error');
    } catch (err) {
      expect((err as Error).message).to.equal('config.json: key "https://index.docker.io/v1/": helper timed out');
    }
  });

  it('convert --to secret materialises into a self-contained secret with no losses', async () => {
    const { resolve } = memoryResolver({
      desktop: { 'https://index.docker.io/v1/': { username: 'alice', secret: 'fake-hub-pass' }, 'ghcr.io': { username: 'dave', secret: 'fake-ghcr-pass' } },
      'ecr-login': { '123456789012.dkr.ecr.us-east-1.amazonaws.com': { username: 'AWS', secret: 'fake-ecr-token' } },
    });
    const r = await convertAuth([{ text: fixture('docker-config/credsstore-stubs.json'), source: 'config.json' }], { to: 'secret', materialize: true, resolve });
    expect(r.losses).to.deep.equal([]);
    expect(r.resolved).to.have.length(3);
    const s = summarize(r.text);
    expect(s.credsStore).to.equal(undefined);
    expect(s.credHelpers).to.deep.equal({});
    expect(Object.keys(s.entries)).to.deep.equal(['docker.io', 'ghcr.io', '123456789012.dkr.ecr.us-east-1.amazonaws.com']);
  });

  describe('plaintext entries the client would not use (it asks a helper)', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const doc = (extra: Record<string, unknown>) =>
      JSON.stringify({ auths: { 'ghcr.io': { auth: b64('gh:fake-stale'), identitytoken: 'fake-old-token', email: 'gh@example.com' }, 'quay.io': { auth: b64('q:fake-quay') } }, ...extra });

    it('a credHelpers route wins over the plaintext: the helper answer replaces it, other fields kept', async () => {
      const file = parseAuthText(doc({ credHelpers: { 'ghcr.io': 'good' } }), 'config.json').files[0]!;
      expect(pendingLookups(file).map((p) => [p.key, p.helper, p.shadowed])).to.deep.equal([['ghcr.io', 'good', true]]);
      const { resolve } = memoryResolver({ good: { 'ghcr.io': { username: 'gh', secret: 'fake-fresh' } } });
      const r = await materialize(file, resolve);
      expect(r.resolved.map((x) => [x.key, x.shadowed])).to.deep.equal([['ghcr.io', true]]);
      const gh = r.file.entries.find((e) => e.key === 'ghcr.io')!;
      expect([gh.username, gh.password, gh.identityToken, gh.email]).to.deep.equal(['gh', 'fake-fresh', undefined, 'gh@example.com']);
      expect(r.file.entries.find((e) => e.key === 'quay.io')!.password).to.equal('fake-quay');
    });

    it('a helper with nothing for it keeps the plaintext (nothing lost) and says so', async () => {
      const file = parseAuthText(doc({ credHelpers: { 'ghcr.io': 'empty' } }), 'config.json').files[0]!;
      const r = await materialize(file, memoryResolver({}).resolve);
      expect(r.missing).to.deep.equal([]);
      expect(r.kept.map((x) => x.key)).to.deep.equal(['ghcr.io']);
      expect(r.file.entries.find((e) => e.key === 'ghcr.io')!.password).to.equal('fake-stale');
    });

    it('a helper that fails for a shadowed entry keeps the plaintext and is not asked again (a stub would fail the run)', async () => {
      const file = parseAuthText(doc({ credsStore: 'gone' }), 'config.json').files[0]!;
      let calls = 0;
      const resolve: CredentialResolver = async () => {
        calls++;
        throw new Error('credential helper docker-credential-gone is not on PATH');
      };
      const r = await materialize(file, resolve);
      expect(calls).to.equal(1);
      expect(r.kept.map((x) => [x.key, x.failure])).to.deep.equal([
        ['ghcr.io', 'credential helper docker-credential-gone is not on PATH'],
        ['quay.io', 'credential helper docker-credential-gone is not on PATH'],
      ]);
      expect(r.file.entries.map((e) => e.password)).to.deep.equal(['fake-stale', 'fake-quay']);
    });

    it("docker's credsStore shadows every plaintext entry; podman has no credsStore, so an auth.json keeps its own", async () => {
      const docker = parseAuthText(doc({ credsStore: 'desktop' }), 'config.json').files[0]!;
      expect(pendingLookups(docker).map((p) => p.key)).to.deep.equal(['ghcr.io', 'quay.io']);
      const podman = parseAuthText(doc({ credsStore: 'desktop' }), 'auth.json').files[0]!;
      expect(pendingLookups(podman)).to.deep.equal([]);
    });

    it('convert reports the replacement and what was kept', async () => {
      const { resolve } = memoryResolver({ good: { 'ghcr.io': { username: 'gh', secret: 'fake-fresh' } } });
      const r = await convertAuth([{ text: doc({ credHelpers: { 'ghcr.io': 'good', 'quay.io': 'empty' } }), source: 'config.json' }], { to: 'secret', materialize: true, resolve });
      expect(r.losses).to.deep.equal([]);
      expect(r.resolved.map((x) => x.key)).to.deep.equal(['ghcr.io']);
      expect(r.kept.map((x) => x.key)).to.deep.equal(['quay.io']);
      const s = summarize(r.text);
      expect(s.entries['ghcr.io']).to.include({ username: 'gh', password: 'fake-fresh' });
    });
  });
});
