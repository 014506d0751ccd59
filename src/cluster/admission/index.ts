/**
 * Admission for the embedded cluster: what happens to an object between decoding a write and storing it.
 * Unknown fields are dropped and reported (for `fieldValidation`), built-ins get the API server's defaults and
 * custom resources their schema defaults, and names, labels, annotations and custom resources' schemas are
 * validated into Status causes worded like Kubernetes'.
 */
export { type AdmitOptions, type AdmitResult, admit } from './admit.js';
export {
  duplicateCause,
  forbiddenCause,
  formatBadValue,
  invalidCause,
  invalidMessage,
  notSupportedCause,
  requiredCause,
  type StatusCause,
  tooLongCause,
  tooManyCause,
  typeInvalidCause,
} from './causes.js';
export {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPathSegmentName,
  type NameRule,
  nameRuleOf,
  type ObjectMetaOptions,
  validateObjectMeta,
} from './names.js';
export { pruneUnknownFields } from './prune.js';
export { applySchemaDefaults, validateSchema } from './structural.js';
