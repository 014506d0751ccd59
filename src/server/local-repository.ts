import { execFile } from 'node:child_process';
import { chmod, cp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { SluiceError } from '../api/index.js';

const exec = promisify(execFile);

/** A git repository on this machine that a {@link GitHttpServer} can serve. */
export interface LocalRepository {
  /** The git directory (a bare repository, or a work tree's `.git`). */
  gitDir: string;
  /** The work tree users edit, when there is one. */
  workTree?: string;
  /** The branch delivered. */
  branch: string;
  /** True when this call created the repository. */
  created: boolean;
}

/** The identity of the commit that seeds a repository. */
const SEED_IDENTITY = {
  GIT_AUTHOR_NAME: 'Sluice',
  GIT_AUTHOR_EMAIL: 'sluice@localhost',
  GIT_COMMITTER_NAME: 'Sluice',
  GIT_COMMITTER_EMAIL: 'sluice@localhost',
};

async function git(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await exec('git', args, {
      cwd,
      env: { ...process.env, ...env },
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout.trim();
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? '').trim();
    throw new SluiceError(
      'GitFailed',
      `git ${args[0]} in ${cwd} failed: ${stderr || (err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** A post-commit hook that pushes each commit of the working clone, so that committing is enough. */
const PUSH_HOOK = `#!/bin/sh
# Installed by sluice up: push each commit to the repository Sluice serves.
git push -q origin HEAD 2>/dev/null || echo "sluice: push failed; run git push" >&2
`;

/** Options of {@link prepareSeededRepository}. */
export interface SeededRepositoryOptions {
  /** Directory whose files make the first commit (e.g. `examples/fleet`). */
  seedDir: string;
  /** The bare repository to create; kept as is when it exists. */
  gitDir: string;
  /** The working clone to create next to it (origin: the bare repository). */
  workTree: string;
  /** Default: `main`. */
  branch?: string;
  /** Install a post-commit hook in the working clone that pushes each commit. Default: true. */
  pushOnCommit?: boolean;
}

/**
 * Creates a bare repository from the files of `seedDir` (one commit on `branch`) and a working clone whose
 * origin is that repository, the way `sluice up` bootstraps the example fleet. When the bare repository
 * exists already it is reused unchanged, and a missing working clone is cloned again.
 */
export async function prepareSeededRepository(options: SeededRepositoryOptions): Promise<LocalRepository> {
  const branch = options.branch ?? 'main';
  const gitDir = resolve(options.gitDir);
  const workTree = resolve(options.workTree);
  const created = !(await exists(join(gitDir, 'HEAD')));
  if (created) {
    await mkdir(gitDir, { recursive: true });
    await git(gitDir, ['init', '-q', '--bare', '-b', branch]);
    const scratch = `${gitDir}.seed`;
    await mkdir(scratch, { recursive: true });
    await git(scratch, ['init', '-q', '-b', branch]);
    await cp(options.seedDir, scratch, { recursive: true });
    await git(scratch, ['add', '-A']);
    await git(scratch, ['commit', '-q', '-m', 'Example fleet'], SEED_IDENTITY);
    await git(scratch, ['push', '-q', gitDir, `${branch}:refs/heads/${branch}`]);
    await rm(scratch, { recursive: true, force: true });
  }
  const cloned = await exists(join(workTree, '.git'));
  if (!cloned) {
    const empty = !(await exists(workTree)) || (await readdir(workTree)).length === 0;
    if (!empty) {
      throw new SluiceError(
        'WorkTreeInUse',
        `Working clone ${workTree} cannot be created: the directory exists and is not a git clone`,
      );
    }
    await mkdir(workTree, { recursive: true });
    await git(workTree, ['clone', '-q', '-b', branch, gitDir, '.']);
    const email = await git(workTree, ['config', 'user.email']).catch(() => '');
    if (!email) {
      await git(workTree, ['config', 'user.name', 'Sluice user']);
      await git(workTree, ['config', 'user.email', 'user@sluice.localhost']);
    }
    if (options.pushOnCommit ?? true) {
      const hook = join(workTree, '.git', 'hooks', 'post-commit');
      await mkdir(join(workTree, '.git', 'hooks'), { recursive: true });
      await writeFile(hook, PUSH_HOOK);
      await chmod(hook, 0o755);
    }
  }
  return { gitDir, workTree, branch, created };
}

/**
 * Describes an existing repository on this machine (`sluice up --repo PATH`): its git directory, work
 * tree and checked-out branch. Throws when `path` is not a git repository or has no commit.
 */
export async function openLocalRepository(path: string, branch?: string): Promise<LocalRepository> {
  const dir = resolve(path);
  if (!(await exists(dir))) throw new SluiceError('NotFound', `Repository ${dir} does not exist`);
  const gitDir = await git(dir, ['rev-parse', '--absolute-git-dir']).catch((err: unknown) => {
    throw new SluiceError('NotARepository', `Repository ${dir} is not a git repository`, { cause: err });
  });
  const bare = (await git(dir, ['rev-parse', '--is-bare-repository'])) === 'true';
  const current = branch ?? (await git(dir, ['symbolic-ref', '--short', 'HEAD']));
  await git(dir, ['rev-parse', '--verify', '-q', `refs/heads/${current}`]).catch((err: unknown) => {
    throw new SluiceError('NoCommit', `Repository ${dir} has no commit on branch ${current}`, { cause: err });
  });
  return { gitDir, ...(bare ? {} : { workTree: dir }), branch: current, created: false };
}

/** The commit a branch of a repository points at, or undefined when it has none. */
export async function headOf(repo: LocalRepository): Promise<string | undefined> {
  return git(repo.gitDir, ['rev-parse', '--verify', '-q', `refs/heads/${repo.branch}`]).catch(
    () => undefined,
  );
}

/**
 * Calls `onChange(commit)` whenever the repository's branch moves, checking every `intervalMs` (default
 * 1 000 ms), until `signal` aborts. This is how a commit in the working clone reaches the cluster at once
 * instead of at the next GitRepository interval.
 */
export function watchBranch(
  repo: LocalRepository,
  onChange: (commit: string) => void,
  options: { intervalMs?: number; signal?: AbortSignal } = {},
): void {
  let last: string | undefined;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const head = await headOf(repo);
      if (head && last !== undefined && head !== last) onChange(head);
      if (head) last = head;
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), options.intervalMs ?? 1000);
  timer.unref();
  options.signal?.addEventListener('abort', () => clearInterval(timer), { once: true });
}
