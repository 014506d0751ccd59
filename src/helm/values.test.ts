import { describe, expect, it } from 'vitest';
import { mergeValueMaps, setValueAtPath, valuesDigest } from './index.js';
import { postRender } from './post-render.js';

describe('values', () => {
  it('mergeValueMaps() merges maps deeply and replaces lists and scalars', () => {
    expect(
      mergeValueMaps({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { c: [3], e: true }, d: { nested: 1 } }),
    ).toEqual({ a: { b: 1, c: [3], e: true }, d: { nested: 1 } });
  });

  it.each([
    ['image.tag', '1.2.3', false, { image: { tag: '1.2.3' } }],
    ['replicas', '3', false, { replicas: 3 }],
    ['replicas', '3', true, { replicas: '3' }],
    ['enabled', 'true', false, { enabled: true }],
    ['list[1].name', 'b', false, { list: [null, { name: 'b' }] }],
    ['dotted\\.key', 'v', false, { 'dotted.key': 'v' }],
  ])('setValueAtPath() sets %s=%s (literal %s) as helm --set does', (path, value, literal, expected) => {
    expect(setValueAtPath({}, path, value, literal)).toEqual(expected);
  });

  it('valuesDigest() ignores key order', () => {
    expect(valuesDigest({ a: 1, b: { c: 2, d: 3 } })).toBe(valuesDigest({ b: { d: 3, c: 2 }, a: 1 }));
    expect(valuesDigest({ a: 1 })).not.toBe(valuesDigest({ a: 2 }));
  });
});

describe('postRender()', () => {
  const manifests = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.27
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web
data:
  a: b
`;

  it('applies patches and images in order, keeping the manifest order', async () => {
    const out = await postRender(manifests, [
      {
        kustomize: {
          patches: [{ target: { kind: 'ConfigMap' }, patch: '[{"op":"add","path":"/data/c","value":"d"}]' }],
          images: [{ name: 'nginx', newName: 'registry.local/nginx', newTag: '1.28' }],
        },
      },
    ]);
    expect(out.indexOf('kind: Deployment')).toBeLessThan(out.indexOf('kind: ConfigMap'));
    expect(out).toContain('image: registry.local/nginx:1.28');
    expect(out).toContain('c: d');
  });

  it('reports a patch that targets a missing field', async () => {
    await expect(
      postRender(manifests, [
        {
          kustomize: {
            patches: [
              { target: { kind: 'ConfigMap' }, patch: '[{"op":"replace","path":"/nope/x","value":1}]' },
            ],
          },
        },
      ]),
    ).rejects.toThrow(/^Post-renderer failed: /);
  });
});
