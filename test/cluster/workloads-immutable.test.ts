import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON documents from the API
type Obj = Record<string, any>;

let tc: TestCluster;

function api(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Obj> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, tc.url),
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
        res.on('end', () => resolve({ ...(text ? JSON.parse(text) : {}), __status: res.statusCode }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function create(path: string, yaml: string): Promise<Obj> {
  const created = await api('POST', path, YAML.parse(yaml));
  expect(created.__status, JSON.stringify(created)).toBe(201);
  return created;
}

const merge = (path: string, patch: unknown) => api('PATCH', path, patch, 'application/merge-patch+json');

function expectInvalid(result: Obj, kind: string, name: string, field: string, detail: string): void {
  expect(result.__status, JSON.stringify(result)).toBe(422);
  expect(result).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422 });
  expect(result.details).toMatchObject({ name, kind });
  expect(result.details.causes).toContainEqual(expect.objectContaining({ field }));
  const cause = result.details.causes.find((c: Obj) => c.field === field);
  expect(cause.message).toContain(detail);
  expect(result.message).toContain(`"${name}" is invalid: ${field}: `);
}

beforeAll(async () => {
  tc = await startTestCluster({ workloads: { readyDelayMs: 100 } });
}, 30_000);

afterAll(async () => {
  await tc?.stop();
});

describe('immutable fields of workloads and config', () => {
  it("rejects a change of a Deployment's selector with 422", async () => {
    await create(
      '/apis/apps/v1/namespaces/default/deployments',
      `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web, tier: front } }
    spec: { containers: [{ name: web, image: nginx }] }
`,
    );
    const result = await merge('/apis/apps/v1/namespaces/default/deployments/web', {
      spec: { selector: { matchLabels: { tier: 'front' } } },
    });
    expectInvalid(result, 'Deployment', 'web', 'spec.selector', 'field is immutable');
    // Changing what the selector does not cover stays allowed.
    const ok = await merge('/apis/apps/v1/namespaces/default/deployments/web', { spec: { replicas: 2 } });
    expect(ok.__status).toBe(200);
  });

  it("rejects a change of a Job's selector or template with 422", async () => {
    const job = await create(
      '/apis/batch/v1/namespaces/default/jobs',
      `
apiVersion: batch/v1
kind: Job
metadata: { name: once }
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: run, image: busybox }]
`,
    );
    expect(job.spec.selector.matchLabels['batch.kubernetes.io/controller-uid']).toBe(job.metadata.uid);
    const selector = await merge('/apis/batch/v1/namespaces/default/jobs/once', {
      spec: { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'other' } } },
    });
    expectInvalid(selector, 'Job', 'once', 'spec.selector', 'field is immutable');
    const template = await merge('/apis/batch/v1/namespaces/default/jobs/once', {
      spec: { template: { spec: { containers: [{ name: 'run', image: 'busybox:2' }] } } },
    });
    expectInvalid(template, 'Job', 'once', 'spec.template', 'field is immutable');
  });

  it("rejects a change of a Service's allocated cluster IP with 422 and keeps it when left out", async () => {
    const svc = await create(
      '/api/v1/namespaces/default/services',
      `
apiVersion: v1
kind: Service
metadata: { name: web }
spec: { selector: { app: web }, ports: [{ port: 80 }] }
`,
    );
    const result = await merge('/api/v1/namespaces/default/services/web', {
      spec: { clusterIP: '10.96.200.200', clusterIPs: ['10.96.200.200'] },
    });
    expectInvalid(result, 'Service', 'web', 'spec.clusterIPs[0]', 'may not change once set');
    // A full replacement without the allocation keeps it.
    const { clusterIP: _ip, clusterIPs: _ips, ...spec } = svc.spec;
    const replaced = await api('PUT', '/api/v1/namespaces/default/services/web', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { ...spec, ports: [{ port: 8080 }] },
    });
    expect(replaced.__status, JSON.stringify(replaced)).toBe(200);
    expect(replaced.spec.clusterIP).toBe(svc.spec.clusterIP);
  });

  it("rejects a change of a PersistentVolumeClaim's spec with 422", async () => {
    await create(
      '/api/v1/namespaces/default/persistentvolumeclaims',
      `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data }
spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }
`,
    );
    const result = await merge('/api/v1/namespaces/default/persistentvolumeclaims/data', {
      spec: { accessModes: ['ReadWriteMany'] },
    });
    expectInvalid(result, 'PersistentVolumeClaim', 'data', 'spec', 'spec is immutable after creation');
  });

  it('rejects new data in a ConfigMap or Secret marked immutable with 422', async () => {
    await create(
      '/api/v1/namespaces/default/configmaps',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: frozen }\nimmutable: true\ndata: { a: "1" }\n',
    );
    const cm = await merge('/api/v1/namespaces/default/configmaps/frozen', { data: { a: '2' } });
    expectInvalid(cm, 'ConfigMap', 'frozen', 'data', 'field is immutable when `immutable` is set');
    const thaw = await merge('/api/v1/namespaces/default/configmaps/frozen', { immutable: false });
    expectInvalid(thaw, 'ConfigMap', 'frozen', 'immutable', 'field is immutable when `immutable` is set');
    await create(
      '/api/v1/namespaces/default/secrets',
      'apiVersion: v1\nkind: Secret\nmetadata: { name: sealed }\nimmutable: true\nstringData: { token: abc }\n',
    );
    const secret = await merge('/api/v1/namespaces/default/secrets/sealed', { stringData: { token: 'xyz' } });
    expectInvalid(secret, 'Secret', 'sealed', 'data', 'field is immutable when `immutable` is set');
    // Metadata stays writable.
    const labelled = await merge('/api/v1/namespaces/default/secrets/sealed', {
      metadata: { labels: { a: 'b' } },
    });
    expect(labelled.__status).toBe(200);
  });
});
