import { SourceError, SourceErrorCode } from '../errors.js';

/** A parsed OCI reference: `[oci://]host[:port]/repo/path[:tag][@sha256:<hex>]`. */
export interface OciReference {
  /** `host[:port]`; `docker.io` references are rewritten to `registry-1.docker.io`. */
  registry: string;
  /** The repository path, e.g. `stefanprodan/manifests/podinfo`. */
  repository: string;
  tag?: string;
  digest?: string;
}

/**
 * Parses an OCI reference as Flux accepts it (`oci://` prefix optional). A reference without a
 * registry host (no dot, colon or `localhost` in the first segment) means Docker Hub.
 */
export function parseOciReference(ref: string): OciReference {
  let rest = ref.trim().replace(/^oci:\/\//, '');
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^sha256:[0-9a-f]{64}$|^sha512:[0-9a-f]{128}$/.test(digest)) {
      throw new SourceError(SourceErrorCode.InvalidResponse, `Invalid digest in OCI reference '${ref}'`);
    }
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  let registry: string;
  let repository: string;
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    repository = rest.slice(slash + 1);
  } else {
    registry = 'registry-1.docker.io';
    repository = slash >= 0 ? rest : `library/${rest}`;
  }
  if (registry === 'docker.io') registry = 'registry-1.docker.io';
  if (
    !repository ||
    !/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(repository)
  ) {
    throw new SourceError(SourceErrorCode.InvalidResponse, `Invalid repository in OCI reference '${ref}'`);
  }
  if (tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(tag)) {
    throw new SourceError(SourceErrorCode.InvalidResponse, `Invalid tag in OCI reference '${ref}'`);
  }
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** Formats a reference back to `host/repo[:tag][@digest]`. */
export function formatOciReference(ref: OciReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
