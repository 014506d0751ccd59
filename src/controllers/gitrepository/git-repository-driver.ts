import { cp, mkdir, readdir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import {
  type Artifact,
  ConditionReason,
  ConditionType,
  effectiveGitRef,
  type GitRepository,
  GitRepositoryKind,
} from '../../api/index.js';
import type { KubeClient, KubeObject } from '../../kube/index.js';
import { type ArtifactStore, extractTarball, type GitAuth, SourceIgnore } from '../../source/index.js';
import {
  type FetchContext,
  type FetchedSource,
  fetchFailure,
  readSecret,
  type SourceDriver,
  StepError,
  timeoutMs,
} from '../source-common/index.js';
import { remoteRevision } from './remote-revision.js';
import { SharedGitFetches } from './shared-fetches.js';

/** The GitRepository type reference. */
export const GIT_REPOSITORY = { apiVersion: GitRepositoryKind.apiVersion, kind: 'GitRepository' } as const;

/** Dependencies of {@link gitRepositoryDriver}. */
export interface GitRepositoryDriverDeps {
  kube: KubeClient;
  storage: ArtifactStore;
  /** Bare mirrors reused across fetches, one per URL. */
  gitCacheDir: string;
  /** Where shared checkouts live while reconciles copy them; wiped at start. */
  tmpDir: string;
  /** Retry delay while an included repository has no artifact. */
  requeueDependencyMs: number;
  /** Refuse trees whose archived files add up to more than this. Default: 100 MiB. */
  maxBytes?: number;
}

/** Sums the sizes of the files the filter keeps; throws a StepError past `limit`. */
async function checkTreeSize(
  dir: string,
  filter: (rel: string, isDir: boolean) => boolean,
  limit: number,
): Promise<void> {
  let total = 0;
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (filter(path, true)) await walk(path);
      } else if (e.isFile() && filter(path, false)) {
        total += (await stat(join(dir, path))).size;
        if (total > limit) {
          throw new StepError(
            ConditionType.StorageOperationFailed,
            ConditionReason.ArchiveOperationFailed,
            `failed to archive: files add up to more than the limit of ${limit} bytes (at '${path}')`,
          );
        }
      }
    }
  };
  await walk('');
}

type IncludeSpec = NonNullable<GitRepository['spec']['include']>[number];

/** The secret keys Flux reads for Git credentials. */
export function gitAuthFromSecret(data: Record<string, string>): GitAuth {
  const auth: GitAuth = {};
  if (data.username !== undefined) auth.username = data.username;
  if (data.password !== undefined) auth.password = data.password;
  if (data.bearerToken !== undefined) auth.bearerToken = data.bearerToken;
  if (data['ca.crt'] !== undefined) auth.caCert = data['ca.crt'];
  else if (data.caFile !== undefined) auth.caCert = data.caFile;
  if (data.identity !== undefined) auth.identity = data.identity;
  if (data.known_hosts !== undefined) auth.knownHosts = data.known_hosts;
  return auth;
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? '';
}

/**
 * The GitRepository part of the source reconciler: fetch the selected commit with the git CLI (credentials
 * from `secretRef`), copy the artifacts of `include`d GitRepositories into the tree, and archive it with
 * Flux's default exclusions, `.sourceignore` files and `spec.ignore`. The artifact is outdated when the
 * revision, the ignore rules, `recurseSubmodules` or an included artifact changed.
 */
