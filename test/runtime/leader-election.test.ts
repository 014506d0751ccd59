import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectKube, type KubeClient, type KubeObject } from '../../src/kube/index.js';
import { LeaderElector, Manager } from '../../src/runtime/index.js';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';
import { retrying, until, widgetCrd } from '../kube/helpers.js';
import { WIDGET, type Widget, WidgetReconciler } from './widget-reconciler.js';

let tc: TestCluster;
let kube: KubeClient;
const NS = 'le';
const LEASE = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: NS };
const timing = { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200 };

function startManager(identity: string, reconciledBy: string[]) {
  const manager = new Manager(
    { kube },
    {
      namespace: NS,
      leaderElection: { name: 'widget-controller-leader-election', namespace: NS, identity, ...timing },
    },
  );
  const reconciler = new WidgetReconciler(kube, manager.eventRecorder('widget-controller'), identity);
  manager.addController({
    name: 'widget',
    for: WIDGET,
    reconciler: {
      reconcile: async (ctx, req) => {
        const res = await reconciler.reconcile(ctx, req);
        reconciledBy.push(`${identity} ${req.name}`);
        return res;
      },
    },
  });
  return manager;
}

const widget = (name: string): Widget => ({
  ...WIDGET,
  metadata: { name, namespace: NS },
  spec: { size: 1 },
});

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

describe('leader election', () => {
  it('lets one of two managers reconcile, and hands over when the leader stops', async () => {
    const reconciledBy: string[] = [];
    const a = startManager('manager-a', reconciledBy);
    const b = startManager('manager-b', reconciledBy);
    try {
      await a.start();
      await until(() => a.isLeader, 5000, 'manager-a leading');
      await b.start();
      await kube.create(widget('first'));
      await until(() => reconciledBy.includes('manager-a first'));
      await new Promise((r) => setTimeout(r, 500));
      expect(b.isLeader).toBe(false);
      expect(reconciledBy.filter((r) => r.startsWith('manager-b'))).toEqual([]);
      const lease = await kube.get<KubeObject & { spec: { holderIdentity: string } }>({
        ...LEASE,
        name: 'widget-controller-leader-election',
      });
      expect(lease.spec.holderIdentity).toBe('manager-a');

      // A releases the lease on stop, so B takes over within a retry period or two.
      const stoppedAt = Date.now();
      await a.stop();
      await until(() => b.isLeader, 5000, 'manager-b leading');
      expect(Date.now() - stoppedAt).toBeLessThan(1500);
      await kube.create(widget('second'));
      await until(() => reconciledBy.includes('manager-b second'));
      expect(reconciledBy).not.toContain('manager-a second');
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('takes over a lease whose holder stopped renewing once it expires', async () => {
    const name = 'abandoned';
    const now = new Date().toISOString().replace('Z', '000Z');
    await kube.create({
      ...LEASE,
      metadata: { name, namespace: NS },
      spec: {
        holderIdentity: 'crashed',
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 0,
      },
    });
    const elector = new LeaderElector({ kube }, { name, namespace: NS, identity: 'successor', ...timing });
    const ac = new AbortController();
    let startedAt = 0;
    const run = elector.run(ac.signal, {
      onStartedLeading: () => {
        startedAt = Date.now();
      },
    });
    const began = Date.now();
    await until(() => elector.isLeader, 5000, 'successor leading');
    // The candidate must first watch the lease stay unrenewed for leaseDurationSeconds.
    expect(startedAt - began).toBeGreaterThanOrEqual(900);
    const lease = await kube.get<KubeObject & { spec: { holderIdentity: string; leaseTransitions: number } }>(
      {
        ...LEASE,
        name,
      },
    );
    expect(lease.spec).toMatchObject({ holderIdentity: 'successor', leaseTransitions: 1 });
    ac.abort();
    await run;
    const released = await kube.get<KubeObject & { spec: { holderIdentity?: string } }>({ ...LEASE, name });
    expect(released.spec.holderIdentity ?? '').toBe('');
  });
});
