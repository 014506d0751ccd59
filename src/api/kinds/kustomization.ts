import { type Static, Type } from '@sinclair/typebox';
import { type ApiObject, defineKind } from '../kind.js';
import { DateTime, Duration, Int64, LocalObjectReference, StringEnum, StringMap } from '../schema-kit.js';
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

/** A dependency on another Kustomization or HelmRelease (the `kind` field is a Sluice extension). */
const KustomizationDependencySchema = dependencyWithKind(['Kustomization', 'HelmRelease'] as const);

/** The schema of a Kustomization's spec. */
export const KustomizationSpecSchema = Type.Object(
  {
    buildMetadata: Type.Optional(
      Type.Array(StringEnum(['originAnnotations', 'transformerAnnotations'] as const), {
        description: 'Build metadata kustomize adds to the generated objects.',
      }),
    ),
    commonMetadata: Type.Optional(CommonMetadataSchema),
    components: Type.Optional(Type.Array(Type.String(), { description: 'Kustomize components to include.' })),
    decryption: Type.Optional(
      Type.Object(
        {
          provider: StringEnum(['sops'] as const, { description: 'The decryption provider.' }),
          secretRef: Type.Optional(LocalObjectReference('Secret with the decryption keys.')),
          serviceAccountName: Type.Optional(
            Type.String({ description: 'Service account for KMS workload identity.' }),
          ),
        },
        { description: 'Decrypt Kubernetes secrets before applying them.' },
      ),
    ),
    deletionPolicy: Type.Optional(
      StringEnum(['MirrorPrune', 'Delete', 'WaitForTermination', 'Orphan'] as const, {
        description:
          'What happens to applied objects when the Kustomization is deleted; MirrorPrune by default.',
      }),
    ),
    dependsOn: Type.Optional(
      Type.Array(KustomizationDependencySchema, {
        description: 'Kustomizations (or HelmReleases) that must be Ready first.',
      }),
    ),
    force: Type.Optional(
      Type.Boolean({ default: false, description: 'Recreate objects whose immutable fields changed.' }),
    ),
    healthCheckExprs: Type.Optional(
      Type.Array(HealthCheckExprSchema, { description: 'CEL health checks per kind.' }),
    ),
    healthChecks: Type.Optional(
      Type.Array(
        Type.Object({
          apiVersion: Type.Optional(Type.String({ description: 'API version of the referent.' })),
          kind: Type.String({ description: 'Kind of the referent.' }),
          name: Type.String({ description: 'Name of the referent.' }),
          namespace: Type.Optional(Type.String({ description: 'Namespace of the referent.' })),
        }),
        { description: 'Objects whose health is checked after applying.' },
      ),
    ),
    ignore: Type.Optional(
      Type.Array(IgnoreRuleSchema, { description: 'Fields of applied objects to leave alone.' }),
    ),
    ignoreMissingComponents: Type.Optional(
      Type.Boolean({ description: 'Skip components that do not exist.' }),
    ),
    images: Type.Optional(Type.Array(ImageSchema, { description: 'Image overrides.' })),
    interval: Interval('The interval at which the Kustomization is reconciled.'),
    kubeConfig: Type.Optional(KubeConfigReferenceSchema),
    namePrefix: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Prefix added to every name.' }),
    ),
    nameSuffix: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Suffix added to every name.' }),
    ),
    patches: Type.Optional(Type.Array(PatchSchema, { description: 'Strategic merge and JSON patches.' })),
    path: Type.Optional(
      Type.String({ description: 'Path to the directory with kustomization.yaml; the root by default.' }),
    ),
    postBuild: Type.Optional(
      Type.Object(
        {
          substitute: Type.Optional(
            StringMap({ description: 'Variables substituted in the manifests (`$' + '{var}` syntax).' }),
          ),
          substituteFrom: Type.Optional(
            Type.Array(
              Type.Object({
                kind: StringEnum(['Secret', 'ConfigMap'] as const, {
                  description: 'Kind of the values source.',
                }),
                name: Type.String({
                  minLength: 1,
                  maxLength: 253,
                  description: 'Name of the values source.',
                }),
                optional: Type.Optional(
                  Type.Boolean({ default: false, description: 'Do not fail when the source is missing.' }),
                ),
              }),
              { description: 'ConfigMaps and Secrets holding substitution variables.' },
            ),
          ),
          substituteStrategy: Type.Optional(
            StringEnum(['WithVariables', 'Always'] as const, { description: 'When substitution runs.' }),
          ),
        },
        { description: 'Steps after kustomize build, such as variable substitution.' },
      ),
    ),
    prune: Type.Boolean({ description: 'Delete objects removed from the source.' }),
    retryInterval: Type.Optional(Duration({ description: 'Interval between retries after a failure.' })),
    serviceAccountName: Type.Optional(Type.String({ description: 'Service account to impersonate.' })),
    sourceRef: Type.Object(
      {
        apiVersion: Type.Optional(Type.String({ description: 'API version of the referent.' })),
        kind: StringEnum(['OCIRepository', 'GitRepository', 'Bucket', 'ExternalArtifact'] as const, {
          description: 'Kind of the referent.',
        }),
        name: Type.String({ description: 'Name of the referent.' }),
        namespace: Type.Optional(
          Type.String({ description: "Namespace of the referent; the Kustomization's by default." }),
        ),
      },
      { description: 'The source of the manifests.' },
    ),
    suspend: Type.Optional(Type.Boolean({ description: 'Tells the controller to suspend reconciliation.' })),
    targetNamespace: Type.Optional(
      Type.String({ minLength: 1, maxLength: 63, description: 'Namespace set on every namespaced object.' }),
    ),
    timeout: Type.Optional(
      Duration({ description: 'Timeout of apply and health checks; the interval when unset.' }),
    ),
    wait: Type.Optional(Type.Boolean({ description: 'Wait for every applied object to become healthy.' })),
  },
  {
    description: 'KustomizationSpec defines the configuration to calculate the desired state from a source.',
  },
);

