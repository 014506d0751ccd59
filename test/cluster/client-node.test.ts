import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCluster, startCluster } from '../../src/cluster/index.js';

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('@kubernetes/client-node against the embedded cluster', () => {
  let dir: string;
  let cluster: RunningCluster;
  let port: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-client-node-'));
    cluster = await startCluster({ dataDir: dir, port: 0, bookmarkIntervalMs: 500 });
    port = Number(new URL(cluster.url).port);
  });
  afterAll(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('an informer sees adds, updates and deletes, and recovers after the server restarts', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath!);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () =>
      core.listNamespacedConfigMap({ namespace: 'default' }),
    );
    const seen: string[] = [];
    let errors = 0;
    let stopped = false;
    // The cluster's own CA ConfigMap lives in every namespace; the test follows the ones it writes.
    const ours = (o: k8s.V1ConfigMap) => o.metadata?.name !== 'kube-root-ca.crt';
    informer.on(
      'add',
      (o) => ours(o) && seen.push(`add ${o.metadata?.name} ${JSON.stringify(o.data ?? {})}`),
    );
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name} ${JSON.stringify(o.data ?? {})}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    informer.on('error', () => {
      errors++;
      // An informer stops on errors; like controllers do, start it again after a pause.
      if (!stopped) setTimeout(() => !stopped && informer.start().catch(() => {}), 300);
    });
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'before' }, data: { v: '1' } },
    });
    await informer.start();
    try {
      await until(() => seen.includes('add before {"v":"1"}'), 'the initial add');
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'live' } } });
      await core.patchNamespacedConfigMap(
        { namespace: 'default', name: 'live', body: { data: { v: '2' } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'before' });
      await until(() => seen.includes('delete before'), 'the delete');
      expect(seen).toEqual(['add before {"v":"1"}', 'add live {}', 'update live {"v":"2"}', 'delete before']);

      const rv = (await core.readNamespacedConfigMap({ namespace: 'default', name: 'live' })).metadata
        ?.resourceVersion;
      await cluster.stop();
      cluster = await startCluster({ dataDir: dir, port, bookmarkIntervalMs: 500 });
      await until(() => errors > 0, 'the informer to notice the restart');
      const after = await core.readNamespacedConfigMap({ namespace: 'default', name: 'live' });
      expect(after.metadata?.resourceVersion).toBe(rv);
      await core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'after-restart' } },
      });
      await until(() => seen.includes('add after-restart {}'), 'an add after the restart');
      expect(
        informer
          .list()
          .map((o) => o.metadata?.name)
          .sort(),
      ).toEqual(['after-restart', 'kube-root-ca.crt', 'live']);
    } finally {
      stopped = true;
      await informer.stop();
    }
  });
});
