import { basename } from 'node:path';
import { isObject, type JsonObject } from '../patch/index.js';
import { KustomizeError } from './errors.js';
import { type FieldSpec, specFromConfig } from './field-spec.js';
import { type GeneratorContext, generate, readGeneratorOptions } from './generators.js';
import { applyPatch, type LoadedPatch } from './patches.js';
import { applyReplacements } from './replacements.js';
import type { ResMap } from './resmap.js';
import { Resource } from './resource.js';
import { CompiledSelector, readSelector } from './selector.js';
import { addNameAffix, setImages, setMapEntries, setNamespace, setReplicas } from './transformers.js';
import { addValue } from './value-add.js';

/** What the builtin plugins need from the build. */
export interface PluginContext {
  gen: GeneratorContext;
  loadPatchText: (text: string, source: string) => Pick<LoadedPatch, 'json' | 'smp'>;
  readFile: (path: string) => { text: string; source: string };
  schemaFor: Parameters<typeof applyPatch>[2];
}

function specs(v: unknown): FieldSpec[] {
  return Array.isArray(v) ? (v.map(specFromConfig).filter((s) => s !== undefined) as FieldSpec[]) : [];
}

function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(v)) for (const [k, x] of Object.entries(v)) out[k] = x === null ? '' : String(x);
  return out;
}

function unsupported(kind: string, file: string): never {
  throw new KustomizeError(
    'KustomizeUnsupported',
    `${file}: plugin ${kind} is not supported: only kustomize's builtin plugins run in-process`,
    { file },
  );
}

/** Runs one builtin generator plugin configuration and returns the resources it generates. */
export function runGeneratorPlugin(cfg: JsonObject, ctx: PluginContext): Resource[] {
  const kind = String(cfg.kind ?? '');
  if (cfg.apiVersion !== 'builtin') unsupported(`${String(cfg.apiVersion)}/${kind}`, ctx.gen.kustFile);
  const meta = isObject(cfg.metadata) ? cfg.metadata : {};
  switch (kind) {
    case 'ConfigMapGenerator':
    case 'SecretGenerator': {
      const entry: JsonObject = { ...cfg, name: cfg.name ?? meta.name ?? '' };
      if (typeof meta.namespace === 'string' && entry.namespace === undefined)
        entry.namespace = meta.namespace;
      return [
        generate(
          kind === 'ConfigMapGenerator' ? 'ConfigMap' : 'Secret',
          entry,
          readGeneratorOptions(undefined),
          ctx.gen,
        ),
      ];
    }
    case 'IAMPolicyGenerator': {
      const ks = isObject(cfg.kubernetesService) ? cfg.kubernetesService : {};
      const sa = isObject(cfg.serviceAccount) ? cfg.serviceAccount : {};
      const m: JsonObject = {
        annotations: {
          'iam.gke.io/gcp-service-account': `${String(sa.name ?? '')}@${String(sa.projectId ?? '')}.iam.gserviceaccount.com`,
        },
        name: String(ks.name ?? ''),
      };
      if (typeof ks.namespace === 'string' && ks.namespace !== '') m.namespace = ks.namespace;
      return [new Resource({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: m }, ctx.gen.kustFile)];
    }
    default:
      return unsupported(kind, ctx.gen.kustFile);
  }
}

/**
 * The ValueAddTransformer: writes one value (by default the name of the kustomization's folder) into the
 * fields its targets name; `metadata/namespace` sets namespaces the way the namespace filter does.
 */
function runValueAdd(cfg: JsonObject, m: ResMap, ctx: PluginContext): void {
  const file = ctx.gen.kustFile;
  const value = (typeof cfg.value === 'string' ? cfg.value.trim() : '') || basename(ctx.gen.dir);
  const targets: unknown[] = Array.isArray(cfg.targets) ? [...cfg.targets] : [];
  if (typeof cfg.targetFilePath === 'string' && cfg.targetFilePath !== '') {
    const f = ctx.readFile(cfg.targetFilePath);
    const doc = ctx.loadPatchText(f.text, f.source).smp?.[0];
    if (isObject(doc) && Array.isArray(doc.targets)) targets.push(...doc.targets);
  }
  if (targets.length === 0) {
    throw new KustomizeError(
      'KustomizeInvalidKustomization',
      `${file}: ValueAddTransformer must specify at least one target`,
      { file },
    );
  }
  const parsed = targets.map((t) => {
    const o = isObject(t) ? t : {};
    const fieldPath = typeof o.fieldPath === 'string' ? o.fieldPath : '';
    const position = typeof o.filePathPosition === 'number' ? o.filePathPosition : 0;
    if (fieldPath === '') {
      throw new KustomizeError(
        'KustomizeInvalidKustomization',
        `${file}: ValueAddTransformer target fieldPath cannot be empty`,
        { file },
      );
    }
    if (position < 0) {
      throw new KustomizeError(
        'KustomizeInvalidKustomization',
        `${file}: ValueAddTransformer filePathPosition (${position}) cannot be negative`,
        { file },
      );
    }
    const sel = readSelector(o.selector);
    return { fieldPath, position, sel: sel ? new CompiledSelector(sel) : undefined };
  });
  for (const t of parsed) {
    const rs = t.sel ? m.list().filter((r) => t.sel!.matches(r)) : m.list();
    for (const r of rs) {
      if (t.fieldPath === 'metadata/namespace') setNamespace([r], value, [], { trackIds: false });
      else addValue(r, t.fieldPath, value, t.position);
    }
  }
}

