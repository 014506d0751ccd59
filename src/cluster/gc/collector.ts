import type { Logger } from 'pino';
import {
  CRD_CLEANUP_FINALIZER,
  FOREGROUND_FINALIZER,
  type ObjectService,
  ORPHAN_FINALIZER,
} from '../handlers/index.js';
import { StatusError } from '../http/index.js';
import type { ResourceType } from '../registry/index.js';
import type { KubeObject, StoredObject, StoreEvent } from '../storage/index.js';

/** Options of {@link startGarbageCollector}. */
export interface GarbageCollectorOptions {
  logger?: Logger;
  /** Delay before retrying work that failed or must wait. Default: 200 ms. */
  retryMs?: number;
  /** How long Events are kept after their last occurrence, as the API server's `--event-ttl`. Default: 1 hour. */
  eventTtlMs?: number;
  /** The clock. Default: `() => Date.now()`. */
  now?: () => number;
}

/** A running garbage collector. */
export interface GarbageCollector {
  /** Resolves when no work is queued or running and no committed write is left to hear of. */
  idle(): Promise<void>;
  /** Deletes the Events older than the event TTL now (it also runs once a minute). */
  expireEvents(): void;
  /** Stops watching and drops queued work. */
  stop(): void;
}

const NAMESPACE_PREFIX = '/registry/core/namespaces/';
const CRD_PREFIX = '/registry/apiextensions.k8s.io/customresourcedefinitions/';
const GC_MANAGER = 'sluice-garbage-collector';

interface OwnerReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  blockOwnerDeletion?: boolean;
}

function ownerRefs(object: KubeObject | undefined): OwnerReference[] {
  const refs = object?.metadata?.ownerReferences;
  return Array.isArray(refs) ? refs : [];
}

function namespaceOfKey(key: string): string | undefined {
  const parts = key.split('/');
  return parts.length === 6 ? parts[4] : undefined;
}

/**
 * Starts the garbage collector of the embedded cluster: it finishes what deletions leave pending. Owners' uids
 * are indexed to find dependents; Background deletion removes dependents whose owners are all gone; the
 * `foregroundDeletion` finalizer deletes dependents first; `orphan` strips their owner references; terminating
 * namespaces lose their contents and then themselves; deleted CRDs lose their instances. Work runs after the
 * write that caused it, never inside it, and resumes after a restart from what is stored.
 */
