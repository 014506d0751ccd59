import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitFixtureRepo, type GitHttpServer, startGitHttpServer } from '../harness/servers/git-http.js';
import { type ControllerEnv, eventually, startControllerEnv, waitForReady } from './support.js';

const GIT = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
const KS = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };
const CM = { apiVersion: 'v1', kind: 'ConfigMap' };

let env: ControllerEnv;
let server: GitHttpServer;
let repo: GitFixtureRepo;

beforeAll(async () => {
  [env, server] = await Promise.all([startControllerEnv(), startGitHttpServer()]);
  repo = await server.createRepo('fleet');
  const files: Record<string, string> = {};
  for (const name of ['prune', 'mirror', 'delete', 'orphan']) {
    files[`${name}/cm.yaml`] =
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}-cm, namespace: default}\ndata: {k: v}\n`;
  }
  await repo.commit(files);
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

describe('Kustomization deletion', () => {
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['prune', { prune: true }, false],
    ['mirror', { prune: false }, true],
    ['delete', { prune: false, deletionPolicy: 'Delete' }, false],
    ['orphan', { prune: true, deletionPolicy: 'Orphan' }, true],
  ];
  it.each(cases)('deleting Kustomization %s (%o) leaves its objects: %s', async (name, spec, kept) => {
    await env.kube.create({
      ...KS,
      metadata: { name, namespace: 'default' },
      spec: {
        interval: '1h',
        path: `./${name}`,
        sourceRef: { kind: 'GitRepository', name: 'fleet' },
        ...spec,
      },
    });
    const ref = { ...KS, namespace: 'default', name };
    await waitForReady(env.kube, ref, 'True');
    const cm = { ...CM, namespace: 'default', name: `${name}-cm` };
    expect(await env.kube.tryGet(cm)).toBeDefined();
    await env.kube.delete(ref);
    await eventually(async () => (await env.kube.tryGet(ref)) === undefined, 10_000, `${name} gone`);
    if (kept) {
      expect(await env.kube.tryGet(cm)).toBeDefined();
    } else {
      await eventually(async () => (await env.kube.tryGet(cm)) === undefined, 10_000, `${name}-cm gone`);
      const event = env.events.find((e) => e.involvedObject.name === name && e.message.includes('deleted'));
      expect(event?.message).toBe(`ConfigMap/default/${name}-cm deleted`);
    }
  });
});
