import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { type Command, CommanderError } from 'commander';
import { SluiceError } from '../api/index.js';
import type { KubeClient, KubeObject } from '../kube/index.js';
import {
  addClusterFlags,
  CLI_KINDS,
  type CliIO,
  type ClusterFlags,
  connectCluster,
  type FluxObject,
  processIO,
} from './common/index.js';

interface BuildFlags extends ClusterFlags {
  path?: string;
  kustomizationFile?: string;
  dryRun?: boolean;
  strictSubstitute?: boolean;
}

type PostBuild = {
  substitute?: Record<string, string>;
  substituteFrom?: { kind: 'ConfigMap' | 'Secret'; name: string; optional?: boolean }[];
};

/** The folder above `dir` holding `.git`, else `dir`: builds may read bases elsewhere in the repository. */
function repositoryRoot(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return dir;
  }
}

/** Reads the Kustomization from `--kustomization-file` or from the cluster. */
async function loadKustomization(
  name: string,
  flags: BuildFlags,
  kube: KubeClient | undefined,
): Promise<FluxObject> {
  if (flags.kustomizationFile) {
    const { parseAllDocuments } = await import('yaml');
    const text = await readFile(flags.kustomizationFile, 'utf8');
    const docs = parseAllDocuments(text).map((d) => d.toJS() as FluxObject);
    const found = docs.find((d) => d?.kind === 'Kustomization' && d.metadata?.name === name);
    if (!found) {
      throw new SluiceError('NotFound', `Kustomization ${name} not found in ${flags.kustomizationFile}`);
    }
    found.metadata.namespace ??= flags.namespace;
    return found;
  }
  const k = CLI_KINDS.Kustomization;
  const obj = await kube!.tryGet<FluxObject>({
    apiVersion: k.apiVersion,
    kind: k.kind,
    name,
    namespace: flags.namespace,
  });
  if (!obj)
    throw new SluiceError('NotFound', `Kustomization ${name} not found in ${flags.namespace} namespace`);
  return obj;
}

/** Collects `postBuild` variables: `substituteFrom` in order, then `substitute` on top, as Flux does. */
async function variables(ks: FluxObject, kube: KubeClient | undefined): Promise<Record<string, string>> {
  const post = ks.spec?.postBuild as PostBuild | undefined;
  const vars: Record<string, string> = {};
  for (const from of post?.substituteFrom ?? []) {
    if (!kube) continue;
    const ref = { apiVersion: 'v1', kind: from.kind, name: from.name, namespace: ks.metadata.namespace! };
    const obj = await kube.tryGet<KubeObject & { data?: Record<string, string> }>(ref);
    if (!obj) {
      if (from.optional) continue;
      throw new SluiceError(
        'NotFound',
        `Substitution source ${from.kind}/${ks.metadata.namespace}/${from.name} not found: create it or mark it optional`,
      );
    }
    for (const [key, value] of Object.entries(obj.data ?? {})) {
      vars[key] = from.kind === 'Secret' ? Buffer.from(value, 'base64').toString('utf8') : value;
    }
  }
  Object.assign(vars, post?.substitute ?? {});
  return vars;
}

/**
 * Builds the Kustomization's folder locally the way its controller would: the kustomize build with the
 * Kustomization's own fields, postBuild substitution, and the ownership labels.
 */
