import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';

const manifest = (replicas: number, labels = 'app: web\n    tier: front') => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  labels:
    ${labels}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        ports:
        - containerPort: 80
`;

const replicasOnly = (replicas: number) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec: {replicas: ${replicas}}
`;

interface Deployment {
  metadata: {
    resourceVersion: string;
    labels?: Record<string, string>;
    managedFields?: { manager: string; operation: string; fieldsV1: Record<string, unknown> }[];
  };
  spec: { replicas: number };
}

describe('kubectl apply --server-side against the embedded cluster', () => {
  let c: TestCluster;

  beforeAll(async () => {
    c = await startTestCluster({ workloads: { enabled: false } });
  }, 60_000);

  afterAll(async () => {
    await c?.stop();
  });

  const get = async (): Promise<Deployment> =>
    JSON.parse(
      await c.kubectlOk(['get', 'deployment', 'web', '-n', 'default', '-o', 'json', '--show-managed-fields']),
    );

  it('creates with the first apply and leaves the object untouched on a second identical apply', async () => {
    const out = await c.kubectlOk(['apply', '--server-side', '-f', '-'], { input: manifest(2) });
    expect(out.trim()).toBe('deployment.apps/web serverside-applied');
    const first = await get();
    expect(first.metadata.managedFields?.find((e) => e.manager === 'kubectl')?.operation).toBe('Apply');

    await c.kubectlOk(['apply', '--server-side', '-f', '-'], { input: manifest(2) });
    const second = await get();
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
  });

  it('refuses a second manager changing an owned field, naming the owner and the field', async () => {
    const r = await c.kubectl(['apply', '--server-side', '--field-manager=other', '-f', '-'], {
      input: replicasOnly(5),
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
    expect((await get()).spec.replicas).toBe(2);
  });

  it('moves ownership with --force-conflicts', async () => {
    await c.kubectlOk(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], {
      input: replicasOnly(5),
    });
    const d = await get();
    expect(d.spec.replicas).toBe(5);
    const owners = (d.metadata.managedFields ?? []).filter((e) =>
      Object.hasOwn((e.fieldsV1['f:spec'] ?? {}) as object, 'f:replicas'),
    );
    expect(owners.map((e) => e.manager)).toEqual(['other']);
  });

  it('removes a field the manager no longer applies, unless another manager owns it', async () => {
    const withoutReplicas = manifest(5, 'app: web').replace('  replicas: 5\n', '');
    await c.kubectlOk(['apply', '--server-side', '-f', '-'], { input: withoutReplicas });
    const d = await get();
    expect(d.metadata.labels).toEqual({ app: 'web' });
    // replicas belongs to "other" since the forced apply, so kubectl dropping it keeps it.
    expect(d.spec.replicas).toBe(5);
  });

  it('lets kubectl move from client-side to server-side apply without conflicts on the fields it applied', async () => {
    const cm = (value: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: moved, namespace: default}\ndata: {a: "${value}"}\n`;
    await c.kubectlOk(['apply', '-f', '-'], { input: cm('1') });
    await c.kubectlOk(['apply', '--server-side', '-f', '-'], { input: cm('2') });
    const got = JSON.parse(await c.kubectlOk(['get', 'configmap', 'moved', '-n', 'default', '-o', 'json']));
    expect(got.data).toEqual({ a: '2' });
    expect(
      JSON.parse(got.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).data,
    ).toEqual({
      a: '2',
    });
  });
});
