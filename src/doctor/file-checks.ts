/**
 * Doctor's checks of the auth files themselves: modes and owners, the content lints of
 * `credkit check` (called, then summarised one line per file), and environment variables that
 * point at nothing.
 */
import { refusedRuntimeDir, type RootlessRuntimeDirs } from '../auth-file/rootless-runtime-dir.js';
import { join } from 'node:path';
import type { Host } from '../io.js';
import { checkAuthInput, holdsNoSecret } from '../auth-file/check.js';
import type { Finding } from '../auth-file/check.js';
import type { AuthFormat } from '../auth-file/model.js';
import { DOCKER_AUTH_CONFIG, DOCKER_ENV_WARNED_WHEN, dockerEnvRegistry, readDockerAuthConfig } from '../auth-file/docker-env-config.js';
import { maskUserinfo, shownKey } from '../redact.js';
import { searchPath } from '../path-search.js';
import type { LoadedAuthFile } from './auth-files.js';
import { dockerConfigPath, podmanDefaultAuthFile } from './auth-files.js';
import type { DoctorProbes } from './probes.js';
import type { DoctorFinding, Level } from './report.js';
import { displayPath } from './report.js';

/**
 * `check` lints about portability, not about this machine: a config that keeps its secrets in a
 * helper is how docker is meant to work, so doctor mentions them as info and leaves them to
 * `credkit check` (which fails on them before a pull secret is made).
 */
const PORTABILITY_CODES: ReadonlySet<string> = new Set(['stub-in-helper', 'creds-store', 'identity-token']);

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

function readersText(f: LoadedAuthFile): string {
  return f.readers.length > 0 ? ` (read by ${f.readers.join(' and ')})` : '';
}

/** Mode, owner and content of every auth file that exists. */
export function checkAuthFiles(files: readonly LoadedAuthFile[], host: Host, uid: number | undefined): DoctorFinding[] {
  const out: DoctorFinding[] = [];
  let present = 0;
  for (const f of files) {
    const shown = displayPath(f.path, host.home);
    if (f.readError !== undefined) {
      out.push({ level: 'error', area: 'files', code: 'unreadable', path: f.path, what: `${shown}${readersText(f)} cannot be read: ${f.readError}`, fix: 'check its permissions and owner' });
      continue;
    }
    if (!f.facts) continue;
    present++;
    if (!f.facts.isFile) {
      out.push({ level: 'error', area: 'files', code: 'not-a-file', path: f.path, what: `${shown}${readersText(f)} is not a regular file`, fix: `move it away; the tools expect a JSON file there` });
      continue;
    }
    let problems = 0;
    const { mode } = f.facts;
    if (mode & 0o077) {
      problems++;
      const who = mode & 0o007 ? 'every user' : 'its group';
      const how = mode & 0o022 ? 'read and change' : 'read';
      // As credkit check says it: others reading a file with no secret in it is a note. Others
      // changing it (a helper name, a key) stays an error.
      if (!(mode & 0o022) && f.text !== undefined && holdsNoSecret(f.text)) {
        out.push({ level: 'info', area: 'files', code: 'file-mode', path: f.path, what: `${shown}${readersText(f)} has mode ${octal(mode)}: ${who} can read it, but it holds no secret (only credential helper names and {} markers), so nothing leaks`, fix: `chmod 600 ${shown}, before a plaintext login is written to it` });
      } else {
        out.push({ level: 'error', area: 'files', code: 'file-mode', path: f.path, what: `${shown}${readersText(f)} has mode ${octal(mode)}: ${who} can ${how} its credentials`, fix: `chmod 600 ${shown}` });
      }
    }
    if (uid !== undefined && f.facts.uid !== uid) {
      problems++;
      const owner = f.facts.uid === 0 ? 'root (left by `sudo docker login` or `sudo podman login`?)' : `uid ${f.facts.uid}`;
      out.push({ level: 'error', area: 'files', code: 'file-owner', path: f.path, what: `${shown}${readersText(f)} is owned by ${owner}, not by you (uid ${uid}): logins as you cannot update it`, fix: `sudo chown "$(id -u):$(id -g)" ${shown}` });
    }
    if (f.text !== undefined) {
      const lint = summariseLints(checkAuthInput({ text: f.text, source: shown, ...lintFormat(f, host) }), shown, f.path);
      if (lint) {
        out.push(lint);
        if (lint.level !== 'info') problems++;
      }
    }
    if (problems === 0) out.push({ level: 'ok', area: 'files', code: 'file-ok', path: f.path, what: `${shown}${readersText(f)}: mode ${octal(mode)}, yours, ${entryCount(f)}` });
  }
  if (present === 0) out.push({ level: 'info', area: 'files', code: 'no-auth-files', what: 'no auth file exists yet: docker and podman have no stored logins' });
  return out;
}

