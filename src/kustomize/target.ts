import { basename, join, relative, resolve } from 'node:path';
import { isObject, type JsonObject, type JsonPatchOperation, type PatchSchema } from '../patch/index.js';
import {
  configFromCrds,
  configFromData,
  emptyConfig,
  kustomizationConfig,
  mergeConfig,
  type TransformerConfig,
} from './config.js';
import { KustomizeError } from './errors.js';
import type { FieldSpec } from './field-spec.js';
import { specFromConfig } from './field-spec.js';
import type { LoadRestrictor, RootedFs } from './fs.js';
import { type GeneratorContext, generate, readGeneratorOptions } from './generators.js';
import { applyPatch, type LoadedPatch } from './patches.js';
import { type PluginContext, runGeneratorPlugin, runTransformerPlugin } from './plugins.js';
import { applyReplacements, bindVars, type Var } from './replacements.js';
import { ResMap } from './resmap.js';
import { formatId, idEquals, Resource, type ResourceOrigin } from './resource.js';
import { readSelector } from './selector.js';
import {
  addNameAffix,
  type ImageSpec,
  setImages,
  setMapEntries,
  setNamespace,
  setReplicas,
} from './transformers.js';
import { parseYamlStream } from './yaml-input.js';

/** The kustomization file names, in the order kustomize looks for them. */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

const KNOWN_FIELDS = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'resources',
  'bases',
  'components',
  'crds',
  'namespace',
  'namePrefix',
  'nameSuffix',
  'labels',
  'commonLabels',
  'commonAnnotations',
  'patches',
  'patchesStrategicMerge',
  'patchesJson6902',
  'images',
  'imageTags',
  'replicas',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
  'replacements',
  'vars',
  'sortOptions',
  'buildMetadata',
  'openapi',
  'configurations',
  'generators',
  'transformers',
  'validators',
  'helmCharts',
  'helmGlobals',
  'helmChartInflationGenerator',
]);

const KNOWN_LOWER = new Map([...KNOWN_FIELDS].map((f) => [f.toLowerCase(), f]));

/** Everything one build shares. */
export interface BuildContext {
  fs: RootedFs;
  restrictor: LoadRestrictor;
  schemaFor: (apiVersion: string, kind: string) => PatchSchema | undefined;
  /**
   * Uses a custom OpenAPI document for strategic merges, its `$ref`s resolved in its own definitions, then
   * in the built-in ones when `withBuiltins`; `undefined` goes back to the built-in schema.
   */
  setCustomSchema: (doc: unknown, withBuiltins?: boolean) => void;
  /**
   * Whether a kustomization already chose the OpenAPI schema. As in kustomize, the top kustomization
   * chooses first, then the first base or component in build order that names one; later ones are ignored.
   */
  openApiChosen?: boolean;
  /**
   * Whether any resource was read or generated yet. A custom OpenAPI document chosen after that is
   * completed by the built-in definitions (kustomize has parsed them by then); one chosen before is not.
   */
  resourcesRead?: boolean;
  env: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** Folders being built, to detect cycles. */
  stack: string[];
  warnings: { message: string; file?: string }[];
  /** The top kustomization's folder, when origins are recorded (`buildMetadata: [originAnnotations]`). */
  originRoot?: string;
  /** The top kustomization's folder, when transformers are recorded (`[transformerAnnotations]`). */
  transformerRoot?: string;
}

/** The state a kustomization accumulates into. */
export interface Accumulator {
  resources: ResMap;
  config: TransformerConfig;
  vars: Var[];
  sortOptions?: JsonObject;
  buildMetadata?: string[];
}

/** A new, empty accumulator with the default configuration. */
export function newAccumulator(): Accumulator {
  return { resources: new ResMap(), config: emptyConfig(), vars: [] };
}

function isRemote(p: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(p) || p.startsWith('git@') || /^github\.com\//.test(p);
}

