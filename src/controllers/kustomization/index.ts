/**
 * The Kustomization reconciler (`kustomize.toolkit.fluxcd.io/v1`), Flux's kustomize-controller: fetches the
 * source artifact (cached by digest), builds it with the kustomize engine and the object's own fields,
 * substitutes `postBuild` variables, applies the result with staged server-side apply, records the
 * inventory, prunes, waits for health and honours `dependsOn`, `suspend` and `deletionPolicy`.
 */
export { ArtifactCache, type ArtifactCacheOptions, type ArtifactLease } from './artifact-cache.js';
export {
  type KustomizationControllerDeps,
  type KustomizationControllerOptions,
  kustomizationWatches,
  registerKustomizationController,
} from './kustomization-controller.js';
export {
  HELM_RELEASE,
  KUSTOMIZATION,
  KUSTOMIZE_CONTROLLER,
  KUSTOMIZE_GROUP,
  KustomizationReconciler,
  type KustomizationReconcilerDeps,
  type KustomizationReconcilerOptions,
  UNSUPPORTED_FIELD_REASON,
} from './kustomization-reconciler.js';
export { fluxExtrasOf, ManifestBuilder, type ManifestBuilderDeps } from './manifest-builder.js';
