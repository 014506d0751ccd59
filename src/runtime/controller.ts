import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { Clock, Informer, KubeObject } from '../kube/index.js';
import { systemClock } from '../kube/index.js';
import { jitter } from './jitter.js';
import type { RuntimeMetrics } from './metrics.js';
import { WorkQueue } from './work-queue.js';

/** What a reconciler is asked to converge: one object by namespace (`''` when cluster-scoped) and name. */
export interface ReconcileRequest {
  namespace: string;
  name: string;
}

/** What a reconcile asks for next. Nothing = done until something changes. */
export interface ReconcileResult {
  /** Reconcile again after this long (jittered by the controller). */
  requeueAfterMs?: number;
}

/** Context of one reconcile. */
export interface ReconcileContext {
  /** Aborted when the controller stops or the reconcile times out. */
  signal: AbortSignal;
  /** Logger with `controller`, `kind`, `namespace`, `name` and `reconcileId`. */
  log: Logger;
  /** Unique id of this reconcile. */
  reconcileId: string;
  /** The controller's name. */
  controller: string;
}

/**
 * Converges one object. Return a result (or nothing) on success; throw to retry with backoff; throw a
 * `TerminalError` (code `Terminal`) to stop retrying until the object changes.
 */
export interface Reconciler {
  reconcile(ctx: ReconcileContext, req: ReconcileRequest): Promise<ReconcileResult | undefined>;
}

/** Options of {@link Controller}. */
export interface ControllerOptions {
  /** The controller's name, in logs and metrics, e.g. `kustomization`. */
  name: string;
  /** The kind it reconciles, in logs and `gotk_reconcile_duration_seconds`, e.g. `Kustomization`. */
  kind: string;
  /** Reconciles running at once (`--concurrent`). The same key never runs twice at once. Default: 4. */
  concurrent?: number;
  /** First retry delay after a failure (`--min-retry-delay`). Default: 750 ms. */
  minRetryDelayMs?: number;
  /** Longest retry delay (`--max-retry-delay`). Default: 900 000 ms. */
  maxRetryDelayMs?: number;
  /** Requeue intervals are spread by ± this fraction. Default: 0.05. */
  intervalJitter?: number;
  /** Bound of the work queue. Default: 100 000. */
  maxQueueSize?: number;
  /** Abort a reconcile after this long. Default: none. */
  reconcileTimeoutMs?: number;
}

/** Dependencies of {@link Controller}. */
export interface ControllerDeps {
  reconciler: Reconciler;
  /** Default: silent. */
  logger?: Logger;
  /** Default: {@link systemClock}. */
  clock?: Clock;
  /** Uniform random in [0, 1), for jitter. Default: `Math.random`. */
  random?: () => number;
  /** Default: none. */
  metrics?: RuntimeMetrics;
}

/** A change seen by an informer, as predicates see it. */
export interface ChangeEvent<T extends KubeObject = KubeObject> {
  type: 'add' | 'update' | 'delete';
  obj: T;
  /** The previous state, for updates. */
  old?: T;
}

/** Decides whether a change should enqueue a reconcile. */
export type Predicate<T extends KubeObject = KubeObject> = (event: ChangeEvent<T>) => boolean;

/** Options of {@link Controller.watch}. */
export interface WatchMapOptions<T extends KubeObject = KubeObject> {
  /** Maps a changed object to the requests it affects. Default: the object itself. */
  map?: (obj: T) => ReconcileRequest[];
  /** Filters changes. Default: every change. */
  predicate?: Predicate<T>;
}

/** Formats a request as its queue key: `namespace/name`, or `name` when cluster-scoped. */
export function requestKey(req: ReconcileRequest): string {
  return req.namespace ? `${req.namespace}/${req.name}` : req.name;
}