function stringList(k: JsonObject, field: string, file: string): string[] {
  const v = k[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    throw new KustomizeError('KustomizeInvalidKustomization', `${file}: field ${field} must be a list`, {
      file,
    });
  }
  return v.map((x) => {
    if (typeof x !== 'string') {
      throw new KustomizeError(
        'KustomizeInvalidKustomization',
        `${file}: field ${field} must be a list of strings`,
        {
          file,
        },
      );
    }
    return x;
  });
}

function stringMapField(k: JsonObject, field: string, file: string): Record<string, string> {
  const v = k[field];
  if (v === undefined || v === null) return {};
  if (!isObject(v)) {
    throw new KustomizeError('KustomizeInvalidKustomization', `${file}: field ${field} must be a map`, {
      file,
    });
  }
  const out: Record<string, string> = {};
  for (const [key, x] of Object.entries(v))
    out[key] = x === null ? '' : typeof x === 'string' ? x : String(x);
  return out;
}

/** Finds and parses the kustomization file of a folder. */
export function loadKustomization(ctx: BuildContext, dir: string): { k: JsonObject; file: string } {
  const found = KUSTOMIZATION_FILES.filter((f) => ctx.fs.exists(join(dir, f)));
  if (found.length === 0) {
    throw new KustomizeError(
      'KustomizeFileNotFound',
      `Folder ${ctx.fs.rel(dir)} has no kustomization: unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization'`,
      { file: ctx.fs.rel(dir) },
    );
  }
  if (found.length > 1) {
    throw new KustomizeError(
      'KustomizeInvalidKustomization',
      `Folder ${ctx.fs.rel(dir)} has more than one kustomization file: ${found.join(', ')}`,
      { file: ctx.fs.rel(dir) },
    );
  }
  const abs = ctx.fs.real(dir, found[0]!);
  const file = ctx.fs.rel(abs);
  const docs = parseYamlStream(ctx.fs.readFile(abs), file);
  const k = docs[0] ?? {};
  if (docs.length > 1 || !isObject(k)) {
    throw new KustomizeError('KustomizeInvalidKustomization', `Kustomization ${file} must be a single map`, {
      file,
    });
  }
  for (const key of Object.keys(k)) {
    // Field names match case-insensitively, as Go's JSON decoding does.
    const canonical = KNOWN_LOWER.get(key.toLowerCase());
    if (canonical && canonical !== key) {
      k[canonical] = k[key]!;
      delete k[key];
      continue;
    }
    if (!canonical) {
      throw new KustomizeError(
        'KustomizeInvalidKustomization',
        `Kustomization ${file} has an unknown field ${JSON.stringify(key)}`,
        {
          file,
        },
      );
    }
  }
  return { k, file };
}

/** Reads the resources of one manifest file. */
export function readResourceFile(text: string, file: string): Resource[] {
  const out: Resource[] = [];
  for (const doc of parseYamlStream(text, file, { uniqueKeys: true })) {
    if (!isObject(doc)) {
      throw new KustomizeError('KustomizeInvalidYaml', `File ${file} holds a document that is not a map`, {
        file,
      });
    }
    if (typeof doc.kind === 'string' && doc.kind.endsWith('List') && Array.isArray(doc.items)) {
      for (const item of doc.items) if (isObject(item)) out.push(checkResource(new Resource(item, file)));
      continue;
    }
    out.push(checkResource(new Resource(doc, file)));
  }
  return out;
}

function checkResource(r: Resource): Resource {
  const meta = r.obj.metadata;
  if (isObject(meta)) {
    for (const f of ['labels', 'annotations']) {
      const m = meta[f];
      if (!isObject(m)) continue;
      for (const [key, v] of Object.entries(m)) {
        if (typeof v === 'number' || typeof v === 'boolean') m[key] = String(v);
      }
    }
  }
  if (r.kind === '') {
    throw new KustomizeError(
      'KustomizeInvalidYaml',
      `Resource in ${r.file} has no kind`,
      r.file ? { file: r.file } : undefined,
    );
  }
  if (r.name === '' && !isObject(r.obj.metadata)) {
    throw new KustomizeError(
      'KustomizeInvalidYaml',
      `Resource ${r.kind} in ${r.file} has no metadata.name`,
      r.file ? { file: r.file } : undefined,
    );
  }
  return r;
}

