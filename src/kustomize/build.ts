import { join, resolve } from 'node:path';
import { isObject, type JsonObject, type PatchSchema } from '../patch/index.js';
import { builtinSchemas, type JSONSchemaProps, typeForKind, typeFromSchema } from '../schema/index.js';
import { KustomizeError } from './errors.js';
import { type FluxExtras, fluxKustomization } from './flux.js';
import { type LoadRestrictor, RootedFs } from './fs.js';
import { contentHash } from './hash.js';
import { fixNameReferences } from './nameref.js';
import { resolveVars } from './replacements.js';
import { originText } from './resource.js';
import { legacySort } from './sort.js';
import {
  accumulateKustomization,
  accumulateTarget,
  type BuildContext,
  KUSTOMIZATION_FILES,
  loadKustomization,
  newAccumulator,
} from './target.js';
import { setMapEntries } from './transformers.js';

/** A build problem as data (DESIGN.md rule 4). */
export interface Diagnostic {
  code: string;
  message: string;
  /** The file at fault, relative to the build root. */
  file?: string;
  /** The field at fault, when known. */
  path?: string;
  severity: 'error' | 'warning';
}

/** Options of {@link build}. */
export interface BuildOptions {
  /** The folder to build, relative to the root. Default `.`. */
  path?: string;
  /** Default `LoadRestrictionsRootOnly`, as `kubectl kustomize`. */
  loadRestrictor?: LoadRestrictor;
  /**
   * `legacy` sorts resources by kind, `none` keeps the load order. Default `legacy`. The kustomization's
   * `sortOptions` win over it, as in kubectl.
   */
  reorder?: 'legacy' | 'none';
  /** Adds `app.kubernetes.io/managed-by: kustomize-v5.7.1` to every resource. Default false. */
  enableManagedByLabel?: boolean;
  /** Stops the build between stages. */
  signal?: AbortSignal;
  /** Flux Kustomization extras: a generated kustomization when missing, and spec fields applied on top. */
  extras?: FluxExtras;
  /** Values for env-file lines without `=`. Default: none. */
  env?: Record<string, string | undefined>;
}

/** The result of {@link build}: the objects in output order, or diagnostics that say why there are none. */
export interface BuildResult {
  resources: JsonObject[];
  diagnostics: Diagnostic[];
}

const MANAGED_BY = 'kustomize-v5.7.1';

/**
 * Builds a kustomization folder below `rootDir` the way `kubectl kustomize` does, reading files only
 * inside `rootDir`. Never throws for a problem with the input: it comes back as an error diagnostic.
 */
export function build(rootDir: string, options: BuildOptions = {}): BuildResult {
  const warnings: { message: string; file?: string }[] = [];
  try {
    const resources = buildOrThrow(rootDir, options, warnings);
    return {
      resources,
      diagnostics: warnings.map((w) => ({ code: 'KustomizeWarning', severity: 'warning', ...w })),
    };
  } catch (err) {
    if (err instanceof KustomizeError || (err instanceof Error && 'code' in err)) {
      const e = err as KustomizeError;
      const d: Diagnostic = { code: e.code, message: e.message, severity: 'error' };
      if (e.file !== undefined) d.file = e.file;
      return { resources: [], diagnostics: [d] };
    }
    if (err instanceof RangeError) {
      return {
        resources: [],
        diagnostics: [
          { code: 'KustomizeBuildFailed', message: `Build failed: ${err.message}`, severity: 'error' },
        ],
      };
    }
    throw err;
  }
}

