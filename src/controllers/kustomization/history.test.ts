import { describe, expect, it } from 'vitest';
import { jsonDigest, MAX_HISTORY, recordHistory } from './history.js';

const objectsDigest = (objects: unknown[]) => jsonDigest(JSON.stringify(objects));

const at = (s: number) => new Date(Date.UTC(2026, 10, 21, 12, 0, s));

describe('recordHistory', () => {
  it('starts a snapshot for a new digest, then counts repeats of it with the same outcome', () => {
    let h = recordHistory(undefined, {
      digest: 'sha256:a',
      at: at(0),
      durationMs: 1500,
      status: 'ReconciliationSucceeded',
    });
    h = recordHistory(h, {
      digest: 'sha256:a',
      at: at(30),
      durationMs: 200,
      status: 'ReconciliationSucceeded',
      metadata: { revision: 'main@sha1:1' },
    });
    expect(h).toEqual([
      {
        digest: 'sha256:a',
        firstReconciled: '2026-11-21T12:00:00Z',
        lastReconciled: '2026-11-21T12:00:30Z',
        lastReconciledDuration: '200ms',
        lastReconciledStatus: 'ReconciliationSucceeded',
        totalReconciliations: 2,
        metadata: { revision: 'main@sha1:1' },
      },
    ]);
  });

  it('keeps another outcome of the same digest apart, moves a repeat to the front, and keeps five', () => {
    let h = recordHistory(undefined, {
      digest: 'sha256:a',
      at: at(0),
      durationMs: 1,
      status: 'ReconciliationSucceeded',
    });
    h = recordHistory(h, { digest: 'sha256:a', at: at(1), durationMs: 1, status: 'HealthCheckFailed' });
    expect(h.map((s) => s.lastReconciledStatus)).toEqual(['HealthCheckFailed', 'ReconciliationSucceeded']);
    h = recordHistory(h, { digest: 'sha256:a', at: at(2), durationMs: 1, status: 'ReconciliationSucceeded' });
    expect(h.map((s) => `${s.lastReconciledStatus} ${s.totalReconciliations}`)).toEqual([
      'ReconciliationSucceeded 2',
      'HealthCheckFailed 1',
    ]);
    for (let i = 0; i < 10; i++) {
      h = recordHistory(h, {
        digest: `sha256:${i}`,
        at: at(3 + i),
        durationMs: 1,
        status: 'ReconciliationSucceeded',
      });
    }
    expect(h).toHaveLength(MAX_HISTORY);
    expect(h[0]?.digest).toBe('sha256:9');
  });
});

describe('jsonDigest', () => {
  it('is a sha256 that changes with the objects', () => {
    const a = objectsDigest([{ kind: 'ConfigMap', data: { a: '1' } }]);
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(objectsDigest([{ kind: 'ConfigMap', data: { a: '1' } }])).toBe(a);
    expect(objectsDigest([{ kind: 'ConfigMap', data: { a: '2' } }])).not.toBe(a);
  });
});
