/**
 * podman's `--authfile ""`, shared by every command that takes `--authfile`: an empty value names
 * no file, so containers/image's own first file is used (`$XDG_RUNTIME_DIR/containers/auth.json`,
 * else `/run/containers/$UID/auth.json`). `REGISTRY_AUTH_FILE` does not apply: in podman it is only
 * the flag's default (containers/common `GetDefaultAuthFile`), which the empty value replaces.
 */
import { locateAuthFiles } from '../auth-file/locate.js';
import type { Host } from '../io.js';

/**
 * `~` or `~/…` at the start of an `--authfile` value as the home directory, for every command
 * alike: the shell expands it in `--authfile ~/x.json` but not in `--authfile=~/x.json`.
 */
export function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? `${home}/${path.slice(2)}` : path;
}

/** `host` as podman sees it under `--authfile ""`: without `REGISTRY_AUTH_FILE`. */
export function withoutRegistryAuthFile<T extends Host>(host: T): T {
  const env = { ...host.env };
  delete env.REGISTRY_AUTH_FILE;
  return Object.defineProperty(Object.create(host) as T, 'env', { value: env, enumerable: true });
}

/** The file `podman login --authfile ""` writes and `podman logout --authfile ""` edits. */
export function podmanDefaultAuthFile(host: Host): string {
  const first = locateAuthFiles(withoutRegistryAuthFile(host), host.uid !== undefined && host.platform === 'linux' ? { uid: host.uid } : {})[0];
  // locateAuthFiles always lists podman's first file; the fallback only satisfies the type.
  return first?.path ?? `${host.home}/.config/containers/auth.json`;
}
