import type { Resource } from './resource.js';

const FIRST = [
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
const LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

function rank(kind: string): number {
  const f = FIRST.indexOf(kind);
  if (f >= 0) return f;
  const l = LAST.indexOf(kind);
  if (l >= 0) return 1000 + l;
  return 500;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sorts resources in kustomize's legacy order: by a fixed kind order (namespaces first, webhooks last),
 * then by group, version, kind, namespace and name. `orderFirst`/`orderLast` replace the kind lists.
 */
export function legacySort(resources: Resource[], orderFirst?: string[], orderLast?: string[]): Resource[] {
  const first = orderFirst ?? FIRST;
  const last = orderLast ?? LAST;
  const r = (kind: string): number => {
    if (!orderFirst && !orderLast) return rank(kind);
    const f = first.indexOf(kind);
    if (f >= 0) return f;
    const l = last.indexOf(kind);
    if (l >= 0) return 100000 + l;
    return 50000;
  };
  const keyed = resources.map((res) => {
    const id = res.curId();
    return { res, rank: r(id.kind), id };
  });
  keyed.sort(
    (a, b) =>
      a.rank - b.rank ||
      cmp(a.id.group, b.id.group) ||
      cmp(a.id.version, b.id.version) ||
      cmp(a.id.kind, b.id.kind) ||
      cmp(a.id.namespace, b.id.namespace) ||
      cmp(a.id.name, b.id.name),
  );
  return keyed.map((k) => k.res);
}
