/**
 * The contract every backend passes against its real store, through the shipped helper binary:
 * add → get → list → replace → delete → not found, plus the protocol's edge cases.
 */
import { expect } from 'chai';
import type { Sandbox } from '../support/sandbox.js';

const NOT_FOUND = 'credentials not found in native keychain\n';

/** How a backend's test provides a sandbox whose env selects that backend. */
export interface ContractSetup {
  /** A fresh sandbox with the backend selected and its store empty. */
  sandbox(): Promise<Sandbox>;
}

function storeInput(serverURL: string, username: string, secret: string): string {
  return `${JSON.stringify({ ServerURL: serverURL, Username: username, Secret: secret })}\n`;
}

/** Registers the contract's tests in the current describe block. */
export function runStoreContract(setup: ContractSetup): void {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await setup.sandbox();
  });
  afterEach(async () => {
    await sb?.cleanup();
  });

  it('add → get → list → replace → erase → not found', async () => {
    let r = await sb.helper('store', storeInput('https://index.docker.io/v1/', 'alice', 'fake-s3cret'));
    expect(r.stdout).to.equal('');
    expect(r.code, r.stdout).to.equal(0);

    r = await sb.helper('get', 'https://index.docker.io/v1/');
    expect(r.code, r.stdout).to.equal(0);
    expect(r.stdout).to.equal('{"ServerURL":"https://index.docker.io/v1/","Username":"alice","Secret":"fake-s3cret"}\n');

    r = await sb.helper('store', storeInput('quay.io', 'bob', 'fake-pw2'));
    expect(r.code, r.stdout).to.equal(0);
    r = await sb.helper('list', 'unused');
    expect(r.code, r.stdout).to.equal(0);
    expect(r.stdout).to.equal('{"https://index.docker.io/v1/":"alice","quay.io":"bob"}\n');

    // Replacing keeps exactly one credential per URL, with the new username (pass keeps the old one).
    r = await sb.helper('store', storeInput('quay.io', 'carol', 'fake-pw3'));
    expect(r.code, r.stdout).to.equal(0);
    r = await sb.helper('get', 'quay.io');
    expect(r.stdout).to.equal('{"ServerURL":"quay.io","Username":"carol","Secret":"fake-pw3"}\n');
    r = await sb.helper('list', 'unused');
    expect(r.stdout).to.equal('{"https://index.docker.io/v1/":"alice","quay.io":"carol"}\n');

    r = await sb.helper('erase', 'quay.io');
    expect(r.code, r.stdout).to.equal(0);
    expect(r.stdout).to.equal('');
    r = await sb.helper('get', 'quay.io');
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal(NOT_FOUND);
    r = await sb.helper('list', 'unused');
    expect(r.stdout).to.equal('{"https://index.docker.io/v1/":"alice"}\n');
    r = await sb.helper('erase', 'https://index.docker.io/v1/');
    expect(r.code).to.equal(0);
    r = await sb.helper('list', 'unused');
    expect(r.stdout).to.equal('{}\n');
  });

  it('keys are exact: docker.io and https://index.docker.io/v1/ are different entries', async () => {
    await sb.helper('store', storeInput('docker.io', 'podman-user', 'fake-a'));
    const r = await sb.helper('get', 'https://index.docker.io/v1/');
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal(NOT_FOUND);
  });

  it('identity tokens round-trip with Username "<token>" (Go-escaped on the wire)', async () => {
    const r1 = await sb.helper('store', '{"ServerURL":"ghcr.io","Username":"\\u003ctoken\\u003e","Secret":"fake-tok-123"}\n');
    expect(r1.code, r1.stdout).to.equal(0);
    const r = await sb.helper('get', 'ghcr.io');
    expect(r.stdout).to.equal('{"ServerURL":"ghcr.io","Username":"\\u003ctoken\\u003e","Secret":"fake-tok-123"}\n');
    const l = await sb.helper('list', 'unused');
    expect(l.stdout).to.equal('{"ghcr.io":"\\u003ctoken\\u003e"}\n');
  });

  it('a 64 KiB+ secret and awkward characters come back intact', async () => {
    const big = 'fake-' + 'x'.repeat(70_000) + ':p"a\\ss<>&\u00e9\u2028';
    let r = await sb.helper('store', storeInput('registry.example.com:5000', 'u:ser', big));
    expect(r.code, r.stdout.slice(0, 200)).to.equal(0);
    r = await sb.helper('get', 'registry.example.com:5000');
    expect(r.code).to.equal(0);
    expect(JSON.parse(r.stdout).Secret).to.equal(big);
    expect(JSON.parse(r.stdout).Username).to.equal('u:ser');
  });

  it('a server URL named like an Object.prototype member is stored and listed like any other', async () => {
    for (const url of ['__proto__', 'constructor']) {
      const r = await sb.helper('store', storeInput(url, `u-${url}`, 'fake-proto'));
      expect(r.code, r.stdout).to.equal(0);
      const got = await sb.helper('get', url);
      expect(got.stdout).to.equal(`{"ServerURL":"${url}","Username":"u-${url}","Secret":"fake-proto"}\n`);
    }
    const list = await sb.helper('list', 'unused');
    expect(list.stdout).to.equal('{"__proto__":"u-__proto__","constructor":"u-constructor"}\n');
  });

  it('an empty secret is accepted', async () => {
    let r = await sb.helper('store', storeInput('empty.example.com', 'bob', ''));
    expect(r.code, r.stdout).to.equal(0);
    r = await sb.helper('get', 'empty.example.com');
    expect(r.stdout).to.equal('{"ServerURL":"empty.example.com","Username":"bob","Secret":""}\n');
  });

  it('erasing a missing entry succeeds and get of a missing entry is the exact not-found text', async () => {
    let r = await sb.helper('erase', 'nothere.example.com');
    expect(r.code, r.stdout).to.equal(0);
    r = await sb.helper('get', 'nothere.example.com');
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal(NOT_FOUND);
  });
}
