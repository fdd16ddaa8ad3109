/**
 * "Which credential will this client use for this image, and why": the shared vocabulary of the
 * per-client lookups (lookup-docker.ts, lookup-containers.ts, lookup-kubelet.ts; explain.ts runs
 * them). Pure: file texts and pull secrets come in already read, and
 * the only outside calls (running a `docker-credential-*` helper, looking a program up on PATH)
 * are injected.
 */
import { shownKey } from '../redact.js';
import type { Host } from '../io.js';
import type { ImageRef } from '../image-ref.js';
import type { AuthFile } from './model.js';
import type { SkippedSecret } from '../kube/pull-secret.js';
import { locateAuthFiles } from './locate.js';
import type { LocateOptions } from './locate.js';
import type { RegistriesConf } from './registries-conf.js';

/**
 * The clients credkit can explain. `podman` stands for podman (and for buildah and skopeo too
 * where they search the same files); `buildah` for buildah 1.28 (pull, from, push, login);
 * `skopeo` for skopeo's inspect and copy.
 */
export type LookupClient = 'docker' | 'podman' | 'buildah' | 'skopeo' | 'kubelet';

/**
 * A secret value that cannot leak by accident: JSON, string conversion and `util.inspect` all
 * give `********`; only {@link HiddenSecret.reveal} returns it (for `credkit get`).
 */
export class HiddenSecret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The secret itself. */
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return '********';
  }
  toString(): string {
    return '********';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '********';
  }
}

/** A file as the caller read it: its text, or why it could not be read. Absent from the map = missing. */
export type FileText = { text: string } | { error: string };

/** What a helper `get` answered. */
export type HelperAnswer =
  | { kind: 'found'; username: string; password: string; identityToken: string | undefined }
  | { kind: 'not-found' }
  /**
   * `reason` is the helper client's failure kind (not-on-path, timeout, failed…); the message names
   * no secret. For a timeout, `waitedSeconds` is how long credkit waited before it stopped the helper.
   */
  | { kind: 'failed'; reason: string; message: string; waitedSeconds?: number };

/**
 * Where `docker-credential-credkit` keeps a server URL's credential, as credkit's own config.ini
 * says (`[routes]`, else `backend`): what explain can add about a call to credkit without running
 * anything more.
 */
export interface CredkitStoreReport {
  /** The store as config.ini names it: `pass`, `file`, `helper:ecr-login`, `auto`… */
  store: string;
  /** The `[routes]` pattern that sends the server URL there; absent when no route matches (the backend). */
  route?: string;
  /**
   * For `auto`: the store it opens for this user now (`keychain`, or the fallback where there is
   * no usable keychain), as docker-credential-credkit run with the same environment opens it;
   * absent when it opens none.
   */
  opens?: string;
  /**
   * The saved account credkit's config selects (docs/helpers.md) and whether it answers for this
   * server URL: `saved` (it does), `not-saved` or `not-kept` (the store keeps no accounts for it:
   * the plain entry answers either way), `unknown` (the store could not be read).
   */
  account?: { name: string; from: 'CREDKIT_ACCOUNT' | 'account ='; answers: 'saved' | 'not-saved' | 'not-kept' | 'unknown' };
}

/** The outside world a lookup needs. */
export interface LookupDeps {
  /** Runs `docker-credential-<helper> get` with `serverURL` (with the helper client's timeout). */
  askHelper(helper: string, serverURL: string): Promise<HelperAnswer>;
  /** True when `program` is on PATH (docker's default-store detection). */
  onPath(program: string): boolean;
  /** For a call to the `credkit` helper: the store credkit's config sends `serverURL` to, if it can tell. */
  credkitStore?(serverURL: string): Promise<CredkitStoreReport | undefined>;
  /**
   * The version of the docker CLI on PATH (`28.2.2`, from `docker --version`), or undefined when
   * there is none or it does not say: asked only when `DOCKER_AUTH_CONFIG` is set, which docker
   * reads from 28.3 on. Without it, docker is explained as 28.3 and later.
   */
  dockerVersion?(): Promise<string | undefined>;
}

