import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/index.js';
import { type GitFixtureRepo, type GitHttpServer, startGitHttpServer } from '../harness/servers/git-http.js';
import {
  type ControllerEnv,
  conditionOf,
  eventually,
  type Source,
  startControllerEnv,
  waitForReady,
} from './support.js';

const GIT = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
const KS = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };

let env: ControllerEnv;
let server: GitHttpServer;
let repo: GitFixtureRepo;

beforeAll(async () => {
  [env, server] = await Promise.all([startControllerEnv(), startGitHttpServer()]);
  repo = await server.createRepo('fleet');
  await repo.commit({
    'infra/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: infra}\n',
    // Slow to become ready, so that the wait is visible.
    'infra/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ingress
  namespace: infra
  annotations: {sluice.dev/simulate-delay: 3s}
spec:
  selector: {matchLabels: {app: ingress}}
  template:
    metadata: {labels: {app: ingress}, annotations: {sluice.dev/simulate-delay: 3s}}
    spec:
      containers: [{name: ingress, image: nginx}]
`,
    'apps/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: infra}\n',
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

describe('Kustomization dependsOn', () => {
  it('holds apps with DependencyNotReady until infra is Ready, then applies it', async () => {
    const source = { kind: 'GitRepository', name: 'fleet' };
    await env.kube.create({
      ...KS,
      metadata: { name: 'apps', namespace: 'default' },
      spec: {
        interval: '1h',
        path: './apps',
        prune: true,
        sourceRef: source,
        dependsOn: [{ name: 'infra' }],
      },
    });
    const apps = { ...KS, namespace: 'default', name: 'apps' };
    const waiting = await waitForReady(env.kube, apps, 'False');
    expect(conditionOf(waiting, 'Ready')).toMatchObject({
      reason: 'DependencyNotReady',
      message: expect.stringContaining("unable to get 'default/infra' dependency"),
    });
    await env.kube.create({
      ...KS,
      metadata: { name: 'infra', namespace: 'default' },
      spec: { interval: '1h', path: './infra', prune: true, wait: true, timeout: '30s', sourceRef: source },
    });
    const held = await waitForReady(env.kube, apps, 'False', (o) =>
      (conditionOf(o, 'Ready')?.message ?? '').includes("dependency 'default/infra' is not ready"),
    );
    expect(conditionOf(held, 'Ready')?.reason).toBe('DependencyNotReady');
    expect(
      await env.kube.tryGet({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'infra', name: 'app' }),
    ).toBeUndefined();

    const infra = await waitForReady(
      env.kube,
      { ...KS, namespace: 'default', name: 'infra' },
      'True',
      undefined,
      30_000,
    );
    const ready = await waitForReady(env.kube, apps, 'True', undefined, 10_000);
    expect(ready.status?.lastAppliedRevision).toBe(infra.status?.lastAppliedRevision);
    expect(
      await env.kube.tryGet({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'infra', name: 'app' }),
    ).toBeDefined();
    // The dependent went ahead when infra became Ready, without waiting for its one-hour interval.
    const readyAt = Date.parse(conditionOf(ready, 'Ready')?.lastTransitionTime ?? '');
    const infraAt = Date.parse(conditionOf(infra, 'Ready')?.lastTransitionTime ?? '');
    expect(readyAt - infraAt).toBeLessThan(5_000);
    const event = await eventually(async () =>
      env.events.find((e) => e.involvedObject.name === 'apps' && e.reason === 'DependencyNotReady'),
    );
    expect(event.severity).toBe('info');
  });

  it('accepts a HelmRelease as a dependency', async () => {
    await env.kube.create({
      ...KS,
      metadata: { name: 'after-release', namespace: 'default' },
      spec: {
        interval: '1h',
        path: './apps',
        prune: false,
        sourceRef: { kind: 'GitRepository', name: 'fleet' },
        dependsOn: [{ name: 'podinfo', kind: 'HelmRelease' }],
      },
    });
    const obj = await waitForReady(env.kube, { ...KS, namespace: 'default', name: 'after-release' }, 'False');
    expect(conditionOf(obj as Source, 'Ready')?.message).toContain(
      "unable to get 'default/podinfo' dependency: HelmRelease/default/podinfo not found",
    );
    // Suspended, so that the HelmRelease controller leaves the status written here alone.
    const hr = await env.kube.create<KubeObject>({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'podinfo', namespace: 'default' },
      spec: {
        interval: '1h',
        suspend: true,
        chart: { spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } },
      },
    });
    await env.kube.patchStatus(
      { apiVersion: hr.apiVersion, kind: hr.kind, namespace: 'default', name: 'podinfo' },
      {
        status: {
          observedGeneration: hr.metadata.generation,
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'InstallSucceeded',
              message: 'Helm install succeeded',
              lastTransitionTime: new Date().toISOString(),
            },
          ],
        },
      },
    );
    await waitForReady(
      env.kube,
      { ...KS, namespace: 'default', name: 'after-release' },
      'True',
      undefined,
      10_000,
    );
  });
});
