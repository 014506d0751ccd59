import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import pino from 'pino';
import { parseDuration, SluiceError } from '../api/index.js';
import { type RunningCluster, startCluster } from '../cluster/index.js';
import { installCrds, type RunningControllers, startControllers } from '../controllers/index.js';
import { connectKube, type KubeClient } from '../kube/index.js';
import {
  applyFleet,
  detectFluxBootstrap,
  EXAMPLE_CHART_REPOSITORY,
  EXAMPLE_FLEET_STAGES,
  FLEET_NAMESPACE,
  type FleetHelmRepository,
  type FleetObjectStatus,
  type FleetStage,
  type FluxBootstrap,
  fleetObjects,
  fleetStatus,
  type GitHttpServer,
  headOf,
  type LocalRepository,
  openLocalRepository,
  prepareChartRepository,
  prepareSeededRepository,
  startGitHttpServer,
  verdictOf,
  watchBranch,
} from '../server/index.js';
import { defaultClusterDataDir } from './cluster-command.js';

interface UpOptions {
  dataDir: string;
  port: number;
  once: boolean;
  timeout: string;
  repo?: string;
  path?: string;
  branch?: string;
  logLevel: string;
}

/** Ports kept between runs so that URLs stored in the cluster stay valid. */
interface UpState {
  gitPort?: number;
  storagePort?: number;
}

/** The GitRepository `sluice up` creates. */
const SOURCE_NAME = 'fleet';

/** The example fleet shipped with the package. */
const EXAMPLE_FLEET = fileURLToPath(new URL('../../examples/fleet', import.meta.url));

/** The charts the example fleet's HelmReleases install, served as a Helm repository. */
const EXAMPLE_CHARTS = fileURLToPath(new URL('../../examples/charts', import.meta.url));

/** The path under the local HTTP server where the example's Helm repository is served. */
const CHARTS_PATH = 'charts';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SluiceError('InvalidOption', `Port ${value} is invalid: use a number from 0 to 65535`);
  }
  return port;
}

async function readState(file: string): Promise<UpState> {
  return readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as UpState,
    () => ({}),
  );
}

function inUse(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
  return code === 'EADDRINUSE' || code === 'EACCES';
}

/** Tries the port used last time, then any free one. */
async function onStablePort<T>(port: number | undefined, start: (port: number) => Promise<T>): Promise<T> {
  if (port) {
    try {
      return await start(port);
    } catch (err) {
      if (!inUse(err)) throw err;
    }
  }
  return start(0);
}

/** What `sluice up` delivers: the example fleet, a local repository, or a remote URL. */
interface Delivery {
  /** Name of the GitRepository: `fleet`, or the one a Flux bootstrap's `gotk-sync.yaml` names. */
  source: string;
  url: string;
  branch: string;
  stages: FleetStage[];
  /** The served repository, when it is on this machine. */
  local?: LocalRepository;
  /** Files of the repository on this machine (for detecting a Flux bootstrap). */
  checkout?: string;
  example: boolean;
  bootstrap?: FluxBootstrap;
}

function isUrl(repo: string): boolean {
  return /^(https?|ssh):\/\//.test(repo) || /^[\w.-]+@[\w.-]+:/.test(repo);
}

function stagesFor(path: string | undefined): FleetStage[] {
  const p = path ? (path.startsWith('./') || path === '.' ? path : `./${path.replace(/^\/+/, '')}`) : './';
  return [{ name: SOURCE_NAME, path: p }];
}

