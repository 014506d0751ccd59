import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTool } from '../../src/tools/index.js';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'sluice.js');

interface Started {
  child: ChildProcess;
  url: string;
  kubeconfig: string;
  exited: Promise<number | null>;
}

function start(args: string[], env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, [BIN, 'cluster', 'start', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const match = /^sluice cluster listening on (\S+), kubeconfig (\S+)\n/.exec(out);
      if (match) resolvePromise({ child, url: match[1]!, kubeconfig: match[2]!, exited });
    });
    exited.then((code) => reject(new Error(`sluice cluster start exited ${code}: ${err}${out}`)));
    setTimeout(() => reject(new Error(`sluice cluster start printed nothing: ${err}${out}`)), 20_000);
  });
}

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
