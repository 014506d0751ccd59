import type { Logger } from 'pino';
import { pino } from 'pino';
import type { Clock, TimerHandle } from './clock.js';
import { sleep, systemClock } from './clock.js';
import { apiErrorOf, isGone } from './errors.js';
import type { KubeClient } from './kube-client.js';
import { ObjectStore, storeKey } from './object-store.js';
import type { KubeObject, KubeStatus, TypeRef } from './types.js';

/** Callbacks for changes seen by an {@link Informer}. Exceptions are logged, never propagated. */
export interface InformerHandler<T extends KubeObject = KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

/** What an informer watches: a kind, optionally one namespace and selectors. */
export interface InformerScope {
  /** Watch one namespace; all namespaces when absent. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** Rewrites an object before an {@link Informer} stores it and hands it to handlers. */
export type CacheTransform = (obj: KubeObject) => KubeObject;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * The default {@link CacheTransform}: drops `metadata.managedFields` and the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation, which controllers never read from a cache and
 * which often outweigh the rest of an object. Objects read from the API server directly keep both.
 */
export function stripCacheNoise(obj: KubeObject): KubeObject {
  const meta = obj.metadata;
  if (!meta) return obj;
  if (meta.managedFields !== undefined) delete meta.managedFields;
  const annotations = meta.annotations;
  if (annotations && LAST_APPLIED in annotations) {
    delete annotations[LAST_APPLIED];
    if (Object.keys(annotations).length === 0) delete meta.annotations;
  }
  return obj;
}

/** Options of {@link Informer}. */
export interface InformerOptions extends InformerScope {
  /**
   * Rewrites each listed or watched object before it is stored (and seen by handlers); it may change the
   * object in place. Pass `null` to keep objects exactly as served. Default: {@link stripCacheNoise}.
   */
  transform?: CacheTransform | null;
  /** Watch requests last between this and twice this many seconds (random), then resume. Default: 300. */
  watchTimeoutSeconds?: number;
  /** First wait after a failed list or watch; doubles up to `retryMaxMs`. Default: 1000 ms. */
  retryMinMs?: number;
  /** Default: 30 000 ms. */
  retryMaxMs?: number;
}

/** Dependencies of {@link Informer}. */
export interface InformerDeps {
  kube: KubeClient;
  /** Default: silent. */
  logger?: Logger;
  /** Default: {@link systemClock}. */
  clock?: Clock;
  /** Uniform random in [0, 1), for watch timeouts. Default: `Math.random`. */
  random?: () => number;
}

/**
 * Keeps an {@link ObjectStore} in step with the API server: lists, then watches from the list's
 * resourceVersion with bookmarks, resumes watches that end, relists after `410 Gone`, retries failures with
 * backoff, and calls handlers on add, update and delete.
 */
export class Informer<T extends KubeObject = KubeObject> {
  /** The cache this informer fills. */
  readonly store = new ObjectStore<T>();
  /** The watched kind. */
  readonly type: TypeRef;
  readonly #deps: Required<InformerDeps>;
  readonly #options: InformerOptions;
  readonly #transform: CacheTransform | null;
  readonly #handlers = new Set<InformerHandler<T>>();
  readonly #syncWaiters: (() => void)[] = [];
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #synced = false;
  #resourceVersion: string | undefined;
  #lists = 0;

  constructor(deps: InformerDeps, type: TypeRef, options: InformerOptions = {}) {
    this.type = { apiVersion: type.apiVersion, kind: type.kind };
    this.#deps = {
      kube: deps.kube,
      logger: (deps.logger ?? pino({ level: 'silent' })).child({
        informer: `${type.kind}.${type.apiVersion}`,
        ...(options.namespace ? { namespace: options.namespace } : {}),
      }),
      clock: deps.clock ?? systemClock,
      random: deps.random ?? Math.random,
    };
    this.#options = options;
    this.#transform = options.transform === undefined ? stripCacheNoise : options.transform;
  }

  /** True once the first list has filled the store. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** How many full lists were made (1 after start, +1 per relist). */
  get listCount(): number {
    return this.#lists;
  }

