import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectKube, type KubeClient } from '../../src/kube/index.js';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';
import { freePort } from '../harness/servers/free-port.js';
import { type GitFixtureRepo, type GitHttpServer, startGitHttpServer } from '../harness/servers/git-http.js';
import { download, eventually, type Source, sha256, waitForReady } from './support.js';

const BIN = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));
const GIT = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };

/** Forwards to `target`, or accepts connections and never answers while stalled. */
async function stallingProxy(target: number) {
  const held = new Set<Socket>();
  let stalled = true;
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted++;
    held.add(client);
    client.on('error', () => undefined);
    if (stalled) return;
    const upstream = createConnection(target, '127.0.0.1');
    held.add(upstream);
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    accepted: () => accepted,
    release() {
      stalled = false;
      for (const s of held) s.destroy();
      held.clear();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of held) s.destroy();
        server.close(() => r());
      }),
  };
}

let cluster: TestCluster;
let kube: KubeClient;
let git: GitHttpServer;
let repo: GitFixtureRepo;
let dir: string;
let storagePort: number;
let child: ChildProcess | undefined;

function startCli(): ChildProcess {
  const proc = spawn(
    process.execPath,
    [
      BIN,
      'controllers',
      '--kubeconfig',
      cluster.kubeconfigPath,
      '--storage-path',
      join(dir, 'artifacts'),
      '--work-dir',
      join(dir, 'work'),
      '--storage-addr',
      `127.0.0.1:${storagePort}`,
      '--metrics-addr',
      '127.0.0.1:0',
      '--health-addr',
      '127.0.0.1:0',
      '--max-retry-delay',
      '1s',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  proc.stderr?.on('data', () => undefined);
  return proc;
}

async function kill(proc: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill(signal);
  await exited;
}

beforeAll(async () => {
  if (!existsSync(fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url)))) {
    throw new Error('dist/ is missing: run npm run build first');
  }
  dir = await mkdtemp(join(tmpdir(), 'sluice-restart-'));
  [cluster, git, storagePort] = await Promise.all([startTestCluster(), startGitHttpServer(), freePort()]);
  kube = connectKube({ path: cluster.kubeconfigPath });
  repo = await git.createRepo('app');
  await repo.commit({ 'app.yaml': 'kind: ConfigMap\n' }, { message: 'First' });
}, 60_000);

afterAll(async () => {
  await kill(child, 'SIGKILL');
  kube?.close();
  await Promise.all([cluster?.stop(), git?.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe('sluice controllers restarted after SIGKILL mid-fetch', () => {
  it('installs the CRDs, and after a kill during a fetch converges with consistent status and artifacts', async () => {
    child = startCli();
    // The CRDs are installed by the command.
    await eventually(
      async () =>
        (await cluster.kubectl(['get', 'crd', 'gitrepositories.source.toolkit.fluxcd.io'])).code === 0,
    );
    await kube.create({
      ...GIT,
      metadata: { name: 'steady', namespace: 'default' },
      spec: { url: repo.url, interval: '1s' },
    });
    const steady = await waitForReady(kube, { ...GIT, namespace: 'default', name: 'steady' }, 'True');
    const artifact = steady.status?.artifact;

    const proxy = await stallingProxy(Number(new URL(git.url).port));
    try {
      await kube.create({
        ...GIT,
        metadata: { name: 'stalled', namespace: 'default' },
        spec: { url: repo.url.replace(/:\d+\//, `:${proxy.port}/`), interval: '1s', timeout: '60s' },
      });
      await eventually(async () => proxy.accepted() > 0, 20_000, 'a fetch through the stalled proxy');
      await kill(child, 'SIGKILL');
      proxy.release();
      child = startCli();

      const recovered = await waitForReady(
        kube,
        { ...GIT, namespace: 'default', name: 'stalled' },
        'True',
        undefined,
        30_000,
      );
      const head = await repo.git('rev-parse', 'HEAD');
      expect(recovered.status?.artifact?.revision).toBe(`master@sha1:${head}`);
      expect(await sha256(await download(recovered.status?.artifact?.url ?? ''))).toBe(
        recovered.status?.artifact?.digest,
      );

      const after = await kube.get<Source>({ ...GIT, namespace: 'default', name: 'steady' });
      expect(after.status?.artifact?.digest).toBe(artifact?.digest);
      expect(await sha256(await download(after.status?.artifact?.url ?? ''))).toBe(artifact?.digest);

      // No half-written files: every file in the store is some object's current artifact.
      const files = await readdir(join(dir, 'artifacts', 'gitrepository', 'default'), {
        recursive: true,
        withFileTypes: true,
      });
      const stored = files.filter((f) => f.isFile()).map((f) => f.name);
      expect(stored.some((f) => f.startsWith('.tmp-'))).toBe(false);

      // A new commit after the restart is picked up as usual.
      const next = await repo.commit({ 'app.yaml': 'kind: Secret\n' }, { message: 'After restart' });
      await waitForReady(
        kube,
        { ...GIT, namespace: 'default', name: 'stalled' },
        'True',
        (o) => o.status?.artifact?.revision === `master@sha1:${next}`,
      );
    } finally {
      await proxy.close();
    }
    await kill(child, 'SIGTERM');
    expect(child.exitCode).toBe(0);
  });
});
