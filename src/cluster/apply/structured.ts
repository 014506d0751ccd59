import {
  FieldSet,
  fieldElement,
  keyElement,
  type PathElement,
  pathToString,
  valueElement,
} from './field-set.js';
import { type Shape, type Structure, shapeOf } from './structure.js';

/**
 * The structured operations of server-side apply over plain JSON values, following
 * structured-merge-diff: the field set of a value, the merge of an applied configuration into a live
 * object, the comparison of two objects, and the removal of a set of fields.
 */

/** A value that does not fit its schema where apply needs the schema (duplicate or missing list keys). */
export class StructureError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'StructureError';
  }
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isEmptyish(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') {
    for (const _ in v as Obj) return false;
    return true;
  }
  return false;
}

/** Deep equality of JSON values (key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Obj;
  const bo = b as Obj;
  let n = 0;
  for (const k in ao) {
    if (ao[k] === undefined) continue;
    n++;
    if (!(k in bo) || !deepEqual(ao[k], bo[k])) return false;
  }
  for (const k in bo) if (bo[k] !== undefined) n--;
  return n === 0;
}

/** The path element of one item of a non-atomic list. */
export function itemElement(s: Structure, item: unknown, at: () => string): PathElement {
  if (s.keys.length > 0) {
    if (!isObj(item)) {
      throw new StructureError(at(), 'associative list with keys may not have non-map elements');
    }
    const keys: Obj = {};
    let found = 0;
    for (const k of s.keys) {
      let v = item[k];
      if (v === undefined) v = s.keyDefault(k);
      if (v !== undefined) {
        keys[k] = v;
        found++;
      }
    }
    if (found === 0) {
      throw new StructureError(
        at(),
        `associative list with keys has an element that omits all key fields ${JSON.stringify(s.keys)} (and doesn't have default values for any key fields)`,
      );
    }
    return keyElement(keys);
  }
  if (item === null || typeof item === 'object') {
    throw new StructureError(at(), 'associative list without keys has an element that is not a scalar');
  }
  return valueElement(item);
}

function pathString(path: PathElement[]): string {
  return pathToString(path);
}

/**
 * The fields a value sets: every scalar, atomic list and atomic map; every list item; every map entry
 * that is not a declared struct field; every empty or null map entry.
 */
export function toFieldSet(value: unknown, s: Structure, rejectDuplicates = false): FieldSet {
  const set = new FieldSet();
  const path: PathElement[] = [];
  collect(value, s, set, path, rejectDuplicates);
  return set;
}

function collect(v: unknown, s: Structure, set: FieldSet, path: PathElement[], strict: boolean): void {
  const shape = shapeOf(s, v);
  switch (shape) {
    case 'scalar':
    case 'atomic-list':
    case 'atomic-map':
      set.insert(path);
      return;
    case 'list': {
      const list = v as unknown[];
      const elem = s.elem();
      const seen = new Set<PathElement>();
      const dup = new Set<PathElement>();
      const pes = list.map((item) => {
        const pe = itemElement(s, item, () => pathString(path));
        if (seen.has(pe)) {
          if (strict)
            throw new StructureError(pathString(path), `duplicate entries for key ${pathToString([pe])}`);
          dup.add(pe);
        }
        seen.add(pe);
        return pe;
      });
      for (let i = 0; i < list.length; i++) {
        const pe = pes[i]!;
        path.push(pe);
        if (!dup.has(pe)) collect(list[i], elem, set, path, strict);
        set.insert(path);
        path.pop();
      }
      return;
    }
    case 'map': {
      const m = v as Obj;
      for (const key in m) {
        const val = m[key];
        if (val === undefined) continue;
        path.push(fieldElement(key));
        collect(val, s.child(key), set, path, strict);
        if (val === null || (isObj(val) && isEmptyish(val)) || !s.hasField(key)) set.insert(path);
        path.pop();
      }
      return;
    }
  }
}

/**
 * Merges `rhs` (the applied configuration) into `lhs` (the live object): granular maps merge by key,
 * associative lists by item key (keeping live order for items the configuration does not mention),
 * everything else is replaced by the configuration's value. Returns `undefined` when neither side has
 * a value.
 */
export function merge(lhs: unknown, rhs: unknown, s: Structure): unknown {
  return mergeAt(lhs, rhs, s, []);
}

function bothShape(s: Structure, lhs: unknown, rhs: unknown): Shape {
  if (rhs === undefined) return shapeOf(s, lhs);
  if (lhs === undefined) return shapeOf(s, rhs);
  const a = shapeOf(s, lhs);
  const b = shapeOf(s, rhs);
  if (a !== b) {
    // null on either side with a list or map on the other: the non-null side decides.
    if (lhs === null) return b;
    if (rhs === null) return a;
    return 'scalar';
  }
  return a;
}

