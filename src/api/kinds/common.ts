import { type Static, Type } from '@sinclair/typebox';
import { DateTime, Duration, Int64, StringEnum, StringMap } from '../schema-kit.js';

/** A status condition as `metav1.Condition` defines it (Flux's CRDs embed the same schema). */
export const ConditionSchema = Type.Object(
  {
    lastTransitionTime: DateTime({ description: 'When the condition last changed status.' }),
    message: Type.String({ maxLength: 32768, description: 'Human-readable details about the transition.' }),
    observedGeneration: Type.Optional(
      Int64({ minimum: 0, description: 'The .metadata.generation the condition was set upon.' }),
    ),
    reason: Type.String({
      maxLength: 1024,
      minLength: 1,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
      description: "A programmatic identifier of the condition's last transition, in CamelCase.",
    }),
    status: StringEnum(['True', 'False', 'Unknown'] as const, { description: 'Status of the condition.' }),
    type: Type.String({
      maxLength: 316,
      pattern:
        '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
      description: 'Type of condition in CamelCase.',
    }),
  },
  { description: 'Condition contains details for one aspect of the current state of this API Resource.' },
);
/** A status condition. */
export type Condition = Static<typeof ConditionSchema>;

/** The conditions list of every Flux status. */
export const Conditions = () =>
  Type.Optional(Type.Array(ConditionSchema, { description: 'Conditions holds the conditions.' }));

/** An artifact a source produced: where it is served and what it contains. */
export const ArtifactSchema = Type.Object(
  {
    digest: Type.String({
      pattern: '^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$',
      description: 'Digest of the file, in the form of `<algorithm>:<checksum>`.',
    }),
    lastUpdateTime: DateTime({ description: 'When the artifact was last updated.' }),
    metadata: Type.Optional(StringMap({ description: 'Metadata of the artifact, e.g. OCI annotations.' })),
    path: Type.String({
      description: 'Path of the artifact relative to the storage root: `<kind>/<ns>/<name>/<file>`.',
    }),
    revision: Type.String({
      description: 'Human-readable identifier of the source revision, e.g. `main@sha1:<hex>`.',
    }),
    size: Type.Optional(Int64({ description: 'Number of bytes in the file.' })),
    url: Type.String({ description: 'HTTP address the artifact is served from.' }),
  },
  { description: 'Artifact represents the output of a source reconciliation.' },
);
/** An artifact a source produced. */
export type Artifact = Static<typeof ArtifactSchema>;

/** `reconcile.fluxcd.io/requestedAt` echoed back. */
export const LastHandledReconcileAt = () =>
  Type.Optional(
    Type.String({
      description: 'The last manual reconciliation request (annotation value) handled by the controller.',
    }),
  );

/** The generation the controller last acted on. */
export const ObservedGeneration = () =>
  Type.Optional(Int64({ description: 'The last observed generation of the object.' }));

/** A dependency on another object that must be Ready first. */
export const DependencyReferenceSchema = Type.Object({
  name: Type.String({ description: 'Name of the referent.' }),
  namespace: Type.Optional(
    Type.String({ description: "Namespace of the referent, defaults to the object's namespace." }),
  ),
  readyExpr: Type.Optional(
    Type.String({
      description: 'A CEL expression deciding readiness of the dependency, instead of its Ready condition.',
    }),
  ),
});

/**
 * A dependency that may name its kind (a Sluice extension to Flux): `kinds[0]`, the object's own kind, is the
 * default, and the other delivery kind may be named, so Kustomizations and HelmReleases can wait for each other.
 */
export const dependencyWithKind = (
  kinds: readonly ['Kustomization', 'HelmRelease'] | readonly ['HelmRelease', 'Kustomization'],
) =>
  Type.Object({
    ...DependencyReferenceSchema.properties,
    kind: Type.Optional(
      StringEnum(kinds, { description: `Kind of the referent: ${kinds[0]} (default) or ${kinds[1]}.` }),
    ),
  });

