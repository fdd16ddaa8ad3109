/**
 * A config.json whose keys hold credentials (a key and "auth" swapped, `user:password` where the
 * registry belongs, a credHelpers key with a password) through the shipped credkit: no command
 * prints the credential, each names the entry by its stand-in, check fails with
 * credential-in-key, and convert writes nothing.
 */
import { expect } from 'chai';
import { chmod, copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES, makeSandboxPerTest } from '../support/sandbox.js';
import type { RunResult, Sandbox } from '../support/sandbox.js';

// base64("fake-user:fake-password"), the swapped key, and what it decodes to.
const SECRETS = ['ZmFrZS11c2VyOmZha2UtcGFzc3dvcmQ', 'fake-password', 'fake-helper-pw'];
const SWAPPED = '<entry #2 of auths, hidden: it looks like a base64 user:password>';
const PLAIN = '<entry #3 of auths, hidden: it looks like a user:password>';

function leaks(r: RunResult): boolean {
  return SECRETS.some((s) => r.stdout.includes(s) || r.stderr.includes(s));
}

describe('e2e: a key that holds a credential', function () {
  let sb: Sandbox;
  let file: string;
  makeSandboxPerTest({}, (made) => (sb = made));
  beforeEach(async () => {
    await mkdir(join(sb.home, '.docker'), { recursive: true });
    file = join(sb.home, '.docker', 'config.json');
    await copyFile(join(FIXTURES, 'docker-config/credential-in-key.json'), file);
    await chmod(file, 0o600);
  });

  it('ls and ls --json show the stand-ins in REGISTRY and KEY', async () => {
    const r = await sb.credkit(['ls', file]);
    expect(leaks(r)).to.equal(false);
    expect(r.code).to.equal(0);
    expect(r.stdout.split(SWAPPED).length - 1).to.equal(2);
    expect(r.stdout.split(PLAIN).length - 1).to.equal(2);
    const j = await sb.credkit(['ls', '--json', file]);
    expect(leaks(j)).to.equal(false);
    const rows = (JSON.parse(j.stdout) as { entries: { registry: string; key: string }[] }).entries;
    expect(rows.map((e) => [e.registry, e.key])).to.deep.equal([
      ['quay.io', 'quay.io'],
      [SWAPPED, SWAPPED],
      [PLAIN, PLAIN],
      ['alice:********@ghcr.io', 'credHelpers[alice:********@ghcr.io]'],
    ]);
  });

  it('check fails with credential-in-key for each, the swap named', async () => {
    const r = await sb.credkit(['check', file]);
    expect(leaks(r)).to.equal(false);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.include(`error: ${file}: key "${SWAPPED}": the key holds what looks like a base64 user:password`);
    expect(r.stdout).to.include('fix: the key and "auth" look swapped: the key must be the registry (e.g. quay.io) and "auth" base64(user:password)');
    expect(r.stdout).to.include(`error: ${file}: key "${PLAIN}": the key holds a user:password`);
    expect(r.stdout).to.include(`error: ${file}: key "credHelpers[alice:********@ghcr.io]": the credHelpers key holds a user name and password`);
    const j = await sb.credkit(['check', '--json', file]);
    expect(leaks(j)).to.equal(false);
    const codes = (JSON.parse(j.stdout) as { findings: { code: string }[] }).findings.filter((f) => f.code === 'credential-in-key');
    expect(codes.length).to.equal(3);
  });

  it('a user name or password with a dot, slash or space is hidden, and so is one that looks like an image tag (admin:latest, a version then a token), as an image with a tag written as the key is', async () => {
    const auth = { auth: Buffer.from('u:fake-pw').toString('base64') };
    const keys = ['user:fake-pa.ss', 'fake.user:fake-pw2', 'robot:fake-Tok/en+==', 'alice:fake pass phrase', 'fakeadmin:latest', 'fakeci:2.0.Xk9Lq2mZpT', 'nginx:latest'];
    await writeFile(file, JSON.stringify({ auths: Object.fromEntries(keys.map((k) => [k, auth])) }), { mode: 0o600 });
    const pieces = (r: RunResult) => ['fake-pa.ss', 'fake.user', 'fake-pw2', 'fake-Tok', 'fake pass', 'fakeadmin', 'Xk9Lq2mZpT'].some((s) => r.stdout.includes(s) || r.stderr.includes(s));
    const ls = await sb.credkit(['ls', '--json', file]);
    expect(pieces(ls)).to.equal(false);
    expect((JSON.parse(ls.stdout) as { entries: { key: string }[] }).entries.map((e) => e.key)).to.deep.equal([1, 2, 3, 4, 5, 6, 7].map((n) => `<entry #${n} of auths, hidden: it looks like a user:password>`));
    const check = await sb.credkit(['check', '--json', file]);
    expect(pieces(check)).to.equal(false);
    const findings = (JSON.parse(check.stdout) as { findings: { code: string; message: string }[] }).findings;
    expect(findings.filter((f) => f.code === 'credential-in-key')).to.have.length(7);
    expect(findings.every((f) => f.code !== 'credential-in-key' || f.message.includes('or an image with a tag'))).to.equal(true);
  });

  it('a password with "@" in a key is masked whole: up to the host after its last "@", and all of it when no host follows', async () => {
    const auth = { auth: Buffer.from('u:fake-pw').toString('base64') };
    await writeFile(file, JSON.stringify({ auths: { 'alice:fake-p@ss-tail@quay.io': auth, 'bob:fake-p@ssw0rd-tail': auth, 'carol:fake-Tok/en-tail@ghcr.io': auth } }), { mode: 0o600 });
    for (const args of [['ls', file], ['ls', '--json', file], ['check', file], ['check', '--json', file], ['explain', 'quay.io', '--authfile', file]]) {
      const r = await sb.credkit(args);
      expect(['ss-tail', 'ssw0rd-tail', 'en-tail'].some((s) => r.stdout.includes(s) || r.stderr.includes(s)), `${args.join(' ')} showed a piece of a password`).to.equal(false);
    }
    const ls = await sb.credkit(['ls', '--json', file]);
    expect((JSON.parse(ls.stdout) as { entries: { key: string }[] }).entries.map((e) => e.key)).to.deep.equal(['alice:********@quay.io', 'bob:********', 'carol:********@ghcr.io']);
    const check = await sb.credkit(['check', file]);
    expect(check.stdout).to.include('fix: use "quay.io"');
    expect(check.stdout).to.include('fix: use "ghcr.io"');
    // The same key as a credHelpers route: the fix names no piece of the password as the registry.
    await writeFile(file, JSON.stringify({ auths: {}, credHelpers: { 'bob:fake-p@ssw0rd-tail': 'pass', 'alice:fake-p@ss-tail@quay.io': 'pass' } }), { mode: 0o600 });
    const routes = await sb.credkit(['check', file]);
    expect(['ss-tail', 'ssw0rd-tail'].some((s) => routes.stdout.includes(s) || routes.stderr.includes(s)), 'check showed a piece of a password').to.equal(false);
    expect(routes.stdout).to.include('rename the key to "quay.io"');
    expect(routes.stdout).to.include('write the registry as the key');
  });

  it('convert refuses, names the entry by its stand-in and writes nothing', async () => {
    const out = join(sb.home, 'auth.json');
    const r = await sb.credkit(['convert', file, '--to', 'podman', '-o', out]);
    expect(leaks(r)).to.equal(false);
    expect([r.code, r.stdout]).to.deep.equal([1, '']);
    expect(r.stderr).to.include(`key "${SWAPPED}": the key holds a credential, not a registry`);
    expect(await stat(out).then(() => true, () => false)).to.equal(false);
    const m = await sb.credkit(['merge', file, file, '--to', 'docker', '--json']);
    expect(leaks(m)).to.equal(false);
    expect(m.code).to.equal(1);
  });

  it('copy from the auth file refuses a server URL that holds a credential, names it by its stand-in and copies the rest', async () => {
    const src = join(sb.home, 'plain.json');
    await writeFile(src, '{"auths":{"quay.io":{"auth":"dXNlcjpmYWtlLXB3"},"fake-user:fake-password":{"auth":"dXNlcjpmYWtlLXB3"},"ZmFrZS11c2VyOmZha2UtcGFzc3dvcmQ=":{"auth":"dXNlcjpmYWtlLXB3"},"alice:fake-helper-pw@ghcr.io":{"auth":"dXNlcjpmYWtlLXB3"}}}', { mode: 0o600 });
    for (const dry of [['--dry-run'], []]) {
      const r = await sb.credkit(['copy', '--from', `authfile:${src}`, '--to', 'file', ...dry]);
      expect(leaks(r)).to.equal(false);
      expect(r.code).to.equal(1);
      expect(r.stdout).to.match(/^<hidden: it looks like a user:password> +user {2}skip {2}failed: refused: the server URL holds a user:password, not a registry/m);
      expect(r.stdout).to.match(/^<hidden: it looks like a base64 user:password> +user {2}skip {2}failed: refused/m);
      expect(r.stdout).to.include('alice:********@ghcr.io');
    }
    const j = await sb.credkit(['copy', '--from', `authfile:${src}`, '--to', 'file', '--json']);
    expect(leaks(j)).to.equal(false);
    const report = JSON.parse(j.stdout) as { ok: boolean; entries: { serverURL: string; status: string; reason?: string }[] };
    expect(report.ok).to.equal(false);
    expect(report.entries.map((e) => [e.serverURL, e.status])).to.deep.equal([
      ['<hidden: it looks like a base64 user:password>', 'failed'],
      ['alice:********@ghcr.io', 'failed'],
      ['<hidden: it looks like a user:password>', 'failed'],
      ['quay.io', 'unchanged'],
    ]);
    // Only the registry reached the store.
    const list = await sb.credkit(['store', 'list', '--backend', 'file', '--json']);
    expect(JSON.parse(list.stdout)).to.deep.equal({ 'quay.io': 'user' });
  });

  it('a password that is a passphrase (spaces, a tab, Unicode spaces) in a key is masked whole by ls, check, explain, doctor, copy and migrate, and refused as a server URL', async () => {
    const words = ['fake-quokka', 'fake-zephyr', 'fake-marmalade', 'fake-nimbus', 'fake-tundra', 'fake-lantern'];
    const shown = (r: RunResult) => words.filter((w) => r.stdout.includes(w) || r.stderr.includes(w));
    const auth = { auth: Buffer.from('u:fake-pw').toString('base64') };
    const keys = ['alice:fake-quokka fake-zephyr fake-marmalade@ghcr.io', 'bob:fake-nimbus\tfake-quokka@quay.io/org', 'carol:fake-tundra\u00a0fake-lantern\u3000fake-zephyr@registry.example'];
    await writeFile(file, JSON.stringify({ auths: Object.fromEntries(keys.map((k) => [k, auth])), credHelpers: { 'dave:fake-lantern fake-nimbus@ghcr.io': 'pass' } }), { mode: 0o600 });
    const config = { ...sb.env, DOCKER_CONFIG: join(sb.home, '.docker') };
    const runs: [string[], RunResult][] = [];
    for (const args of [['ls', file], ['ls', '--json', file], ['check', file], ['check', '--json', file], ['explain', 'ghcr.io', '--authfile', file], ['explain', 'ghcr.io', '--authfile', file, '--json'], ['doctor'], ['doctor', '--json']]) {
      runs.push([args, await sb.credkit(args, '', config)]);
    }
    const src = join(sb.home, 'src.json');
    await writeFile(src, JSON.stringify({ auths: { 'quay.io': auth, [keys[0]!]: auth } }), { mode: 0o600 });
    for (const args of [['copy', '--from', `authfile:${src}`, '--to', 'file'], ['copy', '--from', `authfile:${src}`, '--to', 'file', '--json'], ['migrate', src, '--into-store', 'file', '--dry-run'], ['migrate', src, '--into-store', 'file', '--json']]) {
      runs.push([args, await sb.credkit(args, '', { CREDKIT_BACKEND: 'file' })]);
    }
    for (const [args, r] of runs) expect(shown(r), `credkit ${args.join(' ')} showed words of a passphrase`).to.deep.equal([]);
    const byArgs = (...args: string[]) => runs.find(([a]) => a.join(' ') === args.join(' '))![1];
    const ls = JSON.parse(byArgs('ls', '--json', file).stdout) as { entries: { registry: string; key: string }[] };
    expect(ls.entries.map((e) => e.key)).to.deep.equal(['alice:********@ghcr.io', 'bob:********@quay.io/org', 'carol:********@registry.example', 'credHelpers[dave:********@ghcr.io]']);
    const check = byArgs('check', file);
    expect(check.code).to.equal(1);
    expect(check.stdout).to.include(`warning: ${file}: key "alice:********@ghcr.io": key holds a user name and password before "@"`);
    expect(check.stdout).to.include(`error: ${file}: key "credHelpers[dave:********@ghcr.io]": the credHelpers key holds a user name and password`);
    const copy = JSON.parse(byArgs('copy', '--from', `authfile:${src}`, '--to', 'file', '--json').stdout) as { entries: { serverURL: string; status: string; reason?: string }[] };
    expect(copy.entries.map((e) => [e.serverURL, e.status, e.reason?.split(',')[0]])).to.deep.equal([
      ['alice:********@ghcr.io', 'failed', 'refused: the server URL holds a user name and password before the host'],
      ['quay.io', 'unchanged', undefined],
    ]);
    expect(byArgs('migrate', src, '--into-store', 'file', '--dry-run').stdout).to.include('key "alice:********@ghcr.io": the key holds a user name and password before the host');
    // Only the registry reached the store.
    expect(JSON.parse((await sb.credkit(['store', 'list', '--backend', 'file', '--json'])).stdout)).to.deep.equal({ 'quay.io': 'u' });
  });

  it('migrate --into-store refuses a file whose key holds a credential, leaves it untouched and moves the others', async () => {
    const auth = '{"auth":"dXNlcjpmYWtlLXB3"}';
    const files: Record<string, string> = {
      clean: `{"auths":{"quay.io":${auth}}}`,
      swapped: `{"auths":{"ghcr.io":${auth},"ZmFrZS11c2VyOmZha2UtcGFzc3dvcmQ=":${auth}}}`,
      plain: `{"auths":{"fake-user:fake-password":${auth}}}`,
      userinfo: `{"auths":{"alice:fake-helper-pw@gcr.io/org":${auth}}}`,
    };
    for (const [dir, text] of Object.entries(files)) {
      await mkdir(join(sb.home, 'm', dir), { recursive: true });
      await writeFile(join(sb.home, 'm', dir, 'config.json'), text, { mode: 0o600 });
    }
    const pattern = join(sb.home, 'm', '*', 'config.json');
    const dry = await sb.credkit(['migrate', pattern, '--into-store', 'file', '--dry-run'], '', { CREDKIT_BACKEND: 'file' });
    expect(leaks(dry)).to.equal(false);
    expect(dry.code).to.equal(1);
    expect(dry.stdout).to.include('key "<entry #2 of auths, hidden: it looks like a base64 user:password>": the key holds a credential, not a registry, and would be stored as a server URL; the file was left untouched');
    expect(dry.stdout).to.include('key "alice:********@gcr.io/org": the key holds a user name and password before the host');
    const r = await sb.credkit(['migrate', pattern, '--into-store', 'file', '--json'], '', { CREDKIT_BACKEND: 'file' });
    expect(leaks(r)).to.equal(false);
    const report = JSON.parse(r.stdout) as { files: { file: string; status: string }[] };
    expect(report.files.map((f) => [f.file.split('/').slice(-2, -1)[0], f.status])).to.deep.equal([['clean', 'changed'], ['plain', 'failed'], ['swapped', 'failed'], ['userinfo', 'failed']]);
    for (const dir of ['swapped', 'plain', 'userinfo']) expect(await readFile(join(sb.home, 'm', dir, 'config.json'), 'utf8')).to.equal(files[dir]);
    const list = await sb.credkit(['store', 'list', '--backend', 'file', '--json']);
    expect(JSON.parse(list.stdout)).to.deep.equal({ 'quay.io': 'user' });
  });

  it('explain --as kubelet lists the keys it skips by their stand-ins', async () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const payload = JSON.stringify({ auths: { 'quay.io': { auth: 'dXNlcjpmYWtlLXB3' }, 'fake-user:fake-password': { auth: 'dXNlcjpmYWtlLXB3' }, 'ZmFrZS11c2VyOmZha2UtcGFzc3dvcmQ=': { auth: 'dXNlcjpmYWtlLXB3' } } });
    const secret = join(sb.home, 'secret.json');
    await writeFile(secret, JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'regcred' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(payload) } }), { mode: 0o600 });
    for (const json of [[], ['--json']]) {
      const r = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'kubelet', '--secret', secret, ...json]);
      expect(leaks(r)).to.equal(false);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.include('<entry #2 of auths, hidden: it looks like a user:password>');
    }
  });

  it('doctor and explain never print it', async () => {
    const d = await sb.credkit(['doctor', '--no-call-helpers']);
    expect(leaks(d)).to.equal(false);
    expect(d.stdout.includes(SWAPPED) || d.stdout.includes(PLAIN)).to.equal(true);
    const dj = await sb.credkit(['doctor', '--json', '--no-call-helpers']);
    expect(leaks(dj)).to.equal(false);
    // The line about each helper says where it is named: a credHelpers key by its stand-in.
    await writeFile(file, JSON.stringify({ credHelpers: { 'ghcr.io': 'pass', 'fake-helper-user:fake-helper-pw': 'pass' } }), { mode: 0o600 });
    for (const json of [[], ['--json']]) {
      const h = await sb.credkit(['doctor', '--no-call-helpers', ...json]);
      expect(leaks(h)).to.equal(false);
      expect(h.stdout).to.include('<entry #2 of credHelpers, hidden: it looks like a user:password>');
    }
    const x = await sb.credkit(['explain', 'quay.io/org/app', '--json'], '', { PATH: '/nonexistent' });
    expect(leaks(x)).to.equal(false);
    // DOCKER_AUTH_CONFIG (docker 28.3+, which doctor asks `docker --version` for: a stand-in says it) keys are quoted by doctor and ls too.
    const docker = join(sb.home, 'docker-28.3');
    await mkdir(docker, { recursive: true });
    await writeFile(join(docker, 'docker'), '#!/bin/sh\necho "Docker version 28.3.0, build fake"\n', { mode: 0o755 });
    const env = { DOCKER_AUTH_CONFIG: '{"auths":{"ZmFrZS11c2VyOmZha2UtcGFzc3dvcmQ=":{"auth":"dXNlcjpmYWtlLXB3"}}}', PATH: `${docker}:${sb.env.PATH}` };
    const de = await sb.credkit(['doctor', '--no-call-helpers'], '', env);
    expect(leaks(de)).to.equal(false);
    expect(de.stdout).to.include('"<hidden: it looks like a base64 user:password>"');
    const le = await sb.credkit(['ls', '--json'], '', env);
    expect(leaks(le)).to.equal(false);
  });
});

