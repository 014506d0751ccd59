import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import {
  type Artifact,
  type Bucket,
  BucketKind,
  ConditionReason,
  ConditionType,
  type GitRepository,
  GitRepositoryKind,
  type HelmChart,
  HelmChartKind,
  type HelmRepository,
  HelmRepositoryKind,
  parseRevision,
} from '../../api/index.js';
import type { KubeClient, KubeObject } from '../../kube/index.js';
import {
  type ArtifactStore,
  extractTarball,
  fetchHelmChart,
  parseIndex,
  pullHelmChartFromOci,
  resolveChartVersion,
} from '../../source/index.js';
import { resolveTool } from '../../tools/index.js';
import { helmRepositoryAccess } from '../helmrepository/index.js';
import { ociClientFor } from '../ocirepository/index.js';
import {
  type FetchContext,
  type FetchedSource,
  fetchFailure,
  type SourceDriver,
  StepError,
  timeoutMs,
} from '../source-common/index.js';

const exec = promisify(execFile);

/** The HelmChart type reference. */
export const HELM_CHART = { apiVersion: HelmChartKind.apiVersion, kind: 'HelmChart' } as const;

/** Dependencies of {@link helmChartDriver}. */
export interface HelmChartDriverDeps {
  kube: KubeClient;
  storage: ArtifactStore;
  /** Retry delay while the source has no artifact. */
  requeueDependencyMs: number;
  /** The helm binary; default {@link resolveTool}('helm'). */
  helm?: () => Promise<string>;
}

type SourceObj = (HelmRepository | GitRepository | Bucket) &
  KubeObject & { status?: { artifact?: Artifact } };

const SOURCE_API: Record<string, string> = {
  HelmRepository: HelmRepositoryKind.apiVersion,
  GitRepository: GitRepositoryKind.apiVersion,
  Bucket: BucketKind.apiVersion,
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges `over` into `base` the way Helm merges values files: maps deeply, everything else replaced. */
export function mergeValues(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? mergeValues(b, v) : v;
  }
  return out;
}

function safeJoin(root: string, rel: string, what: string): string {
  const norm = posix.normalize(rel.replace(/^\.?\/+/, ''));
  if (norm.startsWith('..') || posix.isAbsolute(norm)) {
    throw new StepError(
      ConditionType.BuildFailed,
      ConditionReason.ChartPackageFailed,
      `${what} '${rel}' leaves the source`,
      {
        terminal: true,
      },
    );
  }
  return join(root, norm);
}

/**
 * The HelmChart part of the source reconciler. From a HelmRepository: resolve `version` (a semver range)
 * in the stored index (or the registry's tags for an OCI repository) and download the package. From a
 * GitRepository or Bucket: extract the source artifact and package the chart directory with `helm package`.
 * With `valuesFiles`, their merge replaces the chart's `values.yaml` and the chart is packaged again. The
 * revision is the chart version (`+<12 chars of the source revision>` with `reconcileStrategy: Revision`).
 */
