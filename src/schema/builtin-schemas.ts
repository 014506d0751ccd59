import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { JSONSchemaProps } from './json-schema.js';
import { ATOMIC_STRUCTS, FIELD_FACTS, listTypeOf } from './patch-meta.js';
import { BUILTIN_RESOURCES, GROUP_PACKAGES } from './resources.js';

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}
type ModelClass = { getAttributeTypeMap(): Attribute[] };

const META_PACKAGE = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const META_MODELS = new Set([
  'ObjectMeta',
  'ListMeta',
  'LabelSelector',
  'LabelSelectorRequirement',
  'OwnerReference',
  'ManagedFieldsEntry',
  'Condition',
  'Status',
  'StatusDetails',
  'StatusCause',
  'DeleteOptions',
  'Preconditions',
  'APIResource',
  'APIResourceList',
  'APIGroup',
  'APIGroupList',
  'APIVersions',
  'GroupVersionForDiscovery',
  'ServerAddressByClientCIDR',
  'WatchEvent',
]);
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';
/** Map fields whose values are resource quantities (`cpu: 1` and `cpu: "500m"` are both valid). */
const QUANTITY_MAPS = new Set([
  'limits',
  'requests',
  'capacity',
  'allocatable',
  'hard',
  'used',
  'allocatedResources',
]);

/** Fields of other names that are resource quantities (scalars, or maps of them), by schema name. */
const QUANTITY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'io.k8s.api.core.v1.EmptyDirVolumeSource': ['sizeLimit'],
  'io.k8s.api.core.v1.ResourceFieldSelector': ['divisor'],
  'io.k8s.api.core.v1.LimitRangeItem': ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'],
  'io.k8s.api.core.v1.PodSpec': ['overhead'],
  'io.k8s.api.node.v1.Overhead': ['podFixed'],
  'io.k8s.api.autoscaling.v2.MetricTarget': ['value', 'averageValue'],
  'io.k8s.api.autoscaling.v2.MetricValueStatus': ['value', 'averageValue'],
  'io.k8s.api.autoscaling.v2.HPAScalingRules': ['tolerance'],
  'io.k8s.api.storage.v1.CSIStorageCapacity': ['capacity', 'maximumVolumeSize'],
};

let cached: Record<string, JSONSchemaProps> | undefined;
/** The @kubernetes/client-node model class of each schema built from one. */
const modelClasses = new Map<string, string>();

/**
 * The OpenAPI v3 `components.schemas` of every built-in type Sluice knows, keyed by the names the
 * Kubernetes API server uses (`io.k8s.api.apps.v1.Deployment`), with `$ref`s of the form
 * `#/components/schemas/<name>`, `x-kubernetes-group-version-kind` on top-level kinds, and the patch and
 * list facts of {@link FIELD_FACTS}. The structure comes from the @kubernetes/client-node models; built
 * once, on first use.
 */
export function builtinSchemas(): Record<string, JSONSchemaProps> {
  cached ??= readPrecomputed() ?? buildBuiltinSchemas();
  return cached;
}

/**
 * The schemas `npm run build` writes next to the compiled module (`bin/write-builtin-schemas.js`): reading
 * them takes a millisecond where building them from the client-node models takes over a hundred, which
 * every CLI command and controller start would pay.
 */
const PRECOMPUTED = new URL('./builtin-schemas.json', import.meta.url);

function readPrecomputed(): Record<string, JSONSchemaProps> | undefined {
  try {
    return JSON.parse(readFileSync(PRECOMPUTED, 'utf8')) as Record<string, JSONSchemaProps>;
  } catch {
    return undefined;
  }
}

/** The @kubernetes/client-node model class each built-in schema comes from (`io.k8s.api.apps.v1.Deployment` → `V1Deployment`). */
export function builtinModelClasses(): ReadonlyMap<string, string> {
  builtinSchemas();
  return modelClasses;
}

function loadModels(): Record<string, unknown> {
  const require = createRequire(import.meta.url);
  return require('@kubernetes/client-node/dist/gen/models/all.js') as Record<string, unknown>;
}

