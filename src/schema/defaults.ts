// biome-ignore-all lint/suspicious/noExplicitAny: defaulting walks arbitrary decoded JSON objects
type Obj = Record<string, any>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Returns `o[key]` as an object, creating `{}` there when it is missing. */
function obj(o: Obj, key: string): Obj {
  if (!isObj(o[key])) o[key] = {};
  return o[key];
}

function setDefault(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

function each(list: unknown, fn: (item: Obj) => void): void {
  if (Array.isArray(list)) for (const item of list) if (isObj(item)) fn(item);
}

/** `Always` for `:latest` or untagged images, `IfNotPresent` for tags and digests, as the kubelet API defaults it. */
export function defaultPullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const tail = image.slice(lastSlash + 1);
  const colon = tail.lastIndexOf(':');
  if (colon < 0) return 'Always';
  return tail.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(p: unknown): void {
  if (!isObj(p)) return;
  setDefault(p, 'timeoutSeconds', 1);
  setDefault(p, 'periodSeconds', 10);
  setDefault(p, 'successThreshold', 1);
  setDefault(p, 'failureThreshold', 3);
  if (isObj(p.httpGet)) {
    setDefault(p.httpGet, 'path', '/');
    setDefault(p.httpGet, 'scheme', 'HTTP');
  }
  if (isObj(p.grpc)) setDefault(p.grpc, 'service', '');
}

function defaultLifecycleHandler(h: unknown): void {
  if (isObj(h) && isObj(h.httpGet)) {
    setDefault(h.httpGet, 'path', '/');
    setDefault(h.httpGet, 'scheme', 'HTTP');
  }
}

function defaultEnv(env: unknown): void {
  each(env, (e) => {
    const fieldRef = e.valueFrom?.fieldRef;
    if (isObj(fieldRef)) setDefault(fieldRef, 'apiVersion', 'v1');
  });
}

function defaultContainer(c: Obj, hostNetwork: boolean): void {
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  // Go serialises the non-pointer Resources struct as {} when empty; the API server's output carries it.
  if (!isObj(c.resources)) c.resources = {};
  each(c.ports, (p) => {
    setDefault(p, 'protocol', 'TCP');
    if (hostNetwork && p.hostPort === undefined) p.hostPort = p.containerPort;
  });
  defaultEnv(c.env);
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isObj(c.lifecycle)) {
    defaultLifecycleHandler(c.lifecycle.postStart);
    defaultLifecycleHandler(c.lifecycle.preStop);
  }
}

function defaultVolume(v: Obj): void {
  const sources = Object.keys(v).filter((k) => k !== 'name');
  if (sources.length === 0) v.emptyDir = {};
  for (const key of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    if (isObj(v[key])) setDefault(v[key], 'defaultMode', 420);
  }
  each(v.downwardAPI?.items, (i) => {
    if (isObj(i.fieldRef)) setDefault(i.fieldRef, 'apiVersion', 'v1');
  });
  each(v.projected?.sources, (s) => {
    each(s.downwardAPI?.items, (i) => {
      if (isObj(i.fieldRef)) setDefault(i.fieldRef, 'apiVersion', 'v1');
    });
    if (isObj(s.serviceAccountToken)) setDefault(s.serviceAccountToken, 'expirationSeconds', 3600);
  });
  if (isObj(v.hostPath)) setDefault(v.hostPath, 'type', '');
  if (isObj(v.iscsi)) setDefault(v.iscsi, 'iscsiInterface', 'default');
  if (isObj(v.azureDisk)) {
    setDefault(v.azureDisk, 'cachingMode', 'ReadWrite');
    setDefault(v.azureDisk, 'fsType', 'ext4');
    setDefault(v.azureDisk, 'readOnly', false);
    setDefault(v.azureDisk, 'kind', 'Shared');
  }
  if (isObj(v.ephemeral?.volumeClaimTemplate?.spec)) defaultPVCSpec(v.ephemeral.volumeClaimTemplate.spec);
}

function defaultPVCSpec(spec: Obj): void {
  setDefault(spec, 'volumeMode', 'Filesystem');
}

/** Defaults of a PodSpec (wherever it appears: Pods and every pod template). */
export function defaultPodSpec(spec: Obj): void {
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  const hostNetwork = spec.hostNetwork === true;
  each(spec.initContainers, (c) => defaultContainer(c, hostNetwork));
  each(spec.containers, (c) => defaultContainer(c, hostNetwork));
  each(spec.ephemeralContainers, (c) => defaultContainer(c, hostNetwork));
  each(spec.volumes, defaultVolume);
}

function defaultTemplate(template: unknown): void {
  if (isObj(template) && isObj(template.spec)) defaultPodSpec(template.spec);
}

