import { describe, expect, it } from 'vitest';
import { decodeJsonLines } from './watch-decoder.js';

async function collect<T>(gen: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of gen) out.push(v);
  return out;
}

async function* chunks(...parts: (string | Buffer)[]) {
  for (const p of parts) yield typeof p === 'string' ? Buffer.from(p) : p;
}

describe('decodeJsonLines', () => {
  it('decodes events split across chunks at any point', async () => {
    const text = '{"type":"ADDED","object":{"a":1}}\n{"type":"MODIFIED","object":{"a":2}}\n';
    for (let cut = 1; cut < text.length; cut++) {
      const got = await collect(decodeJsonLines(chunks(text.slice(0, cut), text.slice(cut))));
      expect(got).toEqual([
        { type: 'ADDED', object: { a: 1 } },
        { type: 'MODIFIED', object: { a: 2 } },
      ]);
    }
  });

  it('keeps multi-byte characters split between chunks intact', async () => {
    const bytes = Buffer.from('{"msg":"héllo ✓"}\n');
    const split = bytes.indexOf(0xc3) + 1;
    const got = await collect(decodeJsonLines(chunks(bytes.subarray(0, split), bytes.subarray(split))));
    expect(got).toEqual([{ msg: 'héllo ✓' }]);
  });

  it('skips blank lines and decodes a last line without a newline', async () => {
    const got = await collect(decodeJsonLines(chunks('\n{"a":1}\n\n', '{"b":2}')));
    expect(got).toEqual([{ a: 1 }, { b: 2 }]);
  });
});
