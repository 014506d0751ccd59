import type { TypeNode } from '../../schema/index.js';
import { toStatusError } from '../http/index.js';
import { type ApplyResult, applyPatch, updateManagedFields } from './apply-patch.js';
import { ApplyConflictError, ApplyRequestError } from './errors.js';
import { resetFields } from './validate.js';

/** The parts of a served resource type that apply needs (a structural subset of the registry's `ResourceType`). */
export interface ApplyResourceType {
  type: TypeNode;
  subresources: { status: boolean };
}

/** Options of {@link createApplyHooks}. */
export interface ApplyHooksOptions {
  /** The clock for managed fields times. Default: `() => new Date()`. */
  now?: () => Date;
}

/** Server-side apply and managed fields tracking in the shape the object service's extension points take. */
export interface ApplyHooks {
  /**
   * Server-side apply of one object; throws the HTTP layer's `StatusError` (409 `Conflict` with
   * `FieldManagerConflict` causes, or 400) whose `cause` is the `ApplyConflictError` or `ApplyRequestError`.
   */
  apply(
    live: object | undefined,
    applied: object,
    options: {
      manager: string;
      force: boolean;
      rt: ApplyResourceType;
      apiVersion: string;
      subresource?: string;
    },
  ): ApplyResult;
  /** The `metadata.managedFields` of an object written by an Update operation (create, PUT, non-apply PATCH). */
  managedFields(
    old: object | undefined,
    next: object,
    options: {
      manager: string;
      operation: 'Update';
      rt: ApplyResourceType;
      apiVersion: string;
      subresource?: string;
    },
  ): unknown[];
}

/**
 * The apply hooks for the object service: `apply` runs {@link applyPatch} and `managedFields` runs
 * {@link updateManagedFields}, both ignoring the fields the endpoint resets (`status` on the main
 * resource of a type with a status subresource, `spec` on `/status`).
 */
export function createApplyHooks(options: ApplyHooksOptions = {}): ApplyHooks {
  const now = options.now ?? (() => new Date());
  return {
    apply(live, applied, o) {
      const ignoredFields = resetFields(o.subresource, o.rt.subresources.status);
      try {
        return applyPatch(live, applied, {
          manager: o.manager,
          force: o.force,
          type: o.rt.type,
          apiVersion: o.apiVersion,
          now,
          ...(o.subresource ? { subresource: o.subresource } : {}),
          ...(ignoredFields ? { ignoredFields } : {}),
        });
      } catch (err) {
        if (err instanceof ApplyConflictError || err instanceof ApplyRequestError) throw toStatusError(err);
        throw err;
      }
    },
    managedFields(old, next, o) {
      const ignoredFields = resetFields(o.subresource, o.rt.subresources.status);
      const out = updateManagedFields(old, next, {
        manager: o.manager,
        operation: 'Update',
        type: o.rt.type,
        apiVersion: o.apiVersion,
        now,
        ...(o.subresource ? { subresource: o.subresource } : {}),
        ...(ignoredFields ? { ignoredFields } : {}),
      });
      const meta = out.metadata as { managedFields?: unknown[] } | undefined;
      return meta?.managedFields ?? [];
    },
  };
}
