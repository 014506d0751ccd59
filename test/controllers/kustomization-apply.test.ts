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
const DEPLOY = { apiVersion: 'apps/v1', kind: 'Deployment' };

let env: ControllerEnv;
let server: GitHttpServer;
let repo: GitFixtureRepo;

function deployment(image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: podinfo, namespace: apps}
spec:
  replicas: 1
  selector: {matchLabels: {app: podinfo}}
  template:
    metadata: {labels: {app: podinfo}}
    spec:
      containers: [{name: podinfo, image: "${image}"}]
`;
}

beforeAll(async () => {
  [env, server] = await Promise.all([startControllerEnv(), startGitHttpServer()]);
  repo = await server.createRepo('fleet');
  await repo.commit({
    'apps/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n',
    'apps/deployment.yaml': deployment('ghcr.io/stefanprodan/podinfo:6.0.0'),
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

describe('Kustomization apply', () => {
  it('applies a path of the source with server-side apply and reports what Flux reports', async () => {
    await env.kube.create({
      ...KS,
      metadata: { name: 'apps', namespace: 'default' },
      spec: {
        interval: '2s',
        path: './apps',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'fleet' },
        commonMetadata: { labels: { team: 'a' } },
      },
    });
    const ks = await waitForReady(env.kube, { ...KS, namespace: 'default', name: 'apps' }, 'True');
    const git = await env.kube.get<Source>({ ...GIT, namespace: 'default', name: 'fleet' });
    const revision = git.status?.artifact?.revision;
    expect(revision).toMatch(/^master@sha1:[0-9a-f]{40}$/);
    expect(conditionOf(ks, 'Ready')).toMatchObject({
      reason: 'ReconciliationSucceeded',
      message: `Applied revision: ${revision}`,
    });
    expect(conditionOf(ks, 'Reconciling')).toBeUndefined();
    expect(ks.status?.lastAppliedRevision).toBe(revision);
    expect(ks.status?.lastAttemptedRevision).toBe(revision);
    expect(ks.status?.observedGeneration).toBe(ks.metadata.generation);
    expect(ks.status?.history).toEqual([
      expect.objectContaining({
        digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        lastReconciledStatus: 'ReconciliationSucceeded',
        metadata: { revision },
      }),
    ]);
    expect(ks.metadata.finalizers).toContain('finalizers.fluxcd.io');
    expect(ks.status?.inventory).toEqual({
      entries: [
        { id: '_apps__Namespace', v: 'v1' },
        { id: 'apps_podinfo_apps_Deployment', v: 'v1' },
      ],
    });

    const deploy = await env.kube.get({ ...DEPLOY, namespace: 'apps', name: 'podinfo' });
    expect(deploy.metadata.labels).toMatchObject({
      'kustomize.toolkit.fluxcd.io/name': 'apps',
      'kustomize.toolkit.fluxcd.io/namespace': 'default',
      team: 'a',
    });
    const managers = (deploy.metadata.managedFields as { manager: string; operation: string }[]).map(
      (m) => `${m.manager}/${m.operation}`,
    );
    expect(managers).toContain('kustomize-controller/Apply');

    const changes = await eventually(async () =>
      env.events.find((e) => e.involvedObject.name === 'apps' && e.message.includes('podinfo created')),
    );
    expect(changes.message).toBe('Namespace/apps created\nDeployment/apps/podinfo created');
    expect(changes.metadata['kustomize.toolkit.fluxcd.io/revision']).toBe(revision);
    expect(changes.reportingController).toBe('kustomize-controller');
    const finished = await eventually(async () =>
      env.events.find((e) => e.involvedObject.name === 'apps' && e.reason === 'ReconciliationSucceeded'),
    );
    expect(finished.message).toMatch(/^Reconciliation finished in .+, next run in 2s$/);
  });

  it('follows a commit that changes the image, reporting only the changed object', async () => {
    const seen = env.events.length;
    const commit = await repo.commit(
      { 'apps/deployment.yaml': deployment('ghcr.io/stefanprodan/podinfo:6.1.0') },
      { message: 'Bump podinfo' },
    );
    const ks = await waitForReady(
      env.kube,
      { ...KS, namespace: 'default', name: 'apps' },
      'True',
      (o) => o.status?.lastAppliedRevision === `master@sha1:${commit}`,
    );
    // The new objects are a new snapshot in front of the old one.
    const history =
      (ks.status as { history?: { digest: string; metadata?: Record<string, string> }[] } | undefined)
        ?.history ?? [];
    expect(history[0]?.metadata).toEqual({ revision: `master@sha1:${commit}` });
    expect(history).toHaveLength(2);
    expect(history[0]?.digest).not.toBe(history[1]?.digest);
    const deploy = await env.kube.get<
      { spec: { template: { spec: { containers: { image: string }[] } } } } & Source
    >({ ...DEPLOY, namespace: 'apps', name: 'podinfo' });
    expect(deploy.spec.template.spec.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.1.0');
    const event = await eventually(async () =>
      env.events
        .slice(seen)
        .find((e) => e.involvedObject.name === 'apps' && e.message.includes('podinfo configured')),
    );
    expect(event.message).toBe('Deployment/apps/podinfo configured');
    expect(event.metadata['kustomize.toolkit.fluxcd.io/revision']).toBe(`master@sha1:${commit}`);
  });

  it('writes nothing when nothing changed', async () => {
    const ref = { ...DEPLOY, namespace: 'apps', name: 'podinfo' };
    const before = await env.kube.get(ref);
    const seen = env.events.length;
    // Two more reconciles at a 2 s interval.
    await eventually(
      async () =>
        env.events
          .slice(seen)
          .filter((e) => e.involvedObject.name === 'apps' && e.reason === 'ReconciliationSucceeded').length >=
        2,
      15_000,
    );
    const after = await env.kube.get(ref);
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(
      env.events
        .slice(seen)
        .filter((e) => e.involvedObject.name === 'apps' && e.message.includes(' configured')),
    ).toEqual([]);
  });

  it('applies a CRD and its custom resources in one go, the CRD first', async () => {
    await repo.commit({
      'crds/crd.yaml': `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
