import type { KubeObject, StoredObject } from '../storage/index.js';
import { type Context, MANAGERS, type Reconciler } from './context.js';
import { isPodDone, isPodReady, reconcileNode, reconcilePod } from './pods.js';
import {
  type Condition,
  controllerRef,
  isTrue,
  matchesSelector,
  setCondition,
  stamp,
  templateHash,
} from './support.js';

const PODS = '/registry/core/pods/';
const REPLICASETS = '/registry/apps/replicasets/';
const REVISION = 'deployment.kubernetes.io/revision';
const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
const POD_TEMPLATE_HASH = 'pod-template-hash';
const REVISION_HASH = 'controller-revision-hash';
/** Pods created per reconcile; the rest follow on the next pass. */
const BURST = 500;

/** Drops fields whose value is 0, as the API omits zero counters (`omitempty`). */
function omitZero(status: KubeObject, fields: string[]): KubeObject {
  for (const f of fields) if (!status[f]) delete status[f];
  return status;
}

function livePods(ctx: Context, uid: string): StoredObject[] {
  return ctx.children(uid).filter((c) => c.key.startsWith(PODS) && !c.object.metadata?.deletionTimestamp);
}

function newPod(
  owner: KubeObject,
  template: KubeObject,
  name: { generateName?: string; name?: string },
): KubeObject {
  const meta = template.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...name,
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ownerReferences: [controllerRef(owner)],
    },
    spec: structuredClone(template.spec ?? {}),
  };
}

/** When a ready pod became ready (ms), from its Ready condition; undefined when not ready. */
function readySince(pod: KubeObject): number | undefined {
  const ready = (pod.status?.conditions ?? []).find(
    (c: Condition) => c.type === 'Ready' && c.status === 'True',
  );
  if (!ready) return undefined;
  const at = Date.parse(ready.lastTransitionTime ?? '');
  return Number.isFinite(at) ? at : 0;
}

/** Deletion order when scaling down: unscheduled, then not ready, then the newest first. */
function scaleDownOrder(a: StoredObject, b: StoredObject): number {
  const rank = (p: StoredObject) => (p.object.spec?.nodeName ? 1 : 0) + (isPodReady(p.object) ? 2 : 0);
  const r = rank(a) - rank(b);
  if (r !== 0) return r;
  return b.revision - a.revision;
}

