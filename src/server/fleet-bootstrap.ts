import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  type Condition,
  type GitRepository,
  GitRepositoryKind,
  HelmChartKind,
  HelmReleaseKind,
  HelmRepositoryKind,
  type Kustomization,
  KustomizationKind,
} from '../api/index.js';
import type { KubeClient, KubeObject, TypeRef } from '../kube/index.js';

/** The namespace `sluice up` delivers into, as `flux bootstrap` does. */
export const FLEET_NAMESPACE = 'flux-system';

/** The field manager of the objects `sluice up` writes. */
export const FLEET_FIELD_MANAGER = 'sluice-up';

/** One Kustomization of a fleet: a path of the repository and the stages it waits for. */
export interface FleetStage {
  name: string;
  /** Path in the repository, `./apps/dev`. */
  path: string;
  dependsOn?: string[];
  /** Wait for every applied object to be healthy. Default: true. */
  wait?: boolean;
  /** Extra `spec.patches` (e.g. to point a Flux bootstrap's own GitRepository at the served URL). */
  patches?: { patch: string; target: Record<string, string> }[];
}

/** What {@link fleetObjects} builds: a GitRepository and its chain of Kustomizations. */
export interface FleetSpec {
  /** Default: {@link FLEET_NAMESPACE}. */
  namespace?: string;
  /** Name of the GitRepository. */
  source: string;
  url: string;
  branch: string;
  /** GitRepository interval. Default: `1m0s`. */
  interval?: string;
  /** Set on the GitRepository as `reconcile.fluxcd.io/requestedAt` (a new value fetches at once). Default: none. */
  requestedAt?: string;
  stages: FleetStage[];
  /** Helm repositories the fleet's HelmReleases take charts from. Default: none. */
  helmRepositories?: FleetHelmRepository[];
}

/** A Helm HTTP repository `sluice up` declares next to the GitRepository. */
export interface FleetHelmRepository {
  name: string;
  url: string;
  /**
   * Set as `reconcile.fluxcd.io/requestedAt`: a new value fetches the index at once (e.g. a digest of the
   * charts, so that changed charts are fetched without waiting for the interval).
   */
  requestedAt?: string;
}

/** The Helm repository of the bundled example fleet, serving the charts under `examples/charts/`. */
export const EXAMPLE_CHART_REPOSITORY = 'fleet-charts';

/** The stages of the bundled example fleet: `cluster → infra → apps`, the apps with the dev overlay. */
export const EXAMPLE_FLEET_STAGES: FleetStage[] = [
  { name: 'cluster', path: './cluster' },
  { name: 'infra', path: './infra', dependsOn: ['cluster'] },
  { name: 'apps', path: './apps/dev', dependsOn: ['infra'] },
];

/**
 * Builds the objects of a fleet: the Namespace, a GitRepository, its Helm repositories (10 minute
 * interval), and one Kustomization per stage, each with
 * prune and wait on, a 10 minute interval, a 3 minute timeout and a 30 second retry interval, like the
 * `cluster → infra → services` configurations they stand in for.
 */
export function fleetObjects(spec: FleetSpec): KubeObject[] {
  const namespace = spec.namespace ?? FLEET_NAMESPACE;
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    {
      apiVersion: GitRepositoryKind.apiVersion,
      kind: 'GitRepository',
      metadata: {
        name: spec.source,
        namespace,
        ...(spec.requestedAt ? { annotations: { 'reconcile.fluxcd.io/requestedAt': spec.requestedAt } } : {}),
      },
      spec: {
        url: spec.url,
        ref: { branch: spec.branch },
        interval: spec.interval ?? '1m0s',
        timeout: '60s',
      },
    },
  ];
  for (const repo of spec.helmRepositories ?? []) {
    objects.push({
      apiVersion: HelmRepositoryKind.apiVersion,
      kind: 'HelmRepository',
      metadata: {
        name: repo.name,
        namespace,
        ...(repo.requestedAt ? { annotations: { 'reconcile.fluxcd.io/requestedAt': repo.requestedAt } } : {}),
      },
      spec: { url: repo.url, interval: '10m0s', timeout: '60s' },
    });
  }
  for (const stage of spec.stages) {
    objects.push({
      apiVersion: KustomizationKind.apiVersion,
      kind: 'Kustomization',
      metadata: { name: stage.name, namespace },
      spec: {
        sourceRef: { kind: 'GitRepository', name: spec.source },
        path: stage.path,
        interval: '10m0s',
        retryInterval: '30s',
        timeout: '3m0s',
        prune: true,
        wait: stage.wait ?? true,
        ...(stage.dependsOn?.length ? { dependsOn: stage.dependsOn.map((name) => ({ name })) } : {}),
        ...(stage.patches?.length ? { patches: stage.patches } : {}),
      },
    });
  }
  return objects;
}

/** Writes the fleet's objects with server-side apply (field manager {@link FLEET_FIELD_MANAGER}). */
export async function applyFleet(
  kube: KubeClient,
  objects: KubeObject[],
  signal?: AbortSignal,
): Promise<void> {
  for (const obj of objects) {
    await kube.apply(obj, { fieldManager: FLEET_FIELD_MANAGER, force: true, ...(signal ? { signal } : {}) });
  }
}

