import { expect } from 'chai';
import { hiddenEntry, numberEntries } from '../../../src/stores/listing.js';
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
      [1, '<entry #1, hidden: it looks like a user:password>', true, 'bob'],
      [2, 'quay.io', false, 'alice'],
      [3, '<entry #3, hidden: it looks like a base64 user:password>', true, 'dave'],
    ]);
    expect(JSON.stringify(entries.map((e) => e.shown)).includes('fake-listed-pw')).to.equal(false);
  });

  it('hiddenEntry gives the key of a hidden entry; refuses a plain server URL and a number not listed', () => {
    expect(hiddenEntry(listed, 1).key === PLAIN).to.equal(true);
    expect(hiddenEntry(listed, 3).key === SWAPPED).to.equal(true);
    expect(() => hiddenEntry(listed, 2)).to.throw(UsageError, 'entry #2 is "quay.io", which holds no credential in its key');
    expect(() => hiddenEntry(listed, 4)).to.throw(NotFoundError, 'there is no entry #4');
  });
});
