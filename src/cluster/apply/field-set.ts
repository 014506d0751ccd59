/**
 * Sets of field paths in the shape of Kubernetes' FieldsV1 managed fields: a trie whose edges are path
 * elements, serialised the way the API server writes them (`f:name`, `k:{json}`, `v:json`, `i:n`).
 */

/** One serialised path element: `f:<field>`, `k:<json object of key fields>`, `v:<json value>` or `i:<index>`. */
export type PathElement = string;

/** A path from the root of an object to one field, list item or map entry. */
export type FieldPath = readonly PathElement[];

/**
 * JSON the way Go's encoding/json writes it (as the API server does): `<`, `>`, `&`, U+2028 and U+2029
 * escaped, control characters as `\u00XX` except `\n`, `\r`, `\t`.
 */
export function goJSON(value: unknown): string {
  const text = JSON.stringify(value);
  return /[<>&\u2028\u2029\b\f]/.test(text) ? text.replace(/[<>&\u2028\u2029\b\f]/g, goEscape) : text;
}

function goEscape(ch: string): string {
  switch (ch) {
    case '\b':
      return '\\u0008';
    case '\f':
      return '\\u000c';
    default:
      return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  }
}

/** The path element of an object field, e.g. `f:spec`. */
export function fieldElement(name: string): PathElement {
  return `f:${name}`;
}

/** The path element of an associative list item from its key fields (sorted by name, as the server does). */
export function keyElement(keys: Record<string, unknown>): PathElement {
  const names = Object.keys(keys).sort();
  let out = 'k:{';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ',';
    out += `${goJSON(names[i])}:${goJSON(keys[names[i]!])}`;
  }
  return `${out}}`;
}

/** The path element of a set item (a list of scalars with `x-kubernetes-list-type: set`), e.g. `v:"finalizer"`. */
export function valueElement(value: unknown): PathElement {
  return `v:${goJSON(value)}`;
}

/** The path element of a list item by position. */
export function indexElement(index: number): PathElement {
  return `i:${index}`;
}

/** Makes a path from field names (strings), list item keys (objects) and indexes (numbers). */
export function makePath(...parts: (string | number | Record<string, unknown>)[]): FieldPath {
  return parts.map((p) =>
    typeof p === 'string' ? fieldElement(p) : typeof p === 'number' ? indexElement(p) : keyElement(p),
  );
}

/** Normalises a path element read from stored managed fields (re-sorts keys, re-encodes JSON). */
export function canonicalElement(pe: string): PathElement {
  const kind = pe.charCodeAt(0);
  if (pe.length < 2 || pe[1] !== ':') throw new Error(`Invalid path element ${JSON.stringify(pe)}`);
  if (kind === 107 /* k */) {
    const parsed = JSON.parse(pe.slice(2)) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error(`Invalid key path element ${JSON.stringify(pe)}`);
    }
    return keyElement(parsed as Record<string, unknown>);
  }
  if (kind === 118 /* v */) return valueElement(JSON.parse(pe.slice(2)));
  if (kind === 105 /* i */) {
    const n = Number(pe.slice(2));
    if (!Number.isInteger(n)) throw new Error(`Invalid index path element ${JSON.stringify(pe)}`);
    return pe;
  }
  if (kind === 102 /* f */) return pe;
  throw new Error(`Unknown path element ${JSON.stringify(pe)}`);
}

/**
 * A set of field paths. A path is a *member* when the field (or item) itself is in the set; a node may
 * also have children, for fields owned below it. `.spec.replicas` is the member `f:replicas` of the child
 * `f:spec` of the root. Operations follow structured-merge-diff: union, difference and intersection work
 * on exact paths; {@link FieldSet.recursiveDifference} also drops everything below a removed member.
 */
export class FieldSet {
  /** Path elements that are members at this level. */
  readonly members = new Set<PathElement>();
  /** Subsets below path elements; never holds empty sets after an operation returns. */
  readonly children = new Map<PathElement, FieldSet>();

  /** A set holding the given paths. */
  static of(...paths: FieldPath[]): FieldSet {
    const set = new FieldSet();
    for (const p of paths) set.insert(p);
    return set;
  }

