import { expect } from 'chai';
import { stringify as stringifyYAML } from 'yaml';
import { emptyAuthFile } from '../../../src/auth-file/model.js';
import { parseEntry } from '../../../src/auth-file/entry.js';
import { parseAuthText } from '../../../src/auth-file/read.js';
import { convertAuth } from '../../../src/auth-file/convert.js';
import { checkAuthInput } from '../../../src/auth-file/check.js';
import { parsePullSecrets, pullSecretObject, serializePullSecrets } from '../../../src/kube/pull-secret.js';
import type { PullSecret, PullSecretType } from '../../../src/kube/pull-secret.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function secret(type: PullSecretType, entries: number, meta: Partial<PullSecret> = {}): PullSecret {
  const file = emptyAuthFile('f.json', 'secret');
  for (let i = 0; i < entries; i++) file.entries.push(parseEntry({ auth: b64(`user${i}:fake-pw<&>${i}`) }, `registry${i}.example.com`, 'f.json'));
  return { type, file, name: 'regcred', ...meta };
}

describe('pull secrets: YAML with the payload spliced in', () => {
  // serializePullSecrets writes each data value through a stand-in; the text must be what the YAML library writes.
  const cases: [string, PullSecret[], 'single' | 'documents' | 'list'][] = [
    ['one dockerconfigjson secret', [secret('dockerconfigjson', 3, { namespace: 'ci' })], 'single'],
    ['an empty dockercfg payload', [secret('dockercfg', 0)], 'single'],
    ['a big payload', [secret('dockerconfigjson', 5000)], 'single'],
    ['documents', [secret('dockerconfigjson', 2), secret('dockercfg', 2, { name: 'other' })], 'documents'],
    ['a List of twelve', Array.from({ length: 12 }, (_, i) => secret('dockerconfigjson', i, { name: `s${i}` })), 'list'],
    ['a label that holds a stand-in', [secret('dockerconfigjson', 1, { labels: { a: 'credkitPayload0x' }, annotations: { 'x/y': 'v: w' } })], 'single'],
  ];
  for (const [name, secrets, container] of cases) {
    it(name, () => {
      const objects = secrets.map((s) => pullSecretObject(s));
      const want = container === 'list' ? stringifyYAML({ apiVersion: 'v1', kind: 'List', items: objects }, { lineWidth: 0 }) : objects.map((o) => stringifyYAML(o, { lineWidth: 0 })).join('---\n');
      expect(serializePullSecrets(secrets, container, 'yaml')).to.equal(want);
    });
  }
});

describe('pull secrets: data values as the API server decodes them', () => {
  const payload = Buffer.from(JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('u:fake-p').toString('base64') } } })).toString('base64');
  const manifest = (data: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': data } });
  it('line breaks (CR and LF) inside base64 are skipped, as Go decodes []byte', () => {
    const wrapped = `${payload.slice(0, 20)}\r\n${payload.slice(20, 40)}\n${payload.slice(40)}`;
    expect(parsePullSecrets(manifest(wrapped), 's.json', JSON.parse(manifest(wrapped))).secrets[0]?.file.entries.map((e) => e.key)).to.deep.equal(['quay.io']);
  });
  it('a space is not base64, line breaks or not', () => {
    for (const spaced of [`${payload.slice(0, 20)} ${payload.slice(20)}`, `${payload.slice(0, 20)} \n${payload.slice(20)}`]) {
      expect(() => parsePullSecrets(manifest(spaced), 's.json', JSON.parse(manifest(spaced)))).to.throw(/not valid padded base64/);
    }
  });
});

describe('pull secrets: immutable', () => {
  it('immutable: true is read and written back (the API server refuses an update that drops it); false, the default, is not written', () => {
    const payload = Buffer.from(JSON.stringify({ auths: { 'quay.io': { auth: b64('u:fake-p') } } })).toString('base64');
    for (const [immutable, want] of [[true, true], [false, undefined]] as const) {
      const text = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', immutable, data: { '.dockerconfigjson': payload } });
      const [read] = parsePullSecrets(text, 's.json', JSON.parse(text)).secrets;
      expect(read?.immutable).to.equal(want);
      expect(pullSecretObject(read as PullSecret).immutable).to.equal(want);
    }
  });
});

