import { createHash, randomBytes } from 'node:crypto';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type FetchGitOptions, type FetchGitResult, fetchGit } from '../../source/index.js';

interface Entry {
  promise: Promise<FetchGitResult>;
  dir: string;
  users: number;
}

/**
 * Single-flight Git fetches: reconciles of objects asking for the same URL, ref, submodule setting and
 * credentials at the same moment share one `fetchGit` (whose mirror is locked per URL anyway), and each
 * gets its own copy of the checked-out tree. Many GitRepositories on one repository then cost one
 * checkout instead of one each, in turn.
 */
export class SharedGitFetches {
  readonly #inflight = new Map<string, Entry>();
  readonly #cacheDir: string;
  readonly #tmpDir: string;

  constructor(deps: { cacheDir: string; tmpDir: string }) {
    this.#cacheDir = deps.cacheDir;
    this.#tmpDir = deps.tmpDir;
  }

  /** Fetches (or joins a fetch in flight) and copies the tree to `outDir`. */
  async fetch(
    options: Omit<FetchGitOptions, 'outDir' | 'signal'>,
    outDir: string,
    signal: AbortSignal,
    logger?: Logger,
  ): Promise<FetchGitResult> {
    const key = createHash('sha256')
      .update(
        JSON.stringify([options.url, options.ref, options.recurseSubmodules ?? false, options.auth ?? {}]),
      )
      .digest('hex');
    let entry = this.#inflight.get(key);
    if (!entry) {
      const dir = join(this.#tmpDir, `shared-${randomBytes(6).toString('hex')}`);
      // Not tied to one caller's signal: others may still wait; the fetch has its own timeout.
      const promise = fetchGit(
        { cacheDir: this.#cacheDir, ...(logger ? { logger } : {}) },
        { ...options, outDir: dir },
      );
      entry = { promise, dir, users: 0 };
      this.#inflight.set(key, entry);
    }
    const mine = entry;
    mine.users++;
    try {
      const result = await abortable(mine.promise, signal);
      await cp(result.dir, outDir, { recursive: true, verbatimSymlinks: true });
      return { ...result, dir: outDir };
    } finally {
      mine.users--;
      if (mine.users === 0) {
        if (this.#inflight.get(key) === mine) this.#inflight.delete(key);
        void mine.promise.then(
          () => rm(mine.dir, { recursive: true, force: true }),
          () => rm(mine.dir, { recursive: true, force: true }),
        );
      }
    }
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
