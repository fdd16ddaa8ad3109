/**
 * The convert and merge pipeline: parse every input, materialise each one's helper entries if
 * asked, merge by canonical key, list what the target cannot express, serialize. Pure apart from the injected
 * resolver; linear in the number of entries.
 */
import { ParseError, UsageError } from '../errors.js';
import { maskUserinfoDeep } from '../redact.js';
import type { PullSecret, PullSecretType, SecretContainer, SkippedSecret } from '../kube/pull-secret.js';
import { MAX_SECRET_DATA_BYTES, serializePullSecrets, skippedSecretReason } from '../kube/pull-secret.js';
import { serializeConfigJSON } from './docker-config.js';
import { isWidenedDockercfgKey, serializeDockercfg } from './dockercfg.js';
import { assertUsable } from './entry.js';
import type { IgnoredField } from './entry.js';
import type { MistypedValue } from './raw-config.js';
import { isStub, keyOf, styledKeyOf } from './model.js';
import { emptyUsernameEffect, lossesFor, respellings, withoutUnwritable, writesEmptyUsername } from './fidelity.js';
import type { Loss } from './fidelity.js';
import { assertHelpersRunnable, materialize } from './materialize.js';
import type { CredentialResolver, HelperLookup, HelperProbe } from './materialize.js';
import { parseRegistryKey } from '../registry.js';
import { assertSelected, assertStoresAnswered, emptySelections, parseRegistrySelector, selectFromFile } from './select.js';
import type { Selection } from './select.js';
import type { Conflict, ConflictPolicy, MergeResult } from './merge.js';
import { mergeAuthFiles } from './merge.js';
import type { AuthFile, AuthFormat, Origin } from './model.js';
import { notAnAuthFileMessage, parseAuthText } from './read.js';
import type { ParseOptions, ParsedInput } from './read.js';

/** One input text and where it came from (a path or `-`). */
export interface ConvertInput {
  text: string;
  source: string;
}

/** What to produce. */
export interface ConvertOptions {
  to: AuthFormat;
  from?: AuthFormat;
  /** Secret type for `to: 'secret'` (default dockerconfigjson). */
  secretType?: PullSecretType;
  /**
   * Name of the written Secret. Default: the input Secret's (merging, the one input Secret's, or
   * the name several share), else `regcred`; the namespace, labels and annotations follow it.
   */
  name?: string;
  namespace?: string;
  /** Secret manifests as YAML (default) or JSON. */
  syntax?: 'yaml' | 'json';
  /** Across inputs (merge): which entry wins; `fail` rejects conflicts. */
  policy?: ConflictPolicy;
  /** Resolve `{}` stubs and credHelpers through the helpers (needs `resolve`). */
  materialize?: boolean;
  resolve?: CredentialResolver;
  /**
   * With `materialize` and `resolve`: says why a helper cannot be run at all, so that every such
   * helper is named in one error before any is asked (without it, the first lookup that fails says so).
   */
  probeHelper?: HelperProbe;
  /**
   * Only these registries, namespaces or repositories (`quay.io`, `quay.io/org`,
   * `quay.io/org/app:1.0`): the entries and credHelpers routes a client would use for them, and,
   * materialising, the `credsStore` for one no entry covers. Each must select something (else
   * NotFoundError); a value that names no registry is a UsageError. Unset or empty: everything.
   */
  registries?: readonly string[];
  /**
   * Refuse (ParseError) inputs that are not auth files: a Kubernetes Secret manifest, or a JSON
   * map taken for a .dockercfg in which some key holds no credential (a tsconfig.json). For
   * rewriting files in place, where such a file would be replaced by an auth file.
   */
  authFileOnly?: boolean;
  /**
   * Name the credkit CLI's flags in messages (`--from podman`), for its commands; by default they
   * name these options (`from` is "podman"), which are what a library caller sets.
   */
  cliFlags?: boolean;
}

