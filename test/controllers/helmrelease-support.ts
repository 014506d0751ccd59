import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installCrds, type RunningControllers, startControllers } from '../../src/controllers/index.js';
import { connectKube, type KubeClient, type KubeObject, type RecordedEvent } from '../../src/kube/index.js';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';
import { type StaticServer, startStaticServer } from '../harness/servers/static-http.js';
import { type ChartSpec, helmCli, indexRepo, packageChart } from '../helm/charts.js';
import { eventually, type Source, waitForReady } from './support.js';

/** An embedded cluster with the controllers (HelmReleases included) and a Helm HTTP repository. */
export interface HelmEnv {
  cluster: TestCluster;
  kube: KubeClient;
  controllers: RunningControllers;
  events: RecordedEvent[];
  repo: StaticServer;
  dir: string;
  /** Packages a chart into the repository and re-indexes it. */
  publish(spec: ChartSpec): Promise<void>;
  /** Runs the real helm against the cluster. */
  helm(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Starts the cluster, CRDs, controllers with second-scale retries, and an empty Helm repository. */
export async function startHelmEnv(): Promise<HelmEnv> {
  const cluster = await startTestCluster();
  const kube = connectKube({ path: cluster.kubeconfigPath });
  await installCrds(kube);
  const dir = await mkdtemp(join(tmpdir(), 'sluice-hr-test-'));
  const repoDir = join(dir, 'repo');
  await mkdir(repoDir, { recursive: true });
  const repo = await startStaticServer({ root: repoDir });
  const controllers = await startControllers(
    { kube, kubeconfigPath: cluster.kubeconfigPath },
    {
      storagePath: join(dir, 'artifacts'),
      workDir: join(dir, 'work'),
      minRetryDelayMs: 200,
      maxRetryDelayMs: 1500,
      requeueDependencyMs: 500,
      concurrent: 4,
    },
  );
  const events: RecordedEvent[] = [];
  controllers.manager.events.subscribe((e) => events.push(e));
  return {
    cluster,
    kube,
    controllers,
    events,
    repo,
    dir,
    async publish(spec) {
      await packageChart(dir, repoDir, spec);
      await indexRepo(dir, repoDir, repo.url);
    },
    helm: (...args) => helmCli(dir, cluster.kubeconfigPath, ...args),
    async stop() {
      await controllers.stop();
      await repo.close();
      kube.close();
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The HelmRepository `charts` in `namespace` pointing at the test repository. */
export function helmRepository(env: HelmEnv, namespace: string): KubeObject {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    metadata: { name: 'charts', namespace },
    spec: { url: env.repo.url, interval: '1m' },
  };
}

/** A HelmRelease of `chart` from the `charts` HelmRepository, with `spec` merged in. */
export function helmRelease(
  name: string,
  namespace: string,
  chart: string,
  spec: Record<string, unknown> = {},
  version = '*',
): KubeObject {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name, namespace },
    spec: {
      interval: '1m',
      timeout: '20s',
      chart: {
        spec: { chart, version, sourceRef: { kind: 'HelmRepository', name: 'charts' }, interval: '1m' },
      },
      ...spec,
    },
  };
}

/** Reference to a HelmRelease for {@link waitForReady}. */
export function hrRef(namespace: string, name: string) {
  return { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', namespace, name };
}

/** Asks the HelmRepository to fetch its index again now. */
export async function refreshRepository(env: HelmEnv, namespace: string): Promise<void> {
  await env.kube.patch(
    { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', namespace, name: 'charts' },
    { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': new Date().toISOString() } } },
  );
}

/** Waits for a HelmRelease to be Ready=status with `match`. */
export function waitForRelease(
  env: HelmEnv,
  namespace: string,
  name: string,
  status: 'True' | 'False',
  match: (obj: Source) => boolean = () => true,
  timeoutMs = 40_000,
): Promise<Source> {
  return waitForReady(env.kube, hrRef(namespace, name), status, match, timeoutMs);
}

/** Waits until an event with `reason` about `name` was recorded. */
export function waitForEvent(
  env: HelmEnv,
  name: string,
  reason: string,
  timeoutMs = 40_000,
): Promise<RecordedEvent> {
  return eventually(
    async () => env.events.find((e) => e.involvedObject.name === name && e.reason === reason),
    timeoutMs,
    `event ${reason} for ${name}`,
  );
}

/** `helm history -o json` of a release. */
export async function helmHistory(
  env: HelmEnv,
  namespace: string,
  name: string,
): Promise<{ revision: number; status: string; chart: string }[]> {
  return JSON.parse(await env.helm('history', name, '-n', namespace, '-o', 'json'));
}