export function gitRepositoryDriver(deps: GitRepositoryDriverDeps): SourceDriver<GitRepository> {
  const shared = new SharedGitFetches({ cacheDir: deps.gitCacheDir, tmpDir: deps.tmpDir });
  return {
    type: GIT_REPOSITORY,
    async fetch(ctx: FetchContext, obj: GitRepository): Promise<FetchedSource> {
      const ns = obj.metadata.namespace ?? 'default';
      const name = obj.metadata.name ?? '';
      const spec = obj.spec;
      let auth: GitAuth | undefined;
      try {
        if (spec.secretRef)
          auth = gitAuthFromSecret(await readSecret(deps.kube, ns, spec.secretRef.name, ctx.signal));
      } catch (err) {
        throw fetchFailure(err, ConditionReason.AuthenticationFailed, 'failed to get auth secret');
      }
      const status = obj.status ?? {};
      const sameInputs =
        (status.observedIgnore ?? undefined) === (spec.ignore ?? undefined) &&
        (status.observedRecurseSubmodules ?? false) === (spec.recurseSubmodules ?? false) &&
        !spec.include?.length &&
        !status.includedArtifacts?.length;
      const current = status.artifact;
      if (current && sameInputs) {
        // One ls-remote tells whether the stored artifact is still current: no fetch, no checkout.
        const revision = await remoteRevision({
          url: spec.url,
          ref: effectiveGitRef(spec),
          ...(auth ? { auth } : {}),
          tmpDir: ctx.workDir,
          timeoutMs: timeoutMs(obj),
          signal: ctx.signal,
        });
        if (revision === current.revision) {
          return {
            revision,
            upToDate: true,
            event: { reason: ConditionReason.NewArtifact, message: '' },
            store: () => Promise.resolve(current),
          };
        }
      }
      const outDir = join(ctx.workDir, 'tree');
      const result = await shared
        .fetch(
          {
            url: spec.url,
            ref: effectiveGitRef(spec),
            ...(auth ? { auth } : {}),
            recurseSubmodules: spec.recurseSubmodules ?? false,
            timeoutMs: timeoutMs(obj),
          },
          outDir,
          ctx.signal,
          ctx.log,
        )
        .catch((err: unknown) => {
          throw fetchFailure(
            err,
            ConditionReason.GitOperationFailed,
            'failed to checkout and determine revision',
          );
        });

      // Includes: the other repositories' artifacts, copied under toPath.
      const included: Artifact[] = [];
      for (const inc of spec.include ?? []) {
        included.push(await includeArtifact(deps, ctx, ns, inc, outDir));
      }

      const upToDate =
        status.artifact?.revision === result.revision &&
        (status.observedIgnore ?? undefined) === (spec.ignore ?? undefined) &&
        (status.observedRecurseSubmodules ?? false) === (spec.recurseSubmodules ?? false) &&
        JSON.stringify((status.includedArtifacts ?? []).map((a) => a.digest)) ===
          JSON.stringify(included.map((a) => a.digest)) &&
        JSON.stringify(status.observedInclude ?? []) === JSON.stringify(spec.include ?? []);

      return {
        revision: result.revision,
        upToDate,
        event: {
          reason: ConditionReason.NewArtifact,
          message: `stored artifact for commit '${firstLine(result.commit.message)}'`,
        },
        async store() {
          const ignore = await SourceIgnore.load(
            outDir,
            spec.ignore !== undefined ? { spec: spec.ignore } : {},
          );
          await checkTreeSize(outDir, ignore.toFilter(), deps.maxBytes ?? 100 * 1024 * 1024);
          return deps.storage.archive({ kind: 'GitRepository', namespace: ns, name }, outDir, {
            revision: result.revision,
            filter: ignore.toFilter(),
          });
        },
        status: () => ({
          ...(spec.ignore !== undefined ? { observedIgnore: spec.ignore } : { observedIgnore: undefined }),
          observedRecurseSubmodules: spec.recurseSubmodules ?? false,
          includedArtifacts: included.length ? included : undefined,
          observedInclude: spec.include?.length ? spec.include : undefined,
        }),
      };
    },
  };
}

async function includeArtifact(
  deps: GitRepositoryDriverDeps,
  ctx: FetchContext,
  namespace: string,
  inc: IncludeSpec,
  outDir: string,
): Promise<Artifact> {
  const ref = inc.repository.name;
  const repo = await deps.kube.tryGet<GitRepository & KubeObject>(
    { ...GIT_REPOSITORY, namespace, name: ref },
    { signal: ctx.signal },
  );
  const artifact = repo?.status?.artifact;
  if (!artifact || !(await deps.storage.exists(artifact))) {
    throw new StepError(
      ConditionType.IncludeUnavailable,
      ConditionReason.IncludeUnavailable,
      repo
        ? `no artifact available for include '${ref}'`
        : `could not get resource for include '${ref}': GitRepository '${namespace}/${ref}' not found`,
      { requeueAfterMs: deps.requeueDependencyMs },
    );
  }
  const toPath = posix.normalize(inc.toPath ?? ref).replace(/^\/+/, '');
  if (toPath.startsWith('..')) {
    throw new StepError(
      ConditionType.IncludeUnavailable,
      ConditionReason.IncludeUnavailable,
      `include '${ref}': toPath '${inc.toPath}' leaves the repository`,
      { terminal: true },
    );
  }
  const staging = join(outDir, '..', `include-${ref}`);
  try {
    await extractTarball(deps.storage.localPath(artifact.path), staging, { signal: ctx.signal });
    const from = posix.normalize(inc.fromPath ?? '.').replace(/^\/+/, '');
    if (from.startsWith('..')) throw new Error(`fromPath '${inc.fromPath}' leaves the artifact`);
    const target = join(outDir, toPath);
    await mkdir(target, { recursive: true });
    await cp(join(staging, from), target, { recursive: true, force: true });
  } catch (err) {
    throw new StepError(
      ConditionType.IncludeUnavailable,
      ConditionReason.IncludeUnavailable,
      `failed to copy include '${ref}': ${(err as Error).message}`,
      { cause: err },
    );
  }
  return artifact;
}
