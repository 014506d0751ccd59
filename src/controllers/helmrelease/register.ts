import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FluxMeta, HelmMeta } from '../../api/index.js';
import { ResourceManager } from '../../apply/index.js';
import { HelmDriver } from '../../helm/index.js';
import type { KubeObject } from '../../kube/index.js';
import type { Controller, Manager, ReconcileRequest } from '../../runtime/index.js';
import { HELM_CHART } from '../helmchart/index.js';
import { OCI_REPOSITORY } from '../ocirepository/index.js';
import { HELM_RELEASE, HelmReleaseReconciler } from './helm-release-reconciler.js';

/** The name of the HelmRelease controller in events and logs. */
export const HELM_CONTROLLER = 'helm-controller';

/** What the HelmRelease controller needs. */
export interface HelmReleaseControllerDeps {
  /** Working directory: helm's private homes and the chart cache live below it. */
  workDir: string;
  /** The kubeconfig helm connects with. Default: helm's own lookup (`$KUBECONFIG`, in-cluster). */
  kubeconfigPath?: string;
  /** The kubeconfig context helm uses. Default: the kubeconfig's current context. */
  kubeContext?: string;
  /** The helm binary. Default: the one Sluice resolves. */
  helmPath?: string;
}

/** Options of {@link registerHelmReleaseController}. */
export interface HelmReleaseControllerOptions {
  /** Reconciles at once (`--concurrent`): each may run a helm process. Default: the manager's. */
  concurrent?: number;
  /** Retry delay while a dependency or the chart is not ready. Default: 30 000 ms. */
  requeueDependencyMs?: number;
  /** Abort a reconcile after this long. Default: 15 minutes. */
  reconcileTimeoutMs?: number;
}

type HR = KubeObject & {
  spec?: {
    chartRef?: { kind: string; name: string; namespace?: string };
    valuesFrom?: { kind: string; name: string }[];
    dependsOn?: { name: string; namespace?: string }[];
  };
};

function key(o: KubeObject): ReconcileRequest {
  return { namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '' };
}

/**
 * Adds the HelmRelease controller to a manager, with Flux's secondary watches: a release reconciles when
 * its HelmChart's or OCIRepository's artifact changes, when a ConfigMap or Secret it takes values from and
 * labelled `reconcile.fluxcd.io/watch: Enabled` changes, and when a HelmRelease it depends on changes.
 */
export async function registerHelmReleaseController(
  manager: Manager,
  deps: HelmReleaseControllerDeps,
  options: HelmReleaseControllerOptions = {},
): Promise<Controller> {
  const home = join(deps.workDir, 'helm');
  await rm(join(home, 'tmp'), { recursive: true, force: true });
  await mkdir(home, { recursive: true });
  const helm = await HelmDriver.create({
    homeDir: home,
    ...(deps.kubeconfigPath ? { kubeconfigPath: deps.kubeconfigPath } : {}),
    ...(deps.kubeContext ? { kubeContext: deps.kubeContext } : {}),
    ...(deps.helmPath ? { helmPath: deps.helmPath } : {}),
  });
  const kube = manager.kube;
  const reconciler = new HelmReleaseReconciler(
    {
      kube,
      recorder: manager.eventRecorder(HELM_CONTROLLER),
      helm,
      resources: new ResourceManager({ kube }, { owner: { field: 'helm', group: 'helm.toolkit.fluxcd.io' } }),
      chartCacheDir: join(deps.workDir, 'charts'),
    },
    options.requeueDependencyMs === undefined ? {} : { requeueDependencyMs: options.requeueDependencyMs },
  );
  const controller = manager.addController({
    name: 'helmrelease',
    for: HELM_RELEASE,
    reconciler,
    reconcileTimeoutMs: options.reconcileTimeoutMs ?? 900_000,
    ...(options.concurrent ? { concurrent: options.concurrent } : {}),
  });
  const releases = manager.informerFor<HR>(HELM_RELEASE);
  const artifactChanged = (e: { type: string; obj: KubeObject; old?: KubeObject }) => {
    if (e.type !== 'update') return true;
    const a = (e.old?.status as { artifact?: { digest?: string } } | undefined)?.artifact;
    const b = (e.obj.status as { artifact?: { digest?: string } } | undefined)?.artifact;
    return a?.digest !== b?.digest;
  };
  const byRef = (kind: string) => (src: KubeObject) =>
    releases.store
      .list()
      .filter((hr) => {
        const ref = hr.spec?.chartRef;
        return (
          ref?.kind === kind &&
          ref.name === src.metadata.name &&
          (ref.namespace ?? hr.metadata.namespace) === src.metadata.namespace
        );
      })
      .map(key);
  controller.watch(manager.informerFor(HELM_CHART), {
    predicate: artifactChanged,
    map: (chart) => {
      const labels = chart.metadata.labels ?? {};
      const own = labels[HelmMeta.NameLabel]
        ? [{ namespace: labels[HelmMeta.NamespaceLabel] ?? '', name: labels[HelmMeta.NameLabel] ?? '' }]
        : [];
      return [...own, ...byRef('HelmChart')(chart)];
    },
  });
  controller.watch(manager.informerFor(OCI_REPOSITORY), {
    predicate: artifactChanged,
    map: byRef('OCIRepository'),
  });
  const selector = `${FluxMeta.WatchLabel}=Enabled`;
  for (const kind of ['ConfigMap', 'Secret']) {
    controller.watch(manager.informerFor({ apiVersion: 'v1', kind }, { labelSelector: selector }), {
      map: (o) =>
        releases.store
          .list(o.metadata.namespace)
          .filter((hr) => hr.spec?.valuesFrom?.some((v) => v.kind === kind && v.name === o.metadata.name))
          .map(key),
    });
  }
  controller.watch(releases, {
    predicate: (e) => e.type !== 'update' || JSON.stringify(e.old?.status) !== JSON.stringify(e.obj.status),
    map: (dep) =>
      releases.store
        .list()
        .filter((hr) =>
          hr.spec?.dependsOn?.some(
            (d) =>
              d.name === dep.metadata.name &&
              (d.namespace ?? hr.metadata.namespace) === dep.metadata.namespace,
          ),
        )
        .map(key),
  });
  return controller;
}
