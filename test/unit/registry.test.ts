import { expect } from 'chai';
import { isPathComponent, isRegistryHost, keyForStyle, parseKubeletKey, parseRegistryKey, podmanKeyProblem } from '../../src/registry.js';
import { kubeletKey } from '../../src/auth-file/lookup-kubelet.js';

describe('registry keys', () => {
  const table: [string, string, string][] = [
    // raw, canonical, scope
    ['quay.io', 'quay.io', 'registry'],
    ['https://quay.io', 'quay.io', 'registry'],
    ['http://localhost:5000/v1/', 'localhost:5000', 'registry'],
    ['https://quay.io/v2/', 'quay.io', 'registry'],
    ['https://quay.io/org/repo', 'quay.io', 'registry'],
    ['quay.io/', 'quay.io', 'registry'],
    // The API path: dropped with a scheme or a trailing slash; bare, podman and kubelet read a namespace.
    ['quay.io/v1/', 'quay.io', 'registry'],
    ['quay.io/v2', 'quay.io/v2', 'namespace'],
    ['quay.io/v1', 'quay.io/v1', 'namespace'],
    ['quay.io/org/', 'quay.io/org', 'namespace'],
    ['quay.io/org', 'quay.io/org', 'namespace'],
    ['quay.io/org/repo', 'quay.io/org/repo', 'repository'],
    ['quay.io/a/b/c', 'quay.io/a/b/c', 'repository'],
    ['https://index.docker.io/v1/', 'docker.io', 'registry'],
    ['https://index.docker.io/v1', 'docker.io', 'registry'],
    ['index.docker.io', 'docker.io', 'registry'],
    ['registry-1.docker.io', 'docker.io', 'registry'],
    ['docker.io', 'docker.io', 'registry'],
    ['docker.io/library/nginx', 'docker.io/library/nginx', 'repository'],
    ['index.docker.io/myorg', 'docker.io/myorg', 'namespace'],
    ['Quay.io', 'Quay.io', 'registry'],
    // No host at all: kept as written, so that two such keys are not one empty key.
    ['https://', 'https://', 'registry'],
    ['/', '/', 'registry'],
    ['//', '//', 'registry'],
  ];
  for (const [raw, canonical, scope] of table) {
    it(`${raw} → ${canonical} (${scope})`, () => {
      const k = parseRegistryKey(raw);
      expect(k.canonical).to.equal(canonical);
      expect(k.scope).to.equal(scope);
    });
  }

  describe('as kubelet reads a pull secret: a scheme key keeps its path', () => {
    const kube: [string, string, string][] = [
      ['https://quay.io/org/repo', 'quay.io/org/repo', 'repository'],
      ['http://quay.io/org', 'quay.io/org', 'namespace'],
      ['https://quay.io/v2/org', 'quay.io/org', 'namespace'],
      ['https://quay.io/v1/', 'quay.io', 'registry'],
      // kubelet cuts `/v1/` with its slash only: without one, `v1` is a namespace.
      ['https://quay.io/v1', 'quay.io/v1', 'namespace'],
      ['https://quay.io/v2', 'quay.io/v2', 'namespace'],
      ['https://reg.example:5000/a/b/', 'reg.example:5000/a/b', 'repository'],
      ['quay.io/org/repo', 'quay.io/org/repo', 'repository'],
      ['quay.io', 'quay.io', 'registry'],
    ];
    for (const [raw, canonical, scope] of kube) {
      it(`${raw} → ${canonical} (${scope}), the key kubelet's keyring holds`, () => {
        const k = parseKubeletKey(raw);
        expect([k.canonical, k.scope, k.droppedPath]).to.deep.equal([canonical, scope, undefined]);
        // explain's model of kubelet (lookup-kubelet.ts) agrees, but for the trailing slash kubelet keeps.
        expect(kubeletKey(raw)?.replace(/\/$/, '')).to.equal(canonical);
      });
    }
  });

  it("docker's Hub key (parsed once and shared) reads as the general rules read it", () => {
    // Without the trailing slash the key takes the general path; only `raw` may differ, and the
    // `v1` that kubelet keeps there as a namespace (a path docker and podman drop).
    const shared = parseRegistryKey('https://index.docker.io/v1/');
    expect({ ...shared, raw: '' }).to.deep.equal({ ...parseRegistryKey('https://index.docker.io/v1'), raw: '', droppedPath: undefined });
    expect(shared.raw).to.equal('https://index.docker.io/v1/');
    expect(Object.isFrozen(shared)).to.equal(true);
  });

  it('spells Docker Hub per tool and leaves other keys canonical', () => {
    const hub = parseRegistryKey('docker.io');
    expect(keyForStyle(hub, 'docker')).to.equal('https://index.docker.io/v1/');
    expect(keyForStyle(hub, 'kubernetes')).to.equal('https://index.docker.io/v1/');
    expect(keyForStyle(parseRegistryKey('https://index.docker.io/v1/'), 'podman')).to.equal('docker.io');
    expect(keyForStyle(parseRegistryKey('docker.io/org/app'), 'docker')).to.equal('docker.io/org/app');
    expect(keyForStyle(parseRegistryKey('https://quay.io/'), 'docker')).to.equal('quay.io');
  });

  // [key, problem, the key to use instead (for a tag or digest)]
  const podman: [string, RegExp | undefined, string?][] = [
    ['quay.io', undefined],
    ['quay.io/org/repo', undefined],
    ['quay.io/org/', /ends with/],
    ['https://quay.io', /scheme/],
    ['https://quay.io/org/app', /kubelet limits it to \/org\/app$/],
    ['https://gcr.io/v2/proj', /kubelet limits it to \/proj$/],
    ['quay.io/org/app:1', /tag/, 'quay.io/org/app'],
    ['localhost:5000/org', undefined],
    ['localhost:5000/org:1', /tag/, 'localhost:5000/org'],
    ['quay.io/org@sha256', /@/, 'quay.io/org'],
    ['quay.io/org/app@sha256:abc', /@/, 'quay.io/org/app'],
  ];
  for (const [raw, problem, use] of podman) {
    it(`podman key problem for ${raw}: ${problem ?? 'none'}`, () => {
      const got = podmanKeyProblem(raw);
      if (problem) {
        expect(got?.problem).to.match(problem);
        expect(got?.use).to.equal(use);
      } else expect(got).to.equal(undefined);
    });
  }
});

describe('registry name grammar (shared by login, image references and verification)', () => {
  const hosts: [string, boolean][] = [
    ['quay.io', true], ['localhost:5000', true], ['127.0.0.1:5000', true], ['[::1]:5000', true], ['a-b.example', true],
    ['a..b', false], ['-a.example', false], ['quay.io:', false], ['quay.io:123456', false], ['quay.io/org', false], ['', false],
  ];
  for (const [text, ok] of hosts) it(`host ${JSON.stringify(text)} → ${ok}`, () => expect(isRegistryHost(text)).to.equal(ok));
  const parts: [string, boolean][] = [['app', true], ['my-app', true], ['a__b', true], ['a.b', true], ['App', false], ['a:1', false], ['-a', false], ['', false]];
  for (const [text, ok] of parts) it(`component ${JSON.stringify(text)} → ${ok}`, () => expect(isPathComponent(text)).to.equal(ok));
});
