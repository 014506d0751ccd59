import type { Command } from 'commander';
import { SluiceError } from '../api/index.js';
import {
  addClusterFlags,
  CLI_KINDS,
  type CliIO,
  type CliKind,
  type ClusterFlags,
  connectCluster,
  type FluxObject,
  formatObjects,
  parseOutputFormat,
  processIO,
  SOURCE_KINDS,
} from './common/index.js';

interface ExportFlags extends ClusterFlags {
  all?: boolean;
  output?: string;
}

const DROPPED_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

/**
 * The object as `flux export` prints it: apiVersion, kind, name, namespace, labels, annotations and spec,
 * without status, managed fields or server-set metadata.
 */
export function exportedObject(obj: FluxObject): FluxObject {
  const meta = obj.metadata ?? {};
  const annotations = Object.fromEntries(
    Object.entries(meta.annotations ?? {}).filter(([k]) => !DROPPED_ANNOTATIONS.includes(k)),
  );
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: {
      ...(meta.labels && Object.keys(meta.labels).length ? { labels: meta.labels } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
      name: meta.name,
      namespace: meta.namespace,
    },
    spec: obj.spec ?? {},
  };
}

async function runExport(
  kind: CliKind,
  name: string | undefined,
  flags: ExportFlags,
  io: CliIO,
): Promise<void> {
  const format = parseOutputFormat(flags.output ?? 'yaml');
  if (!name && !flags.all) {
    throw new SluiceError('InvalidFlag', `A ${kind.label} name is required: pass a name or --all`);
  }
  const kube = await connectCluster(flags, io);
  try {
    const type = { apiVersion: kind.apiVersion, kind: kind.kind };
    let objects: FluxObject[];
    if (name) {
      const obj = await kube.tryGet<FluxObject>({ ...type, name, namespace: flags.namespace });
      if (!obj)
        throw new SluiceError('NotFound', `${kind.kind} ${name} not found in ${flags.namespace} namespace`);
      objects = [obj];
    } else {
      const list = await kube.list<FluxObject>(
        type,
        flags.allNamespaces ? {} : { namespace: flags.namespace },
      );
      objects = list.items.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    }
    if (objects.length === 0) return;
    io.stdout.write(formatObjects(objects.map(exportedObject), format === 'table' ? 'yaml' : format));
  } finally {
    kube.close();
  }
}

function leaf(parent: Command, word: string, kind: CliKind, io: CliIO, aliases: string[] = []): void {
  const cmd = parent.command(`${word} [name]`).description(`Export ${kind.kind} objects as YAML`);
  for (const a of aliases) cmd.alias(a);
  addClusterFlags(cmd, { allNamespaces: true })
    .option('--all', `export every ${kind.kind} in the namespace`, false)
    .option('-o, --output <format>', 'yaml (default) or json')
    .action(async (name: string | undefined, flags: ExportFlags) => runExport(kind, name, flags, io));
}

/** Registers `sluice export` (source git|helm|…, kustomization, helmrelease): YAML without status, like flux export. */
export function registerExportCommand(program: Command, io: CliIO = processIO()): void {
  const exp = program
    .command('export')
    .description('Export Flux objects as YAML (without status), like flux export');
  const source = exp.command('source').description('Export sources');
  for (const kind of SOURCE_KINDS) leaf(source, kind.sourceWord!, kind, io);
  leaf(exp, 'kustomization', CLI_KINDS.Kustomization, io, ['ks']);
  leaf(exp, 'helmrelease', CLI_KINDS.HelmRelease, io, ['hr']);
}