/** Builds one kustomization folder into `ra` (a new accumulator unless it is a component). */
export function accumulateTarget(
  ctx: BuildContext,
  dir: string,
  ra: Accumulator,
  isComponent: boolean,
): Accumulator {
  ctx.signal?.throwIfAborted();
  if (ctx.stack.includes(dir)) {
    throw new KustomizeError(
      'KustomizeCycle',
      `Kustomization cycle: ${[...ctx.stack.slice(ctx.stack.indexOf(dir)), dir].map((d) => ctx.fs.rel(d)).join(' -> ')}`,
      { file: ctx.fs.rel(dir) },
    );
  }
  ctx.stack.push(dir);
  try {
    const { k, file } = loadKustomization(ctx, dir);
    return accumulateKustomization(ctx, dir, k, file, ra, isComponent);
  } finally {
    ctx.stack.pop();
  }
}

/** Builds an already-loaded kustomization. */
export function accumulateKustomization(
  ctx: BuildContext,
  dir: string,
  k: JsonObject,
  file: string,
  ra: Accumulator,
  isComponent: boolean,
): Accumulator {
  const kind = typeof k.kind === 'string' && k.kind !== '' ? k.kind : 'Kustomization';
  if (isComponent && kind !== 'Component') {
    throw new KustomizeError(
      'KustomizeInvalidKustomization',
      `${file} is listed as a component but its kind is ${kind}`,
      {
        file,
      },
    );
  }
  if (!isComponent && kind === 'Component' && ctx.stack.length > 1) {
    throw new KustomizeError(
      'KustomizeInvalidKustomization',
      `${file} is a Component: list it under components, not resources`,
      {
        file,
      },
    );
  }
  if (k.helmCharts !== undefined || k.helmChartInflationGenerator !== undefined) {
    throw new KustomizeError('KustomizeUnsupported', `${file}: the field helmCharts is not supported`, {
      file,
    });
  }
  if (isObject(k.openapi) && (!ctx.openApiChosen || ctx.stack.length <= 1)) {
    const p = k.openapi.path;
    const version = k.openapi.version;
    if (typeof p === 'string') {
      if (typeof version === 'string') {
        throw new KustomizeError(
          'KustomizeInvalidKustomization',
          `${file}: openapi has both a builtin version and a custom schema path: use one`,
          { file },
        );
      }
      const { text, abs } = ctx.fs.readRelative(dir, p, ctx.restrictor);
      ctx.setCustomSchema(parseYamlStream(text, ctx.fs.rel(abs))[0], ctx.resourcesRead === true);
      ctx.openApiChosen = true;
    } else if (typeof version === 'string' && version !== '') {
      if (version !== 'v1.21.2') {
        throw new KustomizeError(
          'KustomizeUnsupported',
          `${file}: the OpenAPI version ${version} is not built in`,
          { file },
        );
      }
      ctx.setCustomSchema(undefined);
      ctx.openApiChosen = true;
    }
  }
  // Resources.
  const resources = [...stringList(k, 'resources', file), ...stringList(k, 'bases', file)];
  for (const p of resources) {
    if (isRemote(p)) {
      throw new KustomizeError(
        'KustomizeUnsupported',
        `${file}: remote resource ${p} is not supported in resources`,
        {
          file,
        },
      );
    }
    const abs = ctx.fs.real(dir, p);
    if (ctx.fs.isDir(abs)) {
      const sub = accumulateTarget(ctx, abs, newAccumulator(), false);
      ra.resources.appendAll(sub.resources.list());
      mergeVars(ra, sub.vars, file);
      withFile(file, () => mergeConfig(ra.config, sub.config));
    } else {
      const { text, abs: real } = ctx.fs.readRelative(dir, p, ctx.restrictor);
      const rs = readResourceFile(text, ctx.fs.rel(real));
      if (rs.length > 0) ctx.resourcesRead = true;
      if (ctx.originRoot !== undefined) {
        for (const r of rs) r.origin = { path: relative(ctx.originRoot, resolve(dir, p)) };
      }
      ra.resources.appendAll(rs);
    }
  }
  // Configurations: the defaults with this kustomization's files, merged after those of its bases.
  const own: TransformerConfig[] = [];
  for (const p of stringList(k, 'configurations', file)) {
    const { text, abs } = ctx.fs.readRelative(dir, p, ctx.restrictor);
    for (const doc of parseYamlStream(text, ctx.fs.rel(abs))) own.push(configFromData(doc));
  }
  withFile(file, () => mergeConfig(ra.config, kustomizationConfig(own)));
  // Legacy CRD schemas: field specs from their x-kubernetes-* marks.
  const crds = stringList(k, 'crds', file);
  if (crds.length > 0) {
    const fromCrds = emptyConfig();
    for (const p of crds) {
      const { text, abs } = ctx.fs.readRelative(dir, p, ctx.restrictor);
      const data = readCrdFile(text, ctx.fs.rel(abs));
      withFile(file, () => mergeConfig(fromCrds, configFromCrds(data)));
    }
    withFile(file, () => mergeConfig(ra.config, fromCrds));
  }
  // Generators.
  const gctx: GeneratorContext = {
    fs: ctx.fs,
    dir,
    restrictor: ctx.restrictor,
    kustFile: file,
    env: ctx.env,
  };
  const gopts = readGeneratorOptions(k.generatorOptions);
  for (const [field, gk] of [
    ['configMapGenerator', 'ConfigMap'],
    ['secretGenerator', 'Secret'],
  ] as const) {
    const list = k[field];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      throw new KustomizeError('KustomizeInvalidKustomization', `${file}: field ${field} must be a list`, {
        file,
      });
    }
    for (const entry of list) {
      const r = generate(gk, entry, gopts, gctx);
      if (ctx.originRoot !== undefined) {
        r.origin = {
          configuredIn: relative(ctx.originRoot, join(dir, basename(file))),
          configuredBy: { apiVersion: 'builtin', kind: `${gk}Generator` },
        };
      }
      if (isObject(entry) && typeof entry.namespace !== 'string' && typeof k.namespace === 'string') {
        // Generated objects take the kustomization's namespace through the namespace transformer.
      }
      absorb(ra.resources, r, file);
      ctx.resourcesRead = true;
    }
  }
  const pctx: PluginContext = {
    gen: gctx,
    loadPatchText: (text, source) => readPatchContent(text, source),
    readFile: (p) => {
      const { text, abs } = ctx.fs.readRelative(dir, p, ctx.restrictor);
      return { text, source: ctx.fs.rel(abs) };
    },
    schemaFor: ctx.schemaFor,
  };
  for (const { cfg, from } of loadPluginConfigs(ctx, dir, file, k.generators, 'generators')) {
    for (const r of runGeneratorPlugin(cfg, pctx)) {
      if (ctx.originRoot !== undefined) r.origin = pluginOrigin(ctx.originRoot, from, cfg);
      absorb(ra.resources, r, file);
      ctx.resourcesRead = true;
    }
  }
  // Components.
  for (const p of stringList(k, 'components', file)) {
    if (isRemote(p)) {
      throw new KustomizeError('KustomizeUnsupported', `${file}: remote component ${p} is not supported`, {
        file,
      });
    }
    const abs = ctx.fs.real(dir, p);
    if (!ctx.fs.isDir(abs)) {
      throw new KustomizeError('KustomizeInvalidKustomization', `${file}: component ${p} must be a folder`, {
        file,
      });
    }
    accumulateTarget(ctx, abs, ra, true);
    // kustomize then moves everything into a fresh accumulator; merging the configuration again into an
    // empty one lets a spec for one kind hide a wildcard spec on the same path that came before it.
    const again = emptyConfig();
    withFile(file, () => mergeConfig(again, ra.config));
    ra.config = again;
  }
  runTransformers(ctx, dir, k, file, ra);
  for (const { cfg, from } of loadPluginConfigs(ctx, dir, file, k.transformers, 'transformers')) {
    runTransformerPlugin(cfg, ra.resources, pctx);
    if (ctx.transformerRoot !== undefined) {
      const o = pluginOrigin(ctx.transformerRoot, from, cfg);
      for (const r of ra.resources.list()) r.transformations.push(o);
    }
  }
  if (k.validators !== undefined) {
    throw new KustomizeError('KustomizeUnsupported', `${file}: the field validators is not supported`, {
      file,
    });
  }
  if (Array.isArray(k.vars)) {
    const vars = k.vars.filter(isObject) as unknown as Var[];
    bindVars(ra.resources.list(), vars, file);
    mergeVars(ra, vars, file);
  }
  if (isObject(k.sortOptions)) ra.sortOptions = k.sortOptions;
  if (Array.isArray(k.buildMetadata))
    ra.buildMetadata = k.buildMetadata.filter((x): x is string => typeof x === 'string');
  return ra;
}

