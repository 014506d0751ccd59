import { isObject, type JsonObject, type JsonValue } from '../patch/index.js';

/** `[group, version, kind, path, create]`: where a transformer acts; empty strings match anything. */
export type FieldSpecTuple = readonly [string, string, string, string, boolean];

/** `[group, version, kind of the referred object, the fields that refer to it]`. */
export type NameReferenceTuple = readonly [string, string, string, readonly FieldSpecTuple[]];

/** A field spec as written in a kustomization's `configurations` or a transformer's `fieldSpecs`. */
export interface FieldSpec {
  group: string;
  version: string;
  kind: string;
  path: string;
  create: boolean;
}

/** Group, version and kind of an object. */
export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/** Converts a tuple to a {@link FieldSpec}. */
export function specFromTuple(t: FieldSpecTuple): FieldSpec {
  return { group: t[0], version: t[1], kind: t[2], path: t[3], create: t[4] };
}

/** Reads a field spec from user configuration (`{group, version, kind, path, create}`). */
export function specFromConfig(v: unknown): FieldSpec | undefined {
  if (!isObject(v) || typeof v.path !== 'string') return undefined;
  return {
    group: typeof v.group === 'string' ? v.group : '',
    version: typeof v.version === 'string' ? v.version : '',
    kind: typeof v.kind === 'string' ? v.kind : '',
    path: v.path,
    create: v.create === true,
  };
}

/** Reports whether a spec's group/version/kind selects `gvk`. */
export function specSelects(spec: Gvk, gvk: Gvk): boolean {
  return (
    (spec.kind === '' || spec.kind === gvk.kind) &&
    (spec.group === '' || spec.group === gvk.group) &&
    (spec.version === '' || spec.version === gvk.version)
  );
}

const splitCache = new Map<string, string[]>();

/** Splits a field-spec path on unescaped `/`. */
export function splitPath(path: string): string[] {
  let segs = splitCache.get(path);
  if (segs) return segs;
  segs = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '\\' && path[i + 1] === '/') {
      cur += '/';
      i++;
    } else if (c === '/') {
      segs.push(cur);
      cur = '';
    } else cur += c;
  }
  segs.push(cur);
  splitCache.set(path, segs);
  return segs;
}

/**
 * Calls `visit(parent, key)` for every place `path` reaches in `obj`, walking into every element of a
 * list on the way. With `create`, missing maps along the way are created; `visit` decides what to do when
 * the last field itself is missing.
 */
export function visitFields(
  obj: JsonValue,
  path: string | string[],
  create: boolean,
  visit: (parent: JsonObject, key: string) => void,
): void {
  walk(obj, parsedSegments(typeof path === 'string' ? splitPath(path) : path), 0, create, visit);
}

/** One path segment, read once: its field name, whether it ends in `[]`, whether it is `[name=value]`. */
interface Segment {
  name: string;
  list: boolean;
  selector: boolean;
}

const segmentCache = new WeakMap<string[], Segment[]>();

function parsedSegments(segs: string[]): Segment[] {
  let parsed = segmentCache.get(segs);
  if (!parsed) {
    parsed = segs.map((seg) => {
      const list = seg.endsWith('[]');
      const name = list ? seg.slice(0, -2) : seg;
      return { name, list, selector: /^\[(.+)=(.*)\]$/.test(name) };
    });
    segmentCache.set(segs, parsed);
  }
  return parsed;
}

function walk(
  node: JsonValue | undefined,
  segs: Segment[],
  i: number,
  create: boolean,
  visit: (parent: JsonObject, key: string) => void,
): void {
  if (Array.isArray(node)) {
    for (const el of node) walk(el, segs, i, create, visit);
    return;
  }
  if (!isObject(node)) return;
  const seg = segs[i]!;
  if (seg.selector) return;
  if (i === segs.length - 1) {
    visit(node, seg.name);
    return;
  }
  let child = node[seg.name];
  if (child === undefined || child === null) {
    if (!create || seg.list) return;
    child = {};
    node[seg.name] = child;
  }
  walk(child, segs, i + 1, create, visit);
}

/** Reads the value at a `/`-separated path, or undefined. Lists are not traversed. */
export function getPath(obj: JsonValue | undefined, path: string): JsonValue | undefined {
  let cur: JsonValue | undefined = obj;
  for (const seg of splitPath(path)) {
    if (!isObject(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}
