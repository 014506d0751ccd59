import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { KustomizeError } from './errors.js';

/** Whether files of a kustomization may come from outside its own folder (kustomize's `--load-restrictor`). */
export type LoadRestrictor = 'LoadRestrictionsRootOnly' | 'LoadRestrictionsNone';

function within(dir: string, p: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/**
 * File access confined to a root folder: every path is resolved, symlinks included, and one that leaves
 * the root is an error, never a read.
 */
export class RootedFs {
  readonly root: string;

  constructor(root: string) {
    try {
      this.root = realpathSync(resolve(root));
    } catch (cause) {
      throw new KustomizeError('KustomizeFileNotFound', `Build root ${root} does not exist`, { cause });
    }
  }

  /** The path relative to the root, for messages. */
  rel(abs: string): string {
    const r = relative(this.root, abs);
    return r === '' ? '.' : r;
  }

  /** Resolves `p` (relative to `fromDir`) to a real path inside the root, or throws. */
  real(fromDir: string, p: string): string {
    if (isAbsolute(p) && !within(this.root, resolve(p))) {
      throw new KustomizeError('KustomizeRootEscape', `Path ${p} is outside the build root ${this.root}`, {
        file: p,
      });
    }
    const lexical = resolve(fromDir, p);
    if (!within(this.root, lexical)) {
      throw new KustomizeError(
        'KustomizeRootEscape',
        `Path ${p} in ${this.rel(fromDir)} escapes the build root: it resolves to ${lexical}`,
        { file: join(this.rel(fromDir), p) },
      );
    }
    let real: string;
    try {
      // One realpath(3) call rather than an lstat of every path component per file.
      real = realpathSync.native(lexical);
    } catch (cause) {
      throw new KustomizeError('KustomizeFileNotFound', `File ${this.rel(lexical)} does not exist`, {
        cause,
        file: this.rel(lexical),
      });
    }
    if (!within(this.root, real)) {
      throw new KustomizeError(
        'KustomizeRootEscape',
        `Path ${this.rel(lexical)} escapes the build root: it is a symlink to ${real}`,
        { file: this.rel(lexical) },
      );
    }
    return real;
  }

  exists(abs: string): boolean {
    try {
      statSync(abs);
      return true;
    } catch {
      return false;
    }
  }

  isDir(abs: string): boolean {
    try {
      return statSync(abs).isDirectory();
    } catch {
      return false;
    }
  }

  /**
   * Reads a file named relative to a kustomization folder `kdir`. With `LoadRestrictionsRootOnly` the file
   * must also lie inside `kdir`.
   */
  readRelative(kdir: string, p: string, restrictor: LoadRestrictor): { abs: string; text: string } {
    const abs = this.real(kdir, p);
    if (restrictor === 'LoadRestrictionsRootOnly' && !within(kdir, abs)) {
      throw new KustomizeError(
        'KustomizeRootEscape',
        `File ${this.rel(abs)} is not in or below ${this.rel(kdir)}: security restriction LoadRestrictionsRootOnly`,
        { file: this.rel(abs) },
      );
    }
    try {
      return { abs, text: readFileSync(abs, 'utf8') };
    } catch (cause) {
      // Reading tells a folder from a file without a stat of its own.
      if ((cause as NodeJS.ErrnoException).code === 'EISDIR') {
        throw new KustomizeError(
          'KustomizeFileNotFound',
          `Path ${this.rel(abs)} is a directory, not a file`,
          {
            file: this.rel(abs),
          },
        );
      }
      throw new KustomizeError('KustomizeFileNotFound', `File ${this.rel(abs)} cannot be read`, {
        cause,
        file: this.rel(abs),
      });
    }
  }

  readFile(abs: string): string {
    try {
      return readFileSync(abs, 'utf8');
    } catch (cause) {
      throw new KustomizeError('KustomizeFileNotFound', `File ${this.rel(abs)} cannot be read`, {
        cause,
        file: this.rel(abs),
      });
    }
  }

  readBytes(abs: string): Buffer {
    try {
      return readFileSync(abs);
    } catch (cause) {
      throw new KustomizeError('KustomizeFileNotFound', `File ${this.rel(abs)} cannot be read`, {
        cause,
        file: this.rel(abs),
      });
    }
  }

  /** Lists a folder's entries (names), sorted. */
  list(abs: string): string[] {
    return readdirSync(abs).sort();
  }
}

export { basename, dirname, join };
