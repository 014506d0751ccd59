import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthCheckError, type ObjectStatus, ResourceManager, WatchHub } from '../../src/apply/index.js';
import type { ObjectRef } from '../../src/kube/index.js';
import { type ApplyEnv, deployment, startApplyEnv, widget, widgetCrd } from './support.js';

let env: ApplyEnv;
let rm: ResourceManager;

beforeAll(async () => {
  env = await startApplyEnv();
  rm = new ResourceManager({ kube: env.kube });
  await rm.applyAllStaged([widgetCrd()], { waitIntervalMs: 100 });
});

afterAll(async () => {
  await env?.stop();
});

/** Sets the Ready condition of a widget, as its controller would. */
function setWidgetReady(ref: ObjectRef, status: 'True' | 'False', reason: string) {
  return env.kube.patchStatus(ref, {
    status: {
      conditions: [
        { type: 'Ready', status, reason, message: reason, lastTransitionTime: new Date().toISOString() },
      ],
    },
  });
}

function history(seen: ObjectStatus[][], subject: string): string[] {
  const out: string[] = [];
  for (const round of seen) {
    const s = round.find((x) => x.subject === subject)?.status;
    if (s && out.at(-1) !== s) out.push(s);
  }
  return out;
}

describe('ResourceManager.waitForSet', () => {
  it('reports a Deployment InProgress, then Current once its pods are ready', async () => {
    const cs = await rm.applyAllStaged([deployment('podinfo', 'default')]);
    const seen: ObjectStatus[][] = [];
    const statuses = await rm.waitForSet(cs.toRefs(), {
      timeoutMs: 20_000,
      intervalMs: 50,
      onProgress: (s) => seen.push([...s]),
    });
    expect(statuses.map((s) => `${s.subject} ${s.status}`)).toEqual(['Deployment/default/podinfo Current']);
    expect(history(seen, 'Deployment/default/podinfo')).toEqual(['InProgress', 'Current']);
  });

  it('fails fast when a Deployment exceeds its progress deadline, naming it', async () => {
    const failing = deployment('broken', 'default');
    const spec = failing.spec as { template: { metadata: { annotations?: Record<string, string> } } };
    spec.template.metadata.annotations = { 'sluice.dev/simulate-failure': 'ProgressDeadlineExceeded' };
    failing.metadata.annotations = { 'sluice.dev/simulate-failure': 'ProgressDeadlineExceeded' };
    const cs = await rm.applyAllStaged([failing, deployment('fine', 'default')]);
    const started = Date.now();
    const err = await rm
      .waitForSet(cs.toRefs(), { timeoutMs: 30_000, intervalMs: 100 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HealthCheckError);
    const hc = err as HealthCheckError;
    expect(hc.code).toBe('HealthCheckFailed');
    expect(hc.timedOut).toBe(false);
    expect(hc.message).toMatch(
      /^Failed early due to stalled resources: \[Deployment\/default\/broken status: 'Failed'/,
    );
    expect(hc.failed.map((s) => s.subject)).toEqual(['Deployment/default/broken']);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('follows the Ready condition of custom resources', async () => {
    await rm.applyAllStaged([widget('gadget', 'default', { size: 2 })]);
    const ref = { apiVersion: 'example.sluice.dev/v1', kind: 'Widget', name: 'gadget', namespace: 'default' };
    const setReady = (status: 'True' | 'False', reason: string) => setWidgetReady(ref, status, reason);
    await setReady('False', 'Progressing');
    const seen: ObjectStatus[][] = [];
    const waiting = rm.waitForSet([ref], {
      timeoutMs: 10_000,
      intervalMs: 50,
      onProgress: (s) => seen.push([...s]),
    });
    await new Promise((r) => setTimeout(r, 300));
    await setReady('True', 'Succeeded');
    const statuses = await waiting;
    expect(statuses[0]?.status).toBe('Current');
    expect(history(seen, 'Widget/default/gadget')).toEqual(['InProgress', 'Current']);
  });

  it('follows the objects it applied with a watch instead of polling them', async () => {
    const owned = new ResourceManager(
      { kube: env.kube },
      {
        owner: { field: 'sluice-test', group: 'example.sluice.dev' },
        ownedBy: { name: 'owner', namespace: 'default' },
      },
    );
    await owned.applyAllStaged([widget('watched', 'default')]);
    const ref = {
      apiVersion: 'example.sluice.dev/v1',
      kind: 'Widget',
      name: 'watched',
      namespace: 'default',
    };
    const setReady = (status: 'True' | 'False', reason: string) => setWidgetReady(ref, status, reason);
    await setReady('False', 'Progressing');
    env.requests.length = 0;
    const waiting = owned.waitForSet([ref], { timeoutMs: 20_000, intervalMs: 50 });
    await new Promise((r) => setTimeout(r, 1_000));
    await setReady('True', 'Succeeded');
    const statuses = await waiting;
    expect(statuses[0]?.status).toBe('Current');
    // A read, the collection's revision, the watch and one read once it runs: polling every 50 ms would
    // have read the widget about twenty times.
    const reads = env.requests.filter((r) => r.method === 'GET' && r.path.includes('/widgets'));
    expect(
      reads.map((r) => r.path.replace(/\?.*/, (q) => (q.includes('watch=true') ? '?watch' : ''))),
    ).toEqual([
      '/apis/example.sluice.dev/v1/namespaces/default/widgets/watched',
      '/apis/example.sluice.dev/v1/namespaces/default/widgets',
      '/apis/example.sluice.dev/v1/namespaces/default/widgets?watch',
      '/apis/example.sluice.dev/v1/namespaces/default/widgets/watched',
    ]);
  });

  it('shares one watch per kind and namespace between the waits of several managers', async () => {
    const hub = new WatchHub(env.kube, { labelSelector: 'example.sluice.dev/name' });
    const managers = ['one', 'two', 'three'].map(
      (name) =>
        new ResourceManager(
          { kube: env.kube, watches: hub },
          {
            owner: { field: 'sluice-test', group: 'example.sluice.dev' },
            ownedBy: { name, namespace: 'default' },
          },
        ),
    );
    const refs = await Promise.all(
      managers.map(async (m, i) => {
        await m.applyAllStaged([widget(`shared-${i}`, 'default')]);
        const ref = {
          apiVersion: 'example.sluice.dev/v1',
          kind: 'Widget',
          name: `shared-${i}`,
          namespace: 'default',
        };
        await setWidgetReady(ref, 'False', 'Progressing');
        return ref;
      }),
    );
    env.requests.length = 0;
    const waits = managers.map((m, i) => m.waitForSet([refs[i]!], { timeoutMs: 20_000, intervalMs: 50 }));
    await new Promise((r) => setTimeout(r, 800));
    for (const ref of refs) await setWidgetReady(ref, 'True', 'Succeeded');
    const statuses = await Promise.all(waits);
    hub.close();
    expect(statuses.map((s) => s[0]?.status)).toEqual(['Current', 'Current', 'Current']);
    expect(env.requests.filter((r) => r.path.includes('watch=true'))).toHaveLength(1);
  });

  it('times out naming the objects that are not ready or missing', async () => {
    const refs = [
      { apiVersion: 'example.sluice.dev/v1', kind: 'Widget', name: 'gadget', namespace: 'default' },
      { apiVersion: 'example.sluice.dev/v1', kind: 'Widget', name: 'missing', namespace: 'default' },
    ];
    const err = await rm.waitForSet(refs, { timeoutMs: 400, intervalMs: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HealthCheckError);
    expect((err as HealthCheckError).timedOut).toBe(true);
    expect((err as Error).message).toBe(
      "Timeout waiting for: [Widget/default/missing status: 'NotFound': Resource not found]",
    );
  });

  it('reads many objects of one kind with one list per round', async () => {
    const names = ['a', 'b', 'c', 'd'];
    await rm.applyAll(names.map((n) => widget(`many-${n}`, 'default')));
    const refs = names.map((n) => ({
      apiVersion: 'example.sluice.dev/v1',
      kind: 'Widget',
      name: `many-${n}`,
      namespace: 'default',
    }));
    env.requests.length = 0;
    const statuses = await new ResourceManager({ kube: env.kube }).waitForSet(refs, { timeoutMs: 5_000 });
    expect(statuses.every((s) => s.status === 'Current')).toBe(true);
    expect(env.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /apis/example.sluice.dev/v1/namespaces/default/widgets',
    ]);
  });

  it('starts from what it just applied: objects already Current cost no read', async () => {
    const cs = await rm.applyAll(['x', 'y', 'z', 'w'].map((n) => widget(`applied-${n}`, 'default')));
    env.requests.length = 0;
    const statuses = await rm.waitForSet(cs.toRefs(), { timeoutMs: 5_000, fromApplied: true });
    expect(statuses.map((s) => s.status)).toEqual(['Current', 'Current', 'Current', 'Current']);
    expect(env.requests).toEqual([]);
    // The states are used once: waiting again reads the objects.
    await rm.waitForSet(cs.toRefs(), { timeoutMs: 5_000, fromApplied: true });
    expect(env.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /apis/example.sluice.dev/v1/namespaces/default/widgets',
    ]);
  });

  it('stops when the signal aborts', async () => {
    const ref = { apiVersion: 'example.sluice.dev/v1', kind: 'Widget', name: 'never', namespace: 'default' };
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop waiting')), 200);
    await expect(
      rm.waitForSet([ref], { timeoutMs: 10_000, intervalMs: 50, signal: controller.signal }),
    ).rejects.toThrow('stop waiting');
  });
});
