import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Parser, Unpack } from 'tar';
import { SourceError, SourceErrorCode } from '../errors.js';

/** Limits and switches of {@link extractTarball}. */
export interface ExtractOptions {
  /** Refuse archives whose entries add up to more than this many bytes; default 100 MiB. */
  maxBytes?: number;
  /** Refuse archives with more than this many entries; default 10 000. */
  maxFiles?: number;
  /** Allow symlinks (pointing inside the tree) and hard links (to entries inside it); default true. */
  allowLinks?: boolean;
  signal?: AbortSignal;
}

/** What {@link extractTarball} wrote. */
export interface ExtractResult {
  files: number;
  bytes: number;
}

const ALLOWED_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);

/**
 * Extracts a tarball (gzip-compressed or plain) into `outDir`, refusing the whole archive on the first
 * unsafe entry: a `..` segment or absolute path, a symlink or hard link that points out of the tree,
 * a device, FIFO or other special file, or more bytes or entries than the limits allow. On refusal
 * `outDir` is removed and a `SourceError` with code `UnsafeArchive` is thrown.
 */
export async function extractTarball(
  source: string | Buffer | Readable,
  outDir: string,
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  const maxBytes = options.maxBytes ?? 100 * 1024 * 1024;
  const maxFiles = options.maxFiles ?? 10_000;
  const allowLinks = options.allowLinks ?? true;
  // Two passes: the first only reads headers and refuses the archive before anything is written, so a
  // refusal never leaves a partly extracted tree behind.
  const spooled = source instanceof Readable ? await spool(source, options.signal) : undefined;
  const input = spooled?.file ?? (source as string | Buffer);
  try {
    const counts = await scan(input, maxBytes, maxFiles, allowLinks, options.signal);
    await mkdir(outDir, { recursive: true });
    try {
      await runParser(input, new Unpack({ cwd: outDir, strict: true, preservePaths: false }), options.signal);
    } catch (err) {
      await rm(outDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
      throw err instanceof SourceError ? err : unsafe(err instanceof Error ? err.message : String(err), err);
    }
    return counts;
  } finally {
    if (spooled) await rm(spooled.dir, { recursive: true, force: true });
  }
}

async function scan(
  input: string | Buffer,
  maxBytes: number,
  maxFiles: number,
  allowLinks: boolean,
  signal: AbortSignal | undefined,
): Promise<ExtractResult> {
  let files = 0;
  let bytes = 0;
  let violation: SourceError | undefined;
  const parser: Parser = new Parser({
    strict: true,
    onReadEntry: (entry) => {
      if (!violation) {
        const problem = checkEntry(entry.path, entry as unknown as TarEntryLike, allowLinks);
        if (problem) violation = unsafe(problem);
        else {
          files++;
          bytes += entry.size ?? 0;
          if (files > maxFiles) violation = unsafe(`it has more than ${maxFiles} entries`);
          else if (bytes > maxBytes) violation = unsafe(`its content exceeds ${maxBytes} bytes`);
        }
        if (violation) parser.abort(violation);
      }
      entry.resume();
    },
  });
  try {
    await runParser(input, parser, signal);
  } catch (err) {
    if (violation) throw violation;
    if (err instanceof SourceError) throw err;
    throw unsafe(err instanceof Error ? err.message : String(err), err);
  }
  if (violation) throw violation;
  return { files, bytes };
}

function runParser(input: string | Buffer, parser: Parser, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const stream = typeof input === 'string' ? createReadStream(input) : Readable.from([input]);
    let settled = false;
    const done = (err?: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (err) {
        stream.destroy();
        reject(err);
      } else resolve();
    };
    const onAbort = () => {
      const err = new SourceError(SourceErrorCode.Canceled, 'Extraction was canceled', {
        cause: signal?.reason,
      });
      parser.abort(err);
      done(err);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    parser.on('error', (err: unknown) => done(err));
    parser.on('abort', (err: unknown) => done(err));
    parser.on('close', () => done());
    stream.on('error', (err: Error) => done(err));
    stream.pipe(parser as unknown as NodeJS.WritableStream);
  });
}

async function spool(
  source: Readable,
  signal: AbortSignal | undefined,
): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-extract-'));
  const file = join(dir, 'archive');
  await pipeline(source, createWriteStream(file), { signal });
  return { dir, file };
}

interface TarEntryLike {
  type: string;
  size?: number;
  linkpath?: string;
}

function unsafe(reason: string, cause?: unknown): SourceError {
  return new SourceError(SourceErrorCode.UnsafeArchive, `Refused to extract archive: ${reason}`, { cause });
}

function escapes(p: string): boolean {
  return p === '..' || p.startsWith('../');
}

function checkEntry(path: string, entry: TarEntryLike, allowLinks: boolean): string | undefined {
  if (path.includes('\0')) return `entry '${path}' has a NUL byte in its name`;
  if (posix.isAbsolute(path) || /^[a-zA-Z]:/.test(path) || path.startsWith('\\')) {
    return `entry '${path}' has an absolute path`;
  }
  if (path.split(/[/\\]/).includes('..')) return `entry '${path}' has a '..' path segment`;
  if (!ALLOWED_TYPES.has(entry.type)) return `entry '${path}' is a ${entry.type}, not a file or directory`;
  if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
    if (!allowLinks) return `entry '${path}' is a link`;
    const target = entry.linkpath ?? '';
    if (posix.isAbsolute(target)) return `link '${path}' points to the absolute path '${target}'`;
    const resolved =
      entry.type === 'SymbolicLink'
        ? posix.normalize(posix.join(posix.dirname(posix.normalize(path)), target))
        : posix.normalize(target);
    if (escapes(resolved)) return `link '${path}' points out of the tree to '${target}'`;
  }
  return undefined;
}
