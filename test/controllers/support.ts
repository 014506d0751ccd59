import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Artifact, Condition } from '../../src/api/index.js';
import {
  installCrds,
  type RunningControllers,
  type StartControllersOptions,
  startControllers,
} from '../../src/controllers/index.js';
import { connectKube, type KubeClient, type KubeObject, type RecordedEvent } from '../../src/kube/index.js';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';

/** An embedded cluster with Sluice's CRDs and the controllers running in-process. */
export interface ControllerEnv {
  cluster: TestCluster;
  kube: KubeClient;
  controllers: RunningControllers;
  /** Every event recorded so far. */
  events: RecordedEvent[];
  /** A temporary directory removed by `stop()`. */
  dir: string;
  stop(): Promise<void>;
}

/** Starts the cluster, installs the CRDs and starts the controllers with second-scale retries. */
export async function startControllerEnv(options: StartControllersOptions = {}): Promise<ControllerEnv> {
  const cluster = await startTestCluster();
  const kube = connectKube({ path: cluster.kubeconfigPath });
  await installCrds(kube);
  const dir = await mkdtemp(join(tmpdir(), 'sluice-ctrl-test-'));
  const controllers = await startControllers(
    { kube },
    {
      storagePath: join(dir, 'artifacts'),
      workDir: join(dir, 'work'),
      minRetryDelayMs: 200,
      maxRetryDelayMs: 1500,
      requeueDependencyMs: 500,
      ...options,
    },
  );
  const events: RecordedEvent[] = [];
  controllers.manager.events.subscribe((e) => events.push(e));
  return {
    cluster,
    kube,
    controllers,
    events,
    dir,
    async stop() {
      await controllers.stop();
      kube.close();
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A source object as the tests read it. */
export type Source = KubeObject & {
  spec: Record<string, unknown>;
  status?: {
    artifact?: Artifact;
    conditions?: Condition[];
    observedGeneration?: number;
    lastHandledReconcileAt?: string;
    [k: string]: unknown;
  };
};

/** Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The condition of a type on an object. */
export function conditionOf(obj: Source | undefined, type: string): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

/** Waits until the object's Ready condition matches `status` (and `match`, when given), returning the object. */
export function waitForReady(
  kube: KubeClient,
  ref: { apiVersion: string; kind: string; namespace: string; name: string },
  status: 'True' | 'False',
  match: (obj: Source) => boolean = () => true,
  timeoutMs = 40_000,
): Promise<Source> {
  let seen: Source | undefined;
  return eventually(
    async () => {
      const obj = await kube.tryGet<Source>(ref);
      seen = obj;
      const ready = conditionOf(obj, 'Ready');
      return obj && ready?.status === status && match(obj) ? obj : undefined;
    },
    timeoutMs,
    `${ref.kind}/${ref.name} Ready=${status}`,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last status: ${JSON.stringify(seen?.status)}`);
  });
}

/** Fetches an artifact URL and returns its bytes. */
export async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** `sha256:<hex>` of bytes. */
export async function sha256(data: Buffer): Promise<string> {
  const { createHash } = await import('node:crypto');
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
