import { formatLabelSelector, formatLabels, humanDuration, timestampSince } from './format.js';

/** A `meta.k8s.io/v1` TableColumnDefinition. */
export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** The columns and the row function of one kind, as the real API server prints it. */
export interface Printer {
  columns: ColumnDefinition[];
  cells(obj: Obj, now: number): unknown[];
}

// biome-ignore lint/suspicious/noExplicitAny: printers read arbitrary JSON objects
type Obj = any;

const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

function col(name: string, type: string, description: string, priority = 0, format = ''): ColumnDefinition {
  return { name, type, format, description, priority };
}

/** The Name column every table starts with. */
export const NAME_COLUMN: ColumnDefinition = col('Name', 'string', NAME_DESCRIPTION, 0, 'name');
const AGE = col('Age', 'string', AGE_DESCRIPTION);
const CONTAINERS = col('Containers', 'string', 'Names of each container in the template.', 1);
const IMAGES = col('Images', 'string', 'Images referenced by each container in the template.', 1);
const SELECTOR = col('Selector', 'string', 'A label query over pods.', 1);

function age(o: Obj, now: number): string {
  return timestampSince(o?.metadata?.creationTimestamp, now);
}

function int(v: unknown): number {
  return typeof v === 'number' ? Math.trunc(v) : 0;
}

function containerCells(containers: Obj): [string, string] {
  const list: Obj[] = Array.isArray(containers) ? containers : [];
  return [list.map((c) => c?.name ?? '').join(','), list.map((c) => c?.image ?? '').join(',')];
}

function len(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (typeof v === 'object' && v !== null) return Object.keys(v).length;
  return 0;
}

function conditionTrue(conditions: Obj, type: string): boolean {
  if (!Array.isArray(conditions)) return false;
  const c = conditions.find((x: Obj) => x?.type === type);
  return c?.status === 'True';
}

