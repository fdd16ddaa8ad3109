/**
 * podman's `--authfile ""`, shared by every command that takes `--authfile`: an empty value names
 * no file, so containers/image's own first file is used (`$XDG_RUNTIME_DIR/containers/auth.json`;
 * without XDG_RUNTIME_DIR, the runtime directory rootless podman sets for itself, or root's
 * `/run/containers/0/auth.json`). `REGISTRY_AUTH_FILE` does not apply: in podman it is only the
 * flag's default (containers/common `GetDefaultAuthFile`), which the empty value replaces.
 */
import { locateAuthFiles, withoutRegistryAuthFile } from '../auth-file/locate.js';
import { rootlessRuntimeDirs } from '../auth-file/rootless-runtime-dir.js';
import type { Host } from '../io.js';

/** The file `podman login --authfile ""` writes and `podman logout --authfile ""` edits. */
export async function podmanDefaultAuthFile(host: Host): Promise<string> {
  const uid = host.uid !== undefined && host.platform === 'linux' ? host.uid : undefined;
  const rootless = await rootlessRuntimeDirs(host, uid);
  const first = locateAuthFiles(withoutRegistryAuthFile(host), { authfile: '', tool: 'podman', ...(uid !== undefined ? { uid } : {}), ...(rootless ? { rootless } : {}) })[0];
  // locateAuthFiles always lists podman's first file; the fallback only satisfies the type.
  return first?.path ?? `${host.home}/.config/containers/auth.json`;
}
