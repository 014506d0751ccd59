import aws4 from 'aws4';
import type { Logger } from 'pino';
import { SourceError, SourceErrorCode } from '../errors.js';
import { type HttpClientOptions, type HttpResponse, httpRequest } from '../http/http-request.js';
import {
  type BucketFetchResult,
  type BucketObject,
  type BucketSyncOptions,
  syncBucket,
} from './bucket-sync.js';
import { xmlElements, xmlText } from './xml.js';

/** Dependencies of the S3 client and fetcher. */
export interface S3Deps {
  logger?: Logger;
}

/** Where and how to reach an S3-compatible bucket (a Bucket with provider `generic` or `aws`). */
export interface S3BucketOptions {
  /** `host[:port]` or a URL (`spec.endpoint`). */
  endpoint: string;
  /** `spec.bucketName`. */
  bucketName: string;
  /** `spec.region`; default `us-east-1`. */
  region?: string;
  /** `accesskey` of the secret; anonymous requests when absent. */
  accessKeyId?: string;
  /** `secretkey` of the secret. */
  secretAccessKey?: string;
  sessionToken?: string;
  /** Plain HTTP when the endpoint has no scheme (`spec.insecure`); default false (HTTPS). */
  insecure?: boolean;
  http?: HttpClientOptions;
}

function encodeKey(key: string): string {
  return key
    .split('/')
    .map((s) =>
      encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/');
}

/**
 * A small S3 client (path-style requests signed with AWS Signature V4 by `aws4`): ListObjectsV2,
 * GetObject, PutObject and CreateBucket, enough for Flux's Bucket source and for tests.
 */
export class S3Client {
  readonly #o: S3BucketOptions;
  readonly #base: URL;

  constructor(_deps: S3Deps, options: S3BucketOptions) {
    if (!options.endpoint) throw new TypeError('S3Client: options.endpoint is required');
    if (!options.bucketName) throw new TypeError('S3Client: options.bucketName is required');
    this.#o = options;
    const withScheme = /^https?:\/\//.test(options.endpoint)
      ? options.endpoint
      : `${options.insecure ? 'http' : 'https'}://${options.endpoint}`;
    this.#base = new URL(withScheme);
  }

  async #send(
    method: string,
    key: string | undefined,
    query: Record<string, string>,
    body: Buffer | undefined,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    const qs = Object.keys(query)
      .sort()
      .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(query[k]!)}`)
      .join('&');
    const path = `/${encodeURIComponent(this.#o.bucketName)}${key !== undefined ? `/${encodeKey(key)}` : ''}${qs ? `?${qs}` : ''}`;
    const req: aws4.Request & { headers: Record<string, string> } = {
      host: this.#base.host,
      path,
      method,
      service: 's3',
      region: this.#o.region || 'us-east-1',
      headers: {},
      ...(body ? { body } : {}),
    };
    let headers: Record<string, string> = {};
    if (this.#o.accessKeyId && this.#o.secretAccessKey) {
      const signed = aws4.sign(req, {
        accessKeyId: this.#o.accessKeyId,
        secretAccessKey: this.#o.secretAccessKey,
        ...(this.#o.sessionToken ? { sessionToken: this.#o.sessionToken } : {}),
      });
      headers = Object.fromEntries(Object.entries(signed.headers ?? {}).map(([k, v]) => [k, String(v)]));
      delete headers.Host;
      delete headers.host;
    }
    return httpRequest(
      { method, url: `${this.#base.protocol}//${this.#base.host}${path}`, headers, body, signal },
      this.#o.http,
    );
  }

  #error(what: string, res: HttpResponse): SourceError {
    const text = res.body.toString();
    const code = xmlText(text, 'Code') ?? '';
    const message = xmlText(text, 'Message') ?? '';
    const auth =
      res.status === 401 ||
      res.status === 403 ||
      /^(InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied|ExpiredToken)$/.test(code);
    return new SourceError(
      auth
        ? SourceErrorCode.AuthenticationFailed
        : res.status === 404
          ? SourceErrorCode.NotFound
          : SourceErrorCode.FetchFailed,
      `${what} in bucket '${this.#o.bucketName}' at '${this.#base.host}' failed: HTTP ${res.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`,
    );
  }

  /** Lists every object under a prefix (ListObjectsV2, all pages); etags without quotes. */
  async list(prefix: string, signal: AbortSignal): Promise<BucketObject[]> {
    const out: BucketObject[] = [];
    let token: string | undefined;
    do {
      const query: Record<string, string> = { 'list-type': '2', 'max-keys': '1000' };
      if (prefix) query.prefix = prefix;
      if (token) query['continuation-token'] = token;
      const res = await this.#send('GET', undefined, query, undefined, signal);
      if (res.status !== 200) throw this.#error('Listing objects', res);
      const xml = res.body.toString();
      for (const c of xmlElements(xml, 'Contents')) {
        const key = xmlText(c, 'Key');
        if (key === undefined) continue;
        out.push({ key, etag: (xmlText(c, 'ETag') ?? '').replace(/^"|"$/g, '') });
      }
      token = xmlText(xml, 'IsTruncated') === 'true' ? xmlText(xml, 'NextContinuationToken') : undefined;
    } while (token);
    return out;
  }

  /** Downloads an object; undefined when it does not exist. */
  async get(key: string, signal: AbortSignal): Promise<Buffer | undefined> {
    const res = await this.#send('GET', key, {}, undefined, signal);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw this.#error(`Fetching object '${key}'`, res);
    return res.body;
  }

  /** Uploads an object (PutObject). */
  async put(
    key: string,
    data: Buffer | string,
    signal: AbortSignal = AbortSignal.timeout(60_000),
  ): Promise<void> {
    const res = await this.#send('PUT', key, {}, Buffer.from(data), signal);
    if (res.status !== 200) throw this.#error(`Putting object '${key}'`, res);
  }

  /** Deletes an object (DeleteObject). */
  async delete(key: string, signal: AbortSignal = AbortSignal.timeout(60_000)): Promise<void> {
    const res = await this.#send('DELETE', key, {}, undefined, signal);
    if (res.status !== 204 && res.status !== 200) throw this.#error(`Deleting object '${key}'`, res);
  }

  /** Creates the bucket (CreateBucket); an existing bucket owned by the caller is fine. */
  async createBucket(signal: AbortSignal = AbortSignal.timeout(60_000)): Promise<void> {
    const res = await this.#send('PUT', undefined, {}, undefined, signal);
    if (res.status !== 200 && res.status !== 409) throw this.#error('Creating the bucket', res);
  }
}

/**
 * Fetches an S3-compatible bucket into `outDir` as Flux's Bucket reconciler does (generic/aws
 * provider) and returns its revision `sha256:<hex>` over sorted keys and etags.
 */
export async function fetchS3Bucket(
  deps: S3Deps,
  options: S3BucketOptions & BucketSyncOptions,
): Promise<BucketFetchResult> {
  const client = new S3Client(deps, options);
  const res = await syncBucket(client, `bucket '${options.bucketName}'`, options);
  deps.logger?.debug(
    { bucket: options.bucketName, objects: Object.keys(res.index).length, revision: res.revision },
    'fetched S3 bucket',
  );
  return res;
}
