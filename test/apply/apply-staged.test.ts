import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplyError, inventoryFromChangeSet, ResourceManager } from '../../src/apply/index.js';
import type { KubeObject } from '../../src/kube/index.js';
import {
  type ApplyEnv,
  configMap,
  deployment,
  namespace,
  objectRequests,
  startApplyEnv,
  widget,
  widgetCrd,
  writes,
} from './support.js';

let env: ApplyEnv;

beforeAll(async () => {
  env = await startApplyEnv();
});

afterAll(async () => {
  await env?.stop();
});

const manager = () =>
  new ResourceManager({ kube: env.kube }, { ownedBy: { name: 'apps', namespace: 'flux-system' } });

describe('ResourceManager.applyAllStaged', () => {
  it('creates new objects with one write each and reports them created', async () => {
    const rm = manager();
    const objects = [configMap('one', 'default', { a: '1' }), deployment('web', 'default')];
    env.requests.length = 0;
    const cs = await rm.applyAllStaged(objects);
    expect(cs.toString()).toMatchInlineSnapshot(`
      "ConfigMap/default/one created
      Deployment/default/web created"
    `);
    // One read and one apply per new object: no dry-run for objects that do not exist.
    expect(objectRequests(env.requests).map((r) => r.method)).toEqual(['GET', 'GET', 'PATCH', 'PATCH']);
    const cm = await env.kube.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'one', namespace: 'default' });
    expect(cm.metadata.labels).toEqual({
      'kustomize.toolkit.fluxcd.io/name': 'apps',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    });
    const managers = (cm.metadata.managedFields as { manager: string; operation: string }[]).map(
      (m) => `${m.manager}/${m.operation}`,
    );
    expect(managers).toEqual(['kustomize-controller/Apply']);
  });

  it('reports unchanged objects without writing: the resourceVersion does not move', async () => {
    const rm = manager();
    const objects = [configMap('one', 'default', { a: '1' }), deployment('web', 'default')];
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'one', namespace: 'default' };
    const before = await env.kube.get(ref);
    env.requests.length = 0;
    const cs = await rm.applyAllStaged(objects);
    expect(cs.entries.map((e) => e.action)).toEqual(['unchanged', 'unchanged']);
    expect(cs.hasChanges()).toBe(false);
    expect(writes(env.requests)).toEqual([]);
    expect((await env.kube.get(ref)).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('configures changed objects and removes fields that left the source', async () => {
    const rm = manager();
    await rm.applyAllStaged([configMap('two', 'default', { a: '1', b: '2' })]);
    const cs = await rm.applyAllStaged([configMap('two', 'default', { a: '10' })]);
    expect(cs.changeLog()).toBe('ConfigMap/default/two configured');
    const cm = await env.kube.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'two', namespace: 'default' });
    expect(cm.data).toEqual({ a: '10' });
  });

  it('applies a CRD and its custom resource in one set, the CRD established first', async () => {
    const rm = manager();
    const cs = await rm.applyAllStaged([widget('w1', 'default', { size: 1 }), widgetCrd()], {
      waitIntervalMs: 100,
    });
    expect(cs.toString()).toMatchInlineSnapshot(`
      "CustomResourceDefinition/widgets.example.sluice.dev created
      Widget/default/w1 created"
    `);
    const crd = await env.kube.get({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      name: 'widgets.example.sluice.dev',
    });
    const established = (crd.status as { conditions: { type: string; status: string }[] }).conditions.find(
      (c) => c.type === 'Established',
    );
    expect(established?.status).toBe('True');
    const w = await env.kube.get({
      apiVersion: 'example.sluice.dev/v1',
      kind: 'Widget',
      name: 'w1',
      namespace: 'default',
    });
    expect(w.spec).toEqual({ size: 1 });
    expect((await rm.applyAllStaged([widget('w1', 'default', { size: 1 }), widgetCrd()])).changeLog()).toBe(
      '',
    );
  });

  it('creates a namespace before the objects in it', async () => {
    const rm = manager();
    const cs = await rm.applyAllStaged([configMap('inside', 'team-a', { x: 'y' }), namespace('team-a')]);
    expect(cs.toString()).toMatchInlineSnapshot(`
      "Namespace/team-a created
      ConfigMap/team-a/inside created"
    `);
    expect(cs.toRefs()).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', name: 'team-a' },
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'inside', namespace: 'team-a' },
    ]);
  });

  it('applies objects missing from the previous inventory with one request each', async () => {
    const rm = manager();
    const first = [configMap('inv-a', 'default', { a: '1' }), configMap('inv-b', 'default', { b: '1' })];
    env.requests.length = 0;
    const cs = await rm.applyAllStaged(first, { inventory: { entries: [] } });
    expect(cs.toString()).toBe('ConfigMap/default/inv-a created\nConfigMap/default/inv-b created');
    expect(objectRequests(env.requests).map((r) => r.method)).toEqual(['PATCH', 'PATCH']);
    // Objects in the inventory are read and dry-run as usual; new ones are still applied at once.
    env.requests.length = 0;
    const next = [...first, configMap('inv-c', 'default', { c: '1' })];
    const again = await rm.applyAllStaged(next, { inventory: inventoryFromChangeSet(cs) });
    expect(again.toMap()).toEqual({
      'ConfigMap/default/inv-a': 'unchanged',
      'ConfigMap/default/inv-b': 'unchanged',
      'ConfigMap/default/inv-c': 'created',
    });
    expect(writes(env.requests).length).toBe(1);
  });

  it('reports an object it took for new as configured when another manager wrote it before', async () => {
    await env.kube.apply(configMap('adopted', 'default', { a: '1', other: 'x' }), {
      fieldManager: 'someone',
    });
    const cs = await manager().applyAllStaged([configMap('adopted', 'default', { a: '2' })], {
      inventory: { entries: [] },
    });
    expect(cs.toString()).toBe('ConfigMap/default/adopted configured');
    const cm = await env.kube.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'adopted',
      namespace: 'default',
    });
    expect(cm.data).toEqual({ a: '2', other: 'x' });
  });

  it('falls back to reading an object taken for new when an immutable field changed', async () => {
    const rm = manager();
    await rm.apply(deployment('taken', 'default'));
    const changed = deployment('taken', 'default', { selector: { app: 'changed' } });
    const cs = await rm.applyAllStaged([changed], { inventory: { entries: [] }, force: true });
    expect(cs.toString()).toBe('Deployment/default/taken created');
    await expect(
      rm.applyAllStaged([deployment('taken', 'default')], { inventory: { entries: [] } }),
    ).rejects.toThrow(/^Deployment\/default\/taken dry-run failed \(Invalid\): spec.selector is immutable/);
  });

  it('stops before any write when a dry-run fails, naming the object', async () => {
    const rm = manager();
    await rm.applyAllStaged([configMap('three', 'default', { a: '1' })]);
    const good = deployment('web', 'default');
    const bad: KubeObject = { ...good, spec: { ...(good.spec as object), replicas: -1 } };
    env.requests.length = 0;
    const err = await rm
      .applyAllStaged([configMap('three', 'default', { a: '2' }), bad])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplyError);
    expect((err as ApplyError).code).toBe('DryRunFailed');
    expect((err as ApplyError).message).toMatch(/^Deployment\/default\/web dry-run failed \(\w+\): /);
    expect(writes(env.requests)).toEqual([]);
  });

  it('carries what was applied before an apply failed', async () => {
    const good = deployment('bad', 'partial');
    const bad: KubeObject = { ...good, spec: { ...(good.spec as object), replicas: -1 } };
    const err = await manager()
      .applyAllStaged([namespace('partial'), configMap('ok', 'partial', { a: '1' }), bad])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplyError);
    expect((err as ApplyError).code).toBe('ApplyFailed');
    expect((err as ApplyError).message).toMatch(/^Deployment\/partial\/bad apply failed: /);
    expect((err as ApplyError).changeSet?.toString()).toBe(
      'Namespace/partial created\nConfigMap/partial/ok created',
    );
  });

  it('refuses a namespaced object without a namespace', async () => {
    const rm = manager();
    const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nowhere' }, data: {} };
    await expect(rm.applyAllStaged([obj])).rejects.toThrow(
      'ConfigMap/nowhere namespace not specified: a ConfigMap is namespaced',
    );
  });
});
