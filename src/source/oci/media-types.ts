/** OCI and Docker media types, and the ones Flux and Helm use for their artifacts. */
export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  /** Config of artifacts written by `flux push artifact`. */
  fluxConfig: 'application/vnd.cncf.flux.config.v1+json',
  /** The tar+gzip content layer of `flux push artifact`. */
  fluxContent: 'application/vnd.cncf.flux.content.v1.tar+gzip',
  /** Config of charts written by `helm push`. */
  helmConfig: 'application/vnd.cncf.helm.config.v1+json',
  /** The chart package layer of `helm push`. */
  helmChartContent: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
  helmProvenance: 'application/vnd.cncf.helm.chart.provenance.v1.prov',
} as const;

/** Annotation keys written on Flux artifacts' manifests. */
export const OciAnnotation = {
  source: 'org.opencontainers.image.source',
  revision: 'org.opencontainers.image.revision',
  created: 'org.opencontainers.image.created',
} as const;