/** Parses a `crds:` file: JSON when it starts with `{`, as kustomize decides, else YAML. */
function readCrdFile(text: string, file: string): unknown {
  if (!text.startsWith('{')) return parseYamlStream(text, file)[0];
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new KustomizeError(
      'KustomizeInvalidYaml',
      `${file}: unable to parse the OpenAPI definitions: ${(cause as Error).message}`,
      { file, cause },
    );
  }
}

/** Runs `fn`, naming `file` in a configuration conflict it reports. */
function withFile(file: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof KustomizeError && err.file === undefined)
      throw new KustomizeError('KustomizeInvalidKustomization', `${file}: ${err.message}`, {
        file,
        cause: err,
      });
    throw err;
  }
}

function mergeVars(ra: Accumulator, vars: Var[], file: string): void {
  for (const v of vars) {
    if (ra.vars.some((x) => x.name === v.name)) {
      throw new KustomizeError(
        'KustomizeConflict',
        `${file}: var ${JSON.stringify(v.name)} already encountered`,
        { file },
      );
    }
    ra.vars.push(v);
  }
}

function pluginOrigin(root: string, from: string, cfg: JsonObject): ResourceOrigin {
  const meta = isObject(cfg.metadata) ? cfg.metadata : {};
  const by: NonNullable<ResourceOrigin['configuredBy']> = {
    apiVersion: String(cfg.apiVersion),
    kind: String(cfg.kind),
  };
  if (typeof meta.name === 'string') by.name = meta.name;
  if (typeof meta.namespace === 'string') by.namespace = meta.namespace;
  return { configuredIn: relative(root, from), configuredBy: by };
}

