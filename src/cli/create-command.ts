import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import {
  formatDuration,
  formatValidationCauses,
  GitRepositoryKind,
  HelmReleaseKind,
  HelmRepositoryKind,
  InvalidSpecError,
  KustomizationKind,
  parseDuration,
  SluiceError,
} from '../api/index.js';
import {
  addClusterFlags,
  CLI_KINDS,
  type CliIO,
  type CliKind,
  type ClusterFlags,
  cliKindOf,
  connectCluster,
  type FluxObject,
  formatObjects,
  Logger,
  parseKindName,
  processIO,
  readyCheck,
  revisionOf,
  timeoutMs,
  waitFor,
} from './common/index.js';

interface CreateFlags extends ClusterFlags {
  export?: boolean;
  interval: string;
  label?: string[];
}

interface Definition {
  kind: string;
  validate(obj: unknown): { message: string; path?: string; code: string }[];
  withDefaults<T extends { spec?: unknown }>(obj: T): T;
}

/** A Flux duration flag in Go's form (`1m` → `1m0s`), as flux writes it. */
function duration(value: string, flag: string): string {
  try {
    return formatDuration(parseDuration(value));
  } catch (err) {
    throw new SluiceError(
      'InvalidFlag',
      `Flag ${flag} ${value} is invalid: use a duration such as 1m or 10m30s`,
      {
        cause: err,
      },
    );
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').filter(Boolean)];
}

function labelsOf(flags: CreateFlags): Record<string, string> | undefined {
  if (!flags.label?.length) return undefined;
  const labels: Record<string, string> = {};
  for (const l of flags.label) {
    const i = l.indexOf('=');
    if (i <= 0) throw new SluiceError('InvalidFlag', `Flag --label ${l} is invalid: use key=value`);
    labels[l.slice(0, i)] = l.slice(i + 1);
  }
  return labels;
}

function metadata(name: string, flags: CreateFlags): FluxObject['metadata'] {
  const labels = labelsOf(flags);
  return { name, namespace: flags.namespace, ...(labels ? { labels } : {}) };
}

/**
 * Validates the object (with the CRD's defaults applied) against its kind; then prints it (`--export`) or
 * applies it with server-side apply as field manager `sluice` and waits for it to become Ready.
 */
async function createObject(def: Definition, kind: CliKind, obj: FluxObject, flags: CreateFlags, io: CliIO) {
  const log = new Logger(io);
  const causes = def.validate(def.withDefaults(obj));
  if (causes.length > 0) {
    throw new InvalidSpecError(
      `${kind.kind}/${flags.namespace}/${obj.metadata?.name} is invalid: ${formatValidationCauses(causes as never)}`,
    );
  }
  if (flags.export) {
    io.stdout.write(formatObjects([obj], 'yaml'));
    return;
  }
  log.action(`generating ${kind.kind}`);
  const kube = await connectCluster(flags, io);
  try {
    log.action(`applying ${kind.kind}`);
    const ref = {
      apiVersion: kind.apiVersion,
      kind: kind.kind,
      name: obj.metadata!.name!,
      namespace: flags.namespace,
    };
    const existed = await kube.tryGet(ref);
    await kube.apply(obj, { fieldManager: 'sluice', force: true });
    log.success(`${kind.kind} ${existed ? 'updated' : 'created'}`);
    log.waiting(`waiting for ${kind.kind} reconciliation`);
    const ready = await waitFor(kube, kind, { name: ref.name, namespace: ref.namespace }, readyCheck(), io, {
      timeoutMs: timeoutMs(flags),
      text: `waiting for ${kind.kind}/${ref.namespace}/${ref.name}`,
    });
    log.success(`${kind.kind} ${ref.name} is ready`);
    const rev = revisionOf(ready);
    if (rev)
      log.success(
        `${kind.kind === 'GitRepository' || kind.kind === 'HelmRepository' ? 'fetched' : 'applied'} revision ${rev}`,
      );
  } finally {
    kube.close();
  }
}

function common(cmd: Command, defaultInterval = '1m'): Command {
  return addClusterFlags(cmd)
    .option('--interval <duration>', 'how often the object is reconciled', defaultInterval)
    .option('--label <key=value>', 'set a label on the object (repeatable)', collect)
    .option('--export', 'print the object as YAML instead of creating it', false);
}

interface GitFlags extends CreateFlags {
  url?: string;
  branch?: string;
  tag?: string;
  tagSemver?: string;
  commit?: string;
  secretRef?: string;
}

interface HelmRepoFlags extends CreateFlags {
  url?: string;
  secretRef?: string;
}

interface KsFlags extends CreateFlags {
  source?: string;
  path: string;
  prune: boolean;
  dependsOn?: string[];
  targetNamespace?: string;
  wait?: boolean;
  healthCheck?: string[];
  retryInterval?: string;
  healthCheckTimeout?: string;
}

interface HrFlags extends CreateFlags {
  source?: string;
  chart?: string;
  chartVersion?: string;
  values?: string[];
  targetNamespace?: string;
  releaseName?: string;
  createTargetNamespace?: boolean;
  dependsOn?: string[];
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new SluiceError('InvalidFlag', `Flag ${flag} is required`);
  return value;
}

/** Parses `--health-check Kind/name.namespace` as flux does. */
function healthCheck(value: string): { apiVersion?: string; kind: string; name: string; namespace?: string } {
  const m = /^([A-Za-z0-9]+)\/([^./]+)(?:\.([^./]+))?$/.exec(value);
  if (!m)
    throw new SluiceError(
      'InvalidFlag',
      `Flag --health-check ${value} is invalid: use <kind>/<name>.<namespace>`,
    );
  const builtIn: Record<string, string> = {
    Deployment: 'apps/v1',
    StatefulSet: 'apps/v1',
    DaemonSet: 'apps/v1',
    Service: 'v1',
    Job: 'batch/v1',
    HelmRelease: CLI_KINDS.HelmRelease.apiVersion,
    Kustomization: CLI_KINDS.Kustomization.apiVersion,
  };
  return {
    ...(builtIn[m[1]!] ? { apiVersion: builtIn[m[1]!] } : {}),
    kind: m[1]!,
    name: m[2]!,
    ...(m[3] ? { namespace: m[3] } : {}),
  };
}

function dependsOn(values: string[] | undefined) {
  return values?.map((d) => {
    const [a, b] = d.includes('/') ? d.split('/') : [undefined, d];
    return { name: b!, ...(a ? { namespace: a } : {}) };
  });
}

/** Registers `sluice create source git|helm`, `create kustomization` and `create helmrelease`. */
export function registerCreateCommand(program: Command, io: CliIO = processIO()): void {
  const create = program
    .command('create')
    .description('Create or update Flux objects (or print them with --export)');
  const source = create.command('source').description('Create or update sources');

  common(source.command('git <name>').description('Create or update a GitRepository source'))
    .option('--url <url>', 'the Git repository URL (http, https or ssh)')
    .option('--branch <branch>', 'the branch to follow')
    .option('--tag <tag>', 'the tag to follow')
    .option('--tag-semver <range>', 'the semver range of tags to follow')
    .option('--commit <sha>', 'the commit to check out')
    .option('--secret-ref <name>', 'the Secret with the Git credentials')
    .action(async (name: string, flags: GitFlags) => {
      const ref: Record<string, string> = {};
      if (flags.commit) ref.commit = flags.commit;
      if (flags.tagSemver) ref.semver = flags.tagSemver;
      else if (flags.tag) ref.tag = flags.tag;
      else if (flags.branch) ref.branch = flags.branch;
      if (Object.keys(ref).length === 0) ref.branch = 'master';
      const obj: FluxObject = {
        apiVersion: CLI_KINDS.GitRepository.apiVersion,
        kind: 'GitRepository',
        metadata: metadata(name, flags),
        spec: {
          interval: duration(flags.interval, '--interval'),
          ref,
          ...(flags.secretRef ? { secretRef: { name: flags.secretRef } } : {}),
          url: required(flags.url, '--url'),
        },
      };
      await createObject(GitRepositoryKind as unknown as Definition, CLI_KINDS.GitRepository, obj, flags, io);
    });

  common(source.command('helm <name>').description('Create or update a HelmRepository source'))
    .option('--url <url>', 'the Helm repository URL (http, https or oci)')
    .option('--secret-ref <name>', 'the Secret with the repository credentials')
    .action(async (name: string, flags: HelmRepoFlags) => {
      const url = required(flags.url, '--url');
      const obj: FluxObject = {
        apiVersion: CLI_KINDS.HelmRepository.apiVersion,
        kind: 'HelmRepository',
        metadata: metadata(name, flags),
        spec: {
          interval: duration(flags.interval, '--interval'),
          ...(flags.secretRef ? { secretRef: { name: flags.secretRef } } : {}),
          ...(url.startsWith('oci://') ? { type: 'oci' } : {}),
          url,
        },
      };
      await createObject(
        HelmRepositoryKind as unknown as Definition,
        CLI_KINDS.HelmRepository,
        obj,
        flags,
        io,
      );
    });

  common(create.command('kustomization <name>').alias('ks').description('Create or update a Kustomization'))
    .option('--source <kind/name>', 'the source: GitRepository/NAME, OCIRepository/NAME or Bucket/NAME')
    .option('--path <path>', 'the path to the folder in the source', './')
    .option('--prune', 'delete objects that left the source', false)
    .option(
      '--depends-on <[namespace/]name>',
      'Kustomizations that must be ready first (repeatable)',
      collect,
    )
    .option('--target-namespace <namespace>', 'override the namespace of every object')
    .option('--wait', 'wait for every applied object to become ready', false)
    .option('--health-check <kind/name.namespace>', 'an object to wait for (repeatable)', collect)
    .option('--retry-interval <duration>', 'how soon to retry after a failure')
    .option('--health-check-timeout <duration>', 'how long applying and health checks may take')
    .action(async (name: string, flags: KsFlags) => {
      const src = required(flags.source, '--source');
      const ref = src.includes('/') ? parseKindName(src, '--source') : { kind: 'GitRepository', name: src };
      const kind = cliKindOf(ref.kind).kind;
      const spec: Record<string, unknown> = {
        ...(flags.dependsOn?.length ? { dependsOn: dependsOn(flags.dependsOn) } : {}),
        ...(flags.healthCheck?.length ? { healthChecks: flags.healthCheck.map(healthCheck) } : {}),
        interval: duration(flags.interval, '--interval'),
        path: flags.path,
        prune: flags.prune,
        ...(flags.retryInterval ? { retryInterval: duration(flags.retryInterval, '--retry-interval') } : {}),
        sourceRef: { kind, name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
        ...(flags.targetNamespace ? { targetNamespace: flags.targetNamespace } : {}),
        ...(flags.healthCheckTimeout
          ? { timeout: duration(flags.healthCheckTimeout, '--health-check-timeout') }
          : {}),
        ...(flags.wait ? { wait: true } : {}),
      };
      const obj: FluxObject = {
        apiVersion: CLI_KINDS.Kustomization.apiVersion,
        kind: 'Kustomization',
        metadata: metadata(name, flags),
        spec,
      };
      await createObject(KustomizationKind as unknown as Definition, CLI_KINDS.Kustomization, obj, flags, io);
    });

  common(create.command('helmrelease <name>').alias('hr').description('Create or update a HelmRelease'))
    .option(
      '--source <kind/name>',
      'the chart source: HelmRepository/NAME, GitRepository/NAME or Bucket/NAME',
    )
    .option('--chart <name>', 'the chart name (or path in a Git source)')
    .option('--chart-version <version>', 'the chart version or semver range')
    .option('--values <file>', 'a values YAML file (repeatable, merged in order)', collect)
    .option('--target-namespace <namespace>', 'the namespace to install the release in')
    .option('--release-name <name>', 'the Helm release name')
    .option('--create-target-namespace', 'create the target namespace if missing', false)
    .option('--depends-on <[namespace/]name>', 'HelmReleases that must be ready first (repeatable)', collect)
    .action(async (name: string, flags: HrFlags) => {
      const ref = parseKindName(required(flags.source, '--source'), '--source');
      let values: Record<string, unknown> | undefined;
      for (const file of flags.values ?? []) {
        let parsed: unknown;
        try {
          parsed = parseYaml(await readFile(file, 'utf8'));
        } catch (err) {
          throw new SluiceError(
            'InvalidFlag',
            `Values file ${file} cannot be read: ${(err as Error).message}`,
            {
              cause: err,
            },
          );
        }
        values = deepMerge(values ?? {}, (parsed ?? {}) as Record<string, unknown>);
      }
      const spec: Record<string, unknown> = {
        chart: {
          spec: {
            chart: required(flags.chart, '--chart'),
            ...(flags.chartVersion ? { version: flags.chartVersion } : {}),
            sourceRef: {
              kind: cliKindOf(ref.kind).kind,
              name: ref.name,
              ...(ref.namespace ? { namespace: ref.namespace } : {}),
            },
          },
        },
        ...(flags.dependsOn?.length ? { dependsOn: dependsOn(flags.dependsOn) } : {}),
        ...(flags.createTargetNamespace ? { install: { createNamespace: true } } : {}),
        interval: duration(flags.interval, '--interval'),
        ...(flags.releaseName ? { releaseName: flags.releaseName } : {}),
        ...(flags.targetNamespace ? { targetNamespace: flags.targetNamespace } : {}),
        ...(values ? { values } : {}),
      };
      const obj: FluxObject = {
        apiVersion: CLI_KINDS.HelmRelease.apiVersion,
        kind: 'HelmRelease',
        metadata: metadata(name, flags),
        spec,
      };
      await createObject(HelmReleaseKind as unknown as Definition, CLI_KINDS.HelmRelease, obj, flags, io);
    });
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    const isObj = (x: unknown): x is Record<string, unknown> =>
      typeof x === 'object' && x !== null && !Array.isArray(x);
    out[k] = isObj(prev) && isObj(v) ? deepMerge(prev, v) : v;
  }
  return out;
}
