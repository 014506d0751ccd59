import { SluiceError } from '../api/index.js';

/**
 * The stable codes of source failures. The reconcilers map them to Flux's condition reasons:
 * `AuthenticationFailed` and `GitOperationFailed` keep their names, the others become `FetchFailed`,
 * `StorageOperationFailed` or `ArtifactFailed`.
 */
export const SourceErrorCode = {
  /** The server refused the credentials, or none were given where they are required. */
  AuthenticationFailed: 'AuthenticationFailed',
  /** A git command failed: missing ref, unreachable host, unknown host key, broken repository. */
  GitOperationFailed: 'GitOperationFailed',
  /** A download or listing over HTTP failed (status, network, timeout). */
  FetchFailed: 'FetchFailed',
  /** The requested version, tag, chart or object does not exist. */
  NotFound: 'SourceNotFound',
  /** An index, manifest or response body could not be parsed. */
  InvalidResponse: 'InvalidResponse',
  /** An archive holds an unsafe entry or exceeds the configured limits. */
  UnsafeArchive: 'UnsafeArchive',
  /** Writing, reading or removing an artifact in the store failed. */
  StorageOperationFailed: 'StorageOperationFailed',
  /** The caller's signal aborted the operation, or its timeout expired. */
  Canceled: 'Canceled',
} as const;

/** One of the {@link SourceErrorCode} values. */
export type SourceErrorCodeValue = (typeof SourceErrorCode)[keyof typeof SourceErrorCode];

/** A failure while fetching a source or storing an artifact; branch on `code`. */
export class SourceError extends SluiceError {
  declare readonly code: SourceErrorCodeValue;

  constructor(code: SourceErrorCodeValue, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
