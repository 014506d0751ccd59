import { describe, expect, it } from 'vitest';
import { MemoryTarget, parseByteSize } from './memory-target.js';

describe('parseByteSize', () => {
  it('reads bytes and Kubernetes quantity units', () => {
    expect(parseByteSize('500000')).toBe(500_000);
    expect(parseByteSize('128Mi')).toBe(128 * 1024 * 1024);
    expect(parseByteSize('1.5Gi')).toBe(1.5 * 1024 ** 3);
    expect(parseByteSize('150M')).toBe(150_000_000);
  });

  it('names the text it cannot read', () => {
    expect(() => parseByteSize('lots')).toThrow(
      'Size "lots" is invalid: use bytes or a unit such as 128Mi or 1G',
    );
    expect(() => parseByteSize('12MB')).toThrow('Size "12MB" is invalid');
  });
});

describe('MemoryTarget', () => {
  it('collects garbage while the resident size is above the target, and not below it', async () => {
    const above = new MemoryTarget(1, { intervalMs: 10, minGapMs: 0 });
    const below = new MemoryTarget(1024 ** 4, { intervalMs: 10, minGapMs: 0 });
    above.start();
    below.start();
    await new Promise((r) => setTimeout(r, 200));
    above.stop();
    below.stop();
    expect(above.collections).toBeGreaterThan(1);
    expect(below.collections).toBe(0);
  });

  it('leaves at least minGapMs between two collections', async () => {
    const target = new MemoryTarget(1, { intervalMs: 5, minGapMs: 10_000 });
    target.start();
    await new Promise((r) => setTimeout(r, 100));
    target.stop();
    expect(target.collections).toBe(1);
  });
});
