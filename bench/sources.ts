import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startCluster } from '../src/cluster/index.js';
import { installCrds, startControllers } from '../src/controllers/index.js';
import { connectKube, type KubeClient, type KubeObject } from '../src/kube/index.js';
import { startGitHttpServer } from '../test/harness/servers/git-http.js';

const exec = promisify(execFile);
const REPOS = 200;
const GIT = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };

type Repo = KubeObject & {
  status?: {
    artifact?: { revision: string };
    lastHandledReconcileAt?: string;
    conditions?: { type: string; status: string }[];
  };
};

async function waitAll(kube: KubeClient, done: (r: Repo) => boolean, count: number, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await kube.list<Repo>(GIT, { namespace: 'default' });
    const n = list.items.filter(done).length;
    if (n >= count) return;
    if (Date.now() > deadline) throw new Error(`Only ${n} of ${count} GitRepositories converged in time`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const ready = (r: Repo) =>
  r.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/**
 * Source controller throughput: 200 GitRepositories on one repository served by `git http-backend`,
 * reconciled by the GitRepository controller (first artifacts, then no-change reconciles on request), and
 * the time to detect and store a new commit, against a plain `git fetch` of the same repository.
 */
export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-sources-'));
  const cluster = await startCluster({ dataDir: join(dir, 'cluster'), port: 0 });
  const git = await startGitHttpServer();
  const kube = connectKube({ path: cluster.kubeconfigPath ?? '' });
  let controllers: Awaited<ReturnType<typeof startControllers>> | undefined;
  try {
    await installCrds(kube);
    const repo = await git.createRepo('fleet');
    const files: Record<string, string> = {};
    for (let i = 0; i < 50; i++)
      files[`apps/app-${i}/deploy.yaml`] = `kind: Deployment\nmetadata: {name: app-${i}}\n`;
    await repo.commit(files, { message: 'Fleet' });

    // Reference: plain git fetch of the same repository into a clone.
    const clone = join(dir, 'clone');
    await exec('git', ['clone', '-q', '--depth', '1', repo.url, clone]);
    const fetchRuns = 20;
    let t = performance.now();
    for (let i = 0; i < fetchRuns; i++)
      await exec('git', ['-C', clone, 'fetch', '-q', '--depth', '1', 'origin', 'master']);
    const fetchNoChangeMs = (performance.now() - t) / fetchRuns;
    await repo.commit({ 'apps/app-0/deploy.yaml': 'kind: Deployment\nmetadata: {name: app-0, v: 2}\n' });
    t = performance.now();
    await exec('git', ['-C', clone, 'fetch', '-q', '--depth', '1', 'origin', 'master']);
    await exec('git', ['-C', clone, 'checkout', '-q', 'FETCH_HEAD']);
    const fetchNewCommitMs = performance.now() - t;

    controllers = await startControllers(
      { kube },
      { storagePath: join(dir, 'artifacts'), workDir: join(dir, 'work') },
    );
    t = performance.now();
    await Promise.all(
      Array.from({ length: REPOS }, (_, i) =>
        kube.create({
          ...GIT,
          metadata: { name: `repo-${i}`, namespace: 'default' },
          spec: { url: repo.url, interval: '1h' },
        }),
      ),
    );
    await waitAll(kube, ready, REPOS);
    const firstSeconds = (performance.now() - t) / 1000;

    const token = `bench-${Date.now()}`;
    t = performance.now();
    await Promise.all(
      Array.from({ length: REPOS }, (_, i) =>
        kube.patch(
          { ...GIT, namespace: 'default', name: `repo-${i}` },
          { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': token } } },
        ),
      ),
    );
    await waitAll(kube, (r) => r.status?.lastHandledReconcileAt === token && ready(r), REPOS);
    const steadySeconds = (performance.now() - t) / 1000;

    await kube.create({
      ...GIT,
      metadata: { name: 'watcher', namespace: 'default' },
      spec: { url: repo.url, interval: '1s' },
    });
    await waitAll(kube, (r) => r.metadata.name === 'watcher' && ready(r), 1);
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const sha = await repo.commit({
        'apps/app-1/deploy.yaml': `kind: Deployment\nmetadata: {name: app-1, v: ${i}}\n`,
      });
      const started = performance.now();
      await waitAll(
        kube,
        (r) => r.metadata.name === 'watcher' && r.status?.artifact?.revision === `master@sha1:${sha}`,
        1,
        60_000,
      );
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    const detectMedianMs = samples[Math.floor(samples.length / 2)] ?? 0;

    const perFetch = 1000 / fetchNoChangeMs;
    const out = [
      `GitRepositories: ${REPOS} on one repository (50 files), git http-backend on loopback, concurrency 4 per controller`,
      `  first artifacts:        ${(REPOS / firstSeconds).toFixed(1)} reconciles/s (${firstSeconds.toFixed(1)} s for ${REPOS})`,
      `  no-change reconciles:   ${(REPOS / steadySeconds).toFixed(1)} reconciles/s (${steadySeconds.toFixed(1)} s for ${REPOS})`,
      `  reference git fetch:    ${perFetch.toFixed(1)} fetches/s sequential (${fetchNoChangeMs.toFixed(1)} ms each, no change)`,
      `  ratio no-change reconcile rate / sequential git fetch rate: ${(REPOS / steadySeconds / perFetch).toFixed(2)}`,
      `  new commit detected and stored (interval 1s, median of 5): ${detectMedianMs.toFixed(0)} ms`,
      `  reference git fetch + checkout of a new commit: ${fetchNewCommitMs.toFixed(0)} ms`,
      `  ratio detect-and-store / fetch+checkout: ${(detectMedianMs / fetchNewCommitMs).toFixed(1)} (includes waiting for the 1s interval)`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await controllers?.stop();
    kube.close();
    await git.close();
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
