import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { SourceError, SourceErrorCode } from '../errors.js';
import { SOURCE_IGNORE_FILE, SourceIgnore } from '../ignore/index.js';

/** One listed object. */
export interface BucketObject {
  key: string;
  etag: string;
}

/** What a bucket provider must offer to be synced. */
export interface BucketProvider {
  /** Lists every object under the prefix (all pages). */
  list(prefix: string, signal: AbortSignal): Promise<BucketObject[]>;
  /** Downloads an object, or returns undefined when it does not exist. */
  get(key: string, signal: AbortSignal): Promise<Buffer | undefined>;
}

/** Options shared by the bucket fetchers. */
export interface BucketSyncOptions {
  /** Only objects whose key starts with this (`spec.prefix`); default all. */
  prefix?: string;
  /** `spec.ignore` patterns; they come after the bucket's own `.sourceignore`. */
  ignore?: string;
  /** Where to write the objects (keys become paths). */
  outDir: string;
  /** Downloads in flight at once; default 8. */
  concurrency?: number;
  /** Timeout of the whole fetch in milliseconds; default 60 000. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** What a bucket fetch produced. */
export interface BucketFetchResult {
  dir: string;
  /** `sha256:<hex>` over the sorted `key etag` lines, as Flux computes a Bucket revision. */
  revision: string;
  /** Key → etag of every fetched object. */
  index: Record<string, string>;
}

/**
 * Computes Flux's Bucket revision: sha256 over `"<key> <etag>\n"` for each key in sorted order.
 */
export function bucketRevision(index: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(index).sort()) hash.update(`${key} ${index[key]}\n`);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Syncs a bucket the way Flux's Bucket reconciler does: read `.sourceignore` from the bucket root,
 * add `spec.ignore`, list the objects under the prefix (skipping "directories" and the ignore file),
 * compute the revision from keys and etags, then download the objects into `outDir`.
 */
export async function syncBucket(
  provider: BucketProvider,
  what: string,
  options: BucketSyncOptions,
): Promise<BucketFetchResult> {
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 60_000)];
  if (options.signal) signals.push(options.signal);
  const signal = AbortSignal.any(signals);
  const ignore = new SourceIgnore();
  const ignoreFile = await provider.get(SOURCE_IGNORE_FILE, signal);
  if (ignoreFile) ignore.add(ignoreFile.toString('utf8'));
  if (options.ignore) ignore.add(options.ignore);

  const index: Record<string, string> = {};
  for (const obj of await provider.list(options.prefix ?? '', signal)) {
    if (obj.key.endsWith('/') || obj.key === SOURCE_IGNORE_FILE) continue;
    if (ignore.ignores(obj.key)) continue;
    index[obj.key] = obj.etag;
  }

  const root = resolve(options.outDir);
  await mkdir(root, { recursive: true });
  const keys = Object.keys(index).sort();
  for (const key of keys) {
    const target = resolve(root, key);
    if (!target.startsWith(root + sep)) {
      throw new SourceError(
        SourceErrorCode.UnsafeArchive,
        `Object key '${key}' in ${what} points outside the target directory`,
      );
    }
  }
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++]!;
      const data = await provider.get(key, signal);
      if (!data)
        throw new SourceError(
          SourceErrorCode.NotFound,
          `Object '${key}' vanished from ${what} while fetching`,
        );
      const target = resolve(root, key);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, data);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency ?? 8, Math.max(keys.length, 1)) }, worker),
  );
  return { dir: options.outDir, revision: bucketRevision(index), index };
}
