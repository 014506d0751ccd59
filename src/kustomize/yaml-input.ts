import { createRequire } from 'node:module';
import type { Schema, Type } from 'js-yaml';
import { KustomizeError } from './errors.js';
import { readBlockYaml } from './yaml-block-reader.js';
import { resolvePlainScalar } from './yaml-scalar.js';

type JsYaml = typeof import('js-yaml');

let fullParser: { jsyaml: JsYaml; schema: Schema } | undefined;

/**
 * js-yaml with the YAML 1.2 core tags plus merge keys (`<<`), as kustomize reads manifests. Loaded on first
 * use: most manifests never need it.
 */
function full(): { jsyaml: JsYaml; schema: Schema } {
  if (!fullParser) {
    const jsyaml = createRequire(import.meta.url)('js-yaml') as JsYaml;
    // The merge type is exported at run time but missing from the type definitions.
    const { merge } = (jsyaml as unknown as { types: { merge: Type } }).types;
    fullParser = { jsyaml, schema: jsyaml.CORE_SCHEMA.extend({ implicit: [merge] }) };
  }
  return fullParser;
}

/** More nodes than this after expanding aliases is an attack, not a manifest. */
const MAX_EXPANDED_NODES = 1_000_000;

/**
 * Counts the nodes of a value as if every alias were expanded, and reports whether any object is shared.
 * Stops counting once past the limit, so an exponential alias bomb is caught in linear time.
 */
function expandedSize(root: unknown): { size: number; shared: boolean } {
  const memo = new Map<object, number>();
  let shared = false;
  const visit = (v: unknown): number => {
    if (typeof v !== 'object' || v === null) return 1;
    const known = memo.get(v);
    if (known !== undefined) {
      shared = true;
      return known;
    }
    memo.set(v, 1);
    let n = 1;
    for (const x of Array.isArray(v) ? v : Object.values(v)) {
      n += visit(x);
      if (n > MAX_EXPANDED_NODES) break;
    }
    memo.set(v, n);
    return n;
  };
  return { size: visit(root), shared };
}

/**
 * Parses a YAML stream into plain values (one per non-empty document) with YAML 1.2 core tags and merge
 * keys; duplicate keys are an error with `uniqueKeys`, else the last one wins. Aliases are expanded into copies; an exponential alias bomb fails fast instead of eating memory.
 */
export function parseYamlStream(
  text: string,
  file: string,
  options: { uniqueKeys?: boolean } = {},
): unknown[] {
  // Most manifests are plain block YAML, which the small reader handles in a fraction of the time.
  const simple = readBlockYaml(text, resolvePlainScalar);
  if (simple !== undefined) return simple;
  const { jsyaml, schema } = full();
  let docs: unknown[];
  try {
    docs = jsyaml.loadAll(text, null, { schema, json: !options.uniqueKeys, filename: file });
  } catch (cause) {
    const reason = cause instanceof jsyaml.YAMLException ? cause.reason : String(cause);
    const mark =
      cause instanceof jsyaml.YAMLException && cause.mark
        ? ` (line ${cause.mark.line + 1}, column ${cause.mark.column + 1})`
        : '';
    throw new KustomizeError('KustomizeInvalidYaml', `File ${file} is not valid YAML: ${reason}${mark}`, {
      cause,
      file,
    });
  }
  const out: unknown[] = [];
  // Only an alias (`*name`) can make two places share an object, so text without `*` needs no walk.
  const mayAlias = text.includes('*');
  for (const doc of docs) {
    if (doc === null || doc === undefined) continue;
    if (mayAlias && typeof doc === 'object') {
      const { size, shared } = expandedSize(doc);
      if (size > MAX_EXPANDED_NODES) {
        throw new KustomizeError(
          'KustomizeInvalidYaml',
          `File ${file} is not valid YAML: its aliases expand to more than ${MAX_EXPANDED_NODES} nodes (an alias bomb)`,
          { file },
        );
      }
      out.push(shared ? structuredClone(doc) : doc);
    } else out.push(doc);
  }
  return out;
}
