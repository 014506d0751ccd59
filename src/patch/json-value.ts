/** Any value a JSON document may hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** Reports whether `v` is a plain JSON object (not an array, not null). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Copies a JSON value deeply. */
export function deepClone<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  // Index and for-in loops: cloning often runs before it is optimized, where for-of allocates per element.
  if (Array.isArray(v)) {
    const copy: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) copy[i] = deepClone(v[i]);
    return copy as T;
  }
  const out: Record<string, unknown> = {};
  for (const k in v) out[k] = deepClone((v as Record<string, unknown>)[k]);
  return out as T;
}

/** Compares two JSON values structurally; map key order does not matter. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bb[i])) return false;
    return true;
  }
  const ak = Object.keys(a);
  const bo = b as Record<string, unknown>;
  if (ak.length !== Object.keys(bo).length) return false;
  for (const k of ak) {
    if (!Object.hasOwn(bo, k) || !deepEqual((a as Record<string, unknown>)[k], bo[k])) return false;
  }
  return true;
}
