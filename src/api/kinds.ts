import { parseDuration } from './duration.js';
import type { CustomResourceDefinition, ValidateOptions } from './kind.js';
import { BucketKind } from './kinds/bucket.js';
import { GitRepositoryKind } from './kinds/git-repository.js';
import { HelmChartKind } from './kinds/helm-chart.js';
import { HelmReleaseKind } from './kinds/helm-release.js';
import { HelmRepositoryKind } from './kinds/helm-repository.js';
import { type Kustomization, KustomizationKind } from './kinds/kustomization.js';
import { OCIRepositoryKind } from './kinds/oci-repository.js';
import type { ValidationCause } from './validation.js';

/** Every kind Sluice defines, in install order (sources first). */
const ALL = [
  GitRepositoryKind,
  HelmRepositoryKind,
  HelmChartKind,
  OCIRepositoryKind,
  BucketKind,
  KustomizationKind,
  HelmReleaseKind,
] as const;

/** Group, version, kind, plural and short names of one kind Sluice serves. */
export interface SluiceKindInfo {
  group: string;
  version: string;
  kind: string;
  plural: string;
  apiVersion: string;
  shortNames: readonly string[];
}

/** The kinds Sluice serves and reconciles. */
export const SLUICE_KINDS: readonly SluiceKindInfo[] = ALL.map((k) => ({
  group: k.group,
  version: k.version,
  kind: k.kind,
  plural: k.plural,
  apiVersion: k.apiVersion,
  shortNames: k.shortNames,
}));

/** The CustomResourceDefinitions of every Sluice kind, fresh copies, sources first. */
export function crdManifests(): CustomResourceDefinition[] {
  return ALL.map((k) => k.crd());
}

/** The definition of the kind named by `apiVersion` and `kind`, or undefined when Sluice does not define it. */
export function kindDefinitionFor(apiVersion: string, kind: string) {
  return ALL.find((k) => k.apiVersion === apiVersion && k.kind === kind);
}

/**
 * Validates any object of a Sluice kind, chosen by its `apiVersion` and `kind`. Objects of other kinds
 * give one `FieldValueNotSupported` cause on `kind`.
 */
export function validateObject(obj: unknown, options?: ValidateOptions): ValidationCause[] {
  const o = (typeof obj === 'object' && obj !== null ? obj : {}) as { apiVersion?: unknown; kind?: unknown };
  const def = kindDefinitionFor(String(o.apiVersion), String(o.kind));
  if (!def) {
    return [
      {
        code: 'FieldValueNotSupported',
        message: `Unsupported value: ${JSON.stringify(`${String(o.apiVersion)}, Kind=${String(o.kind)}`)}: not a Sluice kind`,
        path: 'kind',
      },
    ];
  }
  return def.validate(obj, options);
}

/**
 * The timeout of a Kustomization's apply and health checks in milliseconds, as Flux computes it:
 * `spec.timeout`, else the interval minus 30 s, and never less than 30 s.
 */
export function kustomizationTimeoutMs(spec: Pick<Kustomization['spec'], 'interval' | 'timeout'>): number {
  const ms = spec.timeout ? parseDuration(spec.timeout) : parseDuration(spec.interval) - 30_000;
  return Math.max(ms, 30_000);
}
