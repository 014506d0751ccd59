import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  crdManifests,
  effectiveGitRef,
  formatValidationCauses,
  GitRepositoryKind,
  HelmChartKind,
  HelmReleaseKind,
  helmReleaseName,
  KustomizationKind,
  kustomizationTimeoutMs,
  SLUICE_KINDS,
  validateObject,
} from './index.js';

/** Manifests in the shape of Flux's documentation samples; each must validate. */
const valid: Record<string, string> = {
  'a GitRepository on a branch': `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: podinfo, namespace: default}
spec:
  interval: 5m0s
  url: https://github.com/stefanprodan/podinfo
  ref: {branch: master}
  ignore: |
    /*
    !/deploy
`,
  'a GitRepository over ssh with verification and includes': `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: app}
spec:
  interval: 1m
  timeout: 90s
  url: ssh://git@github.com/org/app
  secretRef: {name: ssh-credentials}
  ref: {semver: ">=1.0.0"}
  verify: {mode: TagAndHEAD, secretRef: {name: pgp-keys}}
  include:
    - repository: {name: shared}
      fromPath: deploy
      toPath: shared
  sparseCheckout: [deploy]
`,
  'a HelmRepository': `
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: podinfo}
spec: {interval: 5m0s, url: "https://stefanprodan.github.io/podinfo"}
`,
  'an OCI HelmRepository without an interval': `
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: podinfo}
spec: {type: oci, url: "oci://ghcr.io/stefanprodan/charts"}
`,
  'a HelmChart': `
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata: {name: podinfo}
spec:
  interval: 5m0s
  chart: podinfo
  reconcileStrategy: ChartVersion
  sourceRef: {kind: HelmRepository, name: podinfo}
  version: '5.*'
  valuesFiles: [values.yaml, values-prod.yaml]
`,
  'an OCIRepository': `
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: podinfo}
spec:
  interval: 5m0s
  url: oci://ghcr.io/stefanprodan/manifests/podinfo
  ref: {tag: latest}
  layerSelector: {mediaType: application/vnd.cncf.flux.content.v1.tar+gzip, operation: extract}
  verify: {provider: cosign, matchOIDCIdentity: [{issuer: "^https://token.actions.githubusercontent.com$", subject: ".*"}]}
`,
  'a Bucket': `
apiVersion: source.toolkit.fluxcd.io/v1
kind: Bucket
metadata: {name: minio-bucket}
spec:
  interval: 5m0s
  endpoint: minio.example.com
  insecure: true
  secretRef: {name: minio-bucket-secret}
  bucketName: example
`,
  'a Kustomization with everything': `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: podinfo, namespace: flux-system}
spec:
  interval: 10m
  targetNamespace: default
  sourceRef: {kind: GitRepository, name: podinfo}
  path: "./kustomize"
  prune: true
  timeout: 1m
  wait: true
  dependsOn: [{name: infra}, {name: redis, namespace: data, kind: HelmRelease}]
  patches:
    - patch: |
        - op: replace
          path: /spec/replicas
          value: 2
      target: {kind: Deployment, labelSelector: "app=podinfo"}
  images: [{name: podinfo, newTag: 6.0.0}]
  postBuild:
    substitute: {cluster_env: prod}
    substituteFrom: [{kind: ConfigMap, name: cluster-vars}]
  healthChecks: [{apiVersion: apps/v1, kind: Deployment, name: podinfo, namespace: default}]
  commonMetadata: {labels: {team: a}}
`,
  'a HelmRelease with a chart template and values': `
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo, namespace: default}
spec:
  interval: 10m
  timeout: 5m
  chart:
    spec:
      chart: podinfo
      version: '6.5.*'
      sourceRef: {kind: HelmRepository, name: podinfo}
      interval: 5m
  releaseName: podinfo
  dependsOn: [{name: redis}, {name: infra, namespace: flux-system, kind: Kustomization}]
  install: {remediation: {retries: 3}}
  upgrade: {remediation: {retries: 3, strategy: rollback}, cleanupOnFail: true}
  test: {enable: true}
  driftDetection: {mode: enabled, ignore: [{paths: [/spec/replicas], target: {kind: Deployment}}]}
  values:
    replicaCount: 2
    nested: {anything: [1, "two", {three: true}]}
  valuesFrom: [{kind: ConfigMap, name: podinfo-values, valuesKey: values.yaml, targetPath: "a.b[0]"}]
`,
  'a HelmRelease with a chartRef': `
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo}
spec:
  interval: 10m
  chartRef: {kind: OCIRepository, name: podinfo, namespace: flux-system}
`,
  'an object with a status written by a controller': `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: podinfo, namespace: default}
spec: {interval: 1m, url: "https://example.com/repo.git"}
status:
  observedGeneration: 1
  conditions:
    - {type: Ready, status: "True", reason: Succeeded, message: "stored artifact for revision 'main@sha1:abc'", lastTransitionTime: "2024-01-01T00:00:00Z", observedGeneration: 1}
  artifact:
    path: gitrepository/default/podinfo/abc.tar.gz
    url: http://source-controller/gitrepository/default/podinfo/abc.tar.gz
    revision: main@sha1:1111111111111111111111111111111111111111
    digest: sha256:2222
    lastUpdateTime: "2024-01-01T00:00:00Z"
    size: 1024
`,
};

