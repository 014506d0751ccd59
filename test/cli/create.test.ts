import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/index.js';
import { type CliCluster, simulateControllers, startCliCluster } from './support.js';

const KS = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };

describe('sluice create, export and delete', () => {
  let cc: CliCluster;
  let stop: () => Promise<void>;
  let dir: string;

  beforeAll(async () => {
    cc = await startCliCluster();
    dir = await mkdtemp(join(tmpdir(), 'sluice-cli-create-'));
    stop = simulateControllers(cc.kube, (obj) =>
      obj.metadata.name === 'bad'
        ? { ready: false, message: 'failed to checkout: repository not found' }
        : { ready: true },
    );
  }, 120_000);

  afterAll(async () => {
    await stop?.();
    await cc?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('create source git --export prints the GitRepository as flux does, without touching the cluster', async () => {
    const r = await cc.run(
      [
        'create',
        'source',
        'git',
        'podinfo',
        '--url',
        'https://github.com/stefanprodan/podinfo',
        '--branch',
        'master',
        '--interval',
        '1m',
        '--export',
      ],
      { env: { HOME: cc.home } },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchInlineSnapshot(`
      "---
      apiVersion: source.toolkit.fluxcd.io/v1
      kind: GitRepository
      metadata:
        name: podinfo
        namespace: flux-system
      spec:
        interval: 1m0s
        ref:
          branch: master
        url: https://github.com/stefanprodan/podinfo
      "
    `);
  });

  it('create kustomization --export prints dependsOn, health checks and the source reference', async () => {
    const r = await cc.run([
      'create',
      'kustomization',
      'apps',
      '--source',
      'GitRepository/podinfo',
      '--path',
      './kustomize',
      '--prune',
      '--interval',
      '10m',
      '--depends-on',
      'infra',
      '--target-namespace',
      'default',
      '--wait',
      '--health-check',
      'Deployment/podinfo.default',
      '--export',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchInlineSnapshot(`
      "---
      apiVersion: kustomize.toolkit.fluxcd.io/v1
      kind: Kustomization
      metadata:
        name: apps
        namespace: flux-system
      spec:
        dependsOn:
          - name: infra
        healthChecks:
          - apiVersion: apps/v1
            kind: Deployment
            name: podinfo
            namespace: default
        interval: 10m0s
        path: ./kustomize
        prune: true
        sourceRef:
          kind: GitRepository
          name: podinfo
        targetNamespace: default
        wait: true
      "
    `);
  });

  it('create helmrelease --export merges the values files', async () => {
    await writeFile(join(dir, 'a.yaml'), 'replicaCount: 2\ningress: {enabled: true}\n');
    await writeFile(join(dir, 'b.yaml'), 'ingress: {className: nginx}\n');
    const r = await cc.run([
      'create',
      'hr',
      'podinfo',
      '--source',
      'HelmRepository/podinfo',
      '--chart',
      'podinfo',
      '--chart-version',
      '>=6.0.0',
      '--values',
      join(dir, 'a.yaml'),
      '--values',
      join(dir, 'b.yaml'),
      '--target-namespace',
      'apps',
      '--export',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchInlineSnapshot(`
      "---
      apiVersion: helm.toolkit.fluxcd.io/v2
      kind: HelmRelease
      metadata:
        name: podinfo
        namespace: flux-system
      spec:
        chart:
          spec:
            chart: podinfo
            version: ">=6.0.0"
            sourceRef:
              kind: HelmRepository
              name: podinfo
        interval: 1m0s
        targetNamespace: apps
        values:
          replicaCount: 2
          ingress:
            enabled: true
            className: nginx
      "
    `);
  });

  it('create refuses an invalid object with the validation message', async () => {
    const r = await cc.run([
      'create',
      'source',
      'git',
      'x',
      '--url',
      'https://e.com/x.git',
      '--interval',
      'soon',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatchInlineSnapshot(`
      "✗ Flag --interval soon is invalid: use a duration such as 1m or 10m30s
      "
    `);
    const v = await cc.run(['create', 'source', 'helm', 'x', '--url', 'ftp://e.com', '--export']);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain('✗ HelmRepository/flux-system/x is invalid');
  });

  it('create source git applies the object, waits for Ready and prints the revision', async () => {
    const r = await cc.run([
      'create',
      'source',
      'git',
      'podinfo',
      '--url',
      'https://github.com/stefanprodan/podinfo',
      '--branch',
      'master',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatchInlineSnapshot(`
      "► generating GitRepository
      ► applying GitRepository
      ✔ GitRepository created
      ◎ waiting for GitRepository reconciliation
      ✔ GitRepository podinfo is ready
      ✔ fetched revision main@sha1:0123456789abcdef0123456789abcdef01234567
      "
    `);
    const obj = await cc.kube.get({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      name: 'podinfo',
      namespace: 'flux-system',
    });
    expect(obj.metadata.managedFields?.map((m) => (m as { manager: string }).manager)).toContain('sluice');
  });

  it('create kustomization applies, and a second create updates it', async () => {
    const args = [
      'create',
      'ks',
      'apps',
      '--source',
      'podinfo',
      '--path',
      './kustomize',
      '--prune',
      '--interval',
      '5m',
    ];
    const first = await cc.run(args);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('✔ Kustomization created');
    const second = await cc.run([...args.slice(0, -1), '10m']);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('✔ Kustomization updated');
    const obj = await cc.kube.get<KubeObject & { spec: { interval: string } }>({
      ...KS,
      name: 'apps',
      namespace: 'flux-system',
    });
    expect(obj.spec.interval).toBe('10m0s');
  });

  it('create exits 1 with the Ready message when the object fails', async () => {
    const r = await cc.run(['create', 'source', 'git', 'bad', '--url', 'https://e.com/none.git']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      '✗ GitRepository/flux-system/bad reconciliation failed: failed to checkout: repository not found',
    );
  });

  it('export prints objects without status or server metadata, one or --all', async () => {
    const one = await cc.run(['export', 'ks', 'apps']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatchInlineSnapshot(`
      "---
      apiVersion: kustomize.toolkit.fluxcd.io/v1
      kind: Kustomization
      metadata:
        name: apps
        namespace: flux-system
      spec:
        interval: 10m0s
        path: ./kustomize
        prune: true
        sourceRef:
          kind: GitRepository
          name: podinfo
        force: false
      "
    `);
    const all = await cc.run(['export', 'source', 'git', '--all']);
    expect(all.stdout.match(/^kind: GitRepository$/gm)).toHaveLength(2);
    expect(all.stdout).not.toContain('status:');
    expect(all.stdout).not.toContain('managedFields');
  });

  it('delete refuses without a terminal unless --silent, then deletes', async () => {
    const refused = await cc.run(['delete', 'ks', 'apps']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatchInlineSnapshot(`
      "✗ Deleting Kustomization/flux-system/apps needs confirmation, and stdin is not a terminal: pass --silent to delete without asking
      "
    `);
    const cancelled = await cc.run(['delete', 'ks', 'apps'], { stdinIsTTY: true, answer: false });
    expect(cancelled.code).toBe(0);
    expect(cancelled.stderr).toContain('deletion cancelled');
    const r = await cc.run(['delete', 'ks', 'apps', '--silent']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatchInlineSnapshot(`
      "► deleting kustomization apps in flux-system namespace
      ✔ kustomization deleted
      "
    `);
    expect(await cc.kube.tryGet({ ...KS, name: 'apps', namespace: 'flux-system' })).toBeUndefined();
    const missing = await cc.run(['delete', 'source', 'git', 'nope', '-s']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('✗ GitRepository nope not found in flux-system namespace');
  });
});
