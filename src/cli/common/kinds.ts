import { SluiceError } from '../../api/index.js';
import type { KubeObject } from '../../kube/index.js';

/** A Flux kind as the CLI names it. */
export interface CliKind {
  kind: string;
  apiVersion: string;
  /** The group, e.g. `source.toolkit.fluxcd.io`. */
  group: string;
  /** How messages name it, as flux does: `source git`, `kustomization`, `helmrelease`. */
  label: string;
  /** The `sluice … source <word>` word for sources. */
  sourceWord?: string;
}

/** The Flux kinds the CLI works with, sources first. */
export const CLI_KINDS = {
  GitRepository: {
    kind: 'GitRepository',
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    group: 'source.toolkit.fluxcd.io',
    label: 'source git',
    sourceWord: 'git',
  },
  HelmRepository: {
    kind: 'HelmRepository',
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    group: 'source.toolkit.fluxcd.io',
    label: 'source helm',
    sourceWord: 'helm',
  },
  HelmChart: {
    kind: 'HelmChart',
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    group: 'source.toolkit.fluxcd.io',
    label: 'source chart',
    sourceWord: 'chart',
  },
  OCIRepository: {
    kind: 'OCIRepository',
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    group: 'source.toolkit.fluxcd.io',
    label: 'source oci',
    sourceWord: 'oci',
  },
  Bucket: {
    kind: 'Bucket',
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    group: 'source.toolkit.fluxcd.io',
    label: 'source bucket',
    sourceWord: 'bucket',
  },
  Kustomization: {
    kind: 'Kustomization',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    group: 'kustomize.toolkit.fluxcd.io',
    label: 'kustomization',
  },
  HelmRelease: {
    kind: 'HelmRelease',
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    group: 'helm.toolkit.fluxcd.io',
    label: 'helmrelease',
  },
} as const satisfies Record<string, CliKind>;

/** The source kinds, in the order `get sources all` prints them. */
export const SOURCE_KINDS: readonly CliKind[] = [
  CLI_KINDS.GitRepository,
  CLI_KINDS.HelmRepository,
  CLI_KINDS.HelmChart,
  CLI_KINDS.OCIRepository,
  CLI_KINDS.Bucket,
];

/** Finds a Flux kind by its name (`GitRepository`), case-insensitively; throws for other kinds. */
export function cliKindOf(kind: string): CliKind {
  const found = Object.values(CLI_KINDS).find((k) => k.kind.toLowerCase() === kind.toLowerCase());
  if (!found) {
    throw new SluiceError(
      'InvalidFlag',
      `Kind ${kind} is not a Flux kind: use one of ${Object.keys(CLI_KINDS).join(', ')}`,
    );
  }
  return found;
}

/** Splits `Kind/name` (as in `--source GitRepository/podinfo`); `Kind/namespace/name` sets the namespace. */
export function parseKindName(
  value: string,
  flag: string,
): { kind: string; name: string; namespace?: string } {
  const parts = value.split('/');
  if (parts.length === 2 && parts[0] && parts[1]) return { kind: parts[0], name: parts[1] };
  if (parts.length === 3 && parts[0] && parts[1] && parts[2])
    return { kind: parts[0], namespace: parts[1], name: parts[2] };
  throw new SluiceError('InvalidFlag', `Flag ${flag} ${value} is invalid: use <kind>/<name>`);
}

/** A status condition as objects carry it. */
export interface ObjectCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

/** A Flux object as the CLI reads it: any kind, with the status fields the commands print. */
export type FluxObject = KubeObject & {
  spec?: Record<string, unknown>;
  status?: {
    conditions?: ObjectCondition[];
    observedGeneration?: number;
    lastHandledReconcileAt?: string;
    lastHandledForceAt?: string;
    artifact?: { revision?: string };
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
    history?: { chartVersion?: string; chartName?: string }[];
    inventory?: { entries?: { id: string; v?: string }[] };
    [key: string]: unknown;
  };
};

/** The object's condition of `type`, if any. */
export function conditionOf(obj: FluxObject, type: string): ObjectCondition | undefined {
  return obj.status?.conditions?.find((c) => c.type === type);
}

/** The revision `get` prints: the artifact's for sources, the applied one for Kustomizations, the chart version for HelmReleases. */
export function revisionOf(obj: FluxObject): string {
  const s = obj.status;
  if (!s) return '';
  if (obj.kind === 'Kustomization') return s.lastAppliedRevision ?? '';
  if (obj.kind === 'HelmRelease') return s.history?.[0]?.chartVersion ?? s.lastAttemptedRevision ?? '';
  return s.artifact?.revision ?? '';
}

/** `Kind/namespace/name`, the subject of messages. */
export function subjectOf(obj: { kind: string; metadata?: { name?: string; namespace?: string } }): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${obj.kind}/${ns}/${obj.metadata?.name}` : `${obj.kind}/${obj.metadata?.name}`;
}
