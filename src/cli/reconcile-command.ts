import type { Command } from 'commander';
import { SluiceError } from '../api/index.js';
import type { KubeClient } from '../kube/index.js';
import {
  addClusterFlags,
  CLI_KINDS,
  type CliIO,
  type CliKind,
  type ClusterFlags,
  cliKindOf,
  connectCluster,
  type FluxObject,
  Logger,
  processIO,
  readyCheck,
  requestedAtNow,
  revisionOf,
  SOURCE_KINDS,
  timeoutMs,
  waitFor,
} from './common/index.js';

const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';
const FORCE_AT = 'reconcile.fluxcd.io/forceAt';

interface ReconcileFlags extends ClusterFlags {
  withSource?: boolean;
  force?: boolean;
}

/** What `reconcile` prints once the object is ready, as flux does. */
function resultLine(obj: FluxObject): string {
  const rev = revisionOf(obj);
  if (obj.kind === 'Kustomization' || obj.kind === 'HelmRelease') return `applied revision ${rev}`;
  return `fetched revision ${rev}`;
}

function typeRef(kind: CliKind, name: string, namespace: string) {
  return { apiVersion: kind.apiVersion, kind: kind.kind, name, namespace };
}

/** Reads an object or throws a NotFound error naming it the way flux does. */
async function getOrThrow(
  kube: KubeClient,
  kind: CliKind,
  name: string,
  namespace: string,
): Promise<FluxObject> {
  const obj = await kube.tryGet<FluxObject>(typeRef(kind, name, namespace));
  if (!obj) throw new SluiceError('NotFound', `${kind.kind} ${name} not found in ${namespace} namespace`);
  return obj;
}

/**
 * Requests a reconcile of one object (the `requestedAt` annotation, plus `forceAt` when forced) and waits
 * until its controller has handled it and reported Ready; throws with the Ready message when it failed.
 */
export async function reconcileObject(
  kube: KubeClient,
  kind: CliKind,
  name: string,
  namespace: string,
  io: CliIO,
  options: { timeoutMs: number; force?: boolean },
): Promise<FluxObject> {
  const log = new Logger(io);
  const obj = await getOrThrow(kube, kind, name, namespace);
  if (obj.spec?.suspend === true) {
    throw new SluiceError(
      'Suspended',
      `${kind.kind}/${namespace}/${name} is suspended: resume it with sluice resume ${kind.label} ${name}`,
    );
  }
  log.action(`annotating ${kind.kind} ${name} in ${namespace} namespace`);
  const at = requestedAtNow();
  const annotations: Record<string, string> = { [REQUESTED_AT]: at };
  if (options.force) annotations[FORCE_AT] = at;
  await kube.patch(typeRef(kind, name, namespace), { metadata: { annotations } }, { type: 'merge' });
  log.success(`${kind.kind} annotated`);
  log.waiting(`waiting for ${kind.kind} reconciliation`);
  const ready = await waitFor(kube, kind, { name, namespace }, readyCheck(at), io, {
    timeoutMs: options.timeoutMs,
    text: `waiting for ${kind.kind}/${namespace}/${name}`,
  });
  log.success(`${kind.kind} reconciliation completed`);
  log.success(resultLine(ready));
  return ready;
}

/** The source a Kustomization or HelmRelease reads from: kind, name and namespace. */
export function sourceOf(obj: FluxObject): { kind: CliKind; name: string; namespace: string } | undefined {
  const ns = obj.metadata?.namespace ?? 'default';
  const spec = obj.spec ?? {};
  const ref = (
    obj.kind === 'HelmRelease'
      ? ((spec.chart as { spec?: { sourceRef?: unknown } } | undefined)?.spec?.sourceRef ?? spec.chartRef)
      : spec.sourceRef
  ) as { kind?: string; name?: string; namespace?: string } | undefined;
  if (!ref?.kind || !ref.name) return undefined;
  return { kind: cliKindOf(ref.kind), name: ref.name, namespace: ref.namespace || ns };
}

async function runReconcile(kind: CliKind, name: string, flags: ReconcileFlags, io: CliIO): Promise<void> {
  const kube = await connectCluster(flags, io);
  try {
    const ms = timeoutMs(flags);
    if (flags.withSource) {
      const obj = await getOrThrow(kube, kind, name, flags.namespace);
      const source = sourceOf(obj);
      if (source) {
        await reconcileObject(kube, source.kind, source.name, source.namespace, io, { timeoutMs: ms });
      }
    }
    await reconcileObject(kube, kind, name, flags.namespace, io, { timeoutMs: ms, force: !!flags.force });
  } finally {
    kube.close();
  }
}

function reconcileLeaf(
  parent: Command,
  word: string,
  kind: CliKind,
  io: CliIO,
  aliases: string[] = [],
): Command {
  const cmd = parent
    .command(`${word} <name>`)
    .description(`Trigger a reconciliation of a ${kind.kind} and wait for the result`);
  for (const a of aliases) cmd.alias(a);
  addClusterFlags(cmd);
  if (kind.kind === 'Kustomization' || kind.kind === 'HelmRelease') {
    cmd.option('--with-source', 'reconcile the source first', false);
  }
  if (kind.kind === 'HelmRelease') {
    cmd.option('--force', 'force a one-off install or upgrade (reconcile.fluxcd.io/forceAt)', false);
  }
  cmd.action(async (name: string, flags: ReconcileFlags) => runReconcile(kind, name, flags, io));
  return cmd;
}

