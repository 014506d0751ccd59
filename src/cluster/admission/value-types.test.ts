import { describe, expect, it } from 'vitest';
import { typeForKind } from '../../schema/index.js';
import { checkValueTypes } from './value-types.js';

const check = (apiVersion: string, kind: string, object: unknown) =>
  checkValueTypes(object, typeForKind(apiVersion, kind)!, kind);

const deployment = (spec: unknown) => ({ apiVersion: 'apps/v1', kind: 'Deployment', spec });
const podSpec = (container: Record<string, unknown>) =>
  deployment({ template: { spec: { containers: [{ name: 'c', image: 'i', ...container }] } } });

describe('checkValueTypes', () => {
  it.each([
    [
      'a string for an int32',
      deployment({ replicas: 'many' }),
      'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    ],
    [
      'a fraction for an int32',
      deployment({ replicas: 1.5 }),
      'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32',
    ],
    [
      'a string for a struct',
      deployment('none'),
      'json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec',
    ],
    [
      'an object for a list of structs',
      deployment({ template: { spec: { containers: { name: 'c' } } } }),
      'json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container',
    ],
    [
      'a string for an int32 in a list item',
      podSpec({ ports: [{ containerPort: '80' }] }),
      'json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32',
    ],
    [
      'a string for a bool',
      podSpec({ stdin: 'yes' }),
      'json: cannot unmarshal string into Go struct field Container.spec.template.spec.containers.stdin of type bool',
    ],
    [
      'a list for labels',
      deployment({ template: { metadata: { labels: ['a'] } } }),
      'json: cannot unmarshal array into Go struct field ObjectMeta.spec.template.metadata.labels of type map[string]string',
    ],
    [
      'a malformed quantity',
      podSpec({ resources: { limits: { cpu: 'lots' } } }),
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    ],
    [
      'a bool for an int-or-string',
      deployment({ strategy: { rollingUpdate: { maxSurge: true } } }),
      'json: cannot unmarshal bool into Go value of type int32',
    ],
  ])('reports %s as encoding/json does', (_, object, message) => {
    expect(check('apps/v1', 'Deployment', object)).toBe(message);
  });

  it('reports a number in a ConfigMap or Secret data map against the map value type', () => {
    expect(check('v1', 'ConfigMap', { data: { a: 1 } })).toBe(
      'json: cannot unmarshal number into Go struct field ConfigMap.data of type string',
    );
    expect(check('v1', 'Secret', { data: { a: 1 } })).toBe(
      'json: cannot unmarshal number into Go struct field Secret.data of type []uint8',
    );
  });

  it('accepts nulls, numbers and strings for int-or-string and quantities, and unknown fields', () => {
    const ok = podSpec({
      resources: { limits: { cpu: 0.5, memory: '128Mi' }, requests: { cpu: '500m', memory: 1e9 } },
      ports: [{ containerPort: 80, name: null }],
      livenessProbe: { httpGet: { port: 'http' } },
      readinessProbe: { tcpSocket: { port: 8080 } },
      bogus: 'kept for pruning',
    });
    expect(check('apps/v1', 'Deployment', ok)).toBeUndefined();
    expect(
      check(
        'apps/v1',
        'Deployment',
        deployment({ replicas: null, strategy: { rollingUpdate: { maxSurge: '25%' } } }),
      ),
    ).toBeUndefined();
    const emptyDir = {
      apiVersion: 'v1',
      kind: 'Pod',
      spec: { volumes: [{ name: 'v', emptyDir: { sizeLimit: 1 } }] },
    };
    expect(check('v1', 'Pod', emptyDir)).toBeUndefined();
  });

  it('checks a date-time the way metav1.Time decodes itself', () => {
    expect(check('v1', 'ConfigMap', { metadata: { creationTimestamp: 5 } })).toBe(
      'json: cannot unmarshal number into Go value of type string',
    );
  });
});
