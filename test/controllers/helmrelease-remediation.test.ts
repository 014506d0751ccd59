import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HelmEnv,
  helmHistory,
  helmRelease,
  helmRepository,
  startHelmEnv,
  waitForEvent,
  waitForRelease,
} from './helmrelease-support.js';
import { conditionOf } from './support.js';

const NS = 'default';

type Snapshot = { version: number; status: string; chartVersion: string; chartName: string };

describe('HelmRelease remediation', () => {
  let env: HelmEnv;

  beforeAll(async () => {
    env = await startHelmEnv();
    await env.publish({ name: 'demo', version: '1.0.0' });
    await env.kube.create(helmRepository(env, NS));
  }, 60_000);

  afterAll(async () => {
    await env?.stop();
  });

  it('rolls a failing upgrade back after its retries and stalls', async () => {
    await env.kube.create(
      helmRelease('roll', NS, 'demo', {
        timeout: '3s',
        values: { message: 'good' },
        upgrade: { remediation: { retries: 1, strategy: 'rollback' } },
      }),
    );
    await waitForRelease(env, NS, 'roll', 'True');
    await env.kube.patch(
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', namespace: NS, name: 'roll' },
      { spec: { values: { message: 'bad', simulate: 'ImagePullBackOff' } } },
    );
    const hr = await waitForRelease(
      env,
      NS,
      'roll',
      'False',
      (o) => conditionOf(o, 'Stalled')?.status === 'True',
      60_000,
    );
    expect(conditionOf(hr, 'Stalled')?.reason).toBe('RetriesExceeded');
    expect(conditionOf(hr, 'Released')?.reason).toBe('UpgradeFailed');
    expect(conditionOf(hr, 'Remediated')).toMatchObject({ status: 'True', reason: 'RollbackSucceeded' });
    expect(conditionOf(hr, 'Ready')?.message).toMatch(
      /Helm upgrade failed for release default\/roll with chart demo@1.0.0: /,
    );
    expect(hr.status?.upgradeFailures).toBe(2);
    await waitForEvent(env, 'roll', 'UpgradeFailed');
    const rollback = await waitForEvent(env, 'roll', 'RollbackSucceeded');
    expect(rollback.message).toMatch(
      /^Helm rollback to previous release default\/roll\.v\d with chart demo@1.0.0 succeeded$/,
    );
    expect(rollback.metadata['helm.toolkit.fluxcd.io/revision']).toBe('1.0.0');
    const reasons = env.events.filter((e) => e.involvedObject.name === 'roll').map((e) => e.reason);
    expect(reasons.indexOf('UpgradeFailed')).toBeLessThan(reasons.indexOf('RollbackSucceeded'));

    // The cluster is back on the good values, and helm agrees with the snapshots.
    const cm = await env.kube.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: NS,
      name: 'roll-config',
    });
    expect((cm.data as Record<string, string> | undefined)?.message).toBe('good');
    const helmSide = (await helmHistory(env, NS, 'roll')).reverse();
    expect(helmSide[0]?.status).toBe('deployed');
    const history = hr.status?.history as Snapshot[];
    expect(history.map((s) => [s.version, s.status])).toEqual(
      helmSide.slice(0, history.length).map((h) => [h.revision, h.status]),
    );
  }, 90_000);

  it('uninstalls a failing install after its retries', async () => {
    await env.kube.create(
      helmRelease('broken', NS, 'demo', {
        timeout: '3s',
        values: { simulate: 'CrashLoopBackOff' },
        install: { remediation: { retries: 1 } },
      }),
    );
    const hr = await waitForRelease(
      env,
      NS,
      'broken',
      'False',
      (o) => conditionOf(o, 'Stalled')?.status === 'True',
      60_000,
    );
    expect(conditionOf(hr, 'Stalled')?.reason).toBe('RetriesExceeded');
    expect(conditionOf(hr, 'Released')?.reason).toBe('InstallFailed');
    expect(conditionOf(hr, 'Remediated')).toMatchObject({ status: 'True', reason: 'UninstallSucceeded' });
    expect(hr.status?.installFailures).toBe(2);
    expect(hr.status?.failures).toBe(2);
    await waitForEvent(env, 'broken', 'UninstallSucceeded');
    const list = JSON.parse(
      await env.helm('list', '-n', NS, '--failed', '--deployed', '--pending', '-o', 'json'),
    ) as { name: string }[];
    expect(list.map((r) => r.name)).not.toContain('broken');
  }, 90_000);

  it('retries a stalled release again after reconcile.fluxcd.io/resetAt', async () => {
    const failedBefore = env.events.filter(
      (e) => e.involvedObject.name === 'broken' && e.reason === 'InstallFailed',
    );
    await env.kube.patch(
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', namespace: NS, name: 'broken' },
      { metadata: { annotations: { 'reconcile.fluxcd.io/resetAt': 'reset-1' } } },
    );
    const hr = await waitForRelease(
      env,
      NS,
      'broken',
      'False',
      (o) => o.status?.lastHandledResetAt === 'reset-1' && conditionOf(o, 'Stalled')?.status === 'True',
      60_000,
    );
    expect(hr.status?.installFailures).toBe(2);
    const failedAfter = env.events.filter(
      (e) => e.involvedObject.name === 'broken' && e.reason === 'InstallFailed',
    );
    expect(failedAfter.length).toBe(failedBefore.length + 2);
  }, 90_000);
});
