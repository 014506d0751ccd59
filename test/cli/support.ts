import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { parseAllDocuments } from 'yaml';
import { crdManifests, SluiceError } from '../../src/api/index.js';
import type { CliIO } from '../../src/cli/common/index.js';
import { registerFluxCommands } from '../../src/cli/flux-commands.js';
import { connectKube, type KubeClient, type KubeObject } from '../../src/kube/index.js';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';

/** The outcome of one in-process CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** An embedded cluster with the Sluice CRDs and the `flux-system` namespace, and a CLI runner wired to it. */
export interface CliCluster {
  c: TestCluster;
  kube: KubeClient;
  /** A private HOME with no kubeconfig, so only the flags and KUBECONFIG count. */
  home: string;
  /**
   * Runs `sluice <argv>` in-process, as `main()` does, with captured output; KUBECONFIG points at the
   * cluster unless `env` says otherwise.
   */
  run(
    argv: string[],
    options?: { env?: NodeJS.ProcessEnv; signal?: AbortSignal; stdinIsTTY?: boolean; answer?: boolean },
  ): Promise<CliResult>;
  /** Applies YAML documents with server-side apply. */
  apply(yaml: string): Promise<void>;
  /** Merge-patches an object's status, as a controller would. */
  setStatus(
    ref: { apiVersion: string; kind: string; name: string; namespace?: string },
    status: unknown,
  ): Promise<void>;
  stop(): Promise<void>;
}

/** The repository root. */
export const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Rebuilds dist/ when a CLI source is newer than the compiled CLI. The check and the build run under one
 * file lock, so suites in parallel workers neither build twice nor start the CLI from a half-written dist/.
 */
export async function ensureBuilt(): Promise<void> {
  const script =
    'if [ ! -e dist/cli/flux-commands.js ] || [ -n "$(find src/cli -newer dist/cli/flux-commands.js -type f | head -n 1)" ]; then npx tsc -p tsconfig.build.json >/dev/null 2>&1; fi; exit 0';
  await new Promise<void>((resolve) => {
    execFile(
      'flock',
      [join(tmpdir(), 'sluice-cli-dist.lock'), 'sh', '-c', script],
      { cwd: ROOT, timeout: 180_000 },
      () => resolve(),
    );
  });
}

/** Options of {@link runCli}. */
export interface RunOptions {
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  stdinIsTTY?: boolean;
  /** The answer to a confirmation prompt. Default: no. */
  answer?: boolean;
}

/** Runs `sluice <argv>` in-process with the Flux commands, as `main()` does, capturing the output. */
export async function runCli(argv: string[], options: RunOptions): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stderrIsTTY: false,
    stdinIsTTY: options.stdinIsTTY ?? false,
    env: options.env,
    confirm: async () => options.answer ?? false,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const program = new Command('sluice').exitOverride();
  program.configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
  registerFluxCommands(program, io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { code: 0, stdout, stderr };
  } catch (err) {
    if (err instanceof CommanderError) return { code: err.exitCode, stdout, stderr };
    if (err instanceof SluiceError) return { code: 1, stdout, stderr: `${stderr}✗ ${err.message}\n` };
    throw err;
  }
}

