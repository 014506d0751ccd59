import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectKube, type KubeClient, type RecordedEvent } from '../../src/kube/index.js';
import { createLogger, Manager } from '../../src/runtime/index.js';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';
import { retrying, until, widgetCrd } from '../kube/helpers.js';
import { WIDGET, type Widget, WidgetReconciler } from './widget-reconciler.js';

let tc: TestCluster;
let kube: KubeClient;
let manager: Manager;
let reconciler: WidgetReconciler;
const published: RecordedEvent[] = [];
const NS = 'widgets';

const ref = (name: string) => ({ ...WIDGET, namespace: NS, name });
const widget = (name: string, spec: Widget['spec']): Widget => ({
  ...WIDGET,
  metadata: { name, namespace: NS },
  spec,
});

async function status(name: string): Promise<Widget> {
  return kube.get<Widget>(ref(name));
}

function ready(w: Widget) {
  return (w.status?.conditions as { type: string; status: string; reason: string }[] | undefined)?.find(
    (c) => c.type === 'Ready',
  );
}

beforeAll(async () => {
  tc = await startTestCluster();
  kube = connectKube({ path: tc.kubeconfigPath });
  await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await kube.create(widgetCrd());
  await retrying(() => kube.list(WIDGET));
  manager = new Manager(
    { kube, logger: createLogger({ level: 'silent' }) },
    { metricsAddr: '127.0.0.1:0', healthAddr: '127.0.0.1:0', namespace: NS, minRetryDelayMs: 100 },
  );
  manager.events.subscribe((e) => published.push(e));
  reconciler = new WidgetReconciler(kube, manager.eventRecorder('widget-controller'));
  const controller = manager.addController({ name: 'widget', for: WIDGET, reconciler });
  // Widgets that reference a watched ConfigMap are reconciled when it changes.
  const widgets = manager.informerFor<Widget>(WIDGET);
  widgets.store.addIndexer('configMapRef', (w) =>
    w.spec?.configMapRef ? [`${w.metadata.namespace}/${w.spec.configMapRef}`] : [],
  );
  controller.watch(
    manager.informerFor(
      { apiVersion: 'v1', kind: 'ConfigMap' },
      { labelSelector: 'reconcile.fluxcd.io/watch=Enabled' },
    ),
    {
      map: (cm) =>
        widgets.store
          .byIndex('configMapRef', `${cm.metadata.namespace}/${cm.metadata.name}`)
          .map((w) => ({ namespace: w.metadata.namespace ?? '', name: w.metadata.name ?? '' })),
    },
  );
  await manager.start();
  await manager.waitForSync();
});

afterAll(async () => {
  await manager?.stop();
  kube?.close();
  await tc?.stop();
});

