import { basename } from 'node:path';
import { isObject, type JsonObject } from '../patch/index.js';
import { KustomizeError } from './errors.js';
import type { LoadRestrictor, RootedFs } from './fs.js';
import { Resource } from './resource.js';

/** Options shared by generators (`generatorOptions`, or a generator's own `options`). */
export interface GeneratorOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  disableNameSuffixHash?: boolean;
  immutable?: boolean;
}

/** What the generators need to read files. */
export interface GeneratorContext {
  fs: RootedFs;
  dir: string;
  restrictor: LoadRestrictor;
  kustFile: string;
  env: Record<string, string | undefined>;
}

const KEY_RE = /^[-._a-zA-Z0-9]+$/;

function unquote(s: string): string {
  if (s.length >= 2 && ((s[0] === '"' && s.endsWith('"')) || (s[0] === "'" && s.endsWith("'"))))
    return s.slice(1, -1);
  return s;
}

function parseEnvFile(
  text: string,
  file: string,
  env: Record<string, string | undefined>,
): [string, string][] {
  const out: [string, string][] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(key)) {
      throw new KustomizeError(
        'KustomizeInvalidKustomization',
        `Env file ${file} line ${i + 1}: ${JSON.stringify(key)} is not a valid key name`,
        { file },
      );
    }
    out.push([key, eq < 0 ? (env[key] ?? '') : line.slice(eq + 1)]);
  }
  return out;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Collects the key/value pairs of one generator entry (literals, files, env files) in kustomize's order. */
function collectPairs(
  entry: JsonObject,
  ctx: GeneratorContext,
  what: string,
): { pairs: [string, string | Buffer][] } {
  const pairs: [string, string | Buffer][] = [];
  const envs = strings(entry.envs);
  if (typeof entry.env === 'string' && entry.env !== '') envs.push(entry.env);
  for (const e of envs) {
    const { text, abs } = ctx.fs.readRelative(ctx.dir, e, ctx.restrictor);
    for (const p of parseEnvFile(text, ctx.fs.rel(abs), ctx.env)) pairs.push(p);
  }
  for (const lit of strings(entry.literals)) {
    const eq = lit.indexOf('=');
    if (eq <= 0) {
      throw new KustomizeError(
        'KustomizeInvalidKustomization',
        `${what}: literal ${JSON.stringify(lit)} is invalid: it must be key=value`,
        { file: ctx.kustFile },
      );
    }
    pairs.push([lit.slice(0, eq), unquote(lit.slice(eq + 1))]);
  }
  for (const f of strings(entry.files)) {
    const eq = f.indexOf('=');
    let key: string;
    let path: string;
    if (eq >= 0) {
      key = f.slice(0, eq);
      path = f.slice(eq + 1);
      if (key === '' || path === '') {
        throw new KustomizeError(
          'KustomizeInvalidKustomization',
          `${what}: file source ${JSON.stringify(f)} is invalid`,
          {
            file: ctx.kustFile,
          },
        );
      }
    } else {
      key = basename(f);
      path = f;
    }
    const abs = ctx.fs.real(ctx.dir, path);
    if (ctx.fs.isDir(abs)) {
      throw new KustomizeError(
        'KustomizeInvalidKustomization',
        `${what}: file source ${path} is a directory`,
        {
          file: ctx.kustFile,
        },
      );
    }
    ctx.fs.readRelative(ctx.dir, path, ctx.restrictor);
    pairs.push([key, ctx.fs.readBytes(abs)]);
  }
  return { pairs };
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[k] = x === null ? '' : String(x);
  return out;
}

/** Reads generator options from a kustomization value. */
export function readGeneratorOptions(v: unknown): GeneratorOptions {
  if (!isObject(v)) return {};
  const o: GeneratorOptions = {};
  const labels = stringMap(v.labels);
  const annotations = stringMap(v.annotations);
  if (labels) o.labels = labels;
  if (annotations) o.annotations = annotations;
  if (v.disableNameSuffixHash === true) o.disableNameSuffixHash = true;
  if (v.immutable === true) o.immutable = true;
  return o;
}