/**
 * The format a file in a known place must have, for text that is not JSON: detection would try
 * it as Kubernetes YAML and say "expected a Kubernetes object", which no tool reads from there.
 * JSON text keeps detection, so the lints stay those of `credkit check FILE`.
 */
function lintFormat(f: LoadedAuthFile, host: Host): { from?: AuthFormat } {
  const first = f.text?.trimStart()[0];
  if (first === undefined || first === '{' || first === '[') return {};
  if (f.path === join(host.home, '.dockercfg')) return { from: 'dockercfg' };
  return { from: f.readers.includes('docker') ? 'docker' : 'podman' };
}

function entryCount(f: LoadedAuthFile): string {
  const n = f.file?.entries.length ?? 0;
  return `${n} ${n === 1 ? 'entry' : 'entries'}`;
}

function codesText(findings: readonly Finding[]): string {
  return [...new Set(findings.map((f) => f.code))].join(', ');
}

/** One line for a file's `check` findings, or undefined when it has none. */
export function summariseLints(findings: readonly Finding[], shown: string, path: string): DoctorFinding | undefined {
  const real = findings.filter((f) => f.severity !== 'note' && !PORTABILITY_CODES.has(f.code) && f.code !== 'world-readable' && f.code !== 'group-readable');
  const portable = findings.filter((f) => PORTABILITY_CODES.has(f.code));
  const errors = real.filter((f) => f.severity === 'error');
  const warnings = real.filter((f) => f.severity === 'warning');
  if (real.length > 0) {
    const level: Level = errors.length > 0 ? 'error' : 'warn';
    const parts = [
      errors.length > 0 ? `${errors.length} ${errors.length === 1 ? 'error' : 'errors'} (${codesText(errors)})` : undefined,
      warnings.length > 0 ? `${warnings.length} ${warnings.length === 1 ? 'warning' : 'warnings'} (${codesText(warnings)})` : undefined,
    ].filter(Boolean);
    const first = errors[0] ?? warnings[0];
    const example = first ? `; first: ${first.key !== undefined ? `key "${first.key}": ` : ''}${first.message}` : '';
    return { level, area: 'files', code: 'content-lints', path, what: `${shown}: credkit check finds ${parts.join(' and ')}${example}`, fix: `credkit check ${shown} (each finding says how to fix it)` };
  }
  if (portable.length > 0) {
    // Each code says its own thing: an identity token is in the file (copying it copies it), only
    // kubelet ignores it, and materialising does nothing for it.
    const has = (code: string) => portable.some((f) => f.code === code);
    const parts = [
      has('stub-in-helper') ? 'keeps secrets in credential helpers (copying the file copies none of them)' : undefined,
      has('creds-store') ? "names a credsStore, which podman and kubelet ignore" : undefined,
      has('identity-token') ? 'holds identity tokens, which kubelet ignores' : undefined,
    ].filter(Boolean);
    const materialise = has('stub-in-helper') || has('creds-store');
    const fix = [
      materialise ? `credkit convert ${shown} --to secret --materialize, when you need a pull secret` : undefined,
      has('identity-token') ? 'for a pull secret, log in with a username and password (or a robot or access token as the password)' : undefined,
    ].filter(Boolean).join('; ');
    return { level: 'info', area: 'files', code: 'helper-backed', path, what: `${shown} ${parts.join(', and ')}: fine here, but a pull secret made from it lacks those credentials (${codesText(portable)})`, fix };
  }
  return undefined;
}

/** Environment variables that name missing files or directories, and podman's tmpfs default. */
/**
 * The fix that makes ~/.config/containers/auth.json the first file of podman, buildah and skopeo
 * (REGISTRY_AUTH_FILE), safe to paste: podman pull stops at once when that variable names a file
 * that is not there ("stat FILE: no such file or directory", podman 4.3), so a missing file is made
 * first by logging in to it.
 */
