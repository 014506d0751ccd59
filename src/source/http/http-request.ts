import { request as httpRequestRaw, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequestRaw } from 'node:https';
import { SourceError, SourceErrorCode } from '../errors.js';

/** TLS and authentication settings shared by every HTTP client of the source fetchers. */
export interface HttpClientOptions {
  /** PEM bundle of extra certificate authorities to trust (`ca.crt`); default: the system roots. */
  ca?: string | Buffer;
  /** PEM client certificate (`tls.crt`) for mutual TLS; default: none. */
  cert?: string | Buffer;
  /** PEM client key (`tls.key`) for mutual TLS; default: none. */
  key?: string | Buffer;
  /** Skip TLS verification; default false. Only for tests and explicit user opt-in. */
  insecureSkipVerify?: boolean;
  /** Per-request timeout in milliseconds, covering connect, headers and body; default 60 000. */
  timeoutMs?: number;
}

/** One HTTP request. */
export interface HttpRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Refuse bodies larger than this many bytes; default 256 MiB. */
  maxBodyBytes?: number;
  /** Follow up to this many redirects; default 5. */
  maxRedirects?: number;
  signal?: AbortSignal;
}

/** A fully read HTTP response. */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
}

const DEFAULT_MAX_BODY = 256 * 1024 * 1024;

/** Returns the header's value as one string (the first when repeated). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Sends one HTTP(S) request with node:http and reads the whole body, honouring the timeout, the
 * signal, redirects (authorization is dropped when the host changes) and a body size limit. Network
 * failures become `SourceError` with code `FetchFailed`, aborts `Canceled`.
 */
export async function httpRequest(req: HttpRequest, options: HttpClientOptions = {}): Promise<HttpResponse> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const signals = [AbortSignal.timeout(timeoutMs)];
  if (req.signal) signals.push(req.signal);
  const signal = AbortSignal.any(signals);
  let url = req.url;
  let headers = { ...(req.headers ?? {}) };
  let method = req.method ?? 'GET';
  let body = req.body;
  for (let hop = 0; ; hop++) {
    const res = await once(url, method, headers, body, options, signal, req.maxBodyBytes ?? DEFAULT_MAX_BODY);
    const location = headerValue(res.headers, 'location');
    if ([301, 302, 303, 307, 308].includes(res.status) && location && hop < (req.maxRedirects ?? 5)) {
      const next = new URL(location, url);
      if (next.host !== new URL(url).host) {
        headers = Object.fromEntries(
          Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'),
        );
      }
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      url = next.toString();
      continue;
    }
    return { ...res, url };
  }
}

function once(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: Buffer | string | undefined,
  options: HttpClientOptions,
  signal: AbortSignal,
  maxBody: number,
): Promise<Omit<HttpResponse, 'url'>> {
  return new Promise((resolve, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (err) {
      reject(new SourceError(SourceErrorCode.FetchFailed, `Invalid URL '${url}'`, { cause: err }));
      return;
    }
    const isHttps = parsed.protocol === 'https:';
    if (!isHttps && parsed.protocol !== 'http:') {
      reject(new SourceError(SourceErrorCode.FetchFailed, `Unsupported URL scheme in '${url}'`));
      return;
    }
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const allHeaders: Record<string, string> = { ...headers };
    if (payload && !Object.keys(allHeaders).some((k) => k.toLowerCase() === 'content-length')) {
      allHeaders['content-length'] = String(payload.length);
    }
    const onAbort = (r: IncomingMessage | undefined) => {
      const reason = signal.reason;
      const timedOut = reason instanceof DOMException && reason.name === 'TimeoutError';
      const err = new SourceError(
        timedOut ? SourceErrorCode.FetchFailed : SourceErrorCode.Canceled,
        `Request ${method} ${redact(url)} ${timedOut ? 'timed out' : 'was canceled'}`,
        { cause: reason },
      );
      r?.destroy();
      reject(err);
    };
    const send = isHttps ? httpsRequestRaw : httpRequestRaw;
    const clientReq = send(
      parsed,
      {
        method,
        headers: allHeaders,
        signal,
        ...(isHttps
          ? {
              ca: options.ca,
              cert: options.cert,
              key: options.key,
              rejectUnauthorized: !options.insecureSkipVerify,
            }
          : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBody) {
            res.destroy();
            reject(
              new SourceError(
                SourceErrorCode.FetchFailed,
                `Response of ${method} ${redact(url)} is larger than ${maxBody} bytes`,
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', (err) => {
          if (signal.aborted) onAbort(res);
          else
            reject(
              new SourceError(
                SourceErrorCode.FetchFailed,
                `Request ${method} ${redact(url)} failed: ${err.message}`,
                { cause: err },
              ),
            );
        });
      },
    );
    clientReq.on('error', (err) => {
      if (signal.aborted) onAbort(undefined);
      else
        reject(
          new SourceError(
            SourceErrorCode.FetchFailed,
            `Request ${method} ${redact(url)} failed: ${err.message}`,
            {
              cause: err,
            },
          ),
        );
    });
    clientReq.end(payload);
  });
}

/** Returns the URL without user info, query string credentials or fragments, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    for (const key of [...u.searchParams.keys()]) {
      if (/^(sig|signature|x-amz-signature|x-amz-credential|token|se|sp|sv)$/i.test(key))
        u.searchParams.set(key, 'REDACTED');
    }
    return u.toString();
  } catch {
    return url;
  }
}

/** Builds a `Basic` authorization header value. */
export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