/** Styles for a terminal; plain text when stdout is not one. */
function styles(tty: boolean) {
  const wrap = (code: string) => (s: string) => (tty ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { ok: wrap('32'), bad: wrap('31'), dim: wrap('2'), bold: wrap('1') };
}

function shortRevision(rev: string): string {
  return rev.replace(/(sha1:[0-9a-f]{12})[0-9a-f]+/, '$1').replace(/(sha256:[0-9a-f]{12})[0-9a-f]+/, '$1');
}

function ref(row: FleetObjectStatus): string {
  return `${row.kind}/${row.namespace}/${row.name}`;
}

/** Renders rows as the summary table: NAME REVISION READY MESSAGE. */
function table(rows: FleetObjectStatus[]): string {
  const cells = [
    ['NAME', 'REVISION', 'READY', 'MESSAGE'],
    ...rows.map((r) => [
      `${r.kind.toLowerCase()}/${r.name}`,
      shortRevision(r.revision) || '-',
      r.ready,
      r.message.replace(/\s+/g, ' ').slice(0, 100),
    ]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells
    .map((c) =>
      c
        .map((v, i) => (i < 3 ? v.padEnd(widths[i]!) : v))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * Follows the fleet's objects and prints a line each time one becomes Ready at a new revision or fails
 * with a new reason. Resolves with the verdict once every object is ready, or one failed (with `stopOnFailure`),
 * or the deadline passed.
 */
async function follow(
  kube: KubeClient,
  out: NodeJS.WritableStream,
  tty: boolean,
  options: {
    expected: () => Promise<string | undefined>;
    /** The `requestedAt` of this run: a source's failure counts only once the source handled it. */
    runToken?: string;
    deadline?: number;
    stopOnFailure: boolean;
    /** Keep following after everything is Ready, until `signal` aborts. */
    forever?: boolean;
    /** Lines printed so far, by object; shared between calls so nothing is said twice. */
    said: Map<string, string>;
    /** Called with a failed read when following `forever`. */
    onError?: (err: unknown) => void;
    signal: AbortSignal;
  },
): Promise<{ verdict: 'ready' | 'failed' | 'timeout' | 'stopped'; rows: FleetObjectStatus[] }> {
  const s = styles(tty);
  const said = options.said;
  let rows: FleetObjectStatus[] = [];
  for (;;) {
    if (options.signal.aborted) return { verdict: 'stopped', rows };
    try {
      rows = await fleetStatus(kube, FLEET_NAMESPACE, options.signal);
    } catch (err) {
      if (options.signal.aborted) return { verdict: 'stopped', rows };
      if (!options.forever) throw err;
      // A long-running `sluice up` outlives a failed read; the next one tells.
      options.onError?.(err);
      await new Promise((r) => setTimeout(r, 2000));
      continue;
    }
    const expected = await options.expected();
    const verdicts = rows.map((r) => {
      const v = verdictOf(r, r.kind === 'GitRepository' ? expected : undefined);
      // A failure stored by an earlier run (the server was down then) is not this run's verdict.
      const stale =
        r.kind === 'GitRepository' && options.runToken && r.lastHandledReconcileAt !== options.runToken;
      return v === 'failed' && stale ? 'waiting' : v;
    });
    rows.forEach((r, i) => {
      const v = verdicts[i]!;
      const key = ref(r);
      let line: string | undefined;
      if (v === 'ready') {
        const did =
          r.kind === 'GitRepository'
            ? `fetched revision ${shortRevision(r.revision)}`
            : r.kind === 'HelmRelease'
              ? `${r.reason === 'UpgradeSucceeded' ? 'upgraded to' : 'installed'} chart ${r.chart ?? 'version'}@${r.revision}`
              : `applied revision ${shortRevision(r.revision)}`;
        line = `${s.ok('✔')} ${key} ${did}`;
      } else if (r.kind === 'GitRepository' && r.ready === 'True' && expected && r.revision !== expected) {
        line = s.dim(`… ${key} fetching new commit ${shortRevision(expected)}`);
      } else if (v === 'failed') {
        line = `${s.bad('✗')} ${key} failed: ${r.reason}: ${r.message}`;
      } else if (r.reason === 'DependencyNotReady' || r.message) {
        line = s.dim(`… ${key} ${r.message || 'reconciling'}`);
      }
      if (line && said.get(key) !== line) {
        said.set(key, line);
        out.write(`${line}\n`);
      }
    });
    const allReady = rows.some((r) => r.kind !== 'GitRepository') && verdicts.every((v) => v === 'ready');
    if (allReady && !options.forever) return { verdict: 'ready', rows };
    if (options.stopOnFailure && verdicts.includes('failed')) return { verdict: 'failed', rows };
    if (options.deadline !== undefined && Date.now() > options.deadline) return { verdict: 'timeout', rows };
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Registers `sluice up`, the main job behind `npm start`: start the embedded cluster, install the CRDs, run
 * every controller in this process, and deliver a repository — by default the bundled example fleet,
 * copied on first run into a repository in the data directory, served over HTTP, with a working clone to
 * edit — printing each stage as it becomes Ready, a summary and how to go on. `--once` exits 0 when
 * everything is Ready at the source's latest revision, 1 on a failure or after `--timeout`.
 */
export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('Start the embedded cluster and the controllers, and deliver the example fleet (or --repo)')
    .option(
      '--data-dir <dir>',
      'directory for the cluster state, repositories and artifacts',
      defaultClusterDataDir(),
    )
    .option('--port <port>', 'port of the API server (0 picks a free one)', parsePort, 0)
    .option('--once', 'exit when everything is Ready (0) or something failed or timed out (1)', false)
    .option('--timeout <duration>', 'with --once: how long to wait for everything to be Ready', '5m')
    .option(
      '--repo <path|url>',
      'deliver this repository (a local path or an http/https/ssh URL) instead of the example',
    )
    .option('--path <path>', 'with --repo: the path in the repository to deliver (one Kustomization)')
    .option(
      '--branch <branch>',
      'with --repo: the branch to deliver (default: the checked-out one, or main for URLs)',
    )
    .option('--log-level <level>', 'log level on stderr (silent, error, warn, info, debug)', 'silent')
    .action(async (opts: UpOptions) => {
      const timeoutMs = parseDuration(opts.timeout);
      const out = process.stdout;
      const tty = Boolean(process.stdout.isTTY);
      const s = styles(tty);
      const logger = pino({ level: opts.logLevel }, pino.destination(2));
      const dataDir = resolve(opts.dataDir);
      await mkdir(dataDir, { recursive: true });
      const stateFile = join(dataDir, 'up.json');
      const state = await readState(stateFile);
      const stopping = new AbortController();
      const cleanups: (() => Promise<void>)[] = [];
      const stopAll = async () => {
        stopping.abort();
        for (const c of cleanups.reverse()) await c().catch(() => {});
      };
      const onSignal = () => {
        out.write('\nStopping; the state is kept for the next run.\n');
        stopping.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      let code = 0;
      try {
        const started = Date.now();
        // Asks the source to fetch at once; its status tells when a failure is this run's, not a stale one.
        const runToken = new Date(started).toISOString();
        const cluster: RunningCluster = await startCluster({ dataDir, port: opts.port, logger });
        cleanups.push(() => cluster.stop());
        out.write(`${s.ok('✔')} embedded cluster running at ${cluster.url}\n`);
        const kube = connectKube({ text: cluster.kubeconfig });
        cleanups.push(async () => kube.close());
        await installCrds(kube, { signal: stopping.signal });
        out.write(`${s.ok('✔')} CRDs installed\n`);
        // The repositories are served before the controllers start: a source stored by an earlier run
        // reconciles at once and must find its URL answering.
        const delivery = await prepareDelivery(opts, dataDir);
        // The example's charts are packaged at the first run and whenever their files change.
        const charts = delivery.example
          ? await prepareChartRepository({
              chartsDir: EXAMPLE_CHARTS,
              outDir: join(dataDir, CHARTS_PATH),
              signal: stopping.signal,
            })
          : undefined;
        const helmRepositories: FleetHelmRepository[] = [];
        let git: GitHttpServer | undefined;
        if (delivery.local) {
          const served = delivery.local;
          git = await onStablePort(state.gitPort, (port) =>
            startGitHttpServer(
              { logger },
              {
                repositories: { [SOURCE_NAME]: served.gitDir },
                ...(charts ? { directories: { [CHARTS_PATH]: charts.dir } } : {}),
                port,
              },
            ),
          );
          const server = git;
          cleanups.push(() => server.close());
          state.gitPort = git.port;
          delivery.url = git.urlOf(SOURCE_NAME);
          if (delivery.example) {
            out.write(
              `${s.ok('✔')} example fleet ${served.created ? 'created' : 'reused'} in ${served.workTree} (served at ${delivery.url})\n`,
            );
          } else {
            out.write(`${s.ok('✔')} serving ${served.workTree ?? served.gitDir} at ${delivery.url}\n`);
          }
          if (charts) {
            const url = git.urlOfDirectory(CHARTS_PATH);
            helmRepositories.push({
              name: EXAMPLE_CHART_REPOSITORY,
              url,
              // Changed charts are fetched at once rather than at the repository's next interval.
              requestedAt: `charts-${charts.digest.slice(0, 16)}`,
            });
            out.write(
              `${s.ok('✔')} Helm repository with ${charts.charts.join(', ')} ${charts.packaged ? 'packaged' : 'reused'} in ${charts.dir} (served at ${url})\n`,
            );
          }
        }
        const controllers: RunningControllers = await onStablePort(state.storagePort, (port) =>
          startControllers(
            // helm (HelmReleases) connects with the embedded cluster's kubeconfig, not the user's.
            { kube, logger, ...(cluster.kubeconfigPath ? { kubeconfigPath: cluster.kubeconfigPath } : {}) },
            {
              storagePath: join(dataDir, 'artifacts'),
              workDir: join(dataDir, 'work'),
              storageAddr: `127.0.0.1:${port}`,
              requeueDependencyMs: 2000,
            },
          ),
        );
        cleanups.push(() => controllers.stop());
        state.storagePort = Number(new URL(controllers.storageUrl).port);
        out.write(`${s.ok('✔')} controllers running\n`);

        await writeFile(stateFile, `${JSON.stringify(state, null, 2)}\n`);
        const bootstrap = delivery.bootstrap;
        if (bootstrap) {
          out.write(
            `${s.ok('✔')} Flux bootstrap found in ${bootstrap.dir}: Flux's CRDs and controller Deployments are applied as plain objects; Sluice reconciles\n`,
          );
          if (bootstrap.sync?.gitRepository && delivery.stages[0]) {
            // gotk-sync.yaml points Flux's own GitRepository at its remote with a deploy key; keep it on
            // what Sluice serves.
            delivery.stages[0].patches = [
              {
                target: { kind: 'GitRepository', name: bootstrap.sync.gitRepository },
                patch: [
                  'apiVersion: source.toolkit.fluxcd.io/v1',
                  'kind: GitRepository',
                  'metadata:',
                  `  name: ${bootstrap.sync.gitRepository}`,
                  'spec:',
                  `  url: ${delivery.url}`,
                  '  ref:',
                  `    branch: ${delivery.branch}`,
                  '  secretRef: null',
                  '',
                ].join('\n'),
              },
            ];
          }
        }
        await applyFleet(
          kube,
          fleetObjects({
            source: delivery.source,
            url: delivery.url,
            branch: delivery.branch,
            stages: delivery.stages,
            helmRepositories,
            requestedAt: runToken,
          }),
          stopping.signal,
        );
        const names = delivery.stages.map((st) => st.name).join(' → ');
        const helmRepos = helmRepositories
          .map((r) => `, HelmRepository/${FLEET_NAMESPACE}/${r.name}`)
          .join('');
        out.write(
          `${s.ok('✔')} GitRepository/${FLEET_NAMESPACE}/${delivery.source}${helmRepos} and Kustomizations ${names} applied\n`,
        );

        if (delivery.local) {
          // A commit in the working clone reaches the cluster at once, not at the next interval.
          watchBranch(
            delivery.local,
            () => {
              void kube
                .patch(
                  {
                    apiVersion: 'source.toolkit.fluxcd.io/v1',
                    kind: 'GitRepository',
                    name: delivery.source,
                    namespace: FLEET_NAMESPACE,
                  },
                  {
                    metadata: {
                      annotations: { 'reconcile.fluxcd.io/requestedAt': new Date().toISOString() },
                    },
                  },
                  { type: 'merge' },
                )
                .catch((err: unknown) => logger.warn({ err }, 'cannot request a reconcile of the source'));
            },
            { signal: stopping.signal },
          );
        }
        const local = delivery.local;
        const expected = async () => {
          if (!local) return undefined;
          const head = await headOf(local);
          return head ? `${local.branch}@sha1:${head}` : undefined;
        };
        const said = new Map<string, string>();
        const result = await follow(kube, out, tty, {
          expected,
          runToken,
          ...(opts.once ? { deadline: started + timeoutMs } : {}),
          stopOnFailure: opts.once,
          said,
          signal: stopping.signal,
        });
        if (result.verdict === 'stopped') return;
        out.write(`\n${table(result.rows)}\n\n`);
        if (opts.once) {
          if (result.verdict === 'ready') {
            out.write(`${s.ok('✔')} all Ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
          } else {
            code = 1;
            const failing = result.rows.filter((r) => verdictOf(r) !== 'ready');
            const why = result.verdict === 'timeout' ? `Not Ready after ${opts.timeout}` : 'Delivery failed';
            process.stderr.write(`${s.bad('✗')} ${why}:\n`);
            for (const r of failing) {
              process.stderr.write(
                `  ${ref(r)}: ${r.reason || 'NotReady'}: ${r.message || 'no status yet'}\n`,
              );
            }
          }
          return;
        }
        out.write(instructions(cluster, delivery));
        // Keep delivering and keep reporting until stopped.
        await follow(kube, out, tty, {
          expected,
          stopOnFailure: false,
          forever: true,
          said,
          onError: (err) => logger.warn({ err }, 'cannot read the state of the fleet'),
          signal: stopping.signal,
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await stopAll();
        if (code !== 0) process.exitCode = code;
      }
    });
}

/** Works out what to deliver and prepares the repository on this machine when there is one. */
async function prepareDelivery(opts: UpOptions, dataDir: string): Promise<Delivery> {
  if (!opts.repo) {
    if (opts.path) throw new SluiceError('InvalidOption', 'Option --path needs --repo');
    const local = await prepareSeededRepository({
      seedDir: EXAMPLE_FLEET,
      gitDir: join(dataDir, 'repos', `${SOURCE_NAME}.git`),
      workTree: join(dataDir, 'fleet'),
      branch: 'main',
    });
    return {
      source: SOURCE_NAME,
      url: '',
      branch: local.branch,
      stages: EXAMPLE_FLEET_STAGES.map((st) => ({ ...st })),
      local,
      example: true,
    };
  }
  if (isUrl(opts.repo)) {
    return {
      source: SOURCE_NAME,
      url: opts.repo,
      branch: opts.branch ?? 'main',
      stages: stagesFor(opts.path),
      example: false,
    };
  }
  const local = await openLocalRepository(opts.repo, opts.branch);
  const delivery: Delivery = {
    source: SOURCE_NAME,
    url: '',
    branch: local.branch,
    stages: stagesFor(opts.path),
    local,
    example: false,
  };
  const bootstrap = local.workTree
    ? await detectFluxBootstrap(local.workTree, delivery.stages[0]?.path ?? '.')
    : undefined;
  if (bootstrap) {
    delivery.bootstrap = bootstrap;
    const sync = bootstrap.sync;
    if (
      sync?.gitRepository &&
      sync.kustomization &&
      sync.namespace === FLEET_NAMESPACE &&
      delivery.stages[0]
    ) {
      // Become the bootstrap's own GitRepository and Kustomization, so that applying gotk-sync.yaml
      // updates these objects instead of adding a second pair that fights over the same files. Like
      // gotk-sync.yaml, the Kustomization does not wait: it would wait for itself.
      delivery.source = sync.gitRepository;
      delivery.stages[0] = { ...delivery.stages[0], name: sync.kustomization, wait: false };
    }
  }
  return delivery;
}

function instructions(cluster: RunningCluster, delivery: Delivery): string {
  const lines = [
    'Use the cluster with kubectl:',
    `  export KUBECONFIG=${cluster.kubeconfigPath ?? ''}`,
    '  kubectl get deployments -A',
    '  (no kubectl? use the bundled one: $(npx sluice tools which kubectl))',
    '',
    'Watch the delivery:',
    '  npx sluice get kustomizations',
    ...(delivery.example ? ['  npx sluice get helmreleases'] : []),
    `  npx sluice reconcile source git ${delivery.source}`,
    '',
  ];
  if (delivery.local?.workTree) {
    lines.push(
      'Change the fleet and watch the change roll out:',
      `  cd ${delivery.local.workTree}`,
      delivery.example
        ? '  $EDITOR apps/dev/kustomization.yaml   # e.g. change PODINFO_UI_MESSAGE'
        : '  $EDITOR <a manifest>',
      ...(delivery.example
        ? ['  $EDITOR apps/greeter/release.yaml     # or the HelmRelease: change values.message']
        : []),
      `  git commit -am "Change the message"${delivery.example ? '   # the commit is pushed by a hook' : ''}`,
      '',
    );
  }
  lines.push('Press Ctrl+C to stop; the state is kept for the next run.', '');
  return lines.join('\n');
}