async function userAuthFileFix(host: Host, probes: DoctorProbes): Promise<string> {
  const path = join(host.env.XDG_CONFIG_HOME || join(host.home, '.config'), 'containers', 'auth.json');
  const shown = displayPath(path, host.home);
  const exists = Boolean(await probes.statPath(path).catch(() => undefined));
  return exists ? `export REGISTRY_AUTH_FILE=${shown}` : `podman login --authfile ${shown} REGISTRY (podman pull fails while REGISTRY_AUTH_FILE names a file that is not there), then export REGISTRY_AUTH_FILE=${shown}`;
}

export async function checkAuthEnvironment(host: Host, probes: DoctorProbes, oldDocker?: string, rootless?: RootlessRuntimeDirs): Promise<DoctorFinding[]> {
  const env = host.env;
  const out: DoctorFinding[] = [];
  const shown = (p: string) => displayPath(p, host.home);
  if (env.REGISTRY_AUTH_FILE) {
    const p = env.REGISTRY_AUTH_FILE;
    if (!(await probes.statPath(p))) {
      // A warning, not a note: podman pull and buildah pull stop at the missing file (only skopeo
      // on containers/image 5.23 counts it as empty and goes on: containers-image-facts.md #2, #5).
      out.push({ level: 'warn', area: 'files', code: 'registry-auth-file-missing', path: p, what: `REGISTRY_AUTH_FILE names ${shown(p)}, which does not exist yet: podman login will create it; until then podman pull and buildah pull fail ("stat …: no such file or directory") and skopeo uses the other auth files (newer releases than containers/image 5.23 read only the named file)`, fix: `podman login (writes ${shown(p)}), or unset REGISTRY_AUTH_FILE` });
    }
  }
  if (env.DOCKER_CONFIG) {
    const dir = env.DOCKER_CONFIG;
    const p = dockerConfigPath(host);
    // Without REGISTRY_AUTH_FILE, podman 4.3 and buildah 1.28 take $DOCKER_CONFIG/config.json as
    // their --authfile and stat it before any pull (containers/common GetDefaultAuthFile); skopeo
    // inspect only skips it, as podman does when REGISTRY_AUTH_FILE comes first (facts #3).
    const podman = env.REGISTRY_AUTH_FILE
      ? 'podman skips it, as REGISTRY_AUTH_FILE names its first file'
      : `podman pull and buildah pull fail ("stat ${p}: no such file or directory"), as they take it as their --authfile; skopeo inspect uses its other auth files`;
    if (!(await probes.statPath(dir))) {
      out.push({ level: 'warn', area: 'files', code: 'docker-config-missing', path: dir, what: `DOCKER_CONFIG names ${shown(dir)}, which does not exist: docker sees no credentials, and ${podman}`, fix: `mkdir -m 700 ${shown(dir)} and log in again, or unset DOCKER_CONFIG` });
    } else if (!(await probes.statPath(p))) {
      out.push({ level: 'warn', area: 'files', code: 'docker-config-missing', path: p, what: `DOCKER_CONFIG is set but ${shown(p)} does not exist: docker sees no credentials, and ${podman}`, fix: `docker login or podman login (either writes ${shown(p)}), or unset DOCKER_CONFIG` });
    }
  }
  out.push(...checkDockerAuthConfig(host, oldDocker));
  // Rootless podman and buildah check XDG_RUNTIME_DIR before any command, whichever file they log in to.
  const refused = await refusedRuntimeDir(host, probes.uid, (path) => probes.statPath(path));
  if (refused !== undefined && env.XDG_RUNTIME_DIR) {
    const dir = env.XDG_RUNTIME_DIR;
    out.push({ level: 'warn', area: 'files', code: 'runtime-dir-refused', path: dir, what: `XDG_RUNTIME_DIR names ${shown(dir)}, which rootless podman and buildah refuse: every podman and buildah command, login and pull included, fails ("${refused}") before any auth file is read; skopeo makes no such check and reads ${shown(join(dir, 'containers', 'auth.json'))} first`, fix: `unset XDG_RUNTIME_DIR (podman and buildah then pick a directory of their own), or point it at a directory of yours with mode 0700 (a login session's /run/user/${probes.uid ?? '$UID'})` });
  }
  // skopeo's first file is /run/containers/$UID/auth.json whatever DOCKER_CONFIG says (only
  // REGISTRY_AUTH_FILE replaces it; checked with skopeo 1.9.3 as a user other than root), so a CI
  // job that sets DOCKER_CONFIG meets the same "permission denied" as a plain shell.
  if (host.platform === 'linux' && !env.REGISTRY_AUTH_FILE && rootless) {
    const skopeoFile = `/run/containers/${probes.uid ?? '$UID'}/auth.json`;
    if (await probes.statPath(skopeoFile).then(() => false, () => true)) {
      // With DOCKER_CONFIG, podman and buildah already start at its config.json: naming that file
      // moves skopeo there too and leaves their lookups as they are.
      const start = env.DOCKER_CONFIG
        ? `export REGISTRY_AUTH_FILE=${shown(dockerConfigPath(host))} (podman and buildah already start there while DOCKER_CONFIG is set; skopeo then does too)`
        : `${await userAuthFileFix(host, probes)} (podman, buildah and skopeo then start there)`;
      // skopeo login and logout take $DOCKER_CONFIG/config.json as their file, as podman does.
      const fails = env.DOCKER_CONFIG ? 'skopeo inspect and copy fail' : 'skopeo inspect, copy and login fail';
      out.push({ level: 'warn', area: 'files', code: 'skopeo-runtime-file-unreadable', path: skopeoFile, what: `XDG_RUNTIME_DIR is unset, so skopeo reads ${skopeoFile} first, which you may not read (/run/containers is root's): ${fails} with "permission denied", whatever your other auth files hold`, fix: `${start}, or work in a login session, which sets XDG_RUNTIME_DIR` });
    }
  }
  // Both findings below are about the file podman login writes, which is another one when
  // REGISTRY_AUTH_FILE or (current containers/common) DOCKER_CONFIG names it.
  if (host.platform === 'linux' && !env.REGISTRY_AUTH_FILE && !env.DOCKER_CONFIG) {
    const primary = podmanDefaultAuthFile(host, probes.uid, rootless);
    if (primary && env.XDG_RUNTIME_DIR && !(await probes.statPath(env.XDG_RUNTIME_DIR))) {
      // All three, as root and as another user (podman 4.3.1, buildah 1.28.2, skopeo 1.9.3).
      out.push({ level: 'warn', area: 'files', code: 'runtime-dir-missing', path: env.XDG_RUNTIME_DIR, what: `XDG_RUNTIME_DIR names ${env.XDG_RUNTIME_DIR}, which does not exist: podman, buildah and skopeo warn, skip ${join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json')} and read their other auth files, and podman login, buildah login and skopeo login fail`, fix: `log in through a systemd user session (loginctl enable-linger), or ${await userAuthFileFix(host, probes)}` });
    } else if (primary && refused === undefined) {
      // A file podman cannot see into either (root's /run/containers) is not a reason to stop.
      const exists = Boolean(await probes.statPath(primary).catch(() => undefined));
      const others = rootless ? `; XDG_RUNTIME_DIR is unset, so podman picked that directory itself, and buildah logs in to ${shown(join(rootless.buildah, 'containers', 'auth.json'))} and skopeo to /run/containers/${probes.uid ?? '$UID'}/auth.json (which it cannot create as you) instead (credkit explain --as buildah, --as skopeo)` : '';
      out.push({ level: 'info', area: 'files', code: 'runtime-auth-file', path: primary, what: `podman login writes ${shown(primary)}${exists ? ' (it exists)' : ''}, in the runtime directory, which is emptied when the last session ends and at reboot: those logins do not last${others}`, fix: `to keep them, ${await userAuthFileFix(host, probes)}` });
    }
  }
  return out;
}

