import type { OpenAPISchema } from './schema-kit.js';

/**
 * One problem found in an object, as data: a stable `code` (Kubernetes' cause reasons:
 * `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`, `FieldValueTypeInvalid`,
 * `FieldValueTooLong`, `FieldValueTooMany`, `FieldValueForbidden`, `FieldValueUnknown`), a message, and the
 * field path (`spec.include[0].repository.name`). `file` is set by callers that know where the object came from.
 */
export interface ValidationCause {
  code: string;
  message: string;
  path: string;
  file?: string;
}

/** Options of {@link validateSchema}. */
export interface ValidateSchemaOptions {
  /** Whether fields the schema does not know are reported (`FieldValueUnknown`). Default `true`. */
  unknownFields?: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

function quote(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
}

const patterns = new Map<string, RegExp>();
function compiled(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'u');
    patterns.set(pattern, re);
  }
  return re;
}

/** Joins a field path the way Kubernetes prints it: `spec.ref.branch`, `spec.include[0]`. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/**
 * Validates `value` against a structural OpenAPI schema: types, `required`, `enum`, `pattern`, lengths,
 * bounds, item counts, map values, and (unless turned off) fields the schema does not know. Returns every
 * problem found; an empty list means valid.
 */
export function validateSchema(
  schema: OpenAPISchema,
  value: unknown,
  path = '',
  options: ValidateSchemaOptions = {},
): ValidationCause[] {
  const causes: ValidationCause[] = [];
  const unknownFields = options.unknownFields ?? true;
  const walk = (s: OpenAPISchema, v: unknown, p: string): void => {
    if (v === null && s.nullable) return;
    if (s['x-kubernetes-int-or-string']) {
      if (typeof v !== 'string' && !(typeof v === 'number' && Number.isInteger(v))) {
        causes.push({
          code: 'FieldValueTypeInvalid',
          message: `Invalid value: ${quote(v)}: must be an integer or a string`,
          path: p,
        });
      }
      return;
    }
    if (s.type && !typeMatches(s.type, v)) {
      causes.push({
        code: 'FieldValueTypeInvalid',
        message: `Invalid value: "${jsonType(v)}": must be of type ${s.type}`,
        path: p,
      });
      return;
    }
    if (s.enum && !s.enum.some((e) => e === v)) {
      causes.push({
        code: 'FieldValueNotSupported',
        message: `Unsupported value: ${quote(v)}: supported values: ${s.enum.map(quote).join(', ')}`,
        path: p,
      });
    }
    if (typeof v === 'string') {
      if (s.pattern !== undefined && !compiled(s.pattern).test(v)) {
        causes.push({
          code: 'FieldValueInvalid',
          message: `Invalid value: ${quote(v)}: must match '${s.pattern}'`,
          path: p,
        });
      }
      if (s.maxLength !== undefined && [...v].length > s.maxLength) {
        causes.push({
          code: 'FieldValueTooLong',
          message: `Too long: may not be more than ${s.maxLength} bytes`,
          path: p,
        });
      }
      if (s.minLength !== undefined && [...v].length < s.minLength) {
        causes.push({
          code: 'FieldValueInvalid',
          message: `Invalid value: ${quote(v)}: should be at least ${s.minLength} chars long`,
          path: p,
        });
      }
    }
    if (typeof v === 'number') {
      if (s.minimum !== undefined && v < s.minimum) {
        causes.push({
          code: 'FieldValueInvalid',
          message: `Invalid value: ${v}: should be greater than or equal to ${s.minimum}`,
          path: p,
        });
      }
      if (s.maximum !== undefined && v > s.maximum) {
        causes.push({
          code: 'FieldValueInvalid',
          message: `Invalid value: ${v}: should be less than or equal to ${s.maximum}`,
          path: p,
        });
      }
    }
    if (Array.isArray(v)) {
      if (s.maxItems !== undefined && v.length > s.maxItems) {
        causes.push({
          code: 'FieldValueTooMany',
          message: `Too many: ${v.length}: must have at most ${s.maxItems} items`,
          path: p,
        });
      }
      if (s.minItems !== undefined && v.length < s.minItems) {
        causes.push({
          code: 'FieldValueInvalid',
          message: `Invalid value: ${v.length}: should have at least ${s.minItems} items`,
          path: p,
        });
      }
      if (s.items) for (const [i, item] of v.entries()) walk(s.items, item, joinPath(p, i));
      return;
    }
    if (!isObject(v)) return;
    for (const key of s.required ?? []) {
      if (v[key] === undefined) {
        causes.push({ code: 'FieldValueRequired', message: 'Required value', path: joinPath(p, key) });
      }
    }
    for (const [key, child] of Object.entries(v)) {
      const prop = s.properties?.[key];
      if (prop) {
        if (child !== undefined) walk(prop, child, joinPath(p, key));
      } else if (isObject(s.additionalProperties)) {
        walk(s.additionalProperties, child, joinPath(p, key));
      } else if (
        unknownFields &&
        s.properties &&
        s.additionalProperties !== true &&
        !s['x-kubernetes-preserve-unknown-fields']
      ) {
        causes.push({ code: 'FieldValueUnknown', message: `Unknown field "${key}"`, path: joinPath(p, key) });
      }
    }
  };
  walk(schema, value, path);
  return causes;
}

/**
 * Returns a copy of `value` with the schema's `default`s set on missing fields, from the root down, the way
 * the API server defaults custom resources before storing them.
 */
export function applySchemaDefaults<T>(schema: OpenAPISchema, value: T): T {
  const copy = structuredClone(value);
  const walk = (s: OpenAPISchema, v: unknown): void => {
    if (Array.isArray(v)) {
      if (s.items) for (const item of v) walk(s.items, item);
      return;
    }
    if (!isObject(v)) return;
    for (const [key, prop] of Object.entries(s.properties ?? {})) {
      if (v[key] === undefined && prop.default !== undefined) v[key] = structuredClone(prop.default);
      if (v[key] !== undefined) walk(prop, v[key]);
    }
    if (isObject(s.additionalProperties)) {
      for (const [key, child] of Object.entries(v)) {
        if (!s.properties?.[key]) walk(s.additionalProperties, child);
      }
    }
  };
  walk(schema, copy);
  return copy;
}

/** Formats causes for people, one per line: `spec.url: Required value`. */
export function formatValidationCauses(causes: readonly ValidationCause[]): string {
  return causes
    .map((c) => `${c.file ? `${c.file}: ` : ''}${c.path ? `${c.path}: ` : ''}${c.message}`)
    .join('\n');
}
