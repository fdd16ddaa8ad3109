/**
 * Where credkit's config.ini is. A module of its own, without the parsing, because the bins' start-up
 * shell (src/boot.ts) asks it too, before any bundle is loaded: whether the file is there decides
 * which code cache a call uses.
 */
import { join } from 'node:path';
import type { Host } from './io.js';

/** The path of credkit's config file for this environment. */
export function configPath(host: Pick<Host, 'env' | 'home'>): string {
  if (host.env.CREDKIT_CONFIG) return host.env.CREDKIT_CONFIG;
  const base = host.env.XDG_CONFIG_HOME || join(host.home, '.config');
  return join(base, 'credkit', 'config.ini');
}
