import { builtinSchemas, type JSONSchemaProps, type TypeNode } from '../../schema/index.js';

/** What `resource.ParseQuantity` answers for text that is not a quantity. */
const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";
const QUANTITY_NUMBER = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)/;
const QUANTITY_SUFFIX = /^(?:Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;

let schemaNames: Map<JSONSchemaProps, string> | undefined;

/** The Go name of a built-in struct type, `v1.DeploymentSpec`, from its resolved schema. */
function goTypeName(schema: JSONSchemaProps): string | undefined {
  if (!schemaNames) {
    schemaNames = new Map();
    for (const [name, s] of Object.entries(builtinSchemas())) schemaNames.set(s, name);
  }
  const name = schemaNames.get(schema);
  if (!name) return undefined;
  const parts = name.split('.');
  return parts.slice(-2).join('.');
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isQuantity(t: TypeNode): boolean {
  return t.type === 'int-or-string' && t.schema.format !== 'int-or-string';
}

/** The Go type of a node as `encoding/json` names it in errors (`int32`, `[]v1.Container`, `map[string]string`). */
function goType(t: TypeNode): string {
  switch (t.type) {
    case 'integer':
      return t.schema.format === 'int32' ? 'int32' : 'int64';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'string':
      return t.schema.format === 'byte' ? '[]uint8' : 'string';
    case 'int-or-string':
      return isQuantity(t) ? 'resource.Quantity' : 'intstr.IntOrString';
    case 'array': {
      const item = t.items();
      return `[]${item ? goType(item) : 'interface {}'}`;
    }
    case 'map': {
      const value = t.values();
      return `map[string]${value ? goType(value) : 'interface {}'}`;
    }
    case 'object':
      return goTypeName(t.schema) ?? 'struct';
    default:
      return 'interface {}';
  }
}

/** How `encoding/json` names a JSON value in an unmarshal error. */
function jsonKind(value: unknown): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  return Array.isArray(value) ? 'array' : 'object';
}

function quantityError(value: unknown): string | undefined {
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
  const number = QUANTITY_NUMBER.exec(text);
  if (!number) return QUANTITY_FORMAT_ERROR;
  return QUANTITY_SUFFIX.test(text.slice(number[0].length)) ? undefined : QUANTITY_SUFFIX_ERROR;
}

/** Where the walk is: the innermost struct's Go name and the JSON field path from the root (no indexes). */
interface Site {
  struct: string;
  path: string;
}

/**
 * Checks the JSON types of a built-in object's values against its type, as decoding into the Go types does,
 * and returns the first mismatch worded like `encoding/json`
 * (`json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`), or the
 * parse error of a malformed quantity; `undefined` when the object decodes. `null` is accepted anywhere;
 * int-or-string and quantity fields take strings and numbers; unknown and untyped fields are not checked.
 */
export function checkValueTypes(value: unknown, type: TypeNode, rootStruct: string): string | undefined {
  if (!isObj(value) || type.type !== 'object') return undefined;
  return walkObject(value, type, { struct: rootStruct, path: '' });
}

function walkObject(value: Record<string, unknown>, type: TypeNode, site: Site): string | undefined {
  for (const key of Object.keys(value)) {
    const child = type.field(key);
    if (!child) continue;
    const v = value[key];
    if (v === null || v === undefined) continue;
    const err = check(v, child, { struct: site.struct, path: site.path ? `${site.path}.${key}` : key });
    if (err) return err;
  }
  return undefined;
}

function mismatch(value: unknown, t: TypeNode, site: Site, literal = false): string {
  const what = literal ? `number ${JSON.stringify(value)}` : jsonKind(value);
  return `json: cannot unmarshal ${what} into Go struct field ${site.struct}.${site.path} of type ${goType(t)}`;
}

function check(value: unknown, t: TypeNode, site: Site): string | undefined {
  switch (t.type) {
    case 'any':
      return undefined;
    case 'string':
      if (typeof value === 'string') return undefined;
      // metav1.Time decodes itself from a JSON string.
      if (t.schema.format === 'date-time') {
        return `json: cannot unmarshal ${jsonKind(value)} into Go value of type string`;
      }
      return mismatch(value, t, site);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : mismatch(value, t, site);
    case 'integer': {
      if (typeof value !== 'number') return mismatch(value, t, site);
      const limit = t.schema.format === 'int32' ? 2 ** 31 : 2 ** 63;
      if (!Number.isInteger(value) || value >= limit || value < -limit) return mismatch(value, t, site, true);
      return undefined;
    }
    case 'number':
      return typeof value === 'number' ? undefined : mismatch(value, t, site);
    case 'int-or-string':
      if (isQuantity(t)) return quantityError(value);
      if (typeof value === 'string') return undefined;
      if (typeof value === 'number') {
        if (Number.isInteger(value) && value < 2 ** 31 && value >= -(2 ** 31)) return undefined;
        return `json: cannot unmarshal number ${JSON.stringify(value)} into Go value of type int32`;
      }
      return `json: cannot unmarshal ${jsonKind(value)} into Go value of type int32`;
    case 'array': {
      if (!Array.isArray(value)) return mismatch(value, t, site);
      const item = t.items();
      if (!item) return undefined;
      for (const v of value) {
        if (v === null) continue;
        const err = check(v, item, site);
        if (err) return err;
      }
      return undefined;
    }
    case 'map': {
      if (!isObj(value)) return mismatch(value, t, site);
      const item = t.values();
      if (!item) return undefined;
      for (const v of Object.values(value)) {
        if (v === null) continue;
        const err = check(v, item, site);
        if (err) return err;
      }
      return undefined;
    }
    case 'object': {
      if (!isObj(value)) return mismatch(value, t, site);
      if (t.preserveUnknownFields && !t.schema.properties) return undefined;
      const struct = goTypeName(t.schema)?.split('.')[1] ?? site.struct;
      return walkObject(value, t, { struct, path: site.path });
    }
  }
}
