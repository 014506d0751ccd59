/**
 * The HelmChart reconciler: charts pulled from Helm repositories (HTTP or OCI) or packaged with
 * `helm package` from GitRepository and Bucket artifacts, stored as `<chart>-<version>.tgz`.
 */
export { HELM_CHART, type HelmChartDriverDeps, helmChartDriver, mergeValues } from './helm-chart-driver.js';
