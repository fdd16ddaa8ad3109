import { expect } from 'chai';
import { inspect } from 'node:util';
import { explainLookup } from '../../../src/auth-file/explain.js';
import type { ClientExplanation, FileText, HelperAnswer, LookupClient, LookupDeps } from '../../../src/auth-file/lookup.js';
import { HiddenSecret } from '../../../src/auth-file/lookup.js';
import { compareGoStrings, globMatch, kubeletKey } from '../../../src/auth-file/lookup-kubelet.js';
import { parseAuthText } from '../../../src/auth-file/read.js';
import { checkAuthInput } from '../../../src/auth-file/check.js';
import { parseImageRef } from '../../../src/image-ref.js';
import type { Host } from '../../../src/io.js';

const HOME = '/home/u';
const host = (env: Record<string, string> = {}): Host => ({ env: { XDG_RUNTIME_DIR: '/run/user/1', ...env }, home: HOME, platform: 'linux', cwd: HOME });
const PATHS = {
  runtime: '/run/user/1/containers/auth.json',
  config: `${HOME}/.config/containers/auth.json`,
  docker: `${HOME}/.docker/config.json`,
  dockercfg: `${HOME}/.dockercfg`,
  named: '/x/named.json',
};
const auth = (user: string, pw = 'fake-pw') => ({ auth: Buffer.from(`${user}:${pw}`).toString('base64') });

/** Helpers as a table: helper → server URL → username ('' = not found); missing helper → not on PATH. */
function deps(helpers: Record<string, Record<string, string>> = {}, onPath: string[] = []): LookupDeps & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    onPath: (p) => onPath.includes(p),
    askHelper: async (helper, url): Promise<HelperAnswer> => {
      calls.push(`${helper} ${url}`);
      const store = helpers[helper];
      if (!store) return { kind: 'failed', reason: 'not-on-path', message: `credential helper docker-credential-${helper} is not on PATH` };
      const user = store[url];
      return user ? { kind: 'found', username: user, password: `fake-${user}-secret`, identityToken: undefined } : { kind: 'not-found' };
    },
  };
}

async function explain(image: string, files: Partial<Record<keyof typeof PATHS, unknown>>, client: LookupClient, d = deps(), env: Record<string, string> = {}): Promise<ClientExplanation> {
  const map = new Map<string, FileText>();
  for (const [k, v] of Object.entries(files)) map.set(PATHS[k as keyof typeof PATHS], { text: typeof v === 'string' ? v : JSON.stringify(v) });
  const [x] = await explainLookup({ host: host(env), ref: parseImageRef(image), files: map }, d, [client]);
  return x!;
}

/** 'user', 'none' or 'error'. */
function answer(x: ClientExplanation): string {
  return x.outcome === 'credential' ? (x.credential?.username ?? '') : x.outcome === 'error' ? 'error' : 'none';
}

describe('image references', () => {
  const table: [string, string, string][] = [
    ['nginx', 'image', 'docker.io/library/nginx'],
    ['nginx:1.25', 'image', 'docker.io/library/nginx'],
    ['library/nginx@sha256:' + 'a'.repeat(64), 'image', 'docker.io/library/nginx'],
    ['index.docker.io/foo/bar:1', 'image', 'docker.io/foo/bar'],
    ['localhost:5000/x', 'image', 'localhost:5000/x'],
    ['localhost/x', 'image', 'localhost/x'],
    ['quay.io/org/app:v1', 'image', 'quay.io/org/app'],
    ['quay.io', 'registry', 'quay.io'],
    ['quay.io:443', 'registry', 'quay.io:443'],
    ['localhost:5000', 'registry', 'localhost:5000'],
    ['https://quay.io/v2/', 'registry', 'quay.io'],
    ['myhost:5000/', 'registry', 'myhost:5000'],
    ['[::1]:5000', 'registry', '[::1]:5000'],
    ['[::1]', 'registry', '[::1]'],
    ['[::1]:5000/a/b:v1', 'image', '[::1]:5000/a/b'],
    ['foo.bar:latest', 'image', 'docker.io/library/foo.bar'],
  ];
  for (const [input, kind, name] of table) {
    it(`${input} → ${kind} ${name}`, () => {
      const r = parseImageRef(input);
      expect([r.kind, r.name]).to.deep.equal([kind, name]);
    });
  }
  it('refuses upper case in the repository', () => {
    expect(() => parseImageRef('quay.io/Org/app')).to.throw(/lowercase/);
  });
});

