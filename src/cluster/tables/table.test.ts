import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createRegistry } from '../registry/index.js';
import { humanDuration, toTable, wantsTable } from './index.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const reg = createRegistry();

// biome-ignore lint/suspicious/noExplicitAny: tests navigate the documents freely
type Doc = Record<string, any>;

function table(group: string, plural: string, yaml: string, opts = {}): Doc {
  const rt = reg.lookup(group, 'v1', plural)!;
  return toTable(rt, parse(yaml) as object[], { now: NOW, ...opts }) as Doc;
}

describe('toTable() for built-in kinds', () => {
  it.each([
    [
      '',
      'pods',
      `
- metadata: { name: web-1, creationTimestamp: "2026-01-01T11:55:00Z" }
  spec: { nodeName: node-1, containers: [{ name: a }, { name: b }] }
  status:
    phase: Running
    podIP: 10.0.0.5
    conditions: [{ type: Ready, status: "True" }]
    containerStatuses:
      - { name: a, ready: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { finishedAt: "2026-01-01T11:58:00Z" } } }
      - { name: b, ready: false, restartCount: 0, state: { waiting: { reason: CrashLoopBackOff } } }
`,
      ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
      ['web-1', '1/2', 'CrashLoopBackOff', '1 (2m ago)', '5m', '10.0.0.5', 'node-1', '<none>', '<none>'],
    ],
    [
      'apps',
      'deployments',
      `
- metadata: { name: web, creationTimestamp: "2026-01-01T09:00:00Z" }
  spec:
    replicas: 3
    selector: { matchLabels: { app: web } }
    template: { spec: { containers: [{ name: app, image: nginx }] } }
  status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 }
`,
      ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
      ['web', '2/3', 3, 2, '3h', 'app', 'nginx', 'app=web'],
    ],
    [
      '',
      'services',
      `
- metadata: { name: web, creationTimestamp: "2026-01-01T11:00:00Z" }
  spec: { type: NodePort, clusterIP: 10.96.0.10, clusterIPs: [10.96.0.10], ports: [{ port: 80, nodePort: 30080, protocol: TCP }, { port: 53, protocol: UDP }], selector: { app: web } }
`,
      ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR'],
      ['web', 'NodePort', '10.96.0.10', '<none>', '80:30080/TCP,53/UDP', '60m', 'app=web'],
    ],
    [
      '',
      'configmaps',
      `
- metadata: { name: cfg, creationTimestamp: "2026-01-01T11:59:30Z" }
  data: { a: "1", b: "2" }
  binaryData: { c: AA== }
`,
      ['NAME', 'DATA', 'AGE'],
      ['cfg', 3, '30s'],
    ],
    [
      '',
      'secrets',
      `
- metadata: { name: s, creationTimestamp: "2025-12-30T12:00:00Z" }
  type: kubernetes.io/tls
  data: { tls.crt: AA==, tls.key: AA== }
`,
      ['NAME', 'TYPE', 'DATA', 'AGE'],
      ['s', 'kubernetes.io/tls', 2, '2d'],
    ],
    [
      '',
      'namespaces',
      `
- metadata: { name: team-a, creationTimestamp: "2026-01-01T11:00:00Z" }
  status: { phase: Active }
`,
      ['NAME', 'STATUS', 'AGE'],
      ['team-a', 'Active', '60m'],
    ],
    [
      'batch',
      'jobs',
      `
- metadata: { name: migrate, creationTimestamp: "2026-01-01T11:50:00Z" }
  spec: { completions: 1, template: { spec: { containers: [{ name: m, image: busybox }] } }, selector: { matchLabels: { job-name: migrate } } }
  status:
    succeeded: 1
    startTime: "2026-01-01T11:50:00Z"
    completionTime: "2026-01-01T11:50:12Z"
    conditions: [{ type: Complete, status: "True" }]
`,
      ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
      ['migrate', 'Complete', '1/1', '12s', '10m', 'm', 'busybox', 'job-name=migrate'],
    ],
    [
      '',
      'events',
      `
- metadata: { name: web.1, creationTimestamp: "2026-01-01T11:00:00Z" }
  involvedObject: { kind: Deployment, name: web }
  type: Normal
  reason: ScalingReplicaSet
  message: "Scaled up replica set web-1 to 3 "
  source: { component: deployment-controller }
  count: 2
  firstTimestamp: "2026-01-01T11:00:00Z"
  lastTimestamp: "2026-01-01T11:58:00Z"
`,
      [
        'LAST SEEN',
        'TYPE',
        'REASON',
        'OBJECT',
        'SUBOBJECT',
        'SOURCE',
        'MESSAGE',
        'FIRST SEEN',
        'COUNT',
        'NAME',
      ],
      [
        '2m (x2 over 60m)',
        'Normal',
        'ScalingReplicaSet',
        'deployment/web',
        '',
        'deployment-controller',
        'Scaled up replica set web-1 to 3',
        '60m',
        2,
        'web.1',
      ],
    ],
    [
      'events.k8s.io',
      'events',
      `
- metadata: { name: e1, creationTimestamp: "2026-01-01T11:59:00Z" }
  regarding: { kind: Pod, name: web-1 }
  type: Warning
  reason: BackOff
  note: Back-off restarting
  eventTime: "2026-01-01T11:59:00.000000Z"
  reportingController: kubelet
`,
      [
        'LAST SEEN',
        'TYPE',
        'REASON',
        'OBJECT',
        'SUBOBJECT',
        'SOURCE',
        'MESSAGE',
        'FIRST SEEN',
        'COUNT',
        'NAME',
      ],
      ['60s', 'Warning', 'BackOff', 'pod/web-1', '', 'kubelet', 'Back-off restarting', '60s', 0, 'e1'],
    ],
    [
      'rbac.authorization.k8s.io',
      'clusterroles',
      `
- metadata: { name: view, creationTimestamp: "2026-01-01T11:00:00Z" }
`,
      ['NAME', 'CREATED AT'],
      ['view', '2026-01-01T11:00:00Z'],
    ],
  ])('prints %s/%s with the API server columns', (group, plural, yaml, headers, cells) => {
    const t = table(group, plural, yaml);
    expect(t.columnDefinitions.map((c: Doc) => c.name.toUpperCase())).toEqual(headers);
    expect(t.rows[0].cells).toEqual(cells);
  });

  it('marks wide-only columns with priority 1', () => {
    const t = table('', 'pods', '[]');
    expect(t.columnDefinitions.filter((c: Doc) => c.priority === 1).map((c: Doc) => c.name)).toEqual([
      'IP',
      'Node',
      'Nominated Node',
      'Readiness Gates',
    ]);
    expect(t.columnDefinitions[0]).toMatchObject({ name: 'Name', type: 'string', format: 'name' });
  });

  it('puts PartialObjectMetadata, the whole object or nothing into rows', () => {
    const yaml = '- { metadata: { name: a, namespace: n }, data: { k: v } }';
    expect(table('', 'configmaps', yaml).rows[0].object).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name: 'a', namespace: 'n' },
    });
    expect(table('', 'configmaps', yaml, { includeObject: 'Object' }).rows[0].object.data).toEqual({
      k: 'v',
    });
    expect(table('', 'configmaps', yaml, { includeObject: 'None' }).rows[0].object).toBeUndefined();
  });

  it('copies list metadata and leaves out headers on request', () => {
    const t = table('', 'configmaps', '[]', { resourceVersion: '42', continue: 'abc', noHeaders: true });
    expect(t).toEqual({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '42', continue: 'abc' },
      rows: [],
    });
  });
});

