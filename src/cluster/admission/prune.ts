import type { TypeNode } from '../../schema/index.js';

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

// TypeNode.items()/values() build a fresh node per call; memoise them so request-time walks stay cheap.
const itemsCache = new WeakMap<TypeNode, TypeNode | null>();
const valuesCache = new WeakMap<TypeNode, TypeNode | null>();

function itemsOf(t: TypeNode): TypeNode | undefined {
  let hit = itemsCache.get(t);
  if (hit === undefined) {
    hit = t.items() ?? null;
    itemsCache.set(t, hit);
  }
  return hit ?? undefined;
}

function valuesOf(t: TypeNode): TypeNode | undefined {
  let hit = valuesCache.get(t);
  if (hit === undefined) {
    hit = t.values() ?? null;
    valuesCache.set(t, hit);
  }
  return hit ?? undefined;
}

const EMBEDDED_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * Removes, in place, the fields of `value` its type does not declare, and `null`s of fields that are not
 * nullable, the way decoding into Kubernetes types (built-ins) and structural pruning (custom resources) drop
 * them. Fields under `x-kubernetes-preserve-unknown-fields` or untyped values are kept; embedded resources
 * keep `apiVersion`, `kind` and `metadata`. `apiVersion` and `kind` at the root are always kept. Returns the
 * paths of the dropped unknown fields (`spec.foo`, `spec.containers[0].bar`) in document order.
 */
export function pruneUnknownFields(value: unknown, type: TypeNode): string[] {
  const out: string[] = [];
  walk(value, type, '', true, out);
  return out;
}

function walk(value: unknown, type: TypeNode, path: string, root: boolean, out: string[]): void {
  if (Array.isArray(value)) {
    if (type.type !== 'array') return;
    const item = itemsOf(type);
    if (!item) return;
    for (let i = 0; i < value.length; i++) walk(value[i], item, `${path}[${i}]`, false, out);
    return;
  }
  if (!isObj(value)) return;
  if (type.type === 'map') {
    const child = valuesOf(type);
    if (!child) return;
    for (const [k, v] of Object.entries(value)) walk(v, child, join(path, k), false, out);
    return;
  }
  if (type.type !== 'object') return;
  for (const key of Object.keys(value)) {
    if (root && (key === 'apiVersion' || key === 'kind')) continue;
    const child = type.field(key);
    if (!child) {
      if (type.preserveUnknownFields || (type.embeddedResource && EMBEDDED_FIELDS.has(key))) continue;
      delete value[key];
      out.push(join(path, key));
      continue;
    }
    const v = value[key];
    if (v === null) {
      if (child.schema.nullable !== true) delete value[key];
      continue;
    }
    walk(v, child, join(path, key), false, out);
  }
}
