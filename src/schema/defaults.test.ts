import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { applyDefaults, defaultPullPolicy } from './index.js';

describe('defaultPullPolicy()', () => {
  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.27', 'IfNotPresent'],
    ['localhost:5000/app', 'Always'],
    ['localhost:5000/app:v1', 'IfNotPresent'],
    ['ghcr.io/org/app@sha256:abcd', 'IfNotPresent'],
  ])('%s pulls %s', (image, policy) => {
    expect(defaultPullPolicy(image)).toBe(policy);
  });
});

describe('applyDefaults()', () => {
  it('defaults a Pod, its probes, volumes and downward API references', () => {
    const pod = parse(`
metadata: { name: p }
spec:
  containers:
    - name: c
      image: app:1
      resources: { requests: { cpu: 100m } }
      readinessProbe: { httpGet: { port: 8080 } }
      env: [{ name: NODE, valueFrom: { fieldRef: { fieldPath: spec.nodeName } } }]
  volumes: [{ name: cfg, configMap: { name: cfg } }, { name: scratch }]
`);
    applyDefaults('', 'Pod', pod);
    expect(pod.spec).toMatchObject({
      enableServiceLinks: true,
      serviceAccountName: 'default',
      priority: 0,
      volumes: [
        { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420 } },
        { name: 'scratch', emptyDir: {} },
      ],
    });
    expect(pod.spec.containers[0].readinessProbe).toEqual({
      httpGet: { port: 8080, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(pod.spec.containers[0].env[0].valueFrom.fieldRef.apiVersion).toBe('v1');
    expect(pod.status).toEqual({ phase: 'Pending', qosClass: 'Burstable' });
  });

  it('keeps values that are already set', () => {
    const d = parse(
      '{ spec: { replicas: 0, strategy: { type: Recreate }, template: { spec: { restartPolicy: Never, containers: [] } } } }',
    );
    applyDefaults('apps', 'Deployment', d);
    expect(d.spec.replicas).toBe(0);
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    expect(d.spec.template.spec.restartPolicy).toBe('Never');
  });

  it('leaves kinds without defaults alone', () => {
    const cm = { metadata: { name: 'a' }, data: { k: 'v' } };
    applyDefaults('', 'ConfigMap', cm);
    expect(cm).toEqual({ metadata: { name: 'a' }, data: { k: 'v' } });
  });
});
