import type { Command } from 'commander';
import { SluiceError } from '../api/index.js';
import type { KubeClient } from '../kube/index.js';
import {
  addClusterFlags,
  CLI_KINDS,
  type CliIO,
  type CliKind,
  type ClusterFlags,
  conditionOf,
  connectCluster,
  type FluxObject,
  formatObjects,
  formatTable,
  parseOutputFormat,
  processIO,
  revisionOf,
  SOURCE_KINDS,
  watchUntilStopped,
} from './common/index.js';

interface GetFlags extends ClusterFlags {
  watch?: boolean;
  statusSelector?: string;
  output?: string;
}

/** Parses `--status-selector ready=false` into a condition type and status. */
function parseStatusSelector(value: string | undefined): { type: string; status: string } | undefined {
  if (!value) return undefined;
  const m = /^([A-Za-z]+)=(true|false|unknown)$/i.exec(value.trim());
  if (!m) {
    throw new SluiceError(
      'InvalidFlag',
      `Flag --status-selector ${value} is invalid: use <condition>=<true|false|unknown>, e.g. ready=false`,
    );
  }
  return { type: m[1]!.toLowerCase(), status: m[2]!.toLowerCase() };
}

function matches(obj: FluxObject, selector: { type: string; status: string } | undefined): boolean {
  if (!selector) return true;
  const c = obj.status?.conditions?.find((x) => x.type.toLowerCase() === selector.type);
  return (c?.status ?? 'Unknown').toLowerCase() === selector.status;
}

function header(allNamespaces: boolean): string[] {
  const h = ['NAME', 'REVISION', 'SUSPENDED', 'READY', 'MESSAGE'];
  return allNamespaces ? ['NAMESPACE', ...h] : h;
}

/** The row `get` prints for an object: name, revision, suspended, ready, message (namespace first under -A). */
export function rowOf(obj: FluxObject, allNamespaces: boolean): string[] {
  const ready = conditionOf(obj, 'Ready');
  const row = [
    obj.metadata?.name ?? '',
    revisionOf(obj),
    obj.spec?.suspend === true ? 'True' : 'False',
    ready?.status ?? 'Unknown',
    (ready?.message ?? 'waiting to be reconciled').replace(/\s*\n\s*/g, ' '),
  ];
  return allNamespaces ? [obj.metadata?.namespace ?? '', ...row] : row;
}

