import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { relayCgiResponse } from '../../../src/server/index.js';

const exec = promisify(execFile);

/** Options of {@link startGitHttpServer}. */
export interface GitHttpServerOptions {
  /** Require these basic-auth credentials; default: anonymous access. */
  basicAuth?: { username: string; password: string };
  /** Also accept `Authorization: Bearer <token>`; default: no bearer tokens. */
  bearerToken?: string;
  /** Serve HTTPS with this PEM certificate and key; default plain HTTP. */
  tls?: { cert: string; key: string };
}

/** A running smart-HTTP git server: `git http-backend` behind node:http on 127.0.0.1. */
export interface GitHttpServer {
  /** `http://127.0.0.1:<port>`; repositories are at `<url>/<name>.git`. */
  url: string;
  /** The directory holding the bare repositories. */
  root: string;
  /** Requests seen, with their method and path, for assertions. */
  requests: { method: string; path: string; authorized: boolean }[];
  /** Creates (or returns) a bare repository `<name>.git` and its URL. */
  createRepo(name: string): Promise<GitFixtureRepo>;
  close(): Promise<void>;
}

/** A bare repository with a scratch work tree to commit from. */
export interface GitFixtureRepo {
  url: string;
  /** The bare repository path. */
  path: string;
  /** Writes files (path → content, `null` deletes) on `branch` (default `master`), commits and pushes; returns the commit. */
  commit(files: Record<string, string | null>, opts?: { branch?: string; message?: string }): Promise<string>;
  /** Creates an annotated tag (or lightweight with `lightweight: true`) at the branch tip; returns the commit. */
  tag(name: string, opts?: { branch?: string; lightweight?: boolean }): Promise<string>;
  /** Points an arbitrary ref (e.g. `refs/pull/1/head`) at a commit. */
  updateRef(ref: string, commit: string): Promise<void>;
  /** Runs git in the scratch work tree. */
  git(...args: string[]): Promise<string>;
}

const GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Committer',
  GIT_COMMITTER_EMAIL: 'committer@example.com',
};

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec('git', args, { cwd, env: { ...process.env, ...GIT_ENV } });
  return stdout.trim();
}

/** Creates a bare repository under `root` with a scratch clone for committing. */
export async function createFixtureRepo(root: string, name: string, url: string): Promise<GitFixtureRepo> {
  const path = join(root, `${name}.git`);
  const work = join(root, '.work', name);
  await mkdir(path, { recursive: true });
  await git(path, 'init', '-q', '--bare', '-b', 'master');
  await git(path, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
  await mkdir(work, { recursive: true });
  await git(work, 'init', '-q', '-b', 'master');
  await git(work, 'remote', 'add', 'origin', path);
  const checkout = async (branch: string) => {
    const current = await git(work, 'symbolic-ref', '--short', 'HEAD');
    if (current === branch) return;
    const exists = await git(work, 'rev-parse', '--verify', '-q', `refs/heads/${branch}`).then(
      () => true,
      () => false,
    );
    await git(work, 'checkout', '-q', ...(exists ? [branch] : ['-b', branch]));
  };
  return {
    url,
    path,
    git: (...args) => git(work, ...args),
    async commit(files, opts = {}) {
      const branch = opts.branch ?? 'master';
      await checkout(branch);
      for (const [p, content] of Object.entries(files)) {
        const full = join(work, p);
        if (content === null) await rm(full, { force: true, recursive: true });
        else {
          await mkdir(dirname(full), { recursive: true });
          await writeFile(full, content);
        }
      }
      await git(work, 'add', '-A');
      await git(work, 'commit', '-q', '--allow-empty', '-m', opts.message ?? 'Update files');
      await git(work, 'push', '-q', '-f', 'origin', `${branch}:refs/heads/${branch}`);
      return git(work, 'rev-parse', 'HEAD');
    },
    async tag(tagName, opts = {}) {
      await checkout(opts.branch ?? 'master');
      if (opts.lightweight) await git(work, 'tag', '-f', tagName);
      else await git(work, 'tag', '-f', '-a', tagName, '-m', `Release ${tagName}`);
      await git(work, 'push', '-q', '-f', 'origin', `refs/tags/${tagName}`);
      return git(work, 'rev-parse', 'HEAD');
    },
    async updateRef(ref, commit) {
      await git(path, 'update-ref', ref, commit);
    },
  };
}

/**
 * Starts `git http-backend` behind a node:http CGI bridge on a random loopback port, with optional
 * basic or bearer authentication. Call `close()` to stop it and delete its repositories.
 */
export async function startGitHttpServer(options: GitHttpServerOptions = {}): Promise<GitHttpServer> {
  const root = await mkdtemp(join(tmpdir(), 'sluice-git-http-'));
  const requests: GitHttpServer['requests'] = [];
  const authorized = (req: IncomingMessage): boolean => {
    if (!options.basicAuth && !options.bearerToken) return true;
    const header = req.headers.authorization ?? '';
    if (options.bearerToken && header === `Bearer ${options.bearerToken}`) return true;
    if (options.basicAuth) {
      const { username, password } = options.basicAuth;
      if (header === `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`) return true;
    }
    return false;
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const ok = authorized(req);
    requests.push({ method: req.method ?? 'GET', path: u.pathname, authorized: ok });
    if (!ok) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end('unauthorized\n');
      return;
    }
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        ...GIT_ENV,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(u.pathname),
        QUERY_STRING: u.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
        ...(req.headers['content-encoding']
          ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] }
          : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
        REMOTE_ADDR: '127.0.0.1',
        REMOTE_USER: options.basicAuth?.username ?? 'anonymous',
      },
    });
    req.pipe(child.stdin);
    relayCgiResponse(child.stdout, res);
    child.stdout.on('end', () => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
    child.on('error', () => res.destroy());
  };
  const server = options.tls ? createHttpsServer(options.tls, handler) : createServer(handler);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    root,
    requests,
    createRepo: (name) => createFixtureRepo(root, name, `${url}/${name}.git`),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await rm(root, { recursive: true, force: true });
    },
  };
}
