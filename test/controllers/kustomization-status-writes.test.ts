import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/kube/index.js';
import { type GitFixtureRepo, type GitHttpServer, startGitHttpServer } from '../harness/servers/git-http.js';
import { type ControllerEnv, conditionOf, type Source, startControllerEnv, waitForReady } from './support.js';

const GIT = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
const KS = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };

let server: GitHttpServer;
let repo: GitFixtureRepo;

beforeAll(async () => {
  server = await startGitHttpServer();
  repo = await server.createRepo('writes');
  await repo.commit({
    'apps/config.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: default}\ndata: {k: v}\n',
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

/** Creates a source and a Kustomization, and returns every version of the Kustomization until it is Ready. */
async function deliver(
  kube: KubeClient,
  name: string,
  spec: Record<string, unknown> = {},
): Promise<{ versions: Source[]; ready: Source }> {
  await kube.create({
    ...GIT,
    metadata: { name, namespace: 'default' },
    spec: { url: repo.url, interval: '1m', ref: { branch: 'master' } },
  });
  await waitForReady(kube, { ...GIT, namespace: 'default', name }, 'True');
  const abort = new AbortController();
  const list = await kube.list(KS, { namespace: 'default' });
  const versions: Source[] = [];
  const watching = (async () => {
    for await (const e of kube.watch<Source>(KS, {
      namespace: 'default',
      fieldSelector: `metadata.name=${name}`,
      resourceVersion: list.metadata.resourceVersion ?? '0',
      signal: abort.signal,
    })) {
      if (e.type !== 'BOOKMARK') versions.push(e.object);
    }
  })().catch(() => undefined);
  await kube.create({
    ...KS,
    metadata: { name, namespace: 'default' },
    spec: {
      interval: '10m',
      path: './apps',
      prune: true,
      sourceRef: { kind: 'GitRepository', name },
      ...spec,
    },
  });
  const ready = await waitForReady(kube, { ...KS, namespace: 'default', name }, 'True');
  await new Promise((r) => setTimeout(r, 300));
  abort.abort();
  await watching;
  return { versions, ready };
}

const statusWrites = (versions: Source[]) =>
  versions.filter((v, i) => i > 0 && JSON.stringify(v.status) !== JSON.stringify(versions[i - 1]?.status));

describe('Kustomization status writes', () => {
  it('a first apply faster than the progress delay writes the finalizer and then its status once', async () => {
    const env: ControllerEnv = await startControllerEnv({ progressDelayMs: 60_000 });
    try {
      const { versions, ready } = await deliver(env.kube, 'fast');
      expect(versions.length).toBe(3);
      expect(versions[1]?.metadata.finalizers).toEqual(['finalizers.fluxcd.io']);
      expect(statusWrites(versions)).toHaveLength(1);
      expect(conditionOf(ready, 'Reconciling')).toBeUndefined();
      expect(conditionOf(ready, 'Ready')).toMatchObject({ reason: 'ReconciliationSucceeded' });
      expect(ready.status?.lastAppliedRevision).toMatch(/^master@sha1:/);
      expect(ready.status?.inventory).toEqual({ entries: [{ id: 'default_app__ConfigMap', v: 'v1' }] });

      const waited = await deliver(env.kube, 'fast-wait', { wait: true });
      expect(statusWrites(waited.versions)).toHaveLength(1);
      expect(conditionOf(waited.ready, 'Healthy')).toMatchObject({ status: 'True', reason: 'Succeeded' });
      expect(conditionOf(waited.ready, 'Reconciling')).toBeUndefined();
      // One Kubernetes Event (the change set); notifications also hear that health checks passed.
      const written = await env.kube.list({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'default' });
      const mine = written.items.filter((e) => {
        const involved = (e as { involvedObject?: { kind?: string; name?: string } }).involvedObject;
        return involved?.kind === 'Kustomization' && involved.name === 'fast-wait';
      });
      expect(mine.map((e) => (e as { message?: string }).message)).toEqual([
        expect.stringMatching(/^ConfigMap\/default\/app configured|^ConfigMap\/default\/app created/),
      ]);
      expect(
        env.events.some(
          (e) => e.involvedObject.name === 'fast-wait' && e.message.startsWith('Health check passed'),
        ),
      ).toBe(true);
    } finally {
      await env.stop();
    }
  }, 60_000);

  it('a reconcile slower than the progress delay writes its progress first, then the same final status', async () => {
    const env: ControllerEnv = await startControllerEnv({ progressDelayMs: 0 });
    try {
      const { versions, ready } = await deliver(env.kube, 'slow');
      const writes = statusWrites(versions);
      expect(writes.length).toBeGreaterThanOrEqual(2);
      expect(conditionOf(writes[0], 'Reconciling')?.message).toMatch(
        /^Fetching manifests for revision master@sha1:/,
      );
      expect(conditionOf(ready, 'Reconciling')).toBeUndefined();
      expect(conditionOf(ready, 'Ready')).toMatchObject({ reason: 'ReconciliationSucceeded' });
      expect(ready.status?.lastAppliedRevision).toMatch(/^master@sha1:/);
      expect(ready.status?.observedGeneration).toBe(ready.metadata.generation);
    } finally {
      await env.stop();
    }
  }, 60_000);
});
