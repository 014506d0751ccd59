import type { Command } from 'commander';
import pino from 'pino';
import { startCluster } from '../cluster/index.js';
import { defaultClusterDataDir } from './cluster-command.js';

interface UpOptions {
  dataDir: string;
  port: number;
  logLevel: string;
}

/**
 * Registers `sluice up`, the main job behind `npm start`: it starts the embedded cluster and tells the
 * user how to reach it with kubectl. It serves until SIGINT or SIGTERM.
 */
export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('Start the embedded cluster (and, as they land, the controllers) on this machine')
    .option('--data-dir <dir>', 'directory for the cluster state and kubeconfig', defaultClusterDataDir())
    .option('--port <port>', 'port of the API server (0 picks a free one)', (v) => Number(v), 0)
    .option('--log-level <level>', 'log level on stderr (silent, error, warn, info, debug)', 'silent')
    .action(async (opts: UpOptions) => {
      if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
        throw new Error(`Port ${opts.port} is invalid: use a number from 0 to 65535`);
      }
      const logger = pino({ level: opts.logLevel }, pino.destination(2));
      const cluster = await startCluster({ dataDir: opts.dataDir, port: opts.port, logger });
      const kubeconfig = cluster.kubeconfigPath ?? '';
      process.stdout.write(
        [
          `✔ embedded cluster running at ${cluster.url}`,
          `  state: ${opts.dataDir}`,
          '',
          'Use it with kubectl:',
          `  export KUBECONFIG=${kubeconfig}`,
          '  kubectl get namespaces',
          '  kubectl create deployment hello --image=nginx && kubectl get deployments',
          '',
          'If kubectl is not installed, use the one Sluice bundles: $(npx sluice tools which kubectl)',
          'Press Ctrl+C to stop; the state is kept for the next run.',
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          cluster.stop().then(resolve, resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
