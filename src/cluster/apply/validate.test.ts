import { describe, expect, it } from 'vitest';
import {
  ApplyRequestError,
  managerFromUserAgent,
  parseApplyBody,
  printManager,
  validateApplyBody,
  validatePatchOptions,
} from './index.js';

function errorOf(fn: () => unknown): ApplyRequestError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApplyRequestError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

const target = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'default' };

describe('apply request checks', () => {
  it('parses YAML and JSON apply bodies and rejects anything but one object', () => {
    expect(parseApplyBody('apiVersion: v1\nkind: ConfigMap\n')).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
    });
    expect(parseApplyBody(new TextEncoder().encode('{"kind":"ConfigMap"}'))).toEqual({ kind: 'ConfigMap' });
    expect(errorOf(() => parseApplyBody('- a')).status).toBe(400);
    expect(errorOf(() => parseApplyBody('a: [')).reason).toBe('BadRequest');
  });

  it('accepts a body that matches the URL', () => {
    expect(() =>
      validateApplyBody({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }, target),
    ).not.toThrow();
  });

  it('rejects a body whose type, name or namespace differ from the URL, or that carries managed fields', () => {
    expect(
      errorOf(() => validateApplyBody({ apiVersion: 'apps/v1beta1', kind: 'Deployment' }, target)).message,
    ).toBe('invalid object type: apps/v1beta1, Kind=Deployment');
    expect(errorOf(() => validateApplyBody({ apiVersion: 'v1', kind: 'Pod' }, target)).message).toBe(
      'invalid object type: /v1, Kind=Pod',
    );
    const mf = errorOf(() =>
      validateApplyBody(
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { managedFields: [] } },
        target,
      ),
    );
    expect([mf.status, mf.message]).toEqual([400, 'metadata.managedFields must be nil']);
    expect(
      errorOf(() =>
        validateApplyBody({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } }, target),
      ).message,
    ).toBe('the name of the object (x) does not match the name on the URL (web)');
    expect(
      errorOf(() =>
        validateApplyBody(
          { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: 'other' } },
          target,
        ),
      ).message,
    ).toBe('the namespace of the provided object does not match the namespace sent on the request');
  });

  it('requires a fieldManager for apply and forbids force on other patches with 422', () => {
    const missing = errorOf(() => validatePatchOptions({ patchType: 'application/apply-patch+yaml' }));
    expect(missing.status).toBe(422);
    expect(missing.message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
    expect(missing.details).toEqual({
      group: 'meta.k8s.io',
      kind: 'PatchOptions',
      causes: [
        {
          reason: 'FieldValueRequired',
          message: 'Required value: is required for apply patch',
          field: 'fieldManager',
        },
      ],
    });
    const force = errorOf(() =>
      validatePatchOptions({ patchType: 'application/merge-patch+json', force: false }),
    );
    expect(force.causes[0]!.field).toBe('force');
    expect(() =>
      validatePatchOptions({
        patchType: 'application/apply-patch+yaml; charset=utf-8',
        fieldManager: 'x',
        force: true,
      }),
    ).not.toThrow();
  });

  it('names managers of requests without fieldManager after the user agent', () => {
    expect(managerFromUserAgent('kubectl-client-side-apply/v1.35.0 (linux/amd64) kubernetes/abc')).toBe(
      'kubectl-client-side-apply',
    );
    expect(managerFromUserAgent(undefined)).toBe('');
  });
});

describe('printManager', () => {
  it('names managers the way conflict messages do', () => {
    expect(printManager({ manager: 'kubectl', operation: 'Apply' })).toBe('"kubectl"');
    expect(printManager({ manager: 'helm', operation: 'Update', apiVersion: 'apps/v1' })).toBe(
      '"helm" using apps/v1',
    );
    expect(
      printManager({ manager: 'ctl', operation: 'Update', apiVersion: 'v1', subresource: 'status' }),
    ).toBe('"ctl" with subresource "status" using v1');
  });
});