describe('pull secrets: an immutable Secret whose data changes gets a note', () => {
  const immutableSecret = (name: string, immutable: boolean) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name },
    type: 'kubernetes.io/dockerconfigjson',
    ...(immutable ? { immutable: true } : {}),
    data: { '.dockerconfigjson': b64(JSON.stringify({ auths: { 'quay.io': { auth: b64('u:fake-p') }, 'ghcr.io': { auth: b64('g:fake-g') } } })) },
  });
  const immutableNotes = (r: { notes: { key: string }[] }) => r.notes.filter((n) => n.key === 'immutable').length;

  it('--registry leaving entries out of one Secret: a note; the same Secret kept whole: none', async () => {
    const text = JSON.stringify(immutableSecret('regcred', true));
    expect(immutableNotes(await convertAuth([{ text, source: 's.json' }], { to: 'secret', registries: ['quay.io'] }))).to.equal(1);
    expect(immutableNotes(await convertAuth([{ text, source: 's.json' }], { to: 'secret' }))).to.equal(0);
    expect(immutableNotes(await convertAuth([{ text, source: 's.json' }], { to: 'secret', registries: ['quay.io', 'ghcr.io'] }))).to.equal(0);
  });

  it('a manifest of several Secrets filtered by --registry: a note for the immutable one whose data changes only', async () => {
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [immutableSecret('a', true), immutableSecret('b', false)] });
    const r = await convertAuth([{ text, source: 'list.json' }], { to: 'secret', registries: ['quay.io'] });
    expect(r.notes.filter((n) => n.key === 'immutable').map((n) => n.file)).to.deep.equal(['Secret a']);
  });
});

describe('pull secrets: YAML that kubectl reads back as written', () => {
  // kubectl reads YAML with go-yaml v2: YAML 1.1 booleans and Go's number syntax are not strings
  // there, so such a name is refused and such a label key renamed ("on" → "true", "1_0" → "10").
  // Checked against `kubectl label --local -f`: each of these failed or changed unquoted.
  const special = ['on', 'Off', 'y', 'N', 'yes', 'no', '0b101', '-0b1', '0o17', '0x_1f', '1_0', '12e3_', '1.', '.5', '+1', '0999', '~'];
  // And strings go-yaml reads as strings, left plain as kubectl leaves them.
  const plain = ['regcred', '1:20', '2001-12-14', 'one', 'ny', '0b2', 'x1', '.dockerconfigjson', '_1'];
  it('quotes every string go-yaml would take for a bool, null or number, and nothing else', () => {
    const labels = Object.fromEntries([...special, ...plain].map((s) => [s, s]));
    const text = serializePullSecrets([secret('dockerconfigjson', 1, { name: 'on', namespace: 'no', labels, annotations: { y: '0o17' } })], 'single', 'yaml');
    const lines = text.split('\n');
    expect(lines).to.include.members(['  name: "on"', '  namespace: "no"', '    "y": "0o17"']);
    for (const s of special) expect(lines, s).to.include(`    ${JSON.stringify(s)}: ${JSON.stringify(s)}`);
    for (const s of plain) expect(lines, s).to.include(`    ${s}: ${s}`);
    expect(parsePullSecrets(text, 's.yaml').secrets[0]).to.include({ name: 'on', namespace: 'no' });
  });
  it('documents and Lists too', () => {
    const two = [secret('dockerconfigjson', 1, { name: 'yes' }), secret('dockercfg', 1, { name: 'off' })];
    for (const container of ['documents', 'list'] as const) {
      const text = serializePullSecrets(two, container, 'yaml');
      expect(text, container).to.include('name: "yes"\n').and.include('name: "off"\n');
    }
  });
});

