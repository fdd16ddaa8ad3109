/**
 * podman's `--authfile ""`, shared by every command that takes `--authfile`: an empty value names
 * no file, so containers/image's own first file is used (`$XDG_RUNTIME_DIR/containers/auth.json`,
 * else `/run/containers/$UID/auth.json`). `REGISTRY_AUTH_FILE` does not apply: in podman it is only
 * the flag's default (containers/common `GetDefaultAuthFile`), which the empty value replaces.
 */
import { locateAuthFiles, withoutRegistryAuthFile } from '../auth-file/locate.js';
import type { Host } from '../io.js';

/** The file `podman login --authfile ""` writes and `podman logout --authfile ""` edits. */
export function podmanDefaultAuthFile(host: Host): string {
  const first = locateAuthFiles(withoutRegistryAuthFile(host), host.uid !== undefined && host.platform === 'linux' ? { uid: host.uid } : {})[0];
  // locateAuthFiles always lists podman's first file; the fallback only satisfies the type.
  return first?.path ?? `${host.home}/.config/containers/auth.json`;
}
