import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { crdManifests, SLUICE_KINDS } from '../../src/api/index.js';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';

const NS = 'flux-system';

/** Objects in the shape of Flux's documentation samples, one per kind. */
const SAMPLES = `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: podinfo, namespace: ${NS}}
spec:
  interval: 5m0s
  url: https://github.com/stefanprodan/podinfo
  ref: {branch: master}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: podinfo, namespace: ${NS}}
spec: {interval: 5m0s, url: "https://stefanprodan.github.io/podinfo"}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata: {name: podinfo, namespace: ${NS}}
spec:
  interval: 5m0s
  chart: podinfo
  version: '6.x'
  sourceRef: {kind: HelmRepository, name: podinfo}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: podinfo, namespace: ${NS}}
spec:
  interval: 5m0s
  url: oci://ghcr.io/stefanprodan/manifests/podinfo
  ref: {tag: latest}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: Bucket
metadata: {name: minio-bucket, namespace: ${NS}}
spec: {interval: 5m0s, endpoint: minio.example.com, bucketName: example}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: podinfo, namespace: ${NS}}
spec:
  interval: 10m
  targetNamespace: default
  sourceRef: {kind: GitRepository, name: podinfo}
  path: ./kustomize
  prune: true
  patches:
    - patch: |
        - op: replace
          path: /spec/replicas
          value: 2
      target: {kind: Deployment}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo, namespace: ${NS}}
spec:
  interval: 10m
  chart:
    spec:
      chart: podinfo
      sourceRef: {kind: HelmRepository, name: podinfo}
  values:
    replicaCount: 2
    ingress: {enabled: true, hosts: [{host: podinfo.local}]}
`;

/**
 * A stand-in for Flux's published GitRepository CRD: the same group and names, a different schema (an
 * older served version, a loose spec), written for this test.
 */
const UPSTREAM_STYLE_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gitrepositories.source.toolkit.fluxcd.io
  annotations: {controller-gen.kubebuilder.io/version: v0.16.1}
  labels: {app.kubernetes.io/component: source-controller, app.kubernetes.io/part-of: flux}
spec:
  group: source.toolkit.fluxcd.io
  names:
    kind: GitRepository
    listKind: GitRepositoryList
    plural: gitrepositories
    singular: gitrepository
    shortNames: [gitrepo]
    categories: [fluxcd]
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      subresources: {status: {}}
      additionalPrinterColumns:
        - {jsonPath: .spec.url, name: URL, type: string}
        - {jsonPath: .metadata.creationTimestamp, name: Age, type: date}
        - {jsonPath: '.status.conditions[?(@.type=="Ready")].status', name: Ready, type: string}
        - {jsonPath: '.status.conditions[?(@.type=="Ready")].message', name: Status, type: string}
      schema:
        openAPIV3Schema:
          type: object
          properties:
            apiVersion: {type: string}
            kind: {type: string}
            metadata: {type: object}
            spec:
              type: object
              required: [url]
              x-kubernetes-preserve-unknown-fields: true
              properties:
                url: {type: string}
                interval: {type: string}
                futureField: {type: string}
            status:
              type: object
              x-kubernetes-preserve-unknown-fields: true
    - name: v1beta2
      served: true
      storage: false
      deprecated: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
