import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { SourceError, SourceErrorCode } from '../errors.js';
import {
  basicAuth,
  type HttpClientOptions,
  type HttpResponse,
  headerValue,
  httpRequest,
} from '../http/http-request.js';
import { selectLatestVersion } from '../semver-range.js';
import { MediaType } from './media-types.js';

/** Registry credentials: basic auth, or an identity/registry token. */
export interface OciCredentials {
  username?: string;
  password?: string;
  /** A refresh/identity token (docker config `identitytoken`), sent as the password of `<token>`. */
  identityToken?: string;
  /** A ready registry bearer token (docker config `registrytoken`); used as is. */
  registryToken?: string;
}

/** Dependencies of {@link OciClient}. */
export interface OciClientDeps {
  logger?: Logger;
}

/** Options of {@link OciClient}. */
export interface OciClientOptions {
  /** Credentials per registry host (`host[:port]`); see {@link credentialsFromDockerConfig}. */
  credentials?: (registry: string) => OciCredentials | undefined;
  /** Speak plain HTTP instead of HTTPS (`spec.insecure`); default false. */
  insecure?: boolean;
  /** TLS settings and per-request timeout (default 60 s). */
  http?: HttpClientOptions;
}

/** A manifest as fetched. */
export interface OciManifestResult {
  digest: string;
  mediaType: string;
  /** The parsed JSON. */
  manifest: OciManifest;
  raw: Buffer;
}

/** A content descriptor. */
export interface OciDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string };
}

/** An OCI image manifest or index (the fields Sluice reads). */
export interface OciManifest {
  schemaVersion: number;
  mediaType?: string;
  artifactType?: string;
  config?: OciDescriptor;
  layers?: OciDescriptor[];
  manifests?: OciDescriptor[];
  annotations?: Record<string, string>;
}

/** `spec.ref` of an OCIRepository: precedence digest > semver > tag; default tag `latest`. */
export interface OciRefSelector {
  tag?: string;
  semver?: string;
  /** A regular expression tags must match before semver selection. */
  semverFilter?: string;
  digest?: string;
}

/** Call options shared by every client method. */
export interface OciCallOptions {
  signal?: AbortSignal;
}

const MANIFEST_ACCEPT = [
  MediaType.ociManifest,
  MediaType.ociIndex,
  MediaType.dockerManifest,
  MediaType.dockerManifestList,
].join(', ');

/**
 * Parses a Docker config JSON (`.dockerconfigjson`) and returns a credentials lookup for
 * {@link OciClientOptions.credentials}. Keys may be `host`, `https://host` or `https://host/v1/`.
 */
export function credentialsFromDockerConfig(json: string): (registry: string) => OciCredentials | undefined {
  let config: { auths?: Record<string, Record<string, string>> };
  try {
    config = JSON.parse(json);
  } catch (err) {
    throw new SourceError(SourceErrorCode.InvalidResponse, 'Docker config JSON is not valid JSON', {
      cause: err,
    });
  }
  const byHost = new Map<string, OciCredentials>();
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    const host = key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    const creds: OciCredentials = {};
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      creds.username = decoded.slice(0, i);
      creds.password = decoded.slice(i + 1);
    }
    if (entry.username) creds.username = entry.username;
    if (entry.password) creds.password = entry.password;
    if (entry.identitytoken) creds.identityToken = entry.identitytoken;
    if (entry.registrytoken) creds.registryToken = entry.registrytoken;
    byHost.set(host, creds);
  }
  return (registry) =>
    byHost.get(registry) ?? (registry === 'registry-1.docker.io' ? byHost.get('index.docker.io') : undefined);
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2]!.matchAll(/(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g))
    params[p[1]!.toLowerCase()] = p[2] ?? p[3] ?? '';
  return { scheme: m[1]!.toLowerCase(), params };
}

/**
 * A client of the OCI distribution API: token (`WWW-Authenticate: Bearer`) and basic auth, tags,
 * manifests and indexes, blobs, monolithic uploads, over HTTPS or plain HTTP (`insecure`). Every
 * method takes an `AbortSignal`; every request has the configured timeout.
 */
