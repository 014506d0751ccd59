import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createRegistry } from '../registry/index.js';
import { admit, invalidMessage } from './index.js';

// biome-ignore lint/suspicious/noExplicitAny: tests navigate the documents freely
type Doc = Record<string, any>;

const reg = createRegistry();
reg.installCRD(
  parse(`
metadata: { name: widgets.example.com }
spec:
  group: example.com
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget }
  versions:
    - name: v1
      served: true
      storage: true
      subresources: { status: {} }
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: { type: integer, minimum: 1, maximum: 10 }
                color: { type: string, enum: [red, blue], default: red }
                name: { type: string, pattern: '^[a-z]+$', maxLength: 5 }
                port: { x-kubernetes-int-or-string: true }
                tags: { type: array, maxItems: 2, items: { type: string }, x-kubernetes-list-type: set }
                extra: { type: object, x-kubernetes-preserve-unknown-fields: true }
                template: { type: object, x-kubernetes-embedded-resource: true, x-kubernetes-preserve-unknown-fields: true }
                limits: { type: object, additionalProperties: { type: integer } }
                settings:
                  type: object
                  default: {}
                  properties:
                    mode: { type: string, default: fast }
            status:
              type: object
              properties:
                ready: { type: boolean }
`),
);

const rt = (group: string, version: string, plural: string) => reg.lookup(group, version, plural)!;

function run(
  group: string,
  version: string,
  plural: string,
  yaml: string,
  operation: 'CREATE' | 'UPDATE' = 'CREATE',
  old?: object,
) {
  return admit(rt(group, version, plural), parse(yaml), {
    operation,
    fieldValidation: 'Strict',
    ...(old ? { old } : {}),
  });
}

