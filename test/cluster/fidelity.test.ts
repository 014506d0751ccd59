import https from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON replies are inspected freely
type Json = any;

interface Reply {
  status: number;
  json: Json;
}

let tc: TestCluster;

beforeAll(async () => {
  tc = await startTestCluster({ workloads: { enabled: false } });
});

afterAll(async () => {
  await tc?.stop();
});

function request(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const cluster = tc.cluster;
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise<Reply>((resolve, reject) => {
    const req = https.request(
      new URL(path, cluster.url),
      {
        method,
        ca: cluster.caCert,
        headers: {
          Authorization: `Bearer ${cluster.token}`,
          'Content-Type': contentType,
          'User-Agent': 'fidelity-test/1.0',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const CM = '/api/v1/namespaces/default/configmaps';
const managers = (o: Json) =>
  ((o.metadata.managedFields ?? []) as Json[]).map((m) => `${m.manager}/${m.operation}`);

describe('managed fields in write requests', () => {
  it('a PUT with managedFields: [] clears them and a PATCH can replace them', async () => {
    const created = await request('POST', `${CM}?fieldManager=first`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'mf' },
      data: { a: '1' },
    });
    expect(created.status).toBe(201);
    expect(managers(created.json)).toEqual(['first/Update']);

    const handed = created.json.metadata.managedFields.map((m: Json) => ({ ...m, manager: 'second' }));
    const patched = await request(
      'PATCH',
      `${CM}/mf`,
      [{ op: 'replace', path: '/metadata/managedFields', value: handed }],
      'application/json-patch+json',
    );
    expect(patched.status).toBe(200);
    expect(managers(patched.json)).toEqual(['second/Update']);
    expect(patched.json.metadata.resourceVersion).not.toBe(created.json.metadata.resourceVersion);

    const same = await request(
      'PATCH',
      `${CM}/mf`,
      [{ op: 'replace', path: '/metadata/managedFields', value: handed }],
      'application/json-patch+json',
    );
    expect(same.json.metadata.resourceVersion).toBe(patched.json.metadata.resourceVersion);

    const cleared = await request('PUT', `${CM}/mf`, {
      ...patched.json,
      metadata: { ...patched.json.metadata, managedFields: [] },
    });
    expect(cleared.status).toBe(200);
    expect(cleared.json.metadata.managedFields).toBeUndefined();
    expect(cleared.json.data).toEqual({ a: '1' });
  });

  it('a write that leaves managedFields out keeps the stored ones', async () => {
    await request('POST', `${CM}?fieldManager=keeper`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'mf-kept' },
      data: { a: '1' },
    });
    const put = await request('PUT', `${CM}/mf-kept?fieldManager=other`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'mf-kept' },
      data: { a: '1', b: '2' },
    });
    expect(managers(put.json)).toEqual(['keeper/Update', 'other/Update']);
  });
});

describe('values of the wrong JSON type in built-ins', () => {
  it('kubectl create gets the decoding error a real API server answers', async () => {
    const manifest = JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'typed', namespace: 'default' },
      spec: {
        replicas: 'many',
        selector: { matchLabels: { app: 'typed' } },
        template: {
          metadata: { labels: { app: 'typed' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
    });
    const result = await tc.kubectl(['create', '-f', '-'], { input: manifest });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
  });

  it('answers 400 for a number in ConfigMap data and accepts numbers for quantities', async () => {
    const bad = await request('POST', CM, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'numbers' },
      data: { a: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      reason: 'BadRequest',
      message:
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string',
    });
    const quota = await request('POST', '/api/v1/namespaces/default/resourcequotas', {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'q' },
      spec: { hard: { cpu: 2, memory: '1Gi' } },
    });
    expect(quota.status).toBe(201);
  });
});

