import type { KubeObject } from '../kube/index.js';
import { deepEqual } from '../patch/index.js';

function emptyMap(m: unknown): boolean {
  return m === undefined || m === null || (typeof m === 'object' && Object.keys(m).length === 0);
}

/** Maps compare equal when both are absent or empty, as Kubernetes' semantic equality has it. */
function sameMap(a: unknown, b: unknown): boolean {
  return emptyMap(a) ? emptyMap(b) : deepEqual(a, b);
}

/**
 * Reports whether a dry-run apply result differs from the object in the cluster, as Flux's `hasDrifted`
 * decides: labels, annotations, and everything outside `metadata` and `status`. Metadata noise (managed
 * fields, timestamps, resource versions) never counts. An object without a `resourceVersion` in the dry-run
 * result does not exist yet, so it has drifted.
 */
export function hasDrifted(existing: KubeObject | undefined, dryRun: KubeObject): boolean {
  if (!existing || !dryRun.metadata?.resourceVersion) return true;
  if (!sameMap(dryRun.metadata.labels, existing.metadata?.labels)) return true;
  if (!sameMap(dryRun.metadata.annotations, existing.metadata?.annotations)) return true;
  const keys = new Set([...Object.keys(existing), ...Object.keys(dryRun)]);
  for (const key of keys) {
    if (key === 'metadata' || key === 'status') continue;
    if (!deepEqual(existing[key], dryRun[key])) return true;
  }
  return false;
}

/** Reports whether any key of `selector` is a label or annotation of `obj` with that value (case-insensitive). */
export function anyInMetadata(
  obj: KubeObject | undefined,
  selector: Readonly<Record<string, string>>,
): boolean {
  if (!obj) return false;
  const labels = obj.metadata?.labels ?? {};
  const annotations = obj.metadata?.annotations ?? {};
  for (const [key, value] of Object.entries(selector)) {
    const want = value.toLowerCase();
    if (labels[key] && labels[key].toLowerCase() === want) return true;
    if (annotations[key] && annotations[key].toLowerCase() === want) return true;
  }
  return false;
}

const MASK = '***';
const MASK_BEFORE = '*** (before)';
const MASK_AFTER = '*** (after)';

/**
 * Masks the `data` values of two versions of a Secret in place: equal values become `***`, changed ones
 * `*** (before)` and `*** (after)`, so a diff shows which keys changed without showing secrets.
 */
export function maskSecretData(before: KubeObject | undefined, after: KubeObject | undefined): void {
  const b = (before?.data ?? undefined) as Record<string, unknown> | undefined;
  const a = (after?.data ?? undefined) as Record<string, unknown> | undefined;
  const nb: Record<string, string> = {};
  const na: Record<string, string> = {};
  for (const k of Object.keys(b ?? {})) {
    if (a && Object.hasOwn(a, k) && a[k] !== b![k]) {
      nb[k] = MASK_BEFORE;
      na[k] = MASK_AFTER;
    } else {
      nb[k] = MASK;
    }
  }
  for (const k of Object.keys(a ?? {})) na[k] ??= MASK;
  if (before && b) before.data = nb;
  if (after && a) after.data = na;
}