/** How a file took part in a lookup. */
export type FileStatus =
  /** Does not exist (treated as empty). */
  | 'missing'
  /** Exists but the search ended before it. */
  | 'not-reached'
  /** Read; nothing in it for this image. */
  | 'no-match'
  /** A key matched but gave no credential (`{}`, no usable `auth`, or a helper that had none). */
  | 'empty-match'
  /** It supplied the credential. */
  | 'matched'
  /** It could not be read or parsed. */
  | 'error'
  /** Read, but this client ignores what is in it (e.g. a legacy map given as an auth.json). */
  | 'ignored';

/** One file in a client's search order. */
export interface FileStep {
  path: string;
  /** Why this path: the variable or default that named it. */
  why: string;
  exists: boolean;
  status: FileStatus;
  /** One line: the keys tried and what happened. Never a secret. */
  detail: string;
}

/** One helper call a lookup made (really made, through the injected caller). */
export interface HelperCallReport {
  helper: string;
  /** The ServerURL the client sends (formats.md §1.5). */
  serverURL: string;
  /** Why this helper: `credHelpers["…"]`, `credsStore`, or docker's default store. */
  via: string;
  /** The file that configured it. */
  file: string;
  outcome: 'found' | 'not-found' | 'failed';
  /** For `failed`: not-on-path, timeout, failed, … */
  reason?: string;
  username?: string;
  message?: string;
  /** For the `credkit` helper: the store its config.ini sends this server URL to. */
  credkitStore?: CredkitStoreReport;
  /**
   * Set where rootless podman or buildah would run the helper in their user namespace and credkit
   * sends the server URL to its keyutils backend, which refuses to work there: the outcome is that
   * refusal, not what the helper answers credkit outside the namespace.
   */
  userNamespace?: true;
}

/** Where a credential came from. */
export interface CredentialSource {
  /** The file (or pull secret) that holds it or names the helper; '' when {@link variable} holds it. */
  file: string;
  /** Set when an environment variable holds it, not a file: `DOCKER_AUTH_CONFIG` (docker 28.3 and later). */
  variable?: string;
  /** The key that matched, as written. */
  key: string;
  /** Set when a helper supplied it. */
  helper?: string;
}

/** A credential a client would send. Secrets are wrapped; serialising this never shows them. */
export interface ResolvedCredential {
  /** The server URL the credential is for, as the client names it (the helper's ServerURL). */
  serverURL: string;
  username: string;
  password: HiddenSecret | undefined;
  identityToken: HiddenSecret | undefined;
  source: CredentialSource;
}

/** An entry that could apply to the image but is not what the client uses. */
export interface ShadowedEntry {
  file: string;
  key: string;
  /** The entry's username ('' for none or a helper stub). */
  username: string;
  reason: string;
}

/** Keys of one pull secret that kubelet tries in random order (see {@link ClientExplanation.randomOrder}). */
export interface RandomOrder {
  /** The pull secret. */
  file: string;
  /** The key kubelet files them under. */
  keyringKey: string;
  /** The keys as written, in file order. */
  keys: string[];
}

/**
 * An environment variable a client reads credentials from before any file: docker 28.3 and
 * later's `DOCKER_AUTH_CONFIG`. `ignored` when it cannot be read (the client ignores all of it).
 */
export interface EnvironmentStep {
  variable: string;
  status: 'matched' | 'no-match' | 'ignored';
  /** One line: the key tried and what happened, or why it is ignored. Never a secret. */
  detail: string;
}

/** One client's answer. */
export interface ClientExplanation {
  client: LookupClient;
  /** Which program(s) this stands for. */
  title: string;
  /** What the client looks up: docker's config key, containers/image's key, kubelet's image name. */
  query: string;
  /** Read before `files`, when set. */
  environment?: EnvironmentStep;
  /**
   * containers/image, when registries.conf sets `credential-helpers`: the helpers asked, in order,
   * `containers-auth.json` standing for `files`, and the file that set them. Each helper asked is
   * in `helperCalls`.
   */
  credentialHelpers?: { helpers: string[]; file: string };
  files: FileStep[];
  helperCalls: HelperCallReport[];
  /**
   * `credential`: sends one; `anonymous`: sends none; `error`: the pull fails before that; `hang`:
   * the client waits for a helper that does not answer (clients set no time limit on helpers, so
   * the pull hangs; credkit stopped waiting after its helper timeout).
   */
  outcome: 'credential' | 'anonymous' | 'error' | 'hang';
  credential?: ResolvedCredential;
  /** kubelet: further matching credentials, tried in order if the first is refused. */
  alternatives?: ResolvedCredential[];
  /**
   * kubelet: keys of one pull secret that it files under one keyring key with different
   * credentials. It adds a secret's keys in Go map order, so it tries these in an order that
   * changes from pull to pull; `credential` and `alternatives` list them in file order.
   */
  randomOrder?: RandomOrder[];
  /** For `anonymous`: why; for `error`: the error; for `hang`: which helper it waits for. */
  reason: string;
  shadowed: ShadowedEntry[];
  notes: string[];
}

