import { expect } from 'chai';
import { convertAuth } from '../../../src/auth-file/convert.js';
import type { ConvertOptions } from '../../../src/auth-file/convert.js';
import type { AuthFormat } from '../../../src/auth-file/model.js';
import { ConflictError } from '../../../src/auth-file/merge.js';
import { ParseError } from '../../../src/errors.js';
import { fixture, summarize } from '../../support/auth-summary.js';
import { checkAuthInput } from '../../../src/auth-file/check.js';
import { listEntries } from '../../../src/auth-file/list.js';
import { parseAuthText } from '../../../src/auth-file/read.js';
import { decodePullSecret } from '../../support/consumers.js';

async function convert(text: string, source: string, options: ConvertOptions) {
  return convertAuth([{ text, source }], options);
}

/** What converting `text` (read as `source`, or `from`) to docker throws, or undefined. */
async function refusalOf(text: string, source: string, from: AuthFormat | undefined): Promise<unknown> {
  try {
    await convertAuth([{ text, source }], { to: 'docker', from, materialize: false });
  } catch (err) {
    return err;
  }
  return undefined;
}

async function chain(path: string, formats: AuthFormat[]) {
  let text = fixture(path);
  let source = path;
  for (const to of formats) {
    text = (await convert(text, source, { to, materialize: false })).text;
    source = `${to}-output`;
  }
  return text;
}

