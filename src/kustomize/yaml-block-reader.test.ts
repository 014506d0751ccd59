import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { readBlockYaml } from './yaml-block-reader.js';
import { resolvePlainScalar as resolvePlain } from './yaml-scalar.js';

const { merge } = (jsyaml as unknown as { types: { merge: jsyaml.Type } }).types;
const SCHEMA = jsyaml.CORE_SCHEMA.extend({ implicit: [merge] });

/** What the full parser reads, without the empty documents. */
function full(text: string): unknown[] {
  return jsyaml
    .loadAll(text, null, { schema: SCHEMA, json: true })
    .filter((d) => d !== null && d !== undefined);
}

/** Keys in order, values by type: `toEqual` alone ignores key order. */
function ordered(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(ordered);
  if (typeof v === 'object' && v !== null) return Object.entries(v).map(([k, x]) => [k, ordered(x)]);
  return v;
}

const READ: [string, string][] = [
  ['nested maps and sequences', 'a:\n  b:\n    c: d\n  e:\n  - f\n  - g: h\n    i: j\n'],
  ['indentless sequences and compact forms', 'a:\n- b\n- - c\n  - d\n- e: f\n  g:\n  - h\nk: v\n'],
  [
    'plain scalars of every core type',
    'a: ~\nb: null\nc: true\nd: False\ne: 12\nf: -0\ng: 0x1F\nh: 0o17\ni: 1.5\nj: .inf\nk: 1e3\nl: 012\nm: yes\n',
  ],
  ['keys that resolve to other types, as strings', '1: a\ntrue: b\nnull: c\n0x10: d\n'],
  [
    'quoted scalars',
    `a: "x \\"y\\" \\\\ \\n \\t \\u00e9 \\x41 \\/"\nb: 'it''s # not a comment'\nc: "12"\nd: ''\n`,
  ],
  ['comments and blank lines', '# head\na: b # trailing\n\n  # indented\nc: d#e\n'],
  [
    'literal block scalars with each chomping',
    'a: |\n  x\n\n  # y\n    z\nb: |-\n  x\n\nc: |+\n  x\n\n\nd: e\n',
  ],
  ['literal block scalars in sequences', '- |\n  x\n- k: |-\n    y\n  l: 1\n'],
  ['empty collections and values', 'a: []\nb: {}\nc:\nd: [] # c\n'],
  ['several documents, empty ones skipped', '---\na: 1\n---\n# only a comment\n--- # x\n- b\n'],
  ['a top-level scalar and an indented document', 'hello world\n---\n  a: 1\n  b: 2\n'],
  ['colons and hashes inside plain scalars', 'url: http://x:80/#frag\nimage: nginx:1.19\nk:v: w\n'],
  ['keys with spaces and dashes', 'a b: 1\n-x: 2\n-: 3\n'],
];

const GIVE_UP: [string, string][] = [
  ['anchors and aliases', 'a: &x 1\nb: *x\n'],
  ['merge keys', 'a:\n  <<: {b: 1}\n'],
  ['tags', 'a: !!str 1\n'],
  ['flow collections with content', 'a: [1, 2]\n'],
  ['folded scalars', 'a: >\n  x\n'],
  ['multi-line plain scalars', 'a: x\n  y\n'],
  ['multi-line quoted scalars', 'a: "x\n  y"\n'],
  ['tabs', 'a:\tb\n'],
  ['duplicate keys', 'a: 1\na: 2\n'],
  ['quoted keys', '"a": 1\n'],
  ['an explicit indentation indicator', 'a: |2\n   x\n'],
  ['a literal block without a final line break', 'a: |\n  x'],
  ['a mapping on a scalar line', 'a: b: c\n'],
  ['bad indentation', 'a:\n    b: 1\n  c: 2\n'],
  ['directives', '%YAML 1.2\n---\na: 1\n'],
  ['document end markers', 'a: 1\n...\n'],
];

describe('readBlockYaml()', () => {
  for (const [what, text] of READ) {
    it(`reads ${what} as the full parser does`, () => {
      const got = readBlockYaml(text, resolvePlain);
      expect(got).toBeDefined();
      expect(ordered(got)).toEqual(ordered(full(text)));
    });
  }

  for (const [what, text] of GIVE_UP) {
    it(`leaves ${what} to the full parser`, () => {
      expect(readBlockYaml(text, resolvePlain)).toBeUndefined();
    });
  }

  it('reads every YAML file of the parity corpus as the full parser does, or leaves it to it', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.ya?ml$/.test(name)) files.push(path);
      }
    };
    walk(join(import.meta.dirname, '..', '..', 'test', 'kustomize', 'cases'));
    let read = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const got = readBlockYaml(text, resolvePlain);
      if (got === undefined) continue;
      read++;
      expect(ordered(got), file).toEqual(ordered(full(text)));
    }
    expect(read).toBeGreaterThan(files.length / 2);
  });
});
