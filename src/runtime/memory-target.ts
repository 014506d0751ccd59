import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from 'pino';

const UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
};

/**
 * Bytes of a size written as a Kubernetes quantity (`128Mi`, `1G`, `500000`). Throws a `TypeError` naming
 * the text when it is not one.
 */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(|k|M|G|Ki|Mi|Gi)\s*$/.exec(text);
  if (!m)
    throw new TypeError(`Size ${JSON.stringify(text)} is invalid: use bytes or a unit such as 128Mi or 1G`);
  return Math.round(Number(m[1]) * UNITS[m[2]!]!);
}

/** The memory limit of this process' cgroup (v2 `memory.max`, else v1), when one is set. */
export function cgroupMemoryLimit(): number | undefined {
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch {
      continue;
    }
    const bytes = Number(text);
    // "max" (v2) or a huge number (v1) means no limit.
    if (Number.isFinite(bytes) && bytes > 0 && bytes < 2 ** 60) return bytes;
    return undefined;
  }
  return undefined;
}

let collect: (() => void) | undefined;

/** V8's full collection, made callable once (it is not exposed without `--expose-gc`). */
function fullCollection(): () => void {
  if (!collect) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) collect = exposed;
    else {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    }
  }
  return collect;
}

/** Options of {@link MemoryTarget}. */
export interface MemoryTargetOptions {
  /** How often the resident size is checked. Default: 250 ms. */
  intervalMs?: number;
  /** Least time between two collections. Default: 1 s. */
  minGapMs?: number;
  logger?: Logger;
}

/**
 * A soft memory target, as Go's `GOMEMLIMIT` is for Flux's controllers: when the process' resident size
 * passes it, a full garbage collection runs (at most once per `minGapMs`), instead of letting the heap grow
 * with garbage until V8 decides to collect. It trades some CPU for a lower peak; it is not a hard limit.
 */
export class MemoryTarget {
  readonly bytes: number;
  readonly #intervalMs: number;
  readonly #minGapMs: number;
  readonly #log: Logger | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #last = Number.NEGATIVE_INFINITY;
  /** Collections run so far. */
  collections = 0;
  /** Milliseconds spent in them. */
  collectingMs = 0;

  constructor(bytes: number, options: MemoryTargetOptions = {}) {
    if (!Number.isFinite(bytes) || bytes <= 0) throw new TypeError(`Memory target ${bytes} must be positive`);
    this.bytes = bytes;
    this.#intervalMs = options.intervalMs ?? 250;
    this.#minGapMs = options.minGapMs ?? 1_000;
    this.#log = options.logger;
  }

  /** Starts checking; the timer never keeps the process alive. */
  start(): void {
    if (this.#timer) return;
    const gc = fullCollection();
    this.#timer = setInterval(() => {
      const now = performance.now();
      if (now - this.#last < this.#minGapMs || process.memoryUsage.rss() <= this.bytes) return;
      gc();
      const took = performance.now() - now;
      this.#last = performance.now();
      this.collections++;
      this.collectingMs += took;
      this.#log?.debug(
        { rss: process.memoryUsage.rss(), target: this.bytes, ms: Math.round(took) },
        'memory target passed: collected garbage',
      );
    }, this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
