/**
 * The HTTP faces of a running Sluice and the composition around them: a read-only smart-HTTP git server
 * for repositories kept on this machine, the local repositories `sluice up` creates or serves (the example
 * fleet's bare repository and its working clone), and the fleet bootstrap — the GitRepository and chained
 * Kustomizations `sluice up` writes, and how their state is read and judged.
 */
export {
  applyFleet,
  detectFluxBootstrap,
  EXAMPLE_FLEET_STAGES,
  FLEET_FIELD_MANAGER,
  FLEET_NAMESPACE,
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
