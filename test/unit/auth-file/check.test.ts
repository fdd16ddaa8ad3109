import { expect } from 'chai';
import { checkAuthInput } from '../../../src/auth-file/check.js';
import { fixture } from '../../support/auth-summary.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const codes = (text: string, source = 'config.json', mode?: number) =>
  checkAuthInput(mode === undefined ? { text, source } : { text, source, mode }).map((f) => `${f.severity} ${f.code}${f.key !== undefined ? ` ${f.key}` : ''}`);

describe('check', () => {
  const cases: [string, string, string[]][] = [
    ['clean', JSON.stringify({ auths: { 'quay.io': { auth: b64('a:fake-b') } } }), []],
    ['unparseable', '{"auths":', ['error unparseable']],
    ['unpadded auth', fixture('docker-config/auth-unpadded.json'), ['error auth-unpadded quay.io']],
    // kubelet, a pull secret's reader, decodes unpadded base64 (decodeDockerConfigFieldAuth).
    [
      'unpadded auth in a pull secret',
      JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(fixture('docker-config/auth-unpadded.json')) } }),
      ['warning auth-unpadded quay.io'],
    ],
    ['auth without colon', fixture('docker-config/auth-no-colon.json'), ['error auth-no-colon quay.io']],
    ['invalid base64', fixture('docker-config/auth-invalid-base64.json'), ['error auth-invalid-base64 quay.io']],
    ['missing password', JSON.stringify({ auths: { 'quay.io': { username: 'bob' } } }), ['warning no-auth-field quay.io', 'error missing-password quay.io']],
    ['username/password fields only', fixture('docker-config/username-password-fields.json'), ['warning no-auth-field quay.io']],
    ['stubs and credsStore', fixture('docker-config/credsstore-stubs.json'), ['error stub-in-helper https://index.docker.io/v1/', 'error stub-in-helper ghcr.io', 'warning creds-store credsStore']],
    ['Hub aliases, duplicates and conflicts', fixture('docker-config/duplicate-hub-keys.json'), ['warning hub-key docker.io', 'error conflicting-key https://index.docker.io/v1/', 'warning hub-key index.docker.io', 'error conflicting-key index.docker.io']],
    ['identity token', fixture('docker-config/stale-identity-token.json'), ['warning identity-token quay.io']],
    // podman login --get-login docker.io/org: not logged in with only index.docker.io/org (podman 4.3).
    [
      'Docker Hub aliases with a path: podman and kubelet match only docker.io/…, docker none (so docker.io/… too is a warning in a config.json)',
      JSON.stringify({ auths: { 'index.docker.io/org': { auth: b64('a:fake-b') }, 'registry-1.docker.io/org/app': { auth: b64('a:fake-b') }, 'docker.io/other': { auth: b64('a:fake-b') } } }),
      ['warning hub-key index.docker.io/org', 'warning hub-key registry-1.docker.io/org/app', 'warning hub-key docker.io/other'],
    ],
    // A legacy .dockercfg key is cut to its host: podman uses it for all of Docker Hub.

    ['scheme and trailing-slash keys', JSON.stringify({ auths: { 'https://quay.io': { auth: b64('a:fake-b') }, 'ghcr.io/org/': { auth: b64('a:fake-b') } } }), ['warning key-form https://quay.io', 'warning key-form ghcr.io/org/']],
    ['a stub that shadows a broader key', JSON.stringify({ auths: { 'quay.io': { auth: b64('a:fake-b') }, 'quay.io/org/app': {} } }), ['error empty-entry quay.io/org/app', 'warning shadows quay.io/org/app']],
    ['line-form .dockercfg', fixture('dockercfg/line-form.dockercfg'), ['warning dockercfg-line-form']],
    ['keys that name no host', JSON.stringify({ auths: { 'https://': { auth: b64('a:b') }, '/': { auth: b64('c:d') } } }), ['error no-host https://', 'error no-host /']],
    ['only a registry token', JSON.stringify({ auths: { 'ghcr.io': { registrytoken: 'fake-rt' } } }), ['warning registry-token-only ghcr.io']],
    [
      'credHelpers routes no client takes (Hub spelled for podman, a namespace)',
      JSON.stringify({ auths: {}, credHelpers: { 'docker.io': 'pass', 'https://index.docker.io/v1/': 'pass', 'quay.io/org': 'pass', 'ghcr.io': 'pass' } }),
      ['warning helper-key-hub credHelpers[docker.io]', 'warning helper-key-scoped credHelpers[quay.io/org]'],
    ],
    [
      // docker and podman look credHelpers up by the bare host, as a map key (seen with both).
      'credHelpers keys with a scheme or a trailing slash route nothing, and a stub beside them holds nothing',
      JSON.stringify({ auths: { 'quay.io': {} }, credHelpers: { 'https://quay.io': 'pass', 'ghcr.io/': 'pass', 'gcr.io': 'pass' } }),
      ['error empty-entry quay.io', 'warning helper-key-form credHelpers[https://quay.io]', 'warning helper-key-form credHelpers[ghcr.io/]'],
    ],
    // podman login --get-login quay.io: not logged in with only quay.io/v1 (it is the namespace v1).
    ['a bare API path is a namespace to podman and kubelet', JSON.stringify({ auths: { 'quay.io/v1': { auth: b64('a:fake-b') }, 'quay.io': { auth: b64('c:fake-d') } } }), ['warning key-form quay.io/v1']],
    ['"auths" twice (docker and credkit merge them; JSON.parse keeps the last)', fixture('docker-config/repeated-auths.json'), ['warning repeated-member auths']],
    ['another top-level member twice', '{"auths":{},"psFormat":"a","psFormat":"b"}', ['warning repeated-member psFormat']],
    ['secret with .dockercfg content under .dockerconfigjson', fixture('secrets/dockercfg-payload-in-dockerconfigjson.yaml'), ['error unparseable .dockerconfigjson']],
  ];
  for (const [name, text, want] of cases) it(name, () => expect(codes(text)).to.deep.equal(want));

  it('conflicting keys: says which key each client takes, random only where neither is exact (seen with docker pull and podman login --get-login)', () => {
    const message = (auths: Record<string, unknown>, source = 'config.json') => checkAuthInput({ text: JSON.stringify({ auths }), source }).find((f) => f.code === 'conflicting-key')?.message ?? '';
    const a = { auth: b64('alice:fake-a') };
    const b = { auth: b64('bob:fake-b') };
    expect(message({ 'https://index.docker.io/v1/': a, 'docker.io': b })).to.match(/; docker uses "https:\/\/index\.docker\.io\/v1\/", podman uses "docker\.io"$/);
    expect(message({ 'https://quay.io': a, 'quay.io': b })).to.match(/; docker uses "quay\.io", podman uses "quay\.io"$/);
    expect(message({ 'https://quay.io': a, 'http://quay.io/v1/': b })).to.match(/; docker picks one at random, podman picks one at random$/);
    expect(message({ 'docker.io': a, 'index.docker.io': b }, 'auth.json')).to.match(/; podman uses "docker\.io"$/);
    expect(message({ 'index.docker.io': a, 'registry-1.docker.io': b })).to.match(/; docker uses neither, podman picks one at random$/);
    // docker cuts a key to its host, which never equals the Docker Hub URL it looks up.
    expect(message({ 'docker.io/org': a, 'index.docker.io/org': b })).to.match(/; docker uses neither \(it uses no key with a path for Docker Hub\), podman uses "docker\.io\/org"$/);
  });

  it('an empty username is said as its reader fails on it: docker for a config.json, kubelet and containerd for a Secret or .dockercfg', () => {
    const entry = { 'ghcr.io': { auth: b64(':fake-token') } };
    const find = (text: string, source: string) => checkAuthInput({ text, source }).find((f) => f.code === 'empty-username');
    const docker = find(JSON.stringify({ auths: entry }), 'config.json');
    expect(docker?.severity).to.equal('error');
    expect(docker?.message).to.match(/docker 23 and later cannot decode it/);
    // docker never reads a Secret, and has not read a .dockercfg since 20.10 (docker 28.2 sends nothing from one).
    for (const secretType of ['dockerconfigjson', 'dockercfg']) {
      const payload = secretType === 'dockercfg' ? { '.dockercfg': b64(JSON.stringify(entry)) } : { '.dockerconfigjson': b64(JSON.stringify({ auths: entry })) };
      const secret = find(JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: `kubernetes.io/${secretType}`, data: payload }), 's.json');
      expect(secret?.severity, secretType).to.equal('error');
      expect(secret?.message, secretType).to.match(/kubelet reads it, but containerd uses no credential without a username/);
      expect(secret?.message, secretType).to.not.match(/docker/);
    }
    const legacy = find(JSON.stringify(entry), '.dockercfg');
    expect(legacy?.severity).to.equal('warning');
    expect(legacy?.message).to.match(/docker has not read a \.dockercfg since 20\.10, podman sends the password only to a registry that asks for Basic auth.*, and from a \.dockercfg on a node kubelet reads it/);
    // podman 4.3 / skopeo 1.9: a token registry gets an anonymous token request (e2e: consumers-containers).
    const podman = find(JSON.stringify({ auths: entry }), 'auth.json');
    expect(podman?.severity).to.equal('error');
    expect(podman?.message).to.match(/podman takes this entry and looks in no later auth file, but podman sends the password only to a registry that asks for Basic auth .*: a token registry .* gets an anonymous token request, and podman login --get-login says "not logged into" it/);
    // Explicit fields in an auth.json are podman's no-auth-field, not this.
    expect(find(JSON.stringify({ auths: { 'ghcr.io': { username: '', password: 'fake-pw' } } }), 'auth.json')).to.equal(undefined);
  });

  it('an empty explicit username beside a password: docker reads it now, but its next save writes the "auth" docker cannot decode', () => {
    const find = (text: string, source: string) => checkAuthInput({ text, source }).filter((f) => f.code === 'empty-username' || f.code === 'no-auth-field');
    // docker 28.2: `docker login` to another registry rewrites this entry as "auth" = base64(":fake-pw"),
    // after which every command warns "Invalid auth configuration file".
    for (const entry of [{ username: '', password: 'fake-pw' }, { password: 'fake-pw' }]) {
      const docker = find(JSON.stringify({ auths: { 'ghcr.io': entry } }), 'config.json');
      const empty = docker.find((f) => f.code === 'empty-username');
      expect(empty?.severity, JSON.stringify(Object.keys(entry))).to.equal('warning');
      expect(empty?.message).to.match(/docker sends it without a username for now, but its next save .* writes it as "auth" with an empty username, which docker 23 and later cannot decode/);
      // convert --to docker would leave such an entry out, not fold it into "auth".
      expect(docker.find((f) => f.code === 'no-auth-field')?.fix).to.match(/^put a username .*, then credkit convert/);
      // kubelet reads the explicit fields of a Secret's entry (its "auth" is empty): username "".
      const secret = find(JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(JSON.stringify({ auths: { 'ghcr.io': entry } })) } }), 's.json');
      expect(secret.find((f) => f.code === 'empty-username')?.severity).to.equal('error');
    }
    // A username and no "auth": only podman's no-auth-field, whose fix is convert as before.
    const named = find(JSON.stringify({ auths: { 'ghcr.io': { username: 'bob', password: 'fake-pw' } } }), 'config.json');
    expect(named.map((f) => f.code)).to.deep.equal(['no-auth-field']);
    expect(named[0]?.fix).to.match(/^credkit convert/);
  });

  it('a pull secret with only username/password (stringData, as written by hand): no no-auth-field, as kubelet reads those fields', () => {
    const payload = JSON.stringify({ auths: { 'quay.io': { username: 'robot', password: 'fake-pw' } } });
    const secret = (type: string, key: string) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: `kubernetes.io/${type}`, stringData: { [key]: type === 'dockercfg' ? JSON.stringify({ 'quay.io': { username: 'robot', password: 'fake-pw' } }) : payload } });
    expect(codes(secret('dockerconfigjson', '.dockerconfigjson'), 's.json')).to.deep.equal([]);
    expect(codes(secret('dockercfg', '.dockercfg'), 's.json')).to.deep.equal([]);
    // The same entry in a config.json is still podman's no-auth-field.
    expect(codes(payload)).to.deep.equal(['warning no-auth-field quay.io']);
  });

  it('conflicting keys in a pull secret: random order only where kubelet files both under one key', () => {
    const secret = (auths: Record<string, unknown>) => JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) } });
    const message = (auths: Record<string, unknown>) => checkAuthInput({ text: secret(auths), source: 's.json' }).find((f) => f.code === 'conflicting-key')?.message ?? '';
    const a = { auth: b64('alice:fake-a') };
    const b = { auth: b64('bob:fake-b') };
    // BasicDockerKeyring: "https://quay.io/v2/org" and "quay.io/org" are one key, added in Go map order.
    expect(message({ 'https://quay.io/v2/org': a, 'quay.io/org': b })).to.match(/; kubelet tries both, in random order/);
    // "quay.io/org/" and "quay.io/org" are two keys, tried in reverse sorted order: the slash first.
    expect(message({ 'quay.io/org': a, 'quay.io/org/': b })).to.match(/; kubelet tries "quay\.io\/org\/" first where both match \(it sorts its keys\), then "quay\.io\/org"$/);
  });

  it('a Docker Hub alias with a path in a legacy .dockercfg is the alias podman reads it as: it cuts the key to its host (podman login --get-login docker.io answers from it)', () => {
    const [f, ...more] = checkAuthInput({ text: JSON.stringify({ 'index.docker.io/org': { auth: b64('a:fake-b'), email: '' } }), source: '.dockercfg' });
    expect([f?.code, more.length]).to.deep.equal(['hub-key', 0]);
    expect(f?.message).to.match(/^non-canonical Docker Hub key: .*podman uses it only when the file has no "docker\.io" key/);
  });

  it('hub-key: a docker.io/org key is a warning in a config.json only (docker never uses it; podman and kubelet do)', () => {
    const text = JSON.stringify({ auths: { 'docker.io/org': { auth: b64('a:fake-b') }, 'docker.io/org/app': { auth: b64('a:fake-b') } } });
    const codes = (source: string) => checkAuthInput({ text, source }).map((f) => `${f.code} ${f.key}`);
    expect(codes('config.json')).to.deep.equal(['hub-key docker.io/org', 'hub-key docker.io/org/app']);
    expect(codes('auth.json')).to.deep.equal([]);
    expect(codes('in.json')).to.deep.equal([]);
  });

  it('hub-key: podman does read index.docker.io, as a fallback (podman login --get-login docker.io answers from it)', () => {
    const findings = checkAuthInput({ text: JSON.stringify({ auths: { 'index.docker.io': { auth: b64('a:fake-b') } } }), source: 'auth.json' });
    const message = findings.find((f) => f.code === 'hub-key')?.message ?? '';
    expect(message).to.match(/docker never uses it/);
    expect(message).to.match(/podman uses it only when the file has no "docker\.io" key/);
  });

  it('an unparseable file is named once (file and key apart from the message)', () => {
    const [f] = checkAuthInput({ text: '', source: 'big.json' });
    expect([f?.file, f?.key, f?.message]).to.deep.equal(['big.json', undefined, 'the file is empty']);
  });

  it('auth.json: podman looks Docker Hub helpers up as docker.io', () => {
    const text = JSON.stringify({ auths: {}, credHelpers: { 'https://index.docker.io/v1/': 'pass', 'docker.io': 'pass' } });
    expect(codes(text, 'auth.json')).to.deep.equal(['warning helper-key-hub credHelpers[https://index.docker.io/v1/]']);
  });

  // podman 4.3 login --get-login: "docker-credential- resolves to executable in current directory";
  // docker reads the registry from the file (credsStore not asked).
  it('an empty or null helper name: an error in an auth.json, a warning in a config.json', () => {
    for (const helper of ['', null]) {
      const text = JSON.stringify({ auths: { 'quay.io': { auth: b64('a:fake-b') } }, credHelpers: { 'quay.io': helper } });
      expect(codes(text, 'auth.json')).to.deep.equal(['error helper-empty credHelpers[quay.io]']);
      expect(codes(text, 'config.json')).to.deep.equal(['warning helper-empty credHelpers[quay.io]']);
    }
    // A helper name of the wrong type has its own finding.
    expect(codes(JSON.stringify({ auths: {}, credHelpers: { 'quay.io': 5 } }))).to.deep.equal(['error mistyped-value credHelpers[quay.io]']);
  });

  it('a Secret whose data is over 1 MiB: an error the API server would give, before kubectl does', () => {
    const auths: Record<string, { auth: string }> = {};
    for (let i = 0; i < 12000; i++) auths[`registry${i}.example.com`] = { auth: b64(`robot${i}:fake-token-${i}-abcdefghijklmnopqrstuvwxyz`) };
    const secret = (n: number) => JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'big' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(JSON.stringify({ auths: Object.fromEntries(Object.entries(auths).slice(0, n)) })) } });
    expect(codes(secret(12000), 'big.json')).to.deep.equal(['error secret-too-large data[.dockerconfigjson]']);
    expect(codes(secret(4000), 'big.json')).to.deep.equal([]);
  });

  it('the 1 MiB is all of a Secret\'s data, every key and stringData, as the API server sums it', () => {
    const payload = JSON.stringify({ auths: { 'quay.io': { auth: b64('u:fake-pw') } } });
    const half = 'x'.repeat(600 * 1024);
    const secret = (data: Record<string, string>, stringData?: Record<string, string>) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'big' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(payload), ...data }, ...(stringData ? { stringData } : {}) });
    expect(codes(secret({ notes: b64(half), more: b64(half) }), 'big.json')).to.deep.equal(['error secret-too-large data[.dockerconfigjson]']);
    expect(codes(secret({ notes: b64(half) }, { more: half }), 'big.json')).to.deep.equal(['error secret-too-large data[.dockerconfigjson]']);
    // A key in both is the stringData value alone; base64 line breaks count for nothing.
    expect(codes(secret({ notes: b64(half).replace(/(.{76})/g, '$1\n') }, { notes: half.slice(1) }), 'big.json')).to.deep.equal([]);
    expect(codes(secret({ notes: b64(half.slice(0, 500 * 1024)).replace(/(.{76})/g, '$1\r\n') }), 'big.json')).to.deep.equal([]);
  });

  it('Secrets that are no pull secret, none beside them: one made without --type is secret-data-key with its fix, the others notes; Opaque Secrets only stay the one error', () => {
    const untyped = (name: string, key: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, data: { [key]: b64(JSON.stringify(key === '.dockercfg' ? { 'quay.io': { auth: b64('a:fake-b') } } : { auths: { 'quay.io': { auth: b64('a:fake-b') } } })) } });
    const tls = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64('fake-crt') } };
    const list = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
    const found = checkAuthInput({ text: list([untyped('gen', '.dockerconfigjson'), tls, untyped('old', '.dockercfg')]), source: 's.json' });
    expect(found.map((f) => [f.severity, f.code, f.file, f.key])).to.deep.equal([
      ['error', 'secret-data-key', 's.json#gen', 'type'],
      ['note', 'not-a-pull-secret', 's.json#tls', 'type'],
      ['error', 'secret-data-key', 's.json#old', 'type'],
    ]);
    expect(found[0]?.fix).to.equal('set type: kubernetes.io/dockerconfigjson (kubectl create secret generic NAME --from-file=.dockerconfigjson=FILE --type=kubernetes.io/dockerconfigjson)');
    expect(found[2]?.fix).to.equal('set type: kubernetes.io/dockercfg (kubectl create secret generic NAME --from-file=.dockercfg=FILE --type=kubernetes.io/dockercfg)');
    expect(found[0]?.message).to.match(/^the Secret has no type \(so Opaque\); expected .*: it has a \.dockerconfigjson key, but kubelet ignores a Secret of this type in imagePullSecrets$/);
    expect(codes(list([tls, { ...tls, metadata: { name: 'tls2' } }]), 's.json')).to.deep.equal(['error unparseable']);
  });

  it('file modes: others → error, group → warning, 0600 → nothing', () => {
    const text = JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('alice:fake-pw').toString('base64') } } });
    expect(codes(text, 'f', 0o644)).to.deep.equal(['error world-readable']);
    expect(codes(text, 'f', 0o640)).to.deep.equal(['warning group-readable']);
    expect(codes(text, 'f', 0o600)).to.deep.equal([]);
  });

  it('file modes of a file that holds no secret (credHelpers, credsStore, {} markers): a note, unless others may change it', () => {
    for (const doc of [{ credHelpers: { 'ghcr.io': 'pass' } }, { credsStore: 'desktop', psFormat: 'table' }, { auths: { 'quay.io': {}, 'ghcr.io': { email: 'a@example.test' } } }, {}]) {
      const text = JSON.stringify(doc);
      const modeCodes = (mode: number) => codes(text, 'f', mode).filter((c) => c.endsWith('-readable'));
      expect(modeCodes(0o644), text).to.deep.equal(['note world-readable']);
      expect(modeCodes(0o640), text).to.deep.equal(['note group-readable']);
      expect(modeCodes(0o666), text).to.deep.equal(['error world-readable']);
    }
    // Any credential, a key that holds one, or a member that may (proxies) keeps it an error.
    for (const doc of [{ auths: { 'quay.io': {}, 'ghcr.io': { identitytoken: 'fake-token' } } }, { auths: { 'quay.io': { username: 'alice' } } }, { credHelpers: { 'alice:fake-pw@ghcr.io': 'pass' } }, { credsStore: 'pass', proxies: { default: { httpProxy: 'http://u:fake-pw@proxy.example.test' } } }]) {
      expect(codes(JSON.stringify(doc), 'f', 0o644)[0], JSON.stringify(doc)).to.equal('error world-readable');
    }
    expect(codes('{"auths": ', 'f', 0o644)[0]).to.equal('error world-readable');
  });

  it('every finding has a fix and no secret', () => {
    for (const path of ['docker-config/everything.json', 'docker-config/duplicate-hub-keys.json', 'docker-config/auth-no-colon.json']) {
      for (const f of checkAuthInput({ text: fixture(path), source: path })) {
        expect(f.fix).to.not.equal('');
        expect(`${f.message} ${f.fix}`).to.not.match(/fake-|ZmFrZS/);
      }
    }
  });
});