/** The written text and everything the report needs. */
export interface ConvertResult {
  text: string;
  /** What the target cannot express (non-empty: lossy). */
  losses: Loss[];
  /** Entries of different inputs that disagreed, and which one was kept. */
  conflicts: Conflict[];
  duplicates: MergeResult['duplicates'];
  /** Helper lookups that materialising answered. */
  resolved: HelperLookup[];
  /** Entries routed to a helper that had nothing for them: their own plaintext was kept. */
  kept: HelperLookup[];
  /** Things worth knowing about the output that lose nothing (a Secret whose type changes). */
  notes: Note[];
  /** Number of entries written. */
  entries: number;
  /** With `registries`: what each selected, in their order. */
  selected?: Selection[];
  /** With `registries`: the entries and credHelpers routes of the inputs that none selected. */
  leftOut?: Origin[];
}

/** A remark on the output, by file and key like a loss, that does not make it lossy. */
export interface Note {
  file: string;
  key: string;
  message: string;
}

/** Default Secret name when neither `--name` nor the input gives one (the Kubernetes docs' name). */
export const DEFAULT_SECRET_NAME = 'regcred';

/**
 * Converts (one input) or merges (several) credential files into the target format, calling
 * credential helpers first when `materialize` is set.
 */
export async function convertAuth(inputs: readonly ConvertInput[], options: ConvertOptions): Promise<ConvertResult> {
  if (!options.materialize) return convertAuthSync(inputs, options);
  const parsed = parseInputs(inputs, options);
  const result = emptyResult();
  const storeKeys = selectInputs(inputs, parsed, options, result, true);
  if (options.probeHelper !== undefined && options.resolve !== undefined) {
    const jobs = parsed.flatMap((p) => p.files.map((file) => ({ file, storeKeys: storeKeys.get(file) })));
    assertHelpersRunnable(jobs, options.probeHelper, options.cliFlags);
  }
  const unansweredStores: HelperLookup[] = [];
  // Each input file is materialised on its own, before any merge: its stubs are in its own
  // credsStore and credHelpers, and only its own helpers shadow its plaintext. A merged file keeps
  // one credsStore (and one route per registry), which would be asked for every file's stubs.
  for (const p of parsed) {
    for (let i = 0; i < p.files.length; i++) {
      const file = p.files[i] as AuthFile;
      const m = await materialize(file, options.resolve, storeKeys.get(file));
      p.files[i] = m.file;
      const secret = p.secrets?.secrets[i];
      if (secret) p.secrets!.secrets[i] = { ...secret, file: m.file };
      result.resolved.push(...m.resolved);
      result.kept.push(...m.kept);
      for (const miss of m.missing) {
        result.losses.push({ kind: 'missing', file: miss.origin.file, key: miss.origin.key, message: `helper "${miss.helper}" has no credential for it; left out` });
      }
      for (const none of m.unanswered) {
        if (none.selected) {
          unansweredStores.push(none);
          const why = none.failure === undefined ? `has no credential for ${none.key}` : `could not be asked for ${none.key} (${none.failure})`;
          result.notes.push({ ...none.origin, message: `helper "${none.helper}" ${why}, which docker asks it for as no key of the file covers that registry; nothing taken from it` });
          continue;
        }
        result.notes.push({ ...none.origin, message: `helper "${none.helper}" has no credential for ${none.key}: docker and podman pull from it anonymously, as clients of the output will (the route is not written)` });
      }
    }
  }
  if (result.selected !== undefined) assertStoresAnswered(result.selected, unansweredStores, sourcesOf(inputs), selectionFlag(options));
  return reported(finishConversion(planConversion(parsed, options, result), options));
}

/**
 * {@link convertAuth} without materialising (`materialize` must be off): no promise per call,
 * which `migrate` makes 10,000 of.
 */
export function convertAuthSync(inputs: readonly ConvertInput[], options: ConvertOptions): ConvertResult {
  if (options.materialize) throw new UsageError('materialising credentials calls helpers; use convertAuth');
  const parsed = parseInputs(inputs, options);
  const result = emptyResult();
  selectInputs(inputs, parsed, options, result, false);
  return reported(finishConversion(planConversion(parsed, options, result), options));
}

function selectionFlag(options: ConvertOptions): string {
  return options.cliFlags ? '--registry' : 'registries';
}

