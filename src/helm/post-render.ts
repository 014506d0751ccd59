import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, toYamlStream } from '../kustomize/index.js';
import { HelmError, HelmErrorCode } from './errors.js';

/** A Flux `spec.postRenderers[]` entry. */
export interface PostRenderer {
  kustomize?: {
    patches?: { patch: string; target?: Record<string, unknown> }[];
    images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
  };
}

/**
 * Applies Flux post-renderers to rendered manifests, in order: each kustomize entry becomes a
 * kustomization over the manifests with its patches and images, built by Sluice's kustomize engine
 * (resources kept in their order). Returns the resulting YAML stream.
 */
export async function postRender(manifests: string, renderers: readonly PostRenderer[]): Promise<string> {
  let current = manifests;
  for (const r of renderers) {
    if (!r.kustomize) continue;
    const dir = await mkdtemp(join(tmpdir(), 'sluice-post-render-'));
    try {
      await writeFile(join(dir, 'resources.yaml'), current);
      const k: Record<string, unknown> = {
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: ['resources.yaml'],
      };
      if (r.kustomize.patches?.length) k.patches = r.kustomize.patches;
      if (r.kustomize.images?.length) k.images = r.kustomize.images;
      await writeFile(join(dir, 'kustomization.yaml'), JSON.stringify(k));
      const result = build(dir, { reorder: 'none' });
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length > 0) {
        throw new HelmError(
          HelmErrorCode.CommandFailed,
          'post-render',
          `Post-renderer failed: ${errors.map((d) => d.message).join('; ')}`,
        );
      }
      current = toYamlStream(result.resources);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return current;
}