export async function buildKustomization(
  name: string,
  flags: BuildFlags,
  kube: KubeClient | undefined,
): Promise<{ ks: FluxObject; objects: KubeObject[] }> {
  if (!flags.path) throw new SluiceError('InvalidFlag', 'Flag --path is required: the folder to build');
  const dir = resolve(flags.path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new SluiceError('InvalidFlag', `Flag --path ${flags.path} is invalid: the folder does not exist`);
  }
  const ks = await loadKustomization(name, flags, kube);
  const spec = ks.spec ?? {};
  const { build, substitute } = await import('../kustomize/index.js');
  const root = repositoryRoot(dir);
  const extras: Record<string, unknown> = {};
  for (const key of [
    'targetNamespace',
    'namePrefix',
    'nameSuffix',
    'commonMetadata',
    'patches',
    'images',
    'components',
  ]) {
    if (spec[key] !== undefined) extras[key] = spec[key];
  }
  const result = build(root, { path: relative(root, dir) || '.', extras });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new SluiceError(
      'BuildFailed',
      `Kustomization/${ks.metadata.namespace}/${name} build failed: ${first.file ? `${first.file}: ` : ''}${first.message}`,
    );
  }
  let objects = result.resources;
  if (spec.postBuild) {
    const vars = await variables(ks, kube);
    try {
      objects = substitute(objects, vars, { strict: !!flags.strictSubstitute });
    } catch (err) {
      throw new SluiceError(
        'BuildFailed',
        `Kustomization/${ks.metadata.namespace}/${name} substitution failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  const group = CLI_KINDS.Kustomization.group;
  const labelled = objects.map((o) => {
    const obj = structuredClone(o) as unknown as KubeObject;
    obj.metadata ??= {};
    obj.metadata.labels = {
      ...(obj.metadata.labels ?? {}),
      [`${group}/name`]: name,
      [`${group}/namespace`]: ks.metadata.namespace!,
    };
    return obj;
  });
  return { ks, objects: labelled };
}

async function runBuild(name: string, flags: BuildFlags, io: CliIO): Promise<void> {
  const kube = flags.dryRun ? undefined : await connectCluster(flags, io);
  try {
    if (flags.dryRun && !flags.kustomizationFile) {
      throw new SluiceError(
        'InvalidFlag',
        'Flag --dry-run needs --kustomization-file: the Kustomization is not read from the cluster',
      );
    }
    const { objects } = await buildKustomization(name, flags, kube);
    const { toYamlStream } = await import('../kustomize/index.js');
    io.stdout.write(objects.length ? `---\n${toYamlStream(objects)}` : '');
  } finally {
    kube?.close();
  }
}

function subjectOf(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${obj.kind}/${ns}/${obj.metadata?.name}` : `${obj.kind}/${obj.metadata?.name}`;
}

/** Diffs the local build against the cluster; returns whether anything differs. */
async function diffKustomization(name: string, flags: BuildFlags, io: CliIO): Promise<boolean> {
  const kube = await connectCluster(flags, io);
  try {
    const { ks, objects } = await buildKustomization(name, flags, kube);
    const { ResourceManager, parseObjectId } = await import('../apply/index.js');
    const { createTwoFilesPatch } = await import('diff');
    const { stringify } = await import('yaml');
    const rm = new ResourceManager({ kube }, { ownedBy: { name, namespace: ks.metadata.namespace! } });
    let differs = false;
    for (const obj of objects) {
      const result = await rm.diff(obj);
      const subject = subjectOf(obj);
      if (result.entry.action === 'created') {
        differs = true;
        io.stdout.write(`► ${subject} created\n`);
      } else if (result.entry.action === 'configured') {
        differs = true;
        io.stdout.write(`► ${subject} drifted\n`);
        const before = stringify(cleaned(result.existing), { lineWidth: 0 });
        const after = stringify(cleaned(result.dryRun), { lineWidth: 0 });
        const patch = createTwoFilesPatch(`live/${subject}`, `merged/${subject}`, before, after, '', '', {
          context: 3,
        });
        const body = patch
          .split('\n')
          .filter((l) => !/^=+$/.test(l))
          .map((l) => (l.startsWith('---') || l.startsWith('+++') ? l.trimEnd() : l))
          .join('\n')
          .trimEnd();
        io.stdout.write(`${body}\n`);
      }
    }
    if (ks.spec?.prune === true) {
      const built = new Set(
        objects.map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name}/${o.kind}`),
      );
      for (const entry of ks.status?.inventory?.entries ?? []) {
        const id = parseObjectId(entry.id);
        if (built.has(`${id.namespace}/${id.name}/${id.kind}`)) continue;
        differs = true;
        io.stdout.write(
          `► ${id.namespace ? `${id.kind}/${id.namespace}/${id.name}` : `${id.kind}/${id.name}`} deleted\n`,
        );
      }
    }
    return differs;
  } finally {
    kube.close();
  }
}

/** Drops the fields that change on every write, so the diff shows only what the user controls. */
function cleaned(obj: KubeObject | undefined): unknown {
  if (!obj) return {};
  const copy = structuredClone(obj) as KubeObject & { status?: unknown };
  delete copy.status;
  const meta = copy.metadata as Record<string, unknown> | undefined;
  if (meta) {
    for (const key of ['resourceVersion', 'generation', 'managedFields', 'uid', 'creationTimestamp'])
      delete meta[key];
  }
  return copy;
}

function buildFlags(cmd: Command): Command {
  return addClusterFlags(cmd)
    .option('--path <dir>', 'the local folder to build (the Kustomization spec.path in a checkout)')
    .option(
      '--kustomization-file <file>',
      'read the Kustomization from this YAML file instead of the cluster',
    )
    .option('--strict-substitute', 'fail on variables without a value or default', false);
}

/**
 * Registers `sluice build kustomization NAME --path DIR` (a local build with the Kustomization's own fields
 * and substitution) and `sluice diff kustomization NAME --path DIR` (against the cluster; exit 0 no
 * differences, 1 differences, 2 errors).
 */
export function registerBuildCommands(program: Command, io: CliIO = processIO()): void {
  const build = program.command('build').description('Build Flux objects locally');
  buildFlags(
    build
      .command('kustomization <name>')
      .alias('ks')
      .description(
        'Build a Kustomization from a local folder and print the objects its controller would apply',
      ),
  )
    .option(
      '--dry-run',
      'do not connect to the cluster (needs --kustomization-file; substituteFrom is skipped)',
      false,
    )
    .action(async (name: string, flags: BuildFlags) => runBuild(name, flags, io));

  const diff = program.command('diff').description('Diff Flux objects built locally against the cluster');
  buildFlags(
    diff
      .command('kustomization <name>')
      .alias('ks')
      .description(
        'Diff a Kustomization built from a local folder against the cluster (exit 0 none, 1 differences, 2 errors)',
      ),
  ).action(async (name: string, flags: BuildFlags) => {
    let differs: boolean;
    try {
      differs = await diffKustomization(name, flags, io);
    } catch (err) {
      io.stderr.write(`✗ ${(err as Error).message}\n`);
      throw new CommanderError(2, 'sluice.diffFailed', (err as Error).message);
    }
    if (differs) throw new CommanderError(1, 'sluice.diffFound', 'differences found');
    io.stderr.write('✔ no differences\n');
  });
}
