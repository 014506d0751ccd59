import { type Static, Type } from '@sinclair/typebox';
import { type ApiObject, defineKind } from '../kind.js';
import {
  DateTime,
  Duration,
  Int64,
  LocalObjectReference,
  PreserveUnknown,
  StringEnum,
} from '../schema-kit.js';
import {
  CommonMetadataSchema,
  Conditions,
  dependencyWithKind,
  HealthCheckExprSchema,
  IgnoreRuleSchema,
  ImageSchema,
  Interval,
  InventorySchema,
  KubeConfigReferenceSchema,
  kubeConfigRules,
  LastHandledReconcileAt,
  ObservedGeneration,
  PatchSchema,
} from './common.js';

const CRDsPolicy = () =>
  Type.Optional(
    StringEnum(['Skip', 'Create', 'CreateReplace'] as const, {
      description: 'What to do with the chart CRDs.',
    }),
  );

const Remediation = (withStrategy: boolean) =>
  Type.Optional(
    Type.Object(
      {
        ignoreTestFailures: Type.Optional(Type.Boolean({ description: 'Do not remediate when tests fail.' })),
        remediateLastFailure: Type.Optional(Type.Boolean({ description: 'Remediate the last failure too.' })),
        retries: Type.Optional(
          Type.Integer({ description: 'Retries before giving up; negative means forever.' }),
        ),
        ...(withStrategy
          ? {
              strategy: Type.Optional(
                StringEnum(['rollback', 'uninstall'] as const, {
                  description: 'How to remediate a failed upgrade.',
                }),
              ),
            }
          : {}),
      },
      { description: 'How failures are remediated.' },
    ),
  );

const Strategy = (rule: 'install' | 'upgrade') =>
  Type.Optional(
    Type.Object(
      {
        name: StringEnum(['RemediateOnFailure', 'RetryOnFailure'] as const, { description: 'The strategy.' }),
        retryInterval: Type.Optional(Duration({ description: 'Interval between retries (RetryOnFailure).' })),
      },
      { description: `The ${rule} strategy.` },
    ),
  );

const ChartSourceRef = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: 'API version of the referent.' })),
    kind: StringEnum(['HelmRepository', 'GitRepository', 'Bucket'] as const, {
      description: 'Kind of the referent.',
    }),
    name: Type.String({ minLength: 1, maxLength: 253, description: 'Name of the referent.' }),
    namespace: Type.Optional(
      Type.String({ minLength: 1, maxLength: 63, description: 'Namespace of the referent.' }),
    ),
  },
  { description: 'The source of the chart.' },
);

/** A dependency on another Kustomization or HelmRelease (the `kind` field is a Sluice extension). */
const HelmReleaseDependencySchema = dependencyWithKind(['HelmRelease', 'Kustomization'] as const);

