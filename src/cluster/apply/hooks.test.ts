import { describe, expect, it } from 'vitest';
import { createRegistry } from '../registry/index.js';
import { createApplyHooks, decodeFieldsV1 } from './index.js';

describe('createApplyHooks', () => {
  const registry = createRegistry();
  const deployments = registry.lookup('apps', 'v1', 'deployments')!;
  const hooks = createApplyHooks({ now: () => new Date('2026-01-01T00:00:00Z') });
  const body = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 1 },
    status: { replicas: 1 },
  };

  it('applies without owning status on the main resource of a type with a status subresource', () => {
    const r = hooks.apply(undefined, body, {
      manager: 'kubectl',
      force: false,
      rt: deployments,
      apiVersion: 'apps/v1',
    });
    const entries = (r.object as { metadata: { managedFields: { fieldsV1: unknown }[] } }).metadata
      .managedFields;
    expect(decodeFieldsV1(entries[0]!.fieldsV1).toStrings()).toEqual(['.spec.replicas']);
  });

  it('returns the managed fields of Update operations, owning only status through /status', () => {
    const created = hooks.managedFields(undefined, body, {
      manager: 'kubectl-create',
      operation: 'Update',
      rt: deployments,
      apiVersion: 'apps/v1',
    }) as { manager: string; fieldsV1: unknown }[];
    expect(created.map((e) => e.manager)).toEqual(['kubectl-create']);
    expect(decodeFieldsV1(created[0]!.fieldsV1).toStrings()).not.toContain('.status.replicas');
    const live = { ...body, metadata: { ...body.metadata, managedFields: created } };
    const status = hooks.managedFields(
      live,
      { ...live, spec: { replicas: 9 }, status: { replicas: 2, readyReplicas: 2 } },
      {
        manager: 'controller',
        operation: 'Update',
        rt: deployments,
        apiVersion: 'apps/v1',
        subresource: 'status',
      },
    ) as { manager: string; subresource?: string; fieldsV1: unknown }[];
    const entry = status.find((e) => e.manager === 'controller')!;
    expect(entry.subresource).toBe('status');
    expect(decodeFieldsV1(entry.fieldsV1).toStrings()).toEqual(['.status.readyReplicas', '.status.replicas']);
  });
});
