import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import pino from 'pino';
import { SluiceError } from '../api/index.js';
import { startCluster } from '../cluster/index.js';

/** The default data directory: `$XDG_DATA_HOME/sluice/cluster`, else `~/.local/share/sluice/cluster`. */
export function defaultClusterDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const dataHome = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(dataHome, 'sluice', 'cluster');
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`Port ${value} is invalid: use a number from 0 to 65535`);
  }
  return port;
}

/** Registers `sluice cluster start`. */
export function registerClusterCommand(program: Command): void {
  const cluster = program.command('cluster').description('Run the embedded Kubernetes-compatible cluster');
  cluster
    .command('start')
    .description('Start the embedded cluster and serve until stopped (SIGINT/SIGTERM)')
    .option(
      '--data-dir <dir>',
      'directory for the cluster state, TLS material and kubeconfig',
      defaultClusterDataDir(),
    )
    .option('--address <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', parsePort, 6443)
    .option('--kubeconfig <file>', 'where to write the kubeconfig (default: DIR/kubeconfig)')
    .option('--insecure-http', 'serve plain HTTP without TLS or a token', false)
    .option('--log-level <level>', 'log level on stderr (silent, error, warn, info, debug)', 'silent')
    .action(
      async (opts: {
        dataDir: string;
        address: string;
        port: number;
        kubeconfig?: string;
        insecureHttp: boolean;
        logLevel: string;
      }) => {
        const logger = pino({ level: opts.logLevel }, pino.destination(2));
        const running = await startCluster({
          dataDir: opts.dataDir,
          address: opts.address,
          port: opts.port,
          kubeconfigPath: opts.kubeconfig,
          insecureHttp: opts.insecureHttp,
          logger,
        }).catch((err: unknown) => {
          const code = (err as { code?: string }).code;
          if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES') {
            throw new SluiceError(
              'ListenFailed',
              `Cluster cannot listen on ${opts.address}:${opts.port}: ${code}; choose another --port (0 picks a free one) or --address`,
              { cause: err },
            );
          }
          throw err;
        });
        process.stdout.write(
          `sluice cluster listening on ${running.url}, kubeconfig ${running.kubeconfigPath}\n`,
        );
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            running.stop().then(resolve, resolve);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
      },
    );
}
