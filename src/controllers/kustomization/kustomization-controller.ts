import { join } from 'node:path';
import type { Artifact, Kustomization } from '../../api/index.js';
import { ConditionType, FluxMeta } from '../../api/index.js';
import { WatchHub } from '../../apply/index.js';
import type { Informer, KubeClient, KubeObject, TypeRef } from '../../kube/index.js';
import type { ChangeEvent, Controller, Manager, ReconcileRequest } from '../../runtime/index.js';
import { ArtifactCache } from './artifact-cache.js';
import {
  HELM_RELEASE,
  KUSTOMIZATION,
  KUSTOMIZE_CONTROLLER,
  KUSTOMIZE_GROUP,
  KustomizationReconciler,
  type KustomizationReconcilerOptions,
} from './kustomization-reconciler.js';
import { ManifestBuilder } from './manifest-builder.js';

/** What {@link registerKustomizationController} needs. */
export interface KustomizationControllerDeps {
  /** Working directory; extracted artifacts are cached below `<workDir>/kustomize-artifacts`. */
  workDir: string;
  /**
   * Watches the health checks share (closed by whoever stops the manager). Default: a hub of its own, narrowed
   * to objects some Kustomization applied, whose idle watches close after a while.
   */
  watches?: WatchHub;
}

/** Options of {@link registerKustomizationController}. */
export interface KustomizationControllerOptions extends KustomizationReconcilerOptions {
  /** Reconciles at once (`--concurrent`). Default: the manager's. */
  concurrent?: number;
  /** The manager's `--watch-label-selector`, so that only Kustomizations of this shard are enqueued. */
  labelSelector?: string;
}

const SOURCE_TYPES: TypeRef[] = [
  { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'Bucket' },
];

const BY_SOURCE = 'kustomization.sourceRef';
const BY_DEPENDENCY = 'kustomization.dependsOn';
const BY_VARIABLES = 'kustomization.substituteFrom';

type KustomizationObject = Kustomization & KubeObject;

function artifactOf(obj: KubeObject): Artifact | undefined {
  return (obj.status as { artifact?: Artifact } | undefined)?.artifact;
}

