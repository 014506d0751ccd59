import type { Resource } from './resource.js';

/** kustomize's legacy order: the kinds that come first, in this order. */
export const LEGACY_ORDER_FIRST: readonly string[] = [
  'Namespace',
  'ResourceQuota',
  'StorageClass',
  'CustomResourceDefinition',
  'ServiceAccount',
  'PodSecurityPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'Service',
  'LimitRange',
  'PriorityClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];
/** kustomize's legacy order: the kinds that come last, in this order. */
export const LEGACY_ORDER_LAST: readonly string[] = [
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// kustomize compares groups, versions and kinds with a high sentinel for an empty part, so resources of
// the core group come after those of named groups within one rank.
function gvkKey(group: string, version: string, kind: string): string {
  return `${group || '~G'}_${version || '~V'}_${kind || '~K'}`;
}

function idKey(id: {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
}): string {
  const gvk = [id.kind || '~K', id.version || '~V', id.group || '~G'].join('.');
  return `${gvk}|${id.namespace || '~X'}|${id.name || '~N'}`;
}

/**
 * Sorts resources in kustomize's legacy order: by a fixed kind order (namespaces first, webhooks last; kinds
 * in neither list in between), then by group, version and kind, then by namespace and name.
 * `orderFirst`/`orderLast` replace the kind lists.
 */
export function legacySort(resources: Resource[], orderFirst?: string[], orderLast?: string[]): Resource[] {
  const first = orderFirst ?? LEGACY_ORDER_FIRST;
  const last = orderLast ?? LEGACY_ORDER_LAST;
  const ranks = new Map<string, number>();
  first.forEach((k, i) => {
    ranks.set(k, i - first.length);
  });
  last.forEach((k, i) => {
    ranks.set(k, i + 1);
  });
  const keyed = resources.map((res) => {
    const id = res.curId();
    return {
      res,
      rank: ranks.get(id.kind) ?? 0,
      id,
      gvk: gvkKey(id.group, id.version, id.kind),
      key: idKey(id),
    };
  });
  keyed.sort((a, b) => {
    if (a.rank !== b.rank) return a.rank - b.rank;
    if (a.gvk !== b.gvk) {
      // Two Namespace kinds, one of them in the core group: the core one first.
      if (a.id.kind === 'Namespace' && b.id.kind === 'Namespace' && (a.id.group === '' || b.id.group === ''))
        return cmp(b.gvk, a.gvk);
      return cmp(a.gvk, b.gvk);
    }
    return cmp(a.key, b.key);
  });
  return keyed.map((k) => k.res);
}
