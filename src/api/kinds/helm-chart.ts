import { type Static, Type } from '@sinclair/typebox';
import { type ApiObject, defineKind } from '../kind.js';
import { LocalObjectReference, StringEnum } from '../schema-kit.js';
import {
  ArtifactSchema,
  Conditions,
  Interval,
  LastHandledReconcileAt,
  ObservedGeneration,
} from './common.js';

/** Signature verification of OCI artifacts with cosign or notation (OCIRepository, HelmChart). */
export const OCIVerificationSchema = Type.Object(
  {
    matchOIDCIdentity: Type.Optional(
      Type.Array(
        Type.Object({
          issuer: Type.String({ description: 'Regular expression the OIDC issuer must match.' }),
          subject: Type.String({ description: 'Regular expression the OIDC subject must match.' }),
        }),
        { description: 'Identities accepted for keyless verification.' },
      ),
    ),
    provider: StringEnum(['cosign', 'notation'] as const, {
      default: 'cosign',
      description: 'The verification provider.',
    }),
    secretRef: Type.Optional(LocalObjectReference('Secret with the trusted public keys.')),
  },
  { description: 'Verification of the artifact signature.' },
);

/** The schema of a HelmChart's spec. */
export const HelmChartSpecSchema = Type.Object(
  {
    chart: Type.String({ description: 'Name or path of the chart, relative to the source root.' }),
    ignoreMissingValuesFiles: Type.Optional(
      Type.Boolean({ description: 'Silently skip missing values files.' }),
    ),
    interval: Interval('The interval at which the source is checked for updates.'),
    reconcileStrategy: Type.Optional(
      StringEnum(['ChartVersion', 'Revision'] as const, {
        default: 'ChartVersion',
        description: 'What makes a new artifact: a new chart version, or a new source revision.',
      }),
    ),
    sourceRef: Type.Object(
      {
        apiVersion: Type.Optional(Type.String({ description: 'APIVersion of the referent.' })),
        kind: StringEnum(['HelmRepository', 'GitRepository', 'Bucket'] as const, {
          description: 'Kind of the referent.',
        }),
        name: Type.String({ description: 'Name of the referent.' }),
      },
      { description: 'The source the chart comes from.' },
    ),
    suspend: Type.Optional(Type.Boolean({ description: 'Tells the controller to suspend reconciliation.' })),
    valuesFiles: Type.Optional(
      Type.Array(Type.String(), {
        description: 'Values files merged into values.yaml, relative to the source root.',
      }),
    ),
    verify: Type.Optional(OCIVerificationSchema),
    version: Type.Optional(
      Type.String({
        default: '*',
        description: 'SemVer range of the chart version (HelmRepository sources).',
      }),
    ),
  },
  { description: 'HelmChartSpec specifies the chart and its source.' },
);

/** The schema of a HelmChart's status. */
export const HelmChartStatusSchema = Type.Object(
  {
    artifact: Type.Optional(ArtifactSchema),
    conditions: Conditions(),
    lastHandledReconcileAt: LastHandledReconcileAt(),
    observedChartName: Type.Optional(Type.String({ description: 'The chart name of the last artifact.' })),
    observedGeneration: ObservedGeneration(),
    observedSourceArtifactRevision: Type.Optional(
      Type.String({ description: 'The source revision of the last artifact.' }),
    ),
    observedValuesFiles: Type.Optional(
      Type.Array(Type.String(), { description: 'The values files of the last artifact.' }),
    ),
    url: Type.Optional(Type.String({ description: 'Address of the last artifact.' })),
  },
  { description: 'HelmChartStatus records the result of the last reconciliation.' },
);

/** The spec of a HelmChart. */
export type HelmChartSpec = Static<typeof HelmChartSpecSchema>;
/** The status of a HelmChart. */
export type HelmChartStatus = Static<typeof HelmChartStatusSchema>;
/** A `source.toolkit.fluxcd.io/v1` HelmChart. */
export type HelmChart = ApiObject<'source.toolkit.fluxcd.io/v1', 'HelmChart', HelmChartSpec, HelmChartStatus>;

/** The HelmChart kind: names, schema, CRD and validation. */
export const HelmChartKind = defineKind({
  group: 'source.toolkit.fluxcd.io',
  version: 'v1',
  kind: 'HelmChart',
  plural: 'helmcharts',
  singular: 'helmchart',
  shortNames: ['hc'],
  categories: ['all', 'fluxcd', 'fluxcd-sources'],
  description: 'HelmChart is the Schema for the helmcharts API.',
  spec: HelmChartSpecSchema,
  status: HelmChartStatusSchema,
  printerColumns: [
    { jsonPath: '.spec.chart', name: 'Chart', type: 'string' },
    { jsonPath: '.spec.version', name: 'Version', type: 'string' },
    { jsonPath: '.spec.sourceRef.kind', name: 'Source Kind', type: 'string' },
    { jsonPath: '.spec.sourceRef.name', name: 'Source Name', type: 'string' },
    { jsonPath: '.metadata.creationTimestamp', name: 'Age', type: 'date' },
    { jsonPath: '.status.conditions[?(@.type=="Ready")].status', name: 'Ready', type: 'string' },
    { jsonPath: '.status.conditions[?(@.type=="Ready")].message', name: 'Status', type: 'string' },
  ],
  rules: [
    {
      at: ['spec'],
      rule: "!has(self.verify) || self.sourceRef.kind == 'HelmRepository'",
      message: "spec.verify is only supported when spec.sourceRef.kind is 'HelmRepository'",
      check: (spec) =>
        spec.verify === undefined || (spec.sourceRef as { kind?: string }).kind === 'HelmRepository',
    },
  ],
});
