import { describe, expect, it } from 'vitest';
import type { Clock } from '../kube/index.js';
import { exponentialBackoff, jitter } from './jitter.js';
import { WorkQueue } from './work-queue.js';

/** A clock that only moves when told to. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, t]) => t.at <= until)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = until;
    },
  };
}

describe('WorkQueue', () => {
  it('hands out a key added twice only once', async () => {
    const q = new WorkQueue();
    q.add('ns/a');
    q.add('ns/a');
    q.add('ns/b');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('ns/a');
    expect(await q.get()).toBe('ns/b');
    expect(q.length).toBe(0);
  });

  it('never hands out a key that is being processed, and queues it again when done', async () => {
    const q = new WorkQueue();
    q.add('a');
    const key = await q.get();
    q.add('a');
    expect(q.length).toBe(0);
    q.done(key!);
    expect(q.length).toBe(1);
    expect(await q.get()).toBe('a');
  });

  it('wakes a waiting get when a key arrives, and resolves undefined on shutdown', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.add('x');
    expect(await waiting).toBe('x');
    const pending = q.get();
    q.shutDown();
    expect(await pending).toBeUndefined();
  });

  it('resolves a waiting get with undefined when its signal aborts', async () => {
    const q = new WorkQueue();
    const ac = new AbortController();
    const pending = q.get(ac.signal);
    ac.abort();
    expect(await pending).toBeUndefined();
    q.add('y');
    expect(await q.get()).toBe('y');
  });

  it('backs off exponentially from 750 ms to 15 minutes per key and resets on forget', () => {
    const clock = manualClock();
    const q = new WorkQueue({ clock });
    const delays = Array.from({ length: 14 }, () => q.addRateLimited('k'));
    expect(delays.slice(0, 5)).toEqual([750, 1500, 3000, 6000, 12000]);
    expect(delays.at(-1)).toBe(900_000);
    expect(q.retries('k')).toBe(14);
    expect(q.addRateLimited('other')).toBe(750);
    q.forget('k');
    expect(q.addRateLimited('k')).toBe(750);
  });

  it('adds a delayed key when its time comes, and the earliest delay wins', () => {
    const clock = manualClock();
    const q = new WorkQueue({ clock });
    q.addAfter('a', 1000);
    q.addAfter('a', 5000);
    expect(q.delayed).toBe(1);
    clock.advance(999);
    expect(q.length).toBe(0);
    clock.advance(1);
    expect(q.length).toBe(1);
    expect(q.delayed).toBe(0);
    q.addAfter('b', 5000);
    q.addAfter('b', 100);
    clock.advance(100);
    expect(q.length).toBe(2);
  });

  it('drops adds beyond its bound and counts them', () => {
    const q = new WorkQueue({}, { maxSize: 2 });
    expect(q.add('a')).toBe(true);
    expect(q.add('b')).toBe(true);
    expect(q.add('c')).toBe(false);
    expect(q.add('a')).toBe(true);
    expect(q.dropped).toBe(1);
  });

  it('rejects delays that make no sense', () => {
    expect(() => new WorkQueue({}, { baseDelayMs: 0 })).toThrowErrorMatchingInlineSnapshot(
      `[Error: WorkQueue delays must satisfy 0 < baseDelayMs <= maxDelayMs, got 0, 900000]`,
    );
  });
});

describe('jitter', () => {
  it('stays within ± the fraction of the interval at the extremes of the random source', () => {
    expect(jitter(60_000, 0.05, () => 0)).toBe(57_000);
    expect(jitter(60_000, 0.05, () => 0.999_999)).toBe(63_000);
    expect(jitter(60_000, 0.05, () => 0.5)).toBe(60_000);
    for (let i = 0; i < 1000; i++) {
      const v = jitter(10_000, 0.1);
      expect(v).toBeGreaterThanOrEqual(9_000);
      expect(v).toBeLessThanOrEqual(11_000);
    }
  });

  it('leaves zero intervals and zero fractions alone', () => {
    expect(jitter(0, 0.5, () => 0)).toBe(0);
    expect(jitter(1000, 0, () => 0)).toBe(1000);
  });

  it('caps exponential backoff', () => {
    expect(exponentialBackoff(0, 750, 900_000)).toBe(750);
    expect(exponentialBackoff(100, 750, 900_000)).toBe(900_000);
  });
});
