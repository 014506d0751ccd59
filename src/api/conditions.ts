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
  BuildFailed: 'BuildFailed',
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
  // Sources
  AuthenticationFailed: 'AuthenticationFailed',
  GitOperationFailed: 'GitOperationFailed',
  GitOperationSucceeded: 'GitOperationSucceeded',
  NewRevision: 'NewRevision',
  IndexationFailed: 'IndexationFailed',
  IndexationSucceeded: 'IndexationSucceeded',
  StorageOperationFailed: 'StorageOperationFailed',
  URLInvalid: 'URLInvalid',
  VerificationError: 'VerificationError',
  ChartPullFailed: 'ChartPullFailed',
  ChartPullSucceeded: 'ChartPullSucceeded',
  ChartPackageFailed: 'ChartPackageFailed',
  ChartPackageSucceeded: 'ChartPackageSucceeded',
  OCIPullFailed: 'OCIPullFailed',
  OCIArtifactLayerOperationFailed: 'OCIArtifactLayerOperationFailed',
  BucketOperationFailed: 'BucketOperationFailed',
  IncludeUnavailable: 'IncludeUnavailable',
  SymlinkUpdateFailed: 'SymlinkUpdateFailed',
  ArchiveOperationFailed: 'ArchiveOperationFailed',
  PatchOperationFailed: 'PatchOperationFailed',
  InvalidSTSConfiguration: 'InvalidSTSConfiguration',
  InvalidProviderConfiguration: 'InvalidProviderConfiguration',
  NewArtifact: 'NewArtifact',
  ArtifactUpToDate: 'ArtifactUpToDate',
  // Kustomizations
  ArtifactNotReady: 'ArtifactNotReady',
  // HelmReleases
  InstallSucceeded: 'InstallSucceeded',
  InstallFailed: 'InstallFailed',
  UpgradeSucceeded: 'UpgradeSucceeded',
  UpgradeFailed: 'UpgradeFailed',
  TestSucceeded: 'TestSucceeded',
  TestFailed: 'TestFailed',
  RollbackSucceeded: 'RollbackSucceeded',
  RollbackFailed: 'RollbackFailed',
  UninstallSucceeded: 'UninstallSucceeded',
  UninstallFailed: 'UninstallFailed',
  DriftDetected: 'DriftDetected',
  NoDriftDetected: 'NoDriftDetected',
  GetLastReleaseFailed: 'GetLastReleaseFailed',
  InitFailed: 'InitFailed',
  RetriesExceeded: 'RetriesExceeded',
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

/** Labels and annotations kustomize-controller sets on, or reads from, the objects it applies. */
export const KustomizeMeta = {
  /** Label: name of the Kustomization that applied the object. */
  NameLabel: 'kustomize.toolkit.fluxcd.io/name',
  /** Label: namespace of the Kustomization that applied the object. */
  NamespaceLabel: 'kustomize.toolkit.fluxcd.io/namespace',
  /** Annotation: server-side apply policy, one of {@link KustomizeSSAPolicy}. */
  SSAAnnotation: 'kustomize.toolkit.fluxcd.io/ssa',
  /** Annotation: `Enabled` recreates the object when an immutable field changes. */
  ForceAnnotation: 'kustomize.toolkit.fluxcd.io/force',
  /** Annotation: `Disabled` keeps the object when it leaves the source. */
  PruneAnnotation: 'kustomize.toolkit.fluxcd.io/prune',
  /** Annotation: `disabled` stops reconciling the object. */
  ReconcileAnnotation: 'kustomize.toolkit.fluxcd.io/reconcile',
  /** Annotation: `disabled` skips variable substitution in the object. */
  SubstituteAnnotation: 'kustomize.toolkit.fluxcd.io/substitute',
  /** The field manager of server-side apply. */
  FieldManager: 'kustomize-controller',
} as const;

/** Values of the `kustomize.toolkit.fluxcd.io/ssa` annotation. */
export const KustomizeSSAPolicy = {
  Override: 'Override',
  Merge: 'Merge',
  IfNotPresent: 'IfNotPresent',
  Ignore: 'Ignore',
} as const;

/** Labels helm-controller sets on the objects of a release. */
export const HelmMeta = {
  /** Label: name of the HelmRelease. */
  NameLabel: 'helm.toolkit.fluxcd.io/name',
  /** Label: namespace of the HelmRelease. */
  NamespaceLabel: 'helm.toolkit.fluxcd.io/namespace',
} as const;

/** Values of annotations and labels that turn behaviour on or off. */
export const FluxToggle = {
  Enabled: 'Enabled',
  Disabled: 'Disabled',
  /** kustomize-controller compares `reconcile`/`substitute` lower-case. */
  disabled: 'disabled',
} as const;
