/**
 * credkit's public library API: the functions the `credkit` CLI itself calls to read, convert,
 * merge, check and list auth files and pull secrets, look up credentials, and open and copy
 * between credential stores, so that a script and the CLI never disagree. Re-exports only. The
 * auth-file functions take text and return data (no files, environment or helpers are touched
 * unless the caller passes a resolver); getCredential and explainCredential read the files and
 * run the helpers the clients would, openStore and copyCredentials read and write the stores
 * they name, and migrateAuthFiles rewrites the auth files it is given. See docs/library.md.
 */

// Reading any format (config.json, auth.json, .dockercfg in either form, pull secrets) into the model.
export { parseAuthText } from './auth-file/read.js';
export type { ParseOptions, ParsedInput } from './auth-file/read.js';
export type { AuthEntry, AuthFile, AuthFormat, AuthProblem, Origin } from './auth-file/model.js';
export type { MistypedValue } from './auth-file/raw-config.js';
export type { IgnoredField } from './auth-file/entry.js';
export type { PullSecret, PullSecretSet, PullSecretType, SecretContainer, SkippedSecret } from './kube/pull-secret.js';

// Converting and merging, with what the target cannot express (`credkit convert` / `merge`).
export { convertAuth, convertAuthSync } from './auth-file/convert.js';
export type { ConvertInput, ConvertOptions, ConvertResult, Note } from './auth-file/convert.js';
export type { Loss, LossKind } from './auth-file/fidelity.js';
export type { Conflict, ConflictPolicy } from './auth-file/merge.js';
export type { CredentialResolver, HelperLookup, HelperProbe, ResolvedCredential } from './auth-file/materialize.js';
export type { Selection } from './auth-file/select.js';
// The CLI refuses a --name or --namespace the API server would refuse before converting; convertAuth does not.
export { namespaceProblem, secretNameProblem } from './kube/pull-secret.js';

// Linting (`credkit check`) and listing with secrets redacted (`credkit ls`).
export { checkAuthInput } from './auth-file/check.js';
export type { CheckInput, Finding, Severity } from './auth-file/check.js';
export { listEntries } from './auth-file/list.js';
export type { ListRow } from './auth-file/list.js';
export type { KeyScope } from './registry.js';

// Which credential docker, podman, buildah, skopeo or kubelet uses for an image, and why (`credkit get` / `explain --json`).
export { explainCredential, getCredential } from './credential-lookup.js';
export type {
  Credential,
  CredentialExplanation,
  CredentialOrigin,
  ExplainCredentialOptions,
  GetCredentialOptions,
  LookupOptions,
  SecretText,
} from './credential-lookup.js';
export type {
  ClientExplanation,
  CredentialSource,
  FileStatus,
  FileStep,
  HelperCallReport,
  HiddenSecret,
  LookupClient,
  RandomOrder,
  ShadowedEntry,
} from './auth-file/lookup.js';
// Named apart from the materialising resolver's ResolvedCredential (above), a different thing.
export type { ResolvedCredential as ExplainedCredential } from './auth-file/lookup.js';
export type { ImageRef } from './image-ref.js';
export type { Env } from './io.js';

// Credential stores by the names `credkit copy` takes, and `credkit copy` itself, returning its report.
export { copyCredentials, openStore } from './credential-stores.js';
export type { CopyAction, CopyCredentialsOptions, CopyEntry, CopyResult, CopyStatus, HiddenEntryHandle, HiddenStoreEntry, MaskedStoreEntry, OpenStoreOptions, Store, StoreCredential, StoreEntry } from './credential-stores.js';

// `credkit migrate`: many auth files converted in place, or their plaintext logins moved into a store.
export { migrateAuthFiles } from './migration.js';
export type { MigrateAuthFilesOptions, MigratedCredential, MigrateFileReport, MigrateFileStatus, MigrateResult, MigrateSummary } from './migration.js';

// The errors the functions above throw on purpose, each with a stable `code`.
export { CredkitError, HelperError, IoError, NotFoundError, ParseError, ReadOnlyStoreError, StoreUnavailableError, UsageError, isCredkitError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { ConflictError } from './auth-file/merge.js';
