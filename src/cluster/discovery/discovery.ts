import { createHash } from 'node:crypto';
import { cachedPerGeneration, type ResourceRegistry, type ResourceType } from '../registry/index.js';

/**
 * The response Content-Type of aggregated discovery. kubectl and client-go treat `/api` and `/apis` as
 * aggregated (one request for everything) only when the response carries exactly these parameters.
 */
export const AGGREGATED_DISCOVERY_CONTENT_TYPE =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];
const SCALE_KIND = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

/**
 * Whether an Accept header asks for aggregated discovery (`apidiscovery.k8s.io/v2` `APIGroupDiscoveryList`).
 * Answer with {@link aggregatedDiscovery} and {@link AGGREGATED_DISCOVERY_CONTENT_TYPE} when true, else with
 * the legacy documents.
 */
export function wantsAggregatedDiscovery(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const params = new Set(
      part
        .split(';')
        .slice(1)
        .map((p) => p.trim().replace(/\s+/g, '')),
    );
    return (
      params.has('g=apidiscovery.k8s.io') && params.has('v=v2') && params.has('as=APIGroupDiscoveryList')
    );
  });
}

/** The `storageVersionHash` of a resource: base64 of the first 8 bytes of sha256(`group/version/kind`). */
export function storageVersionHash(rt: ResourceType): string {
  const digest = createHash('sha256').update(`${rt.group}/${rt.storageVersion}/${rt.kind}`).digest();
  return digest.subarray(0, 8).toString('base64');
}

function groupVersion(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** Options of {@link apiVersions}. */
export interface ApiVersionsOptions {
  /** `host:port` clients reach the server at; reported in `serverAddressByClientCIDRs`. Omitted when unset. */
  serverAddress?: string;
}

/** The `APIVersions` document served at `GET /api`. */
export function apiVersions(options: ApiVersionsOptions = {}): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: options.serverAddress
      ? [{ clientCIDR: '0.0.0.0/0', serverAddress: options.serverAddress }]
      : [],
  };
}

/** The `APIGroupList` document served at `GET /apis`: every named group, its versions, the preferred one. */
export function apiGroupList(reg: ResourceRegistry): object {
  return cachedPerGeneration(reg, 'discovery:apis', () => ({
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: reg
      .groupVersions()
      .filter((g) => g.group !== '')
      .map((g) => ({
        name: g.group,
        versions: g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${g.group}/${g.versions[0]}`, version: g.versions[0] },
      })),
  }));
}

/** The `APIGroup` document served at `GET /apis/<group>`, or undefined when the group is not served. */
export function apiGroup(reg: ResourceRegistry, group: string): object | undefined {
  const g = reg.groupVersions().find((x) => x.group === group && group !== '');
  if (!g) return undefined;
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: g.group,
    versions: g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${g.group}/${g.versions[0]}`, version: g.versions[0] },
  };
}

function resourcesOf(reg: ResourceRegistry, group: string, version: string): ResourceType[] {
  return reg.all().filter((rt) => rt.group === group && rt.version === version);
}

/**
 * The `APIResourceList` served at `GET /api/v1` and `GET /apis/<group>/<version>`, with `…/status` and
 * `…/scale` entries for subresources; undefined when the group/version is not served.
 */
export function apiResourceList(reg: ResourceRegistry, group: string, version: string): object | undefined {
  return cachedPerGeneration(reg, `discovery:${group}/${version}`, () => {
    const types = resourcesOf(reg, group, version);
    if (types.length === 0) return undefined;
    const resources: object[] = [];
    for (const rt of types) {
      resources.push({
        name: rt.plural,
        singularName: rt.singular,
        namespaced: rt.namespaced,
        kind: rt.kind,
        verbs: rt.verbs,
        ...(rt.shortNames.length > 0 ? { shortNames: rt.shortNames } : {}),
        ...(rt.categories.length > 0 ? { categories: rt.categories } : {}),
        storageVersionHash: storageVersionHash(rt),
      });
      if (rt.subresources.scale) {
        resources.push({
          name: `${rt.plural}/scale`,
          singularName: '',
          namespaced: rt.namespaced,
          ...SCALE_KIND,
          verbs: SUBRESOURCE_VERBS,
        });
      }
      if (rt.subresources.status) {
        resources.push({
          name: `${rt.plural}/status`,
          singularName: '',
          namespaced: rt.namespaced,
          kind: rt.kind,
          verbs: SUBRESOURCE_VERBS,
        });
      }
    }
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: groupVersion(group, version),
      resources,
    };
  });
}

function discoveryResource(rt: ResourceType): object {
  const subresources: object[] = [];
  if (rt.subresources.scale) {
    subresources.push({ subresource: 'scale', responseKind: SCALE_KIND, verbs: SUBRESOURCE_VERBS });
  }
  if (rt.subresources.status) {
    subresources.push({
      subresource: 'status',
      responseKind: { group: rt.group, version: rt.version, kind: rt.kind },
      verbs: SUBRESOURCE_VERBS,
    });
  }
  return {
    resource: rt.plural,
    responseKind: { group: rt.group, version: rt.version, kind: rt.kind },
    scope: rt.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: rt.singular,
    verbs: rt.verbs,
    ...(rt.shortNames.length > 0 ? { shortNames: rt.shortNames } : {}),
    ...(rt.categories.length > 0 ? { categories: rt.categories } : {}),
    ...(subresources.length > 0 ? { subresources } : {}),
  };
}

/**
 * The aggregated discovery document (`apidiscovery.k8s.io/v2` `APIGroupDiscoveryList`) for `GET /api`
 * (`which: 'api'`, the core group only) or `GET /apis` (every named group). Serve it with the
 * {@link AGGREGATED_DISCOVERY_CONTENT_TYPE} Content-Type.
 */
export function aggregatedDiscovery(reg: ResourceRegistry, which: 'api' | 'apis'): object {
  return cachedPerGeneration(reg, `discovery:aggregated:${which}`, () => ({
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: reg
      .groupVersions()
      .filter((g) => (which === 'api' ? g.group === '' : g.group !== ''))
      .map((g) => ({
        metadata: g.group === '' ? {} : { name: g.group },
        versions: g.versions.map((version) => ({
          version,
          resources: resourcesOf(reg, g.group, version).map(discoveryResource),
          freshness: 'Current',
        })),
      })),
  }));
}
