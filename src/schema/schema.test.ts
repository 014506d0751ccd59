import { describe, expect, it } from 'vitest';
import { BUILTIN_RESOURCES, builtinSchemas, findBuiltin, typeForKind, typeFromSchema } from './index.js';

describe('builtinSchemas()', () => {
  it('has a schema with its group-version-kind for every built-in resource', () => {
    const schemas = builtinSchemas();
    for (const r of BUILTIN_RESOURCES) {
      const schema = schemas[r.schemaName];
      expect(schema, r.schemaName).toBeDefined();
      expect(schema!['x-kubernetes-group-version-kind']).toEqual([
        { group: r.group, version: r.version, kind: r.kind },
      ]);
      expect(schema!.properties?.metadata?.$ref).toBe(
        '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      );
    }
  });

  it('names nested types after the package that first uses them', () => {
    const schemas = builtinSchemas();
    expect(schemas['io.k8s.api.core.v1.PodTemplateSpec']).toBeDefined();
    expect(schemas['io.k8s.api.apps.v1.DeploymentSpec']?.properties?.template?.$ref).toBe(
      '#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec',
    );
    expect(schemas['io.k8s.api.apps.v1.DeploymentSpec']?.properties?.selector?.$ref).toBe(
      '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
    );
  });
});

describe('typeForKind()', () => {
  it('navigates a Deployment down to its containers with their merge keys and list types', () => {
    const deployment = typeForKind('apps/v1', 'Deployment')!;
    const podSpec = deployment.field('spec')!.field('template')!.field('spec')!;
    const containers = podSpec.field('containers')!;
    expect(containers.type).toBe('array');
    expect(containers.patchStrategy).toEqual(['merge']);
    expect(containers.patchMergeKey).toBe('name');
    expect(containers.listType).toBe('map');
    expect(containers.listMapKeys).toEqual(['name']);
    const ports = containers.items()!.field('ports')!;
    expect(ports.patchMergeKey).toBe('containerPort');
    expect(ports.listMapKeys).toEqual(['containerPort', 'protocol']);
    expect(containers.items()!.field('args')!.listType).toBe('atomic');
    expect(podSpec.field('volumes')!.patchStrategy).toEqual(['merge', 'retainKeys']);
  });

  it('knows int-or-string, quantities, string maps, sets and atomic structs', () => {
    const deployment = typeForKind('apps/v1', 'Deployment')!;
    expect(deployment.field('spec')!.field('strategy')!.field('rollingUpdate')!.field('maxSurge')!.type).toBe(
      'int-or-string',
    );
    const container = deployment
      .field('spec')!
      .field('template')!
      .field('spec')!
      .field('containers')!
      .items()!;
    expect(container.field('resources')!.field('limits')!.values()!.type).toBe('int-or-string');
    const meta = deployment.field('metadata')!;
    expect(meta.field('labels')!.type).toBe('map');
    expect(meta.field('labels')!.values()!.type).toBe('string');
    expect(meta.field('finalizers')!.listType).toBe('set');
    expect(meta.field('ownerReferences')!.listMapKeys).toEqual(['uid']);
    expect(deployment.field('spec')!.field('selector')!.mapType).toBe('atomic');
  });

  it('gives core kinds without a group and unknown kinds nothing', () => {
    expect(typeForKind('v1', 'Service')!.field('spec')!.field('ports')!.listMapKeys).toEqual([
      'port',
      'protocol',
    ]);
    expect(typeForKind('example.com/v1', 'Widget')).toBeUndefined();
    expect(findBuiltin('', 'ConfigMap')?.shortNames).toEqual(['cm']);
  });
});

describe('typeFromSchema()', () => {
  it('reads CRD list types and types metadata as ObjectMeta', () => {
    const node = typeFromSchema({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            items: {
              type: 'array',
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['id'],
              items: { type: 'object', properties: { id: { type: 'string' } } },
            },
            tags: { type: 'array', items: { type: 'string' } },
            extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
      },
    });
    const spec = node.field('spec')!;
    expect(spec.field('items')!.listType).toBe('map');
    expect(spec.field('items')!.listMapKeys).toEqual(['id']);
    expect(spec.field('tags')!.listType).toBe('atomic');
    expect(spec.field('extra')!.preserveUnknownFields).toBe(true);
    expect(node.field('metadata')!.field('labels')!.type).toBe('map');
  });
});

describe('the precomputed built-in schemas', () => {
  it('written by npm run build equal the schemas built from the models', async () => {
    const { readFile } = await import('node:fs/promises');
    const { buildBuiltinSchemas } = await import('./builtin-schemas.js');
    const written = JSON.parse(
      await readFile(new URL('../../dist/schema/builtin-schemas.json', import.meta.url), 'utf8'),
    );
    expect(written).toEqual(JSON.parse(JSON.stringify(buildBuiltinSchemas())));
  });
});
