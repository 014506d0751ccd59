/**
 * Garbage collection of the embedded cluster: finishing deletions (owner references with Background,
 * Foreground and Orphan propagation, namespace termination, CRD instance cleanup) and the default namespaces
 * a cluster starts with.
 */
export { type GarbageCollector, type GarbageCollectorOptions, startGarbageCollector } from './collector.js';
export { DEFAULT_NAMESPACES, ensureDefaultNamespaces } from './namespaces.js';
