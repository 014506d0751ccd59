import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** The name of the ignore file read from a source's tree. */
export const SOURCE_IGNORE_FILE = '.sourceignore';

/** Version-control files Flux always leaves out of artifacts. */
export const EXCLUDE_VCS = ['.git/', '.gitignore', '.gitmodules', '.gitattributes'];
/** Binary and archive extensions Flux leaves out by default. */
export const EXCLUDE_EXT = ['*.jpg', '*.jpeg', '*.gif', '*.png', '*.wmv', '*.flv', '*.tar.gz', '*.zip'];
/** CI configuration Flux leaves out by default. */
export const EXCLUDE_CI = [
  '.github/',
  '.circleci/',
  '.travis.yml',
  '.gitlab-ci.yml',
  'appveyor.yml',
  '.drone.yml',
  'cloudbuild.yaml',
  'codeship-services.yml',
  'codeship-steps.yml',
];
/** Tool configuration Flux leaves out by default. */
export const EXCLUDE_EXTRA = ['**/.goreleaser.yml', '**/.sops.yaml', '**/.flux.yaml'];

interface RuleSet {
  /** The directory the patterns are relative to, `''` for the root, else `a/b`. */
  domain: string;
  matcher: Ignore;
}

/** Options of {@link SourceIgnore.load}. */
export interface LoadSourceIgnoreOptions {
  /** Patterns from the object's `spec.ignore`; they come last and so take precedence. */
  spec?: string;
  /** Start with Flux's default exclusions (VCS, extensions, CI, extras); default true. */
  defaults?: boolean;
  /** Read `.sourceignore` files from the tree (root and every subdirectory but `.git`); default true. */
  readFiles?: boolean;
}

/**
 * Decides which paths of a source tree stay out of an artifact, with gitignore syntax: Flux's
 * default exclusions, then `.sourceignore` files (each scoped to its directory), then `spec.ignore`.
 * Later rules win, so a `!pattern` can re-include what an earlier set excluded.
 */
export class SourceIgnore {
  readonly #sets: RuleSet[] = [];

  /** Returns a matcher holding Flux's default exclusions only. */
  static defaults(): SourceIgnore {
    return new SourceIgnore().add(
      [...EXCLUDE_VCS, ...EXCLUDE_EXT, ...EXCLUDE_CI, ...EXCLUDE_EXTRA].join('\n'),
    );
  }

  /** Builds the matcher for a checked-out tree as Flux's GitRepository and OCIRepository do. */
  static async load(dir: string, options: LoadSourceIgnoreOptions = {}): Promise<SourceIgnore> {
    const result = options.defaults === false ? new SourceIgnore() : SourceIgnore.defaults();
    if (options.readFiles !== false) await readIgnoreFiles(result, dir, '');
    if (options.spec !== undefined) result.add(options.spec);
    return result;
  }

  /** Adds gitignore-syntax patterns (one per line, `#` comments), scoped to `domain` (`a/b`, default root). */
  add(patterns: string, domain = ''): this {
    const lines = patterns.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
    if (lines.length > 0) this.#sets.push({ domain: trimSlashes(domain), matcher: ignore().add(lines) });
    return this;
  }

  /**
   * Tells whether a path relative to the tree root (`/`-separated, no leading `./`) is excluded.
   * Directories are matched as directories, so `dir/` patterns apply to them.
   */
  ignores(relPath: string, isDir = false): boolean {
    const path = trimSlashes(relPath);
    if (path === '') return false;
    let verdict = false;
    for (const set of this.#sets) {
      let sub = path;
      if (set.domain !== '') {
        if (!path.startsWith(`${set.domain}/`)) continue;
        sub = path.slice(set.domain.length + 1);
      }
      const r = set.matcher.test(isDir ? `${sub}/` : sub);
      if (r.ignored) verdict = true;
      else if (r.unignored) verdict = false;
    }
    return verdict;
  }

  /** Returns a predicate for {@link ArchiveOptions.filter}-style callers. */
  toFilter(): (relPath: string, isDir: boolean) => boolean {
    return (p, d) => !this.ignores(p, d);
  }
}

async function readIgnoreFiles(target: SourceIgnore, root: string, domain: string): Promise<void> {
  const dir = domain === '' ? root : join(root, domain);
  try {
    target.add(await readFile(join(dir, SOURCE_IGNORE_FILE), 'utf8'), domain);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.isDirectory() && entry.name !== '.git') {
      await readIgnoreFiles(target, root, domain === '' ? entry.name : `${domain}/${entry.name}`);
    }
  }
}

function trimSlashes(p: string): string {
  return p.replace(/^\.\//, '').replace(/^\/+/, '').replace(/\/+$/, '');
}
