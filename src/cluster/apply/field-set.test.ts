import { describe, expect, it } from 'vitest';
import {
  decodeFieldsV1,
  encodeFieldsV1,
  FieldSet,
  fieldElement,
  keyElement,
  makePath,
  pathToString,
  valueElement,
} from './index.js';

describe('FieldSet', () => {
  it('encodes path elements the way the API server does', () => {
    expect(fieldElement('replicas')).toBe('f:replicas');
    expect(keyElement({ protocol: 'TCP', containerPort: 80 })).toBe(
      'k:{"containerPort":80,"protocol":"TCP"}',
    );
    expect(valueElement('example.com/<x>&')).toBe('v:"example.com/\\u003cx\\u003e\\u0026"');
  });

  it('prints paths like conflict messages do', () => {
    expect(pathToString(makePath('spec', 'template', 'spec', 'containers', { name: 'app' }, 'image'))).toBe(
      '.spec.template.spec.containers[name="app"].image',
    );
    expect(pathToString([fieldElement('ports'), keyElement({ containerPort: 80, protocol: 'TCP' })])).toBe(
      '.ports[containerPort=80,protocol="TCP"]',
    );
    expect(pathToString([fieldElement('finalizers'), valueElement('a')])).toBe('.finalizers[="a"]');
  });

  it('decodes and re-encodes FieldsV1 with "." marking members that have children', () => {
    const fields = {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} } },
        'f:replicas': {},
      },
    };
    const set = decodeFieldsV1(fields);
    expect(set.has(makePath('metadata', 'labels'))).toBe(true);
    expect(set.has(makePath('metadata'))).toBe(false);
    expect(set.has(makePath('spec', 'containers', { name: 'app' }))).toBe(true);
    expect(set.has(makePath('spec', 'replicas'))).toBe(true);
    expect(set.size()).toBe(6);
    expect(JSON.stringify(encodeFieldsV1(set))).toBe(JSON.stringify(fields));
  });

  it('orders fields before keys before values and sorts each by value', () => {
    const set = FieldSet.of(
      [fieldElement('l'), valueElement('b')],
      [fieldElement('l'), valueElement(10)],
      [fieldElement('l'), valueElement('a')],
      [fieldElement('l'), valueElement(9)],
      [fieldElement('b')],
      [fieldElement('a')],
    );
    expect(Object.keys(encodeFieldsV1(set))).toEqual(['f:a', 'f:b', 'f:l']);
    expect(Object.keys(encodeFieldsV1(set)['f:l'] as object)).toEqual(['v:9', 'v:10', 'v:"a"', 'v:"b"']);
  });

  it('unions, subtracts and intersects exact paths', () => {
    const a = FieldSet.of(makePath('spec', 'replicas'), makePath('spec', 'paused'), makePath('spec'));
    const b = FieldSet.of(makePath('spec', 'replicas'), makePath('spec', 'minReadySeconds'));
    expect(a.union(b).toStrings()).toEqual([
      '.spec',
      '.spec.minReadySeconds',
      '.spec.paused',
      '.spec.replicas',
    ]);
    expect(a.difference(b).toStrings()).toEqual(['.spec', '.spec.paused']);
    expect(a.intersection(b).toStrings()).toEqual(['.spec.replicas']);
    expect(b.difference(FieldSet.of(makePath('spec'))).toStrings()).toEqual([
      '.spec.minReadySeconds',
      '.spec.replicas',
    ]);
    expect(b.recursiveDifference(FieldSet.of(makePath('spec'))).isEmpty()).toBe(true);
    expect(a.leaves().toStrings()).toEqual(['.spec.paused', '.spec.replicas']);
    expect(a.union(b).equals(b.union(a))).toBe(true);
    expect(a.equals(b)).toBe(false);
  });

  it('rejects malformed FieldsV1', () => {
    expect(() => decodeFieldsV1({ 'x:y': {} })).toThrow(/Unknown path element/);
    expect(() => decodeFieldsV1({ 'f:a': 1 })).toThrow(/must be an object/);
    expect(() => decodeFieldsV1([])).toThrow(/JSON object/);
  });
});