function podCells(pod: Obj, now: number): unknown[] {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const containers: Obj[] = Array.isArray(spec.containers) ? spec.containers : [];
  const initContainers: Obj[] = Array.isArray(spec.initContainers) ? spec.initContainers : [];
  const restartable = new Set(initContainers.filter((c) => c?.restartPolicy === 'Always').map((c) => c.name));
  const total = containers.length + restartable.size;
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  let reason: string = status.reason || status.phase || '';
  for (const c of Array.isArray(status.conditions) ? status.conditions : []) {
    if (c?.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }
  const noteRestart = (cs: Obj): void => {
    const finished = Date.parse(cs?.lastState?.terminated?.finishedAt ?? '');
    if (!Number.isNaN(finished) && finished > lastRestart) lastRestart = finished;
  };
  let initializing = false;
  const initStatuses: Obj[] = Array.isArray(status.initContainerStatuses) ? status.initContainerStatuses : [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    restarts += int(cs.restartCount);
    noteRestart(cs);
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated && int(terminated.exitCode) === 0) continue;
    if (restartable.has(cs.name) && cs.started) {
      if (cs.ready) ready++;
      continue;
    }
    if (terminated) {
      reason = terminated.reason
        ? `Init:${terminated.reason}`
        : terminated.signal
          ? `Init:Signal:${terminated.signal}`
          : `Init:ExitCode:${int(terminated.exitCode)}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }
  if (!initializing || conditionTrue(status.conditions, 'Initialized')) {
    let hasRunning = false;
    let errorReason = '';
    const statuses: Obj[] = Array.isArray(status.containerStatuses) ? status.containerStatuses : [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += int(cs.restartCount);
      noteRestart(cs);
      const waiting = cs.state?.waiting;
      const terminated = cs.state?.terminated;
      if (waiting?.reason) {
        reason = waiting.reason;
      } else if (terminated) {
        reason = terminated.reason
          ? terminated.reason
          : terminated.signal
            ? `Signal:${terminated.signal}`
            : `ExitCode:${int(terminated.exitCode)}`;
        if (int(terminated.exitCode) !== 0) errorReason = reason;
      } else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed') {
      if (hasRunning && conditionTrue(status.conditions, 'Ready')) reason = 'Running';
      else if (errorReason) reason = errorReason;
      else if (hasRunning) reason = 'NotReady';
    }
  }
  const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
  if (pod.metadata?.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && !terminal) reason = 'Terminating';
  const restartText =
    restarts !== 0 && lastRestart > 0
      ? `${restarts} (${humanDuration(now - lastRestart)} ago)`
      : String(restarts);
  const podIP = (Array.isArray(status.podIPs) && status.podIPs[0]?.ip) || status.podIP || '<none>';
  let gates = '<none>';
  if (Array.isArray(spec.readinessGates) && spec.readinessGates.length > 0) {
    const trueCount = spec.readinessGates.filter((g: Obj) =>
      conditionTrue(status.conditions, g?.conditionType),
    ).length;
    gates = `${trueCount}/${spec.readinessGates.length}`;
  }
  return [
    pod.metadata?.name,
    `${ready}/${total}`,
    reason,
    restartText,
    age(pod, now),
    podIP,
    spec.nodeName || '<none>',
    status.nominatedNodeName || '<none>',
    gates,
  ];
}

function jobCells(job: Obj, now: number): unknown[] {
  const spec = job.spec ?? {};
  const status = job.status ?? {};
  let completions: string;
  if (typeof spec.completions === 'number') completions = `${int(status.succeeded)}/${spec.completions}`;
  else if (int(spec.parallelism) > 1) completions = `${int(status.succeeded)}/1 of ${spec.parallelism}`;
  else completions = `${int(status.succeeded)}/1`;
  let duration = '';
  const start = Date.parse(status.startTime ?? '');
  if (!Number.isNaN(start)) {
    const end = Date.parse(status.completionTime ?? '');
    duration = humanDuration((Number.isNaN(end) ? now : end) - start);
  }
  const conditions = status.conditions;
  let state = 'Running';
  if (conditionTrue(conditions, 'Complete')) state = 'Complete';
  else if (conditionTrue(conditions, 'Failed')) state = 'Failed';
  else if (job.metadata?.deletionTimestamp) state = 'Terminating';
  else if (conditionTrue(conditions, 'Suspended')) state = 'Suspended';
  else if (conditionTrue(conditions, 'FailureTarget')) state = 'FailureTarget';
  else if (conditionTrue(conditions, 'SuccessCriteriaMet')) state = 'SuccessCriteriaMet';
  const [names, images] = containerCells(spec.template?.spec?.containers);
  return [
    job.metadata?.name,
    state,
    completions,
    duration,
    age(job, now),
    names,
    images,
    formatLabelSelector(spec.selector),
  ];
}

function serviceExternalIP(svc: Obj): string {
  const spec = svc.spec ?? {};
  const externalIPs: string[] = Array.isArray(spec.externalIPs) ? spec.externalIPs : [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIPs(svc.status?.loadBalancer);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function loadBalancerIPs(lb: Obj): string {
  const set = new Set<string>();
  for (const i of Array.isArray(lb?.ingress) ? lb.ingress : []) {
    if (i?.ip) set.add(i.ip);
    else if (i?.hostname) set.add(i.hostname);
  }
  return [...set].sort().join(',');
}

function servicePorts(ports: Obj): string {
  if (!Array.isArray(ports) || ports.length === 0) return '<none>';
  return ports
    .map((p: Obj) =>
      int(p?.nodePort) > 0
        ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}`
        : `${p?.port}/${p?.protocol ?? 'TCP'}`,
    )
    .join(',');
}

function eventCells(e: Obj, now: number): unknown[] {
  const series = e.series;
  const eventTime = e.eventTime;
  let firstSeen: string;
  let lastSeen: string;
  let count = int(e.count);
  if (series) {
    firstSeen = timestampSince(e.firstTimestamp || eventTime, now);
    lastSeen = timestampSince(series.lastObservedTime, now);
    count = int(series.count);
  } else {
    firstSeen = e.firstTimestamp ? timestampSince(e.firstTimestamp, now) : timestampSince(eventTime, now);
    lastSeen = e.lastTimestamp ? timestampSince(e.lastTimestamp, now) : timestampSince(eventTime, now);
  }
  if (count > 1) lastSeen = `${lastSeen} (x${count} over ${firstSeen})`;
  const involved = e.involvedObject ?? {};
  const target = `${String(involved.kind ?? '').toLowerCase()}/${involved.name ?? ''}`;
  const source = e.source ?? {};
  let sourceText = source.component || e.reportingComponent || e.reportingController || '';
  const host = source.host || e.reportingInstance || '';
  if (host) sourceText = sourceText ? `${sourceText}, ${host}` : host;
  return [
    lastSeen,
    e.type ?? '',
    e.reason ?? '',
    target,
    involved.fieldPath ?? '',
    sourceText,
    String(e.message ?? '').trim(),
    firstSeen,
    count,
    e.metadata?.name,
  ];
}

/** Maps an `events.k8s.io/v1` Event onto the core Event fields the printer reads. */
function fromEventsV1(e: Obj): Obj {
  return {
    metadata: e.metadata,
    involvedObject: e.regarding ?? {},
    reason: e.reason,
    message: e.note,
    type: e.type,
    count: e.deprecatedCount,
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    eventTime: e.eventTime,
    series: e.series,
    source: e.deprecatedSource,
    reportingController: e.reportingController,
    reportingInstance: e.reportingInstance,
  };
}

const ACCESS_MODES: Record<string, string> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

function accessModes(modes: Obj): string {
  if (!Array.isArray(modes)) return '';
  const seen: string[] = [];
  for (const m of ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod']) {
    if (modes.includes(m)) seen.push(ACCESS_MODES[m]!);
  }
  return seen.join(',');
}

function storageClassOf(o: Obj): string {
  return (
    o.spec?.storageClassName ?? o.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? ''
  );
}

function nodeStatus(node: Obj): string {
  const conditions: Obj[] = Array.isArray(node.status?.conditions) ? node.status.conditions : [];
  const ready = conditions.find((c) => c?.type === 'Ready');
  const states = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) states.push('SchedulingDisabled');
  return states.join(',');
}

