// The error classes alone, so that loading this module does not load the kind schemas.
import { SluiceError } from '../api/errors.js';

/** Stable codes of build problems, for callers that branch on them. */
export type KustomizeErrorCode =
  | 'KustomizeInvalidYaml'
  | 'KustomizeFileNotFound'
  | 'KustomizeRootEscape'
  | 'KustomizeCycle'
  | 'KustomizeInvalidKustomization'
  | 'KustomizeUnsupported'
  | 'KustomizePatchNoMatch'
  | 'KustomizeConflict'
  | 'KustomizeResolve'
  | 'KustomizeBuildFailed'
  | 'KustomizeSubstitution';

/** A `kustomize build` failed; `file` names the file at fault, relative to the build root when known. */
export class KustomizeError extends SluiceError {
  /** The file the problem was found in, if any. */
  readonly file?: string;

  constructor(code: KustomizeErrorCode, message: string, options?: { cause?: unknown; file?: string }) {
    super(code, message, options);
    if (options?.file !== undefined) this.file = options.file;
  }
}
