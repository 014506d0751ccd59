import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { installCrds, startControllers } from '../src/controllers/index.js';
import { connectKube, type KubeObject } from '../src/kube/index.js';
import { resolveTool } from '../src/tools/index.js';

const exec = promisify(execFile);
const RELEASES = Number(process.env.SLUICE_BENCH_HELM_RELEASES ?? 100);
const CONCURRENT = Number(process.env.SLUICE_BENCH_HELM_CONCURRENT ?? 4);

/**
 * Installs 100 HelmReleases of a small chart (a ConfigMap and a Deployment, waited for) through the
 * HelmRelease controller until all are Ready, next to the reference measured in the same run: `helm install
 * --wait` of the same chart for 100 releases one after another. Prints both times, the ratio and the peak
 * memory of the process tree (this process with the embedded cluster, plus helm children) in each phase.
 */
export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-helm-'));
  const helm = await resolveTool('helm');
  const env = {
    ...process.env,
    HELM_CACHE_HOME: join(dir, 'helm', 'cache'),
    HELM_CONFIG_HOME: join(dir, 'helm', 'config'),
    HELM_DATA_HOME: join(dir, 'helm', 'data'),
  };

  // A Helm repository with one small chart, served over HTTP.
  const repo = join(dir, 'repo');
  const src = join(dir, 'chart', 'small');
  await mkdir(join(src, 'templates'), { recursive: true });
  await writeFile(
    join(src, 'Chart.yaml'),
    'apiVersion: v2\nname: small\nversion: 1.0.0\nappVersion: "1.0"\n',
  );
  await writeFile(join(src, 'values.yaml'), 'message: hello\n');
  await writeFile(
    join(src, 'templates', 'all.yaml'),
    `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
data:
  message: {{ .Values.message | quote }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: 1
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
    spec:
      containers:
        - name: app
          image: nginx:1.27
`,
  );
  await mkdir(repo, { recursive: true });
  await exec(helm, ['package', src, '-d', repo], { env });
  const server = http.createServer((req, res) => {
    readFile(join(repo, new URL(req.url ?? '/', 'http://x').pathname.replace(/\.\./g, ''))).then(
      (body) => res.writeHead(200).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const repoUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await exec(helm, ['repo', 'index', repo, '--url', repoUrl], { env });
  const chartTgz = join(repo, 'small-1.0.0.tgz');

  // The embedded cluster runs in its own process, as `sluice cluster start`, so that the API server and
  // the controllers do not share one event loop.
  const kubeconfig = join(dir, 'kubeconfig');
  const cluster = spawn(
    process.execPath,
    [
      sluiceBin(),
      'cluster',
      'start',
      '--data-dir',
      join(dir, 'cluster'),
      '--port',
      '0',
      '--kubeconfig',
      kubeconfig,
    ],
    { stdio: 'ignore' },
  );
  await waitForFile(kubeconfig);
  const kube = connectKube({ path: kubeconfig });
  for (let attempt = 0; ; attempt++) {
    try {
      await installCrds(kube);
      break;
    } catch (err) {
      if (attempt > 50) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  for (const ns of ['reference', 'bench']) {
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }

  try {
    // Reference: helm install --wait, one after another.
    const refMem = sampleMemory();
    const refStart = performance.now();
    for (let i = 0; i < RELEASES; i++) {
      await exec(
        helm,
        [
          'install',
          `r-${i}`,
          chartTgz,
          '-n',
          'reference',
          '--wait=watcher',
          '--timeout',
          '60s',
          '--kubeconfig',
          kubeconfig,
        ],
        { env },
      );
    }
    const refMs = performance.now() - refStart;
    const refPeak = refMem.stop();

    // Sluice: 100 HelmReleases through the controller.
    const controllers = await startControllers(
      { kube, kubeconfigPath: kubeconfig },
      {
        storagePath: join(dir, 'artifacts'),
        workDir: join(dir, 'work'),
        concurrent: CONCURRENT,
        requeueDependencyMs: 500,
      },
    );
    const mem = sampleMemory();
    const start = performance.now();
    await kube.create({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: 'charts', namespace: 'bench' },
      spec: { url: repoUrl, interval: '10m' },
    });
    await Promise.all(
      Array.from({ length: RELEASES }, (_, i) =>
        kube.create({
          apiVersion: 'helm.toolkit.fluxcd.io/v2',
          kind: 'HelmRelease',
          metadata: { name: `hr-${i}`, namespace: 'bench' },
          spec: {
            interval: '10m',
            timeout: '60s',
            chart: {
              spec: {
                chart: 'small',
                version: '1.0.0',
                sourceRef: { kind: 'HelmRepository', name: 'charts' },
              },
            },
          },
        }),
      ),
    );
    for (;;) {
      const list = await kube.list<KubeObject>(
        { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' },
        { namespace: 'bench' },
      );
      const ready = list.items.filter((hr) =>
        (hr.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.some(
          (c) => c.type === 'Ready' && c.status === 'True',
        ),
      ).length;
      if (ready === RELEASES) break;
      if (performance.now() - start > 15 * 60_000)
        throw new Error(`Only ${ready} of ${RELEASES} HelmReleases Ready`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const ms = performance.now() - start;
    const peak = mem.stop();
    const done = await kube.list<KubeObject>(
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' },
      { namespace: 'bench' },
    );
    const actions = done.items.map((hr) =>
      Number.parseFloat(
        String(
          (hr.status as { lastAttemptedReleaseActionDuration?: string }).lastAttemptedReleaseActionDuration,
        ),
      ),
    );
    const avgAction = actions.reduce((a, b) => a + b, 0) / actions.length;
    await controllers.stop();

    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
    process.stdout.write(
      [
        `machine: ${cpus().length} cores; chart: ConfigMap + Deployment, waited for; controller --concurrent ${CONCURRENT}`,
        `reference  helm install --wait ×${RELEASES}, one after another: ${(refMs / 1000).toFixed(1)} s, peak ${mb(refPeak)}`,
        `sluice     ${RELEASES} HelmReleases until all Ready:        ${(ms / 1000).toFixed(1)} s, peak ${mb(peak)}`,
        `           mean helm action inside the controller: ${avgAction.toFixed(2)} s`,
        `ratio      sluice / reference: ${(ms / refMs).toFixed(2)} (below 1 is faster)`,
        `(Flux's published figure: ${RELEASES} HelmReleases in 27 s on 16 cores)`,
        '',
      ].join('\n'),
    );
  } finally {
    kube.close();
    cluster.kill('SIGTERM');
    await new Promise((r) => cluster.once('exit', r));
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** RSS in bytes of a process and its descendants, read from /proc. */
function treeRss(pid: number): number {
  let total = 0;
  try {
    const statm = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
    total += Number(statm[1]) * 4096;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const c of children ? children.split(' ') : []) total += treeRss(Number(c));
    }
  } catch {
    // the process ended while being read
  }
  return total;
}

/** Samples the process tree's RSS every 100 ms until stopped; returns the peak. */
function sampleMemory(): { stop(): number } {
  let peak = treeRss(process.pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRss(process.pid));
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, treeRss(process.pid));
    },
  };
}

/** The `sluice` entry point of this checkout. */
function sluiceBin(): string {
  let dir = fileURLToPath(new URL('.', import.meta.url));
  while (!existsSync(join(dir, 'bin', 'sluice.js'))) {
    const up = join(dir, '..');
    if (up === dir) throw new Error('bin/sluice.js not found');
    dir = up;
  }
  return join(dir, 'bin', 'sluice.js');
}

async function waitForFile(path: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`The embedded cluster did not write ${path}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 200));
}
