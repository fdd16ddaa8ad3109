/**
 * `credkit check`: lints credential files before they become pull secrets or are handed to
 * another tool. Each finding names the file and key, says what is wrong and how to fix it, and
 * never quotes a value.
 */
import { basename } from 'node:path';
import { ParseError } from '../errors.js';
import { holdsInvisible } from '../escape.js';
import { credentialInServerURL, maskUserinfoDeep, shownKey } from '../redact.js';
import { DOCKER_HUB_HOST, DOCKER_HUB_KEY, credentialInKey, isHelperRouteKey, parseRegistryKey, podmanKeyProblem } from '../registry.js';
import type { AuthEntry, AuthFile, AuthFormat } from './model.js';
import type { MistypedValue } from './raw-config.js';
import { keyOf } from './model.js';
import { isStub, sameCredential, shownKeyOf } from './model.js';
import { topLevelMembers } from './json-text.js';
import { parseAuthText } from './read.js';
import { convertToHostname } from './lookup-docker.js';
import { normalizeAuthFileKey } from './lookup-containers.js';
import { kubeletKey } from './lookup-kubelet.js';
import type { RegistryKey } from '../registry.js';
import { MAX_SECRET_DATA_BYTES, NoPullSecretError, type PullSecret, type SkippedSecret } from '../kube/pull-secret.js';
import { emptyUsernameEffect } from './fidelity.js';

/**
 * How bad a finding is: errors fail `check`; warnings fail it with `--strict`; a note (something
 * read past that is no problem, such as an Opaque Secret beside the pull secrets) fails nothing.
 */
export type Severity = 'error' | 'warning' | 'note';

/** One problem. */
export interface Finding {
  severity: Severity;
  /** Stable identifier for scripts. */
  code: string;
  file: string;
  key?: string;
  message: string;
  fix: string;
}

/** One input to check: its text, name and permission bits (when it is a file). */
export interface CheckInput {
  text: string;
  source: string;
  mode?: number;
  /** The format the input must be in, when the caller knows (as `--from` does); else detected. */
  from?: AuthFormat;
}

/**
 * Checks one input; never throws for bad content (that is a finding). A key written with a
 * password in it (`https://alice:pw@quay.io`) is shown with the password as `********`, in `key`,
 * `message` and `fix` alike, as `credkit check` prints it.
 */
export function checkAuthInput(input: CheckInput): Finding[] {
  return maskUserinfoDeep(findProblems(input));
}

// Top-level config.json members that hold no secret; any other (proxies, HttpHeaders, plugins…) may.
const SECRETLESS_MEMBERS: ReadonlySet<string> = new Set(['auths', 'credsStore', 'credHelpers', 'currentContext', 'detachKeys', 'experimental']);
// Entry fields that hold a credential or part of one (a user name alone counts: no guessing).
const CREDENTIAL_FIELDS: ReadonlySet<string> = new Set(['auth', 'username', 'password', 'identitytoken', 'registrytoken']);

/**
 * True when `text` is a JSON auth file that holds no secret at all: only `credsStore`,
 * `credHelpers` naming helpers for plain registry keys, and `auths` entries without a credential
 * field (`{}` markers), beside docker settings that hold none (`psFormat`, `currentContext`…).
 * Anything else, or anything unreadable, may hold one. Such a file leaks nothing when others can
 * read it, so check (and doctor) make its mode a note, not an error.
 */
