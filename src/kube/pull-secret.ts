/**
 * Kubernetes pull secrets: Secrets of type `kubernetes.io/dockerconfigjson` (`.dockerconfigjson`,
 * a config.json payload) and `kubernetes.io/dockercfg` (`.dockercfg`, a legacy map payload), read
 * from YAML or JSON (one document, several `---` documents, or a `kind: List`) and written the
 * way kubectl writes them. Pure: text in, text out.
 */
import { createRequire } from 'node:module';

// `yaml` is only needed for Secret manifests, and loading it costs every credkit run ~20-30 ms
// otherwise (migrate, convert between JSON formats…); it is required on first use instead.
type Yaml = typeof import('yaml');
let yamlModule: Yaml | undefined;
function yaml(): Yaml {
  yamlModule ??= createRequire(import.meta.url)('yaml') as Yaml;
  return yamlModule;
}
import { ParseError, messageOf } from '../errors.js';
import { parseKubeletKey } from '../registry.js';
import { encodeConfigJSONCompact, parseConfigJSON } from '../auth-file/docker-config.js';
import { parseDockercfgJSON, serializeDockercfgKube } from '../auth-file/dockercfg.js';
import { MAX_NESTING, TOO_DEEP, isJSONObject, nestsTooDeep, parseJSONText, setOwn } from '../auth-file/json-text.js';
import { asGoReadsConfig } from '../auth-file/raw-config.js';
import { decodeUTF8AsGo } from '../go-utf8.js';
import type { AuthFile } from '../auth-file/model.js';
import type { IgnoredField } from '../auth-file/entry.js';

// The API server's own patterns (k8s.io/apimachinery validation IsDNS1123Subdomain / IsDNS1123Label).
const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL}$`);

/**
 * Why the API server would refuse `name` as a Secret's name (it must be a DNS-1123 subdomain), or
 * undefined when it is accepted.
 */
export function secretNameProblem(name: string): string | undefined {
  if (name.length <= 253 && DNS1123_SUBDOMAIN_RE.test(name)) return undefined;
  return 'a Secret name must be a DNS-1123 subdomain: 1 to 253 characters, lowercase letters, digits, "-" and ".", starting and ending with a letter or digit (each "."-separated part too)';
}

/** Why the API server would refuse `namespace` (it must be a DNS-1123 label), or undefined. */
export function namespaceProblem(namespace: string): string | undefined {
  if (namespace.length <= 63 && DNS1123_LABEL_RE.test(namespace)) return undefined;
  return 'a namespace must be a DNS-1123 label: 1 to 63 characters, lowercase letters, digits and "-", starting and ending with a letter or digit';
}

/** The two pull-secret types, by their short names. */
export type PullSecretType = 'dockerconfigjson' | 'dockercfg';

const TYPE_NAME: Readonly<Record<PullSecretType, string>> = {
  dockerconfigjson: 'kubernetes.io/dockerconfigjson',
  dockercfg: 'kubernetes.io/dockercfg',
};
const DATA_KEY: Readonly<Record<PullSecretType, string>> = {
  dockerconfigjson: '.dockerconfigjson',
  dockercfg: '.dockercfg',
};

/** How several secrets were (or are to be) laid out in one text. */
export type SecretContainer = 'single' | 'documents' | 'list';

/** One pull secret: its metadata and its payload as an auth file. */
export interface PullSecret {
  name?: string;
  namespace?: string;
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
  type: PullSecretType;
  /**
   * `immutable: true`: the API server refuses any change to its data, and to `immutable` itself,
   * so it is kept (a Secret written without it could not replace this one either).
   */
  immutable?: boolean;
  file: AuthFile;
  /** Fields kubelet ignores that held no string (`"identitytoken": 5`): left out of `file`. */
  ignoredFields?: IgnoredField[];
  /**
   * The size in bytes of all the Secret's data as read, every key and not only the payload's
   * (what the API server counts against its limit).
   */
  dataBytes?: number;
}

/**
 * A Secret of another type beside the pull secrets (an Opaque or service-account Secret in the
 * output of `kubectl get secrets`): kubelet ignores such a Secret in imagePullSecrets, and credkit
 * reads past it, with a note.
 */
export interface SkippedSecret {
  /** `SOURCE#name`, as errors name a Secret. */
  label: string;
  name?: string;
  /** Its type as written, or `Opaque` (the API server's default) when it has none. */
  type: string;
  /**
   * Set when it holds a pull secret's data key (`kubectl create secret generic` without
   * `--type`): the `secret-data-key` mistake, as the Secret's error says it when it is read alone,
   * for every command that reads past it to say the same.
   */
  dataKeyMistake?: { message: string; fix: string };
}

/**
 * A manifest of several Secrets, none a pull secret: the error names them all, and carries them
 * for `credkit check` to report each as it would beside a pull secret (a pull secret's data key in
 * a Secret of another type is the `secret-data-key` mistake, with its fix).
 */
export class NoPullSecretError extends ParseError {
  /** Every Secret read past, in order. */
  readonly skipped: readonly SkippedSecret[];
  constructor(message: string, file: string, skipped: readonly SkippedSecret[]) {
    super(message, { file });
    this.skipped = skipped;
  }
}

/**
 * What convert, ls and explain say of a Secret they read past: the mistake, with its fix, when it
 * holds a pull secret's data key, else that it is no pull secret.
 */
export function skippedSecretReason(s: SkippedSecret): string {
  if (s.dataKeyMistake === undefined) return `not a pull secret (type ${s.type}); skipped, as kubelet ignores it in imagePullSecrets`;
  return `${s.dataKeyMistake.message}: skipped (fix: ${s.dataKeyMistake.fix})`;
}

/** Every pull secret in a text, and how they were laid out. */
export interface PullSecretSet {
  secrets: PullSecret[];
  /** The Secrets of other types, which were left out. */
  skipped: SkippedSecret[];
  container: SecretContainer;
  /** `json` when the text was a JSON document, else `yaml`. */
  syntax: 'json' | 'yaml';
}

