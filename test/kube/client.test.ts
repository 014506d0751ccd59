import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ConflictError, NotFoundError } from '../../src/api/index.js';
import {
  apiErrorOf,
  connectKube,
  isAlreadyExists,
  isConflict,
  type KubeClient,
  type KubeObject,
  type WatchEvent,
} from '../../src/kube/index.js';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';
import { retrying, widgetCrd } from './helpers.js';

let tc: TestCluster;
let kube: KubeClient;

const cm = (name: string, data: Record<string, string> = {}, namespace = 'default'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data,
});

beforeAll(async () => {
  tc = await startTestCluster();
  kube = connectKube({ path: tc.kubeconfigPath }, { fieldManager: 'sluice-test' });
});

afterAll(async () => {
  kube?.close();
  await tc?.stop();
});

describe('KubeClient against the embedded cluster', () => {
  it('creates, reads, updates and deletes a ConfigMap', async () => {
    const created = await kube.create(cm('crud', { a: '1' }));
    expect(created.metadata.uid).toBeTruthy();
    const got = await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'crud' });
    expect(got.data).toEqual({ a: '1' });
    got.data = { a: '2' };
    const updated = await kube.update(got);
    expect(updated.metadata.resourceVersion).not.toBe(got.metadata.resourceVersion);
    await kube.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'crud' });
    expect(await kube.tryGet({ apiVersion: 'v1', kind: 'ConfigMap', name: 'crud' })).toBeUndefined();
  });

  it('names the object in errors and maps them to typed errors', async () => {
    const missing = kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'nope' });
    await expect(missing).rejects.toBeInstanceOf(NotFoundError);
    await expect(missing).rejects.toThrowErrorMatchingInlineSnapshot(
      `[NotFoundError: Cannot get ConfigMap/default/nope: configmaps "nope" not found]`,
    );
    await kube.create(cm('dup'));
    const dup = await kube.create(cm('dup')).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(ConflictError);
    expect(isAlreadyExists(dup)).toBe(true);
    expect(apiErrorOf(dup)).toMatchObject({ status: 409, reason: 'AlreadyExists' });
    const failedTest = await kube
      .patch(
        { apiVersion: 'v1', kind: 'ConfigMap', name: 'dup' },
        [{ op: 'test', path: '/data', value: { a: 'b' } }],
        {
          type: 'json',
        },
      )
      .catch((e: unknown) => e);
    expect(failedTest).toBeInstanceOf(ApiError);
    expect((failedTest as ApiError).status).toBe(422);
    expect((failedTest as ApiError).message).toMatch(/^Cannot patch ConfigMap\/default\/dup: /);
  });

  it('refuses an update with a stale resourceVersion', async () => {
    const first = await kube.create(cm('stale', { v: '1' }));
    await kube.update({ ...first, data: { v: '2' } });
    const err = await kube.update({ ...first, data: { v: '3' } }).catch((e: unknown) => e);
    expect(isConflict(err)).toBe(true);
  });

  it('patches with merge, JSON and strategic merge patches', async () => {
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'patched' };
    await kube.create(cm('patched', { a: '1' }));
    await kube.patch(ref, { data: { b: '2' } });
    await kube.patch(ref, [{ op: 'add', path: '/data/c', value: '3' }], { type: 'json' });
    const after = await kube.patch(ref, { metadata: { labels: { x: 'y' } } }, { type: 'strategic' });
    expect(after.data).toEqual({ a: '1', b: '2', c: '3' });
    expect(after.metadata.labels).toEqual({ x: 'y' });
  });

  it('server-side applies with a field manager, reports conflicts, and forces', async () => {
    const obj = cm('applied', { owner: 'one' });
    const first = await kube.apply(obj, { fieldManager: 'one' });
    expect(first.metadata.managedFields?.some((f) => (f as { manager: string }).manager === 'one')).toBe(
      true,
    );
    const again = await kube.apply(obj, { fieldManager: 'one' });
    expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const conflict = await kube
      .apply(cm('applied', { owner: 'two' }), { fieldManager: 'two' })
      .catch((e) => e);
    expect(isConflict(conflict)).toBe(true);
    expect(apiErrorOf(conflict)?.causes[0]).toMatchObject({ reason: 'FieldManagerConflict' });
    const forced = await kube.apply(cm('applied', { owner: 'two' }), { fieldManager: 'two', force: true });
    expect(forced.data).toEqual({ owner: 'two' });
  });

  it('dry-runs a create without persisting it', async () => {
    const res = await kube.create(cm('dry'), { dryRun: true });
    expect(res.metadata.name).toBe('dry');
    expect(await kube.tryGet({ apiVersion: 'v1', kind: 'ConfigMap', name: 'dry' })).toBeUndefined();
  });

  it('lists by label selector, across namespaces, and follows continue tokens', async () => {
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'paging' } });
    for (let i = 0; i < 7; i++) {
      const o = cm(`page-${i}`, {}, 'paging');
      o.metadata.labels = { page: i % 2 ? 'odd' : 'even' };
      await kube.create(o);
    }
    const all = await kube.list({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'paging', limit: 2 });
    // Every namespace also holds the cluster's kube-root-ca.crt ConfigMap.
    expect(all.items.map((i) => i.metadata.name)).toEqual([
      'kube-root-ca.crt',
      ...[0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`),
    ]);
    expect(all.items[0]).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    const odd = await kube.list(
      { apiVersion: 'v1', kind: 'ConfigMap' },
      { namespace: 'paging', labelSelector: 'page=odd' },
    );
    expect(odd.items).toHaveLength(3);
    const everywhere = await kube.list({ apiVersion: 'v1', kind: 'ConfigMap' }, { labelSelector: 'page' });
    expect(everywhere.items).toHaveLength(7);
  });

  it('watches changes from a resourceVersion, line by line', async () => {
    const list = await kube.list({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'default' });
    const ac = new AbortController();
    const seen: string[] = [];
    let resolveDone = () => {};
    const done = new Promise<void>((r) => {
      resolveDone = r;
    });
    const watching = (async () => {
      const events = kube.watch(
        { apiVersion: 'v1', kind: 'ConfigMap' },
        {
          namespace: 'default',
          resourceVersion: list.metadata.resourceVersion,
          signal: ac.signal,
        },
      );
      for await (const e of events as AsyncIterable<WatchEvent>) {
        if (e.type === 'BOOKMARK') continue;
        seen.push(`${e.type} ${e.object.metadata.name}`);
        if (e.type === 'DELETED') resolveDone();
      }
    })().catch(() => {});
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'watched' };
    await kube.create(cm('watched'));
    await kube.patch(ref, { data: { x: 'y' } });
    await kube.delete(ref);
    await done;
    ac.abort();
    await watching;
    expect(seen).toEqual(['ADDED watched', 'MODIFIED watched', 'DELETED watched']);
  });

  it('finds a custom kind right after its CRD is installed', async () => {
    await expect(kube.list({ apiVersion: 'example.sluice.dev/v1', kind: 'Widget' })).rejects.toThrow(
      /Kind Widget is not served/,
    );
    await kube.create(widgetCrd());
    const widget = await retrying(() =>
      kube.create({
        apiVersion: 'example.sluice.dev/v1',
        kind: 'Widget',
        metadata: { name: 'w1' },
        spec: { size: 3 },
      }),
    );
    expect((widget as KubeObject).metadata.generation).toBe(1);
    const mapping = await kube.mappingFor({ apiVersion: 'example.sluice.dev/v1', kind: 'Widget' });
    expect(mapping).toMatchObject({ resource: 'widgets', namespaced: true, subresources: ['status'] });
    const patched = await kube.patchStatus(
      { apiVersion: 'example.sluice.dev/v1', kind: 'Widget', name: 'w1' },
      { status: { phase: 'Ready' } },
    );
    expect(patched.status).toEqual({ phase: 'Ready' });
  });

  it('replaces the status subresource with updateStatus and knows preferred group versions', async () => {
    const w = await kube.create({
      apiVersion: 'example.sluice.dev/v1',
      kind: 'Widget',
      metadata: { name: 'w2' },
      spec: { size: 1 },
    });
    const updated = await kube.updateStatus({ ...w, status: { phase: 'Done' }, spec: { size: 99 } });
    expect(updated.status).toEqual({ phase: 'Done' });
    expect(updated.spec).toEqual({ size: 1 });
    expect(await kube.preferredVersion('apps')).toBe('apps/v1');
    expect(await kube.preferredVersion('')).toBe('v1');
    await expect(kube.preferredVersion('nothing.example.com')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('answers 200 concurrent reads within seconds', async () => {
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        kube.get({ apiVersion: 'v1', kind: 'Namespace', name: i % 2 ? 'default' : 'paging' }),
      ),
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
