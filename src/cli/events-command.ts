import type { Command } from 'commander';
import type { KubeObject } from '../kube/index.js';
import {
  addClusterFlags,
  type CliIO,
  type ClusterFlags,
  connectCluster,
  formatAge,
  formatTable,
  parseKindName,
  processIO,
  watchUntilStopped,
} from './common/index.js';

/** A core/v1 Event, the fields the table shows. */
type EventObject = KubeObject & {
  involvedObject?: { kind?: string; name?: string; namespace?: string };
  type?: string;
  reason?: string;
  message?: string;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  firstTimestamp?: string | null;
};

interface EventsFlags extends ClusterFlags {
  for?: string;
  watch?: boolean;
}

function seenAt(e: EventObject): number {
  const t = e.lastTimestamp || e.eventTime || e.firstTimestamp || e.metadata?.creationTimestamp;
  return t ? Date.parse(t) : 0;
}

const HEADER = ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'];

function row(e: EventObject, all: boolean, now: number): string[] {
  const r = [
    formatAge(seenAt(e), now),
    e.type ?? '',
    e.reason ?? '',
    `${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}`,
    (e.message ?? '').replace(/\s*\n\s*/g, ' '),
  ];
  return all ? [e.metadata?.namespace ?? '', ...r] : r;
}

async function runEvents(flags: EventsFlags, io: CliIO): Promise<void> {
  const all = !!flags.allNamespaces;
  const target = flags.for ? parseKindName(flags.for, '--for') : undefined;
  const keep = (e: EventObject) =>
    !target ||
    (e.involvedObject?.kind?.toLowerCase() === target.kind.toLowerCase() &&
      e.involvedObject?.name === target.name);
  const header = all ? ['NAMESPACE', ...HEADER] : HEADER;
  const kube = await connectCluster(flags, io);
  try {
    const type = { apiVersion: 'v1', kind: 'Event' };
    const list = await kube.list<EventObject>(type, all ? {} : { namespace: flags.namespace });
    const items = list.items.filter(keep).sort((a, b) => seenAt(a) - seenAt(b));
    const now = Date.now();
    if (items.length > 0 || flags.watch) {
      io.stdout.write(
        formatTable(
          header,
          items.map((e) => row(e, all, now)),
        ),
      );
    } else {
      io.stderr.write(`✗ no events found in ${all ? 'any' : flags.namespace} namespace\n`);
    }
    if (!flags.watch) return;
    await watchUntilStopped<EventObject>(
      kube,
      type,
      {
        ...(all ? {} : { namespace: flags.namespace }),
        ...(list.metadata?.resourceVersion ? { resourceVersion: list.metadata.resourceVersion } : {}),
      },
      io,
      (e) => {
        if (!keep(e)) return;
        const lines = formatTable(header, [row(e, all, Date.now())]).split('\n');
        io.stdout.write(`${lines[1]}\n`);
      },
    );
  } finally {
    kube.close();
  }
}

/** Registers `sluice events [--for Kind/name] [-w]`: the namespace's Kubernetes Events as a table. */
export function registerEventsCommand(program: Command, io: CliIO = processIO()): void {
  addClusterFlags(program.command('events').description('Display Kubernetes events of Flux objects'), {
    allNamespaces: true,
  })
    .option('--for <kind/name>', 'show only the events of this object, e.g. Kustomization/apps')
    .option('-w, --watch', 'after listing, watch for new events and print them', false)
    .action(async (flags: EventsFlags) => runEvents(flags, io));
}
