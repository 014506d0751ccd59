// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Flux variables are written ${var} in manifests
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, KustomizeError, substitute } from '../../src/kustomize/index.js';
import type { JsonObject } from '../../src/patch/index.js';

// biome-ignore lint/suspicious/noExplicitAny: tests read deep fields of built objects
type Obj = JsonObject & Record<string, any>;

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-kustomize-flux-'));
  mkdirSync(join(dir, 'apps', 'nested', 'deeper'), { recursive: true });
  writeFileSync(
    join(dir, 'apps', 'deploy.yaml'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: ${replicas:=1}\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.0\n',
  );
  writeFileSync(
    join(dir, 'apps', 'nested', 'deeper', 'cm.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  env: ${cluster_env}\n  literal: $${not_a_var}\n',
  );
  writeFileSync(join(dir, 'apps', 'nested', 'notes.yaml'), 'just: a values file\n');
  mkdirSync(join(dir, 'escape'));
  writeFileSync(join(dir, 'escape', 'kustomization.yaml'), 'resources:\n- link.yaml\n');
  symlinkSync('/etc/hostname', join(dir, 'escape', 'link.yaml'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Flux extras on a kustomize build', () => {
  it('build() generates a kustomization from every manifest below a folder that has none', () => {
    const r = build(dir, { path: 'apps', extras: {} });
    expect(r.diagnostics).toEqual([]);
    expect(r.resources.map((o) => `${o.kind}/${(o.metadata as { name: string }).name}`)).toEqual([
      'ConfigMap/settings',
      'Deployment/web',
    ]);
  });

  it('build() applies targetNamespace, namePrefix, commonMetadata, patches and images of the Kustomization', () => {
    const r = build(dir, {
      path: 'apps',
      extras: {
        targetNamespace: 'prod',
        namePrefix: 'p-',
        commonMetadata: { labels: { team: 'a' }, annotations: { owner: 'ops' } },
        patches: [
          { patch: '- op: add\n  path: /spec/paused\n  value: true', target: { kind: 'Deployment' } },
        ],
        images: [{ name: 'nginx', newTag: '2.0' }],
      },
    });
    expect(r.diagnostics).toEqual([]);
    const deploy = r.resources.find((o) => o.kind === 'Deployment') as unknown as Obj;
    expect(deploy.metadata).toEqual({
      name: 'p-web',
      namespace: 'prod',
      labels: { team: 'a' },
      annotations: { owner: 'ops' },
    });
    expect(deploy.spec.paused).toBe(true);
    expect(deploy.spec.template.spec.containers[0].image).toBe('nginx:2.0');
  });

  it('substitute() replaces ${var} and ${var:=default}, keeps $${escapes} and turns numbers back into numbers', () => {
    const r = build(dir, { path: 'apps', extras: {} });
    const out = substitute(r.resources, { cluster_env: 'staging' });
    const cm = out.find((o) => o.kind === 'ConfigMap') as unknown as Obj;
    const deploy = out.find((o) => o.kind === 'Deployment') as unknown as Obj;
    expect(cm.data).toEqual({ env: 'staging', literal: '${not_a_var}' });
    expect(deploy.spec.replicas).toBe(1);
  });

  it('substitute() keeps values of string fields strings, and types numbers elsewhere', () => {
    const objects: JsonObject[] = [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c', labels: { replicas: '${replicas}' } },
        data: { replicas: '${replicas}', enabled: '${enabled}' },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd' },
        spec: {
          replicas: '${replicas}',
          template: { spec: { containers: [{ name: 'x', env: [{ name: 'N', value: '${replicas}' }] }] } },
        },
      },
      {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name: 'w' },
        spec: { size: '${replicas}' },
      },
    ];
    const [cm, deploy, widget] = substitute(objects, { replicas: '3', enabled: 'true' }) as unknown as Obj[];
    expect(cm!.data).toEqual({ replicas: '3', enabled: 'true' });
    expect(cm!.metadata.labels).toEqual({ replicas: '3' });
    expect(deploy!.spec.replicas).toBe(3);
    expect(deploy!.spec.template.spec.containers[0].env[0].value).toBe('3');
    expect(widget!.spec.size).toBe(3);
  });

  it('substitute() skips objects annotated substitute: disabled, and fails on unset variables only when strict', () => {
    const obj = {
      kind: 'ConfigMap',
      metadata: { name: 'x', annotations: { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' } },
      data: { a: '${v}' },
    };
    expect(substitute([obj], { v: '1' })[0]).toEqual(obj);
    const plain = { kind: 'ConfigMap', metadata: { name: 'y' }, data: { a: '${missing}' } };
    expect((substitute([plain], {})[0] as unknown as Obj).data.a).toBe('');
    expect(() => substitute([plain], {}, { strict: true })).toThrow(KustomizeError);
    expect(() => substitute([plain], { 'bad-name': 'x' })).toThrow(/bad-name/);
  });

  it('build() refuses a symlink that leaves the build root', () => {
    const r = build(dir, { path: 'escape' });
    expect(r.resources).toEqual([]);
    expect(r.diagnostics[0]).toMatchObject({ code: 'KustomizeRootEscape', severity: 'error' });
  });

  it('build() refuses a path that climbs out of the root', () => {
    const r = build(join(dir, 'apps'), { path: '../escape' });
    expect(r.diagnostics[0]).toMatchObject({ code: 'KustomizeRootEscape' });
  });
});
