import type { HealthStatus } from '../kstatus/index.js';
import type { Clock, KubeClient, KubeObject, ObjectRef } from '../kube/index.js';
import { sleep } from '../kube/index.js';
import { HealthCheckError } from './errors.js';
import { mapLimit } from './limit.js';
import { formatSubject } from './object-id.js';
import { WatchHub } from './watch-hub.js';

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
  /**
   * Follow objects the `labelSelector` (equality terms only) matches with a watch of their kind and namespace
   * (a shared {@link WatchHub}'s, or one of this wait's own narrowed by that selector) instead of re-reading
   * them: a change is seen as the server reports it, and nothing is polled. Objects outside the selector,
   * and groups whose watch cannot start, are polled. Default: true.
   */
  watch?: boolean;
  /**
   * Start from the objects' states as the same {@link ResourceManager} just applied them (the server's
   * answers), instead of reading them first: for a wait that follows an apply at once. Default: false.
   */
  fromApplied?: boolean;
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

/** The labels of an equality-only selector (`k1=v1,k2=v2`), or undefined when it uses anything else. */
function equalitySelector(selector: string | undefined): [string, string][] | undefined {
  if (!selector) return undefined;
  const pairs: [string, string][] = [];
  for (const term of selector.split(',')) {
    const m = /^\s*([^=!\s]+)\s*==?\s*([^=!\s]*)\s*$/.exec(term);
    if (!m) return undefined;
    pairs.push([m[1]!, m[2]!]);
  }
  return pairs;
}

function matches(obj: KubeObject, pairs: readonly [string, string][]): boolean {
  const labels = obj.metadata?.labels ?? {};
  return pairs.every(([k, v]) => labels[k] === v);
}

/**
 * The objects a wait follows through a {@link WatchHub} instead of reading them: per group (apiVersion, kind
 * and namespace) one subscription; each change newer than what was read replaces it, and wakes the wait.
 */
class Followers {
  readonly #hub: WatchHub;
  readonly #active = new Set<string>();
  /** Groups whose subscription failed: polled for the rest of the wait. */
  readonly #ended = new Set<string>();
  readonly #stops: (() => void)[] = [];
  /** The newest resourceVersion seen per ref index. */
  readonly #seen = new Map<number, number>();
  /** Newest state reported per ref index; `null` when the object was deleted. */
  readonly latest = new Map<number, KubeObject | null>();
  /** Ref indexes to read once more: newly followed, or their watch lost track. */
  readonly reread = new Set<number>();
  #wake: (() => void) | undefined;
  #closed = false;

  constructor(hub: WatchHub) {
    this.#hub = hub;
  }

  /** Whether the group `key` is followed (or about to be). */
  follows(key: string): boolean {
    return this.#active.has(key);
  }