function sourcesOf(inputs: readonly ConvertInput[]): string[] {
  return inputs.map((i) => i.source);
}

/**
 * With `registries`: keeps only what they select in every parsed input (a Secret of a manifest
 * of several that keeps nothing is left out, with a note), reports it in `result`, and returns
 * for each file the registries to ask its credsStore for (when `askStore`). Throws for a value
 * that names no registry, or selects nothing in any input.
 */
function selectInputs(inputs: readonly ConvertInput[], parsed: ParsedInput[], options: ConvertOptions, result: ConvertResult, askStore: boolean): Map<AuthFile, string[]> {
  const storeKeys = new Map<AuthFile, string[]>();
  if (options.registries === undefined || options.registries.length === 0) return storeKeys;
  const flag = selectionFlag(options);
  const selectors = options.registries.map((r) => parseRegistrySelector(r, flag));
  const selections = emptySelections(selectors);
  const leftOut: Origin[] = [];
  for (const p of parsed) {
    const secrets = p.secrets?.secrets;
    const files: AuthFile[] = [];
    const keptSecrets: PullSecret[] = [];
    p.files.forEach((f, i) => {
      // Who reads the keys, besides podman (which reads every format but a pull secret): kubelet
      // a pull secret's, docker a config.json's, and each the output's of its own format.
      const readers = { kubelet: f.format === 'secret' || options.to === 'secret', docker: f.format === 'docker' || options.to === 'docker' };
      const selected = selectFromFile(f, selectors, selections, leftOut, askStore, readers);
      if (options.to !== 'docker') {
        // The output's client does not fall back as docker does: the key is kept, but it will not
        // serve that value there. (--to docker reports such a key as a scope loss already.)
        for (const d of selected.dockerOnly) {
          const k = parseRegistryKey(d.origin.key);
          result.notes.push({ ...d.origin, message: `selected for ${flag} ${d.registry} because docker, reading this file, uses it for all of ${k.host} (it has no key for ${k.host} itself); ${options.to === 'secret' ? 'kubelet' : options.to === 'dockercfg' ? 'podman and kubelet' : 'podman'} use${options.to === 'dockercfg' ? '' : 's'} it only for ${k.canonical}` });
        }
      }
      const secret = secrets?.[i];
      const empty = selected.file.entries.length === 0 && selected.file.credHelpers.size === 0 && selected.storeKeys.length === 0;
      if (secret !== undefined && secrets!.length > 1 && empty) {
        result.notes.push({ file: f.source, key: 'auths', message: `no key is for the registries selected with ${flag}; this Secret is left out` });
        return;
      }
      files.push(selected.file);
      storeKeys.set(selected.file, selected.storeKeys);
      if (secret !== undefined) {
        const next: PullSecret = { ...secret, file: selected.file };
        if (secret.ignoredFields !== undefined) {
          const keys = new Set(selected.file.entries.map((e) => e.key));
          next.ignoredFields = secret.ignoredFields.filter((x) => keys.has(x.key));
        }
        keptSecrets.push(next);
      }
    });
    p.files = files;
    if (p.secrets !== undefined) p.secrets = { ...p.secrets, secrets: keptSecrets };
  }
  result.selected = selections;
  result.leftOut = leftOut;
  const store = !askStore && parsed.some((p) => p.format !== 'podman' && p.files.some((f) => f.credsStore !== undefined));
  const hint = store ? ` (a credsStore is asked for a registry no key names only when materialising: ${options.cliFlags ? '--materialize' : 'materialize'})` : '';
  assertSelected(selections, sourcesOf(inputs), flag, hint);
  return storeKeys;
}

/** One file of the output (several when a manifest of Secrets stays one), before writing. */
interface ConversionJob {
  file: AuthFile;
  /** The input Secret it came from, when Secrets are converted one to one. */
  secret?: PullSecret;
}

