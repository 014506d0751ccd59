/** The health of an object, with kstatus's names. */
export const HealthStatus = {
  InProgress: 'InProgress',
  Failed: 'Failed',
  Current: 'Current',
  Terminating: 'Terminating',
  NotFound: 'NotFound',
  Unknown: 'Unknown',
} as const;
/** One of {@link HealthStatus}'s values. */
export type HealthStatus = (typeof HealthStatus)[keyof typeof HealthStatus];

/** A condition kstatus would add to explain a status: `Reconciling` (InProgress) or `Stalled` (Failed). */
export interface StatusCondition {
  type: 'Reconciling' | 'Stalled';
  status: 'True';
  reason: string;
  message: string;
}

/** The health of one object: the status, a message for people, and the condition that explains it. */
export interface StatusResult {
  status: HealthStatus;
  message: string;
  conditions: StatusCondition[];
}

/** Any Kubernetes object as plain JSON. */
export type KubeObject = Record<string, unknown>;

/** Options of {@link computeStatus}. */
export interface ComputeStatusOptions {
  /** The clock, for the Pod scheduling window. Default: `() => new Date()`. */
  now?: () => Date;
}

/** Computes the health of one kind of object, after the generic checks passed. */
export type StatusFunction = (obj: KubeObject, options: Required<ComputeStatusOptions>) => StatusResult;

interface BasicCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(obj: KubeObject, path: string): unknown {
  let v: unknown = obj;
  for (const key of path.split('.')) {
    if (!isObject(v)) return undefined;
    v = v[key];
  }
  return v;
}

function intField(obj: KubeObject, path: string, fallback: number): number {
  const v = field(obj, path);
  return typeof v === 'number' && Number.isInteger(v) ? v : fallback;
}

function stringField(obj: KubeObject, path: string, fallback: string): string {
  const v = field(obj, path);
  return typeof v === 'string' ? v : fallback;
}

function boolField(obj: KubeObject, path: string, fallback: boolean): boolean {
  const v = field(obj, path);
  return typeof v === 'boolean' ? v : fallback;
}

function conditionsOf(obj: KubeObject): BasicCondition[] {
  const list = field(obj, 'status.conditions');
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).map((c) => ({
    type: typeof c.type === 'string' ? c.type : '',
    status: typeof c.status === 'string' ? c.status : '',
    reason: typeof c.reason === 'string' ? c.reason : '',
    message: typeof c.message === 'string' ? c.message : '',
  }));
}

function kindOf(obj: KubeObject): string {
  return typeof obj.kind === 'string' ? obj.kind : '';
}

function current(message: string): StatusResult {
  return { status: 'Current', message, conditions: [] };
}

function inProgress(reason: string, message: string): StatusResult {
  return {
    status: 'InProgress',
    message,
    conditions: [{ type: 'Reconciling', status: 'True', reason, message }],
  };
}

function failed(reason: string, message: string): StatusResult {
  return { status: 'Failed', message, conditions: [{ type: 'Stalled', status: 'True', reason, message }] };
}

const alwaysReady: StatusFunction = () => current('Resource is always ready');

const deploymentStatus: StatusFunction = (obj) => {
  // No progress deadline means the controller never reports progress, so do not wait for it.
  let progressing = intField(obj, 'spec.progressDeadlineSeconds', 2147483647) === 2147483647;
  let available = false;
  for (const c of conditionsOf(obj)) {
    if (c.type === 'Progressing') {
      if (c.reason === 'ProgressDeadlineExceeded') {
        return {
          status: 'Failed',
          message: 'Progress deadline exceeded',
          conditions: [{ type: 'Stalled', status: 'True', reason: c.reason, message: c.message }],
        };
      }
      if (c.status === 'True' && c.reason === 'NewReplicaSetAvailable') progressing = true;
    } else if (c.type === 'Available' && c.status === 'True') {
      available = true;
    }
  }
  const spec = intField(obj, 'spec.replicas', 1);
  const replicas = intField(obj, 'status.replicas', 0);
  const updated = intField(obj, 'status.updatedReplicas', 0);
  const ready = intField(obj, 'status.readyReplicas', 0);
  const avail = intField(obj, 'status.availableReplicas', 0);
  if (spec > replicas) return inProgress('LessReplicas', `Replicas: ${replicas}/${spec}`);
  if (spec > updated) return inProgress('LessUpdated', `Updated: ${updated}/${spec}`);
  if (replicas > spec) return inProgress('ExtraPods', `Pending termination: ${replicas - spec}`);
  if (updated > avail) return inProgress('LessAvailable', `Available: ${avail}/${updated}`);
  if (spec > ready) return inProgress('LessReady', `Ready: ${ready}/${spec}`);
  if (!progressing) return inProgress('ReplicaSetNotAvailable', 'ReplicaSet not Available');
  if (!available) return inProgress('DeploymentNotAvailable', 'Deployment not Available');
  return current(`Deployment is available. Replicas: ${replicas}`);
};

