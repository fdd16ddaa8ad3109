import { expect } from 'chai';
import { copyCredentials, planAction, selectServerURLs } from '../../../src/stores/copy.js';
import type { CredentialStore, StoredCredential } from '../../../src/stores/store.js';
import { ReadOnlyStoreError } from '../../../src/errors.js';

/** An in-memory store; `transform` changes what it keeps, as some real stores do. */
class MemoryStore implements CredentialStore {
  readonly items = new Map<string, StoredCredential>();
  constructor(
    readonly name: string,
    private readonly options: { readOnly?: boolean; transform?: (c: StoredCredential) => StoredCredential } = {},
  ) {}
  async add(c: StoredCredential): Promise<void> {
    if (this.options.readOnly) throw new ReadOnlyStoreError(`${this.name} is read-only`);
    this.items.set(c.serverURL, this.options.transform ? this.options.transform(c) : { ...c });
  }
  async get(url: string): Promise<StoredCredential | undefined> {
    return this.items.get(url);
  }
  async delete(url: string): Promise<boolean> {
    if (this.options.readOnly) throw new ReadOnlyStoreError(`${this.name} is read-only`);
    return this.items.delete(url);
  }
  async list(): Promise<Map<string, string>> {
    return new Map([...this.items].map(([url, c]) => [url, c.username]));
  }
}

function seed(store: MemoryStore, ...items: [string, string, string][]): MemoryStore {
  for (const [serverURL, username, secret] of items) store.items.set(serverURL, { serverURL, username, secret });
  return store;
}

describe('copy: choosing entries', () => {
  const listed = ['quay.io', 'https://index.docker.io/v1/', 'https://quay.io', 'ghcr.io', 'quay.io/org'];

  it('takes every URL, sorted, without filters', () => {
    expect(selectServerURLs(listed, [])).to.deep.equal({ urls: [...listed].sort(), unmatched: [] });
  });

  it('matches filters exactly or by canonical key (scheme and Hub aliases), never by prefix', () => {
    expect(selectServerURLs(listed, ['quay.io']).urls).to.deep.equal(['https://quay.io', 'quay.io']);
    expect(selectServerURLs(listed, ['docker.io']).urls).to.deep.equal(['https://index.docker.io/v1/']);
    expect(selectServerURLs(listed, ['quay.io/org']).urls).to.deep.equal(['quay.io/org']);
  });

  it('reports filters that match nothing', () => {
    expect(selectServerURLs(listed, ['ghcr.io', 'gcr.io'])).to.deep.equal({ urls: ['ghcr.io'], unmatched: ['gcr.io'] });
  });

  it('plans add, replace, same and skip', () => {
    const c = (username: string, secret: string): StoredCredential => ({ serverURL: 'x', username, secret });
    expect(planAction(c('a', 'fake-s'), undefined)).to.equal('add');
    expect(planAction(c('a', 'fake-s'), c('a', 'fake-s'))).to.equal('same');
    expect(planAction(c('a', 'fake-s'), c('a', 'fake-t'))).to.equal('replace');
    expect(planAction(c('a', 'fake-s'), c('b', 'fake-s'))).to.equal('replace');
    expect(planAction(undefined, c('a', 'fake-s'))).to.equal('skip');
  });
});

