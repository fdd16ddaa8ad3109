/**
 * The library's openStore and copyCredentials, imported by the package's name as a script would,
 * against the real file store and auth files, the real pass (credkit's backend and
 * docker-credential-pass) and a real gnome-keyring on a private bus; copyCredentials also against
 * `credkit copy --json` run on the same stores.
 */
import { expect } from 'chai';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as credkit from 'credkit';
import type { CopyResult, HiddenStoreEntry, MaskedStoreEntry, Store, StoreCredential, StoreEntry } from 'credkit';
import { rejection } from '../support/rejection.js';
import { BIN, FIXTURES, makeSandbox, makeSandboxPerTest, run, skipUnlessPrograms, type Sandbox } from '../support/sandbox.js';
import { startSecretService, usePassStore, type RealBackend } from '../support/real-helpers.js';
import { uniqueService } from '../support/os-keyring.js';

const PW = 'fake-lib-store-password';
const PW2 = 'fake-lib-store-password-two';
const TOKEN = 'fake-lib-store-token';
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** The add → get → list → erase → not-found cycle every store runs, with a password and an identity token. */
async function cycle(store: Store): Promise<void> {
  await store.store({ serverURL: 'quay.io', username: 'bob', password: PW });
  await store.store({ serverURL: 'ghcr.io', identityToken: TOKEN });
  expect(await store.get('quay.io')).to.deep.equal({ serverURL: 'quay.io', username: 'bob', password: PW });
  expect(await store.get('ghcr.io')).to.deep.equal({ serverURL: 'ghcr.io', identityToken: TOKEN });
  // Exactly the server URL: no normalisation, as for every store.
  expect(await store.get('https://quay.io')).to.equal(undefined);
  const listed: StoreEntry[] = await store.list();
  expect(listed).to.deep.equal([
    { serverURL: 'ghcr.io', username: '', identityToken: true },
    { serverURL: 'quay.io', username: 'bob', identityToken: false },
  ]);
  expect(JSON.stringify(listed).includes('fake-')).to.equal(false);
  // Replacing leaves one credential per URL.
  await store.store({ serverURL: 'quay.io', username: 'carol', password: PW2 });
  expect(await store.get('quay.io')).to.deep.equal({ serverURL: 'quay.io', username: 'carol', password: PW2 });
  expect(await store.erase('quay.io')).to.equal(true);
  expect(await store.get('quay.io')).to.equal(undefined);
  expect((await store.list()).map((e) => e.serverURL)).to.deep.equal(['ghcr.io']);
  expect(await store.erase('ghcr.io')).to.equal(true);
  expect(await store.list()).to.deep.equal([]);
}

/**
 * Erases every hidden entry of one listing, in turn, by the entry list() gave: after the first the
 * numbers of the others have shifted, as in any script that loops over a listing.
 */
async function eraseHidden(store: Store): Promise<string[]> {
  const listed = await store.list();
  const hidden = listed.filter((e): e is HiddenStoreEntry => e.hidden === true);
  expect(hidden.every((e) => e.serverURL === `<entry #${e.entry} (id ${e.id}), hidden: ${e.serverURL.split('hidden: ')[1]}`)).to.equal(true);
  for (const e of hidden) expect(await store.erase(e)).to.equal(true);
  // Gone: the same handle again erases nothing.
  if (hidden[0]) expect(await store.erase(hidden[0])).to.equal(false);
  const after = await store.list();
  expect(JSON.stringify(after).includes('fake-')).to.equal(false);
  return after.map((e) => e.serverURL);
}

/**
 * Erases, by the entry list() gave, a key with a user name and password before the host that
 * `write` put in the store (as docker-credential-pass or an older script was given it): listed
 * masked, with a number and an id, and erased without the password; the handle goes by the id
 * when an entry sorted before it came in between, erases nothing once the entry is gone, and the
 * whole key still erases such an entry.
 */
