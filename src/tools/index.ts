/**
 * The external programs Sluice drives (kubectl for tests and parity checks, helm for releases): found
 * through `SLUICE_KUBECTL`/`SLUICE_HELM`, on PATH, or extracted on demand from the bundled layer package.
 */
export {
  defaultCacheDir,
  type ResolveToolOptions,
  resolveTool,
  type ToolName,
  ToolNotFoundError,
} from './binaries.js';
