import { ConflictError, SluiceError } from '../../api/index.js';

/** One cause of a Kubernetes `Status` error, as rendered in `details.causes`. */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

/** One field an apply would take from another manager. */
export interface FieldConflict {
  /** The other manager's name. */
  manager: string;
  operation: 'Apply' | 'Update';
  /** The other manager's API version (only printed for Update managers). */
  apiVersion?: string;
  subresource?: string;
  /** The field, as the server prints it, e.g. `.spec.replicas`. */
  field: string;
}

/**
 * A server-side apply that would change fields other managers own, without `force`. Rendered as a 409
 * `Status` with reason `Conflict`, this message and one `FieldManagerConflict` cause per field.
 */
export class ApplyConflictError extends ConflictError {
  /** HTTP status of the error. */
  readonly status = 409;
  /** The `Status.reason`. */
  readonly reason = 'Conflict';
  /** The `Status.details.causes`. */
  readonly causes: StatusCause[];

  constructor(readonly conflicts: FieldConflict[]) {
    super(conflictMessage(conflicts));
    this.causes = conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${printManager(c)}`,
      field: c.field,
    }));
  }
}

/** How the API server names a manager in conflicts: `"kubectl"`, `"helm" using apps/v1`, `"x" with subresource "status"`. */
export function printManager(c: Pick<FieldConflict, 'manager' | 'operation' | 'apiVersion' | 'subresource'>) {
  let out = JSON.stringify(c.manager);
  if (c.subresource) out += ` with subresource ${JSON.stringify(c.subresource)}`;
  if (c.operation === 'Update') out += ` using ${c.apiVersion ?? ''}`;
  return out;
}

function conflictMessage(conflicts: FieldConflict[]): string {
  if (conflicts.length === 1) {
    return `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0]!)}: ${conflicts[0]!.field}`;
  }
  const byManager = new Map<string, FieldConflict[]>();
  for (const c of conflicts) {
    const id = managerSortKey(c);
    const list = byManager.get(id);
    if (list) list.push(c);
    else byManager.set(id, [c]);
  }
  const lines: string[] = [];
  for (const id of [...byManager.keys()].sort()) {
    const list = byManager.get(id)!;
    lines.push(`conflicts with ${printManager(list[0]!)}:`);
    for (const c of list) lines.push(`- ${c.field}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** The identity string the server sorts managers by (its JSON manager identifier). */
export function managerSortKey(
  c: Pick<FieldConflict, 'manager' | 'operation' | 'apiVersion' | 'subresource'>,
) {
  const id: Record<string, string> = { manager: c.manager, operation: c.operation };
  if (c.operation === 'Update' && c.apiVersion) id.apiVersion = c.apiVersion;
  if (c.subresource) id.subresource = c.subresource;
  return JSON.stringify(id);
}

/**
 * A malformed apply or patch request, rendered as a `Status` with `status` (400 `BadRequest` or 422
 * `Invalid`), `reason`, this message and optional causes and details.
 */
export class ApplyRequestError extends SluiceError {
  constructor(
    /** HTTP status: 400 or 422. */
    readonly status: 400 | 422,
    /** The `Status.reason`: `BadRequest` or `Invalid`. */
    readonly reason: 'BadRequest' | 'Invalid',
    message: string,
    /** The `Status.details` (group, kind, name, causes) when the server sets them. */
    readonly details?: { group?: string; kind?: string; name?: string; causes?: StatusCause[] },
    options?: { cause?: unknown },
  ) {
    super(reason, message, options);
  }

  /** The causes in `details`, or none. */
  get causes(): StatusCause[] {
    return this.details?.causes ?? [];
  }
}
