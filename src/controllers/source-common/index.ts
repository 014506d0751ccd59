/**
 * What the source reconcilers share: the Flux reconcile shape for every source kind (storage check,
 * fetch, artifact, garbage collection, conditions and events) driven by a per-kind {@link SourceDriver},
 * step errors that name their condition and reason, and reading credentials from Secrets.
 */
export {
  readSecret,
  registryCredentialsFromSecret,
  type SecretData,
  SecretRefError,
  tlsFromSecret,
} from './secrets.js';
export {
  type FetchContext,
  type FetchedSource,
  fetchFailure,
  intervalMs,
  SOURCE_GROUP,
  type SourceDriver,
  type SourceObject,
  SourceReconciler,
  type SourceReconcilerDeps,
  type SourceReconcilerOptions,
  StepError,
  timeoutMs,
} from './source-reconciler.js';
