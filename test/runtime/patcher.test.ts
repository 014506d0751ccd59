import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectKube, type KubeClient } from '../../src/kube/index.js';
import {
  addFinalizer,
  conditions,
  createPatcher,
  hasFinalizer,
  removeFinalizer,
} from '../../src/runtime/index.js';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';
import { retrying, widgetCrd } from '../kube/helpers.js';
import { WIDGET, type Widget } from './widget-reconciler.js';

let tc: TestCluster;
let kube: KubeClient;
const NS = 'patching';

async function fresh(name: string): Promise<Widget> {
  return kube.create<Widget>({ ...WIDGET, metadata: { name, namespace: NS }, spec: { size: 1 } });
}

beforeAll(async () => {
  tc = await startTestCluster();
  kube = connectKube({ path: tc.kubeconfigPath });
  await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await kube.create(widgetCrd());
  await retrying(() => kube.list(WIDGET));
});

afterAll(async () => {
  kube?.close();
  await tc?.stop();
});

describe('createPatcher', () => {
  it('writes status changes once through /status and nothing when nothing changed', async () => {
    const obj = await fresh('once');
    const patcher = createPatcher(kube, obj);
    obj.status = { doubled: 2 };
    conditions.markTrue(obj, 'Ready', 'Succeeded', 'done');
    await patcher.patch(obj);
    const after = await kube.get<Widget>({ ...WIDGET, namespace: NS, name: 'once' });
    expect(after.status?.doubled).toBe(2);
    expect(after.metadata.generation).toBe(1);
    const rv = after.metadata.resourceVersion;
    await patcher.patch(obj);
    expect((await kube.get({ ...WIDGET, namespace: NS, name: 'once' })).metadata.resourceVersion).toBe(rv);
  });

  it('replays its condition changes onto a newer object after a conflict', async () => {
    const obj = await fresh('raced');
    const patcher = createPatcher(kube, obj);
    // Another writer adds its own condition after our read.
    await kube.patchStatus(
      { ...WIDGET, namespace: NS, name: 'raced' },
      {
        status: {
          conditions: [
            {
              type: 'Other',
              status: 'True',
              reason: 'Theirs',
              message: '',
              lastTransitionTime: '2026-01-01T00:00:00Z',
            },
          ],
        },
      },
    );
    conditions.markTrue(obj, 'Ready', 'Succeeded', 'mine');
    obj.status = { ...obj.status, doubled: 2 };
    await patcher.patch(obj);
    const after = await kube.get<Widget>({ ...WIDGET, namespace: NS, name: 'raced' });
    const types = ((after.status?.conditions ?? []) as { type: string }[]).map((c) => c.type).sort();
    expect(types).toEqual(['Other', 'Ready']);
    expect(after.status?.doubled).toBe(2);
  });

  it('removes status fields and conditions the reconcile dropped', async () => {
    const obj = await fresh('dropped');
    const first = createPatcher(kube, obj);
    obj.status = { doubled: 2, stale: 'x' };
    conditions.markTrue(obj, 'Stalled', 'Failed', 'x');
    await first.patch(obj);
    const reread = await kube.get<Widget>({ ...WIDGET, namespace: NS, name: 'dropped' });
    expect(reread.status?.stale).toBe('x');
    const patcher = createPatcher(kube, reread);
    delete reread.status?.stale;
    conditions.remove(reread, 'Stalled');
    await patcher.patch(reread);
    const after = await kube.get<Widget>({ ...WIDGET, namespace: NS, name: 'dropped' });
    expect(after.status).toEqual({ doubled: 2, conditions: [] });
  });

  it('reports false when the object is gone', async () => {
    const obj = await fresh('gone');
    const patcher = createPatcher(kube, obj);
    await kube.delete({ ...WIDGET, namespace: NS, name: 'gone' });
    obj.status = { doubled: 2 };
    expect(await patcher.patch(obj)).toBe(false);
  });
});

describe('finalizers', () => {
  it('adds and removes a finalizer, retrying when the object changed meanwhile', async () => {
    const obj = await fresh('fin');
    await kube.patch({ ...WIDGET, namespace: NS, name: 'fin' }, { metadata: { labels: { touched: 'yes' } } });
    expect(await addFinalizer(kube, obj)).toBe(true);
    expect(hasFinalizer(obj)).toBe(true);
    expect(await addFinalizer(kube, obj)).toBe(false);
    const live = await kube.get<Widget>({ ...WIDGET, namespace: NS, name: 'fin' });
    expect(live.metadata.finalizers).toEqual(['finalizers.fluxcd.io']);
    expect(live.metadata.labels).toEqual({ touched: 'yes' });
    expect(await removeFinalizer(kube, obj)).toBe(true);
    expect(
      (await kube.get<Widget>({ ...WIDGET, namespace: NS, name: 'fin' })).metadata.finalizers ?? [],
    ).toEqual([]);
  });
});