describe('kubectl create (protobuf request bodies)', () => {
  it('creates an Ingress whose rules carry the inlined http paths', async () => {
    await tc.kubectlOk(['create', 'ingress', 'ing', '--rule=foo.com/bar=svc1:8080', '--class=nginx']);
    const ing = JSON.parse(await tc.kubectlOk(['get', 'ingress', 'ing', '-o', 'json']));
    expect(ing.spec.rules).toEqual([
      {
        host: 'foo.com',
        http: {
          paths: [
            {
              path: '/bar',
              pathType: 'Exact',
              backend: { service: { name: 'svc1', port: { number: 8080 } } },
            },
          ],
        },
      },
    ]);
  });

  it('creates every kind kubectl create offers', async () => {
    const commands = [
      ['create', 'namespace', 'made'],
      ['create', 'configmap', 'cm', '--from-literal=a=1', '-n', 'made'],
      ['create', 'secret', 'generic', 'sec', '--from-literal=p=q', '-n', 'made'],
      ['create', 'secret', 'tls', 'tls', '--cert', 'CERT', '--key', 'KEY', '-n', 'made'],
      [
        'create',
        'secret',
        'docker-registry',
        'reg',
        '--docker-server=r.example',
        '--docker-username=u',
        '--docker-password=p',
        '-n',
        'made',
      ],
      ['create', 'deployment', 'web', '--image=nginx', '--replicas=2', '--port=80', '-n', 'made'],
      ['create', 'service', 'clusterip', 'web', '--tcp=80:8080', '-n', 'made'],
      ['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '-n', 'made'],
      ['create', 'service', 'externalname', 'ext', '--external-name=example.com', '-n', 'made'],
      ['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *', '-n', 'made', '--', 'date'],
      ['create', 'job', 'from-cj', '--from=cronjob/cj', '-n', 'made'],
      ['create', 'job', 'once', '--image=busybox', '-n', 'made', '--', 'date'],
      ['create', 'poddisruptionbudget', 'pdb', '--selector=app=web', '--min-available=1', '-n', 'made'],
      ['create', 'priorityclass', 'high', '--value=1000', '--description=high'],
      ['create', 'quota', 'q', '--hard=cpu=2,pods=10', '-n', 'made'],
      ['create', 'role', 'reader', '--verb=get,list', '--resource=pods', '-n', 'made'],
      ['create', 'rolebinding', 'rb', '--role=reader', '--user=alice', '-n', 'made'],
      ['create', 'clusterrole', 'cr', '--verb=get', '--resource=nodes'],
      ['create', 'clusterrolebinding', 'crb', '--clusterrole=cr', '--group=devs'],
      ['create', 'serviceaccount', 'robot', '-n', 'made'],
    ];
    for (const args of commands) {
      const resolved = args.map((a) =>
        a === 'CERT'
          ? join(tc.dir, 'data', 'server.crt')
          : a === 'KEY'
            ? join(tc.dir, 'data', 'server.key')
            : a,
      );
      const result = await tc.kubectl(resolved);
      expect({ args: args.join(' '), code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
    }
    const job = JSON.parse(await tc.kubectlOk(['get', 'job', 'from-cj', '-n', 'made', '-o', 'json']));
    expect(job.spec.template.spec.containers[0]).toMatchObject({ image: 'busybox', command: ['date'] });
    const web = JSON.parse(await tc.kubectlOk(['get', 'deployment', 'web', '-n', 'made', '-o', 'json']));
    expect(web.spec.replicas).toBe(2);
    expect(web.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
  });
});

describe('PATCH options and apply bodies', () => {
  const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'opts' }, data: { a: '1' } };
  const APPLY = 'application/apply-patch+yaml';

  it('apply without a fieldManager is invalid PatchOptions', async () => {
    const reply = await request('PATCH', `${CM}/opts`, body, APPLY);
    expect(reply.status).toBe(422);
    expect(reply.json).toMatchObject({
      reason: 'Invalid',
      message:
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      details: {
        group: 'meta.k8s.io',
        kind: 'PatchOptions',
        causes: [{ reason: 'FieldValueRequired', field: 'fieldManager' }],
      },
    });
  });

  it('force on a non-apply patch is invalid PatchOptions, even force=false', async () => {
    expect((await request('PATCH', `${CM}/opts?fieldManager=me`, body, APPLY)).status).toBe(201);
    const reply = await request(
      'PATCH',
      `${CM}/opts?force=false`,
      { data: { a: '2' } },
      'application/merge-patch+json',
    );
    expect(reply.status).toBe(422);
    expect(reply.json.message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    );
  });

  it('an apply body of another kind or version than the URL is a bad request', async () => {
    const secret = await request('PATCH', `${CM}/opts?fieldManager=me`, { ...body, kind: 'Secret' }, APPLY);
    expect(secret.status).toBe(400);
    expect(secret.json.message).toBe('invalid object type: /v1, Kind=Secret');
    const deployments = '/apis/apps/v1/namespaces/default/deployments/d?fieldManager=me';
    const old = await request(
      'PATCH',
      deployments,
      { apiVersion: 'apps/v1beta1', kind: 'Deployment' },
      APPLY,
    );
    expect(old.status).toBe(400);
    expect(old.json.message).toBe('invalid object type: apps/v1beta1, Kind=Deployment');
  });

  it('kubectl scale records its fields under the scale subresource', async () => {
    await tc.kubectlOk(['create', 'deployment', 'scaled', '--image=nginx']);
    await tc.kubectlOk(['scale', 'deployment', 'scaled', '--replicas=3']);
    const d = JSON.parse(
      await tc.kubectlOk(['get', 'deployment', 'scaled', '-o', 'json', '--show-managed-fields']),
    );
    expect(d.spec.replicas).toBe(3);
    const entry = d.metadata.managedFields.find((m: Json) => m.subresource === 'scale');
    expect(entry).toMatchObject({
      manager: 'kubectl',
      operation: 'Update',
      apiVersion: 'apps/v1',
      fieldsV1: { 'f:spec': { 'f:replicas': {} } },
    });
    const creator = d.metadata.managedFields.find((m: Json) => m.manager === 'kubectl-create');
    expect(creator.fieldsV1['f:spec']['f:replicas']).toBeUndefined();
  });
});

describe('admission owns Pod QoS classes and names', () => {
  const pod = (name: string, resources: Json) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'nginx', resources }] },
  });

  it('records the QoS class the containers resources give', async () => {
    const PODS = '/api/v1/namespaces/default/pods';
    const cases: [string, Json, string][] = [
      ['qos-none', {}, 'BestEffort'],
      ['qos-some', { requests: { cpu: '100m' } }, 'Burstable'],
      ['qos-full', { limits: { cpu: '1', memory: '1Gi' } }, 'Guaranteed'],
    ];
    for (const [name, resources, qos] of cases) {
      const created = await request('POST', PODS, pod(name, resources));
      expect([name, created.status, created.json.status.qosClass]).toEqual([name, 201, qos]);
    }
  });

  it('validates names by kind: path segments for RBAC, DNS subdomains for the rest', async () => {
    const role = (name: string) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name },
    });
    const CR = '/apis/rbac.authorization.k8s.io/v1/clusterroles';
    expect((await request('POST', CR, role('system:reader'))).status).toBe(201);
    const percent = await request('POST', CR, role('a%b'));
    expect(percent.status).toBe(422);
    expect(percent.json.details.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: `Invalid value: "a%b": may not contain '%'`,
        field: 'metadata.name',
      },
    ]);
    expect((await request('POST', CR, role('..'))).json.details.causes[0].message).toBe(
      `Invalid value: "..": may not be '..'`,
    );
    const cm = await request('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a%b' } });
    expect(cm.status).toBe(422);
    expect(cm.json.details.causes[0].message).toContain('a lowercase RFC 1123 subdomain must consist of');
  });
});

