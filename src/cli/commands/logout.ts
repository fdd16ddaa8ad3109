/**
 * `credkit logout [REGISTRY[/NAMESPACE[/REPO]]] | --all`: remove credentials, every Docker Hub
 * alias of them, and the helper entries the file routes them to.
 */
import type { CommandModule } from 'yargs';
import type { CommandContext } from '../context.js';
import { jsonOption, printJSON, say, warn } from '../context.js';
import { NotFoundError, UsageError } from '../../errors.js';
import { destinationOptions, openDestination, openLoginServices } from '../login-destination.js';

interface LogoutArgs {
  registry?: string;
  all?: boolean;
  authfile?: string;
  store?: string;
  json?: boolean;
  [key: string]: unknown;
}

/** `credkit logout …`. */
export function logoutCommand(ctx: CommandContext): CommandModule<object, LogoutArgs> {
  return {
    command: 'logout [registry]',
    describe: 'Remove the credentials for a registry (all its Docker Hub aliases, and from its helper), or --all',
    builder: (y) =>
      destinationOptions(
        y
          .positional('registry', { type: 'string', describe: 'REGISTRY[/NAMESPACE[/REPO]] (default: Docker Hub)' })
          .option('all', { type: 'boolean', describe: 'remove every credential of the file (and erase each from its helper) or store' })
          .option('json', jsonOption(ctx, 'print the result as JSON')),
      ) as never,
    handler: async (args) => {
      if (args.all && args.registry !== undefined) throw new UsageError('give a registry or --all, not both');
      const { parseLoginTarget, logout } = await import('../../login.js');
      const target = args.all ? undefined : parseLoginTarget(args.registry);
      const services = await openLoginServices(ctx);
      const destination = await openDestination(ctx, args);
      // podman reads every auth file in turn: after a logout from one of them, say which file (or
      // its helper) it still logs in with, as `podman login --get-login` would show. That is
      // podman's own search, without --authfile: with DOCKER_CONFIG set it starts at docker's
      // config.json (the destination without --authfile) and never reads the runtime auth.json.
      const stillUsed = async () => {
        if (target === undefined) return undefined;
        const { podmanReadsDockerConfigFirst } = await import('../../auth-file/locate.js');
        if (destination.kind !== 'auth-file' && !(destination.kind === 'docker-config' && podmanReadsDockerConfigFirst(ctx.io))) return undefined;
        const { runLookup } = await import('../../credential-lookup.js');
        const { podmanStillUses } = await import('../../login.js');
        // The registry alone is `host/`; a scoped key is an image name under its scope.
        const image = target.key.scope === 'registry' ? `${target.podmanKey}/` : target.podmanKey;
        try {
          const report = await runLookup(ctx.io, { target: image, clients: ['podman'], cliFlags: true });
          const x = report.clients[0];
          return x === undefined ? undefined : podmanStillUses(x, target, destination.path);
        } catch {
          // Best effort: a file podman cannot read is for explain and doctor to report.
          return undefined;
        }
      };
      let result;
      try {
        result = await logout({ ...(target ? { target } : {}), all: Boolean(args.all), destination }, services);
      } catch (err) {
        const still = err instanceof NotFoundError ? await stillUsed() : undefined;
        if (still !== undefined) throw new NotFoundError(`${(err as NotFoundError).message}; but ${still}`, { cause: err });
        throw err;
      }
      const still = await stillUsed();
      if (still !== undefined) warn(ctx, `credkit: warning: ${still}`);
      if (result.failures.length > 0) ctx.exitCode = 1;
      // podman never reads DOCKER_AUTH_CONFIG; docker does, before the file and store just cleared.
      if (destination.kind !== 'auth-file' && (target === undefined || target.key.scope === 'registry')) {
        const { dockerEnvOverrideWarning } = await import('../../auth-file/docker-env-config.js');
        const shadowed = dockerEnvOverrideWarning(ctx.io.env, target?.dockerKey, 'removed');
        if (shadowed !== undefined) warn(ctx, `credkit: warning: ${shadowed}`);
      }
      if (args.json) return printJSON(ctx, result);
      for (const f of result.failures) warn(ctx, `credkit: ${f}`);
      for (const r of result.removed) {
        say(ctx, r.kind === 'file' ? `removed "${r.key}" from ${r.path}` : `erased "${r.serverURL}" from ${r.name}`);
      }
    },
  };
}
