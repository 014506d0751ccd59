import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitFixtureRepo, type GitHttpServer, startGitHttpServer } from '../harness/servers/git-http.js';
import { type ControllerEnv, eventually, startControllerEnv, waitForReady } from './support.js';

const GIT = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
const KS = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };
const CM = { apiVersion: 'v1', kind: 'ConfigMap' };

let env: ControllerEnv;
let server: GitHttpServer;
let repo: GitFixtureRepo;

function configMap(name: string, annotations: Record<string, string> = {}): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\n  annotations: ${JSON.stringify(annotations)}\ndata: {k: v}\n`;
}

beforeAll(async () => {
  [env, server] = await Promise.all([startControllerEnv(), startGitHttpServer()]);
  repo = await server.createRepo('fleet');
  await repo.commit({
    'cms/a.yaml': configMap('a'),
    'cms/b.yaml': configMap('b'),
    'cms/keep.yaml': configMap('keep', { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' }),
    'cms/taken.yaml': configMap('taken'),
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

describe('Kustomization prune', () => {
  it('deletes what left the source, keeping prune-disabled objects and objects another Kustomization owns', async () => {
    // A long interval: the Kustomization runs when the source has a new artifact, and not in between.
    await env.kube.create({
      ...KS,
      metadata: { name: 'cms', namespace: 'default' },
      spec: {
        interval: '1h',
        path: './cms',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'fleet' },
      },
    });
    const ref = { ...KS, namespace: 'default', name: 'cms' };
    await waitForReady(env.kube, ref, 'True');
    // Another Kustomization has taken this object over.
    await env.kube.patch(
      { ...CM, namespace: 'default', name: 'taken' },
      { metadata: { labels: { 'kustomize.toolkit.fluxcd.io/name': 'other' } } },
      { type: 'merge' },
    );
    const seen = env.events.length;
    const commit = await repo.commit(
      { 'cms/b.yaml': null, 'cms/keep.yaml': null, 'cms/taken.yaml': null },
      { message: 'Remove b' },
    );
    const ks = await waitForReady(
      env.kube,
      ref,
      'True',
      (o) => o.status?.lastAppliedRevision === `master@sha1:${commit}`,
    );
    expect(ks.status?.inventory).toEqual({ entries: [{ id: 'default_a__ConfigMap', v: 'v1' }] });
    expect(await env.kube.tryGet({ ...CM, namespace: 'default', name: 'b' })).toBeUndefined();
    expect(await env.kube.tryGet({ ...CM, namespace: 'default', name: 'keep' })).toBeDefined();
    expect(await env.kube.tryGet({ ...CM, namespace: 'default', name: 'taken' })).toBeDefined();
    const event = await eventually(async () =>
      env.events.slice(seen).find((e) => e.involvedObject.name === 'cms' && e.message.includes('deleted')),
    );
    expect(event.message).toBe('ConfigMap/default/b deleted');
  });

  it('keeps what left the source when prune is false', async () => {
    await repo.commit({ 'loose/x.yaml': configMap('x'), 'loose/y.yaml': configMap('y') });
    await env.kube.create({
      ...KS,
      metadata: { name: 'loose', namespace: 'default' },
      spec: {
        interval: '1h',
        path: './loose',
        prune: false,
        sourceRef: { kind: 'GitRepository', name: 'fleet' },
      },
    });
    const ref = { ...KS, namespace: 'default', name: 'loose' };
    await waitForReady(
      env.kube,
      ref,
      'True',
      (o) => (o.status?.inventory as { entries: unknown[] } | undefined)?.entries.length === 2,
    );
    const commit = await repo.commit({ 'loose/y.yaml': null });
    const ks = await waitForReady(
      env.kube,
      ref,
      'True',
      (o) => o.status?.lastAppliedRevision === `master@sha1:${commit}`,
    );
    expect(ks.status?.inventory).toEqual({ entries: [{ id: 'default_x__ConfigMap', v: 'v1' }] });
    expect(await env.kube.tryGet({ ...CM, namespace: 'default', name: 'y' })).toBeDefined();
  });
});
