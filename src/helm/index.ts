/**
 * The Helm driver: runs the real helm 4 binary for installs, upgrades, rollbacks, uninstalls, tests and
 * queries with private homes and JSON output, reads release state straight from helm's Secret storage,
 * merges values as helm and Flux do, and applies Flux post-renderers (kustomize patches and images) through
 * a helm post-renderer plugin that calls back into Sluice.
 */
export { HelmError, HelmErrorCode } from './errors.js';
export {
  HelmDriver,
  type HelmDriverOptions,
  type HistoryEntry,
  POST_RENDERER_PLUGIN,
  type ReleaseOptions,
  type ReleaseTarget,
  type RollbackOptions,
  type TestOptions,
  type UninstallOptions,
} from './helm-driver.js';
export { type PostRenderer, postRender } from './post-render.js';
export {
  decodeReleaseSecret,
  type HelmHook,
  type HelmReleaseRecord,
  listStoredRevisions,
  releaseDigest,
  type StoredRevision,
  unlockRelease,
  valuesDigest,
} from './release.js';
export { mergeValueMaps, setValueAtPath } from './values.js';
