import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, SourceError } from '../../src/source/index.js';

function listen(server: Server): Promise<string> {
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

let a: Server;
let b: Server;
let aUrl: string;
let bUrl: string;
const seen: { path: string; auth?: string }[] = [];

beforeAll(async () => {
  b = createServer((req, res) => {
    seen.push({ path: req.url ?? '', auth: req.headers.authorization });
    res.end('from b');
  });
  bUrl = await listen(b);
  a = createServer((req, res) => {
    seen.push({ path: req.url ?? '', auth: req.headers.authorization });
    if (req.url === '/hang') return; // never answers
    if (req.url === '/same') return void res.writeHead(302, { location: '/final' }).end();
    if (req.url === '/other') return void res.writeHead(302, { location: `${bUrl}/elsewhere` }).end();
    if (req.url === '/big') return void res.end(Buffer.alloc(10_000));
    res.end('from a');
  });
  aUrl = await listen(a);
});

afterAll(async () => {
  for (const s of [a, b]) {
    s?.closeAllConnections();
    await new Promise((ok) => s?.close(ok));
  }
});

describe('httpRequest', () => {
  it('times out a server that never answers', async () => {
    const started = Date.now();
    const err = await httpRequest({ url: `${aUrl}/hang` }, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).code).toBe('FetchFailed');
    expect((err as Error).message).toBe(`Request GET ${aUrl}/hang timed out`);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('reports an aborted signal as Canceled', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    const err = await httpRequest({ url: `${aUrl}/hang`, signal: ctl.signal }).catch((e: unknown) => e);
    expect((err as SourceError).code).toBe('Canceled');
  });

  it('keeps credentials on same-host redirects and drops them across hosts', async () => {
    seen.length = 0;
    const same = await httpRequest({ url: `${aUrl}/same`, headers: { authorization: 'Basic eDp5' } });
    expect(same.body.toString()).toBe('from a');
    const other = await httpRequest({ url: `${aUrl}/other`, headers: { authorization: 'Basic eDp5' } });
    expect(other.body.toString()).toBe('from b');
    expect(seen).toEqual([
      { path: '/same', auth: 'Basic eDp5' },
      { path: '/final', auth: 'Basic eDp5' },
      { path: '/other', auth: 'Basic eDp5' },
      { path: '/elsewhere', auth: undefined },
    ]);
  });

  it('refuses bodies over the limit', async () => {
    const err = await httpRequest({ url: `${aUrl}/big`, maxBodyBytes: 1_000 }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`Response of GET ${aUrl}/big is larger than 1000 bytes`);
  });
});