function mergeAt(lhs: unknown, rhs: unknown, s: Structure, path: PathElement[]): unknown {
  const shape = bothShape(s, lhs, rhs);
  if (shape === 'map' || shape === 'list') {
    if (isEmptyish(lhs) && isEmptyish(rhs)) return rhs !== undefined ? rhs : lhs;
    if (shape === 'map')
      return mergeMaps(lhs as Obj | null | undefined, rhs as Obj | null | undefined, s, path);
    return mergeLists(lhs as unknown[] | null | undefined, rhs as unknown[] | null | undefined, s, path);
  }
  return rhs !== undefined ? rhs : lhs;
}

function mergeMaps(
  lhs: Obj | null | undefined,
  rhs: Obj | null | undefined,
  s: Structure,
  path: PathElement[],
) {
  const out: Obj = {};
  let n = 0;
  if (lhs) {
    for (const k in lhs) {
      const l = lhs[k];
      if (l === undefined) continue;
      const r = rhs ? rhs[k] : undefined;
      path.push(fieldElement(k));
      const m = r === undefined ? l : mergeAt(l, r, s.child(k), path);
      path.pop();
      if (m !== undefined) {
        out[k] = m;
        n++;
      }
    }
  }
  if (rhs) {
    for (const k in rhs) {
      const r = rhs[k];
      if (r === undefined || (lhs && lhs[k] !== undefined)) continue;
      out[k] = r;
      n++;
    }
  }
  return n > 0 ? out : undefined;
}

function indexList(
  list: unknown[],
  s: Structure,
  path: PathElement[],
  allowDuplicates: boolean,
): { pes: PathElement[]; observed: Map<PathElement, unknown> } {
  const pes: PathElement[] = [];
  const observed = new Map<PathElement, unknown>();
  for (const item of list) {
    const pe = itemElement(s, item, () => pathString(path));
    if (observed.has(pe)) {
      if (!allowDuplicates) {
        throw new StructureError(pathString(path), `duplicate entries for key ${pathToString([pe])}`);
      }
      // Duplicated live items are not merged with the configuration's item.
      observed.set(pe, null);
    } else {
      observed.set(pe, item);
    }
    pes.push(pe);
  }
  return { pes, observed };
}

function mergeLists(
  lhs: unknown[] | null | undefined,
  rhs: unknown[] | null | undefined,
  s: Structure,
  path: PathElement[],
): unknown {
  const elem = s.elem();
  const r = indexList(rhs ?? [], s, path, false);
  const l = indexList(lhs ?? [], s, path, true);
  const out: unknown[] = [];
  const mergeItem = (pe: PathElement, lc: unknown, rc: unknown): void => {
    path.push(pe);
    const m = lc === undefined ? rc : rc === undefined ? lc : mergeAt(lc, rc, elem, path);
    path.pop();
    if (m !== undefined) out.push(m);
  };

  const shared: PathElement[] = [];
  for (const pe of r.pes) if (l.observed.has(pe)) shared.push(pe);
  let sharedIdx = 0;
  let nextShared: PathElement | undefined = shared[sharedIdx++];
  const advanceShared = (): void => {
    nextShared = sharedIdx < shared.length ? shared[sharedIdx++] : undefined;
  };
  const mergedRHS = new Set<PathElement>();
  const lList = lhs ?? [];
  let lI = 0;
  let rI = 0;
  const lLen = l.pes.length;
  const rLen = r.pes.length;
  while (lI < lLen || rI < rLen) {
    if (lI < lLen && rI < rLen) {
      const pe = l.pes[lI]!;
      if (pe === r.pes[rI]) {
        mergedRHS.add(pe);
        mergeItem(pe, l.observed.get(pe), r.observed.get(pe));
        lI++;
        rI++;
        advanceShared();
        continue;
      }
      if (r.observed.has(pe) && nextShared !== undefined && nextShared !== pe) {
        // A shared item, but not the one the configuration wants next.
        lI++;
        continue;
      }
    }
    if (lI < lLen) {
      const pe = l.pes[lI]!;
      if (!r.observed.has(pe)) {
        mergeItem(pe, lList[lI], undefined);
        lI++;
        continue;
      }
      if (mergedRHS.has(pe)) lI++;
    }
    if (rI < rLen) {
      const pe = r.pes[rI]!;
      mergedRHS.add(pe);
      const lc = l.observed.has(pe) ? l.observed.get(pe) : undefined;
      mergeItem(pe, lc, r.observed.get(pe));
      rI++;
      if (nextShared !== undefined && nextShared === pe) advanceShared();
    }
  }
  return out.length > 0 ? out : undefined;
}

/** The fields an update adds, changes and removes, as structured-merge-diff's comparison reports them. */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Compares two objects field by field; leaves, atomic lists and atomic maps compare as wholes. */
export function compare(lhs: unknown, rhs: unknown, s: Structure): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareAt(lhs, rhs, s, [], c);
  return c;
}

