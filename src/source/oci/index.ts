/**
 * OCI registries: a distribution API client (token and basic auth, tags, manifests, blobs, uploads),
 * and Flux's artifact format on top of it (`flux push artifact` / `flux pull artifact`), plus Helm
 * charts stored by `helm push`.
 */
export {
  type LayerSelector,
  type OciArtifactDeps,
  type PullArtifactOptions,
  type PullArtifactResult,
  type PulledHelmChart,
  type PullHelmChartOptions,
  type PushArtifactOptions,
  type PushArtifactResult,
  pullArtifact,
  pullHelmChartFromOci,
  pushArtifact,
} from './artifact.js';
export { MediaType, OciAnnotation } from './media-types.js';
export {
  credentialsFromDockerConfig,
  type OciCallOptions,
  OciClient,
  type OciClientDeps,
  type OciClientOptions,
  type OciCredentials,
  type OciDescriptor,
  type OciManifest,
  type OciManifestResult,
  type OciRefSelector,
} from './oci-client.js';
export { formatOciReference, type OciReference, parseOciReference } from './reference.js';
