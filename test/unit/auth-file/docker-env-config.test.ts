import { expect } from 'chai';
import { dockerEnvOverrideWarning, dockerReadsAuthConfig, parseDockerAuthConfig, readDockerAuthConfig } from '../../../src/auth-file/docker-env-config.js';
import { explainLookup } from '../../../src/auth-file/explain.js';
import type { ClientExplanation, FileText, HelperAnswer, LookupDeps } from '../../../src/auth-file/lookup.js';
import { parseImageRef } from '../../../src/image-ref.js';

const SECRET = 'fake-env-secret';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const AUTH = b64(`ci:${SECRET}`);
const env = (auths: unknown) => JSON.stringify({ auths });

/** `ok: key → user` or `invalid: message`, as a table row reads it. */
function summary(value: string): string {
  const r = parseDockerAuthConfig(value);
  if (r.status === 'invalid') return `invalid: ${r.error}`;
  return `ok: ${[...r.entries].map(([k, c]) => `${k} → ${c.username}`).join(', ')}`;
}

describe('DOCKER_AUTH_CONFIG as docker 28.3+ reads it', () => {
  // docker/cli parseEnvConfig: DisallowUnknownFields, one JSON value, every entry with an `auth`
  // its decodeAuth accepts; any error and docker ignores the whole variable.
  const table: [string, string, string][] = [
    ['one entry', env({ 'quay.io': { auth: AUTH } }), 'ok: quay.io → ci'],
    ['keys kept as written', env({ 'https://quay.io': { auth: AUTH }, 'docker.io': { auth: AUTH } }), 'ok: https://quay.io → ci, docker.io → ci'],
    ['field names in any case', JSON.stringify({ AUTHS: { 'quay.io': { Auth: AUTH } } }), 'ok: quay.io → ci'],
    ['white space only', ' \n', 'ok: '],
    ['null', 'null', 'ok: '],
    ['"auths": null', '{"auths":null}', 'ok: '],
    ['trailing white space', `${env({ 'quay.io': { auth: AUTH } })}\n`, 'ok: quay.io → ci'],
    ['a closing bracket after the object (decoder.More is false)', `${env({ 'quay.io': { auth: AUTH } })}}`, 'ok: quay.io → ci'],
    ['a second object', `${env({ 'quay.io': { auth: AUTH } })}{}`, 'invalid: more than one JSON value (docker takes exactly one object)'],
    ['a config.json with credsStore', JSON.stringify({ auths: { 'quay.io': { auth: AUTH } }, credsStore: 'pass' }), 'invalid: unknown field "credsStore" (only "auths" is allowed)'],
    ['username and password fields', env({ 'quay.io': { username: 'ci', password: SECRET } }), 'invalid: key "quay.io": unknown field "username" (only "auth" is allowed)'],
    ['an identity token beside auth', env({ 'quay.io': { auth: AUTH, identitytoken: SECRET } }), 'invalid: key "quay.io": unknown field "identitytoken" (only "auth" is allowed)'],
    ['a {} marker', env({ 'quay.io': {} }), 'invalid: key "quay.io" has no "auth"'],
    ['an empty auth', env({ 'quay.io': { auth: '' } }), 'invalid: key "quay.io" has no "auth"'],
    ['a null entry', env({ 'quay.io': null }), 'invalid: key "quay.io" has no "auth"'],
    ['auth not a string', env({ 'quay.io': { auth: 1 } }), 'invalid: key "quay.io": "auth" is not a string'],
    ['unpadded base64', env({ 'quay.io': { auth: b64('ci:abcd').replace(/=+$/, '') } }), 'invalid: key "quay.io": "auth" is base64 without padding'],
    ['no colon', env({ 'quay.io': { auth: b64('ci') } }), 'invalid: key "quay.io": "auth" has no ":"'],
    ['an empty username', env({ 'quay.io': { auth: b64(`:${SECRET}`) } }), 'invalid: key "quay.io": "auth" has an empty username'],
    ['an array', '[]', 'invalid: not a JSON object'],
    ['not JSON', `{"auths":{"quay.io":{"auth":"${SECRET}`, 'invalid: not valid JSON (invalid JSON at position 44)'],
  ];
  for (const [name, value, expected] of table) {
    it(`${name} → ${expected}`, () => {
      expect(summary(value)).to.equal(expected);
    });
  }

  it('never puts the value or a piece of it in an error', () => {
    const bad = [
      `{"auths":{"quay.io":{"auth":"${SECRET}"}}}`,
      `{"auths":{"quay.io":{"auth":"${AUTH}"}}} ${SECRET}`,
      SECRET,
      // A field name that is no plain word (a pasted user:password) is not quoted either.
      `{"ci:${SECRET}":{}}`,
      `{"auths":{"quay.io":{"ci:${SECRET}":"x"}}}`,
    ];
    for (const value of bad) {
      const r = parseDockerAuthConfig(value);
      expect(r.status).to.equal('invalid');
      const text = r.status === 'invalid' ? r.error : '';
      expect(text.includes(SECRET) || text.includes(AUTH) || text.includes('fake-'), 'a piece of the value was quoted').to.equal(false);
      expect(text).to.not.equal('');
    }
  });

  it('masks a password written into a key', () => {
    const r = parseDockerAuthConfig(env({ 'https://ci:fake-key-pw@quay.io': {} }));
    expect(r.status === 'invalid' && r.error).to.equal('key "https://ci:********@quay.io" has no "auth"');
  });

  it('is unset when absent or empty, as docker treats both', () => {
    expect(readDockerAuthConfig({}).status).to.equal('unset');
    expect(readDockerAuthConfig({ DOCKER_AUTH_CONFIG: '' }).status).to.equal('unset');
  });
});

