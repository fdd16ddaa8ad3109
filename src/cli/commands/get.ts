/**
 * `credkit get IMAGE_OR_REGISTRY [--as docker|podman|buildah|skopeo|kubelet] [--secret FILE...]`: the credential
 * that client would send (kubelet: the first it tries, from the pull secrets given), printed in the
 * helper protocol's `get` shape (`{"ServerURL":…,"Username":…,"Secret":…}` and a newline, like
 * `crane auth get`; an identity token is Username `<token>`). Nothing found: nothing on stdout,
 * `credkit: no credential for X (…why…)` on stderr, exit 1. Default: docker.
 */
import type { CommandModule } from 'yargs';
import type { LookupClient } from '../../auth-file/lookup.js';
import type { CommandContext } from '../context.js';

interface GetArgs {
  target: string;
  as?: LookupClient;
  secret?: string[];
  authfile?: string;
  [key: string]: unknown;
}

/** `credkit get …`. */
export function getCommand(ctx: CommandContext): CommandModule<object, GetArgs> {
  return {
    command: 'get <target>',
    describe: 'Print the credential docker, podman, buildah, skopeo or kubelet would use for an image, as helper JSON (includes the secret)',
    builder: (y) =>
      y
        .positional('target', { type: 'string', describe: 'image or registry' })
        .option('as', { type: 'string', choices: ['docker', 'podman', 'buildah', 'skopeo', 'kubelet'], default: 'docker', describe: 'whose lookup to follow' })
        .option('secret', { type: 'string', array: true, describe: 'pull secret or auth file kubelet would use (with --as kubelet; repeatable; - for stdin)' })
        .option('authfile', { type: 'string', describe: "the client's --authfile (replaces its first file)" }) as never,
    handler: async (args) => {
      const [{ runLookup, credentialOf }, { formatGet }, { NotFoundError, HelperError, UsageError }] = await Promise.all([
        import('../../credential-lookup.js'),
        import('../../helper/protocol.js'),
        import('../../errors.js'),
      ]);
      const client: LookupClient = args.as === 'podman' || args.as === 'buildah' || args.as === 'skopeo' || args.as === 'kubelet' ? args.as : 'docker';
      const secrets = (args.secret ?? []).map(String);
      // kubelet reads nothing but the pod's pull secrets, and docker and podman read none: either
      // way round, the answer would be about something other than what was asked.
      if (client === 'kubelet' && secrets.length === 0) throw new UsageError("--as kubelet needs --secret FILE: kubelet uses only the pod's pull secrets");
      if (client !== 'kubelet' && secrets.length > 0) throw new UsageError(`--secret is a pull secret for kubelet, which ${client} never reads: add --as kubelet`);
      const target = String(args.target);
      const report = await runLookup(ctx.io, {
        target,
        clients: [client],
        cliFlags: true,
        ...(secrets.length > 0 ? { secrets } : {}),
        ...(args.authfile !== undefined ? { authfile: String(args.authfile) } : {}),
      });
      const x = report.clients[0];
      if (!x) throw new HelperError(`cannot get a credential for ${target} (${client}: no answer)`);
      // The same answer as the library's getCredential, in the helper protocol's shape.
      const sent = credentialOf(x, target);
      if (!sent) throw new NotFoundError(`no credential for ${target} (${client}: ${x.reason})`);
      const credential = 'identityToken' in sent ? { username: '<token>', secret: sent.identityToken } : { username: sent.username, secret: sent.password };
      ctx.io.stdout(formatGet(sent.serverURL, { serverURL: sent.serverURL, ...credential }));
    },
  };
}
