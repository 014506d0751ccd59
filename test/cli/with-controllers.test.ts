import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, runCli } from './support.js';

/**
 * The commands against the real controllers: `sluice up` runs the embedded cluster, the controllers and the
 * example fleet, and the CLI finds it through the fallback (no kubeconfig anywhere).
 */
describe('sluice CLI against sluice up and its controllers', { timeout: 120_000 }, () => {
  let home: string;
  let child: ChildProcess | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    await ensureBuilt();
    home = await mkdtemp(join(tmpdir(), 'sluice-cli-up-'));
    env = { HOME: home, XDG_DATA_HOME: join(home, 'data') };
    const proc = spawn(process.execPath, [join(ROOT, 'bin', 'sluice.js'), 'up'], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...env,
        KUBECONFIG: '',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_AUTHOR_NAME: 'Test',
        GIT_AUTHOR_EMAIL: 'test@example.com',
        GIT_COMMITTER_NAME: 'Test',
        GIT_COMMITTER_EMAIL: 'test@example.com',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`sluice up did not deliver the fleet:\n${out}`)),
        100_000,
      );
      const onData = (c: Buffer) => {
        out += c.toString();
        if (/Kustomization\/flux-system\/apps applied revision/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.on('exit', (code) => reject(new Error(`sluice up exited ${code}:\n${out}`)));
    });
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('get all shows the fleet Ready, found through the embedded cluster fallback', async () => {
    const r = await runCli(['get', 'all'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('using the embedded cluster of sluice up');
    expect(r.stdout).toMatch(
      /^kustomization\/apps\s+main@sha1:[0-9a-f]{40}\s+False\s+True\s+Applied revision/m,
    );
    expect(r.stdout).toMatch(/^gitrepository\/fleet\s+main@sha1:[0-9a-f]{40}\s+False\s+True/m);
  });

  it('reconcile ks --with-source waits for both controllers', async () => {
    const r = await runCli(['reconcile', 'ks', 'apps', '--with-source', '--timeout', '60s'], { env });
    expect(r.stderr).toMatch(/✔ fetched revision main@sha1:[0-9a-f]{40}/);
    expect(r.stderr).toMatch(/✔ applied revision main@sha1:[0-9a-f]{40}/);
    expect(r.code).toBe(0);
  });

  it('diff of the checked-out fleet against what the controller applied finds nothing, and a local edit drifts', async () => {
    const fleet = join(env.XDG_DATA_HOME!, 'sluice', 'cluster', 'fleet');
    const clean = await runCli(['diff', 'ks', 'apps', '--path', join(fleet, 'apps', 'dev')], { env });
    expect(clean.stdout).toBe('');
    expect(clean.code).toBe(0);
    const file = join(fleet, 'apps', 'base', 'deployment.yaml');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace(/replicas: \d+/, 'replicas: 3'));
    try {
      const drifted = await runCli(['diff', 'ks', 'apps', '--path', join(fleet, 'apps', 'dev')], { env });
      expect(drifted.stdout).toContain('► Deployment/podinfo/podinfo drifted');
      expect(drifted.stdout).toContain('+  replicas: 3');
      expect(drifted.code).toBe(1);
    } finally {
      await writeFile(file, original);
    }
  });

  it('tree, trace and suspend/resume work on what the controllers delivered', async () => {
    const tree = await runCli(['tree', 'ks', 'apps'], { env });
    expect(tree.stdout).toContain('Deployment/podinfo/podinfo');
    const trace = await runCli(['trace', 'deployment', 'podinfo', '-n', 'podinfo'], { env });
    expect(trace.stdout).toContain('Kustomization: apps');
    expect(trace.stdout).toContain('GitRepository: fleet');
    expect((await runCli(['suspend', 'ks', 'apps'], { env })).code).toBe(0);
    const resumed = await runCli(['resume', 'ks', 'apps', '--timeout', '60s'], { env });
    expect(resumed.stderr).toContain('✔ Kustomization reconciliation completed');
    expect(resumed.code).toBe(0);
  });
});
