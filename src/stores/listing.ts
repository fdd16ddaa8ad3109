/**
 * A store's plain entries as `credkit store list` shows them: sorted and numbered, a key that holds
 * a credential where the server URL belongs (a helper's or an older credkit's write) as its
 * stand-in, `<entry #2, hidden: it looks like a user:password>`. The number lets such an entry be
 * erased (`credkit store erase --entry 2`) without typing the credential on a command line.
 */
import { shownKey } from '../redact.js';
import { credentialInKey } from '../registry.js';
import { NotFoundError, UsageError } from '../errors.js';
import { withoutAccountKeys } from './account-key.js';

/** One plain entry of a store's list. */
export interface ListedEntry {
  /** 1-based, in the order `credkit store list` prints. */
  index: number;
  key: string;
  /** The key as people see it (shownKey). */
  shown: string;
  hidden: boolean;
  username: string;
}

/** The plain entries of a store's list (saved accounts left out and counted), numbered. */
export function numberEntries(listed: ReadonlyMap<string, string>): { entries: ListedEntry[]; accounts: number } {
  const { entries, accounts } = withoutAccountKeys(listed);
  const sorted = [...entries].sort(([a], [b]) => a.localeCompare(b));
  return {
    entries: sorted.map(([key, username], i) => {
      const hidden = credentialInKey(key) !== undefined;
      return { index: i + 1, key, shown: hidden ? shownKey(key, { index: i + 1 }) : key, hidden, username };
    }),
    accounts,
  };
}

/**
 * The entry numbered `index` in a store's list, which must be a hidden one: a number names an
 * entry only as long as the store does not change, so it is taken only where no name can be typed
 * safely; a key that can be (a server URL) is refused, naming it.
 */
export function hiddenEntry(listed: ReadonlyMap<string, string>, index: number): ListedEntry {
  const entry = numberEntries(listed).entries[index - 1];
  if (entry === undefined) throw new NotFoundError(`there is no entry #${index} in the store (credkit store list numbers its entries)`);
  if (!entry.hidden) throw new UsageError(`entry #${index} is "${entry.key}", which holds no credential in its key: erase it by its server URL`);
  return entry;
}