export function holdsNoSecret(text: string): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return false;
  }
  if (!isPlainObject(doc)) return false;
  for (const member in doc) if (!SECRETLESS_MEMBERS.has(member) && !/^[a-z]+Format$/.test(member)) return false;
  const plainKey = (key: string) => credentialInServerURL(key) === undefined;
  const { auths, credHelpers } = doc;
  if (credHelpers !== undefined && credHelpers !== null) {
    if (!isPlainObject(credHelpers)) return false;
    for (const key in credHelpers) if (!plainKey(key) || typeof credHelpers[key] !== 'string') return false;
  }
  if (auths !== undefined && auths !== null) {
    if (!isPlainObject(auths)) return false;
    for (const key in auths) {
      const entry = auths[key];
      if (!plainKey(key) || !isPlainObject(entry)) return false;
      for (const field in entry) if (CREDENTIAL_FIELDS.has(field.toLowerCase())) return false;
    }
  }
  return true;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function findProblems(input: CheckInput): Finding[] {
  const findings: Finding[] = [];
  if (input.mode !== undefined && input.mode & 0o044) {
    const who = input.mode & 0o004 ? 'every user' : 'its group';
    if (!(input.mode & 0o022) && holdsNoSecret(input.text)) {
      // Nothing leaks, so no error; a plaintext login written to the file later would. Others
      // who may change it (a helper name, a key) keep it an error, as doctor says.
      findings.push({ severity: 'note', code: input.mode & 0o004 ? 'world-readable' : 'group-readable', file: input.source, message: `file mode ${octal(input.mode)} lets ${who} read it, but it holds no secret (only credential helper names and {} markers), so nothing leaks`, fix: `chmod 600 ${input.source}, before a plaintext login is written to it` });
    } else if (input.mode & 0o004) {
      findings.push({ severity: 'error', code: 'world-readable', file: input.source, message: `file mode ${octal(input.mode)} lets every user read it`, fix: `chmod 600 ${input.source}` });
    } else {
      findings.push({ severity: 'warning', code: 'group-readable', file: input.source, message: `file mode ${octal(input.mode)} lets its group read it`, fix: `chmod 600 ${input.source}` });
    }
  }
  let files: AuthFile[];
  let secretOf = new Map<AuthFile, PullSecret>();
  try {
    const parsed = parseAuthText(input.text, input.source, { from: input.from });
    files = parsed.files;
    secretOf = new Map(parsed.secrets?.secrets.map((s) => [s.file, s]));
    findings.push(...skippedSecretFindings(parsed.secrets?.skipped ?? []));
    for (const s of parsed.secrets?.secrets ?? []) {
      for (const f of s.ignoredFields ?? []) {
        findings.push({ severity: 'warning', code: 'field-not-string', file: s.file.source, key: shownKey(f.key), message: `field "${f.field}" holds no string: kubelet ignores it, but docker warns about such a config.json on every command${f.field.toLowerCase() === 'identitytoken' ? ' and podman fails to read it' : ''} (credkit convert leaves the field out)`, fix: `remove "${f.field}" from the entry, or make it a string` });
      }
      if ((s.dataBytes ?? 0) <= MAX_SECRET_DATA_BYTES) continue;
      const mib = ((s.dataBytes ?? 0) / (1024 * 1024)).toFixed(2);
      findings.push({ severity: 'error', code: 'secret-too-large', file: s.file.source, key: s.type === 'dockercfg' ? 'data[.dockercfg]' : 'data[.dockerconfigjson]', message: `${mib} MiB of data (all its data and stringData keys); Kubernetes refuses a Secret over 1 MiB (${MAX_SECRET_DATA_BYTES} bytes)`, fix: 'split the registries over several pull secrets (a pod may list several in imagePullSecrets)' });
    }
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    // No pull secret at all, but a Secret that was meant to be one: its mistake and fix say more
    // than "no pull secret among N" (a manifest of Opaque Secrets only stays that one error).
    if (err instanceof NoPullSecretError && err.skipped.some((s) => s.dataKeyMistake !== undefined)) {
      findings.push(...skippedSecretFindings(err.skipped));
      return findings;
    }
    // The finding shows file and key itself: the message without them (they would show twice).
    const finding: Finding = { severity: 'error', code: err.finding?.code ?? 'unparseable', file: err.file ?? input.source, message: err.detail, fix: wrongFromFix(input) ?? err.finding?.fix ?? repairFix(input) };
    if (err.key !== undefined) finding.key = err.key;
    findings.push(finding);
    return findings;
  }
  if (files[0]?.format === 'docker' || files[0]?.format === 'podman') checkRepeatedMembers(input, findings);
  for (const file of files) checkFile(file, findings, input.source, secretOf.get(file));
  return findings;
}

/** What check says of each Secret of another type read past in a manifest. */
function skippedSecretFindings(skipped: readonly SkippedSecret[]): Finding[] {
  return skipped.map((s): Finding => {
    // The same error as for the Secret read alone: beside pull secrets it is no less a mistake
    // (kubelet ignores it, so the images it was made for are pulled without its credentials).
    if (s.dataKeyMistake !== undefined) return { severity: 'error', code: 'secret-data-key', file: s.label, key: 'type', message: s.dataKeyMistake.message, fix: s.dataKeyMistake.fix };
    return { severity: 'note', code: 'not-a-pull-secret', file: s.label, key: 'type', message: `a Secret of type ${s.type}, not a pull secret; skipped, as kubelet ignores it in imagePullSecrets`, fix: 'none needed (only kubernetes.io/dockerconfigjson and kubernetes.io/dockercfg Secrets hold registry credentials)' };
  });
}

/**
 * The fix for a pull secret that `credkit convert` repairs: a pull secret's findings name it
 * `FILE#name`, which is no file, and the Secret is in the cluster, so the fix converts the manifest
 * read (`input`; `-` for standard input) into a new one and puts that in place of the Secret.
 * convert keeps each Secret's name and namespace; a `.dockercfg` Secret must keep its type, which
 * the API server refuses to change, and an immutable one can only be made again.
 */