describe('login and logout: the warning that DOCKER_AUTH_CONFIG shadows a registry', () => {
  const auth = Buffer.from('ci:fake-pw').toString('base64');
  const env = (auths: unknown) => ({ DOCKER_AUTH_CONFIG: JSON.stringify({ auths }) });
  it('only for a key the variable holds, exactly as docker looks it up; logout --all names every key, user info masked', () => {
    const vars = env({ 'quay.io': { auth }, 'https://bob:fake-x@ghcr.io': { auth } });
    expect(dockerEnvOverrideWarning(vars, 'quay.io', 'stored')).to.match(/^DOCKER_AUTH_CONFIG holds a credential for "quay\.io", which docker 28\.3 and later go on using instead of what was just stored/);
    expect(dockerEnvOverrideWarning(vars, 'https://quay.io', 'stored')).to.equal(undefined);
    expect(dockerEnvOverrideWarning(vars, 'ghcr.io', 'removed')).to.equal(undefined);
    const all = dockerEnvOverrideWarning(vars, undefined, 'removed') ?? '';
    expect(all).to.include('"quay.io", "https://bob:********@ghcr.io"').and.include('after this logout').and.include('those keys');
    expect(all.includes('fake-')).to.equal(false);
  });
  it('nothing when the variable is unset, empty or refused whole by docker', () => {
    expect(dockerEnvOverrideWarning({}, 'quay.io', 'stored')).to.equal(undefined);
    expect(dockerEnvOverrideWarning({ DOCKER_AUTH_CONFIG: '' }, 'quay.io', 'stored')).to.equal(undefined);
    expect(dockerEnvOverrideWarning({ DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'quay.io': { auth } }, credsStore: 'pass' }) }, 'quay.io', 'stored')).to.equal(undefined);
  });
});

