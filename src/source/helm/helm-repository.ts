import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { SemVer } from 'semver';
import { parse as parseYaml } from 'yaml';
import { SourceError, SourceErrorCode } from '../errors.js';
import { basicAuth, type HttpClientOptions, httpRequest, redact } from '../http/http-request.js';
import { parseVersion, selectLatestVersion } from '../semver-range.js';

/** One chart version of a Helm repository index (the fields Sluice reads; others are kept). */
export interface HelmChartVersion {
  name: string;
  version: string;
  urls: string[];
  digest?: string;
  created?: string;
  appVersion?: string;
  apiVersion?: string;
  [key: string]: unknown;
}

/** A parsed `index.yaml`. */
export interface HelmIndex {
  apiVersion: string;
  generated?: string;
  entries: Record<string, HelmChartVersion[]>;
}

/** Basic-auth credentials of a HelmRepository's `secretRef`. */
export interface HelmRepositoryAuth {
  username: string;
  password: string;
}

/** Dependencies of the Helm repository functions. */
export interface HelmRepositoryDeps {
  logger?: Logger;
}

/** Options of {@link fetchHelmIndex}. */
export interface FetchHelmIndexOptions {
  /** The repository URL (`https://charts.example.com/stable`); `index.yaml` is appended. */
  url: string;
  auth?: HelmRepositoryAuth;
  /** TLS settings (`certSecretRef`: `ca.crt`, `tls.crt`, `tls.key`) and the per-request timeout. */
  http?: HttpClientOptions;
  /** Refuse larger indexes; default 50 MiB (Helm's limit). */
  maxIndexBytes?: number;
  signal?: AbortSignal;
}

/** A fetched repository index. */
export interface HelmIndexResult {
  index: HelmIndex;
  /** The index bytes as served, stored as the HelmRepository artifact. */
  raw: Buffer;
  /** `sha256:<hex>` of the served bytes, as Flux computes the HelmRepository revision. */
  revision: string;
}

/** Options of {@link fetchHelmChart}. */
export interface FetchHelmChartOptions {
  /** The repository URL, used to resolve relative chart URLs and to decide where credentials go. */
  repositoryUrl: string;
  /** The chart version entry, from {@link resolveChartVersion}. */
  chart: HelmChartVersion;
  auth?: HelmRepositoryAuth;
  /** Send credentials to chart URLs on other hosts too (`passCredentials`); default false. */
  passCredentials?: boolean;
  http?: HttpClientOptions;
  /** Refuse larger charts; default 100 MiB. */
  maxChartBytes?: number;
  signal?: AbortSignal;
}

/** A downloaded chart package. */
export interface HelmChartResult {
  /** The `.tgz` bytes. */
  data: Buffer;
  /** The URL it came from. */
  url: string;
  /** `sha256:<hex>` of the package. */
  digest: string;
  /** `<name>-<version>.tgz`, the artifact file name Flux uses. */
  fileName: string;
}

function authHeaders(auth: HelmRepositoryAuth | undefined): Record<string, string> {
  return auth ? { authorization: basicAuth(auth.username, auth.password) } : {};
}

function statusError(what: string, url: string, status: number): SourceError {
  const code =
    status === 401 || status === 403
      ? SourceErrorCode.AuthenticationFailed
      : status === 404
        ? SourceErrorCode.NotFound
        : SourceErrorCode.FetchFailed;
  return new SourceError(code, `Fetching ${what} from '${redact(url)}' failed: HTTP ${status}`);
}

/**
 * Downloads and parses a Helm repository's `index.yaml` (HTTP(S), basic auth, custom CA) and computes
 * its revision. Entries without a valid semver version are dropped, and each chart's versions are
 * sorted newest first.
 */
export async function fetchHelmIndex(
  deps: HelmRepositoryDeps,
  options: FetchHelmIndexOptions,
): Promise<HelmIndexResult> {
  const base = options.url.replace(/\/+$/, '');
  if (!/^https?:\/\//.test(base)) {
    throw new SourceError(
      SourceErrorCode.FetchFailed,
      `Helm repository URL '${redact(base)}' must use http or https`,
    );
  }
  const url = `${base}/index.yaml`;
  const res = await httpRequest(
    {
      url,
      headers: {
        accept: 'application/x-yaml, application/yaml, text/yaml, */*',
        ...authHeaders(options.auth),
      },
      maxBodyBytes: options.maxIndexBytes ?? 50 * 1024 * 1024,
      signal: options.signal,
    },
    options.http,
  );
  if (res.status !== 200) throw statusError('the Helm repository index', url, res.status);
  const index = parseIndex(res.body, url);
  deps.logger?.debug({ url: redact(url), charts: Object.keys(index.entries).length }, 'fetched Helm index');
  return { index, raw: res.body, revision: `sha256:${createHash('sha256').update(res.body).digest('hex')}` };
}

