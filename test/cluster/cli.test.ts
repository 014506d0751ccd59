import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTool } from '../../src/tools/index.js';
import { startClusterProcess } from '../harness/cluster.js';

const start = startClusterProcess;

describe('sluice cluster start', () => {
  let dir: string;
  let kubectlPath: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-cli-cluster-'));
    kubectlPath = await resolveTool('kubectl', { skipPath: true });
    env = { ...process.env, HOME: join(dir, 'home'), XDG_DATA_HOME: join(dir, 'xdg') };
    delete env.KUBECONFIG;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const kubectl = (kubeconfig: string, args: string[]) =>
    new Promise<string>((resolvePromise, reject) => {
      execFile(
        kubectlPath,
        ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args],
        { env, timeout: 30_000 },
        (error, stdout, stderr) => (error ? reject(new Error(`${stderr}${stdout}`)) : resolvePromise(stdout)),
      );
    });

  it('prints one line, serves HTTPS with a token, stops on SIGTERM and keeps state across restarts', async () => {
    const data = join(dir, 'state');
    const first = await start(['--data-dir', data, '--port', '0'], env);
    expect(first.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(first.kubeconfig).toBe(join(data, 'kubeconfig'));
    await kubectl(first.kubeconfig, ['create', 'configmap', 'kept', '--from-literal=a=b']);
    const before = JSON.parse(await kubectl(first.kubeconfig, ['get', 'cm', 'kept', '-o', 'json']));
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await start(['--data-dir', data, '--port', '0'], env);
    const after = JSON.parse(await kubectl(second.kubeconfig, ['get', 'cm', 'kept', '-o', 'json']));
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.data).toEqual({ a: 'b' });
    await kubectl(second.kubeconfig, ['create', 'configmap', 'newer']);
    const newer = JSON.parse(await kubectl(second.kubeconfig, ['get', 'cm', 'newer', '-o', 'json']));
    expect(Number(newer.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    expect(existsSync(join(dir, 'home', '.kube', 'config'))).toBe(false);
  });

  it('uses the data directory under the user data home by default, and serves plain HTTP on request', async () => {
    const kubeconfig = join(dir, 'custom', 'kubeconfig.yaml');
    const started = await start(['--port', '0', '--insecure-http', '--kubeconfig', kubeconfig], env);
    try {
      expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(started.kubeconfig).toBe(kubeconfig);
      expect(existsSync(join(dir, 'xdg', 'sluice', 'cluster', 'state.db'))).toBe(true);
      expect(await kubectl(kubeconfig, ['get', 'namespaces', '-o', 'name'])).toContain(
        'namespace/kube-system',
      );
    } finally {
      started.child.kill('SIGTERM');
      await started.exited;
    }
  });
});