/** True when a parsed document is a Kubernetes object (Secret or List). */
export function looksLikeKubeObject(value: unknown): boolean {
  return isJSONObject(value) && typeof value.kind === 'string' && ('apiVersion' in value || 'items' in value || 'data' in value || 'stringData' in value);
}

// Strict standard base64 as the API server's decoder accepts it, compiled once.
const STD_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Text without CR and LF when Go's base64.StdEncoding decodes it (the API server reading []byte
 * from JSON, go-yaml reading a `!!binary` scalar), else undefined.
 */
function goStdBase64(value: string): string | undefined {
  // Go's base64 decoder skips CR and LF, nothing else.
  const text = value.includes('\n') || value.includes('\r') ? value.replace(/[\r\n]/g, '') : value;
  return STD_BASE64.test(text) && text.length % 4 === 0 ? text : undefined;
}

/**
 * Why a `!!binary` data value is refused: go-yaml decodes the tag already, so kubectl sends the
 * decoded bytes, which the API server then fails to decode as base64 in turn.
 */
const BINARY_DATA = 'the value is tagged !!binary, so kubectl sends its decoded bytes, which are not base64, and the API server refuses the Secret (remove the !!binary tag)';

/**
 * True when a value is base64 but for the spaces left where its lines were broken: `base64`
 * without `-w0` pasted as a plain YAML scalar over several lines, which YAML joins with spaces.
 * Go's decoder skips only CR and LF, so the API server refuses it.
 */
function foldedBase64(value: string): boolean {
  return value.includes(' ') && goStdBase64(value.replace(/ /g, '')) !== undefined;
}

const FOLDED = ': it holds spaces where its lines were broken (a plain YAML value over several lines is joined with spaces, which the API server\'s base64 decoder refuses); write it on one line (base64 -w0) or as a "|" block';

/** A data value without CR and LF, or an error where the API server refuses it as base64. */
function base64Of(value: string, where: { file: string; key: string }, binary = false): string {
  const text = goStdBase64(value);
  if (text === undefined) throw new ParseError(binary ? BINARY_DATA : `value is not valid padded base64${foldedBase64(value) ? FOLDED : ''}`, where);
  return text;
}

function decodeData(value: unknown, where: { file: string; key: string }, binary: boolean): string {
  if (typeof value !== 'string') throw new ParseError('value must be a base64 string', where);
  return Buffer.from(base64Of(value, where, binary), 'base64').toString('utf8');
}

/**
 * Throws for a value of `data` or `stringData`, under any key and not only the payload's, that
 * the API server cannot decode into the Secret's map[string][]byte or map[string]string and so
 * refuses the Secret over ("cannot unmarshal bool into Go struct field Secret.stringData of type
 * string"): one that is no string (null, read as empty, is one), including an unquoted `yes` or
 * `on` that only go-yaml reads as a bool, and a data value that is not base64.
 */
function checkDataValues(obj: Record<string, unknown>, label: string, checked: string | undefined): void {
  for (const field of ['data', 'stringData'] as const) {
    const map = obj[field];
    if (!isJSONObject(map)) continue;
    for (const key in map) {
      const v = map[key];
      if (v === null) continue;
      const where = { file: label, key: `${field}[${key}]` };
      if (typeof v !== 'string') throw new ParseError(`the value is ${kindOf(v)}, not a string (quote it); kubectl refuses the Secret`, where);
      if (goYAMLNonStrings.get(map)?.has(key)) throw new ParseError(`the value is ${goYAMLKindOf(v)}, not a string (quote it); kubectl refuses the Secret`, where);
      // The payload, when read from data, was checked as it was decoded: a second pass over a
      // megabyte of base64 cost a seventh of reading a big Secret.
      if (field === 'data' && key !== checked) base64Of(v, where, goYAMLBinaries.get(map)?.has(key));
    }
  }
}

/** The decoded size of a base64 data value (CR and LF skipped, as by Go), without decoding it. */
function decodedLength(value: string): number {
  let n = value.length;
  for (let i = value.indexOf('\n'); i >= 0; i = value.indexOf('\n', i + 1)) n--;
  for (let i = value.indexOf('\r'); i >= 0; i = value.indexOf('\r', i + 1)) n--;
  const trimmed = value.trimEnd();
  const padding = trimmed.endsWith('==') ? 2 : trimmed.endsWith('=') ? 1 : 0;
  return Math.floor(((n - padding) * 3) / 4);
}

/**
 * The bytes the API server counts against {@link MAX_SECRET_DATA_BYTES}: every value of `data`
 * once decoded, with `stringData` laid over it (a key in both counts once, as the string),
 * as its validation sums `len(value)` over the merged data (pkg/registry/core/secret).
 */
function totalDataBytes(obj: Record<string, unknown>): number {
  const stringData = isJSONObject(obj.stringData) ? obj.stringData : {};
  let total = 0;
  for (const key in stringData) {
    const v = stringData[key];
    if (typeof v === 'string') total += Buffer.byteLength(v, 'utf8');
  }
  if (isJSONObject(obj.data)) {
    for (const key in obj.data) {
      const v = obj.data[key];
      if (typeof v === 'string' && !Object.hasOwn(stringData, key)) total += decodedLength(v);
    }
  }
  return total;
}

/**
 * kubectl apply's record of the object as last applied: for a Secret, its whole old data (old
 * credentials) in plain JSON. Never carried into a new Secret; `kubectl apply` writes it anew.
 */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The pull-secret type of a Secret, or why it is none (an error naming the Secret). */
