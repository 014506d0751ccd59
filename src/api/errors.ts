/**
 * The base error of Sluice: a stable `code` callers branch on, a message that names the subject and the
 * cause, and the underlying `cause` kept for logs.
 */
export class SluiceError extends Error {
  /** A stable, machine-readable code such as `NotFound` or `ToolNotFound`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The subject of a request does not exist. */
export class NotFoundError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NotFound', message, options);
  }
}

/** The request lost a race with another writer, or the subject already exists. */
export class ConflictError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Conflict', message, options);
  }
}

/** The object's spec is invalid; retrying without a change will not help. */
export class InvalidSpecError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidSpec', message, options);
  }
}

/** A failure that must not be retried. */
export class TerminalError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Terminal', message, options);
  }
}

/** One cause of a refused API request, as listed in a Kubernetes `Status` (`details.causes`). */
export interface ApiErrorCause {
  /** A machine-readable reason such as `FieldValueInvalid` or `FieldManagerConflict`. */
  readonly reason?: string;
  readonly message?: string;
  /** The field path the cause is about, e.g. `.spec.replicas`. */
  readonly field?: string;
}

/**
 * A Kubernetes API server refused a request. Keeps the HTTP status, the `Status` reason (`Invalid`,
 * `Forbidden`, `Expired`, …) and the causes; the message keeps the server's own text, which names the object.
 */
export class ApiError extends SluiceError {
  /** The HTTP status code, e.g. 422. */
  readonly status: number;
  /** The `Status.reason`, e.g. `Invalid`; empty when the server sent none. */
  readonly reason: string;
  /** The `Status.details.causes`, empty when the server sent none. */
  readonly causes: readonly ApiErrorCause[];

  constructor(
    message: string,
    details: { status: number; reason?: string; causes?: readonly ApiErrorCause[] },
    options?: { cause?: unknown },
  ) {
    super('ApiError', message, options);
    this.status = details.status;
    this.reason = details.reason ?? '';
    this.causes = details.causes ?? [];
  }
}
