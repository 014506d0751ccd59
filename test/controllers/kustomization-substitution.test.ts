import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitFixtureRepo, type GitHttpServer, startGitHttpServer } from '../harness/servers/git-http.js';
import { type ControllerEnv, conditionOf, eventually, startControllerEnv, waitForReady } from './support.js';

const GIT = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
const KS = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };

let env: ControllerEnv;
let server: GitHttpServer;
let repo: GitFixtureRepo;

beforeAll(async () => {
  [env, server] = await Promise.all([startControllerEnv(), startGitHttpServer()]);
  repo = await server.createRepo('fleet');
  await repo.commit({
    'app/config.yaml': `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: default}
data:
  env: \${cluster_env}
  region: \${region:=westeurope}
  token: \${token}
  greeting: \${greeting}
`,
  });
  await env.kube.create({
    ...GIT,
    metadata: { name: 'fleet', namespace: 'default' },
    spec: { url: repo.url, interval: '1s', ref: { branch: 'master' } },
  });
  await waitForReady(env.kube, { ...GIT, namespace: 'default', name: 'fleet' }, 'True');
  await env.kube.create({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'cluster-vars',
      namespace: 'default',
      labels: { 'reconcile.fluxcd.io/watch': 'Enabled' },
    },
    data: { cluster_env: 'staging', replicas: '3', greeting: 'from-configmap' },
  });
  await env.kube.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'cluster-secrets', namespace: 'default' },
    stringData: { token: 's3cr3t' },
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([env?.stop(), server?.close()]);
});

describe('Kustomization postBuild substitution', () => {
  it('substitutes variables from ConfigMaps, Secrets and the spec, skipping missing optional sources', async () => {
    await env.kube.create({
      ...KS,
      metadata: { name: 'app', namespace: 'default' },
      spec: {
        interval: '1h',
        path: './app',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'fleet' },
        postBuild: {
          substitute: { greeting: 'from-spec' },
          substituteFrom: [
            { kind: 'ConfigMap', name: 'cluster-vars' },
            { kind: 'Secret', name: 'cluster-secrets' },
            { kind: 'ConfigMap', name: 'not-there', optional: true },
          ],
        },
      },
    });
    await waitForReady(env.kube, { ...KS, namespace: 'default', name: 'app' }, 'True');
    const cm = await env.kube.get<
      { data: Record<string, string> } & import('../../src/kube/index.js').KubeObject
    >({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'settings' });
    expect(cm.data).toEqual({
      env: 'staging',
      region: 'westeurope',
      token: 's3cr3t',
      greeting: 'from-spec',
    });
  });

  it('follows a change of a watched ConfigMap without waiting for the interval', async () => {
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'settings' };
    await env.kube.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'cluster-vars' },
      { data: { cluster_env: 'production' } },
    );
    await eventually(
      async () => ((await env.kube.get(ref)) as { data?: Record<string, string> }).data?.env === 'production',
      10_000,
      'env=production',
    );
  });

  it('fails with BuildFailed naming a missing required source', async () => {
    await env.kube.create({
      ...KS,
      metadata: { name: 'missing', namespace: 'default' },
      spec: {
        interval: '1h',
        path: './app',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'fleet' },
        postBuild: { substituteFrom: [{ kind: 'ConfigMap', name: 'absent-vars' }] },
      },
    });
    const obj = await waitForReady(env.kube, { ...KS, namespace: 'default', name: 'missing' }, 'False');
    expect(conditionOf(obj, 'Ready')).toMatchObject({
      reason: 'BuildFailed',
      message: "substitute from 'ConfigMap/absent-vars' error: ConfigMap/default/absent-vars not found",
    });
  });
});