describe('copy: running', () => {
  it("saved accounts go along into a store that keeps them, matched by their server URL; elsewhere they are left out and counted", async () => {
    const work = 'https://index.docker.io/v1/#credkit-account=work';
    const source = () => seed(new MemoryStore('from'), ['https://index.docker.io/v1/', 'alice', 'fake-a'], [work, 'bob', 'fake-b'], ['ghcr.io#credkit-account=ci', 'bot', 'fake-c'], ['quay.io', 'q', 'fake-q']);
    const into = new MemoryStore('to');
    let report = await copyCredentials(source(), into, { registries: ['docker.io'], dryRun: false, move: false, accounts: true });
    expect(report.entries.map((e) => [e.serverURL, e.status])).to.deep.equal([['https://index.docker.io/v1/', 'copied'], [work, 'copied']]);
    expect(report.accountsLeft).to.equal(0);
    expect(into.items.get(work)?.username).to.equal('bob');

    const file = new MemoryStore('file');
    report = await copyCredentials(source(), file, { registries: [], dryRun: false, move: false });
    expect(report.entries.map((e) => e.serverURL)).to.deep.equal(['https://index.docker.io/v1/', 'quay.io']);
    expect(report.accountsLeft).to.equal(2);
    expect(report.ok).to.equal(true);
    // A filter that finds only an account left out still matched something.
    report = await copyCredentials(source(), file, { registries: ['ghcr.io'], dryRun: true, move: false });
    expect(report).to.include({ accountsLeft: 1, ok: true });
    expect(report.unmatched).to.deep.equal([]);

    // accounts asked for, but the store opened keeps none for a server URL (auto fell back to a helper, a route to one): left out there.
    const routed = Object.assign(new MemoryStore('routed'), { whyNoAccounts: async (url: string) => (url === 'ghcr.io' ? 'helper:ghcr is its own store' : undefined) });
    report = await copyCredentials(source(), routed, { registries: [], dryRun: false, move: false, accounts: true });
    expect(report.entries.map((e) => e.serverURL)).to.deep.equal(['https://index.docker.io/v1/', work, 'quay.io']);
    expect(report.accountsLeft).to.equal(1);
    expect(routed.items.has('ghcr.io#credkit-account=ci')).to.equal(false);
  });

  it('dry run changes nothing and says what would happen', async () => {
    const from = seed(new MemoryStore('from'), ['a.io', 'alice', 'fake-s1'], ['b.io', 'bob', 'fake-s2'], ['c.io', '<token>', 'fake-t3']);
    const to = seed(new MemoryStore('to'), ['b.io', 'bob', 'fake-old'], ['c.io', '<token>', 'fake-t3']);
    const report = await copyCredentials(from, to, { registries: [], dryRun: true, move: true });
    expect(report.entries.map((e) => [e.serverURL, e.action, e.status])).to.deep.equal([
      ['a.io', 'add', 'planned'],
      ['b.io', 'replace', 'planned'],
      ['c.io', 'same', 'planned'],
    ]);
    expect(to.items.get('b.io')?.secret).to.equal('fake-old');
    expect(to.items.has('a.io')).to.equal(false);
    expect(from.items.size).to.equal(3);
  });

  it('copies, verifies and with --move erases only verified entries from the source', async () => {
    const from = seed(new MemoryStore('from'), ['a.io', 'alice', 'fake-s1'], ['b.io', 'bob', 'fake-ends-with-newline\n']);
    // Like pass: trailing newlines do not survive a round trip.
    const to = new MemoryStore('to', { transform: (c) => ({ ...c, secret: c.secret.replace(/\n+$/, '') }) });
    const report = await copyCredentials(from, to, { registries: [], dryRun: false, move: true });
    expect(report.ok).to.equal(false);
    const [a, b] = report.entries;
    expect(a).to.include({ serverURL: 'a.io', action: 'add', status: 'moved', erased: true });
    expect(b).to.include({ serverURL: 'b.io', action: 'add', status: 'failed' });
    expect(b?.reason).to.match(/different secret when read back/);
    expect(b?.reason).not.to.include('ends-with-newline');
    expect([...from.items.keys()]).to.deep.equal(['b.io']);
    // The changed copy is not left for a client to send.
    expect([...to.items.keys()]).to.deep.equal(['a.io']);
  });

  it('a failed read-back puts back what the target held (replace) instead of leaving the changed copy', async () => {
    const from = seed(new MemoryStore('from'), ['b.io', 'bob', 'fake-ends-with-newline\n']);
    const to = seed(new MemoryStore('to', { transform: (c) => ({ ...c, secret: c.secret.replace(/\n+$/, '') }) }), ['b.io', 'carol', 'fake-old']);
    const report = await copyCredentials(from, to, { registries: [], dryRun: false, move: false });
    expect(report.entries[0]).to.include({ action: 'replace', status: 'failed', reason: 'to returns a different secret when read back; the credential to held before was put back' });
    expect(to.items.get('b.io')).to.deep.equal({ serverURL: 'b.io', username: 'carol', secret: 'fake-old' });
  });

  it('keeps going past a store that refuses writes, and fails those entries', async () => {
    const from = seed(new MemoryStore('from'), ['a.io', 'alice', 'fake-s1'], ['b.io', 'bob', 'fake-s2']);
    const to = new MemoryStore('to', { readOnly: true });
    const report = await copyCredentials(from, to, { registries: [], dryRun: false, move: true });
    expect(report.entries.map((e) => e.status)).to.deep.equal(['failed', 'failed']);
    expect(report.entries[0]?.reason).to.match(/^writing to to failed: to is read-only/);
    expect(from.items.size).to.equal(2);
  });

  it('refuses a server URL that holds a credential, in a dry run too, and copies the rest; an account of a host with a port is no such URL', async () => {
    const swapped = Buffer.from('fake-user:fake-password').toString('base64');
    const account = 'localhost:5000#credkit-account=work';
    const items: [string, string, string][] = [['quay.io', 'q', 'fake-q'], [swapped, 'u', 'fake-s1'], ['fake-user:fake-password', 'u', 'fake-s2'], ['alice:fake-password@ghcr.io', 'u', 'fake-s3'], [account, 'bob', 'fake-s4']];
    for (const dryRun of [true, false]) {
      const from = seed(new MemoryStore('from'), ...items);
      const to = new MemoryStore('to');
      const report = await copyCredentials(from, to, { registries: [], dryRun, move: true, accounts: true });
      expect(report.ok).to.equal(false);
      const ok = dryRun ? 'planned' : 'moved';
      expect(report.entries.map((e) => [e.serverURL, e.status])).to.deep.equal([
        [swapped, 'failed'], ['alice:fake-password@ghcr.io', 'failed'], ['fake-user:fake-password', 'failed'], [account, ok], ['quay.io', ok],
      ]);
      expect(report.entries.map((e) => e.reason ?? '').filter((r) => r.startsWith('refused: the server URL holds')).length).to.equal(3);
      expect(report.entries.some((e) => (e.reason ?? '').includes('fake-password'))).to.equal(false);
      expect([...to.items.keys()]).to.deep.equal(dryRun ? [] : [account, 'quay.io']);
      // Refused entries stay in the source.
      expect([...from.items.keys()]).to.include.members([swapped, 'fake-user:fake-password', 'alice:fake-password@ghcr.io']);
    }
  });

  it('a second run finds everything the same', async () => {
    const from = seed(new MemoryStore('from'), ['a.io', 'alice', 'fake-s1']);
    const to = new MemoryStore('to');
    await copyCredentials(from, to, { registries: [], dryRun: false, move: false });
    const again = await copyCredentials(from, to, { registries: [], dryRun: false, move: false });
    expect(again.entries.map((e) => [e.action, e.status])).to.deep.equal([['same', 'unchanged']]);
    expect(again.ok).to.equal(true);
  });
});

