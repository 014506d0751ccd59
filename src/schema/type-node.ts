import { builtinSchemas } from './builtin-schemas.js';
import type { JSONSchemaProps } from './json-schema.js';
import { parseApiVersion } from './resources.js';

/** The shape of a value as server-side apply, strategic merge and validation see it. */
export type TypeKind =
  | 'object'
  | 'map'
  | 'array'
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'int-or-string'
  | 'any';

/**
 * A navigable view of one schema node with `$ref`s resolved: the type of a field, of a list's items or
 * of a map's values, plus the patch and list facts that strategic merge and server-side apply need.
 */
export interface TypeNode {
  readonly type: TypeKind;
  /** The type of property `name` of an object; for maps, the value type; `undefined` when unknown. */
  field(name: string): TypeNode | undefined;
  /** The element type of a list. */
  items(): TypeNode | undefined;
  /** The value type of a map (`additionalProperties`). */
  values(): TypeNode | undefined;
  /** `x-kubernetes-patch-strategy` split at commas: `merge`, `retainKeys`, `replace`. */
  readonly patchStrategy: readonly string[];
  readonly patchMergeKey?: string;
  /** Server-side apply list semantics; lists without facts are atomic. */
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: readonly string[];
  /** Server-side apply semantics of objects and maps; `granular` unless marked atomic. */
  readonly mapType?: 'atomic' | 'granular';
  /** Unknown fields are kept (`x-kubernetes-preserve-unknown-fields`, or an untyped value). */
  readonly preserveUnknownFields: boolean;
  readonly embeddedResource: boolean;
  /** The resolved schema of this node. */
  readonly schema: JSONSchemaProps;
}

const REF_PREFIXES = ['#/components/schemas/', '#/definitions/'];

class SchemaTypeNode implements TypeNode {
  readonly type: TypeKind;
  readonly patchStrategy: readonly string[];
  readonly patchMergeKey?: string;
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: readonly string[];
  readonly mapType?: 'atomic' | 'granular';
  readonly preserveUnknownFields: boolean;
  readonly embeddedResource: boolean;
  readonly schema: JSONSchemaProps;
  #children = new Map<string, TypeNode | undefined>();

  constructor(
    // The node as written where it is used: patch and list facts live on the referring property.
    site: JSONSchemaProps,
    private readonly definitions: Record<string, JSONSchemaProps>,
  ) {
    const schema = resolve(site, definitions);
    this.schema = schema;
    const strategy = site['x-kubernetes-patch-strategy'] ?? schema['x-kubernetes-patch-strategy'];
    this.patchStrategy = strategy ? strategy.split(',').map((s) => s.trim()) : [];
    this.patchMergeKey = site['x-kubernetes-patch-merge-key'] ?? schema['x-kubernetes-patch-merge-key'];
    this.embeddedResource = schema['x-kubernetes-embedded-resource'] === true;
    this.type = kindOf(schema);
    this.preserveUnknownFields =
      schema['x-kubernetes-preserve-unknown-fields'] === true ||
      this.type === 'any' ||
      schema.additionalProperties === true;
    if (this.type === 'array') {
      this.listType = site['x-kubernetes-list-type'] ?? schema['x-kubernetes-list-type'] ?? 'atomic';
      const keys = site['x-kubernetes-list-map-keys'] ?? schema['x-kubernetes-list-map-keys'];
      if (keys) this.listMapKeys = keys;
    }
    if (this.type === 'object' || this.type === 'map') {
      this.mapType = site['x-kubernetes-map-type'] ?? schema['x-kubernetes-map-type'] ?? 'granular';
    }
  }

