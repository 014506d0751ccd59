import type { Command } from 'commander';
import { SluiceError } from '../api/index.js';
import {
  addClusterFlags,
  CLI_KINDS,
  type CliIO,
  type CliKind,
  type ClusterFlags,
  connectCluster,
  Logger,
  processIO,
  SOURCE_KINDS,
} from './common/index.js';

interface DeleteFlags extends ClusterFlags {
  silent?: boolean;
}

async function runDelete(kind: CliKind, name: string, flags: DeleteFlags, io: CliIO): Promise<void> {
  const log = new Logger(io);
  const subject = `${kind.kind}/${flags.namespace}/${name}`;
  if (!flags.silent) {
    if (!io.stdinIsTTY) {
      throw new SluiceError(
        'ConfirmationRequired',
        `Deleting ${subject} needs confirmation, and stdin is not a terminal: pass --silent to delete without asking`,
      );
    }
    if (!(await io.confirm(`Are you sure you want to delete this ${kind.label}?`))) {
      log.failure('deletion cancelled');
      return;
    }
  }
  const kube = await connectCluster(flags, io);
  try {
    log.action(`deleting ${kind.label} ${name} in ${flags.namespace} namespace`);
    const ref = { apiVersion: kind.apiVersion, kind: kind.kind, name, namespace: flags.namespace };
    try {
      await kube.delete(ref);
    } catch (err) {
      if ((err as SluiceError).code === 'NotFound') {
        throw new SluiceError('NotFound', `${kind.kind} ${name} not found in ${flags.namespace} namespace`, {
          cause: err,
        });
      }
      throw err;
    }
    log.success(`${kind.label} deleted`);
  } finally {
    kube.close();
  }
}

function leaf(parent: Command, word: string, kind: CliKind, io: CliIO, aliases: string[] = []): void {
  const cmd = parent.command(`${word} <name>`).description(`Delete a ${kind.kind}`);
  for (const a of aliases) cmd.alias(a);
  addClusterFlags(cmd)
    .option('-s, --silent', 'delete without asking for confirmation', false)
    .action(async (name: string, flags: DeleteFlags) => runDelete(kind, name, flags, io));
}

/** Registers `sluice delete` (source git|helm|…, kustomization, helmrelease), asking for confirmation on a terminal. */
export function registerDeleteCommand(program: Command, io: CliIO = processIO()): void {
  const del = program.command('delete').description('Delete Flux objects');
  const source = del.command('source').description('Delete sources');
  for (const kind of SOURCE_KINDS) leaf(source, kind.sourceWord!, kind, io);
  leaf(del, 'kustomization', CLI_KINDS.Kustomization, io, ['ks']);
  leaf(del, 'helmrelease', CLI_KINDS.HelmRelease, io, ['hr']);
}