/** Reads plugin configurations: inline YAML, files, or kustomization folders whose output they are. */
function loadPluginConfigs(
  ctx: BuildContext,
  dir: string,
  file: string,
  v: unknown,
  field: string,
): { cfg: JsonObject; from: string }[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    throw new KustomizeError('KustomizeInvalidKustomization', `${file}: field ${field} must be a list`, {
      file,
    });
  }
  const out: { cfg: JsonObject; from: string }[] = [];
  const kfile = join(dir, basename(file));
  for (const e of v) {
    if (typeof e !== 'string') continue;
    if (e.includes('\n')) {
      for (const d of parseYamlStream(e, `${file} (inline ${field})`))
        if (isObject(d)) out.push({ cfg: d, from: kfile });
      continue;
    }
    if (isRemote(e)) {
      throw new KustomizeError(
        'KustomizeUnsupported',
        `${file}: remote ${field} entry ${e} is not supported`,
        { file },
      );
    }
    const abs = ctx.fs.real(dir, e);
    if (ctx.fs.isDir(abs)) {
      const sub = accumulateTarget(ctx, abs, newAccumulator(), false);
      for (const r of sub.resources.list()) out.push({ cfg: r.obj, from: kfile });
    } else {
      const { text, abs: real } = ctx.fs.readRelative(dir, e, ctx.restrictor);
      for (const d of parseYamlStream(text, ctx.fs.rel(real)))
        if (isObject(d)) out.push({ cfg: d, from: resolve(dir, e) });
    }
  }
  return out;
}

