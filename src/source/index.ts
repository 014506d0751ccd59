/**
 * Sources and artifacts: fetchers that bring Git repositories, Helm repository indexes and charts, OCI
 * artifacts and bucket contents onto local disk with Flux's revision formats, and the artifact store
 * that archives them, serves them over HTTP and extracts untrusted archives safely. The source
 * reconcilers in `controllers/` sit on top of this module.
 */

export {
  AzureBlobClient,
  type AzureBlobDeps,
  type AzureBlobOptions,
  type BucketFetchResult,
  type BucketObject,
  type BucketProvider,
  type BucketSyncOptions,
  bucketRevision,
  fetchAzureBucket,
  fetchS3Bucket,
  type S3BucketOptions,
  S3Client,
  type S3Deps,
  syncBucket,
} from './bucket/index.js';
export { SourceError, SourceErrorCode, type SourceErrorCodeValue } from './errors.js';
export {
  type FetchGitDeps,
  type FetchGitOptions,
  type FetchGitResult,
  fetchGit,
  type GitAuth,
  type GitCommitInfo,
  type GitRef,
  type GitSignature,
} from './git/index.js';
export {
  type FetchHelmChartOptions,
  type FetchHelmIndexOptions,
  fetchHelmChart,
  fetchHelmIndex,
  type HelmChartResult,
  type HelmChartVersion,
  type HelmIndex,
  type HelmIndexResult,
  type HelmRepositoryAuth,
  type HelmRepositoryDeps,
  parseIndex,
  resolveChartVersion,
} from './helm/index.js';
export {
  type HttpClientOptions,
  type HttpRequest,
  type HttpResponse,
  httpRequest,
} from './http/index.js';
export {
  EXCLUDE_CI,
  EXCLUDE_EXT,
  EXCLUDE_EXTRA,
  EXCLUDE_VCS,
  type LoadSourceIgnoreOptions,
  SOURCE_IGNORE_FILE,
  SourceIgnore,
} from './ignore/index.js';
export {
  credentialsFromDockerConfig,
  formatOciReference,
  type LayerSelector,
  MediaType,
  OciAnnotation,
  type OciArtifactDeps,
  type OciCallOptions,
  OciClient,
  type OciClientDeps,
  type OciClientOptions,
  type OciCredentials,
  type OciDescriptor,
  type OciManifest,
  type OciManifestResult,
  type OciReference,
  type OciRefSelector,
  type PullArtifactOptions,
  type PullArtifactResult,
  type PulledHelmChart,
  type PullHelmChartOptions,
  type PushArtifactOptions,
  type PushArtifactResult,
  parseOciReference,
  pullArtifact,
  pullHelmChartFromOci,
  pushArtifact,
} from './oci/index.js';
export { parseVersion, selectLatestVersion, toSemverRange } from './semver-range.js';
export {
  type ArchiveOptions,
  type Artifact,
  type ArtifactOwner,
  type ArtifactServer,
  type ArtifactServerDeps,
  type ArtifactServerOptions,
  ArtifactStore,
  type ArtifactStoreDeps,
  type ArtifactStoreOptions,
  createArchive,
  createArtifactServer,
  digestBytes,
  digestFile,
  type ExtractOptions,
  type ExtractResult,
  extractTarball,
  type FileDigest,
  type StoreArchiveOptions,
} from './storage/index.js';
