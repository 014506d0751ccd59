import { InvalidPatchError } from './errors.js';
import { deepClone, deepEqual, isObject, type JsonObject, type JsonValue } from './json-value.js';

/**
 * The part of a navigable schema node (src/schema's `TypeNode`) that strategic merge reads: where to go
 * next, and how the lists below merge.
 */
export interface PatchSchema {
  field(name: string): PatchSchema | undefined;
  items(): PatchSchema | undefined;
  values(): PatchSchema | undefined;
  readonly patchStrategy: readonly string[];
  readonly patchMergeKey?: string;
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: readonly string[];
}

/** Options of {@link applyStrategicMergePatch}. */
export interface StrategicMergeOptions {
  /**
   * Where elements of a merging list that only the patch has go: `append` (default, as the API server
   * does) or `prepend` (as kustomize does).
   */
  newListElements?: 'append' | 'prepend';
}

const DELETE: unique symbol = Symbol('delete');
type Merged = JsonValue | typeof DELETE;

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE = '$deleteFromPrimitiveList/';

/**
 * Applies a Kubernetes strategic merge patch to a copy of `doc` and returns the result, or `null` when
 * the patch deletes the whole document (`$patch: delete` at its top).
 *
 * Maps merge key by key and `null` deletes a key. Lists merge by the merge key(s) that `type` gives
 * (`x-kubernetes-patch-merge-key`, or the list-map keys of a `map` list); lists of scalars with a merge
 * strategy become the union; every other list is replaced. Without `type`, maps merge as in a JSON merge
 * patch and lists are replaced. The directives `$patch: replace|delete|merge`, `$retainKeys`,
 * `$setElementOrder/<field>` and `$deleteFromPrimitiveList/<field>` are honoured and never appear in
 * the result.
 */
export function applyStrategicMergePatch<T = JsonValue>(
  doc: T,
  patch: JsonValue,
  type?: PatchSchema,
  options: StrategicMergeOptions = {},
): T | null {
  if (!isObject(patch)) {
    throw new InvalidPatchError('Strategic merge patch is invalid: it must be an object');
  }
  const prepend = options.newListElements === 'prepend';
  const out = mergeMap(isObject(doc) ? (deepClone(doc) as JsonObject) : undefined, patch, type, prepend);
  return out === DELETE ? null : (out as T);
}

function directive(patch: JsonObject): string | undefined {
  const d = patch[PATCH];
  if (d === undefined) return undefined;
  if (d !== 'replace' && d !== 'delete' && d !== 'merge') {
    throw new InvalidPatchError(
      `Strategic merge patch is invalid: unknown $patch directive ${JSON.stringify(d)}`,
    );
  }
  return d;
}

function isDirectiveKey(k: string): boolean {
  return k === PATCH || k === RETAIN_KEYS || k.startsWith(SET_ORDER) || k.startsWith(DELETE_FROM_PRIMITIVE);
}

function fieldType(type: PatchSchema | undefined, key: string): PatchSchema | undefined {
  if (!type) return undefined;
  return type.field(key) ?? type.values();
}

function mergeMap(
  orig: JsonObject | undefined,
  patch: JsonObject,
  type: PatchSchema | undefined,
  prepend: boolean,
): Merged {
  const d = directive(patch);
  if (d === 'delete') return DELETE;
  if (d === 'replace') {
    const out = mergeMap(undefined, withoutKey(patch, PATCH), type, prepend);
    return out;
  }
  const out: JsonObject = orig ?? {};
  const retain = patch[RETAIN_KEYS];
  if (retain !== undefined) {
    if (!Array.isArray(retain))
      throw new InvalidPatchError('Strategic merge patch is invalid: $retainKeys must be a list');
    const keep = new Set(retain.map(String));
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  for (const k of Object.keys(patch)) {
    if (!k.startsWith(DELETE_FROM_PRIMITIVE)) continue;
    const field = k.slice(DELETE_FROM_PRIMITIVE.length);
    const drop = patch[k];
    const cur = out[field];
    if (Array.isArray(drop) && Array.isArray(cur)) {
      out[field] = cur.filter((v) => !drop.some((x) => deepEqual(x, v)));
    }
  }
  for (const k of Object.keys(patch)) {
    if (isDirectiveKey(k)) continue;
    const pv = patch[k]!;
    if (pv === null) {
      delete out[k];
      continue;
    }
    const merged = mergeValue(out[k], pv, fieldType(type, k), prepend);
    if (merged === DELETE) delete out[k];
    else out[k] = merged;
  }
  for (const k of Object.keys(patch)) {
    if (!k.startsWith(SET_ORDER)) continue;
    const field = k.slice(SET_ORDER.length);
    const order = patch[k];
    const cur = out[field];
    if (Array.isArray(order) && Array.isArray(cur))
      out[field] = reorder(cur, order, listKeys(fieldType(type, field)));
  }
  return out;
}

function withoutKey(o: JsonObject, key: string): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(o)) if (k !== key) out[k] = o[k]!;
  return out;
}