describe('convert', () => {
  it('a null entry is read as {} (docker and podman read it so and write it back as {}), by convert, merge, ls and check', async () => {
    const a = Buffer.from('a:fake-pw').toString('base64');
    const inputs: [string, string, Record<string, unknown>][] = [
      ['config.json', 'docker', { auths: { 'quay.io': null, 'ghcr.io': { auth: a } }, credsStore: 'pass' }],
      ['auth.json', 'podman', { auths: { 'quay.io': null, 'ghcr.io': { auth: a } } }],
      ['.dockercfg', 'dockercfg', { 'quay.io': null, 'ghcr.io': { auth: a } }],
    ];
    for (const [source, to, doc] of inputs) {
      const text = JSON.stringify(doc);
      const r = await convert(text, source, { to: to as AuthFormat, materialize: false });
      const out = JSON.parse(r.text) as Record<string, Record<string, unknown>>;
      expect(to === 'dockercfg' ? out['quay.io'] : out.auths?.['quay.io'], source).to.deep.equal({});
      const merged = await convertAuth([{ text, source }, { text: JSON.stringify({ auths: { 'gcr.io': { auth: a } } }), source: 'other.json' }], { to: 'docker', materialize: false });
      expect(Object.keys((JSON.parse(merged.text) as { auths: object }).auths).sort(), source).to.deep.equal(['gcr.io', 'ghcr.io', 'quay.io']);
      expect(listEntries(parseAuthText(text, source).files).map((row) => row.key), source).to.deep.equal(['quay.io', 'ghcr.io']);
      const findings = checkAuthInput({ text, source });
      expect(findings.find((f) => f.key === 'quay.io')?.code, source).to.equal(to === 'docker' ? 'stub-in-helper' : 'empty-entry');
      expect(findings.some((f) => f.code === 'unparseable'), source).to.equal(false);
    }
  });

  it('an entry that is no object is empty in a docker config.json, as docker reads it (with a note and a check error), and refused in an auth.json, as podman refuses it', async () => {
    const a = Buffer.from('a:fake-pw').toString('base64');
    for (const [value, type] of [[[], 'an array'], [5, 'a number'], ['x', 'a string'], [true, 'a boolean']] as const) {
      const text = JSON.stringify({ auths: { 'quay.io': value, 'ghcr.io': { auth: a } } });
      const r = await convert(text, 'config.json', { to: 'docker', materialize: false });
      expect((JSON.parse(r.text) as { auths: Record<string, unknown> }).auths, type).to.deep.equal({ 'quay.io': {}, 'ghcr.io': { auth: a } });
      expect(r.notes.map((n) => [n.key, n.message.startsWith(`the entry was ${type}, not an object`)]), type).to.deep.equal([['quay.io', true]]);
      const merged = await convertAuth([{ text, source: 'config.json' }, { text: JSON.stringify({ auths: { 'gcr.io': { auth: a } } }), source: 'other.json' }], { to: 'podman', materialize: false });
      expect(Object.keys((JSON.parse(merged.text) as { auths: object }).auths).sort(), type).to.deep.equal(['gcr.io', 'ghcr.io', 'quay.io']);
      expect(listEntries(parseAuthText(text, 'config.json').files).map((row) => [row.key, row.problem]), type).to.deep.equal([['quay.io', 'not-an-object'], ['ghcr.io', undefined]]);
      const findings = checkAuthInput({ text, source: 'config.json' });
      expect(findings.filter((f) => f.key === 'quay.io').map((f) => [f.severity, f.code]), type).to.deep.equal([['error', 'entry-not-object']]);
      expect(findings.find((f) => f.code === 'entry-not-object')?.message.includes(type), type).to.equal(true);
      // podman: "cannot unmarshal array into Go struct field dockerConfigFile.auths".
      for (const [source, from] of [['auth.json', undefined], ['config.json', 'podman']] as const) {
        const error = await refusalOf(text, source, from);
        expect(error, `${type} ${source}`).to.be.instanceOf(ParseError);
        expect((error as ParseError).message, `${type} ${source}`).to.include(`entry is ${type}, not a JSON object`);
        expect(checkAuthInput({ text, source, from }).map((f) => f.code), `${type} ${source}`).to.deep.equal(['unparseable']);
      }
    }
  });

  it('a null helper name is "" in an auth.json, as podman 4.3 decodes it (it reads the file, and fails only a lookup of that registry), not an error', async () => {
    const a = Buffer.from('a:fake-pw').toString('base64');
    const text = JSON.stringify({ auths: { 'quay.io': { auth: a } }, credHelpers: { 'ghcr.io': null } });
    for (const [source, to] of [['auth.json', 'podman'], ['config.json', 'docker']] as const) {
      const r = await convert(text, source, { to, materialize: false });
      expect((JSON.parse(r.text) as { credHelpers: unknown }).credHelpers, source).to.deep.equal({ 'ghcr.io': '' });
      expect(checkAuthInput({ text, source }).some((f) => f.code === 'unparseable'), source).to.equal(false);
    }
  });

  it('a value of the wrong type is read as docker 28.2 reads a config.json (left empty, with a note and a check error), and refused in an auth.json where podman refuses it', async () => {
    const a = Buffer.from('a:fake-pw').toString('base64');
    const ghcr = { auth: a };
    // [what, document, auths written, credHelpers written, note key, podman refuses the file]
    const cases: [string, Record<string, unknown>, Record<string, unknown>, Record<string, unknown> | undefined, string, boolean][] = [
      ['"auth": 5', { auths: { 'quay.io': { auth: 5 }, 'ghcr.io': ghcr } }, { 'quay.io': {}, 'ghcr.io': ghcr }, undefined, 'quay.io', true],
      ['"username": true', { auths: { 'quay.io': { auth: a, username: true }, 'ghcr.io': ghcr } }, { 'quay.io': { auth: a }, 'ghcr.io': ghcr }, undefined, 'quay.io', false],
      ['"identitytoken": []', { auths: { 'quay.io': { auth: a, identitytoken: [] }, 'ghcr.io': ghcr } }, { 'quay.io': { auth: a }, 'ghcr.io': ghcr }, undefined, 'quay.io', true],
      ['"email": {}', { auths: { 'quay.io': { auth: a, email: {} }, 'ghcr.io': ghcr } }, { 'quay.io': { auth: a }, 'ghcr.io': ghcr }, undefined, 'quay.io', false],
      ['"credsStore": 5', { auths: { 'ghcr.io': ghcr }, credsStore: 5 }, { 'ghcr.io': ghcr }, undefined, 'credsStore', false],
      ['"credHelpers": []', { auths: { 'ghcr.io': ghcr }, credHelpers: [] }, { 'ghcr.io': ghcr }, undefined, 'credHelpers', true],
      ['a helper named 5', { auths: { 'ghcr.io': ghcr }, credHelpers: { 'quay.io': 5, 'gcr.io': 'gcloud' } }, { 'ghcr.io': ghcr }, { 'quay.io': '', 'gcr.io': 'gcloud' }, 'credHelpers[quay.io]', true],
      ['"auths": []', { auths: [], credHelpers: { 'gcr.io': 'gcloud' } }, {}, { 'gcr.io': 'gcloud' }, 'auths', true],
      ['"auths": "x"', { auths: 'x', credHelpers: { 'gcr.io': 'gcloud' } }, {}, { 'gcr.io': 'gcloud' }, 'auths', true],
    ];
    for (const [what, doc, auths, helpers, noteKey, podmanRefuses] of cases) {
      const text = JSON.stringify(doc);
      const r = await convert(text, 'config.json', { to: 'docker', materialize: false });
      const out = JSON.parse(r.text) as Record<string, unknown>;
      expect(out, what).to.deep.equal(helpers === undefined ? { auths } : { auths, credHelpers: helpers });
      expect(r.notes.map((n) => n.key), what).to.deep.equal([noteKey]);
      expect(r.notes[0]?.message, what).to.match(/which docker .* warns about on every command; (left out|written as)/);
      const merged = await convertAuth([{ text, source: 'config.json' }, { text: JSON.stringify({ auths: { 'docker.example': ghcr } }), source: 'other.json' }], { to: 'docker', materialize: false });
      expect(Object.keys((JSON.parse(merged.text) as { auths: object }).auths).sort(), what).to.deep.equal([...Object.keys(auths), 'docker.example'].sort());
      expect(listEntries(parseAuthText(text, 'config.json').files).length, what).to.be.greaterThan(0);
      const findings = checkAuthInput({ text, source: 'config.json' }).filter((f) => f.code === 'mistyped-value' || f.code === 'unparseable');
      expect(findings.map((f) => [f.severity, f.code, f.key]), what).to.deep.equal([['error', 'mistyped-value', noteKey === 'auths' || noteKey === 'credsStore' || noteKey === 'credHelpers' ? undefined : noteKey]]);
      expect(findings[0]?.message, what).to.include('its next save (login, logout) empties every entry of the file');
      expect(findings[0]?.message, what).to.include(podmanRefuses ? 'podman refuses the whole file' : 'podman ignores it');
      if (!podmanRefuses) continue;
      // podman 4.3: "unmarshaling JSON at …: json: cannot unmarshal number into Go struct field dockerAuthConfig.auths.auth".
      for (const [source, from] of [['auth.json', undefined], ['config.json', 'podman']] as const) {
        const error = await refusalOf(text, source, from);
        expect(error, `${what} ${source}`).to.be.instanceOf(ParseError);
        expect(checkAuthInput({ text, source, from }).map((f) => f.code), `${what} ${source}`).to.deep.equal(['unparseable']);
      }
    }
  });

  it('a value of the wrong type where containers/image decodes nothing (username, email, password, serveraddress, registrytoken, credsStore) is left out of an auth.json, which podman 4.3 reads, with a note and a check warning', async () => {
    const a = Buffer.from('a:fake-pw').toString('base64');
    const ghcr = { auth: a };
    // [what, document, note key]; podman 4.3 and skopeo 1.9 `login --get-login quay.io` answer "a" for each.
    const cases: [string, Record<string, unknown>, string][] = [
      ['"username": true', { auths: { 'quay.io': { auth: a, username: true }, 'ghcr.io': ghcr } }, 'quay.io'],
      ['"email": {}', { auths: { 'quay.io': { auth: a, email: {} }, 'ghcr.io': ghcr } }, 'quay.io'],
      ['"password": 5', { auths: { 'quay.io': { auth: a, password: 5 }, 'ghcr.io': ghcr } }, 'quay.io'],
      ['"serveraddress": []', { auths: { 'quay.io': { auth: a, serveraddress: [] }, 'ghcr.io': ghcr } }, 'quay.io'],
      ['"RegistryToken": 1', { auths: { 'quay.io': { auth: a, RegistryToken: 1 }, 'ghcr.io': ghcr } }, 'quay.io'],
      ['"credsStore": 5', { auths: { 'quay.io': { auth: a }, 'ghcr.io': ghcr }, credsStore: 5 }, 'credsStore'],
    ];
    for (const [what, doc, noteKey] of cases) {
      const text = JSON.stringify(doc);
      for (const [source, from] of [['auth.json', undefined], ['config.json', 'podman']] as const) {
        const r = await convertAuth([{ text, source }], { to: 'podman', materialize: false, ...(from ? { from } : {}) });
        expect(JSON.parse(r.text), `${what} ${source}`).to.deep.equal({ auths: { 'quay.io': { auth: a }, 'ghcr.io': ghcr } });
        expect(r.notes.map((n) => n.key), `${what} ${source}`).to.deep.equal([noteKey]);
        expect(r.notes[0]?.message, `${what} ${source}`).to.match(/which podman (decodes only "auth" and "identitytoken" of an entry|never reads credsStore) \(it ignores it\), and docker warns .*; left out$/);
        expect(listEntries(parseAuthText(text, source, { from }).files).length, `${what} ${source}`).to.equal(2);
        const findings = checkAuthInput({ text, source, from }).filter((f) => f.code === 'mistyped-value' || f.code === 'unparseable');
        expect(findings.map((f) => [f.severity, f.code, f.key]), `${what} ${source}`).to.deep.equal([['warning', 'mistyped-value', noteKey === 'credsStore' ? undefined : noteKey]]);
        expect(findings[0]?.message, `${what} ${source}`).to.match(/podman (decodes only "auth" and "identitytoken" of an entry, so it ignores it and uses the entry|never reads credsStore and uses the file); docker, reading it as a config\.json, leaves it empty, warns/);
      }
    }
  });

  it('a host glob from a pull secret (*.example.com, kubelet only) is a scope loss for docker, podman and .dockercfg, not for a secret', async () => {
    const payload = JSON.stringify({ auths: { '*.example.com': { auth: Buffer.from('a:fake-pw').toString('base64') }, 'quay.io': { auth: Buffer.from('b:fake-pw').toString('base64') } } });
    const secret = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pull' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(payload).toString('base64') } });
    for (const to of ['docker', 'podman', 'dockercfg'] as const) {
      const r = await convert(secret, 'pull.json', { to, materialize: false });
      expect(r.losses.map((l) => [l.kind, l.key]), to).to.deep.equal([['scope', '*.example.com']]);
      expect(r.losses[0]?.message).to.match(/only kubelet expands/);
    }
    expect((await convert(secret, 'pull.json', { to: 'secret', materialize: false })).losses).to.deep.equal([]);
  });

  it('a scoped key in a .dockercfg says what podman and skopeo make of it: unused beside the bare host, random beside another key of the host, else registry-wide', async () => {
    const auth = (u: string) => ({ auth: Buffer.from(`${u}:fake-pw`).toString('base64') });
    const text = JSON.stringify({ auths: {
      'quay.io/team/app': auth('a'), 'quay.io': auth('b'),
      'ghcr.io/one': auth('c'), 'ghcr.io/two': auth('d'),
      'docker.io/org': auth('e'), 'docker.io': auth('f'),
      'gcr.io/solo': auth('g'),
    } });
    const r = await convert(text, 'auth.json', { to: 'dockercfg', from: 'podman', materialize: false });
    expect(r.losses.map((l) => [l.key, l.message])).to.deep.equal([
      ['quay.io/team/app', '.dockercfg has no scoping: podman and skopeo never use this entry, as they take "quay.io" in the same file for all of quay.io'],
      ['ghcr.io/one', '.dockercfg has no scoping: podman and skopeo cut this key to ghcr.io, as they do "ghcr.io/two", and take one of them at random for every image of ghcr.io'],
      ['ghcr.io/two', '.dockercfg has no scoping: podman and skopeo cut this key to ghcr.io, as they do "ghcr.io/one", and take one of them at random for every image of ghcr.io'],
      // Docker Hub is written as its /v1/ URL, which containers/image never looks up exactly.
      ['docker.io/org', '.dockercfg has no scoping: podman and skopeo cut this key to docker.io, as they do "https://index.docker.io/v1/", and take one of them at random for every image of docker.io'],
      ['gcr.io/solo', '.dockercfg has no scoping: readers use this entry for all of gcr.io'],
    ]);
  });

  it('a Docker Hub alias with a path respelt for docker says what is written, not "written as is"', async () => {
    const text = JSON.stringify({ auths: { 'index.docker.io/org': { auth: Buffer.from('a:fake-pw').toString('base64') }, 'quay.io/org': { auth: Buffer.from('b:fake-pw').toString('base64') } } });
    const r = await convert(text, 'auth.json', { to: 'docker', from: 'podman', materialize: false });
    expect(Object.keys((JSON.parse(r.text) as { auths: object }).auths)).to.deep.equal(['docker.io/org', 'quay.io/org']);
    expect(r.losses.map((l) => l.message.match(/\((written as [^;:]*)[;:]/)?.[1])).to.deep.equal(['written as "docker.io/org"', 'written as is']);
  });

  it('a scoped key respelt for docker says what podman, which reads config.json too, makes of it now: the same, or first matched', async () => {
    const a = (u: string) => ({ auth: Buffer.from(`${u}:fake-pw`).toString('base64') });
    // containers/image matches index.docker.io/org and quay.io/team/ nowhere (only exactly as written).
    const text = JSON.stringify({ auths: { 'index.docker.io/org': a('a'), 'quay.io/team/': a('b'), 'quay.io/org': a('d') } });
    const r = await convert(text, 'auth.json', { to: 'docker', from: 'podman', materialize: false });
    const said = Object.fromEntries(r.losses.filter((l) => l.kind === 'scope').map((l) => [l.key, l.message.replace(/^[^(]*\(/, '')]));
    expect(said).to.deep.equal({
      'index.docker.io/org': 'written as "docker.io/org": podman reading the file never matched the key as it was spelt, and now uses it)',
      'quay.io/team/': 'written as "quay.io/team": podman reading the file never matched the key as it was spelt, and now uses it)',
      'quay.io/org': 'written as is; podman reading the file still honours it)',
    });
  });

  describe('round trips lose nothing', () => {
    const trips: [string, string, AuthFormat[]][] = [
      ['docker → podman → docker', 'docker-config/everything.json', ['podman', 'docker']],
      ['docker → secret → docker', 'docker-config/everything.json', ['secret', 'docker']],
      ['docker → docker', 'docker-config/everything.json', ['docker']],
      ['podman → docker → podman', 'podman/scoped-keys.json', ['docker', 'podman']],
      ['podman → secret → podman', 'podman/scoped-keys.json', ['secret', 'podman']],
      ['dockercfg → docker → dockercfg', 'dockercfg/map-form.dockercfg', ['docker', 'dockercfg']],
      ['dockercfg line form → docker → dockercfg', 'dockercfg/line-form.dockercfg', ['docker', 'dockercfg']],
      ['secret list → docker → secret', 'secrets/list-of-two.yaml', ['docker', 'secret']],
    ];
    for (const [name, path, formats] of trips) {
      it(name, async () => {
        const before = summarize(fixture(path), path);
        const after = summarize(await chain(path, formats));
        expect(after).to.deep.equal(before);
      });
    }
  });

  it('writes docker style: tab indent, Hub as https://index.docker.io/v1/, Go escaping, no final newline', async () => {
    const r = await convert(fixture('podman/scoped-keys.json'), 'auth.json', { to: 'docker' });
    // Boolean assertions: a failure must not print the credentials.
    expect(/^\{\n\t"auths": \{\n\t\t"https:\/\/index\.docker\.io\/v1\/": \{/.test(r.text)).to.equal(true);
    expect(r.text.endsWith('}')).to.equal(true);
    const e = await convert(fixture('docker-config/everything.json'), 'config.json', { to: 'docker' });
    expect(e.text.includes('kept \\u003cas is\\u003e \\u0026 more')).to.equal(true);
    expect(e.text.includes('<')).to.equal(false);
  });

  it('writes podman style: Hub as docker.io, credentials only in auth', async () => {
    const r = await convert(fixture('docker-config/username-password-fields.json'), 'config.json', { to: 'podman' });
    expect(JSON.parse(r.text)).to.deep.equal({ auths: { 'quay.io': { auth: Buffer.from('bob:fake-quay-pass').toString('base64') } } });
    const hub = await convert(fixture('dockercfg/line-form.dockercfg'), '.dockercfg', { to: 'podman' });
    expect(Object.keys(JSON.parse(hub.text).auths)).to.deep.equal(['docker.io']);
  });

  it('refuses a line-form .dockercfg with two auth lines instead of keeping one of them', async () => {
    const line = (user: string): string => `auth = ${Buffer.from(`${user}:fake-pw`).toString('base64')}\n`;
    let message = '';
    try {
      await convert(`${line('first')}email = a@example.com\n${line('second')}`, '.dockercfg', { to: 'docker' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.match(/2 "auth = …" lines/);
    expect(message.includes('fake-pw') || message.includes(Buffer.from('first:fake-pw').toString('base64'))).to.equal(false);
  });

  it('writes a kubectl-style secret with name and namespace', async () => {
    const r = await convert(fixture('dockercfg/map-form.dockercfg'), '.dockercfg', { to: 'secret', name: 'regcred', namespace: 'ci', syntax: 'json' });
    const secret = JSON.parse(r.text);
    expect(secret).to.include({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/dockerconfigjson' });
    expect(secret.metadata).to.deep.equal({ name: 'regcred', namespace: 'ci' });
    const payload = Buffer.from(secret.data['.dockerconfigjson'], 'base64').toString();
    expect(payload.startsWith('{"auths":{"https://index.docker.io/v1/":{"username":"alice","password":"fake-hub-pass","email":"alice@example.com","auth":')).to.equal(true);
  });

  it('secrets in, secrets out: each keeps name and namespace, dockercfg becomes dockerconfigjson, the List stays a List', async () => {
    const r = await convert(fixture('secrets/list-of-two.yaml'), 'list.yaml', { to: 'secret', materialize: false });
    const again = await convert(r.text, 'out.yaml', { to: 'secret', syntax: 'json' });
    const list = JSON.parse(again.text);
    expect(list.kind).to.equal('List');
    expect(list.items.map((s: { metadata: { name: string } }) => s.metadata.name)).to.deep.equal(['robot-dockercfg', 'quay-pull']);
    expect(list.items.map((s: { type: string }) => s.type)).to.deep.equal(['kubernetes.io/dockerconfigjson', 'kubernetes.io/dockerconfigjson']);
    const docs = await convert(fixture('secrets/two-documents.yaml'), 'two.yaml', { to: 'secret' });
    expect(docs.text.split(/^---$/m)).to.have.length(2);
  });

  it('several --- documents written as JSON become a List (JSON has no documents): none is dropped', async () => {
    const r = await convert(fixture('secrets/two-documents.yaml'), 'two.yaml', { to: 'secret', syntax: 'json' });
    const list = JSON.parse(r.text);
    expect(list.kind).to.equal('List');
    expect(list.items).to.have.length(2);
  });

  it("drops kubectl's last-applied-configuration annotation (the old object, old credentials included)", async () => {
    const old = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', data: { '.dockerconfigjson': 'eyJhdXRocyI6e319' } });
    const payload = Buffer.from('{"auths":{"quay.io":{"auth":"Ym9iOmZha2UtcHc="}}}').toString('base64');
    const input = JSON.stringify({
      apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/dockerconfigjson',
      metadata: { name: 'got', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': old, team: 'a' } },
      data: { '.dockerconfigjson': payload },
    });
    const r = await convert(input, 'got.json', { to: 'secret', syntax: 'json' });
    expect(JSON.parse(r.text).metadata).to.deep.equal({ name: 'got', annotations: { team: 'a' } });
  });

  it('reads stringData and JSON secrets', async () => {
    expect(Object.keys(summarize(fixture('secrets/string-data.yaml')).entries)).to.deep.equal(['ghcr.io']);
    expect(Object.keys(summarize(fixture('secrets/single.json')).entries)).to.deep.equal(['quay.io/team']);
  });

  describe('what a target cannot express', () => {
    const cases: [string, string, ConvertOptions, [string, string][]][] = [
      ['scoped keys in docker', 'podman/scoped-keys.json', { to: 'docker' }, [['scope', 'quay.io/team'], ['scope', 'quay.io/team/app']]],
      ['scoped keys and helpers in .dockercfg', 'podman/scoped-keys.json', { to: 'dockercfg' }, [['scope', 'quay.io/team'], ['scope', 'quay.io/team/app'], ['helper', 'credHelpers[gcr.io]']]],
      ['scoped keys in podman', 'podman/scoped-keys.json', { to: 'podman' }, []],
      ['scoped keys in a secret, no helpers', 'secrets/list-of-two.yaml', { to: 'secret' }, []],
      ['tokens in a secret', 'docker-config/everything.json', { to: 'secret', materialize: false }, [['token', 'registry.example.com:5000'], ['token', 'ghcr.io'], ['helper', 'credHelpers[gcr.io]']]],
      ['stubs in a secret', 'docker-config/credsstore-stubs.json', { to: 'secret', materialize: false }, [['stub', 'https://index.docker.io/v1/'], ['stub', 'ghcr.io'], ['helper', 'credsStore'], ['helper', 'credHelpers[123456789012.dkr.ecr.us-east-1.amazonaws.com]']]],
      ['credsStore stubs in podman', 'docker-config/credsstore-stubs.json', { to: 'podman' }, [['stub', 'https://index.docker.io/v1/'], ['stub', 'ghcr.io'], ['helper', 'credsStore']]],
      ['top-level keys in .dockercfg', 'docker-config/basic.json', { to: 'dockercfg' }, [['top-level', 'psFormat'], ['top-level', 'currentContext']]],
      ['two Hub keys with different credentials', 'docker-config/duplicate-hub-keys.json', { to: 'podman' }, [['duplicate', 'docker.io']]],
      ['empty usernames in docker (docker 23+ loses other entries)', 'docker-config/empty-username.json', { to: 'docker' }, [['username', 'tokens.example.com'], ['username', 'explicit.example.com']]],
      ['empty usernames in podman (read, kept with a note)', 'docker-config/empty-username.json', { to: 'podman' }, []],
      ['empty usernames in a secret (kubelet reads them; kept with a note)', 'docker-config/empty-username.json', { to: 'secret' }, []],
      ['empty usernames in .dockercfg (its readers read them; kept with a note)', 'docker-config/empty-username.json', { to: 'dockercfg' }, []],
      ['a username with ":" in docker', 'docker-config/colon-username-fields.json', { to: 'docker' }, [['username', 'quay.io']]],
      ['a username with ":" in podman', 'docker-config/colon-username-fields.json', { to: 'podman' }, [['username', 'quay.io']]],
      ['a username with ":" in .dockercfg', 'docker-config/colon-username-fields.json', { to: 'dockercfg' }, [['username', 'quay.io']]],
      ['a username with ":" in a secret (kubelet lets auth override username/password)', 'docker-config/colon-username-fields.json', { to: 'secret' }, [['username', 'quay.io']]],
    ];
    for (const [name, path, options, want] of cases) {
      it(name, async () => {
        const r = await convert(fixture(path), path, options);
        expect(r.losses.map((l) => [l.kind, l.key])).to.deep.equal(want);
        for (const l of r.losses) expect(l.message).to.not.match(/fake-/);
      });
    }
  });

  it('leaves an entry with an empty username out of a docker config.json, and keeps every other entry', async () => {
    // docker 23+ cannot decode such an `auth`: it then loses other entries of the file at random.
    const path = 'docker-config/empty-username.json';
    const r = await convert(fixture(path), path, { to: 'docker' });
    expect(Object.keys(JSON.parse(r.text).auths)).to.deep.equal(['quay.io']);
    expect(r.entries).to.equal(1);
    expect(r.losses[0]!.message).to.match(/empty username.*docker 23 and later cannot decode it.*next save empties them; left out/);
    const podman = await convert(fixture(path), path, { to: 'podman' });
    expect(Object.keys(JSON.parse(podman.text).auths)).to.deep.equal(['tokens.example.com', 'explicit.example.com', 'quay.io']);
  });

  it('keeps an entry with an empty username in a secret, auth.json or .dockercfg, with a note saying what its readers make of it, as check does', async () => {
    const path = 'docker-config/empty-username.json';
    const expected = {
      // kubelet reads it; containerd then pulls anonymously.
      secret: /^written with an empty username: kubelet reads it, but containerd uses no credential without a username/,
      // podman 4.3 / skopeo 1.9 ask a token registry for an anonymous token (e2e: empty-username).
      podman: /^written with an empty username: podman takes this entry and looks in no later auth file, but podman sends the password only to a registry that asks for Basic auth/,
      dockercfg: /^written with an empty username: docker has not read a \.dockercfg since 20\.10, podman sends the password only .*, and from a \.dockercfg on a node kubelet reads it/,
    };
    for (const [to, message] of Object.entries(expected) as [AuthFormat, RegExp][]) {
      const r = await convert(fixture(path), path, { to });
      expect(r.losses, to).to.deep.equal([]);
      expect(r.notes.map((n) => n.key), to).to.deep.equal(['tokens.example.com', 'explicit.example.com']);
      for (const n of r.notes) expect(n.message, to).to.match(message);
      // The same words as check's finding on the written file.
      const written = checkAuthInput({ text: r.text, source: to === 'podman' ? 'auth.json' : to === 'dockercfg' ? '.dockercfg' : 'regcred.yaml' });
      const finding = written.find((f) => f.code === 'empty-username' && f.key === 'tokens.example.com');
      expect(r.notes[0]!.message, to).to.include(finding!.message.replace(/^empty username in "auth": /, ''));
    }
    // None for a docker config.json, which leaves such entries out (a loss), nor for named users.
    expect((await convert(fixture(path), path, { to: 'docker' })).notes).to.deep.equal([]);
    expect((await convert(fixture('docker-config/basic.json'), 'docker-config/basic.json', { to: 'secret' })).notes).to.deep.equal([]);
  });

  it('never writes a username with ":" into auth (readers split at the first ":"): left out of every target, from a file or a helper', async () => {
    const path = 'docker-config/colon-username-fields.json';
    for (const to of ['docker', 'podman', 'dockercfg', 'secret'] as const) {
      const r = await convert(fixture(path), path, { to, materialize: false });
      expect(r.text.includes(Buffer.from('al:ice:fake-colon-pass').toString('base64')), to).to.equal(false);
      expect(r.text.includes('al:ice'), to).to.equal(false);
      expect(r.entries, to).to.equal(1);
      expect(r.losses.map((l) => l.message).join(), to).to.match(/username contains ":".*splits "auth" at the first ":".*left out/);
    }
    // A helper's answer is held to the same rule.
    const stubs = JSON.stringify({ auths: { 'quay.io': {} }, credsStore: 'fakecolon' });
    const resolve = async () => ({ username: 'al:ice', secret: 'fake-s3cret' });
    const m = await convert(stubs, 'config.json', { to: 'podman', materialize: true, resolve });
    expect(JSON.parse(m.text).auths).to.deep.equal({});
    expect(m.losses.map((l) => [l.kind, l.file, l.key])).to.deep.equal([['username', 'helper fakecolon', 'quay.io']]);
  });

  it('of keys that mean the same scope, keeps the one the source tool looks up', async () => {
    const r = await convert(fixture('docker-config/duplicate-hub-keys.json'), 'config.json', { to: 'docker' });
    const s = summarize(r.text);
    expect(s.entries['docker.io']).to.deep.equal({ username: 'alice', password: 'fake-hub-pass' });
    expect(Object.keys(JSON.parse(r.text).auths)).to.deep.equal(['https://index.docker.io/v1/']);
  });

  it('in one file, finds every pair of keys with one scope, whether or not either is canonical', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    // Two respellings without the canonical key, one respelling after its canonical key, and
    // one before it; `other.io` has no twin. Each scope keeps the key docker looks up exactly
    // (or the first), in the place of the scope's first entry.
    const auths = {
      'https://ghcr.io': { auth: b64('a:fake-one') },
      'other.io': { auth: b64('o:fake-o') },
      'quay.io': { auth: b64('q:fake-same') },
      'http://ghcr.io/v1/': { auth: b64('a:fake-two') },
      'https://quay.io/': { auth: b64('q:fake-same') },
      'https://reg.example/v2/': { auth: b64('r:fake-old') },
      'reg.example': { auth: b64('r:fake-new') },
    };
    const r = await convert(JSON.stringify({ auths }), 'config.json', { to: 'podman', allowLossy: true } as ConvertOptions);
    expect(Object.keys(JSON.parse(r.text).auths)).to.deep.equal(['ghcr.io', 'other.io', 'quay.io', 'reg.example']);
    expect(summarize(r.text).entries['reg.example']).to.deep.equal({ username: 'r', password: 'fake-new' });
    expect(r.duplicates.map((d) => [d.kept.key, d.dropped.key])).to.deep.equal([['quay.io', 'https://quay.io/']]);
    expect(r.losses.filter((l) => l.kind === 'duplicate').map((l) => l.key).sort()).to.deep.equal(['http://ghcr.io/v1/', 'https://reg.example/v2/']);
  });

  it('a top-level "__proto__" or "constructor" key is kept as written, like any other key', async () => {
    const text = '{\n\t"auths": {},\n\t"__proto__": {\n\t\t"x": 1\n\t},\n\t"constructor": "c"\n}';
    const r = await convert(text, 'config.json', { to: 'docker' });
    expect(r.text).to.equal(text);
  });

  it('a Secret key with a scheme and a path keeps the scope kubelet gives it (no widening, no false duplicate)', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const payload = JSON.stringify({ auths: { 'https://quay.io/org/app': { auth: b64('u:fake-p') }, 'quay.io': { auth: b64('v:fake-q') } } });
    const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(payload) } });
    const podman = await convert(manifest, 'pull.json', { to: 'podman' });
    expect([podman.losses, podman.duplicates]).to.deep.equal([[], []]);
    expect(Object.keys(JSON.parse(podman.text).auths)).to.deep.equal(['quay.io/org/app', 'quay.io']);
    expect(summarize(podman.text).entries['quay.io/org/app']).to.deep.equal({ username: 'u', password: 'fake-p' });
    // docker cannot hold the path: a scope loss, as for any repository key.
    const docker = await convert(manifest, 'pull.json', { to: 'docker', allowLossy: true } as ConvertOptions);
    expect(docker.losses.map((l) => [l.kind, l.key])).to.deep.equal([['scope', 'https://quay.io/org/app']]);
    // The same payload as a config.json means all of quay.io to docker: a conflict with "quay.io".
    const asDocker = await convert(payload, 'config.json', { to: 'podman', allowLossy: true } as ConvertOptions);
    expect(Object.keys(JSON.parse(asDocker.text).auths)).to.deep.equal(['quay.io']);
  });

  it('a Secret key https://H/v1 (no trailing slash) is the namespace v1 kubelet reads, not all of H', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const payload = JSON.stringify({ auths: { 'https://quay.io/v1': { auth: b64('u:fake-p') }, 'quay.io': { auth: b64('v:fake-q') } } });
    const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(payload) } });
    const podman = await convert(manifest, 'pull.json', { to: 'podman' });
    expect([podman.losses, podman.duplicates]).to.deep.equal([[], []]);
    expect(Object.keys(JSON.parse(podman.text).auths)).to.deep.equal(['quay.io/v1', 'quay.io']);
  });

  it('"Auths" and "CredsStore" are auths and credsStore, as Go reads them (names match in any case; the maps merge)', async () => {
    const r = await convert(fixture('docker-config/auths-other-case.json'), 'config.json', { to: 'podman', allowLossy: true } as ConvertOptions);
    expect(Object.keys(JSON.parse(r.text).auths)).to.deep.equal(['quay.io', 'ghcr.io']);
    expect(JSON.parse(r.text).credsStore).to.equal('pass');
    expect(Object.keys(JSON.parse(r.text))).to.deep.equal(['auths', 'credsStore']);
  });

  it('two "auths" (or "credHelpers") members are merged, as Go reads them, where JSON.parse keeps only the last', async () => {
    const r = await convert(fixture('docker-config/repeated-auths.json'), 'config.json', { to: 'docker' });
    expect(Object.keys(JSON.parse(r.text))).to.deep.equal(['auths', 'psFormat']);
    expect(summarize(r.text).entries).to.deep.equal({ 'quay.io': { username: 'alice', password: 'fake-a' }, 'ghcr.io': { username: 'bob', password: 'fake-b' } });
    const helpers = await convert('{"auths":{},"credHelpers":{"quay.io":"pass"},"credHelpers":{"ghcr.io":"desktop"}}', 'config.json', { to: 'docker', materialize: false });
    expect(JSON.parse(helpers.text).credHelpers).to.deep.equal({ 'quay.io': 'pass', 'ghcr.io': 'desktop' });
    // A later null clears the map, and a later key replaces the earlier entry whole, as in Go.
    const cleared = await convert(`{"auths":{"quay.io":{"auth":"YWxpY2U6ZmFrZS1h"}},"auths":null,"auths":{"ghcr.io":{"auth":"Ym9iOmZha2UtYg=="}}}`, 'config.json', { to: 'docker' });
    expect(Object.keys(summarize(cleared.text).entries)).to.deep.equal(['ghcr.io']);
    const replaced = await convert(`{"auths":{"quay.io":{"auth":"YWxpY2U6ZmFrZS1h","email":"a@example.test"}},"auths":{"quay.io":{"auth":"Ym9iOmZha2UtYg=="}}}`, 'config.json', { to: 'docker' });
    expect(JSON.parse(replaced.text).auths).to.deep.equal({ 'quay.io': { auth: 'Ym9iOmZha2UtYg==' } });
  });

  it('two credHelpers spellings of one registry in one file: the file\'s own exact key wins whatever the order, the other is a duplicate loss', async () => {
    for (const order of [['docker.io', 'https://index.docker.io/v1/'], ['https://index.docker.io/v1/', 'docker.io']]) {
      const helpers: Record<string, string> = {};
      for (const k of order) helpers[k] = k === 'docker.io' ? 'pass' : 'desktop';
      const text = JSON.stringify({ auths: {}, credHelpers: helpers });
      const docker = await convert(text, 'config.json', { to: 'docker', materialize: false });
      expect(JSON.parse(docker.text).credHelpers, order.join()).to.deep.equal({ 'https://index.docker.io/v1/': 'desktop' });
      expect(docker.losses.map((l) => [l.kind, l.key])).to.deep.equal([['duplicate', 'credHelpers[docker.io]']]);
      expect(docker.conflicts).to.deep.equal([]);
      const podman = await convert(text, 'auth.json', { to: 'podman', materialize: false });
      expect(JSON.parse(podman.text).credHelpers, order.join()).to.deep.equal({ 'docker.io': 'pass' });
      expect(podman.losses.map((l) => [l.kind, l.key])).to.deep.equal([['duplicate', 'credHelpers[https://index.docker.io/v1/]']]);
    }
  });

  it('both Hub spellings routed to one helper stay, in every config target: docker looks up one, podman the other', async () => {
    for (const order of [['docker.io', 'https://index.docker.io/v1/'], ['https://index.docker.io/v1/', 'docker.io']]) {
      const helpers: Record<string, string> = {};
      for (const k of order) helpers[k] = 'pass';
      const text = JSON.stringify({ auths: {}, credHelpers: helpers });
      for (const to of ['docker', 'podman'] as const) {
        const r = await convert(text, 'config.json', { to, materialize: false });
        expect(Object.keys(JSON.parse(r.text).credHelpers).sort(), `${order.join()} → ${to}`).to.deep.equal(['docker.io', 'https://index.docker.io/v1/']);
        expect([r.losses, r.conflicts]).to.deep.equal([[], []]);
      }
    }
    // Across files too: a docker config.json and a podman auth.json merged keep each client's route.
    const merged = await convertAuth(
      [
        { text: JSON.stringify({ auths: {}, credHelpers: { 'https://index.docker.io/v1/': 'pass' } }), source: 'config.json' },
        { text: JSON.stringify({ auths: {}, credHelpers: { 'docker.io': 'pass' } }), source: 'auth.json' },
      ],
      { to: 'docker', policy: 'fail' },
    );
    expect(JSON.parse(merged.text).credHelpers).to.deep.equal({ 'https://index.docker.io/v1/': 'pass', 'docker.io': 'pass' });
  });

  it('written in its own format, a key whose respelling changes what that format\'s clients take gets a note', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    // docker takes none of these entries or routes (the Hub only as https://index.docker.io/v1/,
    // credHelpers by the bare host); podman takes credHelpers[docker.io], and not "quay.io/".
    const docker = JSON.stringify({
      auths: { 'index.docker.io': { auth: b64('u:fake-hub') }, 'quay.io/': { auth: b64('q:fake-quay') }, 'https://ghcr.io/v1/': { auth: b64('g:fake-ghcr') } },
      credHelpers: { 'docker.io': 'pass', 'https://reg.example': 'pass' },
    });
    const same = await convert(docker, 'config.json', { to: 'docker', materialize: false });
    expect(same.losses).to.deep.equal([]);
    // A scheme key that becomes its host changes nothing: both clients read it as that host.
    expect(same.notes.map((n) => n.key)).to.deep.equal(['index.docker.io', 'quay.io/', 'credHelpers[docker.io]', 'credHelpers[https://reg.example]']);
    expect(same.notes[0]?.message).to.match(/docker did not use this entry, and now sends it for Docker Hub/);
    expect(same.notes[2]?.message).to.match(/podman, which reads config\.json too, looked up "docker\.io" and no longer takes it/);
    // Into another format the keys take the target's spelling as its point: no note.
    expect((await convert(docker, 'config.json', { to: 'podman', materialize: false })).notes).to.deep.equal([]);
    // An auth.json read and written as one: podman already normalised the Hub alias.
    const podman = await convert(docker, 'auth.json', { to: 'podman', materialize: false });
    expect(podman.notes.map((n) => n.key)).to.deep.equal(['quay.io/', 'credHelpers[https://reg.example]']);
  });

  it('a .dockercfg file key with a path is all of its registry, as its readers cut it to the host; a dockercfg Secret keeps the path', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const text = JSON.stringify({ 'quay.io/org': { auth: b64('o:fake-org') }, 'ghcr.io/team/app': { auth: b64('g:fake-g') } });
    for (const to of ['podman', 'secret', 'docker'] as const) {
      const r = await convert(text, '.dockercfg', { to, materialize: false });
      expect(r.losses, to).to.deep.equal([]);
      expect(r.notes.map((n) => n.key), to).to.deep.equal(['quay.io/org', 'ghcr.io/team/app']);
      const auths = to === 'secret' ? decodePullSecret(r.text).payload.auths : (JSON.parse(r.text) as { auths: object }).auths;
      expect(Object.keys(auths ?? {}), to).to.deep.equal(['quay.io', 'ghcr.io']);
    }
    // Beside the bare host, the path key is the same scope: containers/image takes the bare host first.
    const both = await convert(JSON.stringify({ 'quay.io/org': { auth: b64('o:fake-org') }, 'quay.io': { auth: b64('q:fake-q') } }), '.dockercfg', { to: 'podman', materialize: false });
    expect(both.losses.map((l) => [l.kind, l.key])).to.deep.equal([['duplicate', 'quay.io/org']]);
    // kubelet reads a dockercfg Secret's keys with their paths.
    const secret = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'old' }, type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64(text) } });
    expect(Object.keys(JSON.parse((await convert(secret, 'old.json', { to: 'podman', materialize: false })).text).auths)).to.deep.equal(['quay.io/org', 'ghcr.io/team/app']);
  });

  it('a registry key or credHelpers key "__proto__" is written in every format, like any other key', async () => {
    // As JSON.parse reads it: an own key. An assignment to a fresh object would drop it silently.
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const text = '{"auths":{"__proto__":{"auth":"' + b64('u:fake-p') + '"},"a.io":{"auth":"' + b64('v:fake-q') + '"}},"credHelpers":{"__proto__":"pass"}}';
    for (const to of ['docker', 'podman', 'dockercfg', 'secret'] as const) {
      const r = await convert(text, 'config.json', { to, materialize: false, allowLossy: true } as ConvertOptions);
      const entries = summarize(r.text).entries;
      expect(Object.keys(entries), to).to.deep.equal(['__proto__', 'a.io']);
      expect(entries['__proto__'], to).to.deep.equal({ username: 'u', password: 'fake-p' });
      if (to === 'docker' || to === 'podman') expect(Object.keys(summarize(r.text).credHelpers), to).to.deep.equal(['__proto__']);
    }
  });

  it('two spellings of one credential in base64 (unused trailing bits differ) are a duplicate, not a conflict', async () => {
    // "YTo=" and "YTp=" both decode to "a:"; the second is not how anyone encodes it, but it is valid.
    const a = { text: JSON.stringify({ auths: { 'quay.io': { auth: 'YTo=' } } }), source: 'a.json' };
    const b = { text: JSON.stringify({ auths: { 'quay.io': { auth: 'YTp=' } } }), source: 'b.json' };
    const r = await convertAuth([a, b], { to: 'docker', policy: 'fail' });
    expect(r.conflicts).to.deep.equal([]);
    expect(r.duplicates).to.have.length(1);
  });

  describe('bad input is one error naming file and key, never the value', () => {
    const cases: [string, RegExp][] = [
      ['docker-config/invalid-json.json', /^docker-config\/invalid-json\.json: invalid JSON/],
      ['docker-config/auth-no-colon.json', /auth-no-colon\.json: key "quay\.io": "auth" has no ":"/],
      ['docker-config/auth-invalid-base64.json', /auth-invalid-base64\.json: key "quay\.io": "auth" is not valid standard base64/],
      ['secrets/wrong-type.yaml', /wrong-type\.yaml#opaque: key "type": Secret type is Opaque/],
      ['secrets/missing-data-key.yaml', /missing-data-key\.yaml#wrong-key: key "data\[\.dockerconfigjson\]": missing data key/],
      ['secrets/bad-base64.yaml', /bad-base64\.yaml#bad: key "data\[\.dockerconfigjson\]": value is not valid padded base64/],
      ['secrets/dockercfg-payload-in-dockerconfigjson.yaml', /mixed-up: key "\.dockerconfigjson": payload has no "auths"/],
      ['secrets/invalid-yaml.yaml', /invalid-yaml\.yaml: invalid YAML in document 1 at line \d+/],
    ];
    for (const [path, want] of cases) {
      it(path, async () => {
        try {
          await convert(fixture(path), path, { to: 'docker' });
          expect.fail('no error');
        } catch (err) {
          expect(err).to.be.instanceOf(ParseError);
          expect((err as Error).message).to.match(want);
          expect((err as Error).message).to.not.match(/fake-|ZmFrZS|eyJhdXRocyI6e30/);
          expect((err as Error).message.split('\n')).to.have.length(1);
        }
      });
    }
  });

  it('accepts unpadded auth and writes it padded', async () => {
    const r = await convert(fixture('docker-config/auth-unpadded.json'), 'config.json', { to: 'docker' });
    expect(JSON.parse(r.text).auths['quay.io'].auth).to.equal('YWxpY2U6ZmFrZS1wdw==');
    // Not silently: the value changed (for the better), and a note says so.
    expect(r.notes.map((n) => [n.key, n.message])).to.deep.equal([['quay.io', '"auth" lacked its "=" padding, which docker and podman cannot decode (kubelet can); written padded']]);
  });
});

describe('merge', () => {
  const inputs = (...paths: string[]) => paths.map((p) => ({ text: fixture(p), source: p }));

  it('replaces the whole older entry: no stale identitytoken beside a new auth', async () => {
    const r = await convertAuth(inputs('docker-config/stale-identity-token.json', 'docker-config/newer-quay-login.json'), { to: 'docker', policy: 'last' });
    expect(JSON.parse(r.text).auths).to.deep.equal({ 'quay.io': { auth: Buffer.from('bob:fake-new-quay-pass').toString('base64') } });
    expect(r.conflicts).to.deep.equal([
      { key: 'quay.io', kind: 'entry', kept: { file: 'docker-config/newer-quay-login.json', key: 'https://quay.io' }, dropped: { file: 'docker-config/stale-identity-token.json', key: 'quay.io' } },
    ]);
  });

  it('--prefer first keeps the earlier entry', async () => {
    const r = await convertAuth(inputs('docker-config/stale-identity-token.json', 'docker-config/newer-quay-login.json'), { to: 'docker', policy: 'first' });
    expect(JSON.parse(r.text).auths['quay.io'].identitytoken).to.equal('fake-stale-token');
  });

  it('--fail-on-conflict names both files and keys, never the values', async () => {
    try {
      await convertAuth(inputs('docker-config/stale-identity-token.json', 'docker-config/newer-quay-login.json'), { to: 'docker', policy: 'fail' });
      expect.fail('no error');
    } catch (err) {
      expect(err).to.be.instanceOf(ConflictError);
      expect((err as Error).message).to.include('stale-identity-token.json (key "quay.io")').and.include('newer-quay-login.json (key "https://quay.io")');
      expect((err as Error).message).to.not.match(/fake-/);
    }
  });

  it('normalises Hub aliases across docker and podman files; equal credentials are duplicates, not conflicts', async () => {
    const r = await convertAuth(inputs('docker-config/basic.json', 'podman/scoped-keys.json', 'dockercfg/line-form.dockercfg'), { to: 'podman', policy: 'fail' });
    const auths = JSON.parse(r.text).auths;
    expect(Object.keys(auths)).to.deep.equal(['docker.io', 'quay.io', 'registry.example.com:5000', 'quay.io/team', 'quay.io/team/app']);
    expect(r.conflicts).to.deep.equal([]);
    expect(r.duplicates.length).to.equal(3);
  });

  it('merges helper routes by canonical key and reports a credsStore conflict', async () => {
    const a = { text: JSON.stringify({ auths: {}, credsStore: 'desktop', credHelpers: { 'https://index.docker.io/v1/': 'desktop' } }), source: 'a.json' };
    const b = { text: JSON.stringify({ auths: {}, credsStore: 'pass', credHelpers: { 'docker.io': 'pass' } }), source: 'b.json' };
    const r = await convertAuth([a, b], { to: 'docker', policy: 'last' });
    const doc = JSON.parse(r.text);
    expect(doc.credsStore).to.equal('pass');
    expect(doc.credHelpers).to.deep.equal({ 'https://index.docker.io/v1/': 'pass' });
    expect(r.conflicts.map((c) => [c.kind, c.kept.file, c.dropped.file])).to.deep.equal([
      ['credHelpers', 'b.json', 'a.json'],
      ['credsStore', 'b.json', 'a.json'],
    ]);
  });
});

describe('convert with authFileOnly (migrate rewrites files in place)', () => {
  const only = (text: string, source: string, from?: AuthFormat) =>
    convert(text, source, { to: 'docker', materialize: false, authFileOnly: true, ...(from ? { from } : {}) });

  it('refuses a Secret manifest, YAML or JSON, naming the file', async () => {
    for (const path of ['secrets/single.json', 'secrets/list-of-two.yaml']) {
      const err = await only(fixture(path), path).catch((e: unknown) => e);
      expect(err, path).to.be.instanceOf(ParseError);
      expect((err as Error).message).to.include(path).and.to.include('a Kubernetes Secret manifest, not an auth file');
    }
  });

  it('refuses JSON that is only guessed to be a .dockercfg map and holds no credential', async () => {
    const err = await only('{"compilerOptions": {"strict": true}}', 'tsconfig.json').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ParseError);
    expect((err as Error).message).to.include('key "compilerOptions"').and.to.include('holds no credential');
  });

  it('still converts real auth files of every format', async () => {
    for (const path of ['docker-config/everything.json', 'podman/scoped-keys.json', 'dockercfg/map-form.dockercfg', 'dockercfg/line-form.dockercfg']) {
      expect((await only(fixture(path), path)).text, path).to.include('"auths"');
    }
  });
});
