import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatObjectId,
  inventoryDiff,
  inventoryFromChangeSet,
  inventoryObjects,
  mergeInventory,
  parseObjectId,
  ResourceManager,
} from '../../src/apply/index.js';
import { type ApplyEnv, configMap, namespace, startApplyEnv } from './support.js';

let env: ApplyEnv;

beforeAll(async () => {
  env = await startApplyEnv();
});

afterAll(async () => {
  await env?.stop();
});

const owned = (name: string) =>
  new ResourceManager({ kube: env.kube }, { ownedBy: { name, namespace: 'flux-system' } });
const cmRef = (name: string, ns = 'default') => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  name,
  namespace: ns,
});

describe('inventory', () => {
  it('encodes entries as Flux does: <namespace>_<name>_<group>_<kind> with the version apart', async () => {
    const rm = owned('inv');
    const cs = await rm.applyAllStaged([namespace('inv-ns'), configMap('inv', 'inv-ns', { a: '1' })]);
    expect(inventoryFromChangeSet(cs)).toEqual({
      entries: [
        { id: '_inv-ns__Namespace', v: 'v1' },
        { id: 'inv-ns_inv__ConfigMap', v: 'v1' },
      ],
    });
    expect(
      formatObjectId({
        namespace: '',
        name: 'system:viewer',
        group: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
      }),
    ).toBe('_system__viewer_rbac.authorization.k8s.io_ClusterRole');
    expect(parseObjectId('_system__viewer_rbac.authorization.k8s.io_ClusterRole')).toEqual({
      namespace: '',
      name: 'system:viewer',
      group: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
    });
    expect(parseObjectId('apps_pod_info_apps_Deployment')).toEqual({
      namespace: 'apps',
      name: 'pod_info',
      group: 'apps',
      kind: 'Deployment',
    });
    expect(() => parseObjectId('nope')).toThrow('Inventory id "nope" is malformed');
  });

  it('diffs two inventories into the stale objects, in apply order', () => {
    const previous = {
      entries: [
        { id: 'apps_web_apps_Deployment', v: 'v1' },
        { id: '_apps__Namespace', v: 'v1' },
        { id: 'apps_cfg__ConfigMap', v: 'v1' },
      ],
    };
    const next = { entries: [{ id: 'apps_cfg__ConfigMap', v: 'v1' }] };
    expect(inventoryDiff(previous, next)).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'apps' } },
    ]);
    expect(inventoryObjects(next)).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'apps' } },
    ]);
    expect(mergeInventory(next, inventoryDiff(previous, next)).entries.map((e) => e.id)).toEqual([
      'apps_cfg__ConfigMap',
      '_apps__Namespace',
      'apps_web_apps_Deployment',
    ]);
  });
});

describe('ResourceManager.deleteAll', () => {
  it('prunes what left the inventory, but not objects marked prune: disabled', async () => {
    const rm = owned('prune');
    const first = await rm.applyAllStaged([
      configMap('keep', 'default', { a: '1' }),
      configMap('gone', 'default', { a: '1' }),
      configMap(
        'sticky',
        'default',
        { a: '1' },
        { annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'Disabled' } },
      ),
    ]);
    const second = await rm.applyAllStaged([configMap('keep', 'default', { a: '1' })]);
    const stale = inventoryDiff(inventoryFromChangeSet(first), inventoryFromChangeSet(second));
    const cs = await rm.deleteAll(stale);
    expect(cs.toString()).toMatchInlineSnapshot(`
      "ConfigMap/default/sticky skipped
      ConfigMap/default/gone deleted"
    `);
    expect(await env.kube.tryGet(cmRef('gone'))).toBeUndefined();
    expect(await env.kube.tryGet(cmRef('sticky'))).toBeDefined();
    expect(await env.kube.tryGet(cmRef('keep'))).toBeDefined();
  });

  it('never deletes what another owner applied, and counts objects already gone as deleted', async () => {
    const mine = owned('mine');
    const theirs = owned('theirs');
    await theirs.applyAllStaged([configMap('shared', 'default', { a: '1' })]);
    const stale = inventoryObjects({
      entries: [
        { id: 'default_shared__ConfigMap', v: 'v1' },
        { id: 'default_vanished__ConfigMap', v: 'v1' },
      ],
    });
    const cs = await mine.deleteAll(stale);
    expect(cs.toMap()).toEqual({
      'ConfigMap/default/shared': 'skipped',
      'ConfigMap/default/vanished': 'deleted',
    });
    expect(await env.kube.tryGet(cmRef('shared'))).toBeDefined();
  });

  it('deletes namespaced objects before their namespace', async () => {
    const rm = owned('ns');
    const applied = await rm.applyAllStaged([namespace('doomed'), configMap('inner', 'doomed', { a: '1' })]);
    const cs = await rm.deleteAll(inventoryObjects(inventoryFromChangeSet(applied)));
    expect(cs.toString()).toMatchInlineSnapshot(`
      "ConfigMap/doomed/inner deleted
      Namespace/doomed deleted"
    `);
  });

  it('waits for pruned objects to terminate, and names the ones that stay', async () => {
    const rm = owned('term');
    const cs = await rm.applyAllStaged([configMap('short', 'default', { a: '1' })]);
    const deleted = await rm.deleteAll(inventoryObjects(inventoryFromChangeSet(cs)));
    await rm.waitForTermination(deleted.toRefs(), { timeoutMs: 5_000, intervalMs: 50 });
    await env.kube.create({
      ...configMap('held', 'default', { a: '1' }),
      metadata: { name: 'held', namespace: 'default', finalizers: ['example.com/hold'] },
    });
    await env.kube.delete(cmRef('held'));
    await expect(rm.waitForTermination([cmRef('held')], { timeoutMs: 200, intervalMs: 50 })).rejects.toThrow(
      'Timeout waiting for termination of: [ConfigMap/default/held]',
    );
    await env.kube.patch(cmRef('held'), { metadata: { finalizers: null } });
    await rm.waitForTermination([cmRef('held')], { timeoutMs: 5_000, intervalMs: 50 });
  });
});
