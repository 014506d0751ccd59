import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectKube,
  Informer,
  InformerFactory,
  type KubeClient,
  type KubeObject,
} from '../../src/kube/index.js';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';
import { until } from './helpers.js';

let tc: TestCluster;
let kube: KubeClient;
const CM = { apiVersion: 'v1', kind: 'ConfigMap' };

const cm = (namespace: string, name: string, labels: Record<string, string> = {}): KubeObject => ({
  ...CM,
  metadata: { name, namespace, labels },
  data: {},
});

beforeAll(async () => {
  tc = await startTestCluster();
  kube = connectKube({ path: tc.kubeconfigPath });
  for (const ns of ['inf-a', 'inf-b', 'noise']) {
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
});

afterAll(async () => {
  kube?.close();
  await tc?.stop();
});

describe('Informer', () => {
  it('fills its store and reports adds, updates and deletes', async () => {
    await kube.create(cm('inf-a', 'before'));
    const informer = new Informer({ kube }, CM, { namespace: 'inf-a' });
    const seen: string[] = [];
    informer.addHandler({
      onAdd: (o) => seen.push(`add ${o.metadata.name}`),
      onUpdate: (_, o) => seen.push(`update ${o.metadata.name} ${JSON.stringify(o.data)}`),
      onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    informer.store.addIndexer('team', (o) => (o.metadata.labels?.team ? [o.metadata.labels.team] : []));
    informer.start();
    try {
      await informer.waitForSync();
      expect(informer.store.keys()).toContain('inf-a/before');
      await kube.create(cm('inf-a', 'later', { team: 'blue' }));
      await kube.patch({ ...CM, namespace: 'inf-a', name: 'later' }, { data: { k: 'v' } });
      await kube.delete({ ...CM, namespace: 'inf-a', name: 'before' });
      await kube.create(cm('inf-b', 'elsewhere'));
      await until(() => seen.includes('delete before'));
      // Every namespace also holds the cluster's kube-root-ca.crt ConfigMap.
      expect(seen).toEqual([
        'add before',
        'add kube-root-ca.crt',
        'add later',
        'update later {"k":"v"}',
        'delete before',
      ]);
      expect(informer.store.byIndex('team', 'blue').map((o) => o.metadata.name)).toEqual(['later']);
      expect(informer.store.get('inf-a', 'later')?.data).toEqual({ k: 'v' });
    } finally {
      await informer.stop();
    }
  });

  it('relists after its watch resourceVersion was compacted away, and reconciles the store', async () => {
    await kube.create(cm('inf-b', 'stays'));
    await kube.create(cm('inf-b', 'goes'));
    const informer = new Informer({ kube }, CM, { namespace: 'inf-b', retryMinMs: 50 });
    const seen: string[] = [];
    informer.addHandler({
      onAdd: (o) => seen.push(`add ${o.metadata.name}`),
      onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    informer.start();
    await informer.waitForSync();
    await informer.stop();
    expect(informer.listCount).toBe(1);
    seen.length = 0;

    await kube.delete({ ...CM, namespace: 'inf-b', name: 'goes' });
    await kube.create(cm('inf-b', 'new'));
    for (let i = 0; i < 3; i++) await kube.create(cm('noise', `noise-${i}`));
    tc.cluster.store.compact();

    informer.start();
    try {
      await until(() => informer.listCount === 2 && informer.store.get('inf-b', 'new') !== undefined);
      expect(informer.store.keys().sort()).toEqual([
        'inf-b/elsewhere',
        'inf-b/kube-root-ca.crt',
        'inf-b/new',
        'inf-b/stays',
      ]);
      expect(seen.sort()).toEqual(['add new', 'delete goes']);
      // Watching resumes after the relist.
      await kube.create(cm('inf-b', 'after-relist'));
      await until(() => informer.store.get('inf-b', 'after-relist') !== undefined);
    } finally {
      await informer.stop();
    }
  });

  it('shares one informer per kind and scope', () => {
    const factory = new InformerFactory({ kube });
    const a = factory.informerFor(CM, { namespace: 'x' });
    expect(factory.informerFor(CM, { namespace: 'x' })).toBe(a);
    expect(factory.informerFor(CM, { namespace: 'y' })).not.toBe(a);
    expect(factory.informerFor(CM, { namespace: 'x', labelSelector: 'a=b' })).not.toBe(a);
  });
});
