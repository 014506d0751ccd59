import { type TSchema, type TUnsafe, Type } from '@sinclair/typebox';

/**
 * An OpenAPI v3 schema node as a CustomResourceDefinition's `openAPIV3Schema` holds it: the structural
 * subset Kubernetes accepts, with its `x-kubernetes-*` extensions.
 */
export interface OpenAPISchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  properties?: Record<string, OpenAPISchema>;
  additionalProperties?: OpenAPISchema | boolean;
  items?: OpenAPISchema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
}

/** Flux's pattern for intervals and most timeouts: Go durations in ms, s, m and h. */
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';

/** Flux's pattern for source timeouts, which stop at minutes. */
export const TIMEOUT_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m))+$';

/** Options every schema builder below accepts. */
export interface FieldOptions {
  description?: string;
  default?: unknown;
}

/** A string limited to `values`, typed as their union (an OpenAPI `enum`, never an `anyOf`). */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: FieldOptions = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** A Go duration string with Flux's pattern (`1m30s`, `500ms`, `2h`). */
export function Duration(options: FieldOptions & { pattern?: string } = {}) {
  return Type.String({ pattern: DURATION_PATTERN, ...options });
}

/** An object whose keys are free and whose values are strings (labels, annotations, substitutions). */
export function StringMap(options: FieldOptions = {}): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({
    type: 'object',
    additionalProperties: { type: 'string' },
    ...options,
  });
}

/** Free-form JSON kept as is by the API server (`x-kubernetes-preserve-unknown-fields`, no type, as Flux has it). */
export function PreserveUnknown(options: FieldOptions = {}): TUnsafe<Record<string, unknown>> {
  return Type.Unsafe<Record<string, unknown>>({ 'x-kubernetes-preserve-unknown-fields': true, ...options });
}

/** A 64-bit integer (`format: int64`). */
export function Int64(options: FieldOptions & { minimum?: number } = {}) {
  return Type.Integer({ format: 'int64', ...options });
}

/** An RFC 3339 timestamp string (`format: date-time`). */
export function DateTime(options: FieldOptions = {}) {
  return Type.String({ format: 'date-time', ...options });
}

/** A reference to an object in the same namespace: `{name}`. */
export function LocalObjectReference(description?: string) {
  return Type.Object({ name: Type.String({ description: 'Name of the referent.' }) }, { description });
}

/** A reference to a Secret key: `{name, key?}` (Flux's `SecretKeyReference` for kubeconfigs). */
export function SecretKeyReference(description?: string) {
  return Type.Object(
    {
      name: Type.String({ description: 'Name of the Secret.' }),
      key: Type.Optional(Type.String({ description: 'Key in the Secret, when not the default.' })),
    },
    { description },
  );
}

/**
 * Turns a TypeBox schema into plain OpenAPI: a deep copy without TypeBox's symbols and without `$id` or
 * `$schema`, ready for a CRD's `openAPIV3Schema`.
 */
export function toOpenAPISchema(schema: TSchema): OpenAPISchema {
  const clean = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(clean);
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (key === '$id' || key === '$schema') continue;
      out[key] = clean(child);
    }
    return out;
  };
  return clean(schema) as OpenAPISchema;
}