async function eraseMasked(store: Store, write: (serverURL: string) => Promise<void>): Promise<void> {
  await write('alice:fake-lib-masked-pw1@ghcr.io');
  await write('quay.io');
  await write('https://carol:fake-lib-masked-pw2@registry.example/org');
  const listed = await store.list();
  expect(JSON.stringify(listed).includes('fake-lib-masked')).to.equal(false);
  const masked = listed.filter((e): e is MaskedStoreEntry => e.masked === true);
  expect(masked.map((e) => [e.serverURL, e.entry, e.hidden, /^[0-9a-f]{4}$/.test(e.id)])).to.deep.equal([
    ['alice:********@ghcr.io', 1, undefined, true],
    ['https://carol:********@registry.example/org', 2, undefined, true],
  ]);
  // Not hidden: a script that erases every hidden entry leaves it alone, as before.
  expect(listed.filter((e) => e.hidden)).to.deep.equal([]);
  // An entry sorted before both came in between: the id still finds each.
  await write('aaa:fake-lib-masked-pw3@ghcr.io');
  for (const e of masked) expect(await store.erase(e)).to.equal(true);
  expect(await store.erase(masked[0]!)).to.equal(false);
  expect((await store.list()).map((e) => e.serverURL)).to.deep.equal(['aaa:********@ghcr.io', 'quay.io']);
  expect(await store.erase('aaa:fake-lib-masked-pw3@ghcr.io')).to.equal(true);
  expect(await store.list()).to.deep.equal([{ serverURL: 'quay.io', username: 'bob', identityToken: false }]);
  expect(await store.erase('quay.io')).to.equal(true);
}

/** Credential-shaped keys as a helper or an older credkit wrote them: a user:password, and a swapped key and auth. */
const HIDDEN_KEYS = ['fake-user:fake-key-pw', b64('fake-user:fake-key-pw-two')];

