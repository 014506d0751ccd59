import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitFixtureRepo, type GitHttpServer, startGitHttpServer } from '../harness/servers/git-http.js';
import { type ControllerEnv, conditionOf, startControllerEnv, waitForReady } from './support.js';

const GIT = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
const KS = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };

let env: ControllerEnv;
let server: GitHttpServer;
let repo: GitFixtureRepo;

const cm = (name: string, namespace = 'default') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: ${namespace}}\ndata: {k: v}\n`;

beforeAll(async () => {
  [env, server] = await Promise.all([startControllerEnv(), startGitHttpServer()]);
  repo = await server.createRepo('fleet');
  await repo.commit({
    'broken-kustomization/kustomization.yaml': 'resources: [missing.yaml]\n',
    'invalid-manifest/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n  bad: [\n',
    'unknown-kind/widget.yaml':
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: default}\n',
    'missing-namespace/cm.yaml': cm('lost', 'nowhere'),
    'good/cm.yaml': cm('good'),
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

async function kustomization(name: string, spec: Record<string, unknown> = {}) {
  await env.kube.create({
    ...KS,
    metadata: { name, namespace: 'default' },
    spec: {
      interval: '1h',
      retryInterval: '1s',
      path: `./${name}`,
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'fleet' },
      ...spec,
    },
  });
}

describe('Kustomization bad input', () => {
  it('reports each broken path on its own Ready condition while the others keep working', async () => {
    for (const name of [
      'broken-kustomization',
      'invalid-manifest',
      'unknown-kind',
      'missing-namespace',
      'good',
    ]) {
      await kustomization(name);
    }
    const ready = (name: string, status: 'True' | 'False') =>
      waitForReady(env.kube, { ...KS, namespace: 'default', name }, status);
    const [broken, invalid, unknown, missing, good] = await Promise.all([
      ready('broken-kustomization', 'False'),
      ready('invalid-manifest', 'False'),
      ready('unknown-kind', 'False'),
      ready('missing-namespace', 'False'),
      ready('good', 'True'),
    ]);
    expect(conditionOf(broken, 'Ready')).toMatchObject({
      reason: 'BuildFailed',
      message: expect.stringMatching(
        /broken-kustomization.*missing\.yaml|missing\.yaml.*broken-kustomization/,
      ),
    });
    expect(conditionOf(invalid, 'Ready')).toMatchObject({
      reason: 'BuildFailed',
      message: expect.stringContaining('invalid-manifest/cm.yaml'),
    });
    expect(conditionOf(unknown, 'Ready')).toMatchObject({
      reason: 'ReconciliationFailed',
      message: expect.stringContaining('Widget/default/w'),
    });
    expect(conditionOf(missing, 'Ready')).toMatchObject({
      reason: 'ReconciliationFailed',
      message: expect.stringContaining('ConfigMap/nowhere/lost'),
    });
    expect(conditionOf(missing, 'Ready')?.message).toContain('nowhere');
    expect(conditionOf(good, 'Ready')?.reason).toBe('ReconciliationSucceeded');
    for (const obj of [broken, invalid, unknown, missing]) {
      expect(obj.status?.lastAttemptedRevision).toBe(good.status?.lastAppliedRevision);
      expect(obj.status?.lastAppliedRevision).toBeUndefined();
      expect(conditionOf(obj, 'Reconciling')?.reason).toBe('ProgressingWithRetry');
    }
  });

  it('refuses fields that are not supported yet with a Stalled condition naming them', async () => {
    await kustomization('tenant', { path: './good', serviceAccountName: 'tenant-sa' });
    const obj = await waitForReady(env.kube, { ...KS, namespace: 'default', name: 'tenant' }, 'False');
    expect(conditionOf(obj, 'Ready')).toMatchObject({
      reason: 'UnsupportedField',
      message: 'spec.serviceAccountName is not supported yet: remove it from the Kustomization',
    });
    expect(conditionOf(obj, 'Stalled')?.status).toBe('True');
  });

  it('names a path that does not exist', async () => {
    await kustomization('nowhere', { path: './does/not/exist' });
    const obj = await waitForReady(env.kube, { ...KS, namespace: 'default', name: 'nowhere' }, 'False');
    expect(conditionOf(obj, 'Ready')).toMatchObject({
      reason: 'BuildFailed',
      message: expect.stringContaining('does/not/exist'),
    });
  });
});