/** Parses and validates `index.yaml` bytes (YAML or JSON). */
export function parseIndex(raw: Buffer | string, source = 'index.yaml'): HelmIndex {
  let doc: unknown;
  try {
    doc = parseYaml(raw.toString(), { maxAliasCount: 100 });
  } catch (err) {
    throw new SourceError(
      SourceErrorCode.InvalidResponse,
      `Helm index '${redact(source)}' is not valid YAML`,
      {
        cause: err,
      },
    );
  }
  if (!doc || typeof doc !== 'object') {
    throw new SourceError(SourceErrorCode.InvalidResponse, `Helm index '${redact(source)}' is empty`);
  }
  const d = doc as { apiVersion?: unknown; entries?: unknown; generated?: unknown };
  if (typeof d.apiVersion !== 'string' || d.apiVersion === '') {
    throw new SourceError(
      SourceErrorCode.InvalidResponse,
      `Helm index '${redact(source)}' has no apiVersion`,
    );
  }
  const entries: Record<string, HelmChartVersion[]> = {};
  for (const [name, list] of Object.entries((d.entries as Record<string, unknown>) ?? {})) {
    if (!Array.isArray(list)) continue;
    const versions = list.filter(
      (v): v is HelmChartVersion =>
        !!v && typeof v === 'object' && typeof (v as HelmChartVersion).version === 'string',
    );
    const valid = versions
      .map((v) => ({
        ...v,
        name: typeof v.name === 'string' ? v.name : name,
        urls: Array.isArray(v.urls) ? v.urls : [],
      }))
      .map((v) => ({ v, parsed: parseVersion(v.version) }))
      .filter((x): x is { v: HelmChartVersion; parsed: SemVer } => x.parsed !== undefined)
      .sort((a, b) => b.parsed.compare(a.parsed))
      .map((x) => x.v);
    entries[name] = valid;
  }
  return {
    apiVersion: d.apiVersion,
    ...(typeof d.generated === 'string' ? { generated: d.generated } : {}),
    entries,
  };
}

/**
 * Picks the newest version of `chart` matching a semver range (`*` or empty = latest stable; an exact
 * version matches itself, pre-releases only when the range names one). Throws `SourceNotFound` when
 * nothing matches.
 */
export function resolveChartVersion(index: HelmIndex, chart: string, range = '*'): HelmChartVersion {
  const versions = index.entries[chart];
  if (!versions || versions.length === 0) {
    throw new SourceError(
      SourceErrorCode.NotFound,
      `Chart '${chart}' not found in the Helm repository index`,
    );
  }
  const exact = versions.find((v) => v.version === range);
  if (exact) return exact;
  let chosen: string | undefined;
  try {
    chosen = selectLatestVersion(
      versions.map((v) => v.version),
      range.trim() === '' ? '*' : range,
    );
  } catch (err) {
    throw new SourceError(SourceErrorCode.NotFound, `Invalid chart version range '${range}'`, { cause: err });
  }
  if (!chosen) {
    throw new SourceError(SourceErrorCode.NotFound, `No chart version of '${chart}' matches '${range}'`);
  }
  return versions.find((v) => v.version === chosen)!;
}

/**
 * Downloads a chart package from the first of its `urls` (absolute, or relative to the repository
 * URL). Credentials go only to the repository's host unless `passCredentials` is set, as in Helm.
 */
export async function fetchHelmChart(
  deps: HelmRepositoryDeps,
  options: FetchHelmChartOptions,
): Promise<HelmChartResult> {
  const ref = options.chart.urls[0];
  if (!ref) {
    throw new SourceError(
      SourceErrorCode.InvalidResponse,
      `Chart '${options.chart.name}' version '${options.chart.version}' has no download URL`,
    );
  }
  const repoBase = `${options.repositoryUrl.replace(/\/+$/, '')}/`;
  const url = new URL(ref, repoBase).toString();
  const sameHost = new URL(url).host === new URL(repoBase).host;
  const res = await httpRequest(
    {
      url,
      headers: sameHost || options.passCredentials ? authHeaders(options.auth) : {},
      maxBodyBytes: options.maxChartBytes ?? 100 * 1024 * 1024,
      signal: options.signal,
    },
    options.http,
  );
  if (res.status !== 200) throw statusError(`chart '${options.chart.name}'`, url, res.status);
  const digest = createHash('sha256').update(res.body).digest('hex');
  if (
    options.chart.digest &&
    /^[0-9a-f]{64}$/.test(options.chart.digest) &&
    options.chart.digest !== digest
  ) {
    throw new SourceError(
      SourceErrorCode.InvalidResponse,
      `Chart '${options.chart.name}' from '${redact(url)}' does not match the index digest ${options.chart.digest}`,
    );
  }
  deps.logger?.debug({ url: redact(url), version: options.chart.version }, 'fetched Helm chart');
  return {
    data: res.body,
    url,
    digest: `sha256:${digest}`,
    fileName: `${options.chart.name}-${options.chart.version}.tgz`,
  };
}