/** The schema of a HelmRelease's spec. */
export const HelmReleaseSpecSchema = Type.Object(
  {
    chart: Type.Optional(
      Type.Object(
        {
          metadata: Type.Optional(CommonMetadataSchema),
          spec: Type.Object(
            {
              chart: Type.String({
                minLength: 1,
                maxLength: 2048,
                description: 'Name or path of the chart.',
              }),
              ignoreMissingValuesFiles: Type.Optional(
                Type.Boolean({ description: 'Skip missing values files.' }),
              ),
              interval: Type.Optional(Interval('The interval at which the source is checked for updates.')),
              reconcileStrategy: Type.Optional(
                StringEnum(['ChartVersion', 'Revision'] as const, {
                  default: 'ChartVersion',
                  description: 'What makes a new chart artifact.',
                }),
              ),
              sourceRef: ChartSourceRef,
              valuesFiles: Type.Optional(
                Type.Array(Type.String(), { description: 'Values files to merge.' }),
              ),
              verify: Type.Optional(
                Type.Object(
                  {
                    provider: StringEnum(['cosign', 'notation'] as const, {
                      default: 'cosign',
                      description: 'The verification provider.',
                    }),
                    secretRef: Type.Optional(LocalObjectReference('Secret with the trusted public keys.')),
                  },
                  { description: 'Verification of the chart signature.' },
                ),
              ),
              version: Type.Optional(
                Type.String({ default: '*', description: 'SemVer range of the chart version.' }),
              ),
            },
            { description: 'The spec of the HelmChart created for this release.' },
          ),
        },
        { description: 'Template of the HelmChart `<namespace>-<name>` the release is installed from.' },
      ),
    ),
    chartRef: Type.Optional(
      Type.Object(
        {
          apiVersion: Type.Optional(Type.String({ description: 'API version of the referent.' })),
          kind: StringEnum(['OCIRepository', 'HelmChart', 'ExternalArtifact'] as const, {
            description: 'Kind of the referent.',
          }),
          name: Type.String({ minLength: 1, maxLength: 253, description: 'Name of the referent.' }),
          namespace: Type.Optional(
            Type.String({ minLength: 1, maxLength: 63, description: 'Namespace of the referent.' }),
          ),
        },
        { description: 'An existing chart source to install from, instead of chart.' },
      ),
    ),
    commonMetadata: Type.Optional(CommonMetadataSchema),
    dependsOn: Type.Optional(
      Type.Array(HelmReleaseDependencySchema, {
        description: 'HelmReleases (or, with kind, Kustomizations) that must be Ready first.',
      }),
    ),
    driftDetection: Type.Optional(
      Type.Object(
        {
          ignore: Type.Optional(Type.Array(IgnoreRuleSchema, { description: 'Fields to ignore.' })),
          mode: Type.Optional(
            StringEnum(['enabled', 'warn', 'disabled'] as const, {
              description: 'Correct, report, or ignore drift.',
            }),
          ),
        },
        { description: 'Detection of changes made to the release objects in the cluster.' },
      ),
    ),
    healthCheckExprs: Type.Optional(
      Type.Array(HealthCheckExprSchema, { description: 'CEL health checks per kind.' }),
    ),
    install: Type.Optional(
      Type.Object(
        {
          crds: CRDsPolicy(),
          createNamespace: Type.Optional(Type.Boolean({ description: 'Create the target namespace.' })),
          disableHooks: Type.Optional(Type.Boolean({ description: 'Skip the chart hooks.' })),
          disableOpenAPIValidation: Type.Optional(Type.Boolean({ description: 'Skip OpenAPI validation.' })),
          disableSchemaValidation: Type.Optional(
            Type.Boolean({ description: 'Skip the values JSON schema.' }),
          ),
          disableTakeOwnership: Type.Optional(
            Type.Boolean({ description: 'Do not adopt existing objects.' }),
          ),
          disableWait: Type.Optional(Type.Boolean({ description: 'Do not wait for readiness.' })),
          disableWaitForJobs: Type.Optional(Type.Boolean({ description: 'Do not wait for Jobs.' })),
          remediation: Remediation(false),
          replace: Type.Optional(Type.Boolean({ description: 'Reuse the name of a deleted release.' })),
          serverSideApply: Type.Optional(Type.Boolean({ description: 'Apply with server-side apply.' })),
          skipCRDs: Type.Optional(Type.Boolean({ description: 'Deprecated: use crds Skip.' })),
          strategy: Strategy('install'),
          timeout: Type.Optional(
            Duration({ description: 'Timeout of the install; spec.timeout by default.' }),
          ),
        },
        { description: 'Configuration of helm install.' },
      ),
    ),
    interval: Interval('The interval at which the release is reconciled.'),
    kubeConfig: Type.Optional(KubeConfigReferenceSchema),
    maxHistory: Type.Optional(
      Type.Integer({ description: 'Release revisions kept; 5 by default, 0 for no limit.' }),
    ),
    persistentClient: Type.Optional(
      Type.Boolean({ description: 'Reuse one Kubernetes client per reconcile.' }),
    ),
    postRenderStrategy: Type.Optional(
      StringEnum(['nohooks', 'combined', 'separate'] as const, {
        description: 'Which manifests post-renderers see.',
      }),
    ),
    postRenderers: Type.Optional(
      Type.Array(
        Type.Object({
          kustomize: Type.Optional(
            Type.Object(
              {
                images: Type.Optional(Type.Array(ImageSchema, { description: 'Image overrides.' })),
                patches: Type.Optional(Type.Array(PatchSchema, { description: 'Patches.' })),
              },
              { description: 'A kustomize post-renderer.' },
            ),
          ),
        }),
        { description: 'Post-renderers applied to the rendered manifests, in order.' },
      ),
    ),
    releaseName: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 53,
        description: 'Release name; `[<targetNamespace>-]<name>` by default.',
      }),
    ),
    rollback: Type.Optional(
      Type.Object(
        {
          cleanupOnFail: Type.Optional(Type.Boolean({ description: 'Delete new objects on failure.' })),
          disableHooks: Type.Optional(Type.Boolean({ description: 'Skip the chart hooks.' })),
          disableWait: Type.Optional(Type.Boolean({ description: 'Do not wait for readiness.' })),
          disableWaitForJobs: Type.Optional(Type.Boolean({ description: 'Do not wait for Jobs.' })),
          force: Type.Optional(Type.Boolean({ description: 'Replace objects that cannot be patched.' })),
          recreate: Type.Optional(Type.Boolean({ description: 'Restart pods.' })),
          serverSideApply: Type.Optional(
            StringEnum(['enabled', 'disabled', 'auto'] as const, {
              description: 'Apply with server-side apply.',
            }),
          ),
          timeout: Type.Optional(Duration({ description: 'Timeout of the rollback.' })),
        },
        { description: 'Configuration of helm rollback.' },
      ),
    ),
    serviceAccountName: Type.Optional(
      Type.String({ minLength: 1, maxLength: 253, description: 'Service account to impersonate.' }),
    ),
    storageNamespace: Type.Optional(
      Type.String({ minLength: 1, maxLength: 63, description: 'Namespace of the Helm release storage.' }),
    ),
    suspend: Type.Optional(Type.Boolean({ description: 'Tells the controller to suspend reconciliation.' })),
    targetNamespace: Type.Optional(
      Type.String({ minLength: 1, maxLength: 63, description: 'Namespace the release is installed into.' }),
    ),
    test: Type.Optional(
      Type.Object(
        {
          enable: Type.Optional(Type.Boolean({ description: 'Run helm test after install and upgrade.' })),
          filters: Type.Optional(
            Type.Array(
              Type.Object({
                exclude: Type.Optional(Type.Boolean({ description: 'Exclude instead of include.' })),
                name: Type.String({ minLength: 1, maxLength: 253, description: 'Name of the test.' }),
              }),
              { description: 'Which tests to run.' },
            ),
          ),
          ignoreFailures: Type.Optional(
            Type.Boolean({ description: 'Failed tests do not fail the release.' }),
          ),
          timeout: Type.Optional(Duration({ description: 'Timeout of the tests.' })),
        },
        { description: 'Configuration of helm test.' },
      ),
    ),
    timeout: Type.Optional(Duration({ description: 'Timeout of Helm actions; 5m by default.' })),
    uninstall: Type.Optional(
      Type.Object(
        {
          deletionPropagation: Type.Optional(
            StringEnum(['background', 'foreground', 'orphan'] as const, {
              default: 'background',
              description: 'Deletion propagation of the release objects.',
            }),
          ),
          disableHooks: Type.Optional(Type.Boolean({ description: 'Skip the chart hooks.' })),
          disableWait: Type.Optional(Type.Boolean({ description: 'Do not wait for deletion.' })),
          keepHistory: Type.Optional(Type.Boolean({ description: 'Keep the release history.' })),
          timeout: Type.Optional(Duration({ description: 'Timeout of the uninstall.' })),
        },
        { description: 'Configuration of helm uninstall.' },
      ),
    ),
    upgrade: Type.Optional(
      Type.Object(
        {
          chartNameChangeStrategy: Type.Optional(
            StringEnum(['InPlaceUpdate', 'Reinstall'] as const, { description: 'What a chart rename does.' }),
          ),
          cleanupOnFail: Type.Optional(Type.Boolean({ description: 'Delete new objects on failure.' })),
          crds: CRDsPolicy(),
          disableHooks: Type.Optional(Type.Boolean({ description: 'Skip the chart hooks.' })),
          disableOpenAPIValidation: Type.Optional(Type.Boolean({ description: 'Skip OpenAPI validation.' })),
          disableSchemaValidation: Type.Optional(
            Type.Boolean({ description: 'Skip the values JSON schema.' }),
          ),
          disableTakeOwnership: Type.Optional(
            Type.Boolean({ description: 'Do not adopt existing objects.' }),
          ),
          disableWait: Type.Optional(Type.Boolean({ description: 'Do not wait for readiness.' })),
          disableWaitForJobs: Type.Optional(Type.Boolean({ description: 'Do not wait for Jobs.' })),
          force: Type.Optional(Type.Boolean({ description: 'Replace objects that cannot be patched.' })),
          preserveValues: Type.Optional(
            Type.Boolean({ description: 'Reuse the values of the last release.' }),
          ),
          remediation: Remediation(true),
          serverSideApply: Type.Optional(
            StringEnum(['enabled', 'disabled', 'auto'] as const, {
              description: 'Apply with server-side apply.',
            }),
          ),
          strategy: Strategy('upgrade'),
          timeout: Type.Optional(Duration({ description: 'Timeout of the upgrade.' })),
        },
        { description: 'Configuration of helm upgrade.' },
      ),
    ),
    values: Type.Optional(PreserveUnknown({ description: 'Values for the chart, as in values.yaml.' })),
    valuesFrom: Type.Optional(
      Type.Array(
        Type.Object({
          kind: StringEnum(['Secret', 'ConfigMap'] as const, { description: 'Kind of the values source.' }),
          literal: Type.Optional(Type.Boolean({ description: 'Keep the value a literal string.' })),
          name: Type.String({ minLength: 1, maxLength: 253, description: 'Name of the values source.' }),
          optional: Type.Optional(Type.Boolean({ description: 'Do not fail when the source is missing.' })),
          targetPath: Type.Optional(
            Type.String({
              maxLength: 250,
              pattern: '^([a-zA-Z0-9_\\-.\\\\\\/]|\\[[0-9]{1,5}\\])+$',
              description: 'Path in the values to set the value at.',
            }),
          ),
          valuesKey: Type.Optional(
            Type.String({
              maxLength: 253,
              pattern: '^[\\-._a-zA-Z0-9]+$',
              description: 'Key in the source; values.yaml by default.',
            }),
          ),
        }),
        { description: 'Values from ConfigMaps and Secrets, merged in order before values.' },
      ),
    ),
    waitStrategy: Type.Optional(
      Type.Object(
        { name: StringEnum(['poller', 'legacy'] as const, { description: 'The wait strategy.' }) },
        { description: 'How the controller waits for readiness.' },
      ),
    ),
  },
  { description: 'HelmReleaseSpec defines the desired state of a Helm release.' },
);

