#!/usr/bin/env node
// Runs the benchmarks: `npm run bench` runs every suite in bench/, `npm run bench -- SUITE [SUITE…]` the named ones.
// Each suite is bench/<name>.ts exporting `run(): Promise<void>`, which prints its results with a reference
// measured in the same run. The suites are compiled with tsc into .cache/bench-dist first.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const available = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  process.stderr.write(
    `Unknown benchmark suite ${unknown.join(', ')}: available are ${available.join(', ')}\n`,
  );
  process.exit(2);
}
const suites = wanted.length > 0 ? wanted : available;
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.bench.json')], {
  stdio: 'inherit',
  cwd: root,
});
for (const suite of suites) {
  process.stdout.write(`\n== bench: ${suite} ==\n`);
  const mod = await import(pathToFileURL(join(root, '.cache', 'bench-dist', 'bench', `${suite}.js`)).href);
  await mod.run();
}
