import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResourceManager } from '../../src/apply/index.js';
import type { KubeObject } from '../../src/kube/index.js';
import { type ApplyEnv, configMap, startApplyEnv, writes } from './support.js';

let env: ApplyEnv;
let rm: ResourceManager;

beforeAll(async () => {
  env = await startApplyEnv();
  rm = new ResourceManager({ kube: env.kube }, { ownedBy: { name: 'apps', namespace: 'flux-system' } });
});

afterAll(async () => {
  await env?.stop();
});

const SSA = 'kustomize.toolkit.fluxcd.io/ssa';
const cmRef = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace: 'default' });
const managers = (obj: KubeObject) =>
  (obj.metadata.managedFields as { manager: string; operation: string }[]).map(
    (m) => `${m.manager}/${m.operation}`,
  );

describe('kustomize.toolkit.fluxcd.io annotations', () => {
  it('ssa: IfNotPresent creates the object once and leaves it alone afterwards', async () => {
    const meta = { annotations: { [SSA]: 'IfNotPresent' } };
    expect((await rm.apply(configMap('once', 'default', { a: '1' }, meta))).action).toBe('created');
    await env.kube.patch(cmRef('once'), { data: { a: 'edited' } }, { fieldManager: 'someone' });
    const entry = await rm.apply(configMap('once', 'default', { a: '2' }, meta));
    expect(entry.action).toBe('skipped');
    expect((await env.kube.get(cmRef('once'))).data).toEqual({ a: 'edited' });
  });

  it('ssa: Ignore on the source object skips it entirely', async () => {
    const cs = await rm.applyAllStaged([
      configMap('ignored', 'default', { a: '1' }, { annotations: { [SSA]: 'ignore' } }),
      configMap('applied', 'default', { a: '1' }),
    ]);
    expect(cs.toMap()).toEqual({
      'ConfigMap/default/applied': 'created',
      'ConfigMap/default/ignored': 'skipped',
    });
    expect(await env.kube.tryGet(cmRef('ignored'))).toBeUndefined();
  });

  it('ssa: Ignore or reconcile: disabled on the object in the cluster stops reconciling it', async () => {
    await rm.applyAllStaged([
      configMap('paused', 'default', { a: '1' }),
      configMap('frozen', 'default', { a: '1' }),
    ]);
    await env.kube.patch(
      cmRef('paused'),
      {
        metadata: { annotations: { 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled' } },
        data: { a: 'hand' },
      },
      { fieldManager: 'someone' },
    );
    await env.kube.patch(
      cmRef('frozen'),
      { metadata: { annotations: { [SSA]: 'Ignore' } } },
      { fieldManager: 'someone' },
    );
    env.requests.length = 0;
    const cs = await rm.applyAllStaged([
      configMap('paused', 'default', { a: '2' }),
      configMap('frozen', 'default', { a: '2' }),
    ]);
    expect(cs.entries.map((e) => e.action)).toEqual(['skipped', 'skipped']);
    expect(writes(env.requests)).toEqual([]);
    expect((await env.kube.get(cmRef('paused'))).data).toEqual({ a: 'hand' });
    // Skipped objects are left out of health checks.
    expect(cs.toRefs()).toEqual([]);
  });

  it("Override (the default) drops kubectl's last-applied annotation before applying", async () => {
    const manifest = JSON.stringify(configMap('from-kubectl', 'default', { a: '1', b: '2' }));
    await env.tc.kubectlOk(['apply', '-f', '-'], { input: manifest });
    env.requests.length = 0;
    const cs = await rm.applyAllStaged([configMap('from-kubectl', 'default', { a: '1' })]);
    expect(cs.toString()).toBe('ConfigMap/default/from-kubectl configured');
    const cm = await env.kube.get(cmRef('from-kubectl'));
    expect(cm.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toBeUndefined();
    expect(managers(cm)).toContain('kustomize-controller/Apply');
    // The cleanup is one JSON patch before the dry-run and the apply; afterwards the object is unchanged.
    expect(writes(env.requests).map((r) => r.path)).toEqual([
      '/api/v1/namespaces/default/configmaps/from-kubectl?fieldManager=kustomize-controller',
      '/api/v1/namespaces/default/configmaps/from-kubectl?fieldManager=kustomize-controller&force=true',
    ]);
    expect((await rm.applyAllStaged([configMap('from-kubectl', 'default', { a: '1' })])).changeLog()).toBe(
      '',
    );
  });

  // Real API servers take managedFields from a non-apply patch; the embedded cluster still keeps the stored
  // ones, so kubectl keeps owning `b`. This flips to passing once the cluster honours them.
  it('Override removes fields kubectl applied once they leave the source', async () => {
    const manifest = JSON.stringify(configMap('from-kubectl-2', 'default', { a: '1', b: '2' }));
    await env.tc.kubectlOk(['apply', '-f', '-'], { input: manifest });
    await rm.applyAllStaged([configMap('from-kubectl-2', 'default', { a: '1' })]);
    const cm = await env.kube.get(cmRef('from-kubectl-2'));
    expect(cm.data).toEqual({ a: '1' });
    expect(managers(cm)).toEqual(['kustomize-controller/Apply']);
  });

  it('ssa: Merge keeps the fields other tools set', async () => {
    const manifest = JSON.stringify(configMap('merged', 'default', { a: '1', b: '2' }));
    await env.tc.kubectlOk(['apply', '-f', '-'], { input: manifest });
    const meta = { annotations: { [SSA]: 'Merge' } };
    const cs = await rm.applyAllStaged([configMap('merged', 'default', { a: '1' }, meta)]);
    expect(cs.toString()).toBe('ConfigMap/default/merged configured');
    const cm = await env.kube.get(cmRef('merged'));
    expect(cm.data).toEqual({ a: '1', b: '2' });
    expect(cm.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toBeDefined();
  });

  it('diff tells what applying would do without writing, masking Secret data', async () => {
    const secret = (value: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: 'default' },
      stringData: { password: value, user: 'admin' },
    });
    const created = await rm.diff(secret('s3cret'));
    expect(created.entry.action).toBe('created');
    expect(created.drifted).toBe(true);
    await rm.apply(secret('s3cret'));
    env.requests.length = 0;
    const same = await rm.diff(secret('s3cret'));
    expect(same).toMatchObject({ entry: { action: 'unchanged' }, drifted: false });
    const changed = await rm.diff(secret('other'));
    expect(changed.entry.action).toBe('configured');
    expect(changed.existing?.data).toEqual({ password: '*** (before)', user: '***' });
    expect(changed.dryRun?.data).toEqual({ password: '*** (after)', user: '***' });
    expect(changed.dryRun?.metadata.managedFields).toBeUndefined();
    expect(writes(env.requests)).toEqual([]);
  });
});
