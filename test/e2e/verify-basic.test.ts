/**
 * verifyCredentials against a real Distribution registry with htpasswd (Basic) auth and a
 * self-signed certificate on 127.0.0.1: right and wrong passwords, the three ways to get past TLS
 * verification (CA file, cert dir, insecure) and the failures that must name their fix.
 */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryError, UnauthorizedError, UsageError } from '../../src/errors.js';
import { verifyCredentials } from '../../src/registry-client/verify.js';
import { startRegistry, type Registry } from '../support/registry.js';
import { errorText, rejection } from '../support/rejection.js';
import { skipUnlessPrograms } from '../support/sandbox.js';
import { makeCert } from '../support/token-registry.js';

const USERS = { alice: 'fake-alice-pw', bob: 'fake-bob-pw' };
const WRONG = 'fake-not-alices-pw';

function listen<T extends NetServer | HttpServer>(server: T): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolvePromise(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}

function close(server: NetServer | HttpServer): Promise<void> {
  return new Promise((resolvePromise) => server.close(() => resolvePromise()));
}

describe('e2e: verifyCredentials against a real registry (Basic)', function () {
  let registry: Registry | undefined;
  let work: string;

  before(async function () {
    await skipUnlessPrograms(this, ['docker-registry', 'htpasswd', 'openssl']);
    registry = await startRegistry({ users: USERS });
    work = await mkdtemp(join(tmpdir(), 'credkit-verify-'));
  });
  after(async () => {
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('accepts the right password through a cert dir, and the registry accepted it', async () => {
    const r = registry!;
    const mark = r.logMark();
    const result = await verifyCredentials({ registry: r.host, username: 'alice', password: USERS.alice, tls: { certDir: r.certDir }, timeoutMs: 20_000 });
    expect(result).to.deep.equal({ ok: true, method: 'basic', url: `https://${r.host}/v2/` });
    // An anonymous ping, then one accepted request (the registry logs no name for /v2/ itself).
    expect(r.authEvents(mark)).to.deep.equal([{ outcome: 'anonymous' }, { outcome: 'accepted' }]);
    expect(r.rejectedUsers(mark)).to.deep.equal([]);
  });

  it('accepts the right password with the CA given as a file', async () => {
    const r = registry!;
    const result = await verifyCredentials({ registry: r.host, username: 'bob', password: USERS.bob, tls: { caFiles: [r.caFile] } });
    expect(result.method).to.equal('basic');
  });

  it('rejects a wrong password with an unauthorized error that names user and host, not the password', async () => {
    const r = registry!;
    const mark = r.logMark();
    const err = await rejection(verifyCredentials({ registry: r.host, username: 'alice', password: WRONG, tls: { certDir: r.certDir } }));
    expect(err).to.be.instanceOf(UnauthorizedError);
    expect(err.code).to.equal('UNAUTHORIZED');
    expect(err.message).to.equal(`unauthorized: incorrect username or password for alice at ${r.host}`);
    expect(errorText(err)).to.not.contain(WRONG);
    expect(r.rejectedUsers(mark)).to.deep.equal(['alice']);
    expect(r.acceptedUsers(mark)).to.deep.equal([]);
  });

  it('rejects an unknown user the same way', async () => {
    const r = registry!;
    const err = await rejection(verifyCredentials({ registry: r.host, username: 'mallory', password: 'fake-mallory-pw', tls: { certDir: r.certDir } }));
    expect(err).to.be.instanceOf(UnauthorizedError);
    expect(err.message).to.contain(`for mallory at ${r.host}`);
  });

  it('without the CA fails on TLS and names --cert-dir and --insecure', async () => {
    const r = registry!;
    const mark = r.logMark();
    const err = await rejection(verifyCredentials({ registry: r.host, username: 'alice', password: USERS.alice }));
    expect(err).to.be.instanceOf(RegistryError);
    expect((err as RegistryError).failure).to.equal('tls');
    expect(err.message).to.contain(r.host).and.contain('--cert-dir').and.contain('--insecure');
    expect(errorText(err)).to.not.contain(USERS.alice);
    // Nothing reached the registry's auth: the handshake failed first.
    expect(r.authEvents(mark)).to.deep.equal([]);
  });

  it('with insecure: true skips verification and checks the password', async () => {
    const r = registry!;
    const ok = await verifyCredentials({ registry: r.host, username: 'alice', password: USERS.alice, tls: { insecure: true } });
    expect(ok.method).to.equal('basic');
    const err = await rejection(verifyCredentials({ registry: r.host, username: 'alice', password: WRONG, tls: { insecure: true } }));
    expect(err).to.be.instanceOf(UnauthorizedError);
  });

  it('a cert dir with a key but no client certificate is a usage error naming both files', async () => {
    const dir = join(work, 'bad-cert-dir');
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    await writeFile(join(dir, 'client.key'), 'not a real key\n');
    const err = await rejection(verifyCredentials({ registry: registry!.host, username: 'alice', password: USERS.alice, tls: { certDir: dir } }));
    expect(err).to.be.instanceOf(UsageError);
    expect(err.message).to.contain('client.key').and.contain('client.cert');
  });

  it('an identity token cannot answer a Basic challenge', async () => {
    const r = registry!;
    const err = await rejection(verifyCredentials({ registry: r.host, identityToken: 'fake-identity-token', tls: { certDir: r.certDir } }));
    expect(err).to.be.instanceOf(UsageError);
    expect(err.message).to.contain('Basic').and.not.contain('fake-identity-token');
  });

  it('a port nobody listens on gives "connection refused" naming the host', async () => {
    const server = createNetServer();
    const port = await listen(server);
    await close(server); // the kernel gave us a free port; now nothing listens on it
    const err = await rejection(verifyCredentials({ registry: `127.0.0.1:${port}`, username: 'alice', password: USERS.alice, tls: { insecure: true } }));
    expect(err).to.be.instanceOf(RegistryError);
    expect((err as RegistryError).failure).to.equal('network');
    expect(err.message).to.equal(`cannot connect to 127.0.0.1:${port}: connection refused`);
  });

  it('a server that never answers runs into the time budget, named in the error', async () => {
    const sockets: Socket[] = [];
    const server = createNetServer((s) => void sockets.push(s)); // accepts, then says nothing
    const port = await listen(server);
    try {
      const err = await rejection(verifyCredentials({ registry: `127.0.0.1:${port}`, username: 'alice', password: USERS.alice, timeoutMs: 300 }));
      expect(err).to.be.instanceOf(RegistryError);
      expect((err as RegistryError).failure).to.equal('timeout');
      expect(err.message).to.equal(`127.0.0.1:${port} did not answer within 300ms`);
    } finally {
      for (const s of sockets) s.destroy();
      await close(server);
    }
  });

  it('a host[:port] with a scheme or path is a usage error', async () => {
    for (const bad of ['https://127.0.0.1:5000', '127.0.0.1:5000/team', 'host name']) {
      const err = await rejection(verifyCredentials({ registry: bad, username: 'alice', password: USERS.alice }));
      expect(err, bad).to.be.instanceOf(UsageError);
    }
  });

  it('a host[:port] that no URL can hold (port over 65535, bad IPv4 or IPv6, bad punycode) is a usage error naming it', async () => {
    for (const bad of ['127.0.0.1:99999', '999.1.1.1', '1.2.3.4.5', '[1:2]', 'xn--zz']) {
      const err = await rejection(verifyCredentials({ registry: bad, username: 'alice', password: USERS.alice }));
      expect(err, bad).to.be.instanceOf(UsageError);
      expect(err.message).to.equal(`not a registry host[:port]: "${bad}" is not a valid host name, IP address or port`);
    }
  });
});

describe('e2e: verifyCredentials plain-HTTP fallback (node stand-in registry)', function () {
  // The real registry harness serves TLS only, so a plain-HTTP /v2/ is a small node server that
  // answers like an htpasswd registry.
  let server: HttpServer;
  let host: string;
  const seen: string[] = [];

  before(async () => {
    server = createHttpServer((req, res) => {
      seen.push(req.headers.authorization === undefined ? 'anonymous' : 'credentials');
      const expected = `Basic ${Buffer.from(`alice:${USERS.alice}`).toString('base64')}`;
      if (req.url === '/v2/' && req.headers.authorization === expected) {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
        return;
      }
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="stand-in"', 'Content-Type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    });
    host = `127.0.0.1:${await listen(server)}`;
  });
  after(async () => {
    await close(server);
  });

  it('insecure alone stays on HTTPS and fails its handshake', async () => {
    seen.length = 0;
    const err = await rejection(verifyCredentials({ registry: host, username: 'alice', password: USERS.alice, tls: { insecure: true } }));
    expect(err).to.be.instanceOf(RegistryError);
    expect((err as RegistryError).failure).to.equal('tls');
    expect(err.message).to.contain(host);
    expect(seen).to.deep.equal([]); // no HTTP request was ever made
  });

  it('allowHttp without insecure is ignored', async () => {
    const err = await rejection(verifyCredentials({ registry: host, username: 'alice', password: USERS.alice, tls: { allowHttp: true } }));
    expect((err as RegistryError).failure).to.equal('tls');
  });

  it('insecure + allowHttp falls back to http:// and checks the password there', async () => {
    seen.length = 0;
    const ok = await verifyCredentials({ registry: host, username: 'alice', password: USERS.alice, tls: { insecure: true, allowHttp: true } });
    expect(ok).to.deep.equal({ ok: true, method: 'basic', url: `http://${host}/v2/` });
    expect(seen).to.deep.equal(['anonymous', 'credentials']);
    const err = await rejection(verifyCredentials({ registry: host, username: 'alice', password: WRONG, tls: { insecure: true, allowHttp: true } }));
    expect(err).to.be.instanceOf(UnauthorizedError);
  });
});

describe('e2e: verifyCredentials with a client certificate from the cert dir (node stand-in registry)', function () {
  // Distribution's client-certificate setting would need another harness mode; a node HTTPS server
  // that demands a client certificate shows that *.cert/*.key pairs are sent.
  let server: HttpServer | undefined;
  let host: string;
  let work: string;
  let withClient: string;
  let caOnly: string;

  before(async function () {
    await skipUnlessPrograms(this, ['openssl']);
    work = await mkdtemp(join(tmpdir(), 'credkit-mtls-'));
    const serverCert = await makeCert(work, 'server', 'server');
    const clientCert = await makeCert(work, 'client', 'signing');
    withClient = join(work, 'with-client');
    caOnly = join(work, 'ca-only');
    for (const d of [withClient, caOnly]) {
      await mkdir(d);
      await writeFile(join(d, 'ca.crt'), await readFile(serverCert.cert));
    }
    await writeFile(join(withClient, 'client.cert'), await readFile(clientCert.cert));
    await writeFile(join(withClient, 'client.key'), await readFile(clientCert.key));
    const https = createHttpsServer(
      { cert: await readFile(serverCert.cert), key: await readFile(serverCert.key), ca: await readFile(clientCert.cert), requestCert: true, rejectUnauthorized: true },
      (_req, res) => void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'),
    );
    server = https;
    host = `127.0.0.1:${await listen(https)}`;
  });
  after(async () => {
    if (server) await close(server);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('sends the client certificate, and the open registry answers without asking for a login', async () => {
    const ok = await verifyCredentials({ registry: host, username: 'alice', password: USERS.alice, tls: { certDir: withClient } });
    expect(ok).to.deep.equal({ ok: true, method: 'none', url: `https://${host}/v2/` });
  });

  it('without the client certificate the handshake fails, naming the host and --cert-dir', async () => {
    const err = await rejection(verifyCredentials({ registry: host, username: 'alice', password: USERS.alice, tls: { certDir: caOnly } }));
    expect(err).to.be.instanceOf(RegistryError);
    expect(err.message).to.contain(host).and.contain('--cert-dir');
  });
});