  /** Adds one path. Inserting the empty path (the root) does nothing, as in structured-merge-diff. */
  insert(path: FieldPath): this {
    if (path.length === 0) return this;
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      let next = node.children.get(path[i]!);
      if (!next) {
        next = new FieldSet();
        node.children.set(path[i]!, next);
      }
      node = next;
    }
    node.members.add(path[path.length - 1]!);
    return this;
  }

  /** Whether the path is a member. */
  has(path: FieldPath): boolean {
    if (path.length === 0) return false;
    let node: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && node; i++) node = node.children.get(path[i]!);
    return node ? node.members.has(path[path.length - 1]!) : false;
  }

  /** The subset below one path element (the paths that start with it, without it). */
  withPrefix(pe: PathElement): FieldSet | undefined {
    return this.children.get(pe);
  }

  /** Whether the set holds no path. */
  isEmpty(): boolean {
    if (this.members.size > 0) return false;
    for (const child of this.children.values()) if (!child.isEmpty()) return false;
    return true;
  }

  /** The number of member paths. */
  size(): number {
    let n = this.members.size;
    for (const child of this.children.values()) n += child.size();
    return n;
  }

  /** Paths in either set. */
  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) out.members.add(m);
    for (const m of other.members) out.members.add(m);
    for (const [pe, child] of this.children) {
      const o = other.children.get(pe);
      const u = o ? child.union(o) : child.clone();
      if (!u.isEmpty()) out.children.set(pe, u);
    }
    for (const [pe, child] of other.children) {
      if (!this.children.has(pe) && !child.isEmpty()) out.children.set(pe, child.clone());
    }
    return out;
  }

  /** Paths in this set but not in `other` (exact paths: a member of `other` does not remove children). */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (!other.members.has(m)) out.members.add(m);
    for (const [pe, child] of this.children) {
      const o = other.children.get(pe);
      const d = o ? child.difference(o) : child.clone();
      if (!d.isEmpty()) out.children.set(pe, d);
    }
    return out;
  }

  /** Paths in both sets. */
  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (other.members.has(m)) out.members.add(m);
    for (const [pe, child] of this.children) {
      const o = other.children.get(pe);
      if (!o) continue;
      const i = child.intersection(o);
      if (!i.isEmpty()) out.children.set(pe, i);
    }
    return out;
  }

  /** Paths in this set that are neither in `other` nor below one of its members. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (!other.members.has(m)) out.members.add(m);
    for (const [pe, child] of this.children) {
      if (other.members.has(pe)) continue;
      const o = other.children.get(pe);
      const d = o ? child.recursiveDifference(o) : child.clone();
      if (!d.isEmpty()) out.children.set(pe, d);
    }
    return out;
  }

  /** The members that have no children: the deepest paths. */
  leaves(): FieldSet {
    const out = new FieldSet();
    for (const m of this.members)
      if (!this.children.get(m) || this.children.get(m)!.isEmpty()) out.members.add(m);
    for (const [pe, child] of this.children) {
      const l = child.leaves();
      if (!l.isEmpty()) out.children.set(pe, l);
    }
    return out;
  }

  /** Whether both sets hold the same paths. */
  equals(other: FieldSet): boolean {
    if (this === other) return true;
    if (this.members.size !== other.members.size) return false;
    for (const m of this.members) if (!other.members.has(m)) return false;
    let count = 0;
    for (const [pe, child] of this.children) {
      if (child.isEmpty()) continue;
      count++;
      const o = other.children.get(pe);
      if (!o || !child.equals(o)) return false;
    }
    let otherCount = 0;
    for (const child of other.children.values()) if (!child.isEmpty()) otherCount++;
    return count === otherCount;
  }

  /** A deep copy. */
  clone(): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) out.members.add(m);
    for (const [pe, child] of this.children) out.children.set(pe, child.clone());
    return out;
  }

  /** Every member path, in the server's order (fields, then keys, then values, then indexes). */
  paths(): FieldPath[] {
    const out: FieldPath[] = [];
    const walk = (set: FieldSet, prefix: PathElement[]): void => {
      for (const pe of sortElements(new Set([...set.members, ...set.children.keys()]))) {
        if (set.members.has(pe)) out.push([...prefix, pe]);
        const child = set.children.get(pe);
        if (child) walk(child, [...prefix, pe]);
      }
    };
    walk(this, []);
    return out;
  }

  /** The paths as readable strings, e.g. `.spec.containers[name="app"].image`. */
  toStrings(): string[] {
    return this.paths().map(pathToString);
  }
}

/** Reads a FieldsV1 object (`{"f:spec":{"f:replicas":{}}}`) into a set. */
export function decodeFieldsV1(fields: unknown): FieldSet {
  const set = new FieldSet();
  if (fields === undefined || fields === null) return set;
  if (typeof fields !== 'object' || Array.isArray(fields)) throw new Error('FieldsV1 must be a JSON object');
  readInto(set, fields as Record<string, unknown>);
  return set;
}

