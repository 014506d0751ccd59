/**
 * Request handling of the embedded cluster: the object service that gives stored JSON Kubernetes semantics
 * (create, update with optimistic concurrency, patches, status and scale subresources, deletion with finalizers
 * and propagation, namespaces, paging), label and field selectors, and the HTTP router that serves health,
 * version, discovery, OpenAPI, tables and watches on top of it.
 */
export {
  type AdmissionResult,
  type AdmitFunction,
  type ApplyFunction,
  apiVersionOf,
  CRD_CLEANUP_FINALIZER,
  type CrdStatusFunction,
  type DeleteOptions,
  type FieldValidation,
  FOREGROUND_FINALIZER,
  hasGeneration,
  type ListRequest,
  type ListResponse,
  type ManagedFieldsFunction,
  managerFromUserAgent,
  ObjectService,
  type ObjectServiceDeps,
  ORPHAN_FINALIZER,
  refOf,
  timestamp,
  type WriteOptions,
  type WriteResult,
} from './objects.js';
export { type ApiHandlerOptions, createApiHandler, VERSION_INFO } from './router.js';
export { parseFieldSelector, parseLabelSelector, type Selector } from './selectors.js';