function secretConvertFix(input: string, secret: PullSecret, what: string): string {
  const type = secret.type === 'dockercfg' ? ' --secret-type dockercfg' : '';
  const put = secret.immutable === true ? 'kubectl replace --force -f NEW.yaml (the Secret is immutable: it can only be made again)' : 'kubectl apply -f NEW.yaml';
  return `credkit convert ${input} --to secret${type} -o NEW.yaml (${what}, keeping the Secret's name and namespace), then ${put}`;
}

/**
 * The fix for a file its reader refuses. Only docker's own config.json is docker's to read: one it
 * cannot parse at all it reads as empty and overwrites on its next login, but one that only podman
 * refuses (a mistyped "auth", checked with from "podman") docker 28.2 still uses, with a warning
 * on every command (its credHelpers and entries are still sent), and its next save empties every
 * entry.
 */
function repairFix(input: CheckInput): string {
  if (basename(input.source) !== 'config.json') return 'repair the file; no tool can use it as is';
  if (input.from === 'podman' && readsAs(input, 'docker')) {
    return 'repair the file: podman refuses it; docker still uses it, but warns ("Error parsing config file") on every command and empties every entry on its next save (login, logout)';
  }
  return 'repair the file; no tool can use it as is (docker discards it and overwrites it on the next login)';
}

function readsAs(input: CheckInput, from: AuthFormat): boolean {
  try {
    parseAuthText(input.text, input.source, { from });
    return true;
  } catch (err) {
    if (err instanceof ParseError) return false;
    throw err;
  }
}

const FORMAT_NAMES: Record<AuthFormat, string> = { docker: 'a docker config.json', podman: 'a podman auth.json', dockercfg: 'a legacy .dockercfg', secret: 'Kubernetes pull secrets' };

/**
 * When `from` is what fails (a Secret read with from "docker"), the file is fine and only the
 * option is to change: the fix names it. Docker and podman read one format (a config.json that
 * podman refuses is the file's problem, not the option's), so only another kind of file counts.
 */
function wrongFromFix(input: CheckInput): string | undefined {
  if (input.from === undefined) return undefined;
  let detected: AuthFormat;
  try {
    detected = parseAuthText(input.text, input.source).format;
  } catch (err) {
    if (err instanceof ParseError) return undefined;
    throw err;
  }
  const family = (f: AuthFormat) => (f === 'podman' ? 'docker' : f);
  if (family(detected) === family(input.from)) return undefined;
  return `leave from unset, or set it to "${detected}" (the text reads as ${FORMAT_NAMES[detected]})`;
}

/**
 * Two top-level members with one name (`"auths"` twice): docker, podman and kubelet merge them
 * (Go's decoder fills one map from both), and so does credkit, but JSON.parse, and with it `jq`
 * and most JSON tools, keeps only the last. Found here only: it takes a pass over the whole text.
 */
function checkRepeatedMembers(input: CheckInput, out: Finding[]): void {
  const seen = new Map<string, number>();
  for (const [name] of topLevelMembers(input.text)) seen.set(name, (seen.get(name) ?? 0) + 1);
  for (const [name, count] of seen) {
    if (count < 2) continue;
    const merged = name.toLowerCase() === 'auths' || name.toLowerCase() === 'credhelpers';
    out.push({
      severity: 'warning',
      code: 'repeated-member',
      file: input.source,
      key: name,
      message: merged
        ? `"${name}" appears ${count} times: docker, podman, kubelet and credkit merge them, but jq and most JSON tools keep only the last, losing the others`
        : `"${name}" appears ${count} times; every reader takes the last`,
      fix: merged ? `merge them into one "${name}" object (credkit convert writes one)` : 'keep one of them',
    });
  }
}

/**
 * Which of two keys for one scope each client takes. Only a key neither spells exactly is picked
 * at random (Go map order): docker looks up `https://index.docker.io/v1/` or the bare host, then
 * any key whose host part is that; podman the canonical key, then (registry-wide) keys cut to
 * their host; kubelet tries both, in random order where it files both under one key.
 */