function secretType(obj: Record<string, unknown>, label: string): PullSecretType | ParseError {
  if (obj.kind !== 'Secret') return new ParseError(`expected kind Secret, found ${JSON.stringify(obj.kind)}`, { file: label, key: 'kind' });
  if (obj.type === TYPE_NAME.dockerconfigjson) return 'dockerconfigjson';
  if (obj.type === TYPE_NAME.dockercfg) return 'dockercfg';
  // kubectl create secret generic without --type writes none, which the API server makes Opaque.
  const found = typeof obj.type === 'string' && obj.type !== '' ? `Secret type is ${obj.type}` : 'the Secret has no type (so Opaque)';
  const expected = `${found}; expected ${TYPE_NAME.dockerconfigjson} or ${TYPE_NAME.dockercfg}`;
  // A pull secret's key in a Secret of another type: kubectl create secret generic without --type
  // (an Opaque Secret), which kubelet ignores in imagePullSecrets (it reads a type's own key only).
  const held = (['dockerconfigjson', 'dockercfg'] as const).find((t) => [obj.data, obj.stringData].some((m) => isJSONObject(m) && m[DATA_KEY[t]] !== undefined));
  if (held === undefined) return new ParseError(expected, { file: label, key: 'type' });
  return new ParseError(`${expected}: it has a ${DATA_KEY[held]} key, but kubelet ignores a Secret of this type in imagePullSecrets`, {
    file: label,
    key: 'type',
    finding: { code: 'secret-data-key', fix: `set type: ${TYPE_NAME[held]} (kubectl create secret generic NAME --from-file=${DATA_KEY[held]}=FILE --type=${TYPE_NAME[held]})` },
  });
}

/** What the objects of one text gave so far. */
interface Collected {
  secrets: PullSecret[];
  skipped: SkippedSecret[];
  /** Why each skipped Secret is not a pull secret, the error when it is the only object. */
  refusals: ParseError[];
  /** Objects seen (Secrets of any type), for `document N` labels. */
  objects: number;
}

