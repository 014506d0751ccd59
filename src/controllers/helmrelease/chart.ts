import { createHash } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Artifact,
  type HelmChart,
  HelmChartKind,
  HelmMeta,
  type HelmRelease,
  OCIRepositoryKind,
} from '../../api/index.js';
import type { KubeClient, KubeObject } from '../../kube/index.js';

/** The chart a release installs from: a local `.tgz`, its artifact digest and revision. */
export interface ResolvedChart {
  path: string;
  digest: string;
  revision: string;
  /** `<namespace>/<name>` of the HelmChart, for `chart.spec`. */
  helmChart?: string;
}

/** The chart is not ready yet; the message says why. */
export class ChartNotReadyError extends Error {}

type Source = KubeObject & {
  status?: {
    artifact?: Artifact;
    observedGeneration?: number;
    conditions?: { type: string; status: string; message?: string; observedGeneration?: number }[];
  };
};

/** The HelmChart `<ns>-<name>` a HelmRelease with `chart.spec` creates, in the source's namespace. */
export function helmChartFor(hr: HelmRelease): HelmChart & KubeObject {
  const spec = hr.spec.chart!.spec;
  const ns = hr.metadata.namespace ?? 'default';
  const sourceNs = spec.sourceRef.namespace ?? ns;
  const chartSpec: Record<string, unknown> = {
    chart: spec.chart,
    version: spec.version ?? '*',
    sourceRef: { kind: spec.sourceRef.kind, name: spec.sourceRef.name },
    interval: spec.interval ?? hr.spec.interval,
    reconcileStrategy: spec.reconcileStrategy ?? 'ChartVersion',
  };
  if (spec.valuesFiles) chartSpec.valuesFiles = spec.valuesFiles;
  if (spec.ignoreMissingValuesFiles) chartSpec.ignoreMissingValuesFiles = true;
  if (spec.verify) chartSpec.verify = spec.verify;
  const labels = {
    ...(hr.spec.chart?.metadata?.labels ?? {}),
    [HelmMeta.NameLabel]: hr.metadata.name ?? '',
    [HelmMeta.NamespaceLabel]: ns,
  };
  const metadata: KubeObject['metadata'] = { name: `${ns}-${hr.metadata.name}`, namespace: sourceNs, labels };
  if (hr.spec.chart?.metadata?.annotations) metadata.annotations = hr.spec.chart.metadata.annotations;
  if (sourceNs === ns && hr.metadata.uid) {
    metadata.ownerReferences = [
      {
        apiVersion: hr.apiVersion,
        kind: hr.kind,
        name: hr.metadata.name ?? '',
        uid: hr.metadata.uid,
        controller: true,
      },
    ];
  }
  return {
    apiVersion: HelmChartKind.apiVersion,
    kind: 'HelmChart',
    metadata,
    spec: chartSpec,
  } as unknown as HelmChart & KubeObject;
}

/** The failure message of a source's Ready condition about its current generation. */
function readyMessage(src: Source, generation: number | undefined): string | undefined {
  const ready = src.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'False') return undefined;
  if (
    generation !== undefined &&
    ready.observedGeneration !== undefined &&
    ready.observedGeneration !== generation
  ) {
    return undefined;
  }
  return ready.message;
}

/**
 * Finds the chart artifact of a HelmRelease: for `chart.spec` it applies the HelmChart and waits for its
 * artifact; for `chartRef` it reads the OCIRepository or HelmChart. The `.tgz` is downloaded once per digest
 * into `cacheDir`. Throws {@link ChartNotReadyError} while there is no usable artifact.
 */
export async function resolveChart(
  kube: KubeClient,
  hr: HelmRelease,
  cacheDir: string,
  signal?: AbortSignal,
): Promise<ResolvedChart> {
  const ns = hr.metadata.namespace ?? 'default';
  const s = signal ? { signal } : {};
  let src: Source | undefined;
  let id: string;
  let helmChart: string | undefined;
  if (hr.spec.chart) {
    const desired = helmChartFor(hr);
    src = (await kube.apply(desired, { fieldManager: 'helm-controller', force: true, ...s })) as Source;
    id = `HelmChart '${desired.metadata.namespace}/${desired.metadata.name}'`;
    helmChart = `${desired.metadata.namespace}/${desired.metadata.name}`;
  } else {
    const ref = hr.spec.chartRef!;
    const apiVersion = ref.kind === 'OCIRepository' ? OCIRepositoryKind.apiVersion : HelmChartKind.apiVersion;
    const refNs = ref.namespace ?? ns;
    id = `${ref.kind} '${refNs}/${ref.name}'`;
    src = await kube.tryGet<Source>({ apiVersion, kind: ref.kind, namespace: refNs, name: ref.name }, s);
    if (!src) throw new ChartNotReadyError(`could not get ${id}: not found`);
  }
  const generation = src.metadata.generation;
  const observed = src.status?.observedGeneration;
  const artifact = src.status?.artifact;
  const failed = readyMessage(src, generation);
  if (failed) throw new ChartNotReadyError(`${id} is not ready: ${failed}`);
  if (!artifact) throw new ChartNotReadyError(`no artifact available for ${id}`);
  if (generation !== undefined && observed !== generation) {
    throw new ChartNotReadyError(`${id} is not ready: latest generation of object has not been reconciled`);
  }
  const path = await download(artifact, cacheDir, signal);
  return { path, digest: artifact.digest, revision: artifact.revision, ...(helmChart ? { helmChart } : {}) };
}

async function download(artifact: Artifact, cacheDir: string, signal?: AbortSignal): Promise<string> {
  const hex = artifact.digest.replace(/^[a-z0-9]+:/, '');
  const path = join(cacheDir, `${hex}.tgz`);
  try {
    await stat(path);
    return path;
  } catch {
    // not cached yet
  }
  await mkdir(cacheDir, { recursive: true });
  const res = await fetch(artifact.url, { ...(signal ? { signal } : {}) });
  if (!res.ok)
    throw new ChartNotReadyError(
      `failed to download artifact from ${artifact.url}: ${res.status} ${res.statusText}`,
    );
  const body = Buffer.from(await res.arrayBuffer());
  const got = createHash('sha256').update(body).digest('hex');
  if (artifact.digest.startsWith('sha256:') && got !== hex) {
    throw new ChartNotReadyError(`failed to verify artifact from ${artifact.url}: digest mismatch`);
  }
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, body);
  await rename(tmp, path);
  return path;
}