describe('library: openStore and copyCredentials', function () {
  this.timeout(120_000);

  describe('the file backend and auth files', () => {
    let sb: Sandbox;
    makeSandboxPerTest({}, (made) => (sb = made));

    it('openStore("file") stores, gets, lists without secrets and erases, in the file credkit uses under env', async () => {
      const store = await credkit.openStore('file', { env: sb.env });
      expect(store.name).to.equal('file');
      await cycle(store);
      // The same file the CLI reads.
      await store.store({ serverURL: 'quay.io', username: 'bob', password: PW });
      const r = await sb.credkit(['store', 'list', '--backend', 'file', '--json']);
      expect(JSON.parse(r.stdout)).to.deep.equal({ 'quay.io': 'bob' });
    });

    it('openStore("authfile:~/…") reads and writes the auth file under home, keeping the username beside an identity token', async () => {
      const store = await credkit.openStore('authfile:~/ci/config.json', { env: { PATH: sb.env.PATH! }, home: sb.home });
      expect(store.name).to.equal('authfile:~/ci/config.json');
      await store.store({ serverURL: 'quay.io', identityToken: TOKEN, username: 'robot' });
      await store.store({ serverURL: 'ghcr.io', username: 'bob', password: PW });
      const file = JSON.parse(await readFile(join(sb.home, 'ci', 'config.json'), 'utf8'));
      expect(file).to.deep.equal({ auths: { 'quay.io': { auth: b64('robot:'), identitytoken: TOKEN }, 'ghcr.io': { auth: b64(`bob:${PW}`) } } });
      const credential: StoreCredential | undefined = await store.get('quay.io');
      expect(credential).to.deep.equal({ serverURL: 'quay.io', identityToken: TOKEN, username: 'robot' });
    });

    it('a key that holds a credential is listed by its stand-in, and a password before a host masked', async () => {
      const config = join(sb.home, 'config.json');
      const swapped = b64(`bob:${PW}`);
      await writeFile(config, JSON.stringify({ auths: { [swapped]: { auth: b64('x:y') }, 'alice:fake-in-url@ghcr.io': { auth: b64('alice:z') }, 'bob:fake-quokka fake-zephyr\tfake-tundra\u00a0fake-lantern@ghcr.io': { auth: b64('bob:z') } } }));
      const listed = await (await credkit.openStore(`authfile:${config}`, { env: sb.env })).list();
      expect(JSON.stringify(listed).includes('fake-')).to.equal(false);
      expect(listed.map((e) => [e.serverURL.replace(/id [0-9a-f]{4}/, 'id ID'), e.hidden ?? false])).to.deep.equal([
        ['alice:********@ghcr.io', false],
        ['bob:********@ghcr.io', false],
        ['<entry #3 (id ID), hidden: it looks like a base64 user:password>', true],
      ]);
    });

    it('erase takes a hidden entry list() gave, in an auth file, the file backend and the credkit store', async () => {
      const config = join(sb.home, 'config.json');
      await writeFile(config, JSON.stringify({ auths: { [HIDDEN_KEYS[0]!]: { auth: b64('bob:x') }, 'quay.io': { auth: b64(`alice:${PW}`) }, [HIDDEN_KEYS[1]!]: { auth: b64('carol:y') } } }));
      const authfile = await credkit.openStore(`authfile:${config}`, { env: sb.env });
      expect(await eraseHidden(authfile)).to.deep.equal(['quay.io']);
      expect(JSON.parse(await readFile(config, 'utf8'))).to.deep.equal({ auths: { 'quay.io': { auth: b64(`alice:${PW}`) } } });
      // credkit's file backend, written by its helper as a client would, alone and as the credkit store.
      for (const name of ['file', 'credkit']) {
        for (const key of [...HIDDEN_KEYS, 'quay.io']) {
          const r = await sb.helper('store', `${JSON.stringify({ ServerURL: key, Username: 'bob', Secret: PW })}\n`, { CREDKIT_BACKEND: 'file' });
          expect(r.code, r.stdout).to.equal(0);
        }
        expect(await eraseHidden(await credkit.openStore(name, { env: { ...sb.env, CREDKIT_BACKEND: 'file' } }))).to.deep.equal(['quay.io']);
        const left = JSON.parse(await readFile(join(sb.home, '.local', 'share', 'credkit', 'credentials.json'), 'utf8')) as { credentials: object };
        expect(Object.keys(left.credentials)).to.deep.equal(['quay.io']);
      }
      // What is no handle of a hidden entry is refused, quoting nothing.
      for (const bad of [{ entry: 1 }, { entry: 0, id: 'abcd' }, { entry: 1, id: 'fake' }, null]) {
        const err = await rejection(authfile.erase(bad as unknown as HiddenStoreEntry));
        expect([err.code, err.message]).to.deep.equal(['USAGE', 'erase takes a server URL, or a hidden or masked entry list() returned ({ entry, id }: its number and the four hex digits of its id)']);
      }
      expect(await authfile.erase({ entry: 1, id: '0000' })).to.equal(false);
      expect((await authfile.list()).map((e) => e.serverURL)).to.deep.equal(['quay.io']);
    });

    it('erase takes a masked entry list() gave (a password before the host), in an auth file, the file backend and the credkit store', async () => {
      const config = join(sb.home, 'config.json');
      const authfile = await credkit.openStore(`authfile:${config}`, { env: sb.env });
      // Written as a hand-made file or an older script has it: store() refuses such a key.
      const inFile = async (serverURL: string) => {
        const file = JSON.parse(await readFile(config, 'utf8').catch(() => '{"auths":{}}')) as { auths: Record<string, object> };
        file.auths[serverURL] = { auth: b64(`bob:${PW}`) };
        await writeFile(config, JSON.stringify(file));
      };
      await eraseMasked(authfile, inFile);
      expect(JSON.parse(await readFile(config, 'utf8'))).to.deep.equal({ auths: {} });
      for (const name of ['file', 'credkit']) {
        const byHelper = async (serverURL: string) => {
          const r = await sb.helper('store', `${JSON.stringify({ ServerURL: serverURL, Username: 'bob', Secret: PW })}\n`, { CREDKIT_BACKEND: 'file' });
          expect(r.code, r.stdout).to.equal(0);
        };
        await eraseMasked(await credkit.openStore(name, { env: { ...sb.env, CREDKIT_BACKEND: 'file' } }), byHelper);
      }
    });

    it('erasing each hidden or masked entry of one listing lists the store once: each erase is one get and one erase of the key it listed', async () => {
      const log = join(sb.home, 'calls.log');
      const env = { ...sb.env, CREDKIT_BACKEND: 'file', CREDKIT_TEST_HELPER_LOG: log, PATH: `${join(FIXTURES, 'helper-that-logs')}:${sb.env.PATH}` };
      const write = async (key: string) => {
        const r = await sb.helper('store', `${JSON.stringify({ ServerURL: key, Username: 'bob', Secret: PW })}\n`, { CREDKIT_BACKEND: 'file' });
        expect(r.code, r.stdout).to.equal(0);
      };
      for (const key of [...HIDDEN_KEYS, 'alice:fake-lib-masked-pw1@ghcr.io', 'quay.io']) await write(key);
      const calls = async () => (await readFile(log, 'utf8')).split('\n').filter((l) => l !== '');
      const store = await credkit.openStore('helper:logs', { env });
      const handles = (await store.list()).filter((e): e is HiddenStoreEntry | MaskedStoreEntry => e.hidden === true || e.masked === true);
      expect(handles).to.have.length(3);
      for (const e of handles) expect(await store.erase(e)).to.equal(true);
      // Gone: the same handle again erases nothing, and asks for no listing either.
      expect(await store.erase(handles[0]!)).to.equal(false);
      expect(await calls()).to.deep.equal(['list', 'get', 'erase', 'get', 'erase', 'get', 'erase', 'get']);
      expect((await store.list()).map((e) => e.serverURL)).to.deep.equal(['quay.io']);
      // A handle another store object listed is found again by a fresh listing, as before.
      await write('alice:fake-lib-masked-pw1@ghcr.io');
      await rm(log);
      expect(await (await credkit.openStore('helper:logs', { env })).erase(handles[0]!)).to.equal(true);
      expect(await calls()).to.deep.equal(['list', 'erase']);
      expect((await store.list()).map((e) => e.serverURL)).to.deep.equal(['quay.io']);
    });

    it('refuses what no store takes, never quoting a secret, with stable codes', async () => {
      const store = await credkit.openStore('file', { env: sb.env });
      const token = await rejection(store.store({ serverURL: 'quay.io', username: '<token>', password: PW }));
      expect(token).to.be.instanceOf(credkit.UsageError);
      expect(token.message).to.equal('the username "<token>" marks an identity token: give it as identityToken');
      const noUser = await rejection(store.store({ serverURL: 'quay.io', username: '', password: PW }));
      expect(noUser.code).to.equal('USAGE');
      expect(noUser.message.includes(PW)).to.equal(false);
      const unknown = await rejection(credkit.openStore('kechain', { env: sb.env }));
      expect(unknown).to.be.instanceOf(credkit.UsageError);
      expect(unknown.message).to.equal('unknown credkit backend "kechain" in the store name (choose one of: auto, keychain, keyutils, pass, file, env, credkit, helper:NAME, authfile:PATH)');
      expect((await rejection(credkit.openStore('', { env: sb.env }))).message).to.match(/^openStore needs a store name: one of auto, keychain/);
      const missing = await rejection(credkit.openStore('helper:credkit-test-absent', { env: sb.env }));
      expect(missing).to.be.instanceOf(credkit.StoreUnavailableError);
      expect(missing.code).to.equal('STORE_UNAVAILABLE');
      expect(missing.message).to.equal('credential helper docker-credential-credkit-test-absent is not on PATH; install it, or change the store name');
      const env = await credkit.openStore('env', { env: { ...sb.env, CREDKIT_CRED_A_SERVER: 'quay.io', CREDKIT_CRED_A_USERNAME: 'bob', CREDKIT_CRED_A_SECRET: PW } });
      expect(await env.get('quay.io')).to.deep.equal({ serverURL: 'quay.io', username: 'bob', password: PW });
      const readOnly = await rejection(env.store({ serverURL: 'ghcr.io', username: 'bob', password: PW }));
      expect(readOnly).to.be.instanceOf(credkit.ReadOnlyStoreError);
      expect(readOnly.code).to.equal('READ_ONLY');
    });

    it('store refuses a server URL that holds a credential, as credkit store store does, never quoting it', async () => {
      const store = await credkit.openStore('authfile:~/config.json', { env: sb.env });
      const cases: Array<[string, string]> = [
        [`bob:${PW}`, 'serverURL holds a user:password, not a registry'],
        [b64(`bob:${PW}`), 'serverURL holds what looks like a base64 user:password, not a registry'],
        [`https://bob:${PW}@ghcr.io`, 'serverURL holds a user name and password before the host'],
        // A passphrase: a space, a tab or a Unicode space in it ends no key.
        ...[' ', '\t', '\u00a0', '\u3000'].map((sp): [string, string] => [`bob:${PW}${sp}${PW2}@ghcr.io`, 'serverURL holds a user name and password before the host']),
      ];
      for (const [serverURL, start] of cases) {
        const err = await rejection(store.store({ serverURL, username: 'bob', password: PW }));
        expect(err.code).to.equal('USAGE');
        expect(err.message.startsWith(start), err.message.replaceAll(PW, 'PW')).to.equal(true);
        expect(JSON.stringify({ ...err, message: err.message, stack: err.stack }).includes(PW)).to.equal(false);
        // The CLI refuses the same URL (it never reaches the store: no secret on standard input needed).
        const cli = await sb.credkit(['store', 'store', '--backend', 'file', '-u', 'bob', '--password-stdin', serverURL]);
        expect(cli.code).to.equal(2);
      }
      expect(await store.list()).to.deep.equal([]);
      // A host with a port, or an image with a tag, is no credential.
      await store.store({ serverURL: 'localhost:5000', username: 'bob', password: PW });
      expect((await store.list()).map((e) => e.serverURL)).to.deep.equal(['localhost:5000']);
    });

    it('a helper that does not answer is stopped after helperTimeoutMs, and the error names helperTimeoutMs, not the CLI\'s settings', async () => {
      const env = { ...sb.env, PATH: `${join(FIXTURES, 'helper-that-hangs')}:${sb.env.PATH}` };
      const advice = '(raise helperTimeoutMs if it needs longer)';
      const store = await credkit.openStore('helper:hangs', { env, helperTimeoutMs: 300 });
      const got = await rejection(store.get('quay.io'));
      expect([got.code, got.message]).to.deep.equal(['HELPER', `docker-credential-hangs get did not finish within 0.3 s and was stopped ${advice}`]);
      // Also where credkit's own setting (from the env given) decided the timeout: the option replaces it.
      const copied = await rejection(credkit.copyCredentials('helper:hangs', 'authfile:~/out.json', { env: { ...env, CREDKIT_HELPER_TIMEOUT: '0.4' } }));
      expect(copied.message).to.equal(`docker-credential-hangs list did not finish within 0.4 s and was stopped ${advice}`);
      // credkit copy names the settings its user changes.
      const cli = await sb.credkit(['copy', '--from', 'helper:hangs', '--to', 'authfile:~/out.json'], '', { PATH: env.PATH, CREDKIT_HELPER_TIMEOUT: '0.4' });
      expect([cli.code, cli.stderr]).to.deep.equal([1, 'credkit: docker-credential-hangs list did not finish within 0.4 s and was stopped (raise CREDKIT_HELPER_TIMEOUT or [helpers] timeout if it needs longer)\n']);
    });

    it('a relative home is taken from cwd: the file store, config.ini and ~ of an authfile are under cwd/home', async () => {
      // Unique, and removed afterwards: taken from this process's directory instead, it would land there.
      const relative = `old-home-${process.pid}-${Date.now()}`;
      try {
        const home = join(sb.home, relative);
        await mkdir(join(home, '.config', 'credkit'), { recursive: true });
        await writeFile(join(home, '.config', 'credkit', 'config.ini'), '[file]\npath = ~/credentials.json\n');
        const options = { env: { PATH: sb.env.PATH! }, home: relative, cwd: sb.home };
        const store = await credkit.openStore('file', options);
        await store.store({ serverURL: 'quay.io', username: 'bob', password: PW });
        expect(JSON.parse(await readFile(join(home, 'credentials.json'), 'utf8'))).to.deep.equal({ credentials: { 'quay.io': { username: 'bob', secret: PW } } });
        const result = await credkit.copyCredentials('file', 'authfile:~/ci/config.json', options);
        expect(result.entries.map((e) => [e.serverURL, e.status])).to.deep.equal([['quay.io', 'copied']]);
        expect(JSON.parse(await readFile(join(home, 'ci', 'config.json'), 'utf8'))).to.deep.equal({ auths: { 'quay.io': { auth: b64(`bob:${PW}`) } } });
      } finally {
        await rm(relative, { recursive: true, force: true });
      }
    });

    it('a routed store that cannot be listed is in the notes of a copy from a store openStore opened, as from its name', async () => {
      // [routes] send ghcr.io to pass, which has no password store here: list leaves it out.
      await mkdir(join(sb.home, '.config', 'credkit'), { recursive: true });
      await writeFile(join(sb.home, '.config', 'credkit', 'config.ini'), 'backend = file\n[routes]\nghcr.io = pass\n');
      await (await credkit.openStore('file', { env: sb.env })).store({ serverURL: 'quay.io', username: 'bob', password: PW });
      const options = { env: sb.env, dryRun: true };
      const byName = await credkit.copyCredentials('credkit', 'authfile:~/out.json', options);
      expect(byName.notes).to.have.length(1);
      expect(byName.notes[0]).to.match(/^warning: list left out the credentials of ghcr\.io \(routed to pass\): pass backend: /);
      const opened = await credkit.openStore('credkit', { env: sb.env });
      expect((await credkit.copyCredentials(opened, 'authfile:~/out.json', options)).notes).to.deep.equal(byName.notes);
      const seen: string[] = [];
      const given = await credkit.copyCredentials(opened, 'authfile:~/out.json', { ...options, onWarning: (w) => seen.push(w) });
      expect([given.notes, seen]).to.deep.equal([[], byName.notes]);
      // Outside a copy, and with the store's own onWarning, the copy takes none of them.
      expect((await opened.list()).map((e) => e.serverURL)).to.deep.equal(['quay.io']);
      const own: string[] = [];
      const watched = await credkit.openStore('credkit', { env: sb.env, onWarning: (w) => own.push(w) });
      expect([(await credkit.copyCredentials(watched, 'authfile:~/out.json', options)).notes, own]).to.deep.equal([[], byName.notes]);
    });

    it('"auto" is what credkit run with env opens: the keychain where one is usable, else its configured fallback', async () => {
      // No session bus here, so no keychain: CREDKIT_FALLBACK (or fallback = in config.ini) decides.
      const env = { ...sb.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(sb.home, 'no-bus')}` };
      expect((await credkit.openStore('auto', { env: { ...env, CREDKIT_FALLBACK: 'file' } })).name).to.equal('file');
      // Without a fallback, auto is the keychain, which says what is missing when used (as the helper does).
      const keychain = await credkit.openStore('auto', { env });
      expect(keychain.name).to.equal('keychain');
      const none = await rejection(keychain.list());
      expect(none.code).to.equal('STORE_UNAVAILABLE');
      expect(none.message).to.match(/D-Bus session bus/);
    });

    it('copyCredentials copies between the file stores of two homes, verified, and reports as credkit copy --json does', async () => {
      const other = await makeSandbox();
      try {
        const from = await credkit.openStore('file', { env: sb.env });
        await from.store({ serverURL: 'quay.io', username: 'bob', password: PW });
        await from.store({ serverURL: 'https://index.docker.io/v1/', identityToken: TOKEN });
        const to = await credkit.openStore('file', { env: other.env });
        const planned: CopyResult = await credkit.copyCredentials(from, to, { dryRun: true });
        expect(planned.entries.map((e) => [e.serverURL, e.action, e.status])).to.deep.equal([
          ['https://index.docker.io/v1/', 'add', 'planned'],
          ['quay.io', 'add', 'planned'],
        ]);
        expect(await to.list()).to.deep.equal([]);
        const result = await credkit.copyCredentials(from, to, { move: true, registries: ['docker.io'] });
        expect(result).to.deep.equal({
          from: 'file',
          to: 'file',
          dryRun: false,
          move: true,
          ok: true,
          entries: [{ serverURL: 'https://index.docker.io/v1/', username: '<token>', action: 'add', status: 'moved', erased: true }],
          unmatched: [],
          accountsLeft: 0,
          notes: [],
        });
        expect(await to.get('https://index.docker.io/v1/')).to.deep.equal({ serverURL: 'https://index.docker.io/v1/', identityToken: TOKEN });
        expect((await from.list()).map((e) => e.serverURL)).to.deep.equal(['quay.io']);
        expect(JSON.stringify(result).includes('fake-')).to.equal(false);
      } finally {
        await other.cleanup();
      }
    });

    it('copyCredentials by name is credkit copy: the same report, the same refusals in the library\'s words', async () => {
      await (await credkit.openStore('file', { env: sb.env })).store({ serverURL: 'quay.io', username: 'bob', password: PW });
      const target = join(sb.home, 'out', 'config.json');
      const options = { env: sb.env, cwd: sb.home };
      const cli = await run(process.execPath, [BIN.credkit, 'copy', '--from', 'file', '--to', 'authfile:out/config.json', '--dry-run', '--json'], { cwd: sb.home, env: sb.env });
      expect(cli.code, cli.stderr).to.equal(0);
      const planned = await credkit.copyCredentials('file', 'authfile:out/config.json', { ...options, dryRun: true });
      expect(planned).to.deep.equal(JSON.parse(cli.stdout));
      const copied = await credkit.copyCredentials('file', 'authfile:out/config.json', options);
      expect(copied.ok).to.equal(true);
      expect(JSON.parse(await readFile(target, 'utf8'))).to.deep.equal({ auths: { 'quay.io': { auth: b64(`bob:${PW}`) } } });
      const message = async (p: Promise<unknown>) => {
        const err = await rejection(p);
        return [err.code, err.message];
      };
      expect(await message(credkit.copyCredentials('file', 'env', options))).to.deep.equal(['USAGE', 'to "env": that store is read-only; it can only be a source']);
      expect(await message(credkit.copyCredentials('authfile:out/config.json', 'authfile:./out/config.json', options))).to.deep.equal([
        'USAGE',
        `from "authfile:out/config.json" and to "authfile:./out/config.json" are the same store (file ${target}); nothing was changed`,
      ]);
      expect(await message(credkit.copyCredentials('authfile:absent.json', 'file', options))).to.deep.equal(['IO', `${join(sb.home, 'absent.json')}: no such file (named by from)`]);
      const fromStore = await credkit.openStore('file', { env: sb.env });
      expect(await message(credkit.copyCredentials(fromStore, { name: 'file' } as unknown as Store, options))).to.deep.equal(['USAGE', 'to must be a store name or a store openStore returned']);
      expect(await message(credkit.copyCredentials('file', 'file', options))).to.deep.equal(['USAGE', 'from and to name the same store']);
    });
  });

  describe('pass: credkit\'s backend and the real docker-credential-pass', function () {
    const pass = usePassStore(['docker-credential-pass']);
    let sb: Sandbox;
    makeSandboxPerTest(() => ({ ...pass.env }), (made) => (sb = made));

    it('openStore("pass") runs the store cycle, and helper:pass reads what it stored', async () => {
      const store = await credkit.openStore('pass', { env: sb.env });
      expect(store.name).to.equal('pass');
      await cycle(store);
      await store.store({ serverURL: 'quay.io', username: 'bob', password: PW });
      const helper = await credkit.openStore('helper:pass', { env: sb.env });
      expect(await helper.get('quay.io')).to.deep.equal({ serverURL: 'quay.io', username: 'bob', password: PW });
      // One store under two names: copy refuses it rather than erase what it "moved".
      const same = await rejection(credkit.copyCredentials(store, helper, { move: true }));
      expect(same.message).to.match(/^from "pass" and to "helper:pass" are the same store \(pass /);
      expect(await helper.erase('quay.io')).to.equal(true);
    });

    it('erase takes a hidden entry list() gave, written by the real docker-credential-pass, through pass and helper:pass', async () => {
      for (const name of ['pass', 'helper:pass']) {
        for (const key of [...HIDDEN_KEYS, 'quay.io']) {
          const r = await run('docker-credential-pass', ['store'], { input: JSON.stringify({ ServerURL: key, Username: 'bob', Secret: PW }), env: sb.env });
          expect(r.code, r.stdout).to.equal(0);
        }
        expect(await eraseHidden(await credkit.openStore(name, { env: sb.env }))).to.deep.equal(['quay.io']);
        const listed = await run('docker-credential-pass', ['list'], { env: sb.env });
        expect(Object.keys(JSON.parse(listed.stdout) as object)).to.deep.equal(['quay.io']);
        // The password store outlives this test: left as the next one expects it.
        expect(await (await credkit.openStore(name, { env: sb.env })).erase('quay.io')).to.equal(true);
      }
    });

    it('erase takes a masked entry list() gave, a key the real docker-credential-pass was given with a password before the host, through pass and helper:pass', async () => {
      for (const name of ['pass', 'helper:pass']) {
        const byPass = async (serverURL: string) => {
          const r = await run('docker-credential-pass', ['store'], { input: JSON.stringify({ ServerURL: serverURL, Username: 'bob', Secret: PW }), env: sb.env });
          expect(r.code, r.stdout).to.equal(0);
        };
        const left = async () => Object.keys(JSON.parse((await run('docker-credential-pass', ['list'], { env: sb.env })).stdout) as object);
        try {
          await eraseMasked(await credkit.openStore(name, { env: sb.env }), byPass);
          expect(await left()).to.deep.equal([]);
        } finally {
          // The password store outlives this test: left empty, as the next one expects it.
          for (const key of await left()) await run('docker-credential-pass', ['erase'], { input: key, env: sb.env });
        }
      }
    });

    it('a copy pass changes (a trailing newline) fails, and pass is put back as it was', async () => {
      const from = await credkit.openStore('file', { env: sb.env });
      await from.store({ serverURL: 'nl.example.test', username: 'nina', password: `${PW}\n` });
      await from.store({ serverURL: 'quay.io', username: 'bob', password: PW });
      const to = await credkit.openStore('helper:pass', { env: sb.env });
      await to.store({ serverURL: 'nl.example.test', username: 'carol', password: PW2 });
      const result = await credkit.copyCredentials(from, to);
      expect(result.ok).to.equal(false);
      expect(result.entries.map((e) => [e.serverURL, e.action, e.status, e.reason])).to.deep.equal([
        ['nl.example.test', 'replace', 'failed', 'helper:pass returns a different secret when read back; the credential helper:pass held before was put back'],
        ['quay.io', 'add', 'copied', undefined],
      ]);
      expect(await to.get('nl.example.test')).to.deep.equal({ serverURL: 'nl.example.test', username: 'carol', password: PW2 });
      expect(JSON.stringify(result).includes('fake-')).to.equal(false);
    });
  });

  describe('keychain: a real gnome-keyring on a private bus', function () {
    let keyring: RealBackend | undefined;
    let sb: Sandbox;
    before(async function () {
      await skipUnlessPrograms(this, ['dbus-daemon', 'gnome-keyring-daemon']);
      keyring = await startSecretService();
    });
    after(async () => {
      await keyring?.stop();
    });
    makeSandboxPerTest(() => ({ ...keyring!.env, CREDKIT_KEYCHAIN_SERVICE: uniqueService() }), (made) => (sb = made));

    it('openStore("keychain") runs the store cycle, and copyCredentials moves it into an auth file', async () => {
      const store = await credkit.openStore('keychain', { env: sb.env });
      expect(store.name).to.equal('keychain');
      await cycle(store);
      await store.store({ serverURL: 'quay.io', username: 'bob', password: PW });
      await mkdir(join(sb.home, 'ci'));
      const result = await credkit.copyCredentials('keychain', 'authfile:~/ci/config.json', { env: sb.env, move: true });
      expect(result.entries.map((e) => [e.serverURL, e.status, e.erased])).to.deep.equal([['quay.io', 'moved', true]]);
      expect(await store.list()).to.deep.equal([]);
      expect(JSON.parse(await readFile(join(sb.home, 'ci', 'config.json'), 'utf8'))).to.deep.equal({ auths: { 'quay.io': { auth: b64(`bob:${PW}`) } } });
    });
  });
});
