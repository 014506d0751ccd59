import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';

/** Options of {@link startStaticServer}. */
export interface StaticServerOptions {
  /** The directory served read-only (a Helm repository: `index.yaml` and chart `.tgz` files). */
  root: string;
  /** Require these basic-auth credentials; default anonymous. */
  basicAuth?: { username: string; password: string };
  /** Serve HTTPS with this PEM certificate and key; default plain HTTP. */
  tls?: { cert: string; key: string };
}

/** A running static file server on 127.0.0.1. */
export interface StaticServer {
  url: string;
  /** Requests seen (path and whether an Authorization header came along). */
  requests: { path: string; auth: boolean }[];
  close(): Promise<void>;
}

/** Serves a directory over HTTP(S) on a random loopback port, with optional basic auth. */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const requests: StaticServer['requests'] = [];
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push({ path, auth: !!req.headers.authorization });
    if (options.basicAuth) {
      const { username, password } = options.basicAuth;
      if (
        req.headers.authorization !== `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
      ) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="charts"' }).end();
        return;
      }
    }
    const rel = normalize(path).replace(/^(\.\.(\/|$))+/, '');
    try {
      const body = await readFile(join(options.root, rel));
      res.writeHead(200, { 'content-length': body.length }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  };
  const server = options.tls ? createHttpsServer(options.tls, handler) : createHttpServer(handler);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