/** Broken manifests and the causes (path: message) they must give. */
const invalid: Record<string, { yaml: string; causes: string[] }> = {
  'a GitRepository without url and with a bad interval': {
    yaml: `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: x}
spec: {interval: 5 minutes}
`,
    causes: [
      'spec.url: Required value',
      `spec.interval: Invalid value: "5 minutes": must match '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$'`,
    ],
  },
  'a GitRepository with an unsupported provider and a typo': {
    yaml: `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: x}
spec: {interval: 1m, url: "https://x", provider: gitlab, refs: {branch: main}}
`,
    causes: [
      'spec.provider: Unsupported value: "gitlab": supported values: "generic", "aws", "azure", "github"',
      'spec.refs: Unknown field "refs"',
    ],
  },
  'a GitRepository with an hour-long timeout and a file url': {
    yaml: `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: x}
spec: {interval: 1m, url: "file:///tmp/repo", timeout: 1h}
`,
    causes: [
      `spec.timeout: Invalid value: "1h": must match '^([0-9]+(\\.[0-9]+)?(ms|s|m))+$'`,
      `spec.url: Invalid value: "file:///tmp/repo": must match '^(http|https|ssh)://.*$'`,
    ],
  },
  'a GitRepository with a service account and the generic provider': {
    yaml: `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: x}
spec: {interval: 1m, url: "https://x", serviceAccountName: sa}
`,
    causes: ["spec: Invalid value: serviceAccountName can only be set when provider is 'azure' or 'aws'"],
  },
  'a Kustomization without prune and sourceRef kind': {
    yaml: `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: x}
spec:
  interval: 1m
  sourceRef: {kind: HelmRepository, name: x}
  patches: [{patch: {op: remove}}]
  postBuild: {substituteFrom: [{kind: Secret}]}
  dependsOn: [{name: infra, kind: GitRepository}]
`,
    causes: [
      'spec.dependsOn[0].kind: Unsupported value: "GitRepository": supported values: "Kustomization", "HelmRelease"',
      'spec.prune: Required value',
      'spec.patches[0].patch: Invalid value: "object": must be of type string',
      'spec.postBuild.substituteFrom[0].name: Required value',
      'spec.sourceRef.kind: Unsupported value: "HelmRepository": supported values: "OCIRepository", "GitRepository", "Bucket", "ExternalArtifact"',
    ],
  },
  'a Kustomization with both kubeConfig refs': {
    yaml: `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: x}
spec:
  interval: 1m
  prune: false
  sourceRef: {kind: GitRepository, name: x}
  kubeConfig: {secretRef: {name: a}, configMapRef: {name: b}}
`,
    causes: [
      'spec.kubeConfig: Invalid value: exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be specified',
    ],
  },
  'a HelmRelease with both chart and chartRef': {
    yaml: `
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: x}
spec:
  interval: 1m
  chart: {spec: {chart: podinfo, sourceRef: {kind: HelmRepository, name: podinfo}}}
  chartRef: {kind: OCIRepository, name: podinfo}
`,
    causes: ['spec: Invalid value: either chart or chartRef must be set'],
  },
  'a HelmRelease with a bad releaseName length and retries as a string': {
    yaml: `
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: x}
spec:
  interval: 1m
  chartRef: {kind: OCIRepository, name: podinfo}
  releaseName: a-very-long-release-name-that-helm-would-refuse-because-it-is-long
  install: {remediation: {retries: "3"}}
`,
    causes: [
      'spec.install.remediation.retries: Invalid value: "string": must be of type integer',
      'spec.releaseName: Too long: may not be more than 53 bytes',
    ],
  },
  'a Bucket with STS on the gcp provider': {
    yaml: `
apiVersion: source.toolkit.fluxcd.io/v1
kind: Bucket
metadata: {name: x}
spec: {interval: 1m, endpoint: e, bucketName: b, provider: gcp, sts: {provider: aws, endpoint: "https://sts"}}
`,
    causes: [
      "spec: Invalid value: STS configuration is only supported for the 'aws' and 'generic' Bucket providers",
    ],
  },
};

