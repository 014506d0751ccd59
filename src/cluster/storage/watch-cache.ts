import type { StoreEvent } from './store.js';

interface Watcher {
  prefix: string;
  listener: (event: StoreEvent) => void;
}

/**
 * A ring of the most recent store events and the set of live watchers. It covers every event after
 * `start`; older events must be read from the log.
 */
export class WatchCache {
  private readonly ring: (StoreEvent | undefined)[];
  private head = 0;
  private size = 0;
  private start: number;
  private readonly watchers = new Set<Watcher>();

  constructor(capacity: number, currentRevision: number) {
    this.ring = new Array(Math.max(1, capacity));
    this.start = currentRevision;
  }

  /** Records an event and hands it to every watcher whose prefix matches. */
  publish(event: StoreEvent): void {
    const capacity = this.ring.length;
    if (this.size === capacity) {
      const evicted = this.ring[this.head];
      if (evicted) this.start = evicted.revision;
      this.ring[this.head] = event;
      this.head = (this.head + 1) % capacity;
    } else {
      this.ring[(this.head + this.size) % capacity] = event;
      this.size++;
    }
    for (const watcher of [...this.watchers]) {
      if (!event.key.startsWith(watcher.prefix) || !this.watchers.has(watcher)) continue;
      try {
        watcher.listener(event);
      } catch {
        // A failing watcher must not fail the write that fed it; it is dropped instead.
        this.watchers.delete(watcher);
      }
    }
  }

  /** The cached events under `prefix` after `revision`, or undefined when the ring no longer covers it. */
  since(prefix: string, revision: number): StoreEvent[] | undefined {
    if (revision < this.start) return undefined;
    const out: StoreEvent[] = [];
    const capacity = this.ring.length;
    for (let i = 0; i < this.size; i++) {
      const event = this.ring[(this.head + i) % capacity]!;
      if (event.revision > revision && event.key.startsWith(prefix)) out.push(event);
    }
    return out;
  }

  /** Notes that the log was compacted up to `revision` (the ring keeps serving what it holds above it). */
  compacted(revision: number): void {
    if (revision > this.start && this.size === 0) this.start = revision;
  }

  /** Adds a watcher; returns the function that removes it. */
  subscribe(prefix: string, listener: (event: StoreEvent) => void): () => void {
    const watcher: Watcher = { prefix, listener };
    this.watchers.add(watcher);
    return () => {
      this.watchers.delete(watcher);
    };
  }

  /** Drops every watcher. */
  close(): void {
    this.watchers.clear();
  }
}
