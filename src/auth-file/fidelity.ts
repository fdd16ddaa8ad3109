/**
 * What a target format cannot express. An item here means a consumer of the written file will
 * behave differently from a consumer of the source: a scope widened, a helper route or a
 * credential that the target's reader ignores, a `{}` stub that authenticates nothing, a
 * top-level key with no place in the target, or two keys for one scope of which one had to go.
 * Fields the target can carry but its readers ignore (email, serveraddress, unknown fields) are
 * written and are not listed.
 */
import { isPlainHostKey, parseRegistryKey } from '../registry.js';
import type { AuthFile, AuthFormat } from './model.js';
import { canonicalOf, keyOf } from './model.js';
import { isStub } from './model.js';
import type { PullSecretType } from '../kube/pull-secret.js';

/** Kinds of loss, for scripts. */
export type LossKind = 'scope' | 'helper' | 'stub' | 'token' | 'top-level' | 'duplicate' | 'missing' | 'size';

/** One thing the target cannot express, named by file and key (never by value). */
export interface Loss {
  kind: LossKind;
  file: string;
  key: string;
  message: string;
}

/** Every loss of writing `file` as `target` (secrets: of `secretType`). Linear in entries. */
export function lossesFor(file: AuthFile, target: AuthFormat, secretType: PullSecretType = 'dockerconfigjson'): Loss[] {
  const out: Loss[] = [];
  const helperHosts = new Set<string>();
  for (const key of file.credHelpers.keys()) helperHosts.add(parseRegistryKey(key).canonical);
  for (const e of file.entries) {
    // A plain host is registry-wide: no RegistryKey is built for it.
    const k = isPlainHostKey(e.key) ? undefined : keyOf(e);
    if (k !== undefined && k.scope !== 'registry' && target === 'docker') {
      out.push({ kind: 'scope', file: e.origin.file, key: e.origin.key, message: `docker ignores the path: it uses this entry only as a fallback for all of ${k.host} (written as is; podman reading the file still honours it)` });
    }
    if (k !== undefined && k.scope !== 'registry' && target === 'dockercfg') {
      out.push({ kind: 'scope', file: e.origin.file, key: e.origin.key, message: `.dockercfg has no scoping: readers use this entry for all of ${k.host}` });
    }
    if (isStub(e)) {
      const viaHelper = helperHosts.has(canonicalOf(e));
      if (target === 'secret') out.push({ kind: 'stub', file: e.origin.file, key: e.origin.key, message: 'empty entry whose secret is in a credential helper; kubelet runs no helpers, so it authenticates nothing (materialise it)' });
      else if (target === 'dockercfg') out.push({ kind: 'stub', file: e.origin.file, key: e.origin.key, message: 'empty entry whose secret is in a credential helper; .dockercfg cannot name helpers (materialise it)' });
      else if (target === 'podman' && !viaHelper) out.push({ kind: 'stub', file: e.origin.file, key: e.origin.key, message: 'empty entry that relies on credsStore; podman has no credsStore support and pulls anonymously (materialise it)' });
    }
    if (e.identityToken !== undefined && target === 'secret') {
      out.push({ kind: 'token', file: e.origin.file, key: e.origin.key, message: 'kubelet ignores identitytoken' + ((e.password ?? '') === '' ? '; this entry has no password, so it authenticates nothing' : '') });
    }
    if (e.registryToken !== undefined && (target === 'secret' || target === 'podman' || target === 'dockercfg')) {
      out.push({ kind: 'token', file: e.origin.file, key: e.origin.key, message: `${target === 'secret' ? 'kubelet' : 'podman'} ignores registrytoken (written, but unused)` });
    }
  }
  if (target === 'dockercfg' || target === 'secret') {
    if (file.credsStore !== undefined) out.push({ kind: 'helper', file: file.source, key: 'credsStore', message: target === 'secret' ? 'kubelet does not run credential helpers' : '.dockercfg cannot name a credential store' });
    for (const key of file.credHelpers.keys()) {
      out.push({ kind: 'helper', file: file.source, key: `credHelpers[${key}]`, message: target === 'secret' ? 'kubelet does not run credential helpers' : '.dockercfg cannot name credential helpers' });
    }
  }
  if (target === 'podman' && file.credsStore !== undefined) {
    out.push({ kind: 'helper', file: file.source, key: 'credsStore', message: 'podman ignores credsStore (kept in the file for docker)' });
  }
  if (target === 'dockercfg' || (target === 'secret' && secretType === 'dockercfg')) {
    for (const name in file.extra) out.push({ kind: 'top-level', file: file.source, key: name, message: `${target === 'secret' ? 'a .dockercfg payload' : '.dockercfg'} has no top-level settings; dropped` });
  }
  return out;
}
