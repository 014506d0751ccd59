import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { SluiceError } from '../api/index.js';
import type { Clock } from './clock.js';
import { sleep, systemClock } from './clock.js';
import type { KubeConnection, KubeCredentials } from './kubeconfig.js';

/** One HTTP request to the API server. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query, starting with `/`. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /**
   * Milliseconds until the request is abandoned; for streams, until the response headers arrive.
   * Default: the transport's `timeoutMs`.
   */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A buffered response. */
export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A streamed response: the body is read as it arrives (watches). Destroy it to stop. */
export interface HttpStreamResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
}

/** Sends HTTP requests to one API server. The seam through which tests and alternative transports plug in. */
export interface KubeTransport {
  /** The API server's base URL. */
  readonly server: string;
  /** Sends a request and buffers the whole response. */
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Sends a request and returns once the response headers arrive, with the body as a stream. */
  stream(req: HttpRequest): Promise<HttpStreamResponse>;
  /** Closes idle connections and refuses new requests. */
  close(): void;
}

/** Options of {@link createHttpTransport}. */
export interface HttpTransportOptions {
  /** Default per-request timeout. Default: 30 000 ms. */
  timeoutMs?: number;
  /** Maximum concurrent connections to the server. Default: 64. */
  maxSockets?: number;
  /** Client-side rate limit in requests per second; 0 disables it. Default: 0. */
  qps?: number;
  /** Requests allowed in a burst above `qps`. Default: `max(1, 2 × qps)`. */
  burst?: number;
  /** How many times a 429 answer is retried, honouring `Retry-After` (capped at 10 s). Default: 3. */
  maxRetries?: number;
  /** `User-Agent` header. Default: `sluice`. */
  userAgent?: string;
  /** Clock for rate limiting and retry waits. Default: {@link systemClock}. */
  clock?: Clock;
}

type Agent = http.Agent | https.Agent;

// Whether a connection failure happened on a reused keep-alive socket.
const staleSocket = new WeakMap<Error, boolean>();

/**
 * Creates the HTTP(S) transport for a {@link KubeConnection}: one keep-alive agent (no TLS handshake per
 * request), a timeout and an `AbortSignal` on every request, optional qps/burst limiting, a credential
 * refresh and one retry after a 401, and retries of 429 answers.
 */