interface ConversionPlan {
  result: ConvertResult;
  jobs: ConversionJob[];
  /** The single parsed input, if there was one. */
  only: ParsedInput | undefined;
  /** Secrets in, secrets out: each keeps its name, namespace and labels, and the layout is kept. */
  perSecret: boolean;
  /** The sources of the files read as a podman auth.json. */
  readAsPodman: Set<string>;
  /** The input Secret a single written Secret takes its name, namespace, labels and annotations from. */
  base?: PullSecret | undefined;
}

/** Parses and checks every input; nothing is asked of a helper before all of them are usable. */
function parseInputs(inputs: readonly ConvertInput[], options: ConvertOptions): ParsedInput[] {
  if (inputs.length === 0) throw new UsageError('name at least one input');
  // One options object for all inputs (migrate makes a call per file; merge passes many inputs).
  const parseOptions: ParseOptions = { from: options.from, configOnly: options.authFileOnly, cliFlags: options.cliFlags };
  const parsed = inputs.map((i) => parseAuthText(i.text, i.source, parseOptions));
  if (options.authFileOnly) parsed.forEach((p, i) => assertAuthFile(p, (inputs[i] as ConvertInput).source));
  for (const p of parsed) for (const f of p.files) assertUsable(f);
  return parsed;
}

function emptyResult(): ConvertResult {
  return { text: '', losses: [], conflicts: [], duplicates: [], resolved: [], kept: [], notes: [], entries: 0 };
}

/** Merges the parsed (and, if asked, materialised) inputs into the files to write. */
function planConversion(parsed: ParsedInput[], options: ConvertOptions, result: ConvertResult): ConversionPlan {
  const only = parsed.length === 1 ? parsed[0] : undefined;
  const readAsPodman = new Set<string>();
  for (const p of parsed) {
    if (p.format === 'podman') for (const f of p.files) readAsPodman.add(f.source);
    for (const s of p.secrets?.skipped ?? []) result.notes.push(skippedNote(s));
    for (const s of p.secrets?.secrets ?? []) for (const f of s.ignoredFields ?? []) result.notes.push(ignoredFieldNote(s.file.source, f));
    for (const f of p.files) for (const m of f.mistyped ?? []) result.notes.push(mistypedNote(f.source, m));
  }
  if (options.to === 'secret' && only?.secrets && only.secrets.secrets.length > 1) {
    if (options.name !== undefined) throw new UsageError(`${options.cliFlags ? '--name' : 'the name option'} needs a single input Secret; this input holds several`);
    const jobs = only.secrets.secrets.map((secret) => {
      const merged = mergeAuthFiles([secret.file], 'first', 'secret');
      collectDuplicates(result, merged);
      return { file: merged.file, secret };
    });
    return { result, jobs, only, perSecret: true, readAsPodman };
  }
  // A loop, not flatMap: this runs once per file of a 10,000-file migration.
  let files = only?.files;
  if (files === undefined) {
    files = [];
    for (const p of parsed) for (const f of p.files) files.push(f);
  }
  const merged = mergeAuthFiles(files, options.policy ?? 'fail', only?.format ?? 'docker');
  collectDuplicates(result, merged);
  const base = only !== undefined ? only.secrets?.secrets[0] : options.to === 'secret' ? mergedSecretBase(parsed, options, result) : undefined;
  return { result, jobs: [{ file: merged.file }], only, perSecret: false, readAsPodman, base };
}

/**
 * Merging into one Secret: the input Secret whose metadata it keeps. "Add a registry to the pull
 * secret" (`merge pull-secret.yaml extra.json --to secret`) must give back that Secret, in its
 * namespace, not a new `regcred` in whatever namespace kubectl applies it to. With one input
 * Secret, it is that one; with several, the first, when all share a name and namespace (labels
 * and annotations only when those agree too). Secrets that disagree give none, with a note.
 */