export function helmChartDriver(deps: HelmChartDriverDeps): SourceDriver<HelmChart> {
  const helmBinary = deps.helm ?? (() => resolveTool('helm'));
  return {
    type: HELM_CHART,
    async fetch(ctx: FetchContext, obj: HelmChart): Promise<FetchedSource> {
      const ns = obj.metadata.namespace ?? 'default';
      const name = obj.metadata.name ?? '';
      const spec = obj.spec;
      const ref = spec.sourceRef;
      const source = await deps.kube.tryGet<SourceObj>(
        {
          apiVersion: SOURCE_API[ref.kind] ?? HelmRepositoryKind.apiVersion,
          kind: ref.kind,
          namespace: ns,
          name: ref.name,
        },
        { signal: ctx.signal },
      );
      if (!source) {
        throw new StepError(
          ConditionType.FetchFailed,
          'SourceUnavailable',
          `failed to get source: ${ref.kind} '${ns}/${ref.name}' not found`,
          { requeueAfterMs: deps.requeueDependencyMs },
        );
      }
      const owner = { kind: 'HelmChart', namespace: ns, name };
      const packageDir = join(ctx.workDir, 'package');
      await mkdir(packageDir, { recursive: true });
      const valuesFiles = spec.valuesFiles ?? [];
      let pulled: {
        data?: Buffer;
        chartDir?: string;
        version: string;
        sourceRevision: string;
        packaged: boolean;
      };

      if (ref.kind === 'HelmRepository' && isOciRepo(source as HelmRepository)) {
        const repo = source as HelmRepository;
        const result = await (async () => {
          const client = await ociClientFor(deps.kube, ns, repo.spec, timeoutMs(obj), ctx.signal);
          return pullHelmChartFromOci(
            { client },
            {
              url: `${repo.spec.url.replace(/\/+$/, '')}/${spec.chart}`,
              version: spec.version ?? '*',
              signal: ctx.signal,
            },
          );
        })().catch((err: unknown) => {
          throw fetchFailure(err, ConditionReason.ChartPullFailed, `failed to pull chart '${spec.chart}'`);
        });
        pulled = {
          data: result.data,
          version: result.version,
          sourceRevision: result.revision,
          packaged: false,
        };
      } else if (ref.kind === 'HelmRepository') {
        const repo = source as SourceObj & HelmRepository;
        const artifact = await sourceArtifact(deps, repo);
        const result = await (async () => {
          const index = parseIndex(await readFile(deps.storage.localPath(artifact.path)));
          const version = resolveChartVersion(index, spec.chart, spec.version ?? '*');
          const access = await helmRepositoryAccess(deps.kube, repo, ctx.signal);
          return fetchHelmChart(
            { logger: ctx.log },
            {
              repositoryUrl: repo.spec.url,
              chart: version,
              ...(access.auth ? { auth: access.auth } : {}),
              passCredentials: repo.spec.passCredentials ?? false,
              http: { ...access.tls, timeoutMs: timeoutMs(obj) },
              signal: ctx.signal,
            },
          ).then((r) => ({ ...r, version: version.version }));
        })().catch((err: unknown) => {
          throw fetchFailure(err, ConditionReason.ChartPullFailed, `failed to pull chart '${spec.chart}'`);
        });
        pulled = {
          data: result.data,
          version: result.version,
          sourceRevision: artifact.revision,
          packaged: false,
        };
      } else {
        const artifact = await sourceArtifact(deps, source);
        const tree = join(ctx.workDir, 'source');
        try {
          await extractTarball(deps.storage.localPath(artifact.path), tree, { signal: ctx.signal });
        } catch (err) {
          throw fetchFailure(err, ConditionReason.ChartPullFailed, `failed to extract source artifact`);
        }
        const chartDir = safeJoin(tree, spec.chart, 'chart path');
        let chartMeta: { name?: string; version?: string };
        try {
          chartMeta = parseYaml(await readFile(join(chartDir, 'Chart.yaml'), 'utf8')) ?? {};
        } catch (err) {
          throw new StepError(
            ConditionType.BuildFailed,
            ConditionReason.ChartPackageFailed,
            `failed to load chart from path '${spec.chart}': ${(err as Error).message}`,
            { cause: err },
          );
        }
        // Values files of a Git or Bucket chart are paths in the source; merge them here.
        if (valuesFiles.length) await writeMergedValues(ctx, tree, chartDir, valuesFiles, spec, true);
        pulled = {
          chartDir,
          version: String(chartMeta.version ?? '0.0.0'),
          sourceRevision: artifact.revision,
          packaged: true,
        };
      }

      let version = pulled.version;
      if (spec.reconcileStrategy === 'Revision' && pulled.chartDir) {
        const r = parseRevision(pulled.sourceRevision);
        version = `${version}+${(r.hash ?? pulled.sourceRevision).slice(0, 12)}`;
      }
      const status = obj.status ?? {};
      const upToDate =
        status.artifact?.revision === version &&
        status.observedSourceArtifactRevision === pulled.sourceRevision &&
        status.observedChartName === spec.chart &&
        JSON.stringify(status.observedValuesFiles ?? []) === JSON.stringify(valuesFiles);
      const packaged = pulled.packaged || valuesFiles.length > 0;
      return {
        revision: version,
        upToDate,
        event: packaged
          ? {
              reason: ConditionReason.ChartPackageSucceeded,
              message: `packaged '${spec.chart.split('/').pop()}' chart with version '${version}'`,
            }
          : {
              reason: ConditionReason.ChartPullSucceeded,
              message: `pulled '${spec.chart}' chart with version '${version}'`,
            },
        async store() {
          let file: string;
          if (pulled.chartDir) {
            file = await helmPackage(
              helmBinary,
              ctx,
              pulled.chartDir,
              packageDir,
              spec.reconcileStrategy === 'Revision' ? version : undefined,
            );
          } else if (valuesFiles.length) {
            const chartRoot = join(ctx.workDir, 'chart');
            await extractTarball(pulled.data as Buffer, chartRoot, { signal: ctx.signal });
            const dirs = (await readdir(chartRoot, { withFileTypes: true })).filter((d) => d.isDirectory());
            const chartDir = join(chartRoot, dirs[0]?.name ?? spec.chart);
            await writeMergedValues(ctx, chartDir, chartDir, valuesFiles, spec, false);
            file = await helmPackage(helmBinary, ctx, chartDir, packageDir, undefined);
          } else {
            file = join(packageDir, 'chart.tgz');
            await writeFile(file, pulled.data as Buffer);
          }
          const chartName = spec.chart.split('/').filter(Boolean).pop() ?? spec.chart;
          return deps.storage.storeFile(owner, `${chartName}-${version}.tgz`, file, { revision: version });
        },
        status: (artifact) => ({
          url: artifact.url,
          observedSourceArtifactRevision: pulled.sourceRevision,
          observedChartName: spec.chart,
          observedValuesFiles: valuesFiles.length ? valuesFiles : undefined,
        }),
      };
    },
  };
}

