/**
 * Which auth files docker and podman read, computed from the environment alone (pure). Order is
 * containers/image's search order; docker reads only its config.json. podman and buildah differ
 * from skopeo's inspect and copy in one place: with DOCKER_CONFIG set, their `--authfile` default
 * is that directory's config.json (containers/common `GetDefaultAuthFile`), which then takes the
 * runtime auth.json's place.
 */
import { join } from 'node:path';
import type { Host } from '../io.js';
import type { RootlessRuntimeDirs } from './rootless-runtime-dir.js';

/** A file some tool reads credentials from. */
export interface AuthFileLocation {
  path: string;
  /** The tools that read it. */
  readers: ('docker' | 'podman')[];
  /** Why this path (which variable or default). */
  why: string;
  /** The legacy `.dockercfg` map (containers/image reads it with its legacy rules). */
  legacy?: true;
  /**
   * The file is podman's `--authfile` value (given, or its default from REGISTRY_AUTH_FILE or
   * DOCKER_CONFIG), which podman and buildah stat before any lookup: missing, they fail.
   */
  named?: true;
}

/** The containers/image programs whose first auth file can differ. */
export type ContainersTool = 'podman' | 'buildah' | 'skopeo';

/**
 * Inputs beyond the environment: podman's `--authfile`, the uid for `/run/containers/$UID`, and
 * the runtime directory rootless podman sets for itself.
 */
export interface LocateOptions {
  /**
   * Replaces podman's primary file, as `--authfile` does (REGISTRY_AUTH_FILE is its default).
   * `''` is `--authfile ""`: no file, so neither REGISTRY_AUTH_FILE nor DOCKER_CONFIG names one,
   * except for `tool: 'buildah'`, which takes REGISTRY_AUTH_FILE for an empty value (below).
   */
  authfile?: string;
  /**
   * Whose search: `podman` and `buildah` take `$DOCKER_CONFIG/config.json` as their first file when
   * DOCKER_CONFIG is set; `skopeo` (inspect, copy) does not. `buildah` differs from podman in its
   * rootless runtime directory and in `--authfile ""`. Absent: every file podman or skopeo reads,
   * in skopeo's order (what `ls`, `check` and doctor list).
   */
  tool?: ContainersTool;
  /** When given (Linux, no XDG_RUNTIME_DIR), `/run/containers/<uid>/auth.json` is listed. */
  uid?: number;
  /**
   * With `uid`: the XDG_RUNTIME_DIR rootless podman sets for itself (rootless-runtime-dir.ts),
   * whose `containers/auth.json` is then podman's first file in place of `/run/containers/<uid>`,
   * which only skopeo reads (both are listed when `tool` is absent).
   */
  rootless?: RootlessRuntimeDirs;
  /**
   * With `uid`: why rootless podman and buildah refuse the XDG_RUNTIME_DIR set
   * (rootless-runtime-dir.ts `refusedRuntimeDir`), which fails them before any lookup; skopeo
   * reads the files as ever.
   */
  runtimeDirRefused?: string;
}

/**
 * The auth files in lookup order: podman's primary file (`REGISTRY_AUTH_FILE`, else, for
 * `tool: 'podman'` only, `$DOCKER_CONFIG/config.json`, else `$XDG_RUNTIME_DIR/containers/auth.json`), `${XDG_CONFIG_HOME:-~/.config}/containers/auth.json`,
 * docker's `${DOCKER_CONFIG:-~/.docker}/config.json`, and the legacy `~/.dockercfg`.
 * `/run/containers/$UID/auth.json` (no XDG_RUNTIME_DIR) is listed only when `options.uid` is given;
 * with `options.rootless`, podman's own runtime auth.json takes its place for `tool: 'podman'`.
 */
