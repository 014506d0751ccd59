import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliCluster, ready, startCliCluster } from './support.js';

const GIT = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
const KS = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };

describe('sluice get', () => {
  let cc: CliCluster;

  beforeAll(async () => {
    cc = await startCliCluster();
    await cc.kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
    await cc.apply(`
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 1m, url: https://example.com/fleet.git, ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: infra, namespace: flux-system}
spec: {interval: 10m, prune: true, path: ./infra, sourceRef: {kind: GitRepository, name: flux-system}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec: {interval: 10m, prune: true, suspend: true, path: ./apps, sourceRef: {kind: GitRepository, name: flux-system}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: web, namespace: apps}
spec: {interval: 10m, prune: false, path: ./web, sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}}
`);
    const rev = 'main@sha1:0123456789abcdef0123456789abcdef01234567';
    await cc.setStatus(
      { ...GIT, name: 'flux-system' },
      {
        conditions: [ready('True', `stored artifact for revision '${rev}'`)],
        artifact: {
          revision: rev,
          path: 'x',
          url: 'http://x',
          digest: 'sha256:00',
          lastUpdateTime: '2026-01-02T03:04:05Z',
        },
      },
    );
    await cc.setStatus(
      { ...KS, name: 'infra' },
      {
        conditions: [ready('True', `Applied revision: ${rev}`, 'ReconciliationSucceeded')],
        lastAppliedRevision: rev,
      },
    );
    await cc.setStatus(
      { ...KS, name: 'apps' },
      {
        conditions: [
          ready('False', 'kustomization path not found: stat ./apps: no such file', 'ArtifactFailed'),
        ],
      },
    );
  }, 120_000);

  afterAll(async () => {
    await cc?.stop();
  });

  it('get kustomizations prints a flux-like table of the namespace', async () => {
    const r = await cc.run(['get', 'kustomizations']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchInlineSnapshot(`
      "NAME    REVISION                                             SUSPENDED   READY   MESSAGE
      apps                                                         True        False   kustomization path not found: stat ./apps: no such file
      infra   main@sha1:0123456789abcdef0123456789abcdef01234567   False       True    Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567
      "
    `);
  });

  it('get ks -A adds the namespace column and lists every namespace', async () => {
    const r = await cc.run(['get', 'ks', '-A']);
    expect(r.stdout).toMatchInlineSnapshot(`
      "NAMESPACE     NAME    REVISION                                             SUSPENDED   READY     MESSAGE
      apps          web                                                          False       Unknown   waiting to be reconciled
      flux-system   apps                                                         True        False     kustomization path not found: stat ./apps: no such file
      flux-system   infra   main@sha1:0123456789abcdef0123456789abcdef01234567   False       True      Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567
      "
    `);
  });

  it('get ks --status-selector ready=false shows only failing objects', async () => {
    const r = await cc.run(['get', 'ks', '--status-selector', 'ready=false']);
    expect(r.stdout).toMatchInlineSnapshot(`
      "NAME   REVISION   SUSPENDED   READY   MESSAGE
      apps              True        False   kustomization path not found: stat ./apps: no such file
      "
    `);
  });

  it('get all groups the objects per kind', async () => {
    const r = await cc.run(['get', 'all']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchInlineSnapshot(`
      "NAME                        REVISION                                             SUSPENDED   READY   MESSAGE
      gitrepository/flux-system   main@sha1:0123456789abcdef0123456789abcdef01234567   False       True    stored artifact for revision 'main@sha1:0123456789abcdef0123456789abcdef01234567'

      NAME                  REVISION                                             SUSPENDED   READY   MESSAGE
      kustomization/apps                                                         True        False   kustomization path not found: stat ./apps: no such file
      kustomization/infra   main@sha1:0123456789abcdef0123456789abcdef01234567   False       True    Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567
      "
    `);
  });

  it('get sources git NAME -o yaml prints the object', async () => {
    const r = await cc.run(['get', 'sources', 'git', 'flux-system', '-o', 'yaml']);
    expect(r.stdout).toContain('kind: GitRepository');
    expect(r.stdout).toContain('url: https://example.com/fleet.git');
  });

  it('get of a missing object fails with a message naming it', async () => {
    const r = await cc.run(['get', 'ks', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatchInlineSnapshot(`
      "✗ Kustomization nope not found in flux-system namespace
      "
    `);
  });

  it('get ks -w prints the table, then the updates as controllers write them', async () => {
    const controller = new AbortController();
    const running = cc.run(['get', 'ks', 'infra', '-w'], { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 500));
    await cc.setStatus(
      { ...KS, name: 'infra' },
      {
        conditions: [ready('False', 'health check failed after 30s', 'HealthCheckFailed')],
      },
    );
    await new Promise((r) => setTimeout(r, 500));
    controller.abort();
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('health check failed after 30s');
    expect(r.stdout.split('\n')[0]).toMatch(/^NAME\s+REVISION\s+SUSPENDED\s+READY\s+MESSAGE$/);
  });

  it('falls back to the embedded cluster of sluice up when no kubeconfig is configured, and says so', async () => {
    const { mkdir, copyFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const dataHome = join(cc.home, 'data');
    await mkdir(join(dataHome, 'sluice', 'cluster'), { recursive: true });
    await copyFile(cc.c.kubeconfigPath, join(dataHome, 'sluice', 'cluster', 'kubeconfig'));
    const r = await cc.run(['get', 'sources', 'git'], { env: { HOME: cc.home, XDG_DATA_HOME: dataHome } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('using the embedded cluster of sluice up');
    expect(r.stdout).toContain('flux-system');
    const none = await cc.run(['get', 'sources', 'git'], {
      env: { HOME: cc.home, XDG_DATA_HOME: join(cc.home, 'empty') },
    });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatchInlineSnapshot(`
      "✗ No cluster configured: pass --kubeconfig, set KUBECONFIG, write ~/.kube/config, or start one with sluice up
      "
    `);
  });
});