function readObject(obj: Record<string, unknown>, source: string, into: Collected): void {
  const index = into.objects++;
  const meta = isJSONObject(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : undefined;
  const label = `${source}#${name ?? `document ${index + 1}`}`;
  const type = secretType(obj, label);
  if (type instanceof ParseError) {
    // Another kind of object is no Secret kubelet could be given: still an error.
    if (obj.kind !== 'Secret') throw type;
    const skipped: SkippedSecret = { label, type: typeof obj.type === 'string' && obj.type !== '' ? obj.type : 'Opaque' };
    if (name !== undefined) skipped.name = name;
    if (type.finding?.code === 'secret-data-key') skipped.dataKeyMistake = { message: type.detail, fix: type.finding.fix };
    into.skipped.push(skipped);
    into.refusals.push(type);
    return;
  }
  into.secrets.push(readSecret(obj, meta, name, label, type));
}

function readSecret(obj: Record<string, unknown>, meta: Record<string, unknown>, name: string | undefined, label: string, type: PullSecretType): PullSecret {
  // Secrets are served in the core group's one version: kubectl refuses any other ("no matches
  // for kind "Secret" in version …") and an object without one ("Object 'apiVersion' is missing").
  if (obj.apiVersion !== 'v1') {
    const v = obj.apiVersion;
    const found = v === undefined ? 'missing' : typeof v === 'string' && v.length <= 64 ? JSON.stringify(v) : `not a version (${typeof v})`;
    throw new ParseError(`apiVersion is ${found}; a Secret is apiVersion v1, and kubectl refuses it otherwise`, { file: label, key: 'apiVersion' });
  }
  // The API server's Secret holds data and stringData as maps: kubectl fails to decode anything
  // else into it ("cannot unmarshal array into Go struct field Secret.data"), null being no map.
  for (const field of ['data', 'stringData'] as const) {
    const v = obj[field];
    if (v !== undefined && v !== null && !isJSONObject(v)) {
      throw new ParseError(`"${field}" is ${Array.isArray(v) ? 'a list (a YAML !!omap or !!pairs is one to kubectl)' : `a ${typeof v}`}, not a map; kubectl refuses the Secret`, { file: label, key: field });
    }
  }
  checkMetadata(obj.metadata, label);
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : undefined;
  const dataKey = DATA_KEY[type];
  let payload: string;
  let decoded: string | undefined;
  // The API server lays stringData over data, so stringData wins.
  if (isJSONObject(obj.stringData) && obj.stringData[dataKey] !== undefined) {
    const v = obj.stringData[dataKey];
    if (typeof v !== 'string') throw new ParseError('value must be a string', { file: label, key: `stringData[${dataKey}]` });
    payload = v;
  } else if (isJSONObject(obj.data) && obj.data[dataKey] !== undefined) {
    payload = decodeData(obj.data[dataKey], { file: label, key: `data[${dataKey}]` }, goYAMLBinaries.get(obj.data)?.has(dataKey) === true);
    decoded = dataKey;
  } else {
    throw missingDataKey(obj, type, label);
  }
  checkDataValues(obj, label, decoded);
  const parsed = parseJSONText(payload);
  if (!parsed.ok) throw new ParseError(`payload is not valid JSON (${parsed.message})`, { file: label, key: dataKey });
  if (!isJSONObject(parsed.value)) throw new ParseError('payload is not a JSON object', { file: label, key: dataKey });
  let file: AuthFile;
  const ignored: IgnoredField[] = [];
  if (type === 'dockerconfigjson') {
    // kubelet decodes the payload with Go's encoding/json too: `Auths` is `auths`.
    const doc = asGoReadsConfig(parsed.value, payload);
    if (!('auths' in doc)) {
      throw new ParseError(`payload has no "auths"; kubelet would find no credentials (is it .dockercfg content? then the type should be ${TYPE_NAME.dockercfg})`, { file: label, key: dataKey });
    }
    file = parseConfigJSON(doc, label, 'docker', ignored);
  } else {
    if ('auths' in parsed.value) {
      throw new ParseError(`payload is a config.json document ({"auths": …}); kubelet would read "auths" as a registry (the type should be ${TYPE_NAME.dockerconfigjson})`, { file: label, key: dataKey });
    }
    file = parseDockercfgJSON(parsed.value, label, { kubelet: ignored });
  }
  file.format = 'secret';
  // kubelet keeps the path of a scheme key (`https://quay.io/org/app`), which docker and podman
  // drop: the entry is read with the scope kubelet gives it, so that a conversion neither widens
  // it to the whole registry nor reports it as a duplicate of the registry's own key.
  for (const e of file.entries) if (e.key.includes('://')) e.parsedKey = parseKubeletKey(e.key);
  const secret: PullSecret = { type, file, dataBytes: totalDataBytes(obj) };
  if (ignored.length > 0) secret.ignoredFields = ignored;
  if (name !== undefined) secret.name = name;
  if (namespace !== undefined) secret.namespace = namespace;
  if (obj.immutable === true) secret.immutable = true;
  for (const field of ['labels', 'annotations'] as const) {
    if (nestsTooDeep(meta[field])) throw new ParseError(TOO_DEEP, { file: label, key: `metadata.${field}` });
  }
  if (isJSONObject(meta.labels)) secret.labels = meta.labels;
  if (isJSONObject(meta.annotations)) {
    const { [LAST_APPLIED]: _lastApplied, ...annotations } = meta.annotations;
    if (Object.keys(annotations).length > 0) secret.annotations = annotations;
  }
  return secret;
}

/**
 * The error for a pull secret without its type's data key, which the API server refuses
 * ("Required value") and kubelet would read nothing from (it reads only the type's own key), saying
 * what the Secret holds instead: the other type's key (type and key disagree), or one key named for
 * a file, as `kubectl create secret generic --from-file=config.json` names it (kubernetes/kubectl#1439).
 */
function missingDataKey(obj: Record<string, unknown>, type: PullSecretType, label: string): ParseError {
  const dataKey = DATA_KEY[type];
  const keys = new Set<string>();
  for (const field of ['data', 'stringData'] as const) {
    const map = obj[field];
    if (isJSONObject(map)) for (const k in map) keys.add(k);
  }
  const where = { file: label, key: `data[${dataKey}]` };
  const missing = `missing data key ${dataKey} (required by type ${TYPE_NAME[type]})`;
  const other: PullSecretType = type === 'dockerconfigjson' ? 'dockercfg' : 'dockerconfigjson';
  if (keys.has(DATA_KEY[other])) {
    return new ParseError(`${missing}: it has ${DATA_KEY[other]}, the key of type ${TYPE_NAME[other]}; the API server refuses the Secret, and kubelet reads a pull secret only where type and key agree`, {
      ...where,
      finding: { code: 'secret-data-key', fix: `make type and data key agree: type ${TYPE_NAME[other]} for a ${DATA_KEY[other]} key, or rename the key to ${dataKey}` },
    });
  }
  if (keys.size === 1) {
    const [only] = keys as Set<string> & [string];
    const named = JSON.stringify(only);
    return new ParseError(`${missing}: its one data key is ${named}, as kubectl create secret generic --from-file=${only} names it after the file; the API server refuses the Secret, and kubelet reads no credential from it`, {
      ...where,
      finding: { code: 'secret-data-key', fix: `name the key: kubectl create secret generic NAME --from-file=${dataKey}=${only} --type=${TYPE_NAME[type]}, or credkit convert ${only} --to secret${type === 'dockercfg' ? ' --secret-type dockercfg' : ''}` },
    });
  }
  const found = keys.size === 0 ? 'it has no data' : `its data keys are ${[...keys].map((k) => JSON.stringify(k)).join(', ')}`;
  return new ParseError(`${missing}: ${found}; the API server refuses the Secret`, where);
}

/** "a list", "a number"…: a JSON value as YAML users know it. */
function kindOf(v: unknown): string {
  return Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a map' : `a ${typeof v}`;
}

/** "a boolean", "a number": what kubectl's YAML reader makes of a plain scalar YAML 1.2 reads as a string. */
function goYAMLKindOf(text: string): string {
  return `${GO_YAML_WORDS.has(text) ? 'a boolean' : 'a number'} to kubectl (its YAML reader follows YAML 1.1 there)`;
}

/**
 * Throws for the metadata kubectl cannot decode into ObjectMeta ("cannot unmarshal array into Go
 * struct field ObjectMeta.metadata.labels of type map[string]string"), which credkit would
 * otherwise drop or write back as read: metadata, labels or annotations that are no map, a name
 * or namespace that is no string, a label or annotation value that is no string (`null`, which Go
 * reads as "", is one), including an unquoted one that only go-yaml reads as a bool or number
 * (`yes`, `on`, `0b1`: "cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels").
 * Such a value in `data` or `stringData` is refused by checkDataValues.
 */
function checkMetadata(meta: unknown, label: string): void {
  if (meta === undefined || meta === null) return;
  if (!isJSONObject(meta)) throw new ParseError(`metadata is ${kindOf(meta)}, not a map; kubectl refuses the Secret`, { file: label, key: 'metadata' });
  for (const field of ['name', 'namespace'] as const) {
    const v = meta[field];
    if (v !== undefined && v !== null && typeof v !== 'string') throw new ParseError(`metadata.${field} is ${kindOf(v)}, not a string (quote it); kubectl refuses the Secret`, { file: label, key: `metadata.${field}` });
    if (typeof v === 'string' && goYAMLNonStrings.get(meta)?.has(field)) throw new ParseError(`metadata.${field} is ${goYAMLKindOf(v)}, not a string (quote it); kubectl refuses the Secret`, { file: label, key: `metadata.${field}` });
  }
  for (const field of ['labels', 'annotations'] as const) {
    const v = meta[field];
    if (v === undefined || v === null) continue;
    if (nestsTooDeep(v)) throw new ParseError(TOO_DEEP, { file: label, key: `metadata.${field}` });
    if (!isJSONObject(v)) throw new ParseError(`metadata.${field} is ${kindOf(v)}, not a map; kubectl refuses the Secret`, { file: label, key: `metadata.${field}` });
    for (const key in v) {
      const value = v[key];
      if (value !== null && typeof value !== 'string') throw new ParseError(`the value is ${kindOf(value)}, not a string (quote it); kubectl refuses the Secret`, { file: label, key: `metadata.${field}[${key}]` });
      if (typeof value === 'string' && goYAMLNonStrings.get(v)?.has(key)) throw new ParseError(`the value is ${goYAMLKindOf(value)}, not a string (quote it); kubectl refuses the Secret`, { file: label, key: `metadata.${field}[${key}]` });
    }
  }
}

function collect(value: unknown, source: string, into: Collected): boolean {
  if (value === null || value === undefined) return false;
  if (!isJSONObject(value)) throw new ParseError('expected a Kubernetes object', { file: source });
  if (value.kind === 'List' || (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items))) {
    if (!Array.isArray(value.items)) throw new ParseError('a List needs "items"', { file: source, key: 'items' });
    for (const [i, item] of value.items.entries()) {
      if (!isJSONObject(item)) throw new ParseError('List item is not an object', { file: source, key: `items[${i}]` });
      readObject(item, source, into);
    }
    return true;
  }
  readObject(value, source, into);
  return false;
}

