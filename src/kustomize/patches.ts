import {
  applyJsonPatch,
  applyStrategicMergePatch,
  isObject,
  type JsonObject,
  type JsonPatchOperation,
  type PatchSchema,
} from '../patch/index.js';
import { KustomizeError } from './errors.js';
import type { ResMap } from './resmap.js';
import { formatId, type ResId, type Resource, splitApiVersion } from './resource.js';
import { CompiledSelector, type Selector } from './selector.js';

/** Looks up the schema strategic merge should use for a resource. */
export type SchemaLookup = (apiVersion: string, kind: string) => PatchSchema | undefined;

/** One loaded patch: JSON 6902 operations or strategic-merge documents, with an optional target. */
export interface LoadedPatch {
  json?: JsonPatchOperation[];
  smp?: JsonObject[];
  target?: Selector;
  allowNameChange?: boolean;
  allowKindChange?: boolean;
  /** Where the patch was written, for messages. */
  source: string;
}

/** Applies one strategic merge document to a resource; returns false when the patch deleted it. */
function applySmpTo(
  m: ResMap,
  r: Resource,
  patch: JsonObject,
  schemaFor: SchemaLookup,
  p: LoadedPatch,
): boolean {
  const name = r.name;
  const ns = r.namespace;
  const kind = r.kind;
  if (p.allowNameChange || p.allowKindChange) r.storePreviousId();
  if (p.allowNameChange || p.allowKindChange) m.invalidate();
  let out: JsonObject | null;
  try {
    out = applyStrategicMergePatch(r.obj, patch, schemaFor(r.apiVersion, r.kind), {
      newListElements: 'prepend',
    });
  } catch (cause) {
    throw new KustomizeError(
      'KustomizeBuildFailed',
      `Patch ${p.source} cannot be applied to ${formatId(r.curId())}: ${(cause as Error).message}`,
      { cause, file: p.source },
    );
  }
  if (out === null || Object.keys(out).length === 0) return false;
  r.obj = out;
  if (!p.allowKindChange) r.obj.kind = kind;
  if (!p.allowNameChange) r.name = name;
  r.namespace = ns;
  return true;
}

function patchIdOf(doc: JsonObject): ResId {
  const { group, version } = splitApiVersion(doc.apiVersion);
  const meta = isObject(doc.metadata) ? doc.metadata : {};
  return {
    group,
    version,
    kind: typeof doc.kind === 'string' ? doc.kind : '',
    name: typeof meta.name === 'string' ? meta.name : '',
    namespace: typeof meta.namespace === 'string' ? meta.namespace : '',
  };
}

/** Applies a patch to the resources it targets (or, without a target, to the resource its documents name). */
export function applyPatch(m: ResMap, p: LoadedPatch, schemaFor: SchemaLookup): number {
  let applied = 0;
  if (p.target) {
    const sel = new CompiledSelector(p.target);
    const literal = p.target.name !== undefined && /^[A-Za-z0-9_.-]+$/.test(p.target.name);
    const pool = literal ? m.byName(p.target.name!) : m.list();
    const selected = pool.filter((r) => sel.matches(r));
    // The name index does not keep load order; restore it only when there is an order to restore.
    if (literal && selected.length > 1) {
      const order = new Map(m.list().map((r, i) => [r, i]));
      selected.sort((a, b) => order.get(a)! - order.get(b)!);
    }
    for (const r of selected) {
      if (p.json) {
        const before = r.curId();
        r.storePreviousId();
        try {
          r.obj = applyJsonPatch(r.obj, p.json);
          const after = r.curId();
          if (
            after.name !== before.name ||
            after.kind !== before.kind ||
            after.namespace !== before.namespace
          ) {
            m.invalidate();
          }
        } catch (cause) {
          throw new KustomizeError(
            'KustomizeBuildFailed',
            `JSON patch ${p.source} cannot be applied to ${formatId(r.curId())}: ${(cause as Error).message}`,
            { cause, file: p.source },
          );
        }
        applied++;
      } else {
        for (const doc of p.smp ?? []) {
          const copy = structuredClone(doc);
          const meta = isObject(copy.metadata) ? copy.metadata : {};
          copy.metadata = meta;
          if (!p.allowNameChange || typeof meta.name !== 'string') meta.name = r.name;
          if (r.namespace !== '') meta.namespace = r.namespace;
          else delete meta.namespace;
          if (!p.allowKindChange || typeof copy.kind !== 'string') {
            copy.kind = r.kind;
            copy.apiVersion = r.apiVersion;
          }
          if (!applySmpTo(m, r, copy, schemaFor, p)) {
            m.remove(r);
            break;
          }
        }
        applied++;
      }
    }
    return applied;
  }
  if (p.json) {
    throw new KustomizeError('KustomizeInvalidKustomization', `JSON patch ${p.source} has no target`, {
      file: p.source,
    });
  }
  for (const doc of p.smp ?? []) {
    const id = patchIdOf(doc);
    const matches = m.byAnyId(id);
    if (matches.length !== 1) {
      throw new KustomizeError(
        'KustomizePatchNoMatch',
        matches.length === 0
          ? `Patch ${p.source} matches no resource: nothing has the id ${formatId(id)}`
          : `Patch ${p.source} matches ${matches.length} resources with the id ${formatId(id)}: it must match exactly one`,
        { file: p.source },
      );
    }
    const r = matches[0]!;
    if (!applySmpTo(m, r, doc, schemaFor, p)) m.remove(r);
    applied++;
  }
  return applied;
}
