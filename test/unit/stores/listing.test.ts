import { expect } from 'chai';
import { entriesShownAs, hiddenEntry, hiddenEntryById, numberEntries } from '../../../src/stores/listing.js';
import { NotFoundError, UsageError } from '../../../src/errors.js';

// base64("fake-user:fake-listed-pw"): a key and "auth" swapped, as a helper may have stored it.
const SWAPPED = Buffer.from('fake-user:fake-listed-pw').toString('base64');
const PLAIN = 'fake-user:fake-listed-pw2';
const listed = new Map([
  ['quay.io', 'alice'],
  [PLAIN, 'bob'],
  ['quay.io#credkit-account=work', 'carol'],
  [SWAPPED, 'dave'],
]);

describe('stores/listing', () => {
  it('numbers the plain entries in list order, a key that holds a credential as its stand-in, accounts counted apart', () => {
    const { entries, accounts } = numberEntries(listed);
    expect(accounts).to.equal(1);
    expect(entries.map((e) => [e.index, e.shown, e.hidden, e.username])).to.deep.equal([
      [1, '<entry #1 (id 2847), hidden: it looks like a user:password>', true, 'bob'],
      [2, 'quay.io', false, 'alice'],
      [3, '<entry #3 (id f448), hidden: it looks like a base64 user:password>', true, 'dave'],
    ]);
    expect(JSON.stringify(entries.map((e) => e.shown)).includes('fake-listed-pw')).to.equal(false);
  });

  it('hiddenEntry gives the key of a hidden entry; refuses a plain server URL and a number not listed', () => {
    expect(hiddenEntry(listed, 1, '2847').key === PLAIN).to.equal(true);
    expect(hiddenEntry(listed, 3, 'F448').key === SWAPPED).to.equal(true);
    expect(() => hiddenEntry(listed, 2, '2847')).to.throw(UsageError, 'entry #2 is "quay.io", which holds no credential in its key');
    expect(() => hiddenEntry(listed, 4, 'f448')).to.throw(NotFoundError, 'there is no entry #4 in the store (the entry with the id f448 is #3 now)');
  });

  it('hiddenEntry refuses a number that names another entry than the id the list showed (an entry added or removed in between)', () => {
    // Listed as #1 (id 2847); then a key sorted before it is added, and #1 is another entry.
    const other = 'a-fake-user:fake-listed-pw3';
    const changed = new Map([...listed, [other, 'erin']]);
    expect(() => hiddenEntry(changed, 1, '2847')).to.throw(NotFoundError, 'entry #1 is not the entry with the id 2847 (the store changed since it was listed: the entry with the id 2847 is #2 now); nothing was erased');
    expect(hiddenEntry(changed, 2, '2847').key === PLAIN).to.equal(true);
    const gone = new Map([...listed].filter(([k]) => k !== PLAIN));
    // Listed as #3 (id f448); then #1 is removed, and #3 is no more.
    expect(() => hiddenEntry(gone, 3, 'f448')).to.throw(NotFoundError, 'there is no entry #3 in the store (the entry with the id f448 is #2 now)');
    expect(() => hiddenEntry(gone, 1, 'f448')).to.throw(UsageError, 'entry #1 is "quay.io"');
    expect(() => hiddenEntry(new Map([[SWAPPED, 'dave']]), 1, '2847')).to.throw(NotFoundError, 'no entry has the id 2847 now');
  });

  it('the id tells hidden entries apart and shows nothing of the key but four hex digits', () => {
    const ids = numberEntries(listed).entries.filter((e) => e.hidden).map((e) => e.id);
    expect(ids).to.deep.equal(['2847', 'f448']);
    for (const id of ids) expect(id).to.match(/^[0-9a-f]{4}$/);
  });

  it('hiddenEntryById (the library\'s erase) goes by the id, so an entry whose number shifted is still found; none with the id is undefined', () => {
    const other = 'a-fake-user:fake-listed-pw3';
    const changed = new Map([...listed, [other, 'erin']]);
    // Listed as #1 (id 2847); another hidden key sorted before it makes it #2.
    expect(hiddenEntryById(changed, 1, '2847')?.key === PLAIN).to.equal(true);
    expect(hiddenEntryById(listed, 3, 'F448')?.key === SWAPPED).to.equal(true);
    expect(hiddenEntryById(new Map([[SWAPPED, 'dave']]), 1, '2847')).to.equal(undefined);
    // A plain entry is never one: its number is not taken.
    expect(hiddenEntryById(listed, 2, '0000')).to.equal(undefined);
  });

  it('hiddenEntryById: of entries that share an id (16 bits), the number picks one; none at that number is refused', () => {
    // Two fake keys whose ids are both eb51 (found by trying keys in turn).
    const first = 'fake-user:fake-collide-353';
    const second = 'fake-user:fake-collide-379';
    const both = new Map([['quay.io', 'alice'], [first, 'bob'], [second, 'carol']]);
    expect(numberEntries(both).entries.map((e) => [e.index, e.id])).to.deep.equal([[1, 'eb51'], [2, 'eb51'], [3, undefined]]);
    expect(hiddenEntryById(both, 1, 'eb51')?.key === first).to.equal(true);
    expect(hiddenEntryById(both, 2, 'EB51')?.key === second).to.equal(true);
    expect(() => hiddenEntryById(both, 3, 'eb51')).to.throw(NotFoundError, '2 entries have the id eb51 now, and none is entry #3; nothing was erased');
    // The first erased: the second is #1 now, the only one with the id, and taken at its old number.
    const one = new Map([...both].filter(([k]) => k !== first));
    expect(hiddenEntryById(one, 2, 'eb51')?.key === second).to.equal(true);
    expect(hiddenEntryById(one, 1, 'eb51')?.key === second).to.equal(true);
  });

  it('a key with a user name and password before the host is shown masked with its number and id, and addressed by them as a hidden one is', () => {
    const MASKED = 'alice:fake-listed-pw4@ghcr.io';
    const withMasked = new Map([...listed, [MASKED, 'alice'], ['https://bob:fake-listed-pw5@ghcr.io/org', 'bob']]);
    const { entries } = numberEntries(withMasked);
    expect(JSON.stringify(entries.map((e) => e.shown)).includes('fake-listed-pw')).to.equal(false);
    const masked = entries.filter((e) => e.masked);
    expect(masked.map((e) => [e.index, e.shown.replace(/id [0-9a-f]{4}/, 'id ID'), e.hidden])).to.deep.equal([
      [1, 'alice:********@ghcr.io <entry #1 (id ID)>', false],
      [3, 'https://bob:********@ghcr.io/org <entry #3 (id ID)>', false],
    ]);
    const id = masked[0]!.id!;
    expect(hiddenEntry(withMasked, 1, id).key === MASKED).to.equal(true);
    expect(hiddenEntryById(withMasked, 9, id)?.key === MASKED).to.equal(true);
    expect(() => hiddenEntry(withMasked, 2, id)).to.throw(NotFoundError, `entry #2 is not the entry with the id ${id} (the store changed since it was listed: the entry with the id ${id} is #1 now); nothing was erased`);
    expect(entriesShownAs(withMasked, 'alice:********@ghcr.io').map((e) => e.index)).to.deep.equal([1]);
    expect(entriesShownAs(withMasked, 'quay.io')).to.deep.equal([]);
    // Only the addressing changes: a key without a password is neither hidden nor masked, and has no id.
    expect(entries.filter((e) => !e.hidden && !e.masked).map((e) => [e.shown, e.id])).to.deep.equal([['quay.io', undefined]]);
  });
});
