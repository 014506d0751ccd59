import type { HealthStatus } from '../kstatus/index.js';
import type { Clock, KubeClient, KubeObject, ObjectRef } from '../kube/index.js';
import { sleep } from '../kube/index.js';
import { HealthCheckError } from './errors.js';
import { mapLimit } from './limit.js';
import { formatSubject } from './object-id.js';

/** Computes the health of an object: kstatus' `computeStatus` by default. */
export type HealthFunction = (obj: KubeObject) => { status: HealthStatus; message: string };

/** The health of one object waited for. */
export interface ObjectStatus {
  readonly ref: ObjectRef;
  /** `Kind/namespace/name`. */
  readonly subject: string;
  readonly status: HealthStatus;
  readonly message: string;
}

/** Options of {@link ResourceManager.waitForSet}. */
export interface WaitOptions {
  /** Give up after this long. Default: 60 s. */
  timeoutMs?: number;
  /**
   * Poll at most this often; the first check is immediate and the next ones come sooner (0.5 s, doubling) so
   * objects that settle quickly are seen quickly. Default: 5 s.
   */
  intervalMs?: number;
  /**
   * Label selector for the LISTs that read several objects of one kind at once, e.g. the owner labels every
   * applied object carries. Default: none (the whole namespace is listed).
   */
  labelSelector?: string;
  /** Stop as soon as one object is `Failed`. Default: true. */
  failFast?: boolean;
  /** Cancels the wait; it then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each check in which some object's status or message changed. */
  onProgress?: (statuses: readonly ObjectStatus[]) => void;
}

/** Read a kind with one LIST instead of GETs when this many of its objects share a namespace. */
const LIST_THRESHOLD = 3;
/** The first re-check comes after this long; later ones double up to the interval. */
const FIRST_RECHECK_MS = 500;

interface Group {
  apiVersion: string;
  kind: string;
  namespace: string | undefined;
  indexes: number[];
}

/**
 * Polls objects until all are `Current`, one is `Failed` (with `failFast`), only `Current` and `Failed`
 * remain, or the timeout passes. An object once `Current` is not read again, so kinds that are always
 * healthy (ConfigMaps, Secrets, …) cost one read. Objects of one kind and namespace still pending are read
 * with one LIST (narrowed by `labelSelector`) when there are several, else one GET each. Resolves with the
 * final statuses; throws {@link HealthCheckError} otherwise.
 */
export async function waitForObjects(
  deps: { kube: KubeClient; clock: Clock; computeStatus: HealthFunction; concurrency: number },
  refs: readonly ObjectRef[],
  options: WaitOptions = {},
): Promise<ObjectStatus[]> {
  const { kube, clock } = deps;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 5_000;
  const failFast = options.failFast ?? true;
  const signal = options.signal;
  if (refs.length === 0) return [];

  const deadline = clock.now() + timeoutMs;
  let statuses: ObjectStatus[] = refs.map((ref) => ({
    ref,
    subject: formatSubject({ kind: ref.kind, namespace: ref.namespace ?? '', name: ref.name }),
    status: 'Unknown',
    message: '',
  }));

  for (let round = 0; ; round++) {
    signal?.throwIfAborted();
    const groups = new Map<string, Group>();
    refs.forEach((ref, i) => {
      if (statuses[i]!.status === 'Current') return;
      const key = `${ref.apiVersion}|${ref.kind}|${ref.namespace ?? ''}`;
      let g = groups.get(key);
      if (!g) {
        g = { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, indexes: [] };
        groups.set(key, g);
      }
      g.indexes.push(i);
    });
    const found = new Array<KubeObject | undefined | Error>(refs.length);
    const callTimeout = Math.max(1_000, deadline - clock.now());
    await mapLimit([...groups.values()], deps.concurrency, async (g) => {
      if (g.indexes.length >= LIST_THRESHOLD) {
        try {
          const list = await kube.list(
            { apiVersion: g.apiVersion, kind: g.kind },
            {
              ...(g.namespace ? { namespace: g.namespace } : {}),
              ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
              timeoutMs: callTimeout,
              ...sig(signal),
            },
          );
          const byName = new Map(list.items.map((o) => [o.metadata.name, o]));
          for (const i of g.indexes) found[i] = byName.get(refs[i]!.name);
          // Objects the selector does not match (health checks of objects another owner applied) are read
          // one by one, so the selector only narrows the LIST and never hides an object.
          if (options.labelSelector) {
            await Promise.all(
              g.indexes
                .filter((i) => found[i] === undefined)
                .map(async (i) => {
                  found[i] = await kube.tryGet(refs[i]!, { timeoutMs: callTimeout, ...sig(signal) });
                }),
            );
          }
        } catch (err) {
          for (const i of g.indexes) found[i] = err as Error;
        }
        return;
      }
      await Promise.all(
        g.indexes.map(async (i) => {
          try {
            found[i] = await kube.tryGet(refs[i]!, { timeoutMs: callTimeout, ...sig(signal) });
          } catch (err) {
            found[i] = err as Error;
          }
        }),
      );
    });
    signal?.throwIfAborted();

    let changed = false;
    statuses = statuses.map((prev, i) => {
      if (prev.status === 'Current') return prev;
      const obj = found[i];
      let next: Pick<ObjectStatus, 'status' | 'message'>;
      if (obj instanceof Error) next = { status: 'Unknown', message: obj.message };
      else if (!obj) next = { status: 'NotFound', message: 'Resource not found' };
      else next = deps.computeStatus(obj);
      if (next.status === prev.status && next.message === prev.message) return prev;
      changed = true;
      return { ...prev, status: next.status, message: next.message };
    });
    if (changed) options.onProgress?.(statuses);

    const notCurrent = statuses.filter((s) => s.status !== 'Current');
    if (notCurrent.length === 0) return statuses;
    const failed = notCurrent.filter((s) => s.status === 'Failed');
    const terminal = failed.length === notCurrent.length;
    if ((failFast && failed.length > 0) || terminal) {
      throw new HealthCheckError(`Failed early due to stalled resources: [${describe(failed)}]`, {
        statuses,
        failed,
        timedOut: false,
      });
    }
    const left = deadline - clock.now();
    if (left <= 0) {
      throw new HealthCheckError(`Timeout waiting for: [${describe(notCurrent)}]`, {
        statuses,
        failed: notCurrent,
        timedOut: true,
      });
    }
    await sleep(Math.min(intervalMs, FIRST_RECHECK_MS * 2 ** round, left), { clock, ...sig(signal) });
  }
}

function describe(list: readonly ObjectStatus[]): string {
  return list.map((s) => `${s.subject} status: '${s.status}'${s.message ? `: ${s.message}` : ''}`).join(', ');
}

function sig(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}
