import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connectKube, type KubeClient, type KubeObject } from '../src/kube/index.js';
import { startGitHttpServer } from '../src/server/index.js';
import { resolveTool } from '../src/tools/index.js';

const exec = promisify(execFile);

/** The repository checkout: this file runs from .cache/bench-dist/bench/. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (dir.endsWith('.cache')) return dirname(dir);
    dir = dirname(dir);
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

const ROOT = repoRoot();
const SLUICE = join(ROOT, 'bin', 'sluice.js');
const COUNT = Number(process.env.BENCH_KUSTOMIZATIONS ?? 1000);
// Flux's published benchmark runs kustomize-controller with --concurrent=20 (and Deployments scaled to zero).
// Here every Deployment runs a Pod that the embedded cluster starts in 500 ms, which a health check waits for
// and `kubectl apply` does not: 30 reconciles at once overlap those waits.
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 30);
// The controllers' soft memory target, as a container limit sets GOMEMLIMIT for Flux's controllers.
const MEMORY_TARGET = process.env.BENCH_MEMORY_TARGET ?? '128Mi';
const WAIT = process.env.BENCH_WAIT !== 'false';
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF;
const NAMESPACE = 'bench';
const GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
};

const pad = (i: number) => String(i).padStart(4, '0');

/** The 10 objects of directory `i`: 8 ConfigMaps, a Service and a Deployment (one replica). */
function objectsOf(i: number): string {
  const docs: string[] = [];
  for (let c = 0; c < 8; c++) {
    docs.push(
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-${pad(i)}-config-${c}\n  namespace: ${NAMESPACE}\ndata:\n  key: "value-${i}-${c}"\n  settings.json: '{"replicas": 1, "index": ${i}}'\n`,
    );
  }
  docs.push(
    `apiVersion: v1\nkind: Service\nmetadata:\n  name: app-${pad(i)}\n  namespace: ${NAMESPACE}\nspec:\n  selector:\n    app: app-${pad(i)}\n  ports:\n    - name: http\n      port: 80\n      targetPort: 8080\n`,
  );
  docs.push(
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${pad(i)}\n  namespace: ${NAMESPACE}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: app-${pad(i)}\n  template:\n    metadata:\n      labels:\n        app: app-${pad(i)}\n    spec:\n      containers:\n        - name: app\n          image: registry.example.com/app:1.0.${i}\n          ports:\n            - containerPort: 8080\n`,
  );
  return docs.join('---\n');
}

async function generateRepository(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < COUNT; i++) {
    await mkdir(join(dir, `app-${pad(i)}`));
    await writeFile(join(dir, `app-${pad(i)}`, 'objects.yaml'), objectsOf(i));
  }
  const git = (...args: string[]) => exec('git', args, { cwd: dir, env: { ...process.env, ...GIT_ENV } });
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'Generated objects');
}

/** A child process of the `sluice` CLI, with its output collected. */
interface Child {
  proc: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

function startSluice(args: string[], nodeArgs: string[] = []): Child {
  const proc = spawn(process.execPath, [...nodeArgs, SLUICE, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUBECONFIG: '' },
  });
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  proc.stderr?.on('data', (c: Buffer) => {
    out = (out + c.toString()).slice(-20_000);
  });
  return {
    proc,
    output: () => out,
    stop: () =>
      new Promise<void>((ok) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return ok();
        const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
        proc.once('exit', () => {
          clearTimeout(timer);
          ok();
        });
        proc.kill('SIGTERM');
      }),
  };
}

