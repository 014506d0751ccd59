import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, createApiServer, sendJson } from './index.js';

interface Gate {
  promise: Promise<void>;
  open(): void;
  fail(err: Error): void;
}

function gate(): Gate {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  // The server attaches its own handlers; this one only keeps an unobserved rejection quiet.
  promise.catch(() => undefined);
  return { promise, open, fail };
}

function get(url: string, onChunk?: (chunk: string) => void): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
          onChunk?.(c.toString());
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('createApiServer with a durability gate', () => {
  let server: ApiServer;
  let current: Gate | undefined;
  beforeAll(async () => {
    server = await createApiServer(
      {
        durable: () => current?.promise,
        handler: (req, res) => {
          if (req.path === '/stream') {
            res.writeHead(200, { 'Content-Type': 'text/plain' });
            res.write('one,');
            // Nothing is pending any more, yet this must not overtake the held-back write.
            current = undefined;
            res.write('two,');
            res.end('three');
            // end() counts at once for the handler, even while the data waits.
            if (!res.writableEnded) throw new Error('writableEnded should be true after end()');
            res.end('ignored');
            return;
          }
          sendJson(res, 200, { path: req.path });
        },
      },
      '127.0.0.1',
      0,
    );
  });
  afterAll(async () => {
    await server.close();
  });

  it('sends a response at once when nothing is pending', async () => {
    current = undefined;
    expect(await get(`${server.url}/now`)).toEqual({ status: 200, body: '{"path":"/now"}' });
  });

  it('holds a response back until the pending writes are durable, then sends its parts in call order', async () => {
    const pending = gate();
    current = pending;
    const chunks: string[] = [];
    const reply = get(`${server.url}/stream`, (c) => chunks.push(c));
    await new Promise((r) => setTimeout(r, 100));
    expect(chunks).toEqual([]);
    pending.open();
    expect(await reply).toEqual({ status: 200, body: 'one,two,three' });
  });

  it('drops the connection instead of answering when the pending writes fail', async () => {
    const pending = gate();
    current = pending;
    const reply = get(`${server.url}/lost`);
    await new Promise((r) => setTimeout(r, 50));
    pending.fail(new Error('disk full'));
    await expect(reply).rejects.toThrow(/socket hang up|ECONNRESET/);
    current = undefined;
    expect((await get(`${server.url}/after`)).status).toBe(200);
  });
});
