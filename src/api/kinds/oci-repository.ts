import { type Static, Type } from '@sinclair/typebox';
import { type ApiObject, defineKind } from '../kind.js';
import { Duration, LocalObjectReference, StringEnum, TIMEOUT_PATTERN } from '../schema-kit.js';
import {
  ArtifactSchema,
  Conditions,
  Interval,
  LastHandledReconcileAt,
  ObservedGeneration,
} from './common.js';
import { OCIVerificationSchema } from './helm-chart.js';

const LayerSelectorSchema = Type.Object(
  {
    mediaType: Type.Optional(
      Type.String({ description: 'Media type of the layer to take; the first layer when unset.' }),
    ),
    operation: Type.Optional(
      StringEnum(['extract', 'copy'] as const, {
        description: 'Extract the layer (tar.gz) or copy it as is.',
      }),
    ),
  },
  { description: 'Which layer of the OCI artifact becomes the source artifact.' },
);

/** The schema of an OCIRepository's spec. */
export const OCIRepositorySpecSchema = Type.Object(
  {
    certSecretRef: Type.Optional(LocalObjectReference('Secret with TLS material: tls.crt, tls.key, ca.crt.')),
    ignore: Type.Optional(
      Type.String({ description: 'Extra .sourceignore patterns, overriding the defaults.' }),
    ),
    insecure: Type.Optional(Type.Boolean({ description: 'Allow plain HTTP to the registry.' })),
    interval: Interval('The interval at which the registry is checked for updates.'),
    layerSelector: Type.Optional(LayerSelectorSchema),
    provider: Type.Optional(
      StringEnum(['generic', 'aws', 'azure', 'gcp'] as const, {
        default: 'generic',
        description: 'The OIDC provider for authentication.',
      }),
    ),
    proxySecretRef: Type.Optional(LocalObjectReference('Secret with the proxy address and credentials.')),
    ref: Type.Optional(
      Type.Object(
        {
          digest: Type.Optional(
            Type.String({ description: 'Image digest; precedence over semver and tag.' }),
          ),
          semver: Type.Optional(Type.String({ description: 'SemVer range of tags; precedence over tag.' })),
          semverFilter: Type.Optional(
            Type.String({ description: 'Regular expression tags must match before semver.' }),
          ),
          tag: Type.Optional(Type.String({ description: 'Tag to pull; `latest` by default.' })),
        },
        { description: 'The OCI reference to pull and watch for changes; defaults to the latest tag.' },
      ),
    ),
    secretRef: Type.Optional(LocalObjectReference('Secret of type kubernetes.io/dockerconfigjson.')),
    serviceAccountName: Type.Optional(
      Type.String({ description: 'Service account whose imagePullSecrets are used.' }),
    ),
    suspend: Type.Optional(Type.Boolean({ description: 'Tells the controller to suspend reconciliation.' })),
    timeout: Type.Optional(
      Duration({ pattern: TIMEOUT_PATTERN, default: '60s', description: 'Timeout of remote operations.' }),
    ),
    url: Type.String({
      pattern: '^oci://.*$',
      description: 'The OCI repository address, starting with oci://.',
    }),
    verify: Type.Optional(
      Type.Object(
        {
          ...OCIVerificationSchema.properties,
          trustedRootSecretRef: Type.Optional(LocalObjectReference('Secret with a Sigstore trusted root.')),
        },
        { description: 'Verification of the artifact signature.' },
      ),
    ),
  },
  { description: 'OCIRepositorySpec specifies the OCI artifact to pull.' },
);

/** The schema of an OCIRepository's status. */
export const OCIRepositoryStatusSchema = Type.Object(
  {
    artifact: Type.Optional(ArtifactSchema),
    conditions: Conditions(),
    lastHandledReconcileAt: LastHandledReconcileAt(),
    observedGeneration: ObservedGeneration(),
    observedIgnore: Type.Optional(Type.String({ description: 'The ignore patterns of the last artifact.' })),
    observedLayerSelector: Type.Optional(LayerSelectorSchema),
    url: Type.Optional(Type.String({ description: 'Address of the last artifact.' })),
  },
  { description: 'OCIRepositoryStatus records the result of the last reconciliation.' },
);

/** The spec of an OCIRepository. */
export type OCIRepositorySpec = Static<typeof OCIRepositorySpecSchema>;
/** The status of an OCIRepository. */
export type OCIRepositoryStatus = Static<typeof OCIRepositoryStatusSchema>;
/** A `source.toolkit.fluxcd.io/v1` OCIRepository. */
export type OCIRepository = ApiObject<
  'source.toolkit.fluxcd.io/v1',
  'OCIRepository',
  OCIRepositorySpec,
  OCIRepositoryStatus
>;

/** The OCIRepository kind: names, schema, CRD and validation. */
export const OCIRepositoryKind = defineKind({
  group: 'source.toolkit.fluxcd.io',
  version: 'v1',
  kind: 'OCIRepository',
  plural: 'ocirepositories',
  singular: 'ocirepository',
  shortNames: ['ocirepo'],
  categories: ['all', 'fluxcd', 'fluxcd-sources'],
  description: 'OCIRepository is the Schema for the ocirepositories API.',
  spec: OCIRepositorySpecSchema,
  status: OCIRepositoryStatusSchema,
  printerColumns: [
    { jsonPath: '.spec.url', name: 'URL', type: 'string' },
    { jsonPath: '.status.conditions[?(@.type=="Ready")].status', name: 'Ready', type: 'string' },
    { jsonPath: '.status.conditions[?(@.type=="Ready")].message', name: 'Status', type: 'string' },
    { jsonPath: '.metadata.creationTimestamp', name: 'Age', type: 'date' },
  ],
});
