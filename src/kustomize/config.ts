import { isObject } from '../patch/index.js';
import { DEFAULT_FIELD_SPECS, DEFAULT_NAME_REFERENCES } from './default-field-specs.js';
import { KustomizeError } from './errors.js';
import { type FieldSpec, type Gvk, specFromConfig, specFromTuple, specSelects } from './field-spec.js';
import type { NameReference } from './nameref.js';
import { LEGACY_ORDER_FIRST, LEGACY_ORDER_LAST } from './sort.js';

/** The field specs every transformer uses, merged from the defaults, `configurations` and bases. */
export interface TransformerConfig {
  namePrefix: FieldSpec[];
  nameSuffix: FieldSpec[];
  namespace: FieldSpec[];
  commonLabels: FieldSpec[];
  /** Extra places for `labels` entries (from `configurations`). */
  labels: FieldSpec[];
  templateLabels: FieldSpec[];
  commonAnnotations: FieldSpec[];
  varReference: FieldSpec[];
  images: FieldSpec[];
  replicas: FieldSpec[];
  nameReference: NameReference[];
}

const LIST_KEYS = [
  'namePrefix',
  'nameSuffix',
  'namespace',
  'commonLabels',
  'labels',
  'templateLabels',
  'commonAnnotations',
  'varReference',
  'images',
  'replicas',
] as const;

// kustomize's legacy kind order, which also orders field specs after every merge.
const TYPE_ORDER = new Map<string, number>([
  ...LEGACY_ORDER_FIRST.map((k, i) => [k, i - LEGACY_ORDER_FIRST.length] as const),
  ...LEGACY_ORDER_LAST.map((k, i) => [k, i + 1] as const),
]);

function stableKey(g: Gvk): string {
  return `${g.group || '~G'}_${g.version || '~V'}_${g.kind || '~K'}`;
}

