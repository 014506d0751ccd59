import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { extractTarball } from '../../src/source/index.js';
import { type GitHttpServer, startGitHttpServer } from '../harness/servers/git-http.js';
import { createHelmCli, type HelmCli } from '../harness/servers/helm-fixtures.js';
import { type Registry, startRegistry } from '../harness/servers/registry.js';
import { type StaticServer, startStaticServer } from '../harness/servers/static-http.js';
import {
  type ControllerEnv,
  conditionOf,
  download,
  eventually,
  type Source,
  sha256,
  startControllerEnv,
  waitForReady,
} from './support.js';

const SRC = 'source.toolkit.fluxcd.io/v1';
const CHART = { apiVersion: SRC, kind: 'HelmChart' };

let env: ControllerEnv;
let helm: HelmCli;
let server: StaticServer;
let git: GitHttpServer;
let registry: Registry;
let tmp: string;
let repoDir: string;

async function chartFiles(url: string): Promise<string> {
  const dir = await mkdtemp(join(tmp, 'chart-'));
  await extractTarball(await download(url), dir);
  return dir;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sluice-helmchart-'));
  repoDir = join(tmp, 'repo');
  [env, helm, git, registry] = await Promise.all([
    startControllerEnv(),
    createHelmCli(),
    startGitHttpServer(),
    startRegistry(),
  ]);
  await helm.packageChart('podinfo', '1.0.0', repoDir);
  await helm.run('repo', 'index', repoDir);
  server = await startStaticServer({ root: repoDir });
}, 60_000);

afterAll(async () => {
  await Promise.all([env?.stop(), server?.close(), helm?.close(), git?.close(), registry?.close()]);
  await rm(tmp, { recursive: true, force: true });
});

const ref = (name: string) => ({ ...CHART, namespace: 'default', name });

