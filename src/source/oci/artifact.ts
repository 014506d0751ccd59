import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SourceError, SourceErrorCode } from '../errors.js';
import { selectLatestVersion } from '../semver-range.js';
import { createArchive, digestBytes } from '../storage/archive.js';
import { extractTarball } from '../storage/extract.js';
import { MediaType, OciAnnotation } from './media-types.js';
import type {
  OciCallOptions,
  OciClient,
  OciDescriptor,
  OciManifestResult,
  OciRefSelector,
} from './oci-client.js';
import { parseOciReference } from './reference.js';

/** Dependencies of the artifact functions. */
export interface OciArtifactDeps {
  client: OciClient;
}

/** Options of {@link pushArtifact}. */
export interface PushArtifactOptions extends OciCallOptions {
  /** `oci://host/repo:tag`. */
  url: string;
  /** The directory to package. */
  dir: string;
  /** `org.opencontainers.image.source`, e.g. the Git URL. */
  source: string;
  /** `org.opencontainers.image.revision`, e.g. `main@sha1:<hex>`. */
  revision: string;
  /** Extra manifest annotations. */
  annotations?: Record<string, string>;
  /** Keeps a path when it returns true (e.g. `SourceIgnore#toFilter()`); default everything. */
  filter?: (relPath: string, isDir: boolean) => boolean;
  /** The creation time; default now. */
  created?: Date;
}

/** What {@link pushArtifact} produced. */
export interface PushArtifactResult {
  /** The manifest digest. */
  digest: string;
  /** `host/repo:tag@sha256:<hex>`. */
  reference: string;
  /** Flux's revision of the pushed artifact: `<tag>@sha256:<hex>`. */
  revision: string;
}

/** How to pick and use a layer (`spec.layerSelector`). */
export interface LayerSelector {
  /** The first layer with this media type; default the first layer. */
  mediaType?: string;
  /** `extract` the tarball (default) or `copy` the layer as a file. */
  operation?: 'extract' | 'copy';
}

/** Options of {@link pullArtifact}. */
export interface PullArtifactOptions extends OciCallOptions {
  /** `oci://host/repo[:tag][@digest]`. */
  url: string;
  /** Overrides the tag in the URL: `spec.ref`. */
  ref?: OciRefSelector;
  outDir: string;
  layerSelector?: LayerSelector;
  /** Refuse layers larger than this; default 100 MiB (also the extraction limit). */
  maxBytes?: number;
}

/** What {@link pullArtifact} produced. */
export interface PullArtifactResult {
  /** Flux's revision: `<tag>@sha256:<hex>`, or `sha256:<hex>` when pulled by digest. */
  revision: string;
  digest: string;
  /** Manifest annotations (`org.opencontainers.image.source`, `.revision`, `.created`, …). */
  annotations: Record<string, string>;
  /** The layer that was used. */
  layer: OciDescriptor;
  /** The written file, with operation `copy`. */
  file?: string;
}

/** Options of {@link pullHelmChartFromOci}. */
export interface PullHelmChartOptions extends OciCallOptions {
  /** `oci://host/path/<chart>`; a tag in the URL is ignored in favour of `version`. */
  url: string;
  /** Exact version or semver range; default `*` (latest stable). */
  version?: string;
  maxBytes?: number;
}

/** A chart pulled from a registry. */
export interface PulledHelmChart {
  /** The chart package (`.tgz`) bytes. */
  data: Buffer;
  /** The chart version (the tag with `_` turned back into `+`). */
  version: string;
  /** The manifest digest. */
  digest: string;
  /** `<version>@sha256:<hex>`. */
  revision: string;
}

function requireTag(url: string): { registry: string; repository: string; tag: string } {
  const ref = parseOciReference(url);
  if (!ref.tag) throw new SourceError(SourceErrorCode.InvalidResponse, `OCI reference '${url}' has no tag`);
  return { registry: ref.registry, repository: ref.repository, tag: ref.tag };
}

function configFor(created: string, layerTar: Buffer): Buffer {
  const diffId = digestBytes(gunzipSync(layerTar));
  return Buffer.from(
    JSON.stringify({
      architecture: '',
      created,
      os: '',
      rootfs: { type: 'layers', diff_ids: [diffId] },
      config: {},
    }),
  );
}

/**
 * Packages a directory and pushes it as `flux push artifact` does: an OCI image manifest whose config
 * has media type `application/vnd.cncf.flux.config.v1+json`, one
 * `application/vnd.cncf.flux.content.v1.tar+gzip` layer, and the `org.opencontainers.image.source`,
 * `.revision` and `.created` annotations.
 */
