import { join } from 'node:path';
import { ConditionReason, type OCIRepository, OCIRepositoryKind } from '../../api/index.js';
import type { KubeClient } from '../../kube/index.js';
import {
  type ArtifactStore,
  credentialsFromDockerConfig,
  OciClient,
  type OciClientOptions,
  pullArtifact,
  SourceError,
  SourceErrorCode,
  SourceIgnore,
} from '../../source/index.js';
import {
  type FetchContext,
  type FetchedSource,
  fetchFailure,
  readSecret,
  registryCredentialsFromSecret,
  type SourceDriver,
  timeoutMs,
  tlsFromSecret,
} from '../source-common/index.js';

/** The OCIRepository type reference. */
export const OCI_REPOSITORY = { apiVersion: OCIRepositoryKind.apiVersion, kind: 'OCIRepository' } as const;

/** Dependencies of {@link ociRepositoryDriver}. */
export interface OciRepositoryDriverDeps {
  kube: KubeClient;
  storage: ArtifactStore;
  /** Refuse layers (compressed or extracted) larger than this. Default: 100 MiB. */
  maxBytes?: number;
}

/**
 * Builds an OCI client for a registry-backed object: credentials from `secretRef` (a docker config or
 * `username`/`password`), TLS from `certSecretRef`, plain HTTP with `insecure`.
 */
export async function ociClientFor(
  kube: KubeClient,
  namespace: string,
  spec: { secretRef?: { name: string }; certSecretRef?: { name: string }; insecure?: boolean },
  timeout: number,
  signal?: AbortSignal,
): Promise<OciClient> {
  const options: OciClientOptions = { http: { timeoutMs: timeout } };
  if (spec.insecure) options.insecure = true;
  if (spec.secretRef) {
    const data = await readSecret(kube, namespace, spec.secretRef.name, signal);
    const creds = registryCredentialsFromSecret(data, credentialsFromDockerConfig);
    if (creds) options.credentials = creds;
  }
  if (spec.certSecretRef) {
    options.http = {
      ...options.http,
      ...tlsFromSecret(await readSecret(kube, namespace, spec.certSecretRef.name, signal)),
    };
  }
  return new OciClient({}, options);
}

/**
 * The OCIRepository part of the source reconciler: resolve `ref` (digest > semver > tag, default
 * `latest`), pull the selected layer (`extract` re-archived with the ignore rules, or `copy` as is) and
 * store it with revision `<tag>@sha256:<hex>` and the manifest's annotations as artifact metadata.
 */
export function ociRepositoryDriver(deps: OciRepositoryDriverDeps): SourceDriver<OCIRepository> {
  return {
    type: OCI_REPOSITORY,
    async fetch(ctx: FetchContext, obj: OCIRepository): Promise<FetchedSource> {
      const ns = obj.metadata.namespace ?? 'default';
      const name = obj.metadata.name ?? '';
      const spec = obj.spec;
      let client: OciClient;
      try {
        client = await ociClientFor(deps.kube, ns, spec, timeoutMs(obj), ctx.signal);
      } catch (err) {
        throw fetchFailure(err, ConditionReason.AuthenticationFailed, 'failed to get credential');
      }
      const outDir = join(ctx.workDir, 'content');
      const ref = spec.ref ?? {};
      const layerSelector = spec.layerSelector ?? {};
      const result = await pullArtifact(
        { client },
        {
          url: spec.url,
          ref: {
            ...(ref.digest ? { digest: ref.digest } : {}),
            ...(ref.semver ? { semver: ref.semver } : {}),
            ...(ref.semverFilter ? { semverFilter: ref.semverFilter } : {}),
            tag: ref.tag ?? 'latest',
          },
          outDir,
          ...(deps.maxBytes ? { maxBytes: deps.maxBytes } : {}),
          layerSelector: {
            ...(layerSelector.mediaType ? { mediaType: layerSelector.mediaType } : {}),
            ...(layerSelector.operation ? { operation: layerSelector.operation } : {}),
          },
          signal: ctx.signal,
        },
      ).catch((err: unknown) => {
        const reason =
          err instanceof SourceError && err.code === SourceErrorCode.UnsafeArchive
            ? ConditionReason.OCIArtifactLayerOperationFailed
            : ConditionReason.OCIPullFailed;
        throw fetchFailure(err, reason, `failed to pull artifact from '${spec.url}'`);
      });
      const status = obj.status ?? {};
      const upToDate =
        status.artifact?.revision === result.revision &&
        (status.observedIgnore ?? undefined) === (spec.ignore ?? undefined) &&
        JSON.stringify(status.observedLayerSelector ?? {}) === JSON.stringify(spec.layerSelector ?? {});
      const owner = { kind: 'OCIRepository', namespace: ns, name };
      const metadata = Object.keys(result.annotations).length ? result.annotations : undefined;
      return {
        revision: result.revision,
        upToDate,
        event: {
          reason: ConditionReason.NewArtifact,
          message: `stored artifact with revision '${result.revision}' from '${spec.url}'`,
        },
        async store() {
          if (result.file) {
            return deps.storage.storeFile(
              owner,
              `${result.digest.replace(/^sha256:/, '')}.tar.gz`,
              result.file,
              {
                revision: result.revision,
                ...(metadata ? { metadata } : {}),
              },
            );
          }
          const ignore = await SourceIgnore.load(outDir, {
            readFiles: true,
            ...(spec.ignore !== undefined ? { spec: spec.ignore } : {}),
          });
          return deps.storage.archive(owner, outDir, {
            revision: result.revision,
            filter: ignore.toFilter(),
            ...(metadata ? { metadata } : {}),
          });
        },
        status: (artifact) => ({
          url: artifact.url,
          observedIgnore: spec.ignore,
          observedLayerSelector: spec.layerSelector,
        }),
      };
    },
  };
}