  /** Records the state of an object the wait read. */
  saw(index: number, obj: KubeObject | undefined): void {
    const rv = Number(obj?.metadata?.resourceVersion ?? 0);
    if (rv > (this.#seen.get(index) ?? 0)) this.#seen.set(index, rv);
  }

  /**
   * Starts following the objects of `group` (its ref indexes, named `names`) unless the group is followed
   * already or its subscription failed; says whether it is followed now. Once the subscription runs, the
   * objects are read once more, so nothing between the first read and the subscription is missed.
   */
  follow(key: string, group: Group, names: string[]): boolean {
    if (this.#active.has(key) || this.#ended.has(key) || this.#closed) return false;
    this.#active.add(key);
    const indexes = group.indexes;
    const byName = new Map(names.map((n, j) => [n, indexes[j]!]));
    void this.#hub
      .follow({ apiVersion: group.apiVersion, kind: group.kind }, group.namespace, new Set(names), {
        changed: (name, object) => {
          const index = byName.get(name);
          if (index === undefined) return;
          const rv = Number(object?.metadata?.resourceVersion ?? Number.MAX_SAFE_INTEGER);
          if (object && rv <= (this.#seen.get(index) ?? 0)) return;
          if (object) this.#seen.set(index, rv);
          this.latest.set(index, object);
          this.#wake?.();
        },
        reset: () => {
          for (const i of indexes) this.reread.add(i);
          this.#wake?.();
        },
      })
      .then(
        (stop) => {
          if (this.#closed) return stop();
          this.#stops.push(stop);
          for (const i of indexes) this.reread.add(i);
          this.#wake?.();
        },
        () => {
          this.#active.delete(key);
          this.#ended.add(key);
          this.#wake?.();
        },
      );
    return true;
  }

  /** Whether any group is followed. */
  get running(): boolean {
    return this.#active.size > 0;
  }

  /** Resolves after `ms`, or sooner when a followed object changes or must be read again. */
  async pause(ms: number, clock: Clock, signal: AbortSignal | undefined): Promise<void> {
    if (this.latest.size > 0 || this.reread.size > 0) return;
    const woken = new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.race([woken, sleep(ms, { clock, signal: stop.signal }).catch(() => undefined)]);
    } finally {
      this.#wake = undefined;
      stop.abort();
      signal?.removeEventListener('abort', onAbort);
    }
  }

  close(): void {
    this.#closed = true;
    for (const stop of this.#stops.splice(0)) stop();
  }
}

/**
 * Waits until all objects are `Current`, one is `Failed` (with `failFast`), only `Current` and `Failed`
 * remain, or the timeout passes. An object once `Current` is not read again, so kinds that are always
 * healthy (ConfigMaps, Secrets, …) cost one read, or none when the wait starts from the states an apply
 * just got (`fromApplied`). Objects of one kind and namespace still pending are read with one LIST (narrowed
 * by `labelSelector`) when there are several, else one GET each; after that, the ones the owner applied are
 * followed by a watch and the others polled. Resolves with the final statuses; throws
 * {@link HealthCheckError} otherwise.
 */
export async function waitForObjects(
  deps: {
    kube: KubeClient;
    clock: Clock;
    computeStatus: HealthFunction;
    concurrency: number;
    /** The state of an object as the caller just got it from the server (an apply's answer), if any. */
    known?: (ref: ObjectRef) => KubeObject | undefined;
    /**
     * Shared watches to follow objects with (see {@link WaitOptions.watch}). Default: watches of this wait's
     * own, narrowed by `labelSelector`.
     */
    hub?: WatchHub;
  },
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
  const groupKey = (ref: ObjectRef) => `${ref.apiVersion}|${ref.kind}|${ref.namespace ?? ''}`;
  const selectorPairs = options.watch === false ? undefined : equalitySelector(options.labelSelector);
  const ownHub =
    selectorPairs && !deps.hub
      ? new WatchHub(kube, { labelSelector: options.labelSelector ?? '', lingerMs: 0 })
      : undefined;
  const hub = deps.hub ?? ownHub;
  const followers = selectorPairs && hub ? new Followers(hub) : undefined;

  try {
    for (let round = 0; ; round++) {
      signal?.throwIfAborted();
      const found = new Array<KubeObject | undefined | Error>(refs.length);
      const read = new Array<boolean>(refs.length).fill(false);
      // The first round starts from what the caller just got from the server; later ones from what the
      // watches reported since the round before. Neither needs reading.
      if (round === 0 && deps.known && options.fromApplied) {
        refs.forEach((ref, i) => {
          const obj = deps.known?.(ref);
          if (obj) {
            found[i] = obj;
            read[i] = true;
          }
        });
      }
      if (followers) {
        for (const [i, obj] of followers.latest) {
          found[i] = obj ?? undefined;
          read[i] = true;
        }
        followers.latest.clear();
      }
      const rereading = new Set(followers?.reread);
      followers?.reread.clear();
      const groups = new Map<string, Group>();
      refs.forEach((ref, i) => {
        if (statuses[i]!.status === 'Current' || read[i]) return;
        const key = groupKey(ref);
        if (followers?.follows(key) && !rereading.has(i)) return;
        let g = groups.get(key);
        if (!g) {
          g = { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, indexes: [] };
          groups.set(key, g);
        }
        g.indexes.push(i);
        read[i] = true;
      });
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
      if (followers) {
        for (let i = 0; i < refs.length; i++) {
          const obj = found[i];
          if (read[i] && obj && !(obj instanceof Error)) followers.saw(i, obj);
        }
      }

      let changed = false;
      statuses = statuses.map((prev, i) => {
        if (prev.status === 'Current' || !read[i]) return prev;
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
      let polled = false;
      if (followers && selectorPairs) {
        // Follow the pending objects this owner applied; the rest are polled.
        const byGroup = new Map<string, { group: Group; names: string[] }>();
        refs.forEach((ref, i) => {
          const s = statuses[i]!.status;
          if (s === 'Current' || s === 'Failed') return;
          const obj = found[i];
          const key = groupKey(ref);
          if (followers.follows(key)) return;
          if (!read[i] || !obj || obj instanceof Error || !matches(obj, selectorPairs)) {
            polled = true;
            return;
          }
          let entry = byGroup.get(key);
          if (!entry) {
            entry = {
              group: { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, indexes: [] },
              names: [],
            };
            byGroup.set(key, entry);
          }
          entry.group.indexes.push(i);
          entry.names.push(ref.name);
        });
        for (const [key, { group, names }] of byGroup) {
          if (!followers.follow(key, group, names)) polled = true;
        }
      } else polled = true;
      const pollMs = Math.min(intervalMs, FIRST_RECHECK_MS * 2 ** round, left);
      if (followers) await followers.pause(polled || !followers.running ? pollMs : left, clock, signal);
      else await sleep(pollMs, { clock, ...sig(signal) });
    }
  } finally {
    followers?.close();
    ownHub?.close();
  }
}

function describe(list: readonly ObjectStatus[]): string {
  return list.map((s) => `${s.subject} status: '${s.status}'${s.message ? `: ${s.message}` : ''}`).join(', ');
}

function sig(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}
