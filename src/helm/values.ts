import { SluiceError } from '../api/index.js';

type Values = Record<string, unknown>;

function isMap(v: unknown): v is Values {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges `over` into `base` the way helm merges values files: maps deeply, everything else replaced. */
export function mergeValueMaps(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isMap(b) && isMap(v) ? mergeValueMaps(b, v) : v;
  }
  return out;
}

/** helm's `--set` typing of a value: integers, booleans and null, else the string. */
function typed(value: string): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value === 'null') return null;
  if (/^-?(0|[1-9][0-9]{0,17})$/.test(value)) return Number(value);
  return value;
}

/** Splits a helm `--set` path (`a.b[0].c`, `a\.b` for a dot in a key) into keys and list indexes. */
function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '\\' && i + 1 < path.length) {
      cur += path[++i];
    } else if (c === '.') {
      if (cur) out.push(cur);
      cur = '';
    } else if (c === '[') {
      if (cur) out.push(cur);
      cur = '';
      const end = path.indexOf(']', i);
      if (end < 0) throw new SluiceError('InvalidValuesPath', `Values path ${path} has an unclosed [`);
      out.push(Number(path.slice(i + 1, end)));
      i = end;
    } else {
      cur += c;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * Sets `value` at a helm `--set`-style `path` in `values` (a copy is returned), typed as `--set` does
 * unless `literal`, as Flux's `valuesFrom[].targetPath` does.
 */
export function setValueAtPath(values: Values, path: string, value: string, literal = false): Values {
  const keys = splitPath(path);
  const root: Values = structuredClone(values);
  let node: unknown = root;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const last = i === keys.length - 1;
    const v = last ? (literal ? value : typed(value)) : undefined;
    if (typeof k === 'number') {
      if (!Array.isArray(node))
        throw new SluiceError('InvalidValuesPath', `Values path ${path} indexes a non-list`);
      while (node.length <= k) node.push(null);
      if (last) node[k] = v;
      else {
        if (typeof node[k] !== 'object' || node[k] === null)
          node[k] = typeof keys[i + 1] === 'number' ? [] : {};
        node = node[k];
      }
    } else {
      const m = node as Values;
      if (last) m[k] = v;
      else {
        if (typeof m[k] !== 'object' || m[k] === null) m[k] = typeof keys[i + 1] === 'number' ? [] : {};
        node = m[k];
      }
    }
  }
  return root;
}
