/**
 * The resource registry of the embedded cluster: which group/version/resources the server serves, with their
 * kinds, scope, names, verbs, subresources and types. Built-ins come from src/schema; custom resources come
 * from installed CustomResourceDefinitions. Discovery, OpenAPI, tables, admission and the handlers all read it.
 */
export { cachedPerGeneration } from './cache.js';
export { createRegistry, type RegistryOptions, resourceTypesFromCRD, STANDARD_VERBS } from './registry.js';
export type {
  CustomResourceDefinition,
  CustomResourceDefinitionVersion,
  GroupVersions,
  PrinterColumn,
  ResourceRegistry,
  ResourceType,
  ScaleSubresource,
} from './types.js';
export { compareVersionPriority } from './version-priority.js';
