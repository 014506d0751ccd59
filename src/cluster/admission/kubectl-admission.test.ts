import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTool } from '../../tools/index.js';
import { crdStatus } from '../crd/index.js';
import { type RunningCluster, startCluster } from '../index.js';
import { admit } from './index.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

// The real kubectl against the embedded cluster with this admission wired in.
describe('kubectl against the embedded cluster with admission', () => {
  let dir: string;
  let cluster: RunningCluster;
  let kubectlPath: string;

  const kubectl = (args: string[], input?: string): Promise<Result> =>
    new Promise((resolve) => {
      const child = execFile(
        kubectlPath,
        ['--kubeconfig', cluster.kubeconfigPath!, '--cache-dir', join(dir, 'cache'), ...args],
        { env: { ...process.env, HOME: dir }, timeout: 30_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin?.end(input ?? '');
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-admission-'));
    kubectlPath = await resolveTool('kubectl', { skipPath: true });
    cluster = await startCluster({
      dataDir: join(dir, 'data'),
      // The table below shows a Deployment nobody reconciles.
      workloads: { enabled: false },
      extensions: {
        // biome-ignore lint/suspicious/noExplicitAny: the handler's object type is structural JSON
        admit: (rt, object, o) => admit(rt, object, o) as any,
        // biome-ignore lint/suspicious/noExplicitAny: the handler's object type is structural JSON
        crdStatus: (crd) => crdStatus(crd) as any,
      },
    });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const DEPLOYMENT = (extra: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx${extra}}]
`;

  const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {plural: widgets, kind: Widget, shortNames: [wd], categories: [all]}
  scope: Namespaced
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
            required: [size]
            properties:
              size: {type: integer, minimum: 1}
              color: {type: string, default: blue}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Color, type: string, jsonPath: .spec.color}
`;

  it('refuses unknown fields under Strict validation and defaults what it stores', async () => {
    const strict = await kubectl(['create', '-f', '-'], DEPLOYMENT(', bogus: 1'));
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toContain(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].bogus"',
    );
    const warned = await kubectl(['create', '-f', '-', '--validate=warn'], DEPLOYMENT(', bogus: 1'));
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain('unknown field "spec.template.spec.containers[0].bogus"');
    const yaml = await kubectl(['get', 'deploy', 'web', '-o', 'yaml']);
    expect(yaml.stdout).toContain('progressDeadlineSeconds: 600');
    expect(yaml.stdout).toContain('maxSurge: 25%');
    expect(yaml.stdout).toContain('terminationMessagePath: /dev/termination-log');
    expect(yaml.stdout).not.toContain('bogus');
    const table = await kubectl(['get', 'deploy']);
    expect(table.stdout).toMatch(
      /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+0\/1\s+0\s+0\s+\d+s\n$/,
    );
  });

  it('rejects invalid names with the API server message', async () => {
    const r = await kubectl(['create', 'configmap', 'Bad']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'ConfigMap "Bad" is invalid: metadata.name: Invalid value: "Bad": a lowercase RFC 1123 subdomain',
    );
  });

  it('serves a CRD with printer columns, schema defaults and schema validation', async () => {
    expect((await kubectl(['apply', '-f', '-'], CRD)).code).toBe(0);
    expect(
      (await kubectl(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=10s']))
        .code,
    ).toBe(0);
    const bad = await kubectl(
      ['create', '-f', '-'],
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {size: "x"}\n',
    );
    expect(bad.stderr).toContain(
      'The Widget "w2" is invalid: spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"',
    );
    expect(
      (
        await kubectl(
          ['apply', '-f', '-'],
          'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n',
        )
      ).code,
    ).toBe(0);
    const table = await kubectl(['get', 'wd']);
    expect(table.stdout).toMatch(/^NAME\s+SIZE\s+COLOR\nw1\s+3\s+blue\n$/);
    const all = await kubectl(['get', 'all']);
    expect(all.stdout).toContain('widget.example.com/w1');
    expect(all.stdout).toContain('deployment.apps/web');
    const explain = await kubectl(['explain', 'widgets.spec']);
    expect(explain.stdout).toMatch(/size\s+<integer> -required-/);
  });
});