function mergeOptions(global: GeneratorOptions, local: GeneratorOptions): GeneratorOptions {
  return {
    labels: { ...global.labels, ...local.labels },
    annotations: { ...global.annotations, ...local.annotations },
    disableNameSuffixHash: local.disableNameSuffixHash ?? global.disableNameSuffixHash ?? false,
    immutable: local.immutable ?? global.immutable ?? false,
  };
}

/** Base64 as kustomize writes generated data: past 70 characters, in lines of 70 each ending in a newline. */
function encodeBase64(b: Buffer): string {
  const enc = b.toString('base64');
  if (enc.length < 70) return enc;
  let out = '';
  for (let i = 0; i < enc.length; i += 70) out += `${enc.slice(i, i + 70)}\n`;
  return out;
}

function isUtf8(b: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

/** Generates the ConfigMap or Secret one generator entry describes. */
export function generate(
  kind: 'ConfigMap' | 'Secret',
  entry: unknown,
  global: GeneratorOptions,
  ctx: GeneratorContext,
): Resource {
  if (!isObject(entry)) {
    throw new KustomizeError('KustomizeInvalidKustomization', `${kind} generator entry is not a map`, {
      file: ctx.kustFile,
    });
  }
  const name = typeof entry.name === 'string' ? entry.name : '';
  const what = `${kind} generator ${name || '(unnamed)'}`;
  const behavior = typeof entry.behavior === 'string' && entry.behavior !== '' ? entry.behavior : 'create';
  if (behavior !== 'create' && behavior !== 'merge' && behavior !== 'replace') {
    throw new KustomizeError(
      'KustomizeInvalidKustomization',
      `${what}: unknown behavior ${JSON.stringify(behavior)}`,
      {
        file: ctx.kustFile,
      },
    );
  }
  const { pairs } = collectPairs(entry, ctx, what);
  const opts = mergeOptions(global, readGeneratorOptions(entry.options));
  const data: JsonObject = {};
  const binaryData: JsonObject = {};
  const seen = new Set<string>();
  for (const [k, v] of pairs) {
    if (!KEY_RE.test(k)) {
      throw new KustomizeError(
        'KustomizeInvalidKustomization',
        `${what}: ${JSON.stringify(k)} is not a valid key name`,
        {
          file: ctx.kustFile,
        },
      );
    }
    if (seen.has(k)) {
      throw new KustomizeError(
        'KustomizeInvalidKustomization',
        `${what}: the key ${JSON.stringify(k)} is repeated`,
        { file: ctx.kustFile },
      );
    }
    seen.add(k);
    if (kind === 'Secret') data[k] = encodeBase64(typeof v === 'string' ? Buffer.from(v, 'utf8') : v);
    else if (typeof v === 'string') data[k] = v;
    else if (isUtf8(v)) data[k] = v.toString('utf8');
    else binaryData[k] = encodeBase64(v);
  }
  const metadata: JsonObject = { name };
  if (typeof entry.namespace === 'string' && entry.namespace !== '') metadata.namespace = entry.namespace;
  if (opts.labels && Object.keys(opts.labels).length > 0) metadata.labels = { ...opts.labels };
  if (opts.annotations && Object.keys(opts.annotations).length > 0)
    metadata.annotations = { ...opts.annotations };
  const obj: JsonObject = { apiVersion: 'v1', kind, metadata };
  if (Object.keys(data).length > 0) obj.data = data;
  if (Object.keys(binaryData).length > 0) obj.binaryData = binaryData;
  if (kind === 'Secret')
    obj.type = typeof entry.type === 'string' && entry.type !== '' ? entry.type : 'Opaque';
  if (opts.immutable) obj.immutable = true;
  const r = new Resource(obj, ctx.kustFile);
  r.behavior = behavior;
  r.needsHash = !opts.disableNameSuffixHash;
  return r;
}