  /** The last resourceVersion seen (list, event or bookmark). */
  get resourceVersion(): string | undefined {
    return this.#resourceVersion;
  }

  /**
   * Registers handlers. When the store already holds objects, `onAdd` is called for each of them first, so a
   * late subscriber misses nothing. Returns a function that unregisters them.
   */
  addHandler(handler: InformerHandler<T>): () => void {
    this.#handlers.add(handler);
    if (handler.onAdd) for (const obj of this.store.list()) this.#call(() => handler.onAdd!(obj));
    return () => this.#handlers.delete(handler);
  }

  /** Starts listing and watching in the background. Calling it again does nothing. */
  start(): void {
    if (this.#loop) return;
    this.#abort = new AbortController();
    this.#loop = this.#run(this.#abort.signal);
  }

  /** Stops watching and waits for the loop to end. */
  async stop(): Promise<void> {
    this.#abort?.abort();
    await this.#loop;
    this.#loop = undefined;
  }

  /** Resolves once the first list has filled the store; rejects when `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal?.reason ?? new Error('aborted'));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  async #run(signal: AbortSignal): Promise<void> {
    const { kube, logger, clock, random } = this.#deps;
    const minMs = this.#options.retryMinMs ?? 1000;
    const maxMs = this.#options.retryMaxMs ?? 30_000;
    const watchSeconds = this.#options.watchTimeoutSeconds ?? 300;
    let failures = 0;
    let watchGuard: AbortController | undefined;
    let guardTimer: TimerHandle | undefined;
    const scope = {
      ...(this.#options.namespace ? { namespace: this.#options.namespace } : {}),
      ...(this.#options.labelSelector ? { labelSelector: this.#options.labelSelector } : {}),
      ...(this.#options.fieldSelector ? { fieldSelector: this.#options.fieldSelector } : {}),
    };
    while (!signal.aborted) {
      try {
        if (this.#resourceVersion === undefined) {
          const list = await kube.list<T>(this.type, { ...scope, signal });
          this.#lists++;
          this.#replace(list.items);
          this.#resourceVersion = list.metadata.resourceVersion ?? '';
          this.#markSynced();
        }
        const timeoutSeconds = Math.floor(watchSeconds * (1 + random()));
        // The server ends the watch after timeoutSeconds; if the connection dies silently instead, this
        // guard ends it a little later so the informer resumes rather than hanging.
        watchGuard = new AbortController();
        const guard = watchGuard;
        guardTimer = clock.setTimeout(() => guard.abort(), (timeoutSeconds + 30) * 1000);
        const events = kube.watch<T>(this.type, {
          ...scope,
          signal: AbortSignal.any([signal, guard.signal]),
          resourceVersion: this.#resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds,
        });
        const watchStarted = clock.now();
        let received = 0;
        for await (const event of events) {
          failures = 0;
          received++;
          if (event.type === 'ERROR') {
            const status = event.object as unknown as KubeStatus;
            if (status.code === 410) {
              logger.debug({ resourceVersion: this.#resourceVersion }, 'watch expired, relisting');
              this.#resourceVersion = undefined;
              break;
            }
            throw new Error(
              `watch error ${status.code ?? ''} ${status.reason ?? ''}: ${status.message ?? ''}`,
            );
          }
          const rv = event.object.metadata?.resourceVersion;
          if (event.type === 'BOOKMARK') {
            if (rv) this.#resourceVersion = rv;
            continue;
          }
          this.#apply(event.type, event.object);
          if (rv) this.#resourceVersion = rv;
        }
        // A server that ends watches at once would otherwise be asked again in a tight loop.
        if (received === 0 && clock.now() - watchStarted < minMs && this.#resourceVersion !== undefined) {
          await sleep(minMs, { clock, signal });
        }
      } catch (err) {
        if (signal.aborted) return;
        if (watchGuard?.signal.aborted) continue;
        if (isGone(err)) {
          this.#resourceVersion = undefined;
          continue;
        }
        failures++;
        const delay = Math.min(maxMs, minMs * 2 ** (failures - 1));
        logger.warn(
          { err: (err as Error).message, status: apiErrorOf(err)?.status, retryInMs: delay },
          'list/watch failed',
        );
        try {
          await sleep(delay, { clock, signal });
        } catch {
          return;
        }
      } finally {
        if (guardTimer !== undefined) clock.clearTimeout(guardTimer);
        guardTimer = undefined;
      }
    }
  }

  #apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', served: T): void {
    const obj = this.#transform ? (this.#transform(served) as T) : served;
    obj.apiVersion ??= this.type.apiVersion;
    obj.kind ??= this.type.kind;
    if (type === 'DELETED') {
      const old = this.store.remove(storeKey(obj));
      this.#emit((h) => h.onDelete?.(old ?? obj));
      return;
    }
    const old = this.store.upsert(obj);
    if (old) this.#emit((h) => h.onUpdate?.(old, obj));
    else this.#emit((h) => h.onAdd?.(obj));
  }

  #replace(items: T[]): void {
    const seen = new Set<string>();
    for (const obj of items) {
      seen.add(storeKey(obj));
      const prev = this.store.getByKey(storeKey(obj));
      if (prev && prev.metadata.resourceVersion === obj.metadata.resourceVersion) continue;
      this.#apply('MODIFIED', obj);
    }
    for (const key of this.store.keys()) {
      if (!seen.has(key)) {
        const old = this.store.remove(key)!;
        this.#emit((h) => h.onDelete?.(old));
      }
    }
  }

  #markSynced(): void {
    if (this.#synced) return;
    this.#synced = true;
    for (const w of this.#syncWaiters.splice(0)) w();
  }

  #emit(fn: (h: InformerHandler<T>) => void): void {
    for (const h of this.#handlers) this.#call(() => fn(h));
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#deps.logger.error({ err }, 'informer handler failed');
    }
  }
}

/** Options of {@link InformerFactory}. */
export interface InformerFactoryOptions {
  /** Passed to every informer. Default: 300. */
  watchTimeoutSeconds?: number;
  /** Passed to every informer ({@link InformerOptions.transform}). Default: {@link stripCacheNoise}. */
  transform?: CacheTransform | null;
}

/**
 * Shares informers: one per (kind, namespace, label selector, field selector), however many controllers ask
 * for it. Informers made after {@link InformerFactory.start} start at once.
 */
export class InformerFactory {
  readonly #deps: InformerDeps;
  readonly #options: InformerFactoryOptions;
  readonly #informers = new Map<string, Informer<KubeObject>>();
  #started = false;

  constructor(deps: InformerDeps, options: InformerFactoryOptions = {}) {
    this.#deps = deps;
    this.#options = options;
  }

  /** The shared informer for a kind and scope, created on first use. */
  informerFor<T extends KubeObject = KubeObject>(type: TypeRef, scope: InformerScope = {}): Informer<T> {
    const key = [
      type.apiVersion,
      type.kind,
      scope.namespace ?? '',
      scope.labelSelector ?? '',
      scope.fieldSelector ?? '',
    ]
      .map((p) => p.replaceAll('|', '\\|'))
      .join('|');
    let informer = this.#informers.get(key);
    if (!informer) {
      informer = new Informer(this.#deps, type, {
        ...scope,
        ...(this.#options.watchTimeoutSeconds
          ? { watchTimeoutSeconds: this.#options.watchTimeoutSeconds }
          : {}),
        ...(this.#options.transform !== undefined ? { transform: this.#options.transform } : {}),
      });
      this.#informers.set(key, informer);
      if (this.#started) informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  /** Every informer made so far. */
  informers(): Informer<KubeObject>[] {
    return [...this.#informers.values()];
  }

  /** Starts every informer, now and later. */
  start(): void {
    this.#started = true;
    for (const i of this.#informers.values()) i.start();
  }

  /** Resolves when every informer made so far has synced. */
  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.#informers.values()].map((i) => i.waitForSync(signal)));
  }

  /** True when every informer has synced. */
  hasSynced(): boolean {
    return [...this.#informers.values()].every((i) => i.hasSynced());
  }

  /** Stops every informer. */
  async stop(): Promise<void> {
    this.#started = false;
    await Promise.all([...this.#informers.values()].map((i) => i.stop()));
  }
}
