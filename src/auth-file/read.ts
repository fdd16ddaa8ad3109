/**
 * Reading any credential text: detects the format (config.json / auth.json, .dockercfg in either
 * form, Kubernetes pull secrets) or takes it from the caller, and returns the model.
 */
import { basename } from 'node:path';
import { ParseError, UsageError } from '../errors.js';
import { firstYAMLDocument, looksLikeKubeObject, parsePullSecrets, pullSecretsFromJSON } from '../kube/pull-secret.js';
import type { PullSecretSet } from '../kube/pull-secret.js';
import { looksLikeConfigJSON, parseConfigJSON, parseDockerConfigJSON } from './docker-config.js';
import { looksLikeDockercfgLines, parseDockercfgJSON, parseDockercfgLines } from './dockercfg.js';
import { isJSONObject, leadingValueText, parseJSONText } from './json-text.js';
import { asGoReadsConfig } from './raw-config.js';
import type { AuthFile, AuthFormat } from './model.js';

/** The formats `--from` accepts. */
export const INPUT_FORMATS: readonly AuthFormat[] = ['docker', 'podman', 'dockercfg', 'secret'];

/** A parsed input: one auth file, or the pull secrets of a manifest (each with its own file). */
export interface ParsedInput {
  format: AuthFormat;
  files: AuthFile[];
  secrets?: PullSecretSet;
}

/** Why a Kubernetes manifest is refused where only an auth file may be (a file rewritten in place). */
export function notAnAuthFileMessage(kind = 'Secret', not = 'an auth file'): string {
  // convert reads pull secrets (a List of them too), and nothing from another kind.
  const advice = kind === 'Secret' || kind === 'List' ? ' (credkit convert writes an auth file from it to another path)' : '';
  return `a Kubernetes ${kind} manifest, not ${not}; left untouched${advice}`;
}

/**
 * With `configOnly` and no `from`: refuses JSON that is a Kubernetes object before it is read as
 * one (YAML once reading it failed), whose own errors ("Secret type is Opaque") would not say
 * why the file is no auth file.
 */
function refuseKubeObject(value: unknown, source: string): void {
  if (!looksLikeKubeObject(value)) return;
  throw new ParseError(notAnAuthFileMessage(kubeKind(value)), { file: source });
}

/** The kind of a Kubernetes object for a message: only when it is a plain word, as it is the file's text. */
function kubeKind(value: unknown): string {
  const kind = (value as { kind: string }).kind;
  return /^[A-Za-z]{1,64}$/.test(kind) ? kind : 'object';
}

function configFormat(source: string): 'docker' | 'podman' {
  return basename(source) === 'auth.json' ? 'podman' : 'docker';
}

/** Options of {@link parseAuthText}. */
export interface ParseOptions {
  /** The format to read the text as (as `--from`); else it is detected. */
  from?: AuthFormat;
  /**
   * For files rewritten in place: with `from` docker or podman, JSON that detection would not
   * take for a config file (a Secret, a tsconfig.json) is refused rather than read as one, and
   * without `from`, JSON that is a Kubernetes object is refused as such.
   */
  configOnly?: boolean;
  /** Name the credkit CLI's `--from` flag in errors, for its commands; by default they name `from`. */
  cliFlags?: boolean;
}

/**
 * Parses credential text from `source` (a path or `-`). `options.from` forces the format;
 * otherwise it is detected: a Kubernetes object, a `{"auths":…}` document, a legacy JSON map, the
 * legacy line form, or YAML Secrets. Errors name the source and key, never a value.
 */
