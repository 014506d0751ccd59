/**
 * Plumbing shared by the `sluice` commands for Flux objects: finding the cluster as kubectl does (with the
 * fallback to the embedded cluster of `sluice up`), the flux-style global flags, the Flux kinds as the CLI
 * names them, tables and `-o yaml|json` output, flux-style progress lines and a spinner on terminals, and
 * waiting for a controller to handle a requested reconcile.
 */
export {
  addClusterFlags,
  type ClusterFlags,
  connectCluster,
  type ResolvedKubeconfig,
  resolveKubeconfig,
  timeoutMs,
} from './connect.js';
export { type CliIO, processIO, type TextSink } from './io.js';
export {
  CLI_KINDS,
  type CliKind,
  cliKindOf,
  conditionOf,
  type FluxObject,
  type ObjectCondition,
  parseKindName,
  revisionOf,
  SOURCE_KINDS,
  subjectOf,
} from './kinds.js';
export {
  formatAge,
  formatObjects,
  formatTable,
  Logger,
  type OutputFormat,
  parseOutputFormat,
  type Spinner,
  startSpinner,
} from './output.js';
export { readyCheck, requestedAtNow, type WaitForOptions, waitFor } from './wait.js';
export { watchUntilStopped } from './watch.js';
