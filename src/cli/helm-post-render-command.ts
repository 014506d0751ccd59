import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { type PostRenderer, postRender } from '../helm/index.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Adds the hidden `sluice helm post-render --config FILE`, which helm runs as Sluice's post-renderer plugin:
 * it reads rendered manifests on stdin, applies the post-renderers named in FILE (`{"postRenderers": […]}`)
 * and writes the result to stdout.
 */
export function registerHelmPostRenderCommand(program: Command): void {
  let helm = program.commands.find((c) => c.name() === 'helm');
  helm ??= program.command('helm', { hidden: true }).description('helpers helm runs');
  helm
    .command('post-render')
    .description('apply Flux post-renderers to manifests on stdin')
    .requiredOption('--config <file>', 'JSON file with the post-renderers')
    .action(async (opts: { config: string }) => {
      const config = JSON.parse(await readFile(opts.config, 'utf8')) as { postRenderers?: PostRenderer[] };
      const out = await postRender(await readStdin(), config.postRenderers ?? []);
      process.stdout.write(out);
    });
}
