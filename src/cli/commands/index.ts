/**
 * The command table. Each command's module (and what it imports: yaml, fast-glob, the helper
 * client…) is loaded only when that command runs; the others appear in `--help` from this table.
 * test/unit/cli/commands.test.ts keeps `command`/`describe` here equal to each module's own.
 */
import type { CommandModule } from 'yargs';
import type { CommandContext } from '../context.js';

/** A command module factory: gets the run's context, returns a yargs command. */
export type CommandFactory = (ctx: CommandContext) => CommandModule<object, any>;

/** One top-level command: how help shows it, and how to load it. */
export interface CommandEntry {
  /** The word that selects it. */
  name: string;
  /** yargs command string, as the module declares it. */
  command: string;
  describe: string;
  load: () => Promise<CommandFactory>;
}

/** Every `credkit` command, in help order. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'convert',
    command: 'convert <input>',
    describe: 'Convert a credential file (docker, podman, dockercfg, secret; - for stdin) to another format',
    load: async () => (await import('./convert.js')).convertCommand,
  },
  {
    name: 'merge',
    command: 'merge <inputs..>',
    describe: 'Merge credential files and pull secrets (a later entry replaces the whole earlier one)',
    load: async () => (await import('./merge.js')).mergeCommand,
  },
  {
    name: 'login',
    command: 'login [registry]',
    describe: 'Check credentials with a registry (no Docker daemon) and store them as docker or podman would',
    load: async () => (await import('./login.js')).loginCommand,
  },
  {
    name: 'logout',
    command: 'logout [registry]',
    describe: 'Remove the credentials for a registry (all its Docker Hub aliases, and from its helper), or --all',
    load: async () => (await import('./logout.js')).logoutCommand,
  },
  {
    name: 'ls',
    command: 'ls [files..]',
    describe: 'List registry credentials (default: the files docker and podman read); secrets redacted',
    load: async () => (await import('./ls.js')).lsCommand,
  },
  {
    name: 'check',
    command: 'check [files..]',
    describe: 'Lint auth files and pull secrets (stubs, bad auth, shadowed keys, modes…)',
    load: async () => (await import('./check.js')).checkCommand,
  },
  {
    name: 'explain',
    command: 'explain <target>',
    describe: 'Show which credential docker, podman, buildah, skopeo or kubelet uses for an image, and why (secrets redacted)',
    load: async () => (await import('./explain.js')).explainCommand,
  },
  {
    name: 'get',
    command: 'get <target>',
    describe: 'Print the credential docker, podman, buildah, skopeo or kubelet would use for an image, as helper JSON (includes the secret)',
    load: async () => (await import('./get.js')).getCommand,
  },
  {
    name: 'copy',
    command: 'copy [registries..]',
    describe: 'Copy or move credentials between stores (backends, docker-credential helpers, auth files)',
    load: async () => (await import('./copy.js')).copyCommand,
  },
  {
    name: 'migrate',
    command: 'migrate <patterns..>',
    describe: 'Convert many auth files in place, or move their plaintext credentials into a store',
    load: async () => (await import('./migrate.js')).migrateCommand,
  },
  {
    name: 'store',
    command: 'store [action]',
    describe: "Use credkit's credential stores directly (list, get, erase, store, backends)",
    load: async () => (await import('./store.js')).storeCommand,
  },
  {
    name: 'account',
    command: 'account [action]',
    describe: 'List the saved accounts (several logins for one registry, chosen with CREDKIT_ACCOUNT)',
    load: async () => (await import('./account.js')).accountCommand,
  },
  {
    name: 'doctor',
    command: 'doctor',
    describe: 'Check stores, helpers, auth files and docker/podman agreement; say how to fix each problem',
    load: async () => (await import('./doctor.js')).doctorCommand,
  },
];

/** The word that selects a command: the first argument that is not an option. */
export function selectedCommand(argv: readonly string[]): string | undefined {
  return argv.find((a) => !a.startsWith('-'));
}
