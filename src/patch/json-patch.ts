import { InvalidPatchError, PatchPathNotFoundError, PatchTestFailedError } from './errors.js';
import { deepClone, deepEqual, isObject, type JsonValue } from './json-value.js';

/** One RFC 6902 operation. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: JsonValue;
  from?: string;
}

/** Splits an RFC 6901 JSON pointer into unescaped reference tokens. */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) {
    throw new InvalidPatchError(`JSON pointer ${JSON.stringify(pointer)} is invalid: it must start with "/"`);
  }
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(token: string, length: number, pointer: string, forAdd: boolean): number {
  if (forAdd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) {
    throw new PatchPathNotFoundError(
      pointer,
      `Path ${pointer} is invalid: ${JSON.stringify(token)} is not an array index`,
    );
  }
  const i = Number(token);
  if (i > length || (!forAdd && i === length)) {
    throw new PatchPathNotFoundError(pointer, `Path ${pointer} does not exist: index ${i} is out of range`);
  }
  return i;
}

/** Resolves the container holding the last token of `tokens`. */
function parentOf(doc: JsonValue, tokens: string[], pointer: string): JsonValue {
  let cur: JsonValue = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i]!;
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, pointer, false)]!;
    else if (isObject(cur) && Object.hasOwn(cur, t)) cur = cur[t]!;
    else throw new PatchPathNotFoundError(pointer, `Path ${pointer} does not exist in the document`);
  }
  return cur;
}

function getAt(doc: JsonValue, pointer: string): JsonValue {
  const tokens = parseJsonPointer(pointer);
  if (tokens.length === 0) return doc;
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent.length, pointer, false)]!;
  if (isObject(parent) && Object.hasOwn(parent, last)) return parent[last]!;
  throw new PatchPathNotFoundError(pointer, `Path ${pointer} does not exist in the document`);
}

function addAt(doc: JsonValue, pointer: string, value: JsonValue): JsonValue {
  const tokens = parseJsonPointer(pointer);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, pointer, true), 0, value);
  else if (isObject(parent)) parent[last] = value;
  else
    throw new PatchPathNotFoundError(
      pointer,
      `Path ${pointer} does not exist: its parent is not a container`,
    );
  return doc;
}

function removeAt(doc: JsonValue, pointer: string): JsonValue {
  const tokens = parseJsonPointer(pointer);
  if (tokens.length === 0) throw new InvalidPatchError('JSON patch cannot remove the whole document');
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, pointer, false), 1);
  else if (isObject(parent) && Object.hasOwn(parent, last)) delete parent[last];
  else throw new PatchPathNotFoundError(pointer, `Path ${pointer} does not exist in the document`);
  return doc;
}

function replaceAt(doc: JsonValue, pointer: string, value: JsonValue): JsonValue {
  const tokens = parseJsonPointer(pointer);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent[arrayIndex(last, parent.length, pointer, false)] = value;
  else if (isObject(parent) && Object.hasOwn(parent, last)) parent[last] = value;
  else throw new PatchPathNotFoundError(pointer, `Path ${pointer} does not exist in the document`);
  return doc;
}

/**
 * Applies an RFC 6902 JSON patch to a copy of `doc` and returns the result. The operations run in order;
 * the first failing one throws ({@link InvalidPatchError}, {@link PatchPathNotFoundError} or
 * {@link PatchTestFailedError}) and `doc` is left untouched.
 */
export function applyJsonPatch<T = JsonValue>(doc: T, ops: readonly JsonPatchOperation[]): T {
  if (!Array.isArray(ops))
    throw new InvalidPatchError('JSON patch is invalid: it must be a list of operations');
  let out = deepClone(doc) as JsonValue;
  for (const [i, op] of ops.entries()) {
    if (!isObject(op as unknown))
      throw new InvalidPatchError(`JSON patch operation ${i} is invalid: not an object`);
    if (typeof op.path !== 'string') {
      throw new InvalidPatchError(`JSON patch operation ${i} (${op.op}) is invalid: missing "path"`);
    }
    const needsValue = op.op === 'add' || op.op === 'replace' || op.op === 'test';
    if (needsValue && !Object.hasOwn(op, 'value')) {
      throw new InvalidPatchError(
        `JSON patch operation ${i} (${op.op} ${op.path}) is invalid: missing "value"`,
      );
    }
    switch (op.op) {
      case 'add':
        out = addAt(out, op.path, deepClone(op.value as JsonValue));
        break;
      case 'remove':
        out = removeAt(out, op.path);
        break;
      case 'replace':
        out = replaceAt(out, op.path, deepClone(op.value as JsonValue));
        break;
      case 'move': {
        if (typeof op.from !== 'string')
          throw new InvalidPatchError(`JSON patch operation ${i} (move) is invalid: missing "from"`);
        if (op.path.startsWith(`${op.from}/`)) {
          throw new InvalidPatchError(
            `JSON patch operation ${i} (move) is invalid: cannot move ${op.from} into itself`,
          );
        }
        const v = getAt(out, op.from);
        out = removeAt(out, op.from);
        out = addAt(out, op.path, v);
        break;
      }
      case 'copy': {
        if (typeof op.from !== 'string')
          throw new InvalidPatchError(`JSON patch operation ${i} (copy) is invalid: missing "from"`);
        out = addAt(out, op.path, deepClone(getAt(out, op.from)));
        break;
      }
      case 'test': {
        const actual = getAt(out, op.path);
        if (!deepEqual(actual, op.value)) {
          throw new PatchTestFailedError(
            op.path,
            `JSON patch test failed at ${op.path}: expected ${JSON.stringify(op.value)}, found ${JSON.stringify(actual)}`,
          );
        }
        break;
      }
      default:
        throw new InvalidPatchError(
          `JSON patch operation ${i} is invalid: unknown op ${JSON.stringify((op as { op: unknown }).op)}`,
        );
    }
  }
  return out as T;
}
