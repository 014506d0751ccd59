/**
 * Helm repositories over HTTP(S): the `index.yaml` with its Flux revision, chart version resolution
 * from semver ranges, and chart package downloads.
 */
export {
  type FetchHelmChartOptions,
  type FetchHelmIndexOptions,
  fetchHelmChart,
  fetchHelmIndex,
  type HelmChartResult,
  type HelmChartVersion,
  type HelmIndex,
  type HelmIndexResult,
  type HelmRepositoryAuth,
  type HelmRepositoryDeps,
  parseIndex,
  resolveChartVersion,
} from './helm-repository.js';
