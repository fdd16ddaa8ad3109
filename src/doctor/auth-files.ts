/**
 * The auth files docker and podman read on this machine, loaded once for every check: their
 * facts (mode, owner), text and parsed model. Podman's list is the one `credkit explain` uses
 * (locateAuthFiles): REGISTRY_AUTH_FILE and DOCKER_CONFIG replace one file of the search each,
 * they do not end it (containers-image-facts.md #2, #3, #5).
 */
import { join } from 'node:path';
import type { Host } from '../io.js';
import { messageOf } from '../errors.js';
import { locateAuthFiles } from '../auth-file/locate.js';
import type { RootlessRuntimeDirs } from '../auth-file/rootless-runtime-dir.js';
import type { AuthFile } from '../auth-file/model.js';
import { parseAuthText } from '../auth-file/read.js';
import type { DoctorProbes, FileFacts } from './probes.js';

/** Who reads a file. */
export type Reader = 'docker' | 'podman';

/** One auth file as doctor sees it. */
export interface LoadedAuthFile {
  path: string;
  readers: Reader[];
  /** Undefined when nothing is at the path. */
  facts: FileFacts | undefined;
  text: string | undefined;
  /** The parsed file, when it parses as config.json, auth.json or .dockercfg. */
  file: AuthFile | undefined;
  /** Why it could not be read, when it exists but could not be. */
  readError: string | undefined;
}

/** docker's config.json: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(host: Host): string {
  return join(host.env.DOCKER_CONFIG || join(host.home, '.docker'), 'config.json');
}

/** podman's primary auth.json (where `podman login` writes) when no file is named. */
export function podmanDefaultAuthFile(host: Host, uid: number | undefined, rootless?: RootlessRuntimeDirs): string | undefined {
  if (host.platform !== 'linux') return join(host.home, '.config', 'containers', 'auth.json');
  if (host.env.XDG_RUNTIME_DIR) return join(host.env.XDG_RUNTIME_DIR, 'containers', 'auth.json');
  if (rootless) return join(rootless.podman, 'containers', 'auth.json');
  return uid === undefined ? undefined : join('/run', 'containers', String(uid), 'auth.json');
}

/**
 * Every file docker or podman would read, loaded. Podman's files come first, in podman's order
 * (containers/image's search list, which skopeo follows too).
 */
export async function loadAuthFiles(host: Host, probes: DoctorProbes, rootless?: RootlessRuntimeDirs): Promise<LoadedAuthFile[]> {
  const readers = new Map<string, Reader[]>();
  const add = (path: string, reader: Reader) => {
    const list = readers.get(path) ?? [];
    if (!list.includes(reader)) list.push(reader);
    readers.set(path, list);
  };
  // Rootless: podman's own runtime file, not skopeo's /run/containers/$UID (checkAuthEnvironment says what skopeo does).
  for (const l of locateAuthFiles(host, probes.uid === undefined ? {} : { uid: probes.uid, ...(rootless ? { rootless, tool: 'podman' as const } : {}) })) if (l.readers.includes('podman')) add(l.path, 'podman');
  add(dockerConfigPath(host), 'docker');
  const out: LoadedAuthFile[] = [];
  for (const [path, who] of readers) {
    const loaded: LoadedAuthFile = { path, readers: who, facts: undefined, text: undefined, file: undefined, readError: undefined };
    try {
      loaded.facts = await probes.statPath(path);
      if (loaded.facts?.isFile) loaded.text = await probes.readAuthFile(path);
    } catch (err) {
      loaded.readError = messageOf(err);
    }
    if (loaded.text !== undefined) {
      try {
        const parsed = parseAuthText(loaded.text, path);
        const file = parsed.files[0];
        if (parsed.format !== 'secret' && file) loaded.file = file;
      } catch {
        // `credkit check` reports why (the content lints run on every file).
      }
    }
    out.push(loaded);
  }
  return out;
}
