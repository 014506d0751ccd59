/**
 * The HTTP faces of a running Sluice and the composition around them: a read-only smart-HTTP git server
 * for repositories kept on this machine, the local repositories `sluice up` creates or serves (the example
 * fleet's bare repository and its working clone), the example's Helm chart repository (packaged with helm and
 * served next to the git repositories), and the fleet bootstrap — the GitRepository and chained
 * Kustomizations `sluice up` writes, and how their state is read and judged.
 */

export {
  type ChartRepositoryOptions,
  type PreparedChartRepository,
  prepareChartRepository,
} from './chart-repository.js';
export {
  applyFleet,
  detectFluxBootstrap,
  EXAMPLE_CHART_REPOSITORY,
  EXAMPLE_FLEET_STAGES,
  FLEET_FIELD_MANAGER,
  FLEET_NAMESPACE,
  type FleetHelmRepository,
  type FleetObjectStatus,
  type FleetSpec,
  type FleetStage,
  type FleetVerdict,
  type FluxBootstrap,
  fleetObjects,
  fleetStatus,
  verdictOf,
} from './fleet-bootstrap.js';
export {
  type GitHttpServer,
  type GitHttpServerDeps,
  type GitHttpServerOptions,
  relayCgiResponse,
  startGitHttpServer,
} from './git-http-server.js';
export {
  headOf,
  type LocalRepository,
  openLocalRepository,
  prepareSeededRepository,
  type SeededRepositoryOptions,
  watchBranch,
} from './local-repository.js';
