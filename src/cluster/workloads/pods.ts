import { createHash } from 'node:crypto';
import type { KubeObject, StoredObject } from '../storage/index.js';
import { type Context, MANAGERS } from './context.js';
import { type Condition, setCondition, stamp } from './support.js';

/** The address of the simulated node (and so of every pod's host). */
export const NODE_IP = '172.18.0.2';

/** The state a simulated pod is shown in. */
type PodMode = 'creating' | 'imagePull' | 'running' | 'unready' | 'crash' | 'succeeded' | 'failed';

const CRASH_BACKOFF_START_MS = 1000;
const CRASH_BACKOFF_MAX_MS = 300_000;

/** Whether a pod is Ready (its Ready condition is True). */
export function isPodReady(pod: KubeObject): boolean {
  return (pod.status?.conditions ?? []).some((c: Condition) => c.type === 'Ready' && c.status === 'True');
}

/** Whether a pod has finished (Succeeded or Failed). */
export function isPodDone(pod: KubeObject): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The scheduler and kubelet of the simulated node for one pod: binds an unscheduled pod to the node, shows
 * it as ContainerCreating for the pod's delay, then running and ready (restartPolicy Always) or completed
 * (Never, OnFailure), or in the failure its simulation asks for. Crash loops restart with a doubling back-off.
 */
export function reconcilePod(ctx: Context, key: string, stored: StoredObject): void {
  const pod = stored.object;
  if (pod.metadata?.deletionTimestamp || isPodDone(pod)) return;
  if (!pod.spec?.nodeName) {
    ctx.update(
      stored,
      (o) => {
        o.spec.nodeName = ctx.nodeName;
      },
      MANAGERS.scheduler,
    );
    return;
  }
  if (pod.spec.nodeName !== ctx.nodeName) return;
  const sim = ctx.simulated(pod);
  const waited = ctx.since(pod.metadata.uid, 'scheduled');
  const completes = (pod.spec.restartPolicy ?? 'Always') !== 'Always';
  let mode: PodMode;
  let restarts = 0;
  if (waited < sim.delayMs) {
    mode = 'creating';
    ctx.requeue(key, sim.delayMs - waited);
  } else {
    switch (sim.failure) {
      case 'ImagePullBackOff':
        mode = 'imagePull';
        break;
      case 'CrashLoopBackOff':
        mode = 'crash';
        break;
      case 'JobFailed':
        mode = completes ? 'failed' : 'crash';
        break;
      case 'ProgressDeadlineExceeded':
        mode = completes ? 'succeeded' : 'unready';
        break;
      default:
        mode = completes ? 'succeeded' : 'running';
    }
    if (mode === 'crash') {
      // Restarts at the delay, then after 1 s, 2 s, 4 s, … (capped), like the kubelet's back-off.
      const t = waited - sim.delayMs;
      let elapsed = 0;
      let step = CRASH_BACKOFF_START_MS;
      restarts = 1;
      while (elapsed + step <= t) {
        elapsed += step;
        restarts++;
        step = Math.min(step * 2, CRASH_BACKOFF_MAX_MS);
      }
      ctx.requeue(key, elapsed + step - t);
    }
  }
  ctx.writeStatus(stored, podStatus(ctx, pod, mode, restarts), MANAGERS.kubelet);
}

