import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectKube, Informer, type KubeClient, type KubeObject } from '../../src/kube/index.js';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';
import { until } from './helpers.js';

let tc: TestCluster;
let kube: KubeClient;
const CM = { apiVersion: 'v1', kind: 'ConfigMap' };

beforeAll(async () => {
  tc = await startTestCluster();
  kube = connectKube({ path: tc.kubeconfigPath });
});

afterAll(async () => {
  kube?.close();
  await tc?.stop();
});

describe('Informer cache transform', () => {
  it('keeps neither managedFields nor the last-applied annotation in its store unless told to', async () => {
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'inf-strip' } });
    const annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{}', team: 'blue' };
    await kube.create({
      ...CM,
      data: {},
      metadata: { name: 'annotated', namespace: 'inf-strip', annotations },
    });
    const lean = new Informer({ kube }, CM, { namespace: 'inf-strip' });
    const full = new Informer({ kube }, CM, { namespace: 'inf-strip', transform: null });
    const updates: KubeObject[] = [];
    lean.addHandler({ onUpdate: (_, o) => updates.push(o) });
    lean.start();
    full.start();
    try {
      await Promise.all([lean.waitForSync(), full.waitForSync()]);
      const served = full.store.get('inf-strip', 'annotated');
      expect(served?.metadata.managedFields?.length).toBeGreaterThan(0);
      expect(served?.metadata.annotations).toEqual(annotations);
      const cached = lean.store.get('inf-strip', 'annotated');
      expect(cached?.metadata.managedFields).toBeUndefined();
      expect(cached?.metadata.annotations).toEqual({ team: 'blue' });
      expect(cached?.metadata.resourceVersion).toBe(served?.metadata.resourceVersion);

      await kube.patch({ ...CM, namespace: 'inf-strip', name: 'annotated' }, { data: { k: 'v' } });
      await until(() => updates.length > 0);
      expect(updates[0]?.metadata.managedFields).toBeUndefined();
      expect(lean.store.get('inf-strip', 'annotated')?.data).toEqual({ k: 'v' });
    } finally {
      await Promise.all([lean.stop(), full.stop()]);
    }
  });
});
