import { Command, CommanderError } from 'commander';
import { SluiceError } from '../api/index.js';
import { registerArtifactCommands } from './artifact-command.js';
import { registerClusterCommand } from './cluster-command.js';
import { registerControllersCommand } from './controllers-command.js';
import { registerFluxCommands } from './flux-commands.js';
import { registerHelmPostRenderCommand } from './helm-post-render-command.js';
import { registerKustomizeCommand } from './kustomize-command.js';
import { registerToolsCommand } from './tools-command.js';
import { registerUpCommand } from './up-command.js';

/** The version printed by `sluice --version`. */
export const SLUICE_VERSION = '0.1.0';

/**
 * Runs the `sluice` command line with `argv` (without the node and script paths) and resolves to the exit
 * code. Long-running commands resolve when they are stopped.
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('sluice')
    .description('GitOps for Kubernetes that speaks the Flux v2 APIs, with an embedded cluster')
    .version(SLUICE_VERSION)
    .showHelpAfterError()
    .exitOverride();
  registerArtifactCommands(program);
  registerClusterCommand(program);
  registerControllersCommand(program);
  registerFluxCommands(program);
  registerHelmPostRenderCommand(program);
  registerKustomizeCommand(program);
  registerToolsCommand(program);
  registerUpCommand(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof SluiceError) {
      process.stderr.write(`✗ ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`✗ ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
