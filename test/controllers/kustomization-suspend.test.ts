import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitFixtureRepo, type GitHttpServer, startGitHttpServer } from '../harness/servers/git-http.js';
import { type ControllerEnv, type Source, startControllerEnv, waitForReady } from './support.js';

const GIT = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
const KS = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };
const CM = { apiVersion: 'v1', kind: 'ConfigMap' };

let env: ControllerEnv;
let server: GitHttpServer;
let repo: GitFixtureRepo;

beforeAll(async () => {
  [env, server] = await Promise.all([startControllerEnv(), startGitHttpServer()]);
  repo = await server.createRepo('fleet');
  await repo.commit({
    'app/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\n',
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Kustomization suspend', () => {
  it('does nothing while suspended, handles reconcile requests, and catches up when resumed', async () => {
    await env.kube.create({
      ...KS,
      metadata: {
        name: 'app',
        namespace: 'default',
        annotations: { 'reconcile.fluxcd.io/requestedAt': 'first' },
      },
      spec: {
        interval: '1s',
        path: './app',
        prune: true,
        suspend: true,
        sourceRef: { kind: 'GitRepository', name: 'fleet' },
      },
    });
    const ref = { ...KS, namespace: 'default', name: 'app' };
    await sleep(3_000);
    const suspended = await env.kube.get<Source>(ref);
    expect(suspended.status?.lastHandledReconcileAt).toBe('first');
    expect(suspended.status?.conditions ?? []).toEqual([]);
    expect(suspended.status?.inventory).toBeUndefined();
    expect(await env.kube.tryGet({ ...CM, namespace: 'default', name: 'a' })).toBeUndefined();
    expect(env.events.filter((e) => e.involvedObject.kind === 'Kustomization')).toEqual([]);

    await env.kube.patch(ref, { spec: { suspend: false } });
    await waitForReady(env.kube, ref, 'True');
    expect(await env.kube.tryGet({ ...CM, namespace: 'default', name: 'a' })).toBeDefined();

    // Suspended again: a deleted object stays deleted.
    await env.kube.patch(ref, { spec: { suspend: true } });
    await sleep(1_500);
    await env.kube.delete({ ...CM, namespace: 'default', name: 'a' });
    await sleep(3_000);
    expect(await env.kube.tryGet({ ...CM, namespace: 'default', name: 'a' })).toBeUndefined();
  });
});
