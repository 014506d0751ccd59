import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTransport, type KubeConnection, loadKubeConfig } from '../../src/kube/index.js';
import { makePki } from './pki.js';

let server: http.Server;
let tlsServer: https.Server;
let url: string;
let tlsUrl: string;
let caCert: string;
let connections = 0;
let handshakes = 0;
let tooMany = 0;

function handler(req: http.IncomingMessage, res: http.ServerResponse) {
  if (req.url === '/slow') return; // never answers
  if (req.url === '/busy' && tooMany-- > 0) {
    res.writeHead(429, { 'Retry-After': '1', 'Content-Type': 'application/json' });
    res.end('{"kind":"Status","code":429,"reason":"TooManyRequests"}');
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ path: req.url }));
}

function connection(server: string): KubeConnection {
  return loadKubeConfig({
    text: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'c',
          cluster: {
            server,
            ...(server.startsWith('https')
              ? { 'certificate-authority-data': Buffer.from(caCert).toString('base64') }
              : {}),
          },
        },
      ],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  });
}

beforeAll(async () => {
  server = http.createServer(handler);
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pki = makePki();
  caCert = pki.caCert;
  tlsServer = https.createServer({ key: pki.serverKey, cert: pki.serverCert }, handler);
  tlsServer.on('secureConnection', () => handshakes++);
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
  tlsUrl = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of [server, tlsServer]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('HTTP transport', () => {
  it('reuses one TLS connection for sequential requests', async () => {
    const transport = createHttpTransport(connection(tlsUrl));
    try {
      for (let i = 0; i < 50; i++) {
        const res = await transport.request({ method: 'GET', path: `/api/${i}` });
        expect(JSON.parse(res.body.toString())).toEqual({ path: `/api/${i}` });
      }
      expect(handshakes).toBe(1);
    } finally {
      transport.close();
    }
  });

  it('speaks plain HTTP and bounds parallel connections by maxSockets', async () => {
    connections = 0;
    const transport = createHttpTransport(connection(url), { maxSockets: 4 });
    try {
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => transport.request({ method: 'GET', path: `/p/${i}` })),
      );
      expect(connections).toBeLessThanOrEqual(4);
    } finally {
      transport.close();
    }
  });

  it('times out a request that gets no answer', async () => {
    const transport = createHttpTransport(connection(url), { timeoutMs: 200 });
    try {
      const started = Date.now();
      await expect(transport.request({ method: 'GET', path: '/slow' })).rejects.toMatchObject({
        code: 'Timeout',
        message: 'Request GET /slow timed out after 200 ms',
      });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      transport.close();
    }
  });

  it('stops a request when its signal aborts', async () => {
    const transport = createHttpTransport(connection(url));
    try {
      const ac = new AbortController();
      const pending = transport.request({ method: 'GET', path: '/slow', signal: ac.signal });
      setTimeout(() => ac.abort(), 50);
      await expect(pending).rejects.toMatchObject({ code: 'Aborted' });
    } finally {
      transport.close();
    }
  });

  it('retries 429 answers after Retry-After', async () => {
    tooMany = 1;
    const transport = createHttpTransport(connection(url));
    try {
      const started = Date.now();
      const res = await transport.request({ method: 'GET', path: '/busy' });
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    } finally {
      transport.close();
    }
  });

  it('limits the request rate to qps with a burst', async () => {
    const transport = createHttpTransport(connection(url), { qps: 20, burst: 5 });
    try {
      const started = Date.now();
      await Promise.all(Array.from({ length: 15 }, () => transport.request({ method: 'GET', path: '/q' })));
      // 5 at once, then 10 more at 20 per second.
      expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    } finally {
      transport.close();
    }
  });
});