  field(name: string): TypeNode | undefined {
    if (this.#children.has(name)) return this.#children.get(name);
    let child: TypeNode | undefined;
    const prop = this.schema.properties?.[name];
    if (prop) child = new SchemaTypeNode(prop, this.definitions);
    else if (this.type === 'map') child = this.values();
    else if (this.embeddedResource && name === 'metadata') child = objectMeta(this.definitions);
    this.#children.set(name, child);
    return child;
  }

  // Built once: callers walk the same list and map types for every object of a kind.
  #items: TypeNode | undefined | null = null;
  #values: TypeNode | undefined | null = null;

  items(): TypeNode | undefined {
    if (this.#items === null) {
      this.#items = this.schema.items ? new SchemaTypeNode(this.schema.items, this.definitions) : undefined;
    }
    return this.#items;
  }

  values(): TypeNode | undefined {
    if (this.#values === null) {
      const ap = this.schema.additionalProperties;
      this.#values = ap && typeof ap === 'object' ? new SchemaTypeNode(ap, this.definitions) : undefined;
    }
    return this.#values;
  }
}

function resolve(schema: JSONSchemaProps, definitions: Record<string, JSONSchemaProps>): JSONSchemaProps {
  let current = schema;
  for (let depth = 0; depth < 16; depth++) {
    const ref = current.$ref ?? (current.allOf?.length === 1 ? current.allOf[0]!.$ref : undefined);
    if (!ref) return current;
    const prefix = REF_PREFIXES.find((p) => ref.startsWith(p));
    const target = prefix ? definitions[ref.slice(prefix.length)] : undefined;
    if (!target) return {};
    current = target;
  }
  return current;
}

function kindOf(schema: JSONSchemaProps): TypeKind {
  if (schema['x-kubernetes-int-or-string']) return 'int-or-string';
  switch (schema.type) {
    case 'object':
      if (schema.properties) return 'object';
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object') return 'map';
      return schema['x-kubernetes-preserve-unknown-fields'] ? 'any' : 'object';
    case 'array':
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return schema.type;
    default:
      return schema.properties ? 'object' : 'any';
  }
}

function objectMeta(definitions: Record<string, JSONSchemaProps>): TypeNode {
  const builtins = builtinSchemas();
  const name = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
  return new SchemaTypeNode(
    definitions[name] ?? builtins[name] ?? {},
    definitions[name] ? definitions : builtins,
  );
}

const builtinNodes = new Map<string, TypeNode | undefined>();

/** The type of a built-in kind, e.g. `typeForKind('apps/v1', 'Deployment')`; `undefined` when not built in. */
export function typeForKind(apiVersion: string, kind: string): TypeNode | undefined {
  const key = `${apiVersion}/${kind}`;
  if (builtinNodes.has(key)) return builtinNodes.get(key);
  const { group, version } = parseApiVersion(apiVersion);
  const schemas = builtinSchemas();
  let node: TypeNode | undefined;
  for (const [, schema] of Object.entries(schemas)) {
    const gvk = schema['x-kubernetes-group-version-kind'];
    if (gvk?.some((g) => g.group === group && g.version === version && g.kind === kind)) {
      node = new SchemaTypeNode(schema, schemas);
      break;
    }
  }
  builtinNodes.set(key, node);
  return node;
}

/** The type of a built-in schema by its OpenAPI name, e.g. `io.k8s.api.core.v1.PodSpec`. */
export function typeForSchemaName(name: string): TypeNode | undefined {
  const schemas = builtinSchemas();
  const schema = schemas[name];
  return schema ? new SchemaTypeNode(schema, schemas) : undefined;
}

/**
 * A type over any schema, such as a CRD version's `openAPIV3Schema` or a kustomization's `openapi:`
 * document; `$ref`s resolve against `definitions`. A resource schema's `metadata` is typed as
 * ObjectMeta when the schema leaves it open, as the API server does.
 */
export function typeFromSchema(
  schema: JSONSchemaProps,
  definitions: Record<string, JSONSchemaProps> = {},
): TypeNode {
  const meta = schema.properties?.metadata;
  if (schema.type === 'object' && (!meta || (!meta.properties && !meta.$ref))) {
    const withMeta: JSONSchemaProps = {
      ...schema,
      properties: {
        ...schema.properties,
        metadata: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
      },
    };
    const defs = { ...definitions };
    defs['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'] ??=
      builtinSchemas()['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']!;
    addReferenced(defs, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    return new SchemaTypeNode(withMeta, defs);
  }
  return new SchemaTypeNode(schema, definitions);
}

/** Copies the built-in schemas that `name` references (transitively) into `defs`. */
function addReferenced(defs: Record<string, JSONSchemaProps>, name: string): void {
  const builtins = builtinSchemas();
  const visit = (s: JSONSchemaProps | boolean | undefined): void => {
    if (!s || typeof s !== 'object') return;
    if (s.$ref) {
      const target = s.$ref.replace('#/components/schemas/', '');
      if (!defs[target] && builtins[target]) {
        defs[target] = builtins[target]!;
        visit(builtins[target]);
      }
    }
    for (const p of Object.values(s.properties ?? {})) visit(p);
    visit(s.items);
    visit(s.additionalProperties);
  };
  visit(defs[name]);
}
