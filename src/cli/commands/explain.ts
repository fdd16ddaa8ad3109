/**
 * `credkit explain IMAGE_OR_REGISTRY [--as docker|podman|buildah|skopeo|kubelet] [--secret FILE...] [--json]`:
 * which credential each client uses for an image and why (files, keys, helpers, shadowed
 * entries). Secrets are always redacted. The lookup is loaded only when the command runs.
 */
import type { CommandModule } from 'yargs';
import type { ClientExplanation, ResolvedCredential } from '../../auth-file/lookup.js';
import type { LookupClient } from '../../auth-file/lookup.js';
import type { CredentialExplanation } from '../../credential-lookup.js';
import type { CommandContext } from '../context.js';
import { jsonOption, printJSON, say } from '../context.js';

interface ExplainArgs {
  target: string;
  as?: LookupClient[];
  secret?: string[];
  authfile?: string;
  json?: boolean;
  [key: string]: unknown;
}

/** The clients `--as` accepts. */
export const EXPLAIN_CLIENTS: readonly LookupClient[] = ['docker', 'podman', 'buildah', 'skopeo', 'kubelet'];

function describeCredential(c: ResolvedCredential): string {
  const user = c.username === '' ? '(no username)' : c.username;
  const kind = [c.password ? 'password' : '', c.identityToken ? 'identity token' : ''].filter(Boolean).join(' + ') || 'no secret';
  const where =
    c.source.helper !== undefined
      ? `helper "${c.source.helper}" (${c.source.key} in ${c.source.file})`
      : `${c.source.variable !== undefined ? `environment variable ${c.source.variable}` : c.source.file}, key ${JSON.stringify(c.source.key)}`;
  return `${user} (${kind}) from ${where}`;
}

/** Renders one client's explanation as indented text. */
/**
 * A file line's detail after its status: none where it would only repeat the status ("missing —
 * does not exist", "not-reached — not reached"); the JSON keeps the detail as the core wrote it.
 */
function fileDetail(f: ClientExplanation['files'][number]): string {
  if (!f.detail || f.detail === 'does not exist' || f.detail === 'not reached') return '';
  return ` — ${f.detail.startsWith('not reached (') && f.detail.endsWith(')') ? f.detail.slice('not reached ('.length, -1) : f.detail}`;
}

export function renderClient(x: ClientExplanation): string[] {
  const lines = [`${x.client}: ${x.title}`, `  looks up: ${JSON.stringify(x.query)}`];
  // Not a file: docker 28.3 and later read it before the files below.
  if (x.environment) lines.push(`  environment: ${x.environment.variable} (docker 28.3 and later, before any file): ${x.environment.status} — ${x.environment.detail}`);
  if (x.credentialHelpers) {
    const asked = x.credentialHelpers.helpers.map((h) => (h === 'containers-auth.json' ? 'the files below (containers-auth.json)' : `docker-credential-${h}`));
    lines.push(`  credential-helpers (${x.credentialHelpers.file}), asked in order: ${asked.join(', then ')}`);
  }
  if (x.files.length > 0) {
    lines.push(x.client === 'kubelet' ? '  pull secrets (all matches are tried, most specific key first):' : x.client === 'podman' || x.client === 'buildah' || x.client === 'skopeo' ? '  files, in order (the first with a credential wins):' : '  file:');
    x.files.forEach((f, i) => lines.push(`    ${i + 1}. ${f.path} (${f.why}): ${f.status}${fileDetail(f)}`));
  }
  for (const h of x.helperCalls) {
    const answer = h.outcome === 'found' ? `found${h.username ? `, username ${h.username}` : ' (identity token)'}` : h.outcome === 'not-found' ? 'not found' : `${h.reason}: ${h.message}`;
    lines.push(`  helper: docker-credential-${h.helper} get ${JSON.stringify(h.serverURL)} (${h.via}) → ${answer}`);
    const kept = h.credkitStore;
    if (kept) lines.push(`    credkit keeps it in ${kept.store}${kept.opens !== undefined ? `, which opens ${kept.opens} here` : ''} (${kept.route !== undefined ? `route ${JSON.stringify(kept.route)} under [routes]` : 'its backend: no route under [routes] matches'})${accountWords(kept.account)}`);
  }
  // kubelet: a credential whose place among others of the same keyring key is random says so.
  const order = (c: ResolvedCredential) => {
    const group = x.randomOrder?.find((r) => r.file === c.source.file && r.keys.includes(c.source.key));
    return group ? ` (random order among keys ${group.keys.map((k) => JSON.stringify(k)).join(', ')})` : '';
  };
  if (x.outcome === 'credential' && x.credential) lines.push(`  uses: ${describeCredential(x.credential)}${order(x.credential)}`);
  else if (x.outcome === 'error') lines.push(`  fails: ${x.reason}`);
  else if (x.outcome === 'hang') lines.push(`  hangs: ${x.reason}`);
  else lines.push(`  uses: no credential — ${x.reason}`);
  for (const alt of x.alternatives ?? []) lines.push(`  then tries: ${describeCredential(alt)}${order(alt)}`);
  if (x.shadowed.length > 0) {
    lines.push('  not used:');
    for (const s of x.shadowed) lines.push(`    ${s.file} ${JSON.stringify(s.key)}${s.username ? ` (${s.username})` : ''}: ${s.reason}`);
  }
  for (const n of x.notes) lines.push(`  note: ${n}`);
  return lines;
}

