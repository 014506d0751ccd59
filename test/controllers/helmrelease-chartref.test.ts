import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseNameOf } from '../../src/controllers/index.js';
import { type Registry, startRegistry } from '../harness/servers/registry.js';
import { packageChart } from '../helm/charts.js';
import { type HelmEnv, helmRepository, hrRef, startHelmEnv, waitForRelease } from './helmrelease-support.js';
import { conditionOf, eventually } from './support.js';

const NS = 'default';
const HR = 'helm.toolkit.fluxcd.io/v2';
const SRC = 'source.toolkit.fluxcd.io/v1';

describe('HelmRelease chartRef, dependencies and names', () => {
  let env: HelmEnv;
  let registry: Registry;

  beforeAll(async () => {
    env = await startHelmEnv();
    registry = await startRegistry();
    await env.publish({ name: 'demo', version: '1.0.0' });
    await env.kube.create(helmRepository(env, NS));
  }, 60_000);

  afterAll(async () => {
    await env?.stop();
    await registry?.close();
  });

  it('installs a chart from an OCIRepository filled by helm push', async () => {
    const tgz = await packageChart(env.dir, join(env.dir, 'oci'), { name: 'ocidemo', version: '0.3.0' });
    await env.helm('push', tgz, `oci://${registry.host}/charts`, '--plain-http');
    await env.kube.create({
      apiVersion: SRC,
      kind: 'OCIRepository',
      metadata: { name: 'ocidemo', namespace: NS },
      spec: {
        url: `oci://${registry.host}/charts/ocidemo`,
        ref: { tag: '0.3.0' },
        insecure: true,
        interval: '1m',
        layerSelector: {
          mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
          operation: 'copy',
        },
      },
    });
    await env.kube.create({
      apiVersion: HR,
      kind: 'HelmRelease',
      metadata: { name: 'fromoci', namespace: NS },
      spec: { interval: '1m', timeout: '20s', chartRef: { kind: 'OCIRepository', name: 'ocidemo' } },
    });
    const hr = await waitForRelease(env, NS, 'fromoci', 'True');
    expect(conditionOf(hr, 'Ready')?.message).toBe(
      'Helm install succeeded for release default/fromoci.v1 with chart ocidemo@0.3.0',
    );
    const list = JSON.parse(await env.helm('list', '-n', NS, '-o', 'json')) as {
      name: string;
      chart: string;
    }[];
    expect(list.find((r) => r.name === 'fromoci')?.chart).toBe('ocidemo-0.3.0');
  }, 60_000);

  it('installs from an existing HelmChart into a target namespace it creates, after its dependency', async () => {
    await env.kube.create({
      apiVersion: SRC,
      kind: 'HelmChart',
      metadata: { name: 'shared-demo', namespace: NS },
      spec: {
        chart: 'demo',
        version: '*',
        interval: '1m',
        sourceRef: { kind: 'HelmRepository', name: 'charts' },
      },
    });
    await env.kube.create({
      apiVersion: HR,
      kind: 'HelmRelease',
      metadata: { name: 'second', namespace: NS },
      spec: {
        interval: '1m',
        timeout: '20s',
        chartRef: { kind: 'HelmChart', name: 'shared-demo' },
        dependsOn: [{ name: 'first' }],
        targetNamespace: 'apps',
        install: { createNamespace: true },
      },
    });
    const waiting = await eventually(
      async () => {
        const o = await env.kube.tryGet(hrRef(NS, 'second'));
        const ready = conditionOf(o as never, 'Ready');
        return ready?.reason === 'DependencyNotReady' ? ready : undefined;
      },
      20_000,
      'second to wait for its dependency',
    );
    expect(waiting.message).toBe("dependency 'default/first' is not ready");
    await env.kube.create({
      apiVersion: HR,
      kind: 'HelmRelease',
      metadata: { name: 'first', namespace: NS },
      spec: { interval: '1m', timeout: '20s', chartRef: { kind: 'HelmChart', name: 'shared-demo' } },
    });
    await waitForRelease(env, NS, 'first', 'True');
    const hr = await waitForRelease(env, NS, 'second', 'True');
    expect(conditionOf(hr, 'Ready')?.message).toBe(
      'Helm install succeeded for release apps/apps-second.v1 with chart demo@1.0.0',
    );
    const cm = await env.kube.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'apps',
      name: 'apps-second-config',
    });
    expect(cm.metadata.name).toBe('apps-second-config');
  }, 60_000);

  it('shortens release names longer than 53 characters as Flux does', () => {
    const meta = { name: 'a-very-long-helmrelease-name-that-goes-on', namespace: NS };
    const name = releaseNameOf({
      metadata: meta,
      spec: { interval: '1m', targetNamespace: 'some-target-namespace' },
    });
    expect(name).toHaveLength(53);
    expect(name).toMatch(/^some-target-namespace-a-very-long-helmre-[0-9a-f]{12}$/);
    expect(releaseNameOf({ metadata: meta, spec: { interval: '1m' } })).toBe(meta.name);
  });

  it('does nothing while suspended and releases again when forced', async () => {
    const ref = { apiVersion: HR, kind: 'HelmRelease', namespace: NS, name: 'first' };
    await env.kube.patch(ref, { spec: { suspend: true, values: { message: 'while-suspended' } } });
    await new Promise((r) => setTimeout(r, 1500));
    const before = JSON.parse(await env.helm('history', 'first', '-n', NS, '-o', 'json')) as unknown[];
    expect(before).toHaveLength(1);
    await env.kube.patch(ref, {
      spec: { suspend: false },
      metadata: { annotations: { 'reconcile.fluxcd.io/forceAt': 'now-1' } },
    });
    const hr = await waitForRelease(
      env,
      NS,
      'first',
      'True',
      (o) => o.status?.lastHandledForceAt === 'now-1',
    );
    expect(conditionOf(hr, 'Ready')?.reason).toBe('UpgradeSucceeded');
    const cm = await env.kube.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: NS,
      name: 'first-config',
    });
    expect((cm.data as Record<string, string>).message).toBe('while-suspended');
  }, 60_000);
});