const statefulSetStatus: StatusFunction = (obj) => {
  if (stringField(obj, 'spec.updateStrategy.type', '') === 'OnDelete') {
    return current('StatefulSet is using the ondelete update strategy');
  }
  const spec = intField(obj, 'spec.replicas', 1);
  const ready = intField(obj, 'status.readyReplicas', 0);
  const currentReplicas = intField(obj, 'status.currentReplicas', 0);
  const updated = intField(obj, 'status.updatedReplicas', 0);
  const replicas = intField(obj, 'status.replicas', 0);
  const partition = intField(obj, 'spec.updateStrategy.rollingUpdate.partition', -1);
  if (spec > replicas) return inProgress('LessReplicas', `Replicas: ${replicas}/${spec}`);
  if (spec > ready) return inProgress('LessReady', `Ready: ${ready}/${spec}`);
  if (replicas > spec) return inProgress('ExtraPods', `Pending termination: ${replicas - spec}`);
  if (partition !== -1) {
    if (updated < spec - partition) {
      return inProgress('PartitionRollout', `updated: ${updated}/${spec - partition}`);
    }
    return current(`Partition rollout complete. updated: ${updated}`);
  }
  if (spec > currentReplicas) return inProgress('LessCurrent', `current: ${currentReplicas}/${spec}`);
  if (stringField(obj, 'status.currentRevision', '') !== stringField(obj, 'status.updateRevision', '')) {
    return inProgress('RevisionMismatch', 'Waiting for updated revision to match current');
  }
  return current(`All replicas scheduled as expected. Replicas: ${replicas}`);
};

const replicaSetStatus: StatusFunction = (obj) => {
  for (const c of conditionsOf(obj)) {
    if (c.type === 'ReplicaFailure' && c.status === 'True') {
      return inProgress('ReplicaFailure', 'Replica Failure condition. Check Pods');
    }
  }
  const spec = intField(obj, 'spec.replicas', 1);
  const replicas = intField(obj, 'status.replicas', 0);
  const ready = intField(obj, 'status.readyReplicas', 0);
  const avail = intField(obj, 'status.availableReplicas', 0);
  const labelled = intField(obj, 'status.fullyLabeledReplicas', 0);
  if (spec > labelled) return inProgress('LessLabelled', `Labelled: ${labelled}/${spec}`);
  if (spec > avail) return inProgress('LessAvailable', `Available: ${avail}/${spec}`);
  if (spec > ready) return inProgress('LessReady', `Ready: ${ready}/${spec}`);
  if (replicas > spec) return inProgress('ExtraPods', `Pending termination: ${replicas - spec}`);
  return current(`ReplicaSet is available. Replicas: ${replicas}`);
};

const daemonSetStatus: StatusFunction = (obj) => {
  const kind = kindOf(obj);
  if (typeof field(obj, 'metadata.generation') !== 'number') {
    return inProgress('NoGeneration', `${kind} metadata.generation not found`);
  }
  if (typeof field(obj, 'status.observedGeneration') !== 'number') {
    return inProgress('NoObservedGeneration', `${kind} status.observedGeneration not found`);
  }
  const desired = intField(obj, 'status.desiredNumberScheduled', -1);
  const currentNumber = intField(obj, 'status.currentNumberScheduled', 0);
  const updated = intField(obj, 'status.updatedNumberScheduled', 0);
  const avail = intField(obj, 'status.numberAvailable', 0);
  const ready = intField(obj, 'status.numberReady', 0);
  if (desired === -1) return inProgress('NoDesiredNumber', 'Missing .status.desiredNumberScheduled');
  if (desired > currentNumber) return inProgress('LessCurrent', `Current: ${currentNumber}/${desired}`);
  if (desired > updated) return inProgress('LessUpdated', `Updated: ${updated}/${desired}`);
  if (desired > avail) return inProgress('LessAvailable', `Available: ${avail}/${desired}`);
  if (desired > ready) return inProgress('LessReady', `Ready: ${ready}/${desired}`);
  return current(`All replicas scheduled as expected. Replicas: ${desired}`);
};

