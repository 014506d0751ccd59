import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SourceIgnore } from '../../src/source/index.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('SourceIgnore', () => {
  const defaults = SourceIgnore.defaults();
  const table: [string, boolean, boolean][] = [
    ['.git', true, true],
    ['.github/workflows/ci.yaml', false, true],
    ['sub/.gitignore', false, true],
    ['images/logo.png', false, true],
    ['dist/app.tar.gz', false, true],
    ['.travis.yml', false, true],
    ['deep/nested/.sops.yaml', false, true],
    ['deploy/app.yaml', false, false],
    ['README.md', false, false],
  ];
  for (const [path, isDir, ignored] of table) {
    it(`defaults ${ignored ? 'exclude' : 'keep'} ${path}`, () => {
      expect(defaults.ignores(path, isDir)).toBe(ignored);
    });
  }

  it('scopes nested .sourceignore files to their directory and lets spec.ignore override them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-ignore-'));
    dirs.push(dir);
    await mkdir(join(dir, 'apps'), { recursive: true });
    await writeFile(join(dir, '.sourceignore'), '# comment\n*.txt\n');
    await writeFile(join(dir, 'apps', '.sourceignore'), '/local.yaml\n');
    const ig = await SourceIgnore.load(dir, { spec: '!keep.txt\n/tests/\n' });
    expect(ig.ignores('notes.txt')).toBe(true);
    expect(ig.ignores('apps/notes.txt')).toBe(true);
    expect(ig.ignores('keep.txt')).toBe(false);
    expect(ig.ignores('apps/local.yaml')).toBe(true);
    expect(ig.ignores('local.yaml')).toBe(false);
    expect(ig.ignores('tests', true)).toBe(true);
    expect(ig.ignores('apps/tests', true)).toBe(false);
    expect(ig.ignores('logo.png')).toBe(true);
  });

  it('can start without the default exclusions', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-ignore-'));
    dirs.push(dir);
    const ig = await SourceIgnore.load(dir, { defaults: false, spec: 'secret/' });
    expect(ig.ignores('logo.png')).toBe(false);
    expect(ig.ignores('secret', true)).toBe(true);
  });
});