/** Adds a generated resource, honouring its behaviour (create, merge, replace). */
function absorb(m: ResMap, r: Resource, file: string): void {
  const id = r.curId();
  const matches = m.byAnyId(id);
  if (matches.length === 0) {
    if (r.behavior === 'merge' || r.behavior === 'replace') {
      throw new KustomizeError(
        'KustomizeConflict',
        `${file}: ${formatId(id)} does not exist; cannot merge or replace`,
        { file },
      );
    }
    m.append(r);
    return;
  }
  if (matches.length > 1) {
    throw new KustomizeError(
      'KustomizeConflict',
      `${file}: several objects could accept the merge of ${formatId(id)}`,
      {
        file,
      },
    );
  }
  const old = matches[0]!;
  if (r.behavior !== 'merge' && r.behavior !== 'replace') {
    throw new KustomizeError(
      'KustomizeConflict',
      `${file}: ${formatId(id)} exists; behavior must be merge or replace`,
      { file },
    );
  }
  const labels = { ...old.labels(), ...r.labels() };
  const annotations = { ...old.annotations(), ...r.annotations() };
  if (r.behavior === 'merge') {
    for (const field of ['data', 'binaryData'] as const) {
      const merged = {
        ...(isObject(old.obj[field]) ? old.obj[field] : {}),
        ...(isObject(r.obj[field]) ? r.obj[field] : {}),
      };
      if (Object.keys(merged).length > 0) r.obj[field] = merged;
    }
  }
  const meta = r.metadata;
  if (Object.keys(labels).length > 0) meta.labels = labels;
  if (Object.keys(annotations).length > 0) meta.annotations = annotations;
  r.name = old.name;
  r.namespace = old.namespace;
  r.needsHash = r.needsHash && old.needsHash;
  const origin = r.behavior === 'merge' || !r.origin ? old.origin : r.origin;
  Object.assign(r, {
    prevIds: old.prevIds,
    prefixes: old.prefixes,
    suffixes: old.suffixes,
    origin,
    transformations: old.transformations,
  });
  m.replaceAt(m.indexOf(old), r);
}

function readPatchContent(text: string, source: string): { json?: JsonPatchOperation[]; smp?: JsonObject[] } {
  const docs = parseYamlStream(text, source);
  if (docs.length === 1 && Array.isArray(docs[0])) return { json: docs[0] as JsonPatchOperation[] };
  const smp: JsonObject[] = [];
  for (const d of docs) {
    if (!isObject(d)) {
      throw new KustomizeError(
        'KustomizeInvalidKustomization',
        `Patch ${source} is neither a strategic merge patch nor a JSON patch`,
        {
          file: source,
        },
      );
    }
    smp.push(d);
  }
  return { smp };
}

