import { type Static, Type } from '@sinclair/typebox';
import { type ApiObject, defineKind, type KindRule } from '../kind.js';
import { Duration, LocalObjectReference, StringEnum, TIMEOUT_PATTERN } from '../schema-kit.js';
import {
  ArtifactSchema,
  Conditions,
  Interval,
  LastHandledReconcileAt,
  ObservedGeneration,
} from './common.js';

/** The schema of a Bucket's spec. */
export const BucketSpecSchema = Type.Object(
  {
    bucketName: Type.String({ description: 'The bucket name.' }),
    certSecretRef: Type.Optional(LocalObjectReference('Secret with TLS material: tls.crt, tls.key, ca.crt.')),
    endpoint: Type.String({ description: 'The object storage address, host and optional port.' }),
    ignore: Type.Optional(
      Type.String({ description: 'Extra .sourceignore patterns, overriding the defaults.' }),
    ),
    insecure: Type.Optional(Type.Boolean({ description: 'Use plain HTTP to the endpoint.' })),
    interval: Interval('The interval at which the bucket is checked for updates.'),
    prefix: Type.Optional(Type.String({ description: 'Only objects whose keys start with this prefix.' })),
    provider: Type.Optional(
      StringEnum(['generic', 'aws', 'gcp', 'azure'] as const, {
        default: 'generic',
        description: 'The S3 (generic, aws), GCS or Azure Blob provider.',
      }),
    ),
    proxySecretRef: Type.Optional(LocalObjectReference('Secret with the proxy address and credentials.')),
    region: Type.Optional(Type.String({ description: 'The bucket region.' })),
    secretRef: Type.Optional(LocalObjectReference('Secret with the access keys.')),
    serviceAccountName: Type.Optional(Type.String({ description: 'Service account for workload identity.' })),
    sts: Type.Optional(
      Type.Object(
        {
          certSecretRef: Type.Optional(
            LocalObjectReference('Secret with TLS material for the STS endpoint.'),
          ),
          endpoint: Type.String({ pattern: '^(http|https)://.*$', description: 'The STS endpoint address.' }),
          provider: StringEnum(['aws', 'ldap'] as const, { description: 'The STS provider.' }),
          secretRef: Type.Optional(LocalObjectReference('Secret with the STS credentials (ldap).')),
        },
        { description: 'A Security Token Service to get temporary credentials from.' },
      ),
    ),
    suspend: Type.Optional(Type.Boolean({ description: 'Tells the controller to suspend reconciliation.' })),
    timeout: Type.Optional(
      Duration({ pattern: TIMEOUT_PATTERN, default: '60s', description: 'Timeout of fetch operations.' }),
    ),
  },
  { description: 'BucketSpec specifies the object storage bucket to download from.' },
);

/** The schema of a Bucket's status. */
export const BucketStatusSchema = Type.Object(
  {
    artifact: Type.Optional(ArtifactSchema),
    conditions: Conditions(),
    lastHandledReconcileAt: LastHandledReconcileAt(),
    observedGeneration: ObservedGeneration(),
    observedIgnore: Type.Optional(Type.String({ description: 'The ignore patterns of the last artifact.' })),
    url: Type.Optional(Type.String({ description: 'Address of the last artifact.' })),
  },
  { description: 'BucketStatus records the result of the last reconciliation.' },
);

/** The spec of a Bucket. */
export type BucketSpec = Static<typeof BucketSpecSchema>;
/** The status of a Bucket. */
export type BucketStatus = Static<typeof BucketStatusSchema>;
/** A `source.toolkit.fluxcd.io/v1` Bucket. */
export type Bucket = ApiObject<'source.toolkit.fluxcd.io/v1', 'Bucket', BucketSpec, BucketStatus>;

type Sts = { provider?: string; secretRef?: unknown; certSecretRef?: unknown } | undefined;
const sts = (spec: Record<string, unknown>) => spec.sts as Sts;

const bucketRules: KindRule[] = [
  {
    at: ['spec'],
    rule: "self.provider == 'aws' || self.provider == 'generic' || !has(self.sts)",
    message: "STS configuration is only supported for the 'aws' and 'generic' Bucket providers",
    check: (s) => s.provider === 'aws' || s.provider === 'generic' || s.sts === undefined,
  },
  {
    at: ['spec'],
    rule: "self.provider != 'aws' || !has(self.sts) || self.sts.provider == 'aws'",
    message: "'aws' is the only supported STS provider for the 'aws' Bucket provider",
    check: (s) => s.provider !== 'aws' || s.sts === undefined || sts(s)?.provider === 'aws',
  },
  {
    at: ['spec'],
    rule: "self.provider != 'generic' || !has(self.sts) || self.sts.provider == 'ldap'",
    message: "'ldap' is the only supported STS provider for the 'generic' Bucket provider",
    check: (s) => s.provider !== 'generic' || s.sts === undefined || sts(s)?.provider === 'ldap',
  },
  {
    at: ['spec'],
    rule: "!has(self.sts) || self.sts.provider != 'aws' || !has(self.sts.secretRef)",
    message: "spec.sts.secretRef is not required for the 'aws' STS provider",
    check: (s) => sts(s)?.provider !== 'aws' || sts(s)?.secretRef === undefined,
  },
  {
    at: ['spec'],
    rule: "!has(self.sts) || self.sts.provider != 'aws' || !has(self.sts.certSecretRef)",
    message: "spec.sts.certSecretRef is not required for the 'aws' STS provider",
    check: (s) => sts(s)?.provider !== 'aws' || sts(s)?.certSecretRef === undefined,
  },
  {
    at: ['spec'],
    rule: "self.provider != 'generic' || !has(self.serviceAccountName)",
    message: "ServiceAccountName is not supported for the 'generic' Bucket provider",
    check: (s) => s.provider !== 'generic' || s.serviceAccountName === undefined,
  },
  {
    at: ['spec'],
    rule: '!has(self.secretRef) || !has(self.serviceAccountName)',
    message: 'cannot set both .spec.secretRef and .spec.serviceAccountName',
    check: (s) => s.secretRef === undefined || s.serviceAccountName === undefined,
  },
];

/** The Bucket kind: names, schema, CRD and validation. */
export const BucketKind = defineKind({
  group: 'source.toolkit.fluxcd.io',
  version: 'v1',
  kind: 'Bucket',
  plural: 'buckets',
  singular: 'bucket',
  categories: ['all', 'fluxcd', 'fluxcd-sources'],
  description: 'Bucket is the Schema for the buckets API.',
  spec: BucketSpecSchema,
  status: BucketStatusSchema,
  printerColumns: [
    { jsonPath: '.spec.endpoint', name: 'Endpoint', type: 'string' },
    { jsonPath: '.metadata.creationTimestamp', name: 'Age', type: 'date' },
    { jsonPath: '.status.conditions[?(@.type=="Ready")].status', name: 'Ready', type: 'string' },
    { jsonPath: '.status.conditions[?(@.type=="Ready")].message', name: 'Status', type: 'string' },
  ],
  rules: bucketRules,
});
