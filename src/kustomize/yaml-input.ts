import * as jsyaml from 'js-yaml';
import { CORE_SCHEMA, loadAll, type Type, YAMLException } from 'js-yaml';
import { KustomizeError } from './errors.js';
import { readBlockYaml } from './yaml-block-reader.js';

/** YAML 1.2 core tags plus merge keys (`<<`), as kustomize reads manifests. */
// The types are exported at run time but missing from the type definitions.
const TYPES = (jsyaml as unknown as { types: Record<'merge' | 'null' | 'bool' | 'int' | 'float', Type> })
  .types;
const SCHEMA = CORE_SCHEMA.extend({ implicit: [TYPES.merge] });
/** The core schema's implicit types, in the order it tries them on a plain scalar. */
const PLAIN_TYPES = [TYPES.null, TYPES.bool, TYPES.int, TYPES.float];

/** Resolves a plain scalar (null, boolean, integer, float or string) the way the full parser does. */
export function resolvePlain(text: string): unknown {
  for (const type of PLAIN_TYPES) if (type.resolve(text)) return type.construct(text);
  return text;
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
  const simple = readBlockYaml(text, resolvePlain);
  if (simple !== undefined) return simple;
  let docs: unknown[];
  try {
    docs = loadAll(text, null, { schema: SCHEMA, json: !options.uniqueKeys, filename: file });
  } catch (cause) {
    const reason = cause instanceof YAMLException ? cause.reason : String(cause);
    const mark =
      cause instanceof YAMLException && cause.mark
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