interface SuspendFlags extends ClusterFlags {
  all?: boolean;
}

async function namesOf(kube: KubeClient, kind: CliKind, name: string | undefined, flags: SuspendFlags) {
  if (flags.all) {
    const list = await kube.list<FluxObject>(
      { apiVersion: kind.apiVersion, kind: kind.kind },
      { namespace: flags.namespace },
    );
    return list.items.map((o) => o.metadata?.name ?? '').sort();
  }
  if (!name) throw new SluiceError('InvalidFlag', `A ${kind.label} name is required: pass a name or --all`);
  return [name];
}

async function runSuspend(
  kind: CliKind,
  name: string | undefined,
  flags: SuspendFlags,
  io: CliIO,
  suspend: boolean,
): Promise<void> {
  const log = new Logger(io);
  const kube = await connectCluster(flags, io);
  try {
    const names = await namesOf(kube, kind, name, flags);
    if (names.length === 0) {
      log.failure(`no ${kind.kind} objects found in ${flags.namespace} namespace`);
      return;
    }
    const verb = suspend ? 'suspend' : 'resum';
    for (const n of names) {
      await getOrThrow(kube, kind, n, flags.namespace);
      log.action(`${verb}ing ${kind.label} ${n} in ${flags.namespace} namespace`);
      const patch: Record<string, unknown> = { spec: { suspend } };
      const at = requestedAtNow();
      if (!suspend) patch.metadata = { annotations: { [REQUESTED_AT]: at } };
      await kube.patch(typeRef(kind, n, flags.namespace), patch, { type: 'merge' });
      log.success(`${kind.label} ${suspend ? 'suspended' : 'resumed'}`);
      if (!suspend) {
        log.waiting(`waiting for ${kind.kind} reconciliation`);
        const ready = await waitFor(kube, kind, { name: n, namespace: flags.namespace }, readyCheck(at), io, {
          timeoutMs: timeoutMs(flags),
          text: `waiting for ${kind.kind}/${flags.namespace}/${n}`,
        });
        log.success(`${kind.kind} reconciliation completed`);
        log.success(resultLine(ready));
      }
    }
  } finally {
    kube.close();
  }
}

function suspendLeaf(
  parent: Command,
  word: string,
  kind: CliKind,
  io: CliIO,
  suspend: boolean,
  aliases: string[] = [],
): void {
  const cmd = parent
    .command(`${word} [name]`)
    .description(
      suspend
        ? `Suspend the reconciliation of a ${kind.kind}`
        : `Resume a suspended ${kind.kind} and wait for its reconciliation`,
    );
  for (const a of aliases) cmd.alias(a);
  addClusterFlags(cmd).option(
    '--all',
    `${suspend ? 'suspend' : 'resume'} every ${kind.kind} in the namespace`,
    false,
  );
  cmd.action(async (name: string | undefined, flags: SuspendFlags) =>
    runSuspend(kind, name, flags, io, suspend),
  );
}

function registerSuspendOrResume(program: Command, io: CliIO, suspend: boolean): void {
  const verb = suspend ? 'suspend' : 'resume';
  const cmd = program
    .command(verb)
    .description(suspend ? 'Suspend the reconciliation of Flux objects' : 'Resume suspended Flux objects');
  const source = cmd.command('source').description(`${suspend ? 'Suspend' : 'Resume'} sources`);
  for (const kind of SOURCE_KINDS) suspendLeaf(source, kind.sourceWord!, kind, io, suspend);
  suspendLeaf(cmd, 'kustomization', CLI_KINDS.Kustomization, io, suspend, ['ks']);
  suspendLeaf(cmd, 'helmrelease', CLI_KINDS.HelmRelease, io, suspend, ['hr']);
}

/**
 * Registers `sluice reconcile` (source git|helm|chart|oci|bucket, kustomization, helmrelease), which annotates
 * the object with `reconcile.fluxcd.io/requestedAt` and waits for the controller's answer, and `sluice
 * suspend` / `sluice resume`.
 */
export function registerReconcileCommands(program: Command, io: CliIO = processIO()): void {
  const reconcile = program
    .command('reconcile')
    .description('Trigger a reconciliation of Flux objects and wait for the result');
  const source = reconcile.command('source').description('Reconcile sources');
  for (const kind of SOURCE_KINDS) reconcileLeaf(source, kind.sourceWord!, kind, io);
  reconcileLeaf(reconcile, 'kustomization', CLI_KINDS.Kustomization, io, ['ks']);
  reconcileLeaf(reconcile, 'helmrelease', CLI_KINDS.HelmRelease, io, ['hr']);
  registerSuspendOrResume(program, io, true);
  registerSuspendOrResume(program, io, false);
}
