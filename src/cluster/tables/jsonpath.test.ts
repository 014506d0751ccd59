import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileJSONPath } from './index.js';

const DOC = parse(`
metadata:
  name: web
  labels: { app.kubernetes.io/name: web, tier: front }
spec:
  replicas: 3
  containers:
    - { name: app, image: nginx:1.27, ports: [{ containerPort: 80 }] }
    - { name: sidecar, image: envoy }
status:
  conditions:
    - { type: Ready, status: "True" }
    - { type: Synced, status: "False" }
`);

describe('compileJSONPath()', () => {
  it.each([
    ['.spec.replicas', [3]],
    ['{.spec.replicas}', [3]],
    ['$.metadata.name', ['web']],
    ['.spec.containers[0].image', ['nginx:1.27']],
    ['.spec.containers[-1].name', ['sidecar']],
    ['.spec.containers[*].name', ['app', 'sidecar']],
    ['.spec.containers[0:1].name', ['app']],
    ['.status.conditions[?(@.type=="Ready")].status', ['True']],
    [".status.conditions[?(@.type=='Synced')].status", ['False']],
    ['.status.conditions[?(@.type!="Ready")].type', ['Synced']],
    [".metadata.labels['app.kubernetes.io/name']", ['web']],
    ['.metadata.labels.app\\.kubernetes\\.io/name', ['web']],
    ['..containerPort', [80]],
    ['.spec.missing', []],
    ['.spec.containers[5].name', []],
  ])('%s selects %j', (path, expected) => {
    expect(compileJSONPath(path).find(DOC)).toEqual(expected);
  });

  it('rejects malformed paths with a message naming the path', () => {
    expect(() => compileJSONPath('.spec[')).toThrow(/JSONPath ".spec\[" is invalid/);
    expect(() => compileJSONPath('.a[?(@.b=="x"]')).toThrow(/invalid/);
  });
});
