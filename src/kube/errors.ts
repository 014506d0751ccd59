import { ApiError, ConflictError, NotFoundError } from '../api/index.js';
import type { KubeStatus } from './types.js';

/**
 * Turns a non-2xx answer into an error: {@link NotFoundError} for 404, {@link ConflictError} for 409
 * (`Conflict` and `AlreadyExists`), {@link ApiError} otherwise. The first two carry the {@link ApiError}
 * as their `cause`. `subject` names the request (`Cannot get ConfigMap/default/x`); the server's message follows.
 */
export function errorFromResponse(status: number, body: Buffer | string, subject: string): Error {
  const text = body.toString();
  let parsed: KubeStatus | undefined;
  try {
    const json = JSON.parse(text) as KubeStatus;
    if (json && json.kind === 'Status') parsed = json;
  } catch {
    // Not JSON: keep the text.
  }
  const message = parsed?.message || text.trim().slice(0, 500) || `HTTP ${status}`;
  const api = new ApiError(`${subject}: ${message}`, {
    status,
    reason: parsed?.reason ?? '',
    causes: parsed?.details?.causes ?? [],
  });
  if (status === 404) return new NotFoundError(api.message, { cause: api });
  if (status === 409) return new ConflictError(api.message, { cause: api });
  return api;
}

/** The {@link ApiError} behind an error from the client (the error itself or its `cause`), if any. */
export function apiErrorOf(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  return cause instanceof ApiError ? cause : undefined;
}

/** True when the server answered 404 Not Found. */
export function isNotFound(err: unknown): boolean {
  return err instanceof NotFoundError;
}

/** True when the server answered 409 for a stale `resourceVersion` or an apply conflict (not AlreadyExists). */
export function isConflict(err: unknown): boolean {
  return err instanceof ConflictError && apiErrorOf(err)?.reason !== 'AlreadyExists';
}

/** True when a create failed because the object already exists. */
export function isAlreadyExists(err: unknown): boolean {
  return apiErrorOf(err)?.reason === 'AlreadyExists';
}

/** True when the server answered 410 Gone (`Expired`): a watch or continue token is too old. */
export function isGone(err: unknown): boolean {
  return apiErrorOf(err)?.status === 410;
}
