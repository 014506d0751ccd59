import { createHash } from 'node:crypto';
import { isObject, type JsonObject, type JsonValue } from '../patch/index.js';

/** Serialises like Go's encoding/json: sorted keys, HTML-safe escapes. */
export function goJson(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${goString(k)}:${goJson(v[k])}`).join(',')}}`;
}

function goString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

function valueOrEmpty(v: JsonValue | undefined): JsonValue {
  return v === undefined || v === null ? '' : v;
}

/** The content hash kustomize appends to generated ConfigMap and Secret names (10 characters). */
export function contentHash(obj: JsonObject): string {
  // kustomize looks the name up as one field called "metadata/name", which never exists: the name hashes as "".
  let m: JsonObject;
  if (obj.kind === 'ConfigMap') {
    m = { kind: 'ConfigMap', name: '', data: valueOrEmpty(obj.data) };
    if (isObject(obj.binaryData)) m.binaryData = obj.binaryData;
  } else if (obj.kind === 'Secret') {
    m = { kind: 'Secret', type: valueOrEmpty(obj.type), name: '', data: valueOrEmpty(obj.data) };
    if (isObject(obj.stringData)) m.stringData = obj.stringData;
  } else m = obj;
  const hex = createHash('sha256').update(goJson(m)).digest('hex');
  const map: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return Array.from(hex.slice(0, 10), (c) => map[c] ?? c).join('');
}
