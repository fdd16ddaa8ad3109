/**
 * The domain model every auth-file format is read into and written from. On-disk shapes stay
 * private to their format modules; callers see only these types.
 */

/** The formats credkit reads and writes. */
export type AuthFormat = 'docker' | 'podman' | 'dockercfg' | 'secret';

/** What is wrong with an entry's `auth` field, when something is. */
export type AuthProblem =
  /** Not standard base64 at all (bad characters, URL-safe alphabet). */
  | 'invalid-base64'
  /** Standard base64 without its `=` padding: kubelet reads it, docker and podman fail. */
  | 'unpadded'
  /** Decodes, but has no `:` between username and password. */
  | 'no-colon';

import { credentialInKey, isPlainHostKey, keyForStyle, parseRegistryKey } from '../registry.js';
import { shownKey } from '../redact.js';
import type { KeyStyle, RegistryKey } from '../registry.js';
import type { MistypedValue } from './raw-config.js';

/** Where an entry came from: the file (or stdin / secret) and the key as written there. */
export interface Origin {
  file: string;
  key: string;
}

/** One credential entry, with its fields decoded. */
export interface AuthEntry {
  /** The registry key as written in the source. */
  key: string;
  username?: string;
  password?: string;
  identityToken?: string;
  registryToken?: string;
  email?: string;
  serverAddress?: string;
  /** Other fields of the entry, kept in their order. */
  extra?: Record<string, unknown>;
  /** Set when `auth` could not be used; `username`/`password` then come from explicit fields, if any. */
  authProblem?: AuthProblem;
  /** Set when `auth` could not be used and names a registry host instead (the key and `auth` swapped): that host. */
  authRegistry?: string;
  /** True when `auth` and explicit `username`/`password` both existed and disagreed (`auth` won). */
  authDisagrees?: boolean;
  /** True when the credential came from explicit `username`/`password` fields (no `auth`): podman ignores it. */
  explicitOnly?: boolean;
  /**
   * Set when the entry in a docker config.json was no JSON object (`"quay.io": []`), which docker
   * reads as an empty entry (it warns): what it was, as "an array", "a number", "a string" or "a boolean".
   */
  notObject?: string;
  /** Where the entry was read. */
  origin: Origin;
  /** The `auth` text as read, when it is canonical (padded, one line) and matches username/password; reused on write. */
  authText?: string;
  /**
   * The entry object as read, when it already is what docker, podman and .dockercfg write
   * (only a canonical `auth`, optionally then `email`): written back as is, saving a copy.
   */
  plain?: Readonly<Record<string, unknown>>;
  /** Cache of {@link keyOf}; valid while `key` is unchanged. */
  parsedKey?: RegistryKey;
}

/** The parsed registry key of an entry, computed once (the hot path parses each key once). */
export function keyOf(entry: AuthEntry): RegistryKey {
  const cached = entry.parsedKey;
  if (cached !== undefined && cached.raw === entry.key) return cached;
  return (entry.parsedKey = parseRegistryKey(entry.key));
}

/** The canonical key of an entry; a plain host is its own, without a RegistryKey per entry. */
export function canonicalOf(entry: AuthEntry): string {
  return isPlainHostKey(entry.key) ? entry.key : keyOf(entry).canonical;
}

/**
 * The entry's key as people may see it: the key, or for one that holds a credential its stand-in
 * (shownKey), with its place in the file when it was read from one. Cheap for every other key.
 */
export function shownKeyOf(entry: AuthEntry): string {
  if (credentialInKey(entry.key) === undefined) return entry.key;
  const origin = entry.origin.key;
  return origin !== entry.key ? origin : shownKey(entry.key);
}

/** The key an entry is written under in `style` ({@link keyForStyle}), cheap for a plain host. */
export function styledKeyOf(entry: AuthEntry, style: KeyStyle): string {
  return isPlainHostKey(entry.key) ? entry.key : keyForStyle(keyOf(entry), style);
}

/** A whole auth file: entries plus the rest of the document. */
export interface AuthFile {
  /** Where it was read (a path, `-`, or `FILE#secret-name`). */
  source: string;
  /** The format it was read from. */
  format: AuthFormat;
  /** Sub-format detail: `line` for the old `auth = …` .dockercfg. */
  variant?: 'line';
  entries: AuthEntry[];
  credsStore?: string;
  /** `credHelpers`: registry key → helper suffix, in file order. */
  credHelpers: Map<string, string>;
  /** Other top-level keys, in order (docker drops them on save; credkit keeps them). */
  extra: Record<string, unknown>;
  /**
   * Values of a docker config.json of the wrong JSON type (`"credsStore": 5`, a field `"auth": 5`),
   * which docker decodes as empty (it warns) and which were read so, left out; an entry that is no
   * object is marked on the entry instead ({@link AuthEntry.notObject}). In an auth.json: values
   * containers/image never decodes (an entry's `username`, `email`…, `credsStore`), left out.
   */
  mistyped?: MistypedValue[];
}

/** True for an entry that holds no credential at all: a `{}` "ask the helper" marker. */
export function isStub(entry: AuthEntry): boolean {
  return (
    // `authText` first: an entry that has one holds a credential, and its username is decoded lazily.
    entry.authText === undefined &&
    entry.username === undefined &&
    entry.password === undefined &&
    entry.identityToken === undefined &&
    entry.registryToken === undefined &&
    entry.authProblem === undefined
  );
}

/** True when two entries carry the same credential (username, password, tokens). */
export function sameCredential(a: AuthEntry, b: AuthEntry): boolean {
  // The same `auth` text is the same username and password, without decoding either.
  const sameAuth = a.authText !== undefined && a.authText === b.authText;
  return (
    (sameAuth || ((a.username ?? '') === (b.username ?? '') && (a.password ?? '') === (b.password ?? ''))) &&
    (a.identityToken ?? '') === (b.identityToken ?? '') &&
    (a.registryToken ?? '') === (b.registryToken ?? '') &&
    isStub(a) === isStub(b)
  );
}

/** An empty auth file. */
export function emptyAuthFile(source: string, format: AuthFormat): AuthFile {
  return { source, format, entries: [], credHelpers: new Map(), extra: {} };
}
