import { SluiceError } from '../api/index.js';
import type { ChangeSet } from './change-set.js';
import type { ObjectStatus } from './wait.js';

/**
 * Applying a set of objects failed. `code` says where: `DryRunFailed` (the server refused the dry-run),
 * `ImmutableField` (an immutable field changed and force is off), `ApplyFailed`, `DeleteFailed` or
 * `InvalidObject`. `changeSet` holds what was done before the failure (earlier stages, other objects).
 */
export class ApplyError extends SluiceError {
  /** What was applied or deleted before the failure. */
  changeSet: ChangeSet | undefined;

  constructor(code: string, message: string, options: { cause?: unknown; changeSet?: ChangeSet } = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.changeSet = options.changeSet;
  }
}

/**
 * An object changed an immutable field and force is off. `fields` lists the field paths the server named
 * (e.g. `spec.selector`).
 */
export class ImmutableFieldError extends ApplyError {
  /** The immutable fields the server named. */
  readonly fields: readonly string[];

  constructor(message: string, fields: readonly string[], options: { cause?: unknown } = {}) {
    super('ImmutableField', message, options);
    this.fields = fields;
  }
}

/**
 * Objects did not become healthy: one failed (message `… failed early due to stalled resources: [Kind/ns/name
 * status: 'Failed': …]`) or the timeout passed (`… timeout waiting for: […]`). Code `HealthCheckFailed`.
 */
export class HealthCheckError extends SluiceError {
  /** The last status of every object waited for. */
  readonly statuses: readonly ObjectStatus[];
  /** The objects that are not `Current`. */
  readonly failed: readonly ObjectStatus[];
  /** True when the timeout passed; false when a failure ended the wait early. */
  readonly timedOut: boolean;

  constructor(
    message: string,
    details: { statuses: readonly ObjectStatus[]; failed: readonly ObjectStatus[]; timedOut: boolean },
  ) {
    super('HealthCheckFailed', message);
    this.statuses = details.statuses;
    this.failed = details.failed;
    this.timedOut = details.timedOut;
  }
}