describe('lookup: docker', () => {
  const R = 'quay.io';
  const table: { name: string; image: string; files: Partial<Record<keyof typeof PATHS, unknown>>; helpers?: Record<string, Record<string, string>>; onPath?: string[]; expected: string; calls?: string[] }[] = [
    { name: 'exact host key', image: `${R}/org/app`, files: { docker: { auths: { [R]: auth('alice') } } }, expected: 'alice' },
    { name: 'exact beats scoped', image: `${R}/org/app`, files: { docker: { auths: { [`${R}/org`]: auth('bob'), [R]: auth('alice') } } }, expected: 'alice' },
    { name: 'scoped key via hostname fallback', image: `${R}/x/y`, files: { docker: { auths: { [`${R}/org`]: auth('bob') } } }, expected: 'bob' },
    { name: 'podman files are not docker’s', image: `${R}/org/app`, files: { runtime: { auths: { [R]: auth('alice') } } }, expected: 'none' },
    { name: 'Hub needs the /v1/ key', image: 'nginx', files: { docker: { auths: { 'docker.io': auth('bob') } } }, expected: 'none' },
    { name: 'Hub /v1/ key', image: 'nginx', files: { docker: { auths: { 'https://index.docker.io/v1/': auth('alice') } } }, expected: 'alice' },
    { name: 'credHelpers exact', image: `${R}/a`, files: { docker: { auths: { [R]: auth('alice') }, credHelpers: { [R]: 'h' } } }, helpers: { h: { [R]: 'carol' } }, expected: 'carol', calls: [`h ${R}`] },
    { name: 'credHelpers beats credsStore', image: `${R}/a`, files: { docker: { credsStore: 's', credHelpers: { [R]: 'h' } } }, helpers: { h: { [R]: 'carol' }, s: { [R]: 'dave' } }, expected: 'carol' },
    { name: 'credsStore asked with the Hub key', image: 'nginx', files: { docker: { credsStore: 's' } }, helpers: { s: { 'https://index.docker.io/v1/': 'dave' } }, expected: 'dave', calls: ['s https://index.docker.io/v1/'] },
    { name: 'credsStore not found → anonymous', image: `${R}/a`, files: { docker: { auths: { [R]: auth('alice') }, credsStore: 's' } }, helpers: { s: {} }, expected: 'none' },
    { name: 'helper failure → auths entry sent', image: `${R}/a`, files: { docker: { auths: { [R]: auth('alice') }, credsStore: 'gone' } }, expected: 'alice' },
    { name: 'empty config → default store pass', image: `${R}/a`, files: { docker: { auths: {} } }, helpers: { pass: { [R]: 'erin' } }, onPath: ['pass', 'docker-credential-pass'], expected: 'erin' },
    { name: 'default store helper missing → file', image: `${R}/a`, files: {}, onPath: ['pass'], expected: 'none', calls: [] },
    { name: 'invalid JSON → empty config', image: `${R}/a`, files: { docker: '{"auths":' }, expected: 'none' },
    { name: 'an entry field of the wrong type elsewhere: docker warns and uses the rest', image: `${R}/a`, files: { docker: { auths: { [R]: auth('alice'), 'ghcr.io': { auth: 5 } } } }, expected: 'alice' },
    { name: 'an entry that is not an object elsewhere: the same', image: `${R}/a`, files: { docker: { auths: { [R]: auth('alice'), 'ghcr.io': [], 'gcr.io': null } } }, expected: 'alice' },
    { name: 'a username of the wrong type beside auth: auth is used', image: `${R}/a`, files: { docker: { auths: { [R]: { ...auth('alice'), username: 5 } } } }, expected: 'alice' },
    { name: 'credsStore of the wrong type: no store, the file', image: `${R}/a`, files: { docker: { auths: { [R]: auth('alice') }, credsStore: 5 } }, expected: 'alice', calls: [] },
    { name: 'auths of the wrong type: credsStore still asked', image: `${R}/a`, files: { docker: { auths: [], credsStore: 's' } }, helpers: { s: { [R]: 'dave' } }, expected: 'dave' },
    { name: 'credHelpers[key] "": the file, not credsStore', image: `${R}/a`, files: { docker: { auths: { [R]: auth('alice') }, credHelpers: { [R]: '' }, credsStore: 's' } }, helpers: { s: { [R]: 'dave' } }, expected: 'alice', calls: [] },
    { name: 'credHelpers[key] null: the same', image: `${R}/a`, files: { docker: { auths: { [R]: auth('alice') }, credHelpers: { [R]: null }, credsStore: 's' } }, helpers: { s: { [R]: 'dave' } }, expected: 'alice', calls: [] },
    { name: 'credHelpers[key] a number: the same', image: `${R}/a`, files: { docker: { auths: { [R]: auth('alice') }, credHelpers: { [R]: 5 }, credsStore: 's' } }, helpers: { s: { [R]: 'dave' } }, expected: 'alice', calls: [] },
    { name: 'text after the JSON object is never read (json.Decoder)', image: `${R}/a`, files: { docker: `${JSON.stringify({ auths: { [R]: auth('alice') } })}\n}xyz` }, expected: 'alice' },
    { name: 'two "auths" members: Go merges them', image: `${R}/a`, files: { docker: `{"auths":{"${R}":${JSON.stringify(auth('alice'))}},"auths":{"ghcr.io":${JSON.stringify(auth('bob'))}}}` }, expected: 'alice' },
    { name: 'two "credHelpers" members: Go merges them', image: `${R}/a`, files: { docker: `{"credHelpers":{"${R}":"h"},"credHelpers":{"ghcr.io":"h"}}` }, helpers: { h: { [R]: 'carol' } }, expected: 'carol' },
  ];
  for (const c of table) {
    it(c.name, async () => {
      const d = deps(c.helpers, c.onPath);
      const x = await explain(c.image, c.files, 'docker', d);
      expect(answer(x)).to.equal(c.expected);
      if (c.calls) expect(d.calls).to.deep.equal(c.calls);
    });
  }
  it('a value of the wrong type is docker\'s warning, and the file is still used; a null is neither', async () => {
    const warned = await explain(`${R}/a`, { docker: { auths: { [R]: auth('alice'), 'ghcr.io': { auth: 5 } }, credsStore: [] } }, 'docker');
    expect(warned.files[0]?.status).to.equal('matched');
    expect(warned.notes.join('\n')).to.match(/WARNING: Error parsing config file.*"ghcr.io": "auth" is a number, not a string, and 1 more.*still uses the file/);
    const quiet = await explain(`${R}/a`, { docker: { auths: { [R]: auth('alice'), 'ghcr.io': null }, credHelpers: { [R]: null } } }, 'docker');
    expect([quiet.files[0]?.status, quiet.notes.some((n) => n.includes('WARNING'))]).to.deep.equal(['matched', false]);
  });
  it('lists shadowed entries with reasons', async () => {
    const x = await explain(`${R}/org/app`, { docker: { auths: { [R]: auth('alice'), [`${R}/org`]: auth('bob'), 'https://quay.io': auth('carol') } } }, 'docker');
    expect(x.shadowed.map((s) => s.key).sort()).to.deep.equal(['https://quay.io', `${R}/org`]);
    expect(x.shadowed.find((s) => s.key === `${R}/org`)?.reason).to.match(/repository scopes/);
  });
});

