/**
 * `credkit store list|get|erase|store|backends`: the helper's backends, for humans. Secrets are
 * redacted unless `--show-secret`; new secrets come from standard input only.
 */
import type { Argv, CommandModule } from 'yargs';
import type { CommandContext } from '../context.js';
import { cell, jsonOption, printJSON, say, sayRevealed, warn } from '../context.js';
import { loadConfig } from '../../config.js';
import { lintConfig } from '../../config-lint.js';
import { openConfiguredStore, openCredkitStore } from '../../stores/registry.js';
import { checkBackends } from '../../stores/backend-status.js';
import { assertKeepsAccounts, checkAccountName } from '../../stores/accounts.js';
import { accountKey } from '../../stores/account-key.js';
import { entriesShownAs, hiddenEntry, numberEntries } from '../../stores/listing.js';
import type { CredentialStore, StoreUse } from '../../stores/store.js';
import { TOKEN_USERNAME } from '../../stores/store.js';
import { NotFoundError, UsageError } from '../../errors.js';
import { credentialInServerURL, redact, shownKey } from '../../redact.js';
import { readSecretFromStdin } from '../stdin-secret.js';

interface StoreArgs {
  backend?: string;
  json?: boolean;
  server?: string;
  username?: string;
  'password-stdin'?: boolean;
  'identity-token'?: boolean;
  'show-secret'?: boolean;
  account?: string;
  entry?: number;
  id?: string;
  [key: string]: unknown;
}

/**
 * The store named by --backend; without it, the helper's: the configured backend and its [routes].
 * With the saved account --account names (else CREDKIT_ACCOUNT or `account =`), the key of that
 * account: get, erase and store take exactly it (never the plain entry the helper falls back to).
 */
async function open(ctx: CommandContext, args: StoreArgs, use: StoreUse = 'store'): Promise<{ store: CredentialStore; account: string | undefined; key: (server: string, done: string) => Promise<string> }> {
  const config = await loadConfig(ctx.io);
  const account = args.account !== undefined ? checkAccountName(String(args.account), '--account') : config.account;
  const store =
    args.backend !== undefined
      ? await openConfiguredStore(config, ctx.io, args.backend, undefined, undefined, use)
      : await openCredkitStore({ ...config, account: undefined }, ctx.io, (text) => warn(ctx, `credkit: ${text}`));
  // A store that keeps no accounts for the server (another program's, the env backend) is refused
  // before it is asked: a helper would store the key as a server URL, or fail on it.
  const key = async (server: string, done: string) => {
    if (account === undefined) return server;
    await assertKeepsAccounts(store, server, account, done);
    return accountKey(server, account);
  };
  return { store, account, key };
}

