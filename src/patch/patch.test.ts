import { describe, expect, it } from 'vitest';
import { typeForKind } from '../schema/index.js';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  InvalidPatchError,
  PatchPathNotFoundError,
  PatchTestFailedError,
} from './index.js';

describe('applyJsonPatch', () => {
  it('applies add, remove, replace, move, copy and test in order without touching the input', () => {
    const doc = { a: [1, 2], b: { c: 'x' } };
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/a/-', value: 3 },
      { op: 'test', path: '/b/c', value: 'x' },
      { op: 'copy', from: '/b', path: '/d' },
      { op: 'move', from: '/b/c', path: '/e' },
      { op: 'replace', path: '/a/0', value: 0 },
      { op: 'remove', path: '/a/1' },
    ]);
    expect(out).toEqual({ a: [0, 3], b: {}, d: { c: 'x' }, e: 'x' });
    expect(doc).toEqual({ a: [1, 2], b: { c: 'x' } });
  });

  it('unescapes ~1 and ~0 in pointers', () => {
    expect(applyJsonPatch({}, [{ op: 'add', path: '/a~1b~0c', value: 1 }])).toEqual({ 'a/b~c': 1 });
  });

  it('throws typed errors with codes for a failed test, a missing path and a bad operation', () => {
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(
      PatchTestFailedError,
    );
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'remove', path: '/b' }])).toThrow(PatchPathNotFoundError);
    expect(() => applyJsonPatch({}, [{ op: 'bogus', path: '/a' } as never])).toThrow(InvalidPatchError);
    try {
      applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/x/y', value: 1 }]);
    } catch (e) {
      expect((e as PatchPathNotFoundError).code).toBe('PatchPathNotFound');
    }
  });
});

describe('applyMergePatch', () => {
  it('merges maps, deletes keys set to null and replaces lists', () => {
    expect(applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [9] })).toEqual({
      a: { c: 2, d: 3 },
      l: [9],
    });
  });
});

describe('applyStrategicMergePatch', () => {
  const deployment = typeForKind('apps/v1', 'Deployment');
  const base = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'web', image: 'nginx', args: ['a'], env: [{ name: 'A', value: '1' }] },
            { name: 'sidecar', image: 'busybox' },
          ],
        },
      },
    },
  };

  it('merges containers by name and replaces lists without a merge key', () => {
    const out = applyStrategicMergePatch(
      base,
      {
        spec: {
          template: {
            spec: { containers: [{ name: 'web', args: ['b'], env: [{ name: 'B', value: '2' }] }] },
          },
        },
      },
      deployment,
    );
    const c = out!.spec.template.spec.containers;
    expect(c).toHaveLength(2);
    expect(c[0]).toEqual({
      name: 'web',
      image: 'nginx',
      args: ['b'],
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
    });
  });

  it('honours $patch delete on list elements and replace on maps', () => {
    const out = applyStrategicMergePatch(
      base,
      {
        spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } },
        metadata: { $patch: 'replace', name: 'x' },
      },
      deployment,
    );
    expect(out!.spec.template.spec.containers.map((x) => x.name)).toEqual(['web']);
    expect(out!.metadata).toEqual({ name: 'x' });
  });

  it('returns null when the patch deletes the whole document', () => {
    expect(applyStrategicMergePatch(base, { $patch: 'delete' }, deployment)).toBeNull();
  });

  it('honours $retainKeys, $deleteFromPrimitiveList and $setElementOrder', () => {
    const out = applyStrategicMergePatch(
      { a: 1, b: 2, fin: ['x', 'y', 'z'], list: [{ name: 'p' }, { name: 'q' }] },
      {
        $retainKeys: ['a', 'fin', 'list'],
        '$deleteFromPrimitiveList/fin': ['y'],
        '$setElementOrder/fin': ['z', 'x'],
      },
    );
    expect(out).toEqual({ a: 1, fin: ['z', 'x'], list: [{ name: 'p' }, { name: 'q' }] });
  });

  it('treats lists as atomic without a type, like a JSON merge patch', () => {
    expect(
      applyStrategicMergePatch(
        { l: [{ name: 'a', v: 1 }], m: { k: 1 } },
        { l: [{ name: 'a' }], m: { j: 2 } },
      ),
    ).toEqual({
      l: [{ name: 'a' }],
      m: { k: 1, j: 2 },
    });
  });

  it('puts elements the patch names first when asked to, as kustomize does', () => {
    const out = applyStrategicMergePatch(
      base,
      { spec: { template: { spec: { containers: [{ name: 'new', image: 'x' }] } } } },
      deployment,
      { newListElements: 'prepend' },
    );
    expect(out!.spec.template.spec.containers.map((x) => x.name)).toEqual(['new', 'web', 'sidecar']);
  });
});
