import { describe, expect, it } from 'vitest';
import { findDuplicateFields } from './duplicates.js';

describe('findDuplicateFields', () => {
  it.each([
    ['{"a":1,"b":2}', []],
    ['{"a":1,"a":2}', ['a']],
    ['{"metadata":{"labels":{"x":"1","x":"2"}}}', ['metadata.labels.x']],
    ['{"spec":{"containers":[{"name":"a"},{"name":"b","name":"c"}]}}', ['spec.containers[1].name']],
    ['{"s":"with \\"quotes\\" and {braces}","s":[]}', ['s']],
    [' [ {"k": null, "k": true} , 1.5e3 ] ', ['[0].k']],
  ])('%s has duplicates %j', (text, expected) => {
    expect(findDuplicateFields(text)).toEqual(expected);
  });
});
