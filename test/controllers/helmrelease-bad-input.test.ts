import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIGMAP_TEMPLATE } from '../helm/charts.js';
import {
  type HelmEnv,
  helmHistory,
  helmRelease,
  helmRepository,
  startHelmEnv,
  waitForRelease,
} from './helmrelease-support.js';
import { conditionOf } from './support.js';

const NS = 'default';
const SCHEMA = JSON.stringify({
  $schema: 'https://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { replicas: { type: 'integer' } },
});

describe('HelmRelease bad input', () => {
  let env: HelmEnv;

  beforeAll(async () => {
    env = await startHelmEnv();
    const templates = { 'configmap.yaml': CONFIGMAP_TEMPLATE };
    await env.publish({ name: 'shop', version: '1.0.0', templates, schema: SCHEMA });
    await env.publish({
      name: 'shop',
      version: '2.0.0',
      templates: { 'bad.yaml': 'kind: ConfigMap\nmetadata:\n  name: {{ .Values.missing.field }}\n' },
    });
    await env.kube.create(helmRepository(env, NS));
  }, 60_000);

  afterAll(async () => {
    await env?.stop();
  });

  async function installGood(name: string): Promise<void> {
    await env.kube.create(helmRelease(name, NS, 'shop', { values: { message: 'good' } }, '1.0.0'));
    await waitForRelease(env, NS, name, 'True');
  }

  async function expectIntact(name: string): Promise<void> {
    const history = await helmHistory(env, NS, name);
    expect(history.map((h) => [h.revision, h.status, h.chart])).toEqual([[1, 'deployed', 'shop-1.0.0']]);
    const cm = await env.kube.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: NS,
      name: `${name}-config`,
    });
    expect((cm.data as Record<string, string> | undefined)?.message).toBe('good');
  }

  function patchSpec(name: string, spec: Record<string, unknown>) {
    return env.kube.patch(
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', namespace: NS, name },
      { spec },
    );
  }

  it('reports a chart that does not render and keeps the previous release', async () => {
    await installGood('render');
    await patchSpec('render', { chart: { spec: { version: '2.0.0' } } });
    const hr = await waitForRelease(
      env,
      NS,
      'render',
      'False',
      (o) => conditionOf(o, 'Released')?.status === 'False',
    );
    expect(conditionOf(hr, 'Released')?.reason).toBe('UpgradeFailed');
    expect(conditionOf(hr, 'Ready')?.message).toContain(
      'UPGRADE FAILED: shop/templates/bad.yaml:3:18\n  executing "shop/templates/bad.yaml" at <.Values.missing.field>',
    );
    await expectIntact('render');
  }, 60_000);

  it('reports values that break the chart schema and keeps the previous release', async () => {
    await installGood('schema');
    await patchSpec('schema', { values: { message: 'bad', replicas: 'many' } });
    const hr = await waitForRelease(
      env,
      NS,
      'schema',
      'False',
      (o) => conditionOf(o, 'Released')?.status === 'False',
    );
    expect(conditionOf(hr, 'Ready')?.message).toMatch(/values don't meet the specifications of the schema/);
    expect(conditionOf(hr, 'Ready')?.message).toContain('replicas');
    await expectIntact('schema');
  }, 60_000);

  it('reports a missing chart version and keeps the previous release', async () => {
    await installGood('missing');
    await patchSpec('missing', { chart: { spec: { version: '9.9.9' } } });
    const hr = await waitForRelease(env, NS, 'missing', 'False', (o) =>
      /9\.9\.9/.test(conditionOf(o, 'Ready')?.message ?? ''),
    );
    expect(conditionOf(hr, 'Ready')?.reason).toBe('ArtifactFailed');
    expect(conditionOf(hr, 'Ready')?.message).toMatch(/^HelmChart 'default\/default-missing' is not ready: /);
    await expectIntact('missing');
  }, 60_000);
});
