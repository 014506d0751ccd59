import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve, sep } from 'node:path';
import type { Logger } from 'pino';

/** Dependencies of {@link createArtifactServer}. */
export interface ArtifactServerDeps {
  logger?: Logger;
}

/** Options of {@link createArtifactServer}. */
export interface ArtifactServerOptions {
  /** The artifact store's root directory. */
  root: string;
  /** The address to bind; default `127.0.0.1`. */
  host?: string;
  /** The port; default 0 (a free port). */
  port?: number;
}

/** A running artifact server. */
export interface ArtifactServer {
  /** `http://host:port`, the base URL for {@link ArtifactStoreOptions.baseUrl}. */
  url: string;
  port: number;
  /** Stops accepting connections and closes open ones. */
  close(): Promise<void>;
}

const CONTENT_TYPES: [string, string][] = [
  ['.tar.gz', 'application/gzip'],
  ['.tgz', 'application/gzip'],
  ['.yaml', 'application/x-yaml'],
  ['.json', 'application/json'],
];

/**
 * Serves the artifact store read-only over HTTP (`GET`/`HEAD /<kind>/<ns>/<name>/<file>`), so that
 * `status.artifact.url` can be downloaded. Paths leaving the root and dot-files (temporary files being
 * written) answer 404.
 */
export async function createArtifactServer(
  deps: ArtifactServerDeps,
  options: ArtifactServerOptions,
): Promise<ArtifactServer> {
  const root = resolve(options.root);
  const server: Server = createServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const segments = rel.split('/').filter((s) => s !== '');
    const full = resolve(root, ...segments);
    const hidden = segments.some((s) => s.startsWith('.'));
    if (segments.length === 0 || hidden || !full.startsWith(root + sep)) {
      res.writeHead(404).end();
      return;
    }
    const st = await stat(full).catch(() => undefined);
    if (!st?.isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const type = CONTENT_TYPES.find(([ext]) => full.endsWith(ext))?.[1] ?? 'application/octet-stream';
    res.writeHead(200, {
      'content-type': type,
      'content-length': String(st.size),
      'last-modified': st.mtime.toUTCString(),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(full);
    stream.on('error', (err) => {
      deps.logger?.warn({ err, path: rel }, 'artifact read failed');
      res.destroy(err);
    });
    stream.pipe(res);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => ok());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
