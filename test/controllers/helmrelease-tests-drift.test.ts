import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIGMAP_TEMPLATE, DEPLOYMENT_TEMPLATE, TEST_HOOK_TEMPLATE } from '../helm/charts.js';
import {
  type HelmEnv,
  helmRelease,
  helmRepository,
  startHelmEnv,
  waitForEvent,
  waitForRelease,
} from './helmrelease-support.js';
import { conditionOf, eventually } from './support.js';

const NS = 'default';

describe('HelmRelease tests, drift and post-renderers', () => {
  let env: HelmEnv;

  beforeAll(async () => {
    env = await startHelmEnv();
    await env.publish({
      name: 'tested',
      version: '1.0.0',
      templates: {
        'configmap.yaml': CONFIGMAP_TEMPLATE,
        'deployment.yaml': DEPLOYMENT_TEMPLATE,
        'test.yaml': TEST_HOOK_TEMPLATE,
      },
    });
    await env.kube.create(helmRepository(env, NS));
  }, 60_000);

  afterAll(async () => {
    await env?.stop();
  });

  it('runs the chart tests as hooks after install and records them', async () => {
    await env.kube.create(helmRelease('withtests', NS, 'tested', { test: { enable: true } }));
    const hr = await waitForRelease(env, NS, 'withtests', 'True', (o) => !!conditionOf(o, 'TestSuccess'));
    expect(conditionOf(hr, 'TestSuccess')).toMatchObject({ status: 'True', reason: 'TestSucceeded' });
    expect(conditionOf(hr, 'TestSuccess')?.message).toBe(
      'Helm test succeeded for release default/withtests.v1 with chart tested@1.0.0: 1 test hook completed successfully',
    );
    const snap = (
      hr.status?.history as { testHooks?: Record<string, { phase?: string }> }[] | undefined
    )?.[0];
    expect(snap?.testHooks?.['default/withtests-test']?.phase).toBe('Succeeded');
    await waitForEvent(env, 'withtests', 'TestSucceeded');
  }, 60_000);

  it('reports failed tests without failing the release when failures are ignored', async () => {
    await env.kube.create(
      helmRelease('failingtests', NS, 'tested', {
        values: { testFailure: true },
        test: { enable: true, ignoreFailures: true },
      }),
    );
    const hr = await waitForRelease(env, NS, 'failingtests', 'True', (o) => !!conditionOf(o, 'TestSuccess'));
    expect(conditionOf(hr, 'TestSuccess')).toMatchObject({ status: 'False', reason: 'TestFailed' });
    await waitForEvent(env, 'failingtests', 'TestFailed');
  }, 60_000);

  it('corrects drift after a manual kubectl change', async () => {
    await env.kube.create(
      helmRelease('drifty', NS, 'tested', {
        interval: '2s',
        values: { message: 'desired' },
        driftDetection: { mode: 'enabled' },
      }),
    );
    await waitForRelease(env, NS, 'drifty', 'True');
    await env.cluster.kubectlOk([
      '-n',
      NS,
      'patch',
      'configmap',
      'drifty-config',
      '-p',
      '{"data":{"message":"manual"}}',
    ]);
    await eventually(
      async () => {
        const cm = await env.kube.get({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace: NS,
          name: 'drifty-config',
        });
        return (cm.data as Record<string, string> | undefined)?.message === 'desired';
      },
      30_000,
      'drift to be corrected',
    );
    const event = await waitForEvent(env, 'drifty', 'DriftDetected');
    expect(event.message).toBe(
      'Cluster state of release default/drifty.v1 has been corrected: ConfigMap/default/drifty-config changed',
    );
  }, 60_000);

  it('reports drift in warn mode and leaves ignored fields alone', async () => {
    await env.kube.create(
      helmRelease('warned', NS, 'tested', { interval: '2s', driftDetection: { mode: 'warn' } }),
    );
    await env.kube.create(
      helmRelease('ignoring', NS, 'tested', {
        interval: '2s',
        driftDetection: {
          mode: 'enabled',
          ignore: [{ paths: ['/data/message'], target: { kind: 'ConfigMap' } }],
        },
      }),
    );
    await waitForRelease(env, NS, 'warned', 'True');
    await waitForRelease(env, NS, 'ignoring', 'True');
    for (const name of ['warned-config', 'ignoring-config']) {
      await env.cluster.kubectlOk([
        '-n',
        NS,
        'patch',
        'configmap',
        name,
        '-p',
        '{"data":{"message":"manual"}}',
      ]);
    }
    const hr = await waitForRelease(
      env,
      NS,
      'warned',
      'True',
      (o) => conditionOf(o, 'Drifted')?.status === 'True',
    );
    expect(conditionOf(hr, 'Drifted')?.message).toBe(
      'Cluster state of release default/warned.v1 has drifted from the desired state: ConfigMap/default/warned-config changed',
    );
    // Two more drift checks of `ignoring` (interval 2 s) pass without touching the ignored field.
    await new Promise((r) => setTimeout(r, 4500));
    for (const name of ['warned-config', 'ignoring-config']) {
      const cm = await env.kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name });
      expect((cm.data as Record<string, string>).message).toBe('manual');
    }
    expect(env.events.some((e) => e.involvedObject.name === 'ignoring' && e.reason === 'DriftDetected')).toBe(
      false,
    );
  }, 60_000);

  it('applies kustomize post-renderers to the release objects', async () => {
    await env.kube.create(
      helmRelease('rendered', NS, 'tested', {
        postRenderers: [
          {
            kustomize: {
              patches: [
                {
                  target: { kind: 'ConfigMap' },
                  patch:
                    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: any\n  labels:\n    rendered: "yes"\n',
                },
              ],
              images: [{ name: 'nginx', newTag: '1.28' }],
            },
          },
        ],
      }),
    );
    await waitForRelease(env, NS, 'rendered', 'True');
    const cm = await env.kube.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: NS,
      name: 'rendered-config',
    });
    expect(cm.metadata.labels?.rendered).toBe('yes');
    const dep = await env.kube.get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: NS,
      name: 'rendered-app',
    });
    const spec = dep.spec as { template: { spec: { containers: { image: string }[] } } };
    expect(spec.template.spec.containers[0]?.image).toBe('nginx:1.28');
  }, 60_000);
});