function emptyCollected(): Collected {
  return { secrets: [], skipped: [], refusals: [], objects: 0 };
}

/**
 * The pull secrets collected, or an error when there is none: the one Secret's own error when it
 * was the only one, else one naming every Secret passed over.
 */
function pullSecretsOf(into: Collected, source: string): Pick<PullSecretSet, 'secrets' | 'skipped'> {
  if (into.secrets.length > 0) return { secrets: into.secrets, skipped: into.skipped };
  if (into.refusals.length === 1) throw into.refusals[0] as ParseError;
  if (into.skipped.length > 1) {
    const names = into.skipped.map((s) => `${s.name ?? '(no name)'} (${s.type}${s.dataKeyMistake !== undefined ? ', though it has a pull secret\'s data key: set its type' : ''})`).join(', ');
    throw new NoPullSecretError(`no pull secret (type ${TYPE_NAME.dockerconfigjson} or ${TYPE_NAME.dockercfg}) among ${into.skipped.length} Secrets: ${names}`, source, into.skipped);
  }
  throw new ParseError('no Secret found', { file: source });
}

/**
 * Where the first map or list used as a mapping key is (directly or through an alias), or
 * undefined: go-yaml, with which kubectl reads YAML, refuses such a key ("invalid map key"),
 * where the library would turn it into a string.
 */
function collectionKeyOffset(doc: import('yaml').Document): number | undefined {
  const y = yaml();
  let at: number | undefined;
  y.visit(doc, {
    Pair(_key, pair) {
      const key = y.isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
      if (!y.isCollection(key)) return undefined;
      at = (y.isNode(pair.key) ? pair.key.range?.[0] : undefined) ?? 0;
      return y.visit.BREAK;
    },
  });
  return at;
}

/**
 * A plain map value that YAML 1.2 reads as a string and go-yaml, with which kubectl reads YAML,
 * as a bool or number (`yes`, `on`, `0b1`): carried through toJS (aliases and merges included)
 * so that asGoYAMLReads can note where it landed, and turned back into its text there.
 */
class GoYAMLNonString {
  constructor(readonly text: string) {}
}

/** The keys of each map whose value was a {@link GoYAMLNonString} (see checkMetadata). */
const goYAMLNonStrings = new WeakMap<object, Set<string>>();

/**
 * A `!!binary` map value, as go-yaml v2 gives it to kubectl: the string of its decoded bytes
 * (where the library makes a Uint8Array, no string to credkit), invalid UTF-8 as U+FFFD per
 * byte as sigs.k8s.io/yaml's json.Marshal writes it. Carried through toJS as GoYAMLNonString is.
 */
class GoYAMLBinary {
  constructor(readonly text: string) {}
}

/** The keys of each map whose value was a {@link GoYAMLBinary} (see checkDataValues). */
const goYAMLBinaries = new WeakMap<object, Set<string>>();

const BINARY_TAG = 'tag:yaml.org,2002:binary';

/**
 * Marks the plain, untagged map values go-yaml reads as no string (see GoYAMLNonString), and
 * turns each plain, untagged key into the string kubectl makes of it (see goYAMLKeyOf): a label
 * key `on` is "true" to it; reads each `!!binary` scalar as go-yaml does (see GoYAMLBinary).
 * Returns where the first key or value kubectl refuses is, and why.
 */
function markGoYAMLNonStrings(doc: import('yaml').Document): { at: number; why: string } | undefined {
  const y = yaml();
  let refused: { at: number; why: string } | undefined;
  y.visit(doc, {
    Pair(_key, pair) {
      const k = pair.key;
      // In place, so that an alias of the key reads the same.
      if (y.isScalar(k) && k.type === 'PLAIN' && k.tag === undefined && typeof k.source === 'string') {
        const read = goYAMLKeyOf(k.source);
        if (typeof read === 'string') k.value = read;
        // A string to go-yaml that YAML 1.2 reads as something else (`1e400`, Infinity to it).
        else if (read === undefined) k.value = k.source;
        else {
          refused = { at: k.range?.[0] ?? 0, why: read.refused };
          return y.visit.BREAK;
        }
      }
      const v = pair.value;
      // Quoted or tagged (`!!str yes`), go-yaml reads a string as well.
      if (y.isScalar(v) && v.type === 'PLAIN' && v.tag === undefined && typeof v.value === 'string' && goYAMLReadsAsNonString(v.value)) {
        v.value = new GoYAMLNonString(v.value);
      }
      return undefined;
    },
    Scalar(key, node) {
      if (node.tag !== BINARY_TAG) return undefined;
      // go-yaml decodes a !!binary scalar strictly, and fails the whole document otherwise; the
      // library decodes it leniently.
      const base64 = typeof node.source === 'string' ? goStdBase64(node.source) : undefined;
      if (base64 === undefined) {
        refused = { at: node.range?.[0] ?? 0, why: 'a !!binary value that is not valid padded base64, which kubectl refuses' };
        return y.visit.BREAK;
      }
      const text = decodeUTF8AsGo(Buffer.from(base64, 'base64'));
      // A key is a string like any other to kubectl.
      node.value = key === 'key' ? text : new GoYAMLBinary(text);
      return undefined;
    },
  });
  return refused;
}

