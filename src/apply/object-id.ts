import type { KubeObject } from '../kube/index.js';
import { splitApiVersion } from '../kube/index.js';

/**
 * What identifies an object in a change set or an inventory: namespace (`''` for cluster-scoped kinds),
 * name, API group (`''` for core) and kind. The version is not part of the identity.
 */
export interface ObjMetadata {
  readonly namespace: string;
  readonly name: string;
  readonly group: string;
  readonly kind: string;
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

/**
 * Formats an object's identity as Flux's inventory id `<namespace>_<name>_<group>_<kind>`. Colons in the
 * names of RBAC objects are written as `__`, as Flux does.
 */
export function formatObjectId(meta: ObjMetadata): string {
  const name =
    meta.group === RBAC_GROUP && RBAC_KINDS.has(meta.kind) ? meta.name.replaceAll(':', '__') : meta.name;
  return `${meta.namespace}_${name}_${meta.group}_${meta.kind}`;
}

/**
 * Parses an inventory id `<namespace>_<name>_<group>_<kind>` (the namespace ends at the first `_`, the kind
 * and group are the last two fields, `__` in the name reads as `:`). Throws on fewer than four fields.
 */
export function parseObjectId(id: string): ObjMetadata {
  const first = id.indexOf('_');
  const last = id.lastIndexOf('_');
  const rest = first >= 0 && last > first ? id.slice(first + 1, last) : '';
  const groupAt = rest.lastIndexOf('_');
  if (first < 0 || last <= first || groupAt < 0) {
    throw new Error(
      `Inventory id ${JSON.stringify(id)} is malformed: want <namespace>_<name>_<group>_<kind>`,
    );
  }
  return {
    namespace: id.slice(0, first),
    name: rest.slice(0, groupAt).replaceAll('__', ':'),
    group: rest.slice(groupAt + 1),
    kind: id.slice(last + 1),
  };
}

/** Formats an object's identity as `Kind/namespace/name` (or `Kind/name`), the subject of change set lines. */
export function formatSubject(meta: Pick<ObjMetadata, 'namespace' | 'name' | 'kind'>): string {
  return meta.namespace ? `${meta.kind}/${meta.namespace}/${meta.name}` : `${meta.kind}/${meta.name}`;
}

/** The identity of an object as written (its namespace taken as is). */
export function objMetadataOf(obj: KubeObject): ObjMetadata {
  return {
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
    group: splitApiVersion(obj.apiVersion ?? '').group,
    kind: obj.kind ?? '',
  };
}

/** Kinds applied before all others and deleted after them, in this order (Flux's reconcile order). */
const FIRST = [
  'CustomResourceDefinition',
  'Namespace',
  'ClusterRole',
  'ClusterClass',
  'RuntimeClass',
  'PriorityClass',
  'StorageClass',
  'VolumeSnapshotClass',
  'IngressClass',
  'GatewayClass',
  'ClusterRoleBinding',
  'ResourceQuota',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ConfigMap',
  'Secret',
  'Service',
  'LimitRange',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];
/** Kinds applied after all others. */
const LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];
const KIND_INDEX = new Map<string, number>([
  ...FIRST.map((k, i): [string, number] => [k, i - FIRST.length]),
  ...LAST.map((k, i): [string, number] => [k, i + 1]),
]);

/** The rank of a kind in the apply order: negative for early kinds, 0 for the rest, positive for webhooks. */
export function kindRank(kind: string): number {
  return KIND_INDEX.get(kind) ?? 0;
}

/**
 * Compares two identities in Flux's apply order: kind rank, then group, kind, namespace and name, so the
 * order is stable whatever the input order.
 */
export function compareObjMetadata(a: ObjMetadata, b: ObjMetadata): number {
  if (a.group !== b.group || a.kind !== b.kind) {
    const ra = kindRank(a.kind);
    const rb = kindRank(b.kind);
    if (ra !== rb) return ra - rb;
    if (a.group !== b.group) return a.group < b.group ? -1 : 1;
    if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  }
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return 0;
}

/** Joins a group and a version into an `apiVersion` (`v1` for the core group). */
export function joinApiVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}