describe('copy --move: one store under two names', () => {
  /** A second name for `store`: every call goes to the same map, as a helper over the same keyring would. */
  function alias(store: MemoryStore, name: string): CredentialStore {
    return { name, add: (c) => store.add(c), get: (u) => store.get(u), delete: (u) => store.delete(u), list: () => store.list() };
  }

  it('puts back what the erase took from the target, fails the entry, and erases nothing more', async () => {
    const shared = seed(new MemoryStore('from'), ['a.io', 'alice', 'fake-s1'], ['b.io', 'bob', 'fake-s2']);
    const report = await copyCredentials(shared, alias(shared, 'to'), { registries: [], dryRun: false, move: true });
    expect(report.ok).to.equal(false);
    expect(report.entries.map((e) => [e.serverURL, e.action, e.status, e.erased])).to.deep.equal([
      ['a.io', 'same', 'failed', false],
      ['b.io', 'same', 'failed', false],
    ]);
    expect(report.entries[0]?.reason).to.match(/erased it from to too .*put back into from/);
    expect(report.entries[1]?.reason).to.match(/^not erased from from: an earlier entry showed/);
    expect([...shared.items.values()]).to.deep.equal([
      { serverURL: 'b.io', username: 'bob', secret: 'fake-s2' },
      { serverURL: 'a.io', username: 'alice', secret: 'fake-s1' },
    ]);
  });

  it('a target with [routes] that keeps an entry in the source itself: unchanged and not erased; the others move', async () => {
    const from = seed(new MemoryStore('file'), ['a.io', 'alice', 'fake-s1'], ['b.io', 'bob', 'fake-s2']);
    (from as unknown as { location(): string }).location = () => 'file:/credentials.json';
    const pass = new MemoryStore('pass');
    // As RoutedStore: a.io stays in the backend (the source), b.io goes to pass.
    const routed: CredentialStore & { locationFor(u: string): Promise<string> } = {
      name: 'file',
      add: (c) => (c.serverURL === 'a.io' ? from : pass).add(c),
      get: (u) => (u === 'a.io' ? from : pass).get(u),
      delete: (u) => (u === 'a.io' ? from : pass).delete(u),
      list: async () => new Map([...(await from.list()), ...(await pass.list())]),
      locationFor: async (u) => (u === 'a.io' ? 'file:/credentials.json' : 'pass:/store'),
    };
    const report = await copyCredentials(from, routed, { registries: [], dryRun: false, move: true });
    expect(report.ok).to.equal(true);
    expect(report.entries.map((e) => [e.serverURL, e.action, e.status, e.erased])).to.deep.equal([
      ['a.io', 'same', 'unchanged', false],
      ['b.io', 'add', 'moved', true],
    ]);
    expect([...from.items.keys()]).to.deep.equal(['a.io']);
    expect([...pass.items.keys()]).to.deep.equal(['b.io']);
  });

  it('a target that already held an equal copy is still moved from', async () => {
    const from = seed(new MemoryStore('from'), ['a.io', 'alice', 'fake-s1']);
    const to = seed(new MemoryStore('to'), ['a.io', 'alice', 'fake-s1']);
    const report = await copyCredentials(from, to, { registries: [], dryRun: false, move: true });
    expect(report.entries.map((e) => [e.action, e.status, e.erased])).to.deep.equal([['same', 'moved', true]]);
    expect(from.items.size).to.equal(0);
    expect(to.items.size).to.equal(1);
  });
});
