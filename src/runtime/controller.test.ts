import { describe, expect, it } from 'vitest';
import { TerminalError } from '../api/index.js';
import type { ReconcileRequest } from './controller.js';
import { Controller, parseRequestKey, primaryPredicate, requestKey } from './controller.js';
import { createLogger } from './logger.js';
import { RuntimeMetrics } from './metrics.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('Controller', () => {
  it('runs at most `concurrent` reconciles at once and never the same key twice at once', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const running = new Set<string>();
    let overlap = false;
    const done: string[] = [];
    const controller = new Controller(
      {
        reconciler: {
          async reconcile(_ctx, req) {
            const key = requestKey(req);
            if (running.has(key)) overlap = true;
            running.add(key);
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            await sleep(20);
            inFlight--;
            running.delete(key);
            done.push(key);
          },
        },
      },
      { name: 'test', kind: 'Test', concurrent: 2 },
    );
    const run = controller.start();
    for (let i = 0; i < 6; i++) controller.enqueue({ namespace: 'ns', name: `o${i}` });
    await sleep(5);
    // Requests for a key that is being reconciled wait for it to finish.
    controller.enqueue({ namespace: 'ns', name: 'o0' });
    controller.enqueue({ namespace: 'ns', name: 'o0' });
    await until(() => done.length === 7);
    await controller.stop();
    await run;
    expect(maxInFlight).toBe(2);
    expect(overlap).toBe(false);
    expect(done.filter((k) => k === 'ns/o0')).toHaveLength(2);
  });

  it('retries a failing reconcile with growing delays and stops retrying after a TerminalError', async () => {
    const attempts: number[] = [];
    let terminal = 0;
    const metrics = new RuntimeMetrics();
    const controller = new Controller(
      {
        metrics,
        reconciler: {
          async reconcile(_ctx, req: ReconcileRequest) {
            if (req.name === 'terminal') {
              terminal++;
              throw new TerminalError('Widget/ns/terminal is invalid: spec.size must be positive');
            }
            attempts.push(Date.now());
            if (attempts.length < 4) throw new Error('transient');
          },
        },
      },
      { name: 'retry', kind: 'Test', minRetryDelayMs: 40, maxRetryDelayMs: 1000 },
    );
    const run = controller.start();
    controller.enqueue({ namespace: 'ns', name: 'flaky' });
    controller.enqueue({ namespace: 'ns', name: 'terminal' });
    await until(() => attempts.length === 4);
    await sleep(100);
    await controller.stop();
    await run;
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(35);
    expect(gaps[1]).toBeGreaterThanOrEqual(75);
    expect(gaps[2]).toBeGreaterThanOrEqual(155);
    expect(terminal).toBe(1);
    expect(controller.queue.retries('ns/flaky')).toBe(0);
    const text = await metrics.registry.metrics();
    expect(text).toContain('controller_runtime_reconcile_errors_total{controller="retry"} 4');
    expect(text).toContain('controller_runtime_reconcile_total{controller="retry",result="success"} 1');
    expect(text).toMatch(
      /gotk_reconcile_duration_seconds_count\{kind="Test",name="flaky",namespace="ns"\} 4/,
    );
  });

  it('requeues after the interval the reconciler asks for, with jitter from the injected random source', async () => {
    const times: number[] = [];
    const controller = new Controller(
      {
        random: () => 0,
        reconciler: {
          async reconcile() {
            times.push(Date.now());
            return { requeueAfterMs: 100 };
          },
        },
      },
      { name: 'requeue', kind: 'Test', intervalJitter: 0.5 },
    );
    const run = controller.start();
    controller.enqueue({ namespace: '', name: 'cluster-scoped' });
    await until(() => times.length === 3);
    await controller.stop();
    await run;
    // random() = 0 takes the low end: 100 ms − 50 %.
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(45);
      expect(g).toBeLessThan(95);
    }
  });

  it('aborts the running reconcile when stopped', async () => {
    let aborted = false;
    const controller = new Controller(
      {
        reconciler: {
          reconcile: (ctx) =>
            new Promise((resolve) => {
              ctx.signal.addEventListener('abort', () => {
                aborted = true;
                resolve(undefined);
              });
            }),
        },
      },
      { name: 'abort', kind: 'Test' },
    );
    const run = controller.start();
    controller.enqueue({ namespace: 'a', name: 'b' });
    await sleep(20);
    await controller.stop();
    await run;
    expect(aborted).toBe(true);
  });
});

describe('reconcile logs', () => {
  it('are JSON lines carrying controller, kind, namespace, name and reconcileId', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      destination: { write: (line: string) => lines.push(line) },
    });
    const controller = new Controller(
      {
        logger,
        reconciler: {
          async reconcile(ctx) {
            ctx.log.info('hello from the reconciler');
          },
        },
      },
      { name: 'kustomization', kind: 'Kustomization' },
    );
    const run = controller.start();
    controller.enqueue({ namespace: 'flux-system', name: 'apps' });
    await until(() => lines.length === 1);
    await controller.stop();
    await run;
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({
      level: 'info',
      msg: 'hello from the reconciler',
      controller: 'kustomization',
      kind: 'Kustomization',
      namespace: 'flux-system',
      name: 'apps',
    });
    expect(entry.reconcileId).toMatch(/^[0-9a-f-]{36}$/);
    expect(entry.time).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
});

describe('request keys and predicates', () => {
  it('round-trips namespaced and cluster-scoped requests', () => {
    expect(parseRequestKey(requestKey({ namespace: 'ns', name: 'a' }))).toEqual({
      namespace: 'ns',
      name: 'a',
    });
    expect(parseRequestKey(requestKey({ namespace: '', name: 'a' }))).toEqual({ namespace: '', name: 'a' });
  });

  it('ignores status-only updates of the primary kind but not spec, annotation or deletion changes', () => {
    const base = { apiVersion: 'v1', kind: 'X', metadata: { name: 'a', generation: 1, annotations: {} } };
    const statusOnly = { ...base, status: { x: 1 } };
    expect(primaryPredicate({ type: 'update', old: base, obj: statusOnly })).toBe(false);
    expect(
      primaryPredicate({
        type: 'update',
        old: base,
        obj: { ...base, metadata: { ...base.metadata, generation: 2 } },
      }),
    ).toBe(true);
    const requested = {
      ...base,
      metadata: { ...base.metadata, annotations: { 'reconcile.fluxcd.io/requestedAt': 'now' } },
    };
    expect(primaryPredicate({ type: 'update', old: base, obj: requested })).toBe(true);
    const deleting = { ...base, metadata: { ...base.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    expect(primaryPredicate({ type: 'update', old: base, obj: deleting })).toBe(true);
    expect(primaryPredicate({ type: 'add', obj: base })).toBe(true);
  });
});
