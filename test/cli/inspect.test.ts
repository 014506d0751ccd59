import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliCluster, ready, startCliCluster } from './support.js';

const KS = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };
const HR = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' };
const GIT = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
const REV = 'main@sha1:0123456789abcdef0123456789abcdef01234567';

describe('sluice tree, trace and events', () => {
  let cc: CliCluster;

  beforeAll(async () => {
    cc = await startCliCluster();
    await cc.apply(`
apiVersion: v1
kind: Namespace
metadata: {name: apps}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: fleet, namespace: flux-system}
spec: {interval: 1m, url: https://example.com/fleet.git, ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 10m, prune: true, path: ./clusters/dev, sourceRef: {kind: GitRepository, name: fleet}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
  labels: {kustomize.toolkit.fluxcd.io/name: flux-system, kustomize.toolkit.fluxcd.io/namespace: flux-system}
spec: {interval: 10m, prune: true, path: ./apps, targetNamespace: apps, sourceRef: {kind: GitRepository, name: fleet}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: redis
  namespace: apps
  labels: {kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system}
spec:
  interval: 5m
  chart: {spec: {chart: redis, sourceRef: {kind: HelmRepository, name: bitnami, namespace: flux-system}}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
  labels: {app: web, kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
`);
    await cc.setStatus(
      { ...GIT, name: 'fleet' },
      {
        conditions: [ready('True', `stored artifact for revision '${REV}'`)],
        artifact: {
          revision: REV,
          path: 'p',
          url: 'http://a',
          digest: 'sha256:00',
          lastUpdateTime: '2026-01-02T03:04:05Z',
        },
      },
    );
    await cc.setStatus(
      { ...KS, name: 'flux-system' },
      {
        conditions: [ready('True', `Applied revision: ${REV}`, 'ReconciliationSucceeded')],
        lastAppliedRevision: REV,
        inventory: {
          entries: [
            { id: '_apps__Namespace', v: 'v1' },
            { id: 'flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization', v: 'v1' },
          ],
        },
      },
    );
    await cc.setStatus(
      { ...KS, name: 'apps' },
      {
        conditions: [ready('True', `Applied revision: ${REV}`, 'ReconciliationSucceeded')],
        lastAppliedRevision: REV,
        inventory: {
          entries: [
            { id: 'apps_redis_helm.toolkit.fluxcd.io_HelmRelease', v: 'v2' },
            { id: 'apps_web_apps_Deployment', v: 'v1' },
            { id: 'apps_web_rbac.authorization.k8s.io_RoleBinding', v: 'v1' },
          ],
        },
      },
    );
    await cc.setStatus(
      { ...HR, name: 'redis', namespace: 'apps' },
      {
        conditions: [
          ready('True', 'Helm install succeeded for release apps/redis.v1 with chart redis@18.0.0'),
        ],
        inventory: {
          entries: [
            { id: 'apps_redis-master_apps_StatefulSet', v: 'v1' },
            { id: 'apps_redis__Service', v: 'v1' },
          ],
        },
      },
    );
    const events = [
      [
        'ks-1',
        'Kustomization',
        'apps',
        'Normal',
        'ReconciliationSucceeded',
        'Reconciliation finished in 1.2s, next run in 10m0s',
      ],
      ['git-1', 'GitRepository', 'fleet', 'Normal', 'NewArtifact', "stored artifact for commit 'Add web'"],
      ['ks-2', 'Kustomization', 'apps', 'Warning', 'HealthCheckFailed', 'health check failed after 30s'],
    ];
    let t = 0;
    for (const [name, kind, objName, type, reason, message] of events) {
      const at = new Date(Date.now() - 60_000 + t++ * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      await cc.kube.create({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: name!, namespace: 'flux-system' },
        involvedObject: { kind, name: objName, namespace: 'flux-system' },
        type,
        reason,
        message,
        firstTimestamp: at,
        lastTimestamp: at,
        source: { component: 'test' },
      } as never);
    }
  }, 120_000);

  afterAll(async () => {
    await cc?.stop();
  });

  it('tree kustomization follows nested Kustomizations and HelmReleases', async () => {
    const r = await cc.run(['tree', 'ks', 'flux-system']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchInlineSnapshot(`
      "Kustomization/flux-system/flux-system
      ├── Namespace/apps
      └── Kustomization/flux-system/apps
          ├── HelmRelease/apps/redis
          │   ├── StatefulSet/apps/redis-master
          │   └── Service/apps/redis
          ├── Deployment/apps/web
          └── RoleBinding/apps/web
      "
    `);
  });

  it('tree hr prints the release inventory, and -o json the same tree as data', async () => {
    const r = await cc.run(['tree', 'hr', 'redis', '-n', 'apps']);
    expect(r.stdout).toMatchInlineSnapshot(`
      "HelmRelease/apps/redis
      ├── StatefulSet/apps/redis-master
      └── Service/apps/redis
      "
    `);
    const j = await cc.run(['tree', 'hr', 'redis', '-n', 'apps', '-o', 'json']);
    expect(JSON.parse(j.stdout).children).toHaveLength(2);
  });

  it('trace shows the managing Kustomization and its source', async () => {
    const r = await cc.run(['trace', 'deployment', 'web', '-n', 'apps']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchInlineSnapshot(`
      "
      Object:    Deployment/web
      Namespace: apps
      Status:    Managed by Flux
      ---
      Kustomization: apps
      Namespace:     flux-system
      Target:        apps
      Path:          ./apps
      Revision:      main@sha1:0123456789abcdef0123456789abcdef01234567
      Status:        Last reconciled at 2026-01-02T03:04:05Z
      Message:       Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567
      ---
      GitRepository: fleet
      Namespace:     flux-system
      URL:           https://example.com/fleet.git
      Branch:        main
      Revision:      main@sha1:0123456789abcdef0123456789abcdef01234567
      Status:        Last reconciled at 2026-01-02T03:04:05Z
      Message:       stored artifact for revision 'main@sha1:0123456789abcdef0123456789abcdef01234567'
      "
    `);
    const slash = await cc.run(['trace', 'Deployment/web', '-n', 'apps']);
    expect(slash.stdout).toBe(r.stdout);
  });

  it('trace of an object a HelmRelease installed shows the HelmRelease first', async () => {
    await cc.apply(`
apiVersion: v1
kind: ConfigMap
metadata:
  name: redis-config
  namespace: apps
  labels: {helm.toolkit.fluxcd.io/name: redis, helm.toolkit.fluxcd.io/namespace: apps}
data: {maxmemory: 100mb}
`);
    const r = await cc.run(['trace', 'configmap', 'redis-config', '-n', 'apps']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchInlineSnapshot(`
      "
      Object:    ConfigMap/redis-config
      Namespace: apps
      Status:    Managed by Flux
      ---
      HelmRelease: redis
      Namespace:   apps
      Chart:       redis
      Version:     *
      Status:      Last reconciled at 2026-01-02T03:04:05Z
      Message:     Helm install succeeded for release apps/redis.v1 with chart redis@18.0.0
      "
    `);
  });

  it('trace of an unmanaged object says so', async () => {
    const r = await cc.run(['trace', 'Namespace/flux-system']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatchInlineSnapshot(`
      "✗ Namespace/flux-system is not managed by Flux: it has no ownership labels
      "
    `);
  });

  it('events prints the namespace events oldest first, and --for filters by object', async () => {
    const r = await cc.run(['events']);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/^\d+[smhd]\s+/gm, 'AGE   ')).toMatchInlineSnapshot(`
      "LAST SEEN   TYPE      REASON                    OBJECT                MESSAGE
      AGE   Normal    ReconciliationSucceeded   Kustomization/apps    Reconciliation finished in 1.2s, next run in 10m0s
      AGE   Normal    NewArtifact               GitRepository/fleet   stored artifact for commit 'Add web'
      AGE   Warning   HealthCheckFailed         Kustomization/apps    health check failed after 30s
      "
    `);
    const only = await cc.run(['events', '--for', 'Kustomization/apps']);
    expect(only.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    expect(only.stdout).not.toContain('NewArtifact');
  });

  it('events -w prints new events as they come', async () => {
    const controller = new AbortController();
    const running = cc.run(['events', '-w', '--for', 'GitRepository/fleet'], { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 400));
    await cc.kube.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'git-2', namespace: 'flux-system' },
      involvedObject: { kind: 'GitRepository', name: 'fleet', namespace: 'flux-system' },
      type: 'Warning',
      reason: 'GitOperationFailed',
      message: 'failed to checkout and determine revision',
      lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    } as never);
    await new Promise((r) => setTimeout(r, 400));
    controller.abort();
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('GitOperationFailed');
  });
});
