import { crdManifests, SluiceError } from '../api/index.js';
import { type KubeClient, type KubeObject, sleep } from '../kube/index.js';

/** Options of {@link installCrds}. */
export interface InstallCrdsOptions {
  /** Field manager of the server-side apply. Default: `sluice`. */
  fieldManager?: string;
  /** How long to wait for every CRD to be `Established`. Default: 60 000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Installs (or updates) Sluice's CustomResourceDefinitions with server-side apply (forcing ownership, field
 * manager `sluice`) and waits until each one reports `Established=True`. Returns the CRD names.
 */
export async function installCrds(kube: KubeClient, options: InstallCrdsOptions = {}): Promise<string[]> {
  const fieldManager = options.fieldManager ?? 'sluice';
  const names: string[] = [];
  for (const crd of crdManifests()) {
    const applied = await kube.apply(crd as unknown as KubeObject, {
      fieldManager,
      force: true,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    names.push(applied.metadata.name ?? '');
  }
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (const name of names) {
    for (;;) {
      const crd = await kube.get<
        KubeObject & { status?: { conditions?: { type: string; status: string }[] } }
      >(
        { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name },
        options.signal ? { signal: options.signal } : {},
      );
      if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) {
        throw new SluiceError('Timeout', `CustomResourceDefinition/${name} is not Established after waiting`);
      }
      await sleep(200, options.signal ? { signal: options.signal } : {});
    }
  }
  return names;
}