describe('pull secrets: a stream of JSON objects, as kubectl reads one', () => {
  const payload = (user: string) => b64(JSON.stringify({ auths: { [`${user}.example.com`]: { auth: b64(`${user}:fake-pw`) } } }));
  const obj = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': payload(name) }, ...extra });
  it('objects one after another (compact or indented) are documents, each Secret read', () => {
    for (const text of [`${JSON.stringify(obj('a'))}\n${JSON.stringify(obj('b'))}\n`, `${JSON.stringify(obj('a'), null, 2)}${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [obj('b'), obj('c')] })}`]) {
      const parsed = parseAuthText(text, 's.json');
      expect(parsed.format).to.equal('secret');
      expect(parsed.secrets?.secrets.map((s) => s.name)).to.deep.equal(text.includes('List') ? ['a', 'b', 'c'] : ['a', 'b']);
      expect(parsed.secrets?.syntax).to.equal('json');
      expect(parsed.files.map((f) => f.entries[0]?.key)).to.deep.equal(parsed.secrets?.secrets.map((s) => `${s.name}.example.com`));
    }
  });
  it('another kind in the stream is the same error as in a List; text that is not a stream stays invalid JSON', () => {
    expect(() => parseAuthText(`${JSON.stringify(obj('a'))}{"apiVersion":"v1","kind":"ConfigMap","data":{}}`, 's.json')).to.throw(/expected kind Secret, found "ConfigMap"/);
    expect(() => parseAuthText(`${JSON.stringify(obj('a'))}\n{"apiVersion": `, 's.json')).to.throw(/invalid JSON at position/);
    // Not Kubernetes objects: a config.json with a second object after it is not read as a stream.
    expect(() => parseAuthText('{"auths":{}}\n{"auths":{}}', 'config.json')).to.throw(/invalid JSON at position 13/);
  });
});

describe('pull secrets: Secrets of other types beside them, as `kubectl get secrets` lists them', () => {
  const payload = b64(JSON.stringify({ auths: { 'ghcr.io': { auth: b64('dave:fake-pw') } } }));
  const pull = (name: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': payload } });
  const other = (name: string, type?: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, ...(type ? { type } : {}), data: { token: b64('fake-token') } });
  it('are skipped and named, in a List, in documents and in a JSON stream (kubelet ignores them in imagePullSecrets)', () => {
    const items = [other('app-config', 'Opaque'), pull('ghcr-pull'), other('builder-token', 'kubernetes.io/service-account-token'), other('untyped')];
    const texts = [
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
      stringifyYAML({ apiVersion: 'v1', kind: 'List', items }),
      items.map((i) => stringifyYAML(i)).join('---\n'),
      items.map((i) => JSON.stringify(i)).join('\n'),
    ];
    for (const text of texts) {
      const parsed = parseAuthText(text, 's');
      expect(parsed.secrets?.secrets.map((s) => s.name)).to.deep.equal(['ghcr-pull']);
      expect(parsed.secrets?.skipped).to.deep.equal([
        { label: 's#app-config', name: 'app-config', type: 'Opaque' },
        { label: 's#builder-token', name: 'builder-token', type: 'kubernetes.io/service-account-token' },
        { label: 's#untyped', name: 'untyped', type: 'Opaque' },
      ]);
    }
  });
  it('with no pull secret among them the input is refused: by the one Secret\'s own error, or naming them all', () => {
    expect(() => parseAuthText(JSON.stringify(other('app-config', 'Opaque')), 's.json')).to.throw(/s\.json#app-config: key "type": Secret type is Opaque; expected/);
    const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [other('a', 'Opaque'), other('b', 'kubernetes.io/tls')] });
    expect(() => parseAuthText(list, 's.json')).to.throw(/s\.json: no pull secret \(type kubernetes\.io\/dockerconfigjson or kubernetes\.io\/dockercfg\) among 2 Secrets: a \(Opaque\), b \(kubernetes\.io\/tls\)/);
  });
});