export async function pushArtifact(
  deps: OciArtifactDeps,
  options: PushArtifactOptions,
): Promise<PushArtifactResult> {
  const { registry, repository, tag } = requireTag(options.url);
  const work = await mkdtemp(join(tmpdir(), 'sluice-oci-push-'));
  try {
    const tarFile = join(work, 'artifact.tar.gz');
    await createArchive(options.dir, tarFile, { filter: options.filter });
    const layerData = await readFile(tarFile);
    const created = (options.created ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const layer = await deps.client.pushBlob(registry, repository, layerData, MediaType.fluxContent, options);
    const config = await deps.client.pushBlob(
      registry,
      repository,
      configFor(created, layerData),
      MediaType.fluxConfig,
      options,
    );
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config,
      layers: [layer],
      annotations: {
        [OciAnnotation.created]: created,
        [OciAnnotation.source]: options.source,
        [OciAnnotation.revision]: options.revision,
        ...(options.annotations ?? {}),
      },
    };
    const digest = await deps.client.pushManifest(
      registry,
      repository,
      tag,
      Buffer.from(JSON.stringify(manifest)),
      MediaType.ociManifest,
      options,
    );
    return { digest, reference: `${registry}/${repository}:${tag}@${digest}`, revision: `${tag}@${digest}` };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function imageManifest(
  client: OciClient,
  registry: string,
  repository: string,
  reference: string,
  opts: OciCallOptions,
): Promise<OciManifestResult> {
  const res = await client.getManifest(registry, repository, reference, opts);
  if (res.manifest.manifests && !res.manifest.layers) {
    const first = res.manifest.manifests[0];
    if (!first)
      throw new SourceError(
        SourceErrorCode.InvalidResponse,
        `Image index '${registry}/${repository}:${reference}' is empty`,
      );
    const inner = await client.getManifest(registry, repository, first.digest, opts);
    return {
      ...inner,
      manifest: {
        ...inner.manifest,
        annotations: { ...res.manifest.annotations, ...inner.manifest.annotations },
      },
    };
  }
  return res;
}

/**
 * Pulls an OCI artifact as `flux pull artifact` and the OCIRepository reconciler do: resolves the
 * reference (digest > semver > tag), picks the layer, and extracts it safely (or copies it) into
 * `outDir`. The revision is `<tag>@sha256:<hex>` of the manifest.
 */
export async function pullArtifact(
  deps: OciArtifactDeps,
  options: PullArtifactOptions,
): Promise<PullArtifactResult> {
  const parsed = parseOciReference(options.url);
  const selector: OciRefSelector = options.ref ?? {
    ...(parsed.digest ? { digest: parsed.digest } : {}),
    ...(parsed.tag ? { tag: parsed.tag } : {}),
  };
  const { tag, digest } = await deps.client.resolve(parsed.registry, parsed.repository, selector, options);
  const { manifest } = await imageManifest(deps.client, parsed.registry, parsed.repository, digest, options);
  const layers = manifest.layers ?? [];
  const wanted = options.layerSelector?.mediaType;
  const layer = wanted ? layers.find((l) => l.mediaType === wanted) : layers[0];
  if (!layer) {
    throw new SourceError(
      SourceErrorCode.NotFound,
      `No layer${wanted ? ` with media type '${wanted}'` : ''} in '${parsed.registry}/${parsed.repository}@${digest}'`,
    );
  }
  const maxBytes = options.maxBytes ?? 100 * 1024 * 1024;
  if (layer.size > maxBytes) {
    throw new SourceError(
      SourceErrorCode.UnsafeArchive,
      `Layer ${layer.digest} is ${layer.size} bytes, over the limit of ${maxBytes}`,
    );
  }
  const data = await deps.client.getBlob(parsed.registry, parsed.repository, layer.digest, {
    signal: options.signal,
    maxBytes,
  });
  let file: string | undefined;
  if (options.layerSelector?.operation === 'copy') {
    await mkdir(options.outDir, { recursive: true });
    file = join(options.outDir, `${layer.digest.replace(':', '-')}.tgz`);
    await writeFile(file, data);
  } else {
    await extractTarball(data, options.outDir, { maxBytes, signal: options.signal });
  }
  return {
    revision: tag ? `${tag}@${digest}` : digest,
    digest,
    annotations: manifest.annotations ?? {},
    layer,
    ...(file ? { file } : {}),
  };
}

/**
 * Pulls a Helm chart stored in a registry by `helm push`: picks the tag from `version` (tags use `_`
 * for `+`), then downloads the `application/vnd.cncf.helm.chart.content.v1.tar+gzip` layer.
 */
export async function pullHelmChartFromOci(
  deps: OciArtifactDeps,
  options: PullHelmChartOptions,
): Promise<PulledHelmChart> {
  const parsed = parseOciReference(options.url);
  const range = options.version?.trim() || '*';
  const exact = /^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]*)?$/.test(range) ? range.replace(/\+/g, '_') : undefined;
  const { tag, digest } = exact
    ? await deps.client.resolve(parsed.registry, parsed.repository, { tag: exact }, options)
    : await resolveChartTag(deps.client, parsed.registry, parsed.repository, range, options);
  const { manifest } = await imageManifest(deps.client, parsed.registry, parsed.repository, digest, options);
  const layer = manifest.layers?.find((l) => l.mediaType === MediaType.helmChartContent);
  if (!layer) {
    throw new SourceError(
      SourceErrorCode.NotFound,
      `'${parsed.registry}/${parsed.repository}@${digest}' is not a Helm chart`,
    );
  }
  const data = await deps.client.getBlob(parsed.registry, parsed.repository, layer.digest, {
    signal: options.signal,
    maxBytes: options.maxBytes ?? 100 * 1024 * 1024,
  });
  const version = (tag ?? '').replace(/_/g, '+');
  return { data, version, digest, revision: `${version}@${digest}` };
}

async function resolveChartTag(
  client: OciClient,
  registry: string,
  repository: string,
  range: string,
  opts: OciCallOptions,
): Promise<{ tag?: string; digest: string }> {
  const tags = await client.listTags(registry, repository, opts);
  const byVersion = new Map(tags.map((t) => [t.replace(/_/g, '+'), t]));
  const chosen = selectLatestVersion(byVersion.keys(), range);
  if (!chosen)
    throw new SourceError(
      SourceErrorCode.NotFound,
      `No chart version of '${registry}/${repository}' matches '${range}'`,
    );
  const tag = byVersion.get(chosen)!;
  return { tag, digest: await client.resolveDigest(registry, repository, tag, opts) };
}
