/**
 * The Bucket reconciler: objects of S3-compatible buckets and Azure Blob containers archived into
 * artifacts with revision `sha256:<hex>` over keys and etags.
 */
export { BUCKET, type BucketDriverDeps, bucketDriver } from './bucket-driver.js';
