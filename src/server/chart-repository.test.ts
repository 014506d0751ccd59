import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTool } from '../tools/index.js';
import { prepareChartRepository } from './chart-repository.js';

describe('prepareChartRepository', () => {
  let dir: string;
  let helmPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-chart-repo-'));
    helmPath = await resolveTool('helm', { skipPath: true });
    const chart = join(dir, 'src', 'hello');
    await mkdir(join(chart, 'templates'), { recursive: true });
    await writeFile(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: hello\nversion: 1.0.0\n');
    await writeFile(join(chart, 'values.yaml'), 'greeting: hi\n');
    await writeFile(
      join(chart, 'templates', 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\ndata:\n  greeting: {{ .Values.greeting }}\n',
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('packages each chart and indexes them with relative URLs', async () => {
    const repo = await prepareChartRepository({
      chartsDir: join(dir, 'src'),
      outDir: join(dir, 'out'),
      helmPath,
    });
    expect(repo.packaged).toBe(true);
    expect(repo.charts).toEqual(['hello@1.0.0']);
    expect((await readdir(repo.dir)).filter((f) => !f.startsWith('.')).sort()).toEqual([
      'hello-1.0.0.tgz',
      'index.yaml',
    ]);
    expect(await readFile(join(repo.dir, 'index.yaml'), 'utf8')).toContain('- hello-1.0.0.tgz');
  });

  it('keeps the packages while the sources are unchanged and packages again when a file changes', async () => {
    const opts = { chartsDir: join(dir, 'src'), outDir: join(dir, 'out'), helmPath };
    const same = await prepareChartRepository(opts);
    expect(same.packaged).toBe(false);
    await writeFile(join(dir, 'src', 'hello', 'Chart.yaml'), 'apiVersion: v2\nname: hello\nversion: 1.0.1\n');
    const changed = await prepareChartRepository(opts);
    expect(changed).toMatchObject({ packaged: true, charts: ['hello@1.0.1'] });
    expect(changed.digest).not.toBe(same.digest);
    expect(await readdir(changed.dir)).not.toContain('hello-1.0.0.tgz');
  });

  it("names the chart and helm's reason when a chart does not package", async () => {
    await mkdir(join(dir, 'bad', 'broken'), { recursive: true });
    await writeFile(join(dir, 'bad', 'broken', 'Chart.yaml'), 'apiVersion: v2\nname: broken\n');
    await expect(
      prepareChartRepository({ chartsDir: join(dir, 'bad'), outDir: join(dir, 'bad-out'), helmPath }),
    ).rejects.toMatchObject({
      code: 'ChartPackageFailed',
      message: expect.stringMatching(/^Chart .*broken cannot be packaged: helm package failed: .*version/),
    });
  });
});