describe('validate()', () => {
  it.each(Object.entries(valid))('accepts %s', (_name, yaml) => {
    expect(validateObject(parse(yaml))).toEqual([]);
  });

  it.each(Object.entries(invalid))('rejects %s, naming the paths', (_name, { yaml, causes }) => {
    const got = validateObject(parse(yaml));
    expect(formatValidationCauses(got).split('\n').sort()).toEqual([...causes].sort());
  });

  it('checks apiVersion, metadata.name and spec of the kind itself', () => {
    const causes = HelmChartKind.validate(
      parse('apiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: HelmChart\nmetadata: {}\n'),
    );
    expect(formatValidationCauses(causes).split('\n')).toEqual([
      'apiVersion: Unsupported value: "source.toolkit.fluxcd.io/v1beta2": supported values: "source.toolkit.fluxcd.io/v1"',
      'metadata.name: Required value: name or generateName is required',
      'spec: Required value',
    ]);
  });

  it('reports causes as data with a stable code', () => {
    const causes = GitRepositoryKind.validate({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'x' },
      spec: { interval: '1m' },
    });
    expect(causes).toEqual([{ code: 'FieldValueRequired', message: 'Required value', path: 'spec.url' }]);
  });

  it('ignores unknown fields when asked to', () => {
    const obj = parse(valid['a HelmRepository']!);
    obj.spec.newFluxField = true;
    expect(validateObject(obj)).toHaveLength(1);
    expect(validateObject(obj, { unknownFields: false })).toEqual([]);
  });

  it('names objects of kinds Sluice does not define', () => {
    expect(validateObject({ apiVersion: 'v1', kind: 'ConfigMap' })).toMatchObject([
      { code: 'FieldValueNotSupported', path: 'kind' },
    ]);
  });
});

