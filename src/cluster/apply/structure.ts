import type { TypeNode } from '../../schema/index.js';

/**
 * The structure server-side apply needs at one place of an object, derived from a {@link TypeNode}:
 * scalars are leaves; structs (objects with declared properties) and maps are granular unless atomic;
 * lists are atomic, sets, or associative lists keyed by some of their items' fields. Untyped places
 * (`any`, unknown fields) behave like structured-merge-diff's deduced type: maps granular, lists atomic.
 */
export interface Structure {
  readonly kind: 'scalar' | 'map' | 'list' | 'any';
  /** For maps and lists: the whole value is one field. */
  readonly atomic: boolean;
  /** For non-atomic lists: the key fields of associative lists; empty for sets. */
  readonly keys: readonly string[];
  /** Whether `name` is a declared property (a struct field rather than a map key). */
  hasField(name: string): boolean;
  /** The structure of field or map entry `name`. */
  child(name: string): Structure;
  /** The structure of list items. */
  elem(): Structure;
  /** The default of a key field of an associative list's items, if any. */
  keyDefault(name: string): unknown;
}

const EMPTY: readonly string[] = [];

class AnyStructure implements Structure {
  readonly kind = 'any' as const;
  readonly atomic = false;
  readonly keys = EMPTY;
  hasField(): boolean {
    return false;
  }
  child(): Structure {
    return ANY;
  }
  elem(): Structure {
    return ANY;
  }
  keyDefault(): unknown {
    return undefined;
  }
}

/** The structure of untyped values. */
export const ANY: Structure = new AnyStructure();

class ScalarStructure implements Structure {
  readonly kind = 'scalar' as const;
  readonly atomic = true;
  readonly keys = EMPTY;
  hasField(): boolean {
    return false;
  }
  child(): Structure {
    return ANY;
  }
  elem(): Structure {
    return ANY;
  }
  keyDefault(): unknown {
    return undefined;
  }
}

const SCALAR: Structure = new ScalarStructure();

class NodeStructure implements Structure {
  readonly kind: 'map' | 'list';
  readonly atomic: boolean;
  readonly keys: readonly string[];
  #children = new Map<string, Structure>();
  #elem: Structure | undefined;

  constructor(private readonly node: TypeNode) {
    if (node.type === 'array') {
      this.kind = 'list';
      const listType = node.listType ?? listTypeFromPatchStrategy(node);
      this.atomic = listType === 'atomic';
      this.keys =
        listType === 'map'
          ? (node.listMapKeys ?? (node.patchMergeKey ? [node.patchMergeKey] : EMPTY))
          : EMPTY;
    } else {
      this.kind = 'map';
      this.atomic = node.mapType === 'atomic';
      this.keys = EMPTY;
    }
  }

  hasField(name: string): boolean {
    return this.node.schema.properties?.[name] !== undefined;
  }

  child(name: string): Structure {
    let s = this.#children.get(name);
    if (!s) {
      const t = this.node.field(name) ?? this.node.values();
      s = t ? structureOf(t) : ANY;
      this.#children.set(name, s);
    }
    return s;
  }

  elem(): Structure {
    if (!this.#elem) {
      const t = this.node.items();
      this.#elem = t ? structureOf(t) : ANY;
    }
    return this.#elem;
  }

  keyDefault(name: string): unknown {
    const item = this.node.items();
    const def = item?.field(name)?.schema.default;
    if (def !== undefined) return def;
    // Core types default every port protocol to TCP; the schemas derived from client models omit it.
    return name === 'protocol' ? 'TCP' : undefined;
  }
}

function listTypeFromPatchStrategy(node: TypeNode): 'atomic' | 'set' | 'map' {
  if (!node.patchStrategy.includes('merge')) return 'atomic';
  return node.patchMergeKey ? 'map' : 'set';
}

const cache = new WeakMap<TypeNode, Structure>();

/** The apply structure of a type; cached per type node. */
export function structureOf(node: TypeNode): Structure {
  let s = cache.get(node);
  if (s) return s;
  switch (node.type) {
    case 'object':
    case 'map':
    case 'array':
      s = new NodeStructure(node);
      break;
    case 'any':
      s = ANY;
      break;
    default:
      s = SCALAR;
  }
  cache.set(node, s);
  return s;
}

/** The kind of value a structure and a value together make: what the walks below switch on. */
export type Shape = 'scalar' | 'map' | 'atomic-map' | 'list' | 'atomic-list';

/** How a value is treated at a place of the given structure (lenient when value and type disagree). */
export function shapeOf(s: Structure, v: unknown): Shape {
  if (Array.isArray(v)) {
    if (s.kind === 'list') return s.atomic ? 'atomic-list' : 'list';
    return s.kind === 'any' ? 'atomic-list' : 'scalar';
  }
  if (v !== null && typeof v === 'object') {
    if (s.kind === 'map') return s.atomic ? 'atomic-map' : 'map';
    return s.kind === 'any' ? 'map' : 'scalar';
  }
  return 'scalar';
}
