import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitFixtureRepo, type GitHttpServer, startGitHttpServer } from '../harness/servers/git-http.js';
import { type ControllerEnv, conditionOf, eventually, startControllerEnv, waitForReady } from './support.js';

const GIT = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
const KS = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };

let env: ControllerEnv;
let server: GitHttpServer;
let repo: GitFixtureRepo;

function deployment(annotations: Record<string, string>): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: podinfo, namespace: default}
spec:
  progressDeadlineSeconds: 2
  selector: {matchLabels: {app: podinfo}}
  template:
    metadata: {labels: {app: podinfo}, annotations: ${JSON.stringify(annotations)}}
    spec:
      containers: [{name: podinfo, image: ghcr.io/stefanprodan/podinfo:6.0.0}]
`;
}

beforeAll(async () => {
  [env, server] = await Promise.all([startControllerEnv(), startGitHttpServer()]);
  repo = await server.createRepo('fleet');
  await repo.commit({
    'app/deployment.yaml': deployment({ 'sluice.dev/simulate-failure': 'ProgressDeadlineExceeded' }),
  });
  await env.kube.create({
    ...GIT,
    metadata: { name: 'fleet', namespace: 'default' },
    spec: { url: repo.url, interval: '1s', ref: { branch: 'master' } },
  });
  await waitForReady(env.kube, { ...GIT, namespace: 'default', name: 'fleet' }, 'True');
}, 60_000);

afterAll(async () => {
  await Promise.all([env?.stop(), server?.close()]);
});

describe('Kustomization health checks', () => {
  it('turns Ready=False with HealthCheckFailed naming the failing object, and recovers after a fixing commit', async () => {
    await env.kube.create({
      ...KS,
      metadata: { name: 'app', namespace: 'default' },
      spec: {
        interval: '1h',
        retryInterval: '1s',
        timeout: '20s',
        path: './app',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'fleet' },
        healthChecks: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo', namespace: 'default' }],
      },
    });
    const ref = { ...KS, namespace: 'default', name: 'app' };
    const failed = await waitForReady(env.kube, ref, 'False', undefined, 30_000);
    expect(conditionOf(failed, 'Ready')).toMatchObject({
      reason: 'HealthCheckFailed',
      message: expect.stringContaining('Deployment/default/podinfo'),
    });
    expect(conditionOf(failed, 'Healthy')).toMatchObject({ status: 'False', reason: 'HealthCheckFailed' });
    expect(failed.status?.lastAppliedRevision).toBeUndefined();
    const warning = await eventually(async () =>
      env.events.find((e) => e.involvedObject.name === 'app' && e.reason === 'HealthCheckFailed'),
    );
    expect(warning.severity).toBe('error');

    const commit = await repo.commit({ 'app/deployment.yaml': deployment({}) }, { message: 'Fix podinfo' });
    const healthy = await waitForReady(
      env.kube,
      ref,
      'True',
      (o) => o.status?.lastAppliedRevision === `master@sha1:${commit}`,
      30_000,
    );
    expect(conditionOf(healthy, 'Healthy')).toMatchObject({
      status: 'True',
      reason: 'Succeeded',
      message: expect.stringMatching(/^Health check passed in /),
    });
    await eventually(async () =>
      env.events.find(
        (e) => e.involvedObject.name === 'app' && e.message.startsWith('Health check passed in'),
      ),
    );
  });

  it('health-checks another Kustomization by its Ready condition', async () => {
    await env.kube.create({
      ...KS,
      metadata: { name: 'watcher', namespace: 'default' },
      spec: {
        interval: '1h',
        retryInterval: '1s',
        timeout: '10s',
        path: './app',
        prune: false,
        sourceRef: { kind: 'GitRepository', name: 'fleet' },
        healthChecks: [{ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', name: 'app' }],
      },
    });
    const ok = await waitForReady(
      env.kube,
      { ...KS, namespace: 'default', name: 'watcher' },
      'True',
      undefined,
      20_000,
    );
    expect(conditionOf(ok, 'Healthy')?.status).toBe('True');
  });
});