export function parseAuthText(text: string, source: string, options?: ParseOptions): ParsedInput {
  const from = options?.from;
  const configOnly = options?.configOnly === true;
  const cliFlags = options?.cliFlags === true;
  if (text.trim() === '') throw new ParseError('the file is empty', { file: source });
  const first = text.trimStart()[0];
  if (from === 'dockercfg' && first !== '{') {
    if (!looksLikeDockercfgLines(text)) throw new ParseError('not a .dockercfg (neither a JSON map nor "auth = …" lines)', { file: source });
    return single(parseDockercfgLines(text, source));
  }
  if (first === '{' || first === '[') {
    const parsed = parseJSONText(text);
    if (!parsed.ok) {
      // Several JSON objects one after another (`jq -c '.items[]'`, files put together): kubectl
      // reads such a stream object by object, so Secrets in it are read; anything else stays an error.
      const stream = from === undefined || from === 'secret' ? parseJSONStream(text) : undefined;
      if (stream !== undefined && (from === 'secret' || looksLikeKubeObject(stream[0]))) {
        if (configOnly && from === undefined) refuseKubeObject(stream[0], source);
        const secrets = pullSecretsFromJSON(stream, source);
        return { format: 'secret', files: secrets.secrets.map((s) => s.file), secrets };
      }
      throw new ParseError(parsed.message, { file: source });
    }
    if (from === 'secret' || (from === undefined && looksLikeKubeObject(parsed.value))) {
      if (configOnly && from === undefined) refuseKubeObject(parsed.value, source);
      const secrets = parsePullSecrets(text, source, parsed.value);
      return { format: 'secret', files: secrets.secrets.map((s) => s.file), secrets };
    }
    if (!isJSONObject(parsed.value)) throw new ParseError('expected a JSON object', { file: source });
    // `Auths` is `auths` to docker and podman (and to no .dockercfg reader, whose keys are hosts).
    const value = from === 'dockercfg' ? parsed.value : asGoReadsConfig(parsed.value, text);
    if ((from === 'docker' || from === 'podman') && !looksLikeConfigJSON(value)) {
      const not = `${from === 'docker' ? 'a config.json' : 'an auth.json'} though ${cliFlags ? `--from ${from} says so` : `from is "${from}"`}`;
      // docker and podman would read a Secret as a file with no credentials, and convert would
      // write its apiVersion, kind and data into a config.json as settings: it is no auth file,
      // whatever `from` says, and is named as the manifest it is (in place too, as without `from`).
      if (looksLikeKubeObject(parsed.value)) {
        const kind = kubeKind(parsed.value);
        if (configOnly) throw new ParseError(notAnAuthFileMessage(kind, not), { file: source });
        const advice = kind === 'Secret' || kind === 'List' ? (cliFlags ? ': drop --from, or use --from secret' : ': leave from unset, or set it to "secret"') : '';
        throw new ParseError(`a Kubernetes ${kind} manifest, not ${not}${advice}`, { file: source });
      }
      if (configOnly) throw new ParseError(`no "auths", "credHelpers" or "credsStore", so not ${not}; left untouched`, { file: source });
    }
    // docker reads a config.json whose values have the wrong type (it warns); podman refuses it.
    if (from === 'docker') return single(parseDockerConfigJSON(value, source));
    if (from === 'podman') return single(parseConfigJSON(value, source, from));
    if (from === 'dockercfg') {
      if ('auths' in value) throw new ParseError('this is a config.json document ({"auths": …}), not a .dockercfg map', { file: source, key: 'auths' });
      return single(parseDockercfgJSON(value, source, { hostOnly: true }));
    }
    if (looksLikeConfigJSON(value)) return single(configFormat(source) === 'docker' ? parseDockerConfigJSON(value, source) : parseConfigJSON(value, source, 'podman'));
    return single(parseDockercfgJSON(value, source, { hostOnly: true }));
  }
  if (from === undefined && looksLikeDockercfgLines(text)) return single(parseDockercfgLines(text, source));
  if (from !== undefined && from !== 'secret') throw new ParseError('invalid JSON', { file: source });
  let secrets: PullSecretSet;
  try {
    secrets = parsePullSecrets(text, source);
  } catch (err) {
    // As JSON is above: a YAML manifest is refused as one, not by what is wrong with it as a pull
    // secret ("Secret type is Opaque"). Only here, on the way out, is the text parsed again.
    if (configOnly && from === undefined && err instanceof ParseError) refuseKubeObject(firstYAMLDocument(text), source);
    throw err;
  }
  return { format: 'secret', files: secrets.secrets.map((s) => s.file), secrets };
}

/** The values of a text of several JSON values one after another, or undefined unless each parses. */
function parseJSONStream(text: string): unknown[] | undefined {
  const values: unknown[] = [];
  for (let rest = text; ; ) {
    const head = leadingValueText(rest);
    const parsed = parseJSONText(head ?? rest);
    if (!parsed.ok) return undefined;
    values.push(parsed.value);
    if (head === undefined) return values;
    rest = rest.slice(head.length);
  }
}

function single(file: AuthFile): ParsedInput {
  return { format: file.format, files: [file] };
}

/** Checks a `--from`/`--to` value. */
export function assertFormat(value: string, what: string): AuthFormat {
  if ((INPUT_FORMATS as readonly string[]).includes(value)) return value as AuthFormat;
  throw new UsageError(`${what} must be one of ${INPUT_FORMATS.join(', ')}`);
}