`,
      'crds/widget.yaml':
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: default}\nspec: {size: 3}\n',
    });
    await env.kube.create({
      ...KS,
      metadata: { name: 'crds', namespace: 'default' },
      spec: {
        interval: '1h',
        path: './crds',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'fleet' },
      },
    });
    const ks = await waitForReady(
      env.kube,
      { ...KS, namespace: 'default', name: 'crds' },
      'True',
      undefined,
      30_000,
    );
    expect(ks.status?.inventory).toEqual({
      entries: [
        { id: '_widgets.example.com_apiextensions.k8s.io_CustomResourceDefinition', v: 'v1' },
        { id: 'default_w1_example.com_Widget', v: 'v1' },
      ],
    });
    const widget = await env.kube.get({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      namespace: 'default',
      name: 'w1',
    });
    expect(widget.spec).toEqual({ size: 3 });
  });

  it('stops at an immutable field change without force, and recreates the object with spec.force', async () => {
    const cm = (v: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: frozen, namespace: default}\nimmutable: true\ndata: {v: "${v}"}\n`;
    await repo.commit({ 'frozen/cm.yaml': cm('1') });
    await env.kube.create({
      ...KS,
      metadata: { name: 'frozen', namespace: 'default' },
      spec: {
        interval: '1h',
        retryInterval: '1s',
        path: './frozen',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'fleet' },
      },
    });
    const ref = { ...KS, namespace: 'default', name: 'frozen' };
    await waitForReady(env.kube, ref, 'True');
    const before = await env.kube.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'default',
      name: 'frozen',
    });
    await repo.commit({ 'frozen/cm.yaml': cm('2') });
    const stuck = await waitForReady(env.kube, ref, 'False', undefined, 15_000);
    expect(conditionOf(stuck, 'Ready')).toMatchObject({
      reason: 'ReconciliationFailed',
      message: expect.stringContaining('ConfigMap/default/frozen dry-run failed (Invalid)'),
    });
    await env.kube.patch(ref, { spec: { force: true } });
    await waitForReady(env.kube, ref, 'True', undefined, 15_000);
    const after = await env.kube.get<KubeObject & { data: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'default',
      name: 'frozen',
    });
    expect(after.data).toEqual({ v: '2' });
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
  });
});