function readInto(set: FieldSet, obj: Record<string, unknown>): void {
  for (const key in obj) {
    if (key === '.') continue;
    const value = obj[key];
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(`FieldsV1 entry ${JSON.stringify(key)} must be an object`);
    }
    const pe = canonicalElement(key);
    const body = value as Record<string, unknown>;
    let hasChildren = false;
    let member = false;
    for (const k in body) {
      if (k === '.') member = true;
      else hasChildren = true;
    }
    if (!hasChildren) {
      set.members.add(pe);
      continue;
    }
    if (member) set.members.add(pe);
    let child = set.children.get(pe);
    if (!child) {
      child = new FieldSet();
      set.children.set(pe, child);
    }
    readInto(child, body);
  }
}

/** Writes a set as a FieldsV1 object, keys in the server's order and `.` for members that have children. */
export function encodeFieldsV1(set: FieldSet): Record<string, unknown> {
  return writeFrom(set, false);
}

function writeFrom(set: FieldSet, includeSelf: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = new Set<PathElement>(set.members);
  for (const [pe, child] of set.children) if (!child.isEmpty()) keys.add(pe);
  if (includeSelf && keys.size > 0) out['.'] = {};
  for (const pe of sortElements(keys)) {
    const child = set.children.get(pe);
    if (child && !child.isEmpty()) out[pe] = writeFrom(child, set.members.has(pe));
    else out[pe] = {};
  }
  return out;
}

const parsedCache = new Map<string, unknown>();

function parsedElement(pe: PathElement): unknown {
  let v = parsedCache.get(pe);
  if (v === undefined) {
    v = JSON.parse(pe.slice(2));
    if (parsedCache.size > 10_000) parsedCache.clear();
    parsedCache.set(pe, v);
  }
  return v;
}

const KIND_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Orders path elements the way structured-merge-diff does. */
export function compareElements(a: PathElement, b: PathElement): number {
  if (a === b) return 0;
  const ka = KIND_ORDER[a[0]!] ?? 4;
  const kb = KIND_ORDER[b[0]!] ?? 4;
  if (ka !== kb) return ka - kb;
  switch (a[0]) {
    case 'f':
      return a < b ? -1 : a > b ? 1 : 0;
    case 'i':
      return Number(a.slice(2)) - Number(b.slice(2));
    case 'k':
      return compareKeyObjects(
        parsedElement(a) as Record<string, unknown>,
        parsedElement(b) as Record<string, unknown>,
      );
    default:
      return compareValues(parsedElement(a), parsedElement(b));
  }
}

function sortElements(pes: Iterable<PathElement>): PathElement[] {
  return [...pes].sort(compareElements);
}

function compareKeyObjects(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const na = Object.keys(a).sort();
  const nb = Object.keys(b).sort();
  for (let i = 0; ; i++) {
    if (i >= na.length && i >= nb.length) return 0;
    if (i >= na.length) return -1;
    if (i >= nb.length) return 1;
    if (na[i] !== nb[i]) return na[i]! < nb[i]! ? -1 : 1;
    const c = compareValues(a[na[i]!], b[nb[i]!]);
    if (c !== 0) return c;
  }
}

function valueRank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v && typeof v === 'object') return 4;
  return 5;
}

/** A total order over JSON values: numbers, strings, booleans, lists, maps, null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return (a as number) - (b as number);
    case 1:
      return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
    case 2:
      return a === b ? 0 : a ? 1 : -1;
    case 3: {
      const la = a as unknown[];
      const lb = b as unknown[];
      for (let i = 0; i < Math.min(la.length, lb.length); i++) {
        const c = compareValues(la[i], lb[i]);
        if (c !== 0) return c;
      }
      return la.length - lb.length;
    }
    case 4:
      return compareKeyObjects(a as Record<string, unknown>, b as Record<string, unknown>);
    default:
      return 0;
  }
}

function valueToString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(',')}]`;
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${k}=${valueToString(x)}`)
    .join('');
}

/** One path element as the server prints it in conflicts: `.name`, `[name="app"]`, `[="value"]`, `[3]`. */
export function elementToString(pe: PathElement): string {
  switch (pe[0]) {
    case 'f':
      return `.${pe.slice(2)}`;
    case 'k': {
      const keys = parsedElement(pe) as Record<string, unknown>;
      return `[${Object.keys(keys)
        .sort()
        .map((k) => `${k}=${valueToString(keys[k])}`)
        .join(',')}]`;
    }
    case 'v':
      return `[=${valueToString(parsedElement(pe))}]`;
    case 'i':
      return `[${pe.slice(2)}]`;
    default:
      return '{{invalid path element}}';
  }
}

/** A path as the server prints it, e.g. `.spec.template.spec.containers[name="app"].image`. */
export function pathToString(path: FieldPath): string {
  let out = '';
  for (const pe of path) out += elementToString(pe);
  return out;
}