const pvcStatus: StatusFunction = (obj) => {
  const phase = stringField(obj, 'status.phase', 'unknown');
  if (phase !== 'Bound') return inProgress('NotBound', `PVC is not Bound. phase: ${phase}`);
  return current('PVC is Bound');
};

/** How long a Pod may stay unschedulable before kstatus calls it Failed. */
const SCHEDULE_WINDOW_MS = 15_000;

const podStatus: StatusFunction = (obj, { now }) => {
  const conditions = conditionsOf(obj);
  const phase = stringField(obj, 'status.phase', '');
  switch (phase) {
    case 'Succeeded':
      return current('Pod has completed successfully');
    case 'Failed':
      return current('Pod has completed, but not successfully');
    case 'Running': {
      if (conditions.some((c) => c.type === 'Ready' && c.status === 'True')) return current('Pod is Ready');
      const crashing: string[] = [];
      const statuses = field(obj, 'status.containerStatuses');
      for (const cs of Array.isArray(statuses) ? statuses.filter(isObject) : []) {
        if (typeof cs.name !== 'string') continue;
        const reason = field(cs, 'state.waiting.reason');
        if (reason === 'CrashLoopBackOff') crashing.push(cs.name);
      }
      if (crashing.length > 0) {
        return failed('ContainerCrashLooping', `Containers in CrashLoop state: ${crashing.join(',')}`);
      }
      return inProgress('PodRunningNotReady', 'Pod is running but is not Ready');
    }
    case 'Pending': {
      const unschedulable = conditions.find(
        (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
      );
      if (unschedulable) {
        const created = Date.parse(stringField(obj, 'metadata.creationTimestamp', ''));
        if (!Number.isNaN(created) && now().getTime() - SCHEDULE_WINDOW_MS < created) {
          return inProgress('PodNotScheduled', 'Pod has not been scheduled');
        }
        return failed('PodUnschedulable', 'Pod could not be scheduled');
      }
      return inProgress('PodPending', 'Pod is in the Pending phase');
    }
    case '':
      return inProgress('PodNotObserved', 'Pod phase not available');
    default:
      return { status: 'Unknown', message: `Unknown Pod phase ${phase}`, conditions: [] };
  }
};

const pdbStatus: StatusFunction = () => current('AllowedDisruptions has been computed.');

const jobStatus: StatusFunction = (obj) => {
  const parallelism = intField(obj, 'spec.parallelism', 1);
  const completions = intField(obj, 'spec.completions', parallelism);
  const succeeded = intField(obj, 'status.succeeded', 0);
  const active = intField(obj, 'status.active', 0);
  const failedCount = intField(obj, 'status.failed', 0);
  const suspended = boolField(obj, 'spec.suspend', false);
  for (const c of conditionsOf(obj)) {
    if (c.type === 'Complete' && c.status === 'True') {
      return current(`Job Completed. succeeded: ${succeeded}/${completions}`);
    }
    if (c.type === 'Failed' && c.status === 'True') {
      return failed('JobFailed', `Job Failed. failed: ${failedCount}/${completions}`);
    }
    if (c.type === 'Suspended' && c.status === 'True' && suspended) return current('Job is suspended');
  }
  if (stringField(obj, 'status.startTime', '') === '') return inProgress('JobNotStarted', 'Job not started');
  return current(`Job in progress. success:${succeeded}, active: ${active}, failed: ${failedCount}`);
};

const serviceStatus: StatusFunction = (obj) => {
  const type = stringField(obj, 'spec.type', 'ClusterIP');
  if (type === 'LoadBalancer' && stringField(obj, 'spec.clusterIP', '') === '') {
    return inProgress('NoIPAssigned', 'ClusterIP not set. Service type: LoadBalancer');
  }
  return current('Service is ready');
};

const crdStatus: StatusFunction = (obj) => {
  for (const c of conditionsOf(obj)) {
    if (c.type === 'NamesAccepted' && c.status === 'False') return failed(c.reason, c.message);
    if (c.type === 'Established') {
      if (c.status === 'False' && c.reason !== 'Installing') return failed(c.reason, c.message);
      if (c.status === 'True') return current('CRD is established');
    }
  }
  return inProgress('Installing', 'Install in progress');
};

/**
 * The status function per GroupKind (`Kind` for the core group, `group/Kind` otherwise), as kstatus has
 * them. Kinds not listed fall back to their `Ready` condition, and are Current without one.
 */
export const STATUS_FUNCTIONS: ReadonlyMap<string, StatusFunction> = new Map<string, StatusFunction>([
  ['Service', serviceStatus],
  ['Pod', podStatus],
  ['Secret', alwaysReady],
  ['ConfigMap', alwaysReady],
  ['PersistentVolumeClaim', pvcStatus],
  ['apps/StatefulSet', statefulSetStatus],
  ['apps/DaemonSet', daemonSetStatus],
  ['extensions/DaemonSet', daemonSetStatus],
  ['apps/Deployment', deploymentStatus],
  ['extensions/Deployment', deploymentStatus],
  ['apps/ReplicaSet', replicaSetStatus],
  ['extensions/ReplicaSet', replicaSetStatus],
  ['policy/PodDisruptionBudget', pdbStatus],
  ['batch/CronJob', alwaysReady],
  ['batch/Job', jobStatus],
  ['apiextensions.k8s.io/CustomResourceDefinition', crdStatus],
]);

/** The key of {@link STATUS_FUNCTIONS} for an object: `Kind` or `group/Kind`. */
export function groupKindKey(obj: KubeObject): string {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const slash = apiVersion.indexOf('/');
  const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
  return group === '' ? kindOf(obj) : `${group}/${kindOf(obj)}`;
}

function genericStatus(obj: KubeObject): StatusResult | undefined {
  const deletion = field(obj, 'metadata.deletionTimestamp');
  if (typeof deletion === 'string' && deletion !== '') {
    return { status: 'Terminating', message: 'Resource scheduled for deletion', conditions: [] };
  }
  const generation = field(obj, 'metadata.generation');
  const observed = field(obj, 'status.observedGeneration');
  if (typeof generation === 'number' && typeof observed === 'number' && generation !== observed) {
    const message = `${kindOf(obj)} generation is ${generation}, but latest observed generation is ${observed}`;
    return inProgress('LatestGenerationNotObserved', message);
  }
  for (const c of conditionsOf(obj)) {
    if (c.type === 'Reconciling' && c.status === 'True') return inProgress(c.reason, c.message);
    if (c.type === 'Stalled' && c.status === 'True') return failed(c.reason, c.message);
  }
  return undefined;
}

function readyStatus(obj: KubeObject): StatusResult | undefined {
  for (const c of conditionsOf(obj)) {
    if (c.type !== 'Ready') continue;
    if (c.status === 'True') return current('Resource is Ready');
    if (c.status === 'False' || c.status === 'Unknown') return inProgress(c.reason, c.message);
  }
  return undefined;
}

/**
 * Computes the health of any object with kstatus's rules. Generic checks first: `deletionTimestamp` →
 * Terminating; `generation` ≠ `status.observedGeneration` → InProgress; `Reconciling=True` → InProgress;
 * `Stalled=True` → Failed. Then the kind's function from {@link STATUS_FUNCTIONS}; other kinds by their
 * `Ready` condition (True → Current, False or Unknown → InProgress), and Current without one. A missing
 * object (`undefined`/`null`) is NotFound.
 */
export function computeStatus(
  obj: object | null | undefined,
  options: ComputeStatusOptions = {},
): StatusResult {
  if (obj === null || obj === undefined)
    return { status: 'NotFound', message: 'Resource not found', conditions: [] };
  if (!isObject(obj)) return { status: 'Unknown', message: 'Resource is not an object', conditions: [] };
  const resolved: Required<ComputeStatusOptions> = { now: options.now ?? (() => new Date()) };
  const o = obj as KubeObject;
  const generic = genericStatus(o);
  if (generic) return generic;
  const fn = STATUS_FUNCTIONS.get(groupKindKey(o));
  if (fn) return fn(o, resolved);
  return readyStatus(o) ?? current('Resource is current');
}
