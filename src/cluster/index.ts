/**
 * The embedded cluster: a Kubernetes-compatible API server on SQLite that kubectl, helm and client libraries
 * talk to as they would to a real one. It serves discovery, OpenAPI, the built-in kinds and CRDs, watches,
 * tables, patches and deletion with garbage collection; it runs no containers. Start it with
 * {@link startCluster} in-process, or with `sluice cluster start`.
 */
export { buildKubeconfig, type ClusterOptions, type RunningCluster, startCluster } from './cluster.js';