describe('admit() on built-ins', () => {
  it('defaults a Deployment and its pod template like the API server', () => {
    const { object, causes, unknownFields } = run(
      'apps',
      'v1',
      'deployments',
      `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: default }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: app
          image: nginx
          ports: [{ containerPort: 80 }]
        - name: side
          image: envoy:1.30
`,
    );
    expect(causes).toEqual([]);
    expect(unknownFields).toEqual([]);
    const spec = (object as Doc).spec;
    expect(spec).toMatchObject({
      replicas: 1,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    });
    expect(spec.template.spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
    });
    expect(spec.template.spec.containers[0]).toEqual({
      name: 'app',
      image: 'nginx',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      imagePullPolicy: 'Always',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      resources: {},
    });
    expect(spec.template.spec.containers[1].imagePullPolicy).toBe('IfNotPresent');
  });

  it.each([
    [
      'services',
      '',
      `{ metadata: { name: web }, spec: { selector: { app: web }, ports: [{ port: 80 }] } }`,
      {
        spec: {
          type: 'ClusterIP',
          sessionAffinity: 'None',
          ipFamilyPolicy: 'SingleStack',
          ipFamilies: ['IPv4'],
          internalTrafficPolicy: 'Cluster',
          ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
        },
      },
    ],
    ['secrets', '', `{ metadata: { name: s }, data: { a: YQ== } }`, { type: 'Opaque' }],
    [
      'namespaces',
      '',
      `{ metadata: { name: team-a } }`,
      {
        metadata: { labels: { 'kubernetes.io/metadata.name': 'team-a' } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      },
    ],
    [
      'persistentvolumeclaims',
      '',
      `{ metadata: { name: data }, spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } } }`,
      { spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } },
    ],
    [
      'cronjobs',
      'batch',
      `{ metadata: { name: tick }, spec: { schedule: "* * * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: OnFailure, containers: [{ name: c, image: busybox }] } } } } } }`,
      {
        spec: {
          concurrencyPolicy: 'Allow',
          suspend: false,
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 1,
          jobTemplate: {
            spec: {
              template: { spec: { dnsPolicy: 'ClusterFirst', containers: [{ imagePullPolicy: 'Always' }] } },
            },
          },
        },
      },
    ],
    [
      'statefulsets',
      'apps',
      `{ metadata: { name: db }, spec: { serviceName: db, selector: { matchLabels: { app: db } }, template: { metadata: { labels: { app: db } }, spec: { containers: [{ name: db, image: postgres:16 }] } }, volumeClaimTemplates: [{ metadata: { name: data }, spec: { accessModes: [ReadWriteOnce] } }] } }`,
      {
        spec: {
          replicas: 1,
          podManagementPolicy: 'OrderedReady',
          revisionHistoryLimit: 10,
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
          volumeClaimTemplates: [{ spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } }],
        },
      },
    ],
    [
      'daemonsets',
      'apps',
      `{ metadata: { name: agent }, spec: { selector: { matchLabels: { app: a } }, template: { metadata: { labels: { app: a } }, spec: { containers: [{ name: a, image: a }] } } } }`,
      {
        spec: {
          revisionHistoryLimit: 10,
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
        },
      },
    ],
    [
      'rolebindings',
      'rbac.authorization.k8s.io',
      `{ metadata: { name: rb }, roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: r }, subjects: [{ kind: User, name: alice }, { kind: ServiceAccount, name: sa, namespace: default }] }`,
      { subjects: [{ apiGroup: 'rbac.authorization.k8s.io' }, { apiGroup: '' }] },
    ],
  ])('defaults %s', (plural, group, yaml, expected) => {
    const { object, causes } = run(group, 'v1', plural, yaml);
    expect(causes).toEqual([]);
    expect(object).toMatchObject(expected);
  });

  it('generates a Job selector and labels from its uid and keeps them on update', () => {
    const created = run(
      'batch',
      'v1',
      'jobs',
      `{ metadata: { name: migrate, uid: "1234" }, spec: { template: { spec: { restartPolicy: Never, containers: [{ name: m, image: busybox }] } } } }`,
    ).object as Doc;
    expect(created.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': '1234' } },
    });
    const labels = {
      'batch.kubernetes.io/controller-uid': '1234',
      'batch.kubernetes.io/job-name': 'migrate',
      'controller-uid': '1234',
      'job-name': 'migrate',
    };
    expect(created.spec.template.metadata.labels).toEqual(labels);
    expect(created.metadata.labels).toEqual(labels);
    const updated = admit(
      rt('batch', 'v1', 'jobs'),
      {
        metadata: { name: 'migrate', uid: '1234' },
        spec: { template: { spec: { containers: [{ name: 'm', image: 'busybox' }] } } },
      },
      { operation: 'UPDATE', old: created, fieldValidation: 'Strict' },
    ).object as Doc;
    expect(updated.spec.selector).toEqual(created.spec.selector);
    expect(updated.spec.template.metadata.labels).toEqual(labels);
  });

  it('keeps Namespace finalizers on update', () => {
    const old = { metadata: { name: 'a' }, spec: { finalizers: ['kubernetes'] } };
    const { object } = run(
      '',
      'v1',
      'namespaces',
      '{ metadata: { name: a }, spec: { finalizers: [] } }',
      'UPDATE',
      old,
    );
    expect((object as Doc).spec.finalizers).toEqual(['kubernetes']);
  });

  it('reports and drops unknown fields, keeping those under preserve-unknown types', () => {
    const { object, unknownFields } = run(
      'apps',
      'v1',
      'deployments',
      `
metadata: { name: web, bogus: 1 }
spec:
  foo: bar
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers: [{ name: app, image: nginx, colour: red }]
status: { other: 1 }
`,
    );
    expect(unknownFields).toEqual([
      'metadata.bogus',
      'spec.foo',
      'spec.template.spec.containers[0].colour',
      'status.other',
    ]);
    expect((object as Doc).spec.foo).toBeUndefined();
    expect((object as Doc).spec.template.spec.containers[0].colour).toBeUndefined();
  });

  it('does not modify its input', () => {
    const input = parse('{ metadata: { name: web }, spec: { foo: 1 } }');
    run('apps', 'v1', 'deployments', JSON.stringify(input));
    admit(rt('apps', 'v1', 'deployments'), input, { operation: 'CREATE', fieldValidation: 'Warn' });
    expect(input).toEqual({ metadata: { name: 'web' }, spec: { foo: 1 } });
  });

  it.each([
    [
      'configmaps',
      '{ metadata: { name: Foo } }',
      [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.name',
          message:
            "Invalid value: \"Foo\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        },
      ],
    ],
    [
      'configmaps',
      '{ metadata: {} }',
      [
        {
          reason: 'FieldValueRequired',
          field: 'metadata.name',
          message: 'Required value: name or generateName is required',
        },
      ],
    ],
    [
      'services',
      '{ metadata: { name: 1web }, spec: { ports: [{ port: 80 }] } }',
      [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.name',
          message:
            "Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        },
      ],
    ],
    [
      'namespaces',
      '{ metadata: { name: a.b } }',
      [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.name',
          message:
            "Invalid value: \"a.b\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        },
      ],
    ],
    [
      'configmaps',
      '{ metadata: { name: ok, labels: { "-bad": "x y" } } }',
      [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.labels',
          message:
            "Invalid value: \"-bad\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        },
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.labels',
          message:
            "Invalid value: \"x y\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        },
      ],
    ],
    [
      'configmaps',
      `{ metadata: { name: ok, annotations: { big: "${'x'.repeat(262_145)}" } } }`,
      [
        {
          reason: 'FieldValueTooLong',
          field: 'metadata.annotations',
          message: 'Too long: may not be more than 262144 bytes',
        },
      ],
    ],
  ])('validates metadata of %s: %s', (plural, yaml, causes) => {
    expect(run('', 'v1', plural, yaml).causes).toEqual(causes);
  });

  it('accepts generateName prefixes ending in a dash', () => {
    expect(run('', 'v1', 'configmaps', '{ metadata: { generateName: cfg- } }').causes).toEqual([]);
  });

  it('words the Status message like the API server', () => {
    const causes = run('apps', 'v1', 'deployments', '{ metadata: { name: Foo } }').causes.slice(0, 1);
    expect(invalidMessage({ group: 'apps', kind: 'Deployment' }, 'Foo', causes)).toMatch(
      /^Deployment\.apps "Foo" is invalid: metadata\.name: Invalid value: "Foo": a lowercase RFC 1123 subdomain/,
    );
    expect(invalidMessage({ group: '', kind: 'Pod' }, 'x', [...causes, ...causes])).toMatch(
      /^Pod "x" is invalid: \[metadata\.name: .*, metadata\.name: /,
    );
  });
});

