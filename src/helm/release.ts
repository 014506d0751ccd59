import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { KubeClient, KubeObject } from '../kube/index.js';

/** A hook of a release as helm stores it. */
export interface HelmHook {
  name: string;
  kind: string;
  path?: string;
  events?: string[];
  last_run?: { started_at?: string; completed_at?: string; phase?: string };
}

/** A Helm release as helm stores it (`sh.helm.release.v1.<name>.v<version>`) and prints it with `-o json`. */
export interface HelmReleaseRecord {
  name: string;
  namespace: string;
  version: number;
  info: {
    first_deployed?: string;
    last_deployed?: string;
    deleted?: string;
    description?: string;
    status: string;
    notes?: string;
  };
  chart?: { metadata?: { name?: string; version?: string; appVersion?: string } };
  config?: Record<string, unknown>;
  manifest?: string;
  hooks?: HelmHook[];
  labels?: Record<string, string>;
}

/** One release revision as the label of its storage Secret tells it, without decoding the release. */
export interface StoredRevision {
  name: string;
  version: number;
  /** `deployed`, `superseded`, `failed`, `uninstalled`, `pending-install`, `pending-upgrade`, `pending-rollback`, … */
  status: string;
  /** The storage Secret, decoded on demand with {@link decodeReleaseSecret}. */
  secret: KubeObject;
}

/** Decodes the `release` key of a helm storage Secret: base64 (Secret data) of base64 of gzip of JSON. */
export function decodeReleaseSecret(secret: KubeObject): HelmReleaseRecord {
  const data = (secret.data as Record<string, string> | undefined)?.release;
  if (!data) throw new Error(`Secret ${secret.metadata.name} holds no release`);
  const inner = Buffer.from(Buffer.from(data, 'base64').toString('utf8'), 'base64');
  const json = inner[0] === 0x1f && inner[1] === 0x8b ? gunzipSync(inner) : inner;
  return JSON.parse(json.toString('utf8')) as HelmReleaseRecord;
}

/**
 * Marks a release left `pending-*` by a helm process that died (the release is locked for helm) as
 * `failed`, in its storage Secret's label and record, so that the next upgrade or rollback can proceed.
 */
export async function unlockRelease(
  kube: KubeClient,
  revision: StoredRevision,
  signal?: AbortSignal,
): Promise<void> {
  const secret = revision.secret;
  const release = decodeReleaseSecret(secret);
  release.info.status = 'failed';
  release.info.description = `Release ${release.name} was left ${revision.status} by an interrupted operation`;
  const encoded = gzipSync(Buffer.from(JSON.stringify(release))).toString('base64');
  await kube.update(
    {
      ...secret,
      metadata: { ...secret.metadata, labels: { ...(secret.metadata.labels ?? {}), status: 'failed' } },
      data: { ...(secret.data as Record<string, string>), release: Buffer.from(encoded).toString('base64') },
    },
    signal ? { signal } : {},
  );
}

/**
 * Lists the stored revisions of a release straight from the cluster (helm's Secret storage driver), newest
 * first: one LIST request instead of a helm process.
 */
export async function listStoredRevisions(
  kube: KubeClient,
  namespace: string,
  name: string,
  signal?: AbortSignal,
): Promise<StoredRevision[]> {
  const list = await kube.list(
    { apiVersion: 'v1', kind: 'Secret' },
    { namespace, labelSelector: `owner=helm,name=${name}`, ...(signal ? { signal } : {}) },
  );
  return list.items
    .filter((s) => s.type === 'helm.sh/release.v1')
    .map((s) => ({
      name,
      version: Number(s.metadata.labels?.version ?? 0),
      status: s.metadata.labels?.status ?? 'unknown',
      secret: s,
    }))
    .sort((a, b) => b.version - a.version);
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = canonical((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/** `sha256:<hex>` of a value's canonical JSON (keys sorted): the digest of release values and configs. */
export function valuesDigest(values: unknown): string {
  return `sha256:${createHash('sha256')
    .update(JSON.stringify(canonical(values ?? {})))
    .digest('hex')}`;
}

/** `sha256:<hex>` of a release record: its identity in a history snapshot. */
export function releaseDigest(release: HelmReleaseRecord): string {
  const { name, namespace, version, info, chart, config, manifest } = release;
  return valuesDigest({ name, namespace, version, info, chart: chart?.metadata, config, manifest });
}