describe('what the control plane keeps in namespaces', () => {
  it('serves the kubernetes Service in default', async () => {
    const svc = JSON.parse(
      await tc.kubectlOk(['get', 'service', 'kubernetes', '-n', 'default', '-o', 'json']),
    );
    expect(svc.metadata.labels).toEqual({ component: 'apiserver', provider: 'kubernetes' });
    expect(svc.spec).toMatchObject({
      type: 'ClusterIP',
      clusterIP: '10.96.0.1',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
    });
  });

  it('fills every namespace with a default ServiceAccount and the root CA, again after deletion', async () => {
    await tc.kubectlOk(['create', 'namespace', 'filled']);
    const names = await tc.kubectlOk(['get', 'serviceaccounts,configmaps', '-n', 'filled', '-o', 'name']);
    expect(names).toBe('serviceaccount/default\nconfigmap/kube-root-ca.crt\n');
    const ca = await tc.kubectlOk([
      'get',
      'configmap',
      'kube-root-ca.crt',
      '-n',
      'filled',
      '-o',
      'jsonpath={.data.ca\\.crt}',
    ]);
    expect(ca).toBe(tc.cluster.caCert);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      expect(await tc.kubectlOk(['get', 'sa', 'default', '-n', ns, '-o', 'name'])).toBe(
        'serviceaccount/default\n',
      );
    }

    await tc.kubectlOk(['delete', 'serviceaccount', 'default', '-n', 'filled']);
    await tc.kubectlOk(['delete', 'configmap', 'kube-root-ca.crt', '-n', 'filled']);
    await tc.cluster.settled();
    expect(await tc.kubectlOk(['get', 'serviceaccounts,configmaps', '-n', 'filled', '-o', 'name'])).toBe(
      'serviceaccount/default\nconfigmap/kube-root-ca.crt\n',
    );
    await tc.kubectlOk(['delete', 'namespace', 'filled', '--timeout=20s']);
    expect((await tc.kubectl(['get', 'namespace', 'filled'])).code).not.toBe(0);
  });
});
