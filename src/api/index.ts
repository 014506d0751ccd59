/**
 * The kinds Sluice serves and reconciles, and the vocabulary shared by every layer: the error classes with
 * stable codes, condition types and reasons, Flux's annotations and labels, revisions, durations and
 * inventory ids. Each kind is defined once, as a TypeBox schema from which its TypeScript type, its
 * validation and its CustomResourceDefinition are derived. Everything else in Sluice may import from here.
 */
export {
  ConditionReason,
  ConditionType,
  FluxMeta,
  FluxToggle,
  HelmMeta,
  KustomizeMeta,
  KustomizeSSAPolicy,
} from './conditions.js';
export { formatDuration, parseDuration } from './duration.js';
export {
  ApiError,
  type ApiErrorCause,
  ConflictError,
  InvalidSpecError,
  NotFoundError,
  SluiceError,
  TerminalError,
} from './errors.js';
export { formatObjectId, inventoryEntryOf, type ObjectId, objectIdOf, parseObjectId } from './inventory.js';
export {
  type ApiObject,
  type CustomResourceDefinition,
  defineKind,
  type KindDefinition,
  type KindRule,
  type KindSpec,
  type ObjectMeta,
  type PrinterColumn,
  type ValidateOptions,
} from './kind.js';
export {
  type Bucket,
  BucketKind,
  type BucketSpec,
  type BucketStatus,
} from './kinds/bucket.js';
export type { Artifact, Condition, Inventory } from './kinds/common.js';
export {
  effectiveGitRef,
  type GitRepository,
  GitRepositoryKind,
  type GitRepositorySpec,
  type GitRepositoryStatus,
} from './kinds/git-repository.js';
export {
  type HelmChart,
  HelmChartKind,
  type HelmChartSpec,
  type HelmChartStatus,
} from './kinds/helm-chart.js';
export {
  type HelmRelease,
  HelmReleaseKind,
  type HelmReleaseSpec,
  type HelmReleaseStatus,
  helmReleaseName,
} from './kinds/helm-release.js';
export {
  type HelmRepository,
  HelmRepositoryKind,
  type HelmRepositorySpec,
  type HelmRepositoryStatus,
} from './kinds/helm-repository.js';
export {
  type Kustomization,
  KustomizationKind,
  type KustomizationSpec,
  type KustomizationStatus,
} from './kinds/kustomization.js';
export {
  type OCIRepository,
  OCIRepositoryKind,
  type OCIRepositorySpec,
  type OCIRepositoryStatus,
} from './kinds/oci-repository.js';
export {
  crdManifests,
  kindDefinitionFor,
  kustomizationTimeoutMs,
  SLUICE_KINDS,
  type SluiceKindInfo,
  validateObject,
} from './kinds.js';
export {
  formatRevision,
  gitRevision,
  normalizeRevision,
  parseRevision,
  type Revision,
  revisionDigest,
  revisionsEqual,
} from './revision.js';
export {
  DateTime,
  DURATION_PATTERN,
  Duration,
  Int64,
  LocalObjectReference,
  type OpenAPISchema,
  PreserveUnknown,
  StringEnum,
  StringMap,
  TIMEOUT_PATTERN,
  toOpenAPISchema,
} from './schema-kit.js';
export {
  applySchemaDefaults,
  formatValidationCauses,
  type ValidationCause,
  validateSchema,
} from './validation.js';
