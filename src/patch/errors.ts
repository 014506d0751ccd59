// The error classes alone, so that loading this module does not load the kind schemas.
import { SluiceError } from '../api/errors.js';

/** A patch document is malformed: an unknown operation, a bad pointer, a directive with a bad value. */
export class InvalidPatchError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PatchInvalid', message, options);
  }
}

/** A patch operation names a path that does not exist in the document. */
export class PatchPathNotFoundError extends SluiceError {
  /** The JSON pointer that could not be resolved. */
  readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('PatchPathNotFound', message, options);
    this.path = path;
  }
}

/** A JSON patch `test` operation found a value other than the expected one. */
export class PatchTestFailedError extends SluiceError {
  /** The JSON pointer that was tested. */
  readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('PatchTestFailed', message, options);
    this.path = path;
  }
}
