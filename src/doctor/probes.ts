/**
 * Everything doctor learns from the machine beyond the Host, behind one interface so that the
 * checks stay pure enough to unit-test: files and their owners, credkit's backends, PATH
 * look-ups and helper calls. {@link systemProbes} is the real implementation.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CredkitConfig } from '../config.js';
import type { Host } from '../io.js';
import { messageOf } from '../errors.js';
import { readTextIfExists } from '../auth-file/safe-file.js';
import { HelperCallError, callHelper, resolveHelper } from '../helper/client.js';
import type { HelperFailure } from '../helper/client.js';
import { loadBackend, openCredkitStore } from '../stores/registry.js';

/** The facts doctor needs about one path (symlinks followed). */
export interface FileFacts {
  isFile: boolean;
  /** Permission bits (`mode & 0o777`). */
  mode: number;
  uid: number;
}

/** Where `docker-credential-NAME` is, or why it is not there. */
export type HelperLookup = { found: true; path: string } | { found: false; reason: HelperFailure; message: string; /** For `not-executable`: the file. */ path?: string };

/** A helper's answer to `list`, or why there was none. */
export type HelperListing = { ok: true; entries: Map<string, string> } | { ok: false; reason: HelperFailure; message: string };

/** What the checks may ask of the machine. */
export interface DoctorProbes {
  /** The user running doctor, or undefined where there are no uids (Windows). */
  readonly uid: number | undefined;
  /** A small system file such as /proc/version, or undefined when it cannot be read. */
  readSystemFile(path: string): Promise<string | undefined>;
  /** An auth file's text, or undefined when it does not exist. */
  readAuthFile(path: string): Promise<string | undefined>;
  /** Facts about a path, or undefined when nothing is there. */
  statPath(path: string): Promise<FileFacts | undefined>;
  /**
   * Why a credkit backend (`keychain`, `pass`, `helper:NAME`…) cannot be used, or undefined;
   * `setting` names the setting to change when it is not `backend =` (a route).
   */
  checkBackend(name: string, config: CredkitConfig, setting?: string): Promise<string | undefined>;
  /**
   * Whether the keychain's problem is how this machine is (true), or a keychain that is there but
   * unusable right now (locked, not answering), which `auto` does not fall back from.
   */
  keychainProblemIsLasting?(config: CredkitConfig): Promise<boolean>;
  /** Looks `docker-credential-NAME` up on PATH. */
  findHelper(name: string): HelperLookup;
  /** Asks a helper for `list`; a hang ends after `timeoutMs` as a failure. */
  listHelper(name: string, timeoutMs: number): Promise<HelperListing>;
  /** True when the program at `path` is this installation's `docker-credential-credkit`. */
  isOwnHelper(path: string): Promise<boolean>;
  /** The server URLs and usernames in credkit's store as its helper sees it ([routes] included, no account selected). */
  listCredkitStore?(config: CredkitConfig): Promise<Map<string, string>>;
  /**
   * The version of the docker CLI on PATH (`28.2.2`), or undefined when there is none or it does
   * not say: asked only when DOCKER_AUTH_CONFIG is set, which docker reads from 28.3 on.
   */
  dockerVersion?(timeoutMs: number): Promise<string | undefined>;
}

/** What the CLI knows about the process that the core may not read itself. */
export interface ProcessFacts {
  uid: number | undefined;
  /** The installed package's root (where bin/ is). */
  packageRoot: string;
}

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;
/** A wrapper script is small; anything bigger is not read. */
const WRAPPER_LIMIT = 64 * 1024;

/** The real probes for a host. */
export function systemProbes(host: Host, facts: ProcessFacts): DoctorProbes {
  const ownBin = join(facts.packageRoot, 'bin', 'docker-credential-credkit');
  return {
    uid: facts.uid,
    async readSystemFile(path) {
      return readFile(path, 'utf8').catch(() => undefined);
    },
    readAuthFile: (path) => readTextIfExists(path),
    async statPath(path) {
      try {
        const st = await stat(path);
        return { isFile: st.isFile(), mode: st.mode & 0o777, uid: st.uid };
      } catch (err) {
        if (codeOf(err) === 'ENOENT' || codeOf(err) === 'ENOTDIR') return undefined;
        throw err;
      }
    },
    async checkBackend(name, config, setting) {
      try {
        return await (await loadBackend(name, setting)).checkAvailable(config, host);
      } catch (err) {
        return messageOf(err);
      }
    },
    async keychainProblemIsLasting(config) {
      const keychain = await loadBackend('keychain');
      return keychain.availability ? (await keychain.availability(config, host)).lasting : true;
    },
    findHelper(name) {
      try {
        return { found: true, path: resolveHelper(name, 'list', host.env, host.platform) };
      } catch (err) {
        if (err instanceof HelperCallError) return { found: false, reason: err.reason, message: err.message, ...(err.path === undefined ? {} : { path: err.path }) };
        throw err;
      }
    },
    async listHelper(name, timeoutMs) {
      try {
        // The helper's stderr is dropped: doctor prints one line per finding.
        return { ok: true, entries: await callHelper(name, 'list', undefined, { env: host.env, timeoutMs, platform: host.platform }) };
      } catch (err) {
        if (err instanceof HelperCallError) return { ok: false, reason: err.reason, message: err.message };
        throw err;
      }
    },
    async listCredkitStore(config) {
      // A routed store left out of list only narrows the search: its warning is not doctor's line.
      const store = await openCredkitStore({ ...config, account: undefined }, host, () => undefined);
      // An account's key where the store keeps none is never answered with (AccountStore.lookup).
      const { withoutUnusedAccounts } = await import('../stores/accounts.js');
      return (await withoutUnusedAccounts(store, await store.list())).listed;
    },
    async dockerVersion(timeoutMs) {
      // The same question credkit explain asks (it needs no daemon).
      const { dockerVersionOf } = await import('../credential-lookup.js');
      return dockerVersionOf(host, timeoutMs);
    },
    async isOwnHelper(path) {
      const [own, found] = await Promise.all([realpath(ownBin).catch(() => ownBin), realpath(path).catch(() => path)]);
      if (own === found) return true;
      // A wrapper script (`exec node …/bin/docker-credential-credkit "$@"`) counts as this installation.
      const st = await stat(found).catch(() => undefined);
      if (!st || st.size > WRAPPER_LIMIT) return false;
      const text = await readFile(found, 'utf8').catch(() => '');
      return text.includes(own) || text.includes(ownBin);
    },
  };
}
