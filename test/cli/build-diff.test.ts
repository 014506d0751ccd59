import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/kube/index.js';
import { type CliCluster, startCliCluster } from './support.js';

describe('sluice build kustomization and diff kustomization', () => {
  let cc: CliCluster;
  let repo: string;

  beforeAll(async () => {
    cc = await startCliCluster();
    repo = await mkdtemp(join(tmpdir(), 'sluice-cli-build-'));
    await mkdir(join(repo, '.git'));
    await mkdir(join(repo, 'base'));
    await mkdir(join(repo, 'apps', 'dev'), { recursive: true });
    await writeFile(
      join(repo, 'base', 'kustomization.yaml'),
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [deployment.yaml, config.yaml]\n',
    );
    await writeFile(
      join(repo, 'base', 'deployment.yaml'),
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1.25}]}
`,
    );
    await writeFile(
      join(repo, 'base', 'config.yaml'),
      `apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data:
  env: \${ENV}
  region: \${REGION:=eu-west}
  owner: \${OWNER:=platform}
`,
    );
    await writeFile(join(repo, 'apps', 'dev', 'kustomization.yaml'), 'resources: [../../base]\n');
    await cc.apply(`
apiVersion: v1
kind: Namespace
metadata: {name: apps}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cluster-vars, namespace: flux-system}
data: {REGION: us-east, ENV: overridden-by-substitute}
---
apiVersion: v1
kind: Secret
metadata: {name: cluster-secrets, namespace: flux-system}
stringData: {OWNER: team-a}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  prune: true
  path: ./apps/dev
  sourceRef: {kind: GitRepository, name: fleet}
  targetNamespace: apps
  images: [{name: nginx, newTag: '1.27'}]
  patches:
    - patch: '{"metadata": {"annotations": {"team": "web"}}}'
      target: {kind: Deployment}
  postBuild:
    substitute: {ENV: dev}
    substituteFrom:
      - {kind: ConfigMap, name: cluster-vars}
      - {kind: Secret, name: cluster-secrets}
      - {kind: ConfigMap, name: missing, optional: true}
`);
  }, 120_000);

  afterAll(async () => {
    await cc?.stop();
    if (repo) await rm(repo, { recursive: true, force: true });
  });

  it('build kustomization applies the Kustomization fields, substitution and ownership labels', async () => {
    const r = await cc.run(['build', 'ks', 'apps', '--path', join(repo, 'apps', 'dev')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchInlineSnapshot(`
      "---
      apiVersion: v1
      data:
        env: dev
        owner: team-a
        region: us-east
      kind: ConfigMap
      metadata:
        labels:
          kustomize.toolkit.fluxcd.io/name: apps
          kustomize.toolkit.fluxcd.io/namespace: flux-system
        name: web-config
        namespace: apps
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        annotations:
          team: web
        labels:
          kustomize.toolkit.fluxcd.io/name: apps
          kustomize.toolkit.fluxcd.io/namespace: flux-system
        name: web
        namespace: apps
      spec:
        replicas: 1
        selector:
          matchLabels:
            app: web
        template:
          metadata:
            labels:
              app: web
          spec:
            containers:
            - image: nginx:1.27
              name: web
      "
    `);
  });

  it('build --dry-run reads the Kustomization from a file and never contacts the cluster', async () => {
    const file = join(repo, 'ks.yaml');
    await writeFile(
      file,
      `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: offline}
spec:
  interval: 5m
  prune: true
  sourceRef: {kind: GitRepository, name: fleet}
  namePrefix: dev-
  postBuild: {substitute: {ENV: offline}}
`,
    );
    const r = await cc.run(
      [
        'build',
        'ks',
        'offline',
        '--path',
        join(repo, 'apps', 'dev'),
        '--kustomization-file',
        file,
        '--dry-run',
      ],
      { env: { HOME: cc.home } },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('name: dev-web-config');
    expect(r.stdout).toContain('env: offline');
    expect(r.stdout).toContain('region: eu-west');
    expect(r.stdout).toContain('kustomize.toolkit.fluxcd.io/namespace: flux-system');
  });

  it('build fails clearly on a missing folder and on a missing substitution source', async () => {
    const r = await cc.run(['build', 'ks', 'apps', '--path', join(repo, 'nope')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('✗ Flag --path');
    const k = await cc.run(['build', 'ks', 'other', '--path', join(repo, 'apps', 'dev')]);
    expect(k.stderr).toContain('✗ Kustomization other not found in flux-system namespace');
  });

  it('diff reports new objects (exit 1), nothing after apply (exit 0), drift with a unified diff (exit 1)', async () => {
    const created = await cc.run(['diff', 'ks', 'apps', '--path', join(repo, 'apps', 'dev')]);
    expect(created.code).toBe(1);
    expect(created.stdout).toMatchInlineSnapshot(`
      "► ConfigMap/apps/web-config created
      ► Deployment/apps/web created
      "
    `);

    const built = await cc.run(['build', 'ks', 'apps', '--path', join(repo, 'apps', 'dev')]);
    for (const doc of parseAllDocuments(built.stdout)) {
      await cc.kube.apply(doc.toJS() as KubeObject, { fieldManager: 'kustomize-controller', force: true });
    }
    const clean = await cc.run(['diff', 'ks', 'apps', '--path', join(repo, 'apps', 'dev')]);
    expect(clean.stdout).toBe('');
    expect(clean.stderr).toContain('✔ no differences');
    expect(clean.code).toBe(0);

    await cc.kube.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'web-config', namespace: 'apps' },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'web-config', namespace: 'apps' },
        data: { region: 'changed-by-hand' },
      },
      { type: 'apply', fieldManager: 'kubectl-edit', force: true },
    );
    const drifted = await cc.run(['diff', 'ks', 'apps', '--path', join(repo, 'apps', 'dev')]);
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toMatchInlineSnapshot(`
      "► ConfigMap/apps/web-config drifted
      --- live/ConfigMap/apps/web-config
      +++ merged/ConfigMap/apps/web-config
      @@ -2,7 +2,7 @@
       data:
         env: dev
         owner: team-a
      -  region: changed-by-hand
      +  region: us-east
       kind: ConfigMap
       metadata:
         labels:
      "
    `);
  });

  it('diff lists objects that would be pruned, and exits 2 on errors', async () => {
    await cc.setStatus(
      { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', name: 'apps' },
      {
        inventory: {
          entries: [
            { id: 'apps_old__ConfigMap', v: 'v1' },
            { id: 'apps_web_apps_Deployment', v: 'v1' },
          ],
        },
      },
    );
    const r = await cc.run(['diff', 'ks', 'apps', '--path', join(repo, 'apps', 'dev')]);
    expect(r.stdout).toContain('► ConfigMap/apps/old deleted');
    const bad = await cc.run(['diff', 'ks', 'apps', '--path', join(repo, 'missing')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('✗ Flag --path');
  });
});