export class OciClient {
  readonly #options: OciClientOptions;
  readonly #logger: Logger | undefined;
  readonly #tokens = new Map<string, string>();

  constructor(deps: OciClientDeps, options: OciClientOptions = {}) {
    this.#logger = deps.logger;
    this.#options = options;
  }

  #base(registry: string): string {
    return `${this.#options.insecure ? 'http' : 'https'}://${registry}`;
  }

  async #request(
    registry: string,
    repository: string,
    push: boolean,
    req: {
      method: string;
      path: string;
      headers?: Record<string, string>;
      body?: Buffer;
      signal?: AbortSignal;
      maxBodyBytes?: number;
      absoluteUrl?: string;
    },
  ): Promise<HttpResponse> {
    const scope = `repository:${repository}:${push ? 'pull,push' : 'pull'}`;
    const key = `${registry} ${scope}`;
    const creds = this.#options.credentials?.(registry);
    const send = (authorization?: string) =>
      httpRequest(
        {
          method: req.method,
          url: req.absoluteUrl ?? `${this.#base(registry)}${req.path}`,
          headers: { ...(req.headers ?? {}), ...(authorization ? { authorization } : {}) },
          body: req.body,
          signal: req.signal,
          maxBodyBytes: req.maxBodyBytes,
        },
        this.#options.http,
      );
    const cached = this.#tokens.get(key);
    let res = await send(cached);
    if (res.status !== 401) return res;
    const challenge = parseChallenge(headerValue(res.headers, 'www-authenticate'));
    let authorization: string | undefined;
    if (challenge?.scheme === 'bearer') {
      authorization = `Bearer ${await this.#fetchToken(registry, challenge, scope, creds, req.signal)}`;
    } else if (challenge?.scheme === 'basic' && creds?.username !== undefined) {
      authorization = basicAuth(creds.username, creds.password ?? '');
    } else {
      throw this.#authError(registry, repository, 'the registry requires credentials');
    }
    this.#tokens.set(key, authorization);
    res = await send(authorization);
    if (res.status === 401)
      throw this.#authError(registry, repository, 'the registry refused the credentials');
    return res;
  }

  async #fetchToken(
    registry: string,
    challenge: Challenge,
    scope: string,
    creds: OciCredentials | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    if (creds?.registryToken) return creds.registryToken;
    const realm = challenge.params.realm;
    if (!realm) throw this.#authError(registry, scope, 'the Bearer challenge has no realm');
    const url = new URL(realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    url.searchParams.set('scope', scope);
    const headers: Record<string, string> = {};
    if (creds?.identityToken) headers.authorization = basicAuth('<token>', creds.identityToken);
    else if (creds?.username !== undefined)
      headers.authorization = basicAuth(creds.username, creds.password ?? '');
    const res = await httpRequest(
      { url: url.toString(), headers, signal, maxBodyBytes: 1024 * 1024 },
      this.#options.http,
    );
    if (res.status === 401 || res.status === 403) {
      throw this.#authError(registry, scope, `the token service answered HTTP ${res.status}`);
    }
    if (res.status !== 200) {
      throw new SourceError(
        SourceErrorCode.FetchFailed,
        `Token request to '${url.origin}${url.pathname}' failed: HTTP ${res.status}`,
      );
    }
    let body: { token?: string; access_token?: string };
    try {
      body = JSON.parse(res.body.toString());
    } catch (err) {
      throw new SourceError(
        SourceErrorCode.InvalidResponse,
        `Token response from '${url.origin}' is not JSON`,
        { cause: err },
      );
    }
    const token = body.token ?? body.access_token;
    if (!token)
      throw new SourceError(
        SourceErrorCode.InvalidResponse,
        `Token response from '${url.origin}' has no token`,
      );
    this.#logger?.debug({ registry, scope }, 'obtained registry token');
    return token;
  }

  #authError(registry: string, what: string, cause: string): SourceError {
    return new SourceError(
      SourceErrorCode.AuthenticationFailed,
      `Authentication to '${registry}' for '${what}' failed: ${cause}`,
    );
  }

  #statusError(what: string, res: HttpResponse): SourceError {
    const code =
      res.status === 403
        ? SourceErrorCode.AuthenticationFailed
        : res.status === 404
          ? SourceErrorCode.NotFound
          : SourceErrorCode.FetchFailed;
    let detail = `HTTP ${res.status}`;
    try {
      const errs = (JSON.parse(res.body.toString()) as { errors?: { code?: string; message?: string }[] })
        .errors;
      if (errs?.[0]) detail += ` ${errs[0].code ?? ''}: ${errs[0].message ?? ''}`.trimEnd();
    } catch {
      // Not a registry error document.
    }
    return new SourceError(code, `${what} failed: ${detail}`);
  }

  /** Lists a repository's tags, following pagination. */
  async listTags(registry: string, repository: string, opts: OciCallOptions = {}): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${repository}/tags/list?n=1000`;
    while (path) {
      const res = await this.#request(registry, repository, false, {
        method: 'GET',
        path,
        signal: opts.signal,
      });
      if (res.status !== 200) throw this.#statusError(`Listing tags of '${registry}/${repository}'`, res);
      const body = JSON.parse(res.body.toString()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      const link = headerValue(res.headers, 'link');
      const next = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1] : undefined;
      path = next
        ? next.startsWith('http')
          ? new URL(next).pathname + new URL(next).search
          : next
        : undefined;
    }
    return tags;
  }

  /** Fetches a manifest (image manifest or index) by tag or digest and verifies a digest reference. */
  async getManifest(
    registry: string,
    repository: string,
    reference: string,
    opts: OciCallOptions = {},
  ): Promise<OciManifestResult> {
    const res = await this.#request(registry, repository, false, {
      method: 'GET',
      path: `/v2/${repository}/manifests/${reference}`,
      headers: { accept: MANIFEST_ACCEPT },
      signal: opts.signal,
      maxBodyBytes: 4 * 1024 * 1024,
    });
    if (res.status !== 200)
      throw this.#statusError(`Fetching manifest '${registry}/${repository}:${reference}'`, res);
    const digest = `sha256:${createHash('sha256').update(res.body).digest('hex')}`;
    if (reference.startsWith('sha256:') && reference !== digest) {
      throw new SourceError(
        SourceErrorCode.InvalidResponse,
        `Manifest '${registry}/${repository}@${reference}' has digest ${digest}`,
      );
    }
    let manifest: OciManifest;
    try {
      manifest = JSON.parse(res.body.toString());
    } catch (err) {
      throw new SourceError(
        SourceErrorCode.InvalidResponse,
        `Manifest of '${registry}/${repository}:${reference}' is not JSON`,
        { cause: err },
      );
    }
    const mediaType =
      manifest.mediaType ?? headerValue(res.headers, 'content-type')?.split(';')[0] ?? MediaType.ociManifest;
    return { digest, mediaType, manifest, raw: res.body };
  }

  /** Returns the digest a tag points to (HEAD, falling back to GET). */
  async resolveDigest(
    registry: string,
    repository: string,
    reference: string,
    opts: OciCallOptions = {},
  ): Promise<string> {
    const res = await this.#request(registry, repository, false, {
      method: 'HEAD',
      path: `/v2/${repository}/manifests/${reference}`,
      headers: { accept: MANIFEST_ACCEPT },
      signal: opts.signal,
    });
    const digest = headerValue(res.headers, 'docker-content-digest');
    if (res.status === 200 && digest) return digest;
    if (res.status === 404)
      throw this.#statusError(`Resolving '${registry}/${repository}:${reference}'`, res);
    return (await this.getManifest(registry, repository, reference, opts)).digest;
  }

  /**
   * Resolves an OCIRepository `ref` to a tag and digest, Flux's way: digest wins, then semver over the
   * listed tags (optionally filtered by a regular expression), then the tag (default `latest`).
   */
  async resolve(
    registry: string,
    repository: string,
    ref: OciRefSelector,
    opts: OciCallOptions = {},
  ): Promise<{ tag?: string; digest: string }> {
    if (ref.digest) return { digest: ref.digest };
    let tag = ref.tag ?? 'latest';
    if (ref.semver) {
      let tags = await this.listTags(registry, repository, opts);
      if (ref.semverFilter) {
        const re = new RegExp(ref.semverFilter);
        tags = tags.filter((t) => re.test(t));
      }
      let chosen: string | undefined;
      try {
        chosen = selectLatestVersion(tags, ref.semver);
      } catch (err) {
        throw new SourceError(SourceErrorCode.NotFound, `Invalid semver range '${ref.semver}'`, {
          cause: err,
        });
      }
      if (!chosen) {
        throw new SourceError(
          SourceErrorCode.NotFound,
          `No tag of '${registry}/${repository}' matches semver '${ref.semver}'`,
        );
      }
      tag = chosen;
    }
    return { tag, digest: await this.resolveDigest(registry, repository, tag, opts) };
  }

  /** Downloads a blob and verifies its digest; refuses blobs over `maxBytes` (default 256 MiB). */
  async getBlob(
    registry: string,
    repository: string,
    digest: string,
    opts: OciCallOptions & { maxBytes?: number } = {},
  ): Promise<Buffer> {
    const res = await this.#request(registry, repository, false, {
      method: 'GET',
      path: `/v2/${repository}/blobs/${digest}`,
      signal: opts.signal,
      maxBodyBytes: opts.maxBytes,
    });
    if (res.status !== 200)
      throw this.#statusError(`Fetching blob '${registry}/${repository}@${digest}'`, res);
    const actual = `sha256:${createHash('sha256').update(res.body).digest('hex')}`;
    if (digest.startsWith('sha256:') && actual !== digest) {
      throw new SourceError(
        SourceErrorCode.InvalidResponse,
        `Blob '${registry}/${repository}@${digest}' has digest ${actual}`,
      );
    }
    return res.body;
  }

  /** Uploads a blob in one request (skipped when the registry already has it); returns its descriptor. */
  async pushBlob(
    registry: string,
    repository: string,
    data: Buffer,
    mediaType: string,
    opts: OciCallOptions = {},
  ): Promise<OciDescriptor> {
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    const descriptor = { mediaType, digest, size: data.length };
    const head = await this.#request(registry, repository, true, {
      method: 'HEAD',
      path: `/v2/${repository}/blobs/${digest}`,
      signal: opts.signal,
    });
    if (head.status === 200) return descriptor;
    const start = await this.#request(registry, repository, true, {
      method: 'POST',
      path: `/v2/${repository}/blobs/uploads/`,
      headers: { 'content-length': '0' },
      signal: opts.signal,
    });
    const location = headerValue(start.headers, 'location');
    if (start.status !== 202 || !location)
      throw this.#statusError(`Starting upload to '${registry}/${repository}'`, start);
    const url = new URL(location, this.#base(registry));
    url.searchParams.set('digest', digest);
    const put = await this.#request(registry, repository, true, {
      method: 'PUT',
      path: '',
      absoluteUrl: url.toString(),
      headers: { 'content-type': 'application/octet-stream' },
      body: data,
      signal: opts.signal,
    });
    if (put.status !== 201) throw this.#statusError(`Uploading blob to '${registry}/${repository}'`, put);
    return descriptor;
  }

  /** Uploads a manifest under a tag or digest; returns its digest. */
  async pushManifest(
    registry: string,
    repository: string,
    reference: string,
    raw: Buffer,
    mediaType: string,
    opts: OciCallOptions = {},
  ): Promise<string> {
    const res = await this.#request(registry, repository, true, {
      method: 'PUT',
      path: `/v2/${repository}/manifests/${reference}`,
      headers: { 'content-type': mediaType },
      body: raw,
      signal: opts.signal,
    });
    if (res.status !== 201)
      throw this.#statusError(`Pushing manifest '${registry}/${repository}:${reference}'`, res);
    return (
      headerValue(res.headers, 'docker-content-digest') ??
      `sha256:${createHash('sha256').update(raw).digest('hex')}`
    );
  }
}