function mergedSecretBase(parsed: readonly ParsedInput[], options: ConvertOptions, result: ConvertResult): PullSecret | undefined {
  const secrets: PullSecret[] = [];
  for (const p of parsed) for (const s of p.secrets?.secrets ?? []) secrets.push(s);
  const [first] = secrets;
  if (first === undefined) return undefined;
  if (secrets.every((s) => s.name === first.name && s.namespace === first.namespace)) {
    const same = (pick: (s: PullSecret) => unknown) => secrets.every((s) => JSON.stringify(pick(s)) === JSON.stringify(pick(first)));
    const base: PullSecret = { ...first };
    if (!same((s) => s.labels)) delete base.labels;
    if (!same((s) => s.annotations)) delete base.annotations;
    return base;
  }
  if (options.name === undefined) {
    const named = [...new Set(secrets.map((s) => `${s.namespace !== undefined ? `${s.namespace}/` : ''}${s.name ?? '(no name)'}`))].join(', ');
    result.notes.push({
      file: `Secret ${DEFAULT_SECRET_NAME}`,
      key: 'metadata',
      message: `the inputs are several Secrets (${named}), so the merged one is named ${DEFAULT_SECRET_NAME}${options.namespace === undefined ? ', in no namespace' : ''}: give ${options.cliFlags ? '--name (and --namespace)' : 'name (and namespace)'} for the one you mean`,
    });
  }
  return undefined;
}

/** The note for a Secret of another type read past ({@link SkippedSecret}). */
export function skippedNote(s: SkippedSecret): Note {
  return { file: s.label, key: 'type', message: skippedSecretReason(s) };
}

/** The note for a field of a pull secret's entry that held no string and was left out. */
function ignoredFieldNote(file: string, f: IgnoredField): Note {
  return { file, key: f.key, message: `field "${f.field}" holds no string: kubelet ignores it, and no client could use it as one; left out` };
}

/** The note for a value of a docker config.json of the wrong type, read as docker reads it. */
function mistypedNote(file: string, m: MistypedValue): Note {
  if (m.format === 'podman') {
    const what = m.member === 'credsStore' ? 'podman never reads credsStore' : 'podman decodes only "auth" and "identitytoken" of an entry';
    return { file, key: m.member === 'credsStore' ? 'credsStore' : (m.key ?? ''), message: `${m.member === 'credsStore' ? 'the value' : `field "${m.field ?? ''}"`} was ${m.type}, not a string, which ${what} (it ignores it), and docker warns about in a config.json on every command; left out` };
  }
  const warns = 'and warns about on every command';
  if (m.member === 'credHelpers' && m.key !== undefined) {
    return { file, key: `credHelpers[${m.key}]`, message: `the helper name was ${m.type}, not a string, which docker reads as "" (no helper: it reads this registry from the file, not from credsStore) ${warns}; written as ""` };
  }
  if (m.field !== undefined) return { file, key: m.key ?? '', message: `field "${m.field}" was ${m.type}, not a string, which docker leaves empty ${warns}; left out` };
  if (m.member === 'auths') return { file, key: 'auths', message: `the value was ${m.type}, not an object, which docker reads as no entries ${warns}; written as {}` };
  return { file, key: m.member, message: `the value was ${m.type}, not ${m.member === 'credsStore' ? 'a string' : 'an object'}, which docker ignores ${warns}; left out` };
}

/** Throws ParseError for an input that is not an auth file ({@link ConvertOptions.authFileOnly}). */
function assertAuthFile(input: ParsedInput, source: string): void {
  if (input.format === 'secret') {
    throw new ParseError(notAnAuthFileMessage(), { file: source });
  }
  // Also under migrate's `--from dockercfg`, which says what the auth files are, not that every
  // file a glob catches is one (a tsconfig.json would become a config.json).
  const file = input.files[0];
  if (input.format !== 'dockercfg' || file === undefined || file.variant === 'line') return;
  const empty = file.entries.find((e) => isStub(e) && e.email === undefined);
  if (empty) throw new ParseError('holds no credential, so this JSON is not a .dockercfg (nor any auth file); left untouched', { file: source, key: empty.key });
}

/** Lists what the target cannot express and writes the text. */
/**
 * The result as a caller gets it: the report (losses, notes, selections…) with the password of a
 * key written as `https://alice:pw@quay.io` shown as `********`, as `credkit convert` prints it,
 * so that logging a loss leaks nothing; the output text is the file to write, as it is.
 */
function reported(result: ConvertResult): ConvertResult {
  const { text, ...report } = result;
  return { text, ...maskUserinfoDeep(report) };
}

