import * as jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { resolvePlainScalar } from './yaml-scalar.js';

const TYPES = (jsyaml as unknown as { types: Record<'null' | 'bool' | 'int' | 'float', jsyaml.Type> }).types;

/** What js-yaml's core schema makes of a plain scalar. */
function reference(text: string): unknown {
  for (const type of [TYPES.null, TYPES.bool, TYPES.int, TYPES.float]) {
    if (type.resolve(text)) return type.construct(text);
  }
  return text;
}

const TABLE = [
  '',
  '~',
  'null',
  'Null',
  'NULL',
  'nULL',
  'true',
  'True',
  'TRUE',
  'tRUE',
  'false',
  'FALSE',
  'yes',
  'on',
  '0',
  '-0',
  '+0',
  '00',
  '012',
  '09',
  '0x',
  '0x1F',
  '0X1F',
  '-0x1f',
  '0b101',
  '0b2',
  '0o17',
  '0o8',
  '1_000',
  '1e3',
  '1E3',
  '1.',
  '.5',
  '-.5',
  '.',
  '-',
  '+',
  '1.5e-3',
  '.inf',
  '-.inf',
  '+.Inf',
  '.NaN',
  '-.nan',
  '1e400',
  '1:30',
  '2001-12-14',
  '1.2.3',
  'e3',
  '9'.repeat(400),
  '0.0',
  '-0.0',
  '1e',
  '1e+5',
  'abc',
];

describe('resolvePlainScalar()', () => {
  it('reads the special words, integers and floats as js-yaml does', () => {
    for (const text of TABLE) expect(Object.is(resolvePlainScalar(text), reference(text)), text).toBe(true);
  });

  it('agrees with js-yaml on generated number-like strings', () => {
    const parts = [
      '0',
      '1',
      '7',
      '9',
      '-',
      '+',
      '.',
      'e',
      'E',
      'x',
      'b',
      'o',
      '_',
      'a',
      'f',
      'inf',
      'nan',
      'Inf',
    ];
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 20_000; i++) {
      let text = '';
      for (let j = 1 + next(6); j > 0; j--) text += parts[next(parts.length)];
      expect(Object.is(resolvePlainScalar(text), reference(text)), text).toBe(true);
    }
  });
});
