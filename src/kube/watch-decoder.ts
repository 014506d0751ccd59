import { StringDecoder } from 'node:string_decoder';

/**
 * Splits a byte stream into newline-delimited JSON values, as Kubernetes watch responses send them: chunks
 * may end in the middle of a line or of a multi-byte character. Blank lines are skipped.
 */
export async function* decodeJsonLines<T = unknown>(
  chunks: AsyncIterable<Buffer | string>,
): AsyncGenerator<T> {
  const decoder = new StringDecoder('utf8');
  let buffered = '';
  for await (const chunk of chunks) {
    buffered += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) yield JSON.parse(line) as T;
      newline = buffered.indexOf('\n');
    }
  }
  const rest = (buffered + decoder.end()).trim();
  if (rest) yield JSON.parse(rest) as T;
}
