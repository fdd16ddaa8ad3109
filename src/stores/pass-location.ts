/**
 * Where a password store keeps docker's entries, for CredentialStore.location: credkit's `pass`
 * backend and docker-credential-pass (`helper:pass`) on the same store and prefix read and write
 * the same files. A module of its own so that the `helper:` store can name it without loading
 * the pass backend.
 */
import { join, resolve } from 'node:path';
import type { Host } from '../io.js';
import { realPathOf } from '../auth-file/safe-file.js';

/** The password store's root for this environment, as pass finds it. */
export function passStoreRoot(host: Host): string {
  return resolve(host.cwd, host.env.PASSWORD_STORE_DIR || join(host.home, '.password-store'));
}

/** docker-credential-pass's fixed prefix (credkit's default `[pass] prefix`). */
export const REFERENCE_PASS_PREFIX = 'docker-credential-helpers';

/** The location (CredentialStore.location) of the entries under `dir`. */
export function passLocation(dir: string): string {
  return `pass ${realPathOf(dir)}`;
}

/** The location of docker-credential-pass's entries, run with `host`'s environment. */
export function referencePassLocation(host: Host): string {
  return passLocation(join(passStoreRoot(host), REFERENCE_PASS_PREFIX));
}