function whoTakes(a: string, b: string, k: RegistryKey, format: AuthFormat): string {
  const say = (client: string, picked: string[]) => (picked.length === 0 ? `${client} uses neither` : picked.length === 1 ? `${client} uses "${picked[0]}"` : `${client} picks one at random`);
  if (format === 'secret') {
    const [ka, kb] = [kubeletKey(a), kubeletKey(b)];
    if (ka === undefined || kb === undefined || ka === kb) return 'kubelet tries both, in random order, and a stale one fails pulls until it does';
    // Two keyring keys (`quay.io/org/` and `quay.io/org`): kubelet tries them in reverse sorted order.
    const [first, then] = ka > kb ? [a, b] : [b, a];
    return `kubelet tries "${first}" first where both match (it sorts its keys), then "${then}"`;
  }
  const keys = [a, b];
  const parts: string[] = [];
  // docker stopped reading ~/.dockercfg in 20.10 (it only warns that the file is there), so
  // naming the key it "uses" there would send the reader to the wrong entry.
  if (format === 'dockercfg') parts.push('docker reads no .dockercfg (none since 20.10)');
  else if (format !== 'podman') {
    // docker cuts a key to its host, which for Docker Hub never equals the URL it looks up.
    if (k.path !== '' && k.hub) parts.push('docker uses neither (it uses no key with a path for Docker Hub)');
    else if (k.path !== '') parts.push(`docker ignores the path: it takes either, at random, for all of ${k.host} when it has no "${k.host}" key`);
    else {
      const q = k.hub ? DOCKER_HUB_KEY : k.host;
      const exact = keys.filter((x) => x === q);
      parts.push(say('docker', exact.length > 0 ? exact : keys.filter((x) => convertToHostname(x) === q)));
    }
  }
  const exact = keys.filter((x) => x === k.canonical);
  const wanted = normalizeAuthFileKey(k.host, false);
  parts.push(say('podman', exact.length > 0 || k.path !== '' ? exact : keys.filter((x) => normalizeAuthFileKey(x, format === 'dockercfg') === wanted)));
  return parts.join(', ');
}

/**
 * What an empty username does, by who reads the file. docker 23+ refuses the whole config.json;
 * no docker that reads .dockercfg (none since 20.10) checks it. kubelet reads it as username "" and
 * hands it to the runtime so, and containerd's ParseAuth takes a credential only by its username,
 * identity token or auth, none of which kubelet gives it: the pull goes anonymous. containers/image
 * (podman 4.3, skopeo 1.9) decodes it and stops its search of auth files there, but asks a token
 * server for a token with Basic auth only when username and password are both set, so a Bearer
 * registry gets an anonymous token request; only a Basic challenge gets the password (with user
 * ""), and `podman login --get-login` answers "not logged into".
 */
function emptyUsernameMessage(format: AuthFormat): string {
  // The same words as convert's note for an entry it writes so (emptyUsernameEffect).
  const effect = emptyUsernameEffect(format);
  if (effect !== undefined) return `empty username in "auth": ${effect}`;
  return 'empty username in "auth"; docker 23 and later cannot decode it: other entries of the file are then sent without their username and password at random, and emptied on docker\'s next save';
}

/**
 * A value of a docker config.json of the wrong type. docker 28.2 leaves its field empty, warns
 * ("Error parsing config file") on every command, and, as the decoding error stops it before it
 * decodes any "auth", empties every entry of the file on its next save (login, logout). podman
 * decodes only auths, credHelpers and their auth and identitytoken fields, and refuses a file
 * where one of those has the wrong type.
 */
function mistypedFinding(file: string, m: MistypedValue, shown: string): Finding {
  if (m.format === 'podman') return podmanIgnoredFinding(file, m, shown);
  const podmanReads = m.member !== 'credsStore' && (m.field === undefined || ['auth', 'identitytoken'].includes(m.field.toLowerCase()));
  const podman = podmanReads ? 'podman refuses the whole file' : 'podman ignores it';
  const docker = 'and warns ("Error parsing config file") on every command, and its next save (login, logout) empties every entry of the file';
  const fix = `credkit convert ${file} --to docker (leaves it out), or correct the value`;
  if (m.member === 'credHelpers' && m.key !== undefined) {
    return { severity: 'error', code: 'mistyped-value', file, key: `credHelpers[${shown}]`, message: `the helper name is ${m.type}, not a string: docker reads it as no helper (it reads this registry from the file, not from credsStore) ${docker}; ${podman}`, fix: `credkit convert ${file} --to docker (writes it as ""), or name the helper` };
  }
  if (m.field !== undefined) return { severity: 'error', code: 'mistyped-value', file, key: shown, message: `field "${m.field}" is ${m.type}, not a string: docker leaves it empty ${docker}; ${podman}`, fix };
  const read = m.member === 'auths' ? 'reads no entry at all' : 'ignores it';
  // A top-level member: the message names it, so the finding has no key.
  return { severity: 'error', code: 'mistyped-value', file, message: `"${m.member}" is ${m.type}, not ${m.member === 'credsStore' ? 'a string' : 'an object'}: docker ${read} ${docker}; ${podman}`, fix };
}

/**
 * The key of a mistyped value as its other findings show it (shownKeyOf): a key that holds a
 * credential is its stand-in, with its place in `auths` or `credHelpers`.
 */
function mistypedKeyShown(file: AuthFile, m: MistypedValue): string {
  const key = m.key ?? '';
  if (credentialInKey(key) === undefined) return key;
  if (m.member === 'credHelpers') {
    const index = [...file.credHelpers.keys()].indexOf(key) + 1;
    return shownKey(key, index > 0 ? { index, member: 'credHelpers' } : undefined);
  }
  const entry = file.entries.find((e) => e.key === key);
  return entry !== undefined ? shownKeyOf(entry) : shownKey(key);
}

