import { type Static, Type } from '@sinclair/typebox';
import { type ApiObject, defineKind } from '../kind.js';
import { Duration, LocalObjectReference, StringEnum, StringMap, TIMEOUT_PATTERN } from '../schema-kit.js';
import {
  ArtifactSchema,
  Conditions,
  Interval,
  LastHandledReconcileAt,
  ObservedGeneration,
} from './common.js';

/** The schema of a HelmRepository's spec. */
export const HelmRepositorySpecSchema = Type.Object(
  {
    accessFrom: Type.Optional(
      Type.Object(
        {
          namespaceSelectors: Type.Array(
            Type.Object({
              matchLabels: Type.Optional(StringMap({ description: 'Labels a namespace must carry.' })),
            }),
          ),
        },
        { description: 'Namespaces allowed to use this repository (unused by Flux v2 controllers).' },
      ),
    ),
    certSecretRef: Type.Optional(LocalObjectReference('Secret with TLS material: tls.crt, tls.key, ca.crt.')),
    insecure: Type.Optional(Type.Boolean({ description: 'Allow plain HTTP to an OCI registry.' })),
    interval: Type.Optional(Interval('The interval at which the index is fetched; not used with type oci.')),
    passCredentials: Type.Optional(
      Type.Boolean({ description: 'Pass credentials to all domains, not only the host of the index.' }),
    ),
    provider: Type.Optional(
      StringEnum(['generic', 'aws', 'azure', 'gcp'] as const, {
        default: 'generic',
        description: 'The OIDC provider for OCI registries.',
      }),
    ),
    secretRef: Type.Optional(LocalObjectReference('Secret with username/password or TLS material.')),
    suspend: Type.Optional(Type.Boolean({ description: 'Tells the controller to suspend reconciliation.' })),
    timeout: Type.Optional(
      Duration({ pattern: TIMEOUT_PATTERN, description: 'Timeout of index fetches; 60s when unset.' }),
    ),
    type: Type.Optional(StringEnum(['default', 'oci'] as const, { description: 'The repository type.' })),
    url: Type.String({
      pattern: '^(http|https|oci)://.*$',
      description: 'The index URL, or oci:// for OCI registries.',
    }),
  },
  { description: 'HelmRepositorySpec specifies the Helm repository.' },
);

/** The schema of a HelmRepository's status. */
export const HelmRepositoryStatusSchema = Type.Object(
  {
    artifact: Type.Optional(ArtifactSchema),
    conditions: Conditions(),
    lastHandledReconcileAt: LastHandledReconcileAt(),
    observedGeneration: ObservedGeneration(),
    url: Type.Optional(Type.String({ description: 'Address of the artifact of the last index.' })),
  },
  { description: 'HelmRepositoryStatus records the result of the last reconciliation.' },
);

/** The spec of a HelmRepository. */
export type HelmRepositorySpec = Static<typeof HelmRepositorySpecSchema>;
/** The status of a HelmRepository. */
export type HelmRepositoryStatus = Static<typeof HelmRepositoryStatusSchema>;
/** A `source.toolkit.fluxcd.io/v1` HelmRepository. */
export type HelmRepository = ApiObject<
  'source.toolkit.fluxcd.io/v1',
  'HelmRepository',
  HelmRepositorySpec,
  HelmRepositoryStatus
>;

/** The HelmRepository kind: names, schema, CRD and validation. */
export const HelmRepositoryKind = defineKind({
  group: 'source.toolkit.fluxcd.io',
  version: 'v1',
  kind: 'HelmRepository',
  plural: 'helmrepositories',
  singular: 'helmrepository',
  shortNames: ['helmrepo'],
  categories: ['all', 'fluxcd', 'fluxcd-sources'],
  description: 'HelmRepository is the Schema for the helmrepositories API.',
  spec: HelmRepositorySpecSchema,
  status: HelmRepositoryStatusSchema,
  printerColumns: [
    { jsonPath: '.spec.url', name: 'URL', type: 'string' },
    { jsonPath: '.metadata.creationTimestamp', name: 'Age', type: 'date' },
    { jsonPath: '.status.conditions[?(@.type=="Ready")].status', name: 'Ready', type: 'string' },
    { jsonPath: '.status.conditions[?(@.type=="Ready")].message', name: 'Status', type: 'string' },
  ],
});
