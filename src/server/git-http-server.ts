import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { pino } from 'pino';

/** Dependencies of {@link startGitHttpServer}. */
export interface GitHttpServerDeps {
  /** Default: silent. */
  logger?: Logger;
}

/** Options of {@link startGitHttpServer}. */
export interface GitHttpServerOptions {
  /** Repositories served, by name: `<url>/<name>.git` serves the git directory (bare or `.git`) given. */
  repositories: Record<string, string>;
  /**
   * Folders served as static files, by name: `<url>/<name>/<file>` answers with a file at the top of the
   * folder (a Helm repository's `index.yaml` and packages). Default: none.
   */
  directories?: Record<string, string>;
  /** Address to bind. Default: `127.0.0.1`. */
  host?: string;
  /** Port to bind; 0 picks a free one. Default: 0. */
  port?: number;
}

/** A running read-only smart-HTTP git server. */
export interface GitHttpServer {
  /** `http://<host>:<port>`. */
  url: string;
  port: number;
  /** The clone URL of a served repository. */
  urlOf(name: string): string;
  /** The URL of a served folder, with a trailing slash. */
  urlOfDirectory(name: string): string;
  close(): Promise<void>;
}

const REPO_PATH = /^\/([A-Za-z0-9._-]+)\.git(\/.*)?$/;
const FILE_PATH = /^\/([A-Za-z0-9_-][A-Za-z0-9._-]*)\/([A-Za-z0-9_-][A-Za-z0-9._+-]*)?$/;

const CONTENT_TYPES: Record<string, string> = {
  '.yaml': 'application/x-yaml',
  '.yml': 'application/x-yaml',
  '.json': 'application/json',
  '.tgz': 'application/gzip',
  '.gz': 'application/gzip',
};

/** Answers a GET or HEAD for a file at the top of a served folder (names never hold `/` or start with `.`). */
function serveFile(req: IncomingMessage, res: ServerResponse, dir: string, file: string | undefined): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
    return;
  }
  const path = join(dir, file ?? 'index.yaml');
  stat(path).then(
    (st) => {
      if (!st.isFile()) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('file not found\n');
        return;
      }
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
        'content-length': String(st.size),
        'last-modified': st.mtime.toUTCString(),
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      createReadStream(path)
        .on('error', () => res.destroy())
        .pipe(res);
    },
    () => res.writeHead(404, { 'content-type': 'text/plain' }).end('file not found\n'),
  );
}

/**
 * Serves git repositories read-only over the smart HTTP protocol: each request runs `git http-backend`
 * (CGI), which answers clones and fetches (upload-pack). Pushes (receive-pack) are refused with 403;
 * the repositories are written on disk by their owners. Every request gets a 60 s timeout. Folders given
 * as `directories` are served as plain files next to the repositories (a Helm chart repository).
 */
export async function startGitHttpServer(
  deps: GitHttpServerDeps,
  options: GitHttpServerOptions,
): Promise<GitHttpServer> {
  const logger = deps.logger ?? pino({ level: 'silent' });
  const repositories = { ...options.repositories };
  const directories = { ...options.directories };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://localhost');
    const f = FILE_PATH.exec(u.pathname);
    const folder = f ? directories[f[1]!] : undefined;
    if (f && folder) {
      serveFile(req, res, folder, f[2]);
      return;
    }
    const m = REPO_PATH.exec(u.pathname);
    const gitDir = m ? repositories[m[1]!] : undefined;
    if (!m || !gitDir) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('repository not found\n');
      return;
    }
    const rest = m[2] ?? '/';
    if (rest.includes('git-receive-pack') || u.searchParams.get('service') === 'git-receive-pack') {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('pushes are not accepted over HTTP\n');
      return;
    }
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_PROJECT_ROOT: dirname(gitDir),
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: `/${basename(gitDir)}${rest}`,
        QUERY_STRING: u.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
        ...(req.headers['content-encoding']
          ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] }
          : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
        REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      },
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    req.pipe(child.stdin);
    child.stdin.on('error', () => {});
    relayCgiResponse(child.stdout, res);
    child.stderr.on('data', (chunk: Buffer) =>
      logger.debug({ repository: m[1], stderr: chunk.toString().trim() }, 'git http-backend'),
    );
    child.on('close', () => {
      clearTimeout(timer);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      logger.error({ err }, 'git http-backend failed to start');
      res.destroy();
    });
  };
  const server: Server = createServer(handler);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url, repositories: Object.keys(repositories) }, 'git server listening');
  return {
    url,
    port,
    urlOf: (name) => `${url}/${name}.git`,
    urlOfDirectory: (name) => `${url}/${name}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/**
 * Relays a CGI program's output (such as `git http-backend`'s) to an HTTP response: the header block up to
 * the blank line becomes the status (from `Status:`) and headers, the rest the body. The caller ends the
 * response when the program exits.
 */
export function relayCgiResponse(stdout: Readable, res: ServerResponse): void {
  let head = Buffer.alloc(0);
  stdout.on('data', (chunk: Buffer) => {
    if (res.headersSent) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const sep = head.indexOf('\r\n\r\n');
    if (sep < 0) return;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, sep).toString('latin1').split('\r\n')) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const k = line.slice(0, i).trim();
      const v = line.slice(i + 1).trim();
      if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10);
      else headers[k] = v;
    }
    res.writeHead(status, headers);
    res.write(head.subarray(sep + 4));
  });
}
