import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HelmEnv,
  helmHistory,
  helmRelease,
  helmRepository,
  refreshRepository,
  startHelmEnv,
  waitForEvent,
  waitForRelease,
} from './helmrelease-support.js';
import { conditionOf, eventually } from './support.js';

const NS = 'default';

type Snapshot = {
  version: number;
  status: string;
  chartVersion: string;
  chartName: string;
  configDigest: string;
};

describe('HelmRelease install and upgrade', () => {
  let env: HelmEnv;

  beforeAll(async () => {
    env = await startHelmEnv();
    await env.publish({ name: 'demo', version: '1.0.0' });
    await env.kube.create(helmRepository(env, NS));
  }, 60_000);

  afterAll(async () => {
    await env?.stop();
  });

  it('installs the chart from a Helm repository through the HelmChart it creates', async () => {
    await env.kube.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web-values', namespace: NS, labels: { 'reconcile.fluxcd.io/watch': 'Enabled' } },
      data: { 'values.yaml': 'message: from-configmap\nreplicas: 2\n' },
    });
    await env.kube.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'web-secret', namespace: NS },
      data: { tag: Buffer.from('v9').toString('base64') },
    });
    await env.kube.create(
      helmRelease('web', NS, 'demo', {
        valuesFrom: [
          { kind: 'ConfigMap', name: 'web-values' },
          { kind: 'ConfigMap', name: 'web-values', valuesKey: 'missing', optional: true },
          { kind: 'Secret', name: 'web-secret', valuesKey: 'tag', targetPath: 'extra.tag' },
        ],
        values: { replicas: 1 },
      }),
    );
    const hr = await waitForRelease(env, NS, 'web', 'True');
    expect(conditionOf(hr, 'Ready')?.reason).toBe('InstallSucceeded');
    expect(conditionOf(hr, 'Ready')?.message).toBe(
      'Helm install succeeded for release default/web.v1 with chart demo@1.0.0',
    );
    expect(conditionOf(hr, 'Released')?.status).toBe('True');
    expect(hr.status?.helmChart).toBe('default/default-web');
    expect(hr.status?.lastAttemptedRevision).toBe('1.0.0');
    const chart = await env.kube.get({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmChart',
      namespace: NS,
      name: 'default-web',
    });
    expect(chart.metadata.labels).toMatchObject({ 'helm.toolkit.fluxcd.io/name': 'web' });

    const list = JSON.parse(await env.helm('list', '-n', NS, '-o', 'json'));
    expect(
      list.map((r: { name: string; chart: string; status: string }) => [r.name, r.chart, r.status]),
    ).toEqual([['web', 'demo-1.0.0', 'deployed']]);
    expect(JSON.parse(await env.helm('get', 'values', 'web', '-n', NS, '-o', 'json'))).toEqual({
      message: 'from-configmap',
      replicas: 1,
      extra: { tag: 'v9' },
    });
    const event = await waitForEvent(env, 'web', 'InstallSucceeded');
    expect(event.metadata['helm.toolkit.fluxcd.io/revision']).toBe('1.0.0');
  }, 60_000);

  it('upgrades on a new chart version', async () => {
    await env.publish({ name: 'demo', version: '1.1.0' });
    await refreshRepository(env, NS);
    const hr = await waitForRelease(
      env,
      NS,
      'web',
      'True',
      (o) => o.status?.lastAttemptedRevision === '1.1.0',
    );
    expect(conditionOf(hr, 'Ready')?.message).toBe(
      'Helm upgrade succeeded for release default/web.v2 with chart demo@1.1.0',
    );
    const event = await waitForEvent(env, 'web', 'UpgradeSucceeded');
    expect(event.metadata['helm.toolkit.fluxcd.io/revision']).toBe('1.1.0');
  }, 60_000);

  it('upgrades when a watched ConfigMap with values changes', async () => {
    await env.kube.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: 'web-values' },
      { data: { 'values.yaml': 'message: changed\n' } },
    );
    await eventually(
      async () => {
        const cm = await env.kube.get({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace: NS,
          name: 'web-config',
        });
        return (cm.data as Record<string, string> | undefined)?.message === 'changed';
      },
      30_000,
      'the release ConfigMap to carry the new message',
    );
    const hr = await waitForRelease(
      env,
      NS,
      'web',
      'True',
      (o) => (o.status?.history as Snapshot[])?.[0]?.version === 3,
    );
    const history = hr.status?.history as Snapshot[];
    const helmSide = await helmHistory(env, NS, 'web');
    expect(history.map((s) => [s.version, s.status, `${s.chartName}-${s.chartVersion}`])).toEqual(
      helmSide.reverse().map((h) => [h.revision, h.status, h.chart]),
    );
  }, 60_000);

  it('uninstalls the release and deletes its HelmChart when the HelmRelease is deleted', async () => {
    await env.kube.delete({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      namespace: NS,
      name: 'web',
    });
    await eventually(
      async () =>
        !(await env.kube.tryGet({
          apiVersion: 'helm.toolkit.fluxcd.io/v2',
          kind: 'HelmRelease',
          namespace: NS,
          name: 'web',
        })),
      30_000,
      'the HelmRelease to go',
    );
    expect(JSON.parse(await env.helm('list', '-n', NS, '-o', 'json'))).toEqual([]);
    expect(
      await env.kube.tryGet({
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'HelmChart',
        namespace: NS,
        name: 'default-web',
      }),
    ).toBeUndefined();
  }, 60_000);
});