function nodeRoles(node: Obj): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries<string>(node.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) {
      roles.add(k.slice('node-role.kubernetes.io/'.length));
    } else if (k === 'kubernetes.io/role' && v) {
      roles.add(v);
    }
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

function nodeAddress(node: Obj, type: string): string {
  const a = (Array.isArray(node.status?.addresses) ? node.status.addresses : []).find(
    (x: Obj) => x?.type === type,
  );
  return a?.address || '<none>';
}

function subjects(binding: Obj, kind: string): string {
  const list: Obj[] = Array.isArray(binding.subjects) ? binding.subjects : [];
  return list
    .filter((s) => s?.kind === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}:${s.name}` : s.name))
    .join(', ');
}

function endpointsText(ep: Obj): string {
  const pieces: string[] = [];
  let total = 0;
  for (const subset of Array.isArray(ep.subsets) ? ep.subsets : []) {
    const ports: Obj[] = Array.isArray(subset?.ports) && subset.ports.length > 0 ? subset.ports : [undefined];
    for (const addr of Array.isArray(subset?.addresses) ? subset.addresses : []) {
      for (const port of ports) {
        total++;
        if (pieces.length < 3) pieces.push(port ? `${addr.ip}:${port.port}` : addr.ip);
      }
    }
  }
  if (total === 0) return '<none>';
  return total > 3 ? `${pieces.join(',')} + ${total - 3} more...` : pieces.join(',');
}

function intOrString(v: unknown): string {
  return v === undefined || v === null ? 'N/A' : String(v);
}

const workloadColumns = (first: ColumnDefinition[]): ColumnDefinition[] => [
  NAME_COLUMN,
  ...first,
  AGE,
  CONTAINERS,
  IMAGES,
  SELECTOR,
];

/** Printers of built-in kinds, keyed by `group/Kind`. Kinds without one get Name and Created At. */
export const BUILTIN_PRINTERS: ReadonlyMap<string, Printer> = new Map<string, Printer>([
  [
    '/Pod',
    {
      columns: [
        NAME_COLUMN,
        col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
        col('Status', 'string', 'The aggregate status of the containers in this pod.'),
        col(
          'Restarts',
          'string',
          'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
        ),
        AGE,
        col('IP', 'string', 'podIP address allocated to the pod.', 1),
        col('Node', 'string', 'NodeName indicates in which node this pod is scheduled.', 1),
        col(
          'Nominated Node',
          'string',
          'nominatedNodeName is set only when this pod preempts other pods on the node.',
          1,
        ),
        col(
          'Readiness Gates',
          'string',
          'If specified, all readiness gates will be evaluated for pod readiness.',
          1,
        ),
      ],
      cells: podCells,
    },
  ],
  [
    '/PodTemplate',
    {
      columns: [
        NAME_COLUMN,
        col('Containers', 'string', 'Names of each container in the template.'),
        col('Images', 'string', 'Images referenced by each container in the template.'),
        col('Pod Labels', 'string', 'The labels for the pod template.'),
      ],
      cells: (o) => [
        o.metadata?.name,
        ...containerCells(o.template?.spec?.containers),
        formatLabels(o.template?.metadata?.labels),
      ],
    },
  ],
  [
    '/ReplicationController',
    {
      columns: workloadColumns([
        col('Desired', 'integer', 'Replicas is the number of desired replicas.'),
        col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
        col('Ready', 'integer', 'The number of ready replicas for this replication controller.'),
      ]),
      cells: (o, now) => [
        o.metadata?.name,
        int(o.spec?.replicas),
        int(o.status?.replicas),
        int(o.status?.readyReplicas),
        age(o, now),
        ...containerCells(o.spec?.template?.spec?.containers),
        formatLabels(o.spec?.selector),
      ],
    },
  ],
  [
    'apps/ReplicaSet',
    {
      columns: workloadColumns([
        col('Desired', 'integer', 'Replicas is the number of desired pods.'),
        col('Current', 'integer', 'Replicas is the most recently observed number of non-terminating pods.'),
        col(
          'Ready',
          'integer',
          'The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.',
        ),
      ]),
      cells: (o, now) => [
        o.metadata?.name,
        int(o.spec?.replicas ?? 1),
        int(o.status?.replicas),
        int(o.status?.readyReplicas),
        age(o, now),
        ...containerCells(o.spec?.template?.spec?.containers),
        formatLabelSelector(o.spec?.selector),
      ],
    },
  ],
  [
    'apps/Deployment',
    {
      columns: workloadColumns([
        col('Ready', 'string', 'Number of the pod with ready state'),
        col(
          'Up-to-date',
          'string',
          'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
        ),
        col(
          'Available',
          'string',
          'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
        ),
      ]),
      cells: (o, now) => [
        o.metadata?.name,
        `${int(o.status?.readyReplicas)}/${int(o.spec?.replicas ?? 1)}`,
        int(o.status?.updatedReplicas),
        int(o.status?.availableReplicas),
        age(o, now),
        ...containerCells(o.spec?.template?.spec?.containers),
        formatLabelSelector(o.spec?.selector),
      ],
    },
  ],
  [
    'apps/StatefulSet',
    {
      columns: [
        NAME_COLUMN,
        col('Ready', 'string', 'Number of the pod with ready state'),
        AGE,
        CONTAINERS,
        IMAGES,
      ],
      cells: (o, now) => [
        o.metadata?.name,
        `${int(o.status?.readyReplicas)}/${int(o.spec?.replicas ?? 1)}`,
        age(o, now),
        ...containerCells(o.spec?.template?.spec?.containers),
      ],
    },
  ],
  [
    'apps/DaemonSet',
    {
      columns: [
        NAME_COLUMN,
        col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
        col(
          'Current',
          'integer',
          'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.',
        ),
        col(
          'Ready',
          'integer',
          'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
        ),
        col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
        col(
          'Available',
          'integer',
          'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.',
        ),
        col(
          'Node Selector',
          'string',
          'NodeSelector is a selector which must be true for the pod to fit on a node.',
        ),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
      ],
      cells: (o, now) => [
        o.metadata?.name,
        int(o.status?.desiredNumberScheduled),
        int(o.status?.currentNumberScheduled),
        int(o.status?.numberReady),
        int(o.status?.updatedNumberScheduled),
        int(o.status?.numberAvailable),
        formatLabels(o.spec?.template?.spec?.nodeSelector),
        age(o, now),
        ...containerCells(o.spec?.template?.spec?.containers),
        formatLabelSelector(o.spec?.selector),
      ],
    },
  ],
  [
    'batch/Job',
    {
      columns: [
        NAME_COLUMN,
        col('Status', 'string', 'Status of the job.'),
        col('Completions', 'string', 'The number of pods which reached phase Succeeded.'),
        col('Duration', 'string', 'Time required to complete the job.'),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
      ],
      cells: jobCells,
    },
  ],
  [
    'batch/CronJob',
    {
      columns: [
        NAME_COLUMN,
        col('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
        col('Timezone', 'string', 'The time zone name for the given schedule.'),
        col('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions.'),
        col('Active', 'integer', 'A list of pointers to currently running jobs.'),
        col(
          'Last Schedule',
          'string',
          'Information when was the last time the job was successfully scheduled.',
        ),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
      ],
      cells: (o, now) => [
        o.metadata?.name,
        o.spec?.schedule ?? '',
        o.spec?.timeZone ?? '<none>',
        o.spec?.suspend === undefined || o.spec?.suspend === null ? '<unset>' : String(o.spec.suspend),
        len(o.status?.active),
        o.status?.lastScheduleTime ? timestampSince(o.status.lastScheduleTime, now) : '<none>',
        age(o, now),
        ...containerCells(o.spec?.jobTemplate?.spec?.template?.spec?.containers),
        formatLabelSelector(o.spec?.jobTemplate?.spec?.selector),
      ],
    },
  ],
  [
    '/Service',
    {
      columns: [
        NAME_COLUMN,
        col('Type', 'string', 'type determines how the Service is exposed.'),
        col('Cluster-IP', 'string', 'clusterIP is the IP address of the service.'),
        col(
          'External-IP',
          'string',
          'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
        ),
        col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
        AGE,
        col(
          'Selector',
          'string',
          'Route service traffic to pods with label keys and values matching this selector.',
          1,
        ),
      ],
      cells: (o, now) => [
        o.metadata?.name,
        o.spec?.type ?? 'ClusterIP',
        (Array.isArray(o.spec?.clusterIPs) && o.spec.clusterIPs[0]) || o.spec?.clusterIP || '<none>',
        serviceExternalIP(o),
        servicePorts(o.spec?.ports),
        age(o, now),
        formatLabels(o.spec?.selector),
      ],
    },
  ],
  [
    'networking.k8s.io/Ingress',
    {
      columns: [
        NAME_COLUMN,
        col(
          'Class',
          'string',
          'The name of the IngressClass resource that should be used for additional configuration',
        ),
        col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
        col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
        col('Ports', 'string', 'Ports of TLS configurations that open'),
        AGE,
      ],
      cells: (o, now) => {
        const rules: Obj[] = Array.isArray(o.spec?.rules) ? o.spec.rules : [];
        const hosts = rules.map((r) => r?.host).filter(Boolean) as string[];
        let hostText = hosts.length === 0 ? '*' : hosts.slice(0, 3).join(',');
        if (hosts.length > 0 && rules.length > 3) hostText += ` + ${rules.length - 3} more...`;
        return [
          o.metadata?.name,
          o.spec?.ingressClassName ?? '<none>',
          hostText,
          loadBalancerIPs(o.status?.loadBalancer),
          len(o.spec?.tls) > 0 ? '80, 443' : '80',
          age(o, now),
        ];
      },
    },
  ],
  [
    'networking.k8s.io/IngressClass',
    {
      columns: [
        NAME_COLUMN,
        col('Controller', 'string', 'Controller that is responsible for handling this class'),
        col('Parameters', 'string', 'A reference to a resource with additional parameters'),
        AGE,
      ],
      cells: (o, now) => {
        const p = o.spec?.parameters;
        const params = p ? `${p.kind}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name}` : '<none>';
        return [o.metadata?.name, o.spec?.controller ?? '', params, age(o, now)];
      },
    },
  ],
  [
    'networking.k8s.io/NetworkPolicy',
    {
      columns: [
        NAME_COLUMN,
        col('Pod-Selector', 'string', 'Selects the pods to which this NetworkPolicy object applies.'),
        AGE,
      ],
      cells: (o, now) => [
        o.metadata?.name,
        formatLabelSelector(o.spec?.podSelector).replace('<none>', ''),
        age(o, now),
      ],
    },
  ],
  [
    '/Endpoints',
    {
      columns: [
        NAME_COLUMN,
        col('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'),
        AGE,
      ],
      cells: (o, now) => [o.metadata?.name, endpointsText(o), age(o, now)],
    },
  ],
  [
    'discovery.k8s.io/EndpointSlice',
    {
      columns: [
        NAME_COLUMN,
        col(
          'AddressType',
          'string',
          'addressType specifies the type of address carried by this EndpointSlice.',
        ),
        col(
          'Ports',
          'string',
          'ports specifies the list of network ports exposed by each endpoint in this slice.',
        ),
        col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
        AGE,
      ],
      cells: (o, now) => {
        const ports: Obj[] = Array.isArray(o.ports) ? o.ports : [];
        const addrs: string[] = (Array.isArray(o.endpoints) ? o.endpoints : []).flatMap(
          (e: Obj) => e?.addresses ?? [],
        );
        const addrText =
          addrs.length === 0
            ? '<unset>'
            : addrs.length > 3
              ? `${addrs.slice(0, 3).join(',')} + ${addrs.length - 3} more...`
              : addrs.join(',');
        return [
          o.metadata?.name,
          o.addressType ?? '',
          ports.length === 0 ? '<unset>' : ports.map((p) => p?.port ?? '').join(','),
          addrText,
          age(o, now),
        ];
      },
    },
  ],
  [
    '/Node',
    {
      columns: [
        NAME_COLUMN,
        col('Status', 'string', 'The status of the node'),
        col('Roles', 'string', 'The roles of the node'),
        AGE,
        col('Version', 'string', 'Kubelet Version reported by the node.'),
        col('Internal-IP', 'string', 'List of addresses reachable to the node.', 1),
        col('External-IP', 'string', 'List of addresses reachable to the node.', 1),
        col(
          'OS-Image',
          'string',
          'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
          1,
        ),
        col(
          'Kernel-Version',
          'string',
          "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
          1,
        ),
        col(
          'Container-Runtime',
          'string',
          'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
          1,
        ),
      ],
      cells: (o, now) => {
        const info = o.status?.nodeInfo ?? {};
        return [
          o.metadata?.name,
          nodeStatus(o),
          nodeRoles(o),
          age(o, now),
          info.kubeletVersion ?? '',
          nodeAddress(o, 'InternalIP'),
          nodeAddress(o, 'ExternalIP'),
          info.osImage || '<unknown>',
          info.kernelVersion || '<unknown>',
          info.containerRuntimeVersion || '<unknown>',
        ];
      },
    },
  ],
  [
    '/Event',
    {
      columns: eventColumns(),
      cells: eventCells,
    },
  ],
  [
    'events.k8s.io/Event',
    {
      columns: eventColumns(),
      cells: (o, now) => eventCells(fromEventsV1(o), now),
    },
  ],
  [
    '/Namespace',
    {
      columns: [NAME_COLUMN, col('Status', 'string', 'The status of the namespace'), AGE],
      cells: (o, now) => [o.metadata?.name, o.status?.phase ?? '', age(o, now)],
    },
  ],
  [
    '/Secret',
    {
      columns: [
        NAME_COLUMN,
        col('Type', 'string', 'Used to facilitate programmatic handling of secret data.'),
        col('Data', 'string', 'Data contains the secret data.'),
        AGE,
      ],
      cells: (o, now) => [o.metadata?.name, o.type ?? 'Opaque', len(o.data), age(o, now)],
    },
  ],
  [
    '/ConfigMap',
    {
      columns: [NAME_COLUMN, col('Data', 'string', 'Data contains the configuration data.'), AGE],
      cells: (o, now) => [o.metadata?.name, len(o.data) + len(o.binaryData), age(o, now)],
    },
  ],
  [
    '/ServiceAccount',
    {
      columns: [NAME_COLUMN, AGE],
      cells: (o, now) => [o.metadata?.name, age(o, now)],
    },
  ],
  [
    '/PersistentVolumeClaim',
    {
      columns: [
        NAME_COLUMN,
        col('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
        col(
          'Volume',
          'string',
          'volumeName is the binding reference to the PersistentVolume backing this claim.',
        ),
        col('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
        col(
          'Access Modes',
          'string',
          'accessModes contains the actual access modes the volume backing the PVC has.',
        ),
        col('StorageClass', 'string', 'StorageClass of the pvc'),
        col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
        AGE,
        col('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim.', 1),
      ],
      cells: (o, now) => {
        const bound = o.spec?.volumeName;
        return [
          o.metadata?.name,
          o.metadata?.deletionTimestamp ? 'Terminating' : (o.status?.phase ?? ''),
          bound ?? '',
          bound ? (o.status?.capacity?.storage ?? '') : '',
          bound ? accessModes(o.status?.accessModes) : '',
          storageClassOf(o),
          o.spec?.volumeAttributesClassName ?? '<unset>',
          age(o, now),
          o.spec?.volumeMode ?? '<unset>',
        ];
      },
    },
  ],
  [
    '/PersistentVolume',
    {
      columns: [
        NAME_COLUMN,
        col(
          'Capacity',
          'string',
          "capacity is the description of the persistent volume's resources and capacity.",
        ),
        col('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted.'),
        col(
          'Reclaim Policy',
          'string',
          'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.',
        ),
        col(
          'Status',
          'string',
          'phase indicates if a volume is available, bound to a claim, or released by a claim.',
        ),
        col(
          'Claim',
          'string',
          'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.',
        ),
        col('StorageClass', 'string', 'StorageClass of the pv'),
        col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
        col('Reason', 'string', 'reason is a brief CamelCase string that describes any failure.'),
        AGE,
        col(
          'VolumeMode',
          'string',
          'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.',
          1,
        ),
      ],
      cells: (o, now) => {
        const claim = o.spec?.claimRef;
        return [
          o.metadata?.name,
          o.spec?.capacity?.storage ?? '',
          accessModes(o.spec?.accessModes),
          o.spec?.persistentVolumeReclaimPolicy ?? '',
          o.metadata?.deletionTimestamp ? 'Terminating' : (o.status?.phase ?? ''),
          claim ? `${claim.namespace ?? ''}/${claim.name ?? ''}` : '',
          storageClassOf(o),
          o.spec?.volumeAttributesClassName ?? '<unset>',
          o.status?.reason ?? '',
          age(o, now),
          o.spec?.volumeMode ?? '<unset>',
        ];
      },
    },
  ],
  [
    'coordination.k8s.io/Lease',
    {
      columns: [
        NAME_COLUMN,
        col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'),
        AGE,
      ],
      cells: (o, now) => [o.metadata?.name, o.spec?.holderIdentity ?? '', age(o, now)],
    },
  ],
  [
    'policy/PodDisruptionBudget',
    {
      columns: [
        NAME_COLUMN,
        col('Min Available', 'string', 'The minimum number of pods that must be available.'),
        col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
        col(
          'Allowed Disruptions',
          'integer',
          'Calculated number of pods that may be disrupted at this time.',
        ),
        AGE,
      ],
      cells: (o, now) => [
        o.metadata?.name,
        intOrString(o.spec?.minAvailable),
        intOrString(o.spec?.maxUnavailable),
        int(o.status?.disruptionsAllowed),
        age(o, now),
      ],
    },
  ],
  [
    'autoscaling/HorizontalPodAutoscaler',
    {
      columns: [
        NAME_COLUMN,
        col('Reference', 'string', 'reference to scaled resource'),
        col(
          'Targets',
          'string',
          'metrics contains the specifications for which to use to calculate the desired replica count',
        ),
        col('MinPods', 'string', 'minReplicas is the lower limit for the number of replicas'),
        col('MaxPods', 'string', 'maxReplicas is the upper limit for the number of replicas'),
        col(
          'Replicas',
          'string',
          'currentReplicas is current number of replicas of pods managed by this autoscaler',
        ),
        AGE,
      ],
      cells: (o, now) => {
        const ref = o.spec?.scaleTargetRef ?? {};
        return [
          o.metadata?.name,
          `${ref.kind ?? ''}/${ref.name ?? ''}`,
          len(o.spec?.metrics) === 0 && o.spec?.targetCPUUtilizationPercentage === undefined
            ? '<none>'
            : '<unknown>',
          o.spec?.minReplicas === undefined ? '<unset>' : int(o.spec.minReplicas),
          int(o.spec?.maxReplicas),
          int(o.status?.currentReplicas),
          age(o, now),
        ];
      },
    },
  ],
  ...(['rbac.authorization.k8s.io/RoleBinding', 'rbac.authorization.k8s.io/ClusterRoleBinding'].map((key) => [
    key,
    {
      columns: [
        NAME_COLUMN,
        col(
          'Role',
          'string',
          'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.',
        ),
        AGE,
        col('Users', 'string', 'Users in the roleBinding', 1),
        col('Groups', 'string', 'Groups in the roleBinding', 1),
        col('ServiceAccounts', 'string', 'ServiceAccounts in the roleBinding', 1),
      ],
      cells: (o: Obj, now: number) => [
        o.metadata?.name,
        `${o.roleRef?.kind ?? ''}/${o.roleRef?.name ?? ''}`,
        age(o, now),
        subjects(o, 'User'),
        subjects(o, 'Group'),
        subjects(o, 'ServiceAccount'),
      ],
    },
  ]) as [string, Printer][]),
  [
    'storage.k8s.io/StorageClass',
    {
      columns: [
        NAME_COLUMN,
        col('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
        col(
          'ReclaimPolicy',
          'string',
          'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.',
        ),
        col(
          'VolumeBindingMode',
          'string',
          'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.',
        ),
        col(
          'AllowVolumeExpansion',
          'string',
          'allowVolumeExpansion shows whether the storage class allow volume expand.',
        ),
        AGE,
      ],
      cells: (o, now) => {
        const annotations = o.metadata?.annotations ?? {};
        const isDefault =
          annotations['storageclass.kubernetes.io/is-default-class'] === 'true' ||
          annotations['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
        return [
          isDefault ? `${o.metadata?.name} (default)` : o.metadata?.name,
          o.provisioner ?? '',
          o.reclaimPolicy ?? 'Delete',
          o.volumeBindingMode ?? 'Immediate',
          String(o.allowVolumeExpansion ?? false),
          age(o, now),
        ];
      },
    },
  ],
  [
    'scheduling.k8s.io/PriorityClass',
    {
      columns: [
        NAME_COLUMN,
        col('Value', 'integer', 'value represents the integer value of this priority class.'),
        col(
          'Global-Default',
          'boolean',
          'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.',
        ),
        AGE,
        col(
          'PreemptionPolicy',
          'string',
          'preemptionPolicy is the Policy for preempting pods with lower priority.',
        ),
      ],
      cells: (o, now) => [
        o.metadata?.name,
        int(o.value),
        o.globalDefault === true,
        age(o, now),
        o.preemptionPolicy ?? 'PreemptLowerPriority',
      ],
    },
  ],
  [
    'apps/ControllerRevision',
    {
      columns: [
        NAME_COLUMN,
        col('Controller', 'string', 'Controller of the object'),
        col('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
        AGE,
      ],
      cells: (o, now) => {
        const owner = (Array.isArray(o.metadata?.ownerReferences) ? o.metadata.ownerReferences : []).find(
          (r: Obj) => r?.controller,
        );
        const group = owner ? String(owner.apiVersion ?? '').split('/') : [];
        const controller = owner
          ? `${String(owner.kind).toLowerCase()}${group.length > 1 ? `.${group[0]}` : ''}/${owner.name}`
          : '<none>';
        return [o.metadata?.name, controller, int(o.revision), age(o, now)];
      },
    },
  ],
  ...([
    'admissionregistration.k8s.io/MutatingWebhookConfiguration',
    'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  ].map((key) => [
    key,
    {
      columns: [
        NAME_COLUMN,
        col(
          'Webhooks',
          'integer',
          'Webhooks indicates the number of webhooks registered in this configuration',
        ),
        AGE,
      ],
      cells: (o: Obj, now: number) => [o.metadata?.name, len(o.webhooks), age(o, now)],
    },
  ]) as [string, Printer][]),
  [
    '/ResourceQuota',
    {
      columns: [
        NAME_COLUMN,
        AGE,
        col(
          'Request',
          'string',
          'Request represents a minimum amount of cpu/memory that a container may consume.',
        ),
        col(
          'Limit',
          'string',
          'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
        ),
      ],
      cells: (o, now) => {
        const hard: Record<string, string> = o.status?.hard ?? o.spec?.hard ?? {};
        const used: Record<string, string> = o.status?.used ?? {};
        const requests: string[] = [];
        const limits: string[] = [];
        for (const k of Object.keys(hard).sort()) {
          const text = `${k}: ${used[k] ?? '0'}/${hard[k]}`;
          if (k.startsWith('limits.')) limits.push(text);
          else requests.push(text);
        }
        return [o.metadata?.name, age(o, now), requests.join(', '), limits.join(', ')];
      },
    },
  ],
]);

function eventColumns(): ColumnDefinition[] {
  return [
    col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col(
      'Reason',
      'string',
      "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    col('Object', 'string', 'The object that this event is about.'),
    col(
      'Subobject',
      'string',
      'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.',
      1,
    ),
    col(
      'Source',
      'string',
      'The component reporting this event. Should be a short machine understandable string.',
      1,
    ),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    col(
      'First Seen',
      'string',
      'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
      1,
    ),
    col('Count', 'string', 'The number of times this event has occurred.', 1),
    { ...NAME_COLUMN, priority: 1 },
  ];
}
