import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, posix, resolve, sep } from 'node:path';
import type { Logger } from 'pino';
import { SourceError, SourceErrorCode } from '../errors.js';
import { type ArchiveOptions, createArchive, digestFile } from './archive.js';

/** The object an artifact belongs to. */
export interface ArtifactOwner {
  /** The kind, e.g. `GitRepository`; stored lower-cased as Flux does. */
  kind: string;
  namespace: string;
  name: string;
}

/** An artifact as it appears in `status.artifact`. */
export interface Artifact {
  /** `<kind>/<namespace>/<name>/<file>`, relative to the store root. */
  path: string;
  /** Where the artifact server serves it. */
  url: string;
  /** The source revision, e.g. `main@sha1:<hex>`. */
  revision: string;
  /** `sha256:<hex>` of the file. */
  digest: string;
  /** RFC 3339 time the file was written, second precision. */
  lastUpdateTime: string;
  /** Size in bytes. */
  size: number;
  /** Extra facts, e.g. OCI annotations. */
  metadata?: Record<string, string>;
}

/** Dependencies of {@link ArtifactStore}. */
export interface ArtifactStoreDeps {
  logger?: Logger;
  /** The clock; default `() => new Date()`. */
  now?: () => Date;
}

/** Options of {@link ArtifactStore}. */
export interface ArtifactStoreOptions {
  /** The directory holding every artifact. Created when missing. */
  root: string;
  /** The URL the artifact server answers on, e.g. `http://127.0.0.1:9090`; no trailing slash needed. */
  baseUrl: string;
  /** Artifacts kept per object by {@link ArtifactStore.garbageCollect}, the current one included; default 2. */
  retentionRecords?: number;
  /** Older artifacts stay at least this long, in milliseconds; default 60 000 (Flux's 60s). */
  retentionTtlMs?: number;
}

/** Options of {@link ArtifactStore.archive}. */
export interface StoreArchiveOptions extends ArchiveOptions {
  revision: string;
  /** The file name; default `<hex of the revision's checksum>.tar.gz` or `<digest hex>.tar.gz`. */
  file?: string;
  metadata?: Record<string, string>;
}

const TMP_MARK = '.tmp-';

/**
 * The artifact store: tar.gz and plain-file artifacts under `<root>/<kind>/<ns>/<name>/<file>`,
 * written atomically (a temporary file renamed into place, so a crash never leaves a half-written
 * artifact under its final name), with digests, URLs and garbage collection of older artifacts.
 */
export class ArtifactStore {
  /** The absolute store directory. */
  readonly root: string;
  readonly #baseUrl: string;
  readonly #records: number;
  readonly #ttlMs: number;
  readonly #now: () => Date;
  readonly #logger: Logger | undefined;

