/**
 * How `credkit` reads its command line, through the shipped bin: options given twice, `-` and
 * `--` operands, and what it does when standard output cannot be written.
 */
import { expect } from 'chai';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES, makeSandbox } from '../support/sandbox.js';
import type { Sandbox } from '../support/sandbox.js';

describe('e2e: credkit command line', function () {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await makeSandbox();
  });
  afterEach(async () => sb.cleanup());

  const fx = (p: string) => join(FIXTURES, p);

  it('an option given twice takes its last value, as docker and podman flags do (it converted nothing, crashed, or stored the username "a,b")', async () => {
    const to = await sb.credkit(['convert', fx('docker-config/basic.json'), '--to', 'docker', '--to', 'podman']);
    expect(to.code, to.stderr).to.equal(0);
    expect(JSON.parse(to.stdout)).to.have.property('auths');

    const out = await sb.credkit(['convert', fx('docker-config/basic.json'), '--to', 'podman', '-o', join(sb.home, 'a.json'), '--output', join(sb.home, 'b.json')]);
    expect(out.code, out.stderr).to.equal(0);
    expect(out.stderr).to.equal('');
    expect((await readdir(sb.home)).filter((f) => f.endsWith('.json'))).to.deep.equal(['b.json']);

    const backend = await sb.credkit(['store', 'list', '--backend', 'env', '--backend', 'file', '--json']);
    expect(backend.code, backend.stderr).to.equal(0);
    expect(JSON.parse(backend.stdout)).to.deep.equal({});

    const authfile = join(sb.home, 'auth.json');
    const login = await sb.credkit(['login', 'registry.example.com', '-u', 'fake-a', '--username', 'fake-b', '--password-stdin', '--no-verify', '--authfile', authfile], 'fake-password');
    expect(login.code, login.stderr).to.equal(0);
    const auth = (JSON.parse(await readFile(authfile, 'utf8')) as { auths: Record<string, { auth: string }> }).auths['registry.example.com']?.auth;
    expect(Buffer.from(auth ?? '', 'base64').toString().startsWith('fake-b:')).to.equal(true);

    // A boolean twice is still that boolean: --json twice prints JSON, on failure too.
    const json = await sb.credkit(['ls', join(sb.home, 'missing.json'), '--json', '--json']);
    expect(json.code).to.equal(1);
    expect(JSON.parse(json.stdout)).to.have.property('errors');
  });

  it('options declared repeatable keep every value (explain --as, --secret)', async () => {
    const r = await sb.credkit(['explain', 'quay.io/org/app', '--as', 'docker', '--as', 'kubelet', '--secret', fx('docker-config/basic.json'), '--secret', fx('docker-config/basic.json'), '--json']);
    expect(r.code, r.stderr).to.equal(0);
    expect((JSON.parse(r.stdout) as { clients: { client: string }[] }).clients.map((c) => c.client)).to.deep.equal(['docker', 'kubelet']);
  });
});