describe('pull secrets: entries as kubelet decodes them', () => {
  const manifest = (type: PullSecretType, payload: unknown) =>
    JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: `kubernetes.io/${type}`, data: { [type === 'dockercfg' ? '.dockercfg' : '.dockerconfigjson']: b64(JSON.stringify(payload)) } });
  const entries = { 'a.example.com': null, 'b.example.com': { auth: b64('bob:fake-pw'), IdentityToken: 5, serveraddress: { x: 1 }, registrytoken: [1] } };
  it('a null entry is empty, and a field kubelet never decodes may hold anything: left out and listed', async () => {
    for (const [type, payload] of [['dockerconfigjson', { auths: entries }], ['dockercfg', entries]] as const) {
      const parsed = parseAuthText(manifest(type, payload), 's.json');
      const secret = parsed.secrets?.secrets[0];
      expect(secret?.file.entries.map((e) => [e.key, e.username, e.identityToken, e.serverAddress, e.extra]), type).to.deep.equal([
        ['a.example.com', undefined, undefined, undefined, undefined],
        ['b.example.com', 'bob', undefined, undefined, undefined],
      ]);
      expect(secret?.ignoredFields, type).to.deep.equal([
        { key: 'b.example.com', field: 'IdentityToken', type: 'a number' },
        { key: 'b.example.com', field: 'serveraddress', type: 'an object' },
        { key: 'b.example.com', field: 'registrytoken', type: 'an array' },
      ]);
      const r = await convertAuth([{ text: manifest(type, payload), source: 's.json' }], { to: 'podman' });
      expect(r.notes.map((n) => `${n.file} ${n.key} ${n.message.split(":")[0]}`), type).to.deep.equal(['IdentityToken', 'serveraddress', 'registrytoken'].map((f) => `s.json#s b.example.com field "${f}" holds no string`));
      expect(JSON.parse(r.text).auths['b.example.com']).to.deep.equal({ auth: b64('bob:fake-pw') });
      const findings = checkAuthInput({ text: manifest(type, payload), source: 's.json' });
      expect(findings.filter((f) => f.code === 'field-not-string').map((f) => [f.severity, f.key]), type).to.deep.equal([['warning', 'b.example.com'], ['warning', 'b.example.com'], ['warning', 'b.example.com']]);
      expect(findings.some((f) => f.code === 'unparseable'), type).to.equal(false);
    }
  });
  it('fields kubelet decodes must still be strings (kubelet fails the secret), and so must the fields podman decodes in an auth.json', () => {
    expect(() => parseAuthText(manifest('dockerconfigjson', { auths: { 'b.example.com': { auth: b64('bob:fake-pw'), email: 5 } } }), 's.json')).to.throw(/key "b\.example\.com": field "email" must be a string/);
    expect(() => parseAuthText(JSON.stringify({ auths: { 'b.example.com': { auth: b64('bob:fake-pw'), identitytoken: 5 } } }), 'auth.json')).to.throw(/field "identitytoken" must be a string/);
  });
});