describe('Manager running a Widget controller', () => {
  it('reconciles a new Widget: status, Ready, finalizer and an event', async () => {
    await kube.create(widget('basic', { size: 21 }));
    await until(async () => (await status('basic')).status?.doubled === 42, 10_000, 'status.doubled');
    const w = await status('basic');
    expect(ready(w)).toMatchObject({ status: 'True', reason: 'Succeeded' });
    expect(w.metadata.finalizers).toEqual(['finalizers.fluxcd.io']);
    expect(w.status?.conditions).toHaveLength(1);
    expect(
      published.some((e) => e.reason === 'ReconciliationSucceeded' && e.involvedObject.name === 'basic'),
    ).toBe(true);
  });

  it('reconciles again on a spec change but not on its own status writes', async () => {
    await kube.create(widget('spec-change', { size: 1 }));
    await until(async () => (await status('spec-change')).status?.doubled === 2);
    const before = reconciler.attempts.get(`${NS}/spec-change`)!;
    await new Promise((r) => setTimeout(r, 300));
    expect(reconciler.attempts.get(`${NS}/spec-change`)).toBe(before);
    await kube.patch(ref('spec-change'), { spec: { size: 5 } });
    await until(async () => (await status('spec-change')).status?.doubled === 10);
  });

  it('echoes reconcile.fluxcd.io/requestedAt into status.lastHandledReconcileAt', async () => {
    await kube.create(widget('requested', { size: 1 }));
    await until(async () => (await status('requested')).status?.doubled === 2);
    await kube.patch(ref('requested'), {
      metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'now-1' } },
    });
    await until(async () => (await status('requested')).status?.lastHandledReconcileAt === 'now-1');
  });

  it('retries failures with backoff, showing ProgressingWithRetry, until they succeed', async () => {
    await kube.create(widget('flaky', { size: 2, failTimes: 2 }));
    await until(async () => {
      const w = await status('flaky');
      const reconciling = (w.status?.conditions as { type: string; reason: string }[] | undefined)?.find(
        (c) => c.type === 'Reconciling',
      );
      return reconciling?.reason === 'ProgressingWithRetry' && ready(w)?.reason === 'BuildFailed';
    });
    await until(async () => (await status('flaky')).status?.doubled === 4);
    expect(reconciler.attempts.get(`${NS}/flaky`)).toBe(3);
    expect(ready(await status('flaky'))?.status).toBe('True');
  });

  it('stalls on a TerminalError and does not retry', async () => {
    await kube.create(widget('invalid', { size: -1 }));
    await until(async () => {
      const w = await status('invalid');
      return (
        (w.status?.conditions as { type: string }[] | undefined)?.some((c) => c.type === 'Stalled') ?? false
      );
    });
    const w = await status('invalid');
    expect(ready(w)).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    await new Promise((r) => setTimeout(r, 400));
    expect(reconciler.attempts.get(`${NS}/invalid`)).toBe(1);
  });

  it('requeues after the interval the reconciler returns', async () => {
    await kube.create(widget('periodic', { size: 1, intervalMs: 150 }));
    await until(() => (reconciler.attempts.get(`${NS}/periodic`) ?? 0) >= 4, 5000);
  });

  it('leaves a suspended Widget alone', async () => {
    await kube.create(widget('paused', { size: 1 }));
    await until(async () => (await status('paused')).status?.doubled === 2);
    await kube.patch(ref('paused'), { spec: { suspend: true, size: 100 } });
    await new Promise((r) => setTimeout(r, 400));
    expect((await status('paused')).status?.doubled).toBe(2);
  });

  it('runs cleanup and removes its finalizer when a Widget is deleted', async () => {
    await kube.create(widget('doomed', { size: 1 }));
    await until(async () => (await status('doomed')).metadata.finalizers?.length === 1);
    await kube.delete(ref('doomed'));
    await until(async () => (await kube.tryGet(ref('doomed'))) === undefined);
    expect(reconciler.cleanedUp).toContain(`${NS}/doomed`);
  });

  it('reconciles Widgets again when a ConfigMap they reference changes', async () => {
    const cmRef = { apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: 'sizes' };
    await kube.create({
      ...cmRef,
      metadata: { name: 'sizes', namespace: NS, labels: { 'reconcile.fluxcd.io/watch': 'Enabled' } },
      data: { size: '3' },
    });
    await kube.create(widget('from-config', { configMapRef: 'sizes' }));
    await until(async () => (await status('from-config')).status?.doubled === 6);
    await kube.patch(cmRef, { data: { size: '7' } });
    await until(async () => (await status('from-config')).status?.doubled === 14);
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    const { metrics, health } = manager.addresses;
    expect((await fetch(`${health}/healthz`)).status).toBe(200);
    expect((await fetch(`${health}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${metrics}/metrics`)).text();
    expect(text).toMatch(
      /gotk_reconcile_duration_seconds_bucket\{le="[^"]+",kind="Widget",name="basic",namespace="widgets"\}/,
    );
    expect(text).toMatch(/controller_runtime_reconcile_total\{controller="widget",result="success"\} \d+/);
    expect(text).toMatch(/controller_runtime_reconcile_errors_total\{controller="widget"\} [1-9]/);
    expect(text).toMatch(/workqueue_depth\{name="widget"\} \d+/);
    expect(text).toMatch(/controller_runtime_max_concurrent_reconciles\{controller="widget"\} 4/);
  });
});