describe('lookup: containers/image', () => {
  const R = 'reg.test:5000';
  const IMG = `${R}/team/app:1`;
  const table: { name: string; files: Partial<Record<keyof typeof PATHS, unknown>>; helpers?: Record<string, Record<string, string>>; env?: Record<string, string>; client?: LookupClient; expected: string }[] = [
    { name: 'runtime before config', files: { runtime: { auths: { [R]: auth('alice') } }, config: { auths: { [R]: auth('bob') } } }, expected: 'alice' },
    { name: 'first file with a credential wins', files: { config: { auths: { [R]: auth('alice') } }, docker: { auths: { [`${R}/team/app`]: auth('bob') } } }, expected: 'alice' },
    { name: 'repository → namespace → registry', files: { docker: { auths: { [R]: auth('alice'), [`${R}/team`]: auth('bob') } } }, expected: 'bob' },
    { name: 'partial component never matches', files: { docker: { auths: { [`${R}/te`]: auth('bob') } } }, expected: 'none' },
    { name: '{} claims the key and moves to the next file', files: { runtime: { auths: { [`${R}/team`]: {}, [R]: auth('alice') } }, dockercfg: { [R]: auth('carol') } }, expected: 'carol' },
    { name: 'exact host beats scheme key', files: { docker: { auths: { [`https://${R}/team/app`]: auth('bob'), [R]: auth('alice') } } }, expected: 'alice' },
    { name: 'scheme key alone: registry-wide', files: { docker: { auths: { [`http://${R}/v1/`]: auth('bob') } } }, expected: 'bob' },
    { name: 'trailing slash never', files: { docker: { auths: { [`${R}/team/`]: auth('bob') } } }, expected: 'none' },
    // Its two TrimPrefix calls strip "http://" and then "https://", never the other way round.
    { name: 'http://https:// key: both schemes stripped', files: { docker: { auths: { [`http://https://${R}/v1/`]: auth('bob') } } }, expected: 'bob' },
    { name: 'https://http:// key never matches', files: { docker: { auths: { [`https://http://${R}`]: auth('bob') } } }, expected: 'none' },
    { name: 'credHelpers takes over the file', files: { config: { auths: { [R]: auth('alice') }, credHelpers: { [R]: 'h' } } }, helpers: { h: { [R]: 'carol' } }, expected: 'carol' },
    { name: 'credHelpers empty → next file', files: { config: { auths: { [R]: auth('alice') }, credHelpers: { [R]: 'h' } }, docker: { auths: { [R]: auth('bob') } } }, helpers: { h: {} }, expected: 'bob' },
    { name: 'credHelpers missing program → error', files: { config: { credHelpers: { [R]: 'gone' } }, docker: { auths: { [R]: auth('bob') } } }, expected: 'error' },
    { name: 'broken file after a match is harmless', files: { runtime: { auths: { [R]: auth('alice') } }, docker: 'nope' }, expected: 'alice' },
    { name: 'broken file reached → error', files: { docker: '' }, expected: 'error' },
    { name: 'text after the JSON object → error (json.Unmarshal)', files: { docker: `${JSON.stringify({ auths: { [R]: auth('alice') } })}xyz` }, expected: 'error' },
    { name: 'unpadded auth → error', files: { docker: { auths: { [R]: { auth: 'YWxpY2U6ZmFrZS1wdw' } } } }, expected: 'error' },
    { name: 'username/password fields ignored', files: { docker: { auths: { [R]: { username: 'bob', password: 'fake-x' } } } }, expected: 'none' },
    { name: 'legacy format in an auth.json is ignored', files: { runtime: { [R]: auth('bob') } }, expected: 'none' },
    { name: '.dockercfg has no scoping', files: { dockercfg: { [`${R}/other`]: auth('carol') } }, expected: 'carol' },
    { name: 'REGISTRY_AUTH_FILE replaces the runtime file only', env: { REGISTRY_AUTH_FILE: '/x/named.json' }, files: { named: { auths: {} }, runtime: { auths: { [R]: auth('alice') } }, docker: { auths: { [R]: auth('bob') } } }, expected: 'bob' },
    // podman pull and buildah stat their --authfile, whose default it is, before any lookup.
    { name: 'REGISTRY_AUTH_FILE naming no file → error', env: { REGISTRY_AUTH_FILE: '/x/named.json' }, files: { docker: { auths: { [R]: auth('bob') } } }, expected: 'error' },
    { name: 'two "auths" members: Go merges them', files: { docker: `{"auths":{"${R}":${JSON.stringify(auth('alice'))}},"auths":{"ghcr.io":${JSON.stringify(auth('bob'))}}}` }, expected: 'alice' },
    // skopeo inspect's search (podman would stop at the missing /elsewhere/config.json: below).
    { name: 'DOCKER_CONFIG replaces ~/.docker but not ~/.dockercfg', env: { DOCKER_CONFIG: '/elsewhere' }, client: 'skopeo', files: { docker: { auths: { [R]: auth('bob') } }, dockercfg: { [R]: auth('carol') } }, expected: 'carol' },
    // containers/image decodes only `auth` and `identitytoken` of an entry, and no top-level member but `auths` and `credHelpers`.
    { name: 'fields it never reads may have any type', files: { docker: { auths: { [R]: { ...auth('alice'), email: 5, username: 7, password: {}, registrytoken: 1, serveraddress: [] }, 'other.test': { email: {} } }, credsStore: 5, psFormat: { a: 1 } } }, expected: 'alice' },
    { name: 'a mistyped identitytoken is still an error', files: { docker: { auths: { [R]: { ...auth('alice'), identitytoken: 5 } } } }, expected: 'error' },
    { name: 'a null entry claims its key as {} does', files: { runtime: { auths: { [`${R}/team`]: null, [R]: auth('alice') } }, dockercfg: { [R]: auth('carol') } }, expected: 'carol' },
    { name: 'a null .dockercfg entry is empty', files: { dockercfg: { [R]: null } }, expected: 'none' },
    { name: 'a null document is an empty file', files: { docker: 'null', dockercfg: { [R]: auth('carol') } }, expected: 'carol' },
    { name: 'a null helper name for another registry is harmless', files: { config: { auths: { [R]: auth('alice') }, credHelpers: { 'other.test': null } } }, expected: 'alice' },
    { name: 'a null helper name for the registry fails', files: { config: { auths: { [R]: auth('alice') }, credHelpers: { [R]: null } } }, expected: 'error' },
    // Go merges two members with the same name into one map; JSON.parse keeps only the last.
    { name: 'two "auths" members are merged', files: { docker: `{"auths": {"${R}": ${JSON.stringify(auth('alice'))}}, "auths": {"other.test": {}}}` }, expected: 'alice' },
    { name: 'a second "auths" member replaces the same key', files: { docker: `{"auths": {"${R}": ${JSON.stringify(auth('alice'))}}, "auths": {"${R}": {}}}`, dockercfg: { [R]: auth('carol') } }, expected: 'carol' },
    { name: 'a null "auths" member clears the earlier ones', files: { docker: `{"auths": {"${R}": ${JSON.stringify(auth('alice'))}}, "Auths": null}`, dockercfg: { [R]: auth('carol') } }, expected: 'carol' },
    { name: 'two "credHelpers" members are merged', files: { config: `{"credHelpers": {"${R}": "h"}, "credHelpers": {"other.test": "x"}, "auths": {"${R}": ${JSON.stringify(auth('alice'))}}}` }, helpers: { h: { [R]: 'bob' } }, expected: 'bob' },
  ];
  for (const c of table) {
    it(c.name, async () => {
      const x = await explain(IMG, c.files, c.client ?? 'podman', deps(c.helpers), c.env);
      expect(answer(x)).to.equal(c.expected);
    });
  }
  it('DOCKER_CONFIG set: podman and buildah read its config.json first and never the runtime auth.json; skopeo inspect reads the runtime file first', async () => {
    // podman 4.3.1 / buildah 1.28.2 (containers/common GetDefaultAuthFile) and skopeo 1.9.3, seen with a real registry (e2e: explain-real-clients).
    const env = { DOCKER_CONFIG: '/dc' };
    const dc = '/dc/config.json';
    const files = new Map<string, FileText>([
      [PATHS.runtime, { text: JSON.stringify({ auths: { [R]: auth('alice') } }) }],
      [dc, { text: JSON.stringify({ auths: { [R]: auth('bob') } }) }],
    ]);
    const input = { host: host(env), ref: parseImageRef(IMG), files };
    const clients = await explainLookup(input, deps());
    expect(clients.map((x) => [x.client, answer(x)])).to.deep.equal([['docker', 'bob'], ['podman', 'bob'], ['skopeo', 'alice']]);
    const [, podman, skopeo] = clients;
    expect(podman?.title).to.equal('containers/image: podman, buildah (and skopeo login)');
    expect(podman?.files.map((f) => [f.path, f.why])).to.deep.equal([[dc, 'DOCKER_CONFIG'], [PATHS.config, '~/.config'], [PATHS.dockercfg, 'legacy ~/.dockercfg']]);
    expect(podman?.notes.join('\n')).to.include(`never read ${PATHS.runtime}, which skopeo inspect and copy read first`);
    expect(skopeo?.title).to.equal('containers/image: skopeo inspect, copy');
    expect(skopeo?.files.map((f) => f.path)).to.deep.equal([PATHS.runtime, PATHS.config, dc, PATHS.dockercfg]);
    expect(skopeo?.notes.join('\n')).to.include('skopeo login and logout (--get-login too) take $DOCKER_CONFIG/config.json');
    // Without DOCKER_CONFIG, or with REGISTRY_AUTH_FILE or --authfile (even ""), they search alike: one answer for all three.
    for (const [why, more, locate] of [['no DOCKER_CONFIG', {}, {}], ['REGISTRY_AUTH_FILE', { ...env, REGISTRY_AUTH_FILE: PATHS.runtime }, {}], ['--authfile ""', env, { authfile: '' }]] as const) {
      const same = await explainLookup({ ...input, host: host(more), locate }, deps());
      expect(same.map((x) => [x.client, x.title]), why).to.deep.equal([['docker', 'docker CLI (pull, push, run)'], ['podman', 'containers/image: podman, skopeo, buildah']]);
      expect(same[1]?.files[0]?.path, why).to.equal(PATHS.runtime);
    }
  });
  it('a user other than root without XDG_RUNTIME_DIR: buildah is explained apart, from its own runtime file', async () => {
    // Seen as an unprivileged user with buildah 1.28.2, podman 4.3.1 and skopeo 1.9.3 (e2e: rootless-podman).
    const rootless = { podman: '/tmp/podman-run-1000', buildah: '/var/tmp/containers-user-1000/containers' };
    const buildahFile = '/var/tmp/containers-user-1000/containers/containers/auth.json';
    const files = new Map<string, FileText>([
      [buildahFile, { text: JSON.stringify({ auths: { [R]: auth('carol') } }) }],
      [PATHS.docker, { text: JSON.stringify({ auths: { [R]: auth('bob') } }) }],
    ]);
    const input = { host: { env: {}, home: HOME, platform: 'linux' as const, cwd: HOME }, ref: parseImageRef(IMG), files, locate: { uid: 1000, rootless } };
    const clients = await explainLookup(input, deps());
    expect(clients.map((x) => [x.client, answer(x), x.files[0]?.path])).to.deep.equal([
      ['docker', 'bob', PATHS.docker],
      ['podman', 'bob', '/tmp/podman-run-1000/containers/auth.json'],
      ['buildah', 'carol', buildahFile],
      ['skopeo', 'bob', '/run/containers/1000/auth.json'],
    ]);
    const [, podman, buildah] = clients;
    expect(buildah?.title).to.equal('containers/image: buildah (rootless, no XDG_RUNTIME_DIR)');
    expect(buildah?.files[0]?.why).to.equal('rootless buildah, no XDG_RUNTIME_DIR');
    expect(buildah?.notes.join('\n')).to.include(`so buildah login writes and buildah pull reads ${buildahFile} first`);
    expect(podman?.notes.join('\n')).to.include('(explain --as buildah)');
    // Named files and DOCKER_CONFIG put buildah back with podman: no section of its own.
    for (const env of [{ REGISTRY_AUTH_FILE: PATHS.named }, { DOCKER_CONFIG: '/dc' }]) {
      const same = await explainLookup({ ...input, host: { ...input.host, env } }, deps());
      expect(same.map((x) => x.client)).to.not.include('buildah');
      const [x] = await explainLookup({ ...input, host: { ...input.host, env } }, deps(), ['buildah']);
      expect(x?.files[0]?.path).to.equal(env.REGISTRY_AUTH_FILE ?? '/dc/config.json');
    }
  });
  it('rootless podman and buildah refusing XDG_RUNTIME_DIR: both fail before any file, skopeo is explained apart and reads it', async () => {
    // podman 4.3.1 and buildah 1.28.2 as a user other than root, XDG_RUNTIME_DIR naming root's directory (e2e: rootless-podman).
    const refused = 'XDG_RUNTIME_DIR directory "/run/user/1" is not owned by the current user';
    const files = new Map<string, FileText>([
      [PATHS.runtime, { text: JSON.stringify({ auths: { [R]: auth('alice') } }) }],
      [PATHS.docker, { text: JSON.stringify({ auths: { [R]: auth('bob') } }) }],
    ]);
    const input = { host: host(), ref: parseImageRef(IMG), files, locate: { uid: 1000, runtimeDirRefused: refused } };
    const clients = await explainLookup(input, deps());
    expect(clients.map((x) => [x.client, answer(x), x.title])).to.deep.equal([
      ['docker', 'bob', 'docker CLI (pull, push, run)'],
      ['podman', 'error', 'containers/image: podman, buildah (rootless, XDG_RUNTIME_DIR refused)'],
      ['skopeo', 'alice', 'containers/image: skopeo'],
    ]);
    const [, podman, skopeo] = clients;
    expect(podman?.reason).to.include(refused);
    expect(podman?.files.map((f) => [f.path, f.status])).to.deep.equal([[PATHS.runtime, 'not-reached'], [PATHS.config, 'missing'], [PATHS.docker, 'not-reached'], [PATHS.dockercfg, 'missing']]);
    expect(skopeo?.notes.join('\n')).to.include('rootless podman and buildah refuse this XDG_RUNTIME_DIR');
    const [buildah] = await explainLookup(input, deps(), ['buildah']);
    expect(answer(buildah!)).to.equal('error');
  });
  it('credHelpers sending the registry to credkit, which keeps it in keyutils: rootless podman and buildah get its user-namespace refusal, skopeo and root podman the credential', async () => {
    // podman 4.3.1 and buildah 1.28.2 run helpers in their user namespace; skopeo 1.9.3 and root's podman do not (e2e: rootless-podman).
    const files = new Map<string, FileText>([[PATHS.config, { text: JSON.stringify({ credHelpers: { [R]: 'credkit' } }) }]]);
    const withStore = (store: string, opens?: string): LookupDeps => ({ ...deps({ credkit: { [R]: 'alice' } }), credkitStore: async () => (opens === undefined ? { store } : { store, opens }) });
    const run = (uid: number, store: string, clients?: LookupClient[], opens?: string) => explainLookup({ host: host(), ref: parseImageRef(IMG), files, locate: { uid } }, withStore(store, opens), clients);
    const rootless = await run(1000, 'keyutils');
    expect(rootless.map((x) => [x.client, answer(x), x.title])).to.deep.equal([
      ['docker', 'none', 'docker CLI (pull, push, run)'],
      ['podman', 'error', 'containers/image: podman, buildah (rootless, credential helpers in their user namespace)'],
      ['skopeo', 'alice', 'containers/image: skopeo'],
    ]);
    expect(rootless[1]?.reason).to.include('credkit keyutils: rootless podman and buildah run credential helpers in a user namespace of their own');
    expect(rootless[1]?.helperCalls.map((h) => [h.outcome, h.userNamespace, h.credkitStore?.store])).to.deep.equal([['failed', true, 'keyutils']]);
    expect(rootless[2]?.notes.join('\n')).to.include('skopeo runs it as you');
    expect((await run(1000, 'keyutils', ['buildah'])).map(answer)).to.deep.equal(['error']);
    // Root's podman, and a store podman's namespace does not change, answer as the helper does.
    for (const [uid, store, opens] of [[0, 'keyutils', undefined], [1000, 'pass', undefined], [1000, 'auto', undefined], [1000, 'auto', 'keychain'], [0, 'auto', 'keyutils']] as const) {
      expect((await run(uid, store, undefined, opens)).map((x) => [x.client, answer(x)]), `uid ${uid}, ${store} opening ${opens}`).to.deep.equal([['docker', 'none'], ['podman', 'alice']]);
    }
    // auto that falls back to keyutils (no usable keychain here, fallback = keyutils) is refused as keyutils is.
    const [viaAuto] = await run(1000, 'auto', ['podman'], 'keyutils');
    expect(answer(viaAuto!)).to.equal('error');
    expect(viaAuto?.reason).to.include(`sends ${R} to auto, which falls back to its keyutils backend here, which refuses to work there`);
  });
  it('--authfile "" with REGISTRY_AUTH_FILE set: buildah reads that file first (podman and skopeo their own), and a missing one as empty', async () => {
    // buildah 1.28.2 pull and login --authfile "" use REGISTRY_AUTH_FILE, podman 4.3.1 its runtime file (registry log, --verbose).
    const env = { REGISTRY_AUTH_FILE: PATHS.named, DOCKER_CONFIG: '/dc' };
    const files = new Map<string, FileText>([
      [PATHS.runtime, { text: JSON.stringify({ auths: { [R]: auth('alice') } }) }],
      [PATHS.named, { text: JSON.stringify({ auths: { [R]: auth('bob') } }) }],
    ]);
    const input = { host: host(env), ref: parseImageRef(IMG), files, locate: { authfile: '' } };
    const clients = await explainLookup(input, deps());
    expect(clients.map((x) => [x.client, answer(x), x.title])).to.deep.equal([
      ['docker', 'none', 'docker CLI (pull, push, run)'],
      ['podman', 'alice', 'containers/image: podman, skopeo'],
      ['buildah', 'bob', 'containers/image: buildah (--authfile "" reads REGISTRY_AUTH_FILE)'],
    ]);
    expect(clients[2]?.files.map((f) => f.path)).to.deep.equal([PATHS.named, PATHS.config, '/dc/config.json', PATHS.dockercfg]);
    expect(clients[1]?.notes.join('\n')).to.include('buildah (1.28) reads REGISTRY_AUTH_FILE (/x/named.json) first under --authfile ""');
    // Missing: buildah pull reads it as empty (it stats only its --authfile value) and goes on.
    files.delete(PATHS.named);
    const [buildah] = await explainLookup(input, deps(), ['buildah']);
    expect([answer(buildah!), buildah!.files[0]?.status]).to.deep.equal(['none', 'missing']);
  });
  it('DOCKER_CONFIG set without its config.json: podman and buildah fail (they stat their --authfile), skopeo inspect goes on', async () => {
    const env = { DOCKER_CONFIG: '/dc' };
    const files = { runtime: { auths: { [R]: auth('alice') } } };
    const podman = await explain(IMG, files, 'podman', deps(), env);
    expect([podman.outcome, podman.files.map((f) => f.status)]).to.deep.equal(['error', ['error', 'missing', 'missing']]);
    expect(podman.reason).to.equal('DOCKER_CONFIG is set, so podman and buildah take /dc/config.json as their --authfile, and it does not exist: they refuse it (skopeo inspect reads its own first file and goes on)');
    expect(podman.files[0]?.detail).to.include('stat /dc/config.json: no such file or directory');
    expect(answer(await explain(IMG, files, 'skopeo', deps(), env))).to.equal('alice');
  });
  it('REGISTRY_AUTH_FILE naming no file fails podman\'s lookup before any file is read, and is nothing to docker', async () => {
    const env = { REGISTRY_AUTH_FILE: PATHS.named };
    const files = { config: { auths: { [R]: auth('alice') } }, docker: { auths: { [R]: auth('bob') } } };
    const x = await explain(IMG, files, 'podman', deps(), env);
    expect(x.files.map((f) => f.status)).to.deep.equal(['error', 'not-reached', 'not-reached', 'missing']);
    expect(x.reason).to.include('REGISTRY_AUTH_FILE names a file that does not exist');
    expect(answer(await explain(IMG, files, 'docker', deps(), env))).to.equal('bob');
  });
  it('Hub: exact docker.io first, helpers asked for docker.io', async () => {
    const d = deps({ h: { 'docker.io': 'carol' } });
    const x = await explain('nginx', { config: { credHelpers: { 'docker.io': 'h' } } }, 'podman', d);
    expect(answer(x)).to.equal('carol');
    expect(d.calls).to.deep.equal(['h docker.io']);
    const y = await explain('nginx', { docker: { auths: { 'https://index.docker.io/v1/': auth('alice') } } }, 'podman');
    expect(answer(y)).to.equal('alice');
  });
  it('an "auth" with an empty username is used, with a note saying podman sends its password only to a Basic registry, as check says', async () => {
    // podman 4.3 / skopeo 1.9: a token registry gets an anonymous token request, and login --get-login says "not logged into" (e2e: empty-username).
    const x = await explain(IMG, { config: { auths: { [R]: auth('') } }, docker: { auths: { [R]: auth('bob') } } }, 'podman');
    expect(x.outcome).to.equal('credential');
    expect(x.credential?.username).to.equal('');
    const note = x.notes.find((n) => n.includes('empty username'));
    expect(note).to.equal(`${PATHS.config}: key "${R}" has an empty username in "auth": podman takes this entry and looks in no later auth file, but podman sends the password only to a registry that asks for Basic auth (with an empty username): a token registry (Docker Hub, quay.io, ghcr.io…) gets an anonymous token request, and podman login --get-login says "not logged into" it`);
    const check = checkAuthInput({ text: JSON.stringify({ auths: { [R]: auth('') } }), source: 'auth.json' }).find((f) => f.code === 'empty-username');
    expect(note?.endsWith(check?.message.replace(/^empty username in "auth": /, '') ?? '-')).to.equal(true);
    // An identity token beside it is what podman sends: no note.
    const token = await explain(IMG, { config: { auths: { [R]: { ...auth('', ''), identitytoken: 'fake-token' } } } }, 'podman');
    expect(token.notes.some((n) => n.includes('empty username'))).to.equal(false);
  });
  it('a helper answering "<token>" with an empty secret has no credential: the next file is used', async () => {
    // What the helper client makes of {"Username":"<token>","Secret":""}; containers/image decodes it to an empty credential.
    const d = { calls: [], onPath: () => false, askHelper: async (): Promise<HelperAnswer> => ({ kind: 'found', username: '', password: '', identityToken: '' }) };
    const x = await explain(IMG, { config: { credHelpers: { [R]: 'h' } }, docker: { auths: { [R]: auth('bob') } } }, 'podman', d);
    expect(answer(x)).to.equal('bob');
    expect(x.files.map((f) => f.status)).to.deep.equal(['missing', 'empty-match', 'matched', 'missing']);
  });
  it('reports shadowed entries: less specific keys and later files', async () => {
    const x = await explain(IMG, { config: { auths: { [`${R}/team`]: auth('alice'), [R]: auth('bob') } }, docker: { auths: { [R]: auth('carol') } } }, 'podman');
    expect(x.shadowed.map((s) => `${s.username}: ${s.reason}`)).to.deep.equal([
      `bob: the more specific key "${R}/team" decides in this file, even when it is empty`,
      `carol: ${PATHS.config} comes first in the search and has a credential`,
    ]);
    expect(x.files.map((f) => f.status)).to.deep.equal(['missing', 'matched', 'not-reached', 'missing']);
  });
});

