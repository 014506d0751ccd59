/**
 * The OCIRepository reconciler: OCI artifacts pulled from registries (tag, semver, digest; layer
 * selection; registry credentials) into artifacts with revision `<tag>@sha256:<hex>`.
 */
export {
  OCI_REPOSITORY,
  type OciRepositoryDriverDeps,
  ociClientFor,
  ociRepositoryDriver,
} from './oci-repository-driver.js';
