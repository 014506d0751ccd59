import type { Command } from 'commander';
import { registerBuildCommands } from './build-command.js';
import { registerCheckCommand } from './check-command.js';
import { type CliIO, processIO } from './common/index.js';
import { registerCreateCommand } from './create-command.js';
import { registerDeleteCommand } from './delete-command.js';
import { registerEventsCommand } from './events-command.js';
import { registerExportCommand } from './export-command.js';
import { registerGetCommand } from './get-command.js';
import { registerReconcileCommands } from './reconcile-command.js';
import { registerTraceCommand } from './trace-command.js';
import { registerTreeCommand } from './tree-command.js';

/**
 * Registers the commands a Flux user expects, with flux's verbs and flags: `get`, `reconcile`, `suspend`,
 * `resume`, `create`, `export`, `delete`, `tree`, `events`, `trace`, `check`, `build` and `diff`. Each finds
 * its cluster as kubectl does and falls back to the embedded cluster of `sluice up`.
 */
export function registerFluxCommands(program: Command, io: CliIO = processIO()): void {
  registerGetCommand(program, io);
  registerReconcileCommands(program, io);
  registerCreateCommand(program, io);
  registerExportCommand(program, io);
  registerDeleteCommand(program, io);
  registerTreeCommand(program, io);
  registerEventsCommand(program, io);
  registerTraceCommand(program, io);
  registerCheckCommand(program, io);
  registerBuildCommands(program, io);
}