/** Everything a lookup reads, already loaded. */
export interface LookupInput {
  host: Host;
  ref: ImageRef;
  /** The texts of the files {@link filesToRead} named (missing files absent). */
  files: ReadonlyMap<string, FileText>;
  /** kubelet: the pull secrets, each as an auth file (with parse problems recorded per entry). */
  secrets?: readonly AuthFile[];
  /** kubelet: Secrets of other types given beside the pull secrets, which it ignores. */
  skippedSecrets?: readonly SkippedSecret[];
  /** podman's `--authfile`, and the uid for `/run/containers/$UID/auth.json`. */
  locate?: LocateOptions;
  /**
   * containers/image: read a named first file that does not exist as empty, as skopeo does,
   * rather than fail there as podman pull and buildah do (doctor, which reports that file itself).
   */
  missingNamedFileIsEmpty?: boolean;
  /** Name credkit's flags in reasons (`--secret`), as the CLI does; the library's option names otherwise. */
  cliFlags?: boolean;
  /**
   * podman and buildah: registries.conf (registries-conf.ts): its short-name settings and
   * credential helpers. Absent (not read): a short name is explained as Docker Hub's, with a note,
   * and the auth files alone are asked.
   */
  registriesConf?: RegistriesConf;
  /** skopeo's registries.conf: {@link registriesConf} unless CONTAINERS_REGISTRIES_CONF, which skopeo ignores, names a file. */
  skopeoRegistriesConf?: RegistriesConf;
}

/** Every file a docker or containers/image lookup may read, in no particular order. */
export function filesToRead(host: Host, locate: LocateOptions = {}): string[] {
  // buildah's own first file (rootless, or REGISTRY_AUTH_FILE under `--authfile ""`) is in no other list.
  return [...new Set([...locateAuthFiles(host, locate), ...locateAuthFiles(host, { ...locate, tool: 'buildah' })].map((l) => l.path))];
}

/** A credential from decoded fields; empty strings count as absent. */
export function makeCredential(
  serverURL: string,
  fields: { username?: string | undefined; password?: string | undefined; identityToken?: string | undefined },
  source: CredentialSource,
): ResolvedCredential {
  return {
    serverURL,
    username: fields.username ?? '',
    password: fields.password ? new HiddenSecret(fields.password) : undefined,
    identityToken: fields.identityToken ? new HiddenSecret(fields.identityToken) : undefined,
    source,
  };
}

/** True when a credential carries anything a client would send. */
export function hasCredential(c: ResolvedCredential): boolean {
  return c.username !== '' || c.password !== undefined || c.identityToken !== undefined;
}

/** A key quoted for messages; one that holds a credential as its stand-in (shownKey). */
export function quoteKey(key: string): string {
  return JSON.stringify(shownKey(key));
}

/** Records a helper call's answer in a report. */
export function helperReport(helper: string, serverURL: string, via: string, file: string, answer: HelperAnswer): HelperCallReport {
  const report: HelperCallReport = { helper, serverURL, via, file, outcome: answer.kind };
  if (answer.kind === 'found') report.username = answer.identityToken !== undefined ? '' : answer.username;
  if (answer.kind === 'failed') {
    report.reason = answer.reason;
    report.message = answer.message;
  }
  return report;
}

/** True when a helper did not answer in time: the client, which sets no time limit, would wait on. */
export function isHang(answer: HelperAnswer): boolean {
  return answer.kind === 'failed' && answer.reason === 'timeout';
}

/** " after 30 s" for a hang's answer, or nothing when the caller did not say how long it waited. */
export function waited(answer: HelperAnswer): string {
  return answer.kind === 'failed' && answer.waitedSeconds !== undefined ? ` after ${answer.waitedSeconds} s` : '';
}
