import { createHash } from 'node:crypto';
import type { Artifact, Kustomization } from '../../api/index.js';
import { ConditionReason, ConditionType } from '../../api/index.js';
import type { KubeClient, KubeObject } from '../../kube/index.js';
import { build, type FluxExtras, KustomizeError, substitute } from '../../kustomize/index.js';
import { StepError } from '../source-common/index.js';
import type { ArtifactCache } from './artifact-cache.js';
import { jsonDigest } from './history.js';

/** What {@link ManifestBuilder} needs. */
export interface ManifestBuilderDeps {
  kube: KubeClient;
  artifacts: ArtifactCache;
}

interface Built {
  /** The objects as JSON: a fraction of the memory of parsed objects, and each caller gets its own copy. */
  json: string;
  /** {@link jsonDigest} of `json`: what `status.history` records. */
  digest: string;
  users: number;
}

function fail(reason: string, message: string, cause?: unknown): StepError {
  return new StepError(ConditionType.Ready, reason, message, cause === undefined ? {} : { cause });
}

/** The spec fields of a Kustomization that act on its build. */
export function fluxExtrasOf(spec: Kustomization['spec']): FluxExtras {
  const extras: FluxExtras = {};
  if (spec.targetNamespace) extras.targetNamespace = spec.targetNamespace;
  if (spec.namePrefix) extras.namePrefix = spec.namePrefix;
  if (spec.nameSuffix) extras.nameSuffix = spec.nameSuffix;
  if (spec.commonMetadata) extras.commonMetadata = spec.commonMetadata;
  if (spec.patches?.length) extras.patches = spec.patches as FluxExtras['patches'];
  if (spec.images?.length) extras.images = spec.images;
  if (spec.components?.length) extras.components = spec.components;
  return extras;
}

/**
 * Turns a Kustomization and its source artifact into the objects to apply: the artifact (shared through an
 * {@link ArtifactCache}) is built at `spec.path` with the kustomize engine (LoadRestrictionsNone, a generated
 * kustomization where none exists, the object's own patches, images, components, name affixes, target
 * namespace and common metadata), then `postBuild` variables are substituted. Results are kept per
 * Kustomization and shared between Kustomizations with identical inputs (artifact digest, path, build
 * fields, variables), so an unchanged reconcile reads no files.
 */
export class ManifestBuilder {
  readonly #deps: ManifestBuilderDeps;
  readonly #byKey = new Map<string, Built>();
  readonly #keyOf = new Map<string, string>();

  constructor(deps: ManifestBuilderDeps) {
    this.#deps = deps;
  }

  /**
   * The objects of a Kustomization at an artifact. Throws a {@link StepError} with reason `ArtifactFailed`
   * (download) or `BuildFailed` (kustomize, substitution, a missing `substituteFrom` source).
   */
  async objects(
    obj: Kustomization & KubeObject,
    artifact: Artifact,
    signal?: AbortSignal,
  ): Promise<readonly KubeObject[]> {
    const spec = obj.spec;
    const owner = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const vars = spec.postBuild ? await this.#variables(obj, signal) : undefined;
    const extras = fluxExtrasOf(spec);
    const key = createHash('sha256')
      .update(JSON.stringify([artifact.digest, artifact.revision, spec.path ?? '', extras, vars ?? null]))
      .digest('hex');
    const cached = this.#byKey.get(key);
    if (cached) {
      this.#remember(owner, key, cached);
      return JSON.parse(cached.json) as KubeObject[];
    }
    let lease: Awaited<ReturnType<ArtifactCache['acquire']>>;
    try {
      lease = await this.#deps.artifacts.acquire(artifact, signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      throw fail(ConditionReason.ArtifactFailed, (err as Error).message, err);
    }
    let objects: KubeObject[];
    try {
      const result = build(lease.dir, {
        path: spec.path || '.',
        loadRestrictor: 'LoadRestrictionsNone',
        extras,
        ...(signal ? { signal } : {}),
      });
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length > 0) {
        const text = errors
          .map((d) => (d.file && !d.message.includes(d.file) ? `${d.file}: ${d.message}` : d.message))
          .join('; ');
        throw fail(ConditionReason.BuildFailed, `kustomize build failed: ${text}`);
      }
      let resources = result.resources;
      if (vars) {
        try {
          resources = substitute(resources, vars);
        } catch (err) {
          if (err instanceof KustomizeError) {
            throw fail(ConditionReason.BuildFailed, `post build failed: ${err.message}`, err);
          }
          throw err;
        }
      }
      objects = resources as unknown as KubeObject[];
    } finally {
      lease.release();
    }
    const json = JSON.stringify(objects);
    const built: Built = { json, digest: jsonDigest(json), users: 0 };
    this.#byKey.set(key, built);
    this.#remember(owner, key, built);
    return objects;
  }

  /** The digest of the objects last built for a Kustomization, if any. */
  digestOf(namespace: string, name: string): string | undefined {
    const key = this.#keyOf.get(`${namespace}/${name}`);
    return key === undefined ? undefined : this.#byKey.get(key)?.digest;
  }

  /** Drops what is kept for a Kustomization (after it is deleted). */
  forget(namespace: string, name: string): void {
    const owner = `${namespace}/${name}`;
    const key = this.#keyOf.get(owner);
    if (key === undefined) return;
    this.#keyOf.delete(owner);
    this.#release(key);
  }

  #remember(owner: string, key: string, built: Built): void {
    const previous = this.#keyOf.get(owner);
    if (previous === key) return;
    this.#keyOf.set(owner, key);
    built.users++;
    if (previous !== undefined) this.#release(previous);
  }

  #release(key: string): void {
    const b = this.#byKey.get(key);
    if (!b) return;
    b.users--;
    if (b.users <= 0) this.#byKey.delete(key);
  }

  /** Flux's variables: `substituteFrom` in order (later ones win), then `substitute`; newlines removed. */
  async #variables(
    obj: Kustomization & KubeObject,
    signal: AbortSignal | undefined,
  ): Promise<Record<string, string> | undefined> {
    const postBuild = obj.spec.postBuild;
    if (!postBuild) return undefined;
    const namespace = obj.metadata.namespace ?? '';
    const vars: Record<string, string> = {};
    for (const ref of postBuild.substituteFrom ?? []) {
      let found: KubeObject | undefined;
      try {
        found = await this.#deps.kube.tryGet(
          { apiVersion: 'v1', kind: ref.kind, namespace, name: ref.name },
          signal ? { signal } : {},
        );
      } catch (err) {
        if (signal?.aborted) throw err;
        throw fail(
          ConditionReason.BuildFailed,
          `substitute from '${ref.kind}/${ref.name}' error: ${(err as Error).message}`,
          err,
        );
      }
      if (!found) {
        if (ref.optional) continue;
        throw fail(
          ConditionReason.BuildFailed,
          `substitute from '${ref.kind}/${ref.name}' error: ${ref.kind}/${namespace}/${ref.name} not found`,
        );
      }
      const data = ((found as { data?: Record<string, string> }).data ?? {}) as Record<string, string>;
      for (const [k, v] of Object.entries(data)) {
        const text = ref.kind === 'Secret' ? Buffer.from(v, 'base64').toString('utf8') : v;
        vars[k] = text.replaceAll('\n', '');
      }
    }
    for (const [k, v] of Object.entries(postBuild.substitute ?? {})) vars[k] = v.replaceAll('\n', '');
    return vars;
  }
}
