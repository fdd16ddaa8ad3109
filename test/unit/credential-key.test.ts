/**
 * A key that holds a credential instead of a registry (a swapped key and "auth", a user:password
 * where the host belongs) is recognised, never a real registry key, and every report of the
 * library names it by its stand-in.
 */
import { expect } from 'chai';
import { ParseError } from '../../src/errors.js';
import { checkAuthInput, convertAuthSync, listEntries, parseAuthText } from '../../src/index.js';
import { shownKey } from '../../src/redact.js';
import { credentialInKey } from '../../src/registry.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
// base64("fake-user:fake-password"), as a swapped config.json has it for its key.
const SWAPPED = b64('fake-user:fake-password');

describe('credentialInKey', () => {
  const registries = [
    'quay.io', 'quay.io:443', 'localhost', 'localhost:5000', 'registry', 'myregistry', 'myregistry:5000', 'Registry',
    '[::1]:5000', '[fe80::1]', 'fe80::1', '::1', '10.0.0.1:5000', 'quay.io/org/repo', 'quay.io/org/', 'quay.io/',
    'https://index.docker.io/v1/', 'http://localhost:5000/v1/', 'docker.io', 'index.docker.io', 'registry-1.docker.io',
    'docker.io/library/nginx', 'localhost/org/app', 'registry/org', 'nexus:8443/docker', 'https://alice:fake-pw@quay.io',
    'alice:fake-pw@quay.io', 'quay.io/org/app:tag', 'quay.io/org/app@sha256:abc', '', '/', 'https://', 'ghcr.io',
    'gitlab-registry', 'harbor', 'artifactory', 'nexus', 'k8s-registry', 'registry.local', 'host:',
    '*.example.com', 'AQAB', 'dockerhub', 'ecr', 'MyRegistry:5000',
    // Saved accounts' keys (account-key.ts): the server URL in front decides.
    'localhost:5000#credkit-account=work', 'myregistry:5000#credkit-account=ci-bot', 'registry#credkit-account=a',
    'quay.io#credkit-account=work', 'https://index.docker.io/v1/#credkit-account=me', 'LOCALHOST:5000', '[::1]:5000/v1/',
    // Hosts however written: a stray space before the port, IPv6 with an IPv4 tail or a zone, a port before a path.
    'localhost: 5000', '::ffff:10.0.0.1', 'fe80::1%eth0', 'quay.io:443/org/app:tag', 'localhost:5000/org', 'https://quay.io:443', 'host:/path', 'quay.io:*',
    // credkit's own stand-ins, as quoted in findings.
    'credHelpers[<entry #1 of credHelpers, hidden: it looks like a user:password>]', '<hidden: it looks like a user:password>',
  ];
  for (const key of registries) it(`keeps ${JSON.stringify(key)}`, () => expect(credentialInKey(key)).to.equal(undefined));

  const credentials: [string, string][] = [
    [SWAPPED, 'base64-user-password'],
    [SWAPPED.replace(/=+$/, ''), 'base64-user-password'],
    [b64('alice:s3cr3t'), 'base64-user-password'],
    [b64('robot$ci+bot:fake-Tok/en+=='), 'base64-user-password'],
    [b64('fake-user:fake-päss'), 'base64-user-password'],
    ['fake-user:fake-password', 'user-password'],
    ['alice:s3cret', 'user-password'],
    ['alice:fake-pw:with-colons', 'user-password'],
    [':fake-password', 'user-password'],
    [`${SWAPPED}#credkit-account=work`, 'base64-user-password'],
    ['fake-user:fake-password#credkit-account=work', 'user-password'],
    // A user name or password with a dot, a slash or spaces in it: still no host, port or path.
    ['user:pa.ss', 'user-password'],
    ['john.doe:s3cret', 'user-password'],
    [b64('user:pa.ss'), 'base64-user-password'],
    ['alice:pa/ss', 'user-password'],
    ['robot$ci+bot:fake-Tok/en+==', 'user-password'],
    ['alice:correct horse battery', 'user-password'],
    // A quote is in no host, so a key with one after its ":" is a password (a template that kept its quotes).
    ['alice:"fake-pw"', 'user-password'],
    ['alice:fake-p"w', 'user-password'],
    ['quay.io:fake-pw', 'user-password'],
    // An image with a tag has the shape of a user:password, and a password can look like a tag
    // (admin:latest, a version then a token): hidden whatever the tag, when in doubt.
    ['nginx:fake-tag', 'user-password'],
    ['alice:v2', 'user-password'],
    ['Alice:1.0', 'user-password'],
    ['alice:latest-fake-pw', 'user-password'],
    ['nginx:latest', 'user-password'],
    ['ubuntu:22.04', 'user-password'],
    ['node:20-alpine', 'user-password'],
    ['admin:stable', 'user-password'],
    ['deploy:1.2.3', 'user-password'],
    ['ci-bot:2.0.fake-Xk9Lq2mZpT', 'user-password'],
    ['ci:3.14-fake_Token', 'user-password'],
  ];
  for (const [key, kind] of credentials) it(`hides ${key.slice(0, 12)}… (${kind})`, () => expect(credentialInKey(key)).to.equal(kind));

  it('a stand-in is never taken for a credential itself', () => {
    const shown = shownKey(SWAPPED, { index: 2, member: 'auths' });
    expect(shown).to.equal('<entry #2 of auths, hidden: it looks like a base64 user:password>');
    expect(shownKey(shown)).to.equal(shown);
    expect(shownKey('fake-user:fake-password')).to.equal('<hidden: it looks like a user:password>');
    expect(shownKey('quay.io')).to.equal('quay.io');
  });
});

