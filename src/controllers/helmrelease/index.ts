/**
 * The HelmRelease controller (`helm.toolkit.fluxcd.io/v2`): Flux helm-controller's install, upgrade, test
 * and remediation state machine on the real helm binary, with values from ConfigMaps and Secrets,
 * post-renderers, drift detection and dependencies, and its registration with a manager.
 */

export { helmChartFor } from './chart.js';
export {
  HELM_GROUP,
  HELM_RELEASE,
  HelmReleaseReconciler,
  type HelmReleaseReconcilerDeps,
  type HelmReleaseReconcilerOptions,
  releaseNameOf,
} from './helm-release-reconciler.js';
export {
  HELM_CONTROLLER,
  type HelmReleaseControllerDeps,
  type HelmReleaseControllerOptions,
  registerHelmReleaseController,
} from './register.js';
export { composeValues } from './values.js';
