/**
 * The few error classes credkit raises. Each carries a stable `code` that scripts and the CLI's
 * exit-code mapping rely on. Messages name files and keys, never secret values.
 */

/** Stable error codes; the CLI maps them to exit codes in one place (src/cli/exit-code.ts). */
export type ErrorCode =
  | 'USAGE'
  | 'NOT_FOUND'
  | 'PARSE'
  | 'STORE_UNAVAILABLE'
  | 'READ_ONLY'
  | 'IO'
  | 'LOSSY'
  | 'CONFLICT'
  | 'HELPER'
  | 'UNAUTHORIZED'
  | 'REGISTRY';

import { shownKey } from './redact.js';

/**
 * Marks credkit's errors across module copies: the helper loads heavy backends from separate
 * bundles (each with its own copy of this module), where `instanceof` would not match.
 */
const BRAND = Symbol.for('credkit.error');

/** Base class of every error credkit raises on purpose. */
export class CredkitError extends Error {
  readonly code: ErrorCode;
  readonly [BRAND] = true;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bad arguments or options from the user. */
export class UsageError extends CredkitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('USAGE', message, options);
  }
}

/** A credential or entry that does not exist. */
export class NotFoundError extends CredkitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NOT_FOUND', message, options);
  }
}

/** Input that cannot be understood. `file` and `key` say where; the value is never quoted. */
export class ParseError extends CredkitError {
  readonly file: string | undefined;
  /** The key as people may see it: a key that holds a credential is its stand-in (shownKey). */
  readonly key: string | undefined;
  /** The message without the file and key in front (for reports that show those apart). */
  readonly detail: string;
  /** For `credkit check`: a finding code more precise than "unparseable", and how to repair the input. */
  readonly finding: { code: string; fix: string } | undefined;
  constructor(message: string, where: { file?: string; key?: string; finding?: { code: string; fix: string } } = {}, options?: { cause?: unknown }) {
    // Here, not at each throw: a library caller logs err.message as it is, and a key may be a
    // swapped base64 user:password (a stand-in from an entry's origin passes unchanged).
    if (where.key !== undefined) where = { ...where, key: shownKey(where.key) };
    const prefix = [where.file, where.key !== undefined ? `key "${where.key}"` : undefined].filter(Boolean).join(': ');
    super('PARSE', prefix ? `${prefix}: ${message}` : message, options);
    this.file = where.file;
    this.key = where.key;
    this.detail = message;
    this.finding = where.finding;
  }
}

/** A credential store that cannot be used on this machine right now (missing D-Bus, no GPG key…). */
export class StoreUnavailableError extends CredkitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_UNAVAILABLE', message, options);
  }
}

/** A write to a store that only reads (the env backend). */
export class ReadOnlyStoreError extends CredkitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('READ_ONLY', message, options);
  }
}

/** A file system failure (permission, lock timeout…). */
export class IoError extends CredkitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IO', message, options);
  }
}

/** An external docker-credential-* helper that failed, hung or printed junk. */
export class HelperError extends CredkitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('HELPER', message, options);
  }
}

/** A registry or its token server that refused the credentials. The message names user and host, never the secret. */
export class UnauthorizedError extends CredkitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNAUTHORIZED', message, options);
  }
}

/** Why a registry could not be asked: TLS, the network, a timeout, or an answer we do not understand. */
export type RegistryFailure = 'tls' | 'network' | 'timeout' | 'protocol';

/** A registry that could not be reached or answered something unexpected. */
export class RegistryError extends CredkitError {
  readonly failure: RegistryFailure;
  constructor(failure: RegistryFailure, message: string, options?: { cause?: unknown }) {
    super('REGISTRY', message, options);
    this.failure = failure;
  }
}

/** True for errors credkit raised on purpose (as opposed to bugs). */
export function isCredkitError(err: unknown): err is CredkitError {
  return typeof err === 'object' && err !== null && (err as { [BRAND]?: unknown })[BRAND] === true;
}

/** The message of any thrown value, for one-line reports. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
