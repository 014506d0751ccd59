import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ResourceManager } from '../../apply/index.js';
import type { KubeClient, KubeObject } from '../../kube/index.js';
import { extractTarball } from '../../source/index.js';

/**
 * Applies the CustomResourceDefinitions in a chart's `crds/` folder as Flux's `crds` policies do:
 * `Create` creates the missing ones, `CreateReplace` also updates existing ones. helm itself never touches
 * them on upgrade, and on install only creates missing ones.
 */
export async function applyChartCrds(
  kube: KubeClient,
  resources: ResourceManager,
  chartPath: string,
  policy: 'Create' | 'CreateReplace',
  signal?: AbortSignal,
): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-chart-crds-'));
  try {
    await extractTarball(chartPath, dir, signal ? { signal } : {});
    const [top] = await readdir(dir);
    if (!top) return 0;
    let files: string[];
    try {
      files = (await readdir(join(dir, top, 'crds'), { recursive: true })).filter((f) =>
        /\.(ya?ml|json)$/.test(f),
      );
    } catch {
      return 0;
    }
    const objects: KubeObject[] = [];
    for (const f of files.sort()) {
      for (const doc of parseAllDocuments(await readFile(join(dir, top, 'crds', f), 'utf8'))) {
        const o = doc.toJS() as KubeObject | null;
        if (o?.kind === 'CustomResourceDefinition') objects.push(o);
      }
    }
    const wanted: KubeObject[] = [];
    for (const o of objects) {
      if (
        policy === 'Create' &&
        (await kube.tryGet({ ...o, name: o.metadata.name ?? '' }, signal ? { signal } : {}))
      )
        continue;
      wanted.push(o);
    }
    if (wanted.length > 0) {
      await resources.applyAllStaged(wanted, { force: true, cleanup: false, ...(signal ? { signal } : {}) });
    }
    return wanted.length;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
