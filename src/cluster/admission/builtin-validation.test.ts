import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createRegistry } from '../registry/index.js';
import { admit } from './index.js';

// biome-ignore lint/suspicious/noExplicitAny: tests navigate the documents freely
type Doc = Record<string, any>;

const reg = createRegistry();

function check(group: string, plural: string, yaml: string, old?: string) {
  const rt = reg.lookup(group, 'v1', plural)!;
  return admit(rt, parse(yaml), {
    operation: old ? 'UPDATE' : 'CREATE',
    fieldValidation: 'Strict',
    ...(old ? { old: admit(rt, parse(old), { operation: 'CREATE', fieldValidation: 'Strict' }).object } : {}),
  });
}

const DEPLOY = (selector: string, labels: string, containers = '[{ name: web, image: nginx }]') =>
  `{ metadata: { name: web }, spec: { selector: ${selector}, template: { metadata: { labels: ${labels} }, spec: { containers: ${containers} } } } }`;

describe('built-in spec validation', () => {
  it.each([
    [
      'a valid Deployment',
      'apps',
      'deployments',
      DEPLOY('{ matchLabels: { app: web } }', '{ app: web, tier: a }'),
      [],
    ],
    [
      'a Deployment without selector',
      'apps',
      'deployments',
      '{ metadata: { name: web }, spec: { template: { spec: { containers: [{ name: a, image: a }] } } } }',
      [{ reason: 'FieldValueRequired', field: 'spec.selector', message: 'Required value' }],
    ],
    [
      'a Deployment whose selector misses its template',
      'apps',
      'deployments',
      DEPLOY('{ matchLabels: { app: web } }', '{ app: api }'),
      [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.template.metadata.labels',
          message:
            'Invalid value: map[string]string{"app":"api"}: `selector` does not match template `labels`',
        },
      ],
    ],
    [
      'containers without image and with duplicate names',
      'apps',
      'deployments',
      DEPLOY('{ matchLabels: { app: web } }', '{ app: web }', '[{ name: web }, { name: web, image: x }]'),
      [
        {
          reason: 'FieldValueRequired',
          field: 'spec.template.spec.containers[0].image',
          message: 'Required value',
        },
        {
          reason: 'FieldValueDuplicate',
          field: 'spec.template.spec.containers[1].name',
          message: 'Duplicate value: "web"',
        },
      ],
    ],
    [
      'a Job that would restart Always',
      'batch',
      'jobs',
      '{ metadata: { name: j }, spec: { template: { spec: { containers: [{ name: a, image: a }] } } } }',
      [
        {
          reason: 'FieldValueRequired',
          field: 'spec.template.spec.restartPolicy',
          message: 'Required value: valid values: "OnFailure", "Never"',
        },
      ],
    ],
    [
      'a Service with two unnamed ports',
      '',
      'services',
      '{ metadata: { name: web }, spec: { ports: [{ port: 80 }, { port: 443 }] } }',
      [
        { reason: 'FieldValueRequired', field: 'spec.ports[0].name', message: 'Required value' },
        { reason: 'FieldValueRequired', field: 'spec.ports[1].name', message: 'Required value' },
      ],
    ],
    [
      'a ConfigMap key with a slash',
      '',
      'configmaps',
      '{ metadata: { name: c }, data: { "a/b": x } }',
      [
        {
          reason: 'FieldValueInvalid',
          field: 'data[a/b]',
          message:
            "Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        },
      ],
    ],
  ])('%s', (_what, group, plural, yaml, causes) => {
    expect(check(group, plural, yaml).causes).toEqual(causes);
  });
});

describe('built-in update rules', () => {
  it.each([
    [
      'a changed Deployment selector',
      'apps',
      'deployments',
      DEPLOY('{ matchLabels: { app: web, v: "2" } }', '{ app: web, v: "2" }'),
      DEPLOY('{ matchLabels: { app: web } }', '{ app: web }'),
      [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.selector',
          message: 'Invalid value: {"matchLabels":{"app":"web","v":"2"}}: field is immutable',
        },
      ],
    ],
    [
      'a scaled Deployment',
      'apps',
      'deployments',
      DEPLOY('{ matchLabels: { app: web } }', '{ app: web }').replace('spec: {', 'spec: { replicas: 3,'),
      DEPLOY('{ matchLabels: { app: web } }', '{ app: web }'),
      [],
    ],
    [
      'new data in an immutable ConfigMap',
      '',
      'configmaps',
      '{ metadata: { name: c }, immutable: true, data: { a: "2" } }',
      '{ metadata: { name: c }, immutable: true, data: { a: "1" } }',
      [
        {
          reason: 'FieldValueForbidden',
          field: 'data',
          message: 'Forbidden: field is immutable when `immutable` is set',
        },
      ],
    ],
  ])('rejects or accepts %s', (_what, group, plural, yaml, old, causes) => {
    expect(check(group, plural, yaml, old).causes).toEqual(causes);
  });

  it('keeps allocated cluster IPs and node ports of a Service', () => {
    const old =
      '{ metadata: { name: web }, spec: { type: NodePort, clusterIP: 10.96.0.7, clusterIPs: [10.96.0.7], ports: [{ port: 80, nodePort: 30080 }] } }';
    const { object, causes } = check(
      '',
      'services',
      '{ metadata: { name: web }, spec: { type: NodePort, ports: [{ port: 80 }] } }',
      old,
    );
    expect(causes).toEqual([]);
    expect((object as Doc).spec).toMatchObject({
      clusterIP: '10.96.0.7',
      clusterIPs: ['10.96.0.7'],
      ports: [{ port: 80, nodePort: 30080 }],
    });
  });
});

describe('Secret stringData', () => {
  it('is folded into base64 data and not stored', () => {
    const { object } = check(
      '',
      'secrets',
      '{ metadata: { name: s }, data: { a: YQ== }, stringData: { b: hello, a: x } }',
    );
    expect(object).toMatchObject({ type: 'Opaque', data: { a: 'eA==', b: 'aGVsbG8=' } });
    expect((object as Doc).stringData).toBeUndefined();
  });
});
