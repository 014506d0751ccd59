import type { ResourceRegistry } from './types.js';

const caches = new WeakMap<ResourceRegistry, { generation: number; values: Map<string, unknown> }>();

/**
 * Returns the value computed by `compute` for this registry and key, computing it at most once per registry
 * generation. Discovery and OpenAPI documents use it: clients fetch them often, they change rarely.
 */
export function cachedPerGeneration<T>(reg: ResourceRegistry, key: string, compute: () => T): T {
  let entry = caches.get(reg);
  if (!entry || entry.generation !== reg.generation) {
    entry = { generation: reg.generation, values: new Map() };
    caches.set(reg, entry);
  }
  if (entry.values.has(key)) return entry.values.get(key) as T;
  const value = compute();
  entry.values.set(key, value);
  return value;
}
