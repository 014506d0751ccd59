import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliCluster, ensureBuilt, ROOT, startCliCluster } from './support.js';

function sluice(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin', 'sluice.js'), ...args],
      { env: { PATH: process.env.PATH, ...env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('sluice check, and the CLI as a process', () => {
  let cc: CliCluster;

  beforeAll(async () => {
    await Promise.all([ensureBuilt(), startCliCluster().then((c) => (cc = c))]);
  }, 180_000);

  afterAll(async () => {
    await cc?.stop();
  });

  it('check --pre checks only the cluster and its version', async () => {
    const r = await cc.run(['check', '--pre']);
    expect(r.code).toBe(0);
    expect(r.stderr.replace(/Kubernetes \S+ /, 'Kubernetes X ')).toMatchInlineSnapshot(`
      "► checking prerequisites
      ✔ Kubernetes X >=1.30.0-0
      ✔ prerequisites checks passed
      "
    `);
  });

  it('check lists every CRD as established', async () => {
    const r = await cc.run(['check']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('✔ kustomizations.kustomize.toolkit.fluxcd.io/v1');
    expect(r.stderr).toContain('✔ helmreleases.helm.toolkit.fluxcd.io/v2');
    expect(r.stderr).toMatch(/✔ all checks passed\n$/);
  });

  it('check fails when the cluster is unreachable', async () => {
    const { writeFile } = await import('node:fs/promises');
    const kubeconfig = join(cc.home, 'dead-kubeconfig');
    await writeFile(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{name: dead, cluster: {server: 'http://127.0.0.1:1'}}]
users: [{name: u, user: {}}]
contexts: [{name: dead, context: {cluster: dead, user: u}}]
current-context: dead
`,
    );
    const r = await cc.run(['check', '--kubeconfig', kubeconfig, '--timeout', '2s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('✗ Kubernetes API at http://127.0.0.1:1 is not reachable');
  });

  it('runs as a process: help lists the flux verbs, get prints a table, diff errors exit 2', async () => {
    const env = { HOME: cc.home, KUBECONFIG: cc.c.kubeconfigPath };
    const help = await sluice(['--help'], env);
    expect(help.code).toBe(0);
    for (const verb of [
      'get',
      'reconcile',
      'suspend',
      'resume',
      'create',
      'export',
      'delete',
      'tree',
      'events',
      'trace',
      'check',
      'build',
      'diff',
    ]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${verb}\\b`, 'm'));
    }
    const sub = await sluice(['reconcile', 'hr', '--help'], env);
    expect(sub.stdout).toContain('--with-source');
    expect(sub.stdout).toContain('--force');
    const get = await sluice(['get', 'sources', 'all', '-A'], env);
    expect(get.code).toBe(0);
    expect(get.stderr).toContain('no objects found in any namespace');
    const diff = await sluice(['diff', 'ks', 'x', '--path', '/nonexistent'], env);
    expect(diff.code).toBe(2);
    expect(diff.stderr).toContain('✗ Flag --path /nonexistent is invalid');
  }, 60_000);
});