/**
 * The file `podman login` writes when a variable names one (REGISTRY_AUTH_FILE, else, with
 * containers/common, DOCKER_CONFIG): podman 4.3.1 and buildah 1.28 (containers/image 5.23) write
 * it back with `auths` and `credHelpers` only, after a login and after a logout that found
 * nothing alike. When it is docker's config.json, its `credsStore` goes, and docker's next
 * logins are kept in plain text; a file docker does not read is no finding.
 */
export function checkPodmanLoginFile(files: readonly LoadedAuthFile[], host: Host): DoctorFinding[] {
  const env = host.env;
  if (host.platform !== 'linux') return [];
  const named = env.REGISTRY_AUTH_FILE ? { path: env.REGISTRY_AUTH_FILE, why: 'REGISTRY_AUTH_FILE' } : env.DOCKER_CONFIG ? { path: dockerConfigPath(host), why: 'DOCKER_CONFIG' } : undefined;
  // Only docker's file loses anything: podman and buildah ignore credsStore, so a file docker does
  // not read (REGISTRY_AUTH_FILE naming podman's own auth.json) keeps nothing worth keeping.
  const file = named && files.find((f) => f.path === named.path && f.readers.includes('docker'))?.file;
  if (!named || !file) return [];
  // Only a podman or buildah that is there rewrites the file: no warning on a docker-only machine.
  if (!['podman', 'buildah'].some((program) => searchPath(program, env, host.platform).path !== undefined)) return [];
  const lost = [...(file.credsStore !== undefined ? [`"credsStore": "${file.credsStore}"`] : []), ...Object.keys(file.extra).map((k) => JSON.stringify(k))];
  if (lost.length === 0) return [];
  const shown = displayPath(named.path, host.home);
  const docker = file.credsStore !== undefined ? `, so that docker, without its credsStore, keeps its next logins in ${shown} in plain text` : '';
  const own = join(env.XDG_CONFIG_HOME || join(host.home, '.config'), 'containers', 'auth.json');
  const fix = named.why === 'REGISTRY_AUTH_FILE' ? `point REGISTRY_AUTH_FILE at a file of podman's own (${displayPath(own, host.home)}), or put the settings back after each podman login` : `export REGISTRY_AUTH_FILE=${displayPath(own, host.home)} (podman then logs in there, and still reads ${shown} after it), or unset DOCKER_CONFIG for podman`;
  return [{
    level: 'warn',
    area: 'files',
    code: 'podman-drops-settings',
    path: named.path,
    what: `podman login and logout write ${shown} (${named.why}), and podman 4.3 and buildah 1.28 write it back with only auths and credHelpers: ${lost.join(', ')} would be dropped, even by a logout with nothing to remove${docker}`,
    fix,
  }];
}

