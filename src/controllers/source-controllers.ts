import type { Dirent } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { Artifact, GitRepository, HelmChart } from '../api/index.js';
import type { KubeClient, KubeObject, TypeRef } from '../kube/index.js';
import { type Controller, Manager, type ManagerOptions, type ReconcileRequest } from '../runtime/index.js';
import { type ArtifactServer, ArtifactStore, createArtifactServer } from '../source/index.js';
import { BUCKET, bucketDriver } from './bucket/index.js';
import { GIT_REPOSITORY, gitRepositoryDriver } from './gitrepository/index.js';
import { HELM_CHART, helmChartDriver } from './helmchart/index.js';
import { registerHelmReleaseController } from './helmrelease/index.js';
import { HELM_REPOSITORY, helmRepositoryDriver } from './helmrepository/index.js';
import {
  type KustomizationControllerOptions,
  kustomizationWatches,
  registerKustomizationController,
} from './kustomization/index.js';
import { ociRepositoryDriver } from './ocirepository/index.js';
import { type SourceDriver, type SourceObject, SourceReconciler } from './source-common/index.js';

/** What the source controllers need. */
export interface SourceControllerDeps {
  storage: ArtifactStore;
  /** Working directory for fetches and the git cache; default a fresh temporary directory. */
  workDir: string;
}

/** Options of {@link registerSourceControllers}. */
export interface SourceControllerOptions {
  /** Retry delay while a dependency (a chart's source, an include) has no artifact (`--requeue-dependency`). Default: 30 000 ms. */
  requeueDependencyMs?: number;
  /** Reconciles at once per kind (`--concurrent`). Default: the manager's. */
  concurrent?: number;
  /** Refuse OCI layers (compressed or extracted: tarball bombs) and Git trees larger than this. Default: 100 MiB. */
  maxArtifactBytes?: number;
  /** Abort a reconcile after this long. Default: 5 minutes. */
  reconcileTimeoutMs?: number;
}

/** Removes `*.lock` files git leaves in the mirrors when killed; run before any fetch starts. */
async function removeStaleGitLocks(dir: string): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.isFile() && e.name.endsWith('.lock')) await rm(join(e.parentPath, e.name), { force: true });
  }
}

/** The name of the source controllers in events and logs. */
export const SOURCE_CONTROLLER = 'source-controller';

function artifactOf(obj: KubeObject): Artifact | undefined {
  return (obj.status as { artifact?: Artifact } | undefined)?.artifact;
}

function artifactChanged(e: { type: string; obj: KubeObject; old?: KubeObject }): boolean {
  if (e.type !== 'update') return true;
  const a = e.old ? artifactOf(e.old) : undefined;
  const b = artifactOf(e.obj);
  return a?.digest !== b?.digest || a?.revision !== b?.revision;
}

/**
 * Adds the five source controllers (GitRepository, HelmRepository, HelmChart, OCIRepository, Bucket) to a
 * manager, all writing to one artifact store, with the secondary watches Flux has: a HelmChart reconciles
 * when its source's artifact changes, and a GitRepository when an included repository's artifact changes.
 */
export async function registerSourceControllers(
  manager: Manager,
  deps: SourceControllerDeps,
  options: SourceControllerOptions = {},
): Promise<Controller[]> {
  const kube = manager.kube;
  const recorder = manager.eventRecorder(SOURCE_CONTROLLER);
  const requeueDependencyMs = options.requeueDependencyMs ?? 30_000;
  const tmpDir = join(deps.workDir, 'tmp');
  const gitCacheDir = join(deps.workDir, 'git-cache');
  await mkdir(tmpDir, { recursive: true });
  // Leftovers of a process that died mid-fetch: work trees and git's lock files in the mirrors.
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir, { recursive: true });
  await removeStaleGitLocks(gitCacheDir);
  const shared = { kube, recorder, storage: deps.storage, tmpDir };
  const add = <T extends SourceObject>(name: string, driver: SourceDriver<T>) =>
    manager.addController({
      name,
      for: driver.type,
      reconciler: new SourceReconciler(shared, driver, { requeueDependencyMs }),
      reconcileTimeoutMs: options.reconcileTimeoutMs ?? 300_000,
      ...(options.concurrent ? { concurrent: options.concurrent } : {}),
    });
  const storage = deps.storage;
  const git = add(
    'gitrepository',
    gitRepositoryDriver({
      kube,
      storage,
      gitCacheDir,
      tmpDir,
      requeueDependencyMs,
      ...(options.maxArtifactBytes ? { maxBytes: options.maxArtifactBytes } : {}),
    }),
  );
  const helmRepo = add('helmrepository', helmRepositoryDriver({ kube, storage }));
  const chart = add('helmchart', helmChartDriver({ kube, storage, requeueDependencyMs }));
  const oci = add(
    'ocirepository',
    ociRepositoryDriver({
      kube,
      storage,
      ...(options.maxArtifactBytes ? { maxBytes: options.maxArtifactBytes } : {}),
    }),
  );
  const bucket = add('bucket', bucketDriver({ kube, storage }));

  // A GitRepository follows the artifacts of the repositories it includes.
  const gitInformer = manager.informerFor<GitRepository & KubeObject>(GIT_REPOSITORY);
  git.watch(gitInformer, {
    predicate: artifactChanged,
    map: (changed) =>
      gitInformer.store
        .list(changed.metadata.namespace)
        .filter((r) => r.spec?.include?.some((i) => i.repository.name === changed.metadata.name))
        .map((r) => ({ namespace: r.metadata.namespace ?? '', name: r.metadata.name ?? '' })),
  });
  // A HelmChart follows its source.
  const chartInformer = manager.informerFor<HelmChart & KubeObject>(HELM_CHART);
  const chartsOf =
    (kind: string) =>
    (source: KubeObject): ReconcileRequest[] =>
      chartInformer.store
        .list(source.metadata.namespace)
        .filter((c) => c.spec?.sourceRef?.kind === kind && c.spec.sourceRef.name === source.metadata.name)
        .map((c) => ({ namespace: c.metadata.namespace ?? '', name: c.metadata.name ?? '' }));
  for (const type of [HELM_REPOSITORY, GIT_REPOSITORY, BUCKET] as TypeRef[]) {
    chart.watch(manager.informerFor(type), { predicate: artifactChanged, map: chartsOf(type.kind) });
  }
  return [git, helmRepo, chart, oci, bucket];
}

