/**
 * One entry of one store, locked against other credkit runs for a whole sequence of calls.
 *
 * A store's own lock covers each call, but `copy` and `migrate --into-store` read the target's
 * credential, compare, add, read back and (on a bad read-back) put the old one back, and `--move`
 * then erases the source and checks the target: two runs at once (two CI jobs migrating one
 * user's files, a copy beside another) could interleave those calls, both see the key absent and
 * both report "copied" while one credential replaced the other, or restore a credential over one
 * the other run had just stored. A run holds the lock of each entry it works on for the whole
 * sequence, so the second run sees what the first stored and reports that.
 *
 * The lock is a file in credkit's state directory beside the store locks (lock-path.ts), named by
 * a hash of where the entry is kept and its key: the same store under the same configuration
 * (a file's real path, a password store's directory, the Secret Service's bus, `helper:NAME`, the
 * store `[routes]` send the key to) is the same lock, and no key (which may be anything a file
 * held) ever becomes a file name.
 */
import { join } from 'node:path';
import type { Host } from '../io.js';
import type { CredentialStore } from './store.js';
import { IoError, messageOf } from '../errors.js';
import { withFileLock } from '../auth-file/safe-file.js';
import type { LockOptions } from '../auth-file/safe-file.js';
import { shownKey } from '../redact.js';
import { credkitStateDir } from './lock-path.js';
import { HELD_LOCKS_VARIABLE, inheritedLocks, whileHolding } from './held-locks.js';

/** A key of a store. */
export interface StoreEntry {
  store: CredentialStore;
  key: string;
}

/** Runs `fn` holding the locks of `entries` (taken in one order by every run, so none waits on another in a circle). */
export type EntryLocker = <T>(entries: readonly StoreEntry[], fn: () => Promise<T>) => Promise<T>;

/**
 * Where `store` keeps `key`: with `[routes]` (RoutedStore) the store the key is routed to, else
 * the store's location (CredentialStore.location), else its name.
 */
export async function entryPlace(store: CredentialStore, key: string): Promise<string> {
  const routed = store as { locationFor?: (serverURL: string) => Promise<string | undefined>; storeFor?: (serverURL: string) => string };
  if (typeof routed.locationFor === 'function') {
    let where: string | undefined;
    try {
      where = await routed.locationFor(key);
    } catch {
      where = undefined; // a routed store that cannot be opened: its own calls report it
    }
    return where ?? routed.storeFor?.(key) ?? store.name;
  }
  return store.location?.() ?? store.name;
}

/** The lock file's name (without `.lock`) for a key kept at `place`: `entry-` and 32 hex digits. */
async function lockName(place: string, key: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return `entry-${createHash('sha256').update(place).update('\u0000').update(key).digest('hex').slice(0, 32)}`;
}

/**
 * The locker of entries for the user of `host` (credkit's state directory).
 *
 * Where that directory cannot be made or written (a read-only home, XDG_STATE_HOME naming a
 * place under /proc), a run goes on without entry locks rather than failing: before them it
 * worked there, and a `docker login` must not start failing over a directory it never needed.
 * `onUnlockable` is told why, once per locker; a lock another run holds still waits, and one
 * held too long still fails the entry. Locks a parent credkit holds (held-locks.ts) are not
 * taken again.
 */
export function entryLocker(host: Host, options: LockOptions = {}, onUnlockable?: (why: string) => void): EntryLocker {
  const dir = credkitStateDir(host);
  const lockOptions: LockOptions = { ...options, sweep: false };
  const inherited = inheritedLocks(host.env[HELD_LOCKS_VARIABLE]);
  let unlockable: string | undefined;
  return async <T>(entries: readonly StoreEntry[], fn: () => Promise<T>): Promise<T> => {
    if (unlockable !== undefined) return fn();
    const named = new Map<string, StoreEntry>();
    for (const e of entries) {
      const name = await lockName(await entryPlace(e.store, e.key), e.key);
      if (!inherited.has(name)) named.set(name, e);
    }
    const held = [...named].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const take = async (i: number): Promise<T> => {
      const next = held[i];
      if (next === undefined) return whileHolding(held.map(([name]) => name), fn);
      const [name, { store, key }] = next;
      let taken = false;
      try {
        return await withFileLock(
          join(dir, name),
          () => {
            taken = true;
            return take(i + 1);
          },
          lockOptions,
        );
      } catch (err) {
        if (taken) throw err;
        // A lock file or directory that cannot be created (the error carries the system's), as
        // opposed to a lock another run holds or something else at its name.
        if (i === 0 && err instanceof IoError && err.cause !== undefined) {
          unlockable = messageOf(err);
          onUnlockable?.(unlockable);
          return fn();
        }
        const busy = err instanceof IoError && err.cause === undefined ? ', which another credkit run may be writing' : '';
        throw new IoError(`"${shownKey(key)}" in ${store.name}${busy}: ${messageOf(err)}`, { cause: err });
      }
    };
    return take(0);
  };
}

/** What a run that could not take entry locks says (once): `doing` is `copied` or the like. */
export function unlockedNote(doing: string, why: string): string {
  return `${doing} without entry locks, so another credkit run or docker login at the same time could interleave with it (${why}); make XDG_STATE_HOME (default ~/.local/state) a directory you can write`;
}

/**
 * `store` whose adds and deletes each hold their entry's lock, as docker-credential-credkit's
 * `store` and `erase` do: a `docker login` through it then waits for a copy or migration that is
 * in the middle of the same entry, instead of landing between its add and its read-back.
 */
export function withLockedWrites(store: CredentialStore, lock: EntryLocker): CredentialStore {
  const locked = Object.create(store) as CredentialStore & { add: CredentialStore['add']; delete: CredentialStore['delete'] };
  locked.add = (credential) => lock([{ store, key: credential.serverURL }], () => store.add(credential));
  locked.delete = (serverURL) => lock([{ store, key: serverURL }], () => store.delete(serverURL));
  return locked;
}