function podStatus(ctx: Context, pod: KubeObject, mode: PodMode, restarts: number): KubeObject {
  const old = pod.status ?? {};
  const now = ctx.now();
  const t = stamp(now);
  const started = mode !== 'creating' && mode !== 'imagePull';
  const done = mode === 'succeeded' || mode === 'failed';
  const ready = mode === 'running';
  const phase =
    mode === 'creating' || mode === 'imagePull'
      ? 'Pending'
      : mode === 'succeeded'
        ? 'Succeeded'
        : mode === 'failed'
          ? 'Failed'
          : 'Running';
  const containers: KubeObject[] = pod.spec?.containers ?? [];
  const unready = containers.map((c) => c.name).join(' ');
  let conditions = old.conditions as Condition[] | undefined;
  const set = (type: string, ok: boolean, reason?: string, message?: string) => {
    conditions = setCondition(conditions, { type, status: ok ? 'True' : 'False', reason, message }, now, {
      withProbeTime: true,
    });
  };
  set('PodReadyToStartContainers', started);
  set('Initialized', true);
  if (ready) {
    set('Ready', true);
    set('ContainersReady', true);
  } else {
    const reason = done ? 'PodCompleted' : 'ContainersNotReady';
    const message = done ? undefined : `containers with unready status: [${unready}]`;
    set('Ready', false, reason, message);
    set('ContainersReady', false, reason, message);
  }
  set('PodScheduled', true);

  const statusOf = (c: KubeObject, init: boolean): KubeObject => {
    const previous: KubeObject | undefined = (
      (init ? old.initContainerStatuses : old.containerStatuses) as KubeObject[] | undefined
    )?.find((s) => s.name === c.name);
    const startedAt =
      previous?.state?.running?.startedAt ??
      previous?.state?.terminated?.startedAt ??
      (started ? t : undefined);
    let state: KubeObject;
    let lastState: KubeObject = {};
    const containerMode: PodMode = init && started ? 'succeeded' : mode;
    switch (containerMode) {
      case 'creating':
        state = { waiting: { reason: init ? 'PodInitializing' : 'ContainerCreating' } };
        break;
      case 'imagePull':
        state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } };
        break;
      case 'crash': {
        const backoff = Math.min(10 * 2 ** Math.max(0, restarts - 1), 300);
        state = {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off ${backoff >= 60 ? `${Math.floor(backoff / 60)}m${backoff % 60}s` : `${backoff}s`} restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
          },
        };
        lastState =
          previous?.restartCount === restarts && previous?.lastState?.terminated
            ? previous.lastState
            : { terminated: { exitCode: 1, reason: 'Error', startedAt: t, finishedAt: t } };
        break;
      }
      case 'succeeded':
      case 'failed':
        state = {
          terminated: {
            exitCode: containerMode === 'succeeded' ? 0 : 1,
            reason: containerMode === 'succeeded' ? 'Completed' : 'Error',
            startedAt: startedAt ?? t,
            finishedAt: previous?.state?.terminated?.finishedAt ?? t,
          },
        };
        break;
      default:
        state = { running: { startedAt: startedAt ?? t } };
    }
    const image = String(c.image ?? '');
    const status: KubeObject = {
      name: c.name,
      state,
      lastState,
      ready: !init && ready,
      restartCount: init ? 0 : restarts,
      image,
      imageID: started ? `${image.split(':')[0]}@sha256:${sha(image)}` : '',
      started: !init && (mode === 'running' || mode === 'unready'),
    };
    if (started) status.containerID = `containerd://${sha(`${pod.metadata.uid}/${c.name}/${restarts}`)}`;
    return status;
  };

  const status: KubeObject = {
    observedGeneration: pod.metadata.generation,
    phase,
    conditions,
    hostIP: NODE_IP,
    hostIPs: [{ ip: NODE_IP }],
  };
  if (started || done) {
    const ip = old.podIP ?? ctx.podIP();
    status.podIP = ip;
    status.podIPs = [{ ip }];
  }
  status.startTime = old.startTime ?? t;
  const inits: KubeObject[] = pod.spec?.initContainers ?? [];
  if (inits.length > 0) status.initContainerStatuses = inits.map((c) => statusOf(c, true));
  status.containerStatuses = containers.map((c) => statusOf(c, false));
  status.qosClass = old.qosClass ?? 'BestEffort';
  return status;
}

/** The simulated node: Ready, with capacity, addresses and node info, as a kubelet registers it. */
export function reconcileNode(ctx: Context): void {
  const rt = ctx.type('', 'nodes');
  const key = ctx.service.key(rt, undefined, ctx.nodeName);
  let stored = ctx.get(key);
  if (!stored) {
    ctx.create(
      rt,
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: ctx.nodeName,
          labels: {
            'beta.kubernetes.io/arch': 'amd64',
            'beta.kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            'kubernetes.io/hostname': ctx.nodeName,
            'kubernetes.io/os': 'linux',
            'node-role.kubernetes.io/control-plane': '',
          },
          annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
        },
        spec: { podCIDR: '10.244.0.0/16', podCIDRs: ['10.244.0.0/16'] },
      },
      MANAGERS.kubelet,
    );
    stored = ctx.get(key);
    if (!stored) return;
  }
  const now = ctx.now();
  const old = stored.object.status ?? {};
  let conditions = old.conditions as Condition[] | undefined;
  const pressure: [string, string, string][] = [
    ['MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    ['DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    ['PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ];
  for (const [type, reason, message] of pressure) {
    conditions = setCondition(conditions, { type, status: 'False', reason, message }, now);
  }
  conditions = setCondition(
    conditions,
    { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
    now,
  );
  const heartbeat = stamp(now);
  conditions = conditions.map((c) => ({ lastHeartbeatTime: heartbeat, ...oldHeartbeat(old, c.type), ...c }));
  const resources = { cpu: '8', 'ephemeral-storage': '102400Mi', memory: '32Gi', pods: '110' };
  const status: KubeObject = {
    capacity: resources,
    allocatable: resources,
    conditions,
    addresses: [
      { type: 'InternalIP', address: NODE_IP },
      { type: 'Hostname', address: ctx.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: sha(ctx.nodeName).slice(0, 32),
      systemUUID: sha(`uuid/${ctx.nodeName}`).slice(0, 32),
      bootID: sha(`boot/${ctx.nodeName}`).slice(0, 32),
      kernelVersion: '6.1.0',
      osImage: 'Sluice simulated node',
      containerRuntimeVersion: 'containerd://2.1.0',
      kubeletVersion: 'v1.35.0',
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
  ctx.writeStatus(stored, status, MANAGERS.kubelet);
}

function oldHeartbeat(old: KubeObject, type: string): KubeObject {
  const previous = (old.conditions as KubeObject[] | undefined)?.find((c) => c.type === type);
  return previous?.lastHeartbeatTime ? { lastHeartbeatTime: previous.lastHeartbeatTime } : {};
}