function compareAt(lhs: unknown, rhs: unknown, s: Structure, path: PathElement[], c: Comparison): void {
  const shape = bothShape(s, lhs, rhs);
  let leaf = shape === 'scalar' || shape === 'atomic-list' || shape === 'atomic-map';
  if (!leaf && isEmptyish(lhs) && isEmptyish(rhs)) leaf = true;
  if (leaf) {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
    else if (!deepEqual(lhs, rhs)) c.modified.insert(path);
    return;
  }
  if (shape === 'map') {
    const l = isObj(lhs) ? lhs : undefined;
    const r = isObj(rhs) ? rhs : undefined;
    if (l) {
      for (const k in l) {
        if (l[k] === undefined) continue;
        path.push(fieldElement(k));
        compareAt(l[k], r ? r[k] : undefined, s.child(k), path, c);
        path.pop();
      }
    }
    if (r) {
      for (const k in r) {
        if (r[k] === undefined || (l && l[k] !== undefined)) continue;
        path.push(fieldElement(k));
        compareAt(undefined, r[k], s.child(k), path, c);
        path.pop();
      }
    }
  } else {
    compareLists(Array.isArray(lhs) ? lhs : [], Array.isArray(rhs) ? rhs : [], s, path, c);
  }
  if (lhs === undefined) c.added.insert(path);
  else if (rhs === undefined) c.removed.insert(path);
}

function compareLists(
  lhs: unknown[],
  rhs: unknown[],
  s: Structure,
  path: PathElement[],
  c: Comparison,
): void {
  const elem = s.elem();
  const lv = new Map<PathElement, unknown[]>();
  const rv = new Map<PathElement, unknown[]>();
  const all: PathElement[] = [];
  for (const item of lhs) {
    const pe = itemElement(s, item, () => pathString(path));
    const got = lv.get(pe);
    if (got) got.push(item);
    else {
      lv.set(pe, [item]);
      all.push(pe);
    }
  }
  for (const item of rhs) {
    const pe = itemElement(s, item, () => pathString(path));
    const got = rv.get(pe);
    if (got) got.push(item);
    else {
      rv.set(pe, [item]);
      if (!lv.has(pe)) all.push(pe);
    }
  }
  for (const pe of all) {
    const ll = lv.get(pe) ?? [];
    const rl = rv.get(pe) ?? [];
    path.push(pe);
    if (ll.length <= 1 && rl.length <= 1) {
      compareAt(ll[0], rl[0], elem, path, c);
    } else if (ll.length >= 2 && rl.length >= 2) {
      if (!deepEqual(ll, rl)) c.modified.insert(path);
    } else if (ll.length >= 2) {
      if (rl.length !== 0) compareAt(undefined, rl[0], elem, path, c);
      c.removed.insert(path);
    } else {
      if (ll.length !== 0) compareAt(ll[0], undefined, elem, path, c);
      c.added.insert(path);
    }
    path.pop();
  }
}

/**
 * Removes the members of `set` from a value: a member field, map entry or list item goes with
 * everything below it. A map or list the removal empties becomes `null` where the type is open (as
 * structured-merge-diff leaves it) and is dropped where it is typed (as the server's typed conversion
 * and null pruning do).
 */
export function removeItems(value: unknown, set: FieldSet, s: Structure): unknown {
  if (set.isEmpty()) return value;
  return removeAt(value, set, s);
}

function removeAt(v: unknown, set: FieldSet, s: Structure): unknown {
  const shape = shapeOf(s, v);
  if (shape === 'map') {
    const m = v as Obj;
    if (isEmptyish(m)) return m;
    const out: Obj = {};
    let n = 0;
    for (const k in m) {
      const val = m[k];
      if (val === undefined) continue;
      const pe = fieldElement(k);
      if (set.members.has(pe)) continue;
      const sub = set.children.get(pe);
      const cs = s.child(k);
      let kept = sub ? removeAt(val, sub, cs) : val;
      if (kept === undefined) {
        if (cs.kind !== 'any') continue;
        kept = null;
      }
      out[k] = kept;
      n++;
    }
    return n > 0 ? out : undefined;
  }
  if (shape === 'list') {
    const list = v as unknown[];
    if (list.length === 0) return list;
    const out: unknown[] = [];
    const elem = s.elem();
    for (const item of list) {
      const pe = itemElement(s, item, () => '');
      if (set.members.has(pe)) continue;
      const sub = set.children.get(pe);
      const kept = sub ? removeAt(item, sub, elem) : item;
      if (kept !== undefined) out.push(kept);
      else if (elem.kind === 'any') out.push(null);
    }
    return out.length > 0 ? out : undefined;
  }
  return v;
}

/**
 * The set plus every declared struct field that has children in it: what structured-merge-diff uses so
 * that a field like `.spec.template` counts as owned when something below it is.
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, s: Structure): FieldSet {
  const out = new FieldSet();
  for (const m of set.members) out.members.add(m);
  for (const [pe, child] of set.children) {
    let cs: Structure;
    if (pe.charCodeAt(0) === 102 /* f */) {
      const name = pe.slice(2);
      if (s.kind === 'map' && s.hasField(name)) out.members.add(pe);
      cs = s.child(name);
    } else {
      cs = s.kind === 'list' ? s.elem() : s.child('');
    }
    const e = ensureNamedFieldsAreMembers(child, cs);
    if (!e.isEmpty()) out.children.set(pe, e);
  }
  return out;
}
