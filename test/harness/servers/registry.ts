import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createSign, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitForPort } from './free-port.js';

const exec = promisify(execFile);

/** Options of {@link startRegistry}. */
export interface RegistryOptions {
  /**
   * Protect the registry with token authentication (`WWW-Authenticate: Bearer`): a token service on
   * another loopback port grants pull and push to these credentials. Default: anonymous access.
   */
  tokenAuth?: { username: string; password: string };
  /**
   * Protect the registry with HTTP basic auth (`auth: htpasswd`) for these credentials; needs the
   * `htpasswd` tool from Debian's `apache2-utils`. Default: anonymous access.
   */
  basicAuth?: { username: string; password: string };
}

/** A running distribution registry on 127.0.0.1. */
export interface Registry {
  /** `127.0.0.1:<port>`, the registry host for references. */
  host: string;
  /** Token requests seen (scope and whether the credentials were accepted). */
  tokenRequests: { scope: string; granted: boolean }[];
  close(): Promise<void>;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * Starts Debian's `docker-registry` (the distribution registry, `docker-registry serve config.yml`)
 * with filesystem storage in a temporary directory, optionally with a token service. Needs the
 * `docker-registry` package (and `openssl` for token auth).
 */
export async function startRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-registry-'));
  const port = await freePort();
  const tokenRequests: Registry['tokenRequests'] = [];
  let tokenServer: Server | undefined;
  let authConfig = '';
  if (options.tokenAuth) {
    await exec(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'token.key',
        '-out',
        'token.crt',
        '-days',
        '2',
        '-subj',
        '/CN=sluice-token',
      ],
      { cwd: dir },
    );
    const key = await readFile(join(dir, 'token.key'), 'utf8');
    const certDer = new X509Certificate(await readFile(join(dir, 'token.crt'))).raw;
    const { username, password } = options.tokenAuth;
    const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    tokenServer = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const scope = u.searchParams.get('scope') ?? '';
      const granted = req.headers.authorization === expected;
      tokenRequests.push({ scope, granted });
      if (!granted) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"invalid credentials"}');
        return;
      }
      const access = scope
        .split(' ')
        .filter((s) => s.startsWith('repository:'))
        .map((s) => {
          const [, name, actions] = s.split(':');
          return { type: 'repository', name, actions: (actions ?? '').split(',') };
        });
      const now = Math.floor(Date.now() / 1000);
      const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] }));
      const claims = b64url(
        JSON.stringify({
          iss: 'sluice-test-issuer',
          sub: username,
          aud: 'sluice-test-registry',
          exp: now + 300,
          nbf: now - 10,
          iat: now,
          jti: `${now}-${Math.random()}`,
          access,
        }),
      );
      const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(key);
      const token = `${header}.${claims}.${b64url(signature)}`;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ token, access_token: token }));
    });
    await new Promise<void>((ok) => tokenServer!.listen(0, '127.0.0.1', ok));
    const tokenPort = (tokenServer.address() as AddressInfo).port;
    authConfig = [
      'auth:',
      '  token:',
      `    realm: http://127.0.0.1:${tokenPort}/token`,
      '    service: sluice-test-registry',
      '    issuer: sluice-test-issuer',
      `    rootcertbundle: ${join(dir, 'token.crt')}`,
    ].join('\n');
  }
  if (options.basicAuth) {
    const { stdout } = await exec('htpasswd', [
      '-nbB',
      options.basicAuth.username,
      options.basicAuth.password,
    ]);
    await writeFile(join(dir, 'htpasswd'), stdout);
    authConfig = [
      'auth:',
      '  htpasswd:',
      '    realm: sluice-test',
      `    path: ${join(dir, 'htpasswd')}`,
    ].join('\n');
  }
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: sluice-test-secret',
    authConfig,
    '',
  ].join('\n');
  await writeFile(join(dir, 'config.yml'), config);
  const child: ChildProcess = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const stop = async () => {
    if (!exited) {
      const gone = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      await gone;
    }
    if (tokenServer) {
      tokenServer.closeAllConnections();
      await new Promise<void>((ok) => tokenServer!.close(() => ok()));
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, 15_000, () => !exited);
  } catch (err) {
    await stop();
    throw new Error(`docker-registry did not start: ${stderr}`, { cause: err });
  }
  return { host: `127.0.0.1:${port}`, tokenRequests, close: stop };
}