describe('library reports name a credential key by its stand-in', () => {
  const text = JSON.stringify({ auths: { 'quay.io': { auth: b64('u:fake-pw') }, [SWAPPED]: { auth: 'quay.io' }, 'fake-user:fake-password': { auth: b64('u:fake-pw') } } });
  const leaks = (value: unknown) => {
    const s = typeof value === 'string' ? value : JSON.stringify(value);
    return s.includes(SWAPPED) || s.includes('fake-password') || s.includes(SWAPPED.slice(0, 12));
  };

  it('listEntries', () => {
    const rows = listEntries(parseAuthText(text, 'config.json').files);
    expect(leaks(rows)).to.equal(false);
    expect(rows.map((r) => r.key)).to.deep.equal(['quay.io', '<entry #2 of auths, hidden: it looks like a base64 user:password>', '<entry #3 of auths, hidden: it looks like a user:password>']);
    expect(rows[1]!.registry).to.equal(rows[1]!.key);
  });

  it('checkAuthInput: credential-in-key, with the swap named', () => {
    const findings = checkAuthInput({ text, source: 'config.json' });
    expect(leaks(findings)).to.equal(false);
    const hits = findings.filter((f) => f.code === 'credential-in-key');
    expect(hits.map((f) => [f.severity, f.key])).to.deep.equal([
      ['error', '<entry #2 of auths, hidden: it looks like a base64 user:password>'],
      ['error', '<entry #3 of auths, hidden: it looks like a user:password>'],
    ]);
    expect(hits[0]!.fix).to.equal('the key and "auth" look swapped: the key must be the registry (e.g. quay.io) and "auth" base64(user:password)');
    expect(hits[1]!.fix).to.match(/^the key holds a credential/);
  });

  it('checkAuthInput: a credHelpers key with a user name and password', () => {
    const findings = checkAuthInput({ text: JSON.stringify({ credHelpers: { 'alice:fake-pw@ghcr.io': 'pass', 'ghcr.io': 'pass' } }), source: 'config.json' });
    expect(leaks(findings)).to.equal(false);
    expect(findings.map((f) => [f.code, f.key, f.fix])).to.deep.equal([['credential-in-key', 'credHelpers[alice:********@ghcr.io]', 'rename the key to "ghcr.io" (the helper keeps the credential)']]);
  });

  it('checkAuthInput: a mistyped value under such a key (mistyped-value) names the stand-in', () => {
    const mistyped = JSON.stringify({
      auths: { 'quay.io': { auth: b64('u:fake-pw') }, 'fake-user:fake-password': { auth: 5 }, [SWAPPED]: { auth: b64('u:fake-pw'), email: 7 } },
      credHelpers: { 'fake-user:fake-password': 5 },
    });
    const findings = checkAuthInput({ text: mistyped, source: 'config.json' });
    expect(leaks(findings)).to.equal(false);
    expect(findings.filter((f) => f.code === 'mistyped-value').map((f) => f.key)).to.deep.equal([
      '<entry #2 of auths, hidden: it looks like a user:password>',
      '<entry #3 of auths, hidden: it looks like a base64 user:password>',
      'credHelpers[<entry #1 of credHelpers, hidden: it looks like a user:password>]',
    ]);
    // podman reads the file, ignoring "email": a warning, named the same way.
    const podman = checkAuthInput({ text: JSON.stringify({ auths: { [SWAPPED]: { auth: b64('u:fake-pw'), email: 7 } } }), source: 'auth.json' });
    expect(leaks(podman)).to.equal(false);
    expect(podman.filter((f) => f.code === 'mistyped-value').map((f) => f.key)).to.deep.equal(['<entry #1 of auths, hidden: it looks like a base64 user:password>']);
  });

  it('convertAuth refuses the entry, and its ParseError names the stand-in', () => {
    const plain = JSON.stringify({ auths: { 'quay.io': { auth: b64('u:fake-pw') }, 'fake-user:fake-password': { auth: b64('u:fake-pw') } } });
    let caught: unknown;
    try {
      convertAuthSync([{ text: plain, source: 'config.json' }], { to: 'podman' });
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ParseError);
    const err = caught as ParseError;
    expect(leaks(err.message) || leaks(err.key ?? '')).to.equal(false);
    expect(err.key).to.equal('<entry #2 of auths, hidden: it looks like a user:password>');
  });

  it('a ParseError thrown while reading names the stand-in', () => {
    let caught: unknown;
    try {
      parseAuthText(JSON.stringify({ auths: { [SWAPPED]: { auth: 5 } } }), 'auth.json', { from: 'podman' });
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ParseError);
    expect(leaks((caught as Error).message)).to.equal(false);
    expect((caught as Error).message).to.include('<entry #1 of auths, hidden: it looks like a base64 user:password>');
    expect(leaks(new ParseError('x', { file: 'f', key: SWAPPED }).message)).to.equal(false);
  });
});
