import { posix } from 'node:path';
import { isObject, type JsonObject } from '../patch/index.js';
import { KustomizeError } from './errors.js';
import type { Resource } from './resource.js';

/** Splits a field path on `/`, where `\/` stands for a slash inside a field name. */
function splitFieldPath(path: string): string[] {
  const out: string[] = [];
  for (const part of path.split('/')) {
    const last = out.length > 0 ? out[out.length - 1]! : undefined;
    if (last?.endsWith('\\')) out[out.length - 1] = `${last.slice(0, -1)}/${part}`;
    else out.push(part);
  }
  return out;
}

/** Splits a file path into its parts; a leading empty part marks an absolute path (kyaml's `PathSplit`). */
function pathSplit(p: string): string[] {
  if (p === '') return [];
  const i = p.lastIndexOf('/');
  let dir = i < 0 ? '' : p.slice(0, i + 1);
  const file = p.slice(i + 1);
  if (dir === '/') return file === '' ? [''] : ['', file];
  if (dir.endsWith('/')) dir = dir.slice(0, -1);
  if (dir === '') return [file];
  return [...pathSplit(dir), file];
}

function cleanJoin(parts: string[]): string {
  const joined = parts.filter((x) => x !== '').join('/');
  if (joined === '') return '';
  const clean = posix.normalize(joined);
  return clean.length > 1 && clean.endsWith('/') ? clean.slice(0, -1) : clean;
}

/**
 * Inserts `part` into a file path before the part at `pos` (0-based; past the end appends). An absolute
 * path stays absolute: position 0 is its first named part.
 */
export function insertPathPart(path: string, pos: number, part: string): string {
  if (part === '') return path;
  const parts = pathSplit(path);
  let at = Math.min(Math.max(pos, 0), parts.length);
  if (parts.length > 0 && parts[0] === '' && at < parts.length) at++;
  const result = [...parts.slice(0, at), part, ...parts.slice(at)];
  return result[0] === '' ? `/${cleanJoin(result.slice(1))}` : cleanJoin(result);
}

/**
 * Writes `value` at `fieldPath` of a resource, creating missing maps on the way (the ValueAddTransformer's
 * filter). With `filePathPosition` > 0 the value is inserted into the file path held there instead, at that
 * 1-based position.
 */
export function addValue(r: Resource, fieldPath: string, value: string, filePathPosition: number): void {
  const fields = splitFieldPath(fieldPath);
  let node: JsonObject = r.obj;
  for (let i = 0; i < fields.length - 1; i++) {
    const f = fields[i]!;
    const m = /^\[(.+?)=(.*)\]$/.exec(f);
    if (m && Array.isArray(node)) {
      const el = (node as unknown[]).find((x) => isObject(x) && String(x[m[1]!]) === m[2]);
      if (!isObject(el)) return;
      node = el;
      continue;
    }
    let next = node[f];
    if (next === undefined || next === null) {
      next = {};
      node[f] = next;
    }
    if (!isObject(next) && !(Array.isArray(next) && /^\[.+=.*\]$/.test(fields[i + 1] ?? ''))) {
      throw new KustomizeError(
        'KustomizeBuildFailed',
        `Field ${fields.slice(0, i + 1).join('/')} of ${r.kind}/${r.name} is not a map: cannot add a value at ${fieldPath}`,
      );
    }
    node = next as JsonObject;
  }
  const key = fields[fields.length - 1]!;
  const old = node[key];
  if (old !== undefined && old !== null && (isObject(old) || Array.isArray(old))) {
    throw new KustomizeError(
      'KustomizeBuildFailed',
      `Field ${fieldPath} of ${r.kind}/${r.name} is not a scalar: cannot add a value to it`,
    );
  }
  const current = old === undefined || old === null ? '' : String(old);
  node[key] = filePathPosition > 0 ? insertPathPart(current, filePathPosition - 1, value) : value;
}
