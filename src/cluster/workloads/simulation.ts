import type { Logger } from 'pino';
import { deepEqual } from '../../patch/index.js';
import { type ObjectService, timestamp } from '../handlers/index.js';
import { StatusError } from '../http/index.js';
import type { ResourceType } from '../registry/index.js';
import type { KubeObject, StoredObject, StoreEvent } from '../storage/index.js';
import {
  type Context,
  FAILURES,
  SIMULATE_DELAY_ANNOTATION,
  SIMULATE_FAILURE_ANNOTATION,
  type Simulated,
  type SimulatedFailure,
} from './context.js';
import { reconcilers } from './controllers.js';
import { controllerOf, parseDuration } from './support.js';

/** Options of {@link startWorkloads}. */
export interface WorkloadsOptions {
  /** How long a scheduled Pod takes to start and become ready (or to complete). Default: 500 ms. */
  readyDelayMs?: number;
  /** The name of the simulated node. Default: `sluice-control-plane`. */
  nodeName?: string;
  /** The clock in milliseconds. Default: `Date.now`. */
  now?: () => number;
  /** Where failed reconciles are logged (at debug, as they are retried). Default: none. */
  logger?: Logger;
}

/** The running simulation. */
export interface WorkloadSimulation {
  /** Stops every controller and timer. */
  stop(): void;
}

const WATCHED: readonly string[] = [
  '/registry/apps/deployments/',
  '/registry/apps/replicasets/',
  '/registry/apps/statefulsets/',
  '/registry/apps/daemonsets/',
  '/registry/batch/jobs/',
  '/registry/core/pods/',
  '/registry/core/persistentvolumeclaims/',
  '/registry/core/nodes/',
  '/registry/core/services/',
];

const OWNER_PREFIX: Record<string, string> = {
  Deployment: '/registry/apps/deployments/',
  ReplicaSet: '/registry/apps/replicasets/',
  StatefulSet: '/registry/apps/statefulsets/',
  DaemonSet: '/registry/apps/daemonsets/',
  Job: '/registry/batch/jobs/',
};

const BUCKET_MS = 20;

/**
 * Starts the simulated node and workload controllers on `service`: they follow the store's watch for the
 * workload kinds only (other writes cost nothing), keep an index from controller uid to dependents, and
 * reconcile each changed object once per burst of events, after the write that caused it. Every write goes
 * through the object service (the status subresource for status) with the real components' field managers,
 * and a reconcile that finds nothing to change writes nothing. Delays run on shared timer buckets.
 */
