import type { JSONSchemaProps } from '../../schema/index.js';
import {
  duplicateCause,
  invalidCause,
  notSupportedCause,
  requiredCause,
  type StatusCause,
  tooLongCause,
  tooManyCause,
  typeInvalidCause,
} from './causes.js';

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/**
 * Sets, in place, the `default`s of a structural schema on fields that are missing, from the root down
 * (objects, array items, map values). The root's `metadata` is left alone.
 */
export function applySchemaDefaults(schema: JSONSchemaProps, value: unknown, root = true): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) applySchemaDefaults(schema.items, item, false);
    return;
  }
  if (!isObj(value)) return;
  for (const part of schema.allOf ?? []) applySchemaDefaults(part, value, root);
  if (schema.properties) {
    for (const [key, prop] of Object.entries(schema.properties)) {
      if (root && key === 'metadata') continue;
      if (value[key] === undefined && prop.default !== undefined) value[key] = structuredClone(prop.default);
      if (value[key] !== undefined) applySchemaDefaults(prop, value[key], false);
    }
  }
  const ap = schema.additionalProperties;
  if (ap && typeof ap === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (schema.properties?.[key]) continue;
      applySchemaDefaults(ap, v, false);
    }
  }
}

/** The JSON type name of a value, as OpenAPI validation reports it. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'object':
      return isObj(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

function stableKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableKey).join(',')}]`;
  if (isObj(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableKey(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  return stableKey(a) === stableKey(b);
}

/**
 * Validates a value against a structural schema (a CRD version's `openAPIV3Schema`): types, `nullable`,
 * `required`, `enum`, `pattern`, `minimum`/`maximum` (and exclusive), `multipleOf`, `minLength`/`maxLength`,
 * `minItems`/`maxItems`, `uniqueItems`, `minProperties`/`maxProperties`, set and map list uniqueness,
 * `x-kubernetes-int-or-string`, `allOf`. Returns causes in Kubernetes' wording
 * (`spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`). The
 * root's `metadata` is not validated here.
 */
export function validateSchema(
  schema: JSONSchemaProps,
  value: unknown,
  path = '',
  causes: StatusCause[] = [],
): StatusCause[] {
  const where = path === '' ? '<root>' : path;
  if (value === null) {
    if (
      schema.nullable !== true &&
      schema.type !== undefined &&
      !schema['x-kubernetes-preserve-unknown-fields']
    ) {
      causes.push(typeInvalidCause(where, 'null', `${where} in body must be of type ${schema.type}: "null"`));
    }
    return causes;
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (!(typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)))) {
      const actual = jsonType(value);
      causes.push(
        typeInvalidCause(where, actual, `${where} in body must be of type integer,string: "${actual}"`),
      );
      return causes;
    }
  } else if (schema.type && !typeMatches(schema.type, value)) {
    const actual = jsonType(value);
    causes.push(
      typeInvalidCause(where, actual, `${where} in body must be of type ${schema.type}: "${actual}"`),
    );
    return causes;
  }
  if (schema.enum && !schema.enum.some((e) => deepEqual(e, value))) {
    causes.push(notSupportedCause(where, value, schema.enum));
  }
  if (typeof value === 'string') validateString(schema, value, where, causes);
  if (typeof value === 'number') validateNumber(schema, value, where, causes);
  if (Array.isArray(value)) validateArray(schema, value, path, where, causes);
  if (isObj(value)) validateObject(schema, value, path, where, causes);
  for (const part of schema.allOf ?? []) validateSchema(part, value, path, causes);
  return causes;
}

function validateString(schema: JSONSchemaProps, value: string, where: string, causes: StatusCause[]): void {
  const length = [...value].length;
  if (schema.maxLength !== undefined && length > schema.maxLength)
    causes.push(tooLongCause(where, schema.maxLength));
  if (schema.minLength !== undefined && length < schema.minLength) {
    causes.push(
      invalidCause(where, value, `${where} in body should be at least ${schema.minLength} chars long`),
    );
  }
  if (schema.pattern !== undefined) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(schema.pattern, 'u');
    } catch {
      re = undefined;
    }
    if (re && !re.test(value)) {
      causes.push(invalidCause(where, value, `${where} in body should match '${schema.pattern}'`));
    }
  }
}

function validateNumber(schema: JSONSchemaProps, value: number, where: string, causes: StatusCause[]): void {
  if (schema.minimum !== undefined) {
    const bad = schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum;
    if (bad) {
      const rel = schema.exclusiveMinimum ? 'greater than' : 'greater than or equal to';
      causes.push(invalidCause(where, value, `${where} in body should be ${rel} ${schema.minimum}`));
    }
  }
  if (schema.maximum !== undefined) {
    const bad = schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum;
    if (bad) {
      const rel = schema.exclusiveMaximum ? 'less than' : 'less than or equal to';
      causes.push(invalidCause(where, value, `${where} in body should be ${rel} ${schema.maximum}`));
    }
  }
  if (schema.multipleOf !== undefined && schema.multipleOf !== 0) {
    const q = value / schema.multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9) {
      causes.push(
        invalidCause(where, value, `${where} in body should be a multiple of ${schema.multipleOf}`),
      );
    }
  }
}

function validateArray(
  schema: JSONSchemaProps,
  value: unknown[],
  path: string,
  where: string,
  causes: StatusCause[],
): void {
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    causes.push(tooManyCause(where, value.length, schema.maxItems));
  }
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    causes.push(invalidCause(where, value, `${where} in body should have at least ${schema.minItems} items`));
  }
  const listType = schema['x-kubernetes-list-type'];
  const keys = schema['x-kubernetes-list-map-keys'];
  if (schema.uniqueItems || listType === 'set' || (listType === 'map' && keys && keys.length > 0)) {
    const seen = new Set<string>();
    value.forEach((item, i) => {
      const identity =
        listType === 'map' && keys && isObj(item)
          ? stableKey(Object.fromEntries(keys.map((k) => [k, item[k]])))
          : stableKey(item);
      if (seen.has(identity)) {
        const shown =
          listType === 'map' && keys && isObj(item)
            ? Object.fromEntries(keys.map((k) => [k, item[k]]))
            : item;
        causes.push(duplicateCause(`${path}[${i}]`, shown));
      }
      seen.add(identity);
    });
  }
  if (schema.items) {
    for (let i = 0; i < value.length; i++) validateSchema(schema.items, value[i], `${path}[${i}]`, causes);
  }
}

function validateObject(
  schema: JSONSchemaProps,
  value: Record<string, unknown>,
  path: string,
  where: string,
  causes: StatusCause[],
): void {
  const root = path === '';
  for (const key of schema.required ?? []) {
    if (root && key === 'metadata') continue;
    if (value[key] === undefined) causes.push(requiredCause(join(path, key)));
  }
  const count = Object.keys(value).length;
  if (schema.maxProperties !== undefined && count > schema.maxProperties) {
    causes.push(tooManyCause(where, count, schema.maxProperties));
  }
  if (schema.minProperties !== undefined && count < schema.minProperties) {
    causes.push(
      invalidCause(where, count, `${where} in body should have at least ${schema.minProperties} properties`),
    );
  }
  const ap = schema.additionalProperties;
  for (const [key, v] of Object.entries(value)) {
    if (root && (key === 'metadata' || key === 'apiVersion' || key === 'kind')) continue;
    const prop = schema.properties?.[key];
    if (prop) validateSchema(prop, v, join(path, key), causes);
    else if (ap && typeof ap === 'object') validateSchema(ap, v, join(path, key), causes);
  }
}