/**
 * A value as go-yaml gives it to kubectl: the library makes a JS Map of an `!!omap` and a Set
 * of a `!!set`, which go-yaml reads as the collections they are written as: a list of one-key
 * maps, and a map whose values are null.
 */
function asGoYAMLReads(value: unknown): unknown {
  if (value instanceof GoYAMLNonString || value instanceof GoYAMLBinary) return value.text;
  if (value instanceof Map) return [...value].map(([k, v]) => ({ [String(k)]: asGoYAMLReads(v) }));
  if (value instanceof Set) return Object.fromEntries([...value].map((k) => [String(k), null]));
  // In place, and only where something changes (setOwn: a key "__proto__" is a key like any other).
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = asGoYAMLReads(value[i]);
  } else if (isJSONObject(value)) {
    for (const k in value) {
      const v = value[k];
      const read = asGoYAMLReads(v);
      if (read !== v) setOwn(value, k, read);
      if (v instanceof GoYAMLNonString || v instanceof GoYAMLBinary) {
        const marks = v instanceof GoYAMLNonString ? goYAMLNonStrings : goYAMLBinaries;
        marks.set(value, (marks.get(value) ?? new Set<string>()).add(k));
      }
    }
  }
  return value;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * Reads pull secrets from parsed JSON: one document, or the objects of a JSON stream (`{…}{…}`),
 * which kubectl reads one after another as it reads `---` documents.
 */
export function pullSecretsFromJSON(values: readonly unknown[], source: string): PullSecretSet {
  const into = emptyCollected();
  let list = false;
  for (const value of values) if (collect(value, source, into)) list = true;
  return { ...pullSecretsOf(into, source), container: list ? 'list' : values.length > 1 ? 'documents' : 'single', syntax: 'json' };
}

/**
 * The collection of `tokens` (yaml's syntax tree, which its Parser builds without recursion) that
 * is nested more than {@link MAX_NESTING} levels deep, if any. Walked with its own stack.
 */
function tooDeepCollection(tokens: readonly unknown[]): { offset: number } | undefined {
  const stack: [unknown, number][] = tokens.map((t) => [t, 0]);
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [token, depth] = top;
    const t = token as { type?: unknown; offset?: unknown; value?: unknown; items?: { key?: unknown; value?: unknown }[] } | null | undefined;
    if (t === null || typeof t !== 'object') continue;
    if (t.type === 'document') stack.push([t.value, depth]);
    if (t.type !== 'block-map' && t.type !== 'block-seq' && t.type !== 'flow-collection') continue;
    if (depth + 1 > MAX_NESTING) return { offset: typeof t.offset === 'number' ? t.offset : 0 };
    for (const item of t.items ?? []) stack.push([item.key, depth + 1], [item.value, depth + 1]);
  }
  return undefined;
}

/**
 * yaml's parseAllDocuments, refusing (ParseError) text nested more than {@link MAX_NESTING} levels
 * before it is composed: yaml composes collections by recursion, and a deep one (`- - - … x`, a
 * few kilobytes) overflows the stack, which it reports as RESOURCE_EXHAUSTION; but where the
 * overflow hit V8 compiling a regular expression, the next parse in the process (of that text or
 * another deep one) aborted the whole process (out of memory in RegExpCompiler, node 20), taking
 * a migrate run over a tree of files with it.
 */
function parseYAMLDocuments(text: string, source: string, options: import('yaml').ParseOptions & import('yaml').DocumentOptions & import('yaml').SchemaOptions): import('yaml').Document[] {
  const { Composer, Parser } = yaml();
  const tokens = [...new Parser().parse(text)];
  const deep = tooDeepCollection(tokens);
  if (deep !== undefined) throw new ParseError(`invalid YAML at line ${lineAt(text, deep.offset)}: ${TOO_DEEP}`, { file: source });
  return [...new Composer(options).compose(tokens)];
}

/**
 * The first non-empty document of well-formed YAML text as data, else undefined: for saying what
 * a file is after {@link parsePullSecrets} refused it, never for reading credentials.
 */
export function firstYAMLDocument(text: string): unknown {
  let all: import('yaml').Document[];
  try {
    all = parseYAMLDocuments(text, '', { logLevel: 'silent', merge: true });
  } catch {
    return undefined; // too deep: nothing to say what it is by
  }
  // Broken YAML is said to be so, whatever its first document looks like.
  if (all.some((doc) => doc.errors.length > 0)) return undefined;
  for (const doc of all) {
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch {
      return undefined;
    }
    if (value !== null && value !== undefined) return value;
  }
  return undefined;
}

