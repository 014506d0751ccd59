/**
 * Server-side apply for the embedded cluster, as the Kubernetes API server does it with
 * structured-merge-diff: `applyPatch` merges an `application/apply-patch+yaml` configuration into the
 * live object by the type's list and map semantics, drops fields a manager stopped applying, reports
 * conflicts with other managers (409 `FieldManagerConflict`) unless forced, and keeps
 * `metadata.managedFields` (FieldsV1); `updateManagedFields` records create, update and non-apply
 * patch requests. A no-op apply reports `changed: false` so the caller writes nothing. The request
 * checks the server makes around apply (body, PATCH options) are here as helpers for the HTTP handlers.
 */
export {
  type ApplyOptions,
  type ApplyResult,
  applyPatch,
  type UpdateOptions,
  updateManagedFields,
} from './apply-patch.js';
export {
  ApplyConflictError,
  ApplyRequestError,
  type FieldConflict,
  printManager,
  type StatusCause,
} from './errors.js';
export {
  decodeFieldsV1,
  encodeFieldsV1,
  type FieldPath,
  FieldSet,
  fieldElement,
  indexElement,
  keyElement,
  makePath,
  type PathElement,
  pathToString,
  valueElement,
} from './field-set.js';
export {
  type ApplyHooks,
  type ApplyHooksOptions,
  type ApplyResourceType,
  createApplyHooks,
} from './hooks.js';
export {
  decodeManagedFields,
  encodeManagedFields,
  type ManagedFieldsEntry,
  type Manager,
  managerId,
  UNOWNED_FIELDS,
} from './managed-fields.js';
export { structureOf } from './structure.js';
export { compare, deepEqual, merge, removeItems, StructureError, toFieldSet } from './structured.js';
export {
  type ApplyTarget,
  isApplyPatchType,
  managerFromUserAgent,
  type PatchOptionsInput,
  parseApplyBody,
  resetFields,
  validateApplyBody,
  validatePatchOptions,
} from './validate.js';
