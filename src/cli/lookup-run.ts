/**
 * The glue `explain` and `get` share: reads the files the lookups may need and the named pull
 * secrets, runs helpers through the helper client (credkit's helper timeout, helper stderr passed
 * through as docker does) and hands everything to the pure lookup core.
 */
import { existsSync, statSync, accessSync, constants as fsConstants } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { explainLookup } from '../auth-file/explain.js';
import { filesToRead } from '../auth-file/lookup.js';
import type { ClientExplanation, FileText, HelperAnswer, LookupClient, LookupDeps } from '../auth-file/lookup.js';
import type { AuthFile } from '../auth-file/model.js';
import type { SkippedSecret } from '../kube/pull-secret.js';
import { readTextIfExists } from '../auth-file/safe-file.js';
import { loadConfig } from '../config.js';
import { IoError, messageOf } from '../errors.js';
import { HelperCallError, callHelper } from '../helper/client.js';
import { expandHome, withoutRegistryAuthFile } from './authfile-option.js';
import { parseImageRef } from '../image-ref.js';
import type { ImageRef } from '../image-ref.js';
import type { Env, Io } from '../io.js';

/** What `explain`/`get` ask for. */
export interface LookupRequest {
  target: string;
  clients?: readonly LookupClient[];
  secrets?: readonly string[];
  authfile?: string;
}

/** The parsed image and each client's explanation. */
export interface LookupReport {
  image: ImageRef;
  clients: ClientExplanation[];
}

/** True when `program` is an executable file in an absolute PATH directory (as exec.LookPath finds it). */
export function isOnPath(program: string, env: Env): boolean {
  for (const dir of (env.PATH ?? '').split(':')) {
    if (dir === '' || !isAbsolute(dir)) continue;
    try {
      const path = join(dir, program);
      if (!statSync(path).isFile()) continue;
      accessSync(path, fsConstants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** The injected side of the lookup: real helper calls and PATH checks. */
export async function realDeps(io: Io): Promise<LookupDeps> {
  const config = await loadConfig(io);
  return {
    onPath: (program) => isOnPath(program, io.env),
    askHelper: async (helper, serverURL): Promise<HelperAnswer> => {
      try {
        const found = await callHelper(helper, 'get', serverURL, { env: io.env, timeoutMs: config.helperTimeoutMs, stderr: io.stderr, platform: io.platform });
        if (!found) return { kind: 'not-found' };
        return { kind: 'found', username: found.username, password: found.password, identityToken: found.identityToken };
      } catch (err) {
        if (err instanceof HelperCallError) {
          // The client itself would not stop: explain says how long credkit waited before it did.
          const waited = err.reason === 'timeout' ? { waitedSeconds: config.helperTimeoutMs / 1000 } : {};
          return { kind: 'failed', reason: err.reason, message: err.message, ...waited };
        }
        return { kind: 'failed', reason: 'failed', message: messageOf(err) };
      }
    },
  };
}

/** Reads what the lookups need and runs them. Unreadable `--secret` files are an error (exit 1). */
export async function runLookup(io: Io, request: LookupRequest, deps?: LookupDeps): Promise<LookupReport> {
  const image = parseImageRef(request.target);
  // podman and buildah stat a named --authfile before anything else ("checking authfile: stat …:
  // no such file or directory"); only skopeo 1.9 reads a missing one as empty. A mistyped path
  // is reported, not explained as a file with no credential.
  // `~` as login and logout read it; relative to the command's directory, as it is checked.
  const authfile = request.authfile ? resolve(io.cwd, expandHome(request.authfile, io.home)) : undefined;
  if (authfile !== undefined && !existsSync(authfile)) {
    throw new IoError(`--authfile ${request.authfile}: no such file (podman and buildah refuse a missing --authfile)`);
  }
  const locate = { ...(authfile !== undefined ? { authfile } : {}), ...(io.platform === 'linux' && process.getuid ? { uid: process.getuid() } : {}) };
  // `--authfile ""` is podman's own first file, not REGISTRY_AUTH_FILE (src/cli/authfile-option.ts).
  const host = request.authfile === '' ? withoutRegistryAuthFile(io) : io;
  const files = new Map<string, FileText>();
  const wanted = request.clients ?? [];
  if (wanted.length === 0 || wanted.some((c) => c !== 'kubelet')) {
    for (const path of filesToRead(host, locate)) {
      try {
        const text = await readTextIfExists(path);
        if (text !== undefined) files.set(path, { text });
      } catch (err) {
        files.set(path, { error: messageOf(err) });
      }
    }
  }
  let secrets: AuthFile[] | undefined;
  const skippedSecrets: SkippedSecret[] = [];
  if (request.secrets && request.secrets.length > 0) {
    // Pull secrets need the YAML reader; only load it when secrets are given.
    const [{ readInputs }, { parseAuthText }] = await Promise.all([import('../auth-file/load.js'), import('../auth-file/read.js')]);
    secrets = [];
    for (const input of await readInputs(request.secrets, io.cwd, io.readStdin)) {
      const parsed = parseAuthText(input.text, input.source);
      secrets.push(...parsed.files);
      skippedSecrets.push(...(parsed.secrets?.skipped ?? []));
    }
  }
  const clients = await explainLookup({ host, ref: image, files, ...(secrets ? { secrets, skippedSecrets } : {}), locate }, deps ?? (await realDeps(io)), request.clients);
  return { image, clients };
}
