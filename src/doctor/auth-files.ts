/**
 * The auth files docker and podman read on this machine, loaded once for every check: their
 * facts (mode, owner), text and parsed model. Podman's list follows containers/common, which
 * reads only the named file when REGISTRY_AUTH_FILE or DOCKER_CONFIG is set (formats.md §4.1).
 */
import { join } from 'node:path';
import type { Host } from '../io.js';
import { messageOf } from '../errors.js';
import { locateAuthFiles } from '../auth-file/locate.js';
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
export function podmanDefaultAuthFile(host: Host, uid: number | undefined): string | undefined {
  if (host.platform !== 'linux') return join(host.home, '.config', 'containers', 'auth.json');
  if (host.env.XDG_RUNTIME_DIR) return join(host.env.XDG_RUNTIME_DIR, 'containers', 'auth.json');
  return uid === undefined ? undefined : join('/run', 'containers', String(uid), 'auth.json');
}

/**
 * The files podman (and buildah, through containers/common) reads, in order: only
 * REGISTRY_AUTH_FILE, else only `$DOCKER_CONFIG/config.json`, else the primary auth.json,
 * `${XDG_CONFIG_HOME:-~/.config}/containers/auth.json`, `~/.docker/config.json`, `~/.dockercfg`.
 */
export function podmanReadOrder(host: Host, uid: number | undefined): string[] {
  const env = host.env;
  if (env.REGISTRY_AUTH_FILE) return [env.REGISTRY_AUTH_FILE];
  if (env.DOCKER_CONFIG) return [join(env.DOCKER_CONFIG, 'config.json')];
  const primary = podmanDefaultAuthFile(host, uid);
  const configHome = env.XDG_CONFIG_HOME || join(host.home, '.config');
  const out = [join(configHome, 'containers', 'auth.json'), join(host.home, '.docker', 'config.json'), join(host.home, '.dockercfg')];
  return [...new Set(primary ? [primary, ...out] : out)];
}

/**
 * Every file docker or podman would read (plus the rest of containers/image's search list, whose
 * modes matter as much), loaded. Podman's files come first, in podman's order.
 */
export async function loadAuthFiles(host: Host, probes: DoctorProbes): Promise<LoadedAuthFile[]> {
  const readers = new Map<string, Reader[]>();
  const add = (path: string, reader: Reader | undefined) => {
    const list = readers.get(path) ?? [];
    if (reader && !list.includes(reader)) list.push(reader);
    readers.set(path, list);
  };
  for (const path of podmanReadOrder(host, probes.uid)) add(path, 'podman');
  add(dockerConfigPath(host), 'docker');
  for (const l of locateAuthFiles(host)) add(l.path, undefined);
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
