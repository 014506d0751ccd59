import { describe, expect, it } from 'vitest';
import { StatusError } from '../http/index.js';
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

  it('turns conflicts into 409 Status errors with FieldManagerConflict causes', () => {
    const live = hooks.apply(undefined, body, {
      manager: 'a',
      force: false,
      rt: deployments,
      apiVersion: 'apps/v1',
    }).object;
    let caught: unknown;
    try {
      hooks.apply(
        live,
        { ...body, spec: { replicas: 3 } },
        { manager: 'b', force: false, rt: deployments, apiVersion: 'apps/v1' },
      );
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StatusError);
    expect((caught as StatusError).toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "a": .spec.replicas',
      reason: 'Conflict',
      details: {
        causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "a"', field: '.spec.replicas' }],
      },
      code: 409,
    });
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
