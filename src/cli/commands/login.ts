/**
 * `credkit login [REGISTRY[/NAMESPACE[/REPO]]] -u USER --password-stdin`: check the credentials with
 * the registry (no Docker daemon), then store them where docker or podman looks. The secret comes
 * from standard input only; it is never printed.
 */
import type { CommandModule } from 'yargs';
import type { CommandContext } from '../context.js';
import { jsonOption, printJSON, say, warn } from '../context.js';
import { UsageError } from '../../errors.js';
import type { StoredPlace } from '../../login.js';
import { destinationOptions, openDestination, openLoginServices } from '../login-destination.js';
import { readSecretFromStdin } from '../stdin-secret.js';

interface LoginArgs {
  registry?: string;
  username?: string;
  password?: unknown;
  'password-stdin'?: boolean;
  'identity-token-stdin'?: boolean;
  authfile?: string;
  store?: string;
  'cert-dir'?: string;
  insecure?: boolean;
  verify?: boolean;
  json?: boolean;
  account?: string;
  [key: string]: unknown;
}

/** `credkit login …`. */
export function loginCommand(ctx: CommandContext): CommandModule<object, LoginArgs> {
  return {
    command: 'login [registry]',
    describe: 'Check credentials with a registry (no Docker daemon) and store them as docker or podman would',
    builder: (y) =>
      destinationOptions(
        y
          .positional('registry', { type: 'string', describe: 'REGISTRY[/NAMESPACE[/REPO]] (default: Docker Hub); a scoped key needs --authfile' })
          .option('username', { alias: 'u', type: 'string', describe: 'user name' })
          .option('password-stdin', { type: 'boolean', describe: 'read the password from standard input (one trailing newline is dropped; with --authfile every line break, as podman does)' })
          .option('identity-token-stdin', { type: 'boolean', describe: 'read an identity token (OAuth2 refresh token) from standard input instead of a password' })
          .option('password', { alias: 'p', type: 'string', hidden: true })
          .option('cert-dir', { type: 'string', describe: 'CA certificates (*.crt) and client certificate (NAME.cert + NAME.key) for the registry (default: the registry\'s directory under ~/.config/containers/certs.d, /etc/containers/certs.d or /etc/docker/certs.d)' })
          .option('insecure', { type: 'boolean', describe: "do not verify the registry's TLS certificate" })
          .option('verify', { type: 'boolean', default: true, describe: 'check the credentials with the registry before storing (--no-verify: store unchecked)' })
          .option('account', { type: 'string', describe: "store as this saved account of the registry, beside its plain entry (credkit's store only: --store, or docker's credsStore/credHelpers naming credkit)" })
          .option('json', jsonOption(ctx, 'print the result as JSON')),
      )
        .example('printf %s "$PW" | $0 login -u alice --password-stdin registry.example.com', 'into ~/.docker/config.json, or its credsStore/credHelpers')
        .example('$0 login quay.io/team/app -u bot --password-stdin --authfile auth.json', 'a repository-scoped key in a podman auth.json')
        .example('$0 login ghcr.io -u me --password-stdin --store pass', "straight into credkit's pass backend")
        .example('$0 login -u me-at-work --password-stdin --account work', 'a second Docker Hub account, with "credsStore": "credkit"') as never,
    handler: (args) => runLogin(ctx, args),
  };
}

/** Checks and stores one login. */
async function runLogin(ctx: CommandContext, args: LoginArgs): Promise<void> {
  if (args.password !== undefined) throw new UsageError('never pass a password as an argument (it ends up in shell history and process lists); pipe it in with --password-stdin');
  const fromStdin = [args['password-stdin'], args['identity-token-stdin']].filter(Boolean).length;
  if (fromStdin !== 1) throw new UsageError('give the secret on standard input: --password-stdin (with -u USER) or --identity-token-stdin');
  const username = args.username ?? '';
  if (args['password-stdin'] && username === '') throw new UsageError('--password-stdin needs a user name: -u USER');
  const { assertLoginDestination, parseLoginTarget, login } = await import('../../login.js');
  const target = parseLoginTarget(args.registry);
  const account = args.account === undefined ? undefined : (await import('../../stores/accounts.js')).checkAccountName(String(args.account), '--account');
  // Another helper would take an account's key for a server URL (docs/helpers.md).
  if (account !== undefined && args.store?.startsWith('helper:')) throw new UsageError(`--account: --store ${args.store} keeps no saved accounts; use a credkit backend, or --store credkit`);
  const services = await openLoginServices(ctx, account);
  const destination = await openDestination(ctx, args);
  assertLoginDestination(target, destination);
  // A password for a podman auth.json is read as podman reads it (every line break dropped);
  // everything else as docker does (one trailing newline dropped).
  const secret = await readSecretFromStdin(ctx.io, destination.kind === 'auth-file' && args['password-stdin'] ? 'podman' : 'docker');
  // Without --cert-dir, the certificates podman and docker would use for this registry.
  const certDir = args['cert-dir'] !== undefined ? String(args['cert-dir']) : await (await import('../../registry-client/tls-config.js')).defaultCertDir(target.registry, ctx.io.env, ctx.io.home);
  const tls = {
    ...(certDir !== undefined ? { certDir } : {}),
    ...(args.insecure ? { insecure: true } : {}),
  };
  const result = await login(
    {
      target,
      destination,
      ...(username !== '' ? { username } : {}),
      ...(args['password-stdin'] ? { password: secret } : { identityToken: secret }),
      verify: args.verify !== false,
      tls,
      ...(account !== undefined ? { account } : {}),
    },
    services,
  );
  // podman never reads DOCKER_AUTH_CONFIG: only a login docker reads (its config.json, or a store) is shadowed by it.
  if (destination.kind !== 'auth-file') {
    const { dockerEnvOverrideWarning } = await import('../../auth-file/docker-env-config.js');
    const shadowed = dockerEnvOverrideWarning(ctx.io.env, target.dockerKey, 'stored');
    if (shadowed !== undefined) result.warnings.push(shadowed);
  }
  if (args.json) return printJSON(ctx, { ok: true, ...result });
  for (const w of result.warnings) warn(ctx, w);
  const who = result.username !== '' ? `${result.username} at ` : '';
  const checked = result.verified === 'skipped' || result.verified === 'none' ? 'not checked' : `checked: ${result.verified}`;
  say(ctx, `Login Succeeded: ${who}${result.registry} (${checked})`);
  say(ctx, `stored${result.identityToken ? ' an identity token' : ''} ${describePlace(result.stored)}`);
}

function describePlace(p: StoredPlace): string {
  if (p.kind === 'file') return `in ${p.path} under "${p.key}"`;
  const account = p.account === undefined ? '' : ` as the account "${p.account}"`;
  if (p.kind === 'store') return `in ${p.store} under "${p.serverURL}"${account}`;
  const marker = p.marker ? `; ${p.marker.path} has the marker "${p.marker.key}": {}` : '';
  return `in docker-credential-${p.helper} under "${p.serverURL}"${account}${marker}`;
}
