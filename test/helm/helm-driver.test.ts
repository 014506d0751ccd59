import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeReleaseSecret,
  HelmDriver,
  HelmError,
  listStoredRevisions,
  unlockRelease,
} from '../../src/helm/index.js';
import { connectKube, type KubeClient } from '../../src/kube/index.js';
import { resolveTool } from '../../src/tools/index.js';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';
import { CONFIGMAP_TEMPLATE, packageChart } from './charts.js';

describe('HelmDriver', () => {
  let cluster: TestCluster;
  let kube: KubeClient;
  let dir: string;
  let helm: HelmDriver;
  let v1: string;
  let v2: string;
  let broken: string;

  beforeAll(async () => {
    cluster = await startTestCluster();
    kube = connectKube({ path: cluster.kubeconfigPath });
    dir = await mkdtemp(join(tmpdir(), 'sluice-helm-driver-'));
    helm = await HelmDriver.create({
      homeDir: join(dir, 'home'),
      kubeconfigPath: cluster.kubeconfigPath,
      helmPath: await resolveTool('helm', { skipPath: true }),
    });
    const templates = { 'configmap.yaml': CONFIGMAP_TEMPLATE };
    v1 = await packageChart(dir, join(dir, 'out'), { name: 'demo', version: '1.0.0', templates });
    v2 = await packageChart(dir, join(dir, 'out'), { name: 'demo', version: '1.1.0', templates });
    broken = await packageChart(dir, join(dir, 'out'), {
      name: 'broken',
      version: '0.1.0',
      templates: { 'bad.yaml': 'kind: ConfigMap\nmetadata:\n  name: {{ .Values.missing.field }}\n' },
    });
  }, 60_000);

  afterAll(async () => {
    kube?.close();
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('installs, upgrades, rolls back and reports history, status and values', async () => {
    const target = { name: 'demo', namespace: 'default' };
    const installed = await helm.install({
      ...target,
      chart: v1,
      values: { message: 'one' },
      timeoutMs: 20_000,
    });
    expect(installed.version).toBe(1);
    expect(installed.info.status).toBe('deployed');
    expect(installed.chart?.metadata?.version).toBe('1.0.0');
    const cm = await kube.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'default',
      name: 'demo-config',
    });
    expect(cm.data).toEqual({ message: 'one' });

    const upgraded = await helm.upgrade({
      ...target,
      chart: v2,
      values: { message: 'two' },
      timeoutMs: 20_000,
    });
    expect(upgraded.version).toBe(2);
    expect(await helm.getValues(target)).toEqual({ message: 'two' });

    await helm.rollback({ ...target, revision: 1, timeoutMs: 20_000 });
    const history = await helm.history(target);
    expect(history.map((h) => [h.revision, h.status])).toEqual([
      [1, 'superseded'],
      [2, 'superseded'],
      [3, 'deployed'],
    ]);
    const status = await helm.status(target);
    expect(status?.version).toBe(3);
    expect(status?.info.status).toBe('deployed');

    const stored = await listStoredRevisions(kube, 'default', 'demo');
    expect(stored.map((r) => [r.version, r.status])).toEqual([
      [3, 'deployed'],
      [2, 'superseded'],
      [1, 'superseded'],
    ]);
    expect(decodeReleaseSecret(stored[0]!.secret).config).toEqual({ message: 'one' });

    await helm.uninstall({ ...target, timeoutMs: 20_000 });
    expect(await helm.history(target)).toEqual([]);
    expect(await helm.status(target)).toBeUndefined();
  }, 60_000);

  it('keeps helm’s error text when a chart does not render', async () => {
    const err = await helm
      .install({ name: 'broken', namespace: 'default', chart: broken, values: {}, timeoutMs: 10_000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelmError);
    expect((err as HelmError).message).toMatch(/^INSTALLATION FAILED: broken\/templates\/bad.yaml:3:18/);
    expect((err as HelmError).message).toContain('nil pointer evaluating interface {}.field');
  });

  it('applies kustomize post-renderers through the Sluice plugin', async () => {
    const out = await helm.template({
      name: 'demo',
      namespace: 'default',
      chart: v1,
      values: {},
      postRenderers: [
        {
          kustomize: {
            patches: [
              {
                target: { kind: 'ConfigMap' },
                patch: '[{"op": "add", "path": "/metadata/labels", "value": {"patched": "yes"}}]',
              },
            ],
          },
        },
      ],
    });
    expect(out).toContain('patched: "yes"');
    expect(out).toContain('name: demo-config');
  });

  it('unlocks a release an interrupted helm process left pending', async () => {
    const target = { name: 'locked', namespace: 'default' };
    await helm.install({ ...target, chart: v1, values: {}, timeoutMs: 20_000 });
    const [rev] = await listStoredRevisions(kube, 'default', 'locked');
    const rel = decodeReleaseSecret(rev!.secret);
    rel.info.status = 'pending-upgrade';
    const data = Buffer.from(gzipSync(Buffer.from(JSON.stringify(rel))).toString('base64')).toString(
      'base64',
    );
    await kube.update({
      ...rev!.secret,
      metadata: {
        ...rev!.secret.metadata,
        labels: { ...rev!.secret.metadata.labels, status: 'pending-upgrade' },
      },
      data: { release: data },
    });
    await expect(helm.upgrade({ ...target, chart: v2, values: {}, timeoutMs: 20_000 })).rejects.toThrow(
      /another operation \(install\/upgrade\/rollback\) is in progress/,
    );
    const [pending] = await listStoredRevisions(kube, 'default', 'locked');
    expect(pending?.status).toBe('pending-upgrade');
    await unlockRelease(kube, pending!);
    const upgraded = await helm.upgrade({ ...target, chart: v2, values: {}, timeoutMs: 20_000 });
    expect(upgraded.version).toBe(2);
  }, 60_000);

  it('kills helm when the signal aborts', async () => {
    const controller = new AbortController();
    const run = helm.run(['version'], { signal: controller.signal });
    controller.abort(new Error('stopped'));
    await expect(run).rejects.toThrow('stopped');
  });
});
