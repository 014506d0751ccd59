import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compareVersionPriority, createRegistry } from './index.js';

const WIDGETS = parse(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names:
    plural: widgets
    singular: widget
    kind: Widget
    shortNames: [wd]
    categories: [all]
  versions:
    - name: v1beta1
      served: true
      storage: false
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
    - name: v1
      served: true
      storage: true
      subresources:
        status: {}
        scale:
          specReplicasPath: .spec.replicas
          statusReplicasPath: .status.replicas
      additionalPrinterColumns:
        - name: Size
          type: integer
          jsonPath: .spec.size
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: { type: integer }
    - name: v0
      served: false
      storage: false
`);

describe('createRegistry()', () => {
  it('serves the built-in resources with their scope, names and subresources', () => {
    const reg = createRegistry();
    const deployments = reg.lookup('apps', 'v1', 'deployments');
    expect(deployments).toMatchObject({
      kind: 'Deployment',
      listKind: 'DeploymentList',
      singular: 'deployment',
      namespaced: true,
      storageVersion: 'v1',
      subresources: { status: true, scale: { specReplicasPath: '.spec.replicas' } },
    });
    expect(deployments!.shortNames).toContain('deploy');
    expect(deployments!.categories).toContain('all');
    expect(deployments!.type.field('spec')?.field('replicas')?.type).toBe('integer');
    expect(reg.byKind('', 'v1', 'Namespace')).toMatchObject({ plural: 'namespaces', namespaced: false });
    expect(reg.byKind('', 'v1', 'Namespace')!.verbs).not.toContain('deletecollection');
    expect(reg.lookup('', 'v1', 'configmaps')!.verbs).toEqual([
      'create',
      'delete',
      'deletecollection',
      'get',
      'list',
      'patch',
      'update',
      'watch',
    ]);
  });

  it('lists groups with the core group first and the preferred version first', () => {
    const groups = createRegistry().groupVersions();
    expect(groups[0]).toEqual({ group: '', versions: ['v1'] });
    expect(groups.find((g) => g.group === 'apps')!.versions[0]).toBe('v1');
  });

  it('serves every served version of an installed CRD with the storage version', () => {
    const reg = createRegistry();
    const before = reg.generation;
    reg.installCRD(WIDGETS);
    expect(reg.generation).toBe(before + 1);
    const v1 = reg.lookup('example.com', 'v1', 'widgets')!;
    expect(v1).toMatchObject({
      kind: 'Widget',
      listKind: 'WidgetList',
      namespaced: true,
      shortNames: ['wd'],
      categories: ['all'],
      storageVersion: 'v1',
      crd: 'widgets.example.com',
      subresources: { status: true, scale: { specReplicasPath: '.spec.replicas' } },
    });
    expect(v1.printerColumns).toEqual([{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }]);
    expect(v1.type.field('spec')?.field('size')?.type).toBe('integer');
    expect(reg.lookup('example.com', 'v1beta1', 'widgets')).toMatchObject({ storageVersion: 'v1' });
    expect(reg.lookup('example.com', 'v1beta1', 'widgets')!.subresources.status).toBe(false);
    expect(reg.lookup('example.com', 'v0', 'widgets')).toBeUndefined();
    expect(reg.groupVersions().at(-1)).toEqual({ group: 'example.com', versions: ['v1', 'v1beta1'] });
    expect(reg.preferred('example.com', 'Widget')!.version).toBe('v1');
  });

  it('does not bump the generation when a CRD is reinstalled with the same spec', () => {
    const reg = createRegistry();
    reg.installCRD(WIDGETS);
    const generation = reg.generation;
    reg.installCRD({ ...WIDGETS, status: { storedVersions: ['v1'] } });
    expect(reg.generation).toBe(generation);
  });

  it('stops serving a removed CRD and tells listeners about every change', () => {
    const reg = createRegistry();
    let calls = 0;
    const off = reg.onChange(() => calls++);
    reg.installCRD(WIDGETS);
    reg.removeCRD('widgets.example.com');
    expect(reg.lookup('example.com', 'v1', 'widgets')).toBeUndefined();
    expect(reg.groupVersions().some((g) => g.group === 'example.com')).toBe(false);
    reg.removeCRD('widgets.example.com');
    off();
    reg.installCRD(WIDGETS);
    expect(calls).toBe(2);
  });

  it('makes a cluster-scoped CRD cluster-scoped', () => {
    const reg = createRegistry();
    reg.installCRD({ ...WIDGETS, spec: { ...WIDGETS.spec, scope: 'Cluster' } });
    expect(reg.lookup('example.com', 'v1', 'widgets')!.namespaced).toBe(false);
  });
});

describe('compareVersionPriority()', () => {
  it('orders GA before beta before alpha, higher numbers first, others last', () => {
    const versions = ['v1alpha1', 'foo', 'v2beta1', 'v1', 'v1beta2', 'v2', 'v1beta1', 'v10', 'bar'];
    expect(versions.sort(compareVersionPriority)).toEqual([
      'v10',
      'v2',
      'v1',
      'v2beta1',
      'v1beta2',
      'v1beta1',
      'v1alpha1',
      'bar',
      'foo',
    ]);
  });
});
