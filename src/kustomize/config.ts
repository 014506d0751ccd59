import { isObject } from '../patch/index.js';
import { DEFAULT_FIELD_SPECS, DEFAULT_NAME_REFERENCES } from './default-field-specs.js';
import { type FieldSpec, specFromConfig, specFromTuple } from './field-spec.js';
import type { NameReference } from './nameref.js';

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

/** The default configuration. */
export function defaultConfig(): TransformerConfig {
  const c = { nameReference: [] } as unknown as TransformerConfig;
  for (const k of LIST_KEYS) c[k] = (DEFAULT_FIELD_SPECS[k] ?? []).map(specFromTuple);
  c.nameReference = DEFAULT_NAME_REFERENCES.map(([group, version, kind, refs]) => ({
    gvk: { group, version, kind },
    referrers: refs.map(specFromTuple),
  }));
  return c;
}

/** An empty configuration. */
export function emptyConfig(): TransformerConfig {
  const c = { nameReference: [] } as unknown as TransformerConfig;
  for (const k of LIST_KEYS) c[k] = [];
  return c;
}

function sameSpec(a: FieldSpec, b: FieldSpec): boolean {
  return a.path === b.path && a.kind === b.kind && a.group === b.group && a.version === b.version;
}

function mergeSpecs(into: FieldSpec[], from: FieldSpec[]): void {
  for (const s of from) {
    const i = into.findIndex((x) => sameSpec(x, s));
    if (i < 0) into.push(s);
    else if (s.create && !into[i]!.create) into[i] = s;
  }
}

/** Merges `from` into `into` (union of field specs). */
export function mergeConfig(into: TransformerConfig, from: TransformerConfig): void {
  for (const k of LIST_KEYS) mergeSpecs(into[k], from[k]);
  for (const ref of from.nameReference) {
    const mine = into.nameReference.find(
      (r) =>
        r.gvk.kind === ref.gvk.kind && r.gvk.group === ref.gvk.group && r.gvk.version === ref.gvk.version,
    );
    if (mine) mergeSpecs(mine.referrers, ref.referrers);
    else into.nameReference.push({ gvk: { ...ref.gvk }, referrers: [...ref.referrers] });
  }
}

/** Reads a `configurations` file's content into a configuration. */
export function configFromData(data: unknown): TransformerConfig {
  const c = emptyConfig();
  if (!isObject(data)) return c;
  for (const k of LIST_KEYS) {
    const v = data[k];
    if (Array.isArray(v)) c[k] = v.map(specFromConfig).filter((s): s is FieldSpec => s !== undefined);
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
  }
  return c;
}