  constructor(deps: ArtifactStoreDeps, options: ArtifactStoreOptions) {
    if (!options.root) throw new TypeError('ArtifactStore: options.root is required');
    if (!options.baseUrl) throw new TypeError('ArtifactStore: options.baseUrl is required');
    this.root = resolve(options.root);
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#records = options.retentionRecords ?? 2;
    this.#ttlMs = options.retentionTtlMs ?? 60_000;
    if (this.#records < 1) throw new TypeError('ArtifactStore: options.retentionRecords must be at least 1');
    this.#now = deps.now ?? (() => new Date());
    this.#logger = deps.logger;
  }

  /** Returns `<kind>/<namespace>/<name>/<file>` with the kind lower-cased. */
  pathFor(owner: ArtifactOwner, file: string): string {
    for (const part of [owner.kind, owner.namespace, owner.name, file]) {
      if (!part || part.includes('/') || part.includes('\\') || part === '..' || part === '.') {
        throw new SourceError(
          SourceErrorCode.StorageOperationFailed,
          `Invalid artifact path segment '${part}'`,
        );
      }
    }
    return posix.join(owner.kind.toLowerCase(), owner.namespace, owner.name, file);
  }

  /** Returns the absolute local file of an artifact path, refusing paths that leave the store. */
  localPath(path: string): string {
    const full = resolve(this.root, path);
    if (full !== this.root && !full.startsWith(this.root + sep)) {
      throw new SourceError(
        SourceErrorCode.StorageOperationFailed,
        `Artifact path '${path}' is outside the store`,
      );
    }
    return full;
  }

  /** Returns the URL of an artifact path on the artifact server. */
  urlFor(path: string): string {
    return `${this.#baseUrl}/${path.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** Archives a directory as `<kind>/<ns>/<name>/<file>` (tar.gz) and returns the artifact. */
  async archive(owner: ArtifactOwner, dir: string, options: StoreArchiveOptions): Promise<Artifact> {
    const file = options.file ?? `${defaultName(options.revision)}.tar.gz`;
    const path = this.pathFor(owner, file);
    return this.#atomic(path, options.revision, options.metadata, (tmp) =>
      createArchive(dir, tmp, { filter: options.filter }),
    );
  }

  /** Stores bytes (e.g. a Helm index) as an artifact file. */
  async storeBytes(
    owner: ArtifactOwner,
    file: string,
    data: Buffer | string,
    options: { revision: string; metadata?: Record<string, string> },
  ): Promise<Artifact> {
    const path = this.pathFor(owner, file);
    return this.#atomic(path, options.revision, options.metadata, async (tmp) => {
      await writeFile(tmp, data);
      return digestFile(tmp);
    });
  }

  /** Copies a local file (e.g. a chart `.tgz`) into the store as an artifact. */
  async storeFile(
    owner: ArtifactOwner,
    file: string,
    sourcePath: string,
    options: { revision: string; metadata?: Record<string, string> },
  ): Promise<Artifact> {
    const path = this.pathFor(owner, file);
    return this.#atomic(path, options.revision, options.metadata, async (tmp) => {
      await copyFile(sourcePath, tmp);
      return digestFile(tmp);
    });
  }

  async #atomic(
    path: string,
    revision: string,
    metadata: Record<string, string> | undefined,
    write: (tmp: string) => Promise<{ digest: string; size: number }>,
  ): Promise<Artifact> {
    const target = this.localPath(path);
    const tmp = join(dirname(target), `${TMP_MARK}${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(dirname(target), { recursive: true });
      const { digest, size } = await write(tmp);
      await rename(tmp, target);
      const artifact: Artifact = {
        path,
        url: this.urlFor(path),
        revision,
        digest,
        lastUpdateTime: rfc3339(this.#now()),
        size,
        ...(metadata ? { metadata } : {}),
      };
      this.#logger?.debug({ path, revision, digest }, 'stored artifact');
      return artifact;
    } catch (err) {
      await rm(tmp, { force: true });
      if (err instanceof SourceError) throw err;
      throw new SourceError(
        SourceErrorCode.StorageOperationFailed,
        `Storing artifact '${path}' failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  /** Tells whether the artifact's file exists. */
  async exists(artifact: Pick<Artifact, 'path'>): Promise<boolean> {
    try {
      return (await stat(this.localPath(artifact.path))).isFile();
    } catch {
      return false;
    }
  }

  /** Tells whether the file still has the advertised digest. */
  async verify(artifact: Pick<Artifact, 'path' | 'digest'>): Promise<boolean> {
    if (!(await this.exists(artifact))) return false;
    return (await digestFile(this.localPath(artifact.path))).digest === artifact.digest;
  }

  /** Removes every artifact of an object (deletion of the object). */
  async removeAll(owner: ArtifactOwner): Promise<void> {
    const dir = this.localPath(posix.join(owner.kind.toLowerCase(), owner.namespace, owner.name));
    await rm(dir, { recursive: true, force: true });
  }

  /**
   * Deletes older artifacts of an object: everything beyond the newest `retentionRecords` files, and
   * any file older than `retentionTtlMs`, but never `keep` (the current artifact's path). Stale
   * temporary files older than the TTL go too. Returns the deleted paths.
   */
  async garbageCollect(owner: ArtifactOwner, keep?: string): Promise<string[]> {
    const dirPath = posix.join(owner.kind.toLowerCase(), owner.namespace, owner.name);
    const dir = this.localPath(dirPath);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const now = this.#now().getTime();
    const files: { path: string; mtime: number; tmp: boolean }[] = [];
    for (const name of names) {
      const st = await stat(join(dir, name)).catch(() => undefined);
      if (!st?.isFile()) continue;
      files.push({ path: posix.join(dirPath, name), mtime: st.mtimeMs, tmp: name.startsWith(TMP_MARK) });
    }
    files.sort((a, b) => b.mtime - a.mtime);
    const deleted: string[] = [];
    let kept = keep ? 1 : 0;
    for (const f of files) {
      if (f.path === keep) continue;
      const expired = now - f.mtime > this.#ttlMs;
      if (f.tmp) {
        if (expired) deleted.push(f.path);
        continue;
      }
      if (kept < this.#records && !expired) {
        kept++;
        continue;
      }
      deleted.push(f.path);
    }
    for (const p of deleted) await rm(this.localPath(p), { force: true });
    if (deleted.length > 0) this.#logger?.debug({ deleted }, 'garbage collected artifacts');
    return deleted;
  }
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function defaultName(revision: string): string {
  // Flux names Git artifacts after the commit: the checksum part of `<ref>@<algo>:<hex>`.
  const m = /(?:^|@)(?:sha1|sha256):([0-9a-f]+)$/.exec(revision);
  if (m) return m[1]!;
  return revision.replace(/[^A-Za-z0-9._-]/g, '_');
}