function percentOrInt(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.endsWith('%')) {
    const n = (Number(value.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(n) : Math.floor(n);
  }
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

const reconcileReplicaSet: Reconciler = (ctx, _key, stored) => {
  const rs = stored.object;
  if (rs.metadata.deletionTimestamp) return;
  const desired: number = rs.spec?.replicas ?? 1;
  const pods = livePods(ctx, rs.metadata.uid).filter((p) => !isPodDone(p.object));
  let count = pods.length;
  if (count < desired) {
    const podType = ctx.type('', 'pods');
    const n = Math.min(desired - count, BURST);
    for (let i = 0; i < n; i++) {
      ctx.create(
        podType,
        newPod(rs, rs.spec?.template ?? {}, { generateName: `${rs.metadata.name}-` }),
        MANAGERS.controllers,
      );
    }
    count += n;
  } else if (count > desired) {
    for (const p of [...pods].sort(scaleDownOrder).slice(0, count - desired)) ctx.remove(p);
    count = desired;
  }
  const ready = Math.min(pods.filter((p) => isPodReady(p.object)).length, count);
  // Available: ready for at least minReadySeconds (by the Ready condition's transition time).
  const minReadyMs = (rs.spec?.minReadySeconds ?? 0) * 1000;
  let available = ready;
  if (minReadyMs > 0) {
    available = 0;
    for (const p of pods) {
      const since = readySince(p.object);
      if (since === undefined) continue;
      const left = since + minReadyMs - ctx.now();
      if (left <= 0) available++;
      else ctx.requeue(stored.key, left);
    }
    available = Math.min(available, count);
  }
  const fresh = ctx.get(stored.key);
  if (!fresh) return;
  const status = omitZero(
    {
      replicas: count,
      fullyLabeledReplicas: count,
      readyReplicas: ready,
      availableReplicas: available,
      observedGeneration: rs.metadata.generation,
    },
    ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'],
  );
  ctx.writeStatus(fresh, status, MANAGERS.controllers);
};

const reconcileDeployment: Reconciler = (ctx, key, stored) => {
  const d = stored.object;
  if (d.metadata.deletionTimestamp) return;
  const { name, namespace, uid } = d.metadata;
  const desired: number = d.spec?.replicas ?? 1;
  const rsType = ctx.type('apps', 'replicasets');
  const sets = ctx.children(uid).filter((c) => c.key.startsWith(REPLICASETS));
  const template = d.spec?.template ?? {};
  const hash = templateHash(template, d.status?.collisionCount ?? 0);
  const newName = `${name}-${hash}`;
  const revisionOf = (rs: StoredObject) => Number(rs.object.metadata.annotations?.[REVISION] ?? 0) || 0;
  let newRS = sets.find((r) => r.object.metadata.name === newName);
  const olds = sets.filter((r) => r !== newRS);
  const maxRevision = Math.max(0, ...sets.map(revisionOf));
  const paused = d.spec?.paused === true;
  const recreate = d.spec?.strategy?.type === 'Recreate';
  const maxSurge = recreate
    ? 0
    : percentOrInt(d.spec?.strategy?.rollingUpdate?.maxSurge ?? '25%', desired, true);
  const maxUnavailable = recreate
    ? 0
    : percentOrInt(d.spec?.strategy?.rollingUpdate?.maxUnavailable ?? '25%', desired, false);

  if (!newRS && !paused) {
    const labels = { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const selector = structuredClone(d.spec?.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const created = ctx.create(
      rsType,
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: newName,
          namespace,
          labels,
          annotations: {
            [DESIRED_REPLICAS]: String(desired),
            [MAX_REPLICAS]: String(desired + maxSurge),
            [REVISION]: String(maxRevision + 1),
          },
          ownerReferences: [controllerRef(d)],
        },
        spec: {
          replicas: recreate && olds.some((o) => (o.object.status?.replicas ?? 0) > 0) ? 0 : desired,
          ...(d.spec?.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}),
          selector,
          template: { ...structuredClone(template), metadata: { ...(template.metadata ?? {}), labels } },
        },
      },
      MANAGERS.controllers,
    );
    if (!created) {
      ctx.log?.warn({ deployment: `${namespace}/${name}`, replicaSet: newName }, 'ReplicaSet name taken');
      ctx.requeue(key, 1000);
      return;
    }
    newRS = ctx.get(ctx.service.key(rsType, namespace, newName));
  }

  if (newRS && !paused) {
    const oldPods = olds.reduce((n, o) => n + (o.object.status?.replicas ?? 0), 0);
    const replicas = recreate && oldPods > 0 ? 0 : desired;
    const revision =
      revisionOf(newRS) < maxRevision || revisionOf(newRS) === 0 ? maxRevision + 1 : revisionOf(newRS);
    ctx.update(
      newRS,
      (o) => {
        o.spec.replicas = replicas;
        o.metadata.annotations = {
          ...(o.metadata.annotations ?? {}),
          [DESIRED_REPLICAS]: String(desired),
          [MAX_REPLICAS]: String(desired + maxSurge),
          [REVISION]: String(revision),
        };
      },
      MANAGERS.controllers,
    );
    const newAvailable = newRS.object.status?.availableReplicas ?? 0;
    for (const o of olds) {
      if ((o.object.spec?.replicas ?? 1) > 0 && (recreate || newAvailable >= desired)) {
        ctx.update(
          o,
          (x) => {
            x.spec.replicas = 0;
          },
          MANAGERS.controllers,
        );
      }
    }
    // Keep revisionHistoryLimit old ReplicaSets that are scaled down.
    const limit: number = d.spec?.revisionHistoryLimit ?? 10;
    const idle = olds
      .filter((o) => (o.object.spec?.replicas ?? 1) === 0 && (o.object.status?.replicas ?? 0) === 0)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const o of idle.slice(0, Math.max(0, idle.length - limit))) ctx.remove(o);
    const current = ctx.get(key);
    if (current && current.object.metadata.annotations?.[REVISION] !== String(revision)) {
      ctx.update(
        current,
        (o) => {
          o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [REVISION]: String(revision) };
        },
        MANAGERS.controllers,
      );
    }
  }

  const fresh = ctx.get(key);
  if (!fresh) return;
  const all = ctx.children(uid).filter((c) => c.key.startsWith(REPLICASETS));
  const latest = all.find((r) => r.object.metadata.name === newName);
  const sum = (f: (rs: KubeObject) => number) => all.reduce((n, r) => n + f(r.object), 0);
  const replicas = sum((r) => r.status?.replicas ?? 0);
  const updated = latest?.object.status?.replicas ?? 0;
  const ready = sum((r) => r.status?.readyReplicas ?? 0);
  const available = sum((r) => r.status?.availableReplicas ?? 0);
  const total = sum((r) => r.spec?.replicas ?? 0);
  const now = ctx.now();
  const old = fresh.object.status ?? {};
  let conditions = old.conditions as Condition[] | undefined;
  const opts = { withUpdateTime: true };
  conditions = setCondition(
    conditions,
    available >= desired - maxUnavailable
      ? {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        }
      : {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
        },
    now,
    opts,
  );
  const complete = updated === desired && replicas === desired && available === desired;
  const previous = conditions.find((c) => c.type === 'Progressing');
  const rsName = latest?.object.metadata.name ?? newName;
  if (paused) {
    conditions = setCondition(
      conditions,
      { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' },
      now,
      opts,
    );
  } else if (complete) {
    ctx.forget(uid);
    conditions = setCondition(
      conditions,
      {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: `ReplicaSet "${rsName}" has successfully progressed.`,
      },
      now,
      opts,
    );
  } else if (
    previous?.reason === 'ProgressDeadlineExceeded' &&
    previous.message === `ReplicaSet "${rsName}" has timed out progressing.`
  ) {
    // Stays failed until the template changes.
  } else {
    const sim = ctx.simulated(d);
    const deadlineMs =
      sim.failure === 'ProgressDeadlineExceeded'
        ? sim.delayMs
        : (d.spec?.progressDeadlineSeconds ?? 600) * 1000;
    const progressing = ctx.since(uid, `progressing ${rsName}`);
    if (progressing >= deadlineMs) {
      conditions = setCondition(
        conditions,
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: `ReplicaSet "${rsName}" has timed out progressing.`,
        },
        now,
        opts,
      );
    } else {
      ctx.requeue(key, deadlineMs - progressing);
      conditions = setCondition(
        conditions,
        previous
          ? {
              type: 'Progressing',
              status: 'True',
              reason: 'ReplicaSetUpdated',
              message: `ReplicaSet "${rsName}" is progressing.`,
            }
          : {
              type: 'Progressing',
              status: 'True',
              reason: 'NewReplicaSetCreated',
              message: `Created new replica set "${rsName}"`,
            },
        now,
        opts,
      );
    }
  }
  const status = omitZero(
    {
      observedGeneration: fresh.object.metadata.generation,
      replicas,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
      conditions,
      ...(old.collisionCount !== undefined ? { collisionCount: old.collisionCount } : {}),
    },
    ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'],
  );
  ctx.writeStatus(fresh, status, MANAGERS.controllers);
};

