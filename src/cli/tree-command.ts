import type { Command } from 'commander';
import { parseObjectId, SluiceError } from '../api/index.js';
import type { KubeClient } from '../kube/index.js';
import {
  addClusterFlags,
  CLI_KINDS,
  type CliIO,
  type CliKind,
  type ClusterFlags,
  connectCluster,
  type FluxObject,
  parseOutputFormat,
  processIO,
} from './common/index.js';

/** One node of a tree: an object and what it manages. */
export interface TreeNode {
  /** `Kind/namespace/name` or `Kind/name` for cluster-scoped objects. */
  resource: string;
  children: TreeNode[];
}

function label(kind: string, namespace: string, name: string): string {
  return namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`;
}

/**
 * Builds the tree of a Kustomization or HelmRelease from `status.inventory.entries`, expanding nested
 * Kustomizations and HelmReleases (Flux's groups only) recursively; cycles stop at the repeated object.
 */
export async function inventoryTree(
  kube: KubeClient,
  kind: CliKind,
  name: string,
  namespace: string,
  seen = new Set<string>(),
): Promise<TreeNode> {
  const node: TreeNode = { resource: label(kind.kind, namespace, name), children: [] };
  if (seen.has(node.resource)) return node;
  seen.add(node.resource);
  const obj = await kube.tryGet<FluxObject>({
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    name,
    namespace,
  });
  if (!obj) return node;
  for (const entry of obj.status?.inventory?.entries ?? []) {
    let id: ReturnType<typeof parseObjectId>;
    try {
      id = parseObjectId(entry.id);
    } catch {
      continue;
    }
    if (id.kind === 'Kustomization' && id.group === CLI_KINDS.Kustomization.group) {
      node.children.push(await inventoryTree(kube, CLI_KINDS.Kustomization, id.name, id.namespace, seen));
    } else if (id.kind === 'HelmRelease' && id.group === CLI_KINDS.HelmRelease.group) {
      node.children.push(await inventoryTree(kube, CLI_KINDS.HelmRelease, id.name, id.namespace, seen));
    } else {
      node.children.push({ resource: label(id.kind, id.namespace, id.name), children: [] });
    }
  }
  return node;
}

/** Prints a tree the way `flux tree` does (`├──`, `└──`, `│`). */
export function formatTree(root: TreeNode): string {
  const lines = [root.resource];
  const walk = (node: TreeNode, prefix: string) => {
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${child.resource}`);
      walk(child, prefix + (last ? '    ' : '│   '));
    });
  };
  walk(root, '');
  return `${lines.join('\n')}\n`;
}

interface TreeFlags extends ClusterFlags {
  output?: string;
}

async function runTree(kind: CliKind, name: string, flags: TreeFlags, io: CliIO): Promise<void> {
  const format = parseOutputFormat(flags.output);
  const kube = await connectCluster(flags, io);
  try {
    const obj = await kube.tryGet({
      apiVersion: kind.apiVersion,
      kind: kind.kind,
      name,
      namespace: flags.namespace,
    });
    if (!obj)
      throw new SluiceError('NotFound', `${kind.kind} ${name} not found in ${flags.namespace} namespace`);
    const tree = await inventoryTree(kube, kind, name, flags.namespace);
    if (format === 'table') io.stdout.write(formatTree(tree));
    else if (format === 'json') io.stdout.write(`${JSON.stringify(tree, null, 2)}\n`);
    else {
      const { stringify } = await import('yaml');
      io.stdout.write(stringify(tree));
    }
  } finally {
    kube.close();
  }
}

/** Registers `sluice tree kustomization|helmrelease NAME`: the inventory as a tree, nested objects expanded. */
export function registerTreeCommand(program: Command, io: CliIO = processIO()): void {
  const tree = program
    .command('tree')
    .description('Print the objects a Kustomization or HelmRelease manages as a tree');
  for (const [word, kind, alias] of [
    ['kustomization', CLI_KINDS.Kustomization, 'ks'],
    ['helmrelease', CLI_KINDS.HelmRelease, 'hr'],
  ] as const) {
    addClusterFlags(
      tree
        .command(`${word} <name>`)
        .alias(alias)
        .description(
          `Print the objects a ${kind.kind} manages, nested Kustomizations and HelmReleases expanded`,
        ),
    )
      .option('-o, --output <format>', 'output format: yaml or json (default: a tree)')
      .action(async (name: string, flags: TreeFlags) => runTree(kind, name, flags, io));
  }
}
