import type { Condition, KubeObject } from '../kube/index.js';

/** The health of an object, with kstatus' words. */
export type HealthStatus = 'Current' | 'InProgress' | 'Failed' | 'Terminating' | 'NotFound' | 'Unknown';

/** The health of one object and why. */
export interface HealthResult {
  status: HealthStatus;
  message: string;
}

/** Computes the health of an object (kstatus' `Compute`). */
export type StatusFunction = (obj: KubeObject) => HealthResult;

function conditions(obj: KubeObject): Condition[] {
  const status = obj.status as { conditions?: Condition[] } | undefined;
  return Array.isArray(status?.conditions) ? status.conditions : [];
}

function condition(obj: KubeObject, type: string): Condition | undefined {
  return conditions(obj).find((c) => c.type === type);
}

/**
 * The health rules the resource manager needs: kstatus' generic rules (deletion, observed generation,
 * `Reconciling`, `Stalled`), CRDs (`Established`), Deployments (progress deadline, replica counts,
 * `Available`) and everything else by its `Ready` condition (no conditions → Current).
 */
export function basicStatus(obj: KubeObject): HealthResult {
  if (obj.metadata?.deletionTimestamp)
    return { status: 'Terminating', message: 'Resource scheduled for deletion' };
  const status = (obj.status ?? {}) as Record<string, unknown>;
  const generation = obj.metadata?.generation;
  const observed = status.observedGeneration;
  if (typeof observed === 'number' && typeof generation === 'number' && observed !== generation) {
    return { status: 'InProgress', message: `Generation ${generation} is not observed yet (${observed})` };
  }
  const reconciling = condition(obj, 'Reconciling');
  if (reconciling?.status === 'True') return { status: 'InProgress', message: reconciling.message ?? '' };
  const stalled = condition(obj, 'Stalled');
  if (stalled?.status === 'True') return { status: 'Failed', message: stalled.message ?? '' };

  if (obj.kind === 'CustomResourceDefinition' && obj.apiVersion.startsWith('apiextensions.k8s.io/')) {
    const established = condition(obj, 'Established');
    return established?.status === 'True'
      ? { status: 'Current', message: 'CRD is established' }
      : { status: 'InProgress', message: 'CRD is not established yet' };
  }
  if (obj.kind === 'Deployment' && obj.apiVersion === 'apps/v1') return deploymentStatus(obj, status);
  const ready = condition(obj, 'Ready');
  if (ready) {
    if (ready.status === 'True') return { status: 'Current', message: ready.message ?? 'Resource is Ready' };
    return { status: 'InProgress', message: ready.message ?? 'Resource is not Ready' };
  }
  return { status: 'Current', message: 'Resource is current' };
}

function deploymentStatus(obj: KubeObject, status: Record<string, unknown>): HealthResult {
  const progressing = condition(obj, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { status: 'Failed', message: progressing.message || 'Progress deadline exceeded' };
  }
  if (typeof status.observedGeneration !== 'number') {
    return { status: 'InProgress', message: 'Deployment status is not observed yet' };
  }
  const spec = (obj.spec ?? {}) as { replicas?: number };
  const want = typeof spec.replicas === 'number' ? spec.replicas : 1;
  const n = (k: string) => (typeof status[k] === 'number' ? (status[k] as number) : 0);
  if (n('updatedReplicas') < want) {
    return { status: 'InProgress', message: `Updated: ${n('updatedReplicas')}/${want}` };
  }
  if (n('replicas') > n('updatedReplicas')) {
    return { status: 'InProgress', message: `Pending termination: ${n('replicas') - n('updatedReplicas')}` };
  }
  if (n('availableReplicas') < want) {
    return { status: 'InProgress', message: `Available: ${n('availableReplicas')}/${want}` };
  }
  if (n('readyReplicas') < want)
    return { status: 'InProgress', message: `Ready: ${n('readyReplicas')}/${want}` };
  const available = condition(obj, 'Available');
  if (available && available.status !== 'True') {
    return { status: 'InProgress', message: available.message || 'Deployment is not available' };
  }
  return { status: 'Current', message: `Deployment is available. Replicas: ${n('replicas')}` };
}