/** Selects objects by group, version, kind, name, namespace, and label and annotation selectors. */
export const SelectorSchema = Type.Object({
  annotationSelector: Type.Optional(Type.String({ description: 'Kubernetes annotation selector.' })),
  group: Type.Optional(Type.String({ description: 'API group.' })),
  kind: Type.Optional(Type.String({ description: 'Kind.' })),
  labelSelector: Type.Optional(Type.String({ description: 'Kubernetes label selector.' })),
  name: Type.Optional(Type.String({ description: 'Name to match.' })),
  namespace: Type.Optional(Type.String({ description: 'Namespace to match.' })),
  version: Type.Optional(Type.String({ description: 'API version.' })),
});

/** A kustomize patch (strategic merge or JSON 6902), as a string, with an optional target. */
export const PatchSchema = Type.Object({
  patch: Type.String({
    description: 'An inline strategic merge patch or a JSON 6902 patch, as YAML or JSON.',
  }),
  target: Type.Optional(SelectorSchema),
});

/** A kustomize image override. */
export const ImageSchema = Type.Object({
  digest: Type.Optional(Type.String({ description: 'Digest to use instead of the tag.' })),
  name: Type.String({ description: 'Image name to match.' }),
  newName: Type.Optional(Type.String({ description: 'Replacement image name.' })),
  newTag: Type.Optional(Type.String({ description: 'Replacement tag.' })),
});

/** A kubeconfig to reach a remote cluster: from a Secret or a ConfigMap, exactly one. */
export const KubeConfigReferenceSchema = Type.Object({
  configMapRef: Type.Optional(Type.Object({ name: Type.String({ description: 'Name of the ConfigMap.' }) })),
  secretRef: Type.Optional(
    Type.Object({
      key: Type.Optional(
        Type.String({ description: 'Key in the Secret (value, then value.yaml, by default).' }),
      ),
      name: Type.String({ description: 'Name of the Secret.' }),
    }),
  ),
});

/** The CEL rules Flux attaches to `kubeConfig`. */
export const kubeConfigRules = (at: readonly string[]) => [
  {
    at,
    rule: 'has(self.configMapRef) || has(self.secretRef)',
    message: 'exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be specified',
    check: (self: Record<string, unknown>) => self.configMapRef !== undefined || self.secretRef !== undefined,
  },
  {
    at,
    rule: '!has(self.configMapRef) || !has(self.secretRef)',
    message: 'exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be specified',
    check: (self: Record<string, unknown>) => self.configMapRef === undefined || self.secretRef === undefined,
  },
];

/** Health check expressions in CEL for custom kinds. */
export const HealthCheckExprSchema = Type.Object({
  apiVersion: Type.String({ description: 'apiVersion of the kind.' }),
  current: Type.String({ description: 'CEL expression that is true when the object is Current.' }),
  failed: Type.Optional(Type.String({ description: 'CEL expression that is true when the object Failed.' })),
  inProgress: Type.Optional(
    Type.String({ description: 'CEL expression that is true when the object is InProgress.' }),
  ),
  kind: Type.Optional(Type.String({ description: 'Kind.' })),
});

/** Paths to ignore on matching objects (drift detection, SSA). */
export const IgnoreRuleSchema = Type.Object({
  paths: Type.Array(Type.String(), { description: 'JSON pointers to ignore.' }),
  target: Type.Optional(SelectorSchema),
});

/** Inventory of applied objects: entries `{id: "<ns>_<name>_<group>_<kind>", v: "<version>"}`. */
export const InventorySchema = Type.Object(
  {
    entries: Type.Array(
      Type.Object({
        id: Type.String({ description: 'Object id: `<namespace>_<name>_<group>_<kind>`.' }),
        v: Type.String({ description: 'API version of the object.' }),
      }),
    ),
  },
  { description: 'Inventory of the objects applied by the last successful reconciliation.' },
);
/** Inventory of applied objects. */
export type Inventory = Static<typeof InventorySchema>;

/** The `interval` field of every Flux kind. */
export const Interval = (description = 'The interval at which the object is reconciled.') =>
  Duration({ description });

/** Common metadata (labels and annotations) applied to generated objects. */
export const CommonMetadataSchema = Type.Object({
  annotations: Type.Optional(StringMap({ description: 'Annotations to add.' })),
  labels: Type.Optional(StringMap({ description: 'Labels to add.' })),
});
