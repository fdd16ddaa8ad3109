/**
 * Where a keyring backend's writers take their lock file.
 */
import { join } from 'node:path';
import type { Host } from '../io.js';

/** Where the writers' lock lives: the runtime dir if there is one, else the state dir. */
export function lockPathFor(host: Host, backend: string, service: string): string {
  const dir = host.env.XDG_RUNTIME_DIR || host.env.XDG_STATE_HOME || join(host.home, '.local', 'state');
  return join(dir, 'credkit', `${backend}-${service.replace(/[^A-Za-z0-9._-]/g, '_')}`);
}