function finishConversion(plan: ConversionPlan, options: ConvertOptions): ConvertResult {
  const { result, only } = plan;
  const secretType = options.secretType ?? 'dockerconfigjson';
  const files = plan.jobs.map((job) => {
    // Entries the target cannot hold at all are left out first (and reported), so that no other
    // loss is listed for a key that is not written.
    const writable = withoutUnwritable(job.file, options.to);
    const file: AuthFile = { ...writable.file, format: options.to };
    result.losses.push(...writable.losses, ...lossesFor(file, options.to, secretType));
    // Read as the target's own format, the file's keys meant something to the very client that
    // reads the output, so a respelling that changes what it takes is said (it loses nothing).
    if (only !== undefined && only.format === options.to && (options.to === 'docker' || options.to === 'podman')) result.notes.push(...respellings(file, options.to));
    result.entries += file.entries.length;
    // Written as its readers take it (kubelet does), but little comes of it: said, as check says it.
    const noUsername = emptyUsernameEffect(options.to);
    for (const e of file.entries) {
      if (noUsername !== undefined && writesEmptyUsername(e)) {
        result.notes.push({ ...e.origin, message: `written with an empty username: ${noUsername}; give the credential a username (any non-empty name for token registries)` });
      }
      if (options.to !== 'dockercfg' && isWidenedDockercfgKey(e)) {
        const host = keyOf(e).host;
        result.notes.push({ ...e.origin, message: `a .dockercfg has no scoping: podman (and the docker that read .dockercfg) use this key for all of ${keyOf(e).hub ? 'Docker Hub' : host}, so it is written as "${styledKeyOf(e, options.to === 'podman' ? 'podman' : options.to === 'secret' ? 'kubernetes' : 'docker')}"` });
      }
      if (e.notObject !== undefined) {
        result.notes.push({ ...e.origin, message: `the entry was ${e.notObject}, not an object, which docker reads as empty (podman and kubelet refuse the file); written as {}` });
      }
      // podman decodes only "auth" and "identitytoken": it had no credential in such an entry of
      // its own auth.json (check's no-auth-field), and the folded "auth" is one it now sends.
      // docker reads the fields, so a config.json's entry meant the same to it before.
      if (options.to === 'podman' && e.explicitOnly && e.identityToken === undefined && plan.readAsPodman.has(e.origin.file)) {
        result.notes.push({ ...e.origin, message: 'credential only in "username"/"password", which podman never decodes (it had no credential there): written as "auth", so podman now sends it' });
      }
      if (e.authProblem === 'unpadded') {
        result.notes.push({ ...e.origin, message: '"auth" lacked its "=" padding, which docker and podman cannot decode (kubelet can); written padded' });
      }
    }
    return file;
  });
  if (plan.perSecret && only?.secrets) {
    const secrets = plan.jobs.map((job, i): PullSecret => {
      const from = job.secret as PullSecret;
      const next: PullSecret = { ...from, type: secretType, file: files[i] as AuthFile };
      if (options.namespace !== undefined) next.namespace = options.namespace;
      noteRetype(result, from, next, false, options.cliFlags);
      noteImmutable(result, from, next, (result.leftOut ?? []).some((o) => o.file === from.file.source) || result.resolved.some((r) => r.origin.file === from.file.source));
      return next;
    });
    result.text = serializePullSecrets(secrets, only.secrets.container, options.syntax ?? only.secrets.syntax, oversize(result));
    return result;
  }
  const file = files[0] as AuthFile;
  switch (options.to) {
    case 'docker':
    case 'podman':
      result.text = serializeConfigJSON(file, options.to);
      break;
    case 'dockercfg':
      result.text = serializeDockercfg(file);
      break;
    case 'secret': {
      const from = plan.base;
      const secret: PullSecret = { type: secretType, file, name: options.name ?? from?.name ?? DEFAULT_SECRET_NAME };
      const namespace = options.namespace ?? from?.namespace;
      if (namespace !== undefined) secret.namespace = namespace;
      if (from?.labels) secret.labels = from.labels;
      if (from?.annotations) secret.annotations = from.annotations;
      if (from?.immutable === true) secret.immutable = true;
      if (from) noteRetype(result, from, secret, true, options.cliFlags);
      // Its data changes when other inputs are merged in, --registry leaves entries out, or helpers fill stubs.
      if (from) noteImmutable(result, from, secret, only === undefined || (result.leftOut?.length ?? 0) > 0 || result.resolved.length > 0);
      const container: SecretContainer = 'single';
      result.text = serializePullSecrets([secret], container, options.syntax ?? only?.secrets?.syntax ?? 'yaml', oversize(result));
      break;
    }
  }
  return result;
}