/** `credkit store …`. */
export function storeCommand(ctx: CommandContext): CommandModule<object, StoreArgs> {
  const backendOption = (y: Argv<object>) =>
    y.option('backend', { type: 'string', describe: 'backend to use, bypassing [routes] (default: as the helper: CREDKIT_BACKEND, config.ini, else auto, with config.ini [routes])' });
  return {
    command: 'store [action]',
    describe: "Use credkit's credential stores directly (list, get, erase, store, backends)",
    builder: (y) =>
      y
        .command({
          command: 'list',
          describe: 'List server URLs and usernames in the store',
          builder: (b) => backendOption(b).option('json', jsonOption(ctx)),
          handler: async (args: StoreArgs) => {
            // Saved accounts' keys are no server URLs: they are `credkit account list`'s to show.
            const { entries, accounts } = numberEntries(await (await open(ctx, args, 'inspect')).store.list());
            if (accounts > 0) warn(ctx, `credkit: ${accounts === 1 ? '1 saved account is' : `${accounts} saved accounts are`} not listed here; see credkit account list`);
            for (const e of entries) {
              const backend = args.backend === undefined ? '' : ` --backend ${cell(args.backend)}`;
              if (e.hidden) warn(ctx, `credkit: entry #${e.index} holds a credential where the server URL belongs (no client asks for it); credkit store erase --entry ${e.index} --id ${e.id}${backend} removes it`);
              // Typing the masked key names no entry, and typing the key itself puts the password
              // in argv (shell history, ps): the number and id name it instead.
              if (e.masked) warn(ctx, `credkit: entry #${e.index} holds a user name and password before the host (no client asks for it); credkit store erase --entry ${e.index} --id ${e.id}${backend} removes it`);
            }
            if (args.json) return printJSON(ctx, Object.fromEntries(entries.map((e) => [e.shown, e.username])));
            if (entries.length === 0) return say(ctx, 'no credentials stored');
            const shown = entries.map((e) => [cell(e.shown), cell(e.username)] as const);
            const width = Math.max(...shown.map(([url]) => url.length));
            for (const [url, user] of shown) say(ctx, `${url.padEnd(width)}  ${user}`);
          },
        })
        .command({
          command: 'get <server>',
          describe: 'Show the credential stored for an exact server URL (secret redacted)',
          builder: (b) =>
            backendOption(b)
              .positional('server', { type: 'string', demandOption: true })
              .option('account', { type: 'string', describe: 'a saved account of the server URL instead of its plain entry (default: CREDKIT_ACCOUNT, else account = in config.ini)' })
              .option('show-secret', { type: 'boolean', describe: 'print the secret itself' })
              .option('json', jsonOption(ctx)),
          handler: async (args: StoreArgs) => {
            const server = args.server as string;
            const { store, account, key } = await open(ctx, args, 'inspect');
            const c = await store.get(await key(server, 'read'));
            // A server URL that holds a credential (one another program stored) is named by its stand-in.
            const shown = shownKey(server);
            if (!c) throw new NotFoundError(`no credential stored for "${shown}"${accountWords(account)}`);
            const secret = args['show-secret'] ? c.secret : redact(c.secret);
            if (args.json) return printJSON(ctx, { serverURL: shown, ...(account !== undefined ? { account } : {}), username: c.username, secret }, Boolean(args['show-secret']));
            say(ctx, `server:   ${shown}`);
            if (account !== undefined) say(ctx, `account:  ${account}`);
            say(ctx, c.username === TOKEN_USERNAME ? 'username: (identity token)' : `username: ${c.username}`);
            sayRevealed(ctx, `secret:   ${secret}`);
          },
        })
        .command({
          command: 'erase [server]',
          describe: 'Remove the credential stored for an exact server URL',
          builder: (b) =>
            backendOption(b)
              .positional('server', { type: 'string' })
              .option('account', { type: 'string', describe: 'erase this saved account of the server URL, never its plain entry (default: CREDKIT_ACCOUNT, else account = in config.ini)' })
              .option('entry', { type: 'number', describe: 'erase the entry credkit store list shows as <entry #N (id ID), hidden: …> or user:********@host <entry #N (id ID)> (a key that holds a credential), instead of a server URL; with --id' })
              .option('id', { type: 'string', describe: 'with --entry: the id credkit store list shows for that entry (erase refuses if entry #N is another one by now)' }),
          handler: async (args: StoreArgs) => {
            if (args.entry !== undefined) return eraseHiddenEntry(ctx, args);
            if (args.server === undefined) throw new UsageError('name the server URL to erase (or --entry N --id ID for an entry credkit store list shows hidden or masked)');
            const server = args.server;
            const { store, account, key } = await open(ctx, args, 'inspect');
            const existed = await store.delete(await key(server, 'erased'));
            if (!existed) throw new NotFoundError(`no credential stored for "${shownKey(server)}"${accountWords(account)}${account === undefined ? await maskedAs(store, server, args.backend) : ''}`);
            say(ctx, `erased ${shownKey(server)}${accountWords(account)}`);
          },
        })
        .command({
          command: 'store <server>',
          describe: 'Store a credential; the secret is read from standard input',
          builder: (b) =>
            backendOption(b)
              .positional('server', { type: 'string', demandOption: true })
              .option('account', { type: 'string', describe: 'store as this saved account of the server URL, leaving its plain entry (default: CREDKIT_ACCOUNT, else account = in config.ini)' })
              .option('username', { alias: 'u', type: 'string', describe: 'username' })
              .option('password-stdin', { type: 'boolean', describe: 'read the password from standard input' })
              .option('identity-token', { type: 'boolean', describe: 'the secret is an identity token (username "<token>"; not with -u)' }),
          handler: async (args: StoreArgs) => {
            // The helper protocol has no place for a username beside a token (Username is "<token>"),
            // and no store `credkit store` opens keeps one: a -u given here would be lost silently.
            if (args['identity-token'] && args.username !== undefined) {
              throw new UsageError('--username cannot go with --identity-token: an identity token is stored under the username "<token>" (as docker does), so the username would be lost; drop -u');
            }
            refuseCredentialServer(args.server as string);
            if (!args['password-stdin']) throw new UsageError('pass the secret on standard input with --password-stdin (never as an argument)');
            const username = args['identity-token'] ? TOKEN_USERNAME : args.username;
            if (!username) throw new UsageError('--username is required (or --identity-token)');
            const secret = await readSecretFromStdin(ctx.io);
            const server = args.server as string;
            const { store, account, key } = await open(ctx, args);
            await store.add({ serverURL: await key(server, 'stored'), username, secret });
            say(ctx, `stored ${server}${accountWords(account)}`);
          },
        })
        .command({
          command: 'backends',
          describe: 'Show each backend and whether it can be used here',
          builder: (b) => b.option('json', jsonOption(ctx)),
          handler: async (args: StoreArgs) => {
            const config = await loadConfig(ctx.io);
            // The configured backend shown below may be a default only because of a typo.
            for (const w of lintConfig(ctx.io)) warn(ctx, `credkit: warning: ${w.path}: ${w.message}`);
            const { backends: rows, routes, configuredProblem } = await checkBackends(config, ctx.io);
            if (args.json) return printJSON(ctx, { configured: config.backend, configuredProblem: configuredProblem ?? null, fallback: config.fallback ?? null, routes, backends: rows });
            const problem = configuredProblem === undefined ? '' : `: not usable here: ${cell(configuredProblem)}`;
            say(ctx, `configured: ${config.backend}${config.fallback ? ` (fallback: ${config.fallback})` : ''}${problem}`);
            for (const r of routes) {
              const why = r.code === 'route-invalid' ? `: cannot be used, so every helper call fails: ${cell(r.problem ?? '')}` : r.code === 'route-store' ? `: not usable here: ${cell(r.problem ?? '')}` : '';
              say(ctx, `route:      ${cell(r.pattern)} -> ${r.store === '' ? '(no store)' : cell(r.store)}${why}`);
            }
            for (const r of rows) say(ctx, `${r.usable ? 'ok ' : 'no '} ${r.name.padEnd(9)} ${r.usable ? r.description : r.problem}`);
          },
        })
        // No action, or one that is not above. As a default command it also keeps yargs from
        // failing first with its own texts ("Not enough non-option arguments: got 0, need at
        // least 1", "Did you mean list?"), which do not say what the actions are.
        .command({
          command: '$0 [action]',
          describe: false,
          // `store lst --json` is about the action, not about an option lst would not take.
          builder: (b) => b.strict(false),
          handler: (args: StoreArgs) => {
            const actions = 'list, get, erase, store or backends';
            throw new UsageError(args.action === undefined ? `name a store action: ${actions}` : `unknown store action "${String(args.action)}": use ${actions}`);
          },
        }),
    handler: () => undefined,
  };
}

