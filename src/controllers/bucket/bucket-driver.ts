import { join } from 'node:path';
import { type Bucket, BucketKind, ConditionReason, ConditionType } from '../../api/index.js';
import type { KubeClient } from '../../kube/index.js';
import {
  type ArtifactStore,
  type BucketFetchResult,
  fetchAzureBucket,
  fetchS3Bucket,
  SourceIgnore,
} from '../../source/index.js';
import {
  type FetchContext,
  type FetchedSource,
  fetchFailure,
  readSecret,
  type SecretData,
  type SourceDriver,
  StepError,
  timeoutMs,
  tlsFromSecret,
} from '../source-common/index.js';

/** The Bucket type reference. */
export const BUCKET = { apiVersion: BucketKind.apiVersion, kind: 'Bucket' } as const;

/** Dependencies of {@link bucketDriver}. */
export interface BucketDriverDeps {
  kube: KubeClient;
  storage: ArtifactStore;
}

/**
 * The Bucket part of the source reconciler: list and download the objects under `prefix` from an S3 API
 * (`generic`, `aws`; secret keys `accesskey`/`secretkey`) or Azure Blob (`azure`; `accountKey` or
 * `sasKey`), honouring the bucket's `.sourceignore` and `spec.ignore`, and archive them with revision
 * `sha256:<hex>` over keys and etags.
 */
export function bucketDriver(deps: BucketDriverDeps): SourceDriver<Bucket> {
  return {
    type: BUCKET,
    async fetch(ctx: FetchContext, obj: Bucket): Promise<FetchedSource> {
      const ns = obj.metadata.namespace ?? 'default';
      const name = obj.metadata.name ?? '';
      const spec = obj.spec;
      let secret: SecretData = {};
      let tls: { ca?: string; cert?: string; key?: string } = {};
      try {
        if (spec.secretRef) secret = await readSecret(deps.kube, ns, spec.secretRef.name, ctx.signal);
        if (spec.certSecretRef)
          tls = tlsFromSecret(await readSecret(deps.kube, ns, spec.certSecretRef.name, ctx.signal));
      } catch (err) {
        throw fetchFailure(err, ConditionReason.AuthenticationFailed, 'failed to get secret');
      }
      const outDir = join(ctx.workDir, 'objects');
      const sync = {
        outDir,
        ...(spec.prefix ? { prefix: spec.prefix } : {}),
        ...(spec.ignore !== undefined ? { ignore: spec.ignore } : {}),
        timeoutMs: timeoutMs(obj),
        signal: ctx.signal,
      };
      const http = { ...tls, timeoutMs: timeoutMs(obj) };
      const provider = spec.provider ?? 'generic';
      let result: BucketFetchResult;
      try {
        if (provider === 'generic' || provider === 'aws') {
          result = await fetchS3Bucket(
            { logger: ctx.log },
            {
              endpoint: spec.endpoint,
              bucketName: spec.bucketName,
              ...(spec.region ? { region: spec.region } : {}),
              ...(secret.accesskey ? { accessKeyId: secret.accesskey } : {}),
              ...(secret.secretkey ? { secretAccessKey: secret.secretkey } : {}),
              ...(spec.insecure ? { insecure: true } : {}),
              http,
              ...sync,
            },
          );
        } else if (provider === 'azure') {
          const endpoint = /^https?:\/\//.test(spec.endpoint)
            ? spec.endpoint
            : `${spec.insecure ? 'http' : 'https'}://${spec.endpoint}`;
          result = await fetchAzureBucket(
            { logger: ctx.log },
            {
              endpoint,
              container: spec.bucketName,
              ...(secret.accountName ? { accountName: secret.accountName } : {}),
              ...(secret.accountKey ? { accountKey: secret.accountKey } : {}),
              ...(secret.sasKey ? { sasToken: secret.sasKey } : {}),
              http,
              ...sync,
            },
          );
        } else {
          throw new StepError(
            ConditionType.FetchFailed,
            ConditionReason.InvalidProviderConfiguration,
            `bucket provider '${provider}' is not supported`,
            { terminal: true },
          );
        }
      } catch (err) {
        throw fetchFailure(
          err,
          ConditionReason.BucketOperationFailed,
          `failed to fetch from bucket '${spec.bucketName}'`,
        );
      }
      const status = obj.status ?? {};
      const upToDate =
        status.artifact?.revision === result.revision &&
        (status.observedIgnore ?? undefined) === (spec.ignore ?? undefined);
      const files = Object.keys(result.index).length;
      return {
        revision: result.revision,
        upToDate,
        event: {
          reason: ConditionReason.NewArtifact,
          message: `stored artifact with ${files} fetched files from '${spec.bucketName}' bucket`,
        },
        async store() {
          // The objects were filtered while listing; archive them all (the ignore file itself included).
          const ignore = new SourceIgnore();
          return deps.storage.archive({ kind: 'Bucket', namespace: ns, name }, outDir, {
            revision: result.revision,
            filter: ignore.toFilter(),
          });
        },
        status: (artifact) => ({ url: artifact.url, observedIgnore: spec.ignore }),
      };
    },
  };
}
