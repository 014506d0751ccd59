import { SluiceError } from '../../api/index.js';

/** One cause of a Kubernetes `Status` failure (a field problem, usually). */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** `Status.details` of a failure. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/**
 * A request failure that the server answers with a Kubernetes `Status` object: `code` is the HTTP status,
 * `reason` the `StatusReason` (`NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, …).
 */
export class StatusError extends SluiceError {
  /** HTTP status code. */
  readonly status: number;
  /** Kubernetes `StatusReason`. */
  readonly reason: string;
  /** `Status.details`, if any. */
  readonly details?: StatusDetails;

  constructor(
    status: number,
    reason: string,
    message: string,
    details?: StatusDetails,
    options?: { cause?: unknown },
  ) {
    super(reason || 'Unknown', message, options);
    this.status = status;
    this.reason = reason;
    this.details = details;
  }

  /** The `Status` object sent to the client. */
  toStatus(): Record<string, unknown> {
    return statusObject(this.status, this.reason, this.message, this.details);
  }
}

/** Builds a failure `Status` object. */
export function statusObject(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
): Record<string, unknown> {
  const status: Record<string, unknown> = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
  };
  if (reason) status.reason = reason;
  if (details && Object.keys(details).length > 0) status.details = details;
  status.code = code;
  return status;
}

/** Identifies the resource an error is about: `{group, kind: plural}` as Kubernetes reports it. */
export interface ResourceRef {
  group: string;
  /** The resource (lowercase plural), e.g. `configmaps`. */
  resource: string;
}

function qualified(ref: ResourceRef): string {
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
}

/** 400 BadRequest. */
export function badRequest(message: string, causes?: StatusCause[]): StatusError {
  return new StatusError(400, 'BadRequest', message, causes ? { causes } : undefined);
}

/** 401 Unauthorized. */
export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

/** 403 Forbidden. */
export function forbidden(ref: ResourceRef, name: string, message: string): StatusError {
  return new StatusError(403, 'Forbidden', `${qualified(ref)} "${name}" is forbidden: ${message}`, {
    name,
    group: ref.group,
    kind: ref.resource,
  });
}

/** 404 NotFound for a named object. */
export function notFound(ref: ResourceRef, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualified(ref)} "${name}" not found`, {
    name,
    group: ref.group,
    kind: ref.resource,
  });
}

/** 404 NotFound for a path the server does not serve. */
export function pathNotFound(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(method: string, what: string): StatusError {
  return new StatusError(405, 'MethodNotAllowed', `${method} is not supported on ${what}`, {});
}

/** 406 NotAcceptable. */
export function notAcceptable(accept: string): StatusError {
  return new StatusError(
    406,
    'NotAcceptable',
    `only the following media types are accepted: application/json, application/yaml (requested ${accept})`,
  );
}

/** 409 AlreadyExists. */
export function alreadyExists(ref: ResourceRef, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${qualified(ref)} "${name}" already exists`, {
    name,
    group: ref.group,
    kind: ref.resource,
  });
}

/** 409 Conflict: a stale resourceVersion or a failed precondition. */
export function conflict(ref: ResourceRef, name: string, message: string): StatusError {
  return new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(ref)} "${name}": ${message}`,
    {
      name,
      group: ref.group,
      kind: ref.resource,
    },
  );
}

/** 410 Expired (Gone): a compacted resourceVersion or continue token. */
export function expired(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

/** 413 RequestEntityTooLarge. */
export function tooLarge(limit: number): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

/** 415 UnsupportedMediaType. */
export function unsupportedMediaType(message: string): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', message);
}

/** 422 Invalid with field causes; the message lists them the way the API server does. */
export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): StatusError {
  const listed = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : (c.message ?? ''))).join(', ');
  const subject = group ? `${kind}.${group}` : kind;
  return new StatusError(
    422,
    'Invalid',
    `${subject} "${name}" is invalid: ${causes.length > 1 ? `[${listed}]` : listed}`,
    { name, group, kind, causes },
  );
}

/** 500 InternalError. */
export function internalError(message: string, cause?: unknown): StatusError {
  return new StatusError(
    500,
    'InternalError',
    `Internal error occurred: ${message}`,
    { causes: [{ message }] },
    { cause },
  );
}
