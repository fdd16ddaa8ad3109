/**
 * A whole `credkit copy` run between two named stores, as the CLI and the library's
 * copyCredentials do it: the checks on the names, opening both stores, refusing one store under
 * two names and a source file that is not there, the copy itself (copy.ts), and the notes about
 * what the run cannot do for a client. Returns the report; printing it is the caller's.
 */
import { existsSync } from 'node:fs';
import type { CredkitConfig } from '../config.js';
import type { Host } from '../io.js';
import { IoError, UsageError } from '../errors.js';
import { AuthFileStore } from './auth-file-store.js';
import { copyCredentials, routedElsewhere, shownCopyEntries } from './copy.js';
import { entryLocker, unlockedNote } from './entry-lock.js';
import type { CopyEntry, RoutingView } from './copy.js';
import { assertDifferentStores, formatStoreSpec, isReadOnlySpec, keepsAccounts, openStoreSpec, parseStoreSpec } from './store-spec.js';
import type { OpenedStore, StoreSpec } from './store-spec.js';

/**
 * How messages name the run's options: credkit's flags (`--from file`, `--move`) for the CLI, the
 * library's option names (`from "file"`, `move`) otherwise.
 */
export interface CopyWording {
  cliFlags: boolean;
}

/** `--to` or `to`. */
function option(name: 'from' | 'to' | 'move', wording: CopyWording): string {
  return wording.cliFlags ? `--${name}` : name;
}

/** `--to env` or `to "env"`. */
function optionValue(name: 'from' | 'to', spec: StoreSpec, wording: CopyWording): string {
  return wording.cliFlags ? `--${name} ${formatStoreSpec(spec)}` : `${name} ${JSON.stringify(formatStoreSpec(spec))}`;
}

/** What a run is asked to do. */
export interface CopyRunOptions {
  /** Registry filters; empty means every credential of the source. */
  registries: readonly string[];
  dryRun: boolean;
  move: boolean;
}

/** A run's report: what `credkit copy --json` prints. */
export interface CopyRunReport {
  /** The source as the report names it (`credkit`, or the backend opened: `file`, `helper:pass`, `authfile:PATH`). */
  from: string;
  to: string;
  dryRun: boolean;
  move: boolean;
  ok: boolean;
  /** Each entry, a server URL that holds a credential by its stand-in. */
  entries: CopyEntry[];
  unmatched: string[];
  accountsLeft: number;
  notes: string[];
}

/** Refuses what no store can do: write into a read-only store, or erase from one. */
function assertWritable(from: StoreSpec, to: StoreSpec, move: boolean, wording: CopyWording): void {
  if (isReadOnlySpec(to)) throw new UsageError(`${optionValue('to', to, wording)}: that store is read-only; it can only be a source`);
  if (move && isReadOnlySpec(from)) throw new UsageError(`${option('move', wording)}: ${formatStoreSpec(from)} is read-only, so nothing can be erased from it; copy without ${option('move', wording)}`);
}

/**
 * Parses and opens the two stores a run names, as `credkit copy --from --to` does; a usage error
 * (a read-only target, the same name twice) comes before credkit's configuration is read.
 * `warn` gets a routed store's line without a prefix (RoutedStore.list).
 */
export async function openCopyStores(
  fromText: string,
  toText: string,
  move: boolean,
  host: Host,
  loadConfig: (host: Host) => Promise<CredkitConfig>,
  warn: (text: string) => void,
  wording: CopyWording,
  setting?: { from: string; to: string },
): Promise<{ from: OpenedStore; to: OpenedStore }> {
  const from = parseStoreSpec(fromText, '--from');
  const to = parseStoreSpec(toText, '--to');
  assertWritable(from, to, move, wording);
  if (formatStoreSpec(from) === formatStoreSpec(to)) throw new UsageError(`${option('from', wording)} and ${option('to', wording)} name the same store`);
  const config = await loadConfig(host);
  // Opened as a copy's source: inside rootless podman's namespace the kernel keyring serves as
  // nothing else that writes (keyutils.ts namespaceRefusal), so that `podman unshare credkit copy --from
  // keyutils --to pass --move` gets out the logins an older credkit kept there.
  const source = await openStoreSpec(from, config, host, warn, '--from', setting?.from, 'copy-source');
  const target = await openStoreSpec(to, config, host, warn, '--to', setting?.to);
  return { from: { spec: from, store: source, config, host }, to: { spec: to, store: target, config, host } };
}

