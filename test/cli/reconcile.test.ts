import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/index.js';
import { type CliCluster, type Outcome, simulateControllers, startCliCluster } from './support.js';

const KS = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };
const HR = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' };

describe('sluice reconcile, suspend and resume', () => {
  let cc: CliCluster;
  let stop: () => Promise<void>;
  const outcome = (obj: KubeObject): Outcome => {
    if (obj.metadata.name === 'broken') {
      return {
        ready: false,
        message: 'kustomize build failed: accumulating resources: missing.yaml not found',
      };
    }
    if (obj.kind === 'HelmRelease') return { ready: true, revision: '1.4.2' };
    return { ready: true };
  };

  beforeAll(async () => {
    cc = await startCliCluster();
    await cc.apply(`
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: fleet, namespace: flux-system}
spec: {interval: 1m, url: https://example.com/fleet.git, ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec: {interval: 10m, prune: true, path: ./apps, sourceRef: {kind: GitRepository, name: fleet}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: broken, namespace: flux-system}
spec: {interval: 10m, prune: true, path: ./broken, sourceRef: {kind: GitRepository, name: fleet}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: charts, namespace: flux-system}
spec: {interval: 1m, url: https://charts.example.com}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: web, namespace: flux-system}
spec:
  interval: 5m
  chart: {spec: {chart: web, version: 1.x, sourceRef: {kind: HelmRepository, name: charts}}}
`);
    stop = simulateControllers(cc.kube, outcome);
  }, 120_000);

  afterAll(async () => {
    await stop?.();
    await cc?.stop();
  });

  it('reconcile ks annotates the object, waits for the controller and prints the applied revision', async () => {
    const r = await cc.run(['reconcile', 'ks', 'apps']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatchInlineSnapshot(`
      "► annotating Kustomization apps in flux-system namespace
      ✔ Kustomization annotated
      ◎ waiting for Kustomization reconciliation
      ✔ Kustomization reconciliation completed
      ✔ applied revision main@sha1:0123456789abcdef0123456789abcdef01234567
      "
    `);
    const obj = await cc.kube.get<KubeObject & { status?: { lastHandledReconcileAt?: string } }>({
      ...KS,
      name: 'apps',
      namespace: 'flux-system',
    });
    const at = obj.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
    expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
    expect(obj.status?.lastHandledReconcileAt).toBe(at);
  });

  it('reconcile ks --with-source reconciles the GitRepository first', async () => {
    const r = await cc.run(['reconcile', 'kustomization', 'apps', '--with-source']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatchInlineSnapshot(`
      "► annotating GitRepository fleet in flux-system namespace
      ✔ GitRepository annotated
      ◎ waiting for GitRepository reconciliation
      ✔ GitRepository reconciliation completed
      ✔ fetched revision main@sha1:0123456789abcdef0123456789abcdef01234567
      ► annotating Kustomization apps in flux-system namespace
      ✔ Kustomization annotated
      ◎ waiting for Kustomization reconciliation
      ✔ Kustomization reconciliation completed
      ✔ applied revision main@sha1:0123456789abcdef0123456789abcdef01234567
      "
    `);
  });

  it('reconcile exits 1 with the Ready message when the reconciliation fails', async () => {
    const r = await cc.run(['reconcile', 'ks', 'broken']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatchInlineSnapshot(`
      "► annotating Kustomization broken in flux-system namespace
      ✔ Kustomization annotated
      ◎ waiting for Kustomization reconciliation
      ✗ Kustomization/flux-system/broken reconciliation failed: kustomize build failed: accumulating resources: missing.yaml not found
      "
    `);
  });

  it('reconcile times out when no controller answers', async () => {
    await stop();
    const r = await cc.run(['reconcile', 'ks', 'apps', '--timeout', '1s']);
    stop = simulateControllers(cc.kube, outcome);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('✗ Timed out waiting for Kustomization/flux-system/apps');
  });

  it('reconcile hr --force sets forceAt too and prints the chart version', async () => {
    const r = await cc.run(['reconcile', 'hr', 'web', '--force', '--with-source']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('✔ fetched revision');
    expect(r.stderr).toContain('✔ applied revision 1.4.2');
    const obj = await cc.kube.get({ ...HR, name: 'web', namespace: 'flux-system' });
    const ann = obj.metadata.annotations ?? {};
    expect(ann['reconcile.fluxcd.io/forceAt']).toBe(ann['reconcile.fluxcd.io/requestedAt']);
  });

  it('suspend sets spec.suspend, reconcile refuses a suspended object, and resume reconciles it again', async () => {
    const s = await cc.run(['suspend', 'ks', 'apps']);
    expect(s.code).toBe(0);
    expect(s.stderr).toMatchInlineSnapshot(`
      "► suspending kustomization apps in flux-system namespace
      ✔ kustomization suspended
      "
    `);
    const obj = await cc.kube.get<KubeObject & { spec: { suspend?: boolean } }>({
      ...KS,
      name: 'apps',
      namespace: 'flux-system',
    });
    expect(obj.spec.suspend).toBe(true);
    const refused = await cc.run(['reconcile', 'ks', 'apps']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatchInlineSnapshot(`
      "✗ Kustomization/flux-system/apps is suspended: resume it with sluice resume kustomization apps
      "
    `);
    const r = await cc.run(['resume', 'ks', 'apps']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatchInlineSnapshot(`
      "► resuming kustomization apps in flux-system namespace
      ✔ kustomization resumed
      ◎ waiting for Kustomization reconciliation
      ✔ Kustomization reconciliation completed
      ✔ applied revision main@sha1:0123456789abcdef0123456789abcdef01234567
      "
    `);
  });

  it('suspend --all suspends every object of the kind in the namespace', async () => {
    const r = await cc.run(['suspend', 'ks', '--all']);
    expect(r.code).toBe(0);
    const list = await cc.kube.list<KubeObject & { spec: { suspend?: boolean } }>(KS, {
      namespace: 'flux-system',
    });
    expect(list.items.map((o) => o.spec.suspend)).toEqual([true, true]);
    await cc.run(['resume', 'ks', 'apps']);
  });
});
