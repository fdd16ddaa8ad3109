/**
 * What `login` and `logout` share on the command line: the `--authfile` / `--store` options, the
 * destination they name (default: docker's config.json), and the services the core is given.
 */
import type { Argv } from 'yargs';
import { resolve } from 'node:path';
import type { CommandContext } from './context.js';
import { warn } from './context.js';
import { UsageError } from '../errors.js';
import type { LoginDestination, LoginServices } from '../login.js';
import { podmanDefaultAuthFile } from './authfile-option.js';
import { expandHome } from '../auth-file/locate.js';

/** Adds `--authfile` and `--store`. */
export function destinationOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('authfile', { type: 'string', describe: 'a podman/containers auth.json instead of docker config.json (scoped keys allowed)' })
    .option('store', { type: 'string', describe: 'a credential store instead: a credkit backend (keychain, keyutils, pass, file), credkit, or helper:NAME' })
    .conflicts('authfile', 'store');
}

/** The destination the options name. */
export async function openDestination(ctx: CommandContext, args: { authfile?: string; store?: string }): Promise<LoginDestination> {
  const io = ctx.io;
  if (args.authfile !== undefined) {
    // An empty value names no file: podman's own, as `podman login --authfile ""` writes it.
    if (args.authfile === '') return { kind: 'auth-file', path: await podmanDefaultAuthFile(io) };
    return { kind: 'auth-file', path: resolve(io.cwd, expandHome(args.authfile, io.home)) };
  }
  if (args.store !== undefined) {
    const [{ loadConfig }, { isReadOnlySpec, openStoreSpec, parseStoreSpec }] = await Promise.all([import('../config.js'), import('../stores/store-spec.js')]);
    const config = await loadConfig(io);
    const spec = args.store === 'credkit' ? ({ kind: 'backend', name: config.backend } as const) : parseStoreSpec(args.store, '--store');
    if (spec.kind === 'authfile') throw new UsageError('--store names a credential store; for an auth file use --authfile FILE');
    if (isReadOnlySpec(spec)) throw new UsageError(`--store ${args.store}: that store is read-only`);
    if (args.store === 'credkit') {
      // The store docker-credential-credkit reads: its backend with its [routes]. The backend
      // alone would keep a routed registry's login where the helper never looks; and a backend
      // credkit cannot open is a mistake in its setting, not in --store.
      const { openCredkitStore } = await import('../stores/registry.js');
      return { kind: 'store', store: await openCredkitStore({ ...config, account: undefined }, io, (text) => warn(ctx, `credkit: ${text}`)) };
    }
    return { kind: 'store', store: await openStoreSpec(spec, config, io, undefined, '--store') };
  }
  const { locateAuthFiles } = await import('../auth-file/locate.js');
  const docker = locateAuthFiles(io).find((l) => l.readers.includes('docker'));
  if (docker === undefined) throw new UsageError("cannot tell where docker's config.json is; use --authfile or --store");
  return { kind: 'docker-config', path: docker.path };
}

/**
 * The registry check and helper access the core uses. With `account` (`login --account`), the
 * credkit helper runs with CREDKIT_ACCOUNT set to it, as docker runs it in such a shell.
 */
export async function openLoginServices(ctx: CommandContext, account?: string): Promise<LoginServices> {
  const [{ loadConfig }, { openConfiguredStore }] = await Promise.all([import('../config.js'), import('../stores/registry.js')]);
  const config = await loadConfig(ctx.io);
  const helperHost = account === undefined ? ctx.io : { ...ctx.io, env: { ...ctx.io.env, CREDKIT_ACCOUNT: account } };
  return {
    verify: async (options) => {
      const [{ verifyCredentials }, { proxyFromEnv }] = await Promise.all([import('../registry-client/verify.js'), import('../registry-client/proxy.js')]);
      // podman's proxy settings: HTTPS_PROXY, HTTP_PROXY and NO_PROXY from the environment.
      return verifyCredentials({ ...options, proxy: proxyFromEnv(ctx.io.env) });
    },
    openHelper: (name) => openConfiguredStore(config, name === 'credkit' ? helperHost : ctx.io, `helper:${name}`),
  };
}
