import { SluiceError } from '../api/index.js';
import type { Condition, KubeClient, KubeObject, ObjectRef } from '../kube/index.js';
import { isConflict, isNotFound } from '../kube/index.js';

/** Options of {@link createPatcher}. */
export interface PatcherOptions {
  /** Attempts after a conflict (someone else wrote the status meanwhile). Default: 5. */
  maxRetries?: number;
}

/** Writes an object's status changes in one patch; see {@link createPatcher}. */
export interface Patcher<T extends KubeObject> {
  /**
   * Writes what changed in `obj.status` since the patcher was created (or since the last `patch`) with one
   * merge patch on `/status` (on the object itself when the kind has no status subresource). Nothing is sent
   * when nothing changed. On a conflict, re-reads the object, replays the changes onto it and retries.
   * Returns false when the object no longer exists.
   */
  patch(obj: T, options?: { signal?: AbortSignal }): Promise<boolean>;
}

type Status = Record<string, unknown> & { conditions?: Condition[] };

function clone<V>(v: V): V {
  return v === undefined ? v : (structuredClone(v) as V);
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Snapshots `obj.status` so that later one `patch()` writes only what the reconcile changed: top-level status
 * fields that changed or vanished, and conditions by type (so a concurrent writer's other conditions
 * survive). Optimistic concurrency through `metadata.resourceVersion`, with retries on conflict.
 */
export function createPatcher<T extends KubeObject>(
  kube: KubeClient,
  obj: T,
  options: PatcherOptions = {},
): Patcher<T> {
  const maxRetries = options.maxRetries ?? 5;
  let before = clone((obj.status ?? {}) as Status);
  return {
    async patch(current, opts = {}) {
      const after = (current.status ?? {}) as Status;
      const fields: Record<string, unknown> = {};
      for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
        if (key === 'conditions') continue;
        if (!equal(before[key], after[key])) fields[key] = after[key] === undefined ? null : after[key];
      }
      const beforeConds = new Map((before.conditions ?? []).map((c) => [c.type, c]));
      const afterConds = new Map((after.conditions ?? []).map((c) => [c.type, c]));
      const setConds = [...afterConds.values()].filter((c) => !equal(beforeConds.get(c.type), c));
      const removedConds = [...beforeConds.keys()].filter((t) => !afterConds.has(t));
      const orderChanged = !equal(
        (before.conditions ?? []).map((c) => c.type),
        (after.conditions ?? []).map((c) => c.type),
      );
      if (
        Object.keys(fields).length === 0 &&
        setConds.length === 0 &&
        removedConds.length === 0 &&
        !orderChanged
      ) {
        return true;
      }
      const mapping = await kube.mappingFor(current, opts.signal);
      const subresource = mapping.subresources.includes('status') ? 'status' : undefined;
      const ref: ObjectRef = {
        apiVersion: current.apiVersion,
        kind: current.kind,
        name: current.metadata.name ?? '',
        ...(current.metadata.namespace ? { namespace: current.metadata.namespace } : {}),
      };
      let base: KubeObject = current;
      for (let attempt = 0; ; attempt++) {
        // Replay the condition changes onto the base's conditions, so only ours change.
        const baseConds = [...(((base.status as Status | undefined)?.conditions ?? []) as Condition[])];
        let merged = baseConds.filter((c) => !removedConds.includes(c.type) && !afterConds.has(c.type));
        if (base === current) merged = [...(after.conditions ?? [])];
        else {
          for (const c of after.conditions ?? []) {
            const changed = setConds.some((s) => s.type === c.type);
            const theirs = baseConds.find((b) => b.type === c.type);
            merged.push(changed || !theirs ? c : theirs);
          }
        }
        const body: Record<string, unknown> = {
          metadata: { resourceVersion: base.metadata.resourceVersion },
          status: { ...fields, conditions: merged },
        };
        try {
          const res = await kube.patch(ref, body, {
            type: 'merge',
            ...(subresource ? { subresource } : {}),
            ...(opts.signal ? { signal: opts.signal } : {}),
          });
          current.metadata.resourceVersion = res.metadata.resourceVersion;
          before = clone(after);
          return true;
        } catch (err) {
          if (isNotFound(err)) return false;
          if (!isConflict(err) || attempt >= maxRetries) {
            if (isConflict(err)) {
              throw new SluiceError(
                'Conflict',
                `Cannot patch status of ${current.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}: still conflicting after ${maxRetries} retries`,
                { cause: err },
              );
            }
            throw err;
          }
          const fresh = await kube.tryGet(ref, opts.signal ? { signal: opts.signal } : {});
          if (!fresh) return false;
          base = fresh;
        }
      }
    },
  };
}