describe('toTable() for custom resources', () => {
  const crd = (columns?: object[]) => ({
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          ...(columns ? { additionalPrinterColumns: columns } : {}),
        },
      ],
    },
  });
  const objects = parse(`
- metadata: { name: w1, creationTimestamp: "2026-01-01T11:00:00Z" }
  spec: { size: 3, ratio: 0.5, enabled: true, tags: [a, b] }
  status: { conditions: [{ type: Ready, status: "True" }], since: "2026-01-01T11:30:00Z" }
- metadata: { name: w2, creationTimestamp: "2026-01-01T11:00:00Z" }
`);

  it('evaluates additionalPrinterColumns with their types', () => {
    const r = createRegistry();
    r.installCRD(
      crd([
        { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
        { name: 'Ratio', type: 'number', jsonPath: '.spec.ratio' },
        { name: 'Enabled', type: 'boolean', jsonPath: '.spec.enabled', priority: 1 },
        { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
        { name: 'Tags', type: 'string', jsonPath: '.spec.tags' },
        { name: 'Since', type: 'date', jsonPath: '.status.since' },
      ]),
    );
    const t = toTable(r.lookup('example.com', 'v1', 'widgets')!, objects, { now: NOW }) as Doc;
    expect(t.columnDefinitions.map((c: Doc) => [c.name, c.type, c.priority])).toEqual([
      ['Name', 'string', 0],
      ['Size', 'integer', 0],
      ['Ratio', 'number', 0],
      ['Enabled', 'boolean', 1],
      ['Ready', 'string', 0],
      ['Tags', 'string', 0],
      ['Since', 'date', 0],
    ]);
    expect(t.rows.map((row: Doc) => row.cells)).toEqual([
      ['w1', 3, 0.5, true, 'True', '[a b]', '30m'],
      ['w2', null, null, null, null, null, null],
    ]);
  });

  it('falls back to Name and Age without printer columns', () => {
    const r = createRegistry();
    r.installCRD(crd());
    const t = toTable(r.lookup('example.com', 'v1', 'widgets')!, objects, { now: NOW }) as Doc;
    expect(t.columnDefinitions.map((c: Doc) => [c.name, c.type])).toEqual([
      ['Name', 'string'],
      ['Age', 'date'],
    ]);
    expect(t.rows[0].cells).toEqual(['w1', '60m']);
  });
});

describe('humanDuration()', () => {
  it.each([
    [-5000, '<invalid>'],
    [-500, '0s'],
    [45_000, '45s'],
    [119_000, '119s'],
    [192_000, '3m12s'],
    [17 * 60_000, '17m'],
    [(5 * 60 + 3) * 60_000, '5h3m'],
    [20 * 3600_000, '20h'],
    [(3 * 24 + 4) * 3600_000, '3d4h'],
    [40 * 86400_000, '40d'],
    [(2 * 365 + 10) * 86400_000, '2y10d'],
    [9 * 365 * 86400_000, '9y'],
  ])('%d ms reads %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('wantsTable()', () => {
  it('recognises the Accept header kubectl get sends', () => {
    expect(
      wantsTable(
        'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
      ),
    ).toBe('meta.k8s.io/v1');
    expect(wantsTable('application/json;as=Table;v=v1beta1;g=meta.k8s.io')).toBe('meta.k8s.io/v1beta1');
    expect(wantsTable('application/json')).toBeUndefined();
    expect(wantsTable('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io')).toBeUndefined();
  });
});
