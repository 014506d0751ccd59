import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/index.js';
import {
  anyInMetadata,
  ChangeSet,
  compareObjMetadata,
  hasDrifted,
  maskSecretData,
  objMetadataOf,
} from './index.js';

const base = (extra: Partial<KubeObject> = {}, meta: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'x', namespace: 'default', resourceVersion: '5', ...meta },
  data: { a: '1' },
  ...extra,
});

describe('hasDrifted', () => {
  const cases: [string, KubeObject, KubeObject, boolean][] = [
    ['identical objects', base(), base(), false],
    [
      'metadata noise only',
      base({}, { managedFields: [{ manager: 'a' }], creationTimestamp: 'then', uid: '1' }),
      base({}, { managedFields: [{ manager: 'b' }], generation: 3, uid: '1' }),
      false,
    ],
    ['absent and empty labels', base({}, { labels: {} }), base(), false],
    ['a status change', base({ status: { phase: 'A' } }), base({ status: { phase: 'B' } }), false],
    ['a data change', base(), base({ data: { a: '2' } }), true],
    ['a new top-level field', base(), base({ binaryData: { b: 'AA==' } }), true],
    ['a label change', base({}, { labels: { x: '1' } }), base({}, { labels: { x: '2' } }), true],
    ['an annotation added', base(), base({}, { annotations: { note: 'x' } }), true],
    ['a dry-run without resourceVersion (new object)', base(), base({}, { resourceVersion: '' }), true],
  ];
  it.each(cases)('compares %s', (_name, existing, dryRun, drifted) => {
    expect(hasDrifted(existing, dryRun)).toBe(drifted);
  });
});

describe('anyInMetadata', () => {
  it('matches labels or annotations with case-insensitive values', () => {
    const obj = base(
      {},
      { labels: { l: 'Yes' }, annotations: { 'kustomize.toolkit.fluxcd.io/ssa': 'merge' } },
    );
    expect(anyInMetadata(obj, { 'kustomize.toolkit.fluxcd.io/ssa': 'Merge' })).toBe(true);
    expect(anyInMetadata(obj, { l: 'yes' })).toBe(true);
    expect(anyInMetadata(obj, { l: 'no', other: 'x' })).toBe(false);
    expect(anyInMetadata(undefined, { l: 'yes' })).toBe(false);
  });
});

describe('maskSecretData', () => {
  it('masks values, marking the changed ones before and after', () => {
    const before = base({ data: { same: 'YQ==', changed: 'Yg==', removed: 'Yw==' } });
    const after = base({ data: { same: 'YQ==', changed: 'ZA==', added: 'ZQ==' } });
    maskSecretData(before, after);
    expect(before.data).toEqual({ same: '***', changed: '*** (before)', removed: '***' });
    expect(after.data).toEqual({ same: '***', changed: '*** (after)', added: '***' });
  });
});

describe('apply order', () => {
  it('puts CRDs and namespaces first and webhooks last, then sorts by group, kind, namespace and name', () => {
    const objs: KubeObject[] = [
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
        metadata: { name: 'v' },
      },
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'a' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'a' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'a' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'a' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
      { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'c' } },
    ];
    const sorted = objs.map(objMetadataOf).sort(compareObjMetadata);
    expect(sorted.map((m) => `${m.kind}/${m.name}`)).toEqual([
      'CustomResourceDefinition/c',
      'Namespace/a',
      'ConfigMap/a',
      'ConfigMap/b',
      'Deployment/d',
      'Widget/w',
      'ValidatingWebhookConfiguration/v',
    ]);
  });
});

describe('ChangeSet', () => {
  it('formats change logs as Flux events do', () => {
    const entry = (kind: string, name: string, action: 'created' | 'unchanged' | 'configured') => ({
      objMetadata: { namespace: 'apps', name, group: kind === 'Deployment' ? 'apps' : '', kind },
      version: 'v1',
      subject: `${kind}/apps/${name}`,
      action,
    });
    const cs = new ChangeSet([
      entry('ConfigMap', 'cfg', 'unchanged'),
      entry('Deployment', 'podinfo', 'configured'),
    ]);
    expect(cs.changeLog()).toBe('Deployment/apps/podinfo configured');
    expect(cs.toGroupedMap()).toEqual({
      unchanged: ['ConfigMap/apps/cfg'],
      configured: ['Deployment/apps/podinfo'],
    });
    expect(cs.ids()).toEqual(['apps_cfg__ConfigMap', 'apps_podinfo_apps_Deployment']);
    expect(cs.toRefs()[1]).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'podinfo',
      namespace: 'apps',
    });
  });
});