describe('lookup: kubelet', () => {
  async function kube(image: string, payloads: Record<string, unknown>[]): Promise<ClientExplanation> {
    const secrets = payloads.map((p, i) => parseAuthText(JSON.stringify(p), `secret${i}`).files).flat();
    const [x] = await explainLookup({ host: host(), ref: parseImageRef(image), files: new Map(), secrets }, deps(), ['kubelet']);
    return x!;
  }
  const all = (x: ClientExplanation) => [x.credential, ...(x.alternatives ?? [])].filter(Boolean).map((c) => c!.username);
  const table: { name: string; image: string; auths: Record<string, unknown>; expected: string[] }[] = [
    { name: 'every match, reverse lexicographic', image: 'quay.io/org/app', auths: { 'quay.io': auth('a'), 'quay.io/org': auth('b'), 'quay.io/org/app': auth('c') }, expected: ['c', 'b', 'a'] },
    { name: 'path is a string prefix', image: 'quay.io/organization/app', auths: { 'quay.io/org': auth('b') }, expected: ['b'] },
    { name: 'ports compared exactly', image: 'quay.io:443/org/app', auths: { 'quay.io': auth('a') }, expected: [] },
    { name: 'glob per label', image: 'a.example.com/x', auths: { '*.example.com': auth('g'), '*.com': auth('h') }, expected: ['g'] },
    { name: 'scheme and /v2/ dropped', image: 'quay.io/org/app', auths: { 'https://quay.io/v2/org': auth('b') }, expected: ['b'] },
    { name: 'Hub fallback to index.docker.io', image: 'nginx', auths: { 'https://index.docker.io/v1/': auth('h') }, expected: ['h'] },
    { name: 'docker.io matches directly', image: 'nginx', auths: { 'docker.io': auth('d'), 'https://index.docker.io/v1/': auth('h') }, expected: ['d'] },
    { name: 'registry-1.docker.io is not Hub', image: 'nginx', auths: { 'registry-1.docker.io': auth('r') }, expected: [] },
    // More rules of keyring.go's URLsMatch and Lookup, checked in kubernetes' source.
    { name: 'a glob label matches one label only, not none', image: 'example.com/x', auths: { '*.example.com': auth('g') }, expected: [] },
    { name: 'a glob label matches one label only, not two', image: 'a.b.example.com/x', auths: { '*.example.com': auth('g') }, expected: [] },
    { name: 'a glob with a port matches that port only', image: 'a.example.com:5000/x', auths: { '*.example.com:5000': auth('p'), '*.example.com': auth('g') }, expected: ['p'] },
    { name: 'host labels are compared case-sensitively', image: 'quay.io/x', auths: { 'Quay.io': auth('u') }, expected: [] },
    { name: 'the path of a key is compared case-sensitively', image: 'quay.io/org/x', auths: { 'quay.io/Org': auth('u'), 'quay.io/org': auth('l') }, expected: ['l'] },
    { name: 'a glob key and a plain key both match, plain first (reverse order)', image: 'a.example.com/x', auths: { '*.example.com': auth('g'), 'a.example.com': auth('a') }, expected: ['a', 'g'] },
    { name: 'the Hub fallback is not used when another key matches', image: 'nginx', auths: { 'docker.io/library': auth('d'), 'https://index.docker.io/v1/': auth('h') }, expected: ['d'] },
    { name: 'the Hub fallback also serves localhost/x (no "." or ":" in its first part)', image: 'localhost/x', auths: { 'https://index.docker.io/v1/': auth('h') }, expected: ['h'] },
    { name: 'the Hub fallback does not serve localhost:5000/x', image: 'localhost:5000/x', auths: { 'https://index.docker.io/v1/': auth('h') }, expected: [] },
    { name: 'unpadded auth is fine', image: 'quay.io/x', auths: { 'quay.io': { auth: 'YWxpY2U6ZmFrZS1wdw' } }, expected: ['alice'] },
    { name: 'explicit username/password used', image: 'quay.io/x', auths: { 'quay.io': { username: 'u', password: 'fake-p' } }, expected: ['u'] },
    // net.SplitHostPort takes the brackets off a host with a port; without a port they stay, and
    // `[::1]` as a glob is a one-character class.
    { name: 'bracketed IPv6 host with a port', image: '[::1]:5000/x', auths: { '[::1]:5000': auth('v6') }, expected: ['v6'] },
    { name: 'bracketed IPv6 host, other port', image: '[::1]:5001/x', auths: { '[::1]:5000': auth('v6') }, expected: [] },
    // URLsMatchStr parses the keyring key (decoded once by Add) a second time.
    { name: 'a key decoding to "?" matches by the path before it', image: 'quay.io/a/x', auths: { 'quay.io/a%3Fb': auth('q') }, expected: ['q'] },
    { name: 'a key decoding to "#" matches by the path before it', image: 'quay.io/abc', auths: { 'quay.io/a%23b': auth('f') }, expected: ['f'] },
    { name: 'a key decoding to a "%" escape is decoded again', image: 'quay.io/aa/x', auths: { 'quay.io/a%2561': auth('p') }, expected: ['p'] },
    { name: 'a key decoding to "%23" is decoded again, to a "#" no image has', image: 'quay.io/org/x', auths: { 'quay.io/org%2523x': auth('p') }, expected: [] },
  ];
  for (const c of table) {
    it(c.name, async () => {
      expect(all(await kube(c.image, [{ auths: c.auths }]))).to.deep.equal(c.expected);
    });
  }
  it('keys of one secret that kubelet files under one key are tried in random order, and it says so', async () => {
    // BasicDockerKeyring.Add ranges over the secret's map: Go map order, new on every pull.
    const x = await kube('quay.io/org/app', [{ auths: { 'https://quay.io': auth('a'), 'quay.io/org': auth('o'), 'quay.io': auth('b'), 'quay.io/': auth('a') } }]);
    expect(all(x)).to.deep.equal(['o', 'a', 'b', 'a']);
    expect(x.randomOrder).to.deep.equal([{ file: 'secret0', keyringKey: 'quay.io', keys: ['https://quay.io', 'quay.io', 'quay.io/'] }]);
    expect(x.notes.some((n) => n.includes('keys "https://quay.io", "quay.io" and "quay.io/" of secret0 are all "quay.io" to kubelet') && n.includes('changes from pull to pull'))).to.equal(true);
    // The same credential under two spellings, or spellings in two secrets (added one after the other): the order is fixed.
    expect((await kube('quay.io/x', [{ auths: { 'https://quay.io': auth('a'), 'quay.io': auth('a') } }])).randomOrder).to.equal(undefined);
    const two = await kube('quay.io/x', [{ auths: { 'https://quay.io': auth('a') } }, { auths: { 'quay.io': auth('b') } }]);
    expect([all(two), two.randomOrder]).to.deep.equal([['a', 'b'], undefined]);
    // An empty first match is first only on some pulls.
    const empty = await kube('quay.io/x', [{ auths: { 'quay.io': {}, 'https://quay.io': auth('a') } }]);
    expect(empty.reason).to.match(/holds no credential .*on the pulls where Go's map order puts it before "https:\/\/quay\.io"$/);
  });
  it('says how kubelet matches a key it parses differently the second time, and that one it cannot parse again matches nothing', async () => {
    const q = await kube('quay.io/a/x', [{ auths: { 'quay.io/a%3Fb': auth('q') } }]);
    expect(q.notes.some((n) => n.includes('kubelet matches its key "quay.io/a?b" by the path "/a"'))).to.equal(true);
    const bad = await kube('quay.io/a/x', [{ auths: { 'quay.io/a%25zz': auth('z') } }]);
    expect([all(bad), bad.shadowed.map((s) => s.reason)]).to.deep.equal([[], ['kubelet reads it as "quay.io/a%zz": it parses that once more as a URL to match it, cannot, and so matches no image with it']]);
  });
  it('keys are tried in Go\'s byte order, not JS\'s UTF-16 order', async () => {
    // U+1F600 is F0 9F 98 80 in UTF-8 but D83D DE00 in UTF-16; U+FF5E is EF BD 9E, and FF5E in
    // UTF-16: Go sorts "😀" after "～", so the reverse sort tries the 😀 key first.
    const x = await kube('quay.io/x', [{ auths: { 'q[u\uff5e]ay.io': auth('tilde'), 'q[u\u{1f600}]ay.io': auth('smile') } }]);
    expect(all(x)).to.deep.equal(['smile', 'tilde']);
    expect(compareGoStrings('a\uff5e', 'a\u{1f600}')).to.equal(-1);
    expect([compareGoStrings('ab', 'a'), compareGoStrings('a', 'ab'), compareGoStrings('a', 'a')]).to.deep.equal([1, -1, 0]);
  });
  it('a bad auth fails the whole secret', async () => {
    expect((await kube('quay.io/x', [{ auths: { 'quay.io': { auth: '!!!!' }, 'b.io': auth('x') } }])).outcome).to.equal('error');
  });
  it('an auth padded short of a whole group fails the whole secret (StdEncoding for a value ending in "=")', async () => {
    // decodeDockerConfigFieldAuth: RawStdEncoding only without a trailing "="; `alice:fake-pw` wants "==".
    const x = await kube('b.io/x', [{ auths: { 'quay.io': { auth: 'YWxpY2U6ZmFrZS1wdw=' } } }, { auths: { 'b.io': auth('x') } }]);
    expect([x.outcome, x.files[0]?.status]).to.deep.equal(['error', 'error']);
  });
  it('kubeletKey and globMatch follow URL and filepath.Match rules', () => {
    expect(kubeletKey('https://index.docker.io/v1/')).to.equal('index.docker.io');
    expect(kubeletKey('quay.io/org/')).to.equal('quay.io/org/');
    // Go's url.Parse, not WHATWG URL: each of these came out differently before.
    const go: [string, string | undefined][] = [
      ['robot@quay.io/org', 'quay.io/org'], // user information is not part of the host
      ['https://u:p@Quay.IO:5000/v2/Org', 'Quay.IO:5000/Org'], // nor lower-cased
      ['quay.io:99999', 'quay.io:99999'], // no port range check
      ['quay.io:5o00', undefined],
      ['quay.io/my%20org', 'quay.io/my org'], // the path is decoded
      ['quay.io/org%2523x', 'quay.io/org%23x'], // once: URLsMatchStr decodes it again when matching
      ['quay.io/a%zz', undefined],
      ['quay%2Eio', undefined], // an ASCII escape in a host is an error
      ['quay.io\\org', undefined], // WHATWG reads "\\" as "/"; Go refuses it in a host
      ['quay.io\n', undefined], // WHATWG strips the newline
      ['[fe80::1%25eth0]:5000', '[fe80::1%eth0]:5000'],
      ['my_registry.local:5000', 'my_registry.local:5000'],
      ['quay.io.', 'quay.io.'],
      ['[::1]:5000/x', '[::1]:5000/x'],
    ];
    for (const [raw, want] of go) expect(kubeletKey(raw), raw).to.equal(want);
    expect(globMatch('a?c', 'abc')).to.equal(true);
    expect(globMatch('[a-c]x', 'bx')).to.equal(true);
    expect(globMatch('[a-c', 'a')).to.equal(false);
  });
});

describe('HiddenSecret', () => {
  it('never shows the secret except through reveal()', () => {
    const s = new HiddenSecret('fake-s3cret-value');
    expect(JSON.stringify({ s })).to.equal('{"s":"********"}');
    expect(`${s}`).to.equal('********');
    expect((inspect({ s })).includes('s3cret'), 'a secret in the output (not printed)').to.equal(false);
    expect(s.reveal()).to.equal('fake-s3cret-value');
  });
});

describe('containers/image: registries.conf credential-helpers', () => {
  const REG = 'quay.io';
  const listed = (helpers: string[]) => ({ aliases: new Map(), search: undefined, mode: undefined, registries: [], credentialHelpers: { helpers, file: '/r.conf' } });
  const files = new Map<string, FileText>([[PATHS.runtime, { text: JSON.stringify({ auths: { [REG]: auth('alice') } }) }]]);
  const run = async (helpers: string[], d: LookupDeps, fileMap = files): Promise<ClientExplanation> => {
    const [x] = await explainLookup({ host: host(), ref: parseImageRef(`${REG}/org/app`), files: fileMap, registriesConf: listed(helpers) }, d, ['podman']);
    return x!;
  };

  it('asks the helpers in order, the auth files at the place of containers-auth.json; the first credential wins', async () => {
    const d = deps({ credkit: { [REG]: 'carol' }, pass: {} });
    let x = await run(['pass', 'credkit', 'containers-auth.json'], d);
    expect(answer(x)).to.equal('carol');
    expect(d.calls).to.deep.equal([`pass ${REG}`, `credkit ${REG}`]);
    expect(x.credentialHelpers).to.deep.equal({ helpers: ['pass', 'credkit', 'containers-auth.json'], file: '/r.conf' });
    expect(x.credential?.source).to.deep.include({ helper: 'credkit', file: '/r.conf' });
    expect(x.files[0]).to.deep.include({ status: 'not-reached' });
    expect(x.shadowed.map((s) => s.username)).to.deep.equal(['alice']);
    x = await run(['containers-auth.json', 'credkit'], deps({ credkit: { [REG]: 'carol' } }));
    expect(answer(x)).to.equal('alice');
  });

  it('without containers-auth.json the files are not consulted; a failing helper is passed over, and fails the lookup only when nothing follows', async () => {
    let x = await run(['credkit'], deps({ credkit: {} }));
    expect(answer(x)).to.equal('none');
    expect(x.files[0]?.detail).to.match(/not consulted/);
    x = await run(['no-such', 'containers-auth.json'], deps({}));
    expect(answer(x)).to.equal('alice');
    expect(x.notes.join('\n')).to.match(/passed over helper "no-such" failed/);
    x = await run(['no-such', 'containers-auth.json'], deps({}), new Map());
    expect(answer(x)).to.equal('error');
    expect(x.reason).to.match(/no helper has a credential, and helper "no-such" failed/);
  });

  it('a file the search cannot parse is passed over for a helper after the files, and fails the lookup with none after them', async () => {
    const broken = new Map<string, FileText>([[PATHS.runtime, { text: 'not json' }]]);
    expect(answer(await run(['containers-auth.json', 'credkit'], deps({ credkit: { [REG]: 'carol' } }), broken))).to.equal('carol');
    expect(answer(await run(['credkit', 'containers-auth.json'], deps({ credkit: {} }), broken))).to.equal('error');
  });

  it('a helper that does not answer hangs the pull', async () => {
    const d: LookupDeps = { onPath: () => true, askHelper: async () => ({ kind: 'failed', reason: 'timeout', message: 'no answer', waitedSeconds: 30 }) };
    const x = await run(['slow', 'containers-auth.json'], d);
    expect(x.outcome).to.equal('hang');
    expect(x.files[0]?.status).to.equal('not-reached');
  });
});
