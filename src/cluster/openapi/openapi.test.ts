import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createRegistry } from '../registry/index.js';
import { openapiDocument, openapiDocumentBody, openapiRoot } from './index.js';

// biome-ignore lint/suspicious/noExplicitAny: tests navigate the documents freely
type Doc = Record<string, any>;

const CRD = parse(`
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
              properties:
                size: { type: integer, description: How big. }
`);

describe('openapiRoot()', () => {
  it('lists every group-version with a hash that changes when a CRD changes', () => {
    const reg = createRegistry();
    const root = openapiRoot(reg) as Doc;
    expect(root.paths['api/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
    expect(root.paths['apis/apps/v1']).toBeDefined();
    reg.installCRD(CRD);
    const first = (openapiRoot(reg) as Doc).paths['apis/example.com/v1'].serverRelativeURL;
    reg.installCRD({ ...CRD, spec: { ...CRD.spec, names: { ...CRD.spec.names, shortNames: ['wd'] } } });
    const afterNames = (openapiRoot(reg) as Doc).paths['apis/example.com/v1'].serverRelativeURL;
    const schema = structuredClone(CRD);
    schema.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.color = { type: 'string' };
    reg.installCRD(schema);
    const afterSchema = (openapiRoot(reg) as Doc).paths['apis/example.com/v1'].serverRelativeURL;
    expect(afterNames).toBe(first);
    expect(afterSchema).not.toBe(first);
    expect((openapiRoot(reg) as Doc).paths['api/v1']).toEqual(root.paths['api/v1']);
  });
});

describe('openapiDocument()', () => {
  const reg = createRegistry();
  reg.installCRD(CRD);

  it('publishes built-in schemas with their group-version-kind and the schemas they reach', () => {
    const doc = openapiDocument(reg, '/openapi/v3/apis/apps/v1?hash=abc') as Doc;
    expect(doc.openapi).toBe('3.0.0');
    const schemas = doc.components.schemas;
    expect(schemas['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind']).toEqual([
      { group: 'apps', version: 'v1', kind: 'Deployment' },
    ]);
    expect(schemas['io.k8s.api.apps.v1.DeploymentList']).toBeDefined();
    expect(schemas['io.k8s.api.core.v1.PodTemplateSpec']).toBeDefined();
    expect(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']).toBeDefined();
    expect(schemas['io.k8s.api.core.v1.ConfigMap']).toBeUndefined();
    const json = JSON.stringify(doc);
    for (const m of json.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g))
      expect(schemas[m[1]!]).toBeDefined();
  });

  it('offers PATCH with fieldValidation and all patch types for built-ins', () => {
    const doc = openapiDocument(reg, 'apis/apps/v1') as Doc;
    const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    expect(item.patch['x-kubernetes-group-version-kind']).toEqual({
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
    });
    expect(item.patch.parameters.map((p: Doc) => p.name)).toContain('fieldValidation');
    expect(Object.keys(item.patch.requestBody.content)).toEqual(
      expect.arrayContaining([
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/strategic-merge-patch+json',
        'application/apply-patch+yaml',
      ]),
    );
    for (const verb of ['get', 'put', 'delete']) expect(item[verb]).toBeDefined();
    expect(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'].post).toBeDefined();
    expect(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status'].patch).toBeDefined();
    expect(doc.paths['/apis/apps/v1/deployments'].get).toBeDefined();
    const core = openapiDocument(reg, 'api/v1') as Doc;
    expect(core.paths['/api/v1/namespaces/{name}'].put).toBeDefined();
  });

  it('publishes custom resources with their CRD schema and without strategic merge patch', () => {
    const doc = openapiDocument(reg, 'apis/example.com/v1') as Doc;
    const widget = doc.components.schemas['com.example.v1.Widget'];
    expect(widget['x-kubernetes-group-version-kind']).toEqual([
      { group: 'example.com', version: 'v1', kind: 'Widget' },
    ]);
    expect(widget.properties.spec.properties.size).toEqual({ type: 'integer', description: 'How big.' });
    expect(widget.properties.metadata.allOf[0].$ref).toBe(
      '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    );
    expect(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']).toBeDefined();
    const patch = doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'].patch;
    expect(Object.keys(patch.requestBody.content)).not.toContain('application/strategic-merge-patch+json');
    expect(patch.parameters.map((p: Doc) => p.name)).toContain('fieldValidation');
  });

  it('returns undefined for group-versions that are not served and caches bodies', () => {
    expect(openapiDocument(reg, 'apis/nope.io/v1')).toBeUndefined();
    expect(openapiDocument(reg, 'version')).toBeUndefined();
    expect(openapiDocumentBody(reg, 'api/v1')).toBe(openapiDocumentBody(reg, '/openapi/v3/api/v1'));
  });
});
