import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON documents from the API
type Obj = Record<string, any>;

let tc: TestCluster;

function api(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Obj> {
  const url = new URL(path, tc.url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: tc.cluster.caCert,
        headers: {
          authorization: `Bearer ${tc.cluster.token}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': contentType } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => {
          const parsed = text ? (JSON.parse(text) as Obj) : {};
          resolve({ ...parsed, __status: res.statusCode });
        });
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.end(typeof body === 'string' ? body : JSON.stringify(body));
    else req.end();
  });
}

async function create(path: string, yaml: string): Promise<Obj> {
  const result = await api('POST', path, YAML.parse(yaml));
  expect(result.__status, JSON.stringify(result)).toBe(201);
  return result;
}

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last as T;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

function condition(object: Obj, type: string): Obj | undefined {
  return (object.status?.conditions ?? []).find((c: Obj) => c.type === type);
}

/** kstatus' rule for a Deployment being Current. */
function deploymentCurrent(d: Obj): boolean {
  const s = d.status ?? {};
  const want = d.spec?.replicas ?? 1;
  return (
    s.observedGeneration === d.metadata.generation &&
    (s.replicas ?? 0) >= want &&
    (s.updatedReplicas ?? 0) >= want &&
    (s.readyReplicas ?? 0) >= want &&
    (s.availableReplicas ?? 0) >= want &&
    (s.replicas ?? 0) === (s.updatedReplicas ?? 0) &&
    condition(d, 'Available')?.status === 'True' &&
    condition(d, 'Progressing')?.reason === 'NewReplicaSetAvailable'
  );
}

const deployment = (name: string, extra: { replicas?: number; annotations?: Obj; image?: string } = {}) => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  annotations: ${JSON.stringify(extra.annotations ?? {})}
spec:
  replicas: ${extra.replicas ?? 2}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers: [{ name: web, image: "${extra.image ?? 'nginx:1.27'}" }]
`;

const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const PODS = '/api/v1/namespaces/default/pods';
const REPLICASETS = '/apis/apps/v1/namespaces/default/replicasets';

async function podsOf(app: string): Promise<Obj[]> {
  return (await api('GET', `${PODS}?labelSelector=app%3D${app}`)).items;
}

beforeAll(async () => {
  tc = await startTestCluster({ workloads: { readyDelayMs: 300 } });
}, 30_000);

afterAll(async () => {
  await tc?.stop();
});

describe('simulated workloads', () => {
  it('registers one Ready node with capacity, addresses and node info', async () => {
    const nodes = await until('a node', async () => {
      const list = await api('GET', '/api/v1/nodes');
      return list.items?.[0]?.status?.nodeInfo ? list.items : undefined;
    });
    expect(nodes).toHaveLength(1);
    const node = nodes[0];
    expect(condition(node, 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    expect(node.status.capacity).toMatchObject({ cpu: '8', pods: '110' });
    expect(node.status.addresses).toContainEqual({ type: 'InternalIP', address: '172.18.0.2' });
    expect(node.status.nodeInfo).toMatchObject({ kubeletVersion: 'v1.35.0', operatingSystem: 'linux' });
    const managers = node.metadata.managedFields.map((m: Obj) => `${m.manager}/${m.subresource ?? ''}`);
    expect(managers).toContain('kubelet/status');
  });

  it('rolls a Deployment out: InProgress first, then Current, with ReplicaSet and Pods owned like the real ones', async () => {
    const seen: boolean[] = [];
    await create(DEPLOYMENTS, deployment('web'));
    const done = await until('web to become Current', async () => {
      const d = await api('GET', `${DEPLOYMENTS}/web`);
      seen.push(deploymentCurrent(d));
      return deploymentCurrent(d) ? d : undefined;
    });
    expect(seen[0]).toBe(false);
    expect(done.status).toMatchObject({
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect(condition(done, 'Available')).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
    });
    expect(done.metadata.annotations['deployment.kubernetes.io/revision']).toBe('1');

    const sets = (await api('GET', REPLICASETS)).items.filter((r: Obj) => r.metadata.name.startsWith('web-'));
    expect(sets).toHaveLength(1);
    const rs = sets[0];
    const hash = rs.metadata.labels['pod-template-hash'];
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'Deployment',
        name: 'web',
        controller: true,
        blockOwnerDeletion: true,
      }),
    ]);
    expect(rs.spec.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });

    const pods = await podsOf('web');
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.metadata.name).toMatch(new RegExp(`^web-${hash}-[a-z0-9]{5}$`));
      expect(pod.metadata.ownerReferences[0]).toMatchObject({ kind: 'ReplicaSet', name: rs.metadata.name });
      expect(pod.spec.nodeName).toBe('sluice-control-plane');
      expect(pod.status.phase).toBe('Running');
      expect(pod.status.podIP).toMatch(/^10\.244\./);
      expect(condition(pod, 'Ready')?.status).toBe('True');
      expect(pod.status.containerStatuses[0]).toMatchObject({ name: 'web', ready: true, restartCount: 0 });
      const managers = pod.metadata.managedFields.map((m: Obj) => `${m.manager}/${m.subresource ?? ''}`);
      expect(managers).toEqual(
        expect.arrayContaining(['kube-controller-manager/', 'kube-scheduler/', 'kubelet/status']),
      );
    }
    const dManagers = done.metadata.managedFields.map((m: Obj) => `${m.manager}/${m.subresource ?? ''}`);
    expect(dManagers).toContain('kube-controller-manager/status');
  });

  it('writes nothing once a workload has settled', async () => {
    const before = (await api('GET', `${DEPLOYMENTS}/web`)).metadata.resourceVersion;
    const podsBefore = (await podsOf('web')).map((p) => p.metadata.resourceVersion).sort();
    await new Promise((r) => setTimeout(r, 800));
    expect((await api('GET', `${DEPLOYMENTS}/web`)).metadata.resourceVersion).toBe(before);
    expect((await podsOf('web')).map((p) => p.metadata.resourceVersion).sort()).toEqual(podsBefore);
  });

  it('scales a Deployment up and down through the scale subresource', async () => {
    const patched = await api(
      'PATCH',
      `${DEPLOYMENTS}/web/scale`,
      { spec: { replicas: 4 } },
      'application/merge-patch+json',
    );
    expect(patched.__status).toBe(200);
    await until('4 ready replicas', async () => {
      const d = await api('GET', `${DEPLOYMENTS}/web`);
      return deploymentCurrent(d) && d.status.readyReplicas === 4;
    });
    expect(await podsOf('web')).toHaveLength(4);
    await api('PATCH', `${DEPLOYMENTS}/web/scale`, { spec: { replicas: 1 } }, 'application/merge-patch+json');
    await until('1 replica', async () => {
      const d = await api('GET', `${DEPLOYMENTS}/web`);
      return deploymentCurrent(d) && d.status.replicas === 1 && (await podsOf('web')).length === 1;
    });
  });

  it('rolls out a template change with a new ReplicaSet and scales the old one to zero', async () => {
    const old = (await api('GET', REPLICASETS)).items.find((r: Obj) => r.metadata.name.startsWith('web-'));
    await api(
      'PATCH',
      `${DEPLOYMENTS}/web`,
      { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } },
      'application/strategic-merge-patch+json',
    );
    const d = await until('the new template to roll out', async () => {
      const d = await api('GET', `${DEPLOYMENTS}/web`);
      return d.status.observedGeneration === d.metadata.generation && deploymentCurrent(d) ? d : undefined;
    });
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
    const sets = (await api('GET', REPLICASETS)).items.filter((r: Obj) => r.metadata.name.startsWith('web-'));
    expect(sets).toHaveLength(2);
    const previous = sets.find((r: Obj) => r.metadata.name === old.metadata.name);
    const next = sets.find((r: Obj) => r.metadata.name !== old.metadata.name);
    expect(previous.spec.replicas).toBe(0);
    expect(next.spec.replicas).toBe(1);
    await until('old pods gone', async () => {
      const pods = await podsOf('web');
      return pods.length === 1 && pods[0].spec.containers[0].image === 'nginx:1.28';
    });
  });

  it('rolls back with kubectl rollout undo, reusing the earlier ReplicaSet under a new revision', async () => {
    const before = (await api('GET', REPLICASETS)).items.filter((r: Obj) =>
      r.metadata.name.startsWith('web-'),
    );
    await tc.kubectlOk(['rollout', 'undo', 'deployment/web']);
    const d = await until('the undo to roll out', async () => {
      const d = await api('GET', `${DEPLOYMENTS}/web`);
      return d.metadata.annotations['deployment.kubernetes.io/revision'] === '3' && deploymentCurrent(d)
        ? d
        : undefined;
    });
    expect(d.spec.template.spec.containers[0].image).toBe('nginx:1.27');
    const after = (await api('GET', REPLICASETS)).items.filter((r: Obj) =>
      r.metadata.name.startsWith('web-'),
    );
    expect(after.map((r: Obj) => r.metadata.name).sort()).toEqual(
      before.map((r: Obj) => r.metadata.name).sort(),
    );
    const history = await tc.kubectlOk(['rollout', 'history', 'deployment/web']);
    expect(history).toMatch(/^2\s/m);
    expect(history).toMatch(/^3\s/m);
  });

  it('shows InProgress then Current to kubectl rollout status and kubectl wait', async () => {
    await create(DEPLOYMENTS, deployment('rollout', { replicas: 3 }));
    const out = await tc.kubectlOk(['rollout', 'status', 'deployment/rollout', '--timeout=20s'], {
      timeoutMs: 25_000,
    });
    expect(out).toContain('successfully rolled out');
    const waited = await tc.kubectlOk(
      ['wait', '--for=condition=Available', 'deployment/rollout', '--timeout=20s'],
      { timeoutMs: 25_000 },
    );
    expect(waited).toContain('condition met');
  });

  it('collects the ReplicaSets and Pods of a deleted Deployment', async () => {
    const result = await api('DELETE', `${DEPLOYMENTS}/rollout`);
    expect(result.__status).toBe(200);
    await until('dependents to be collected', async () => {
      const sets = (await api('GET', REPLICASETS)).items.filter((r: Obj) =>
        r.metadata.name.startsWith('rollout-'),
      );
      return sets.length === 0 && (await podsOf('rollout')).length === 0;
    });
  });

  it('never makes an ImagePullBackOff workload available', async () => {
    await create(
      DEPLOYMENTS,
      deployment('pull', { replicas: 1, annotations: { 'sluice.dev/simulate-failure': 'ImagePullBackOff' } }),
    );
    const pod = await until('the pull back-off', async () => {
      const pods = await podsOf('pull');
      const waiting = pods[0]?.status?.containerStatuses?.[0]?.state?.waiting;
      return waiting?.reason === 'ImagePullBackOff' ? pods[0] : undefined;
    });
    expect(pod.status.phase).toBe('Pending');
    expect(pod.status.containerStatuses[0].state.waiting.message).toBe('Back-off pulling image "nginx:1.27"');
    const d = await api('GET', `${DEPLOYMENTS}/pull`);
    expect(condition(d, 'Available')?.status).toBe('False');
    expect(deploymentCurrent(d)).toBe(false);
  });

  it('lets a failing workload recover when its failure annotation goes', async () => {
    const patched = await api(
      'PATCH',
      `${DEPLOYMENTS}/pull`,
      { metadata: { annotations: { 'sluice.dev/simulate-failure': null } } },
      'application/merge-patch+json',
    );
    expect(patched.__status).toBe(200);
    await until('pull to become Current', async () =>
      deploymentCurrent(await api('GET', `${DEPLOYMENTS}/pull`)),
    );
  });

  it('crash-loops a pod template marked CrashLoopBackOff with a growing restart count', async () => {
    await create(
      PODS,
      `
apiVersion: v1
kind: Pod
metadata:
  name: crash
  labels: { app: crash }
  annotations: { sluice.dev/simulate-failure: CrashLoopBackOff }
spec:
  containers: [{ name: app, image: "busybox:1.36" }]
`,
    );
    const pod = await until(
      'two restarts',
      async () => {
        const p = await api('GET', `${PODS}/crash`);
        return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2 ? p : undefined;
      },
      8000,
    );
    const cs = pod.status.containerStatuses[0];
    expect(cs.state.waiting.reason).toBe('CrashLoopBackOff');
    expect(cs.ready).toBe(false);
    expect(cs.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(condition(pod, 'Ready')?.status).toBe('False');
  });

  it('fails the progress deadline of a Deployment marked ProgressDeadlineExceeded', async () => {
    await create(
      DEPLOYMENTS,
      deployment('slowpoke', {
        replicas: 1,
        annotations: { 'sluice.dev/simulate-failure': 'ProgressDeadlineExceeded' },
      }),
    );
    const d = await until('the deadline', async () => {
      const d = await api('GET', `${DEPLOYMENTS}/slowpoke`);
      return condition(d, 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? d : undefined;
    });
    expect(condition(d, 'Progressing')).toMatchObject({
      status: 'False',
      message: expect.stringMatching(/^ReplicaSet "slowpoke-\w+" has timed out progressing\.$/),
    });
    const result = await tc.kubectl(['rollout', 'status', 'deployment/slowpoke', '--timeout=10s']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('exceeded its progress deadline');
  });

  it('takes as long as sluice.dev/simulate-delay says', async () => {
    const started = Date.now();
    await create(
      DEPLOYMENTS,
      deployment('slow', { replicas: 1, annotations: { 'sluice.dev/simulate-delay': '1500ms' } }),
    );
    await until('slow to become Current', async () =>
      deploymentCurrent(await api('GET', `${DEPLOYMENTS}/slow`)),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  });

  it('runs a Job to completion and reports it like Kubernetes 1.31+', async () => {
    await create(
      '/apis/batch/v1/namespaces/default/jobs',
      `
apiVersion: batch/v1
kind: Job
metadata: { name: once }
spec:
  completions: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: run, image: "busybox:1.36" }]
`,
    );
    const job = await until('the job to complete', async () => {
      const j = await api('GET', '/apis/batch/v1/namespaces/default/jobs/once');
      return condition(j, 'Complete')?.status === 'True' ? j : undefined;
    });
    expect(job.status).toMatchObject({
      succeeded: 2,
      startTime: expect.any(String),
      completionTime: expect.any(String),
    });
    expect(job.status.active).toBeUndefined();
    expect(condition(job, 'SuccessCriteriaMet')).toMatchObject({
      status: 'True',
      reason: 'CompletionsReached',
    });
    const pods = (await api('GET', `${PODS}?labelSelector=job-name%3Donce`)).items;
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(p.status.phase).toBe('Succeeded');
      expect(p.status.containerStatuses[0].state.terminated).toMatchObject({
        exitCode: 0,
        reason: 'Completed',
      });
    }
  });

  it('fails a Job marked JobFailed once its backoff limit is exceeded', async () => {
    await create(
      '/apis/batch/v1/namespaces/default/jobs',
      `
apiVersion: batch/v1
kind: Job
metadata: { name: doomed, annotations: { sluice.dev/simulate-failure: JobFailed } }
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: run, image: "busybox:1.36" }]
`,
    );
    const job = await until('the job to fail', async () => {
      const j = await api('GET', '/apis/batch/v1/namespaces/default/jobs/doomed');
      return condition(j, 'Failed')?.status === 'True' ? j : undefined;
    });
    expect(condition(job, 'Failed')).toMatchObject({ reason: 'BackoffLimitExceeded' });
    expect(job.status.failed).toBe(2);
  });

  it('fails a Job that outlives its activeDeadlineSeconds', async () => {
    await create(
      '/apis/batch/v1/namespaces/default/jobs',
      `
apiVersion: batch/v1
kind: Job
metadata: { name: sluggish, annotations: { sluice.dev/simulate-delay: 30s } }
spec:
  activeDeadlineSeconds: 1
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: run, image: "busybox:1.36" }]
`,
    );
    const job = await until('the deadline', async () => {
      const j = await api('GET', '/apis/batch/v1/namespaces/default/jobs/sluggish');
      return condition(j, 'Failed')?.status === 'True' ? j : undefined;
    });
    expect(condition(job, 'Failed')).toMatchObject({
      reason: 'DeadlineExceeded',
      message: 'Job was active longer than specified deadline',
    });
    await until('its pod to go', async () => {
      const pods = (await api('GET', `${PODS}?labelSelector=job-name%3Dsluggish`)).items;
      return pods.length === 0;
    });
  });

  it('counts pods as available only after minReadySeconds', async () => {
    const body = YAML.parse(deployment('patient', { replicas: 1 }));
    body.spec.minReadySeconds = 2;
    const created = await api('POST', DEPLOYMENTS, body);
    expect(created.__status).toBe(201);
    const ready = await until('a ready pod', async () => {
      const d = await api('GET', `${DEPLOYMENTS}/patient`);
      return d.status?.readyReplicas === 1 ? d : undefined;
    });
    expect(ready.status.availableReplicas ?? 0).toBe(0);
    expect(deploymentCurrent(ready)).toBe(false);
    await until('available', async () => deploymentCurrent(await api('GET', `${DEPLOYMENTS}/patient`)), 6000);
  });

  it('runs a StatefulSet with ordered pods, bound claims and matching revisions', async () => {
    await create(
      '/apis/apps/v1/namespaces/default/statefulsets',
      `
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec:
  serviceName: db
  replicas: 2
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec:
      containers: [{ name: db, image: "postgres:17" }]
  volumeClaimTemplates:
    - metadata: { name: data }
      spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }
`,
    );
    const sts = await until('db to be ready', async () => {
      const s = await api('GET', '/apis/apps/v1/namespaces/default/statefulsets/db');
      const st = s.status ?? {};
      return st.readyReplicas === 2 && st.currentRevision === st.updateRevision && st.updatedReplicas === 2
        ? s
        : undefined;
    });
    expect(sts.status.observedGeneration).toBe(sts.metadata.generation);
    const names = (await podsOf('db')).map((p) => p.metadata.name).sort();
    expect(names).toEqual(['db-0', 'db-1']);
    const claims = await until('claims bound', async () => {
      const items = (await api('GET', '/api/v1/namespaces/default/persistentvolumeclaims')).items.filter(
        (c: Obj) => c.metadata.name.startsWith('data-db-'),
      );
      return items.length === 2 && items.every((c: Obj) => c.status?.phase === 'Bound') ? items : undefined;
    });
    expect(claims[0].spec.volumeName).toMatch(/^pvc-/);
    const pv = await api('GET', `/api/v1/persistentvolumes/${claims[0].spec.volumeName}`);
    expect(pv.status.phase).toBe('Bound');
  });

  it('runs one DaemonSet pod on the node', async () => {
    await create(
      '/apis/apps/v1/namespaces/default/daemonsets',
      `
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec:
      containers: [{ name: agent, image: "fluent-bit:3" }]
`,
    );
    const ds = await until('agent to be ready', async () => {
      const d = await api('GET', '/apis/apps/v1/namespaces/default/daemonsets/agent');
      return d.status?.numberReady === 1 ? d : undefined;
    });
    expect(ds.status).toMatchObject({
      desiredNumberScheduled: 1,
      currentNumberScheduled: 1,
      updatedNumberScheduled: 1,
      numberAvailable: 1,
      observedGeneration: 1,
    });
  });

  it('binds a PersistentVolumeClaim and releases its volume when the claim goes', async () => {
    await create(
      '/api/v1/namespaces/default/persistentvolumeclaims',
      `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: cache }
spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 2Gi } } }
`,
    );
    const pvc = await until('the claim to bind', async () => {
      const c = await api('GET', '/api/v1/namespaces/default/persistentvolumeclaims/cache');
      return c.status?.phase === 'Bound' ? c : undefined;
    });
    expect(pvc.status.capacity).toEqual({ storage: '2Gi' });
    await api('DELETE', '/api/v1/namespaces/default/persistentvolumeclaims/cache');
    await until('the volume to go', async () => {
      return (await api('GET', `/api/v1/persistentvolumes/${pvc.spec.volumeName}`)).__status === 404;
    });
  });

  it('allocates a cluster IP to a Service at create', async () => {
    const svc = await create(
      '/api/v1/namespaces/default/services',
      `
apiVersion: v1
kind: Service
metadata: { name: web }
spec: { selector: { app: web }, ports: [{ port: 80 }] }
`,
    );
    expect(svc.spec.clusterIP).toMatch(/^10\.9[6-9]\.|^10\.1[01][0-9]\./);
    expect(svc.spec.clusterIPs).toEqual([svc.spec.clusterIP]);
    const other = await create(
      '/api/v1/namespaces/default/services',
      `
apiVersion: v1
kind: Service
metadata: { name: other }
spec: { selector: { app: other }, ports: [{ port: 80 }] }
`,
    );
    expect(other.spec.clusterIP).not.toBe(svc.spec.clusterIP);
  });

  it('allocates node ports and a load balancer address to a LoadBalancer Service', async () => {
    const svc = await create(
      '/api/v1/namespaces/default/services',
      `
apiVersion: v1
kind: Service
metadata: { name: edge }
spec: { type: LoadBalancer, selector: { app: web }, ports: [{ name: http, port: 80 }, { name: https, port: 443 }] }
`,
    );
    const [http, https] = svc.spec.ports.map((p: Obj) => p.nodePort);
    expect(http).toBeGreaterThanOrEqual(30000);
    expect(https).toBeLessThanOrEqual(32767);
    expect(http).not.toBe(https);
    const ready = await until('an ingress address', async () => {
      const s = await api('GET', '/api/v1/namespaces/default/services/edge');
      return s.status?.loadBalancer?.ingress?.length ? s : undefined;
    });
    expect(ready.status.loadBalancer.ingress).toEqual([
      { ip: expect.stringMatching(/^172\.18\.255\.\d+$/), ipMode: 'VIP' },
    ]);
    // Dry runs take nothing: the next real Service gets the next free port.
    const dry = await api(
      'POST',
      '/api/v1/namespaces/default/services?dryRun=All',
      YAML.parse(
        'apiVersion: v1\nkind: Service\nmetadata: { name: dry }\nspec: { type: NodePort, ports: [{ port: 80 }] }\n',
      ),
    );
    expect(dry.__status).toBe(201);
    const real = await create(
      '/api/v1/namespaces/default/services',
      'apiVersion: v1\nkind: Service\nmetadata: { name: real }\nspec: { type: NodePort, ports: [{ port: 80 }] }\n',
    );
    expect(real.spec.ports[0].nodePort).not.toBe(http);
    expect(real.spec.ports[0].nodePort).not.toBe(https);
  });
});

describe('simulated workloads across restarts', () => {
  it('picks up workloads stored while the simulation was off', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { startCluster } = await import('../../src/cluster/index.js');
    const dir = await mkdtemp(join(tmpdir(), 'sluice-workloads-'));
    try {
      const off = await startCluster({ dataDir: dir, insecureHttp: true, workloads: { enabled: false } });
      const rt = off.service.registry.lookup('apps', 'v1', 'deployments')!;
      off.service.create(rt, 'default', YAML.parse(deployment('later', { replicas: 2 })), {
        fieldManager: 'test',
      });
      expect(off.service.get(rt, 'default', 'later').status).toBeUndefined();
      await off.stop();
      const on = await startCluster({ dataDir: dir, insecureHttp: true, workloads: { readyDelayMs: 50 } });
      try {
        await until('later to become Current', async () =>
          deploymentCurrent(on.service.get(rt, 'default', 'later')),
        );
      } finally {
        await on.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
