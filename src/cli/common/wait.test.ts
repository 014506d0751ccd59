import { describe, expect, it } from 'vitest';
import { requestedAtNow } from './wait.js';

describe('requestedAtNow', () => {
  it('prints RFC 3339 with nanoseconds and trailing zeros trimmed, like Go', () => {
    const t = new Date('2026-03-04T05:06:07.120Z');
    expect(requestedAtNow(t, 123_456_789n)).toBe('2026-03-04T05:06:07.120456789Z');
    expect(requestedAtNow(t, 5_000_000n)).toBe('2026-03-04T05:06:07.12Z');
    expect(requestedAtNow(new Date('2026-03-04T05:06:07.000Z'), 0n)).toBe('2026-03-04T05:06:07Z');
  });
});
