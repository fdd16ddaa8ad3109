import { expect } from 'chai';
import { listDockercfgNotes, listEntries } from '../../../src/auth-file/list.js';
import { parseAuthText } from '../../../src/auth-file/read.js';

describe('ls rows', () => {
  it('a {} entry is "in helper" only through a credHelpers key a client takes', () => {
    const text = JSON.stringify({ auths: { 'quay.io': {}, 'gcr.io': {} }, credHelpers: { 'https://quay.io': 'pass', 'gcr.io': 'pass' } });
    const rows = listEntries(parseAuthText(text, 'config.json').files);
    expect(rows.map((r) => [r.key, r.helper])).to.deep.equal([
      ['quay.io', undefined],
      ['gcr.io', 'pass'],
      ['credHelpers[https://quay.io]', 'pass'],
    ]);
  });

  it('an unpadded "auth" is unreadable in a config.json, not in a pull secret (kubelet decodes it)', () => {
    const payload = JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('alice:fake-pw').toString('base64').replace(/=+$/, '') } } });
    const secret = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(payload).toString('base64') } });
    const row = (text: string, source: string) => listEntries(parseAuthText(text, source).files)[0];
    expect([row(payload, 'config.json')?.username, row(payload, 'config.json')?.problem]).to.deep.equal(['alice', 'unpadded']);
    expect([row(secret, 's.json')?.username, row(secret, 's.json')?.problem]).to.deep.equal(['alice', undefined]);
  });

  it('a ~/.dockercfg key with a path is noted as all of its registry, one of several at random, or never used beside the bare host; a dockercfg Secret keeps its paths', () => {
    const auth = { auth: Buffer.from('a:fake-b').toString('base64') };
    const notes = (map: Record<string, unknown>) => listDockercfgNotes(parseAuthText(JSON.stringify(map), '.dockercfg').files).map((n) => n.replace(/^\.dockercfg: /, '').replace(/ \(docker has not read one since 20\.10\)$/, ''));
    expect(notes({ 'quay.io/org': auth, 'ghcr.io': auth })).to.deep.equal(['key "quay.io/org": podman, skopeo and buildah use it for all of quay.io: a .dockercfg has no scoping']);
    expect(notes({ 'quay.io/org': auth, 'quay.io': auth })).to.deep.equal(['key "quay.io/org": podman, skopeo and buildah never use it: a .dockercfg has no scoping, and they take its "quay.io" key for all of quay.io']);
    expect(notes({ 'quay.io/a': auth, 'https://quay.io': auth })).to.deep.equal(['key "quay.io/a": podman, skopeo and buildah take it or "https://quay.io" at random for every image of quay.io: a .dockercfg has no scoping']);
    expect(notes({ 'docker.io/org': auth, 'https://index.docker.io/v1/': auth })).to.deep.equal(['key "docker.io/org": podman, skopeo and buildah take it or "https://index.docker.io/v1/" at random for every image of Docker Hub: a .dockercfg has no scoping']);
    const secret = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/dockercfg', data: { '.dockercfg': Buffer.from(JSON.stringify({ 'quay.io/org': auth })).toString('base64') } });
    expect(listDockercfgNotes(parseAuthText(secret, 's.json').files)).to.deep.equal([]);
  });
});
