import { expect } from 'chai';
import { convertAuth } from '../../../src/auth-file/convert.js';
import { materialize, pendingLookups } from '../../../src/auth-file/materialize.js';
import type { CredentialResolver, ResolvedCredential } from '../../../src/auth-file/materialize.js';
import { parseAuthText } from '../../../src/auth-file/read.js';
import { HelperError } from '../../../src/errors.js';
import { fixture, summarize } from '../../support/auth-summary.js';

/** An in-memory set of helpers: helper name → server URL → credential; records every call. */
function memoryResolver(helpers: Record<string, Record<string, ResolvedCredential>>) {
  const calls: string[] = [];
  const resolve: CredentialResolver = async (helper, url) => {
    calls.push(`${helper} ${url}`);
    return helpers[helper]?.[url];
  };
  return { resolve, calls };
}

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
    expect(r.missing.map((m) => m.key)).to.deep.equal(['ghcr.io', '123456789012.dkr.ecr.us-east-1.amazonaws.com']);
    expect(r.file.entries.map((e) => e.key)).to.deep.equal(['https://index.docker.io/v1/']);
  });

  it('without a resolver, refuses (never writes stubs silently), naming file, key and helper only', async () => {
    try {
      await materialize(stubs(), undefined);
      expect.fail('no error');
    } catch (err) {
      expect(err).to.be.instanceOf(HelperError);
      expect((err as Error).message).to.match(/config\.json: key "https:\/\/index\.docker\.io\/v1\/" \(and 2 more\) is kept in credential helper "desktop".*not available/);
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
});
