/**
 * The HelmRepository reconciler: Helm repository indexes fetched over HTTP(S) and stored as artifacts
 * with revision `sha256:<hex>`; OCI repositories are accepted without an index, as Flux does.
 */
export {
  HELM_REPOSITORY,
  type HelmRepositoryDriverDeps,
  helmRepositoryAccess,
  helmRepositoryDriver,
} from './helm-repository-driver.js';