async function list(kube: KubeClient, kind: CliKind, flags: GetFlags, name?: string): Promise<FluxObject[]> {
  const type = { apiVersion: kind.apiVersion, kind: kind.kind };
  if (name) {
    const obj = await kube.tryGet<FluxObject>({ ...type, name, namespace: flags.namespace });
    if (!obj)
      throw new SluiceError('NotFound', `${kind.kind} ${name} not found in ${flags.namespace} namespace`);
    return [obj];
  }
  const result = await kube.list<FluxObject>(type, flags.allNamespaces ? {} : { namespace: flags.namespace });
  return result.items.sort(
    (a, b) =>
      (a.metadata?.namespace ?? '').localeCompare(b.metadata?.namespace ?? '') ||
      (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
  );
}

async function watch(
  kube: KubeClient,
  kinds: readonly CliKind[],
  flags: GetFlags,
  io: CliIO,
  name: string | undefined,
): Promise<void> {
  const all = !!flags.allNamespaces;
  const selector = parseStatusSelector(flags.statusSelector);
  let headerPrinted = false;
  const print = (obj: FluxObject) => {
    if (!matches(obj, selector)) return;
    const prefix = kinds.length > 1 ? `${obj.kind}/` : '';
    const row = rowOf(obj, all);
    row[all ? 1 : 0] = prefix + row[all ? 1 : 0];
    const table = formatTable(header(all), [row]).split('\n');
    if (!headerPrinted) io.stdout.write(`${table[0]}\n`);
    headerPrinted = true;
    io.stdout.write(`${table[1]}\n`);
  };
  // One failing watch stops the others, so the process can exit.
  const local = new AbortController();
  const stop = () => local.abort();
  io.signal?.addEventListener('abort', stop);
  const watchIO: CliIO = { ...io, signal: local.signal };
  try {
    await Promise.all(
      kinds.map((kind) =>
        watchUntilStopped<FluxObject>(
          kube,
          { apiVersion: kind.apiVersion, kind: kind.kind },
          {
            ...(all ? {} : { namespace: flags.namespace }),
            ...(name ? { fieldSelector: `metadata.name=${name}` } : {}),
          },
          watchIO,
          print,
        ).catch((err) => {
          local.abort();
          throw err;
        }),
      ),
    );
  } finally {
    io.signal?.removeEventListener('abort', stop);
  }
}

async function runGet(kinds: readonly CliKind[], flags: GetFlags, io: CliIO, name?: string): Promise<void> {
  const format = parseOutputFormat(flags.output);
  const selector = parseStatusSelector(flags.statusSelector);
  const kube = await connectCluster(flags, io);
  try {
    if (flags.watch) {
      await watch(kube, kinds, flags, io, name);
      return;
    }
    const all = !!flags.allNamespaces;
    const found: { kind: CliKind; items: FluxObject[] }[] = [];
    for (const kind of kinds) {
      let items: FluxObject[];
      try {
        items = (await list(kube, kind, flags, name)).filter((o) => matches(o, selector));
      } catch (err) {
        // `get all` skips kinds whose CRD is not installed (and, given a name, kinds without that object).
        if (kinds.length > 1 && (err as SluiceError).code === 'NotFound') continue;
        throw err;
      }
      found.push({ kind, items });
    }
    if (format !== 'table') {
      io.stdout.write(
        formatObjects(
          found.flatMap((f) => f.items),
          format,
        ),
      );
      return;
    }
    const nonEmpty = found.filter((f) => f.items.length > 0);
    if (nonEmpty.length === 0) {
      const where = all ? 'in any namespace' : `in ${flags.namespace} namespace`;
      const what = kinds.length === 1 ? `${kinds[0]!.kind} objects` : 'objects';
      io.stderr.write(`✗ no ${what} found ${where}\n`);
      return;
    }
    const tables = nonEmpty.map(({ items }) => {
      const prefix = kinds.length > 1 ? `${items[0]!.kind.toLowerCase()}/` : '';
      const rows = items.map((o) => {
        const row = rowOf(o, all);
        row[all ? 1 : 0] = prefix + row[all ? 1 : 0];
        return row;
      });
      return formatTable(header(all), rows);
    });
    io.stdout.write(tables.join('\n'));
  } finally {
    kube.close();
  }
}

function leaf(
  parent: Command,
  name: string,
  description: string,
  kinds: readonly CliKind[],
  io: CliIO,
  aliases: string[] = [],
): Command {
  const cmd = parent.command(`${name} [name]`).description(description);
  for (const a of aliases) cmd.alias(a);
  addClusterFlags(cmd, { allNamespaces: true })
    .option('-w, --watch', 'after listing, watch for changes and print them', false)
    .option(
      '--status-selector <condition=status>',
      'show only objects with this condition status, e.g. ready=false',
    )
    .option('-o, --output <format>', 'output format: yaml or json (default: a table)')
    .action(async (objName: string | undefined, flags: GetFlags) => runGet(kinds, flags, io, objName));
  return cmd;
}

/**
 * Registers `sluice get`: `sources` (git, helm, chart, oci, bucket, all), `kustomizations`, `helmreleases` and
 * `all`, printed as flux prints them (`NAME REVISION SUSPENDED READY MESSAGE`).
 */
export function registerGetCommand(program: Command, io: CliIO = processIO()): void {
  const get = program.command('get').description('Get the status of Flux objects');
  const sources = get.command('sources').alias('source').description('Get the status of sources');
  for (const kind of SOURCE_KINDS) {
    leaf(sources, kind.sourceWord!, `Get the status of ${kind.kind} sources`, [kind], io);
  }
  leaf(sources, 'all', 'Get the status of all sources', SOURCE_KINDS, io);
  leaf(get, 'kustomizations', 'Get the status of Kustomizations', [CLI_KINDS.Kustomization], io, [
    'kustomization',
    'ks',
  ]);
  leaf(get, 'helmreleases', 'Get the status of HelmReleases', [CLI_KINDS.HelmRelease], io, [
    'helmrelease',
    'hr',
  ]);
  leaf(
    get,
    'all',
    'Get the status of all sources, Kustomizations and HelmReleases',
    [...SOURCE_KINDS, CLI_KINDS.Kustomization, CLI_KINDS.HelmRelease],
    io,
  );
}
