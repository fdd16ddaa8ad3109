/**
 * credkit convert / merge / ls / check through the shipped bin in a throwaway HOME: stdout,
 * stderr, exit codes, files written and their modes. Outputs that hold credentials are compared,
 * never printed on failure.
 */
import { expect } from 'chai';
import { chmod, chown, copyFile, lchown, lstat, mkdir, readFile, readlink, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN, FIXTURES, makeSandboxPerTest, run, runWithDirectoryStdin, skipUnlessPrograms } from '../support/sandbox.js';
import type { Sandbox } from '../support/sandbox.js';
import { fixture, summarize } from '../support/auth-summary.js';

const SECRETISH = /fake-|ZmFrZS|YWxpY2U6/;

function ok(condition: boolean, what: string): void {
  // A plain boolean check so that a failure never prints file contents.
  if (!condition) throw new Error(`expected: ${what}`);
}

describe('e2e: credkit auth files', function () {
  let sb: Sandbox;
  makeSandboxPerTest({}, (made) => (sb = made));

  const fx = (p: string) => join(FIXTURES, p);

  it('convert docker → podman -o FILE: exit 0, quiet, mode 0600, same credentials', async () => {
    const out = join(sb.home, 'out', 'auth.json');
    const r = await sb.credkit(['convert', fx('docker-config/basic.json'), '--to', 'podman', '-o', out]);
    expect([r.code, r.stdout, r.stderr]).to.deep.equal([0, '', '']);
    expect((await stat(out)).mode & 0o777).to.equal(0o600);
    const text = await readFile(out, 'utf8');
    ok(JSON.stringify(summarize(text)) === JSON.stringify(summarize(fixture('docker-config/basic.json'))), 'same credentials after conversion');
  });

  it('convert from stdin (-) to stdout', async () => {
    const r = await sb.credkit(['convert', '-', '--to', 'docker'], fixture('dockercfg/line-form.dockercfg'));
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal('');
    ok(r.stdout.startsWith('{\n\t"auths": {\n\t\t"https://index.docker.io/v1/": {'), 'docker-style output on stdout');
    ok(JSON.stringify(summarize(r.stdout).entries) === JSON.stringify(summarize(fixture('dockercfg/line-form.dockercfg')).entries), 'same entries');
  });

  it('lossy conversion: writes what it can, reports per key on stderr, exits 1; --allow-lossy exits 0', async () => {
    const out = join(sb.home, 'config.json');
    const r = await sb.credkit(['convert', fx('podman/scoped-keys.json'), '--from', 'podman', '--to', 'docker', '-o', out]);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).to.have.length(3);
    expect(lines[0]).to.match(/scoped-keys\.json: key "quay\.io\/team": docker ignores the path/);
    expect(lines[1]).to.match(/key "quay\.io\/team\/app"/);
    expect(lines[2]).to.match(/2 items cannot be expressed in docker format; the output was written anyway; pass --allow-lossy/);
    ok(SECRETISH.test(r.stderr) === false, 'no secret on stderr');
    ok((await readFile(out, 'utf8')).includes('"quay.io/team/app"'), 'scoped key written');
    const allowed = await sb.credkit(['convert', fx('podman/scoped-keys.json'), '--from', 'podman', '--to', 'docker', '-o', out, '--allow-lossy']);
    expect(allowed.code).to.equal(0);
    expect(allowed.stderr).to.match(/accepted with --allow-lossy/);
  });

  it('convert --to docker leaves out an empty-username entry (docker 23+ cannot decode it and loses other entries), reports it, exits 1', async () => {
    const out = join(sb.home, 'config.json');
    const r = await sb.credkit(['convert', fx('docker-config/empty-username.json'), '--to', 'docker', '-o', out]);
    expect(r.code).to.equal(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).to.have.length(3);
    expect(lines[0]).to.match(/empty-username\.json: key "tokens\.example\.com": empty username in "auth": docker 23 and later cannot decode it .*other entries of the config\.json are sent without their username and password at random, and docker's next save empties them/);
    expect(lines[1]).to.match(/key "explicit\.example\.com": empty username/);
    expect(lines[2]).to.match(/2 items cannot be expressed in docker format/);
    ok(SECRETISH.test(r.stderr) === false, 'no secret on stderr');
    const written = JSON.parse(await readFile(out, 'utf8'));
    expect(Object.keys(written.auths)).to.deep.equal(['quay.io']);
    const json = JSON.parse((await sb.credkit(['convert', fx('docker-config/empty-username.json'), '--to', 'docker', '-o', out, '--json', '--allow-lossy'])).stdout);
    expect(json.losses.map((l: { kind: string; key: string }) => [l.kind, l.key])).to.deep.equal([['username', 'tokens.example.com'], ['username', 'explicit.example.com']]);
    // podman reads an empty username: every entry written, each empty one with a note (exit 0).
    const podman = await sb.credkit(['convert', fx('docker-config/empty-username.json'), '--to', 'podman']);
    expect(podman.code).to.equal(0);
    const notes = podman.stderr.trim().split('\n');
    expect(notes).to.have.length(2);
    expect(notes[0]).to.match(/key "tokens\.example\.com": written with an empty username: podman takes this entry .* a token registry .* gets an anonymous token request/);
    expect(notes[1]).to.match(/key "explicit\.example\.com": written with an empty username/);
    ok(SECRETISH.test(podman.stderr) === false, 'no secret on stderr');
    expect(Object.keys(JSON.parse(podman.stdout).auths)).to.have.length(3);
    // check says what docker does with such a file (it does not refuse it: it loses other entries).
    const check = await sb.credkit(['check', fx('docker-config/empty-username.json')]);
    expect(check.stdout).to.match(/key "tokens\.example\.com": empty username in "auth"; docker 23 and later cannot decode it: other entries of the file are then sent without their username and password at random, and emptied on docker's next save \[empty-username\]/);
  });

  it('an auth.json entry with only "username"/"password" (no credential to podman) is folded into "auth" --to podman with a note, as podman now sends it; none --to docker', async function () {
    await skipUnlessPrograms(this, ['podman']);
    const dir = join(sb.home, 'p');
    await mkdir(dir);
    const from = join(dir, 'auth.json');
    await writeFile(from, JSON.stringify({ auths: { 'quay.io': { username: 'q', password: 'fake-fold-password' }, 'ghcr.io': { auth: Buffer.from('g:fake-fold-other').toString('base64') } } }), { mode: 0o600 });
    const getLogin = (file: string) => run('podman', ['login', '--authfile', file, '--get-login', 'quay.io'], { env: sb.env });
    // The real podman decodes only "auth" and "identitytoken": not logged into quay.io before.
    expect((await getLogin(from)).code).to.equal(125);
    const out = join(sb.home, 'out.json');
    const r = await sb.credkit(['convert', from, '--to', 'podman', '-o', out]);
    expect([r.code, r.stdout]).to.deep.equal([0, '']);
    expect(r.stderr).to.equal(`credkit: ${from}: key "quay.io": credential only in "username"/"password", which podman never decodes (it had no credential there): written as "auth", so podman now sends it\n`);
    const after = await getLogin(out);
    expect([after.code, after.stdout.trim()]).to.deep.equal([0, 'q']);
    const json = await sb.credkit(['convert', from, '--to', 'podman', '-o', out, '--json']);
    expect(json.code).to.equal(0);
    expect(JSON.parse(json.stdout).notes.map((n: { key: string }) => n.key)).to.deep.equal(['quay.io']);
    // docker reads the fields: a config.json written from it changes nothing for docker.
    const docker = await sb.credkit(['convert', from, '--to', 'docker', '-o', join(sb.home, 'config.json')]);
    expect([docker.code, docker.stderr]).to.deep.equal([0, '']);
    // A config.json's entry is docker's credential, which converting to podman is meant to carry.
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { 'quay.io': { username: 'q', password: 'fake-fold-password' } } }), { mode: 0o600 });
    const fromDocker = await sb.credkit(['convert', join(dir, 'config.json'), '--to', 'podman']);
    expect([fromDocker.code, fromDocker.stderr]).to.deep.equal([0, '']);
    // migrate says it too, text and --json.
    const dry = await run(process.execPath, [BIN.credkit, 'migrate', 'auth.json', '--to', 'podman', '--dry-run'], { cwd: dir, env: sb.env });
    expect(dry.code, dry.stderr).to.equal(0);
    expect(dry.stdout).to.match(/^would-change +auth\.json\n {2}note: key "quay\.io": credential only in "username"\/"password", which podman never decodes \(it had no credential there\): written as "auth", so podman now sends it$/m);
    const m = await run(process.execPath, [BIN.credkit, 'migrate', 'auth.json', '--to', 'podman', '--json'], { cwd: dir, env: sb.env });
    expect(m.code, m.stderr).to.equal(0);
    expect(JSON.parse(m.stdout).files[0].notes.map((n: { key: string }) => n.key)).to.deep.equal(['quay.io']);
    expect((await getLogin(from)).stdout.trim()).to.equal('q');
    for (const res of [r, json, docker, fromDocker, dry, m]) ok(SECRETISH.test(res.stdout + res.stderr) === false, 'no secret printed');
  });

  it('a username with ":" is never written into auth: reported per key for every target, from a file or a materialised helper', async () => {
    for (const to of ['docker', 'podman', 'dockercfg', 'secret']) {
      const r = await sb.credkit(['convert', fx('docker-config/colon-username-fields.json'), '--to', to]);
      expect(r.code, to).to.equal(1);
      expect(r.stderr, to).to.match(/colon-username-fields\.json: key "quay\.io": the username contains ":"/);
      ok(!r.stdout.includes(Buffer.from('al:ice:fake-colon-pass').toString('base64')) && !r.stdout.includes('al:ice'), `${to}: no mis-split credential written`);
    }
    // A fake helper on PATH that answers a username with a colon.
    const bin = join(sb.home, 'bin');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'docker-credential-fakecolon'), '#!/bin/sh\ncat >/dev/null\necho \'{"Username":"al:ice","Secret":"fake-s3cret-XYZ"}\'\n', { mode: 0o755 });
    const input = join(sb.home, 'c.json');
    await writeFile(input, JSON.stringify({ auths: { 'quay.io': {} }, credsStore: 'fakecolon' }));
    const m = await sb.credkit(['convert', input, '--to', 'podman', '--materialize'], '', { PATH: `${bin}:${sb.env.PATH}` });
    expect(m.code).to.equal(1);
    expect(m.stderr).to.match(/helper fakecolon: key "quay\.io": the username contains ":".*left out/);
    ok(!/fake-s3cret|ZmFrZS1zM2NyZXQ|al:ice/.test(m.stdout), 'no mis-split credential written');
    expect(JSON.parse(m.stdout).auths).to.deep.equal({});
  });

  it('--to secret over the API server\'s 1 MiB limit: written, reported as size, exit 1 unless --allow-lossy', async () => {
    // 8,000 registries with the usual short credentials: about 1.2 MiB of .dockerconfigjson.
    const auths: Record<string, { auth: string }> = {};
    for (let i = 0; i < 8000; i++) auths[`registry${i}.example.com`] = { auth: Buffer.from(`robot${i}:fake-token-${i}-abcdefghijklmnop`).toString('base64') };
    const input = join(sb.home, 'many.json');
    await writeFile(input, JSON.stringify({ auths }), { mode: 0o600 });
    const out = join(sb.home, 'secret.yaml');
    const r = await sb.credkit(['convert', input, '--to', 'secret', '-o', out]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/Secret regcred.*data\[\.dockerconfigjson\].*1\.\d\d MiB of data; Kubernetes refuses a Secret over 1 MiB/);
    expect(r.stderr).to.not.match(SECRETISH);
    expect((await stat(out)).size).to.be.greaterThan(1024 * 1024);
    const allowed = await sb.credkit(['convert', input, '--to', 'secret', '-o', out, '--allow-lossy']);
    expect(allowed.code).to.equal(0);
    // Half as many fit.
    const fewer = Object.fromEntries(Object.entries(auths).slice(0, 4000));
    await writeFile(input, JSON.stringify({ auths: fewer }), { mode: 0o600 });
    expect((await sb.credkit(['convert', input, '--to', 'secret', '-o', out])).code).to.equal(0);
  });

  it('--json report goes to stdout with -o, and names kinds, files and keys', async () => {
    const out = join(sb.home, 'x.dockercfg');
    const r = await sb.credkit(['convert', fx('podman/scoped-keys.json'), '--to', 'dockercfg', '-o', out, '--json']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.equal('');
    const report = JSON.parse(r.stdout);
    expect(report).to.include({ output: out, to: 'dockercfg', lossy: true, entries: 4 });
    expect(report.losses.map((l: { kind: string; key: string }) => `${l.kind} ${l.key}`)).to.deep.equal(['scope quay.io/team', 'scope quay.io/team/app', 'helper credHelpers[gcr.io]']);
  });

  it('`kubectl get secrets -o yaml` (Opaque and service-account Secrets beside a pull secret): convert, merge, ls, check and explain read the pull secret and note each other Secret', async () => {
    const list = fixture('secrets/kubectl-get-secrets.yaml');
    const skipped = ['-#app-config: key "type": not a pull secret (type Opaque)', '-#builder-token: key "type": not a pull secret (type kubernetes.io/service-account-token)'];
    const convert = await sb.credkit(['convert', '-', '--to', 'docker'], list);
    expect(convert.code).to.equal(0);
    ok(JSON.stringify(Object.keys(summarize(convert.stdout).entries)) === '["ghcr.io"]', 'the pull secret converted');
    const lines = convert.stderr.trim().split('\n');
    expect(lines.map((l) => l.replace(/; skipped.*/, ''))).to.deep.equal(skipped.map((s) => `credkit: ${s}`));
    const merge = await sb.credkit(['merge', '-', fx('docker-config/basic.json'), '--to', 'docker'], list);
    expect([merge.code, merge.stderr.includes('#builder-token'), merge.stderr.includes('#app-config')]).to.deep.equal([0, true, true]);
    const ls = await sb.credkit(['ls', '-'], list);
    expect([ls.code, ls.stdout.includes('ghcr.io'), ls.stderr.split('\n').filter((l) => l.startsWith('credkit: note: ')).length]).to.deep.equal([0, true, 2]);
    const check = await sb.credkit(['check', '--strict', '-'], list);
    expect(check.code).to.equal(0);
    expect(check.stdout).to.match(/^note: -#app-config: key "type": a Secret of type Opaque, not a pull secret; skipped.* \[not-a-pull-secret\]$/m);
    expect(check.stdout).to.match(/1 file checked: 0 errors, 0 warnings$/m);
    const explain = await sb.credkit(['explain', 'ghcr.io/dave/app', '--as', 'kubelet', '--secret', '-'], list);
    expect(explain.code).to.equal(0);
    expect(explain.stdout).to.match(/uses: dave \(password\) from -#ghcr-pull/);
    expect(explain.stdout).to.match(/note: -#builder-token is not a pull secret \(type kubernetes\.io\/service-account-token\); kubelet ignores it/);
    ok(SECRETISH.test(convert.stderr + ls.stderr + check.stdout + explain.stdout) === false, 'no secret printed');
  });

  describe('bad input: one line naming file and key, exit 1, nothing written', () => {
    const cases: [string, RegExp][] = [
      ['docker-config/invalid-json.json', /invalid-json\.json: invalid JSON at position \d+$/],
      ['docker-config/auth-no-colon.json', /auth-no-colon\.json: key "quay\.io": "auth" has no ":"/],
      ['docker-config/auth-invalid-base64.json', /key "quay\.io": "auth" is not valid standard base64/],
      ['secrets/wrong-type.yaml', /#opaque: key "type": Secret type is Opaque/],
      ['secrets/missing-data-key.yaml', /#wrong-key: key "data\[\.dockerconfigjson\]": missing data key/],
      ['secrets/bad-base64.yaml', /#bad: key "data\[\.dockerconfigjson\]": value is not valid padded base64/],
      ['secrets/alias-bomb.yaml', /alias-bomb\.yaml: invalid YAML in document 1: too many alias expansions/],
      ['secrets/unresolved-alias.yaml', /unresolved-alias\.yaml: invalid YAML in document 1: an alias names no anchor/],
    ];
    for (const [path, want] of cases) {
      it(path, async () => {
        const out = join(sb.home, 'out.json');
        await writeFile(out, 'previous content', { mode: 0o600 });
        const r = await sb.credkit(['convert', fx(path), '--to', 'podman', '-o', out]);
        expect(r.code).to.equal(1);
        expect(r.stdout).to.equal('');
        const lines = r.stderr.trim().split('\n');
        expect(lines).to.have.length(1);
        expect(lines[0]).to.match(/^credkit: /).and.match(want);
        ok(SECRETISH.test(r.stderr) === false, 'no secret in the error');
        expect(await readFile(out, 'utf8')).to.equal('previous content');
      });
    }
  });

  it('YAML the library reports with the input quoted (an alias to no anchor), or go-yaml would (a collection as a key): no secret on stderr or in --json', async () => {
    const copy = async (name: string) => {
      const path = join(sb.home, name);
      await copyFile(fx(`secrets/${name}`), path);
      await chmod(path, 0o600); // check would fail on a world-readable mode
      return path;
    };
    const [aliasFile, keyFile] = [await copy('alias-to-no-anchor.yaml'), await copy('collection-key.yaml')];
    for (const command of [['ls'], ['ls', '--json'], ['check'], ['convert', '--to', 'podman', '--json', '-o', join(sb.home, 'out.json')]]) {
      const alias = await sb.credkit([...command, aliasFile]);
      ok(alias.code === 1, `${command.join(' ')}: exit 1 for an alias to no anchor`);
      ok(alias.stdout.includes('invalid YAML in document 1: an alias names no anchor set before it') || alias.stderr.includes('invalid YAML in document 1: an alias names no anchor set before it'), `${command.join(' ')}: the error says what is wrong`);
      ok(!alias.stderr.includes('unexpected error'), `${command.join(' ')}: reported as bad input, not as a bug`);
      // go-yaml (kubectl) refuses a collection as a key: so does credkit, naming the line only.
      const key = await sb.credkit([...command, keyFile]);
      ok(key.code === 1, `${command.join(' ')}: exit 1 with a collection as a key`);
      ok((key.stdout + key.stderr).includes('invalid YAML in document 1 at line 8: a map or list used as a key, which kubectl refuses'), `${command.join(' ')}: the error says what is wrong`);
      ok(!key.stderr.includes('unexpected error'), `${command.join(' ')}: a collection key is bad input, not a bug`);
      for (const r of [alias, key]) ok(!SECRETISH.test(r.stderr) && !/fake-alias|fake-collection/.test(r.stdout), `${command.join(' ')}: no secret printed`);
    }
  });

  it('a write removes the temp files a killed writer left beside its target (copies of secrets), and nothing else', async () => {
    const exists = (path: string) => stat(path).then(() => true, () => false);
    const plant = async (dir: string, name: string): Promise<{ abandoned: string; others: string[] }> => {
      await mkdir(dir, { recursive: true });
      // What writeFileAtomic leaves when killed between writing and renaming.
      const abandoned = join(dir, `.${name}.mws4314a37u3mmay.tmp`);
      await writeFile(abandoned, JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('a:fake-abandoned').toString('base64') } } }), { mode: 0o600 });
      const others = [join(dir, `.${name}.tmp-other-tool`), join(dir, `${name}.mws4314a37u3mmay.tmp`), join(dir, `.other-${name}.mws4314a37u3mmay.tmp`)];
      for (const o of others) await writeFile(o, 'not credkit\'s', { mode: 0o600 });
      return { abandoned, others };
    };
    const out = await plant(join(sb.home, 'out'), 'config.json');
    const r = await sb.credkit(['convert', fx('docker-config/basic.json'), '--to', 'docker', '-o', join(sb.home, 'out', 'config.json')]);
    ok(r.code === 0, 'convert -o succeeds');
    const store = await plant(join(sb.env.XDG_DATA_HOME!, 'credkit'), 'credentials.json');
    const s = await sb.credkit(['store', 'store', 'quay.io', '-u', 'a', '--password-stdin', '--backend', 'file'], 'fake-new-pw');
    ok(s.code === 0, 'store into the file backend succeeds');
    for (const planted of [out, store]) {
      ok(!(await exists(planted.abandoned)), 'the abandoned temp file is gone');
      for (const o of planted.others) ok(await exists(o), 'other files are kept');
    }
  });

  it('-o through a symlink replaces the target atomically, keeps the link and a stricter mode', async () => {
    const real = join(sb.home, 'real', 'config.json');
    await mkdir(join(sb.home, 'real'));
    await writeFile(real, '{}', { mode: 0o400 });
    await chmod(real, 0o400);
    const link = join(sb.home, 'link.json');
    await symlink('real/config.json', link);
    const r = await sb.credkit(['convert', fx('docker-config/basic.json'), '--to', 'docker', '-o', link]);
    expect(r.code).to.equal(0);
    expect((await lstat(link)).isSymbolicLink()).to.equal(true);
    expect(await readlink(link)).to.equal('real/config.json');
    expect((await stat(real)).mode & 0o777).to.equal(0o400);
    ok((await readFile(real, 'utf8')).includes('"currentContext": "default"'), 'content written through the link');
  });

  it('a relative link with ".." in a symlinked directory is written where the kernel reads it (dotfiles: DOCKER_CONFIG -> dotfiles/docker)', async () => {
    const dotfiles = join(sb.home, 'dotfiles');
    await mkdir(join(dotfiles, 'docker'), { recursive: true });
    await mkdir(join(dotfiles, 'shared'));
    const real = join(dotfiles, 'shared', 'config.json');
    await writeFile(real, '{"auths": {}}\n', { mode: 0o600 });
    await symlink('../shared/config.json', join(dotfiles, 'docker', 'config.json'));
    await symlink('dotfiles/docker', join(sb.home, 'docker-config'));
    const viaLinks = join(sb.home, 'docker-config', 'config.json');
    const c = await sb.credkit(['convert', fx('docker-config/basic.json'), '--to', 'docker', '-o', viaLinks]);
    expect(c.code).to.equal(0);
    ok((await readFile(real, 'utf8')).includes('"currentContext": "default"'), 'convert -o wrote the file the links name');
    const l = await sb.credkit(['login', 'login-through-links.example', '-u', 'alice', '--password-stdin', '--no-verify'], 'fake-links-pw', { DOCKER_CONFIG: join(sb.home, 'docker-config') });
    expect(l.code).to.equal(0);
    ok((await readFile(real, 'utf8')).includes('login-through-links.example'), 'login wrote the file the links name');
    // Lexically, docker-config/../shared is ~/shared: nothing may appear there.
    expect(await stat(join(sb.home, 'shared')).then(() => true, () => false)).to.equal(false);
    expect(await readlink(join(dotfiles, 'docker', 'config.json'))).to.equal('../shared/config.json');
  });

  /**
   * A directory like /tmp (sticky, every user may write) with a directory of another user (uid
   * 65534, nobody) beside it. Only root can make names of another user, so elsewhere the test skips.
   */
  async function sharedDirectoryWithStranger(test: Mocha.Context): Promise<{ shared: string; theirs: string; stranger: number }> {
    if (process.getuid?.() !== 0) test.skip();
    const stranger = 65534;
    const shared = join(sb.home, 'shared');
    const theirs = join(sb.home, 'theirs');
    await mkdir(shared);
    await chmod(shared, 0o1777);
    await mkdir(theirs);
    await chown(theirs, stranger, stranger);
    return { shared, theirs, stranger };
  }

  it('another user\'s symlink planted in a sticky shared directory (/tmp/out.json -> their file) is not followed by -o, login or the file backend, as Linux does not; our own is', async function () {
    const { shared, theirs, stranger } = await sharedDirectoryWithStranger(this);
    const bait = join(theirs, 'steal.json');
    await writeFile(bait, '{}\n');
    await chown(bait, stranger, stranger);
    const planted = join(shared, 'out.json');
    await symlink('../theirs/steal.json', planted);
    await lchown(planted, stranger, stranger);
    // A chain through it: our own link to their link.
    const chain = join(shared, 'mine.json');
    await symlink('out.json', chain);
    const refusal = (path: string, via?: string) =>
      `credkit: ${path}: ${via === undefined ? 'is' : `leads through ${via}, which is`} another user's symbolic link in a directory every user can write to; credkit does not follow it, as Linux does not (fs.protected_symlinks): it could send the credentials anywhere\n`;
    const convert = await sb.credkit(['convert', fx('docker-config/basic.json'), '--to', 'docker', '-o', planted]);
    expect([convert.code, convert.stderr]).to.deep.equal([1, refusal(planted)]);
    const viaChain = await sb.credkit(['convert', fx('docker-config/basic.json'), '--to', 'docker', '-o', chain]);
    expect([viaChain.code, viaChain.stderr]).to.deep.equal([1, refusal(chain, planted)]);
    const login = await sb.credkit(['login', 'planted.example', '-u', 'alice', '--password-stdin', '--no-verify', '--authfile', planted], 'fake-planted-pw');
    expect([login.code, login.stderr]).to.deep.equal([1, refusal(planted)]);
    const store = await sb.helper('store', JSON.stringify({ ServerURL: 'planted.example', Username: 'alice', Secret: 'fake-planted-pw' }), { CREDKIT_BACKEND: 'file', CREDKIT_FILE: planted });
    // The helper's message is on stdout, as the protocol has it, without the program's name.
    expect([store.code, store.stdout]).to.deep.equal([1, refusal(planted).slice('credkit: '.length)]);
    expect(await readFile(bait, 'utf8')).to.equal('{}\n');
    expect((await stat(bait)).uid).to.equal(stranger);

    // Our own link there, and one of the directory's owner (root here too), are followed.
    const ours = join(shared, 'ours.json');
    await symlink('../real.json', ours);
    const own = await sb.credkit(['convert', fx('docker-config/basic.json'), '--to', 'docker', '-o', ours]);
    expect([own.code, own.stderr]).to.deep.equal([0, '']);
    ok((await readFile(join(sb.home, 'real.json'), 'utf8')).includes('"currentContext": "default"'), 'written through our own link');
  });

  it('another user\'s file in a sticky shared directory is not replaced with credentials that would keep their ownership, as Linux refuses to open it; our own is', async function () {
    const { shared, stranger } = await sharedDirectoryWithStranger(this);
    const planted = join(shared, 'out.json');
    await writeFile(planted, '{}\n');
    await chmod(planted, 0o666);
    await chown(planted, stranger, stranger);
    const refusal = `credkit: ${planted}: belongs to another user and is in a directory every user can write to; credkit does not write credentials into it, as Linux does not (fs.protected_regular): its owner could read them\n`;
    const convert = await sb.credkit(['convert', fx('docker-config/basic.json'), '--to', 'docker', '-o', planted]);
    expect([convert.code, convert.stderr]).to.deep.equal([1, refusal]);
    const login = await sb.credkit(['login', 'planted.example', '-u', 'alice', '--password-stdin', '--no-verify', '--authfile', planted], 'fake-planted-pw');
    expect([login.code, login.stderr]).to.deep.equal([1, refusal]);
    expect(await readFile(planted, 'utf8')).to.equal('{}\n');

    const ours = join(shared, 'ours.json');
    await writeFile(ours, '{}\n', { mode: 0o600 });
    const own = await sb.credkit(['convert', fx('docker-config/basic.json'), '--to', 'docker', '-o', ours]);
    expect([own.code, own.stderr]).to.deep.equal([0, '']);
    ok((await readFile(ours, 'utf8')).includes('"currentContext": "default"'), 'our own file is replaced');
  });

  it('a FIFO, a directory or a symlink at the lock\'s name (put there by anyone, in /tmp) is a one-line error at once, and a lock credkit may not read is broken by age, not a hang past the lock timeout', async function () {
    const { spawnSync } = await import('node:child_process');
    const out = join(sb.home, 'out.json');
    const lock = `${out}.lock`;
    const fifo = join(sb.home, 'elsewhere.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).to.equal(0);
    const planted: [string, () => Promise<unknown>, string][] = [
      ['a FIFO', async () => expect(spawnSync('mkfifo', [lock]).status).to.equal(0), 'a FIFO'],
      ['a symlink to a FIFO', () => symlink(fifo, lock), 'a symbolic link'],
      ['a directory', () => mkdir(lock), 'a directory'],
    ];
    for (const [what, plant, kind] of planted) {
      await plant();
      const message = `${out}: ${lock}, the name of its lock file, is ${kind}, which credkit never makes; remove it (or write elsewhere, if it is not yours)`;
      // Well inside the 15 s a real lock is waited for: a credkit that waits on the FIFO is killed.
      const convert = await run(process.execPath, [BIN.credkit, 'convert', fx('docker-config/basic.json'), '--to', 'docker', '-o', out], { env: sb.env, timeoutMs: 10_000 });
      expect([what, convert.code, convert.stderr]).to.deep.equal([what, 1, `credkit: ${message}\n`]);
      const store = await run(process.execPath, [BIN.helper, 'store'], {
        env: { ...sb.env, CREDKIT_BACKEND: 'file', CREDKIT_FILE: out },
        input: JSON.stringify({ ServerURL: 'lock.example', Username: 'alice', Secret: 'fake-lock-pw' }),
        timeoutMs: 10_000,
      });
      expect([what, store.code, store.stdout]).to.deep.equal([what, 1, `${message}\n`]);
      await rm(lock, { recursive: true });
    }
    expect(await stat(out).then(() => true, () => false)).to.equal(false);

    // A lock credkit may not read (root's, left by a `sudo credkit login` killed in the user's
    // ~/.docker) is a lock of unknown taker: broken once old, as any such lock, not spun on.
    // As root, credkit runs without the capabilities that override file permissions.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) await skipUnlessPrograms(this, ['setpriv']);
    await writeFile(lock, '999999999 other-host -\n');
    await chmod(lock, 0o000);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(lock, hourAgo, hourAgo);
    const convert = ['convert', fx('docker-config/basic.json'), '--to', 'docker', '-o', out];
    const unreadable = asRoot
      ? await run('setpriv', ['--bounding-set=-dac_override,-dac_read_search', '--', process.execPath, BIN.credkit, ...convert], { env: sb.env, timeoutMs: 10_000 })
      : await run(process.execPath, [BIN.credkit, ...convert], { env: sb.env, timeoutMs: 10_000 });
    expect([unreadable.code, unreadable.stderr]).to.deep.equal([0, '']);
    expect(await stat(lock).then(() => true, () => false)).to.equal(false);
  });

  it('--to secret with credsStore stubs whose helper is not installed: clear error, nothing written', async () => {
    const out = join(sb.home, 'secret.yaml');
    const r = await sb.credkit(['convert', fx('docker-config/credsstore-stubs.json'), '--to', 'secret', '-o', out]);
    expect(r.code).to.equal(1);
    // Both helpers it needs are missing: both are named at once, with the keys that need each.
    expect(r.stderr).to.match(/^credkit: 2 credential helpers cannot be run/);
    expect(r.stderr).to.match(/\n {2}\S*credsstore-stubs\.json: keys "https:\/\/index\.docker\.io\/v1\/", "ghcr\.io": credential helper docker-credential-desktop is not on PATH/);
    expect(r.stderr).to.match(/\n {2}\S*credsstore-stubs\.json: key "123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com": credential helper docker-credential-ecr-login is not on PATH/);
    let exists = true;
    await stat(out).catch(() => (exists = false));
    expect(exists).to.equal(false);
    const raw = await sb.credkit(['convert', fx('docker-config/credsstore-stubs.json'), '--to', 'secret', '--no-materialize', '--name', 'n', '--namespace', 'ns']);
    expect(raw.code).to.equal(1);
    // "n" is a YAML 1.1 boolean to kubectl, so it is quoted, as kubectl quotes it.
    expect(raw.stdout).to.match(/^apiVersion: v1\nkind: Secret\nmetadata:\n  name: "n"\n  namespace: ns\ntype: kubernetes.io\/dockerconfigjson\n/);
    expect(raw.stderr).to.match(/kubelet runs no helpers/);
  });

  it('--name / --namespace that Kubernetes would refuse: usage error (exit 2) naming the flag and the rule, nothing written', async () => {
    const input = fx('docker-config/basic.json');
    const out = join(sb.home, 'secret.yaml');
    const subdomain = 'a Secret name must be a DNS-1123 subdomain: 1 to 253 characters, lowercase letters, digits, "-" and ".", starting and ending with a letter or digit (each "."-separated part too)';
    const label = 'a namespace must be a DNS-1123 label: 1 to 63 characters, lowercase letters, digits and "-", starting and ending with a letter or digit';
    const bad: [string[], string][] = [
      [['--name', 'Reg_Cred'], `--name "Reg_Cred": ${subdomain}`],
      [['--name=-regcred'], `--name "-regcred": ${subdomain}`],
      [['--name', 'regcred.'], `--name "regcred.": ${subdomain}`],
      [['--name', 'a..b'], `--name "a..b": ${subdomain}`],
      [['--name', ''], `--name "": ${subdomain}`],
      [['--name', 'a'.repeat(254)], `--name "${'a'.repeat(80)}…": ${subdomain}`],
      [['--namespace', 'CI'], `--namespace "CI": ${label}`],
      [['--namespace', 'team.ci'], `--namespace "team.ci": ${label}`],
      [['--namespace', 'ci-'], `--namespace "ci-": ${label}`],
      [['--namespace', 'n'.repeat(64)], `--namespace "${'n'.repeat(64)}": ${label}`],
    ];
    for (const [args, message] of bad) {
      for (const command of [['convert', input], ['merge', input, input]]) {
        const r = await sb.credkit([...command, '--to', 'secret', '--no-materialize', ...args, '-o', out]);
        expect([r.code, r.stdout, r.stderr], `${command[0]} ${args[0]}`).to.deep.equal([2, '', `credkit: ${message}\n`]);
      }
    }
    let exists = true;
    await stat(out).catch(() => (exists = false));
    expect(exists).to.equal(false);
    const good = await sb.credkit(['convert', input, '--to', 'secret', '--no-materialize', '--name', `${'a'.repeat(63)}.b-2.${'c'.repeat(185)}`, '--namespace', `ci-${'9'.repeat(60)}`, '--allow-lossy', '-o', out]);
    expect(good.code, good.stderr).to.equal(0);
    expect(await readFile(out, 'utf8')).to.include(`  namespace: ci-${'9'.repeat(60)}\n`);
  });

  it('--to secret named "on" in namespace "no" (YAML 1.1 booleans to kubectl): quoted, as kubectl writes them; read back the same', async () => {
    const out = join(sb.home, 'secret.yaml');
    for (const command of [['convert', fx('docker-config/basic.json')], ['merge', fx('docker-config/basic.json'), fx('docker-config/basic.json')]]) {
      const r = await sb.credkit([...command, '--to', 'secret', '--no-materialize', '--name', 'on', '--namespace', 'no', '--allow-lossy', '-o', out]);
      expect(r.code, r.stderr).to.equal(0);
      expect((await readFile(out, 'utf8')).startsWith('apiVersion: v1\nkind: Secret\nmetadata:\n  name: "on"\n  namespace: "no"\n'), command[0]).to.equal(true);
    }
    const back = await sb.credkit(['convert', out, '--to', 'secret', '--no-materialize', '--allow-lossy']);
    expect(back.stdout.split('\n').slice(3, 5)).to.deep.equal(['  name: "on"', '  namespace: "no"']);
  });

  it('merge: later entry wins, conflict reported by file and key; --fail-on-conflict writes nothing', async () => {
    const a = fx('docker-config/stale-identity-token.json');
    const b = fx('docker-config/newer-quay-login.json');
    const out = join(sb.home, 'merged.json');
    const r = await sb.credkit(['merge', a, b, '--to', 'docker', '-o', out]);
    expect(r.code).to.equal(0);
    expect(r.stderr.trim()).to.equal(`credkit: conflict on quay.io: kept ${b} (key "https://quay.io"), dropped ${a} (key "quay.io")`);
    const merged = summarize(await readFile(out, 'utf8'));
    ok(merged.entries['quay.io']?.identityToken === undefined && merged.entries['quay.io']?.password === 'fake-new-quay-pass', 'whole entry replaced');
    const out2 = join(sb.home, 'merged2.json');
    const f = await sb.credkit(['merge', a, b, '--to', 'docker', '-o', out2, '--fail-on-conflict']);
    expect(f.code).to.equal(1);
    expect(f.stderr).to.match(/1 conflicting entry; choose with --prefer first\|last/);
    ok(SECRETISH.test(f.stderr) === false, 'no secret in the conflict report');
    let exists = true;
    await stat(out2).catch(() => (exists = false));
    expect(exists).to.equal(false);
  });

  it('--to secret with a credsStore that is not installed: plaintext entries are kept, with a note (no failure)', async () => {
    const config = join(sb.home, 'config.json');
    await writeFile(config, JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('bob:fake-quay-pw').toString('base64') } }, credsStore: 'notinstalled' }));
    const r = await sb.credkit(['convert', config, '--to', 'secret']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/^credkit: quay\.io: helper "notinstalled" could not be asked \(.*not on PATH.*\); kept the plaintext credential in the file/);
    expect((r.stderr).includes('fake-quay-pw'), 'a secret in the output (not printed)').to.equal(false);
  });

  it('a dockercfg Secret converted to dockerconfigjson under its own name: a note that the type cannot change in place', async () => {
    const payload = Buffer.from(JSON.stringify({ 'quay.io': { auth: Buffer.from('bob:fake-pw').toString('base64') } })).toString('base64');
    const input = join(sb.home, 'old.yaml');
    await writeFile(input, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: robot\ntype: kubernetes.io/dockercfg\ndata:\n  .dockercfg: ${payload}\n`);
    const r = await sb.credkit(['convert', input, '--to', 'secret']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/type: kubernetes.io\/dockerconfigjson/);
    expect(r.stderr).to.equal(
      'credkit: Secret robot: key "type": changes from kubernetes.io/dockercfg to kubernetes.io/dockerconfigjson; the API server cannot change the type of an existing Secret: ' +
        'delete the old one before applying, give a new --name, or keep the type with --secret-type dockercfg\n',
    );
    for (const args of [['--name', 'robot2'], ['--secret-type', 'dockercfg']]) {
      const quiet = await sb.credkit(['convert', input, '--to', 'secret', ...args]);
      expect([quiet.code, quiet.stderr], args.join(' ')).to.deep.equal([0, '']);
    }
  });

  it('merge --to secret adding registries to a pull secret gives back that Secret (name, namespace, labels), not a new regcred; Secrets that disagree get regcred and a note', async () => {
    const payload = (auths: object) => Buffer.from(JSON.stringify({ auths })).toString('base64');
    const pull = join(sb.home, 'pull-secret.yaml');
    await writeFile(
      pull,
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: pull-secret\n  namespace: openshift-config\n  labels:\n    team: platform\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${payload({ 'quay.io': { auth: Buffer.from('a:fake-q').toString('base64') } })}\n`,
    );
    const extra = join(sb.home, 'extra.json');
    await writeFile(extra, JSON.stringify({ auths: { 'registry.example.com': { auth: Buffer.from('b:fake-r').toString('base64') } } }));
    for (const inputs of [[pull, extra], [extra, pull]]) {
      const r = await sb.credkit(['merge', ...inputs, '--to', 'secret', '--format', 'json']);
      expect([r.code, r.stderr]).to.deep.equal([0, '']);
      const secret = JSON.parse(r.stdout) as { metadata: object; data: Record<string, string> };
      expect(secret.metadata).to.deep.equal({ name: 'pull-secret', namespace: 'openshift-config', labels: { team: 'platform' } });
      expect(Object.keys(summarize(r.stdout).entries).sort()).to.deep.equal(['quay.io', 'registry.example.com']);
    }
    const named = await sb.credkit(['merge', pull, extra, '--to', 'secret', '--format', 'json', '--name', 'other', '--namespace', 'ci']);
    expect((JSON.parse(named.stdout) as { metadata: object }).metadata).to.deep.include({ name: 'other', namespace: 'ci' });
    const second = join(sb.home, 'second.yaml');
    await writeFile(second, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: robot\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${payload({ 'ghcr.io': { auth: Buffer.from('c:fake-g').toString('base64') } })}\n`);
    const two = await sb.credkit(['merge', pull, second, '--to', 'secret', '--format', 'json']);
    expect(two.code, two.stderr).to.equal(0);
    expect((JSON.parse(two.stdout) as { metadata: object }).metadata).to.deep.equal({ name: 'regcred' });
    expect(two.stderr).to.equal('credkit: Secret regcred: key "metadata": the inputs are several Secrets (openshift-config/pull-secret, robot), so the merged one is named regcred, in no namespace: give --name (and --namespace) for the one you mean\n');
  });

  it('merge: top-level settings that differ are conflicts too (reported; --fail-on-conflict refuses)', async () => {
    const a = join(sb.home, 'a.json');
    const b = join(sb.home, 'b.json');
    await writeFile(a, JSON.stringify({ auths: {}, psFormat: 'A', proxies: { default: { httpProxy: 'http://a.example' } } }));
    await writeFile(b, JSON.stringify({ auths: {}, proxies: { default: { httpProxy: 'http://a.example' } }, psFormat: 'B' }));
    const r = await sb.credkit(['merge', a, b, '--to', 'docker']);
    expect(r.code).to.equal(0);
    expect(r.stderr.trim()).to.equal(`credkit: conflict on psFormat: kept ${b} (key "psFormat"), dropped ${a} (key "psFormat")`);
    expect(JSON.parse(r.stdout).psFormat).to.equal('B');
    const f = await sb.credkit(['merge', a, b, '--to', 'docker', '--fail-on-conflict']);
    expect([f.code, f.stdout]).to.deep.equal([1, '']);
    expect(f.stderr).to.match(/psFormat: .*a\.json \(key "psFormat"\) vs .*b\.json/);
  });

  it('merge --json reports conflicts on stdout when writing a file', async () => {
    const r = await sb.credkit(['merge', fx('docker-config/stale-identity-token.json'), fx('docker-config/newer-quay-login.json'), '--to', 'podman', '--prefer', 'first', '-o', join(sb.home, 'm.json'), '--json']);
    expect(r.code).to.equal(0);
    const report = JSON.parse(r.stdout);
    expect(report.conflicts).to.have.length(1);
    expect(report.conflicts[0].kept.key).to.equal('quay.io');
  });

  it('ls finds the files docker and podman read from the environment; secrets redacted', async () => {
    await copyFile(fx('docker-config/everything.json'), join(sb.env.DOCKER_CONFIG!, 'config.json'));
    await mkdir(join(sb.env.XDG_RUNTIME_DIR!, 'containers'), { recursive: true });
    await copyFile(fx('podman/scoped-keys.json'), join(sb.env.XDG_RUNTIME_DIR!, 'containers', 'auth.json'));
    const r = await sb.credkit(['ls']);
    expect(r.code).to.equal(0);
    ok(SECRETISH.test(r.stdout) === false, 'no secret in the listing');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).to.match(/^REGISTRY\s+SCOPE\s+USERNAME\s+SECRET\s+FILE \(KEY\)$/);
    expect(lines.find((l) => l.startsWith('quay.io/team/app '))).to.match(/repository\s+app\+robot\s+\*{8}\s+.*auth\.json \(quay\.io\/team\/app\)$/);
    expect(lines.find((l) => l.startsWith('gcr.io '))).to.match(/in helper gcloud/);
    const json = JSON.parse((await sb.credkit(['ls', '--json'])).stdout);
    expect(json.entries.length).to.equal(lines.length - 1);
    expect(json.searched[0]).to.equal(join(sb.env.XDG_RUNTIME_DIR!, 'containers', 'auth.json'));
  });

  it('ls of a .dockercfg key with a path: all of its registry in a ~/.dockercfg file (never used beside the bare host), its own scope in a kubernetes.io/dockercfg Secret', async function () {
    await skipUnlessPrograms(this, ['podman', 'kubectl']);
    const auth = (user: string) => ({ auth: Buffer.from(`${user}:fake-dockercfg`).toString('base64') });
    const legacy = join(sb.home, '.dockercfg');
    // Without DOCKER_CONFIG podman searches its files down to ~/.dockercfg (with it, it reads only config.json).
    const { DOCKER_CONFIG: _, ...env } = sb.env;
    const getLogin = (ref: string) => run('podman', ['login', '--get-login', ref], { env });
    const ls = async (file: string) => {
      const json = JSON.parse((await sb.credkit(['ls', file, '--json'])).stdout) as { entries: { registry: string; scope: string; key: string }[]; notes: string[] };
      return { rows: json.entries.map((e) => [e.registry, e.scope, e.key]), notes: json.notes };
    };
    // Alone, the scoped key serves every image of the registry (podman 4.3).
    await writeFile(legacy, JSON.stringify({ 'quay.io/org/repo': auth('scoped') }), { mode: 0o600 });
    expect((await getLogin('quay.io/other/app')).stdout.trim()).to.equal('scoped');
    let listed = await ls(legacy);
    expect(listed.rows).to.deep.equal([['quay.io', 'registry', 'quay.io/org/repo']]);
    expect(listed.notes).to.deep.equal([`${legacy}: key "quay.io/org/repo": podman, skopeo and buildah use it for all of quay.io: a .dockercfg has no scoping (docker has not read one since 20.10)`]);
    // Beside the bare host, never: podman takes "quay.io" even for the scoped key's own image.
    await writeFile(legacy, JSON.stringify({ 'quay.io/org/repo': auth('scoped'), 'quay.io': auth('wide') }), { mode: 0o600 });
    expect((await getLogin('quay.io/org/repo')).stdout.trim()).to.equal('wide');
    listed = await ls(legacy);
    expect(listed.notes).to.deep.equal([`${legacy}: key "quay.io/org/repo": podman, skopeo and buildah never use it: a .dockercfg has no scoping, and they take its "quay.io" key for all of quay.io (docker has not read one since 20.10)`]);
    const human = await sb.credkit(['ls', legacy]);
    expect(human.stderr).to.include('credkit: note: ');
    expect(human.stderr).to.include('"quay.io/org/repo": podman, skopeo and buildah never use it');
    // The same map as a kubernetes.io/dockercfg Secret: kubelet matches the path, so it is listed with it.
    const manifest = await run('kubectl', ['create', 'secret', 'generic', 'legacy', `--from-file=.dockercfg=${legacy}`, '--type=kubernetes.io/dockercfg', '--dry-run=client', '-o', 'yaml'], { env: { ...sb.env, KUBECONFIG: join(sb.home, 'no-kubeconfig') } });
    expect(manifest.code).to.equal(0);
    const secret = join(sb.home, 'legacy.yaml');
    await writeFile(secret, manifest.stdout, { mode: 0o600 });
    listed = await ls(secret);
    expect(listed).to.deep.equal({ rows: [['quay.io/org/repo', 'repository', 'quay.io/org/repo'], ['quay.io', 'registry', 'quay.io']], notes: [] });
    ok(SECRETISH.test(human.stdout + human.stderr) === false, 'no secret printed');
  });

  it('check of two ~/.dockercfg keys for one registry says which podman takes, and that docker takes none (it reads no .dockercfg)', async function () {
    await skipUnlessPrograms(this, ['podman']);
    const auth = (user: string) => ({ auth: Buffer.from(`${user}:fake-dockercfg`).toString('base64') });
    const legacy = join(sb.home, '.dockercfg');
    const { DOCKER_CONFIG: _, ...env } = sb.env;
    await writeFile(legacy, JSON.stringify({ 'quay.io/org/repo': auth('scoped'), 'quay.io': auth('wide') }), { mode: 0o600 });
    // The real podman takes the bare host, as the message says (docker 28 sends no credential at
    // all from a lone ~/.dockercfg, seen through a stand-in engine).
    expect((await run('podman', ['login', '--get-login', 'quay.io/org/repo'], { env })).stdout.trim()).to.equal('wide');
    const res = await sb.credkit(['check', legacy, '--json']);
    const conflict = (JSON.parse(res.stdout) as { findings: { code: string; message: string }[] }).findings.find((f) => f.code === 'conflicting-key');
    expect(conflict?.message).to.equal('same registry scope as key "quay.io/org/repo" (quay.io) with a different credential; docker reads no .dockercfg (none since 20.10), podman uses "quay.io"');
    ok(SECRETISH.test(res.stdout + res.stderr) === false, 'no secret printed');
  });

  it('ls shows {} stubs as "in helper NAME"', async () => {
    const r = await sb.credkit(['ls', fx('docker-config/credsstore-stubs.json')]);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^docker\.io\s+registry\s+in helper desktop\s+/m);
  });

  it('check: errors exit 1 with file, key and fix; clean exits 0; --strict fails on warnings', async () => {
    const bad = await sb.credkit(['check', fx('docker-config/credsstore-stubs.json')]);
    expect(bad.code).to.equal(1);
    expect(bad.stdout).to.match(/^error: .*credsstore-stubs\.json: key "ghcr\.io": empty entry: the secret is in credential helper "desktop"/m);
    expect(bad.stdout).to.match(/^ {2}fix: credkit convert /m);
    const clean = join(sb.home, 'clean.json');
    await writeFile(clean, JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('a:fake-b').toString('base64') } } }), { mode: 0o600 });
    const good = await sb.credkit(['check', clean]);
    expect([good.code, good.stdout]).to.deep.equal([0, '1 file checked: 0 errors, 0 warnings\n']);
    const warn = join(sb.home, 'warn.json');
    await writeFile(warn, JSON.stringify({ auths: { 'https://quay.io': { auth: Buffer.from('a:fake-b').toString('base64') } } }), { mode: 0o600 });
    expect((await sb.credkit(['check', warn])).code).to.equal(0);
    expect((await sb.credkit(['check', warn, '--strict'])).code).to.equal(1);
    const json = JSON.parse((await sb.credkit(['check', warn, '--json'])).stdout);
    expect(json.findings.map((f: { code: string }) => f.code)).to.deep.equal(['key-form']);
  });

  it('check: a Docker Hub alias with a path (index.docker.io/org, registry-1.docker.io/org/app), which podman never matches, is a hub-key finding whose fix podman then uses', async function () {
    await skipUnlessPrograms(this, ['podman']);
    const p = join(sb.home, 'auth.json');
    const auth = (user: string) => ({ auth: Buffer.from(`${user}:fake-hub-path`).toString('base64') });
    await writeFile(p, JSON.stringify({ auths: { 'index.docker.io/myorg': auth('a'), 'registry-1.docker.io/org/app': auth('b'), 'docker.io/other': auth('c') } }), { mode: 0o600 });
    const getLogin = (file: string, key: string) => run('podman', ['login', '--authfile', file, '--get-login', key], { env: sb.env });
    // The real podman: not logged into either scope as the file spells it.
    for (const key of ['docker.io/myorg', 'docker.io/org/app']) expect((await getLogin(p, key)).code, key).to.equal(125);
    const r = await sb.credkit(['check', p, '--json']);
    expect(r.code, r.stderr).to.equal(0);
    const findings = JSON.parse(r.stdout).findings.map((f: { severity: string; code: string; key: string; fix: string }) => [f.severity, f.code, f.key, f.fix]);
    expect(findings).to.deep.equal([
      ['warning', 'hub-key', 'index.docker.io/myorg', 'rename the key to "docker.io/myorg" (podman, kubelet; credkit convert writes it so)'],
      ['warning', 'hub-key', 'registry-1.docker.io/org/app', 'rename the key to "docker.io/org/app" (podman, kubelet; credkit convert writes it so)'],
    ]);
    expect((await sb.credkit(['check', p, '--strict'])).code).to.equal(1);
    // The fix, as convert writes it: podman now finds each, and check has nothing more to say.
    const fixed = join(sb.home, 'fixed.json');
    expect((await sb.credkit(['convert', p, '--to', 'podman', '-o', fixed])).code).to.equal(0);
    for (const [key, user] of [['docker.io/myorg', 'a'], ['docker.io/org/app', 'b']]) {
      const after = await getLogin(fixed, key as string);
      expect([after.code, after.stdout.trim()], key).to.deep.equal([0, user]);
    }
    const again = await sb.credkit(['check', fixed, '--strict']);
    expect([again.code, again.stdout]).to.deep.equal([0, '1 file checked: 0 errors, 0 warnings\n']);
  });

  it('check: a docker.io/org key in a config.json is a hub-key warning (docker never sends it), and none in an auth.json or a pull secret, whose clients use it', async () => {
    const payload = { auths: { 'docker.io/myorg': { auth: Buffer.from('a:fake-hub-org').toString('base64') } } };
    const config = join(sb.home, '.docker', 'config.json');
    const podman = join(sb.home, 'auth.json');
    const secret = join(sb.home, 'secret.json');
    await writeFile(config, JSON.stringify(payload), { mode: 0o600 });
    await writeFile(podman, JSON.stringify(payload), { mode: 0o600 });
    const manifest = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pull' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(JSON.stringify(payload)).toString('base64') } };
    await writeFile(secret, JSON.stringify(manifest), { mode: 0o600 });
    const r = await sb.credkit(['check', config, '--json']);
    expect([r.code, r.stdout.includes('fake-hub-org')], r.stderr).to.deep.equal([0, false]);
    expect(JSON.parse(r.stdout).findings).to.deep.equal([
      {
        severity: 'warning',
        code: 'hub-key',
        file: config,
        key: 'docker.io/myorg',
        message: 'Docker Hub key with a path: docker never uses it (it looks Docker Hub up only as "https://index.docker.io/v1/", for all of Docker Hub); podman and kubelet use it for the images under docker.io/myorg',
        fix: 'keep it for podman and pull secrets; for docker, log in to Docker Hub (docker keeps one credential for all of it, as "https://index.docker.io/v1/")',
      },
    ]);
    for (const file of [podman, secret]) {
      const clean = await sb.credkit(['check', file, '--strict']);
      expect([clean.code, clean.stdout], file).to.deep.equal([0, '1 file checked: 0 errors, 0 warnings\n']);
    }
  });

  it('check: a key with a tag or digest (podman refuses it) is told to drop the tag or digest, not to keep the same key', async () => {
    const p = join(sb.home, 'tagged.json');
    const auth = { auth: Buffer.from('a:fake-pw').toString('base64') };
    await writeFile(p, JSON.stringify({ auths: { 'quay.io/team/app:1': auth, 'ghcr.io/org/app@sha256:abc': auth } }), { mode: 0o600 });
    const r = await sb.credkit(['check', p, '--json']);
    expect(r.code).to.equal(0);
    const fixes = JSON.parse(r.stdout).findings.map((f: { code: string; key: string; fix: string }) => [f.code, f.key, f.fix]);
    expect(fixes).to.deep.equal([
      ['key-form', 'quay.io/team/app:1', 'use "quay.io/team/app"'],
      ['key-form', 'ghcr.io/org/app@sha256:abc', 'use "ghcr.io/org/app"'],
    ]);
  });

  it('convert a pull secret with a host glob (*.example.com) to podman: reported as lossy (exit 1), written; --allow-lossy exits 0', async () => {
    const payload = JSON.stringify({ auths: { '*.example.com': { auth: Buffer.from('a:fake-pw').toString('base64') } } });
    const secret = join(sb.home, 'pull.yaml');
    await writeFile(secret, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: pull\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${Buffer.from(payload).toString('base64')}\n`, { mode: 0o600 });
    const r = await sb.credkit(['convert', secret, '--to', 'podman']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/pull\.yaml#pull: key "\*\.example\.com": the host is a glob, which only kubelet expands/);
    ok(SECRETISH.test(r.stderr) === false, 'no secret on stderr');
    ok(Object.keys(JSON.parse(r.stdout).auths).join() === '*.example.com', 'the entry is written as is');
    expect((await sb.credkit(['convert', secret, '--to', 'podman', '--allow-lossy'])).code).to.equal(0);
  });

  it('two credHelpers spellings of Docker Hub with different helpers in one config.json: docker\'s own key wins, the other is a duplicate loss (convert exit 1; migrate leaves the file alone)', async () => {
    const p = join(sb.home, 'config.json');
    const text = JSON.stringify({ auths: {}, credHelpers: { 'docker.io': 'pass', 'https://index.docker.io/v1/': 'desktop' } });
    await writeFile(p, text, { mode: 0o600 });
    const r = await sb.credkit(['convert', p, '--to', 'docker']);
    expect(r.code).to.equal(1);
    // docker takes credHelpers["https://index.docker.io/v1/"] only: that route is what it used.
    expect(JSON.parse(r.stdout).credHelpers).to.deep.equal({ 'https://index.docker.io/v1/': 'desktop' });
    expect(r.stderr).to.match(/config\.json: key "credHelpers\[docker\.io\]": same registry as credHelpers key "https:\/\/index\.docker\.io\/v1\/" with a different helper/);
    const m = await sb.credkit(['migrate', p, '--to', 'docker']);
    expect(m.code).to.equal(1);
    expect(m.stdout).to.match(/^lossy +.*config\.json/m);
    expect(await readFile(p, 'utf8')).to.equal(text);
  });

  it('a config.json that is not JSON at all (truncated, overwritten) is named as such by ls, check and convert, not as a bad Kubernetes object', async () => {
    await writeFile(join(sb.home, '.docker', 'config.json'), 'garbage written by a broken tool\n', { mode: 0o600 });
    const ls = await sb.credkit(['ls']);
    expect(ls.code).to.equal(1);
    expect(ls.stderr).to.match(/config\.json: not valid JSON, nor a \.dockercfg \("auth = …" lines\) or a Kubernetes YAML manifest/);
    const check = await sb.credkit(['check', join(sb.home, '.docker', 'config.json')]);
    expect([check.code, check.stdout.includes('not valid JSON') && check.stdout.includes('[unparseable]')]).to.deep.equal([1, true]);
    const convert = await sb.credkit(['convert', join(sb.home, '.docker', 'config.json'), '--to', 'podman']);
    expect([convert.code, convert.stdout]).to.deep.equal([1, '']);
    expect(convert.stderr).to.not.match(/Kubernetes object/);
    expect(check.stdout).to.match(/fix: repair the file; no tool can use it as is \(docker discards it and overwrites it on the next login\)/);
    // A broken Secret is not docker's to discard.
    const secret = await sb.credkit(['check', fx('secrets/wrong-type.yaml')]);
    expect(secret.stdout).to.match(/^ {2}fix: repair the file; no tool can use it as is$/m);
  });

  it('values nested thousands of levels deep (which JSON.stringify cannot write) are a parse error naming file and key, for convert, merge and logout; nothing is written', async () => {
    const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const auth = Buffer.from('fake-user:fake-password').toString('base64');
    const config = join(sb.home, '.docker', 'config.json');
    const top = `{"auths":{"r.example":{"auth":"${auth}"}},"x":${deep(20000)}}`;
    await writeFile(config, top, { mode: 0o600 });
    const inEntry = join(sb.home, 'entry.json');
    await writeFile(inEntry, `{"auths":{"r.example":{"auth":"${auth}","x":${deep(20000)}}}}`, { mode: 0o600 });
    const secret = join(sb.home, 'secret.json');
    const payload = Buffer.from(`{"auths":{"r.example":{"auth":"${auth}"}}}`).toString('base64');
    await writeFile(secret, `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","labels":{"a":${deep(3000)}}},"type":"kubernetes.io/dockerconfigjson","data":{".dockerconfigjson":"${payload}"}}`, { mode: 0o600 });
    const out = join(sb.home, 'out.yaml');
    const runs: [string[], RegExp][] = [
      [['convert', config, '--to', 'secret', '-o', out], /config\.json: key "x": nested more than 256 levels deep/],
      [['convert', inEntry, '--to', 'docker', '-o', out], /entry\.json: key "r\.example": field "x" is nested more than 256 levels deep/],
      [['convert', secret, '--to', 'secret', '--format', 'yaml', '-o', out], /secret\.json#s: key "metadata\.labels": nested more than 256 levels deep/],
      [['merge', inEntry, config, '--to', 'docker', '-o', out], /entry\.json: key "r\.example": field "x" is nested/],
      [['logout', 'r.example'], /config\.json: key "x": nested more than 256 levels deep.*left untouched/],
    ];
    for (const [args, want] of runs) {
      const r = await sb.credkit(args);
      expect([args[0], r.code, r.stdout]).to.deep.equal([args[0], 1, '']);
      expect(r.stderr.trim().split('\n')).to.have.length(1);
      expect(r.stderr).to.match(want).and.not.match(/this is a bug/);
      ok(SECRETISH.test(r.stderr) === false, 'no secret in the error');
    }
    ok((await readFile(config, 'utf8')) === top, 'config.json left as it was');
    let written = true;
    await stat(out).catch(() => (written = false));
    expect(written).to.equal(false);
  });

  it('a directory as stdin (`convert - < dir`) is a one-line error, exit 1, not an internal error', async () => {
    for (const args of [['convert', '-', '--to', 'docker'], ['ls', '-'], ['check', '-']]) {
      const { code, stdout: out, stderr: err } = await runWithDirectoryStdin(BIN.credkit, args, sb.env, sb.home);
      expect([args[0], code, args[0] === 'ls' ? '' : out, err]).to.deep.equal([args[0], 1, '', 'credkit: standard input is a directory, not a file or pipe\n']);
    }
  });

  it('-o naming a FIFO or a character device (-o >(kubectl apply -f -), /dev/null) writes into it and leaves it in place', async () => {
    const { spawn, spawnSync } = await import('node:child_process');
    const fifo = join(sb.home, 'out.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).to.equal(0);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (d: Buffer) => (got += d.toString()));
    const done = new Promise((resolve) => reader.on('close', resolve));
    const r = await sb.credkit(['convert', fx('docker-config/basic.json'), '--to', 'docker', '-o', fifo]);
    // A credkit that never opened the FIFO would leave the reader waiting for a writer forever.
    if (r.code !== 0) reader.kill();
    await done;
    expect([r.code, r.stdout, r.stderr]).to.deep.equal([0, '', '']);
    ok(JSON.stringify(summarize(got)) === JSON.stringify(summarize(fixture('docker-config/basic.json'))), 'the reader got the converted file');
    expect((await lstat(fifo)).isFIFO()).to.equal(true);
    const dev = await sb.credkit(['convert', fx('docker-config/basic.json'), '--to', 'docker', '-o', '/dev/null']);
    expect([dev.code, dev.stderr]).to.deep.equal([0, '']);
    expect((await stat('/dev/null')).isCharacterDevice()).to.equal(true);
  });

  it('written in place (-o is an input), a conversion that leaves something out is not written unless --allow-lossy', async () => {
    const path = join(sb.home, 'auth.json');
    const original = fixture('podman/scoped-keys.json');
    await writeFile(path, original, { mode: 0o600 });
    // .dockercfg has no place for credHelpers: written over the input, the route would be gone.
    const r = await sb.credkit(['convert', path, '--to', 'dockercfg', '-o', path]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/the output was NOT written: it would replace an input, the only copy of what it leaves out; pass --allow-lossy/);
    expect(await readFile(path, 'utf8')).to.equal(original);
    const json = await sb.credkit(['convert', path, '--to', 'dockercfg', '-o', path, '--json']);
    expect([json.code, (JSON.parse(json.stdout) as { written: boolean }).written]).to.deep.equal([1, false]);
    // A path docker ignores is still written as is: nothing leaves the file, so it is written (exit 1, as lossy).
    const scope = await sb.credkit(['convert', path, '--to', 'docker', '-o', path]);
    expect(scope.code).to.equal(1);
    expect(await readFile(path, 'utf8')).to.not.equal(original);
    await writeFile(path, original, { mode: 0o600 });
    const allowed = await sb.credkit(['convert', path, '--to', 'dockercfg', '-o', path, '--allow-lossy']);
    expect(allowed.code).to.equal(0);
    expect(await readFile(path, 'utf8')).to.not.equal(original);
  });

  it('check: a named file it cannot read (a directory, permission denied) is an unreadable finding, and the other files are still checked', async function () {
    const clean = join(sb.home, 'clean.json');
    await writeFile(clean, JSON.stringify({ auths: { 'https://quay.io': { auth: Buffer.from('a:fake-check-unreadable').toString('base64') } } }), { mode: 0o600 });
    const dir = join(sb.home, 'adir');
    await mkdir(dir);
    const r = await sb.credkit(['check', dir, clean, '--json']);
    expect(r.code, r.stderr).to.equal(1);
    const report = JSON.parse(r.stdout) as { checked: string[]; errors: number; findings: { code: string; file: string; message: string }[] };
    expect(report.checked).to.deep.equal([clean]);
    expect(report.findings.map((f) => [f.code, f.file])).to.deep.equal([['unreadable', dir], ['key-form', clean]]);
    expect(report.findings[0]?.message).to.equal('is a directory, not a file');
    const text = await sb.credkit(['check', dir, clean]);
    expect(text.code).to.equal(1);
    expect(text.stdout).to.include(`error: ${dir}: is a directory, not a file [unreadable]\n`);
    expect(text.stdout).to.include('1 file checked: 1 error, 1 warning');

    // Permission denied: root reads any file, so as root the check gives up the capabilities that
    // override file permissions (still uid 0, so the checkout stays readable).
    const asRoot = process.getuid?.() === 0;
    if (asRoot) await skipUnlessPrograms(this, ['setpriv']);
    const locked = join(sb.home, 'locked.json');
    await writeFile(locked, '{"auths":{}}', { mode: 0o600 });
    await chmod(locked, 0o000);
    const denied = asRoot
      ? await run('setpriv', ['--bounding-set=-dac_override,-dac_read_search', '--', process.execPath, BIN.credkit, 'check', locked, clean, '--json'], { env: sb.env })
      : await sb.credkit(['check', locked, clean, '--json']);
    expect(denied.code, denied.stderr).to.equal(1);
    const deniedReport = JSON.parse(denied.stdout) as typeof report;
    expect(deniedReport.checked).to.deep.equal([clean]);
    expect(deniedReport.findings.map((f) => [f.code, f.file, f.message])).to.deep.include(['unreadable', locked, 'permission denied']);
    expect(denied.stdout.includes('fake-check-unreadable')).to.equal(false);
  });

  it('check flags a file others can read, and only notes one that holds no secret', async () => {
    const p = join(sb.home, 'open.json');
    await writeFile(p, JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('alice:fake-open-pw').toString('base64') } } }));
    await chmod(p, 0o644);
    let r = await sb.credkit(['check', p, '--json']);
    expect(r.code).to.equal(1);
    expect(JSON.parse(r.stdout).findings[0]).to.include({ severity: 'error', code: 'world-readable' });
    await writeFile(p, '{"auths":{}}');
    r = await sb.credkit(['check', p, '--json']);
    expect(r.code, r.stdout).to.equal(0);
    expect(JSON.parse(r.stdout).findings[0]).to.include({ severity: 'note', code: 'world-readable' });
  });

  it('convert and merge --from docker|podman refuse a JSON Kubernetes Secret (it is no auth file) rather than write its fields into a config.json; nothing is written', async () => {
    const payload = Buffer.from(JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('q:fake-kube-pw').toString('base64') } } })).toString('base64');
    const secret = join(sb.home, 'pull.json');
    await writeFile(secret, JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'regcred' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': payload } }));
    const out = join(sb.home, 'out.json');
    for (const [from, what] of [['docker', 'a config.json'], ['podman', 'an auth.json']] as const) {
      const r = await sb.credkit(['convert', secret, '--from', from, '--to', 'docker', '-o', out]);
      expect([r.code, r.stdout, r.stderr]).to.deep.equal([1, '', `credkit: ${secret}: a Kubernetes Secret manifest, not ${what} though --from ${from} says so: drop --from, or use --from secret\n`]);
    }
    const merged = await sb.credkit(['merge', fx('docker-config/basic.json'), secret, '--from', 'docker', '--to', 'docker', '-o', out]);
    expect([merged.code, merged.stderr]).to.deep.equal([1, `credkit: ${secret}: a Kubernetes Secret manifest, not a config.json though --from docker says so: drop --from, or use --from secret\n`]);
    let written = true;
    await stat(out).catch(() => (written = false));
    expect(written).to.equal(false);
    // Detected, or with --from secret, it is read as the pull secret it is.
    for (const args of [[], ['--from', 'secret']]) {
      const r = await sb.credkit(['convert', secret, ...args, '--to', 'docker']);
      expect(r.code, args.join(' ')).to.equal(0);
      expect(Object.keys(JSON.parse(r.stdout))).to.deep.equal(['auths']);
    }
  });

  it('usage errors exit 2', async () => {
    const r = await sb.credkit(['convert', fx('docker-config/basic.json')]);
    expect(r.code).to.equal(2);
    const m = await sb.credkit(['merge', fx('docker-config/basic.json'), '--to', 'docker', '--prefer', 'first', '--fail-on-conflict']);
    expect(m.code).to.equal(2);
    const empty = await sb.credkit(['convert', fx('docker-config/basic.json'), '--to', 'podman', '-o', '']);
    expect([empty.code, empty.stderr]).to.deep.equal([2, 'credkit: -o needs a file name (or - for standard output)\n']);
    // The core names the library's option; convert names its flag.
    const name = await sb.credkit(['convert', fx('secrets/list-of-two.yaml'), '--to', 'secret', '--name', 'one']);
    expect([name.code, name.stdout, name.stderr]).to.deep.equal([2, '', 'credkit: --name needs a single input Secret; this input holds several\n']);
  });

  it('ls of a file it cannot read: the error, and no "no credentials" line after it', async () => {
    const r = await sb.credkit(['ls', join(sb.home, 'missing.json')]);
    expect([r.code, r.stdout]).to.deep.equal([1, '']);
    expect(r.stderr).to.match(/missing\.json: no such file/);
  });
});
