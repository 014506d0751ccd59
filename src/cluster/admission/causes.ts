/** One problem with a field, as carried in a 422 Status's `details.causes`. */
export interface StatusCause {
  /** `FieldValueInvalid`, `FieldValueRequired`, `FieldValueNotSupported`, … */
  reason: string;
  /** The error body, e.g. `Invalid value: "Foo": a lowercase RFC 1123 subdomain must consist of …`. */
  message: string;
  /** The field path, e.g. `metadata.name` or `spec.template.spec.containers[0].image`. */
  field: string;
}

/** Renders a bad value the way Kubernetes field errors do: strings quoted, numbers and booleans bare, else JSON. */
export function formatBadValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function withDetail(head: string, detail?: string): string {
  return detail ? `${head}: ${detail}` : head;
}

/** `Invalid value: <value>: <detail>`. */
export function invalidCause(field: string, value: unknown, detail: string): StatusCause {
  return {
    reason: 'FieldValueInvalid',
    message: withDetail(`Invalid value: ${formatBadValue(value)}`, detail),
    field,
  };
}

/** `Invalid value: <type name>: <detail>` with reason FieldValueTypeInvalid. */
export function typeInvalidCause(field: string, value: unknown, detail: string): StatusCause {
  return {
    reason: 'FieldValueTypeInvalid',
    message: withDetail(`Invalid value: ${formatBadValue(value)}`, detail),
    field,
  };
}

/** `Required value[: <detail>]`. */
export function requiredCause(field: string, detail?: string): StatusCause {
  return { reason: 'FieldValueRequired', message: withDetail('Required value', detail), field };
}

/** `Unsupported value: <value>: supported values: "a", "b"`. */
export function notSupportedCause(field: string, value: unknown, supported: readonly unknown[]): StatusCause {
  const list = supported.map(formatBadValue).join(', ');
  return {
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${formatBadValue(value)}: supported values: ${list}`,
    field,
  };
}

/** `Forbidden: <detail>`. */
export function forbiddenCause(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: withDetail('Forbidden', detail), field };
}

/** `Too long: may not be more than <n> bytes`. */
export function tooLongCause(field: string, max: number): StatusCause {
  return {
    reason: 'FieldValueTooLong',
    message: `Too long: may not be more than ${max} ${max === 1 ? 'byte' : 'bytes'}`,
    field,
  };
}

/** `Too many: <actual>: must have at most <max> items`. */
export function tooManyCause(field: string, actual: number, max: number): StatusCause {
  return {
    reason: 'FieldValueTooMany',
    message: `Too many: ${actual}: must have at most ${max} ${max === 1 ? 'item' : 'items'}`,
    field,
  };
}

/** `Duplicate value: <value>`. */
export function duplicateCause(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${formatBadValue(value)}`, field };
}

/**
 * The message of a 422 Invalid Status in Kubernetes' wording: `Deployment.apps "web" is invalid: <field>: <error>`,
 * several causes in brackets separated by `, `.
 */
export function invalidMessage(
  resource: { group: string; kind: string },
  name: string,
  causes: readonly StatusCause[],
): string {
  const qualified = resource.group === '' ? resource.kind : `${resource.kind}.${resource.group}`;
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const body = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return `${qualified} ${JSON.stringify(name)} is invalid: ${body}`;
}