/** Starts the cluster, installs the CRDs and creates `flux-system`. */
export async function startCliCluster(): Promise<CliCluster> {
  const c = await startTestCluster();
  const kube = connectKube({ path: c.kubeconfigPath });
  for (const crd of crdManifests()) await kube.apply(crd as unknown as KubeObject, { force: true });
  for (const crd of crdManifests()) {
    for (let i = 0; ; i++) {
      const live = await kube.get<
        KubeObject & { status?: { conditions?: { type: string; status: string }[] } }
      >({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name: crd.metadata.name,
      });
      if (live.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True')) break;
      if (i > 100) throw new Error(`CRD ${crd.metadata.name} not established`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flux-system' } });
  const home = await mkdtemp(join(tmpdir(), 'sluice-cli-home-'));
  return {
    c,
    kube,
    home,
    run: (argv, options = {}) =>
      runCli(argv, { env: { HOME: home, KUBECONFIG: c.kubeconfigPath }, ...options }),
    async apply(yaml) {
      for (const doc of parseAllDocuments(yaml)) {
        const obj = doc.toJS() as KubeObject | null;
        if (obj) await kube.apply(obj, { force: true, fieldManager: 'test' });
      }
    },
    async setStatus(ref, status) {
      await kube.patchStatus({ namespace: 'flux-system', ...ref }, { status });
    },
    async stop() {
      kube.close();
      await c.stop();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** A Ready condition as controllers write it. */
export function ready(
  status: 'True' | 'False' | 'Unknown',
  message: string,
  reason = status === 'True' ? 'Succeeded' : 'Failed',
  observedGeneration = 1,
) {
  return {
    type: 'Ready',
    status,
    reason,
    message,
    observedGeneration,
    lastTransitionTime: '2026-01-02T03:04:05Z',
  };
}

/** How the simulated controller answers for one object. */
export type Outcome = { ready: true; revision?: string } | { ready: false; message: string };

/**
 * A stand-in for the controllers: every 100 ms it looks at Flux objects in `flux-system` and, for each whose
 * requested reconcile or generation it has not handled, writes the status a controller would (`Ready`,
 * `lastHandledReconcileAt`, revisions) as `outcome(obj)` says. Returns a function that stops it.
 */
export function simulateControllers(
  kube: KubeClient,
  outcome: (obj: KubeObject) => Outcome,
): () => Promise<void> {
  let stopped = false;
  const errors: Error[] = [];
  const kinds = [
    { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' },
    { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository' },
    { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' },
    { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' },
  ];
  const loop = (async () => {
    while (!stopped) {
      for (const type of kinds) {
        const list = await kube.list(type, { namespace: 'flux-system' });
        for (const obj of list.items as (KubeObject & {
          spec?: { suspend?: boolean };
          status?: Record<string, unknown>;
        })[]) {
          if (obj.spec?.suspend) continue;
          const requested = obj.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
          const generation = obj.metadata.generation ?? 1;
          const conditions = (obj.status?.conditions ?? []) as {
            type: string;
            observedGeneration?: number;
          }[];
          const handled =
            (requested === undefined || obj.status?.lastHandledReconcileAt === requested) &&
            conditions.some((c) => c.type === 'Ready' && c.observedGeneration === generation);
          if (handled) continue;
          const o = outcome(obj);
          const status: Record<string, unknown> = {
            observedGeneration: generation,
            ...(requested !== undefined ? { lastHandledReconcileAt: requested } : {}),
          };
          const forced = obj.metadata.annotations?.['reconcile.fluxcd.io/forceAt'];
          if (forced) status.lastHandledForceAt = forced;
          if (o.ready) {
            const rev = o.revision ?? 'main@sha1:0123456789abcdef0123456789abcdef01234567';
            status.conditions = [
              ready('True', `Applied revision: ${rev}`, 'ReconciliationSucceeded', generation),
            ];
            if (type.kind === 'Kustomization') status.lastAppliedRevision = rev;
            else if (type.kind === 'HelmRelease') status.lastAttemptedRevision = rev;
            else
              status.artifact = {
                revision: rev,
                path: 'p',
                url: 'http://a',
                digest: 'sha256:00',
                lastUpdateTime: '2026-01-02T03:04:05Z',
              };
          } else {
            status.conditions = [ready('False', o.message, 'ReconciliationFailed', generation)];
          }
          try {
            await kube.patchStatus(
              { ...type, name: obj.metadata.name!, namespace: 'flux-system' },
              { status },
            );
          } catch (err) {
            errors.push(err as Error);
          }
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    if (errors.length > 0) throw errors[0];
  };
}
