import { expect } from 'chai';
import { convertAuth, convertAuthSync } from '../../../src/auth-file/convert.js';
import type { ConvertInput } from '../../../src/auth-file/convert.js';
import { assertHelpersRunnable } from '../../../src/auth-file/materialize.js';
import type { CredentialResolver } from '../../../src/auth-file/materialize.js';
import { memoryResolver } from '../../support/auth-summary.js';
import { parseAuthText } from '../../../src/auth-file/read.js';
import { parseRegistrySelector, selectsKey } from '../../../src/auth-file/select.js';
import { HelperError, NotFoundError, UsageError } from '../../../src/errors.js';
import { parseRegistryKey } from '../../../src/registry.js';

const auth = (user: string, pw: string) => ({ auth: Buffer.from(`${user}:${pw}`).toString('base64') });

/** A config.json with one registry-wide key, namespace and repository keys, Docker Hub, a stub and helper routes. */
const CONFIG = JSON.stringify({
  auths: {
    'quay.io': auth('qu', 'fake-q'),
    'quay.io/org': auth('org', 'fake-o'),
    'quay.io/org/app': auth('app', 'fake-a'),
    'quay.io/organization': auth('orgz', 'fake-z'),
    'https://index.docker.io/v1/': auth('hub', 'fake-h'),
    'ghcr.io': {},
  },
  credHelpers: { 'gcr.io': 'gcloud', '123456789012.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login' },
  credsStore: 'desktop',
});
const input = (text = CONFIG, source = 'config.json'): ConvertInput => ({ text, source });


/** The keys each `--registry` value selects from CONFIG, as written. */
function selected(...registries: string[]): string[] {
  const r = convertAuthSync([input()], { to: 'docker', registries });
  return JSON.parse(r.text).auths ? Object.keys(JSON.parse(r.text).auths as object) : [];
}

