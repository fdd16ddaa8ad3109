/**
 * A format-independent view of credential text for round-trip assertions: entries by canonical
 * key with their credential and other fields, helper routes by canonical key, top-level keys.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAuthText } from '../../src/auth-file/read.js';
import { parseRegistryKey } from '../../src/registry.js';
import { FIXTURES } from './sandbox.js';
import type { CredentialResolver, ResolvedCredential } from '../../src/auth-file/materialize.js';

/** What a credential file means, independent of its format. */
export interface AuthSummary {
  entries: Record<string, Record<string, unknown>>;
  credHelpers: Record<string, string>;
  credsStore: string | undefined;
  extra: Record<string, unknown>;
}

/** Summarises credential text (any format; several files/secrets are combined). */
export function summarize(text: string, source = 'input'): AuthSummary {
  // No prototypes: a key "__proto__" is summarised like any other.
  const out: AuthSummary = { entries: Object.create(null), credHelpers: Object.create(null), credsStore: undefined, extra: Object.create(null) };
  for (const f of parseAuthText(text, source).files) {
    for (const e of f.entries) {
      const fields: Record<string, unknown> = Object.create(null);
      for (const name of ['username', 'password', 'identityToken', 'registryToken', 'email', 'extra'] as const) {
        if (e[name] !== undefined && e[name] !== '') fields[name] = e[name];
      }
      out.entries[parseRegistryKey(e.key).canonical] = fields;
    }
    for (const [k, h] of f.credHelpers) out.credHelpers[parseRegistryKey(k).canonical] = h;
    if (f.credsStore !== undefined) out.credsStore = f.credsStore;
    Object.assign(out.extra, f.extra);
  }
  return out;
}

/** The text of a fixture file. */
export function fixture(path: string): string {
  return readFileSync(join(FIXTURES, path), 'utf8');
}

/** An in-memory set of helpers for materialising: helper name → server URL → credential; records every call. */
export function memoryResolver(helpers: Record<string, Record<string, ResolvedCredential>>): { resolve: CredentialResolver; calls: string[] } {
  const calls: string[] = [];
  const resolve: CredentialResolver = async (helper, url) => {
    calls.push(`${helper} ${url}`);
    return helpers[helper]?.[url];
  };
  return { resolve, calls };
}
