/**
 * The kinds Sluice serves and reconciles, and the vocabulary shared by every layer: the error classes with
 * stable codes, condition types and reasons. Everything else in Sluice may import from here.
 */
export { ConditionReason, ConditionType, FluxMeta } from './conditions.js';
export {
  ApiError,
  type ApiErrorCause,
  ConflictError,
  InvalidSpecError,
  NotFoundError,
  SluiceError,
  TerminalError,
} from './errors.js';
