import { timingSafeEqual } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { internalError, type StatusCause, StatusError, tooLarge, unauthorized } from './status.js';
import type { TlsMaterial } from './tls.js';

/** The default request body limit, the API server's 3 MiB. */
export const DEFAULT_BODY_LIMIT = 3 * 1024 * 1024;

/** A decoded request as handlers see it. */
export interface ApiRequest {
  method: string;
  /** The URL path, percent-decoded per segment by the router. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The request body, read in full (within the size limit); empty when there was none. */
  body: Buffer;
  /** Aborts when the client goes away or the server stops. */
  signal: AbortSignal;
}

/** Handles one request by writing to `res`; a thrown {@link StatusError} becomes a `Status` response. */
export type ApiHandler = (req: ApiRequest, res: ServerResponse) => Promise<void> | void;

/** Options of {@link createApiServer}. */
export interface ApiServerOptions {
  handler: ApiHandler;
  /** Serve HTTPS with this material; plain HTTP when absent. */
  tls?: TlsMaterial;
  /** Require `Authorization: Bearer <token>` on every path but the anonymous ones. Default: no auth. */
  token?: string;
  /** Largest accepted body in bytes. Default: {@link DEFAULT_BODY_LIMIT}. */
  bodyLimit?: number;
  /**
   * Called whenever a handler writes to or ends a response: a promise when writes the response may reflect are
   * not durable yet. The output then waits for it (in call order) and the connection is destroyed when it
   * rejects, so no client sees a write before it is durable. Default: responses go out at once.
   */
  durable?: () => Promise<void> | undefined;
  logger?: Logger;
}

/** A listening API server. */
export interface ApiServer {
  /** `https://host:port` or `http://host:port`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting requests and ends every open connection (watches included). */
  close(): Promise<void>;
}

const ANONYMOUS = new Set(['/healthz', '/livez', '/readyz', '/version']);

/** Writes `body` as JSON with `code`. */
export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(text);
}

/** Writes an error as a Kubernetes `Status` object. */
export function sendError(res: ServerResponse, err: unknown, logger?: Logger): void {
  const status =
    err instanceof StatusError ? err : internalError(err instanceof Error ? err.message : String(err), err);
  if (status.status >= 500) logger?.error({ err }, 'request failed');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status.status, status.toStatus());
}

/**
 * The {@link StatusError} for any thrown value: itself, an error that carries `status`, `reason` and optional
 * `causes` (the shape other parts of the cluster throw), or a 500 InternalError.
 */
export function toStatusError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  const shaped = err as { status?: unknown; reason?: unknown; causes?: unknown; message?: unknown };
  if (
    err instanceof Error &&
    typeof shaped.status === 'number' &&
    shaped.status >= 400 &&
    shaped.status < 600 &&
    typeof shaped.reason === 'string'
  ) {
    const causes = Array.isArray(shaped.causes) ? (shaped.causes as StatusCause[]) : undefined;
    return new StatusError(shaped.status, shaped.reason, err.message, causes ? { causes } : undefined, {
      cause: err,
    });
  }
  return internalError(err instanceof Error ? err.message : String(err), err);
}

function authorized(header: string | undefined, token: string): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7).trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Holds back `res.write` and `res.end` calls while `durable()` returns a promise, replaying them in call order
 * once it resolves; when it rejects, the response is destroyed instead.
 */
function gateResponse(
  res: ServerResponse,
  durable: () => Promise<void> | undefined,
  logger: Logger | undefined,
): void {
  const write = res.write;
  const end = res.end;
  let queued = 0;
  let tail: Promise<void> = Promise.resolve();
  let failed = false;
  let ended = false;
  const run = (op: () => void) => {
    const wait = durable();
    if (queued === 0 && !wait) {
      op();
      return;
    }
    queued++;
    tail = tail
      .then(() => wait)
      .then(
        () => {
          queued--;
          if (!failed && !res.destroyed) op();
        },
        (err: unknown) => {
          queued--;
          if (failed) return;
          failed = true;
          logger?.debug({ err }, 'response dropped: its writes were not committed');
          res.destroy(err instanceof Error ? err : new Error(String(err)));
        },
      );
  };
  // biome-ignore lint/suspicious/noExplicitAny: write and end are overloaded; the arguments pass through unchanged
  res.write = function (this: ServerResponse, ...args: any[]) {
    if (ended) return false;
    run(() => (write as (...a: unknown[]) => boolean).apply(res, args));
    return true;
  } as ServerResponse['write'];
  // biome-ignore lint/suspicious/noExplicitAny: as above
  res.end = function (this: ServerResponse, ...args: any[]) {
    if (ended) return res;
    ended = true;
    run(() => (end as (...a: unknown[]) => ServerResponse).apply(res, args));
    return res;
  } as ServerResponse['end'];
  // Handlers test writableEnded to stop writing: it must turn true when they call end, not when the data leaves.
  Object.defineProperty(res, 'writableEnded', {
    configurable: true,
    get: () => ended || res.destroyed,
  });
}

/**
 * Starts the API server's listener on `host:port` (`port` 0 picks a free one): TLS when material is given,
 * bearer-token authentication, body limits, and `Status` responses for every failure.
 */
export async function createApiServer(
  options: ApiServerOptions,
  host: string,
  port: number,
): Promise<ApiServer> {
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const controllers = new Set<AbortController>();

  const listener = async (req: IncomingMessage, res: ServerResponse) => {
    const controller = new AbortController();
    controllers.add(controller);
    if (options.durable) gateResponse(res, options.durable, options.logger);
    const started = performance.now();
    res.on('close', () => {
      controller.abort();
      controllers.delete(controller);
      options.logger?.debug(
        {
          method: req.method,
          url: req.url,
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
        },
        'request',
      );
    });
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (
        options.token &&
        !ANONYMOUS.has(url.pathname) &&
        !authorized(req.headers.authorization, options.token)
      ) {
        req.resume();
        throw unauthorized();
      }
      let body: Buffer;
      try {
        body = await readBody(req, limit);
      } catch (err) {
        // The rest of an oversized body is not worth reading: answer, then drop the connection.
        res.setHeader('Connection', 'close');
        throw err;
      }
      await options.handler(
        {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
          signal: controller.signal,
        },
        res,
      );
    } catch (err) {
      sendError(res, err, options.logger);
    }
  };

  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, listener)
    : http.createServer(listener);
  server.keepAliveTimeout = 30_000;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${options.tls ? 'https' : 'http'}://${hostPart}:${address.port}`;
  return {
    url,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const controller of controllers) controller.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
