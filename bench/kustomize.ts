import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { build, toYamlStream } from '../src/kustomize/index.js';
import { deepEqual } from '../src/patch/index.js';
import { resolveTool } from '../src/tools/index.js';

/**
 * Benchmarks `kustomize build`: Sluice in-process and through its CLI against the bundled `kubectl
 * kustomize` 1.35, on a small real-world-shaped overlay and on synthetic overlays of about 1,000 and
 * 4,000 documents. Prints times (the median of three runs of each command, interleaved), ratios and peak
 * memory, and checks the objects are identical.
 */

export function writeSynthetic(dir: string, deployments: number): void {
  const base = join(dir, 'base');
  const overlay = join(dir, 'overlay');
  mkdirSync(base, { recursive: true });
  mkdirSync(join(overlay, 'patches'), { recursive: true });
  const docs: string[] = [];
  for (let i = 0; i < deployments; i++) {
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  labels:
    app: app-${i}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: app-${i}
  template:
    metadata:
      labels:
        app: app-${i}
    spec:
      containers:
      - name: main
        image: example/app:1.0
        envFrom:
        - configMapRef:
            name: shared-config
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: app-${i}
spec:
  selector:
    app: app-${i}
  ports:
  - port: 80
    targetPort: 8080`);
  }
  writeFileSync(join(base, 'all.yaml'), `${docs.join('\n---\n')}\n`);
  writeFileSync(
    join(base, 'kustomization.yaml'),
    'resources:\n- all.yaml\nconfigMapGenerator:\n- name: shared-config\n  literals:\n  - MODE=base\n',
  );
  const patches: string[] = [];
  const replicas: string[] = [];
  for (let i = 0; i < deployments; i++) {
    writeFileSync(
      join(overlay, 'patches', `app-${i}.yaml`),
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\nspec:\n  template:\n    spec:\n      containers:\n      - name: main\n        resources:\n          limits:\n            memory: 128Mi\n`,
    );
    patches.push(`- path: patches/app-${i}.yaml`);
    patches.push(
      `- target:\n    kind: Deployment\n    name: app-${i}\n  patch: |-\n    - op: add\n      path: /metadata/annotations\n      value:\n        index: "${i}"`,
    );
    replicas.push(`- name: app-${i}\n  count: ${(i % 5) + 1}`);
  }
  writeFileSync(
    join(overlay, 'kustomization.yaml'),
    `namespace: prod\nnamePrefix: prod-\ncommonLabels:\n  env: prod\nresources:\n- ../base\npatches:\n${patches.join('\n')}\nimages:\n- name: example/app\n  newTag: "2.0"\nreplicas:\n${replicas.join('\n')}\nconfigMapGenerator:\n- name: shared-config\n  behavior: merge\n  literals:\n  - MODE=prod\n  - EXTRA=yes\n`,
  );
}

interface Run {
  ms: number;
  maxRssMb: number | undefined;
  stdout: string;
}

function timed(cmd: string, args: string[], cwd: string): Run {
  const useTime = existsSync('/usr/bin/time');
  const start = performance.now();
  const r = useTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const lines = (r.stderr ?? '').trim().split('\n');
  const kb = useTime ? Number(lines[lines.length - 1]) : Number.NaN;
  return { ms, maxRssMb: Number.isFinite(kb) ? kb / 1024 : undefined, stdout: r.stdout };
}

/** Runs of each command, interleaved so both see the same load; the median run is reported. */
const RUNS = 3;

function median(runs: Run[]): Run {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  const mid = sorted[Math.floor(sorted.length / 2)]!;
  const peaks = runs.map((r) => r.maxRssMb).filter((v): v is number => v !== undefined);
  return { ...mid, maxRssMb: peaks.length ? Math.max(...peaks) : undefined };
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

function mb(v: number | undefined): string {
  return v === undefined ? 'n/a' : `${v.toFixed(0)} MB`;
}

async function suite(
  name: string,
  root: string,
  path: string,
  runKubectl: boolean,
  kubectl: string,
): Promise<number> {
  const t0 = performance.now();
  const result = build(root, { path });
  const inProcess = performance.now() - t0;
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`${name}: ${errors[0]!.message}`);
  const yaml = toYamlStream(result.resources);
  const cliRuns: Run[] = [];
  const refRuns: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    cliRuns.push(
      timed(
        process.execPath,
        [join(process.cwd(), 'bin', 'sluice.js'), 'kustomize', 'build', join(root, path)],
        root,
      ),
    );
    if (runKubectl) refRuns.push(timed(kubectl, ['kustomize', join(root, path)], root));
  }
  const cli = median(cliRuns);
  let line = `${name}: ${result.resources.length} documents; sluice in-process ${fmt(inProcess)}, sluice CLI ${fmt(cli.ms)} (peak ${mb(cli.maxRssMb)})`;
  if (runKubectl) {
    const ref = median(refRuns);
    const same = deepEqual(
      parseAllDocuments(ref.stdout).map((d) => d.toJS()),
      result.resources,
    );
    line += `; kubectl kustomize ${fmt(ref.ms)} (peak ${mb(ref.maxRssMb)}); CLI ${(ref.ms / cli.ms).toFixed(1)}× faster, in-process ${(ref.ms / inProcess).toFixed(1)}× faster; objects ${same ? 'identical' : 'DIFFER'}; output ${ref.stdout === yaml ? 'byte-identical' : 'not byte-identical'}`;
  } else line += '; kubectl kustomize skipped (set SLUICE_BENCH_FULL=1 to run it, it takes minutes)';
  process.stdout.write(`${line}\n`);
  return cli.ms;
}

/** Runs the kustomize benchmark suite and prints its results. */
export async function run(): Promise<void> {
  const kubectl = await resolveTool('kubectl', { skipPath: true });
  const tmp = mkdtempSync(join(tmpdir(), 'sluice-bench-kustomize-'));
  try {
    await suite(
      '(a) small overlay',
      join(process.cwd(), 'test', 'kustomize', 'cases', 'overlay-everything'),
      'input/overlay',
      true,
      kubectl,
    );
    writeSynthetic(join(tmp, 'b'), 500);
    const b = await suite('(b) synthetic ~1,000', join(tmp, 'b'), 'overlay', true, kubectl);
    writeSynthetic(join(tmp, 'c'), 2000);
    const c = await suite(
      '(c) synthetic ~4,000',
      join(tmp, 'c'),
      'overlay',
      process.env.SLUICE_BENCH_FULL === '1',
      kubectl,
    );
    process.stdout.write(`growth: CLI time (c)/(b) = ${(c / b).toFixed(1)}× for 4× the documents\n`);
    process.stdout.write(`in-process peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
