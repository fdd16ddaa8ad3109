/**
 * `credkit account list [SERVER]`: the saved accounts in credkit's store (several credentials for
 * one server URL, chosen with CREDKIT_ACCOUNT; docs/helpers.md). Usernames only, never secrets.
 */
import type { CommandModule } from 'yargs';
import type { CommandContext } from '../context.js';
import { cell, jsonOption, printJSON, say, warn } from '../context.js';
import { loadConfig } from '../../config.js';
import { openCredkitStore } from '../../stores/registry.js';
import { listAccounts, withoutUnusedAccounts } from '../../stores/accounts.js';
import { shownKey } from '../../redact.js';
import { TOKEN_USERNAME } from '../../stores/store.js';
import { UsageError } from '../../errors.js';

interface AccountArgs {
  server?: string;
  json?: boolean;
  [key: string]: unknown;
}

/** `credkit account …`. */
export function accountCommand(ctx: CommandContext): CommandModule<object, AccountArgs> {
  return {
    command: 'account [action]',
    describe: 'List the saved accounts (several logins for one registry, chosen with CREDKIT_ACCOUNT)',
    builder: (y) =>
      y
        .command({
          command: 'list [server]',
          describe: "List each saved account's server URL, name and username, with the plain entry beside it",
          builder: (b) =>
            b
              .positional('server', { type: 'string', describe: 'only this server URL (exact, or the same registry: docker.io finds https://index.docker.io/v1/)' })
              .option('json', jsonOption(ctx))
              .example('CREDKIT_ACCOUNT=work docker login -u me-at-work --password-stdin', 'save a second Docker Hub account, "work"')
              .example('$0 account list docker.io', "Docker Hub's plain entry and saved accounts"),
          handler: async (args: AccountArgs) => {
            const config = await loadConfig(ctx.io);
            // The store as it is, not through the selected account: every account is listed.
            const store = await openCredkitStore({ ...config, account: undefined }, ctx.io, (text) => warn(ctx, `credkit: ${text}`));
            const selected = config.account;
            const server = args.server === undefined ? undefined : String(args.server);
            // Accounts' keys where the store keeps none (another program's store) are never used
            // by the helper: not listed as accounts, but named so that they can be removed.
            const { listed, unused } = await withoutUnusedAccounts(store, await store.list(), server);
            const rows = listAccounts(listed, server, selected);
            const unusedRows = unused.map((u) => ({ serverURL: shownKey(u.serverURL), account: u.account, username: u.username, why: u.why }));
            if (args.json) {
              return printJSON(ctx, {
                selected: selected ?? null,
                accounts: rows.map((r) => ({ serverURL: r.serverURL, account: r.account ?? null, username: r.username, selected: r.account !== undefined && r.account === selected, answers: r.answers })),
                unused: unusedRows,
              });
            }
            for (const u of unusedRows) {
              warn(ctx, `credkit: warning: the key of the account "${u.account}" of ${cell(u.serverURL)} is never used and not listed: ${cell(u.why)}; saved accounts are kept by credkit's own backends (file, keychain, keyutils, pass)`);
            }
            if (rows.length === 0) return say(ctx, args.server === undefined ? 'no saved accounts' : `no saved accounts for ${cell(String(args.server))}`);
            // With an account selected, the row the helper answers with: the account's, or (where
            // the server URL has no such account) the plain entry's.
            const mark = (r: (typeof rows)[number]) => (selected === undefined || !r.answers ? '' : r.account !== undefined ? '  (selected)' : `  (answers: no "${selected}" here)`);
            const shown = rows.map((r) => [
              cell(r.serverURL),
              r.account === undefined ? '(default)' : r.account,
              `${r.username === TOKEN_USERNAME ? '(identity token)' : cell(r.username)}${mark(r)}`,
            ]);
            const widths = [0, 1].map((i) => Math.max(...shown.map((r) => r[i]!.length)));
            for (const r of shown) say(ctx, `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]}`);
          },
        })
        .command({
          command: '$0 [action]',
          describe: false,
          builder: (b) => b.strict(false),
          handler: (args: AccountArgs) => {
            throw new UsageError(args.action === undefined ? 'name an account action: list' : `unknown account action "${String(args.action)}": use list`);
          },
        }),
    handler: () => undefined,
  };
}