/**
 * A value of an auth.json that containers/image never decodes (an entry's `username`, `email`…,
 * `credsStore`), of the wrong type: podman 4.3 and skopeo 1.9 read the file and use the entry
 * (they refuse only a mistyped `auth` or `identitytoken`), but docker, given it as a config.json,
 * warns and empties the file on its next save.
 */
function podmanIgnoredFinding(file: string, m: MistypedValue, shown: string): Finding {
  const docker = 'docker, reading it as a config.json, leaves it empty, warns ("Error parsing config file") on every command, and its next save (login, logout) empties every entry of the file';
  const fix = `credkit convert ${file} --to podman (leaves it out), or correct the value`;
  // A top-level member: the message names it, so the finding has no key.
  if (m.member === 'credsStore') return { severity: 'warning', code: 'mistyped-value', file, message: `"credsStore" is ${m.type}, not a string: podman never reads credsStore and uses the file; ${docker}`, fix };
  return { severity: 'warning', code: 'mistyped-value', file, key: shown, message: `field "${m.field ?? ''}" is ${m.type}, not a string: podman decodes only "auth" and "identitytoken" of an entry, so it ignores it and uses the entry; ${docker}`, fix };
}

/**
 * An empty or missing `username` beside a `password` in a config.json: docker 28.2 loads the fields
 * and sends the password alone, but its SaveToWriter writes every entry back as `auth` =
 * base64(username:password), here `:password`, which its next load refuses.
 */
const EMPTY_USERNAME_FIELDS =
  'a password with an empty "username": docker sends it without a username for now, but its next save of the file (a docker login or logout, to any registry) writes it as "auth" with an empty username, which docker 23 and later cannot decode: every docker command then warns "Invalid auth configuration file", other entries of the file are sent without their username and password at random, and emptied on the save after';

/**
 * An unpadded `auth` in a pull secret: kubelet pulls with it, but the payload mounted into a pod or
 * decoded back into a file as a docker config.json or podman auth.json is one they cannot read.
 */
const UNPADDED_IN_SECRET =
  '"auth" lacks its "=" padding: kubelet decodes it (it reads unpadded base64 too), so pulls with this Secret work; but docker and podman cannot, so the payload used as a config.json or auth.json (the Secret mounted into a build pod, or taken out with kubectl get secret … | base64 -d) fails in them';

/**
 * The fix for an entry whose key holds a credential: a swap when `auth` holds a registry instead
 * (quay.io, localhost:5000), so that putting each back where it belongs is the fix.
 */
function credentialKeyFix(e: AuthEntry): string {
  if (e.authRegistry !== undefined) return `the key and "auth" look swapped: the key must be the registry (e.g. ${e.authRegistry}) and "auth" base64(user:password)`;
  return 'the key holds a credential: write the registry there (e.g. quay.io, or docker.io for an image named without one), and the credential as "auth" (base64 of user:password)';
}

/**
 * A key with a character a terminal does not show as itself (a bidi override, a zero-width space,
 * a control character): no registry name holds one, and credkit's lines show it escaped (`\u202e`),
 * but another tool (cat, an editor) shows the key as another registry ("Trojan Source").
 */