describe('e2e: every command over every input format with keys that hold credentials', function () {
  let sb: Sandbox;
  makeSandboxPerTest({ CREDKIT_BACKEND: 'file' }, (made) => (sb = made));
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  // Each spelling of a credential in a key; none of these pieces may reach stdout or stderr.
  const SWAP = b64('fake-user:fake-sweep-pw1');
  const PIECES = [SWAP.slice(0, 12), 'fake-sweep-pw', 'fake-sweep-user'];
  const AUTH = { auth: b64('user:fake-pw') };
  const auths = { 'quay.io': AUTH, [SWAP]: AUTH, 'fake-sweep-user:fake-sweep-pw2': AUTH, 'alice:fake-sweep-pw3@ghcr.io': AUTH, 'fake-sweep-user4:fake-sweep-pw4': { auth: 5 } };
  const secret = (type: string, member: string, payload: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `s-${member.slice(1)}` }, type, data: { [member]: b64(payload) } });
  const inputs: Record<string, string> = {
    'config.json': JSON.stringify({ auths, credHelpers: { 'ghcr.io': 'pass', 'fake-sweep-user5:fake-sweep-pw5': 'pass', 'fake-sweep-user6:fake-sweep-pw6': 7 } }),
    'auth.json': JSON.stringify({ auths: { [SWAP]: AUTH, 'fake-sweep-user:fake-sweep-pw7': AUTH } }),
    'legacy.dockercfg': JSON.stringify({ [SWAP]: { ...AUTH, email: 'x@example.invalid' }, 'fake-sweep-user:fake-sweep-pw8': { ...AUTH, email: 'x@example.invalid' } }),
    'secret.json': JSON.stringify(secret('kubernetes.io/dockerconfigjson', '.dockerconfigjson', JSON.stringify({ auths: { [SWAP]: AUTH, 'fake-sweep-user:fake-sweep-pw9': AUTH } }))),
    'list.yaml': [
      'apiVersion: v1',
      'kind: List',
      'items:',
      ...[secret('kubernetes.io/dockerconfigjson', '.dockerconfigjson', JSON.stringify({ auths: { 'fake-sweep-user:fake-sweep-pw10': AUTH } })), secret('kubernetes.io/dockercfg', '.dockercfg', JSON.stringify({ [SWAP]: AUTH, 'fake-sweep-user:fake-sweep-pw11': AUTH }))].map((s) => `- ${JSON.stringify(s)}`),
    ].join('\n'),
  };
  const leaked = (r: RunResult) => PIECES.some((p) => r.stdout.includes(p) || r.stderr.includes(p));

  it('no command prints a piece of them', async function () {
    this.timeout(300000);
    await mkdir(join(sb.home, '.docker'), { recursive: true });
    await mkdir(join(sb.home, 'run', 'containers'), { recursive: true });
    const paths: string[] = [];
    for (const [name, text] of Object.entries(inputs)) {
      const path = join(sb.home, name);
      await writeFile(path, text, { mode: 0o600 });
      paths.push(path);
    }
    await copyFile(join(sb.home, 'config.json'), join(sb.home, '.docker', 'config.json'));
    await copyFile(join(sb.home, 'auth.json'), join(sb.home, 'run', 'containers', 'auth.json'));
    const env = { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [SWAP]: AUTH, 'fake-sweep-user:fake-sweep-pw12': AUTH } }) };
    const runs: string[][] = [['ls'], ['ls', '--json'], ['check'], ['check', '--json'], ['doctor', '--no-call-helpers'], ['doctor', '--json', '--no-call-helpers']];
    for (const p of paths) {
      runs.push(['ls', p], ['ls', '--json', p], ['check', p], ['check', '--json', p]);
      for (const to of ['docker', 'podman', 'dockercfg', 'secret']) runs.push(['convert', p, '--to', to, '--allow-lossy'], ['convert', p, '--to', to, '--json']);
      runs.push(['merge', p, p, '--to', 'docker', '--json'], ['merge', paths[0]!, p, '--to', 'podman']);
      runs.push(['explain', 'quay.io/org/app', '--as', 'kubelet', '--secret', p], ['explain', 'ghcr.io/org/app', '--as', 'kubelet', '--secret', p, '--json']);
      runs.push(['get', 'quay.io', '--as', 'kubelet', '--secret', p]);
      runs.push(['copy', '--from', `authfile:${p}`, '--to', 'file'], ['copy', '--from', `authfile:${p}`, '--to', `authfile:${join(sb.home, 'copied.json')}`, '--json']);
    }
    for (const target of ['quay.io', 'ghcr.io/org/app', 'nginx']) runs.push(['explain', target], ['explain', target, '--json'], ['get', target], ['get', target, '--as', 'podman']);
    runs.push(['migrate', join(sb.home, '*.json'), '--into-store', 'file', '--dry-run'], ['migrate', join(sb.home, '*.json'), '--into-store', 'file', '--json']);
    runs.push(['migrate', join(sb.home, '*.json'), '--to', 'podman', '--dry-run'], ['migrate', join(sb.home, '*.json'), '--to', 'docker', '--dry-run', '--json']);
    runs.push(['copy', '--from', 'file', '--to', `authfile:${join(sb.home, 'out.json')}`], ['copy', '--from', 'env', '--to', 'file', '--dry-run', '--json']);
    runs.push(['store', 'list'], ['store', 'list', '--json'], ['account', 'list'], ['logout', '--all', '--authfile', join(sb.home, 'auth.json'), '--json'], ['logout', 'quay.io']);
    const leaking: string[] = [];
    for (const args of runs) {
      for (const more of [{}, env]) {
        const r = await sb.credkit(args, '', more);
        if (leaked(r)) leaking.push(`${args.join(' ')}${more === env ? ' (DOCKER_AUTH_CONFIG)' : ''}`.replaceAll(sb.home, '~'));
      }
    }
    expect(leaking).to.deep.equal([]);
  });
});
