import { deepClone, isObject, type JsonValue } from './json-value.js';

/**
 * Applies an RFC 7386 JSON merge patch to `doc` and returns the result (a new value; `doc` is not
 * changed). Objects merge key by key, `null` deletes a key, anything else (lists included) replaces.
 */
export function applyMergePatch<T = JsonValue>(doc: T, patch: JsonValue): T {
  return mergeValue(doc as JsonValue, patch) as T;
}

function mergeValue(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return deepClone(patch);
  const out: Record<string, JsonValue> = isObject(target) ? { ...target } : {};
  for (const key of Object.keys(patch)) {
    const pv = patch[key]!;
    if (pv === null) delete out[key];
    else out[key] = mergeValue(out[key], pv);
  }
  return out;
}