function invisibleInKey(where: { file: string; key?: string }): Finding {
  return { severity: 'warning', code: 'invisible-in-key', ...where, message: 'the key holds invisible or control characters (shown escaped, as \\u202e or \\x1b): no registry name has them, so no client uses this entry for a pull, and other tools show the key as something else (a right-to-left override can make it read as another registry)', fix: 'retype the key as the registry host, or remove the entry' };
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

/** `input`: the name of the input read; `secret`: the pull secret `file` is the payload of, if any. */
function checkFile(file: AuthFile, out: Finding[], input: string, secret: PullSecret | undefined): void {
  const at = (e: AuthEntry) => ({ file: e.origin.file, key: e.origin.key });
  if (file.variant === 'line') {
    out.push({ severity: 'warning', code: 'dockercfg-line-form', file: file.source, message: 'the old "auth = …" line form; podman and kubelet read only the JSON forms', fix: `credkit convert ${file.source} --to docker` });
  }
  // Only routes a client takes: `{"credHelpers": {"https://quay.io": …}}` sends no one to a helper.
  const helpers = new Map<string, string>();
  for (const [key, helper] of file.credHelpers) if (isHelperRouteKey(key)) helpers.set(parseRegistryKey(key).canonical, helper);
  const byCanonical = new Map<string, AuthEntry>();
  for (const e of file.entries) {
    const k = keyOf(e);
    const where = at(e);
    // The auth field itself.
    if (e.authProblem === 'invalid-base64') out.push({ severity: 'error', code: 'auth-invalid-base64', ...where, message: '"auth" is not standard base64; docker, podman and kubelet all fail on it', fix: 'write "auth" as padded standard base64 of user:password' });
    else if (e.authProblem === 'unpadded' && file.format === 'secret') {
      // kubelet is a pull secret's reader, and it decodes unpadded base64 (decodeDockerConfigFieldAuth
      // takes RawStdEncoding without a trailing "="): only the payload reused as a config.json fails.
      out.push({ severity: 'warning', code: 'auth-unpadded', ...where, message: UNPADDED_IN_SECRET, fix: secret ? secretConvertFix(input, secret, 'writes padded base64') : 'write "auth" as padded standard base64 of user:password' });
    } else if (e.authProblem === 'unpadded') out.push({ severity: 'error', code: 'auth-unpadded', ...where, message: '"auth" lacks its "=" padding; kubelet reads it, podman fails the lookup, and docker cannot decode it: other entries of the file are then sent without their username and password at random, and emptied on docker\'s next save', fix: `credkit convert ${file.source} --to ${file.format === 'podman' ? 'podman' : 'docker'} (writes padded base64)` });
    else if (e.authProblem === 'no-colon') out.push({ severity: 'error', code: 'auth-no-colon', ...where, message: '"auth" has no ":" between username and password; every reader treats it as no credential', fix: 'encode user:password (the password may contain ":"; the username may not)' });
    if (e.authDisagrees) out.push({ severity: 'warning', code: 'auth-disagrees', ...where, message: '"auth" and "username"/"password" disagree; docker, podman and kubelet use "auth"', fix: 'remove the explicit username/password fields' });
    // A password with no username, as read from `auth` or the explicit fields.
    const noUsername = (e.username ?? '') === '' && (e.password ?? '') !== '';
    // kubelet decodes a pull secret's username and password as docker does (DockerConfigEntry):
    // only where podman reads the file does a credential outside "auth" go unsent.
    if (e.explicitOnly && file.format !== 'secret') {
      // convert --to docker leaves out an entry with no username rather than fold it into a broken `auth`.
      const fold = `credkit convert ${file.source} --to ${file.format === 'podman' ? 'podman' : 'docker'} (folds them into "auth")`;
      out.push({ severity: 'warning', code: 'no-auth-field', ...where, message: 'credential only in "username"/"password"; podman ignores such entries', fix: noUsername ? `put a username (any non-empty name for token registries), then ${fold}` : fold });
    }
    if ((e.username ?? '') !== '' && (e.password ?? '') === '' && e.identityToken === undefined && e.authProblem === undefined) {
      out.push({ severity: 'error', code: 'missing-password', ...where, message: 'a username without a password or identity token', fix: 'log in again, or remove the entry' });
    }
    // podman ignores explicit fields (no-auth-field says so): only its `auth` counts.
    if (noUsername && (file.format !== 'podman' || e.explicitOnly !== true)) {
      // docker loads explicit fields with no username, and only its next save breaks them.
      const later = file.format === 'docker' && e.explicitOnly === true;
      out.push({ severity: file.format === 'dockercfg' || later ? 'warning' : 'error', code: 'empty-username', ...where, message: later ? EMPTY_USERNAME_FIELDS : emptyUsernameMessage(file.format), fix: 'put a username (any non-empty name for token registries)' });
    }
    if (e.notObject !== undefined) {
      out.push({ severity: 'error', code: 'entry-not-object', ...where, message: `the entry is ${e.notObject}, not an object: docker reads it as empty but warns on every command, and on its next save empties every entry of the file; podman and kubelet refuse the whole file`, fix: `credkit convert ${file.source} --to docker (writes it as {}), or remove the entry` });
    } else if (isStub(e)) {
      const helper = helpers.get(k.canonical) ?? file.credsStore;
      if (helper !== undefined && file.format === 'secret') {
        // A config.json copied into a Secret as is (kubectl create secret generic --from-file=.dockerconfigjson=~/.docker/config.json):
        // kubelet runs no helper, so the Secret must be made again where the helper is.
        out.push({ severity: 'error', code: 'stub-in-helper', ...where, message: `empty entry: the secret is in credential helper "${helper}" on the machine the config.json came from, and kubelet runs no helper, so this pull secret authenticates nothing here`, fix: `make the Secret again on that machine, from the config.json with its helper: credkit convert ~/.docker/config.json --to secret --materialize --name NAME (kubectl create secret generic --from-file copies the file without the credentials)` });
      } else if (helper !== undefined) out.push({ severity: 'error', code: 'stub-in-helper', ...where, message: `empty entry: the secret is in credential helper "${helper}"; a pull secret made from this file authenticates nothing`, fix: `credkit convert ${file.source} --to secret --materialize` });
      else out.push({ severity: 'error', code: 'empty-entry', ...where, message: 'empty entry and no helper: no credential at all (podman: it also hides broader keys)', fix: 'remove the entry or log in again' });
    }
    if (e.registryToken !== undefined && e.authText === undefined && e.username === undefined && e.identityToken === undefined) {
      out.push({ severity: 'warning', code: 'registry-token-only', ...where, message: 'only a "registrytoken": docker sends it, podman and kubelet ignore it (no credential for them)', fix: 'log in with a username and password or token for podman and pull secrets' });
    }
    if (e.identityToken !== undefined) out.push({ severity: 'warning', code: 'identity-token', ...where, message: 'kubelet ignores identitytoken' + ((e.password ?? '') === '' ? ', and there is no password: this entry is useless in a pull secret' : ''), fix: 'use a username and password (or robot/access token as password) for pull secrets' });
    // The key.
    const held = credentialInKey(e.key);
    if (held !== undefined) {
      // Named by its stand-in (where.key): the finding is read, logged and pasted into tickets.
      out.push({ severity: 'error', code: 'credential-in-key', ...where, message: `the key holds ${held === 'user-password' ? 'a user:password (or an image with a tag, as nginx:latest, which has the same shape)' : 'what looks like a base64 user:password'} where the registry belongs: no client ever uses this entry, and every listing of the file would show the credential`, fix: credentialKeyFix(e) });
      continue;
    }
    if (holdsInvisible(e.key)) out.push(invisibleInKey(where));
    if (k.hub && k.path === '' && e.key !== DOCKER_HUB_KEY && e.key !== DOCKER_HUB_HOST) {
      out.push({ severity: 'warning', code: 'hub-key', ...where, message: `non-canonical Docker Hub key${e.key === 'registry-1.docker.io' ? ' (kubelet does not match it at all)' : ''}: docker never uses it (it looks Docker Hub up only as "${DOCKER_HUB_KEY}"); podman uses it only when the file has no "${DOCKER_HUB_HOST}" key (containers/image tries that exact key first, then any other spelling of Docker Hub, at random among several)`, fix: `rename the key to "${DOCKER_HUB_KEY}" (docker, kubelet) or "${DOCKER_HUB_HOST}" (podman)` });
    } else if (k.hub && k.path !== '' && k.scheme === undefined && !e.key.startsWith(`${DOCKER_HUB_HOST}/`)) {
      // containers/image compares a key without a scheme as written (normalizeAuthFileKey maps the
      // Hub aliases of a bare host only), so "index.docker.io/org" never meets the query "docker.io/org";
      // kubelet reads its host as another registry; docker cuts every key to its host. (A .dockercfg
      // key has no path here: every reader cuts it to its host.)
      const alias = e.key.slice(0, e.key.indexOf('/'));
      out.push({ severity: 'warning', code: 'hub-key', ...where, message: `Docker Hub key with a path spelt "${alias}": no client uses it (podman and kubelet match a key with a path for Docker Hub only as "${DOCKER_HUB_HOST}/…", and docker uses no key with a path for Docker Hub)`, fix: `rename the key to "${k.canonical}" (podman, kubelet; credkit convert writes it so)` });
    } else if (e.key === DOCKER_HUB_HOST && basename(file.source) === 'config.json') {
      out.push({ severity: 'warning', code: 'hub-key', ...where, message: `docker looks Docker Hub up as "${DOCKER_HUB_KEY}", never as "${DOCKER_HUB_HOST}"`, fix: `credkit convert ${file.source} --to docker` });
    } else if (k.hub && k.path !== '' && e.key.startsWith(`${DOCKER_HUB_HOST}/`) && basename(file.source) === 'config.json') {
      // docker's own file, with a key docker never sends (docker 28.2 pulls docker.io/org/app with
      // nothing for "docker.io/org"); podman and kubelet do use it, so it is no mistake for them.
      out.push({ severity: 'warning', code: 'hub-key', ...where, message: `Docker Hub key with a path: docker never uses it (it looks Docker Hub up only as "${DOCKER_HUB_KEY}", for all of Docker Hub); podman and kubelet use it for the images under ${k.canonical}`, fix: `keep it for podman and pull secrets; for docker, log in to Docker Hub (docker keeps one credential for all of it, as "${DOCKER_HUB_KEY}")` });
    } else if (k.host === '') {
      out.push({ severity: 'error', code: 'no-host', ...where, message: 'the key names no registry host; no client ever uses this entry', fix: 'remove the entry, or put the registry host in the key' });
    } else {
      const problem = podmanKeyProblem(e.key);
      if (problem) out.push({ severity: 'warning', code: 'key-form', ...where, message: `key ${problem.problem}`, fix: `use "${problem.use ?? k.canonical}"` });
    }
    const first = byCanonical.get(k.canonical);
    if (first === undefined) byCanonical.set(k.canonical, e);
    else if (sameCredential(first, e)) {
      out.push({ severity: 'warning', code: 'duplicate-key', ...where, message: `same registry scope as key "${shownKeyOf(first)}" (${k.canonical}), same credential`, fix: 'remove one of them' });
    } else {
      out.push({ severity: 'error', code: 'conflicting-key', ...where, message: `same registry scope as key "${shownKeyOf(first)}" (${k.canonical}) with a different credential; ${whoTakes(first.key, e.key, k, file.format)}`, fix: 'keep one of them' });
    }
  }
  // Shadowing: podman stops at the most specific existing key, even an empty or unreadable one.
  for (const e of file.entries) {
    if (!isStub(e) && e.authProblem === undefined) continue;
    if (credentialInKey(e.key) !== undefined) continue;
    const k = keyOf(e);
    if (k.scope === 'registry') continue;
    const broader = byCanonical.get(k.host);
    if (broader && !isStub(broader)) {
      out.push({ severity: 'warning', code: 'shadows', ...at(e), message: `podman stops at this unusable entry and never tries key "${broader.key}"`, fix: 'remove the entry or give it a credential' });
    }
  }
  // credHelpers routes no client ever takes: both look helpers up by registry host, by one spelling.
  const hubKey = file.format === 'podman' ? DOCKER_HUB_HOST : DOCKER_HUB_KEY;
  let index = 0;
  for (const key of file.credHelpers.keys()) {
    index++;
    const k = parseRegistryKey(key);
    const where = { file: file.source, key: `credHelpers[${shownKey(key, { index, member: 'credHelpers' })}]` };
    const held = credentialInServerURL(key);
    if (held !== undefined) {
      // docker asks the helper with the key as written when it gathers every credential (the
      // classic builder: GetAllCredentials), so the credential also goes to the helper.
      const what = 'what' in held ? held.what : 'a user name and password before the registry';
      const host = 'host' in held ? held.host : undefined;
      out.push({ severity: 'error', code: 'credential-in-key', ...where, message: `the credHelpers key holds ${what}: docker and podman never take this route for a pull, docker hands the key as written to the helper when it gathers every credential (the classic builder), and the file keeps the credential in the clear`, fix: host !== undefined && host !== '' ? `rename the key to "${host}" (the helper keeps the credential)` : 'write the registry as the key (e.g. quay.io); the helper keeps the credential' });
      continue;
    }
    if (holdsInvisible(key)) out.push(invisibleInKey(where));
    // "" (or null, read as ""): podman and skopeo run "docker-credential-" and fail every lookup of
    // the registry; docker reads it from the file instead. A helper of the wrong type has its own finding.
    if (file.credHelpers.get(key) === '' && !file.mistyped?.some((m) => m.member === 'credHelpers' && m.key === key)) {
      const podman = 'podman and skopeo fail every lookup of this registry (they run "docker-credential-") and never read its "auths" entry';
      if (file.format === 'podman') out.push({ severity: 'error', code: 'helper-empty', ...where, message: `the helper name is empty: ${podman}`, fix: 'name a helper there, or remove the entry' });
      else out.push({ severity: 'warning', code: 'helper-empty', ...where, message: `the helper name is empty: docker reads this registry from the file (not from credsStore), but ${podman} (they read a config.json too, after their own auth.json)`, fix: 'name a helper there, or remove the entry (with a credsStore, docker then asks that store)' });
    }
    if (k.path !== '') {
      out.push({ severity: 'warning', code: 'helper-key-scoped', ...where, message: 'docker and podman look credential helpers up by registry only; a route for a namespace or repository is never used', fix: `route the registry ("${k.hub ? hubKey : k.host}") instead` });
    } else if (k.hub && key !== hubKey) {
      // A config.json is read by podman too, which does take "docker.io" there.
      const podmanToo = file.format !== 'podman' && key === DOCKER_HUB_HOST ? ` (podman does take "${DOCKER_HUB_HOST}")` : '';
      const client = file.format === 'podman' ? 'podman' : 'docker';
      out.push({ severity: 'warning', code: 'helper-key-hub', ...where, message: `${client} looks Docker Hub up in credHelpers as "${hubKey}" only; it never takes this route${podmanToo}`, fix: `add the key "${hubKey}" for the same helper` });
    } else if (!isHelperRouteKey(key) && k.host !== '') {
      // A scheme or a trailing "/": docker and podman look the bare host up, as a map key.
      out.push({ severity: 'warning', code: 'helper-key-form', ...where, message: `docker and podman look credential helpers up by the bare registry name "${k.host}" only; they never take this route`, fix: `rename the key to "${k.host}"` });
    }
  }
  for (const m of file.mistyped ?? []) out.push(mistypedFinding(file.source, m, mistypedKeyShown(file, m)));
  if (file.credsStore !== undefined) {
    out.push({ severity: 'warning', code: 'creds-store', file: file.source, key: 'credsStore', message: `credsStore "${file.credsStore}" is set: docker reads every entry from that helper, podman and kubelet ignore it`, fix: 'materialise the file (credkit convert --materialize) before copying it elsewhere' });
  }
}
