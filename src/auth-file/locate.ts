/**
 * Which auth files docker and podman read, computed from the environment alone (pure). Order is
 * containers/image's search order; docker reads only its config.json.
 */
import { join } from 'node:path';
import type { Host } from '../io.js';

/** A file some tool reads credentials from. */
export interface AuthFileLocation {
  path: string;
  /** The tools that read it. */
  readers: ('docker' | 'podman')[];
  /** Why this path (which variable or default). */
  why: string;
}

/**
 * The auth files in lookup order: podman's primary file (`REGISTRY_AUTH_FILE`, else
 * `$XDG_RUNTIME_DIR/containers/auth.json`), `${XDG_CONFIG_HOME:-~/.config}/containers/auth.json`,
 * docker's `${DOCKER_CONFIG:-~/.docker}/config.json`, and the legacy `~/.dockercfg`.
 * `/run/containers/$UID/auth.json` (no XDG_RUNTIME_DIR) is not listed: Host has no uid.
 */
export function locateAuthFiles(host: Host): AuthFileLocation[] {
  const env = host.env;
  const out: AuthFileLocation[] = [];
  const add = (path: string, readers: AuthFileLocation['readers'], why: string) => {
    const existing = out.find((l) => l.path === path);
    if (existing) {
      for (const r of readers) if (!existing.readers.includes(r)) existing.readers.push(r);
      return;
    }
    out.push({ path, readers: [...readers], why });
  };
  const configHome = env.XDG_CONFIG_HOME || join(host.home, '.config');
  if (env.REGISTRY_AUTH_FILE) add(env.REGISTRY_AUTH_FILE, ['podman'], 'REGISTRY_AUTH_FILE');
  else if (host.platform !== 'linux') add(join(host.home, '.config', 'containers', 'auth.json'), ['podman'], 'podman default');
  else if (env.XDG_RUNTIME_DIR) add(join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'), ['podman'], 'XDG_RUNTIME_DIR');
  add(join(configHome, 'containers', 'auth.json'), ['podman'], env.XDG_CONFIG_HOME ? 'XDG_CONFIG_HOME' : '~/.config');
  add(join(env.DOCKER_CONFIG || join(host.home, '.docker'), 'config.json'), ['docker', 'podman'], env.DOCKER_CONFIG ? 'DOCKER_CONFIG' : '~/.docker');
  add(join(host.home, '.dockercfg'), ['podman'], 'legacy ~/.dockercfg');
  return out;
}