function isOciRepo(repo: HelmRepository): boolean {
  return repo.spec.type === 'oci' || repo.spec.url.startsWith('oci://');
}

async function sourceArtifact(deps: HelmChartDriverDeps, source: SourceObj): Promise<Artifact> {
  const artifact = source.status?.artifact;
  if (!artifact || !(await deps.storage.exists(artifact))) {
    throw new StepError(
      ConditionType.FetchFailed,
      'SourceUnavailable',
      `failed to get source: ${source.kind} '${source.metadata.namespace}/${source.metadata.name}' has no artifact`,
      { requeueAfterMs: deps.requeueDependencyMs },
    );
  }
  return artifact;
}

async function writeMergedValues(
  _ctx: FetchContext,
  root: string,
  chartDir: string,
  files: string[],
  spec: HelmChart['spec'],
  _fromSource: boolean,
): Promise<void> {
  let merged: Record<string, unknown> = {};
  for (const f of files) {
    const path = safeJoin(root, f, 'values file');
    let text: string;
    try {
      if (!(await stat(path)).isFile()) throw new Error('not a file');
      text = await readFile(path, 'utf8');
    } catch (err) {
      if (spec.ignoreMissingValuesFiles) continue;
      throw new StepError(
        ConditionType.BuildFailed,
        ConditionReason.ChartPackageFailed,
        `no values file found at path '${f}'`,
        { cause: err },
      );
    }
    const doc = parseYaml(text);
    if (isObject(doc)) merged = mergeValues(merged, doc);
  }
  await writeFile(join(chartDir, 'values.yaml'), stringifyYaml(merged));
}

async function helmPackage(
  helmBinary: () => Promise<string>,
  ctx: FetchContext,
  chartDir: string,
  outDir: string,
  version: string | undefined,
): Promise<string> {
  const helm = await helmBinary();
  const home = join(ctx.workDir, 'helm-home');
  const env = {
    ...process.env,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
  try {
    await exec(helm, ['package', chartDir, '-d', outDir, ...(version ? ['--version', version] : [])], {
      env,
      signal: ctx.signal,
      timeout: 60_000,
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new StepError(
      ConditionType.BuildFailed,
      ConditionReason.ChartPackageFailed,
      `failed to package chart: ${(e.stderr || e.message).trim()}`,
      { cause: err },
    );
  }
  const tgz = (await readdir(outDir)).find((f) => f.endsWith('.tgz'));
  if (!tgz) {
    throw new StepError(
      ConditionType.BuildFailed,
      ConditionReason.ChartPackageFailed,
      'helm package wrote no chart',
    );
  }
  return join(outDir, tgz);
}
