import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTool } from '../../src/tools/index.js';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON documents from the API
type Obj = Record<string, any>;

let tc: TestCluster;
let helmPath: string;
let home: string;
let chart: string;

/** The test chart: a Deployment, a Service, a ConfigMap, a post-install hook Job, a test Pod and a CRD. */
const CHART: Record<string, string> = {
  'Chart.yaml': `apiVersion: v2
name: shop
version: 0.1.0
appVersion: "1.0"
`,
  'values.yaml': `replicas: 2
message: hello
failure: ""
hookFailure: ""
`,
  'crds/gadgets.yaml': `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: { plural: gadgets, singular: gadget, kind: Gadget, listKind: GadgetList }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: { type: integer }
`,
  'templates/configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  message: {{ .Values.message | quote }}
`,
  'templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  {{- if .Values.failure }}
  annotations:
    sluice.dev/simulate-failure: {{ .Values.failure }}
  {{- end }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: { app: {{ .Release.Name }}-web }
  template:
    metadata:
      labels: { app: {{ .Release.Name }}-web }
      annotations:
        checksum/config: {{ .Values.message | sha256sum | trunc 12 }}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          env:
            - name: MESSAGE
              value: {{ .Values.message | quote }}
`,
  'templates/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector: { app: {{ .Release.Name }}-web }
  ports: [{ port: 80, targetPort: 8080 }]
`,
  'templates/gadget.yaml': `apiVersion: example.com/v1
kind: Gadget
metadata:
  name: {{ .Release.Name }}-gadget
spec:
  size: 3
`,
  'templates/hook-job.yaml': `apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-migrate
  annotations:
    helm.sh/hook: post-install,post-upgrade
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: 0
  template:
    {{- if .Values.hookFailure }}
    metadata:
      annotations:
        sluice.dev/simulate-failure: {{ .Values.hookFailure }}
    {{- end }}
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: busybox:1.36
`,
  'templates/tests/test-connection.yaml': `apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-test
  annotations:
    helm.sh/hook: test
spec:
  restartPolicy: Never
  containers:
    - name: wget
      image: busybox:1.36
`,
};

interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

function helm(args: string[], timeoutMs = 60_000): Promise<HelmResult> {
  const env = {
    ...process.env,
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
    KUBECONFIG: tc.kubeconfigPath,
  };
  return new Promise((resolve) => {
    execFile(
      helmPath,
      [...args, '--kubeconfig', tc.kubeconfigPath],
      { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

async function helmOk(args: string[], timeoutMs?: number): Promise<string> {
  const result = await helm(args, timeoutMs);
  if (result.code !== 0)
    throw new Error(`helm ${args.join(' ')} exited ${result.code}: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

async function getJson(args: string[]): Promise<Obj> {
  return JSON.parse(await tc.kubectlOk(['get', ...args, '-o', 'json'])) as Obj;
}

beforeAll(async () => {
  [helmPath, tc, home] = await Promise.all([
    resolveTool('helm', { skipPath: true }),
    startTestCluster({ workloads: { readyDelayMs: 200 } }),
    mkdtemp(join(tmpdir(), 'sluice-helm-')),
  ]);
  chart = join(home, 'shop');
  for (const [path, text] of Object.entries(CHART)) {
    await mkdir(dirname(join(chart, path)), { recursive: true });
    await writeFile(join(chart, path), text);
  }
}, 60_000);

afterAll(async () => {
  await tc?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('the real helm 4.1 against the embedded cluster', () => {
  it('installs a chart with a CRD, a hook Job and workloads, waiting for them to be ready', async () => {
    const out = await helmOk([
      'install',
      'shop',
      chart,
      '--namespace',
      'default',
      '--wait',
      '--timeout',
      '60s',
    ]);
    expect(out).toContain('STATUS: deployed');
    const d = await getJson(['deployment', 'shop-web']);
    expect(d.status).toMatchObject({ readyReplicas: 2, availableReplicas: 2 });
    expect(d.metadata.labels['app.kubernetes.io/managed-by']).toBe('Helm');
    const crd = await getJson(['crd', 'gadgets.example.com']);
    expect(crd.metadata.name).toBe('gadgets.example.com');
    expect((await getJson(['gadget', 'shop-gadget'])).spec.size).toBe(3);
    const svc = await getJson(['service', 'shop-web']);
    expect(svc.spec.clusterIP).toMatch(/^10\./);
    // The hook Job ran to completion and was deleted (hook-succeeded).
    const jobs = await getJson(['jobs']);
    expect(jobs.items.map((j: Obj) => j.metadata.name)).not.toContain('shop-migrate');
  });

  it('lists the release and runs its test Pod to success', async () => {
    const list = JSON.parse(await helmOk(['list', '--namespace', 'default', '-o', 'json'])) as Obj[];
    expect(list).toEqual([expect.objectContaining({ name: 'shop', status: 'deployed', revision: '1' })]);
    const out = await helmOk(['test', 'shop', '--namespace', 'default', '--timeout', '30s']);
    expect(out).toMatch(/TEST SUITE:\s+shop-test/);
    expect(out).toMatch(/Phase:\s+Succeeded/);
  });

  it('upgrades with new values that show in the objects, keeps history and rolls back', async () => {
    await helmOk([
      'upgrade',
      'shop',
      chart,
      '--namespace',
      'default',
      '--set',
      'message=bonjour',
      '--set',
      'replicas=3',
      '--wait',
      '--timeout',
      '60s',
    ]);
    expect((await getJson(['configmap', 'shop-config'])).data.message).toBe('bonjour');
    const d = await getJson(['deployment', 'shop-web']);
    expect(d.spec.replicas).toBe(3);
    expect(d.status.readyReplicas).toBe(3);
    expect(d.spec.template.spec.containers[0].env).toEqual([{ name: 'MESSAGE', value: 'bonjour' }]);

    const history = JSON.parse(
      await helmOk(['history', 'shop', '--namespace', 'default', '-o', 'json']),
    ) as Obj[];
    expect(history.map((h) => [h.revision, h.status])).toEqual([
      [1, 'superseded'],
      [2, 'deployed'],
    ]);

    await helmOk(['rollback', 'shop', '1', '--namespace', 'default', '--wait', '--timeout', '60s']);
    expect((await getJson(['configmap', 'shop-config'])).data.message).toBe('hello');
    const rolled = await getJson(['deployment', 'shop-web']);
    expect(rolled.spec.replicas).toBe(2);
    const after = JSON.parse(
      await helmOk(['history', 'shop', '--namespace', 'default', '-o', 'json']),
    ) as Obj[];
    expect(after.at(-1)).toMatchObject({ revision: 3, status: 'deployed' });
  });

  it('uninstalls the release and its objects', async () => {
    const out = await helmOk(['uninstall', 'shop', '--namespace', 'default', '--wait', '--timeout', '30s']);
    expect(out).toContain('uninstalled');
    expect((await tc.kubectl(['get', 'deployment', 'shop-web'])).code).not.toBe(0);
    expect((await tc.kubectl(['get', 'configmap', 'shop-config'])).code).not.toBe(0);
    expect(JSON.parse(await helmOk(['list', '--namespace', 'default', '-o', 'json']))).toEqual([]);
  });

  it('reports a workload that never becomes ready as a failed install within its timeout', async () => {
    const started = Date.now();
    const result = await helm(
      [
        'install',
        'broken',
        chart,
        '--namespace',
        'default',
        '--set',
        'failure=ImagePullBackOff',
        '--set',
        'replicas=1',
        '--wait',
        '--timeout',
        '5s',
      ],
      30_000,
    );
    expect(result.code, result.stdout).not.toBe(0);
    expect(result.stderr).toMatch(/context deadline exceeded|timed out|not ready/i);
    expect(Date.now() - started).toBeLessThan(20_000);
    const list = JSON.parse(
      await helmOk(['list', '--namespace', 'default', '--failed', '-o', 'json']),
    ) as Obj[];
    expect(list).toEqual([expect.objectContaining({ name: 'broken', status: 'failed' })]);
  });

  it('fails an upgrade whose hook Job fails', async () => {
    await helmOk([
      'install',
      'hooked',
      chart,
      '--namespace',
      'default',
      '--set',
      'replicas=1',
      '--wait',
      '--timeout',
      '30s',
    ]);
    const result = await helm(
      [
        'upgrade',
        'hooked',
        chart,
        '--namespace',
        'default',
        '--set',
        'hookFailure=JobFailed',
        '--wait',
        '--timeout',
        '30s',
      ],
      45_000,
    );
    expect(result.code, result.stdout).not.toBe(0);
    expect(result.stderr).toMatch(/hooked-migrate/);
    expect(result.stderr).toMatch(/BackoffLimitExceeded|failed/i);
    const history = JSON.parse(
      await helmOk(['history', 'hooked', '--namespace', 'default', '-o', 'json']),
    ) as Obj[];
    expect(history.at(-1)).toMatchObject({ revision: 2, status: 'failed' });
  });
});
