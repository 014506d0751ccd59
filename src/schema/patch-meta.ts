/**
 * Patch and merge facts about fields of built-in types, keyed by OpenAPI schema name and field: the
 * strategic-merge-patch strategy and merge key (as kustomize v5 and kubectl apply know them), and the
 * server-side-apply list and map types. Lists absent from this table are atomic for both.
 */
export interface FieldFacts {
  /** `x-kubernetes-patch-strategy`: `merge`, `retainKeys`, `merge,retainKeys` or `replace`. */
  readonly strategy?: string;
  /** `x-kubernetes-patch-merge-key`. */
  readonly mergeKey?: string;
  /** `x-kubernetes-list-type`; when absent, derived from the strategy (merge with key → map, merge → set). */
  readonly listType?: 'atomic' | 'set' | 'map';
  /** `x-kubernetes-list-map-keys`; defaults to the merge key. */
  readonly listMapKeys?: readonly string[];
}

const merge = (mergeKey?: string, listMapKeys?: string[]): FieldFacts =>
  mergeKey ? { strategy: 'merge', mergeKey, listMapKeys } : { strategy: 'merge', listType: 'set' };
const conditions: FieldFacts = { strategy: 'merge', mergeKey: 'type' };
const atomic: FieldFacts = { listType: 'atomic' };
const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

const containerFacts = {
  env: merge('name'),
  ports: merge('containerPort', ['containerPort', 'protocol']),
  volumeDevices: merge('devicePath'),
  volumeMounts: merge('mountPath'),
  resizePolicy: atomic,
};

/** The facts table: schema name → field → facts. */
export const FIELD_FACTS: Readonly<Record<string, Readonly<Record<string, FieldFacts>>>> = {
  [`${META}.ObjectMeta`]: { finalizers: merge(), ownerReferences: merge('uid') },
  [`${CORE}.Container`]: containerFacts,
  [`${CORE}.EphemeralContainer`]: containerFacts,
  [`${CORE}.PodSpec`]: {
    containers: merge('name'),
    ephemeralContainers: merge('name'),
    initContainers: merge('name'),
    hostAliases: merge('ip'),
    imagePullSecrets: merge('name'),
    topologySpreadConstraints: merge('topologyKey', ['topologyKey', 'whenUnsatisfiable']),
    volumes: { strategy: 'merge,retainKeys', mergeKey: 'name' },
    resourceClaims: { strategy: 'merge,retainKeys', mergeKey: 'name' },
    schedulingGates: merge('name'),
  },
  [`${CORE}.PodStatus`]: { conditions, podIPs: merge('ip'), hostIPs: merge('ip') },
  [`${CORE}.NodeSpec`]: { podCIDRs: merge() },
  [`${CORE}.NodeStatus`]: { addresses: merge('type'), conditions },
  [`${CORE}.NamespaceStatus`]: { conditions },
  [`${CORE}.PersistentVolumeClaimStatus`]: { conditions },
  [`${CORE}.ServiceSpec`]: {
    ports: merge('port', ['port', 'protocol']),
    clusterIPs: atomic,
    ipFamilies: atomic,
  },
  [`${CORE}.ServiceStatus`]: { conditions: { ...conditions, listType: 'map', listMapKeys: ['type'] } },
  [`${CORE}.LoadBalancerIngress`]: { ports: atomic },
  [`${CORE}.ServiceAccount`]: { secrets: merge('name') },
  [`${CORE}.ReplicationControllerStatus`]: { conditions },
  [`${CORE}.ComponentStatus`]: { conditions },
  'io.k8s.api.apps.v1.DeploymentSpec': { strategy: { strategy: 'retainKeys' } },
  'io.k8s.api.apps.v1.DeploymentStatus': { conditions },
  'io.k8s.api.apps.v1.DaemonSetStatus': { conditions },
  'io.k8s.api.apps.v1.ReplicaSetStatus': { conditions },
  'io.k8s.api.apps.v1.StatefulSetStatus': { conditions },
  'io.k8s.api.batch.v1.JobStatus': { conditions: { ...conditions, listType: 'atomic' } },
  'io.k8s.api.batch.v1.CronJobStatus': { active: atomic },
  'io.k8s.api.policy.v1.PodDisruptionBudgetSpec': { selector: { strategy: 'replace' } },
  'io.k8s.api.policy.v1.PodDisruptionBudgetStatus': {
    conditions: { ...conditions, listType: 'map', listMapKeys: ['type'] },
  },
  'io.k8s.api.admissionregistration.v1.MutatingWebhookConfiguration': { webhooks: merge('name') },
  'io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration': { webhooks: merge('name') },
  'io.k8s.api.storage.v1.CSINodeSpec': { drivers: merge('name') },
  'io.k8s.api.discovery.v1.Endpoint': { addresses: { listType: 'set' } },
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus': {
    conditions: { listType: 'map', listMapKeys: ['type'] },
  },
  'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIServiceStatus': {
    conditions: { ...conditions, listType: 'map', listMapKeys: ['type'] },
  },
};

/** Schema names whose objects are replaced as a whole by server-side apply (`x-kubernetes-map-type: atomic`). */
export const ATOMIC_STRUCTS: ReadonlySet<string> = new Set([
  `${META}.LabelSelector`,
  `${CORE}.LocalObjectReference`,
  `${CORE}.ObjectReference`,
  `${CORE}.TypedLocalObjectReference`,
  `${CORE}.TypedObjectReference`,
  `${CORE}.SecretKeySelector`,
  `${CORE}.ConfigMapKeySelector`,
  `${CORE}.ObjectFieldSelector`,
  `${CORE}.ResourceFieldSelector`,
  `${CORE}.NodeSelector`,
  `${CORE}.NodeSelectorTerm`,
  `${CORE}.TopologySelectorTerm`,
  `${CORE}.SecretReference`,
  `${CORE}.ConfigMapNodeConfigSource`,
]);

/** Resolves the server-side-apply list type implied by a field's facts. */
export function listTypeOf(facts: FieldFacts | undefined): {
  listType: 'atomic' | 'set' | 'map';
  keys?: readonly string[];
} {
  if (!facts) return { listType: 'atomic' };
  if (facts.listType === 'map' || (!facts.listType && facts.mergeKey && facts.strategy?.includes('merge'))) {
    return { listType: 'map', keys: facts.listMapKeys ?? (facts.mergeKey ? [facts.mergeKey] : []) };
  }
  if (facts.listType) return { listType: facts.listType };
  if (facts.strategy?.includes('merge')) return { listType: 'set' };
  return { listType: 'atomic' };
}