/**
 * An immutable Secret written again under its name with other data (a registry merged into it or
 * left out, a helper's credential filled in):
 * the API server refuses the update ("field is immutable when `immutable` is set"), which
 * `kubectl apply` reports only after the fact.
 */
function noteImmutable(result: ConvertResult, from: PullSecret, to: PullSecret, dataChanged: boolean): void {
  if (from.immutable !== true || !dataChanged || from.name === undefined || from.name !== to.name) return;
  result.notes.push({
    file: `Secret ${from.name}`,
    key: 'immutable',
    message: 'the Secret is immutable, so the API server refuses any change to its data: replace it (kubectl replace --force -f, which deletes and creates it), or give --name for a new Secret',
  });
}

/**
 * A Secret that keeps its name but changes type cannot be applied over the old one (the API server
 * refuses to change a Secret's type), which `kubectl apply` reports only after the fact.
 */
function noteRetype(result: ConvertResult, from: PullSecret, to: PullSecret, canRename: boolean, cliFlags = false): void {
  if (from.type === to.type || from.name === undefined || from.name !== to.name) return;
  const name = (t: PullSecret['type']) => `kubernetes.io/${t}`;
  result.notes.push({
    file: `Secret ${from.name}`,
    key: 'type',
    message:
      `changes from ${name(from.type)} to ${name(to.type)}; the API server cannot change the type of an existing Secret: ` +
      `delete the old one before applying${canRename ? `, give a new ${cliFlags ? '--name' : 'name'}` : ''}, or keep the type with ${cliFlags ? `--secret-type ${from.type}` : `secretType "${from.type}"`}`,
  });
}

/** Reports a Secret the API server would refuse for its size (it is written all the same). */
function oversize(result: ConvertResult): (secret: PullSecret, bytes: number) => void {
  return (secret, bytes) => {
    if (bytes <= MAX_SECRET_DATA_BYTES) return;
    const mib = (n: number) => (n / (1024 * 1024)).toFixed(2);
    const key = secret.type === 'dockercfg' ? 'data[.dockercfg]' : 'data[.dockerconfigjson]';
    result.losses.push({
      kind: 'size',
      file: `Secret ${secret.name ?? DEFAULT_SECRET_NAME}`,
      key,
      message: `${mib(bytes)} MiB of data; Kubernetes refuses a Secret over 1 MiB (${MAX_SECRET_DATA_BYTES} bytes): split the registries over several pull secrets (a pod may list several in imagePullSecrets)`,
    });
  };
}

/** Same-file conflicts are losses (one of two keys for one scope had to go); cross-file ones are merge conflicts. */
function collectDuplicates(result: ConvertResult, merged: MergeResult): void {
  result.duplicates.push(...merged.duplicates);
  for (const c of merged.conflicts) {
    if (c.kind === 'entry' && c.kept.file === c.dropped.file) {
      result.losses.push({ kind: 'duplicate', file: c.dropped.file, key: c.dropped.key, message: `same scope as key "${c.kept.key}" with a different credential; kept "${c.kept.key}"` });
    } else if (c.kind === 'credHelpers' && c.kept.file === c.dropped.file) {
      result.losses.push({ kind: 'duplicate', file: c.dropped.file, key: `credHelpers[${c.dropped.key}]`, message: `same registry as credHelpers key "${c.kept.key}" with a different helper; kept "${c.kept.key}"` });
    } else {
      result.conflicts.push(c);
    }
  }
}
