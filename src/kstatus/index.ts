/**
 * Health of any Kubernetes object, with the rules of kstatus (kubernetes-sigs/cli-utils): Current,
 * InProgress, Failed, Terminating, NotFound or Unknown, and a message. Generic checks (deletion, observed
 * generation, `Reconciling`/`Stalled` conditions) come first, then a table from GroupKind to a status
 * function for built-in workloads, then the `Ready` condition of custom resources. Used to wait for applied
 * objects, for health checks and for dependencies.
 */
export {
  type ComputeStatusOptions,
  computeStatus,
  groupKindKey,
  HealthStatus,
  type KubeObject,
  STATUS_FUNCTIONS,
  type StatusCondition,
  type StatusFunction,
  type StatusResult,
} from './compute-status.js';
