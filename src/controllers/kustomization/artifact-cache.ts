import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact } from '../../api/index.js';
import { SluiceError } from '../../api/index.js';
import { extractTarball, httpRequest } from '../../source/index.js';

/** Options of {@link ArtifactCache}. */
export interface ArtifactCacheOptions {
  /** Extracted artifacts kept when nothing uses them. Default: 8. */
  maxIdle?: number;
  /** Timeout of one download. Default: 60 s. */
  timeoutMs?: number;
}

/** An extracted artifact lent out by {@link ArtifactCache.acquire}; call `release()` when done with `dir`. */
export interface ArtifactLease {
  /** The folder holding the artifact's files. */
  dir: string;
  release(): void;
}

interface Entry {
  dir: string;
  ready: Promise<void>;
  users: number;
  lastUsed: number;
}

/**
 * Downloads source artifacts over HTTP, verifies their digest and extracts them with the safe extractor,
 * once per digest: Kustomizations sharing a source share one download and one extracted tree. Trees in use
 * are never removed; idle ones beyond `maxIdle` are, least recently used first.
 */
export class ArtifactCache {
  readonly #root: string;
  readonly #maxIdle: number;
  readonly #timeoutMs: number;
  readonly #entries = new Map<string, Entry>();
  #seq = 0;

  constructor(root: string, options: ArtifactCacheOptions = {}) {
    this.#root = root;
    this.#maxIdle = options.maxIdle ?? 8;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  /**
   * The extracted tree of an artifact, downloading it from `artifact.url` when not cached. Throws a
   * {@link SluiceError} (`ArtifactFetchFailed`) when the download fails or the digest does not match.
   */
  async acquire(artifact: Artifact, signal?: AbortSignal): Promise<ArtifactLease> {
    const key = artifact.digest || `${artifact.url}#${artifact.revision}`;
    let entry = this.#entries.get(key);
    if (!entry) {
      const dir = join(this.#root, `a${++this.#seq}`);
      entry = { dir, ready: this.#fetch(artifact, dir, signal), users: 0, lastUsed: Date.now() };
      this.#entries.set(key, entry);
      entry.ready.catch(() => {
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
        void rm(dir, { recursive: true, force: true }).catch(() => undefined);
      });
    }
    entry.users++;
    try {
      await entry.ready;
    } catch (err) {
      entry.users--;
      throw err;
    }
    const e = entry;
    let released = false;
    return {
      dir: e.dir,
      release: () => {
        if (released) return;
        released = true;
        e.users--;
        e.lastUsed = Date.now();
        this.#evict();
      },
    };
  }

  /** Removes every cached tree. */
  async clear(): Promise<void> {
    const dirs = [...this.#entries.values()].map((e) => e.dir);
    this.#entries.clear();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }).catch(() => undefined)));
  }

  async #fetch(artifact: Artifact, dir: string, signal: AbortSignal | undefined): Promise<void> {
    let body: Buffer;
    try {
      const res = await httpRequest(
        { url: artifact.url, ...(signal ? { signal } : {}) },
        { timeoutMs: this.#timeoutMs },
      );
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      body = res.body;
    } catch (err) {
      throw new SluiceError(
        'ArtifactFetchFailed',
        `Cannot download artifact from ${artifact.url}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    if (artifact.digest) {
      const colon = artifact.digest.indexOf(':');
      const algo = colon > 0 ? artifact.digest.slice(0, colon) : 'sha256';
      let got: string;
      try {
        got = `${algo}:${createHash(algo).update(body).digest('hex')}`;
      } catch (err) {
        throw new SluiceError(
          'ArtifactFetchFailed',
          `Artifact digest ${artifact.digest} uses an unsupported algorithm`,
          { cause: err },
        );
      }
      if (got !== artifact.digest) {
        throw new SluiceError(
          'ArtifactFetchFailed',
          `Artifact from ${artifact.url} does not match its digest: expected ${artifact.digest}, got ${got}`,
        );
      }
    }
    await mkdir(dir, { recursive: true });
    try {
      await extractTarball(body, dir, signal ? { signal } : {});
    } catch (err) {
      throw new SluiceError(
        'ArtifactFetchFailed',
        `Cannot extract artifact from ${artifact.url}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  #evict(): void {
    const idle = [...this.#entries.entries()].filter(([, e]) => e.users === 0);
    if (idle.length <= this.#maxIdle) return;
    idle.sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [key, e] of idle.slice(0, idle.length - this.#maxIdle)) {
      this.#entries.delete(key);
      void rm(e.dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}
