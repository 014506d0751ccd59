import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { build, toYamlStream } from '../../src/kustomize/index.js';

/**
 * The project's own parity corpus: each folder under cases/ holds an input tree and the output of the real
 * `kubectl kustomize` 1.35 for it (expected.yaml), or what it said when it failed (expected.err).
 */
const CASES = join(import.meta.dirname, 'cases');

interface CaseSpec {
  target?: string;
  root?: string;
  errorCode?: string;
  errorIncludes?: string;
}

function readCase(name: string): CaseSpec {
  const f = join(CASES, name, 'case.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as CaseSpec) : {};
}

const names = readdirSync(CASES).sort();
let byteIdentical = 0;
let okCases = 0;

describe('kustomize parity with kubectl kustomize 1.35', () => {
  for (const name of names) {
    const spec = readCase(name);
    const dir = join(CASES, name);
    const expectedFile = join(dir, 'expected.yaml');
    if (existsSync(expectedFile)) {
      okCases++;
      it(`build() of ${name} gives the same documents as kubectl kustomize`, () => {
        const result = build(dir, { path: spec.target ?? 'input' });
        expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        const expectedText = readFileSync(expectedFile, 'utf8');
        const expected = parseAllDocuments(expectedText).map((d) => d.toJS());
        expect(result.resources).toEqual(expected);
        if (toYamlStream(result.resources) === expectedText) byteIdentical++;
      });
    } else {
      it(`build() of ${name} fails like kubectl kustomize, naming the problem`, () => {
        const root = spec.root ? join(dir, spec.root) : dir;
        const result = build(root, { path: spec.root ? '.' : (spec.target ?? 'input') });
        expect(result.resources).toEqual([]);
        const err = result.diagnostics.find((d) => d.severity === 'error');
        expect(err?.code).toBe(spec.errorCode);
        expect(err?.message).toContain(spec.errorIncludes);
      });
    }
  }

  it('reports how many outputs are byte-identical', () => {
    process.stdout.write(
      `kustomize parity: ${byteIdentical} of ${okCases} outputs byte-identical to kubectl\n`,
    );
    expect(byteIdentical).toBeGreaterThan(0);
  });
});
