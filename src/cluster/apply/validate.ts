import { parse } from 'yaml';
import { ApplyRequestError, type StatusCause } from './errors.js';
import { FieldSet, makePath } from './field-set.js';

/** The longest `fieldManager` the server accepts. */
export const FIELD_MANAGER_MAX_LENGTH = 128;

/**
 * Parses an `application/apply-patch+yaml` body (YAML or JSON) into an object; throws a 400
 * {@link ApplyRequestError} when it is not one mapping.
 */
export function parseApplyBody(body: string | Uint8Array): Record<string, unknown> {
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  let value: unknown;
  try {
    value = parse(text);
  } catch (err) {
    throw new ApplyRequestError(
      400,
      'BadRequest',
      `Error decoding apply patch: ${(err as Error).message}`,
      undefined,
      {
        cause: err,
      },
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ApplyRequestError(400, 'BadRequest', 'Error decoding apply patch: the body must be one object');
  }
  return value as Record<string, unknown>;
}

/** What the request's URL says the applied object is. */
export interface ApplyTarget {
  /** `apps/v1`, `v1`. */
  apiVersion: string;
  kind: string;
  name: string;
  /** The URL's namespace; omit for cluster-scoped resources. */
  namespace?: string;
}

/**
 * Checks an apply body against the URL as the server does, throwing a 400 {@link ApplyRequestError}:
 * `apiVersion` and `kind` present and equal to the resource's (`invalid object type: apps/v1, Kind=X`),
 * no `metadata.managedFields`, and name and namespace, when given, equal to the URL's.
 */
export function validateApplyBody(body: Record<string, unknown>, target: ApplyTarget): void {
  const bad = (message: string): never => {
    throw new ApplyRequestError(400, 'BadRequest', message);
  };
  const apiVersion = body.apiVersion;
  const kind = body.kind;
  if (typeof kind !== 'string' || kind === '') bad("Object 'Kind' is missing in the apply patch");
  if (typeof apiVersion !== 'string' || apiVersion === '')
    bad("Object 'apiVersion' is missing in the apply patch");
  if (apiVersion !== target.apiVersion || kind !== target.kind) {
    bad(`invalid object type: ${gvkString(apiVersion as string, kind as string)}`);
  }
  const meta = body.metadata;
  if (meta !== undefined && meta !== null && (typeof meta !== 'object' || Array.isArray(meta))) {
    bad('metadata must be an object');
  }
  const m = (meta ?? {}) as Record<string, unknown>;
  if (m.managedFields !== undefined && m.managedFields !== null) bad('metadata.managedFields must be nil');
  if (m.name !== undefined && m.name !== '' && m.name !== target.name) {
    bad(`the name of the object (${String(m.name)}) does not match the name on the URL (${target.name})`);
  }
  if (
    target.namespace !== undefined &&
    m.namespace !== undefined &&
    m.namespace !== '' &&
    m.namespace !== target.namespace
  ) {
    bad('the namespace of the provided object does not match the namespace sent on the request');
  }
}

function gvkString(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return `${group}/${version}, Kind=${kind}`;
}

/** The query options of a PATCH request that the server validates. */
export interface PatchOptionsInput {
  /** The request's Content-Type without parameters, e.g. `application/apply-patch+yaml`. */
  patchType: string;
  fieldManager?: string;
  /** Whether the request carries `force` at all (`force=false` counts). */
  force?: boolean;
}

/** Whether a PATCH Content-Type is server-side apply. */
export function isApplyPatchType(contentType: string): boolean {
  const t = contentType.split(';')[0]!.trim().toLowerCase();
  return t === 'application/apply-patch+yaml' || t === 'application/apply-patch+cbor';
}

/**
 * Checks PATCH options as the server does; throws a 422 {@link ApplyRequestError} on `PatchOptions`:
 * apply needs a `fieldManager`, other patches may not carry `force`, managers are at most 128
 * printable characters.
 */
export function validatePatchOptions(opts: PatchOptionsInput): void {
  const causes: StatusCause[] = [];
  const messages: string[] = [];
  const add = (field: string, reason: string, detail: string): void => {
    causes.push({ reason, message: detail, field });
    messages.push(`${field}: ${detail}`);
  };
  if (isApplyPatchType(opts.patchType)) {
    if (!opts.fieldManager)
      add('fieldManager', 'FieldValueRequired', 'Required value: is required for apply patch');
  } else if (opts.force !== undefined) {
    add('force', 'FieldValueForbidden', 'Forbidden: may not be specified for non-apply patch');
  }
  const manager = opts.fieldManager ?? '';
  if (manager.length > FIELD_MANAGER_MAX_LENGTH) {
    add(
      'fieldManager',
      'FieldValueTooLong',
      `Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`,
    );
  }
  if (/[\u0000-\u001f\u007f]/.test(manager)) {
    add('fieldManager', 'FieldValueInvalid', `Invalid value: ${JSON.stringify(manager)}: invalid character`);
  }
  if (causes.length === 0) return;
  const message =
    messages.length === 1
      ? `PatchOptions.meta.k8s.io "" is invalid: ${messages[0]}`
      : `PatchOptions.meta.k8s.io "" is invalid: [${messages.join(', ')}]`;
  throw new ApplyRequestError(422, 'Invalid', message, {
    group: 'meta.k8s.io',
    kind: 'PatchOptions',
    causes,
  });
}

/**
 * The manager name of a request without `fieldManager`: the user agent up to its first `/`
 * (`kubectl-client-side-apply/v1.35.0 (linux/amd64)` → `kubectl-client-side-apply`), printable
 * characters only, at most 128.
 */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const head = (userAgent ?? '').split('/')[0]!;
  return head.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, FIELD_MANAGER_MAX_LENGTH);
}

/**
 * The fields an endpoint resets, for {@link ApplyOptions.ignoredFields}: on the main resource of a type
 * with a status subresource, `status`; on `/status`, `spec`. `undefined` when nothing is reset.
 */
export function resetFields(
  subresource: string | undefined,
  hasStatusSubresource: boolean,
): FieldSet | undefined {
  if (subresource === 'status') return FieldSet.of(makePath('spec'));
  if (!subresource && hasStatusSubresource) return FieldSet.of(makePath('status'));
  return undefined;
}
