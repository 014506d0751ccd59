import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { parseAllDocuments } from 'yaml';
import { crdManifests, SluiceError } from '../../src/api/index.js';
import type { CliIO } from '../../src/cli/common/io.js';
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
    async run(argv, options = {}) {
      let stdout = '';
      let stderr = '';
      const io: CliIO = {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
        stderrIsTTY: false,
        stdinIsTTY: options.stdinIsTTY ?? false,
        env: options.env ?? { HOME: home, KUBECONFIG: c.kubeconfigPath },
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
    },
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
