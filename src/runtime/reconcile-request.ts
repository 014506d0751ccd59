import { FluxMeta } from '../api/index.js';
import type { KubeObject } from '../kube/index.js';

/** The value of `reconcile.fluxcd.io/requestedAt`, if set. */
export function reconcileRequestedAt(obj: KubeObject): string | undefined {
  return obj.metadata.annotations?.[FluxMeta.ReconcileRequestAnnotation];
}

/**
 * Echoes `reconcile.fluxcd.io/requestedAt` into `status.lastHandledReconcileAt` (the status patch then
 * writes it). Returns true when the request is new.
 */
export function handleReconcileRequest(obj: KubeObject): boolean {
  const requested = reconcileRequestedAt(obj);
  if (!requested) return false;
  const status = ((obj.status as Record<string, unknown> | undefined) ?? {}) as Record<string, unknown>;
  obj.status = status;
  if (status.lastHandledReconcileAt === requested) return false;
  status.lastHandledReconcileAt = requested;
  return true;
}

/** True when `spec.suspend` is true: the reconciler should record that and do nothing else. */
export function isSuspended(obj: KubeObject): boolean {
  return (obj.spec as { suspend?: unknown } | undefined)?.suspend === true;
}