/** What a Flux bootstrap left in a repository path: its own GitRepository and Kustomization names. */
export interface FluxBootstrap {
  /** The `flux-system` folder holding `gotk-components.yaml` / `gotk-sync.yaml`. */
  dir: string;
  hasComponents: boolean;
  /** The GitRepository and Kustomization `gotk-sync.yaml` declares, if any. */
  sync?: { gitRepository?: string; kustomization?: string; namespace: string };
}

/**
 * Looks for a Flux bootstrap under `root/path` (a `flux-system/` folder with `gotk-components.yaml` or
 * `gotk-sync.yaml`, at the path itself or one level down) and reads the names `gotk-sync.yaml` uses.
 */
export async function detectFluxBootstrap(root: string, path: string): Promise<FluxBootstrap | undefined> {
  const base = join(root, path);
  const candidates = [join(base, 'flux-system')];
  const entries = await readdir(base, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isDirectory()) candidates.push(join(base, e.name, 'flux-system'));
  for (const dir of candidates) {
    const components = await readFile(join(dir, 'gotk-components.yaml'), 'utf8').catch(() => undefined);
    const sync = await readFile(join(dir, 'gotk-sync.yaml'), 'utf8').catch(() => undefined);
    if (components === undefined && sync === undefined) continue;
    const found: FluxBootstrap = { dir, hasComponents: components !== undefined };
    if (sync !== undefined) {
      const names: NonNullable<FluxBootstrap['sync']> = { namespace: FLEET_NAMESPACE };
      for (const doc of parseAllDocuments(sync)) {
        const obj = (doc as { toJS?: () => unknown }).toJS?.() as KubeObject | null | undefined;
        if (!obj?.kind) continue;
        if (obj.kind === 'GitRepository') names.gitRepository = obj.metadata?.name;
        if (obj.kind === 'Kustomization') names.kustomization = obj.metadata?.name;
        if (obj.metadata?.namespace) names.namespace = obj.metadata.namespace;
      }
      found.sync = names;
    }
    return found;
  }
  return undefined;
}

/** The state of one delivered object, as `sluice up` reports it. */
export interface FleetObjectStatus {
  kind: 'GitRepository' | 'Kustomization' | 'HelmRelease';
  namespace: string;
  name: string;
  /** `True`, `False` or `Unknown` (no Ready condition yet, or not observed at this generation). */
  ready: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  /** The source's artifact revision (GitRepository) or the last applied revision. */
  revision: string;
  /** For a Kustomization: the revision of its source's artifact now; for a HelmRelease: its HelmChart's. */
  sourceRevision?: string;
  /** For a HelmRelease: the chart's name. */
  chart?: string;
  /** `status.lastHandledReconcileAt`: the last `reconcile.fluxcd.io/requestedAt` the controller handled. */
  lastHandledReconcileAt?: string;
  dependsOn: string[];
}

function readyOf(obj: KubeObject): Condition | undefined {
  return ((obj.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).find(
    (c) => c.type === 'Ready',
  );
}

function statusRow(obj: KubeObject, kind: FleetObjectStatus['kind'], revision: string): FleetObjectStatus {
  const ready = readyOf(obj);
  // The condition's own observedGeneration says which spec it judged; a failed attempt may leave the
  // status' one behind.
  const observed =
    (ready as { observedGeneration?: number } | undefined)?.observedGeneration ??
    (obj.status as { observedGeneration?: number } | undefined)?.observedGeneration;
  const current = observed === undefined || observed === obj.metadata.generation;
  return {
    kind,
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name ?? '',
    ready: ready && current ? (ready.status as FleetObjectStatus['ready']) : 'Unknown',
    reason: ready?.reason ?? '',
    message: ready?.message ?? (current ? '' : 'Reconciliation in progress'),
    revision,
    ...(typeof (obj.status as { lastHandledReconcileAt?: unknown } | undefined)?.lastHandledReconcileAt ===
    'string'
      ? { lastHandledReconcileAt: (obj.status as { lastHandledReconcileAt: string }).lastHandledReconcileAt }
      : {}),
    dependsOn: ((obj.spec as { dependsOn?: { name: string }[] } | undefined)?.dependsOn ?? []).map(
      (d) => d.name,
    ),
  };
}

/** Orders Kustomizations so that each comes after the ones it depends on (stable otherwise). */
function byDependencies<T extends KubeObject>(items: T[]): T[] {
  const byName = new Map(items.map((o) => [o.metadata.name ?? '', o]));
  const depth = new Map<string, number>();
  const depthOf = (name: string, seen: Set<string>): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const obj = byName.get(name);
    if (!obj || seen.has(name)) return 0;
    seen.add(name);
    const deps = (obj.spec as { dependsOn?: { name: string }[] } | undefined)?.dependsOn ?? [];
    const d = deps.length ? 1 + Math.max(...deps.map((x) => depthOf(x.name, seen))) : 0;
    depth.set(name, d);
    return d;
  };
  const order = new Map(items.map((o, i) => [o, i]));
  return [...items].sort(
    (a, b) =>
      depthOf(a.metadata.name ?? '', new Set()) - depthOf(b.metadata.name ?? '', new Set()) ||
      order.get(a)! - order.get(b)!,
  );
}

