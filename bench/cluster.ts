import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '../src/cluster/index.js';

const CONCURRENCY = 16;

interface Reply {
  status: number;
  body: string;
}

function call(
  agent: http.Agent,
  base: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<Reply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(path, base),
      {
        method,
        agent,
        headers: payload ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs `count` calls of `fn(i)` with {@link CONCURRENCY} in flight; returns operations per second. */
async function rate(
  count: number,
  fn: (i: number) => Promise<void>,
  concurrency = CONCURRENCY,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await fn(next++);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function line(label: string, value: number, unit: string, reference?: number): void {
  const ratio = reference ? `  (${(value / reference).toFixed(3)}× the bare round trip)` : '';
  process.stdout.write(
    `${label.padEnd(34)} ${value.toFixed(value < 10 ? 2 : 0).padStart(9)} ${unit}${ratio}\n`,
  );
}

/**
 * Measures the embedded cluster on this machine (plain HTTP, durable SQLite on a temporary directory):
 * creates/s, gets/s, server-side applies/s (fresh and no-op, with the no-op cost relative to a get), lists of
 * 1,000 objects/s and watch fan-out latency, each next to a bare node:http round trip measured in the same run.
 */
export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-cluster-'));
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY * 4 });

  // The reference: a bare node:http server answering a small JSON object, and a 1,000-item list of the same
  // objects, with nothing behind it.
  const small = JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'x' },
    data: { k: 'v' },
  });
  const bigList = JSON.stringify({
    kind: 'ConfigMapList',
    items: Array.from({ length: 1000 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `cm-${i}`, namespace: 'bench-list', uid: '00000000-0000-0000-0000-000000000000' },
      data: { index: String(i) },
    })),
  });
  const bare = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = req.url === '/list' ? bigList : small;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;

  // The simulated workload controllers stay off so that only API requests are measured.
  const cluster = await startCluster({
    dataDir: dir,
    insecureHttp: true,
    port: 0,
    workloads: { enabled: false },
  });
  const base = cluster.url;
  try {
    const N = 2000;
    await call(agent, base, 'POST', '/api/v1/namespaces', { metadata: { name: 'bench' } });
    await call(agent, base, 'POST', '/api/v1/namespaces', { metadata: { name: 'bench-list' } });
    // Warm up both servers.
    await rate(1000, async () => void (await call(agent, bareUrl, 'GET', '/')));
    await rate(1000, async () => void (await call(agent, base, 'GET', '/api/v1/namespaces/bench')));

    const barePosts = await rate(N, async () => void (await call(agent, bareUrl, 'POST', '/', { small })));
    const bareGets = await rate(N, async () => void (await call(agent, bareUrl, 'GET', '/')));
    const creates = await rate(N, async (i) => {
      const reply = await call(agent, base, 'POST', '/api/v1/namespaces/bench/configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `cm-${i}`, labels: { bench: 'yes' } },
        data: { index: String(i) },
      });
      if (reply.status !== 201) throw new Error(`create failed: ${reply.status} ${reply.body}`);
    });
    const gets = await rate(N, async (i) => {
      const reply = await call(agent, base, 'GET', `/api/v1/namespaces/bench/configmaps/cm-${i % N}`);
      if (reply.status !== 200) throw new Error(`get failed: ${reply.status}`);
    });

    // Server-side apply of a Deployment: first applies create (fresh), repeated applies change nothing (no-op)
    // and must cost no write; the no-op cost is compared with a get of the same object.
    const A = 1000;
    const deployment = (i: number) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `web-${i}`, labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: `web-${i}` } },
        template: {
          metadata: { labels: { app: `web-${i}` } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx:1.27',
                ports: [{ containerPort: 80 }],
                env: [{ name: 'MODE', value: 'bench' }],
                resources: { limits: { cpu: '500m', memory: '128Mi' } },
              },
            ],
          },
        },
      },
    });
    const applyPath = (i: number) =>
      `/apis/apps/v1/namespaces/bench/deployments/web-${i}?fieldManager=bench&force=true`;
    const apply = async (i: number, expected: number[]) => {
      const reply = await call(
        agent,
        base,
        'PATCH',
        applyPath(i),
        deployment(i),
        'application/apply-patch+yaml',
      );
      if (!expected.includes(reply.status)) throw new Error(`apply failed: ${reply.status} ${reply.body}`);
    };
    const freshApplies = await rate(A, (i) => apply(i, [201]));
    const revisionBefore = (await call(agent, base, 'GET', '/api/v1/namespaces/bench/configmaps?limit=1'))
      .body;
    const noopApplies = await rate(A, (i) => apply(i, [200]));
    const revisionAfter = (await call(agent, base, 'GET', '/api/v1/namespaces/bench/configmaps?limit=1'))
      .body;
    if (
      JSON.parse(revisionBefore).metadata.resourceVersion !==
      JSON.parse(revisionAfter).metadata.resourceVersion
    ) {
      throw new Error('a no-op apply wrote to storage');
    }
    const deploymentGets = await rate(A, async (i) => {
      const reply = await call(agent, base, 'GET', `/apis/apps/v1/namespaces/bench/deployments/web-${i}`);
      if (reply.status !== 200) throw new Error(`get failed: ${reply.status}`);
    });

    for (let i = 0; i < 1000; i++) {
      await cluster.service.create(cluster.service.registry.lookup('', 'v1', 'configmaps')!, 'bench-list', {
        metadata: { name: `cm-${i}` },
        data: { index: String(i) },
      });
    }
    const L = 40;
    const bareLists = await rate(L, async () => void (await call(agent, bareUrl, 'GET', '/list')), 4);
    const lists = await rate(
      L,
      async () => {
        const reply = await call(agent, base, 'GET', '/api/v1/namespaces/bench-list/configmaps');
        if (reply.status !== 200 || JSON.parse(reply.body).items.length !== 1000)
          throw new Error('list failed');
      },
      4,
    );

    // Watch fan-out: W watchers on one namespace; each write's latency is measured until every watcher has it.
    const W = 50;
    const writes = 50;
    const arrivals = new Map<string, number[]>();
    const requests: http.ClientRequest[] = [];
    await Promise.all(
      Array.from(
        { length: W },
        () =>
          new Promise<void>((ready) => {
            const req = http.get(
              new URL('/api/v1/namespaces/bench-watch/configmaps?watch=true&resourceVersion=0', base),
              { agent: new http.Agent({ keepAlive: false }) },
              (res) => {
                let buffer = '';
                res.on('data', (chunk: Buffer) => {
                  buffer += chunk.toString('utf8');
                  let nl = buffer.indexOf('\n');
                  while (nl >= 0) {
                    const event = JSON.parse(buffer.slice(0, nl));
                    buffer = buffer.slice(nl + 1);
                    nl = buffer.indexOf('\n');
                    const name = event.object?.metadata?.name as string;
                    const list = arrivals.get(name) ?? [];
                    list.push(performance.now());
                    arrivals.set(name, list);
                  }
                });
                ready();
              },
            );
            req.on('error', () => {});
            requests.push(req);
          }),
      ),
    );
    await call(agent, base, 'POST', '/api/v1/namespaces', { metadata: { name: 'bench-watch' } });
    const latencies: number[] = [];
    for (let i = 0; i < writes; i++) {
      const name = `w-${i}`;
      const started = performance.now();
      await call(agent, base, 'POST', '/api/v1/namespaces/bench-watch/configmaps', { metadata: { name } });
      const deadline = Date.now() + 5000;
      while ((arrivals.get(name)?.length ?? 0) < W && Date.now() < deadline)
        await new Promise((r) => setImmediate(r));
      const got = arrivals.get(name) ?? [];
      if (got.length < W) throw new Error(`only ${got.length} of ${W} watchers saw ${name}`);
      latencies.push(Math.max(...got) - started);
    }
    for (const req of requests) req.destroy();
    const bareRtts: number[] = [];
    for (let i = 0; i < writes; i++) {
      const started = performance.now();
      await call(agent, bareUrl, 'POST', '/', { small });
      bareRtts.push(performance.now() - started);
    }

    process.stdout.write(
      `embedded cluster over plain HTTP, SQLite synchronous=FULL, ${CONCURRENCY} requests in flight\n`,
    );
    line('bare node:http POST round trips', barePosts, 'req/s');
    line('creates', creates, 'obj/s', barePosts);
    line('bare node:http GET round trips', bareGets, 'req/s');
    line('gets', gets, 'obj/s', bareGets);
    line('server-side applies (fresh)', freshApplies, 'obj/s', barePosts);
    line('server-side applies (no-op)', noopApplies, 'obj/s', barePosts);
    line('gets of the applied Deployments', deploymentGets, 'obj/s', bareGets);
    process.stdout.write(
      `a no-op apply costs ${(deploymentGets / noopApplies).toFixed(2)}× a get of the same object, and writes nothing\n`,
    );
    line('bare node:http 1,000-item list', bareLists, 'lists/s');
    line('lists of 1,000 objects', lists, 'lists/s', bareLists);
    line('bare round trip p50', percentile(bareRtts, 50), 'ms');
    line(`watch fan-out to ${W} watchers p50`, percentile(latencies, 50), 'ms');
    line(`watch fan-out to ${W} watchers p99`, percentile(latencies, 99), 'ms');
    process.stdout.write(
      `watch fan-out p50 is ${(percentile(latencies, 50) / percentile(bareRtts, 50)).toFixed(1)}× a bare round trip (write + delivery to all watchers)\n`,
    );
  } finally {
    agent.destroy();
    await cluster.stop();
    await new Promise<void>((r) => bare.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  }
}