/** Parses a queue key back into a request. */
export function parseRequestKey(key: string): ReconcileRequest {
  const slash = key.indexOf('/');
  return slash < 0
    ? { namespace: '', name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * Runs a reconciler over a work queue: informer changes enqueue requests, `concurrent` workers reconcile
 * them (never the same key twice at once), failures retry with exponential backoff, `TerminalError`s do not
 * retry, and `requeueAfterMs` comes back with jitter. Logs and metrics for every reconcile.
 */
export class Controller {
  readonly name: string;
  readonly kind: string;
  readonly queue: WorkQueue;
  readonly #deps: Required<Omit<ControllerDeps, 'metrics'>> & { metrics?: RuntimeMetrics };
  readonly #options: Required<Omit<ControllerOptions, 'reconcileTimeoutMs'>> & {
    reconcileTimeoutMs?: number;
  };
  readonly #unsubscribe: (() => void)[] = [];
  #running: Promise<void> | undefined;
  #abort: AbortController | undefined;

  constructor(deps: ControllerDeps, options: ControllerOptions) {
    const concurrent = options.concurrent ?? 4;
    if (!Number.isInteger(concurrent) || concurrent < 1) {
      throw new Error(`Controller ${options.name}: concurrent must be a positive integer, got ${concurrent}`);
    }
    this.name = options.name;
    this.kind = options.kind;
    this.#options = {
      name: options.name,
      kind: options.kind,
      concurrent,
      minRetryDelayMs: options.minRetryDelayMs ?? 750,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 900_000,
      intervalJitter: options.intervalJitter ?? 0.05,
      maxQueueSize: options.maxQueueSize ?? 100_000,
      ...(options.reconcileTimeoutMs ? { reconcileTimeoutMs: options.reconcileTimeoutMs } : {}),
    };
    this.#deps = {
      reconciler: deps.reconciler,
      logger: (deps.logger ?? pino({ level: 'silent' })).child({ controller: options.name }),
      clock: deps.clock ?? systemClock,
      random: deps.random ?? Math.random,
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
    };
    const m = deps.metrics;
    const name = options.name;
    this.queue = new WorkQueue(
      {
        clock: this.#deps.clock,
        hooks: m
          ? {
              onAdd: () => {
                m.queueAdds.inc({ name });
                m.queueDepth.set({ name }, this.queue?.length ?? 0);
              },
              onRetry: () => m.queueRetries.inc({ name }),
              onDrop: () => m.queueDropped.inc({ name }),
              onWait: (ms) => m.queueLatency.observe({ name }, ms / 1000),
            }
          : {},
      },
      {
        baseDelayMs: this.#options.minRetryDelayMs,
        maxDelayMs: this.#options.maxRetryDelayMs,
        maxSize: this.#options.maxQueueSize,
      },
    );
    m?.maxConcurrent.set({ controller: name }, concurrent);
  }

  /** Enqueues a reconcile now. */
  enqueue(req: ReconcileRequest): void {
    if (!this.queue.add(requestKey(req))) {
      this.#deps.logger.warn(
        { namespace: req.namespace, name: req.name },
        'work queue full, request dropped',
      );
    }
  }

  /** Enqueues a reconcile after `delayMs` (not jittered). */
  enqueueAfter(req: ReconcileRequest, delayMs: number): void {
    this.queue.addAfter(requestKey(req), delayMs);
  }

  /** Enqueues reconciles for changes an informer sees, mapped and filtered. Returns the unsubscribe function. */
  watch<T extends KubeObject>(informer: Informer<T>, options: WatchMapOptions<T> = {}): () => void {
    const map =
      options.map ?? ((o: T) => [{ namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '' }]);
    const pass = options.predicate ?? (() => true);
    const handle = (event: ChangeEvent<T>) => {
      if (!pass(event)) return;
      for (const req of map(event.obj)) this.enqueue(req);
    };
    const off = informer.addHandler({
      onAdd: (obj) => handle({ type: 'add', obj }),
      onUpdate: (old, obj) => handle({ type: 'update', obj, old }),
      onDelete: (obj) => handle({ type: 'delete', obj }),
    });
    this.#unsubscribe.push(off);
    return off;
  }

  /** Starts the workers. Resolves when they have stopped (after {@link Controller.stop} or `signal`). */
  start(signal?: AbortSignal): Promise<void> {
    if (this.#running) return this.#running;
    this.#abort = new AbortController();
    const inner = this.#abort.signal;
    // Every worker's reconcile listens to it: as many listeners as workers is expected, not a leak.
    setMaxListeners(0, inner);
    signal?.addEventListener('abort', () => this.#abort?.abort(), { once: true });
    const workers = Array.from({ length: this.#options.concurrent }, () => this.#worker(inner));
    this.#running = Promise.all(workers).then(() => undefined);
    return this.#running;
  }

  /** Stops taking work, aborts running reconciles and waits for the workers. */
  async stop(): Promise<void> {
    for (const off of this.#unsubscribe.splice(0)) off();
    this.queue.shutDown();
    this.#abort?.abort();
    await this.#running;
  }

  async #worker(signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.queue.get(signal);
      if (key === undefined) return;
      try {
        await this.#reconcileKey(key, signal);
      } finally {
        this.queue.done(key);
        this.#deps.metrics?.queueDepth.set({ name: this.name }, this.queue.length);
      }
    }
  }

  async #reconcileKey(key: string, stop: AbortSignal): Promise<void> {
    const { reconciler, logger, clock, random, metrics } = this.#deps;
    const req = parseRequestKey(key);
    const reconcileId = randomUUID();
    const log = logger.child({ kind: this.kind, namespace: req.namespace, name: req.name, reconcileId });
    const abort = new AbortController();
    // A reconcile's requests in flight each listen to it.
    setMaxListeners(0, abort.signal);
    const onStop = () => abort.abort(stop.reason);
    stop.addEventListener('abort', onStop, { once: true });
    const timeoutMs = this.#options.reconcileTimeoutMs;
    const timer = timeoutMs
      ? clock.setTimeout(() => abort.abort(new Error(`reconcile timed out after ${timeoutMs} ms`)), timeoutMs)
      : undefined;
    const started = clock.now();
    metrics?.activeWorkers.inc({ controller: this.name });
    let result: 'success' | 'error' | 'requeue_after' = 'success';
    try {
      const res = await reconciler.reconcile(
        { signal: abort.signal, log, reconcileId, controller: this.name },
        req,
      );
      this.queue.forget(key);
      const after = res?.requeueAfterMs;
      if (after !== undefined && after > 0) {
        result = 'requeue_after';
        this.queue.addAfter(key, jitter(after, this.#options.intervalJitter, random));
      }
    } catch (err) {
      result = 'error';
      metrics?.reconcileErrors.inc({ controller: this.name });
      if (stop.aborted) {
        log.debug({ err: (err as Error).message }, 'reconcile interrupted by shutdown');
      } else if ((err as { code?: unknown }).code === 'Terminal') {
        this.queue.forget(key);
        log.error({ err: (err as Error).message }, 'Reconciler error, not retrying');
      } else {
        const delay = this.queue.addRateLimited(key);
        log.error({ err: (err as Error).message, retryInMs: delay }, 'Reconciler error');
      }
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
      const seconds = (clock.now() - started) / 1000;
      if (metrics) {
        metrics.activeWorkers.dec({ controller: this.name });
        metrics.reconcileTotal.inc({ controller: this.name, result });
        metrics.reconcileTime.observe({ controller: this.name }, seconds);
        metrics.reconcileDuration.observe(
          { kind: this.kind, name: req.name, namespace: req.namespace },
          seconds,
        );
      }
    }
  }
}

/** Common predicates for {@link Controller.watch}. */
export const predicates = {
  /** Passes adds, deletes, and updates that change `metadata.generation` (or objects without one). */
  generationChanged: ((e) =>
    e.type !== 'update' ||
    e.old?.metadata.generation === undefined ||
    e.old.metadata.generation !== e.obj.metadata.generation) as Predicate,
  /** Passes updates that change annotations (e.g. `reconcile.fluxcd.io/requestedAt`). */
  annotationsChanged: ((e) =>
    e.type !== 'update' ||
    JSON.stringify(e.old?.metadata.annotations ?? {}) !==
      JSON.stringify(e.obj.metadata.annotations ?? {})) as Predicate,
  /** Passes updates that change labels. */
  labelsChanged: ((e) =>
    e.type !== 'update' ||
    JSON.stringify(e.old?.metadata.labels ?? {}) !==
      JSON.stringify(e.obj.metadata.labels ?? {})) as Predicate,
  /** Passes updates that set `deletionTimestamp` (finalizer changes alone do not pass). */
  deletionChanged: ((e) =>
    e.type !== 'update' ||
    e.old?.metadata.deletionTimestamp !== e.obj.metadata.deletionTimestamp) as Predicate,
  /** Passes when any of the predicates passes. */
  any:
    <T extends KubeObject>(...ps: Predicate<T>[]): Predicate<T> =>
    (e) =>
      ps.some((p) => p(e)),
  /** Passes when all of the predicates pass. */
  all:
    <T extends KubeObject>(...ps: Predicate<T>[]): Predicate<T> =>
    (e) =>
      ps.every((p) => p(e)),
};

/**
 * The default filter for a controller's own kind: spec changes (generation), annotation and label changes
 * (reconcile requests), deletion; status-only writes do not trigger a reconcile.
 */
export const primaryPredicate: Predicate = predicates.any(
  predicates.generationChanged,
  predicates.annotationsChanged,
  predicates.labelsChanged,
  predicates.deletionChanged,
);
