/**
 * Doctor's check of credkit's kernel keyring under rootless podman: podman and buildah run the
 * helpers a `credHelpers` entry names inside a user namespace of their own, where credkit refuses
 * the keyutils backend (src/stores/podman-namespace.ts), so every podman login, pull and logout
 * of such a registry fails while docker works. podman ignores `credsStore` (podman 4.3.1 logged
 * in to the file's `auths` in plain text beside `"credsStore": "credkit"`), so only its
 * `credHelpers` entries count.
 */
import type { CredkitConfig } from '../config.js';
import type { Host } from '../io.js';
import { searchPath } from '../path-search.js';
import { shownKey } from '../redact.js';
import { credentialInKey } from '../registry.js';
import { LEAVE_NAMESPACE } from '../stores/podman-namespace.js';
import { findRoute, parseRoutes } from '../stores/routes.js';
import type { LoadedAuthFile } from './auth-files.js';
import type { DoctorFinding } from './report.js';
import { displayPath } from './report.js';

/**
 * A warning when a registry podman reads from credkit (`credHelpers` in one of its files) lands
 * in keyutils: `backend =`, its `[routes]` entry, or `auto` picking its fallback. Not for root,
 * whose podman runs helpers in no namespace of its own, nor without podman or buildah on PATH
 * (skopeo runs them in the user's).
 */
export function checkPodmanKeyutils(files: readonly LoadedAuthFile[], config: CredkitConfig, autoBackend: string | null, host: Host, uid: number | undefined): DoctorFinding[] {
  if (host.platform !== 'linux' || uid === undefined || uid === 0) return [];
  const { routes } = parseRoutes(config.routes);
  const storeOf = (key: string): string | undefined => {
    const store = findRoute(routes, key)?.store ?? config.backend;
    return store === 'auto' ? (autoBackend ?? undefined) : store;
  };
  const keys: string[] = [];
  const where: string[] = [];
  let example: string | undefined;
  for (const f of files) {
    if (!f.file || !f.readers.includes('podman')) continue;
    let index = 0;
    let found = false;
    for (const [key, helper] of f.file.credHelpers) {
      ++index;
      if (helper !== 'credkit' || storeOf(key) !== 'keyutils') continue;
      // A key that holds a credential is named by its stand-in, as every listing names it.
      const shown = JSON.stringify(shownKey(key, { index, member: 'credHelpers' }));
      if (!keys.includes(shown)) keys.push(shown);
      if (example === undefined && credentialInKey(key) === undefined) example = key;
      found = true;
    }
    if (found) where.push(displayPath(f.path, host.home));
  }
  if (keys.length === 0) return [];
  if (!['podman', 'buildah'].some((program) => searchPath(program, host.env, host.platform).path !== undefined)) return [];
  const routed = keys.length === 1 ? 'it' : 'each';
  return [{
    level: 'warn',
    area: 'stores',
    code: 'podman-keyutils',
    what: `podman reads ${keys.join(', ')} from credkit (credHelpers in ${where.join(', ')}), and credkit keeps ${keys.length === 1 ? 'it' : 'them'} in the kernel keyring (keyutils), which rootless podman and buildah cannot use: they run credential helpers in a user namespace of their own, whose keyring is not the one docker and your shell see, so credkit fails their login, pull and logout of ${keys.length === 1 ? 'that registry' : 'those registries'}`,
    // Logins an older credkit stored from inside podman's namespace are still in its keyring, which
    // doctor cannot see from outside: only there does keyutils serve, as a copy's source (and to
    // credkit store list, get and erase --backend keyutils).
    fix: `route ${routed} to pass or file under [routes] in credkit's config.ini (${example ?? 'REGISTRY'} = pass), so that docker and podman share one store, or choose pass or file as credkit's backend; to move out logins kept in podman's keyring before, run ${LEAVE_NAMESPACE}`,
  }];
}