const SnapshotSchema = Type.Object({
  action: Type.Optional(Type.String({ description: 'The action that produced the release.' })),
  apiVersion: Type.Optional(Type.String({ description: 'Version of the snapshot format.' })),
  appVersion: Type.Optional(Type.String({ description: 'App version of the chart.' })),
  chartName: Type.String({ description: 'Name of the chart.' }),
  chartVersion: Type.String({ description: 'Version of the chart.' }),
  configDigest: Type.String({ description: 'Digest of the release values.' }),
  deleted: Type.Optional(DateTime({ description: 'When the release was deleted.' })),
  digest: Type.String({ description: 'Digest of the release object.' }),
  firstDeployed: DateTime({ description: 'When the release was first deployed.' }),
  lastDeployed: DateTime({ description: 'When the release was last deployed.' }),
  name: Type.String({ description: 'Release name.' }),
  namespace: Type.String({ description: 'Release namespace.' }),
  ociDigest: Type.Optional(Type.String({ description: 'OCI digest of the chart.' })),
  status: Type.String({ description: 'Helm status of the release.' }),
  testHooks: Type.Optional(
    Type.Unsafe<Record<string, { lastCompleted?: string; lastStarted?: string; phase?: string }>>({
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: {
          lastCompleted: { type: 'string', format: 'date-time' },
          lastStarted: { type: 'string', format: 'date-time' },
          phase: { type: 'string' },
        },
      },
      description: 'Test hooks of the release and their results.',
    }),
  ),
  version: Type.Integer({ description: 'Release revision.' }),
});

