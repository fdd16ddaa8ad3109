/**
 * Entry point of `docker-credential-credkit`. Kept to what every call needs: no CLI framework,
 * and the chosen backend is the only one loaded (and only for verbs that touch a store); with
 * `[routes]`, the store the server URL is routed to.
 */
import { basename } from 'node:path';
import { serve } from './protocol.js';
import { decodeUTF8AsGo } from '../go-utf8.js';
import { loadConfig } from '../config.js';
import { openCredkitStore } from '../stores/registry.js';
import { binHost } from '../bin-host.js';
import { packageVersion } from '../version.js';
import { readStdinBytes, writeAll } from '../fd-io.js';

/**
 * Runs the helper with process argv/streams and sets the exit code. The bin passes the package
 * root because this module is also bundled into one CommonJS file for start-up speed.
 */
export async function main(packageRoot: string): Promise<void> {
  const programName = basename(process.argv[1] ?? 'docker-credential-credkit').replace(/\.js$/, '');
  const host = await binHost();
  const out: string[] = [];
  const verb = process.argv[2];
  const openStore = async () => {
    const store = await openCredkitStore(await loadConfig(host), host, (text) => writeAll(2, `${programName}: ${text}\n`));
    if (verb !== 'store' && verb !== 'erase') return store;
    // A login or logout waits for a credkit copy or migration in the middle of the same entry.
    const { entryLocker, withLockedWrites } = await import('../stores/entry-lock.js');
    return withLockedWrites(store, entryLocker(host));
  };
  const code = await serve(process.argv.slice(2), openStore, {
    programName,
    version: () => `${programName} (credkit) v${packageVersion(packageRoot)}`,
    readStdin: async () => decodeUTF8AsGo(await readStdinBytes()),
    stdout: (text) => out.push(text),
    stderr: (text) => writeAll(2, text),
  });
  // Exit as soon as the answer is out: a keyring call that timed out may still hold the event
  // loop (native calls cannot be cancelled), and a helper must never keep its caller waiting.
  writeAll(1, out.join(''));
  process.exit(code);
}