describe('HelmChart', () => {
  it('pulls the newest version in range from a HelmRepository and follows a new release through the index', async () => {
    await env.kube.create({
      apiVersion: SRC,
      kind: 'HelmRepository',
      metadata: { name: 'charts', namespace: 'default' },
      spec: { url: server.url, interval: '1s' },
    });
    await env.kube.create({
      ...CHART,
      metadata: { name: 'default-podinfo', namespace: 'default' },
      spec: {
        chart: 'podinfo',
        version: '1.x',
        interval: '1m',
        sourceRef: { kind: 'HelmRepository', name: 'charts' },
      },
    });
    const first = await waitForReady(env.kube, ref('default-podinfo'), 'True');
    expect(first.status?.artifact?.revision).toBe('1.0.0');
    expect(first.status?.artifact?.path).toBe('helmchart/default/default-podinfo/podinfo-1.0.0.tgz');
    expect(first.status?.artifact?.digest).toBe(
      await sha256(await readFile(join(repoDir, 'podinfo-1.0.0.tgz'))),
    );
    expect(first.status?.observedChartName).toBe('podinfo');
    expect(conditionOf(first, 'Ready')?.message).toBe("stored artifact for revision '1.0.0'");
    await eventually(async () =>
      env.events.find(
        (e) =>
          e.reason === 'ChartPullSucceeded' && e.message === "pulled 'podinfo' chart with version '1.0.0'",
      ),
    );

    await helm.packageChart('podinfo', '1.1.0', repoDir);
    await helm.packageChart('podinfo', '2.0.0', repoDir);
    await helm.run('repo', 'index', repoDir);
    const second = await waitForReady(
      env.kube,
      ref('default-podinfo'),
      'True',
      (o) => o.status?.artifact?.revision === '1.1.0',
    );
    expect(second.status?.artifact?.digest).toBe(
      await sha256(await readFile(join(repoDir, 'podinfo-1.1.0.tgz'))),
    );
  });

  it('packages a chart from a GitRepository with helm package, merging valuesFiles', async () => {
    const repo = await git.createRepo('charts');
    await repo.commit({
      'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.3.0\n',
      'charts/app/values.yaml': 'replicas: 1\nimage: {tag: v1}\n',
      'charts/app/values-prod.yaml': 'replicas: 3\n',
      'charts/app/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
    });
    await env.kube.create({
      apiVersion: SRC,
      kind: 'GitRepository',
      metadata: { name: 'charts-git', namespace: 'default' },
      spec: { url: repo.url, interval: '1s' },
    });
    await env.kube.create({
      ...CHART,
      metadata: { name: 'app', namespace: 'default' },
      spec: {
        chart: './charts/app',
        interval: '1m',
        sourceRef: { kind: 'GitRepository', name: 'charts-git' },
        valuesFiles: ['charts/app/values.yaml', 'charts/app/values-prod.yaml'],
      },
    });
    const obj = await waitForReady(env.kube, ref('app'), 'True');
    expect(obj.status?.artifact?.revision).toBe('0.3.0');
    expect(obj.status?.artifact?.path).toBe('helmchart/default/app/app-0.3.0.tgz');
    const dir = await chartFiles(obj.status?.artifact?.url ?? '');
    expect(parseYaml(await readFile(join(dir, 'app', 'values.yaml'), 'utf8'))).toEqual({
      replicas: 3,
      image: { tag: 'v1' },
    });
    await eventually(async () =>
      env.events.find(
        (e) =>
          e.reason === 'ChartPackageSucceeded' && e.message === "packaged 'app' chart with version '0.3.0'",
      ),
    );

    // A new chart version in Git reaches the HelmChart through the GitRepository's new artifact.
    await repo.commit({ 'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.4.0\n' });
    await waitForReady(env.kube, ref('app'), 'True', (o) => o.status?.artifact?.revision === '0.4.0');
  });

  it('appends the source revision to the version with reconcileStrategy Revision', async () => {
    await env.kube.create({
      ...CHART,
      metadata: { name: 'app-rev', namespace: 'default' },
      spec: {
        chart: 'charts/app',
        interval: '1m',
        reconcileStrategy: 'Revision',
        sourceRef: { kind: 'GitRepository', name: 'charts-git' },
      },
    });
    const obj = await waitForReady(env.kube, ref('app-rev'), 'True');
    const git = await env.kube.get<Source>({
      apiVersion: SRC,
      kind: 'GitRepository',
      namespace: 'default',
      name: 'charts-git',
    });
    const sha = (git.status?.artifact?.revision ?? '').split('sha1:')[1] ?? '';
    expect(obj.status?.artifact?.revision).toBe(`0.4.0+${sha.slice(0, 12)}`);
    expect(obj.status?.artifact?.path).toBe(`helmchart/default/app-rev/app-0.4.0+${sha.slice(0, 12)}.tgz`);
  });

  it('pulls a chart pushed with helm push from an OCI HelmRepository', async () => {
    const charts = join(tmp, 'oci-charts');
    await helm.run(
      'push',
      await helm.packageChart('podinfo', '6.0.0', charts),
      `oci://${registry.host}/charts`,
      '--plain-http',
    );
    await helm.run(
      'push',
      await helm.packageChart('podinfo', '6.1.0', charts),
      `oci://${registry.host}/charts`,
      '--plain-http',
    );
    await env.kube.create({
      apiVersion: SRC,
      kind: 'HelmRepository',
      metadata: { name: 'oci-charts', namespace: 'default' },
      spec: { url: `oci://${registry.host}/charts`, type: 'oci', insecure: true },
    });
    await env.kube.create({
      ...CHART,
      metadata: { name: 'oci-podinfo', namespace: 'default' },
      spec: {
        chart: 'podinfo',
        version: '>=6.0.0',
        interval: '1m',
        sourceRef: { kind: 'HelmRepository', name: 'oci-charts' },
      },
    });
    const obj = await waitForReady(env.kube, ref('oci-podinfo'), 'True');
    expect(obj.status?.artifact?.revision).toBe('6.1.0');
    expect(obj.status?.artifact?.digest).toBe(
      await sha256(await readFile(join(charts, 'podinfo-6.1.0.tgz'))),
    );
  });

  it('waits for a source that does not exist yet', async () => {
    await env.kube.create({
      ...CHART,
      metadata: { name: 'orphan', namespace: 'default' },
      spec: { chart: 'podinfo', interval: '1m', sourceRef: { kind: 'HelmRepository', name: 'later' } },
    });
    const obj = await waitForReady(env.kube, ref('orphan'), 'False');
    expect(conditionOf(obj, 'FetchFailed')?.reason).toBe('SourceUnavailable');
  });
});