describe('lookup: docker with DOCKER_AUTH_CONFIG', () => {
  const HOME = '/home/u';
  const CONFIG = `${HOME}/.docker/config.json`;
  const fileAuth = { auth: b64('filer:fake-file-pw') };

  async function explain(image: string, variable: string | undefined, config?: unknown, dockerVersion?: string): Promise<{ x: ClientExplanation; calls: string[] }> {
    const calls: string[] = [];
    const deps: LookupDeps = {
      ...(dockerVersion === undefined
        ? {}
        : {
            dockerVersion: async () => {
              calls.push('docker --version');
              return dockerVersion;
            },
          }),
      onPath: () => false,
      askHelper: async (helper, url): Promise<HelperAnswer> => {
        calls.push(`${helper} ${url}`);
        return { kind: 'found', username: 'helper-user', password: 'fake-helper-pw', identityToken: undefined };
      },
    };
    const files = new Map<string, FileText>(config === undefined ? [] : [[CONFIG, { text: JSON.stringify(config) }]]);
    const host = { env: variable === undefined ? {} : { DOCKER_AUTH_CONFIG: variable }, home: HOME, platform: 'linux' as const, cwd: HOME };
    const [x] = await explainLookup({ host, ref: parseImageRef(image), files }, deps, ['docker']);
    return { x: x!, calls };
  }

  it('takes the variable before credHelpers, credsStore and auths, and asks no helper', async () => {
    const { x, calls } = await explain('quay.io/org/app', env({ 'quay.io': { auth: AUTH } }), { auths: { 'quay.io': fileAuth }, credHelpers: { 'quay.io': 'pass' }, credsStore: 'secretservice' });
    expect([x.outcome, x.credential?.username, x.credential?.password?.reveal()]).to.deep.equal(['credential', 'ci', SECRET]);
    expect(x.credential?.source).to.deep.equal({ file: '', variable: 'DOCKER_AUTH_CONFIG', key: 'quay.io' });
    expect(x.environment).to.deep.equal({ variable: 'DOCKER_AUTH_CONFIG', status: 'matched', detail: 'key "quay.io"' });
    expect(x.files[0]?.status).to.equal('not-reached');
    expect(calls).to.deep.equal([]);
    expect(x.notes).to.include('docker before 28.3 ignores DOCKER_AUTH_CONFIG and uses config.json alone');
  });

  it('looks Docker Hub up only as https://index.docker.io/v1/, and keys only as written', async () => {
    const hub = await explain('nginx', env({ 'docker.io': { auth: AUTH } }), { auths: { 'https://index.docker.io/v1/': fileAuth } });
    expect([hub.x.environment?.status, hub.x.credential?.username]).to.deep.equal(['no-match', 'filer']);
    expect(hub.x.notes.join('\n')).to.include('DOCKER_AUTH_CONFIG has key "docker.io", which docker never uses');
    const written = await explain('nginx', env({ 'https://index.docker.io/v1/': { auth: AUTH } }));
    expect(written.x.credential?.username).to.equal('ci');
    const scheme = await explain('quay.io/x', env({ 'https://quay.io': { auth: AUTH } }));
    expect([scheme.x.environment?.status, scheme.x.outcome]).to.deep.equal(['no-match', 'anonymous']);
  });

  it('goes on to config.json when the variable has no key for the registry', async () => {
    const { x, calls } = await explain('quay.io/x', env({ 'ghcr.io': { auth: AUTH } }), { auths: { 'quay.io': {} }, credsStore: 'pass' });
    expect([x.environment?.status, x.credential?.username, x.credential?.source.helper]).to.deep.equal(['no-match', 'helper-user', 'pass']);
    expect(calls).to.deep.equal(['pass quay.io']);
  });

  it('ignores all of an invalid variable, as docker does, and says why', async () => {
    const { x } = await explain('quay.io/x', env({ 'quay.io': { auth: AUTH }, 'ghcr.io': { username: 'ci' } }), { auths: { 'quay.io': fileAuth } });
    expect([x.environment?.status, x.credential?.username]).to.deep.equal(['ignored', 'filer']);
    expect(x.environment?.detail).to.match(/^key "ghcr.io": unknown field "username" .*Failed to create credential store from DOCKER_AUTH_CONFIG" each time they look a credential up or store one \(pull, push, build, login, logout\) and ignore all of it$/);
  });

  it('follows the docker on PATH: one before 28.3 never reads the variable, and it is asked only when the variable is set', async () => {
    const config = { auths: { 'quay.io': fileAuth } };
    const old = await explain('quay.io/x', env({ 'quay.io': { auth: AUTH } }), config, '28.2.2');
    expect([old.x.environment?.status, old.x.credential?.username, old.x.files[0]?.status]).to.deep.equal(['ignored', 'filer', 'matched']);
    expect(old.x.environment?.detail).to.equal('the docker on PATH is 28.2.2, which does not read it (docker 28.3 and later do): it uses config.json alone');
    const current = await explain('quay.io/x', env({ 'quay.io': { auth: AUTH } }), config, '28.3.0');
    expect([current.x.environment?.status, current.x.credential?.username]).to.deep.equal(['matched', 'ci']);
    const unknown = await explain('quay.io/x', env({ 'quay.io': { auth: AUTH } }), config, 'dev');
    expect(unknown.x.credential?.username).to.equal('ci');
    const unset = await explain('quay.io/x', undefined, config, '28.2.2');
    expect([unset.x.environment, unset.calls]).to.deep.equal([undefined, []]);
  });

  it('knows which docker versions read it', () => {
    const table: [string, boolean | undefined][] = [
      ['28.2.2', false],
      ['27.5.1', false],
      ['20.10.24+dfsg1', false],
      ['28.3.0', true],
      ['28.3.0-rc.1', true],
      ['28.10.1', true],
      ['29.0.0', true],
      ['dev', undefined],
    ];
    expect(table.map(([v]) => [v, dockerReadsAuthConfig(v)])).to.deep.equal(table);
  });

  it('tells podman’s side that containers/image does not read it', async () => {
    const host = { env: { DOCKER_AUTH_CONFIG: env({ 'quay.io': { auth: AUTH } }) }, home: HOME, platform: 'linux' as const, cwd: HOME };
    const [p] = await explainLookup({ host, ref: parseImageRef('quay.io/x'), files: new Map() }, { onPath: () => false, askHelper: async () => ({ kind: 'not-found' }) }, ['podman']);
    expect([p?.outcome, p?.notes.some((n) => n.startsWith('DOCKER_AUTH_CONFIG is set: containers/image'))]).to.deep.equal(['anonymous', true]);
  });
});