/** The schema of a Kustomization's status. */
export const KustomizationStatusSchema = Type.Object(
  {
    conditions: Conditions(),
    history: Type.Optional(
      Type.Array(
        Type.Object({
          digest: Type.String({ description: 'Digest of the applied objects.' }),
          firstReconciled: DateTime({ description: 'First time this digest was reconciled.' }),
          lastReconciled: DateTime({ description: 'Last time this digest was reconciled.' }),
          lastReconciledDuration: Type.String({ description: 'Duration of the last reconciliation.' }),
          lastReconciledStatus: Type.String({ description: 'Status of the last reconciliation.' }),
          metadata: Type.Optional(StringMap({ description: 'Metadata such as the revision.' })),
          totalReconciliations: Int64({ description: 'Number of reconciliations of this digest.' }),
        }),
        { description: 'The last reconciliations, newest first.' },
      ),
    ),
    inventory: Type.Optional(InventorySchema),
    lastAppliedOriginRevision: Type.Optional(
      Type.String({ description: 'Origin revision of the last applied source.' }),
    ),
    lastAppliedRevision: Type.Optional(
      Type.String({ description: 'Revision of the last successfully applied source.' }),
    ),
    lastAttemptedRevision: Type.Optional(
      Type.String({ description: 'Revision of the last attempted source.' }),
    ),
    lastHandledReconcileAt: LastHandledReconcileAt(),
    observedGeneration: ObservedGeneration(),
  },
  { description: 'KustomizationStatus defines the observed state of a kustomization.' },
);

/** The spec of a Kustomization. */
export type KustomizationSpec = Static<typeof KustomizationSpecSchema>;
/** The status of a Kustomization. */
export type KustomizationStatus = Static<typeof KustomizationStatusSchema>;
/** A `kustomize.toolkit.fluxcd.io/v1` Kustomization. */
export type Kustomization = ApiObject<
  'kustomize.toolkit.fluxcd.io/v1',
  'Kustomization',
  KustomizationSpec,
  KustomizationStatus
>;

/** The Kustomization kind: names, schema, CRD and validation. */
export const KustomizationKind = defineKind({
  group: 'kustomize.toolkit.fluxcd.io',
  version: 'v1',
  kind: 'Kustomization',
  plural: 'kustomizations',
  singular: 'kustomization',
  shortNames: ['ks'],
  categories: ['all', 'fluxcd', 'fluxcd-appliers'],
  description: 'Kustomization is the Schema for the kustomizations API.',
  spec: KustomizationSpecSchema,
  status: KustomizationStatusSchema,
  printerColumns: [
    { jsonPath: '.metadata.creationTimestamp', name: 'Age', type: 'date' },
    { jsonPath: '.status.conditions[?(@.type=="Ready")].status', name: 'Ready', type: 'string' },
    { jsonPath: '.status.conditions[?(@.type=="Ready")].message', name: 'Status', type: 'string' },
  ],
  rules: kubeConfigRules(['spec', 'kubeConfig']),
});
