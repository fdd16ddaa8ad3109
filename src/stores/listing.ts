/**
 * A store's plain entries as `credkit store list` shows them: sorted and numbered, a key that holds
 * a credential where the server URL belongs (a helper's or an older credkit's write) as its
 * stand-in, `<entry #2 (id 3f9a), hidden: it looks like a user:password>`, and a key with a user
 * name and password before the host with the password masked and its number and id beside it,
 * `alice:********@ghcr.io <entry #3 (id 51c0)>`. The number and id let such an entry be erased
 * (`credkit store erase --entry 2 --id 3f9a`) without typing the credential on a command line; the
 * id makes sure it is the entry the user saw, since numbers shift when another entry is added or
 * removed in between.
 */
import { scryptSync } from 'node:crypto';
import { maskKey, maskUserinfo, shownKey } from '../redact.js';
import { credentialInKey } from '../registry.js';
import { NotFoundError, UsageError } from '../errors.js';
import { withoutAccountKeys } from './account-key.js';

/** One plain entry of a store's list. */
export interface ListedEntry {
  /** 1-based, in the order `credkit store list` prints. */
  index: number;
  key: string;
  /** The key as people see it: shownKey, or for a masked one the masked key with its number and id. */
  shown: string;
  hidden: boolean;
  /**
   * A key with a user name and password before the host (`alice:pw@ghcr.io`), which listings
   * show masked (`alice:********@ghcr.io`): typing what is shown names no entry, so it is
   * addressed by number and id, as a hidden one is. Only erasing it changes: copy, migrate,
   * doctor and check judge the key itself, as before.
   */
  masked: boolean;
  /** For a hidden or masked entry (one whose key cannot be typed safely): its {@link hiddenEntryId}. */
  id?: string;
  username: string;
}

/**
 * Four hex digits that tell one hidden (or masked) entry from another whatever its place in the
 * list. The key is or holds a credential, so what is shown of it is little (16 bits, which many passwords share) and slow
 * to test a guess against (scrypt, tens of milliseconds a try), never a plain hash of it.
 */
export function hiddenEntryId(key: string): string {
  return scryptSync(key, 'credkit store list: hidden entry id', 2, { N: 1 << 14, r: 8, p: 1 }).toString('hex');
}

/** An entry of a listing before its id is made: only the entries a caller needs pay for one. */
interface Numbered {
  index: number;
  key: string;
  username: string;
  hidden: boolean;
  masked: boolean;
}

function numberKeys(listed: ReadonlyMap<string, string>): { rows: Numbered[]; accounts: number } {
  const { entries, accounts } = withoutAccountKeys(listed);
  const sorted = [...entries].sort(([a], [b]) => a.localeCompare(b));
  const rows = sorted.map(([key, username], i): Numbered => {
    const hidden = credentialInKey(key) !== undefined;
    return { index: i + 1, key, username, hidden, masked: !hidden && maskKey(key) !== key };
  });
  return { rows, accounts };
}

function listedEntry(row: Numbered): ListedEntry {
  const { index, key, username, hidden, masked } = row;
  if (!hidden && !masked) return { index, key, shown: key, hidden, masked, username };
  const id = hiddenEntryId(key);
  // A masked key is shown as people know it, masked here already (never relying on the printer to mask it).
  const shown = hidden ? shownKey(key, { index, id }) : `${maskKey(key)} <entry #${index} (id ${id})>`;
  return { index, key, shown, hidden, masked, id, username };
}

/** The plain entries of a store's list (saved accounts left out and counted), numbered. */
export function numberEntries(listed: ReadonlyMap<string, string>): { entries: ListedEntry[]; accounts: number } {
  const { rows, accounts } = numberKeys(listed);
  return { entries: rows.map(listedEntry), accounts };
}

/**
 * The entry numbered `index` in a store's list, which must be a hidden or masked one with the id
 * `id`: a number names an entry only as long as the store does not change, so it is taken only
 * where no name can be typed safely (a key that can be, a server URL, is refused, naming it), and only
 * together with the id the list showed, so that an entry added or removed in between never makes
 * it another entry. Throws, erasing nothing, when entry #index is not the one with that id.
 */
export function hiddenEntry(listed: ReadonlyMap<string, string>, index: number, id: string): ListedEntry {
  const row = numberKeys(listed).rows[index - 1];
  // Only this entry's id is made, unless it is not the one asked for.
  const entry = row === undefined ? undefined : listedEntry(row);
  const wanted = id.trim().toLowerCase();
  const moved = () => {
    const now = numberEntries(listed).entries.find((e) => e.id === wanted);
    return now === undefined ? `no entry has the id ${wanted} now` : `the entry with the id ${wanted} is #${now.index} now`;
  };
  if (entry === undefined) throw new NotFoundError(`there is no entry #${index} in the store (${moved()}); run credkit store list again`);
  if (entry.id === undefined) throw new UsageError(`entry #${index} is "${entry.key}", which holds no credential in its key: erase it by its server URL`);
  if (entry.id !== wanted) throw new NotFoundError(`entry #${index} is not the entry with the id ${wanted} (the store changed since it was listed: ${moved()}); nothing was erased; run credkit store list again`);
  return entry;
}

/**
 * The hidden or masked entry a library caller names by the `entry` and `id` a listing gave it, or
 * `undefined` when no such entry has that id now (it was erased meanwhile). Unlike {@link hiddenEntry},
 * the id decides and the number only tells apart entries that share an id: a script that
 * erases each hidden entry of one listing in turn shifts the numbers of those after the first,
 * and the handle comes from the listing itself, not from a person's typing that the number checks.
 * Throws a NotFoundError, erasing nothing, when several share the id and none is at that number.
 */
export function hiddenEntryById(listed: ReadonlyMap<string, string>, index: number, id: string): ListedEntry | undefined {
  const wanted = id.trim().toLowerCase();
  const { rows } = numberKeys(listed);
  // Entry #index with the id is the answer whether or not others share the id (the number
  // decides between those): its id alone is made, not every hidden entry's (scrypt, ~65 ms each).
  const there = rows[index - 1];
  const at = there !== undefined && (there.hidden || there.masked) ? listedEntry(there) : undefined;
  if (at?.id === wanted) return at;
  // Otherwise every other hidden or masked entry's id is made. Several with it, none of them
  // at #index: which one the listing showed is unknown.
  const matching = rows.filter((r) => r !== there && (r.hidden || r.masked)).map(listedEntry).filter((e) => e.id === wanted);
  if (matching.length > 1) throw new NotFoundError(`${matching.length} entries have the id ${wanted} now, and none is entry #${index}; nothing was erased (list the store again)`);
  return matching[0];
}

/**
 * The masked entries a listing shows as `typed` (`alice:********@ghcr.io`, copied from it): what
 * `credkit store erase` names when no key is that text, so the user learns the number and id
 * that erase it. Several when one user has stored two passwords for one host.
 */
export function entriesShownAs(listed: ReadonlyMap<string, string>, typed: string): ListedEntry[] {
  return numberKeys(listed).rows.filter((e) => e.masked && maskKey(e.key) === typed).map(listedEntry);
}