/**
 * What to say when the server URL typed to erase is one `store list` showed masked
 * (`alice:********@ghcr.io`): the entry (or entries) shown as it, and how to erase one without
 * typing its password. Nothing for any other server URL, which costs no listing.
 */
async function maskedAs(store: CredentialStore, server: string, backend: string | undefined): Promise<string> {
  if (!server.includes('********')) return '';
  const shown = entriesShownAs(await store.list(), server);
  const [one] = shown;
  if (one === undefined) return '';
  const option = backend === undefined ? '' : ` --backend ${cell(backend)}`;
  if (shown.length === 1) return `; entry #${one.index} is shown as it, with its password masked: credkit store erase --entry ${one.index} --id ${one.id}${option} erases it`;
  return `; entries ${shown.map((e) => `#${e.index} (id ${e.id})`).join(', ')} are shown as it, with their passwords masked: credkit store erase --entry N --id ID${option} erases one`;
}

/**
 * `store erase --entry N`: the hidden or masked entry numbered N in `store list` (same store, same
 * --backend), erased by its key, which the user never has to type. Saved accounts are not in that list.
 */
async function eraseHiddenEntry(ctx: CommandContext, args: StoreArgs): Promise<void> {
  const n = args.entry as number;
  if (args.server !== undefined) throw new UsageError('give either a server URL or --entry, not both');
  if (args.account !== undefined) throw new UsageError('--entry names a plain entry of credkit store list; it cannot go with --account');
  if (!Number.isInteger(n) || n < 1) throw new UsageError('--entry takes an entry number from credkit store list (1, 2, …)');
  // Numbers shift when an entry is added or removed; the id says which entry the user saw.
  if (typeof args.id !== 'string' || !/^[0-9a-f]{4}$/i.test(args.id.trim())) {
    throw new UsageError(`--entry goes with --id, the four hex digits credkit store list shows in the entry: <entry #${n} (id …)…>`);
  }
  const { store } = await open(ctx, { ...args, account: undefined }, 'inspect');
  const entry = hiddenEntry(await store.list(), n, args.id);
  if (!(await store.delete(entry.key))) throw new NotFoundError(`${entry.shown} is no longer stored`);
  say(ctx, `erased ${entry.shown}`);
}

/**
 * Refuses a server URL that holds a credential, without quoting it: a user:password or base64 of
 * one where the registry belongs, or a user name and password before the host (credentialInServerURL).
 * No client ever asks a store for such a URL, and every store keeps the URL in the clear as the
 * entry's name (an item label, a file name under pass, a JSON key), as copy refuses it too.
 */
function refuseCredentialServer(server: string): void {
  const held = credentialInServerURL(server);
  if (held === undefined) return;
  if ('what' in held) throw new UsageError(`the server URL holds ${held.what}, not a registry: no client ever asks for it, and the store would keep it in the clear as the entry's name; give the registry (e.g. quay.io), the username with -u and the secret on standard input`);
  throw new UsageError(`the server URL holds a user name and password before the host: no client ever asks for it, and the store would keep them in the clear as the entry's name; store the credential under ${held.host !== '' ? `"${held.host}"` : 'the host'} alone, the username with -u`);
}

/** " as the account NAME", or nothing for the plain entry. */
function accountWords(account: string | undefined): string {
  return account === undefined ? '' : ` as the account "${account}"`;
}