function compareGvk(a: Gvk, b: Gvk): number {
  const ia = TYPE_ORDER.get(a.kind) ?? 0;
  const ib = TYPE_ORDER.get(b.kind) ?? 0;
  if (ia !== ib) return ia - ib;
  const ka = stableKey(a);
  const kb = stableKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function formatSpec(s: FieldSpec): string {
  const gvk = [s.kind || '[noKind]', s.version || '[noVer]', s.group || '[noGrp]'].join('.');
  return `${gvk}:${s.create}:${s.path}`;
}

/**
 * kustomize's field-spec merge: a spec is dropped when an earlier one with the same path is selected by its
 * group/version/kind (so a spec for one kind, merged first, hides a later spec for every kind), and two
 * such specs that disagree on `create` are an error. The result is sorted by kind order.
 */
function mergeSpecs(
  into: readonly FieldSpec[],
  from: readonly FieldSpec[],
  list: string,
  sort = true,
): FieldSpec[] {
  if (into.length === 0 && sort) {
    const known = mergedAlone.get(from);
    if (known) return known;
  }
  const out = [...into];
  // The same spec object again (the defaults, met once per kustomization) is a duplicate: skip the scan.
  const have = new Set(out);
  for (const s of from) {
    if (have.has(s)) continue;
    const i = out.findIndex((x) => x.path === s.path && specSelects(s, x));
    if (i < 0) {
      out.push(s);
      have.add(s);
    } else if (out[i]!.create !== s.create) {
      throw new KustomizeError(
        'KustomizeInvalidKustomization',
        `Field specs for ${list} conflict: ${formatSpec(out[i]!)} and ${formatSpec(s)} differ in create`,
      );
    }
  }
  if (!sort) return out;
  out.sort(compareGvk);
  if (into.length === 0) mergedAlone.set(from, out);
  return out;
}

/** Lists merged into an empty one, by list: a kustomization's lists never change once made. */
const mergedAlone = new WeakMap<readonly FieldSpec[], FieldSpec[]>();

function mergeNameReferences(
  into: readonly NameReference[],
  from: readonly NameReference[],
  sort = true,
): NameReference[] {
  const out = [...into];
  for (const ref of from) {
    const i = out.findIndex(
      (r) =>
        r.gvk.kind === ref.gvk.kind && r.gvk.group === ref.gvk.group && r.gvk.version === ref.gvk.version,
    );
    if (i < 0) out.push(ref);
    else if (out[i] !== ref) {
      const mine = out[i]!;
      out[i] = {
        gvk: mine.gvk,
        // The referrers of one kind keep their order: kustomize sorts only the kinds.
        referrers: mergeSpecs(mine.referrers, ref.referrers, `nameReference ${mine.gvk.kind}`, false),
      };
    }
  }
  return sort ? out.sort((a, b) => compareGvk(a.gvk, b.gvk)) : out;
}

let defaults: TransformerConfig | undefined;

/** The default configuration (shared: merging never changes a configuration's lists in place). */
export function defaultConfig(): TransformerConfig {
  if (!defaults) {
    const c = { nameReference: [] } as unknown as TransformerConfig;
    for (const k of LIST_KEYS) c[k] = (DEFAULT_FIELD_SPECS[k] ?? []).map(specFromTuple).sort(compareGvk);
    c.nameReference = DEFAULT_NAME_REFERENCES.map(([group, version, kind, refs]) => ({
      gvk: { group, version, kind },
      referrers: refs.map(specFromTuple),
    })).sort((a, b) => compareGvk(a.gvk, b.gvk));
    defaults = c;
  }
  return { ...defaults };
}

/** An empty configuration. */
export function emptyConfig(): TransformerConfig {
  const c = { nameReference: [] } as unknown as TransformerConfig;
  for (const k of LIST_KEYS) c[k] = [];
  return c;
}

/** Merges `from` into `into` the way kustomize merges transformer configurations (see {@link mergeSpecs}). */
export function mergeConfig(into: TransformerConfig, from: TransformerConfig): void {
  for (const k of LIST_KEYS) {
    if (from[k].length > 0 || into[k].length > 0) into[k] = mergeSpecs(into[k], from[k], k);
  }
  if (from.nameReference.length > 0 || into.nameReference.length > 0)
    into.nameReference = mergeNameReferences(into.nameReference, from.nameReference);
}

/** A kustomization's own configuration: the defaults merged with its `configurations` files, in order. */
export function kustomizationConfig(files: TransformerConfig[]): TransformerConfig {
  const c = defaultConfig();
  if (files.length === 0) return c;
  const custom = emptyConfig();
  for (const f of files) mergeConfig(custom, f);
  mergeConfig(c, custom);
  return c;
}

/** Reads a `configurations` file's content into a configuration. */
export function configFromData(data: unknown): TransformerConfig {
  const c = emptyConfig();
  if (!isObject(data)) return c;
  for (const k of LIST_KEYS) {
    const v = data[k];
    if (Array.isArray(v))
      c[k] = v
        .map(specFromConfig)
        .filter((s): s is FieldSpec => s !== undefined)
        .sort(compareGvk);
  }
  if (Array.isArray(data.nameReference)) {
    for (const e of data.nameReference) {
      if (!isObject(e)) continue;
      const specs = Array.isArray(e.fieldSpecs)
        ? e.fieldSpecs.map(specFromConfig).filter((s) => s !== undefined)
        : [];
      c.nameReference.push({
        gvk: {
          group: typeof e.group === 'string' ? e.group : '',
          version: typeof e.version === 'string' ? e.version : '',
          kind: typeof e.kind === 'string' ? e.kind : '',
        },
        referrers: specs as FieldSpec[],
      });
    }
    c.nameReference.sort((a, b) => compareGvk(a.gvk, b.gvk));
  }
  return c;
}

/** A string-valued extension of a property (a mark with another value type does not count). */
function extension(prop: Record<string, unknown>, name: string): string | undefined {
  const v = prop[name];
  return typeof v === 'string' ? v : undefined;
}

function schemaOf(def: unknown): Record<string, unknown> | undefined {
  if (!isObject(def)) return undefined;
  for (const [k, v] of Object.entries(def)) if (k.toLowerCase() === 'schema' && isObject(v)) return v;
  return undefined;
}

function addSpec(c: TransformerConfig, list: (typeof LIST_KEYS)[number], spec: FieldSpec): void {
  c[list] = mergeSpecs(c[list], [spec], list, false);
}

/** Walks one type of a legacy CRD OpenAPI map, collecting the field specs its `x-kubernetes-*` marks ask for. */
function loadCrdType(
  c: TransformerConfig,
  kind: string,
  defs: Record<string, unknown>,
  typeName: string,
  path: string[],
  seen: Set<string>,
): void {
  const schema = schemaOf(defs[typeName]);
  if (!schema || !isObject(schema.properties) || seen.has(typeName)) return;
  seen.add(typeName);
  for (const [prop, value] of Object.entries(schema.properties)) {
    if (!isObject(value)) continue;
    const at = [...path, prop];
    const spec = (p: string[]): FieldSpec => ({
      group: '',
      version: '',
      kind,
      path: p.join('/'),
      create: false,
    });
    if (extension(value, 'x-kubernetes-annotation') !== undefined) addSpec(c, 'commonAnnotations', spec(at));
    if (extension(value, 'x-kubernetes-label-selector') !== undefined) addSpec(c, 'commonLabels', spec(at));
    if (extension(value, 'x-kubernetes-identity') !== undefined) addSpec(c, 'namePrefix', spec(at));
    const version = extension(value, 'x-kubernetes-object-ref-api-version');
    const refKind = extension(value, 'x-kubernetes-object-ref-kind');
    if (version !== undefined && refKind !== undefined) {
      const nameKey = extension(value, 'x-kubernetes-object-ref-name-key') ?? 'name';
      c.nameReference = mergeNameReferences(
        c.nameReference,
        [{ gvk: { group: '', version, kind: refKind }, referrers: [spec([...at, nameKey])] }],
        false,
      );
    }
    if (typeof value.$ref === 'string' && value.$ref !== '') loadCrdType(c, kind, defs, value.$ref, at, seen);
  }
  seen.delete(typeName);
}

/**
 * Reads a legacy `crds:` file: a map from Go type names to `{Schema, Dependencies}` OpenAPI definitions.
 * Every type with `kind`, `apiVersion` and `metadata` properties is a kind (named after the last dotted
 * part of its type name); its properties marked `x-kubernetes-annotation`, `-label-selector`, `-identity`
 * or `-object-ref-api-version` with `-object-ref-kind` become annotation, label, name prefix and name
 * reference field specs.
 */
export function configFromCrds(data: unknown): TransformerConfig {
  const result = emptyConfig();
  if (!isObject(data)) return result;
  for (const name of Object.keys(data)) {
    const props = schemaOf(data[name])?.properties;
    if (!isObject(props) || !('kind' in props) || !('apiVersion' in props) || !('metadata' in props))
      continue;
    const c = emptyConfig();
    loadCrdType(c, name.split('.').pop()!, data, name, [], new Set());
    mergeConfig(result, c);
  }
  return result;
}