/**
 * `DOCKER_AUTH_CONFIG` as docker 28.3 and later read it: a value they refuse is ignored whole
 * (with a warning each time they look a credential up), and a key they never ask for is dead weight. Never quotes
 * the value. `oldDocker`: the version of a docker on PATH older than 28.3, which never reads it.
 */
export function checkDockerAuthConfig(host: Host, oldDocker?: string): DoctorFinding[] {
  const read = readDockerAuthConfig(host.env);
  if (oldDocker !== undefined && read.status !== 'unset') {
    // Info, not a warning: other programs (testcontainers, for one) read the variable too.
    return [{ level: 'info', area: 'files', code: 'docker-auth-config-ignored', what: `${DOCKER_AUTH_CONFIG} is set, but the docker on PATH is ${oldDocker}, which does not read it (docker 28.3 and later do): docker uses its config.json alone`, fix: `to have docker use it, upgrade docker to 28.3 or later; else docker login for what it holds` }];
  }
  const fix = `keep only {"auths":{"KEY":{"auth":"base64(user:password)"}}} in it, KEY being "quay.io" (host[:port]) or "https://index.docker.io/v1/" for Docker Hub`;
  if (read.status === 'invalid') {
    return [{ level: 'warn', area: 'files', code: 'docker-auth-config-invalid', what: `${DOCKER_AUTH_CONFIG} is set, but docker 28.3 and later ignore all of it, printing "Failed to create credential store from ${DOCKER_AUTH_CONFIG}" ${DOCKER_ENV_WARNED_WHEN}: ${read.error}`, fix }];
  }
  if (read.status === 'unset') return [];
  const unused = [...read.entries.keys()].filter((k) => dockerEnvRegistry(k) === undefined);
  if (unused.length === 0) return [];
  const keys = unused.map((k) => JSON.stringify(maskUserinfo(shownKey(k)))).join(', ');
  return [{ level: 'warn', area: 'files', code: 'docker-auth-config-key', what: `${DOCKER_AUTH_CONFIG} has ${unused.length === 1 ? 'a key' : 'keys'} docker never asks for: ${keys} (docker 28.3 and later look keys of the variable up exactly as written)`, fix }];
}