export function startGarbageCollector(
  service: ObjectService,
  options: GarbageCollectorOptions = {},
): GarbageCollector {
  const store = service.store;
  const retryMs = options.retryMs ?? 200;
  const log = options.logger;
  const uidToKey = new Map<string, string>();
  const dependents = new Map<string, Set<string>>();
  const keyToOwners = new Map<string, string[]>();
  const queue = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let draining = false;
  let stopped = false;
  let idleWaiters: (() => void)[] = [];

  const index = (key: string, object: KubeObject | undefined) => {
    const previous = keyToOwners.get(key) ?? [];
    for (const uid of previous) dependents.get(uid)?.delete(key);
    keyToOwners.delete(key);
    if (!object) return;
    const uid = object.metadata?.uid;
    if (uid) uidToKey.set(uid, key);
    const owners = ownerRefs(object)
      .map((r) => r.uid)
      .filter((u): u is string => typeof u === 'string');
    if (owners.length > 0) {
      keyToOwners.set(key, owners);
      for (const owner of owners) {
        let set = dependents.get(owner);
        if (!set) {
          set = new Set();
          dependents.set(owner, set);
        }
        set.add(key);
      }
    }
  };

  const enqueue = (item: string) => {
    if (stopped) return;
    queue.add(item);
    if (!draining) {
      draining = true;
      setImmediate(drain);
    }
  };

  const later = (item: string) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      enqueue(item);
    }, retryMs);
    timers.add(timer);
  };

  const onEvent = (event: StoreEvent) => {
    const { key, object } = event;
    if (event.type === 'DELETED') {
      const uid = object.metadata?.uid;
      index(key, undefined);
      if (uid && uidToKey.get(uid) === key) uidToKey.delete(uid);
      if (uid && (dependents.get(uid)?.size ?? 0) > 0) enqueue(`owner-gone:${uid}`);
      for (const ref of ownerRefs(object)) {
        const ownerKey = ref.uid ? uidToKey.get(ref.uid) : undefined;
        if (ownerKey) enqueue(`finalize:${ownerKey}`);
      }
      const ns = namespaceOfKey(key);
      if (ns) enqueue(`finalize:${NAMESPACE_PREFIX}${ns}`);
      const [, , group, plural] = key.split('/');
      if (group && group !== 'core' && plural) enqueue(`finalize:${CRD_PREFIX}${plural}.${group}`);
      return;
    }
    index(key, object);
    if (object.metadata?.deletionTimestamp) enqueue(`finalize:${key}`);
    if (event.type === 'ADDED' && ownerRefs(object).length > 0) enqueue(`orphaned:${key}`);
  };

  // Index what is stored, then follow every write.
  const initial = store.list('/registry/');
  for (const item of initial.items) index(item.key, item.object);
  const stopWatch = store.watch('/registry/', initial.revision, onEvent);

  // Events expire like the API server's (which gives them an etcd lease): swept once a minute.
  const eventTtl = options.eventTtlMs ?? 3600_000;
  const now = options.now ?? (() => Date.now());
  const sweepEvents = () => {
    const cutoff = now() - eventTtl;
    for (const item of store.list('/registry/core/events/').items) {
      const e = item.object;
      const last = Date.parse(
        e.lastTimestamp ?? e.series?.lastObservedTime ?? e.eventTime ?? e.metadata?.creationTimestamp,
      );
      if (Number.isFinite(last) && last < cutoff) {
        try {
          store.delete(item.key, item.revision);
        } catch {
          // Changed meanwhile: the next sweep looks again.
        }
      }
    }
  };
  const sweeper = setInterval(() => {
    try {
      sweepEvents();
    } catch (err) {
      log?.warn({ err }, 'event expiry failed');
    }
  }, 60_000);
  sweeper.unref();
  for (const item of initial.items) {
    if (item.object.metadata?.deletionTimestamp) enqueue(`finalize:${item.key}`);
    if (ownerRefs(item.object).length > 0) enqueue(`orphaned:${item.key}`);
  }

  const typeOf = (key: string): ResourceType | undefined => service.typeOfKey(key);

  /** Deletes one object with a propagation policy; missing objects and conflicts are fine. */
  const remove = (stored: StoredObject, policy: 'Background' | 'Foreground' | 'Orphan' = 'Background') => {
    const rt = typeOf(stored.key);
    if (!rt) {
      store.delete(stored.key);
      return;
    }
    const meta = stored.object.metadata;
    try {
      service.delete(rt, meta.namespace, meta.name, {
        propagationPolicy: policy,
        preconditions: { uid: meta.uid },
      });
    } catch (err) {
      if (!(err instanceof StatusError && (err.status === 404 || err.status === 409))) throw err;
    }
  };

  /** Writes `mutate(copy)` back through the object service (as an update by the collector). */
  const rewrite = (stored: StoredObject, mutate: (object: KubeObject) => void, subresource?: string) => {
    const rt = typeOf(stored.key);
    const next = structuredClone(stored.object);
    mutate(next);
    if (!rt) {
      store.update(stored.key, next, stored.revision);
      return;
    }
    service.replace(rt, stored, next, { fieldManager: GC_MANAGER, subresource, fieldValidation: 'Ignore' });
  };

  const removeFinalizer = (stored: StoredObject, finalizer: string) => {
    rewrite(stored, (o) => {
      o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f: string) => f !== finalizer);
      if (o.metadata.finalizers.length === 0) delete o.metadata.finalizers;
    });
  };

  const finalizeNamespace = (stored: StoredObject): boolean => {
    const ns = stored.object.metadata.name as string;
    let remaining = 0;
    const seen = new Set<string>();
    for (const rt of service.registry.all()) {
      if (!rt.namespaced) continue;
      const prefix = service.prefix(rt, ns);
      if (seen.has(prefix)) continue;
      seen.add(prefix);
      for (const item of store.list(prefix).items) {
        remaining++;
        if (!item.object.metadata?.deletionTimestamp) remove(item);
      }
    }
    if (remaining > 0) return false;
    const finalizers: string[] = stored.object.spec?.finalizers ?? [];
    if (finalizers.includes('kubernetes')) {
      const current = store.get(stored.key);
      if (current) {
        rewrite(
          current,
          (o) => {
            o.spec.finalizers = finalizers.filter((f) => f !== 'kubernetes');
          },
          'finalize',
        );
      }
    }
    return true;
  };

  const finalizeCRD = (stored: StoredObject): boolean => {
    const name = stored.object.metadata.name as string;
    const types = service.registry.all().filter((rt) => rt.crd === name);
    let remaining = 0;
    const seen = new Set<string>();
    for (const rt of types) {
      const prefix = service.prefix(rt);
      if (seen.has(prefix)) continue;
      seen.add(prefix);
      for (const item of store.list(prefix).items) {
        remaining++;
        if (!item.object.metadata?.deletionTimestamp) remove(item);
      }
    }
    if (remaining > 0) return false;
    removeFinalizer(stored, CRD_CLEANUP_FINALIZER);
    return true;
  };

  const finalize = (key: string): boolean => {
    let stored = store.get(key);
    if (!stored?.object.metadata?.deletionTimestamp) return true;
    if (key.startsWith(NAMESPACE_PREFIX) && key.split('/').length === 5) {
      if (!finalizeNamespace(stored)) return false;
      // Propagation finalizers (a Foreground or Orphan delete of the namespace) go next.
      stored = store.get(key);
      if (!stored) return true;
    }
    const finalizers: string[] = stored.object.metadata.finalizers ?? [];
    const uid = stored.object.metadata.uid as string;
    if (finalizers.includes(ORPHAN_FINALIZER)) {
      for (const depKey of [...(dependents.get(uid) ?? [])]) {
        const dep = store.get(depKey);
        if (!dep) continue;
        rewrite(dep, (o) => {
          o.metadata.ownerReferences = ownerRefs(o).filter((r) => r.uid !== uid);
          if (o.metadata.ownerReferences.length === 0) delete o.metadata.ownerReferences;
        });
      }
      stored = store.get(key);
      if (!stored) return true;
      removeFinalizer(stored, ORPHAN_FINALIZER);
      return true;
    }
    if (finalizers.includes(FOREGROUND_FINALIZER)) {
      let blocking = 0;
      for (const depKey of [...(dependents.get(uid) ?? [])]) {
        const dep = store.get(depKey);
        if (!dep) continue;
        const ref = ownerRefs(dep.object).find((r) => r.uid === uid);
        if (ref?.blockOwnerDeletion) blocking++;
        if (!dep.object.metadata?.deletionTimestamp) remove(dep, 'Foreground');
      }
      if (blocking > 0) return false;
      stored = store.get(key);
      if (!stored) return true;
      removeFinalizer(stored, FOREGROUND_FINALIZER);
      return true;
    }
    if (key.startsWith(CRD_PREFIX) && finalizers.includes(CRD_CLEANUP_FINALIZER)) return finalizeCRD(stored);
    return true;
  };

  /** Handles dependents of an owner that is gone: delete those left without owners, unlink the others. */
  const ownerGone = (uid: string) => {
    for (const depKey of [...(dependents.get(uid) ?? [])]) {
      const dep = store.get(depKey);
      if (!dep) continue;
      orphaned(dep);
    }
  };

  /** Deletes a dependent whose owners are all gone; drops references to owners that are gone. */
  const orphaned = (dep: StoredObject) => {
    const refs = ownerRefs(dep.object);
    if (refs.length === 0) return;
    const ns = dep.object.metadata?.namespace;
    const alive = refs.filter((r) => {
      const ownerKey = r.uid ? uidToKey.get(r.uid) : undefined;
      if (!ownerKey) return false;
      // Owners of namespaced dependents live in the same namespace or are cluster-scoped.
      const ownerNs = namespaceOfKey(ownerKey);
      return ownerNs === undefined || ownerNs === ns;
    });
    if (alive.length === refs.length) return;
    if (alive.length === 0) {
      if (!dep.object.metadata?.deletionTimestamp) {
        log?.debug({ key: dep.key }, 'deleting dependent whose owners are gone');
        remove(dep);
      }
      return;
    }
    rewrite(dep, (o) => {
      o.metadata.ownerReferences = alive;
    });
  };

  const work = (item: string): boolean => {
    const colon = item.indexOf(':');
    const kind = item.slice(0, colon);
    const arg = item.slice(colon + 1);
    if (kind === 'finalize') return finalize(arg);
    if (kind === 'owner-gone') {
      ownerGone(arg);
      return true;
    }
    if (kind === 'orphaned') {
      const dep = store.get(arg);
      if (dep) orphaned(dep);
      return true;
    }
    return true;
  };

  function drain() {
    while (queue.size > 0 && !stopped) {
      const item = queue.values().next().value as string;
      queue.delete(item);
      try {
        if (!work(item)) later(item);
      } catch (err) {
        log?.warn({ err, item }, 'garbage collection step failed; retrying');
        later(item);
      }
    }
    draining = false;
    if (queue.size === 0 && timers.size === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  return {
    async idle() {
      // Writes reach the collector only once their batch commits, and its own deletes open new batches.
      while (!stopped) {
        await store.whenCommitted().catch(() => undefined);
        if (!draining && queue.size === 0 && timers.size === 0) {
          if (!store.pending) return;
          continue;
        }
        await new Promise<void>((resolve) => idleWaiters.push(resolve));
      }
    },
    expireEvents() {
      sweepEvents();
    },
    stop() {
      stopped = true;
      clearInterval(sweeper);
      stopWatch();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      queue.clear();
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    },
  };
}
