/**
 * The embedded cluster's HTTP transport: the HTTPS (or plain HTTP) listener with bearer-token
 * authentication and body limits, TLS material generated once per data directory, and the Kubernetes
 * `Status` errors every failure is answered with.
 */
export {
  type ApiHandler,
  type ApiRequest,
  type ApiServer,
  type ApiServerOptions,
  createApiServer,
  DEFAULT_BODY_LIMIT,
  sendError,
  sendJson,
  toStatusError,
} from './server.js';
export {
  alreadyExists,
  badRequest,
  conflict,
  expired,
  forbidden,
  internalError,
  invalid,
  methodNotAllowed,
  notAcceptable,
  notFound,
  pathNotFound,
  type ResourceRef,
  type StatusCause,
  type StatusDetails,
  StatusError,
  statusObject,
  tooLarge,
  unauthorized,
  unsupportedMediaType,
} from './status.js';
export { generateTlsMaterial, loadOrCreateTlsMaterial, type TlsMaterial } from './tls.js';
