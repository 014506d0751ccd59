import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/index.js';
import { type GitFixtureRepo, type GitHttpServer, startGitHttpServer } from '../harness/servers/git-http.js';
import { type ControllerEnv, eventually, startControllerEnv, waitForReady } from './support.js';

const GIT = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
const KS = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };

type Deployment = KubeObject & { spec: { replicas: number } };

let env: ControllerEnv;
let server: GitHttpServer;
let repo: GitFixtureRepo;

beforeAll(async () => {
  [env, server] = await Promise.all([startControllerEnv(), startGitHttpServer()]);
  repo = await server.createRepo('fleet');
  await repo.commit({
    'app/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: podinfo, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: podinfo}}
  template:
    metadata: {labels: {app: podinfo}}
    spec:
      containers: [{name: podinfo, image: ghcr.io/stefanprodan/podinfo:6.0.0}]
`,
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

describe('Kustomization drift correction', () => {
  it('reverts a manual kubectl edit of a managed field on the next reconcile', async () => {
    await env.kube.create({
      ...KS,
      metadata: { name: 'app', namespace: 'default' },
      spec: {
        interval: '1s',
        path: './app',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'fleet' },
      },
    });
    await waitForReady(env.kube, { ...KS, namespace: 'default', name: 'app' }, 'True');
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'podinfo' };
    const seen = env.events.length;
    await env.cluster.kubectlOk(['scale', 'deployment/podinfo', '-n', 'default', '--replicas=5']);
    expect((await env.kube.get<Deployment>(ref)).spec.replicas).toBe(5);
    await eventually(
      async () => (await env.kube.get<Deployment>(ref)).spec.replicas === 2,
      10_000,
      'replicas back at 2',
    );
    const event = await eventually(async () =>
      env.events.slice(seen).find((e) => e.involvedObject.name === 'app' && e.message.includes('configured')),
    );
    expect(event.message).toBe('Deployment/default/podinfo configured');

    // A label edit with kubectl edit-style update of a managed field is reverted too.
    await env.cluster.kubectlOk([
      'patch',
      'deployment/podinfo',
      '-n',
      'default',
      '--type=merge',
      '-p',
      '{"metadata":{"labels":{"kustomize.toolkit.fluxcd.io/name":"someone-else"}}}',
    ]);
    await eventually(
      async () => (await env.kube.get(ref)).metadata.labels?.['kustomize.toolkit.fluxcd.io/name'] === 'app',
      10_000,
      'owner label restored',
    );
  });
});
