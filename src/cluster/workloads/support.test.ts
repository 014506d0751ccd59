import { describe, expect, it } from 'vitest';
import { matchesSelector, parseDuration, setCondition, templateHash } from './support.js';

describe('parseDuration()', () => {
  it.each([
    ['500ms', 500],
    ['3s', 3000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['2', 2000],
    ['1h', 3_600_000],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'soon', '3 s', '5x', '-1s'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('templateHash()', () => {
  it('is stable across key order and changes with the template or the collision count', () => {
    const a = templateHash({
      metadata: { labels: { app: 'a' } },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    });
    const b = templateHash({
      spec: { containers: [{ image: 'x', name: 'c' }] },
      metadata: { labels: { app: 'a' } },
    });
    expect(a).toBe(b);
    expect(a).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(templateHash({ spec: { containers: [{ name: 'c', image: 'y' }] } })).not.toBe(a);
    expect(templateHash({ metadata: { labels: { app: 'a' } } }, 1)).not.toBe(
      templateHash({ metadata: { labels: { app: 'a' } } }),
    );
  });
});

describe('setCondition()', () => {
  it('keeps the times of a condition whose status, reason and message stay the same', () => {
    const first = setCondition(
      undefined,
      { type: 'Available', status: 'True', reason: 'R', message: 'm' },
      0,
      {
        withUpdateTime: true,
      },
    );
    const again = setCondition(
      first,
      { type: 'Available', status: 'True', reason: 'R', message: 'm' },
      60_000,
      {
        withUpdateTime: true,
      },
    );
    expect(again).toEqual(first);
    const moved = setCondition(
      again,
      { type: 'Available', status: 'True', reason: 'R2', message: 'm' },
      60_000,
      {
        withUpdateTime: true,
      },
    );
    expect(moved[0]).toMatchObject({
      lastTransitionTime: '1970-01-01T00:00:00Z',
      lastUpdateTime: '1970-01-01T00:01:00Z',
    });
    const flipped = setCondition(
      moved,
      { type: 'Available', status: 'False', reason: 'R2', message: 'm' },
      120_000,
    );
    expect(flipped[0]!.lastTransitionTime).toBe('1970-01-01T00:02:00Z');
  });
});

describe('matchesSelector()', () => {
  it('applies matchLabels and every matchExpressions operator', () => {
    const labels = { app: 'web', tier: 'front' };
    expect(matchesSelector({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(matchesSelector({ matchLabels: { app: 'db' } }, labels)).toBe(false);
    expect(
      matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] }, labels),
    ).toBe(true);
    expect(
      matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels),
    ).toBe(false);
    expect(matchesSelector({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, labels)).toBe(false);
    expect(matchesSelector({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels)).toBe(
      true,
    );
    expect(matchesSelector(undefined, labels)).toBe(false);
  });
});
