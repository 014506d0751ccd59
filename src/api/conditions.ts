/** Condition types with Flux's names. `Reconciling` and `Stalled` are present only while True (kstatus). */
export const ConditionType = {
  Ready: 'Ready',
  Reconciling: 'Reconciling',
  Stalled: 'Stalled',
  Healthy: 'Healthy',
  ArtifactInStorage: 'ArtifactInStorage',
  ArtifactOutdated: 'ArtifactOutdated',
  FetchFailed: 'FetchFailed',
  IncludeUnavailable: 'IncludeUnavailable',
  StorageOperationFailed: 'StorageOperationFailed',
  SourceVerified: 'SourceVerified',
  Released: 'Released',
  TestSuccess: 'TestSuccess',
  Remediated: 'Remediated',
  Drifted: 'Drifted',
} as const;
/** One of {@link ConditionType}'s values (other strings are allowed where kinds define their own). */
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/** Condition and event reasons shared by Flux kinds. */
export const ConditionReason = {
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Progressing: 'Progressing',
  ProgressingWithRetry: 'ProgressingWithRetry',
  Suspended: 'Suspended',
  DependencyNotReady: 'DependencyNotReady',
  ArtifactFailed: 'ArtifactFailed',
  BuildFailed: 'BuildFailed',
  HealthCheckFailed: 'HealthCheckFailed',
  PruneFailed: 'PruneFailed',
  ReconciliationSucceeded: 'ReconciliationSucceeded',
  ReconciliationFailed: 'ReconciliationFailed',
  HealthCheckCanceled: 'HealthCheckCanceled',
  AccessDenied: 'AccessDenied',
  InvalidSpec: 'InvalidSpec',
} as const;
/** One of {@link ConditionReason}'s values. */
export type ConditionReason = (typeof ConditionReason)[keyof typeof ConditionReason];

/** Annotations and finalizers Flux controllers understand. */
export const FluxMeta = {
  /** Any new value requests a reconcile; echoed to `status.lastHandledReconcileAt`. */
  ReconcileRequestAnnotation: 'reconcile.fluxcd.io/requestedAt',
  /** HelmRelease: force a release; echoed to `status.lastHandledForceAt`. */
  ForceRequestAnnotation: 'reconcile.fluxcd.io/forceAt',
  /** HelmRelease: reset failure counts; echoed to `status.lastHandledResetAt`. */
  ResetRequestAnnotation: 'reconcile.fluxcd.io/resetAt',
  /** Label on Secrets/ConfigMaps whose changes trigger reconciles of the objects that use them. */
  WatchLabel: 'reconcile.fluxcd.io/watch',
  /** The finalizer Flux controllers put on the objects they reconcile. */
  Finalizer: 'finalizers.fluxcd.io',
} as const;