/** The schema of a HelmRelease's status. */
export const HelmReleaseStatusSchema = Type.Object(
  {
    conditions: Conditions(),
    failures: Type.Optional(Int64({ description: 'Failed reconciliation attempts since the last success.' })),
    helmChart: Type.Optional(
      Type.String({ description: 'The HelmChart `<namespace>/<name>` used for the release.' }),
    ),
    history: Type.Optional(Type.Array(SnapshotSchema, { description: 'Release snapshots, newest first.' })),
    installFailures: Type.Optional(Int64({ description: 'Failed install attempts.' })),
    inventory: Type.Optional(InventorySchema),
    lastAttemptedConfigDigest: Type.Optional(
      Type.String({ description: 'Digest of the last attempted values.' }),
    ),
    lastAttemptedGeneration: Type.Optional(Int64({ description: 'Generation of the last attempt.' })),
    lastAttemptedReleaseAction: Type.Optional(
      StringEnum(['install', 'upgrade'] as const, { description: 'The last attempted action.' }),
    ),
    lastAttemptedReleaseActionDuration: Type.Optional(
      Type.String({ description: 'Duration of the last action.' }),
    ),
    lastAttemptedRevision: Type.Optional(Type.String({ description: 'Chart version of the last attempt.' })),
    lastAttemptedRevisionDigest: Type.Optional(
      Type.String({ description: 'Digest of the last attempted chart.' }),
    ),
    lastAttemptedValuesChecksum: Type.Optional(
      Type.String({ description: 'Deprecated checksum of the values.' }),
    ),
    lastHandledForceAt: Type.Optional(
      Type.String({ description: 'The last forceAt annotation value handled.' }),
    ),
    lastHandledReconcileAt: LastHandledReconcileAt(),
    lastHandledResetAt: Type.Optional(
      Type.String({ description: 'The last resetAt annotation value handled.' }),
    ),
    lastReleaseRevision: Type.Optional(
      Type.Integer({ description: 'Deprecated: revision of the last release.' }),
    ),
    observedCommonMetadataDigest: Type.Optional(Type.String({ description: 'Digest of commonMetadata.' })),
    observedGeneration: ObservedGeneration(),
    observedPostRenderersDigest: Type.Optional(Type.String({ description: 'Digest of the post-renderers.' })),
    storageNamespace: Type.Optional(
      Type.String({ minLength: 1, maxLength: 63, description: 'Namespace of the release storage.' }),
    ),
    upgradeFailures: Type.Optional(Int64({ description: 'Failed upgrade attempts.' })),
  },
  { description: 'HelmReleaseStatus defines the observed state of a HelmRelease.' },
);

