/**
 * Facts about Kubernetes' built-in types, in one table used by the embedded cluster, the kustomize
 * engine and the apply client: each resource's group, version, kind, scope, short names, categories and
 * subresources; the OpenAPI v3 schemas of the types (structure from the @kubernetes/client-node models)
 * with the strategic-merge and server-side-apply facts (merge keys, patch strategies, list and map types);
 * and a navigable {@link TypeNode} view used to merge, patch and validate objects.
 */
export { builtinDescriptions, type TypeDescription } from './builtin-descriptions.js';
export { builtinSchemas } from './builtin-schemas.js';
export { applyDefaults, defaultPodSpec, defaultPullPolicy } from './defaults.js';
export type { JSONSchemaProps } from './json-schema.js';
export { ATOMIC_STRUCTS, FIELD_FACTS, type FieldFacts, listTypeOf } from './patch-meta.js';
export {
  BUILTIN_RESOURCES,
  type BuiltinResource,
  findBuiltin,
  findBuiltinByPlural,
  GROUP_PACKAGES,
  isNamespacedBuiltin,
  parseApiVersion,
} from './resources.js';
export { type TypeKind, type TypeNode, typeForKind, typeForSchemaName, typeFromSchema } from './type-node.js';
