import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTool } from '../../src/tools/index.js';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';

describe('helm 4.1 against the embedded cluster', () => {
  let c: TestCluster;
  let helmPath: string;
  beforeAll(async () => {
    c = await startTestCluster();
    helmPath = await resolveTool('helm', { skipPath: true });
  });
  afterAll(async () => {
    await c?.stop();
  });

  const helm = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile(
        helmPath,
        args,
        {
          cwd: c.dir,
          timeout: 60_000,
          env: {
            ...process.env,
            KUBECONFIG: c.kubeconfigPath,
            HELM_CACHE_HOME: join(c.dir, 'helm-cache'),
            HELM_CONFIG_HOME: join(c.dir, 'helm-config'),
            HELM_DATA_HOME: join(c.dir, 'helm-data'),
          },
        },
        (err, stdout, stderr) =>
          err ? reject(new Error(`helm ${args.join(' ')}: ${stderr}${stdout}`)) : resolve(stdout),
      );
    });

  it('installs, upgrades and uninstalls a chart with server-side apply and release Secrets', async () => {
    await helm(['create', 'demo-chart']);
    expect(await helm(['install', 'demo', './demo-chart', '-n', 'default'])).toContain('STATUS: deployed');
    expect(await c.kubectlOk(['get', 'deploy', 'demo-demo-chart', '-o', 'jsonpath={.spec.replicas}'])).toBe(
      '1',
    );
    await helm(['upgrade', 'demo', './demo-chart', '--set', 'replicaCount=2']);
    expect(await c.kubectlOk(['get', 'deploy', 'demo-demo-chart', '-o', 'jsonpath={.spec.replicas}'])).toBe(
      '2',
    );
    const secrets = await c.kubectlOk(['get', 'secrets', '-l', 'owner=helm', '-o', 'name']);
    expect(secrets.trim().split('\n')).toEqual([
      'secret/sh.helm.release.v1.demo.v1',
      'secret/sh.helm.release.v1.demo.v2',
    ]);
    await helm(['uninstall', 'demo']);
    // What is left is what the cluster itself keeps in the namespace.
    expect(await c.kubectlOk(['get', 'deploy,svc,sa,secrets', '-o', 'name'])).toBe(
      'service/kubernetes\nserviceaccount/default\n',
    );
  });
});