/** Runs one builtin transformer plugin configuration on the accumulated resources. */
export function runTransformerPlugin(cfg: JsonObject, m: ResMap, ctx: PluginContext): void {
  const kind = String(cfg.kind ?? '');
  const file = ctx.gen.kustFile;
  if (cfg.apiVersion !== 'builtin') unsupported(`${String(cfg.apiVersion)}/${kind}`, file);
  const meta = isObject(cfg.metadata) ? cfg.metadata : {};
  const list = m.list();
  switch (kind) {
    case 'PrefixSuffixTransformer':
    case 'PrefixTransformer':
    case 'SuffixTransformer':
      if (typeof cfg.prefix === 'string') addNameAffix(list, cfg.prefix, specs(cfg.fieldSpecs), 'prefix');
      if (typeof cfg.suffix === 'string') addNameAffix(list, cfg.suffix, specs(cfg.fieldSpecs), 'suffix');
      break;
    case 'LabelTransformer':
      setMapEntries(list, strMap(cfg.labels), specs(cfg.fieldSpecs));
      break;
    case 'AnnotationsTransformer':
      setMapEntries(list, strMap(cfg.annotations), specs(cfg.fieldSpecs));
      break;
    case 'NamespaceTransformer': {
      const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
      const opts: { setRoleBindingSubjects?: string; unsetOnly?: boolean } = {
        unsetOnly: cfg.unsetOnly === true,
      };
      if (typeof cfg.setRoleBindingSubjects === 'string')
        opts.setRoleBindingSubjects = cfg.setRoleBindingSubjects;
      setNamespace(list, ns, specs(cfg.fieldSpecs), opts);
      break;
    }
    case 'ImageTagTransformer': {
      const it = isObject(cfg.imageTag) ? cfg.imageTag : {};
      const img: { name: string; newName?: string; newTag?: string; digest?: string; tagSuffix?: string } = {
        name: String(it.name ?? ''),
      };
      if (typeof it.newName === 'string') img.newName = it.newName;
      if (it.newTag !== undefined && it.newTag !== null) img.newTag = String(it.newTag);
      if (typeof it.digest === 'string') img.digest = it.digest;
      if (typeof it.tagSuffix === 'string') img.tagSuffix = it.tagSuffix;
      setImages(list, [img], specs(cfg.fieldSpecs));
      break;
    }
    case 'ReplicaCountTransformer': {
      const r = isObject(cfg.replica) ? cfg.replica : {};
      setReplicas(list, [{ name: String(r.name ?? ''), count: Number(r.count ?? 0) }], specs(cfg.fieldSpecs));
      break;
    }
    case 'PatchTransformer': {
      let content: Pick<LoadedPatch, 'json' | 'smp'>;
      let source: string;
      if (typeof cfg.path === 'string' && cfg.path !== '') {
        const f = ctx.readFile(cfg.path);
        source = f.source;
        content = ctx.loadPatchText(f.text, source);
      } else if (typeof cfg.patch === 'string') {
        source = `${file} (PatchTransformer ${String(meta.name ?? '')})`;
        content = ctx.loadPatchText(cfg.patch, source);
      } else {
        throw new KustomizeError(
          'KustomizeInvalidKustomization',
          `${file}: PatchTransformer needs a path or a patch`,
          { file },
        );
      }
      const p: LoadedPatch = { ...content, source };
      const target = readSelector(cfg.target);
      if (target) p.target = target;
      const o = isObject(cfg.options) ? cfg.options : {};
      if (o.allowNameChange === true) p.allowNameChange = true;
      if (o.allowKindChange === true) p.allowKindChange = true;
      applyPatch(m, p, ctx.schemaFor);
      break;
    }
    case 'PatchStrategicMergeTransformer': {
      const texts: { text: string; source: string }[] = [];
      for (const p of Array.isArray(cfg.paths) ? cfg.paths : [])
        if (typeof p === 'string') texts.push(ctx.readFile(p));
      if (typeof cfg.patches === 'string')
        texts.push({ text: cfg.patches, source: `${file} (inline patches)` });
      for (const t of texts)
        applyPatch(m, { ...ctx.loadPatchText(t.text, t.source), source: t.source }, ctx.schemaFor);
      break;
    }
    case 'PatchJson6902Transformer': {
      const target = readSelector(cfg.target);
      let content: Pick<LoadedPatch, 'json' | 'smp'>;
      let source: string;
      if (typeof cfg.path === 'string') {
        const f = ctx.readFile(cfg.path);
        source = f.source;
        content = ctx.loadPatchText(f.text, source);
      } else {
        source = `${file} (PatchJson6902Transformer)`;
        content = ctx.loadPatchText(String(cfg.jsonOp ?? ''), source);
      }
      const p: LoadedPatch = { ...content, source };
      if (target) p.target = target;
      applyPatch(m, p, ctx.schemaFor);
      break;
    }
    case 'ReplacementTransformer':
      applyReplacements(list, Array.isArray(cfg.replacements) ? cfg.replacements : [], file);
      break;
    case 'ValueAddTransformer':
      runValueAdd(cfg, m, ctx);
      break;
    default:
      unsupported(kind, file);
  }
  m.invalidate();
}
