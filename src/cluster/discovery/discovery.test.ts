import { describe, expect, it } from 'vitest';
import { createRegistry } from '../registry/index.js';
import {
  AGGREGATED_DISCOVERY_CONTENT_TYPE,
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  wantsAggregatedDiscovery,
} from './index.js';

const CRD = {
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Cluster',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
    versions: [
      { name: 'v1alpha1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: { openAPIV3Schema: { type: 'object' } },
      },
    ],
  },
};

// biome-ignore lint/suspicious/noExplicitAny: tests navigate the documents freely
type Doc = Record<string, any>;

describe('discovery', () => {
  it('answers /api with the core version', () => {
    expect(apiVersions({ serverAddress: '127.0.0.1:6443' })).toEqual({
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }],
    });
  });

  it('lists named groups with their preferred version under /apis', () => {
    const reg = createRegistry();
    reg.installCRD(CRD);
    const list = apiGroupList(reg) as Doc;
    expect(list.kind).toBe('APIGroupList');
    expect(list.groups.some((g: Doc) => g.name === '')).toBe(false);
    expect(list.groups.find((g: Doc) => g.name === 'apps')).toEqual({
      name: 'apps',
      versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
    });
    expect(list.groups.find((g: Doc) => g.name === 'example.com').preferredVersion.version).toBe('v1');
    expect((apiGroup(reg, 'example.com') as Doc).versions).toHaveLength(2);
    expect(apiGroup(reg, 'nope.io')).toBeUndefined();
  });

  it('lists resources and their subresources per group/version', () => {
    const reg = createRegistry();
    const apps = apiResourceList(reg, 'apps', 'v1') as Doc;
    expect(apps.groupVersion).toBe('apps/v1');
    const names = apps.resources.map((r: Doc) => r.name);
    expect(names).toEqual(expect.arrayContaining(['deployments', 'deployments/status', 'deployments/scale']));
    const deployments = apps.resources.find((r: Doc) => r.name === 'deployments');
    expect(deployments).toMatchObject({
      singularName: 'deployment',
      namespaced: true,
      kind: 'Deployment',
      shortNames: ['deploy'],
      categories: ['all'],
    });
    expect(deployments.storageVersionHash).toMatch(/^[A-Za-z0-9+/]{11}=$/);
    expect(apps.resources.find((r: Doc) => r.name === 'deployments/scale')).toMatchObject({
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
      verbs: ['get', 'patch', 'update'],
    });
    expect((apiResourceList(reg, '', 'v1') as Doc).groupVersion).toBe('v1');
    expect(apiResourceList(reg, 'apps', 'v9')).toBeUndefined();
  });

  it('builds aggregated discovery for the core group and the named groups', () => {
    const reg = createRegistry();
    reg.installCRD(CRD);
    const core = aggregatedDiscovery(reg, 'api') as Doc;
    expect(core).toMatchObject({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2' });
    expect(core.items).toHaveLength(1);
    const pods = core.items[0].versions[0].resources.find((r: Doc) => r.resource === 'pods');
    expect(pods).toMatchObject({
      responseKind: { group: '', version: 'v1', kind: 'Pod' },
      scope: 'Namespaced',
      singularResource: 'pod',
      categories: ['all'],
      subresources: [{ subresource: 'status', responseKind: { group: '', version: 'v1', kind: 'Pod' } }],
    });
    const apis = aggregatedDiscovery(reg, 'apis') as Doc;
    const example = apis.items.find((i: Doc) => i.metadata.name === 'example.com');
    expect(example.versions.map((v: Doc) => v.version)).toEqual(['v1', 'v1alpha1']);
    expect(example.versions[0]).toMatchObject({
      freshness: 'Current',
      resources: [{ resource: 'widgets', scope: 'Cluster', shortNames: ['wd'] }],
    });
  });

  it('caches documents until the registry changes', () => {
    const reg = createRegistry();
    const first = aggregatedDiscovery(reg, 'apis');
    expect(aggregatedDiscovery(reg, 'apis')).toBe(first);
    reg.installCRD(CRD);
    expect(aggregatedDiscovery(reg, 'apis')).not.toBe(first);
  });

  it('recognises the Accept header kubectl sends for aggregated discovery', () => {
    expect(
      wantsAggregatedDiscovery(
        'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json',
      ),
    ).toBe(true);
    expect(wantsAggregatedDiscovery('application/json, */*')).toBe(false);
    expect(wantsAggregatedDiscovery(undefined)).toBe(false);
    expect(AGGREGATED_DISCOVERY_CONTENT_TYPE).toBe(
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    );
  });
});