`;

describe('Sluice CRDs in a cluster, with the real kubectl', () => {
  let c: TestCluster;

  beforeAll(async () => {
    c = await startTestCluster();
    const all = crdManifests()
      .map((crd) => stringify(crd))
      .join('---\n');
    await c.kubectlOk(['apply', '--server-side', '--field-manager=sluice', '-f', '-'], { input: all });
    await c.kubectlOk([
      'wait',
      '--for=condition=Established',
      '--timeout=30s',
      ...SLUICE_KINDS.map((k) => `crd/${k.plural}.${k.group}`),
    ]);
    await c.kubectlOk(['create', 'namespace', NS]);
  }, 120_000);

  afterAll(async () => {
    await c?.stop();
  });

  it('installs every CRD and accepts Flux sample objects with kubectl apply --server-side', async () => {
    const out = await c.kubectlOk(['apply', '--server-side', '-f', '-'], { input: SAMPLES });
    for (const line of [
      'gitrepository.source.toolkit.fluxcd.io/podinfo serverside-applied',
      'helmrepository.source.toolkit.fluxcd.io/podinfo serverside-applied',
      'helmchart.source.toolkit.fluxcd.io/podinfo serverside-applied',
      'ocirepository.source.toolkit.fluxcd.io/podinfo serverside-applied',
      'bucket.source.toolkit.fluxcd.io/minio-bucket serverside-applied',
      'kustomization.kustomize.toolkit.fluxcd.io/podinfo serverside-applied',
      'helmrelease.helm.toolkit.fluxcd.io/podinfo serverside-applied',
    ]) {
      expect(out).toContain(line);
    }
  });

  it('stores the CRD defaults and keeps HelmRelease values as they were written', async () => {
    const git = JSON.parse(await c.kubectlOk(['get', 'gitrepository', 'podinfo', '-n', NS, '-o', 'json']));
    expect(git.spec.timeout).toBe('60s');
    const chart = JSON.parse(await c.kubectlOk(['get', 'helmchart', 'podinfo', '-n', NS, '-o', 'json']));
    expect(chart.spec.reconcileStrategy).toBe('ChartVersion');
    const hr = JSON.parse(await c.kubectlOk(['get', 'hr', 'podinfo', '-n', NS, '-o', 'json']));
    expect(hr.spec.values).toEqual({
      replicaCount: 2,
      ingress: { enabled: true, hosts: [{ host: 'podinfo.local' }] },
    });
    expect(hr.spec.chart.spec.version).toBe('*');
  });

  it('prints Flux printer columns in kubectl get, with Ready and Status from the status', async () => {
    await c.kubectlOk([
      'patch',
      'gitrepository',
      'podinfo',
      '-n',
      NS,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: {
          observedGeneration: 1,
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'Succeeded',
              message: "stored artifact for revision 'master@sha1:b3b00fe35424a45d373bf4c7214178bc36fd7872'",
              lastTransitionTime: '2024-01-01T00:00:00Z',
            },
          ],
        },
      }),
    ]);
    const git = await c.kubectlOk(['get', 'gitrepositories', '-n', NS]);
    expect(git).toMatch(/^NAME\s+URL\s+AGE\s+READY\s+STATUS/m);
    expect(git).toMatch(
      /^podinfo\s+https:\/\/github\.com\/stefanprodan\/podinfo\s+\S+\s+True\s+stored artifact for revision 'master@sha1:b3b00fe/m,
    );
    const chart = await c.kubectlOk(['get', 'hc', '-n', NS]);
    expect(chart).toMatch(/^NAME\s+CHART\s+VERSION\s+SOURCE KIND\s+SOURCE NAME\s+AGE\s+READY\s+STATUS/m);
    expect(chart).toMatch(/^podinfo\s+podinfo\s+6\.x\s+HelmRepository\s+podinfo\s/m);
    const bucket = await c.kubectlOk(['get', 'buckets', '-n', NS]);
    expect(bucket).toMatch(/^NAME\s+ENDPOINT\s+AGE\s+READY\s+STATUS/m);
    expect(bucket).toMatch(/^minio-bucket\s+minio\.example\.com\s/m);
    const oci = await c.kubectlOk(['get', 'ocirepo', '-n', NS]);
    expect(oci).toMatch(/^NAME\s+URL\s+READY\s+STATUS\s+AGE/m);
    const ks = await c.kubectlOk(['get', 'ks', '-n', NS]);
    expect(ks).toMatch(/^NAME\s+AGE\s+READY\s+STATUS/m);
    expect(ks).toMatch(/^podinfo\s/m);
    expect(await c.kubectlOk(['get', 'hr', '-n', NS])).toMatch(/^NAME\s+AGE\s+READY\s+STATUS/m);
    expect(await c.kubectlOk(['get', 'helmrepo', '-n', NS])).toMatch(
      /^podinfo\s+https:\/\/stefanprodan\.github\.io\/podinfo/m,
    );
  });

  it('refuses invalid objects with causes naming the field', async () => {
    const result = await c.kubectl(['apply', '--server-side', '-f', '-'], {
      input: `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: broken, namespace: ${NS}}
spec: {interval: 5 minutes, url: "ftp://example.com"}
`,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('spec.interval');
    expect(result.stderr).toContain('spec.url');
  });

  it("lets Flux's own GitRepository CRD be applied over Sluice's, and keeps serving the objects", async () => {
    await c.kubectlOk(
      ['apply', '--server-side', '--force-conflicts', '--field-manager=kustomize-controller', '-f', '-'],
      { input: UPSTREAM_STYLE_CRD },
    );
    await c.kubectlOk([
      'wait',
      '--for=condition=Established',
      '--timeout=30s',
      'crd/gitrepositories.source.toolkit.fluxcd.io',
    ]);
    const crd = JSON.parse(
      await c.kubectlOk(['get', 'crd', 'gitrepositories.source.toolkit.fluxcd.io', '-o', 'json']),
    );
    expect(crd.spec.versions.map((v: { name: string }) => v.name)).toEqual(['v1', 'v1beta2']);
    expect(crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.futureField).toEqual({
      type: 'string',
    });
    const list = await c.kubectlOk(['get', 'gitrepositories', '-n', NS]);
    expect(list).toMatch(/^podinfo\s+https:\/\/github\.com\/stefanprodan\/podinfo/m);
    await c.kubectlOk(['apply', '--server-side', '-f', '-'], {
      input: `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: future, namespace: ${NS}}
spec: {url: "https://example.com/repo", futureField: x}
`,
    });
    // Sluice's CRD goes back on top, as an upgrade of Sluice would do.
    const ours = stringify(crdManifests().find((x) => x.spec.names.kind === 'GitRepository'));
    await c.kubectlOk(['apply', '--server-side', '--force-conflicts', '--field-manager=sluice', '-f', '-'], {
      input: ours,
    });
    const back = JSON.parse(
      await c.kubectlOk(['get', 'crd', 'gitrepositories.source.toolkit.fluxcd.io', '-o', 'json']),
    );
    expect(back.spec.versions[0].schema.openAPIV3Schema.properties.spec.required).toEqual([
      'interval',
      'url',
    ]);
  });
});
