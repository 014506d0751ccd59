/**
 * Discovery documents of the embedded cluster: the legacy `/api`, `/apis`, `/apis/<group>` and per
 * group/version `APIResourceList`s (client-node and older clients), and aggregated discovery
 * (`apidiscovery.k8s.io/v2`) that kubectl and helm fetch in one request. Built from the resource registry and
 * cached per registry generation.
 */
export {
  AGGREGATED_DISCOVERY_CONTENT_TYPE,
  type ApiVersionsOptions,
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  storageVersionHash,
  wantsAggregatedDiscovery,
} from './discovery.js';