/** Dependencies of {@link startControllers}. */
export interface StartControllersDeps {
  kube: KubeClient;
  /** Default: silent. */
  logger?: Logger;
  /** An existing store; default: one under `storagePath` served by a new artifact server. */
  storage?: ArtifactStore;
  /** The kubeconfig file helm connects with (HelmReleases). Default: `$KUBECONFIG`, else in-cluster. */
  kubeconfigPath?: string;
  /** The kubeconfig context helm uses. Default: the kubeconfig's current context. */
  kubeContext?: string;
}

/** Options of {@link startControllers}. */
export interface StartControllersOptions
  extends ManagerOptions,
    SourceControllerOptions,
    KustomizationControllerOptions {
  /** Where artifacts are kept (`--storage-path`). Default: a fresh temporary directory. */
  storagePath?: string;
  /** Where the artifact server listens (`--storage-addr`), `host:port`. Default: `127.0.0.1:0`. */
  storageAddr?: string;
  /** The advertised artifact server address (`--storage-adv-addr`), `host:port` or URL. Default: the bound address. */
  storageAdvAddr?: string;
  /** Working directory for fetches and caches. Default: `<storagePath>/../sluice-work` or a temporary one. */
  workDir?: string;
}

/** Running controllers, as {@link startControllers} returns them. */
export interface RunningControllers {
  manager: Manager;
  storage: ArtifactStore;
  /** The artifact server's base URL (the advertised one). */
  storageUrl: string;
  stop(): Promise<void>;
}

function splitAddr(addr: string): { host: string; port: number } {
  const colon = addr.lastIndexOf(':');
  const host = colon > 0 ? addr.slice(0, colon) : '0.0.0.0';
  const port = Number(colon >= 0 ? addr.slice(colon + 1) : addr);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`Address ${addr} is not host:port`);
  return { host, port };
}

/**
 * Starts every controller built so far in this process: the artifact store and its HTTP server, a
 * manager with the source controllers, and the manager's endpoints. `stop()` undoes it all.
 */
export async function startControllers(
  deps: StartControllersDeps,
  options: StartControllersOptions = {},
): Promise<RunningControllers> {
  const logger = deps.logger ?? pino({ level: 'silent' });
  const temp: string[] = [];
  const storagePath = options.storagePath ?? (await mkdtemp(join(tmpdir(), 'sluice-artifacts-')));
  if (!options.storagePath) temp.push(storagePath);
  await mkdir(storagePath, { recursive: true });
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'sluice-work-')));
  if (!options.workDir) temp.push(workDir);
  let server: ArtifactServer | undefined;
  let storage = deps.storage;
  let storageUrl: string;
  if (!storage) {
    const { host, port } = splitAddr(options.storageAddr ?? '127.0.0.1:0');
    server = await createArtifactServer({ logger }, { root: storagePath, host, port });
    const adv = options.storageAdvAddr;
    storageUrl = adv
      ? /^https?:\/\//.test(adv)
        ? adv
        : `http://${adv}`
      : host === '0.0.0.0' || host === '::'
        ? `http://127.0.0.1:${server.port}`
        : server.url;
    storage = new ArtifactStore({ logger }, { root: storagePath, baseUrl: storageUrl });
  } else {
    storageUrl = storage.urlFor('').replace(/\/$/, '');
  }
  const manager = new Manager({ kube: deps.kube, logger }, options);
  await registerSourceControllers(manager, { storage, workDir }, options);
  await registerHelmReleaseController(
    manager,
    {
      workDir,
      ...(deps.kubeconfigPath ? { kubeconfigPath: deps.kubeconfigPath } : {}),
      ...(deps.kubeContext ? { kubeContext: deps.kubeContext } : {}),
    },
    options,
  );
  const watches = kustomizationWatches(deps.kube);
  registerKustomizationController(manager, { workDir, watches }, options);
  await manager.start();
  return {
    manager,
    storage,
    storageUrl,
    async stop() {
      await manager.stop();
      watches.close();
      await server?.close();
      for (const dir of temp) await rm(dir, { recursive: true, force: true });
    },
  };
}
