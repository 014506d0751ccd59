import { it } from 'vitest';
import { startCluster } from '../../src/cluster/index.js';

it('measures', async () => {
  for (const enabled of [false, true, false, true]) {
    const c = await startCluster({ memory: true, insecureHttp: true, durability: 'normal', workloads: { enabled, readyDelayMs: 50 } });
    const rt = c.service.registry.lookup('', 'v1', 'configmaps')!;
    const t0 = performance.now();
    for (let i = 0; i < 3000; i++) c.service.create(rt, 'default', { metadata: { name: `cm-${i}` }, data: { a: String(i) } }, { fieldManager: 'x' });
    await new Promise((r) => setImmediate(r));
    const t1 = performance.now();
    process.stdout.write(`configmaps enabled=${enabled}: ${(t1 - t0).toFixed(0)} ms for 3000\n`);
    if (enabled) {
      const drt = c.service.registry.lookup('apps', 'v1', 'deployments')!;
      const r0 = c.store.currentRevision;
      const s = performance.now();
      c.service.create(drt, 'default', { metadata: { name: 'big' }, spec: { replicas: 300, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } }, { fieldManager: 'x' });
      for (;;) {
        const d = c.service.get(drt, 'default', 'big');
        if (d.status?.availableReplicas === 300 && d.status?.conditions?.some((x: { reason: string }) => x.reason === 'NewReplicaSetAvailable')) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      const r1 = c.store.currentRevision;
      process.stdout.write(`deployment 300 replicas ready in ${(performance.now() - s).toFixed(0)} ms, ${r1 - r0} writes\n`);
      await new Promise((r) => setTimeout(r, 1000));
      process.stdout.write(`writes during 1 s after settling: ${c.store.currentRevision - r1}\n`);
    }
    await c.stop();
  }
}, 120_000);
