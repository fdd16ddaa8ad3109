/**
 * Entry point of `credkit-kubelet-provider`, the program kubelet runs from its
 * `--image-credential-provider-bin-dir`. Like the helper's, kept to what a run needs: no CLI
 * framework, and only the chosen store's backend is loaded (with `[routes]`, the routed one).
 */
import { basename } from 'node:path';
import { serveProvider } from './serve.js';
import { loadConfig } from '../config.js';
import { openCredkitStore } from '../stores/registry.js';
import { binHost } from '../bin-host.js';
import { openStoreSpec, parseStoreSpec } from '../stores/store-spec.js';
import { packageVersion } from '../version.js';
import { readStdin, writeAll } from '../fd-io.js';

/** Runs the plugin with process argv/streams and exits. The bin passes the package root (see helper/main.ts). */
export async function main(packageRoot: string): Promise<void> {
  const programName = basename(process.argv[1] ?? 'credkit-kubelet-provider').replace(/\.js$/, '');
  const host = await binHost();
  const out: string[] = [];
  const code = await serveProvider(process.argv.slice(2), {
    programName,
    version: () => `${programName} (credkit) v${packageVersion(packageRoot)}`,
    host,
    loadConfig: () => loadConfig(host),
    openStore: async (from, config) => {
      if (from !== undefined) return openStoreSpec(parseStoreSpec(from), config, host, undefined, '--from');
      // credkit's configured store is what the helper uses, [routes] included (a pull of an ECR
      // image asks helper:ecr-login when config.ini routes it there); a run never lists, so nothing is warned.
      return openCredkitStore(config, host, (text) => writeAll(2, `${programName}: ${text}\n`));
    },
    readStdin,
    stdout: (text) => out.push(text),
    stderr: (text) => writeAll(2, text),
  });
  // The response goes out whole, once the run is over; then exit at once, as the helper does (a
  // keyring call that timed out may still hold the event loop, and kubelet waits for the exit).
  writeAll(1, out.join(''));
  process.exit(code);
}
