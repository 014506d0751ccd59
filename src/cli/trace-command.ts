import type { Command } from 'commander';
import { effectiveGitRef, SluiceError } from '../api/index.js';
import type { KubeClient, KubeObject } from '../kube/index.js';
import {
  addClusterFlags,
  CLI_KINDS,
  type CliIO,
  type CliKind,
  type ClusterFlags,
  conditionOf,
  connectCluster,
  type FluxObject,
  processIO,
  revisionOf,
} from './common/index.js';
import { sourceOf } from './reconcile-command.js';

interface TraceFlags extends ClusterFlags {
  apiVersion?: string;
}

/** API versions of the kinds users trace most, so they need no `--api-version`. */
const KNOWN: Record<string, string> = {
  Namespace: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  Service: 'v1',
  ServiceAccount: 'v1',
  PersistentVolumeClaim: 'v1',
  Pod: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  Ingress: 'networking.k8s.io/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  Role: 'rbac.authorization.k8s.io/v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
  ClusterRole: 'rbac.authorization.k8s.io/v1',
  ClusterRoleBinding: 'rbac.authorization.k8s.io/v1',
  CustomResourceDefinition: 'apiextensions.k8s.io/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  ...Object.fromEntries(Object.values(CLI_KINDS).map((k) => [k.kind, k.apiVersion])),
};

/** Finds the API version of a kind: `--api-version`, the table of common kinds, then discovery. */
async function apiVersionOf(
  kube: KubeClient,
  kind: string,
  flag?: string,
): Promise<{ apiVersion: string; kind: string }> {
  if (flag) return { apiVersion: flag, kind };
  const known = Object.keys(KNOWN).find((k) => k.toLowerCase() === kind.toLowerCase());
  if (known) return { apiVersion: KNOWN[known]!, kind: known };
  const groups = await kube.request<{ groups?: { preferredVersion?: { groupVersion?: string } }[] }>(
    'GET',
    '/apis',
  );
  const versions = [
    'v1',
    ...(groups.groups ?? []).map((g) => g.preferredVersion?.groupVersion ?? '').filter(Boolean),
  ];
  for (const gv of versions) {
    const path = gv === 'v1' ? '/api/v1' : `/apis/${gv}`;
    const list = await kube.request<{ resources?: { kind: string; name: string }[] }>('GET', path);
    const found = list.resources?.find(
      (r) => !r.name.includes('/') && r.kind.toLowerCase() === kind.toLowerCase(),
    );
    if (found) return { apiVersion: gv, kind: found.kind };
  }
  throw new SluiceError('NotFound', `Kind ${kind} is not served by the cluster: pass --api-version`);
}

