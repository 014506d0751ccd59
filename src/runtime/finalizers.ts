import { FluxMeta } from '../api/index.js';
import type { KubeClient, KubeObject, ObjectRef } from '../kube/index.js';
import { isConflict, isNotFound } from '../kube/index.js';

function refOf(obj: KubeObject): ObjectRef {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name ?? '',
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
  };
}

/** True when the object carries the finalizer (default `finalizers.fluxcd.io`). */
export function hasFinalizer(obj: KubeObject, finalizer: string = FluxMeta.Finalizer): boolean {
  return obj.metadata.finalizers?.includes(finalizer) ?? false;
}

/** True when the object is being deleted (`deletionTimestamp` is set). */
export function isBeingDeleted(obj: KubeObject): boolean {
  return !!obj.metadata.deletionTimestamp;
}

async function writeFinalizers(
  kube: KubeClient,
  obj: KubeObject,
  change: (list: string[]) => string[] | undefined,
  signal?: AbortSignal,
): Promise<boolean> {
  let base = obj;
  for (let attempt = 0; ; attempt++) {
    const next = change([...(base.metadata.finalizers ?? [])]);
    if (!next) return false;
    try {
      const res = await kube.patch(
        refOf(obj),
        { metadata: { finalizers: next, resourceVersion: base.metadata.resourceVersion } },
        { type: 'merge', ...(signal ? { signal } : {}) },
      );
      obj.metadata.finalizers = res.metadata.finalizers ?? [];
      obj.metadata.resourceVersion = res.metadata.resourceVersion;
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      if (!isConflict(err) || attempt >= 5) throw err;
      const fresh = await kube.tryGet(refOf(obj), signal ? { signal } : {});
      if (!fresh) return false;
      base = fresh;
    }
  }
}

/**
 * Adds a finalizer with a merge patch guarded by `resourceVersion` (retried on conflict) and updates `obj`'s
 * finalizers and resourceVersion. Returns true when it wrote something.
 */
export function addFinalizer(
  kube: KubeClient,
  obj: KubeObject,
  finalizer: string = FluxMeta.Finalizer,
  options: { signal?: AbortSignal } = {},
): Promise<boolean> {
  return writeFinalizers(
    kube,
    obj,
    (list) => (list.includes(finalizer) ? undefined : [...list, finalizer]),
    options.signal,
  );
}

/**
 * Removes a finalizer (retried on conflict) and updates `obj`. Returns true when it wrote something; false when
 * the finalizer was absent or the object is gone.
 */
export function removeFinalizer(
  kube: KubeClient,
  obj: KubeObject,
  finalizer: string = FluxMeta.Finalizer,
  options: { signal?: AbortSignal } = {},
): Promise<boolean> {
  return writeFinalizers(
    kube,
    obj,
    (list) => (list.includes(finalizer) ? list.filter((f) => f !== finalizer) : undefined),
    options.signal,
  );
}