/** Like {@link build}, but throws the first error as a {@link KustomizeError}. */
export function buildOrThrow(
  rootDir: string,
  options: BuildOptions = {},
  warnings: { message: string; file?: string }[] = [],
): JsonObject[] {
  const fs = new RootedFs(rootDir);
  let custom: PatchSchema | undefined;
  let customDefs: Record<string, JSONSchemaProps> | undefined;
  const customCache = new Map<string, PatchSchema | undefined>();
  const ctx: BuildContext = {
    fs,
    restrictor: options.loadRestrictor ?? 'LoadRestrictionsRootOnly',
    schemaFor: (apiVersion, kind) => {
      if (customDefs) {
        const key = `${apiVersion}/${kind}`;
        if (!customCache.has(key)) customCache.set(key, findCustom(customDefs, apiVersion, kind));
        const t = customCache.get(key);
        if (t) return t;
      }
      return typeForKind(apiVersion, kind) ?? custom;
    },
    setCustomSchema: (doc, withBuiltins) => {
      const defs =
        isObject(doc) && isObject(doc.definitions)
          ? (doc.definitions as Record<string, JSONSchemaProps>)
          : undefined;
      customDefs = defs && withBuiltins ? { ...builtinSchemas(), ...defs } : defs;
      customCache.clear();
      custom = undefined;
    },
    env: options.env ?? {},
    stack: [],
    warnings,
  };
  if (options.signal) ctx.signal = options.signal;
  const dir = fs.real(fs.root, options.path ?? '.');
  if (!fs.isDir(dir)) {
    throw new KustomizeError('KustomizeFileNotFound', `Path ${fs.rel(dir)} is not a folder`, {
      file: fs.rel(dir),
    });
  }
  let ra = newAccumulator();
  const top = options.extras ? fluxKustomization(ctx, dir, options.extras) : loadKustomization(ctx, dir);
  const metadata = Array.isArray(top.k.buildMetadata) ? top.k.buildMetadata : [];
  if (metadata.includes('originAnnotations')) ctx.originRoot = dir;
  if (metadata.includes('transformerAnnotations')) ctx.transformerRoot = dir;
  if (options.extras) {
    const { k, file } = top;
    ctx.stack.push(dir);
    ra = accumulateKustomization(ctx, dir, k, file, ra, false);
    ctx.stack.pop();
  } else {
    ra = accumulateTarget(ctx, dir, ra, false);
  }
  ctx.signal?.throwIfAborted();
  const list = ra.resources.list();
  for (const r of list) {
    if (!r.needsHash) continue;
    r.storePreviousId();
    r.name = `${r.name}-${contentHash(r.obj)}`;
  }
  fixNameReferences(list, ra.config.nameReference);
  resolveVars(list, ra.vars, ra.config.varReference);
  let out = list.filter((r) => r.annotations()['config.kubernetes.io/local-config'] !== 'true');
  for (const r of out) {
    if (ctx.originRoot !== undefined && r.origin) {
      r.metadata.annotations ??= {} as JsonObject;
      (r.metadata.annotations as JsonObject)['config.kubernetes.io/origin'] = `${originText(r.origin)}\n`;
    }
    if (ctx.transformerRoot !== undefined && r.transformations.length > 0) {
      const text = r.transformations.map((t) => `- ${originText(t, '  ')}\n`).join('');
      r.metadata.annotations ??= {} as JsonObject;
      (r.metadata.annotations as JsonObject)['alpha.config.kubernetes.io/transformations'] = text;
    }
  }
  const sortOptions = ra.sortOptions;
  if (sortOptions) {
    if (sortOptions.order !== 'legacy' && sortOptions.order !== 'fifo') {
      throw new KustomizeError('KustomizeInvalidKustomization', 'sortOptions.order must be legacy or fifo');
    }
    if (sortOptions.legacySortOptions !== undefined && sortOptions.order !== 'legacy') {
      throw new KustomizeError(
        'KustomizeInvalidKustomization',
        'sortOptions.legacySortOptions needs sortOptions.order legacy',
      );
    }
    if (options.reorder !== undefined) {
      warnings.push({ message: 'Sorting order is set both in sortOptions and by reorder: sortOptions wins' });
    }
  }
  if (sortOptions) {
    if (sortOptions.order === 'legacy') {
      const lo = isObject(sortOptions.legacySortOptions) ? sortOptions.legacySortOptions : {};
      const first = Array.isArray(lo.orderFirst) ? lo.orderFirst.map(String) : undefined;
      const last = Array.isArray(lo.orderLast) ? lo.orderLast.map(String) : undefined;
      out = legacySort(out, first, last);
    }
  } else if ((options.reorder ?? 'legacy') === 'legacy') out = legacySort(out);
  const managed = options.enableManagedByLabel || ra.buildMetadata?.includes('managedByLabel');
  if (managed) {
    setMapEntries(out, { 'app.kubernetes.io/managed-by': MANAGED_BY }, [
      { group: '', version: '', kind: '', path: 'metadata/labels', create: true },
    ]);
  }
  return out.map((r) => r.obj);
}

function findCustom(
  defs: Record<string, JSONSchemaProps>,
  apiVersion: string,
  kind: string,
): PatchSchema | undefined {
  const i = apiVersion.indexOf('/');
  const group = i < 0 ? '' : apiVersion.slice(0, i);
  const version = i < 0 ? apiVersion : apiVersion.slice(i + 1);
  for (const [, s] of Object.entries(defs)) {
    const gvks = (s as Record<string, unknown>)['x-kubernetes-group-version-kind'];
    if (
      Array.isArray(gvks) &&
      gvks.some((g) => isObject(g) && g.kind === kind && (g.group ?? '') === group && g.version === version)
    ) {
      return typeFromSchema(s, defs);
    }
  }
  return undefined;
}

export { join, KUSTOMIZATION_FILES, resolve };