function lines(pairs: [string, string | undefined][]): string {
  const shown = pairs.filter(([, v]) => v !== undefined && v !== '') as [string, string][];
  const width = Math.max(...shown.map(([k]) => k.length)) + 2;
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width)}${v.replace(/\s*\n\s*/g, ' ')}`).join('\n');
}

function statusOf(obj: FluxObject): [string, string | undefined][] {
  const ready = conditionOf(obj, 'Ready');
  const status =
    ready?.status === 'True'
      ? `Last reconciled at ${ready.lastTransitionTime ?? 'unknown time'}`
      : ready?.status === 'False'
        ? `Not ready (${ready.reason ?? 'Failed'})`
        : 'Unknown';
  return [
    ['Status', obj.spec?.suspend === true ? `Suspended; ${status}` : status],
    ['Message', ready?.message],
  ];
}

function sourceSection(src: FluxObject): string {
  const spec = src.spec ?? {};
  const pairs: [string, string | undefined][] = [
    [src.kind, src.metadata?.name],
    ['Namespace', src.metadata?.namespace],
    ['URL', spec.url as string | undefined],
  ];
  if (src.kind === 'GitRepository') {
    const ref = effectiveGitRef(spec as never) as Record<string, string | undefined>;
    pairs.push(['Branch', ref.branch], ['Tag', ref.tag], ['Semver', ref.semver], ['Commit', ref.commit]);
  }
  if (src.kind === 'HelmChart') pairs.push(['Chart', spec.chart as string | undefined]);
  pairs.push(['Revision', revisionOf(src)], ...statusOf(src));
  return lines(pairs);
}

async function runTrace(args: string[], flags: TraceFlags, io: CliIO): Promise<void> {
  let kindName: string;
  let name: string;
  if (args.length === 1 && args[0]!.includes('/'))
    [kindName, name] = args[0]!.split('/', 2) as [string, string];
  else if (args.length === 2) [kindName, name] = args as [string, string];
  else throw new SluiceError('InvalidFlag', 'Trace needs an object: pass <kind> <name> or <kind>/<name>');
  const kube = await connectCluster(flags, io);
  try {
    const type = await apiVersionOf(kube, kindName, flags.apiVersion);
    const m = await kube.mappingFor(type);
    const obj = await kube.tryGet<KubeObject>({
      ...type,
      name,
      ...(m.namespaced ? { namespace: flags.namespace } : {}),
    });
    const where = m.namespaced ? ` in ${flags.namespace} namespace` : '';
    if (!obj) throw new SluiceError('NotFound', `${type.kind} ${name} not found${where}`);
    const labels = obj.metadata?.labels ?? {};
    const sections: string[] = [
      `\n${lines([
        ['Object', `${type.kind}/${name}`],
        ['Namespace', m.namespaced ? flags.namespace : undefined],
        ['Status', 'Managed by Flux'],
      ])}`,
    ];
    // A HelmRelease's objects also carry the Kustomization labels when the HelmRelease came from one:
    // the HelmRelease is the closer owner.
    let owner: { kind: CliKind; name: string; namespace: string } | undefined;
    for (const kind of [CLI_KINDS.HelmRelease, CLI_KINDS.Kustomization]) {
      const n = labels[`${kind.group}/name`];
      const ns = labels[`${kind.group}/namespace`];
      if (n && ns && !owner) owner = { kind, name: n, namespace: ns };
    }
    if (!owner)
      throw new SluiceError(
        'NotManaged',
        `${type.kind}/${name} is not managed by Flux: it has no ownership labels`,
      );
    const managing = await kube.tryGet<FluxObject>({
      apiVersion: owner.kind.apiVersion,
      kind: owner.kind.kind,
      name: owner.name,
      namespace: owner.namespace,
    });
    if (!managing) {
      throw new SluiceError(
        'NotFound',
        `${owner.kind.kind} ${owner.name} managing ${type.kind}/${name} not found in ${owner.namespace} namespace`,
      );
    }
    const spec = managing.spec ?? {};
    if (owner.kind.kind === 'Kustomization') {
      sections.push(
        lines([
          ['Kustomization', owner.name],
          ['Namespace', owner.namespace],
          ['Target', spec.targetNamespace as string | undefined],
          ['Path', spec.path as string | undefined],
          ['Revision', revisionOf(managing)],
          ...statusOf(managing),
        ]),
      );
    } else {
      const chart = (spec.chart as { spec?: { chart?: string; version?: string } } | undefined)?.spec;
      sections.push(
        lines([
          ['HelmRelease', owner.name],
          ['Namespace', owner.namespace],
          ['Target', spec.targetNamespace as string | undefined],
          ['Chart', chart?.chart],
          ['Version', revisionOf(managing) || chart?.version],
          ...statusOf(managing),
        ]),
      );
    }
    const source = sourceOf(managing);
    if (source) {
      const src = await kube.tryGet<FluxObject>({
        apiVersion: source.kind.apiVersion,
        kind: source.kind.kind,
        name: source.name,
        namespace: source.namespace,
      });
      if (src) sections.push(sourceSection(src));
    }
    io.stdout.write(`${sections.join('\n---\n')}\n`);
  } finally {
    kube.close();
  }
}

/** Registers `sluice trace <kind> <name>`: which Kustomization or HelmRelease manages an object, and from which source. */
export function registerTraceCommand(program: Command, io: CliIO = processIO()): void {
  addClusterFlags(
    program
      .command('trace')
      .argument('<object...>', '<kind> <name>, or <kind>/<name>')
      .description('Show which Kustomization or HelmRelease manages an object, its source and revision'),
  )
    .option(
      '--api-version <version>',
      'the API version of the kind, e.g. apps/v1 (found by discovery when absent)',
    )
    .action(async (args: string[], flags: TraceFlags) => runTrace(args, flags, io));
}
