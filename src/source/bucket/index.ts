/**
 * Bucket sources: S3-compatible storage (AWS Signature V4) and Azure Blob (Shared Key or SAS), synced
 * with `.sourceignore` and `spec.ignore`, with Flux's revision over keys and etags.
 */
export {
  AzureBlobClient,
  type AzureBlobDeps,
  type AzureBlobOptions,
  fetchAzureBucket,
} from './azure-blob.js';
export {
  type BucketFetchResult,
  type BucketObject,
  type BucketProvider,
  type BucketSyncOptions,
  bucketRevision,
  syncBucket,
} from './bucket-sync.js';
export { fetchS3Bucket, type S3BucketOptions, S3Client, type S3Deps } from './s3.js';
