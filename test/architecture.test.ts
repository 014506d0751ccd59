import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The dependency direction of DESIGN.md: each folder of src/ lists the folders it may import from.
 * Imports across folders must go through the other folder's index.ts.
 */
const BASE = ['api', 'schema', 'patch'];
const ENGINE = [...BASE, 'kube', 'runtime', 'kstatus', 'apply'];
const DELIVERY = [...ENGINE, 'kustomize', 'source', 'helm', 'notify', 'tools'];
const ALLOWED: Record<string, string[]> = {
  api: [],
  tools: ['api'],
  schema: ['api'],
  patch: ['api', 'schema'],
  kube: BASE,
  cluster: BASE,
  kstatus: [...BASE, 'kube'],
  runtime: [...BASE, 'kube'],
  apply: [...BASE, 'kube', 'kstatus'],
  kustomize: BASE,
  source: [...BASE, 'kube', 'runtime', 'tools'],
  helm: [...ENGINE, 'kustomize', 'tools'],
  notify: [...BASE, 'kube', 'runtime'],
  controllers: DELIVERY,
  fleet: [...DELIVERY, 'controllers'],
  platform: [...DELIVERY, 'controllers'],
  server: [...DELIVERY, 'controllers', 'fleet', 'platform'],
  cli: ['*'],
};

/**
 * Modules that may be imported directly besides a folder's index.ts: each is re-exported by that index and
 * imports no other module. api/index.ts loads every kind's TypeBox schema (most of the start-up time of a
 * short command such as `sluice kustomize build`); the error classes every layer extends must not.
 */
const LIGHT_ENTRIES = new Set(['api/errors.js']);

const SRC = resolve(import.meta.dirname, '..', 'src');

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

describe('src/ layering', () => {
  it('every folder imports only the folders below it, and only through their index.ts', async () => {
    const problems: string[] = [];
    for (const file of await sourceFiles(SRC)) {
      const from = relative(SRC, file).split('/')[0]!;
      const allowed = ALLOWED[from];
      if (!allowed) {
        problems.push(`${relative(SRC, file)}: folder src/${from} is not in the layering table`);
        continue;
      }
      const text = await readFile(file, 'utf8');
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
        const target = relative(SRC, resolve(dirname(file), match[1]!));
        const to = target.split('/')[0]!;
        if (to === from || target.startsWith('..')) continue;
        if (!allowed.includes('*') && !allowed.includes(to)) {
          problems.push(`${relative(SRC, file)} imports src/${to}, which src/${from} must not depend on`);
        }
        if (target !== `${to}/index.js` && !LIGHT_ENTRIES.has(target)) {
          problems.push(`${relative(SRC, file)} imports ${target}: import src/${to}/index.js instead`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('the light entry points import no other module, so importing them stays cheap', async () => {
    for (const entry of LIGHT_ENTRIES) {
      const text = await readFile(join(SRC, entry.replace(/\.js$/, '.ts')), 'utf8');
      expect(text.match(/^import .*$/gm) ?? [], entry).toEqual([]);
    }
  });
});
