/**
 * Patches for JSON documents, written once and shared by the embedded cluster's PATCH requests and by
 * kustomize's patches: RFC 6902 JSON patch, RFC 7386 JSON merge patch, and Kubernetes' strategic merge
 * patch with its directives and schema-driven merge keys. Every function returns a new document and
 * reports failures as typed errors with stable codes.
 */
export { InvalidPatchError, PatchPathNotFoundError, PatchTestFailedError } from './errors.js';
export { applyJsonPatch, type JsonPatchOperation, parseJsonPointer } from './json-patch.js';
export { deepClone, deepEqual, isObject, type JsonObject, type JsonValue } from './json-value.js';
export { applyMergePatch } from './merge-patch.js';
export {
  applyStrategicMergePatch,
  type PatchSchema,
  type StrategicMergeOptions,
} from './strategic-merge-patch.js';