function mergeValue(
  orig: JsonValue | undefined,
  patch: JsonValue,
  type: PatchSchema | undefined,
  prepend: boolean,
): Merged {
  if (isObject(patch)) return mergeMap(isObject(orig) ? orig : undefined, patch, type, prepend);
  if (Array.isArray(patch)) return mergeList(Array.isArray(orig) ? orig : undefined, patch, type, prepend);
  return patch;
}

/** The keys that identify an element of a merging list, `[]` for a list of scalars, undefined when replaced. */
function listKeys(type: PatchSchema | undefined): string[] | undefined {
  if (!type) return undefined;
  const merging = type.patchStrategy.includes('merge');
  if (type.listType === 'map' && type.listMapKeys && type.listMapKeys.length > 0) {
    const keys = [...type.listMapKeys];
    if (type.patchMergeKey && keys[0] !== type.patchMergeKey) {
      return [type.patchMergeKey, ...keys.filter((k) => k !== type.patchMergeKey)];
    }
    return keys;
  }
  if (!merging) return undefined;
  return type.patchMergeKey ? [type.patchMergeKey] : [];
}

function keyValue(v: JsonValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Elements match when every key both carry agrees and at least one key is carried by both. */
function sameElement(a: JsonValue, b: JsonObject, keys: string[]): boolean {
  if (!isObject(a)) return false;
  let common = false;
  for (const k of keys) {
    const va = keyValue(a[k]);
    const vb = keyValue(b[k]);
    if (va !== undefined && vb !== undefined) {
      if (va !== vb) return false;
      common = true;
    }
  }
  return common;
}

function mergeList(
  orig: JsonValue[] | undefined,
  patch: JsonValue[],
  type: PatchSchema | undefined,
  prepend: boolean,
): Merged {
  const items = type?.items();
  const replaceAll = patch.some((e) => isObject(e) && e[PATCH] === 'replace' && Object.keys(e).length === 1);
  const keys = replaceAll ? undefined : listKeys(type);
  if (keys === undefined || orig === undefined) {
    const out: JsonValue[] = [];
    for (const e of patch) {
      if (isObject(e)) {
        if (e[PATCH] === 'replace' && Object.keys(e).length === 1) continue;
        if (e[PATCH] === 'delete') continue;
        const m = mergeMap(undefined, e, items, prepend);
        if (m !== DELETE) out.push(m);
      } else out.push(e);
    }
    return out;
  }
  const out = orig;
  const added: JsonValue[] = [];
  // With `prepend`, elements the patch names come first in the patch's order, then the others.
  const touched: JsonValue[] = [];
  for (const e of patch) {
    if (!isObject(e) || keys.length === 0) {
      const at = out.findIndex((x) => deepEqual(x, e));
      if (at >= 0) {
        if (prepend) touched.push(out.splice(at, 1)[0]!);
      } else if (!added.some((x) => deepEqual(x, e))) {
        added.push(deepClone(e));
        if (prepend) touched.push(added[added.length - 1]!);
      }
      continue;
    }
    const d = directive(e);
    if (d === 'delete') {
      for (let i = out.length - 1; i >= 0; i--) if (sameElement(out[i]!, e, keys)) out.splice(i, 1);
      continue;
    }
    const i = out.findIndex((x) => sameElement(x, e, keys));
    if (i >= 0) {
      const m = mergeMap(out[i] as JsonObject, e, items, prepend);
      if (m === DELETE) out.splice(i, 1);
      else if (prepend) {
        out.splice(i, 1);
        touched.push(m);
      } else out[i] = m;
    } else {
      const j = touched.findIndex((x) => sameElement(x, e, keys));
      if (prepend && j >= 0) {
        const m = mergeMap(touched[j] as JsonObject, e, items, prepend);
        if (m === DELETE) touched.splice(j, 1);
        else touched[j] = m;
        continue;
      }
      const k = added.findIndex((x) => sameElement(x, e, keys));
      const m = mergeMap(k >= 0 ? (added[k] as JsonObject) : undefined, e, items, prepend);
      if (k >= 0) {
        if (m === DELETE) added.splice(k, 1);
        else added[k] = m;
      } else if (m !== DELETE) {
        added.push(m);
        if (prepend) touched.push(m);
      }
    }
  }
  return prepend ? [...touched, ...out] : [...out, ...added];
}

function reorder(list: JsonValue[], order: JsonValue[], keys: string[] | undefined): JsonValue[] {
  const rank = (v: JsonValue): number => {
    const i = order.findIndex((o) =>
      isObject(o) && keys && keys.length > 0 ? sameElement(v, o, keys) : deepEqual(o, v),
    );
    return i < 0 ? order.length : i;
  };
  return list
    .map((v, i) => ({ v, i, r: rank(v) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.v);
}