describe('admit() on custom resources', () => {
  const widget = (spec: string) =>
    run(
      'example.com',
      'v1',
      'widgets',
      `{ apiVersion: example.com/v1, kind: Widget, metadata: { name: w }, spec: ${spec} }`,
    );

  it('prunes unknown fields but keeps preserved and embedded ones', () => {
    const { object, unknownFields, causes } = widget(
      '{ size: 2, bogus: 1, extra: { anything: [1] }, template: { apiVersion: v1, kind: ConfigMap, metadata: { name: x }, data: {} } }',
    );
    expect(causes).toEqual([]);
    expect(unknownFields).toEqual(['spec.bogus']);
    expect((object as Doc).spec.extra).toEqual({ anything: [1] });
    expect((object as Doc).spec.template).toMatchObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x' },
    });
    expect((object as Doc).apiVersion).toBe('example.com/v1');
  });

  it('fills in schema defaults, nested ones included', () => {
    const { object } = widget('{ size: 2 }');
    expect((object as Doc).spec).toEqual({ size: 2, color: 'red', settings: { mode: 'fast' } });
  });

  it.each([
    [
      '{ size: "3" }',
      [
        {
          reason: 'FieldValueTypeInvalid',
          field: 'spec.size',
          message: 'Invalid value: "string": spec.size in body must be of type integer: "string"',
        },
      ],
    ],
    ['{}', [{ reason: 'FieldValueRequired', field: 'spec.size', message: 'Required value' }]],
    [
      '{ size: 0 }',
      [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.size',
          message: 'Invalid value: 0: spec.size in body should be greater than or equal to 1',
        },
      ],
    ],
    [
      '{ size: 11 }',
      [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.size',
          message: 'Invalid value: 11: spec.size in body should be less than or equal to 10',
        },
      ],
    ],
    [
      '{ size: 1, color: green }',
      [
        {
          reason: 'FieldValueNotSupported',
          field: 'spec.color',
          message: 'Unsupported value: "green": supported values: "red", "blue"',
        },
      ],
    ],
    [
      '{ size: 1, name: ABC }',
      [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.name',
          message: `Invalid value: "ABC": spec.name in body should match '^[a-z]+$'`,
        },
      ],
    ],
    [
      '{ size: 1, name: abcdefg }',
      [
        {
          reason: 'FieldValueTooLong',
          field: 'spec.name',
          message: 'Too long: may not be more than 5 bytes',
        },
      ],
    ],
    [
      '{ size: 1, tags: [a, b, a] }',
      [
        {
          reason: 'FieldValueTooMany',
          field: 'spec.tags',
          message: 'Too many: 3: must have at most 2 items',
        },
        { reason: 'FieldValueDuplicate', field: 'spec.tags[2]', message: 'Duplicate value: "a"' },
      ],
    ],
    [
      '{ size: 1, port: true }',
      [
        {
          reason: 'FieldValueTypeInvalid',
          field: 'spec.port',
          message: 'Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
        },
      ],
    ],
    [
      '{ size: 1, limits: { cpu: x } }',
      [
        {
          reason: 'FieldValueTypeInvalid',
          field: 'spec.limits.cpu',
          message: 'Invalid value: "string": spec.limits.cpu in body must be of type integer: "string"',
        },
      ],
    ],
    ['{ size: 1, port: "8080" }', []],
    ['{ size: 1, port: 8080 }', []],
  ])('validates spec %s', (spec, causes) => {
    expect(widget(spec).causes).toEqual(causes);
  });
});

describe('admit() on CustomResourceDefinitions', () => {
  const crd = (overrides: string) =>
    run(
      'apiextensions.k8s.io',
      'v1',
      'customresourcedefinitions',
      `
metadata: { name: gadgets.example.com }
spec:
  group: example.com
  scope: Namespaced
  names: { plural: gadgets, kind: Gadget }
  versions: [{ name: v1, served: true, storage: true, schema: { openAPIV3Schema: { type: object } } }]
${overrides}`,
    );

  it('defaults names and conversion and accepts a valid CRD', () => {
    const { object, causes } = crd('');
    expect(causes).toEqual([]);
    expect((object as Doc).spec.names).toEqual({
      plural: 'gadgets',
      kind: 'Gadget',
      singular: 'gadget',
      listKind: 'GadgetList',
    });
    expect((object as Doc).spec.conversion).toEqual({ strategy: 'None' });
  });
});
