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
