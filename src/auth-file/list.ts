/**
 * The rows of `credkit ls`: every entry and helper route of some files, with scope, origin and
 * username, and the secret only as a redacted marker.
 */
import { maskKey, maskUserinfo, redact, shownKey } from '../redact.js';
import { isHelperRouteKey, parseRegistryKey } from '../registry.js';
import type { KeyScope } from '../registry.js';
import type { AuthFile } from './model.js';
import { keyOf, shownKeyOf } from './model.js';
import { isStub } from './model.js';
import { isWidenedDockercfgKey } from './dockercfg.js';
import { matchInFile } from './lookup-containers.js';
import { DOCKER_HUB_HOST } from '../registry.js';

/**
 * One listed credential. Holds no secret: a key written with a password in it
 * (`https://alice:pw@quay.io`) shows it as `********`, and a key that holds a credential instead
 * of a registry shows as its stand-in (shownKey) in `registry` and `key`, as `credkit ls` does.
 */
export interface ListRow {
  /** Canonical registry key (src/registry.ts). */
  registry: string;
  scope: KeyScope;
  /** The file; '' when {@link variable} holds the entry. */
  file: string;
  /** Set when an environment variable holds the entry, not a file: `DOCKER_AUTH_CONFIG`. */
  variable?: string;
  /** The key as written in the file. */
  key: string;
  username: string;
  /** `********` when a password is present, else ''. */
  password: string;
  identityToken: boolean;
  /** Set when the secret is kept in a credential helper (a `{}` stub or a credHelpers route). */
  helper?: string;
  /**
   * Set when the entry's `auth` cannot be read (its AuthProblem), or to `not-an-object` for an entry
   * docker reads as empty. Not set for an unpadded `auth` in a pull secret, which kubelet reads.
   */
  problem?: string;
}

/** Lists the entries of each file in order; linear in entries. */
export function listEntries(files: readonly AuthFile[]): ListRow[] {
  const rows: ListRow[] = [];
  for (const file of files) {
    const helpers = new Map<string, string>();
    // A route no client takes (`https://quay.io`, `quay.io/`) holds nothing for the entry.
    for (const [key, helper] of file.credHelpers) if (isHelperRouteKey(key)) helpers.set(parseRegistryKey(key).canonical, helper);
    const covered = new Set<string>();
    for (const e of file.entries) {
      const k = keyOf(e);
      covered.add(k.canonical);
      const shown = shownKeyOf(e);
      const row: ListRow = {
        // A key that holds a credential names no registry either: both columns show its stand-in.
        registry: shown === e.key ? k.canonical : shown,
        scope: k.scope,
        file: e.origin.file,
        key: shown,
        username: e.username ?? '',
        password: redact(e.password),
        identityToken: e.identityToken !== undefined,
      };
      const helper = helpers.get(k.canonical) ?? (isStub(e) ? file.credsStore : undefined);
      if (helper !== undefined) row.helper = helper;
      // kubelet, a pull secret's only reader, decodes unpadded base64: it uses the credential.
      if (e.authProblem && !(e.authProblem === 'unpadded' && file.format === 'secret')) row.problem = e.authProblem;
      else if (e.notObject !== undefined) row.problem = 'not-an-object';
      rows.push(row);
    }
    let index = 0;
    for (const [key, helper] of file.credHelpers) {
      index++;
      const k = parseRegistryKey(key);
      // A route no client takes is not shown on its registry's entry row: list it on its own.
      if (covered.has(k.canonical) && isHelperRouteKey(key)) continue;
      const shown = shownKey(key, { index, member: 'credHelpers' });
      rows.push({ registry: shown === key ? k.canonical : shown, scope: k.scope, file: file.source, key: `credHelpers[${shown}]`, username: '', password: '', identityToken: false, helper });
    }
  }
  // Field by field, not with maskUserinfoDeep: a listing can have 100,000 rows.
  for (const row of rows) {
    row.registry = maskKey(row.registry);
    row.key = maskKey(row.key);
    row.file = maskUserinfo(row.file);
    row.username = maskUserinfo(row.username);
  }
  return rows;
}

/**
 * Notes for the keys of a `~/.dockercfg` file written with a path (`quay.io/org`), which its rows
 * list as their whole registry: podman, skopeo and buildah, its only readers today (docker dropped
 * the file in 20.10), look a legacy file up by host alone (containers/image `legacyFormat`: the
 * exact key `quay.io` first, then every key cut to its host, one at random), so such a key serves
 * all of the registry, one of several at random, or never where the bare host is beside it. (A
 * `kubernetes.io/dockercfg` Secret keeps its paths, as kubelet matches them: no note there.)
 */
export function listDockercfgNotes(files: readonly AuthFile[]): string[] {
  const notes: string[] = [];
  for (const file of files) {
    if (file.format !== 'dockercfg') continue;
    for (const e of file.entries) {
      if (!isWidenedDockercfgKey(e)) continue;
      const k = keyOf(e);
      const registry = k.hub ? DOCKER_HUB_HOST : k.host;
      const all = k.hub ? 'Docker Hub' : k.host;
      const match = matchInFile(file, true, registry, registry);
      const others = match.candidates.filter((c) => c !== e).map((c) => `"${maskUserinfo(shownKeyOf(c))}"`);
      const use =
        match.via === 'exact'
          ? `never use it: a .dockercfg has no scoping, and they take its "${maskUserinfo(shownKeyOf(match.claim!))}" key for all of ${all}`
          : others.length > 0
            ? `take it or ${others.join(' or ')} at random for every image of ${all}: a .dockercfg has no scoping`
            : `use it for all of ${all}: a .dockercfg has no scoping`;
      notes.push(`${maskUserinfo(file.source)}: key "${maskUserinfo(shownKeyOf(e))}": podman, skopeo and buildah ${use} (docker has not read one since 20.10)`);
    }
  }
  return notes;
}
