import { type ChildProcess, execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster } from '../../src/cluster/index.js';
import { startClusterProcess } from '../harness/cluster.js';

const start = (dataDir: string) =>
  startClusterProcess(['--data-dir', dataDir, '--port', '0', '--insecure-http']);

interface Reply {
  status: number;
  body: string;
}

function call(agent: http.Agent, base: string, method: string, path: string, body?: unknown): Promise<Reply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolvePromise, reject) => {
    const req = http.request(
      new URL(path, base),
      {
        method,
        agent,
        headers: payload
          ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }
          : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('the embedded cluster killed mid-write', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-crash-'));
  });
  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs eight parallel loops of creates against `url`, calls `kill` mid-stream; returns what was acknowledged. */
  const createUntilKilled = async (url: string, round: number, kill: () => Promise<void>) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const acknowledged = new Map<string, number>();
    let failures = 0;
    let killed = false;
    const loop = async (worker: number) => {
      for (let i = 0; !killed; i++) {
        const name = `r${round}-w${worker}-${i}`;
        try {
          const reply = await call(agent, url, 'POST', '/api/v1/namespaces/default/configmaps', {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name },
            data: { worker: String(worker), index: String(i) },
          });
          if (reply.status === 201) {
            acknowledged.set(name, Number(JSON.parse(reply.body).metadata.resourceVersion));
          } else {
            failures++;
          }
        } catch {
          // The connection broke: the kill came, and this create was not acknowledged.
          failures++;
          if (killed) return;
        }
      }
    };
    const loops = Array.from({ length: 8 }, (_, w) => loop(w));
    // Kill once a good number of writes is through, while all eight loops still have creates in flight.
    const deadline = Date.now() + 10_000;
    while (acknowledged.size < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await kill();
    killed = true;
    await Promise.all(loops);
    agent.destroy();
    return { acknowledged, failures };
  };

  it('keeps every create it acknowledged with 201 across SIGKILLs and restarts', async () => {
    const data = join(dir, 'state');
    const acknowledged = new Map<string, number>();
    let newest = 0;
    for (let round = 0; ; round++) {
      const server = await start(data);
      children.push(server.child);
      const agent = new http.Agent({ keepAlive: true });
      try {
        expect((await call(agent, server.url, 'GET', '/readyz')).status).toBe(200);
        // Everything acknowledged before the earlier kills is there, at the revision the client was given.
        const list = await call(agent, server.url, 'GET', '/api/v1/namespaces/default/configmaps');
        expect(list.status).toBe(200);
        const stored = new Map<string, number>();
        for (const item of JSON.parse(list.body).items) {
          stored.set(item.metadata.name, Number(item.metadata.resourceVersion));
        }
        expect([...acknowledged.keys()].filter((name) => !stored.has(name))).toEqual([]);
        for (const [name, revision] of acknowledged) expect(stored.get(name)).toBe(revision);
        expect(Number(JSON.parse(list.body).metadata.resourceVersion)).toBeGreaterThanOrEqual(newest);
      } finally {
        agent.destroy();
      }
      if (round === 3) {
        server.child.kill('SIGTERM');
        await server.exited;
        break;
      }
      const written = await createUntilKilled(server.url, round, async () => {
        server.child.kill('SIGKILL');
        await server.exited;
      });
      expect(written.acknowledged.size).toBeGreaterThan(100);
      expect(written.failures).toBeGreaterThan(0);
      for (const [name, revision] of written.acknowledged) {
        acknowledged.set(name, revision);
        // Revisions keep increasing across restarts: none handed out before a kill is given out again.
        expect(revision).toBeGreaterThan(newest);
      }
      newest = Math.max(newest, ...written.acknowledged.values());
    }
  }, 60_000);
  it('answers a create whose COMMIT fails with a broken connection, never a success, and carries on', async () => {
    const data = join(dir, 'failing');
    const cluster = await startCluster({ dataDir: data, insecureHttp: true, workloads: { enabled: false } });
    const agent = new http.Agent({ keepAlive: false });
    const cm = (name: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name },
      data: { x: 'y'.repeat(2000) },
    });
    try {
      await cluster.settled();
      const path = '/api/v1/namespaces/default/configmaps';
      expect((await call(agent, cluster.url, 'POST', path, cm('before'))).status).toBe(201);
      await cluster.settled();
      // A file size limit at the WAL's current size makes the next COMMIT fail (EFBIG), as a full disk would.
      const ignore = () => {};
      process.on('SIGXFSZ', ignore);
      const wal = statSync(join(data, 'state.db-wal')).size;
      execFileSync('prlimit', ['--pid', String(process.pid), `--fsize=${wal}:`]);
      let outcome: unknown;
      try {
        outcome = await call(agent, cluster.url, 'POST', path, cm('lost')).then(
          (reply) => reply.status,
          (err: Error) => err.message,
        );
      } finally {
        execFileSync('prlimit', ['--pid', String(process.pid), '--fsize=unlimited:']);
        process.off('SIGXFSZ', ignore);
      }
      expect(outcome).toMatch(/socket hang up|ECONNRESET/);
      expect((await call(agent, cluster.url, 'GET', `${path}/lost`)).status).toBe(404);
      expect((await call(agent, cluster.url, 'POST', path, cm('after'))).status).toBe(201);
      expect((await call(agent, cluster.url, 'GET', `${path}/before`)).status).toBe(200);
    } finally {
      agent.destroy();
      await cluster.stop();
    }
  });
});
