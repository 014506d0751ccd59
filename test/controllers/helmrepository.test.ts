import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelmCli, type HelmCli } from '../harness/servers/helm-fixtures.js';
import { type StaticServer, startStaticServer } from '../harness/servers/static-http.js';
import {
  type ControllerEnv,
  conditionOf,
  download,
  eventually,
  sha256,
  startControllerEnv,
  waitForReady,
} from './support.js';

const HELMREPO = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository' };
const auth = { username: 'helm', password: 'charts' };

let env: ControllerEnv;
let helm: HelmCli;
let server: StaticServer;
let repoDir: string;

beforeAll(async () => {
  repoDir = await mkdtemp(join(tmpdir(), 'sluice-helmrepo-'));
  [env, helm] = await Promise.all([startControllerEnv(), createHelmCli()]);
  await helm.packageChart('podinfo', '1.0.0', repoDir);
  await helm.run('repo', 'index', repoDir);
  server = await startStaticServer({ root: repoDir, basicAuth: auth });
  await env.kube.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'helm-auth', namespace: 'default' },
    stringData: auth,
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([env?.stop(), server?.close(), helm?.close()]);
  await rm(repoDir, { recursive: true, force: true });
});

const ref = (name: string) => ({ ...HELMREPO, namespace: 'default', name });

describe('HelmRepository over HTTP', () => {
  it('stores the index with basic auth, revision sha256 of the served bytes, and follows a new chart version', async () => {
    await env.kube.create({
      ...HELMREPO,
      metadata: { name: 'charts', namespace: 'default' },
      spec: { url: server.url, interval: '1s', secretRef: { name: 'helm-auth' } },
    });
    const first = await waitForReady(env.kube, ref('charts'), 'True');
    const index = await readFile(join(repoDir, 'index.yaml'));
    expect(first.status?.artifact?.revision).toBe(await sha256(index));
    expect(first.status?.artifact?.digest).toBe(
      await sha256(await download(first.status?.artifact?.url ?? '')),
    );
    expect(first.status?.url).toBe(first.status?.artifact?.url);
    expect(conditionOf(first, 'Ready')?.message).toBe(
      `stored artifact for revision '${first.status?.artifact?.revision}'`,
    );
    await eventually(async () =>
      env.events.find(
        (e) =>
          e.involvedObject.name === 'charts' &&
          e.message === `stored fetched index of size ${index.length} from '${server.url}'`,
      ),
    );

    await helm.packageChart('podinfo', '1.1.0', repoDir);
    await helm.run('repo', 'index', repoDir);
    const next = await readFile(join(repoDir, 'index.yaml'));
    const second = await waitForReady(
      env.kube,
      ref('charts'),
      'True',
      (o) => o.status?.artifact?.revision !== first.status?.artifact?.revision,
    );
    expect(second.status?.artifact?.revision).toBe(await sha256(next));
    expect((await download(second.status?.artifact?.url ?? '')).toString()).toContain('1.1.0');
  });

  it('reports refused credentials as AuthenticationFailed', async () => {
    await env.kube.create({
      ...HELMREPO,
      metadata: { name: 'anonymous', namespace: 'default' },
      spec: { url: server.url, interval: '1m' },
    });
    const obj = await waitForReady(env.kube, ref('anonymous'), 'False');
    expect(conditionOf(obj, 'FetchFailed')).toMatchObject({ status: 'True', reason: 'AuthenticationFailed' });
  });

  it('accepts type oci as Flux does: Ready without an artifact', async () => {
    await env.kube.create({
      ...HELMREPO,
      metadata: { name: 'oci', namespace: 'default' },
      spec: { url: 'oci://registry.example/charts', type: 'oci' },
    });
    const obj = await waitForReady(env.kube, ref('oci'), 'True');
    expect(conditionOf(obj, 'Ready')?.message).toBe('Helm repository is ready');
    expect(obj.status?.artifact).toBeUndefined();
  });
});