export function createHttpTransport(
  connection: KubeConnection,
  options: HttpTransportOptions = {},
): KubeTransport {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxSockets = options.maxSockets ?? 64;
  const qps = options.qps ?? 0;
  const burst = options.burst ?? Math.max(1, 2 * qps);
  const maxRetries = options.maxRetries ?? 3;
  const userAgent = options.userAgent ?? 'sluice';
  const clock = options.clock ?? systemClock;
  if (timeoutMs <= 0)
    throw new SluiceError('InvalidOption', `Transport timeoutMs must be positive, got ${timeoutMs}`);
  if (qps < 0) throw new SluiceError('InvalidOption', `Transport qps must not be negative, got ${qps}`);
  const url = new URL(connection.server);
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') {
    throw new SluiceError('InvalidOption', `Server ${connection.server} must use http or https`);
  }
  const basePath = url.pathname.replace(/\/+$/, '');

  let agent: Agent | undefined;
  let agentKey: string | undefined;
  let closed = false;
  let tokens = burst;
  let lastRefill = clock.now();

  const agentFor = (creds: KubeCredentials): Agent => {
    const key = [creds.ca, creds.cert, creds.key, creds.servername, creds.rejectUnauthorized]
      .map((v) => (v === undefined ? '' : String(v)))
      .join('\0');
    if (agent && key === agentKey) return agent;
    // Rotated client certificates (exec plugins) need a new agent; the old one finishes its requests.
    const old = agent;
    agent = secure
      ? new https.Agent({
          keepAlive: true,
          maxSockets,
          // One TLS context for every socket: building one per connection parses the CA and keys each time.
          secureContext: tls.createSecureContext({
            ...(creds.ca !== undefined ? { ca: creds.ca } : {}),
            ...(creds.cert !== undefined ? { cert: creds.cert } : {}),
            ...(creds.key !== undefined ? { key: creds.key } : {}),
          }),
          ...(creds.servername ? { servername: creds.servername } : {}),
          rejectUnauthorized: creds.rejectUnauthorized,
        })
      : new http.Agent({ keepAlive: true, maxSockets });
    agentKey = key;
    if (old) setImmediate(() => old.destroy());
    return agent;
  };

  const throttle = async (signal?: AbortSignal) => {
    if (qps <= 0) return;
    for (;;) {
      const now = clock.now();
      tokens = Math.min(burst, tokens + ((now - lastRefill) / 1000) * qps);
      lastRefill = now;
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      await sleep(Math.ceil(((1 - tokens) / qps) * 1000), { clock, ...(signal ? { signal } : {}) });
    }
  };

  const once = (req: HttpRequest, creds: KubeCredentials): Promise<http.IncomingMessage> => {
    const limit = req.timeoutMs ?? timeoutMs;
    return new Promise((resolve, reject) => {
      if (req.signal?.aborted) {
        reject(abortError(req, req.signal.reason));
        return;
      }
      const headers: Record<string, string> = {
        'User-Agent': userAgent,
        Accept: 'application/json',
        ...creds.headers,
        ...req.headers,
      };
      if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
      const options: http.RequestOptions = {
        method: req.method,
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || (secure ? 443 : 80),
        path: basePath + req.path,
        headers,
        agent: agentFor(creds),
      };
      const r = (secure ? https : http).request(options);
      let settled = false;
      const timer = setTimeout(() => {
        r.destroy(
          new SluiceError('Timeout', `Request ${req.method} ${req.path} timed out after ${limit} ms`),
        );
      }, limit);
      timer.unref?.();
      const onAbort = () => r.destroy(abortError(req, req.signal?.reason));
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => {
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
      };
      r.on('response', (res) => {
        settled = true;
        clearTimeout(timer);
        // The abort listener stays until the body ends, so streams stop when the caller aborts.
        res.on('close', cleanup);
        res.on('error', () => {});
        resolve(res);
      });
      r.on('error', (err) => {
        cleanup();
        if (settled) return;
        settled = true;
        if (err instanceof SluiceError) {
          reject(err);
          return;
        }
        const failure = new SluiceError(
          'ConnectionFailed',
          `Request ${req.method} ${req.path} failed: ${err.message}`,
          {
            cause: err,
          },
        );
        staleSocket.set(failure, r.reusedSocket);
        reject(failure);
      });
      if (req.body !== undefined) r.end(req.body);
      else r.end();
    });
  };

  const send = async (req: HttpRequest): Promise<http.IncomingMessage> => {
    if (closed)
      throw new SluiceError(
        'TransportClosed',
        `Request ${req.method} ${req.path} failed: transport is closed`,
      );
    let refreshed = false;
    let resetRetried = false;
    for (let attempt = 0; ; attempt++) {
      await throttle(req.signal);
      const creds = await connection.credentials(req.signal);
      let res: http.IncomingMessage;
      try {
        res = await once(req, creds);
      } catch (err) {
        // A keep-alive socket the server closed while idle fails on first use. Everything but a create is
        // safe to resend (updates carry resourceVersion, patches and deletes are idempotent); reads always are.
        const code = ((err as SluiceError).cause as NodeJS.ErrnoException | undefined)?.code;
        const resendable =
          req.method === 'GET' || (req.method !== 'POST' && staleSocket.get(err as Error) === true);
        if (!resetRetried && resendable && (code === 'ECONNRESET' || code === 'EPIPE')) {
          resetRetried = true;
          continue;
        }
        throw err;
      }
      if (res.statusCode === 401 && !refreshed) {
        res.resume();
        refreshed = true;
        connection.invalidateCredentials();
        continue;
      }
      if (res.statusCode === 429 && attempt < maxRetries) {
        res.resume();
        const after = Number(res.headers['retry-after']);
        const waitMs = Number.isFinite(after) && after > 0 ? Math.min(after * 1000, 10_000) : 1000;
        await sleep(waitMs, { clock, ...(req.signal ? { signal: req.signal } : {}) });
        continue;
      }
      return res;
    }
  };

  return {
    server: connection.server,
    async request(req) {
      const res = await send(req);
      const limit = req.timeoutMs ?? timeoutMs;
      const body = await readAll(res, limit, req);
      return { status: res.statusCode ?? 0, headers: res.headers, body };
    },
    async stream(req) {
      const res = await send(req);
      return { status: res.statusCode ?? 0, headers: res.headers, body: res };
    },
    close() {
      closed = true;
      agent?.destroy();
    },
  };
}

function abortError(req: HttpRequest, reason: unknown): SluiceError {
  return new SluiceError('Aborted', `Request ${req.method} ${req.path} was aborted`, { cause: reason });
}

function readAll(res: http.IncomingMessage, limitMs: number, req: HttpRequest): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      res.destroy(
        new SluiceError('Timeout', `Request ${req.method} ${req.path} timed out after ${limitMs} ms`),
      );
    }, limitMs);
    timer.unref?.();
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    res.on('error', (err) => {
      clearTimeout(timer);
      reject(
        err instanceof SluiceError
          ? err
          : new SluiceError('ConnectionFailed', `Request ${req.method} ${req.path} failed: ${err.message}`, {
              cause: err,
            }),
      );
    });
    res.on('aborted', () => {
      clearTimeout(timer);
      reject(
        new SluiceError('ConnectionFailed', `Request ${req.method} ${req.path} failed: response aborted`),
      );
    });
  });
}
