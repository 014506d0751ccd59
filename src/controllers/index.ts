/**
 * The reconcilers. Each kind has its folder (its driver or reconciler, its steps); this module lists
 * them and wires them into a manager: `registerSourceControllers` adds the Flux source controllers
 * (GitRepository, HelmRepository, HelmChart, OCIRepository, Bucket) sharing one artifact store,
 * `registerKustomizationController` adds the Kustomization controller, and `startControllers` runs every
 * controller in-process with the store's HTTP server, for
 * `sluice controllers` and `sluice up`.
 */
export { BUCKET, bucketDriver } from './bucket/index.js';
export { GIT_REPOSITORY, gitAuthFromSecret, gitRepositoryDriver } from './gitrepository/index.js';
export { HELM_CHART, helmChartDriver, mergeValues } from './helmchart/index.js';
export {
  HELM_CONTROLLER,
  HELM_GROUP,
  HELM_RELEASE,
  type HelmReleaseControllerDeps,
  type HelmReleaseControllerOptions,
  registerHelmReleaseController,
  releaseNameOf,
} from './helmrelease/index.js';
export { HELM_REPOSITORY, helmRepositoryAccess, helmRepositoryDriver } from './helmrepository/index.js';
export { type InstallCrdsOptions, installCrds } from './install-crds.js';
export {
  KUSTOMIZATION,
  KUSTOMIZE_CONTROLLER,
  type KustomizationControllerDeps,
  type KustomizationControllerOptions,
  KustomizationReconciler,
  registerKustomizationController,
  UNSUPPORTED_FIELD_REASON,
} from './kustomization/index.js';
export { OCI_REPOSITORY, ociClientFor, ociRepositoryDriver } from './ocirepository/index.js';
export {
  type FetchContext,
  type FetchedSource,
  fetchFailure,
  readSecret,
  SOURCE_GROUP,
  type SourceDriver,
  type SourceObject,
  SourceReconciler,
  type SourceReconcilerDeps,
  StepError,
} from './source-common/index.js';
export {
  type RunningControllers,
  registerSourceControllers,
  SOURCE_CONTROLLER,
  type SourceControllerDeps,
  type SourceControllerOptions,
  type StartControllersDeps,
  type StartControllersOptions,
  startControllers,
} from './source-controllers.js';