function ordinalOf(pod: KubeObject, set: string): number {
  const name = String(pod.metadata?.name ?? '');
  const n = Number(name.slice(set.length + 1));
  return name.startsWith(`${set}-`) && Number.isInteger(n) ? n : -1;
}

const reconcileStatefulSet: Reconciler = (ctx, key, stored) => {
  const sts = stored.object;
  if (sts.metadata.deletionTimestamp) return;
  const { name, namespace, uid } = sts.metadata;
  const desired: number = sts.spec?.replicas ?? 1;
  const updateRevision = `${name}-${templateHash(sts.spec?.template ?? {}, sts.status?.collisionCount ?? 0)}`;
  const pods = livePods(ctx, uid);
  const byOrdinal = new Map<number, StoredObject>();
  for (const p of pods) byOrdinal.set(ordinalOf(p.object, name), p);
  const parallel = sts.spec?.podManagementPolicy === 'Parallel';
  const podType = ctx.type('', 'pods');
  const claims: KubeObject[] = sts.spec?.volumeClaimTemplates ?? [];

  // Scale up in ordinal order (one at a time, each after its predecessors are ready, unless Parallel).
  let allReadyBelow = true;
  for (let i = 0; i < desired; i++) {
    const existing = byOrdinal.get(i);
    if (existing) {
      if (!isPodReady(existing.object)) allReadyBelow = false;
      continue;
    }
    if (!parallel && !allReadyBelow) break;
    const podName = `${name}-${i}`;
    for (const claim of claims) {
      const claimName = `${claim.metadata?.name}-${podName}`;
      ctx.create(
        ctx.type('', 'persistentvolumeclaims'),
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: {
            name: claimName,
            namespace,
            labels: { ...(sts.spec?.selector?.matchLabels ?? {}), ...(claim.metadata?.labels ?? {}) },
          },
          spec: structuredClone(claim.spec ?? {}),
        },
        MANAGERS.controllers,
      );
    }
    const pod = newPod(sts, sts.spec?.template ?? {}, { name: podName });
    pod.metadata.labels = {
      ...pod.metadata.labels,
      [REVISION_HASH]: updateRevision,
      'statefulset.kubernetes.io/pod-name': podName,
      'apps.kubernetes.io/pod-index': String(i),
    };
    pod.spec.hostname = podName;
    if (sts.spec?.serviceName) pod.spec.subdomain = sts.spec.serviceName;
    if (claims.length > 0) {
      const volumes: KubeObject[] = (pod.spec.volumes ?? []).filter(
        (v: KubeObject) => !claims.some((c) => c.metadata?.name === v.name),
      );
      for (const claim of claims) {
        volumes.push({
          name: claim.metadata?.name,
          persistentVolumeClaim: { claimName: `${claim.metadata?.name}-${podName}` },
        });
      }
      pod.spec.volumes = volumes;
    }
    ctx.create(podType, pod, MANAGERS.controllers);
    allReadyBelow = false;
    if (!parallel) break;
  }
  // Scale down from the highest ordinal.
  const extra = pods
    .filter((p) => ordinalOf(p.object, name) >= desired || ordinalOf(p.object, name) < 0)
    .sort((a, b) => ordinalOf(b.object, name) - ordinalOf(a.object, name));
  for (const p of parallel ? extra : extra.slice(0, 1)) ctx.remove(p);

  // Rolling update: replace the highest outdated pod once all pods are there and ready.
  const inRange = pods.filter((p) => {
    const i = ordinalOf(p.object, name);
    return i >= 0 && i < desired;
  });
  const rolling = (sts.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const partition: number = sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  if (rolling && inRange.length === desired && inRange.every((p) => isPodReady(p.object))) {
    const outdated = inRange
      .filter(
        (p) =>
          p.object.metadata.labels?.[REVISION_HASH] !== updateRevision &&
          ordinalOf(p.object, name) >= partition,
      )
      .sort((a, b) => ordinalOf(b.object, name) - ordinalOf(a.object, name));
    if (outdated[0]) ctx.remove(outdated[0]);
  }

  const fresh = ctx.get(key);
  if (!fresh) return;
  const live = livePods(ctx, uid);
  const updated = live.filter((p) => p.object.metadata.labels?.[REVISION_HASH] === updateRevision);
  const readyCount = live.filter((p) => isPodReady(p.object)).length;
  const oldCurrent: string | undefined = fresh.object.status?.currentRevision;
  const currentRevision =
    !oldCurrent || (updated.length === desired && live.length === desired) ? updateRevision : oldCurrent;
  const current = live.filter((p) => p.object.metadata.labels?.[REVISION_HASH] === currentRevision);
  const status = omitZero(
    {
      observedGeneration: fresh.object.metadata.generation,
      replicas: live.length,
      readyReplicas: readyCount,
      currentReplicas: current.length,
      updatedReplicas: updated.length,
      availableReplicas: readyCount,
      currentRevision,
      updateRevision,
      collisionCount: fresh.object.status?.collisionCount ?? 0,
    },
    ['readyReplicas', 'currentReplicas', 'updatedReplicas'],
  );
  ctx.writeStatus(fresh, status, MANAGERS.controllers);
};

