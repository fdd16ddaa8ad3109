/**
 * The command table: one module per top-level command.
 */
import type { CommandModule } from 'yargs';
import type { CommandContext } from '../context.js';
import { storeCommand } from './store.js';
import { convertCommand } from './convert.js';
import { mergeCommand } from './merge.js';
import { lsCommand } from './ls.js';
import { checkCommand } from './check.js';
import { explainCommand } from './explain.js';
import { getCommand } from './get.js';

/** A command module factory: gets the run's context, returns a yargs command. */
export type CommandFactory = (ctx: CommandContext) => CommandModule<object, any>;

/** Every `credkit` command, in help order. */
export const COMMANDS: readonly CommandFactory[] = [storeCommand, convertCommand, mergeCommand, lsCommand, checkCommand, explainCommand, getCommand];