/** Reads pull secrets from YAML or JSON text. Errors name the file, the secret and the key. */
export function parsePullSecrets(text: string, source: string, parsedJSON?: unknown): PullSecretSet {
  if (parsedJSON !== undefined) return pullSecretsFromJSON([parsedJSON], source);
  const into = emptyCollected();
  // logLevel 'error': the library's warnings go to process.emitWarning (stderr) quoting the input.
  // merge: kubectl's YAML reader (go-yaml) applies `<<` merge keys; YAML 1.2 alone would keep `<<`
  // as a key and miss whatever it merges in (a shared `type:` or `data:`).
  const all = parseYAMLDocuments(text, source, { logLevel: 'error', merge: true });
  let list = false;
  let count = 0;
  for (const [i, doc] of all.entries()) {
    const err = doc.errors[0];
    if (err) {
      // The library's message quotes the offending line, which may hold a secret: give the position only.
      const offset = err.pos[0];
      const line = err.linePos?.[0]?.line ?? (offset >= 0 ? lineAt(text, offset) : undefined);
      throw new ParseError(`invalid YAML in document ${i + 1}${line !== undefined ? ` at line ${line}` : ''} (${err.code})`, { file: source });
    }
    const keyAt = collectionKeyOffset(doc);
    // The line only: go-yaml's own message quotes the key, which may hold a secret.
    if (keyAt !== undefined) throw new ParseError(`invalid YAML in document ${i + 1} at line ${lineAt(text, keyAt)}: a map or list used as a key, which kubectl refuses (invalid map key)`, { file: source });
    const refusedKey = markGoYAMLNonStrings(doc);
    // The line only, as above.
    if (refusedKey !== undefined) throw new ParseError(`invalid YAML in document ${i + 1} at line ${lineAt(text, refusedKey.at)}: ${refusedKey.why}`, { file: source });
    let value: unknown;
    try {
      value = asGoYAMLReads(doc.toJS({ maxAliasCount: 100 }));
    } catch (err) {
      // Aliases are resolved only here: one that names no anchor, or so many that they expand
      // exponentially (a "billion laughs" bomb), throws. The library's message may quote the input.
      const message = messageOf(err);
      const what = /Excessive alias count/.test(message)
        ? 'too many alias expansions (an alias bomb?)'
        : /Unresolved alias/.test(message)
          ? 'an alias names no anchor set before it'
          : /Merge sources/.test(message)
            ? 'a merge key (<<) whose value is not a map or a list of maps'
            : 'it cannot be turned into data';
      // No cause: its message may hold that text.
      throw new ParseError(`invalid YAML in document ${i + 1}: ${what}`, { file: source });
    }
    if (value === null || value === undefined) continue;
    // YAML is the last format tried: text that is a plain YAML scalar or list (a corrupted
    // config.json, say) is none of the formats, not a Secret gone wrong.
    if (!isJSONObject(value)) throw new ParseError('not valid JSON, nor a .dockercfg ("auth = …" lines) or a Kubernetes YAML manifest', { file: source });
    count++;
    if (collect(value, source, into)) list = true;
  }
  return { ...pullSecretsOf(into, source), container: list ? 'list' : count > 1 ? 'documents' : 'single', syntax: 'yaml' };
}

/**
 * The most bytes of data (decoded, summed over the data values) the API server accepts in one
 * Secret: `MaxSecretSize` in Kubernetes' core API (pkg/apis/core/types.go). A bigger one is
 * refused with "Too long"; about 6,000 registries of the usual size fit.
 */
export const MAX_SECRET_DATA_BYTES = 1024 * 1024;

/** Called with the data size (decoded bytes) of each Secret a serialisation writes. */
export type DataSizeListener = (secret: PullSecret, bytes: number) => void;

/** Base64 of the payload, as the data value; its byte size goes to `onDataSize`. */
function encodePayload(secret: PullSecret, onDataSize: DataSizeListener | undefined): string {
  // The payload kubectl would put under the data key (compact JSON, Go-escaped), as bytes: for
  // the config.json type written straight to bytes, without making the text first.
  const bytes = secret.type === 'dockerconfigjson' ? encodeConfigJSONCompact(secret.file) : Buffer.from(serializeDockercfgKube(secret.file), 'utf8');
  onDataSize?.(secret, bytes.length);
  return bytes.toString('base64');
}

/** The Secret object for a pull secret, as kubectl builds it. */
export function pullSecretObject(secret: PullSecret, onDataSize?: DataSizeListener): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  if (secret.name !== undefined) metadata.name = secret.name;
  if (secret.namespace !== undefined) metadata.namespace = secret.namespace;
  if (secret.labels) metadata.labels = secret.labels;
  if (secret.annotations) metadata.annotations = secret.annotations;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata,
    type: TYPE_NAME[secret.type],
    ...(secret.immutable === true ? { immutable: true } : {}),
    data: { [DATA_KEY[secret.type]]: encodePayload(secret, onDataSize) },
  };
}

// Plain scalars that kubectl's YAML reader (go-yaml v2, YAML 1.1 rules plus Go's number syntax)
// takes for a bool, null or float, though YAML 1.2 (the library's default) reads them as strings.
const GO_YAML_WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', '~', 'null', 'Null', 'NULL']);
// Its numbers, once "_" is removed: strconv.ParseInt base 0 (0x, 0o, 0b, a leading 0), `-0b`, and
// its float pattern, .inf and .nan. Matching more than it reads as a number only quotes more.
// Only .inf takes a sign: go-yaml's table has no -.nan (read as a string, so also by credkit).
const GO_YAML_NUMBER = /^(?:[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF))|\.(?:nan|NaN|NAN))$/;

/**
 * True when kubectl would read `text`, written as a plain scalar, as something other than a
 * string: a name, namespace, label or annotation such as `on`, `no` or `0b1` is then refused
 * ("cannot unmarshal bool into Go struct field ObjectMeta.metadata.name of type string"), and a
 * label key `on` becomes "true". kubectl quotes them; so must we.
 */
function goYAMLReadsAsNonString(text: string): boolean {
  if (GO_YAML_WORDS.has(text)) return true;
  const first = text.charCodeAt(0);
  // go-yaml tries numbers only for a scalar starting with a digit, a sign or ".".
  const numeric = (first >= 0x30 && first <= 0x39) || first === 0x2b || first === 0x2d || first === 0x2e;
  // Only a digit or sign first has its "_" removed; after a "." it is read by ParseFloat as is.
  return numeric && GO_YAML_NUMBER.test(first !== 0x2e && text.includes('_') ? text.replace(/_/g, '') : text);
}

/**
 * Go's `strconv.FormatFloat(x, 'g', -1, 32)`: the fewest digits that read back as the same
 * float32, in exponent form (`1e+06`, two exponent digits at least) when the exponent is below -4
 * or at least 6 (fewer than 21, where JS switches).
 */