const reconcileDaemonSet: Reconciler = (ctx, key, stored) => {
  const ds = stored.object;
  if (ds.metadata.deletionTimestamp) return;
  const { name, uid } = ds.metadata;
  const template = ds.spec?.template ?? {};
  const hash = templateHash(template, ds.status?.collisionCount ?? 0);
  const node = ctx.get(ctx.service.key(ctx.type('', 'nodes'), undefined, ctx.nodeName))?.object;
  const selector = template.spec?.nodeSelector;
  const fits =
    !!node && (!selector || matchesSelector({ matchLabels: selector }, node.metadata?.labels ?? {}));
  const desired = fits ? 1 : 0;
  const pods = livePods(ctx, uid);
  const current = pods.filter((p) => p.object.metadata.labels?.[REVISION_HASH] === hash);
  const rolling = (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  for (const p of pods) {
    if (!fits || (rolling && p.object.metadata.labels?.[REVISION_HASH] !== hash)) ctx.remove(p);
  }
  if (fits && (rolling ? current.length === 0 : pods.length === 0)) {
    const pod = newPod(ds, template, { generateName: `${name}-` });
    pod.metadata.labels = {
      ...pod.metadata.labels,
      [REVISION_HASH]: hash,
      'pod-template-generation': String(ds.metadata.generation ?? 1),
    };
    pod.spec.nodeName = ctx.nodeName;
    ctx.create(ctx.type('', 'pods'), pod, MANAGERS.controllers);
  }
  const fresh = ctx.get(key);
  if (!fresh) return;
  const live = livePods(ctx, uid).filter((p) => !isPodDone(p.object));
  const ready = live.filter((p) => isPodReady(p.object)).length;
  const updated = live.filter((p) => p.object.metadata.labels?.[REVISION_HASH] === hash).length;
  const status = omitZero(
    {
      currentNumberScheduled: Math.min(live.length, desired),
      desiredNumberScheduled: desired,
      numberMisscheduled: fits ? 0 : live.length,
      numberReady: ready,
      observedGeneration: fresh.object.metadata.generation,
      updatedNumberScheduled: updated,
      numberAvailable: ready,
      numberUnavailable: Math.max(0, desired - ready),
    },
    ['updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'],
  );
  ctx.writeStatus(fresh, status, MANAGERS.controllers);
};

const reconcileJob: Reconciler = (ctx, key, stored) => {
  const job = stored.object;
  if (job.metadata.deletionTimestamp) return;
  if (isTrue(job, 'Complete') || isTrue(job, 'Failed')) return;
  const { name, uid } = job.metadata;
  const now = ctx.now();
  const old = job.status ?? {};
  if (job.spec?.suspend === true) {
    const conditions = setCondition(
      old.conditions,
      { type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' },
      now,
      { withProbeTime: true },
    );
    for (const p of livePods(ctx, uid)) if (!isPodDone(p.object)) ctx.remove(p);
    const { active: _active, ...rest } = old;
    ctx.writeStatus(stored, { ...rest, conditions }, MANAGERS.controllers);
    return;
  }
  const completions: number = job.spec?.completions ?? 1;
  const parallelism: number = job.spec?.parallelism ?? 1;
  const backoffLimit: number = job.spec?.backoffLimit ?? 6;
  const pods = livePods(ctx, uid);
  const succeeded = pods.filter((p) => p.object.status?.phase === 'Succeeded').length;
  const failed = pods.filter((p) => p.object.status?.phase === 'Failed').length;
  const active = pods.filter((p) => !isPodDone(p.object));
  let conditions = old.conditions as Condition[] | undefined;
  const status: KubeObject = { ...old, startTime: old.startTime ?? stamp(now) };
  const set = (type: string, reason: string, message: string) => {
    conditions = setCondition(conditions, { type, status: 'True', reason, message }, now, {
      withProbeTime: true,
    });
  };
  let activeCount = active.length;
  const deadline = job.spec?.activeDeadlineSeconds;
  const started = Date.parse(status.startTime);
  const overdue =
    typeof deadline === 'number' && Number.isFinite(started) ? started + deadline * 1000 - now : 1;
  if (overdue <= 0) {
    set('FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline');
    set('Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline');
    for (const p of active) ctx.remove(p);
    activeCount = 0;
  } else if (failed > backoffLimit) {
    set('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
    set('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
    for (const p of active) ctx.remove(p);
    activeCount = 0;
  } else if (succeeded >= completions) {
    set('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods');
    set('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods');
    status.completionTime = old.completionTime ?? stamp(now);
  } else {
    if (typeof deadline === 'number') ctx.requeue(key, overdue);
    const want = Math.min(parallelism, completions - succeeded);
    const podType = ctx.type('', 'pods');
    for (let i = activeCount; i < want; i++) {
      ctx.create(
        podType,
        newPod(job, job.spec?.template ?? {}, { generateName: `${name}-` }),
        MANAGERS.controllers,
      );
      activeCount++;
    }
  }
  status.active = activeCount;
  status.succeeded = succeeded;
  status.failed = failed;
  status.ready = active.filter((p) => isPodReady(p.object)).length;
  status.terminating = 0;
  status.uncountedTerminatedPods = {};
  if (conditions) status.conditions = conditions;
  const fresh = ctx.get(key);
  if (!fresh) return;
  ctx.writeStatus(fresh, omitZero(status, ['active', 'succeeded', 'failed']), MANAGERS.controllers);
};

const reconcileClaim: Reconciler = (ctx, key, stored) => {
  const pvc = stored.object;
  if (pvc.metadata.deletionTimestamp || pvc.status?.phase === 'Bound') return;
  const { name, namespace, uid } = pvc.metadata;
  const pvName: string = pvc.spec?.volumeName || `pvc-${uid}`;
  const pvType = ctx.type('', 'persistentvolumes');
  const storage = pvc.spec?.resources?.requests?.storage ?? '1Gi';
  const accessModes = pvc.spec?.accessModes ?? ['ReadWriteOnce'];
  const pvKey = ctx.service.key(pvType, undefined, pvName);
  if (!ctx.get(pvKey)) {
    ctx.create(
      pvType,
      {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: {
          name: pvName,
          annotations: { 'pv.kubernetes.io/provisioned-by': 'sluice.dev/simulated' },
        },
        spec: {
          capacity: { storage },
          accessModes,
          persistentVolumeReclaimPolicy: 'Delete',
          ...(pvc.spec?.storageClassName ? { storageClassName: pvc.spec.storageClassName } : {}),
          volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
          hostPath: { path: `/var/lib/sluice/volumes/${pvName}` },
          claimRef: { kind: 'PersistentVolumeClaim', namespace, name, uid, apiVersion: 'v1' },
        },
      },
      MANAGERS.controllers,
    );
  }
  const pv = ctx.get(pvKey);
  if (pv) ctx.writeStatus(pv, { phase: 'Bound' }, MANAGERS.controllers);
  if (!pvc.spec?.volumeName) {
    ctx.update(
      stored,
      (o) => {
        o.spec.volumeName = pvName;
        o.metadata.annotations = {
          ...(o.metadata.annotations ?? {}),
          'pv.kubernetes.io/bind-completed': 'yes',
          'pv.kubernetes.io/bound-by-controller': 'yes',
        };
      },
      MANAGERS.controllers,
    );
  }
  const fresh = ctx.get(key);
  if (!fresh) return;
  ctx.writeStatus(fresh, { phase: 'Bound', accessModes, capacity: { storage } }, MANAGERS.controllers);
};

/** The service controller's part for LoadBalancer Services: an ingress address, as a cloud would assign. */
const reconcileService: Reconciler = (ctx, _key, stored) => {
  const svc = stored.object;
  if (svc.metadata.deletionTimestamp) return;
  const ingress: KubeObject[] = svc.status?.loadBalancer?.ingress ?? [];
  if (svc.spec?.type === 'LoadBalancer') {
    if (ingress.length > 0) return;
    const ip = svc.spec.loadBalancerIP || ctx.loadBalancerIP();
    ctx.writeStatus(
      stored,
      { ...(svc.status ?? {}), loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } },
      MANAGERS.controllers,
    );
  } else if (ingress.length > 0) {
    ctx.writeStatus(stored, { ...(svc.status ?? {}), loadBalancer: {} }, MANAGERS.controllers);
  }
};

/** The reconcilers by the plural in a storage key, plus the node. */
export const reconcilers: Record<string, Reconciler> & { node: Reconciler } = {
  node: (ctx) => reconcileNode(ctx),
  nodes: (ctx, _key, stored) => {
    if (stored.object.metadata?.name === ctx.nodeName) reconcileNode(ctx);
  },
  pods: reconcilePod,
  replicasets: reconcileReplicaSet,
  deployments: reconcileDeployment,
  statefulsets: reconcileStatefulSet,
  daemonsets: reconcileDaemonSet,
  jobs: reconcileJob,
  persistentvolumeclaims: reconcileClaim,
  services: reconcileService,
};
