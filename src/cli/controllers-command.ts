import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseDuration } from '../api/index.js';
import { installCrds, startControllers } from '../controllers/index.js';
import { connectKube } from '../kube/index.js';
import { cgroupMemoryLimit, createLogger, MemoryTarget, parseByteSize } from '../runtime/index.js';

interface ControllersOptions {
  kubeconfig?: string;
  context?: string;
  storagePath?: string;
  workDir?: string;
  storageAddr: string;
  storageAdvAddr?: string;
  concurrent: number;
  requeueDependency: string;
  minRetryDelay: string;
  maxRetryDelay: string;
  watchAllNamespaces: boolean;
  watchLabelSelector?: string;
  metricsAddr?: string;
  healthAddr?: string;
  leaderElect: boolean;
  leaderElectionNamespace?: string;
  logLevel: string;
  logEncoding: string;
  installCrds: boolean;
  crossNamespaceRefs: boolean;
  memoryTarget?: string;
}

/**
 * Registers `sluice controllers`: connect to a cluster (kubeconfig, `--context`, or the in-cluster service
 * account), install Sluice's CRDs, serve the artifact store and run every controller until SIGINT/SIGTERM.
 * Flags follow Flux's controllers.
 */
export function registerControllersCommand(program: Command): void {
  program
    .command('controllers')
    .description("Install Sluice's CRDs and run the controllers against a cluster until stopped")
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then in-cluster)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('--storage-path <dir>', 'directory of the artifact store (default: a temporary directory)')
    .option('--work-dir <dir>', 'directory for fetches and the git cache (default: a temporary directory)')
    .option('--storage-addr <addr>', 'address the artifact server binds', ':9090')
    .option(
      '--storage-adv-addr <addr>',
      'address written into status.artifact.url (default: the bound address)',
    )
    .option('--concurrent <n>', 'reconciles at once per kind', (v) => Number(v), 4)
    .option('--requeue-dependency <duration>', 'retry interval while a dependency is not ready', '30s')
    .option('--min-retry-delay <duration>', 'first retry delay after a failure', '750ms')
    .option('--max-retry-delay <duration>', 'longest retry delay after failures', '15m')
    .option('--watch-all-namespaces', 'watch every namespace', true)
    .option('--no-watch-all-namespaces', "watch only the kubeconfig context's namespace")
    .option('--watch-label-selector <selector>', 'reconcile only objects with matching labels (sharding)')
    .option('--metrics-addr <addr>', 'address of /metrics', ':8080')
    .option('--health-addr <addr>', 'address of /healthz and /readyz', ':9440')
    .option('--leader-elect', 'campaign for a Lease before running the controllers', false)
    .option('--leader-election-namespace <ns>', 'namespace of the Lease (default: the context namespace)')
    .option('--log-level <level>', 'log level (debug, info, warn, error)', 'info')
    .option('--log-encoding <encoding>', 'log encoding (json)', 'json')
    .option('--no-install-crds', 'do not install the CRDs at start')
    .option('--no-cross-namespace-refs', 'refuse references to sources in other namespaces')
    .option(
      '--memory-target <size>',
      'soft memory target (e.g. 128Mi): collect garbage whenever the resident size passes it ' +
        '(default: 90% of the cgroup memory limit, if any)',
    )
    .action(async (opts: ControllersOptions) => {
      if (!Number.isInteger(opts.concurrent) || opts.concurrent < 1) {
        throw new Error(`Concurrent ${opts.concurrent} is invalid: use a positive integer`);
      }
      const limit = cgroupMemoryLimit();
      const memoryTarget = opts.memoryTarget
        ? parseByteSize(opts.memoryTarget)
        : limit
          ? Math.floor(limit * 0.9)
          : undefined;
      const logger = createLogger({ level: opts.logLevel, base: { controller: 'sluice' } });
      const source = opts.kubeconfig
        ? { path: opts.kubeconfig }
        : process.env.KUBERNETES_SERVICE_HOST && !process.env.KUBECONFIG
          ? { inCluster: true }
          : { defaults: true };
      const kube = connectKube(source, { ...(opts.context ? { context: opts.context } : {}) });
      if (opts.installCrds) {
        const names = await installCrds(kube);
        logger.info({ crds: names.length }, 'CRDs installed');
      }
      const namespace = opts.watchAllNamespaces ? undefined : kube.namespace;
      // helm runs with a private HOME: point it at the kubeconfig kubectl would use.
      const defaultKubeconfig = join(homedir(), '.kube', 'config');
      const helmKubeconfig =
        opts.kubeconfig ??
        (!process.env.KUBECONFIG && !('inCluster' in source) && existsSync(defaultKubeconfig)
          ? defaultKubeconfig
          : undefined);
      const running = await startControllers(
        {
          kube,
          logger,
          ...(helmKubeconfig ? { kubeconfigPath: helmKubeconfig } : {}),
          ...(opts.context ? { kubeContext: opts.context } : {}),
        },
        {
          ...(opts.storagePath ? { storagePath: opts.storagePath } : {}),
          ...(opts.workDir ? { workDir: opts.workDir } : {}),
          storageAddr: opts.storageAddr,
          ...(opts.storageAdvAddr ? { storageAdvAddr: opts.storageAdvAddr } : {}),
          concurrent: opts.concurrent,
          requeueDependencyMs: parseDuration(opts.requeueDependency),
          noCrossNamespaceRefs: !opts.crossNamespaceRefs,
          minRetryDelayMs: parseDuration(opts.minRetryDelay),
          maxRetryDelayMs: parseDuration(opts.maxRetryDelay),
          ...(namespace ? { namespace } : {}),
          ...(opts.watchLabelSelector ? { labelSelector: opts.watchLabelSelector } : {}),
          ...(opts.metricsAddr ? { metricsAddr: opts.metricsAddr } : {}),
          ...(opts.healthAddr ? { healthAddr: opts.healthAddr } : {}),
          ...(opts.leaderElect
            ? {
                leaderElection: {
                  name: 'sluice-controllers',
                  namespace: opts.leaderElectionNamespace ?? kube.namespace,
                  identity: `${hostname()}_${randomUUID()}`,
                },
              }
            : {}),
        },
      );
      logger.info({ storage: running.storageUrl, ...running.manager.addresses }, 'controllers started');
      const target = memoryTarget ? new MemoryTarget(memoryTarget, { logger }) : undefined;
      target?.start();
      if (target) logger.info({ bytes: target.bytes }, 'memory target set');
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          target?.stop();
          logger.info('stopping controllers');
          running.stop().then(resolve, resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