describe('pull secrets: apiVersion, as kubectl checks it', () => {
  const payload = b64(JSON.stringify({ auths: { 'quay.io': { auth: b64('u:fake-pw') } } }));
  const manifest = (apiVersion?: unknown) => ({ ...(apiVersion === undefined ? {} : { apiVersion }), kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': payload } });
  it('v1 is read; another version or none is refused naming the Secret (kubectl: no matches for kind "Secret" in version v2)', () => {
    expect(parseAuthText(JSON.stringify(manifest('v1')), 's.json').secrets?.secrets).to.have.length(1);
    expect(() => parseAuthText(JSON.stringify(manifest('v2')), 's.json')).to.throw(/^s\.json#s: key "apiVersion": apiVersion is "v2"; a Secret is apiVersion v1/);
    expect(() => parseAuthText(stringifyYAML(manifest()), 's.yaml')).to.throw(/s\.yaml#s: key "apiVersion": apiVersion is missing/);
    expect(() => parseAuthText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [manifest('core/v1')] }), 's.json')).to.throw(/apiVersion is "core\/v1"/);
    expect(() => parseAuthText(JSON.stringify(manifest(1)), 's.json')).to.throw(/apiVersion is not a version \(number\)/);
  });
});

describe('pull secrets: YAML collections as kubectl (go-yaml) reads them', () => {
  const head = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: kubernetes.io/dockerconfigjson\n';
  const payload = b64(JSON.stringify({ auths: { 'quay.io': { auth: b64('alice:fake-pw') } } }));
  it('a map or list as a key (directly or through an alias) is refused with its line, not read as a string, and not quoted', () => {
    const texts: [string, number][] = [
      [`${head}data:\n  .dockerconfigjson: ${payload}\n  ? [fake-collection-key]\n  : x\n`, 8],
      [`${head}metadata2: &k {fake-collection-key: 1}\ndata:\n  .dockerconfigjson: ${payload}\n  *k : x\n`, 9],
    ];
    for (const [text, line] of texts) {
      try {
        parseAuthText(text, 's.yaml');
        expect.fail('read');
      } catch (err) {
        expect((err as Error).message).to.match(new RegExp(`^s\\.yaml: invalid YAML in document 1 at line ${line}: a map or list used as a key, which kubectl refuses \\(invalid map key\\)$`));
        expect((err as Error).message.includes('fake-collection-key')).to.equal(false);
      }
    }
  });
  it('data as an !!omap (a list to go-yaml) or any list or scalar is no map: refused, as kubectl refuses it', () => {
    const omap = `${head}data: !!omap\n  - .dockerconfigjson: ${payload}\n`;
    expect(() => parseAuthText(omap, 's.yaml')).to.throw(/s\.yaml#s: key "data": "data" is a list \(a YAML !!omap or !!pairs is one to kubectl\), not a map; kubectl refuses the Secret/);
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: payload });
    expect(() => parseAuthText(json, 's.json')).to.throw(/s\.json#s: key "data": "data" is a string, not a map/);
    const stringData = `${head}stringData: !!pairs\n  - .dockerconfigjson: '{"auths":{}}'\n`;
    expect(() => parseAuthText(stringData, 's.yaml')).to.throw(/key "stringData": "stringData" is a list/);
    // A !!set is a map with null values to go-yaml: a payload that is no base64 string.
    expect(() => parseAuthText(`${head}data: !!set\n  ? .dockerconfigjson\n`, 's.yaml')).to.throw(/key "data\[\.dockerconfigjson\]": value must be a base64 string/);
    // An ordinary map still reads.
    expect(parseAuthText(`${head}data: !!map\n  .dockerconfigjson: ${payload}\n`, 's.yaml').files[0]?.entries[0]?.username).to.equal('alice');
  });
});

describe('pull secrets: metadata as kubectl decodes it into ObjectMeta', () => {
  const payload = b64(JSON.stringify({ auths: { 'quay.io': { auth: b64('alice:fake-pw') } } }));
  const yaml = (metadata: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n${metadata}type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${payload}\n`;
  it('labels or annotations that are no map, values, names or namespaces that are no string are refused naming the Secret and key, not dropped', () => {
    const cases: [string, RegExp][] = [
      ['  name: s\n  labels:\n    - app=web\n', /^s\.yaml#s: key "metadata\.labels": metadata\.labels is a list, not a map; kubectl refuses the Secret$/],
      ['  name: s\n  annotations: [a, b]\n', /^s\.yaml#s: key "metadata\.annotations": metadata\.annotations is a list, not a map/],
      ['  name: s\n  labels: app=web\n', /key "metadata\.labels": metadata\.labels is a string, not a map/],
      ['  name: s\n  labels:\n    tier: 1\n', /^s\.yaml#s: key "metadata\.labels\[tier\]": the value is a number, not a string \(quote it\)/],
      ['  name: s\n  annotations:\n    enabled: true\n', /key "metadata\.annotations\[enabled\]": the value is a boolean/],
      ['  name: s\n  namespace: 123\n', /^s\.yaml#s: key "metadata\.namespace": metadata\.namespace is a number, not a string/],
      ['  name: 404\n', /^s\.yaml#document 1: key "metadata\.name": metadata\.name is a number, not a string/],
      ['  - name: s\n', /key "metadata": metadata is a list, not a map/],
    ];
    for (const [metadata, error] of cases) expect(() => parseAuthText(yaml(metadata), 's.yaml'), metadata).to.throw(error);
    // The same in check: one unparseable finding, never a dropped field.
    expect(checkAuthInput({ text: yaml('  name: s\n  labels:\n    - app=web\n'), source: 's.yaml' }).map((f) => [f.code, f.key])).to.deep.equal([['unparseable', 'metadata.labels']]);
  });
  it('an unquoted value that YAML 1.2 reads as a string but kubectl (go-yaml, YAML 1.1) as a bool or number is refused, quoted it is kept', () => {
    const cases: [string, RegExp][] = [
      ['  name: s\n  labels:\n    enabled: yes\n', /^s\.yaml#s: key "metadata\.labels\[enabled\]": the value is a boolean to kubectl \(its YAML reader follows YAML 1\.1 there\), not a string \(quote it\); kubectl refuses the Secret$/],
      ['  name: s\n  labels: {feature: on}\n', /key "metadata\.labels\[feature\]": the value is a boolean to kubectl/],
      ['  name: s\n  annotations:\n    mask: 0b101\n', /key "metadata\.annotations\[mask\]": the value is a number to kubectl/],
      ['  name: s\n  annotations:\n    count: 1_000\n', /key "metadata\.annotations\[count\]": the value is a number to kubectl/],
      ['  name: s\n  namespace: Off\n', /^s\.yaml#s: key "metadata\.namespace": metadata\.namespace is a boolean to kubectl .*not a string \(quote it\)/],
      ['  name: -0x1F\n', /^s\.yaml#-0x1F: key "metadata\.name": metadata\.name is a number to kubectl/],
      // Through an anchor and a merge key, as kubectl reads them.
      ['  name: s\n  labels: &l {a: y}\n  annotations:\n    <<: *l\n', /key "metadata\.labels\[a\]": the value is a boolean to kubectl/],
      ['  name: s\n  annotations:\n    <<: {b: NO}\n', /key "metadata\.annotations\[b\]": the value is a boolean to kubectl/],
    ];
    for (const [metadata, error] of cases) expect(() => parseAuthText(yaml(metadata), 's.yaml'), metadata).to.throw(error);
    const list = `apiVersion: v1\nkind: List\nitems:\n- ${yaml('  name: s\n  labels:\n    enabled: on\n').replace(/\n(?=.)/g, '\n  ')}`;
    expect(() => parseAuthText(list, 's.yaml')).to.throw(/s\.yaml#s: key "metadata\.labels\[enabled\]": the value is a boolean to kubectl/);
    // Quoted, tagged !!str, or no bool or number to go-yaml either (a timestamp stays a string in
    // kubectl, and so do -.nan and .5_0): read as strings, as kubectl reads them.
    const kept = parseAuthText(yaml(`  name: "yes"\n  namespace: !!str on\n  labels:\n    a: 'off'\n    b: yesterday\n    c: 2024-01-02\n    d: -.nan\n    e: .5_0\n    f: "0b101"\n`), 's.yaml');
    expect(kept.files[0]?.entries[0]?.username).to.equal('alice');
    // In stringData or data, under any key: the API server decodes them as maps of strings (bytes).
    const data: [string, string][] = [
      ['stringData:\n  other: yes\n', 'key "stringData[other]": the value is a boolean to kubectl (its YAML reader follows YAML 1.1 there), not a string (quote it)'],
      ['stringData:\n  other: on\n', 'key "stringData[other]": the value is a boolean to kubectl'],
      ['stringData:\n  port: 5000\n', 'key "stringData[port]": the value is a number, not a string (quote it); kubectl refuses the Secret'],
      ['stringData:\n  .dockerconfigjson: {}\n', 'key "stringData[.dockerconfigjson]": value must be a string'],
      ['  other: y\n', 'key "data[other]": the value is a boolean to kubectl'],
      ['  other: "!!!!"\n', 'key "data[other]": value is not valid padded base64'],
    ];
    for (const [extra, error] of data) expect(() => parseAuthText(yaml('  name: s\n') + extra, 's.yaml'), extra).to.throw(`s.yaml#s: ${error}`);
    const fine = parseAuthText(yaml('  name: s\n') + '  other: null\nstringData:\n  other: "yes"\n  empty:\n', 's.yaml');
    expect(fine.files[0]?.entries[0]?.username).to.equal('alice');
  });
  it('a plain key is the string kubectl\'s YAML-to-JSON step makes of it, and one it cannot make a string of is refused', () => {
    // go-yaml v2 resolves a key as it resolves a value; sigs.k8s.io/yaml then writes a bool key
    // as "true"/"false", an int in decimal, a float with FormatFloat(f, 'g', -1, 32).
    const keys: [string, string][] = [
      ['on', 'true'], ['Yes', 'true'], ['n', 'false'], ['OFF', 'false'], ['0x1F', '31'], ['017', '15'], ['08', '8'],
      ['1_000', '1000'], ['+5', '5'], ['-0b11', '-3'], ['1.50', '1.5'], ['1e3', '1000'], ['1e6', '1e+06'], ['.5', '0.5'],
      ['0.00001', '1e-05'], ['123456789.0', '1.2345679e+08'], ['-.Inf', '-.inf'], ['.NaN', '.nan'],
      ['9223372036854775807', '9223372036854775807'], ['18446744073709551616', '1.8446744e+19'],
      // Strings to go-yaml as written, whatever YAML 1.2 makes of them.
      ['1e400', '1e400'], ['2024-01-02', '2024-01-02'], ['yesterday', 'yesterday'], ['"on"', 'on'], ['!!str on', 'on'],
    ];
    for (const [written, read] of keys) {
      const labels = parsePullSecrets(yaml(`  name: s\n  labels:\n    ${written}: x\n`), 's.yaml').secrets[0]?.labels;
      expect(labels, written).to.deep.equal({ [read]: 'x' });
    }
    for (const [written, why] of [['~', 'null'], ['null', 'null'], ['9223372036854775808', 'an integer past int64']]) {
      expect(() => parsePullSecrets(yaml(`  name: s\n  labels:\n    ${written}: x\n`), 's.yaml'), written).to.throw(`s.yaml: invalid YAML in document 1 at line 6: a key kubectl reads as ${why} (unsupported map key), which it refuses`);
    }
  });
  it('a !!binary value is the text of its decoded bytes, as go-yaml gives it to kubectl, and under data is refused as kubectl sends it', () => {
    // go-yaml v2 decoder.scalar: `resolved = string(data)`; invalid base64 fails the document.
    const read = parsePullSecrets(yaml('  name: s\n  labels:\n    app: !!binary d2Vi\n  annotations:\n    !!binary bm90ZQ==: !!binary |\n      aGVs\n      bG8=\n    bytes: !!binary /w==\n'), 's.yaml').secrets[0];
    expect(read?.labels).to.deep.equal({ app: 'web' });
    expect(read?.annotations).to.deep.equal({ note: 'hello', bytes: '\ufffd' });
    const bob = b64(JSON.stringify({ auths: { 'quay.io': { auth: b64('bob:fake-pw') } } }));
    const fromStringData = parseAuthText(yaml('  name: s\n') + `stringData:\n  .dockerconfigjson: !!binary ${bob}\n  other: !!binary aGk=\n`, 's.yaml');
    expect(fromStringData.files[0]?.entries[0]?.username).to.equal('bob');
    // Twice encoded, the decoded bytes are base64 again, which the API server takes.
    const twice = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: !!binary ${b64(payload)}\n`;
    expect(parseAuthText(twice, 's.yaml').files[0]?.entries[0]?.username).to.equal('alice');
    const refused = 'the value is tagged !!binary, so kubectl sends its decoded bytes, which are not base64, and the API server refuses the Secret (remove the !!binary tag)';
    expect(() => parseAuthText(twice.replace(b64(payload), payload), 's.yaml')).to.throw(`s.yaml#s: key "data[.dockerconfigjson]": ${refused}`);
    expect(() => parseAuthText(yaml('  name: s\n') + '  other: !!binary aGVsbG8=\n', 's.yaml')).to.throw(`s.yaml#s: key "data[other]": ${refused}`);
    expect(() => parseAuthText(yaml('  name: s\n  labels:\n    app: !!binary d2V\n'), 's.yaml')).to.throw('s.yaml: invalid YAML in document 1 at line 6: a !!binary value that is not valid padded base64, which kubectl refuses');
  });
  it('maps of strings (and null values, which Go reads as "") are kept', async () => {
    const r = await convertAuth([{ text: yaml('  name: s\n  namespace: ns\n  labels:\n    app: web\n    empty:\n  annotations: {}\n'), source: 's.yaml' }], { to: 'secret', materialize: false, syntax: 'json' });
    expect((JSON.parse(r.text) as { metadata: unknown }).metadata).to.deep.equal({ name: 's', namespace: 'ns', labels: { app: 'web', empty: null } });
  });
});
