/**
 * The artifact store: tar.gz archives of source trees and plain files with digests, atomic writes,
 * garbage collection and an HTTP server, plus safe extraction of untrusted tarballs.
 */

export { type ArchiveOptions, createArchive, digestBytes, digestFile, type FileDigest } from './archive.js';
export {
  type ArtifactServer,
  type ArtifactServerDeps,
  type ArtifactServerOptions,
  createArtifactServer,
} from './artifact-server.js';
export {
  type Artifact,
  type ArtifactOwner,
  ArtifactStore,
  type ArtifactStoreDeps,
  type ArtifactStoreOptions,
  type StoreArchiveOptions,
} from './artifact-store.js';
export { type ExtractOptions, type ExtractResult, extractTarball } from './extract.js';