function defaultService(svc: Obj): void {
  const spec = obj(svc, 'spec');
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = obj(obj(spec, 'sessionAffinityConfig'), 'clientIP');
    setDefault(cfg, 'timeoutSeconds', 10800);
  }
  each(spec.ports, (p) => {
    setDefault(p, 'protocol', 'TCP');
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') {
      p.targetPort = p.port;
    }
  });
  const type = spec.type;
  if (type === 'NodePort' || type === 'LoadBalancer') setDefault(spec, 'externalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  if (type !== 'ExternalName') {
    setDefault(spec, 'internalTrafficPolicy', 'Cluster');
    setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
    setDefault(spec, 'ipFamilies', ['IPv4']);
  }
}

function defaultDeployment(d: Obj): void {
  const spec = obj(d, 'spec');
  setDefault(spec, 'replicas', 1);
  const strategy = obj(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = obj(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', '25%');
    setDefault(ru, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultTemplate(spec.template);
}

function defaultStatefulSet(s: Obj): void {
  const spec = obj(s, 'spec');
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = obj(spec, 'updateStrategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') setDefault(obj(strategy, 'rollingUpdate'), 'partition', 0);
  setDefault(spec, 'revisionHistoryLimit', 10);
  const retention = obj(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefault(retention, 'whenDeleted', 'Retain');
  setDefault(retention, 'whenScaled', 'Retain');
  each(spec.volumeClaimTemplates, (pvc) => {
    defaultPVCSpec(obj(pvc, 'spec'));
    setDefault(obj(pvc, 'status'), 'phase', 'Pending');
  });
  defaultTemplate(spec.template);
}

function defaultDaemonSet(ds: Obj): void {
  const spec = obj(ds, 'spec');
  const strategy = obj(spec, 'updateStrategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = obj(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', 1);
    setDefault(ru, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultTemplate(spec.template);
}

function defaultJob(job: Obj): void {
  const spec = obj(job, 'spec');
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', spec.backoffLimitPerIndex != null ? 2147483647 : 6);
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'podReplacementPolicy', spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed');
  each(spec.podFailurePolicy?.rules, (rule) => {
    each(rule.onPodConditions, (c) => setDefault(c, 'status', 'True'));
  });
  const templateLabels = spec.template?.metadata?.labels;
  const meta = obj(job, 'metadata');
  if (isObj(templateLabels) && (!isObj(meta.labels) || Object.keys(meta.labels).length === 0)) {
    meta.labels = { ...templateLabels };
  }
  defaultTemplate(spec.template);
}

function defaultCronJob(cj: Obj): void {
  const spec = obj(cj, 'spec');
  setDefault(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  defaultTemplate(spec.jobTemplate?.spec?.template);
}

function defaultReplicationController(rc: Obj): void {
  const spec = obj(rc, 'spec');
  setDefault(spec, 'replicas', 1);
  const labels = spec.template?.metadata?.labels;
  if (isObj(labels)) {
    if (!isObj(spec.selector) || Object.keys(spec.selector).length === 0) spec.selector = { ...labels };
    const meta = obj(rc, 'metadata');
    if (!isObj(meta.labels) || Object.keys(meta.labels).length === 0) meta.labels = { ...labels };
  }
  setDefault(spec, 'minReadySeconds', 0);
  defaultTemplate(spec.template);
}

function defaultPod(pod: Obj): void {
  const spec = obj(pod, 'spec');
  defaultPodSpec(spec);
  setDefault(spec, 'enableServiceLinks', true);
  // Set by the API server's default admission plugins (ServiceAccount, Priority).
  setDefault(spec, 'serviceAccountName', spec.serviceAccount ?? 'default');
  setDefault(spec, 'serviceAccount', spec.serviceAccountName);
  setDefault(spec, 'priority', 0);
  setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  setDefault(obj(pod, 'status'), 'phase', 'Pending');
  setDefault(pod.status, 'qosClass', qosClass(spec));
}

/** The QoS class the API server records on a Pod: from the containers' requests and limits. */
function qosClass(spec: Obj): string {
  const containers = [
    ...(Array.isArray(spec.containers) ? spec.containers : []),
    ...(Array.isArray(spec.initContainers) ? spec.initContainers : []),
  ];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const requests = isObj(c?.resources?.requests) ? c.resources.requests : {};
    const limits = isObj(c?.resources?.limits) ? c.resources.limits : {};
    for (const r of ['cpu', 'memory']) {
      if (requests[r] !== undefined || limits[r] !== undefined) any = true;
      const request = requests[r] ?? limits[r];
      if (limits[r] === undefined || String(request) !== String(limits[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function defaultNamespace(ns: Obj): void {
  const meta = obj(ns, 'metadata');
  if (typeof meta.name === 'string' && meta.name !== '') {
    const labels = obj(meta, 'labels');
    labels['kubernetes.io/metadata.name'] = meta.name;
  }
  setDefault(obj(ns, 'status'), 'phase', 'Active');
}

function defaultSubjects(binding: Obj): void {
  each(binding.subjects, (s) => {
    if (s.apiGroup === undefined || s.apiGroup === null) {
      s.apiGroup = s.kind === 'User' || s.kind === 'Group' ? 'rbac.authorization.k8s.io' : '';
    }
  });
}

function defaultWebhooks(cfg: Obj, mutating: boolean): void {
  each(cfg.webhooks, (w) => {
    setDefault(w, 'failurePolicy', 'Fail');
    setDefault(w, 'matchPolicy', 'Equivalent');
    setDefault(w, 'namespaceSelector', {});
    setDefault(w, 'objectSelector', {});
    setDefault(w, 'timeoutSeconds', 10);
    if (mutating) setDefault(w, 'reinvocationPolicy', 'Never');
    each(w.rules, (r) => setDefault(r, 'scope', '*'));
    if (isObj(w.clientConfig?.service)) setDefault(w.clientConfig.service, 'port', 443);
  });
}

function defaultCRD(crd: Obj): void {
  const spec = obj(crd, 'spec');
  const names = obj(spec, 'names');
  if (typeof names.kind === 'string' && names.kind !== '') {
    setDefault(names, 'singular', names.kind.toLowerCase());
    setDefault(names, 'listKind', `${names.kind}List`);
  }
  setDefault(spec, 'conversion', { strategy: 'None' });
  if (isObj(spec.conversion?.webhook?.clientConfig?.service)) {
    setDefault(spec.conversion.webhook.clientConfig.service, 'port', 443);
  }
}

const DEFAULTERS: Readonly<Record<string, (o: Obj) => void>> = {
  '/Pod': defaultPod,
  '/PodTemplate': (o) => defaultTemplate(o.template),
  '/ReplicationController': defaultReplicationController,
  '/Service': defaultService,
  '/Secret': (o) => setDefault(o, 'type', 'Opaque'),
  '/Namespace': defaultNamespace,
  '/PersistentVolumeClaim': (o) => {
    defaultPVCSpec(obj(o, 'spec'));
    setDefault(obj(o, 'status'), 'phase', 'Pending');
  },
  '/PersistentVolume': (o) => {
    const spec = obj(o, 'spec');
    setDefault(spec, 'persistentVolumeReclaimPolicy', 'Retain');
    setDefault(spec, 'volumeMode', 'Filesystem');
    setDefault(obj(o, 'status'), 'phase', 'Pending');
  },
  '/Endpoints': (o) => each(o.subsets, (s) => each(s.ports, (p) => setDefault(p, 'protocol', 'TCP'))),
  'apps/Deployment': defaultDeployment,
  'apps/StatefulSet': defaultStatefulSet,
  'apps/DaemonSet': defaultDaemonSet,
  'apps/ReplicaSet': (o) => {
    setDefault(obj(o, 'spec'), 'replicas', 1);
    defaultTemplate(o.spec.template);
  },
  'batch/Job': defaultJob,
  'batch/CronJob': defaultCronJob,
  'networking.k8s.io/NetworkPolicy': (o) => {
    const spec = obj(o, 'spec');
    if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
      spec.policyTypes =
        Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
    }
    for (const dir of ['ingress', 'egress'])
      each(spec[dir], (r) => each(r.ports, (p) => setDefault(p, 'protocol', 'TCP')));
  },
  'discovery.k8s.io/EndpointSlice': (o) => each(o.ports, (p) => setDefault(p, 'protocol', 'TCP')),
  'rbac.authorization.k8s.io/RoleBinding': defaultSubjects,
  'rbac.authorization.k8s.io/ClusterRoleBinding': defaultSubjects,
  'scheduling.k8s.io/PriorityClass': (o) => setDefault(o, 'preemptionPolicy', 'PreemptLowerPriority'),
  'storage.k8s.io/StorageClass': (o) => {
    setDefault(o, 'reclaimPolicy', 'Delete');
    setDefault(o, 'volumeBindingMode', 'Immediate');
  },
  'autoscaling/HorizontalPodAutoscaler': (o) => {
    const spec = obj(o, 'spec');
    setDefault(spec, 'minReplicas', 1);
  },
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': (o) => defaultWebhooks(o, true),
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': (o) => defaultWebhooks(o, false),
  'apiextensions.k8s.io/CustomResourceDefinition': defaultCRD,
};

/**
 * Fills in, in place, the defaults the Kubernetes API server sets on a built-in object of the given
 * group and kind (the `SetDefaults_*` functions of `pkg/apis/<group>/v1`, plus the defaults of the
 * API server's standard admission plugins for Pods): Deployment strategy and limits, pod template
 * defaults (container termination message, pull policy, DNS and restart policy, scheduler, …), Service
 * type and ports, Job and CronJob policies, Secret type, Namespace label, RBAC subject API groups, … .
 * Kinds without defaults are left unchanged. Custom resources take their defaults from their schema instead.
 */
export function applyDefaults(group: string, kind: string, object: Record<string, unknown>): void {
  DEFAULTERS[`${group}/${kind}`]?.(object as Obj);
}
