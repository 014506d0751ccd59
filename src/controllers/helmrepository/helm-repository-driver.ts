import { ConditionReason, type HelmRepository, HelmRepositoryKind } from '../../api/index.js';
import type { KubeClient } from '../../kube/index.js';
import { type ArtifactStore, fetchHelmIndex, type HelmRepositoryAuth } from '../../source/index.js';
import {
  type FetchContext,
  type FetchedSource,
  fetchFailure,
  readSecret,
  type SourceDriver,
  timeoutMs,
  tlsFromSecret,
} from '../source-common/index.js';

/** The HelmRepository type reference. */
export const HELM_REPOSITORY = { apiVersion: HelmRepositoryKind.apiVersion, kind: 'HelmRepository' } as const;

/** Dependencies of {@link helmRepositoryDriver}. */
export interface HelmRepositoryDriverDeps {
  kube: KubeClient;
  storage: ArtifactStore;
}

/** Basic auth and TLS settings of a HelmRepository, from `secretRef` and `certSecretRef`. */
export async function helmRepositoryAccess(
  kube: KubeClient,
  repo: HelmRepository,
  signal?: AbortSignal,
): Promise<{ auth?: HelmRepositoryAuth; tls: { ca?: string; cert?: string; key?: string } }> {
  const ns = repo.metadata.namespace ?? 'default';
  let auth: HelmRepositoryAuth | undefined;
  let tls: { ca?: string; cert?: string; key?: string } = {};
  if (repo.spec.secretRef) {
    const data = await readSecret(kube, ns, repo.spec.secretRef.name, signal);
    if (data.username !== undefined || data.password !== undefined) {
      auth = { username: data.username ?? '', password: data.password ?? '' };
    }
    tls = tlsFromSecret(data);
  }
  if (repo.spec.certSecretRef) {
    tls = { ...tls, ...tlsFromSecret(await readSecret(kube, ns, repo.spec.certSecretRef.name, signal)) };
  }
  return { ...(auth ? { auth } : {}), tls };
}

/**
 * The HelmRepository part of the source reconciler: download `index.yaml` (basic auth, TLS) and store it
 * as the artifact with revision `sha256:<hex>` of the served bytes. A `type: oci` repository has no index:
 * it is Ready without an artifact, as Flux does.
 */
export function helmRepositoryDriver(deps: HelmRepositoryDriverDeps): SourceDriver<HelmRepository> {
  return {
    type: HELM_REPOSITORY,
    async fetch(ctx: FetchContext, obj: HelmRepository): Promise<FetchedSource | { readyMessage: string }> {
      if (obj.spec.type === 'oci' || obj.spec.url.startsWith('oci://')) {
        return { readyMessage: 'Helm repository is ready' };
      }
      const ns = obj.metadata.namespace ?? 'default';
      const name = obj.metadata.name ?? '';
      let access: Awaited<ReturnType<typeof helmRepositoryAccess>>;
      try {
        access = await helmRepositoryAccess(deps.kube, obj, ctx.signal);
      } catch (err) {
        throw fetchFailure(err, ConditionReason.AuthenticationFailed, 'failed to get authentication secret');
      }
      const result = await fetchHelmIndex(
        { logger: ctx.log },
        {
          url: obj.spec.url,
          ...(access.auth ? { auth: access.auth } : {}),
          http: {
            ...access.tls,
            timeoutMs: timeoutMs(obj),
            ...(obj.spec.insecure ? { insecureSkipVerify: true } : {}),
          },
          signal: ctx.signal,
        },
      ).catch((err: unknown) => {
        throw fetchFailure(err, ConditionReason.IndexationFailed, 'failed to fetch Helm repository index');
      });
      return {
        revision: result.revision,
        event: {
          reason: ConditionReason.NewArtifact,
          message: `stored fetched index of size ${result.raw.length} from '${obj.spec.url}'`,
        },
        store: () =>
          deps.storage.storeBytes(
            { kind: 'HelmRepository', namespace: ns, name },
            `index-${result.revision.replace(/^sha256:/, '')}.yaml`,
            result.raw,
            {
              revision: result.revision,
            },
          ),
        status: (artifact) => ({ url: artifact.url }),
      };
    },
  };
}