function loadPatch(
  ctx: BuildContext,
  dir: string,
  file: string,
  entry: unknown,
  legacyJson: boolean,
): LoadedPatch {
  if (typeof entry === 'string') {
    // patchesStrategicMerge: a file path, or an inline patch.
    if (entry.includes('\n') || !looksLikePath(ctx, dir, entry)) {
      return {
        ...readPatchContent(entry, `${file} (inline patch)`),
        source: `${file} (inline patch)`,
      };
    }
    const { text, abs } = ctx.fs.readRelative(dir, entry, ctx.restrictor);
    return { ...readPatchContent(text, ctx.fs.rel(abs)), source: ctx.fs.rel(abs) };
  }
  if (!isObject(entry)) {
    throw new KustomizeError('KustomizeInvalidKustomization', `${file}: a patch must be a map`, { file });
  }
  let content: { json?: JsonPatchOperation[]; smp?: JsonObject[] };
  let source: string;
  if (typeof entry.path === 'string' && entry.path !== '') {
    if (typeof entry.patch === 'string' && entry.patch !== '') {
      throw new KustomizeError(
        'KustomizeInvalidKustomization',
        `${file}: a patch must have either path or patch, not both`,
        { file },
      );
    }
    const { text, abs } = ctx.fs.readRelative(dir, entry.path, ctx.restrictor);
    source = ctx.fs.rel(abs);
    content = readPatchContent(text, source);
  } else if (typeof entry.patch === 'string' && entry.patch.trim() !== '') {
    source = `${file} (inline patch)`;
    content = readPatchContent(entry.patch, source);
  } else {
    throw new KustomizeError(
      'KustomizeInvalidKustomization',
      `${file}: a patch must have a path or a patch`,
      { file },
    );
  }
  if (legacyJson && !content.json) {
    throw new KustomizeError(
      'KustomizeInvalidKustomization',
      `${file}: patchesJson6902 entry ${source} is not a JSON patch`,
      { file },
    );
  }
  const opts = isObject(entry.options) ? entry.options : {};
  const p: LoadedPatch = { ...content, source };
  const target = readSelector(entry.target);
  if (target) p.target = target;
  if (opts.allowNameChange === true) p.allowNameChange = true;
  if (opts.allowKindChange === true) p.allowKindChange = true;
  return p;
}

