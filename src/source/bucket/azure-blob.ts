import { createHmac } from 'node:crypto';
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

/** Dependencies of the Azure Blob client and fetcher. */
export interface AzureBlobDeps {
  logger?: Logger;
}

/** Where and how to reach an Azure Blob container (a Bucket with provider `azure`). */
export interface AzureBlobOptions {
  /**
   * The account's blob endpoint (`spec.endpoint`): `https://<account>.blob.core.windows.net`, or
   * path-style `http://127.0.0.1:10000/<account>` for Azurite.
   */
  endpoint: string;
  /** The container (`spec.bucketName`). */
  container: string;
  /** The storage account name (`accountName` of the secret); default: taken from the endpoint. */
  accountName?: string;
  /** The base64 account key (`accountKey`), for Shared Key authorization. */
  accountKey?: string;
  /** A SAS token (`sasKey`), with or without the leading `?`. */
  sasToken?: string;
  http?: HttpClientOptions;
}

const API_VERSION = '2021-08-06';

function encodePath(name: string): string {
  return name
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

/**
 * A small Azure Blob client speaking the REST API directly: List Blobs, Get Blob, Put Blob and Create
 * Container, authorized with Shared Key (HMAC-SHA256 over the canonical request) or a SAS token.
 */
export class AzureBlobClient {
  readonly #o: AzureBlobOptions;
  readonly #base: URL;
  readonly #account: string;

  constructor(_deps: AzureBlobDeps, options: AzureBlobOptions) {
    if (!options.endpoint) throw new TypeError('AzureBlobClient: options.endpoint is required');
    if (!options.container) throw new TypeError('AzureBlobClient: options.container is required');
    this.#o = options;
    this.#base = new URL(options.endpoint.replace(/\/+$/, ''));
    const fromHost = /^([a-z0-9]+)\.blob\./.exec(this.#base.hostname)?.[1];
    const fromPath = this.#base.pathname.split('/').filter(Boolean)[0];
    this.#account = options.accountName ?? fromHost ?? fromPath ?? '';
  }

  async #send(
    method: string,
    blob: string | undefined,
    query: Record<string, string>,
    extraHeaders: Record<string, string>,
    body: Buffer | undefined,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    const basePath = this.#base.pathname.replace(/\/+$/, '');
    const path = `${basePath}/${encodeURIComponent(this.#o.container)}${blob !== undefined ? `/${encodePath(blob)}` : ''}`;
    const params = new URLSearchParams(query);
    if (this.#o.sasToken && !this.#o.accountKey) {
      for (const [k, v] of new URLSearchParams(this.#o.sasToken.replace(/^\?/, ''))) params.append(k, v);
    }
    const qs = params.toString();
    const url = `${this.#base.protocol}//${this.#base.host}${path}${qs ? `?${qs}` : ''}`;
    const headers: Record<string, string> = {
      'x-ms-date': new Date().toUTCString(),
      'x-ms-version': API_VERSION,
      ...extraHeaders,
    };
    if (body) headers['content-length'] = String(body.length);
    if (this.#o.accountKey) {
      headers.authorization = `SharedKey ${this.#account}:${this.#sign(method, path, query, headers)}`;
    }
    return httpRequest({ method, url, headers, body, signal }, this.#o.http);
  }

  #sign(
    method: string,
    path: string,
    query: Record<string, string>,
    headers: Record<string, string>,
  ): string {
    const h = (name: string) => headers[name] ?? '';
    const length = h('content-length') === '0' ? '' : h('content-length');
    const canonicalHeaders = Object.keys(headers)
      .filter((k) => k.startsWith('x-ms-'))
      .sort()
      .map((k) => `${k}:${headers[k]!.trim()}\n`)
      .join('');
    const params = Object.keys(query)
      .map((k) => k.toLowerCase())
      .sort()
      .map((k) => `\n${k}:${query[Object.keys(query).find((q) => q.toLowerCase() === k)!]}`)
      .join('');
    const resource = `/${this.#account}${path}${params}`;
    const toSign = [
      method,
      h('content-encoding'),
      h('content-language'),
      length,
      h('content-md5'),
      h('content-type'),
      '',
      h('if-modified-since'),
      h('if-match'),
      h('if-none-match'),
      h('if-unmodified-since'),
      h('range'),
      `${canonicalHeaders}${resource}`,
    ].join('\n');
    return createHmac('sha256', Buffer.from(this.#o.accountKey!, 'base64'))
      .update(toSign, 'utf8')
      .digest('base64');
  }

  #error(what: string, res: HttpResponse): SourceError {
    const text = res.body.toString();
    const code = xmlText(text, 'Code') ?? String(res.headers['x-ms-error-code'] ?? '');
    const auth =
      res.status === 401 || res.status === 403 || /^(AuthenticationFailed|AuthorizationFailure)/.test(code);
    return new SourceError(
      auth
        ? SourceErrorCode.AuthenticationFailed
        : res.status === 404
          ? SourceErrorCode.NotFound
          : SourceErrorCode.FetchFailed,
      `${what} in container '${this.#o.container}' at '${this.#base.host}' failed: HTTP ${res.status}${code ? ` ${code}` : ''}`,
    );
  }

  /**
   * Lists every blob under a prefix (all pages). Etags are hex-encoded, as Flux's Azure provider
   * formats them (`%x` of the ETag string), so revisions match Flux's.
   */
  async list(prefix: string, signal: AbortSignal): Promise<BucketObject[]> {
    const out: BucketObject[] = [];
    let marker: string | undefined;
    do {
      const query: Record<string, string> = { restype: 'container', comp: 'list', maxresults: '5000' };
      if (prefix) query.prefix = prefix;
      if (marker) query.marker = marker;
      const res = await this.#send('GET', undefined, query, {}, undefined, signal);
      if (res.status !== 200) throw this.#error('Listing blobs', res);
      const xml = res.body.toString();
      for (const b of xmlElements(xml, 'Blob')) {
        const name = xmlText(b, 'Name');
        if (name === undefined) continue;
        out.push({ key: name, etag: Buffer.from(xmlText(b, 'Etag') ?? '').toString('hex') });
      }
      marker = xmlText(xml, 'NextMarker') || undefined;
    } while (marker);
    return out;
  }

  /** Downloads a blob; undefined when it does not exist. */
  async get(name: string, signal: AbortSignal): Promise<Buffer | undefined> {
    const res = await this.#send('GET', name, {}, {}, undefined, signal);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw this.#error(`Fetching blob '${name}'`, res);
    return res.body;
  }

  /** Uploads a block blob (Put Blob). */
  async put(
    name: string,
    data: Buffer | string,
    signal: AbortSignal = AbortSignal.timeout(60_000),
  ): Promise<void> {
    const res = await this.#send(
      'PUT',
      name,
      {},
      { 'x-ms-blob-type': 'BlockBlob' },
      Buffer.from(data),
      signal,
    );
    if (res.status !== 201) throw this.#error(`Putting blob '${name}'`, res);
  }

  /** Deletes a blob (Delete Blob). */
  async delete(name: string, signal: AbortSignal = AbortSignal.timeout(60_000)): Promise<void> {
    const res = await this.#send('DELETE', name, {}, {}, undefined, signal);
    if (res.status !== 202) throw this.#error(`Deleting blob '${name}'`, res);
  }

  /** Creates the container; an existing one is fine. */
  async createContainer(signal: AbortSignal = AbortSignal.timeout(60_000)): Promise<void> {
    const res = await this.#send('PUT', undefined, { restype: 'container' }, {}, Buffer.alloc(0), signal);
    if (res.status !== 201 && res.status !== 409) throw this.#error('Creating the container', res);
  }
}

/**
 * Fetches an Azure Blob container into `outDir` as Flux's Bucket reconciler does (azure provider)
 * and returns its revision `sha256:<hex>` over sorted names and etags.
 */
export async function fetchAzureBucket(
  deps: AzureBlobDeps,
  options: AzureBlobOptions & BucketSyncOptions,
): Promise<BucketFetchResult> {
  const client = new AzureBlobClient(deps, options);
  const res = await syncBucket(client, `container '${options.container}'`, options);
  deps.logger?.debug(
    { container: options.container, objects: Object.keys(res.index).length },
    'fetched Azure container',
  );
  return res;
}
