import { createRequire } from 'node:module';
import type { Command } from 'commander';
// The error classes alone: `sluice kustomize build` must start without loading the kind schemas.
import { SluiceError } from '../api/errors.js';

// Loaded as the CommonJS module it is: its ESM wrapper adds a few milliseconds to every command's start.
const commander = createRequire(import.meta.url)('commander') as typeof import('commander');

/** The version printed by `sluice --version`. */
export const SLUICE_VERSION = '0.1.0';

type Registrar = (program: Command) => void;

/**
 * The command groups and the top-level command names each registers. A group's module is imported only when
 * the command line names one of its commands, so `sluice kustomize build` never loads the embedded cluster,
 * SQLite or the controllers; help and unknown commands load every group.
 */
const GROUPS: { names: readonly string[]; load: () => Promise<Registrar> }[] = [
  {
    names: ['push', 'pull'],
    load: async () => (await import('./artifact-command.js')).registerArtifactCommands,
  },
  { names: ['cluster'], load: async () => (await import('./cluster-command.js')).registerClusterCommand },
  {
    names: ['controllers'],
    load: async () => (await import('./controllers-command.js')).registerControllersCommand,
  },
  {
    names: [
      'get',
      'reconcile',
      'suspend',
      'resume',
      'create',
      'export',
      'delete',
      'tree',
      'events',
      'trace',
      'check',
      'build',
      'diff',
    ],
    load: async () => {
      const { registerFluxCommands } = await import('./flux-commands.js');
      return (program) => registerFluxCommands(program);
    },
  },
  {
    names: ['helm'],
    load: async () => (await import('./helm-post-render-command.js')).registerHelmPostRenderCommand,
  },
  {
    names: ['kustomize'],
    load: async () => (await import('./kustomize-command.js')).registerKustomizeCommand,
  },
  { names: ['tools'], load: async () => (await import('./tools-command.js')).registerToolsCommand },
  { names: ['up'], load: async () => (await import('./up-command.js')).registerUpCommand },
];

/**
 * Runs the `sluice` command line with `argv` (without the node and script paths) and resolves to the exit
 * code. Long-running commands resolve when they are stopped; `kustomize build` ends the process itself
 * once its output is written.
 */
export async function main(argv: string[]): Promise<number> {
  const program = new commander.Command('sluice')
    .description('GitOps for Kubernetes that speaks the Flux v2 APIs, with an embedded cluster')
    .version(SLUICE_VERSION)
    .showHelpAfterError()
    .exitOverride();
  // The first word that names a command decides (`kustomize build` is not the `build` command).
  const command = argv.find((arg) => GROUPS.some((group) => group.names.includes(arg)));
  const named = GROUPS.find((group) => command !== undefined && group.names.includes(command));
  for (const group of named ? [named] : GROUPS) (await group.load())(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof commander.CommanderError) return err.exitCode;
    if (err instanceof SluiceError) {
      process.stderr.write(`✗ ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`✗ ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