function formatFloat32(x: number): string {
  const f = Math.fround(x);
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  let mantissa = '';
  let exp = 0;
  for (let p = 1; p <= 9; p++) {
    const e = Math.abs(f).toExponential(p - 1);
    if (Math.fround(Number(e)) !== Math.abs(f)) continue;
    const [m, ex] = e.split('e') as [string, string];
    mantissa = m.replace('.', '');
    exp = Number(ex);
    break;
  }
  const sign = f < 0 ? '-' : '';
  if (exp < -4 || exp >= 6) {
    const frac = mantissa.length > 1 ? `.${mantissa.slice(1)}` : '';
    return `${sign}${mantissa[0]}${frac}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${mantissa}`;
  const whole = mantissa.padEnd(exp + 1, '0');
  return `${sign}${whole.slice(0, exp + 1)}${whole.length > exp + 1 ? `.${whole.slice(exp + 1)}` : ''}`;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * What kubectl makes of a plain, untagged map key: go-yaml v2 resolves it as it resolves a value
 * (YAML 1.1 bools, Go's numbers), then sigs.k8s.io/yaml's YAMLToJSON turns a bool key into
 * "true" or "false", an int into its decimal digits and a float into
 * `FormatFloat(f, 'g', -1, 32)` (`.inf`, `.nan`), and refuses any other ("unsupported map key
 * of type"): null, and an integer past int64. Undefined when the key is the string as written.
 */
function goYAMLKeyOf(text: string): string | { refused: string } | undefined {
  if (text === '<<' || !goYAMLReadsAsNonString(text)) return undefined;
  if (/^(?:[yY]|yes|Yes|YES|true|True|TRUE|on|On|ON)$/.test(text)) return 'true';
  if (/^(?:[nN]|no|No|NO|false|False|FALSE|off|Off|OFF)$/.test(text)) return 'false';
  if (GO_YAML_WORDS.has(text)) return { refused: 'a key kubectl reads as null (unsupported map key), which it refuses' };
  if (/^\.(?:nan|NaN|NAN)$/.test(text)) return '.nan';
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(text)) return text.startsWith('-') ? '-.inf' : '.inf';
  // Only a digit or sign first has its "_" removed (see goYAMLReadsAsNonString).
  const plain = text.startsWith('.') ? text : text.replace(/_/g, '');
  // strconv.ParseInt(plain, 0, 64), then ParseUint: a leading 0 is octal ("017" is 15).
  const int = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(plain);
  if (int) {
    const digits = int[2] as string;
    const magnitude = BigInt(/^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits.toLowerCase());
    const value = int[1] === '-' ? -magnitude : magnitude;
    if (value >= INT64_MIN && value <= INT64_MAX) return value.toString();
    const tooBig = { refused: 'a key kubectl reads as an integer past int64 (unsupported map key), which it refuses' };
    // ParseUint takes no sign: a uint64.
    if (int[1] === '' && value <= UINT64_MAX) return tooBig;
    // Past that, decimal digits are a float; other digits a big.Int (unsigned) or the text.
    if (!/^[0-9]+$/.test(digits)) return int[1] === '' ? tooBig : undefined;
  }
  const float = Number(plain);
  // ParseFloat fails out of range: go-yaml then keeps the text.
  return Number.isFinite(float) ? formatFloat32(float) : undefined;
}

/** `yaml.stringify(value, { lineWidth: 0 })`, with every string kubectl would not read as one quoted. */
function stringifyForKubectl(value: unknown): string {
  const y = yaml();
  const doc = new y.Document(value);
  y.visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && goYAMLReadsAsNonString(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0 });
}

/**
 * YAML text of `value`, which holds `objects` (from {@link pullSecretObject}). The YAML library
 * checks a plain scalar with several regular expressions, so a data value of megabytes was most
 * of the time of a big pull secret. Each data value is base64 of JSON text (it starts with `e`,
 * from `{`, and is a plain scalar on one line with `lineWidth: 0`), so it is written through a
 * short plain stand-in and put in afterwards; when a stand-in is not found exactly once (metadata
 * could hold one), the value is stringified as is.
 */
function stringifySecretsYAML(value: unknown, objects: readonly Record<string, unknown>[]): string {
  const slots: { data: Record<string, unknown>; key: string; payload: string; standIn: string }[] = [];
  for (const [i, o] of objects.entries()) {
    const data = o.data as Record<string, unknown>;
    const key = Object.keys(data)[0] as string;
    const payload = data[key];
    if (typeof payload !== 'string' || !payload.startsWith('e')) continue;
    slots.push({ data, key, payload, standIn: `credkitPayload${i}x` });
  }
  for (const s of slots) s.data[s.key] = s.standIn;
  let text: string;
  try {
    text = stringifyForKubectl(value);
  } finally {
    for (const s of slots) s.data[s.key] = s.payload;
  }
  const at = slots.map((s) => text.indexOf(s.standIn));
  if (slots.some((s, i) => (at[i] as number) < 0 || text.indexOf(s.standIn, (at[i] as number) + 1) >= 0)) return stringifyForKubectl(value);
  // Stand-ins appear in object order; splice the payloads in one pass.
  const parts: string[] = [];
  let from = 0;
  for (const [i, s] of slots.entries()) {
    parts.push(text.slice(from, at[i]), s.payload);
    from = (at[i] as number) + s.standIn.length;
  }
  parts.push(text.slice(from));
  return parts.join('');
}

/** Writes secrets as YAML or JSON, as one object, `---` documents, or a `kind: List`. */
export function serializePullSecrets(secrets: readonly PullSecret[], container: SecretContainer, syntax: 'json' | 'yaml', onDataSize?: DataSizeListener): string {
  const objects = secrets.map((s) => pullSecretObject(s, onDataSize));
  // JSON has no `---`: several Secrets in JSON are a List, as `kubectl get -o json` shows them.
  if (container === 'list' || (objects.length > 1 && syntax === 'json')) {
    const list = { apiVersion: 'v1', kind: 'List', items: objects };
    return syntax === 'json' ? `${JSON.stringify(list, null, 2)}\n` : stringifySecretsYAML(list, objects);
  }
  if (syntax === 'json') return `${JSON.stringify(objects[0], null, 2)}\n`;
  return objects.map((o) => stringifySecretsYAML(o, [o])).join('---\n');
}