/** Builds the built-in schemas from the @kubernetes/client-node models and the facts tables. */
export function buildBuiltinSchemas(): Record<string, JSONSchemaProps> {
  const models = loadModels();
  const modelOf = (className: string): ModelClass | undefined => {
    const m = models[className] as ModelClass | undefined;
    return typeof m?.getAttributeTypeMap === 'function' ? m : undefined;
  };
  const schemas: Record<string, JSONSchemaProps> = {
    [INT_OR_STRING]: { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true },
    [QUANTITY]: {
      type: 'string',
      description: 'Quantity is a fixed-point representation of a number, such as 500m or 2Gi.',
      'x-kubernetes-int-or-string': true,
    },
    [RAW_EXTENSION]: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  };
  const names = new Map<string, string>(); // client-node class → schema name
  const queue: { className: string; pkg: string }[] = [];

  const nameFor = (className: string, pkg: string): string => {
    const known = names.get(className);
    if (known) return known;
    const { base, version } = splitClassName(className);
    const name = META_MODELS.has(base) ? `${META_PACKAGE}.${base}` : `${pkg}.${version}.${base}`;
    names.set(className, name);
    queue.push({ className, pkg: META_MODELS.has(base) ? META_PACKAGE.replace(/\.v1$/, '') : pkg });
    return name;
  };

  for (const r of BUILTIN_RESOURCES) {
    names.set(r.model, r.schemaName);
    queue.push({ className: r.model, pkg: GROUP_PACKAGES[r.group]! });
  }
  while (queue.length > 0) {
    const { className, pkg } = queue.shift()!;
    const name = names.get(className)!;
    if (schemas[name]) continue;
    const model = modelOf(className);
    if (!model) continue;
    const properties: Record<string, JSONSchemaProps> = {};
    const facts = FIELD_FACTS[name] ?? {};
    for (const attr of model.getAttributeTypeMap()) {
      let prop = typeToSchema(attr.type, attr.format, attr.baseName, (c) => nameFor(c, pkg));
      if (QUANTITY_FIELDS[name]?.includes(attr.baseName)) {
        const quantity = { $ref: `#/components/schemas/${QUANTITY}` };
        if (prop.type === 'string') prop = quantity;
        else if (prop.type === 'object' && prop.additionalProperties) prop.additionalProperties = quantity;
      }
      const fact = facts[attr.baseName];
      if (fact) {
        if (fact.strategy) prop['x-kubernetes-patch-strategy'] = fact.strategy;
        if (fact.mergeKey) prop['x-kubernetes-patch-merge-key'] = fact.mergeKey;
        if (prop.type === 'array') {
          const lt = listTypeOf(fact);
          prop['x-kubernetes-list-type'] = lt.listType;
          if (lt.keys) prop['x-kubernetes-list-map-keys'] = [...lt.keys];
        }
      } else if (prop.type === 'array') {
        prop['x-kubernetes-list-type'] = 'atomic';
      }
      properties[attr.baseName] = prop;
    }
    modelClasses.set(name, className);
    const schema: JSONSchemaProps = { type: 'object', properties };
    if (ATOMIC_STRUCTS.has(name)) schema['x-kubernetes-map-type'] = 'atomic';
    schemas[name] = schema;
  }
  for (const r of BUILTIN_RESOURCES) {
    const schema = schemas[r.schemaName];
    if (!schema) continue;
    schema.description = r.description;
    schema['x-kubernetes-group-version-kind'] = [{ group: r.group, version: r.version, kind: r.kind }];
  }
  return schemas;
}

/** Splits a client-node class name like `V1Deployment`, `CoreV1Event` or `V2HorizontalPodAutoscaler`. */
function splitClassName(className: string): { base: string; version: string } {
  const m = /^(?:[A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z].*)$/.exec(className);
  if (!m) return { base: className, version: 'v1' };
  return { base: m[2]!, version: m[1]!.toLowerCase() };
}

function typeToSchema(
  type: string,
  format: string,
  field: string,
  ref: (className: string) => string,
): JSONSchemaProps {
  if (type.startsWith('Array<')) {
    return { type: 'array', items: typeToSchema(type.slice(6, -1), format, '', ref) };
  }
  const map = /^\{ \[key: string\]: (.*); \}$/.exec(type);
  if (map) {
    const valueType = map[1]!;
    if (valueType === 'string' && QUANTITY_MAPS.has(field)) {
      return { type: 'object', additionalProperties: { $ref: `#/components/schemas/${QUANTITY}` } };
    }
    return { type: 'object', additionalProperties: typeToSchema(valueType, format, '', ref) };
  }
  switch (type) {
    case 'string':
      return format ? { type: 'string', format } : { type: 'string' };
    case 'number':
      return format === 'double'
        ? { type: 'number', format }
        : { type: 'integer', format: format || 'int64' };
    case 'boolean':
      return { type: 'boolean' };
    case 'Date':
      return { type: 'string', format: 'date-time' };
    case 'IntOrString':
      return { $ref: `#/components/schemas/${INT_OR_STRING}` };
    case 'any':
    case 'object':
      return field === 'object' || field === 'raw' || field === 'data'
        ? { $ref: `#/components/schemas/${RAW_EXTENSION}` }
        : { 'x-kubernetes-preserve-unknown-fields': true };
    default:
      if (format === 'date-time-micro') return { type: 'string', format: 'date-time' };
      return { $ref: `#/components/schemas/${ref(type)}` };
  }
}
