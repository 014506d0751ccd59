import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { SluiceError } from '../api/index.js';
import { resolveTool } from '../tools/index.js';

const exec = promisify(execFile);

/** Options of {@link prepareChartRepository}. */
export interface ChartRepositoryOptions {
  /** A folder whose subfolders are chart sources (each with a `Chart.yaml`). */
  chartsDir: string;
  /** Where the packages and `index.yaml` are written (created when missing). */
  outDir: string;
  /** The helm binary. Default: the one `resolveTool('helm')` finds. */
  helmPath?: string;
  /** Aborts a running helm. */
  signal?: AbortSignal;
}

/** What {@link prepareChartRepository} did. */
export interface PreparedChartRepository {
  /** The folder holding `index.yaml` and the packages. */
  dir: string;
  /** The charts packaged, as `name@version`. */
  charts: string[];
  /** True when the charts were packaged now; false when the packages were up to date. */
  packaged: boolean;
  /** A digest of the chart sources the packages were made from: it changes whenever a chart's files do. */
  digest: string;
}

/** The file in `outDir` that records which sources the packages were made from. */
const DIGEST_FILE = '.sources-digest';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(path)));
    else if (e.isFile()) out.push(path);
  }
  return out.sort();
}

/** A digest over the names and contents of every file under `dir`. */
async function digestOf(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await filesUnder(dir)) {
    hash.update(`${relative(dir, file)}\0`);
    hash.update(await readFile(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function chartsOf(index: string): string[] {
  // `helm repo index` writes `name: x` and `version: y` under each entry; a light read is enough here.
  const charts: string[] = [];
  let name: string | undefined;
  for (const line of index.split('\n')) {
    const n = /^ {4}name: (.+)$/.exec(line);
    if (n) name = n[1]!.trim();
    const v = /^ {4}version: (.+)$/.exec(line);
    if (v && name) charts.push(`${name}@${v[1]!.trim()}`);
  }
  return charts;
}

/**
 * Makes a Helm HTTP repository out of chart sources: packages every chart under `chartsDir` with
 * `helm package` into `outDir` and writes its `index.yaml` with `helm repo index` (chart URLs relative
 * to the repository, so the repository may be served at any address). Packaging runs only when the
 * sources changed since the last time (a digest of their files is kept in `outDir`).
 */
export async function prepareChartRepository(
  options: ChartRepositoryOptions,
): Promise<PreparedChartRepository> {
  const { chartsDir, outDir } = options;
  const digest = await digestOf(chartsDir).catch((err: unknown) => {
    throw new SluiceError('ChartPackageFailed', `Charts in ${chartsDir} cannot be read: ${String(err)}`, {
      cause: err,
    });
  });
  const previous = await readFile(join(outDir, DIGEST_FILE), 'utf8').catch(() => '');
  const existing = await readFile(join(outDir, 'index.yaml'), 'utf8').catch(() => undefined);
  if (previous.trim() === digest && existing !== undefined) {
    return { dir: outDir, charts: chartsOf(existing), packaged: false, digest };
  }
  const helm = options.helmPath ?? (await resolveTool('helm'));
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  // helm keeps its caches and configuration in private homes, not the user's.
  const home = await mkdtemp(join(tmpdir(), 'sluice-helm-package-'));
  const env = {
    ...process.env,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
  const run = async (subject: string, args: string[]) => {
    try {
      await exec(helm, args, { env, timeout: 60_000, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (err) {
      const stderr = String((err as { stderr?: string }).stderr ?? '').trim();
      throw new SluiceError(
        'ChartPackageFailed',
        `${subject}: helm ${args[0]} failed: ${stderr || String(err)}`,
        { cause: err },
      );
    }
  };
  try {
    const entries = await readdir(chartsDir, { withFileTypes: true });
    for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      const dir = join(chartsDir, e.name);
      const hasChart = await readFile(join(dir, 'Chart.yaml'), 'utf8').then(
        () => true,
        () => false,
      );
      if (hasChart) await run(`Chart ${dir} cannot be packaged`, ['package', dir, '--destination', outDir]);
    }
    await run(`Helm repository ${outDir} cannot be indexed`, ['repo', 'index', outDir]);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  await writeFile(join(outDir, DIGEST_FILE), `${digest}\n`);
  const index = await readFile(join(outDir, 'index.yaml'), 'utf8');
  return { dir: outDir, charts: chartsOf(index), packaged: true, digest };
}
