import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Command } from 'commander';
import { parseDuration, SluiceError } from '../../api/index.js';
import type { KubeClient, KubeConfigSource } from '../../kube/index.js';
import type { CliIO } from './io.js';

/** The flags every cluster command takes, as flux has them. */
export interface ClusterFlags {
  /** `-n/--namespace`. Default: `flux-system`. */
  namespace: string;
  /** `-A/--all-namespaces`. */
  allNamespaces?: boolean;
  /** `--timeout`, a Flux duration. Default: `5m`. */
  timeout: string;
  /** `--kubeconfig`. */
  kubeconfig?: string;
  /** `--context`. */
  context?: string;
}

/** Adds `-n`, `--timeout`, `--kubeconfig`, `--context` (and `-A` when `allNamespaces`) to a command. */
export function addClusterFlags(cmd: Command, options: { allNamespaces?: boolean } = {}): Command {
  cmd
    .option('-n, --namespace <namespace>', 'the namespace scope for this operation', 'flux-system')
    .option('--timeout <duration>', 'timeout for this operation', '5m')
    .option(
      '--kubeconfig <file>',
      'path to the kubeconfig file (default: KUBECONFIG, ~/.kube/config, sluice up)',
    )
    .option('--context <name>', 'the kubeconfig context to use');
  if (options.allNamespaces)
    cmd.option('-A, --all-namespaces', 'list the objects across all namespaces', false);
  return cmd;
}

/** The `--timeout` flag in milliseconds; throws a clear error when it is not a duration. */
export function timeoutMs(flags: Pick<ClusterFlags, 'timeout'>): number {
  try {
    return parseDuration(flags.timeout);
  } catch (err) {
    throw new SluiceError(
      'InvalidFlag',
      `Flag --timeout ${flags.timeout} is invalid: use a duration such as 30s or 5m`,
      {
        cause: err,
      },
    );
  }
}

/** Where the cluster comes from: a kubeconfig source, and whether it is the embedded cluster of `sluice up`. */
export interface ResolvedKubeconfig {
  source: KubeConfigSource;
  /** The kubeconfig file, when one file was chosen. */
  path?: string;
  /** True when no kubeconfig was configured and `sluice up`'s embedded cluster is used. */
  embedded: boolean;
}

/**
 * Finds the kubeconfig as kubectl does (`--kubeconfig`, `KUBECONFIG`, `~/.kube/config`), falling back to the
 * kubeconfig of a running `sluice up` (`<data home>/sluice/cluster/kubeconfig`). Throws when there is none.
 */
export async function resolveKubeconfig(
  flags: Pick<ClusterFlags, 'kubeconfig'>,
  env: NodeJS.ProcessEnv,
): Promise<ResolvedKubeconfig> {
  if (flags.kubeconfig)
    return { source: { path: flags.kubeconfig }, path: flags.kubeconfig, embedded: false };
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p && existsSync(p));
  if (fromEnv.length === 1) return { source: { path: fromEnv[0]! }, path: fromEnv[0]!, embedded: false };
  if (fromEnv.length > 1) return { source: { defaults: true }, embedded: false };
  const home = env.HOME || homedir();
  const userConfig = join(home, '.kube', 'config');
  if (existsSync(userConfig)) return { source: { path: userConfig }, path: userConfig, embedded: false };
  // Loaded lazily: the module that knows sluice up's data directory also loads the embedded cluster.
  const { defaultClusterDataDir } = await import('../cluster-command.js');
  const embedded = join(defaultClusterDataDir(env), 'kubeconfig');
  if (existsSync(embedded)) return { source: { path: embedded }, path: embedded, embedded: true };
  throw new SluiceError(
    'NoCluster',
    'No cluster configured: pass --kubeconfig, set KUBECONFIG, write ~/.kube/config, or start one with sluice up',
  );
}

/**
 * Connects to the cluster named by the flags (see {@link resolveKubeconfig}); says on stderr when it falls
 * back to the embedded cluster of `sluice up`.
 */
export async function connectCluster(flags: ClusterFlags, io: CliIO): Promise<KubeClient> {
  const resolved = await resolveKubeconfig(flags, io.env);
  if (resolved.embedded) io.stderr.write(`using the embedded cluster of sluice up (${resolved.path})\n`);
  const { connectKube } = await import('../../kube/index.js');
  return connectKube(resolved.source, {
    ...(flags.context ? { context: flags.context } : {}),
    namespace: flags.namespace,
  });
}