export function locateAuthFiles(host: Host, options: LocateOptions = {}): AuthFileLocation[] {
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
  const dockerConfig = join(env.DOCKER_CONFIG || join(host.home, '.docker'), 'config.json');
  const podmanLike = options.tool === 'podman' || options.tool === 'buildah';
  if (options.authfile) add(options.authfile, ['podman'], '--authfile');
  else if (options.authfile === undefined && env.REGISTRY_AUTH_FILE) add(env.REGISTRY_AUTH_FILE, ['podman'], 'REGISTRY_AUTH_FILE');
  // buildah 1.28 passes an empty --authfile through its pkg/parse getAuthFile, which falls back to
  // REGISTRY_AUTH_FILE (not DOCKER_CONFIG), where podman takes its own first file.
  else if (options.authfile === '' && options.tool === 'buildah' && env.REGISTRY_AUTH_FILE) add(env.REGISTRY_AUTH_FILE, ['podman'], 'REGISTRY_AUTH_FILE, buildah\'s --authfile ""');
  else if (podmanLike && podmanReadsDockerConfigFirst(host, options)) add(dockerConfig, ['docker', 'podman'], 'DOCKER_CONFIG');
  else if (host.platform !== 'linux') add(join(host.home, '.config', 'containers', 'auth.json'), ['podman'], 'podman default');
  else if (env.XDG_RUNTIME_DIR) add(join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'), ['podman'], 'XDG_RUNTIME_DIR');
  else if (options.uid !== undefined) {
    // Rootless podman and buildah set XDG_RUNTIME_DIR themselves (each its own) before
    // containers/image looks; skopeo does not.
    if (options.rootless && options.tool === 'buildah') add(join(options.rootless.buildah, 'containers', 'auth.json'), ['podman'], 'rootless buildah, no XDG_RUNTIME_DIR');
    else if (options.rootless && options.tool !== 'skopeo') add(join(options.rootless.podman, 'containers', 'auth.json'), ['podman'], 'rootless podman, no XDG_RUNTIME_DIR');
    if (!options.rootless || !podmanLike) add(join('/run', 'containers', String(options.uid), 'auth.json'), ['podman'], 'no XDG_RUNTIME_DIR');
  }
  add(join(configHome, 'containers', 'auth.json'), ['podman'], env.XDG_CONFIG_HOME ? 'XDG_CONFIG_HOME' : '~/.config');
  add(dockerConfig, ['docker', 'podman'], env.DOCKER_CONFIG ? 'DOCKER_CONFIG' : '~/.docker');
  add(join(host.home, '.dockercfg'), ['podman'], 'legacy ~/.dockercfg');
  const last = out[out.length - 1];
  if (last !== undefined && last.path === join(host.home, '.dockercfg')) last.legacy = true;
  // The value of podman's --authfile, which podman and buildah stat before any lookup (buildah's
  // REGISTRY_AUTH_FILE for an empty --authfile is not: a missing one reads as empty).
  const first = out[0];
  if (first !== undefined && (options.authfile || (options.authfile === undefined && env.REGISTRY_AUTH_FILE) || (podmanLike && podmanReadsDockerConfigFirst(host, options)))) first.named = true;
  return out;
}

/**
 * True when podman and buildah start their search at `$DOCKER_CONFIG/config.json` and never read the
 * runtime auth.json: DOCKER_CONFIG is set and neither `--authfile` (`""` included) nor
 * REGISTRY_AUTH_FILE names a file (containers/common `GetDefaultAuthFile`, podman 4.3, buildah
 * 1.28). skopeo inspect and copy default `--authfile` to REGISTRY_AUTH_FILE alone, so their search
 * then starts elsewhere; skopeo login and logout use podman's default.
 */
export function podmanReadsDockerConfigFirst(host: Host, options: Pick<LocateOptions, 'authfile'> = {}): boolean {
  return options.authfile === undefined && !host.env.REGISTRY_AUTH_FILE && Boolean(host.env.DOCKER_CONFIG);
}

/**
 * True when rootless podman and skopeo start at different runtime files: XDG_RUNTIME_DIR is unset
 * (`options.rootless` given) and neither `--authfile` nor REGISTRY_AUTH_FILE names the first file.
 * buildah differs from both ({@link RootlessRuntimeDirs}).
 */
export function rootlessToolsDiffer(host: Host, options: Pick<LocateOptions, 'authfile' | 'rootless'> = {}): boolean {
  return options.rootless !== undefined && !options.authfile && !(options.authfile === undefined && host.env.REGISTRY_AUTH_FILE);
}

/**
 * `~` or `~/…` at the start of an `--authfile` value as the home directory, for every command
 * alike: the shell expands it in `--authfile ~/x.json` but not in `--authfile=~/x.json`.
 */
export function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? `${home}/${path.slice(2)}` : path;
}

/**
 * True when buildah 1.28 searches other files than podman 4.3: for a user other than root without
 * XDG_RUNTIME_DIR (`options.rootless` given), where each sets a runtime directory of its own, and
 * under `--authfile ""` with REGISTRY_AUTH_FILE set, which buildah reads and podman does not.
 * Checked with the real programs (buildah pull and login against a registry that logs the user).
 */
export function buildahDiffers(host: Host, options: LocateOptions = {}): boolean {
  const files = (tool: ContainersTool) => locateAuthFiles(host, { ...options, tool }).map((l) => `${l.named ? '!' : ''}${l.path}`).join('\0');
  return files('buildah') !== files('podman');
}

/**
 * `host` as podman sees it under `--authfile ""`: without `REGISTRY_AUTH_FILE`. The empty value names
 * no file, and in podman that variable is only the flag's default (containers/common
 * `GetDefaultAuthFile`), which the empty value replaces.
 */
export function withoutRegistryAuthFile<T extends Host>(host: T): T {
  const env = { ...host.env };
  delete env.REGISTRY_AUTH_FILE;
  return Object.defineProperty(Object.create(host) as T, 'env', { value: env, enumerable: true });
}