function looksLikePath(ctx: BuildContext, dir: string, s: string): boolean {
  if (s.includes(':') && s.includes(' ')) return false;
  try {
    ctx.fs.real(dir, s);
    return true;
  } catch (e) {
    if (e instanceof KustomizeError && e.code === 'KustomizeRootEscape') throw e;
    return !/[:{]/.test(s);
  }
}

function runTransformers(ctx: BuildContext, dir: string, k: JsonObject, file: string, ra: Accumulator): void {
  const m = ra.resources;
  const cfg = ra.config;
  const list = (): Resource[] => m.list();
  const record = (kind: string): void => {
    if (ctx.transformerRoot === undefined) return;
    const o: ResourceOrigin = {
      configuredIn: relative(ctx.transformerRoot, join(dir, basename(file))),
      configuredBy: { apiVersion: 'builtin', kind },
    };
    for (const r of m.list()) r.transformations.push(o);
  };
  // patchesStrategicMerge
  for (const e of Array.isArray(k.patchesStrategicMerge) ? k.patchesStrategicMerge : []) {
    applyPatch(m, loadPatch(ctx, dir, file, e, false), ctx.schemaFor);
  }
  if (Array.isArray(k.patchesStrategicMerge) && k.patchesStrategicMerge.length > 0) {
    record('PatchStrategicMergeTransformer');
  }
  // patches
  for (const e of Array.isArray(k.patches) ? k.patches : []) {
    const p = loadPatch(ctx, dir, file, e, false);
    const n = applyPatch(m, p, ctx.schemaFor);
    if (n === 0 && p.target) ctx.warnings.push({ message: `Patch ${p.source} matched no resource`, file });
    record('PatchTransformer');
  }
  // namespace
  if (typeof k.namespace === 'string' && k.namespace !== '') {
    setNamespace(list(), k.namespace, cfg.namespace);
    record('NamespaceTransformer');
  }
  m.invalidate();
  // prefix, suffix
  if (typeof k.namePrefix === 'string' && k.namePrefix !== '') {
    addNameAffix(list(), k.namePrefix, cfg.namePrefix, 'prefix');
    record('PrefixTransformer');
  }
  m.invalidate();
  if (typeof k.nameSuffix === 'string' && k.nameSuffix !== '') {
    addNameAffix(list(), k.nameSuffix, cfg.nameSuffix, 'suffix');
    record('SuffixTransformer');
  }
  m.invalidate();
  // labels
  if (Array.isArray(k.labels)) {
    for (const l of k.labels) {
      if (!isObject(l)) continue;
      const pairs = stringMapField(l, 'pairs', file);
      const custom = Array.isArray(l.fields)
        ? (l.fields.map(specFromConfig).filter((s) => s) as FieldSpec[])
        : [];
      const specs: FieldSpec[] = [...custom, ...cfg.labels];
      if (l.includeSelectors === true) specs.push(...cfg.commonLabels);
      else {
        if (l.includeTemplates === true) specs.push(...cfg.templateLabels);
        specs.push({ group: '', version: '', kind: '', path: 'metadata/labels', create: true });
      }
      setMapEntries(list(), pairs, specs);
      record('LabelTransformer');
    }
  }
  const commonLabels = stringMapField(k, 'commonLabels', file);
  if (Object.keys(commonLabels).length > 0) {
    setMapEntries(list(), commonLabels, cfg.commonLabels);
    record('LabelTransformer');
  }
  const commonAnnotations = stringMapField(k, 'commonAnnotations', file);
  if (Object.keys(commonAnnotations).length > 0) {
    setMapEntries(list(), commonAnnotations, cfg.commonAnnotations);
    record('AnnotationsTransformer');
  }
  // patchesJson6902
  for (const e of Array.isArray(k.patchesJson6902) ? k.patchesJson6902 : []) {
    const p = loadPatch(ctx, dir, file, e, true);
    if (!p.target) {
      throw new KustomizeError(
        'KustomizeInvalidKustomization',
        `${file}: patchesJson6902 entry needs a target`,
        { file },
      );
    }
    applyPatch(m, p, ctx.schemaFor);
    record('PatchJson6902Transformer');
  }
  // replicas
  if (Array.isArray(k.replicas)) {
    const reps = k.replicas
      .filter(isObject)
      .map((r) => ({ name: String(r.name ?? ''), count: Number(r.count ?? 0) }));
    setReplicas(list(), reps, cfg.replicas);
    record('ReplicaCountTransformer');
  }
  // images
  const images = [
    ...(Array.isArray(k.images) ? k.images : []),
    ...(Array.isArray(k.imageTags) ? k.imageTags : []),
  ];
  if (images.length > 0) {
    const specs: ImageSpec[] = images.filter(isObject).map((i) => {
      const s: ImageSpec = { name: String(i.name ?? '') };
      if (typeof i.newName === 'string') s.newName = i.newName;
      if (i.newTag !== undefined && i.newTag !== null) s.newTag = String(i.newTag);
      if (typeof i.digest === 'string') s.digest = i.digest;
      if (typeof i.tagSuffix === 'string') s.tagSuffix = i.tagSuffix;
      return s;
    });
    setImages(list(), specs, cfg.images);
    record('ImageTagTransformer');
  }
  // replacements
  if (Array.isArray(k.replacements)) {
    const reps: unknown[] = [];
    for (const e of k.replacements) {
      if (isObject(e) && typeof e.path === 'string') {
        const { text, abs } = ctx.fs.readRelative(dir, e.path, ctx.restrictor);
        for (const d of parseYamlStream(text, ctx.fs.rel(abs))) {
          if (Array.isArray(d)) reps.push(...d);
          else reps.push(d);
        }
      } else reps.push(e);
    }
    applyReplacements(list(), reps, file);
    // A replacement may have renamed resources in place.
    ra.resources.invalidate();
    record('ReplacementTransformer');
  }
}

export { basename, emptyConfig, idEquals };