describe('defaults', () => {
  it('withDefaults() applies the CRD defaults the API server would set', () => {
    const git = GitRepositoryKind.withDefaults(parse(valid['a GitRepository on a branch']!));
    expect(git.spec.timeout).toBe('60s');
    expect(git.status).toEqual({ observedGeneration: -1 });
    const hr = HelmReleaseKind.withDefaults(parse(valid['a HelmRelease with a chart template and values']!));
    expect(hr.spec.chart.spec.reconcileStrategy).toBe('ChartVersion');
    expect(hr.spec.values).toEqual({ replicaCount: 2, nested: { anything: [1, 'two', { three: true }] } });
  });

  it('effectiveGitRef() falls back to the master branch as Flux does', () => {
    expect(effectiveGitRef({})).toEqual({ branch: 'master' });
    expect(effectiveGitRef({ ref: { tag: 'v1' } })).toEqual({ tag: 'v1' });
  });

  it('kustomizationTimeoutMs() is the interval minus 30s, at least 30s, unless set', () => {
    expect(kustomizationTimeoutMs({ interval: '10m' })).toBe(570_000);
    expect(kustomizationTimeoutMs({ interval: '40s' })).toBe(30_000);
    expect(kustomizationTimeoutMs({ interval: '10m', timeout: '2m' })).toBe(120_000);
  });

  it('helmReleaseName() prefixes the target namespace unless releaseName is set', () => {
    const meta = { name: 'podinfo' };
    expect(helmReleaseName({ metadata: meta, spec: { interval: '1m' } })).toBe('podinfo');
    expect(helmReleaseName({ metadata: meta, spec: { interval: '1m', targetNamespace: 'apps' } })).toBe(
      'apps-podinfo',
    );
    expect(helmReleaseName({ metadata: meta, spec: { interval: '1m', releaseName: 'r' } })).toBe('r');
  });
});

describe('crdManifests()', () => {
  it('lists one CRD per kind, named <plural>.<group>, namespaced with a status subresource', () => {
    const crds = crdManifests();
    expect(crds.map((c) => c.metadata.name)).toEqual(SLUICE_KINDS.map((k) => `${k.plural}.${k.group}`));
    for (const crd of crds) {
      expect(crd.spec.scope).toBe('Namespaced');
      expect(crd.spec.versions).toHaveLength(1);
      expect(crd.spec.versions[0]!.subresources).toEqual({ status: {} });
    }
    expect(crds.find((c) => c.spec.names.kind === 'Kustomization')!.spec.names.shortNames).toEqual(['ks']);
    expect(crds.find((c) => c.spec.names.kind === 'HelmRelease')!.spec.names.shortNames).toEqual(['hr']);
  });

  it('emits structural schemas: every node typed, no TypeBox or JSON Schema keywords', () => {
    const problems: string[] = [];
    const walk = (node: Record<string, unknown>, path: string) => {
      for (const key of ['$id', '$schema', 'anyOf', 'oneOf', 'allOf', 'patternProperties', 'const']) {
        if (key in node) problems.push(`${path}: ${key}`);
      }
      if (node.type === undefined && !node['x-kubernetes-preserve-unknown-fields'])
        problems.push(`${path}: no type`);
      for (const [k, child] of Object.entries(
        (node.properties ?? {}) as Record<string, Record<string, unknown>>,
      )) {
        walk(child, `${path}.${k}`);
      }
      if (node.items) walk(node.items as Record<string, unknown>, `${path}[]`);
      if (typeof node.additionalProperties === 'object')
        walk(node.additionalProperties as Record<string, unknown>, `${path}{}`);
    };
    for (const crd of crdManifests())
      walk(crd.spec.versions[0]!.schema.openAPIV3Schema as never, crd.spec.names.kind);
    expect(problems).toEqual([]);
  });

  it('keeps HelmRelease values free-form and Kustomization patches as strings', () => {
    const spec = HelmReleaseKind.openAPISchema.properties!.spec!;
    expect(spec.properties!.values).toEqual({
      description: 'Values for the chart, as in values.yaml.',
      'x-kubernetes-preserve-unknown-fields': true,
    });
    const patch =
      KustomizationKind.openAPISchema.properties!.spec!.properties!.patches!.items!.properties!.patch;
    expect(patch!.type).toBe('string');
    expect(spec['x-kubernetes-validations']).toEqual([
      {
        message: 'either chart or chartRef must be set',
        rule: '(has(self.chart) && !has(self.chartRef)) || (!has(self.chart) && has(self.chartRef))',
      },
    ]);
  });

  it('prints Flux columns: URL, Age, Ready, Status for GitRepository', () => {
    expect(GitRepositoryKind.crd().spec.versions[0]!.additionalPrinterColumns!.map((c) => c.name)).toEqual([
      'URL',
      'Age',
      'Ready',
      'Status',
    ]);
  });
});