const HELM_RELEASE: TypeRef = { apiVersion: HelmReleaseKind.apiVersion, kind: 'HelmRelease' };
const HELM_CHART: TypeRef = { apiVersion: HelmChartKind.apiVersion, kind: 'HelmChart' };
const GIT_REPOSITORY: TypeRef = { apiVersion: GitRepositoryKind.apiVersion, kind: 'GitRepository' };
const KUSTOMIZATION: TypeRef = { apiVersion: KustomizationKind.apiVersion, kind: 'Kustomization' };

/**
 * Reads the state of every GitRepository, Kustomization and HelmRelease of a namespace (HelmReleases only
 * when their kind is served), in that order, Kustomizations in creation order.
 */
export async function fleetStatus(
  kube: KubeClient,
  namespace: string = FLEET_NAMESPACE,
  signal?: AbortSignal,
): Promise<FleetObjectStatus[]> {
  const opts = { namespace, ...(signal ? { signal } : {}) };
  const sources = (await kube.list<GitRepository & KubeObject>(GIT_REPOSITORY, opts)).items;
  const artifactOf = new Map(sources.map((s) => [s.metadata.name, s.status?.artifact?.revision ?? '']));
  const rows: FleetObjectStatus[] = sources.map((s) =>
    statusRow(s, 'GitRepository', s.status?.artifact?.revision ?? ''),
  );
  const byAge = (a: KubeObject, b: KubeObject) =>
    String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? '')) ||
    String(a.metadata.name).localeCompare(String(b.metadata.name));
  const kss = byDependencies(
    (await kube.list<Kustomization & KubeObject>(KUSTOMIZATION, opts)).items.sort(byAge),
  );
  for (const ks of kss) {
    const row = statusRow(ks, 'Kustomization', ks.status?.lastAppliedRevision ?? '');
    const ref = ks.spec?.sourceRef;
    if (ref?.kind === 'GitRepository' && (ref.namespace ?? namespace) === namespace) {
      row.sourceRevision = artifactOf.get(ref.name) ?? '';
    }
    rows.push(row);
  }
  const releases = await kube.list<KubeObject>(HELM_RELEASE, opts).then(
    (l) => l.items,
    () => [] as KubeObject[],
  );
  const charts = releases.length
    ? await kube.list<KubeObject>(HELM_CHART, opts).then(
        (l) => l.items,
        () => [] as KubeObject[],
      )
    : [];
  const chartRevision = new Map(
    charts.map((c) => [
      `${c.metadata.namespace}/${c.metadata.name}`,
      (c.status as { artifact?: { revision?: string } } | undefined)?.artifact?.revision ?? '',
    ]),
  );
  for (const hr of releases.sort(byAge)) {
    const status = hr.status as { lastAttemptedRevision?: string; helmChart?: string } | undefined;
    const row = statusRow(hr, 'HelmRelease', status?.lastAttemptedRevision ?? '');
    const spec = hr.spec as { chart?: { spec?: { chart?: string } } } | undefined;
    if (spec?.chart?.spec?.chart) row.chart = spec.chart.spec.chart;
    // The release is at its latest revision when it installed what its HelmChart holds now.
    if (status?.helmChart && chartRevision.has(status.helmChart)) {
      row.sourceRevision = chartRevision.get(status.helmChart)!;
    }
    rows.push(row);
  }
  return rows;
}

/** Reasons of a `Ready=False` that mean "not yet" rather than "failed". */
const WAITING_REASONS = new Set([
  'Progressing',
  'ProgressingWithRetry',
  'DependencyNotReady',
  'ArtifactFailed',
  'Reconciling',
]);

/** How an object stands for `sluice up --once`: delivered, still going, or failed. */
export type FleetVerdict = 'ready' | 'waiting' | 'failed';

/**
 * Judges one object: `ready` when Ready=True (a Kustomization also at its source's current revision, a
 * HelmRelease at its HelmChart's, and a
 * GitRepository at `expectedRevision` when given), `failed` when Ready=False for a reason other than
 * waiting (progress, dependencies, a source not yet fetched), else `waiting`.
 */
export function verdictOf(row: FleetObjectStatus, expectedRevision?: string): FleetVerdict {
  if (row.ready === 'False' && !WAITING_REASONS.has(row.reason)) return 'failed';
  if (row.ready !== 'True') return 'waiting';
  if (row.kind === 'GitRepository' && expectedRevision && row.revision !== expectedRevision) return 'waiting';
  if (
    (row.kind === 'Kustomization' || row.kind === 'HelmRelease') &&
    row.sourceRevision !== undefined &&
    row.revision !== row.sourceRevision
  ) {
    return 'waiting';
  }
  return 'ready';
}
