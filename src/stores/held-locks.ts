/**
 * The entry locks (entry-lock.ts) a run holds, handed to the helpers it runs.
 *
 * A run that holds an entry's lock and calls a helper for that entry can reach credkit again:
 * `helper:credkit`, or a helper that is configured, by mistake or by a wrapper script, to call
 * docker-credential-credkit with the same configuration. That inner credkit works on behalf of
 * the run holding the lock, so it must not wait for it (it would wait the whole 15 seconds and
 * fail, while the run that holds it waits on the inner one). The held locks' names go to each
 * helper in {@link HELD_LOCKS_VARIABLE}, and a credkit started with it takes none of those.
 *
 * AsyncLocalStorage keeps the names per chain of calls: a run that works on two entries at once
 * hands each helper the locks held where that helper was called.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Names of the entry locks (`entry-<hash>`) the calling credkit holds, comma-separated. */
export const HELD_LOCKS_VARIABLE = 'CREDKIT_HELD_ENTRY_LOCKS';

/**
 * One store for every copy of this module: the helper's backends are bundles of their own
 * (scripts/bundle-helper.mjs), each with its own copy, and the lock is taken in one (entry-lock.ts
 * in dist/helper.cjs) while the helper is called from another (helper:NAME in its bundle).
 */
const SHARED = Symbol.for('credkit.held-entry-locks');
const held: AsyncLocalStorage<readonly string[]> = ((globalThis as Record<symbol, unknown>)[SHARED] ??= new AsyncLocalStorage<readonly string[]>()) as AsyncLocalStorage<readonly string[]>;

/** The lock names held where this is called. */
export function heldLocks(): readonly string[] {
  return held.getStore() ?? [];
}

/** Runs `fn` with `names` added to the held lock names. */
export function whileHolding<T>(names: readonly string[], fn: () => Promise<T>): Promise<T> {
  return held.run([...heldLocks(), ...names], fn);
}

/** The lock names a parent credkit handed down in `value` (the variable's text). */
export function inheritedLocks(value: string | undefined): ReadonlySet<string> {
  return new Set((value ?? '').split(',').filter((name) => /^entry-[0-9a-f]{32}$/.test(name)));
}

/** The variable's text for a helper called here: what this run inherited and what it holds. */
export function heldLocksText(inherited: string | undefined): string {
  return [...new Set([...inheritedLocks(inherited), ...heldLocks()])].join(',');
}