/** The spec of a HelmRelease. */
export type HelmReleaseSpec = Static<typeof HelmReleaseSpecSchema>;
/** The status of a HelmRelease. */
export type HelmReleaseStatus = Static<typeof HelmReleaseStatusSchema>;
/** A `helm.toolkit.fluxcd.io/v2` HelmRelease. */
export type HelmRelease = ApiObject<
  'helm.toolkit.fluxcd.io/v2',
  'HelmRelease',
  HelmReleaseSpec,
  HelmReleaseStatus
>;

/** The HelmRelease kind: names, schema, CRD and validation. */
export const HelmReleaseKind = defineKind({
  group: 'helm.toolkit.fluxcd.io',
  version: 'v2',
  kind: 'HelmRelease',
  plural: 'helmreleases',
  singular: 'helmrelease',
  shortNames: ['hr'],
  categories: ['all', 'fluxcd', 'fluxcd-appliers'],
  description: 'HelmRelease is the Schema for the helmreleases API.',
  spec: HelmReleaseSpecSchema,
  status: HelmReleaseStatusSchema,
  printerColumns: [
    { jsonPath: '.metadata.creationTimestamp', name: 'Age', type: 'date' },
    { jsonPath: '.status.conditions[?(@.type=="Ready")].status', name: 'Ready', type: 'string' },
    { jsonPath: '.status.conditions[?(@.type=="Ready")].message', name: 'Status', type: 'string' },
  ],
  rules: [
    {
      at: ['spec'],
      rule: '(has(self.chart) && !has(self.chartRef)) || (!has(self.chart) && has(self.chartRef))',
      message: 'either chart or chartRef must be set',
      check: (spec) => (spec.chart === undefined) !== (spec.chartRef === undefined),
    },
    {
      at: ['spec', 'install', 'strategy'],
      rule: "!has(self.retryInterval) || self.name != 'RemediateOnFailure'",
      message: ".retryInterval cannot be set when .name is 'RemediateOnFailure'",
      check: (s) => s.retryInterval === undefined || s.name !== 'RemediateOnFailure',
    },
    {
      at: ['spec', 'upgrade', 'strategy'],
      rule: "!has(self.retryInterval) || self.name == 'RetryOnFailure'",
      message: ".retryInterval can only be set when .name is 'RetryOnFailure'",
      check: (s) => s.retryInterval === undefined || s.name === 'RetryOnFailure',
    },
    ...kubeConfigRules(['spec', 'kubeConfig']),
  ],
});

/** The Helm release name of a HelmRelease: `spec.releaseName`, else `[<targetNamespace>-]<name>`. */
export function helmReleaseName(hr: Pick<HelmRelease, 'metadata' | 'spec'>): string {
  if (hr.spec.releaseName) return hr.spec.releaseName;
  const name = hr.metadata.name ?? '';
  return hr.spec.targetNamespace ? `${hr.spec.targetNamespace}-${name}` : name;
}
