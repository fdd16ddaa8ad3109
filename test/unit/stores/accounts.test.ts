import { expect } from 'chai';
import { accountKey, parseAccountKey, serverURLOfKey, withoutAccountKeys } from '../../../src/stores/account-key.js';
import { AccountStore, checkAccountName, listAccounts, withoutUnusedAccounts } from '../../../src/stores/accounts.js';
import { findRoute, parseRoutes } from '../../../src/stores/routes.js';
import { loadConfig } from '../../../src/config.js';
import { serve } from '../../../src/helper/protocol.js';
import type { CredentialStore } from '../../../src/stores/store.js';
import { EnvStore } from '../../../src/stores/env.js';
import { UsageError } from '../../../src/errors.js';
import { memoryStore } from '../../support/memory-store.js';

const HUB = 'https://index.docker.io/v1/';

describe('saved accounts (pure)', () => {
  describe('the derived key', () => {
    it('round-trips a server URL and a name', () => {
      for (const url of [HUB, 'docker.io', 'localhost:5000', 'registry.example.test/with/path']) {
        for (const name of ['work', 'a', 'Team_2.ci-bot', 'x'.repeat(64)]) {
          expect(parseAccountKey(accountKey(url, name))).to.deep.equal({ serverURL: url, account: name });
          expect(serverURLOfKey(accountKey(url, name))).to.equal(url);
        }
      }
    });

    it('is never a plain server URL, and a plain key is no account', () => {
      for (const key of [HUB, 'docker.io', 'ghcr.io', 'https://h/#frag', '#credkit-account=work', 'h#credkit-account=', 'h#credkit-account=a b', `h#credkit-account=${'x'.repeat(65)}`]) {
        expect(parseAccountKey(key), key).to.equal(undefined);
        expect(serverURLOfKey(key)).to.equal(key);
      }
      // Not the keyring backends' reserved prefix.
      expect(accountKey(HUB, 'work').startsWith('credkit:')).to.equal(false);
    });

    it('withoutAccountKeys drops derived keys and counts them', () => {
      const listed = new Map([[HUB, 'alice'], [accountKey(HUB, 'work'), 'bob'], [accountKey('ghcr.io', 'ci'), 'bot'], ['h#credkit-account=a b', 'odd']]);
      const { entries, accounts } = withoutAccountKeys(listed);
      expect([...entries]).to.deep.equal([[HUB, 'alice'], ['h#credkit-account=a b', 'odd']]);
      expect(accounts).to.equal(2);
    });

    it('[routes] sends an account where its server URL goes', () => {
      const { routes } = parseRoutes([{ pattern: 'docker.io', store: 'pass' }, { pattern: '*.example.test', store: 'keyutils' }]);
      expect(findRoute(routes, accountKey(HUB, 'work'))?.store).to.equal('pass');
      expect(findRoute(routes, accountKey('r.example.test:5000', 'ci'))?.store).to.equal(undefined);
      expect(findRoute(routes, accountKey('r.example.test', 'ci'))?.store).to.equal('keyutils');
    });
  });

  describe('names', () => {
    it('checkAccountName takes the safe set only, and never repeats the name', () => {
      expect(checkAccountName('work.2_a-b', '--account')).to.equal('work.2_a-b');
      for (const bad of ['', 'a b', 'a/b', 'a#b', 'é', 'x'.repeat(65), 'a\nb']) {
        expect(() => checkAccountName(bad, '--account'), JSON.stringify(bad)).to.throw('--account: an account name is 1 to 64 letters, digits, ".", "_" or "-"');
      }
    });

    const configWith = (env: Record<string, string>) => loadConfig({ env: { ...env }, home: '/nonexistent-home', platform: 'linux', cwd: '/', stderr: () => undefined } as never);

    it('config: CREDKIT_ACCOUNT selects, empty selects none, a bad one is a usage error', async () => {
      expect((await configWith({})).account).to.equal(undefined);
      expect((await configWith({ CREDKIT_ACCOUNT: 'work' })).account).to.equal('work');
      expect((await configWith({ CREDKIT_ACCOUNT: '' })).account).to.equal(undefined);
      let err: unknown;
      await configWith({ CREDKIT_ACCOUNT: 'not/a/name' }).catch((e: unknown) => (err = e));
      expect((err as { code?: string }).code).to.equal('USAGE');
      expect((err as Error).message).to.equal('CREDKIT_ACCOUNT: an account name is 1 to 64 letters, digits, ".", "_" or "-"');
    });
  });

  describe('AccountStore', () => {
    const seeded = () => memoryStore([HUB, 'alice', 'fake-a'], [accountKey(HUB, 'work'), 'bob', 'fake-b'], ['ghcr.io', 'carol', 'fake-c'], [accountKey('quay.io', 'work'), 'dave', 'fake-d']);

    it("get: the account's credential where the server URL has one, else the plain entry, under the URL asked", async () => {
      const store = new AccountStore(seeded(), 'work');
      expect(await store.get(HUB)).to.deep.equal({ serverURL: HUB, username: 'bob', secret: 'fake-b' });
      expect(await store.get('ghcr.io')).to.deep.equal({ serverURL: 'ghcr.io', username: 'carol', secret: 'fake-c' });
      expect(await store.get('quay.io')).to.deep.equal({ serverURL: 'quay.io', username: 'dave', secret: 'fake-d' });
      expect(await store.get('nothing.example')).to.equal(undefined);
      // Another account's name sees the plain entries only.
      expect((await new AccountStore(seeded(), 'home').get(HUB))?.username).to.equal('alice');
    });

    it('add and delete touch the account only, never the plain entry', async () => {
      const base = seeded();
      const store = new AccountStore(base, 'ci');
      await store.add({ serverURL: 'ghcr.io', username: 'bot', secret: 'fake-bot' });
      expect(base.data.get('ghcr.io')?.username).to.equal('carol');
      expect(base.data.get(accountKey('ghcr.io', 'ci'))?.username).to.equal('bot');
      expect(await store.delete('ghcr.io')).to.equal(true);
      expect(await store.delete('ghcr.io')).to.equal(false);
      expect(base.data.get('ghcr.io')?.username).to.equal('carol');
    });

    it("list: no derived key; a server URL the account has shows the account's username", async () => {
      const listed = await new AccountStore(seeded(), 'work').list();
      expect(Object.fromEntries(listed)).to.deep.equal({ [HUB]: 'bob', 'ghcr.io': 'carol', 'quay.io': 'dave' });
      expect(Object.fromEntries(await new AccountStore(seeded(), 'home').list())).to.deep.equal({ [HUB]: 'alice', 'ghcr.io': 'carol' });
    });

    it('a store that keeps no accounts (another program, env): get asks for the plain entry only; add and delete are refused before the store is touched', async () => {
      const base = seeded();
      const asked: string[] = [];
      const foreign: CredentialStore = {
        ...base,
        name: 'helper:fake',
        get: async (u) => (asked.push(u), base.data.get(u)),
        add: async () => expect.fail('add reached the store'),
        delete: async () => expect.fail('delete reached the store'),
        whyNoAccounts: async (u) => (u === 'quay.io' || u === HUB ? 'helper:fake is not ours' : undefined),
      };
      const store = new AccountStore(foreign, 'work');
      expect((await store.get(HUB))?.username).to.equal('alice');
      expect(asked).to.deep.equal([HUB]);
      expect(await store.get('quay.io')).to.equal(undefined);
      expect(asked).to.deep.equal([HUB, 'quay.io']);
      for (const attempt of [() => store.add({ serverURL: HUB, username: 'x', secret: 'fake-x' }), () => store.delete(HUB)]) {
        const err = await attempt().then(() => undefined, (e: unknown) => e);
        expect(err).to.be.instanceOf(UsageError);
        expect((err as Error).message).to.match(/^the account "work" of https:\/\/index\.docker\.io\/v1\/ cannot be (stored|erased) here: helper:fake is not ours; saved accounts are kept by credkit's own backends \(file, keychain, keyutils, pass\)$/);
      }
      // list agrees with get: the account's username is not shown for a server URL get answers plainly.
      expect(Object.fromEntries(await store.list())).to.deep.equal({ [HUB]: 'alice', 'ghcr.io': 'carol' });

      const env = new EnvStore({ CREDKIT_AUTH_CONFIG: JSON.stringify({ auths: { 'quay.io': { username: 'dave', password: 'fake-d' }, [accountKey('quay.io', 'work')]: { username: 'erin', password: 'fake-e' } } }) });
      expect((await new AccountStore(env, 'work').get('quay.io'))?.username).to.equal('dave');
    });

    it("the helper's list hides derived keys with no account selected", async () => {
      let out = '';
      const code = await serve(['list'], async () => seeded(), { programName: 'h', version: () => '', readStdin: async () => '', stdout: (t) => void (out += t), stderr: () => undefined });
      expect(code).to.equal(0);
      expect(out).to.equal(`{"ghcr.io":"carol","${HUB}":"alice"}\n`);
    });
  });

  describe('listAccounts', () => {
    const listed = new Map([
      [HUB, 'alice'],
      [accountKey(HUB, 'work'), 'bob'],
      [accountKey(HUB, 'ci'), '<token>'],
      ['ghcr.io', 'carol'],
      [accountKey('quay.io', 'work'), 'dave'],
    ]);

    it('each account, with the plain entry of its server URL first; server URLs without accounts left out', () => {
      expect(listAccounts(listed)).to.deep.equal([
        { serverURL: HUB, account: undefined, username: 'alice', answers: true },
        { serverURL: HUB, account: 'ci', username: '<token>', answers: false },
        { serverURL: HUB, account: 'work', username: 'bob', answers: false },
        { serverURL: 'quay.io', account: 'work', username: 'dave', answers: false },
      ]);
    });

    it('marks the row the helper answers with: the selected account where saved, else the plain entry', () => {
      const answering = (selected: string) => listAccounts(listed, undefined, selected).filter((a) => a.answers).map((a) => [a.serverURL, a.account]);
      expect(answering('ci')).to.deep.equal([[HUB, 'ci']]);
      expect(answering('work')).to.deep.equal([[HUB, 'work'], ['quay.io', 'work']]);
      // quay.io has no plain entry and no "home": nothing answers there.
      expect(answering('home')).to.deep.equal([[HUB, undefined]]);
    });

    it('a server filter matches the registry under any spelling', () => {
      expect(listAccounts(listed, 'docker.io').map((a) => a.account)).to.deep.equal([undefined, 'ci', 'work']);
      expect(listAccounts(listed, 'quay.io').map((a) => a.username)).to.deep.equal(['dave']);
      expect(listAccounts(listed, 'ghcr.io')).to.deep.equal([]);
    });

    it('shows a server URL that holds a credential by its stand-in, never as written', () => {
      const held = Buffer.from('fake-user:fake-account-list-pw').toString('base64');
      const rows = listAccounts(new Map([[held, 'u'], [accountKey(held, 'work'), 'w']]));
      expect(rows.map((r) => r.account)).to.deep.equal([undefined, 'work']);
      expect(rows.every((r) => r.serverURL === '<hidden: it looks like a base64 user:password>')).to.equal(true);
    });
  });
});

describe('saved accounts: keys the helper never answers with', () => {
  it('takes out the accounts of server URLs whose store keeps none, with why, for one registry or all', async () => {
    const base = memoryStore(['ghcr.io', 'alice', 'fake-a'], [accountKey('ghcr.io', 'work'), 'bob', 'fake-b'], [accountKey(HUB, 'work'), 'carol', 'fake-c'], [accountKey(HUB, 'ci'), 'dave', 'fake-d']);
    // As a routed store: Docker Hub goes to another program's store.
    const store: CredentialStore = { ...base, whyNoAccounts: async (url) => (url === HUB ? "helper:pass is docker-credential-pass's own store" : undefined) };
    const all = await withoutUnusedAccounts(store, await store.list());
    expect([...all.listed.keys()]).to.deep.equal(['ghcr.io', accountKey('ghcr.io', 'work')]);
    expect(all.unused.map((u) => [u.serverURL, u.account, u.username, u.why])).to.deep.equal([
      [HUB, 'ci', 'dave', "helper:pass is docker-credential-pass's own store"],
      [HUB, 'work', 'carol', "helper:pass is docker-credential-pass's own store"],
    ]);
    expect((await withoutUnusedAccounts(store, await store.list(), 'ghcr.io')).unused).to.deep.equal([]);
    expect((await withoutUnusedAccounts(store, await store.list(), 'docker.io')).unused).to.have.length(2);
    expect(listAccounts(all.listed).map((r) => [r.serverURL, r.account])).to.deep.equal([['ghcr.io', undefined], ['ghcr.io', 'work']]);
  });
});