/** Copies (or moves) between two opened stores and reports the run, notes included. */
export async function runCopy(from: OpenedStore, to: OpenedStore, options: CopyRunOptions, wording: CopyWording): Promise<CopyRunReport> {
  // Again here for stores a library caller opened on their own.
  assertWritable(from.spec, to.spec, options.move, wording);
  // Different names can still be one store (`auto`, a path spelt twice, helper:credkit).
  await assertDifferentStores(from, to, (side, spec) => optionValue(side, spec, wording));
  const source = from.store;
  const target = to.store;
  // A target file is created, but a source that is not there is a mistyped path (or a login
  // that never happened): "no credentials to copy" with exit 0 would hide it from a script.
  if (source instanceof AuthFileStore && !existsSync(source.path)) throw new IoError(`${source.path}: no such file (named by ${option('from', wording)})`);
  let unlocked: string | undefined;
  const report = await copyCredentials(source, target, {
    registries: options.registries,
    dryRun: options.dryRun,
    move: options.move,
    accounts: keepsAccounts(to.spec),
    lockEntries: entryLocker(to.host, {}, (why) => {
      unlocked = why;
    }),
  });
  // What a config.json source held of the wrong type, read as docker reads it.
  const notes: string[] = source instanceof AuthFileStore ? [...source.readNotes] : [];
  if (unlocked !== undefined) notes.push(unlockedNote('copied', unlocked));
  if (target instanceof AuthFileStore) {
    const credsStore = await target.credsStore();
    if (credsStore !== undefined) {
      notes.push(`${target.path} has "credsStore": "${credsStore}": docker uses that store and ignores plaintext entries; remove credsStore to use them`);
    }
  }
  const config = to.config;
  const helperStores = new Set([config.backend, ...config.routes.map((r) => r.store)]);
  if (to.spec.kind === 'backend' && helperStores.has(to.spec.name) && config.routes.length > 0 && report.entries.length > 0) {
    // A backend named here is that backend alone; where [routes] send a registry elsewhere,
    // docker (through docker-credential-credkit) will not look for it there.
    const { openCredkitStore } = await import('./registry.js');
    const helper = (await openCredkitStore({ ...config, account: undefined }, to.host, () => undefined)) as unknown as RoutingView;
    for (const r of await routedElsewhere(report.entries, target, helper)) {
      notes.push(`[routes] send ${r.serverURL} to ${r.store}, so docker-credential-credkit does not look for it in ${formatStoreSpec(to.spec)}; ${wording.cliFlags ? '--to credkit' : 'to "credkit"'} stores each where the helper looks`);
    }
  }
  if (report.accountsLeft > 0) {
    const n = report.accountsLeft;
    notes.push(`${n === 1 ? '1 saved account was' : `${n} saved accounts were`} not copied: ${target.name} would take ${n === 1 ? 'its key' : 'their keys'} for server URLs; copy into a credkit backend to keep them (credkit account list shows them)`);
  }
  // `credkit` is several stores with [routes]: named so, not as its configured backend.
  return {
    from: from.spec.kind === 'credkit' ? formatStoreSpec(from.spec) : source.name,
    to: to.spec.kind === 'credkit' ? formatStoreSpec(to.spec) : target.name,
    dryRun: options.dryRun,
    move: options.move,
    ok: report.ok,
    entries: shownCopyEntries(report.entries),
    unmatched: report.unmatched,
    accountsLeft: report.accountsLeft,
    notes,
  };
}
