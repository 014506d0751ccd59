import type { Clock, TimerHandle } from '../kube/index.js';
import { systemClock } from '../kube/index.js';
import { exponentialBackoff } from './jitter.js';

/** Options of {@link WorkQueue}. */
export interface WorkQueueOptions {
  /** Keys waiting to be processed at most; adds beyond it are dropped and counted. Default: 100 000. */
  maxSize?: number;
  /** First retry delay of {@link WorkQueue.addRateLimited}. Default: 750 ms. */
  baseDelayMs?: number;
  /** Longest retry delay. Default: 900 000 ms (15 min). */
  maxDelayMs?: number;
}

/** Callbacks for queue metrics. */
export interface WorkQueueHooks {
  /** A key was queued (not counting deduplicated adds). */
  onAdd?(): void;
  /** A key was retried through the rate limiter. */
  onRetry?(): void;
  /** An add was dropped because the queue was full. */
  onDrop?(): void;
  /** A key waited `ms` between being queued and handed out. */
  onWait?(ms: number): void;
}

/**
 * A controller's queue of keys: deduplicates (a key queued twice is processed once), never hands out a key
 * that is being processed (it is queued again when {@link WorkQueue.done} is called), delays adds with timers,
 * and rate-limits retries per key with exponential backoff. Bounded.
 */
export class WorkQueue<K extends string = string> {
  readonly #clock: Clock;
  readonly #hooks: WorkQueueHooks;
  readonly #maxSize: number;
  readonly #baseMs: number;
  readonly #maxMs: number;
  #items: K[] = [];
  #head = 0;
  readonly #dirty = new Map<K, number>(); // key → time it was queued
  readonly #processing = new Set<K>();
  readonly #delayed = new Map<K, { at: number; handle: TimerHandle }>();
  readonly #failures = new Map<K, number>();
  readonly #waiters: ((key: K | undefined) => void)[] = [];
  #shutDown = false;
  #dropped = 0;

  constructor(deps: { clock?: Clock; hooks?: WorkQueueHooks } = {}, options: WorkQueueOptions = {}) {
    this.#clock = deps.clock ?? systemClock;
    this.#hooks = deps.hooks ?? {};
    this.#maxSize = options.maxSize ?? 100_000;
    this.#baseMs = options.baseDelayMs ?? 750;
    this.#maxMs = options.maxDelayMs ?? 900_000;
    if (this.#maxSize < 1) throw new Error(`WorkQueue maxSize must be at least 1, got ${this.#maxSize}`);
    if (this.#baseMs <= 0 || this.#maxMs < this.#baseMs) {
      throw new Error(
        `WorkQueue delays must satisfy 0 < baseDelayMs <= maxDelayMs, got ${this.#baseMs}, ${this.#maxMs}`,
      );
    }
  }

  /** Keys waiting to be handed out. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Keys handed out and not yet done. */
  get processing(): number {
    return this.#processing.size;
  }

  /** Keys waiting for a timer. */
  get delayed(): number {
    return this.#delayed.size;
  }

  /** Adds dropped because the queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** True after {@link WorkQueue.shutDown}. */
  get isShutDown(): boolean {
    return this.#shutDown;
  }

  /** Queues a key now. Returns false when the key was dropped (queue full or shut down). */
  add(key: K): boolean {
    if (this.#shutDown) return false;
    if (this.#dirty.has(key)) return true;
    if (!this.#processing.has(key) && this.length >= this.#maxSize) {
      this.#dropped++;
      this.#hooks.onDrop?.();
      return false;
    }
    this.#dirty.set(key, this.#clock.now());
    this.#hooks.onAdd?.();
    // A key being processed is queued again by done().
    if (this.#processing.has(key)) return true;
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#handOut(key);
      waiter(key);
    } else {
      this.#items.push(key);
    }
    return true;
  }

  /** Queues a key after `delayMs`. An earlier pending delay for the same key wins. */
  addAfter(key: K, delayMs: number): void {
    if (this.#shutDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.#clock.now() + delayMs;
    const existing = this.#delayed.get(key);
    if (existing) {
      if (existing.at <= at) return;
      this.#clock.clearTimeout(existing.handle);
    }
    const handle = this.#clock.setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.#delayed.set(key, { at, handle });
  }

  /** Queues a key after its backoff delay (750 ms, 1.5 s, 3 s … 15 min by default); returns the delay. */
  addRateLimited(key: K): number {
    const failures = this.#failures.get(key) ?? 0;
    const delay = exponentialBackoff(failures, this.#baseMs, this.#maxMs);
    this.#failures.set(key, failures + 1);
    this.#hooks.onRetry?.();
    this.addAfter(key, delay);
    return delay;
  }

  /** Resets a key's backoff (after a success). */
  forget(key: K): void {
    this.#failures.delete(key);
  }

  /** How many times a key was retried since it was last forgotten. */
  retries(key: K): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Cancels a pending delayed add of the key, if any. */
  cancelDelayed(key: K): void {
    const existing = this.#delayed.get(key);
    if (existing) {
      this.#clock.clearTimeout(existing.handle);
      this.#delayed.delete(key);
    }
  }

  /**
   * Hands out the next key, waiting for one. Resolves `undefined` when the queue shuts down or `signal` aborts.
   * Call {@link WorkQueue.done} when finished with the key.
   */
  get(signal?: AbortSignal): Promise<K | undefined> {
    if (this.length > 0) {
      const key = this.#items[this.#head++]!;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      this.#handOut(key);
      return Promise.resolve(key);
    }
    if (this.#shutDown || signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const onAbort = () => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        resolve(undefined);
      };
      const waiter = (key: K | undefined) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(key);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Marks a key as processed; if it was added meanwhile, it is queued again. */
  done(key: K): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key) && !this.#shutDown) {
      const waiter = this.#waiters.shift();
      if (waiter) {
        this.#handOut(key);
        waiter(key);
      } else {
        this.#items.push(key);
      }
    }
  }

  /** Stops handing out keys: waiting `get` calls resolve `undefined`; delayed adds are cancelled. */
  shutDown(): void {
    this.#shutDown = true;
    for (const { handle } of this.#delayed.values()) this.#clock.clearTimeout(handle);
    this.#delayed.clear();
    for (const w of this.#waiters.splice(0)) w(undefined);
  }

  #handOut(key: K): void {
    const queuedAt = this.#dirty.get(key);
    this.#dirty.delete(key);
    this.#processing.add(key);
    if (queuedAt !== undefined) this.#hooks.onWait?.(this.#clock.now() - queuedAt);
  }
}