function readyStatus(obj: KubeObject | undefined): string | undefined {
  const conds = (obj?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions;
  return conds?.find((c) => c.type === ConditionType.Ready)?.status;
}

function requestOf(o: KubeObject): ReconcileRequest {
  return { namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '' };
}

/** The shared watches of Kustomization health checks: objects carrying the Kustomization name label. */
export function kustomizationWatches(kube: KubeClient): WatchHub {
  return new WatchHub(kube, { labelSelector: `${KUSTOMIZE_GROUP}/name` });
}

/**
 * Adds the Kustomization controller to a manager, with the watches that make it prompt: a Kustomization
 * reconciles when its source's artifact changes (indexed by source), when one of its dependencies (a
 * Kustomization or a HelmRelease) becomes Ready or applies a new revision (indexed by dependency), and when a
 * ConfigMap or Secret it substitutes variables from, labelled `reconcile.fluxcd.io/watch: Enabled`, changes.
 */
export function registerKustomizationController(
  manager: Manager,
  deps: KustomizationControllerDeps,
  options: KustomizationControllerOptions = {},
): Controller {
  const kube = manager.kube;
  const artifacts = new ArtifactCache(join(deps.workDir, 'kustomize-artifacts'));
  const builder = new ManifestBuilder({ kube, artifacts });
  const informers = new Map<string, Informer<KubeObject>>();
  for (const type of [...SOURCE_TYPES, HELM_RELEASE]) informers.set(type.kind, manager.informerFor(type));
  const scope = options.labelSelector ? { labelSelector: options.labelSelector } : {};
  const kustomizations = manager.informerFor<KustomizationObject>(KUSTOMIZATION, scope);
  const reconciler = new KustomizationReconciler(
    {
      kube,
      recorder: manager.eventRecorder(KUSTOMIZE_CONTROLLER),
      streamRecorder: manager.eventRecorder(KUSTOMIZE_CONTROLLER, { writeKubernetesEvents: false }),
      builder,
      // Health checks follow what they wait for through one watch per kind and namespace, narrowed to
      // objects some Kustomization applied.
      watches: deps.watches ?? kustomizationWatches(kube),
      cached: (type, namespace, name) => {
        // Dependencies outside the shard are not in the scoped store: the API server answers for them.
        const informer = type.kind === KUSTOMIZATION.kind ? kustomizations : informers.get(type.kind);
        if (!informer?.hasSynced()) return undefined;
        return informer.store.get(namespace, name);
      },
    },
    options,
  );
  const controller = manager.addController({
    name: 'kustomization',
    for: KUSTOMIZATION,
    reconciler,
    ...(options.concurrent ? { concurrent: options.concurrent } : {}),
  });

  const store = kustomizations.store;
  try {
    store.addIndexer(BY_SOURCE, (k) => {
      const ref = k.spec?.sourceRef;
      if (!ref) return [];
      return [`${ref.kind}/${ref.namespace || k.metadata.namespace}/${ref.name}`];
    });
    store.addIndexer(BY_DEPENDENCY, (k) =>
      (k.spec?.dependsOn ?? []).map(
        (d) =>
          `${(d as { kind?: string }).kind ?? 'Kustomization'}/${d.namespace || k.metadata.namespace}/${d.name}`,
      ),
    );
    store.addIndexer(BY_VARIABLES, (k) =>
      (k.spec?.postBuild?.substituteFrom ?? []).map((r) => `${r.kind}/${k.metadata.namespace}/${r.name}`),
    );
  } catch {
    // Indexes already present: a second registration on one manager shares them.
  }

  // A new artifact reconciles the Kustomizations that use the source.
  for (const type of SOURCE_TYPES) {
    controller.watch(informers.get(type.kind) as Informer<KubeObject>, {
      predicate: (e: ChangeEvent) => {
        if (e.type === 'delete') return false;
        const a = e.old ? artifactOf(e.old) : undefined;
        const b = artifactOf(e.obj);
        return !!b && (a?.digest !== b.digest || a?.revision !== b.revision);
      },
      map: (src) =>
        store
          .byIndex(BY_SOURCE, `${type.kind}/${src.metadata.namespace}/${src.metadata.name}`)
          .map(requestOf),
    });
  }

  // A dependency that turns Ready (or applies a new revision) lets its dependents proceed at once.
  const dependencyChanged = (e: ChangeEvent) => {
    if (e.type !== 'update') return e.type === 'add' && readyStatus(e.obj) === 'True';
    const before = e.old?.status as { lastAppliedRevision?: string } | undefined;
    const after = e.obj.status as { lastAppliedRevision?: string } | undefined;
    return (
      (readyStatus(e.obj) === 'True' && readyStatus(e.old) !== 'True') ||
      (readyStatus(e.obj) === 'True' && before?.lastAppliedRevision !== after?.lastAppliedRevision)
    );
  };
  const dependents = (kind: string) => (o: KubeObject) =>
    store.byIndex(BY_DEPENDENCY, `${kind}/${o.metadata.namespace}/${o.metadata.name}`).map(requestOf);
  controller.watch(kustomizations as unknown as Informer<KubeObject>, {
    predicate: dependencyChanged,
    map: dependents('Kustomization'),
  });
  controller.watch(informers.get(HELM_RELEASE.kind) as Informer<KubeObject>, {
    predicate: dependencyChanged,
    map: dependents('HelmRelease'),
  });

  // ConfigMaps and Secrets labelled `reconcile.fluxcd.io/watch: Enabled` reconcile the Kustomizations that
  // substitute variables from them when their data changes.
  for (const kind of ['ConfigMap', 'Secret']) {
    const informer = manager.informerFor(
      { apiVersion: 'v1', kind },
      { labelSelector: `${FluxMeta.WatchLabel}=Enabled` },
    );
    controller.watch(informer, {
      predicate: (e: ChangeEvent) =>
        e.type !== 'update' ||
        JSON.stringify((e.old as { data?: unknown } | undefined)?.data) !==
          JSON.stringify((e.obj as { data?: unknown }).data),
      map: (o) =>
        store.byIndex(BY_VARIABLES, `${kind}/${o.metadata.namespace}/${o.metadata.name}`).map(requestOf),
    });
  }
  return controller;
}
