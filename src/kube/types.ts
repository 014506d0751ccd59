/** An owner reference in `metadata.ownerReferences`. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** The `metadata` of a Kubernetes object (the fields Sluice reads or writes). */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
}

/** Any Kubernetes object: `apiVersion`, `kind`, `metadata` and whatever else its kind defines. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** Names a kind: `{apiVersion: 'apps/v1', kind: 'Deployment'}`. */
export interface TypeRef {
  apiVersion: string;
  kind: string;
}

/** Names one object: its kind, name and (for namespaced kinds) namespace. */
export interface ObjectRef extends TypeRef {
  name: string;
  /** Namespace of a namespaced object; the client's default namespace when absent. Ignored for cluster-scoped kinds. */
  namespace?: string;
}

/** A list response: `items` plus the list's `resourceVersion` and `continue` token. */
export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

/** The type of one watch event. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** One event of a watch stream. For `ERROR` the object is a `Status`. */
export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  object: T;
}

/** A Kubernetes `Status` object, as returned for errors and some deletes. */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: string;
  status?: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
    retryAfterSeconds?: number;
  };
}

/** A status condition in the shape of `metav1.Condition`. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** Formats an object as `Kind/namespace/name` (or `Kind/name` when cluster-scoped), for messages and logs. */
export function objectKey(obj: {
  kind: string;
  metadata?: ObjectMeta;
  name?: string;
  namespace?: string;
}): string {
  const name = obj.metadata?.name ?? obj.name ?? '';
  const namespace = obj.metadata?.namespace ?? obj.namespace;
  return namespace ? `${obj.kind}/${namespace}/${name}` : `${obj.kind}/${name}`;
}

/** Splits an `apiVersion` into its group (`''` for core) and version. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
