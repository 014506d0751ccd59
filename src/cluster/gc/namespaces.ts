import type { ObjectService } from '../handlers/index.js';

/** The namespaces every Kubernetes cluster starts with. */
export const DEFAULT_NAMESPACES: readonly string[] = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
];

/** Creates the default namespaces that do not exist yet (first start, or after someone deleted one). */
export function ensureDefaultNamespaces(service: ObjectService): void {
  const rt = service.registry.lookup('', 'v1', 'namespaces');
  if (!rt) return;
  for (const name of DEFAULT_NAMESPACES) {
    if (service.store.get(service.key(rt, undefined, name))) continue;
    service.create(
      rt,
      undefined,
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
      },
      { fieldManager: 'sluice-cluster' },
    );
  }
}