/** What the selected saved account did for a call to credkit's helper, after where credkit keeps the credential. */
function accountWords(a: NonNullable<ClientExplanation['helperCalls'][number]['credkitStore']>['account']): string {
  if (a === undefined) return '';
  const selected = `the account "${a.name}" (${a.from === 'CREDKIT_ACCOUNT' ? 'CREDKIT_ACCOUNT' : 'account = in config.ini'})`;
  if (a.answers === 'saved') return `, and ${selected} answers for it`;
  if (a.answers === 'not-saved') return `; ${selected} is not saved for it, so the plain entry is looked up`;
  if (a.answers === 'not-kept') return `; ${selected} does not apply there (that store keeps no saved accounts), so the plain entry is looked up`;
  return `; whether ${selected} is saved for it could not be read`;
}

/** Renders the whole report. */
export function renderReport(report: CredentialExplanation): string[] {
  const img = report.image;
  const head = img.kind === 'registry' ? `registry ${img.registry}` : `image ${img.name} (registry ${img.registry}, repository ${img.path})`;
  const lines = [`${JSON.stringify(img.input)}: ${head}`];
  for (const c of report.clients) lines.push('', ...renderClient(c));
  return lines;
}

/** `credkit explain …`. */
export function explainCommand(ctx: CommandContext): CommandModule<object, ExplainArgs> {
  return {
    command: 'explain <target>',
    describe: 'Show which credential docker, podman, buildah, skopeo or kubelet uses for an image, and why (secrets redacted)',
    builder: (y) =>
      y
        .positional('target', { type: 'string', describe: 'image (nginx, quay.io/org/app:1) or registry (quay.io, localhost:5000/)' })
        .option('as', { type: 'string', array: true, choices: EXPLAIN_CLIENTS as LookupClient[], describe: 'client(s) to explain (default: docker and podman, plus buildah and skopeo where they read other files than podman, plus kubelet with --secret)' })
        .option('secret', { type: 'string', array: true, describe: 'pull secret or auth file kubelet would use (repeatable; - for stdin)' })
        .option('authfile', { type: 'string', describe: "the containers/image clients' --authfile (replaces their first file)" })
        .option('json', jsonOption(ctx)) as never,
    handler: async (args) => {
      const [{ runLookup }, { UsageError }] = await Promise.all([import('../../credential-lookup.js'), import('../../errors.js')]);
      const clients = args.as && args.as.length > 0 ? [...new Set(args.as)] : undefined;
      const secrets = (args.secret ?? []).map(String);
      // As in get: docker and podman never read a pull secret, so explaining only them would quietly
      // leave out what was given. Without --as, kubelet is asked along with them.
      if (clients && secrets.length > 0 && !clients.includes('kubelet')) {
        const names = clients.join(' and ');
        throw new UsageError(`--secret is a pull secret for kubelet, which ${names} never ${clients.length === 1 ? 'reads' : 'read'}: add --as kubelet`);
      }
      const report = await runLookup(ctx.io, {
        target: String(args.target),
        cliFlags: true,
        ...(clients ? { clients } : {}),
        ...(secrets.length > 0 ? { secrets } : {}),
        ...(args.authfile !== undefined ? { authfile: String(args.authfile) } : {}),
      });
      if (args.json) return printJSON(ctx, report);
      for (const line of renderReport(report)) say(ctx, line);
    },
  };
}