async function startClusterProcess(
  dataDir: string,
  nodeArgs: string[] = [],
): Promise<{ child: Child; kubeconfig: string }> {
  const child = startSluice(['cluster', 'start', '--port', '0', '--data-dir', dataDir], nodeArgs);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const m = /kubeconfig (\S+)/.exec(child.output());
    if (m) return { child, kubeconfig: m[1]! };
    if (child.proc.exitCode !== null || Date.now() > deadline) {
      throw new Error(`Cluster did not start: ${child.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Peak and current resident memory of a process, in MiB, from /proc. */
async function memoryOf(pid: number): Promise<{ hwm: number; rss: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { hwm: kb('VmHWM') / 1024, rss: kb('VmRSS') / 1024 };
}

function readyCount(items: KubeObject[]): { ready: number; failed: string[] } {
  let ready = 0;
  const failed: string[] = [];
  for (const ks of items) {
    const status = ks.status as
      | { conditions?: { type: string; status: string; reason?: string; message?: string }[] }
      | undefined;
    const c = status?.conditions?.find((x) => x.type === 'Ready');
    if (c?.status === 'True') ready++;
    else if (c?.status === 'False' && !/Progressing|DependencyNotReady|ArtifactFailed/.test(c.reason ?? '')) {
      failed.push(`${ks.metadata.name}: ${c.reason}: ${c.message}`);
    }
  }
  return { ready, failed };
}

async function deliver(
  work: string,
  repoDir: string,
): Promise<{ seconds: number; peakMiB: number; rssMiB: number; failed: string[] }> {
  const nodeArgs = CPU_PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF_DIR] : [];
  const { child: cluster, kubeconfig } = await startClusterProcess(join(work, 'cluster-sluice'), nodeArgs);
  const git = await startGitHttpServer({}, { repositories: { bench: join(repoDir, '.git') } });
  const controllers = startSluice(
    [
      'controllers',
      '--kubeconfig',
      kubeconfig,
      '--storage-addr',
      '127.0.0.1:0',
      '--metrics-addr',
      '127.0.0.1:0',
      '--health-addr',
      '127.0.0.1:0',
      '--concurrent',
      String(CONCURRENT),
      '--memory-target',
      MEMORY_TARGET,
      '--log-level',
      'error',
    ],
    nodeArgs,
  );
  const kube: KubeClient = connectKube({ path: kubeconfig });
  let peak = 0;
  let rss = 0;
  let watching: Promise<void> = Promise.resolve();
  let stopWatching = () => {};
  const sampler = setInterval(() => {
    void memoryOf(controllers.proc.pid!).then((m) => {
      peak = Math.max(peak, m.hwm);
      rss = Math.max(rss, m.rss);
    });
  }, 500);
  try {
    // Wait for the controllers to install the CRDs.
    const crdDeadline = Date.now() + 60_000;
    for (;;) {
      const crd = await kube
        .tryGet({
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          name: 'kustomizations.kustomize.toolkit.fluxcd.io',
        })
        .catch(() => undefined);
      if (crd) break;
      if (Date.now() > crdDeadline || controllers.proc.exitCode !== null) {
        throw new Error(`Controllers did not start: ${controllers.output()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 1000));
    // Follow the Kustomizations with one watch, so that measuring loads the cluster as little as possible.
    const kustomizations = new Map<string, KubeObject>();
    const KUSTOMIZATION = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };
    const stopWatch = new AbortController();
    watching = (async () => {
      let from = (await kube.list(KUSTOMIZATION, { namespace: NAMESPACE })).metadata?.resourceVersion;
      while (!stopWatch.signal.aborted) {
        try {
          for await (const event of kube.watch(KUSTOMIZATION, {
            namespace: NAMESPACE,
            resourceVersion: from,
            signal: stopWatch.signal,
          })) {
            if (event.type === 'BOOKMARK') from = event.object.metadata.resourceVersion;
            else if (event.type === 'DELETED') kustomizations.delete(event.object.metadata.name!);
            else if (event.type !== 'ERROR') {
              kustomizations.set(event.object.metadata.name!, event.object);
              from = event.object.metadata.resourceVersion;
            }
          }
        } catch {
          if (stopWatch.signal.aborted) return;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    })();
    stopWatching = () => stopWatch.abort();
    const started = performance.now();
    await kube.apply(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
      { fieldManager: 'bench' },
    );
    await kube.apply(
      {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        metadata: { name: 'bench', namespace: NAMESPACE },
        spec: { url: git.urlOf('bench'), ref: { branch: 'main' }, interval: '1h' },
      },
      { fieldManager: 'bench' },
    );
    // When the source has its first artifact: until then, Kustomizations wait for it.
    const sourceReady = (async () => {
      for (;;) {
        const repo = await kube
          .tryGet({
            apiVersion: 'source.toolkit.fluxcd.io/v1',
            kind: 'GitRepository',
            name: 'bench',
            namespace: NAMESPACE,
          })
          .catch(() => undefined);
        if ((repo?.status as { artifact?: unknown } | undefined)?.artifact)
          return (performance.now() - started) / 1000;
        if (controllers.proc.exitCode !== null) return Number.NaN;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < COUNT) {
          const i = next++;
          await kube.apply(
            {
              apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
              kind: 'Kustomization',
              metadata: { name: `app-${pad(i)}`, namespace: NAMESPACE },
              spec: {
                sourceRef: { kind: 'GitRepository', name: 'bench' },
                path: `./app-${pad(i)}`,
                interval: '1h',
                prune: true,
                wait: WAIT,
                timeout: '5m',
              },
            },
            { fieldManager: 'bench' },
          );
        }
      }),
    );
    const created = (performance.now() - started) / 1000;
    process.stdout.write(`  ${COUNT} Kustomizations created in ${created.toFixed(1)}s\n`);
    void sourceReady.then((t) =>
      process.stdout.write(`  GitRepository artifact ready after ${t.toFixed(1)}s\n`),
    );
    let lastReport = 0;
    for (;;) {
      const { ready, failed } = readyCount([...kustomizations.values()]);
      const elapsed = (performance.now() - started) / 1000;
      if (elapsed - lastReport >= 15) {
        lastReport = elapsed;
        const m = await memoryOf(controllers.proc.pid!);
        process.stdout.write(
          `  ${elapsed.toFixed(0)}s: ${ready}/${COUNT} Ready, controllers RSS ${m.rss.toFixed(0)} MiB\n`,
        );
      }
      if (ready === COUNT || failed.length > 0 || elapsed > 1800) {
        const m = await memoryOf(controllers.proc.pid!);
        return {
          seconds: elapsed,
          peakMiB: Math.max(peak, m.hwm),
          rssMiB: Math.max(rss, m.rss),
          failed,
        };
      }
      if (controllers.proc.exitCode !== null) throw new Error(`Controllers exited: ${controllers.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    stopWatching();
    await watching;
    clearInterval(sampler);
    kube.close();
    await controllers.stop();
    await git.close();
    await cluster.stop();
  }
}

async function floor(work: string, repoDir: string): Promise<number> {
  const { child: cluster, kubeconfig } = await startClusterProcess(join(work, 'cluster-kubectl'));
  try {
    const kubectl = await resolveTool('kubectl', { skipPath: true });
    await writeFile(
      join(work, 'namespace.yaml'),
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NAMESPACE}\n`,
    );
    const env = { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(work, 'kube-cache') };
    await exec(kubectl, ['apply', '--server-side', '-f', join(work, 'namespace.yaml')], { env });
    const started = performance.now();
    await exec(kubectl, ['apply', '--server-side', '--field-manager', 'bench', '-R', '-f', repoDir], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return (performance.now() - started) / 1000;
  } finally {
    await cluster.stop();
  }
}

/**
 * Delivers 1,000 Kustomizations of 10 objects each (8 ConfigMaps, a Service, a Deployment) from one
 * GitRepository, with `sluice controllers` in its own process against `sluice cluster start`, and prints the
 * time until all are Ready and the controllers' peak memory, next to the time one `kubectl apply
 * --server-side` takes for the same 10,000 objects on a fresh cluster (the floor). Environment:
 * `BENCH_KUSTOMIZATIONS` (1000), `BENCH_CONCURRENT` (30), `BENCH_MEMORY_TARGET` (128Mi), `BENCH_WAIT` (true), `BENCH_CPU_PROF` (a directory
 * for CPU profiles of the controllers and the cluster).
 */
export async function run(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'sluice-bench-delivery-'));
  try {
    const repoDir = join(work, 'repo');
    await generateRepository(repoDir);
    process.stdout.write(
      `${COUNT} directories × 10 objects generated; controllers --concurrent ${CONCURRENT} --memory-target ${MEMORY_TARGET}, wait ${WAIT}\n`,
    );
    const floorSeconds = await floor(work, repoDir);
    process.stdout.write(
      `kubectl apply --server-side of ${COUNT * 10} objects: ${floorSeconds.toFixed(1)}s\n`,
    );
    const result = await deliver(work, repoDir);
    if (result.failed.length > 0) {
      process.stdout.write(`FAILED: ${result.failed.length} Kustomizations, e.g. ${result.failed[0]}\n`);
    }
    const ratio = result.seconds / floorSeconds;
    process.stdout.write(
      [
        `${`sluice: ${COUNT} Kustomizations Ready`.padEnd(44)} ${result.seconds.toFixed(1).padStart(7)} s`,
        `${'floor: one kubectl apply --server-side'.padEnd(44)} ${floorSeconds.toFixed(1).padStart(7)} s`,
        `${'ratio (target ≤ 1.5)'.padEnd(44)} ${ratio.toFixed(2).padStart(7)} ×`,
        `${'controllers peak memory (VmHWM, target < 150)'.padEnd(44)} ${result.peakMiB.toFixed(0).padStart(7)} MiB`,
        '(Flux 2.6 published: 1,000 Kustomizations in 4m16s with 175 MiB on 16 cores)',
        '',
      ].join('\n'),
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
