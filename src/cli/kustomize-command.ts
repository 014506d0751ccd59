import { resolve } from 'node:path';
import type { Command } from 'commander';

/**
 * Adds `sluice kustomize build DIR`, which prints the built YAML stream like `kubectl kustomize DIR`. The
 * engine is imported only when the command runs, to keep the CLI's start-up small, and a successful build
 * ends the process as soon as its output is written.
 */
export function registerKustomizeCommand(program: Command): void {
  const k = program
    .command('kustomize')
    .description('build kustomizations in-process, like kubectl kustomize');
  k.command('build')
    .description('build a kustomization folder and print the YAML stream to stdout')
    .argument('[dir]', 'the folder to build', '.')
    .addOption(
      k
        .createOption(
          '--load-restrictor <restrictor>',
          'whether files may come from outside a kustomization folder',
        )
        .choices(['LoadRestrictionsRootOnly', 'LoadRestrictionsNone'])
        .default('LoadRestrictionsRootOnly'),
    )
    .addOption(
      k
        .createOption('--reorder <order>', 'legacy sorts resources by kind; none keeps the load order')
        .choices(['legacy', 'none']),
    )
    .option('--enable-managedby-label', 'add app.kubernetes.io/managed-by to every resource', false)
    .option('--root <dir>', 'never read files outside this folder', '/')
    .option(
      '--enable-helm',
      "accepted as kubectl's flag; a kustomization with helmCharts still fails: they are not supported yet",
      false,
    )
    .action(
      async (
        dir: string,
        opts: { loadRestrictor: string; reorder?: string; enableManagedbyLabel: boolean; root: string },
      ) => {
        const { build, toYamlStream } = await import('../kustomize/index.js');
        const root = resolve(opts.root);
        const target = resolve(dir);
        const path = target.startsWith(root) ? target.slice(root.length).replace(/^\/+/, '') || '.' : target;
        const result = build(root, {
          path,
          loadRestrictor: opts.loadRestrictor as 'LoadRestrictionsRootOnly' | 'LoadRestrictionsNone',
          ...(opts.reorder ? { reorder: opts.reorder as 'legacy' | 'none' } : {}),
          enableManagedByLabel: opts.enableManagedbyLabel,
          env: process.env,
        });
        const errors = result.diagnostics.filter((d) => d.severity === 'error');
        for (const d of result.diagnostics) {
          if (d.severity === 'warning') process.stderr.write(`# Warning: ${d.message}\n`);
        }
        if (errors.length > 0) {
          for (const e of errors)
            process.stderr.write(`Error: ${e.message}${e.file ? ` (file ${e.file})` : ''}\n`);
          process.exitCode = 1;
          return;
        }
        const yaml = toYamlStream(result.resources);
        const failed = await new Promise<boolean>((done) => process.stdout.write(yaml, (err) => done(!!err)));
        // The output is out and nothing else is running: ending the process here skips waiting for the
        // engine's background compilation, which otherwise holds up the exit by tens of milliseconds.
        process.exit(failed ? 1 : 0);
      },
    );
}