export function startWorkloads(service: ObjectService, options: WorkloadsOptions = {}): WorkloadSimulation {
  const store = service.store;
  const log = options.logger?.child({ component: 'workloads' });
  const now = options.now ?? Date.now;
  const nodeName = options.nodeName ?? 'sluice-control-plane';
  const delayMs = options.readyDelayMs ?? 500;
  if (!Number.isFinite(delayMs) || delayMs < 0) {
    throw new TypeError(`readyDelayMs must be a non-negative number of milliseconds, got ${delayMs}`);
  }

  const queue = new Set<string>();
  let draining = false;
  let stopped = false;
  const buckets = new Map<number, { timer: NodeJS.Timeout; keys: Set<string> }>();
  const due = new Map<string, number>();
  const attempts = new Map<string, number>();
  const ownerOfKey = new Map<string, string>();
  const childrenOf = new Map<string, Set<string>>();
  const seen = new Map<string, { phase: string; at: number }>();
  let podCounter = 2;
  let balancerCounter = 0;

  const types = new Map<string, ResourceType>();
  const type = (group: string, plural: string): ResourceType => {
    const id = `${group}/${plural}`;
    let rt = types.get(id);
    if (!rt) {
      rt = service.registry.all().find((t) => t.group === group && t.plural === plural && !t.crd);
      if (!rt) throw new Error(`Resource ${id} is not served`);
      types.set(id, rt);
    }
    return rt;
  };

  const enqueue = (key: string) => {
    if (stopped) return;
    queue.add(key);
    if (!draining) {
      draining = true;
      setImmediate(drain);
    }
  };

  const requeue = (key: string, ms: number) => {
    if (stopped) return;
    if (ms <= 0) {
      enqueue(key);
      return;
    }
    const at = Math.ceil((now() + ms) / BUCKET_MS) * BUCKET_MS;
    const existing = due.get(key);
    if (existing !== undefined && existing <= at) return;
    due.set(key, at);
    let bucket = buckets.get(at);
    if (!bucket) {
      const timer = setTimeout(
        () => {
          const fired = buckets.get(at);
          buckets.delete(at);
          for (const k of fired?.keys ?? []) {
            if (due.get(k) === at) due.delete(k);
            enqueue(k);
          }
        },
        Math.max(0, at - now()),
      );
      timer.unref();
      bucket = { timer, keys: new Set() };
      buckets.set(at, bucket);
    }
    bucket.keys.add(key);
  };

  const ownerKeyOf = (object: KubeObject): string | undefined => {
    const ref = controllerOf(object);
    const prefix = ref && OWNER_PREFIX[ref.kind];
    if (!prefix || !ref) return undefined;
    return `${prefix}${object.metadata?.namespace}/${ref.name}`;
  };

  const index = (key: string, object: KubeObject | undefined) => {
    const previous = ownerOfKey.get(key);
    const owner = object ? controllerOf(object)?.uid : undefined;
    if (previous === owner) return;
    if (previous) {
      const set = childrenOf.get(previous);
      set?.delete(key);
      if (set?.size === 0) childrenOf.delete(previous);
    }
    if (owner) {
      ownerOfKey.set(key, owner);
      let set = childrenOf.get(owner);
      if (!set) {
        set = new Set();
        childrenOf.set(owner, set);
      }
      set.add(key);
    } else ownerOfKey.delete(key);
  };

  const onEvent = (event: StoreEvent) => {
    try {
      const { key, object } = event;
      if (event.type === 'DELETED') {
        index(key, undefined);
        const uid = object.metadata?.uid;
        if (uid) seen.delete(uid);
        if (key.startsWith('/registry/core/persistentvolumeclaims/') && object.spec?.volumeName) {
          enqueue(`release:${object.spec.volumeName}:${uid}`);
        }
        if (key.startsWith('/registry/core/nodes/') && object.metadata?.name === nodeName) enqueue('node');
      } else {
        index(key, object);
        enqueue(key);
        // Pods follow a change of their controllers' simulation annotations (a workload told to recover).
        if (event.prevObject && simulationOf(event.prevObject) !== simulationOf(object)) {
          for (const child of childrenOf.get(object.metadata?.uid) ?? []) {
            enqueue(child);
            for (const grandchild of childrenOf.get(store.get(child)?.object.metadata?.uid) ?? [])
              enqueue(grandchild);
          }
        }
      }
      const owner = ownerKeyOf(object);
      if (owner) enqueue(owner);
    } catch (err) {
      log?.warn({ err }, 'workload event dropped');
    }
  };

  const simulationOf = (object: KubeObject): string => {
    const values: unknown[] = [];
    for (const a of [object.metadata?.annotations, object.spec?.template?.metadata?.annotations]) {
      values.push(a?.[SIMULATE_FAILURE_ANNOTATION], a?.[SIMULATE_DELAY_ANNOTATION]);
    }
    return JSON.stringify(values);
  };

  const simulated = (object: KubeObject): Simulated => {
    let failure: SimulatedFailure | undefined;
    let delay: number | undefined;
    let current: KubeObject | undefined = object;
    for (let depth = 0; current && depth < 3; depth++) {
      const annotations = current.metadata?.annotations ?? {};
      const templateAnnotations = current.spec?.template?.metadata?.annotations ?? {};
      for (const a of [annotations, templateAnnotations]) {
        const f = a[SIMULATE_FAILURE_ANNOTATION];
        if (!failure && typeof f === 'string' && FAILURES.has(f)) failure = f as SimulatedFailure;
        delay ??= parseDuration(a[SIMULATE_DELAY_ANNOTATION]);
      }
      const ownerKey = ownerKeyOf(current);
      current = ownerKey ? store.get(ownerKey)?.object : undefined;
    }
    return { failure, delayMs: delay ?? delayMs };
  };

  const ctx: Context = {
    service,
    nodeName,
    delayMs,
    log,
    now,
    type,
    get: (key) => store.get(key),
    children(uid) {
      const out: StoredObject[] = [];
      for (const key of childrenOf.get(uid) ?? []) {
        const stored = store.get(key);
        if (stored && controllerOf(stored.object)?.uid === uid) out.push(stored);
      }
      return out;
    },
    create(rt, object, manager) {
      try {
        return service.create(rt, object.metadata?.namespace, object, {
          fieldManager: manager,
          fieldValidation: 'Ignore',
        }).object;
      } catch (err) {
        if (err instanceof StatusError && err.status === 409) return undefined;
        throw err;
      }
    },
    update(stored, mutate, manager) {
      const draft = structuredClone(stored.object);
      mutate(draft);
      const next = JSON.parse(JSON.stringify(draft)) as KubeObject;
      if (deepEqual(next, stored.object)) return;
      const rt = service.typeOfKey(stored.key);
      if (!rt) return;
      service.replace(rt, stored, next, { fieldManager: manager, fieldValidation: 'Ignore' });
    },
    writeStatus(stored, desired, manager) {
      const status = JSON.parse(JSON.stringify(desired)) as KubeObject;
      if (deepEqual(stored.object.status, status)) return;
      const rt = service.typeOfKey(stored.key);
      if (!rt) return;
      const next = { ...structuredClone(stored.object), status };
      service.replace(rt, stored, next, {
        fieldManager: manager,
        subresource: 'status',
        fieldValidation: 'Ignore',
      });
    },
    remove(stored) {
      const rt = service.typeOfKey(stored.key);
      if (!rt) return;
      const meta = stored.object.metadata;
      try {
        service.delete(rt, meta.namespace, meta.name, {
          propagationPolicy: 'Background',
          preconditions: { uid: meta.uid },
        });
      } catch (err) {
        if (!(err instanceof StatusError && (err.status === 404 || err.status === 409))) throw err;
      }
    },
    requeue,
    simulated,
    forget(id) {
      seen.delete(id);
    },
    since(uid, phase) {
      const entry = seen.get(uid);
      if (!entry || entry.phase !== phase) {
        seen.set(uid, { phase, at: now() });
        return 0;
      }
      return now() - entry.at;
    },
    loadBalancerIP() {
      return `172.18.255.${(balancerCounter++ % 254) + 1}`;
    },
    podIP() {
      const n = podCounter++;
      return `10.244.${(n >> 8) & 255}.${n & 255}`;
    },
  };

  const work = (key: string) => {
    if (key === 'node') {
      reconcilers.node(ctx, key, undefined as unknown as StoredObject);
      return;
    }
    if (key.startsWith('release:')) {
      const [, pv, uid] = key.split(':');
      const stored = store.get(`/registry/core/persistentvolumes/${pv}`);
      if (stored && stored.object.spec?.claimRef?.uid === uid) ctx.remove(stored);
      return;
    }
    const stored = store.get(key);
    if (!stored) return;
    const kind = key.split('/')[3];
    const reconcile = kind ? reconcilers[kind] : undefined;
    reconcile?.(ctx, key, stored);
  };

  function drain() {
    const batch = [...queue];
    queue.clear();
    for (const key of batch) {
      if (stopped) break;
      try {
        work(key);
        attempts.delete(key);
      } catch (err) {
        const n = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, n);
        log?.debug({ err, key, attempt: n }, 'workload reconcile failed; retrying');
        requeue(key, Math.min(200 * 2 ** (n - 1), 10_000));
      }
    }
    if (queue.size > 0 && !stopped) setImmediate(drain);
    else draining = false;
  }

  // Resume from what is stored: index every watched object, then follow each write.
  const revision = store.currentRevision;
  const stops: (() => void)[] = [];
  for (const prefix of WATCHED) {
    for (const item of store.list(prefix, { revision }).items) {
      index(item.key, item.object);
      queue.add(item.key);
      for (const ingress of item.object.status?.loadBalancer?.ingress ?? []) {
        const last = Number(String(ingress?.ip ?? '').split('.')[3]);
        if (Number.isInteger(last)) balancerCounter = Math.max(balancerCounter, last);
      }
      const ip = item.object.status?.podIP;
      if (typeof ip === 'string' && ip.startsWith('10.244.')) {
        const [, , c, d] = ip.split('.').map(Number);
        podCounter = Math.max(podCounter, (c! << 8) + d! + 1);
      }
    }
  }
  for (const prefix of WATCHED) stops.push(store.watch(prefix, revision, onEvent));
  enqueue('node');
  log?.debug({ delayMs, node: nodeName, at: timestamp(new Date(now())) }, 'workload simulation started');

  return {
    stop() {
      stopped = true;
      for (const s of stops) s();
      for (const b of buckets.values()) clearTimeout(b.timer);
      buckets.clear();
      queue.clear();
    },
  };
}
