/**
 * Server-side tables (`meta.k8s.io/v1` Table) for `kubectl get`: the columns the real API server prints for
 * built-in kinds (Pods, Deployments, Services, Events, …), `additionalPrinterColumns` evaluated with JSONPath for
 * custom resources, and Name + Created At for everything else.
 */
export type { ColumnDefinition } from './builtin-printers.js';
export { formatLabelSelector, formatLabels, humanDuration } from './format.js';
export { type CompiledJSONPath, compileJSONPath } from './jsonpath.js';
export { type TableOptions, tableColumns, toTable, wantsTable } from './table.js';