describe('selecting registries (--registry)', () => {
  describe('parseRegistrySelector', () => {
    const cases: [string, string][] = [
      ['quay.io', 'quay.io'],
      ['quay.io/', 'quay.io'],
      ['quay.io/org', 'quay.io/org'],
      ['quay.io/org/', 'quay.io/org'],
      ['quay.io/org/app:1.0', 'quay.io/org/app'],
      [`quay.io/org/app@sha256:${'a'.repeat(64)}`, 'quay.io/org/app'],
      [`quay.io/org/app:1.0@sha256:${'a'.repeat(64)}`, 'quay.io/org/app'],
      ['localhost:5000', 'localhost:5000'],
      ['localhost:5000/team/app:2', 'localhost:5000/team/app'],
      ['[::1]:5000/app', '[::1]:5000/app'],
      ['registry', 'registry'],
      ['https://quay.io', 'quay.io'],
      ['https://quay.io/', 'quay.io'],
      ['http://localhost:5000/v2/', 'localhost:5000'],
      ['https://index.docker.io/v1/', 'docker.io'],
      ['index.docker.io', 'docker.io'],
      ['registry-1.docker.io/library/nginx', 'docker.io/library/nginx'],
      ['docker.io/library/nginx:1.27', 'docker.io/library/nginx'],
    ];
    for (const [given, scope] of cases) {
      it(`${given} → ${scope}`, () => {
        expect(parseRegistrySelector(given).scope).to.equal(scope);
      });
    }
    const bad: [string, RegExp][] = [
      ['', /empty/],
      [' quay.io', /white space/],
      ['ftp://quay.io', /scheme "ftp:\/\/"/],
      ['https://', /"" is not a registry host/],
      ['https://quay.io/org', /a URL with a path.*\(quay\.io\/org\)/],
      ['https://quay.io/v2/x', /a URL with a path/],
      ['nginx:1.27', /not a registry host\[:port\] \(an image is named with its registry: docker\.io\/library\/nginx:1\.27 for Docker Hub's\)/],
      ['quay.io:abc', /not a registry host/],
      ['quay.io/Org', /"Org" is not a namespace or repository/],
      ['quay.io//org', /is not a namespace or repository/],
      ['quay.io/org/app:', /invalid tag/],
      ['quay.io/app@sha256:xyz', /invalid digest/],
      ['quay.io/a b', /white space/],
    ];
    for (const [given, message] of bad) {
      it(`refuses ${JSON.stringify(given)}, naming the option`, () => {
        expect(() => parseRegistrySelector(given, '--registry')).to.throw(UsageError, message).with.property('message').that.contains(`--registry ${JSON.stringify(given)}`);
      });
    }
  });

  describe('selectsKey', () => {
    const table: [string, string, boolean][] = [
      ['quay.io', 'quay.io', true],
      ['quay.io', 'quay.io/org', true],
      ['quay.io', 'quay.io/org/app', true],
      ['quay.io', 'https://quay.io', true],
      ['quay.io', 'quay.io.evil.example', false],
      ['quay.io', 'quay.io:443', false],
      ['quay.io/org', 'quay.io', true],
      ['quay.io/org', 'quay.io/org', true],
      ['quay.io/org', 'quay.io/org/app', true],
      ['quay.io/org', 'quay.io/org/', true],
      ['quay.io/org', 'quay.io/organization', false],
      // kubelet's string prefix is not docker's or podman's (they compare whole segments).
      ['quay.io/organization', 'quay.io/org', false],
      ['quay.io/org', 'quay.io/other', false],
      ['quay.io/org/app', 'quay.io/org', true],
      ['quay.io/org/app', 'quay.io/org/app/sub', true],
      ['quay.io/org/app', 'quay.io/org/application', false],
      ['quay.io/org/application', 'quay.io/org/app', false],
      // docker and podman drop the path of a scheme key: it is all of quay.io to them.
      ['quay.io/other', 'https://quay.io/org', true],
      ['docker.io', 'https://index.docker.io/v1/', true],
      ['docker.io/library/nginx', 'index.docker.io', true],
      ['docker.io/library/nginx', 'docker.io/library', true],
      ['docker.io/library/nginx', 'docker.io/bitnami', false],
      ['quay.io', '/', false],
    ];
    for (const [selector, key, want] of table) {
      it(`${selector} ${want ? 'selects' : 'does not select'} ${key}`, () => {
        expect(selectsKey(parseRegistrySelector(selector), parseRegistryKey(key))).to.equal(want);
      });
    }
  });

  describe('selectsKey as kubelet matches (a pull secret in or out)', () => {
    const table: [string, string, boolean][] = [
      ['foo.example.com', '*.example.com', true],
      ['foo.example.com/team/app', '*.example.com', true],
      ['foo.example.com', '*.example.com/team', true],
      ['foo.example.com/team', '*.example.com/other', false],
      ['a.b.example.com', '*.*.example.com', true],
      ['a.b.example.com', '*.example.com', false],
      ['example.com', '*.example.com', false],
      ['foo.example.com:5000', '*.example.com:5000', true],
      ['foo.example.com', '*.example.com:5000', false],
      ['foo.example.com:5000', '*.example.com', false],
      ['quay.io', '*.io', true],
      ['docker.io/library/nginx', '*.io', true],
      ['ghcr.io', 'g?cr.io', true],
      ['gcr.io', '[gq]cr.io', true],
      ['ecr.example.com', '[.example.com', false],
      ['quay.io', 'quay.io', true],
      ['quay.io/org', 'quay.io/organization', false],
      // The key's path as a plain string prefix of the image's (kubernetes#102472).
      ['quay.io/organization', 'quay.io/org', true],
      ['quay.io/organization/app', 'quay.io/org', true],
      ['quay.io/org/application', 'quay.io/org/app', true],
      ['foo.example.com/organization', '*.example.com/org', true],
      ['quay.io/organization', 'quay.io/org/', false],
      ['quay.io/organization', 'quay.io/organizations', false],
      ['quay.io/org', 'quay.io/orgz', false],
    ];
    for (const [selector, key, want] of table) {
      it(`${selector} ${want ? 'selects' : 'does not select'} ${key}`, () => {
        expect(selectsKey(parseRegistrySelector(selector), parseRegistryKey(key), true)).to.equal(want);
        // docker and podman compare hosts literally: a glob names no registry to them.
        if (key.includes('*')) expect(selectsKey(parseRegistrySelector(selector), parseRegistryKey(key))).to.equal(false);
      });
    }

    it('a pull secret keeps its glob keys for a registry they match; a config.json keeps them only for --to secret', () => {
      const payload = JSON.stringify({ auths: { '*.example.com': auth('w', 'fake-w'), 'quay.io': auth('q', 'fake-q') } });
      const secret = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(payload).toString('base64') } });
      for (const to of ['secret', 'podman'] as const) {
        const r = convertAuthSync([input(secret, 's.yaml')], { to, registries: ['foo.example.com'] });
        expect(r.selected?.[0]?.keys.map((k) => k.key), to).to.deep.equal(['*.example.com']);
        expect(r.leftOut?.map((k) => k.key), to).to.deep.equal(['quay.io']);
      }
      expect(convertAuthSync([input(payload)], { to: 'secret', registries: ['foo.example.com'] }).selected?.[0]?.keys.map((k) => k.key)).to.deep.equal(['*.example.com']);
      expect(() => convertAuthSync([input(payload)], { to: 'podman', registries: ['foo.example.com'] })).to.throw(NotFoundError, /selects nothing/);
    });
  });

  describe('the keys docker falls back to (a config.json in, or --to docker)', () => {
    const config = (auths: Record<string, unknown>, extra: Record<string, unknown> = {}) => JSON.stringify({ auths, ...extra });
    const keys = (text: string, to: 'docker' | 'podman' | 'secret', registry: string, from?: 'podman') => {
      const r = convertAuthSync([input(text)], { to, registries: [registry], ...(from ? { from } : {}) });
      return { keys: r.selected?.[0]?.keys.map((k) => k.key), notes: r.notes.map((n) => `${n.key}: ${n.message}`) };
    };
    const org = { 'quay.io/org': auth('org', 'fake-o'), 'quay.io/team/app': auth('t', 'fake-t'), 'ghcr.io/x': auth('x', 'fake-x') };

    it('docker reads only a key\'s host: with no key for the registry itself, a key with any path of it is selected', () => {
      expect(keys(config(org), 'docker', 'quay.io/other').keys).to.deep.equal(['quay.io/org', 'quay.io/team/app']);
      // podman's file in, docker's out: the output's docker falls back to them.
      expect(keys(config(org), 'docker', 'quay.io/other', 'podman').keys).to.deep.equal(['quay.io/org', 'quay.io/team/app']);
      const toSecret = keys(config(org), 'secret', 'quay.io/other/app');
      expect(toSecret.keys).to.deep.equal(['quay.io/org', 'quay.io/team/app']);
      expect(toSecret.notes[0]).to.equal('quay.io/org: selected for registries quay.io/other/app because docker, reading this file, uses it for all of quay.io (it has no key for quay.io itself); kubelet uses it only for quay.io/org');
    });

    it('not where docker would not use them: a registry-wide key, a route or a credsStore, Docker Hub, podman in and out', () => {
      expect(keys(config({ ...org, 'https://quay.io': auth('q', 'fake-q') }), 'docker', 'quay.io/other').keys).to.deep.equal(['https://quay.io']);
      expect(keys(config(org, { credHelpers: { 'quay.io': 'quayhelper' } }), 'docker', 'quay.io/other').keys).to.deep.equal(['credHelpers[quay.io]']);
      expect(() => keys(config(org, { credsStore: 'desktop' }), 'docker', 'quay.io/other')).to.throw(NotFoundError, /selects nothing/);
      expect(() => keys(config({ 'docker.io/org': auth('h', 'fake-h') }), 'docker', 'docker.io/other')).to.throw(NotFoundError, /selects nothing/);
      expect(() => keys(config(org), 'podman', 'quay.io/other', 'podman')).to.throw(NotFoundError, /selects nothing/);
    });
  });

  describe('convert', () => {
    it('keeps a registry with every key under it, or a namespace with its repositories and the registry-wide key', () => {
      expect(selected('quay.io')).to.deep.equal(['quay.io', 'quay.io/org', 'quay.io/org/app', 'quay.io/organization']);
      expect(selected('quay.io/org')).to.deep.equal(['quay.io', 'quay.io/org', 'quay.io/org/app']);
      expect(selected('quay.io/org/app:1.0')).to.deep.equal(['quay.io', 'quay.io/org', 'quay.io/org/app']);
      expect(selected('docker.io')).to.deep.equal(['https://index.docker.io/v1/']);
      expect(selected('quay.io/organization', 'index.docker.io')).to.deep.equal(['quay.io', 'quay.io/organization', 'https://index.docker.io/v1/']);
    });

    it('keeps the selected credHelpers routes and the credsStore, and reports what it selected and left out', () => {
      const r = convertAuthSync([input()], { to: 'docker', registries: ['gcr.io', 'quay.io/org/app'] });
      const out = JSON.parse(r.text) as { credHelpers: Record<string, string>; credsStore: string };
      expect(out.credHelpers).to.deep.equal({ 'gcr.io': 'gcloud' });
      expect(out.credsStore).to.equal('desktop');
      expect(r.selected?.map((s) => [s.registry, s.scope, s.keys.map((k) => k.key)])).to.deep.equal([
        ['gcr.io', 'gcr.io', ['credHelpers[gcr.io]']],
        ['quay.io/org/app', 'quay.io/org/app', ['quay.io', 'quay.io/org', 'quay.io/org/app']],
      ]);
      expect(r.leftOut?.map((o) => o.key)).to.deep.equal([
        'quay.io/organization',
        'https://index.docker.io/v1/',
        'ghcr.io',
        'credHelpers[123456789012.dkr.ecr.us-east-1.amazonaws.com]',
      ]);
      // Without a selection the report has neither field.
      const all = convertAuthSync([input()], { to: 'docker' });
      expect([all.selected, all.leftOut]).to.deep.equal([undefined, undefined]);
    });

    it('a value that selects nothing is an error naming it (and each such value), with the credsStore hint when not materialising', () => {
      expect(() => convertAuthSync([input()], { to: 'docker', registries: ['quay.io', 'nothing.example', 'quay.io:8443'] }))
        .to.throw(NotFoundError)
        .with.property('message', 'registries nothing.example, registries quay.io:8443 select nothing: no key or credHelpers route of config.json is for them (a credsStore is asked for a registry no key names only when materialising: materialize)');
      const noStore = JSON.stringify({ auths: { 'quay.io': auth('q', 'fake-q') } });
      expect(() => convertAuthSync([input(noStore)], { to: 'docker', registries: ['ghcr.io'], cliFlags: true }))
        .to.throw(NotFoundError)
        .with.property('message', '--registry ghcr.io selects nothing: no key or credHelpers route of config.json is for it');
    });

    it('a value whose first component docker would read as part of a Docker Hub image says so when it selects nothing', () => {
      const noStore = JSON.stringify({ auths: { 'quay.io': auth('q', 'fake-q') } });
      expect(() => convertAuthSync([input(noStore)], { to: 'docker', registries: ['nginx'] }))
        .to.throw(NotFoundError)
        .with.property('message', 'registries nginx selects nothing: no key or credHelpers route of config.json is for it; "nginx" is read as a registry host (for the Docker Hub image, write docker.io/library/nginx)');
      expect(() => convertAuthSync([input(noStore)], { to: 'docker', registries: ['alpine', 'org/app:1', 'localhost', 'ghcr.io'] }))
        .to.throw(NotFoundError)
        .with.property('message', 'registries alpine, registries org/app:1, registries localhost, registries ghcr.io select nothing: no key or credHelpers route of config.json is for them; registries alpine: "alpine" is read as a registry host (for the Docker Hub image, write docker.io/library/alpine); registries org/app:1: "org" is read as a registry host (for the Docker Hub image, write docker.io/org/app)');
    });

    it('materialises only what is selected: an unselected stub and routes are never asked', async () => {
      const { resolve, calls } = memoryResolver({ desktop: { 'quay.io': { username: 'qu', secret: 'fake-store-q' } } });
      const r = await convertAuth([input()], { to: 'secret', materialize: true, resolve, registries: ['quay.io/org'] });
      // quay.io's plaintext is shadowed by credsStore, as docker reads it; nothing else is asked.
      expect(calls).to.deep.equal(['desktop quay.io', 'desktop quay.io/org', 'desktop quay.io/org/app']);
      expect(r.losses.filter((l) => l.kind !== 'token')).to.deep.equal([]);
      expect(r.resolved.map((x) => x.key)).to.deep.equal(['quay.io']);
    });

    it('a registry no key names is asked of credsStore with its host, as docker asks it (Docker Hub by its index URL)', async () => {
      const config = JSON.stringify({ auths: { 'quay.io': auth('q', 'fake-q') }, credsStore: 'desktop', credHelpers: { 'gcr.io': 'gcloud' } });
      const { resolve, calls } = memoryResolver({
        desktop: { 'ghcr.io': { username: '<token>', secret: 'fake-ghcr-token' }, 'https://index.docker.io/v1/': { username: 'hub', secret: 'fake-hub' } },
      });
      const r = await convertAuth([input(config)], { to: 'podman', materialize: true, resolve, registries: ['ghcr.io/team/app:1', 'docker.io/library/nginx', 'ghcr.io/other'] });
      expect(calls).to.deep.equal(['desktop ghcr.io', 'desktop https://index.docker.io/v1/']);
      expect(Object.keys(JSON.parse(r.text).auths as object)).to.deep.equal(['ghcr.io', 'docker.io']);
      expect(r.selected?.map((s) => s.stores)).to.deep.equal([
        [{ file: 'config.json', helper: 'desktop', key: 'ghcr.io' }],
        [{ file: 'config.json', helper: 'desktop', key: 'https://index.docker.io/v1/' }],
        [{ file: 'config.json', helper: 'desktop', key: 'ghcr.io' }],
      ]);
      expect([r.losses, r.notes]).to.deep.equal([[], []]);
    });

    it('a registry only the store could answer is an error when it has nothing, or cannot be asked; nothing is lost when another selection is satisfied', async () => {
      const config = JSON.stringify({ auths: { 'quay.io': auth('q', 'fake-q') }, credsStore: 'desktop' });
      const { resolve } = memoryResolver({});
      let err: unknown;
      await convertAuth([input(config)], { to: 'secret', materialize: true, resolve, registries: ['ghcr.io'], cliFlags: true }).catch((e: unknown) => (err = e));
      expect(err).to.be.instanceOf(NotFoundError);
      expect((err as Error).message).to.equal('--registry ghcr.io selects nothing: no key or credHelpers route of config.json is for it, and its credsStore "desktop" has no credential for ghcr.io');
      const failing: CredentialResolver = async () => {
        throw new HelperError('credential helper docker-credential-desktop is not on PATH');
      };
      err = undefined;
      await convertAuth([input(config)], { to: 'secret', materialize: true, resolve: failing, registries: ['ghcr.io'] }).catch((e: unknown) => (err = e));
      expect((err as Error).message).to.match(/selects nothing.*could not be asked \(credential helper docker-credential-desktop is not on PATH\)$/);
      // The registry the file has is there; the store's silence on ghcr.io is a note.
      const scoped = JSON.stringify({ auths: { 'ghcr.io/team': auth('t', 'fake-t') }, credsStore: 'desktop' });
      const r = await convertAuth([input(scoped)], { to: 'secret', materialize: true, resolve, registries: ['ghcr.io/team'] });
      expect(r.losses.map((l) => l.kind)).to.deep.equal([]);
      expect(r.notes.map((n) => `${n.key}: ${n.message}`)).to.deep.equal([
        'credsStore: helper "desktop" has no credential for ghcr.io, which docker asks it for as no key of the file covers that registry; nothing taken from it',
      ]);
    });

    it('podman reads no credsStore: an auth.json is never asked it', async () => {
      const text = JSON.stringify({ auths: { 'quay.io': auth('q', 'fake-q') } });
      const { resolve, calls } = memoryResolver({});
      let err: unknown;
      await convertAuth([input(text, 'auth.json')], { to: 'secret', materialize: true, resolve, registries: ['ghcr.io'] }).catch((e: unknown) => (err = e));
      expect(err).to.be.instanceOf(NotFoundError);
      expect(calls).to.deep.equal([]);
    });

    it('merge: a value must select something in some input, not in each', () => {
      const a = input(JSON.stringify({ auths: { 'quay.io': auth('a', 'fake-a') } }), 'a.json');
      const b = input(JSON.stringify({ auths: { 'ghcr.io': auth('b', 'fake-b') } }), 'b.json');
      const r = convertAuthSync([a, b], { to: 'docker', policy: 'last', registries: ['ghcr.io'] });
      expect(Object.keys(JSON.parse(r.text).auths as object)).to.deep.equal(['ghcr.io']);
      expect(() => convertAuthSync([a, b], { to: 'docker', policy: 'last', registries: ['gcr.io'] })).to.throw(NotFoundError, /of any of a\.json, b\.json is for it/);
    });

    it('Secrets in, Secrets out: a Secret that keeps nothing is left out with a note', () => {
      const secret = (name: string, registry: string) => ({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths: { [registry]: auth(name, `fake-${name}`) } })).toString('base64') },
      });
      const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [secret('one', 'quay.io'), secret('two', 'ghcr.io'), secret('three', 'quay.io/org')] });
      const r = convertAuthSync([input(list, 'secrets.json')], { to: 'secret', syntax: 'json', registries: ['quay.io'] });
      const out = JSON.parse(r.text) as { items: { metadata: { name: string } }[] };
      expect(out.items.map((i) => i.metadata.name)).to.deep.equal(['one', 'three']);
      expect(r.notes.map((n) => n.message)).to.deep.equal(['no key is for the registries selected with registries; this Secret is left out']);
    });

    it('notes on left-out entries go with them', () => {
      const text = JSON.stringify({ auths: { 'quay.io': { auth: 5 }, 'ghcr.io': auth('g', 'fake-g') } });
      expect(convertAuthSync([input(text)], { to: 'docker' }).notes.map((n) => n.key)).to.deep.equal(['quay.io']);
      expect(convertAuthSync([input(text)], { to: 'docker', registries: ['ghcr.io'] }).notes).to.deep.equal([]);
    });
  });

  describe('helpers that cannot be run (assertHelpersRunnable)', () => {
    const file = () => parseAuthText(CONFIG, 'config.json').files[0]!;
    const missing = (names: string[]) => (helper: string) => (names.includes(helper) ? `credential helper docker-credential-${helper} is not on PATH` : undefined);

    it('names every helper that cannot be run, with the keys that need it, and points at --registry', () => {
      expect(() => assertHelpersRunnable([{ file: file() }], missing(['desktop', 'ecr-login', 'gcloud']), true))
        .to.throw(HelperError)
        .with.property(
          'message',
          '3 credential helpers cannot be run, so nothing was materialised or written:\n' +
            '  config.json: key "ghcr.io": credential helper docker-credential-desktop is not on PATH\n' +
            '  config.json: key "gcr.io": credential helper docker-credential-gcloud is not on PATH\n' +
            '  config.json: key "123456789012.dkr.ecr.us-east-1.amazonaws.com": credential helper docker-credential-ecr-login is not on PATH\n' +
            'install them, or leave out the registries that need them with --registry (only the registries named are materialised), or write their entries unresolved with --no-materialize',
        );
    });

    it('one helper: one line, with the hint; shadowed entries (they keep their plaintext) do not count', () => {
      expect(() => assertHelpersRunnable([{ file: file() }], missing(['desktop']), false))
        .to.throw(HelperError)
        .with.property('message', 'config.json: key "ghcr.io": credential helper docker-credential-desktop is not on PATH; or leave out the registries that need it with the registries option (only the registries named are materialised)');
      expect(() => assertHelpersRunnable([{ file: file() }], missing([]), true)).to.not.throw();
    });

    it('lists at most three keys of a helper, then how many more', () => {
      const many = JSON.stringify({ auths: Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((h) => [`${h}.example`, {}])), credsStore: 'desktop' });
      expect(() => assertHelpersRunnable([{ file: parseAuthText(many, 'c.json').files[0]! }], missing(['desktop'])))
        .to.throw(HelperError, /^c\.json: keys "a\.example", "b\.example", "c\.example" \(and 2 more\): credential helper/);
    });

    it('convertAuth asks no helper at all when one cannot be run', async () => {
      const { resolve, calls } = memoryResolver({});
      let err: unknown;
      await convertAuth([input()], { to: 'secret', materialize: true, resolve, probeHelper: missing(['ecr-login', 'gcloud']) }).catch((e: unknown) => (err = e));
      expect(err).to.be.instanceOf(HelperError);
      expect((err as Error).message).to.match(/^2 credential helpers cannot be run/);
      expect(calls).to.deep.equal([]);
      // Selecting the registries that need no missing helper: the run goes on.
      const r = await convertAuth([input()], { to: 'secret', materialize: true, resolve, probeHelper: missing(['ecr-login', 'gcloud']), registries: ['quay.io/org'] });
      expect(r.entries).to.equal(3);
    });
  });
});
